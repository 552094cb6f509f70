"""The full site.yml converges through a 20% rate of AWS-shaped faults and leaves no duplicate (issue F).

A proxy (tests/support/faultproxy.py) between boto3 and the local endpoint answers one request in five with a
ThrottlingException, a 500/503 or a dropped connection. The collection's retries (AWSRetry and botocore's own,
with AWS_MAX_ATTEMPTS as a user would set it) must carry the run through, and afterwards the endpoint must hold
exactly one of everything.
"""
import json
import os
import subprocess
import sys
import urllib.request

import boto3
import pytest

from conftest import ROOT, recap

RATE = 0.2


@pytest.fixture(name="faulty")
def fixture_faulty(endpoint, tmp_path):
    state = tmp_path / "faults.json"
    proxy = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "support", "faultproxy.py"),
                              "--upstream", endpoint.env["AWS_ENDPOINT_URL"], "--rate", str(RATE), "--seed", "20",
                              "--state-file", str(state)], stdout=subprocess.PIPE, text=True)
    try:
        port = int(proxy.stdout.readline().split()[-1])
        original = endpoint.env
        endpoint.env = dict(original, AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_MAX_ATTEMPTS="10",
                            AWS_RETRY_MODE="standard")
        yield endpoint
        endpoint.env = original
    finally:
        proxy.terminate()
        proxy.wait(timeout=30)


def test_site_converges_through_faults_without_duplicates(faulty):
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                    os.path.join(ROOT, "tests", "fixtures", "apps", "prepare.yml")], check=True, capture_output=True)
    result = faulty.playbook("site.yml")
    assert result.returncode == 0, result.stdout[-6000:]
    again = faulty.playbook("site.yml")
    assert again.returncode == 0, again.stdout[-6000:]
    assert recap(again.stdout)["changed"] == 0, again.stdout[-6000:]
    with urllib.request.urlopen(faulty.env["AWS_ENDPOINT_URL"] + "/faultproxy/counts", timeout=10) as response:
        counts = json.load(response)
    injected = counts["throttle"] + counts["5xx"] + counts["drop"]
    # The rate held: faults were really injected, about one request in five.
    assert injected >= 20 and 0.1 < injected / (injected + counts["forwarded"]) < 0.3, counts

    def aws(service):
        return boto3.client(service, endpoint_url=_upstream(faulty), region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    ec2, elb, ecs = aws("ec2"), aws("elbv2"), aws("ecs")
    tagged = [{"Name": "tag:bandup:deployment", "Values": ["bandup-local"]}]
    assert len(ec2.describe_vpcs(Filters=tagged)["Vpcs"]) == 1
    assert len(ec2.describe_subnets(Filters=tagged)["Subnets"]) == 4
    assert len(ec2.describe_security_groups(Filters=tagged)["SecurityGroups"]) == 3
    assert len([n for n in ec2.describe_nat_gateways(Filters=tagged)["NatGateways"] if n["State"] != "deleted"]) == 2
    assert len(elb.describe_load_balancers()["LoadBalancers"]) == 1
    assert len(elb.describe_target_groups()["TargetGroups"]) == 4
    assert len(ecs.list_clusters()["clusterArns"]) == 1
    assert len(ecs.list_services(cluster="bandup-local")["serviceArns"]) == 4
    for family in ("bandup-local-backend", "bandup-local-frontend"):
        assert len(ecs.list_task_definitions(familyPrefix=family)["taskDefinitionArns"]) == 1
    assert len(aws("servicediscovery").list_namespaces()["Namespaces"]) == 1
    assert len(aws("ecr").describe_repositories()["repositories"]) == 2


def _upstream(endpoint):
    with open(os.path.join(endpoint.state_dir, "env")) as handle:
        for line in handle:
            if line.startswith("export AWS_ENDPOINT_URL="):
                return line.split("=", 1)[1].strip().strip("'")
    raise AssertionError("no endpoint")
