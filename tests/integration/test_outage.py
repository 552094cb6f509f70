"""Failover while the active AZ is down (issue I), on the faithful endpoint's AZ impairment switch.

site.yml -> AZ-1 impaired (tasks cannot be placed there, its targets fail and ECS stops its tasks) ->
failover.yml (evacuates AZ-1: finishes without waiting on it) -> failover.yml again and site.yml during the
outage (no traffic moves back, nothing waits on AZ-1) -> AZ-1 restored -> site.yml (AZ-1's services settle as
standby, the evacuation ends) -> failback.yml -> site.yml changes nothing. Every step is checked by reading the
endpoint back (boto3) and its request record.
"""
import base64
import json
import urllib.request

import boto3
import pytest

from conftest import recap
from tests.support import faithful

NAME = "bandup-local"
AZ1, AZ2 = "us-east-1a", "us-east-1b"
SERVICES = [f"{NAME}-{app}-{suffix}" for app in ("backend", "frontend") for suffix in ("a", "b")]
# The bound on the failover's DescribeServices polls during the outage: without evacuation it polls the impaired
# AZ's deployments until service_wait_timeout (900 polls at service_wait_delay 1).
MAX_FAILOVER_POLLS = 40


def client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def services(endpoint):
    found = client(endpoint, "ecs").describe_services(cluster=NAME, services=SERVICES, include=["TAGS"])["services"]
    return {s["serviceName"]: s for s in found}


def primary(service):
    return next(d for d in service["deployments"] if d["status"] == "PRIMARY")


def sc_servers(endpoint):
    """{endpoint: [services serving it]} from every service's PRIMARY deployment (what AWS reports)."""
    out = {}
    for name, service in services(endpoint).items():
        for entry in (primary(service).get("serviceConnectConfiguration") or {}).get("services") or []:
            for alias in entry.get("clientAliases") or []:
                out.setdefault(f"{alias['dnsName']}:{alias['port']}", []).append(name)
    return out


def weights(endpoint):
    """{target group name: weight} of every forward action of the ALB's listeners and rules."""
    elbv2 = client(endpoint, "elbv2")
    lb = elbv2.describe_load_balancers(Names=[NAME])["LoadBalancers"][0]
    names = {tg["TargetGroupArn"]: tg["TargetGroupName"]
             for tg in elbv2.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"]}
    out = {}
    for listener in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]:
        for rule in elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]:
            for action in rule["Actions"]:
                for tg in (action.get("ForwardConfig") or {}).get("TargetGroups", []):
                    out[names[tg["TargetGroupArn"]]] = tg["Weight"]
    return out


def cluster_tags(endpoint):
    cluster = client(endpoint, "ecs").describe_clusters(clusters=[NAME], include=["TAGS"])["clusters"][0]
    return {t["key"]: t["value"] for t in cluster.get("tags", [])}


def scalable(endpoint):
    targets = client(endpoint, "application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs")["ScalableTargets"]
    return sorted(t["ResourceId"].rsplit("/", 1)[-1] for t in targets)


def requests(endpoint):
    """The ECS requests of the current record, in order: (action, body as a dict)."""
    url = endpoint.url + "/moto-api/recorder/download-recording"
    with urllib.request.urlopen(url, timeout=60) as response:
        lines = response.read().decode().splitlines()
    out = []
    for line in filter(None, lines):
        entry = json.loads(line)
        target = {k.lower(): v for k, v in entry.get("headers", {}).items()}.get("x-amz-target", "")
        if not target.startswith("AmazonEC2ContainerServiceV20141113."):
            continue
        body = entry.get("body") or "{}"
        if entry.get("body_encoded"):
            body = base64.b64decode(body).decode()
        out.append((target.rsplit(".", 1)[-1], json.loads(body)))
    return out


def names_of(body):
    return [s.rsplit("/", 1)[-1] for s in body.get("services", [])] + (
        [body["service"].rsplit("/", 1)[-1]] if "service" in body else [])


def time_passes(endpoint, until, polls=10):
    """Poll DescribeServices (the endpoint's clock) until ``until(services)`` holds, as minutes would pass on AWS."""
    for _ in range(polls):
        if until(services(endpoint)):
            return
    pytest.fail("the services did not get there: " + json.dumps(faithful.state(endpoint.url))[:3000])


@pytest.fixture(scope="module")
def converged(endpoint, apps):
    result = endpoint.playbook("site.yml")
    assert result.returncode == 0, result.stdout[-5000:]
    assert sc_servers(endpoint)["backend:8080"] == [f"{NAME}-backend-a"]
    return endpoint


@pytest.fixture(scope="module")
def evacuated(converged):
    """AZ-1 impaired long enough for ECS to notice (its tasks failed their health checks and were stopped),
    then failover.yml with its defaults; the request record of that run."""
    faithful.impair_az(converged.url, AZ1)
    # time passes: ECS sees the targets fail and stops the tasks it cannot replace
    time_passes(converged, lambda live: all(live[f"{NAME}-{app}-a"]["runningCount"] == 0
                                            for app in ("backend", "frontend")))
    converged.start_recording()
    result = converged.playbook("playbooks/failover.yml")
    assert result.returncode == 0, result.stdout[-6000:]
    assert "evacuating us-east-1a" in result.stdout
    return requests(converged)


def test_failover_finishes_without_waiting_on_the_impaired_az(converged, evacuated):
    polls = [names_of(body) for action, body in evacuated if action == "DescribeServices"]
    assert len(polls) <= MAX_FAILOVER_POLLS, len(polls)
    # A wait polls one service again and again; an impaired AZ's service is read alone only once, right after a
    # write to it (the answer the module reports), never polled.
    impaired = {f"{NAME}-backend-a", f"{NAME}-frontend-a"}
    for i, (action, body) in enumerate(evacuated):
        if action == "DescribeServices" and len(names_of(body)) == 1 and names_of(body)[0] in impaired:
            before = evacuated[i - 1]
            assert before[0] in ("UpdateService", "TagResource") and names_of(before[1]) + [
                before[1].get("resourceArn", "").rsplit("/", 1)[-1]] != [], (i, before)
            assert names_of(body)[0] in names_of(before[1]) + [before[1].get("resourceArn", "").rsplit("/", 1)[-1]]
    # the impaired AZ's services were written to
    written = {names_of(body)[0] for action, body in evacuated if action == "UpdateService"}
    assert impaired <= written, written


def test_failover_moves_traffic_and_service_connect_to_the_healthy_az(converged, evacuated):
    assert weights(converged) == {f"{NAME}-backend-a": 0, f"{NAME}-backend-b": 100,
                                  f"{NAME}-frontend-a": 0, f"{NAME}-frontend-b": 100}
    assert sc_servers(converged) == {"backend:8080": [f"{NAME}-backend-b"]}
    live = services(converged)
    # the healthy AZ's client was redeployed after the backend there became the server, and is steady
    assert primary(live[f"{NAME}-frontend-b"])["createdAt"] > primary(live[f"{NAME}-backend-b"])["createdAt"]
    for name in (f"{NAME}-backend-b", f"{NAME}-frontend-b"):
        assert primary(live[name])["rolloutState"] == "COMPLETED" and live[name]["runningCount"] == 2, name
    # the impaired AZ's services were told to become standby clients (the writes were sent), not waited for
    for name in (f"{NAME}-backend-a", f"{NAME}-frontend-a"):
        assert live[name]["desiredCount"] == 1, name
        assert primary(live[name])["serviceConnectConfiguration"].get("services") in (None, []), name
        assert primary(live[name])["rolloutState"] == "IN_PROGRESS", name
    assert {t["key"]: t["value"] for t in live[f"{NAME}-backend-a"]["tags"]}["bandup:standing"] == "standby"
    assert scalable(converged) == [f"{NAME}-backend-b", f"{NAME}-frontend-b"]
    tags = cluster_tags(converged)
    assert (tags["bandup:active-az"], tags["bandup:evacuated-az"]) == (AZ2, AZ1)


def test_rerun_and_converge_during_the_outage_change_nothing(converged, evacuated):
    for playbook in ("playbooks/failover.yml", "site.yml"):
        converged.start_recording()
        result = converged.playbook(playbook)
        assert result.returncode == 0, result.stdout[-5000:]
        assert recap(result.stdout)["changed"] == 0, result.stdout[-5000:]
        assert converged.recorded()["writes"] == [], playbook
        polls = [a for a, _ in requests(converged) if a == "DescribeServices"]
        assert len(polls) <= MAX_FAILOVER_POLLS, (playbook, len(polls))
    assert weights(converged)[f"{NAME}-backend-b"] == 100
    assert sc_servers(converged) == {"backend:8080": [f"{NAME}-backend-b"]}


def test_after_the_outage_a_converge_settles_the_standby_and_failback_restores(converged, evacuated):
    faithful.restore_az(converged.url, AZ1)
    # The evacuated AZ's deployments (without the circuit breaker) place their tasks and complete by themselves.
    time_passes(converged, lambda live: all(primary(live[f"{NAME}-{app}-a"])["rolloutState"] == "COMPLETED"
                                            for app in ("backend", "frontend")))
    result = converged.playbook("site.yml")
    assert result.returncode == 0, result.stdout[-5000:]
    assert "bandup:evacuated-az" not in cluster_tags(converged)
    live = services(converged)
    for name in (f"{NAME}-backend-a", f"{NAME}-frontend-a"):
        assert primary(live[name])["rolloutState"] == "COMPLETED" and live[name]["runningCount"] == 1, name
        assert live[name]["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True,
                                                                                     "rollback": True}, name
    again = converged.playbook("site.yml")
    assert again.returncode == 0 and recap(again.stdout)["changed"] == 0, again.stdout[-5000:]

    result = converged.playbook("playbooks/failback.yml")
    assert result.returncode == 0, result.stdout[-5000:]
    assert "zero-downtime order" in result.stdout
    assert weights(converged) == {f"{NAME}-backend-a": 100, f"{NAME}-backend-b": 0,
                                  f"{NAME}-frontend-a": 100, f"{NAME}-frontend-b": 0}
    assert sc_servers(converged) == {"backend:8080": [f"{NAME}-backend-a"]}
    assert cluster_tags(converged)["bandup:active-az"] == AZ1
    converged.start_recording()
    final = converged.playbook("site.yml")
    assert final.returncode == 0 and recap(final.stdout)["changed"] == 0, final.stdout[-5000:]
    assert converged.recorded()["writes"] == []


def polls_after_write(record, name, is_write):
    """DescribeServices naming ``name`` after the first request ``is_write`` matches, up to the next write."""
    start = next(i for i, (action, body) in enumerate(record) if is_write(action, body))
    count = 0
    for action, body in record[start + 1:]:
        if action in ("UpdateService", "CreateService"):
            break
        count += action == "DescribeServices" and name in names_of(body)
    return count


def test_service_connect_gap_in_polls(converged, evacuated):
    """The Service Connect gap of the failover, in the endpoint's clock (polls): docs/failover.md quotes it."""
    server = polls_after_write(evacuated, f"{NAME}-backend-b", lambda a, b: a == "UpdateService" and (
        (b.get("serviceConnectConfiguration") or {}).get("services")))
    client = polls_after_write(evacuated, f"{NAME}-frontend-b", lambda a, b: a == "UpdateService" and b.get(
        "service") == f"{NAME}-frontend-b" and b.get("forceNewDeployment"))
    print(f"service connect gap: backend-b serves after {server} polls, frontend-b redeployed after {client} polls")
    # the model: a 2-task rollout behind the ALB completes on its 3rd or 4th poll (old tasks drained on the 4th)
    assert 1 <= server <= 4 and 1 <= client <= 5, (server, client)
