"""The full site.yml converges through a 20% rate of AWS-shaped faults and leaves no duplicate (issue F).

A proxy (tests/support/faultproxy.py) between boto3 and the local endpoint answers one request in five with a
ThrottlingException, a 500/503 or a dropped connection. The collection's retries (AWSRetry and botocore's own,
with AWS_MAX_ATTEMPTS as a user would set it) must carry the run through, and afterwards the endpoint must hold
exactly one of everything.

The slow test_lost_responses goes further: the proxy forwards the first call of every write action and loses its
response, as if the write happened and the answer never came back. The writes that a blind resend would duplicate
(no client token: CreateVpc, CreateInternetGateway, CreateRouteTable, AllocateAddress, RegisterTaskDefinition...)
or fail ("already exists") go out without botocore's retry and are looked up before being sent again
(plugins/module_utils/once.py): nothing is duplicated. It reports which creates are duplicated if one is.
"""
import pytest

from conftest import fault_proxy, proxy_report, recap
from tests.support.census import LOCAL_DEPLOYMENT
from tests.support.faultproxy import DEFAULT_KINDS

RATE = 0.2
KINDS = DEFAULT_KINDS  # throttling (400), 500/503, dropped connection: none reaches the endpoint


@pytest.mark.usefixtures("apps")
def test_site_converges_through_faults_without_duplicates(endpoint):
    with fault_proxy(endpoint, "--rate", str(RATE), "--kinds", ",".join(KINDS), "--seed", "20") as proxy:
        result = endpoint.playbook("site.yml")
        assert result.returncode == 0, result.stdout[-6000:]
        again = endpoint.playbook("site.yml")
        assert again.returncode == 0, again.stdout[-6000:]
        assert recap(again.stdout)["changed"] == 0, again.stdout[-6000:]
        counts = proxy_report(proxy)
    injected = sum(counts[kind] for kind in KINDS)
    # The rate held: faults were really injected, about one request in five.
    assert injected >= 20 and 0.1 < injected / (injected + counts["forwarded"]) < 0.3, counts

    # Exactly one of everything: no duplicate from a retried create, no orphan from a failed one.
    assert endpoint.census() == LOCAL_DEPLOYMENT


SERVICE_LINKED_ROLE_ERROR = ("CreateCluster=InvalidParameterException:Unable to assume the service linked role. "
                             "Please verify that the ECS service linked role exists.")


def test_first_cluster_of_a_new_account_survives_the_service_linked_role_error(fresh_endpoint):
    """In an account without AWSServiceRoleForECS, AWS answers the first CreateCluster with capacity providers
    "Unable to assume the service linked role" and accepts it moments later (issue 14, item 2): the cluster play
    retries that answer and creates the cluster once."""
    fresh_endpoint.start_recording()
    with fault_proxy(fresh_endpoint, "--rate", "0", "--error-first", SERVICE_LINKED_ROLE_ERROR) as proxy:
        result = fresh_endpoint.playbook("site.yml", "--tags", "cluster")
        counts = proxy_report(proxy)
    assert counts["error_first"] == 1, counts  # the error was really answered
    assert result.returncode == 0, result.stdout[-6000:]
    # The retry reached the endpoint (which, if it models a new account itself, may refuse one more first).
    assert [c["action"] for c in fresh_endpoint.all_calls()].count("CreateCluster") >= 1
    assert fresh_endpoint.census()["clusters"] == 1


@pytest.mark.slow
@pytest.mark.usefixtures("apps")
def test_lost_responses(fresh_endpoint):
    """The first response of each write action is lost: reruns converge, and nothing is duplicated."""
    runs = []
    with fault_proxy(fresh_endpoint, "--rate", "0", "--lose-first-writes") as proxy:
        for _ in range(3):  # a run may fail on a retried create ("already exists"): the next must finish it
            runs.append(fresh_endpoint.playbook("site.yml"))
            if runs[-1].returncode == 0:
                break
        lost = proxy_report(proxy, "lost")
    assert runs[-1].returncode == 0, runs[-1].stdout[-6000:]
    again = fresh_endpoint.playbook("site.yml")
    assert again.returncode == 0 and recap(again.stdout)["changed"] == 0, again.stdout[-6000:]
    census = fresh_endpoint.census()
    assert census == LOCAL_DEPLOYMENT, {"lost": lost, "failed runs": len(runs) - 1,
                                        "duplicated": {k: v for k, v in census.items() if v != LOCAL_DEPLOYMENT[k]}}
