"""The whole life of a deployment on the local endpoint, as an operator runs it (issue E):

site.yml -> a second site.yml that changes nothing -> status -> failover -> status -> failback -> a new
version (deploy.yml) -> rollback.yml -> teardown without and with confirmation. Every step is checked by
reading the endpoint back (boto3) or the status report; the request record of the whole life feeds the
least-privilege policy check (docs/iam-policy.json).
"""
import json
import os
import subprocess
import sys

import boto3
import pytest

from conftest import ROOT, recap

NAME = "bandup-local"
TAGS = {"bandup:managed-by": "bandup.ecs", "bandup:deployment": NAME}


def client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint.env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def status(endpoint, tmp_path):
    out = tmp_path / "status"
    result = endpoint.playbook("playbooks/status.yml", extra_vars={"status_output_dir": str(out)})
    assert result.returncode == 0, result.stdout[-3000:]
    with open(out / "status.json") as handle:
        report = json.load(handle)
    return {(row["app"], row["az"]): row for row in report["rows"]}, report, (out / "summary.txt").read_text()


def standings(rows):
    return {key: (row["standing"], row["desired"]) for key, row in rows.items()}


def weights(rows):
    return {key: row["weight"] for key, row in rows.items()}


ACTIVE_A = {("backend", "us-east-1a"): ("active", 2), ("backend", "us-east-1b"): ("standby", 1),
            ("frontend", "us-east-1a"): ("active", 2), ("frontend", "us-east-1b"): ("standby", 1)}
ACTIVE_B = {("backend", "us-east-1a"): ("standby", 1), ("backend", "us-east-1b"): ("active", 2),
            ("frontend", "us-east-1a"): ("standby", 1), ("frontend", "us-east-1b"): ("active", 2)}


@pytest.fixture(scope="module")
def converged(endpoint):
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                    os.path.join(ROOT, "tests", "fixtures", "apps", "prepare.yml")], check=True, capture_output=True)
    endpoint.start_recording()
    result = endpoint.playbook("site.yml")
    assert result.returncode == 0, result.stdout[-5000:]
    return endpoint


def test_second_converge_changes_nothing_and_writes_nothing(converged):
    converged.start_recording()
    result = converged.playbook("site.yml")
    assert result.returncode == 0, result.stdout[-3000:]
    assert recap(result.stdout)["changed"] == 0, result.stdout[-5000:]
    assert converged.recorded()["writes"] == []


def test_status_shows_both_apps_in_both_azs(converged, tmp_path):
    rows, report, summary = status(converged, tmp_path)
    assert standings(rows) == ACTIVE_A
    assert weights(rows) == {("backend", "us-east-1a"): 100, ("backend", "us-east-1b"): 0,
                             ("frontend", "us-east-1a"): 100, ("frontend", "us-east-1b"): 0}
    assert all(row["revision"] == 1 and row["image_digest"].startswith("sha256:") for row in rows.values())
    assert report["alb_dns_name"]
    for app in ("backend", "frontend"):
        for az in ("us-east-1a", "us-east-1b"):
            assert f"{app}" in summary and az in summary
    assert "USD/month" in summary and "estimate" in summary
    # issue J: the network role's two NAT gateways and the logs are in the estimate, with what it assumes.
    assert "NAT gateways (2)" in summary and "CloudWatch Logs ingestion" in summary and "assumed:" in summary
    # issue O: prices from AWS's price list (the local endpoint answers pricing GetProducts), named with their
    # dates; Fargate Spot from the shipped table (an estimate); the ALB's 2 and the NAT gateways' 2 public IPv4s.
    assert ("at us-east-1 list prices from the AWS Price List API (pricing:GetProducts in us-east-1), effective "
            "2026-11-01, published 2026-11-20") in summary, summary
    assert "from the shipped table (recorded 2026-11-29, us-east-1): Fargate Spot" in summary, summary
    assert "public IPv4 addresses (4) 14.60" in summary and "not counted: data transfer out" in summary, summary
    assert report["cost"]["prices_source"] == "price-list-api"
    # issue O: the public IPv4 addresses (the ALB's per AZ and the NAT gateways') are counted too.
    assert {line["kind"] for line in report["cost"]["lines"]} == {"fargate", "alb", "nat", "logs", "public_ipv4"}


def test_failover_swaps_standings_counts_and_weights_and_failback_restores(converged, tmp_path):
    result = converged.playbook("playbooks/failover.yml")
    assert result.returncode == 0, result.stdout[-5000:]
    rows, report, _ = status(converged, tmp_path)
    assert standings(rows) == ACTIVE_B
    assert weights(rows) == {("backend", "us-east-1a"): 0, ("backend", "us-east-1b"): 100,
                             ("frontend", "us-east-1a"): 0, ("frontend", "us-east-1b"): 100}
    assert report["active_az"] == "us-east-1b"
    again = converged.playbook("playbooks/failover.yml")
    assert again.returncode == 0 and recap(again.stdout)["changed"] == 0, again.stdout[-3000:]
    result = converged.playbook("playbooks/failback.yml")
    assert result.returncode == 0, result.stdout[-5000:]
    rows, report, _ = status(converged, tmp_path)
    assert standings(rows) == ACTIVE_A and report["active_az"] == "us-east-1a"


def test_deploy_then_rollback_returns_to_the_previous_revision(converged, tmp_path):
    ecs = client(converged, "ecs")
    result = converged.playbook("playbooks/deploy.yml")
    assert result.returncode == 0, result.stdout[-5000:]
    assert recap(result.stdout)["changed"] == 0, result.stdout[-5000:]
    # deploy.yml with unchanged inputs registers nothing new.
    assert ecs.list_task_definitions(familyPrefix=f"{NAME}-backend")["taskDefinitionArns"][-1].endswith(":1")
    # A changed environment variable: one new revision for that service only, rolled out to both AZs.
    import yaml
    with open(os.path.join(ROOT, "inventories", "local", "group_vars", "all", "main.yml")) as handle:
        services = yaml.safe_load(handle)["bandup_services"]
    services[0]["environment"] = dict(services[0]["environment"], FEATURE_FLAG="on")
    result = converged.playbook("playbooks/deploy.yml", extra_vars={"bandup_services": services})
    assert result.returncode == 0, result.stdout[-5000:]
    rows, _, _ = status(converged, tmp_path)
    assert rows[("backend", "us-east-1a")]["revision"] == 2 and rows[("backend", "us-east-1b")]["revision"] == 2
    assert rows[("frontend", "us-east-1a")]["revision"] == 1
    result = converged.playbook("playbooks/rollback.yml", extra_vars={"bandup_services": services,
                                                                       "rollback_services": ["backend"]})
    assert result.returncode == 0, result.stdout[-5000:]
    rows, _, _ = status(converged, tmp_path)
    assert rows[("backend", "us-east-1a")]["revision"] == 1 and rows[("backend", "us-east-1b")]["revision"] == 1
    assert rows[("frontend", "us-east-1a")]["revision"] == 1


def leftovers(endpoint):
    """Everything the collection could have created, read back from the endpoint."""
    ec2, elb, ecs = client(endpoint, "ec2"), client(endpoint, "elbv2"), client(endpoint, "ecs")
    tag_filter = [{"Name": f"tag:{k}", "Values": [v]} for k, v in TAGS.items()]
    found = {
        "vpcs": [v["VpcId"] for v in ec2.describe_vpcs(Filters=tag_filter)["Vpcs"]],
        "security_groups": [g["GroupId"] for g in ec2.describe_security_groups(Filters=tag_filter)["SecurityGroups"]],
        "subnets": [s["SubnetId"] for s in ec2.describe_subnets(Filters=tag_filter)["Subnets"]],
        "nat_gateways": [n["NatGatewayId"] for n in ec2.describe_nat_gateways(Filters=tag_filter)["NatGateways"]
                         if n["State"] not in ("deleted", "deleting")],
        "load_balancers": [lb["LoadBalancerName"] for lb in elb.describe_load_balancers()["LoadBalancers"]],
        "target_groups": [tg["TargetGroupName"] for tg in elb.describe_target_groups()["TargetGroups"]],
        "clusters": [c["clusterName"] for c in ecs.describe_clusters(clusters=[NAME])["clusters"] if c["status"] == "ACTIVE"],
        "task_definitions": ecs.list_task_definitions(familyPrefix=NAME, status="ACTIVE")["taskDefinitionArns"],
        "repositories": [r["repositoryName"] for r in client(endpoint, "ecr").describe_repositories()["repositories"]],
        "log_groups": [g["logGroupName"] for g in client(endpoint, "logs").describe_log_groups(
            logGroupNamePrefix=f"/ecs/{NAME}")["logGroups"]],
        "roles": [r["RoleName"] for r in client(endpoint, "iam").list_roles()["Roles"] if r["RoleName"].startswith(NAME)],
        "namespaces": [n["Name"] for n in client(endpoint, "servicediscovery").list_namespaces()["Namespaces"]],
        "alarms": sorted(a["AlarmName"] for a in client(endpoint, "cloudwatch").describe_alarms(
            AlarmNamePrefix=f"{NAME}-")["MetricAlarms"]),
    }
    return {key: value for key, value in found.items() if value}


def test_teardown_refuses_without_confirmation_then_leaves_nothing(converged):
    before = leftovers(converged)
    assert set(before) >= {"vpcs", "load_balancers", "clusters", "repositories", "roles", "namespaces", "alarms"}
    converged.start_recording()
    refused = converged.playbook("playbooks/teardown.yml")
    assert refused.returncode != 0 and "-e confirm=bandup-local" in refused.stdout
    assert converged.recorded()["calls"] == []
    assert leftovers(converged) == before
    # An alarm of someone else under the deployment's name prefix (without its bandup tags) is not teardown's.
    client(converged, "cloudwatch").put_metric_alarm(
        AlarmName=f"{NAME}-not-ours", MetricName="CPUUtilization", Namespace="AWS/EC2", Statistic="Average",
        Period=60, EvaluationPeriods=1, Threshold=90.0, ComparisonOperator="GreaterThanThreshold",
        Tags=[{"Key": "team", "Value": "data"}])
    result = converged.playbook("playbooks/teardown.yml", extra_vars={"confirm": NAME})
    assert result.returncode == 0, result.stdout[-5000:]
    assert leftovers(converged) == {"alarms": [f"{NAME}-not-ours"]}


def test_least_privilege_policy_lists_exactly_what_the_collection_called(converged, tmp_path_factory):
    """Every action of this whole life (converge, failover, deploy, rollback, teardown) is granted by
    docs/iam-policy.json, and every granted action was called here or is one the record cannot show
    (scripts/gen_iam_policy.py NOT_RECORDED, each with its reason). tests/unit/test_iam_policy.py checks the same
    policy against the calls in plugins/ read from the source. Regenerate: scripts/gen_iam_policy.py"""
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    sys.path.insert(0, os.path.join(ROOT, ".collections"))
    import gen_iam_policy
    from ansible_collections.bandup.ecs.plugins.plugin_utils import iam_policy

    calls = converged.all_calls()
    os.makedirs(os.path.join(ROOT, "tests", "output"), exist_ok=True)
    with open(os.path.join(ROOT, "tests", "output", "iam-calls.json"), "w") as handle:
        json.dump({"calls": calls}, handle)
    recorded = gen_iam_policy.actions([{"calls": calls}])
    with open(os.path.join(ROOT, "docs", "iam-policy.json")) as handle:
        granted = iam_policy.actions(json.load(handle))
    assert sorted(recorded - granted) == []
    assert sorted(granted - recorded - set(gen_iam_policy.NOT_RECORDED)) == []
    assert sorted(set(gen_iam_policy.NOT_RECORDED) - granted) == []
