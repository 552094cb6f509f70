"""The read-only deployment report (plugins/module_utils/_ecs/status.py), fed with AWS-shaped responses."""
import re
import os

import boto3
import pytest
import yaml
from botocore.stub import Stubber

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import status
from ansible_collections.bandup.ecs.plugins.module_utils.topology import build_topology

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
ACCOUNT = "123456789012"
REGION = "us-east-1"
SERVICES = [
    {"name": "backend", "port": 8080, "health_path": "/actuator/health", "cpu": 1024, "memory": 2048,
     "image": "repo/backend@sha256:" + "b" * 64, "service_connect": {"server": True},
     "alb": {"path_patterns": ["/api/v1/*"]}},
    {"name": "frontend", "port": 3000, "health_path": "/api/health", "cpu": 512, "memory": 1024,
     "image": "repo/frontend@sha256:" + "f" * 64, "depends_on": ["backend"], "alb": {"default_route": True},
     "standby_capacity_provider": "FARGATE_SPOT"},
]


@pytest.fixture(name="topology")
def fixture_topology():
    return build_topology("bandup-test", REGION, "us-east-1a", "us-east-1b", SERVICES)


@pytest.fixture(name="prices")
def fixture_prices():
    with open(os.path.join(ROOT, "roles", "status", "vars", "prices.yml")) as handle:
        return yaml.safe_load(handle)["status_prices"]


def client(name):
    return boto3.client(name, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")


def ecs_service(name, desired, running, taskdef_revision, sc_config=None, tags=None):
    """A DescribeServices entry as AWS returns it: Service Connect only under deployments[]."""
    deployment = {
        "id": "ecs-svc/1234567890123456789", "status": "PRIMARY", "taskDefinition":
            f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{name.rsplit('-', 1)[0]}:{taskdef_revision}",
        "desiredCount": desired, "pendingCount": 0, "runningCount": running, "failedTasks": 0,
        "rolloutState": "COMPLETED", "rolloutStateReason": "ECS deployment ecs-svc/1234567890123456789 completed.",
    }
    if sc_config is not None:
        deployment["serviceConnectConfiguration"] = sc_config
    return {
        "serviceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/bandup-test/{name}", "serviceName": name,
        "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/bandup-test", "status": "ACTIVE",
        "desiredCount": desired, "runningCount": running, "pendingCount": 0,
        "taskDefinition": deployment["taskDefinition"], "deployments": [deployment],
        "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()],
    }


SERVER = {"enabled": True, "namespace": f"arn:aws:servicediscovery:{REGION}:{ACCOUNT}:namespace/ns-abc",
          "services": [{"portName": "backend", "discoveryName": "backend",
                        "clientAliases": [{"port": 8080, "dnsName": "backend"}]}]}
CLIENT = {"enabled": True, "namespace": SERVER["namespace"]}


def test_service_connect_endpoint_reads_the_primary_deployment():
    assert status.service_connect_endpoint(ecs_service("x", 2, 2, 1, SERVER)) == "backend:8080"
    assert status.service_connect_endpoint(ecs_service("x", 2, 2, 1, CLIENT)) == "client"
    assert status.service_connect_endpoint(ecs_service("x", 2, 2, 1, {"enabled": False})) == "off"
    # No Service Connect state reported: fall back to the role the service role recorded, else unknown.
    app = {"service_connect": {"dns_name": "backend", "client_alias_port": 8080}}
    assert status.service_connect_endpoint(ecs_service("x", 2, 2, 1, tags={"bandup:sc-role": "client"}), app) == "client"
    assert status.service_connect_endpoint(ecs_service("x", 2, 2, 1, tags={"bandup:sc-role": "server"}), app) == "backend:8080"
    assert status.service_connect_endpoint(ecs_service("x", 2, 2, 1)) is None


def test_cost_uses_task_size_counts_and_spot_prices(topology, prices):
    cost = status.monthly_cost(topology, prices)
    table = prices["regions"]["us-east-1"]
    by_name = {line["service"]: line for line in cost["lines"]}
    backend = (1 * table["fargate"]["X86_64"]["vcpu_hour"] + 2 * table["fargate"]["X86_64"]["gb_hour"]) * 730
    assert by_name["bandup-test-backend-a"]["monthly"] == round(2 * backend, 2)
    spot = (0.5 * table["fargate_spot"]["X86_64"]["vcpu_hour"] + 1 * table["fargate_spot"]["X86_64"]["gb_hour"]) * 730
    assert by_name["bandup-test-frontend-b"]["monthly"] == round(spot, 2)
    assert by_name["bandup-test-frontend-b"]["capacity_provider"] == "FARGATE_SPOT"
    assert by_name["bandup-test-frontend-b"]["kind"] == "fargate_spot"
    assert cost["total"] == round(sum(line["monthly"] for line in cost["lines"]), 2)
    # Live counts (autoscaling moved them) win over the configured ones.
    scaled = status.monthly_cost(topology, prices, {"bandup-test-backend-a": 4})
    assert scaled["total"] == pytest.approx(cost["total"] + round(2 * backend, 2), abs=0.02)


ASSUMED = {"nat_gateways": 2, "nat_gb_per_month": 100, "log_gb_per_month": 10, "alb_lcus": 1.0}


def test_cost_counts_nat_gateways_logs_and_the_alb_at_the_stated_usage(topology, prices):
    """issue J: the two NAT gateways (hourly + per GB processed) and log ingestion are in the estimate."""
    table = prices["regions"]["us-east-1"]
    cost = status.monthly_cost(topology, prices, assumptions=ASSUMED)
    by_name = {line["service"]: line["monthly"] for line in cost["lines"]}
    assert by_name["nat-gateways"] == round(2 * table["nat_hour"] * 730 + 100 * table["nat_gb"], 2) > 60
    assert by_name["logs"] == round(10 * table["logs_ingest_gb"], 2) > 0
    assert by_name["alb"] == round((table["alb_hour"] + table["alb_lcu_hour"]) * 730, 2)
    assert cost["assumptions"] == dict(ASSUMED, public_ipv4_addresses=4) and cost["estimate"] is True
    without_nat = status.monthly_cost(topology, prices, assumptions=dict(ASSUMED, nat_gateways=0))
    assert "nat-gateways" not in {line["service"] for line in without_nat["lines"]}
    # without NAT gateways, their hours, GB and Elastic IPs (two public IPv4 addresses) are gone
    assert cost["total"] == pytest.approx(without_nat["total"] + by_name["nat-gateways"] + 2 * 0.005 * 730, abs=0.03)


def test_cost_uses_the_deployments_region_and_says_when_it_has_no_prices(prices):
    def topology_in(region):
        return build_topology("bandup-test", region, region + "a", region + "b", SERVICES)

    home = status.monthly_cost(topology_in("us-east-1"), prices, assumptions=ASSUMED)
    singapore = status.monthly_cost(topology_in("ap-southeast-1"), prices, assumptions=ASSUMED)
    assert singapore["prices_region"] == "ap-southeast-1" and singapore["total"] > home["total"]
    elsewhere = status.monthly_cost(topology_in("sa-east-1"), prices, assumptions=ASSUMED)
    assert (elsewhere["prices_region"], elsewhere["region"]) == ("us-east-1", "sa-east-1")
    assert elsewhere["total"] == home["total"]
    text = "\n".join(status.cost_lines(elsewhere))
    assert "us-east-1 (no price table for sa-east-1)" in text


def test_every_shipped_inventory_region_has_prices(prices):
    for inventory in os.listdir(os.path.join(ROOT, "inventories")):
        with open(os.path.join(ROOT, "inventories", inventory, "group_vars", "all", "main.yml")) as handle:
            region = yaml.safe_load(handle)["bandup_region"]
        assert region in prices["regions"], (inventory, region)
    assert all(entry["nat_hour"] and entry["logs_ingest_gb"] and entry["public_ipv4_hour"]
               for entry in prices["regions"].values())


def test_cost_summary_is_labelled_an_estimate_with_its_date_and_assumptions(topology, prices):
    text = "\n".join(status.cost_lines(status.monthly_cost(topology, prices, assumptions=ASSUMED)))
    assert "estimate ~" in text and f"us-east-1 list prices recorded {prices['checked']}" in text
    for part in ("Fargate 5 tasks", "Fargate Spot 1 tasks ~", "(Spot prices vary: an estimate)", "ALB",
                 "NAT gateways (2)", "CloudWatch Logs ingestion", "public IPv4 addresses (4)",
                 "2 NAT gateways processing 100 GB/month", "10 GB/month of logs ingested", "1.0 ALB LCU"):
        assert part in text, part


def test_cost_counts_the_public_ipv4_addresses(topology, prices):
    """issue O: the ALB's public IPv4 address per AZ and each NAT gateway's Elastic IP, billed by the hour (about
    USD 15/month for the four of the default layout)."""
    cost = status.monthly_cost(topology, prices, assumptions=ASSUMED)
    by_name = {line["service"]: line["monthly"] for line in cost["lines"]}
    assert by_name["public-ipv4"] == round(4 * 0.005 * 730, 2) == 14.6
    assert cost["assumptions"]["public_ipv4_addresses"] == 4
    without_nat = status.monthly_cost(topology, prices, assumptions=dict(ASSUMED, nat_gateways=0))
    assert {line["service"]: line["monthly"] for line in without_nat["lines"]}["public-ipv4"] == round(2 * 0.005 * 730, 2)


def test_arm64_tasks_are_priced_as_arm64(topology, prices):
    x86 = status.monthly_cost(topology, prices, architecture="X86_64")
    arm = status.monthly_cost(topology, prices, architecture="ARM64")
    table = prices["regions"]["us-east-1"]["fargate"]["ARM64"]
    backend = round(2 * (1 * table["vcpu_hour"] + 2 * table["gb_hour"]) * 730, 2)
    assert {line["service"]: line["monthly"] for line in arm["lines"]}["bandup-test-backend-a"] == backend
    assert arm["total"] < x86["total"]


def test_report_rows_from_stubbed_aws(topology, prices):
    ecs, elb = client("ecs"), client("elbv2")
    names = [p["service_name"] for svc in topology["services"] for p in svc["placements"]]
    live = [
        ecs_service("bandup-test-backend-a", 2, 2, 7, SERVER, {"bandup:standing": "active"}),
        ecs_service("bandup-test-backend-b", 1, 1, 7, CLIENT, {"bandup:standing": "standby"}),
        ecs_service("bandup-test-frontend-a", 2, 1, 3, CLIENT, {"bandup:standing": "active"}),
    ]
    lb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/bandup-test/50dc6c495c0c9188"
    listener = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/app/bandup-test/50dc6c495c0c9188/f2f7dc8efc522ab2"
    tg = {n: f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{n}/73e2d6bc24d8a067" for n in names}
    with Stubber(ecs) as ecs_stub, Stubber(elb) as elb_stub:
        ecs_stub.add_response("describe_services", {"services": live, "failures": [
            {"arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/bandup-test/bandup-test-frontend-b", "reason": "MISSING"}]},
            {"cluster": "bandup-test", "services": names, "include": ["TAGS"]})
        for family, revision, digest in (("bandup-test-backend", 7, "b"), ("bandup-test-frontend", 3, "f")):
            arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:{revision}"
            ecs_stub.add_response("describe_task_definition", {"taskDefinition": {
                "taskDefinitionArn": arn, "family": family, "revision": revision,
                "containerDefinitions": [{"name": family, "image": f"repo@sha256:{digest * 64}"}]}},
                {"taskDefinition": arn})
        services = status.read_services(ecs, "bandup-test", names)
        images = status.image_digests(ecs, [s["taskDefinition"] for s in services.values()])
        elb_stub.add_response("describe_target_groups", {"TargetGroups": [
            {"TargetGroupArn": arn, "TargetGroupName": name} for name, arn in tg.items()]}, {"LoadBalancerArn": lb_arn})
        elb_stub.add_response("describe_listeners", {"Listeners": [{"ListenerArn": listener, "Port": 80}]},
                              {"LoadBalancerArn": lb_arn})

        def forward(app, active_weight):
            return [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
                {"TargetGroupArn": tg[f"bandup-test-{app}-a"], "Weight": active_weight},
                {"TargetGroupArn": tg[f"bandup-test-{app}-b"], "Weight": 100 - active_weight}]}}]
        elb_stub.add_response("describe_rules", {"Rules": [
            {"RuleArn": listener + "/r1", "Priority": "10", "Actions": forward("backend", 100), "IsDefault": False},
            {"RuleArn": listener + "/default", "Priority": "default", "Actions": forward("frontend", 100), "IsDefault": True},
        ]}, {"ListenerArn": listener})
        weights = status.read_weights(elb, lb_arn)
    rows = {row["service"]: row for row in status.rows(topology, services, weights, images)}
    assert rows["bandup-test-backend-a"] == {
        "app": "backend", "az": "us-east-1a", "service": "bandup-test-backend-a", "standing": "active", "exists": True,
        "desired": 2, "running": 2, "revision": 7, "image_digest": "sha256:" + "b" * 64,
        "service_connect": "backend:8080", "namespace": "bandup-test", "target_group": "bandup-test-backend-a",
        "weight": 100}
    assert rows["bandup-test-backend-b"]["namespace"] == "bandup-test.cell-b"
    assert rows["bandup-test-backend-b"]["weight"] == 0 and rows["bandup-test-backend-b"]["service_connect"] == "client"
    assert rows["bandup-test-frontend-a"]["running"] == 1
    assert rows["bandup-test-frontend-b"]["exists"] is False
    report = {"cluster": "bandup-test", "load_balancer": "bandup-test", "active_az": "us-east-1a",
              "active_az_source": "cluster tag", "alb_dns_name": "bandup-test-1.elb.amazonaws.com",
              "rows": list(rows.values()), "cost": status.monthly_cost(topology, prices)}
    text = "\n".join(status.summary_lines(report))
    assert re.search(r"backend +us-east-1a +active +2 +2 +7 +sha256:b{12} +bandup-test +backend:8080 +100", text), text
    assert "frontend  us-east-1b  absent" in text
    assert "ALB     bandup-test-1.elb.amazonaws.com" in text
    picture = status.mermaid(report)
    assert 'alb -- "weight 100" --> bandup_test_backend_a_tg' in picture
    assert 'bandup_test_frontend_a -. "Service Connect backend:8080" .-> bandup_test_backend_a' in picture
    # each AZ is drawn as its cell, with its namespace; a client points only at the server of its own cell
    assert 'subgraph us_east_1b["us-east-1b cell, namespace bandup-test.cell-b"]' in picture
    assert ".-> bandup_test_backend_b" not in picture
    assert "bandup_test_frontend_a -> bandup_test_backend_a" in status.graphviz(report)


def test_rows_read_the_standing_tag_of_earlier_releases(topology):
    """A service tagged before the rename (``bandup:role`` only) shows the standing it records, not the topology's;
    ``bandup:standing`` wins when both are there."""
    services = {"bandup-test-backend-a": ecs_service("bandup-test-backend-a", 1, 1, 7, CLIENT, {"bandup:role": "standby"}),
                "bandup-test-backend-b": ecs_service("bandup-test-backend-b", 2, 2, 7, SERVER,
                                                     {"bandup:standing": "active", "bandup:role": "standby"})}
    by_name = {row["service"]: row for row in status.rows(topology, services, {}, {})}
    assert by_name["bandup-test-backend-a"]["standing"] == "standby"
    assert by_name["bandup-test-backend-b"]["standing"] == "active"
    assert by_name["bandup-test-frontend-a"]["standing"] == "active" and not by_name["bandup-test-frontend-a"]["exists"]


def test_missing_cluster_reads_as_no_services():
    ecs = client("ecs")
    with Stubber(ecs) as stub:
        stub.add_client_error("describe_services", "ClusterNotFoundException", "Cluster not found.")
        assert status.read_services(ecs, "nope", ["a"]) == {}


def test_a_missing_load_balancer_is_none_and_an_aws_error_names_the_read():
    from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
    elb, ecs = client("elbv2"), client("ecs")
    with Stubber(elb) as elb_stub, Stubber(ecs) as ecs_stub:
        elb_stub.add_client_error("describe_load_balancers", "LoadBalancerNotFound", "not found")
        assert status.read_load_balancer(elb, "bandup-test") is None
        ecs_stub.add_client_error("describe_services", "AccessDeniedException", "not allowed")
        with pytest.raises(AnsibleAWSError, match=r"Failed to describe services \['a'\] of cluster bandup-test"):
            status.read_services(ecs, "bandup-test", ["a"])


def test_the_rollback_choice_reads_the_services_and_revisions_once():
    ecs = client("ecs")
    arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/bandup-test-backend:"
    live = dict(ecs_service("bandup-test-backend-a", 2, 2, 3, tags={"bandup:last-good": "3 1"}), status="ACTIVE")
    with Stubber(ecs) as stub:
        stub.add_response("describe_services", {"services": [live], "failures": []},
                          {"cluster": "bandup-test", "services": ["bandup-test-backend-a", "gone"], "include": ["TAGS"]})
        stub.add_response("describe_task_definition", {"taskDefinition": {
            "taskDefinitionArn": arn + "4", "family": "bandup-test-backend", "revision": 4, "status": "ACTIVE"}},
            {"taskDefinition": "bandup-test-backend"})
        stub.add_client_error("describe_task_definition", "ClientException", "Unable to describe task definition.",
                              expected_params={"taskDefinition": "bandup-test-backend:3"})
        stub.add_response("describe_task_definition", {"taskDefinition": {
            "taskDefinitionArn": arn + "1", "family": "bandup-test-backend", "revision": 1, "status": "ACTIVE",
            "containerDefinitions": [{"name": "backend", "image": "backend:1"}]}},
            {"taskDefinition": "bandup-test-backend:1"})
        out = status.rollback_choices(ecs, "bandup-test", ["bandup-test-backend-a", "gone"])
    assert out["services"]["bandup-test-backend-a"]["revision"] == 1
    assert out["services"]["bandup-test-backend-a"]["image"] == "backend:1"
    assert out["problems"] == ["services: gone does not exist in cluster bandup-test"]


LB_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/bandup-test/50dc6c495c0c9188"
LISTENER_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/app/bandup-test/50dc6c495c0c9188/f2f7dc8efc522ab2"
TG = {n: f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{n}/73e2d6bc24d8a067"
      for n in ("bandup-test-backend-a", "bandup-test-backend-b", "bandup-test-frontend-a", "bandup-test-frontend-b")}


def stub_weight_reads(elb_stub, rule_pages):
    """DescribeTargetGroups, DescribeListeners and DescribeRules (one response per page) as AWS answers them."""
    elb_stub.add_response("describe_target_groups", {"TargetGroups": [
        {"TargetGroupArn": arn, "TargetGroupName": name} for name, arn in TG.items()]}, {"LoadBalancerArn": LB_ARN})
    elb_stub.add_response("describe_listeners", {"Listeners": [{"ListenerArn": LISTENER_ARN, "Port": 80}]},
                          {"LoadBalancerArn": LB_ARN})
    for number, rules in enumerate(rule_pages):
        page = {"Rules": rules}
        if number + 1 < len(rule_pages):
            page["NextMarker"] = f"marker-{number + 1}"
        params = {"ListenerArn": LISTENER_ARN}
        if number:
            params["Marker"] = f"marker-{number}"
        elb_stub.add_response("describe_rules", page, params)


def test_status_and_elb_listener_agree_on_a_forward_without_weight():
    """botocore's TargetGroupTuple has Weight optional: an answer may leave it out of a group. status must read the
    weights as elb_listener (the code that writes them) does, so the report never disagrees with what was written."""
    from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import elb_listener
    forward = {"Type": "forward", "Order": 1, "ForwardConfig": {"TargetGroups": [
        {"TargetGroupArn": TG["bandup-test-backend-a"], "Weight": 100},
        {"TargetGroupArn": TG["bandup-test-backend-b"]}]}}
    rule = {"RuleArn": LISTENER_ARN + "/r1", "Priority": "10", "Conditions": [], "Actions": [forward],
            "IsDefault": False}
    elb = client("elbv2")
    with Stubber(elb) as elb_stub:
        stub_weight_reads(elb_stub, [[rule]])
        weights = status.read_weights(elb, LB_ARN)
        elb_stub.assert_no_pending_responses()
    written = elb_listener.forward_weights(forward)
    assert weights == {"bandup-test-backend-a": written[TG["bandup-test-backend-a"]],
                       "bandup-test-backend-b": written[TG["bandup-test-backend-b"]]}
    assert weights["bandup-test-backend-b"] == 0


def test_status_reads_every_page_of_the_rules():
    """DescribeRules answers a page and a NextMarker when a listener has more rules than a page holds."""
    def rule(number, app):
        return {"RuleArn": f"{LISTENER_ARN}/r{number}", "Priority": str(number), "Conditions": [],
                "IsDefault": False, "Actions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
                    {"TargetGroupArn": TG[f"bandup-test-{app}-a"], "Weight": 0},
                    {"TargetGroupArn": TG[f"bandup-test-{app}-b"], "Weight": 100}]}}]}
    elb = client("elbv2")
    with Stubber(elb) as elb_stub:
        stub_weight_reads(elb_stub, [[rule(10, "backend")], [rule(20, "frontend")]])
        weights = status.read_weights(elb, LB_ARN)
        elb_stub.assert_no_pending_responses()
    assert weights == {"bandup-test-backend-a": 0, "bandup-test-backend-b": 100,
                       "bandup-test-frontend-a": 0, "bandup-test-frontend-b": 100}
