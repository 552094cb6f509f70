"""load_balancer (load_balancer and elb_listener module_utils) on recorded ELBv2 answers
(tests/unit/fixtures/aws/elbv2/*): the options the alb role passes for that load balancer change nothing and write
nothing, on the answers and on every variant of them another endpoint could give; each managed field changed alone
is found (check mode: no write). The weights given never change those of an existing listener or rule."""
import copy

import pytest

import aws_shapes
from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import load_balancer as lb
from ansible_collections.bandup.ecs.plugins.modules import load_balancer

from conftest import run_module

P = "arn:aws:elasticloadbalancing:eu-west-1:123456789012"
LB_ARN = f"{P}:loadbalancer/app/bandup-prod/50dc6c495c0c9188"
L80 = f"{P}:listener/app/bandup-prod/50dc6c495c0c9188/f2f7dc8efc522ab2"
RULE10 = f"{P}:listener-rule/app/bandup-prod/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
TGS = ("backend-a", "backend-b", "frontend-a", "frontend-b")
TAGS = {"bandup:deployment": "bandup-prod", "bandup:managed-by": "bandup.ecs"}
FIXTURES = {
    "describe_load_balancers": "elbv2/DescribeLoadBalancers.internet-facing-alb",
    "describe_target_groups": "elbv2/DescribeTargetGroups.ip-targets",
    "describe_tags": "elbv2/DescribeTags.load-balancer-and-target-groups",
    "describe_listeners": "elbv2/DescribeListeners.weighted-forward",
    "describe_rules": "elbv2/DescribeRules.weighted-forward",
}
ATTRIBUTES = "elbv2/DescribeTargetGroupAttributes.ip-target-group"


def target_group(name, port, path):
    service, az = name.rsplit("-", 1)
    return {"name": f"bandup-prod-{name}", "port": port, "protocol": "HTTP", "health_check_protocol": "HTTP",
            "health_check_port": "traffic-port", "health_check_path": path, "health_check_interval": 15,
            "health_check_timeout": 5, "healthy_threshold": 2, "unhealthy_threshold": 3, "matcher": "200",
            "deregistration_delay": 30, "tags": {"bandup:service": service, "bandup:az": f"eu-west-1{az}"}}


def args():
    """The options the alb role passes (roles/alb/tasks/main.yml, from plugin_utils/role_inputs.py)."""
    backends = [{"target_group": "bandup-prod-backend-a", "weight": 100},
                {"target_group": "bandup-prod-backend-b", "weight": 0}]
    return dict(
        name="bandup-prod", scheme="internet-facing", subnets=["subnet-0c3d4e5f6a7b8c9d0", "subnet-0d4e5f6a7b8c9d0e1"],
        security_groups=["sg-0a9b8c7d6e5f40312"], vpc_id="vpc-0e1d2c3b4a5968778", tags=TAGS,
        region="eu-west-1",
        target_groups=[target_group("backend-a", 8080, "/actuator/health"),
                       target_group("backend-b", 8080, "/actuator/health"),
                       target_group("frontend-a", 3000, "/api/health"),
                       target_group("frontend-b", 3000, "/api/health")],
        listeners=[{"port": 80, "default_action": {"forward": [
            {"target_group": "bandup-prod-frontend-a", "weight": 100},
            {"target_group": "bandup-prod-frontend-b", "weight": 0}]},
            "rules": [{"priority": 10, "path_patterns": ["/api/*"], "forward": backends}]},
            {"port": 443, "state": "absent"}])


def answers():
    """{operation: recorded answer}; the target groups' records are those of the attributes the options set."""
    found = {op: aws_shapes.load(name) for op, name in FIXTURES.items()}
    record = lb.attributes_record({"deregistration_delay.timeout_seconds": "30"})
    for desc in found["describe_tags"]["TagDescriptions"]:
        for tag in desc["Tags"]:
            if tag["Key"] == lb.LAST_APPLIED_TAG:
                tag["Value"] = record
    return found


def expect_reads(aws, found, attributes_of=()):
    elb = aws["elbv2"]
    elb.add_response("describe_load_balancers", found["describe_load_balancers"], {"Names": ["bandup-prod"]})
    elb.add_response("describe_target_groups", found["describe_target_groups"],
                     {"Names": [f"bandup-prod-{name}" for name in TGS]})
    elb.add_response("describe_tags", found["describe_tags"], {"ResourceArns": [LB_ARN] + [
        tg["TargetGroupArn"] for tg in found["describe_target_groups"]["TargetGroups"]]})
    elb.add_response("describe_listeners", found["describe_listeners"], {"LoadBalancerArn": LB_ARN})
    for name in attributes_of:
        arn = next(tg["TargetGroupArn"] for tg in found["describe_target_groups"]["TargetGroups"]
                   if tg["TargetGroupName"] == name)
        elb.add_response("describe_target_group_attributes", aws_shapes.load(ATTRIBUTES), {"TargetGroupArn": arn})
    elb.add_response("describe_rules", found["describe_rules"], {"ListenerArn": L80})


def summary(out):
    return [(c["resource"], c["action"], c["fields"]) for c in out["changes"]]


def test_no_op_on_the_recorded_answers(aws, capsys):
    expect_reads(aws, answers())
    out = run_module(load_balancer, args(), capsys)
    assert (out["changed"], out["changes"]) == (False, [])
    assert out["weights"] == {"bandup-prod-backend-a": 100, "bandup-prod-backend-b": 0,
                              "bandup-prod-frontend-a": 100, "bandup-prod-frontend-b": 0}


VARIANTS = [(op, label) for op, name in FIXTURES.items()
            for label, _v in aws_shapes.variants("elbv2", name.split("/")[1].split(".")[0], aws_shapes.load(name))]


@pytest.mark.parametrize("operation, label", VARIANTS, ids=[f"{op}: {label}" for op, label in VARIANTS])
def test_no_op_on_every_variant_of_the_answers(aws, capsys, operation, label):
    found = answers()
    name = FIXTURES[operation]
    variant = dict(aws_shapes.variants("elbv2", name.split("/")[1].split(".")[0], found[operation]))[label]
    expect_reads(aws, dict(found, **{operation: variant}))
    out = run_module(load_balancer, args(), capsys)
    assert (out["changed"], out["changes"]) == (False, [])


@pytest.mark.parametrize("keep", ["Values", "PathPatternConfig"])
def test_a_path_condition_in_either_form_matches(aws, capsys, keep):
    found = answers()
    condition = found["describe_rules"]["Rules"][0]["Conditions"][0]
    del condition[{"Values": "PathPatternConfig", "PathPatternConfig": "Values"}[keep]]
    expect_reads(aws, found)
    assert run_module(load_balancer, args(), capsys)["changed"] is False


def test_a_forward_to_one_target_group_in_both_forms_matches(aws, capsys):
    """AWS reports a forward to one group with TargetGroupArn and a ForwardConfig of weight 1; others give one."""
    found = answers()
    frontend_a = f"{P}:targetgroup/bandup-prod-frontend-a/2a8f1c7be40d9e53"
    single = {"Type": "forward", "Order": 1, "TargetGroupArn": frontend_a, "ForwardConfig": {
        "TargetGroups": [{"TargetGroupArn": frontend_a, "Weight": 1}],
        "TargetGroupStickinessConfig": {"Enabled": False}}}
    params = args()
    params["listeners"][0]["default_action"]["forward"] = [{"target_group": "bandup-prod-frontend-a", "weight": 1}]
    for action in (single, {"Type": "forward", "TargetGroupArn": frontend_a},
                   {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": frontend_a}]}}):
        found["describe_listeners"]["Listeners"][0]["DefaultActions"] = [action]
        found["describe_rules"]["Rules"][1]["Actions"] = [action]
        assert not aws_shapes.problems("elbv2", "DescribeListeners", found["describe_listeners"])
        expect_reads(aws, found)
        assert run_module(load_balancer, params, capsys)["changed"] is False, action


def with_target_group(params, name, **changes):
    params = copy.deepcopy(params)
    next(tg for tg in params["target_groups"] if tg["name"] == name).update(changes)
    return params


def with_listener(params, **changes):
    params = copy.deepcopy(params)
    params["listeners"][0].update(changes)
    return params


BACKEND_A, LISTENER, LB = "target group bandup-prod-backend-a", "listener 80", "load balancer bandup-prod"
RULE_10, RULE_20 = "rule 10 on listener 80", "rule 20 on listener 80"
SINGLE_CHANGES = [
    ("subnets", dict(subnets=["subnet-0c3d4e5f6a7b8c9d0"]), [(LB, "update", ["Subnets"])]),
    ("security groups", dict(security_groups=["sg-0123"]), [(LB, "update", ["SecurityGroups"])]),
    ("load balancer tags", dict(tags=dict(TAGS, team="web")),
     [(f"target group bandup-prod-{n}", "tag", ["team"]) for n in TGS] + [(LB, "tag", ["team"])]),
]
for option, value, field in (("health_check_path", "/health", "HealthCheckPath"),
                             ("health_check_port", "8081", "HealthCheckPort"),
                             ("health_check_interval", 30, "HealthCheckIntervalSeconds"),
                             ("health_check_timeout", 6, "HealthCheckTimeoutSeconds"),
                             ("healthy_threshold", 5, "HealthyThresholdCount"),
                             ("unhealthy_threshold", 2, "UnhealthyThresholdCount"),
                             ("matcher", "200-299", "Matcher"),
                             ("tags", {"bandup:service": "backend", "bandup:az": "eu-west-1a", "x": "y"}, "x")):
    SINGLE_CHANGES.append((option, lambda p, o=option, v=value: with_target_group(p, "bandup-prod-backend-a", **{o: v}),
                           [(BACKEND_A, "tag" if option == "tags" else "update", [field])]))


@pytest.mark.parametrize("what, change, expected", SINGLE_CHANGES, ids=[c[0] for c in SINGLE_CHANGES])
def test_a_single_changed_field_is_found(aws, capsys, what, change, expected):
    expect_reads(aws, answers())
    params = change(args()) if callable(change) else dict(args(), **change)
    out = run_module(load_balancer, dict(params, _ansible_check_mode=True), capsys)
    assert out["changed"] is True and sorted(summary(out)) == sorted(expected), what


def test_a_changed_deregistration_delay_reads_the_attributes_and_is_found(aws, capsys):
    expect_reads(aws, answers(), attributes_of=["bandup-prod-backend-a"])
    params = with_target_group(args(), "bandup-prod-backend-a", deregistration_delay=60)
    out = run_module(load_balancer, dict(params, _ansible_check_mode=True), capsys)
    assert summary(out) == [(BACKEND_A, "update", ["deregistration_delay.timeout_seconds"]),
                            (BACKEND_A, "tag", ["bandup:last-applied"])]


def swapped(entries):
    return [dict(entry, weight=100 - entry["weight"]) for entry in entries]


def test_other_weights_given_leave_the_live_weights_alone(aws, capsys):
    """The weights belong to the service code (elb_listener.set_weights): on an existing listener and rule the
    weights given are not compared, so the failover's weights (here: every weight swapped) are never moved back."""
    params = copy.deepcopy(args())
    listener = params["listeners"][0]
    listener["default_action"]["forward"] = swapped(listener["default_action"]["forward"])
    listener["rules"][0]["forward"] = swapped(listener["rules"][0]["forward"])
    expect_reads(aws, answers())
    out = run_module(load_balancer, params, capsys)
    assert (out["changed"], out["changes"]) == (False, [])
    assert out["weights"] == {"bandup-prod-backend-a": 100, "bandup-prod-backend-b": 0,
                              "bandup-prod-frontend-a": 100, "bandup-prod-frontend-b": 0}


def test_a_target_group_added_to_a_forward_keeps_the_live_weights_of_the_others(aws, capsys):
    found = answers()
    params = with_target_group(args(), "bandup-prod-backend-b")
    rule = params["listeners"][0]["rules"][0]
    rule["forward"] = [{"target_group": "bandup-prod-backend-a", "weight": 0},
                       {"target_group": "bandup-prod-frontend-b", "weight": 7}]
    expect_reads(aws, found)
    out = run_module(load_balancer, dict(params, _ansible_check_mode=True, _ansible_diff=True), capsys)
    assert summary(out) == [(RULE_10, "update", ["Actions"])]
    groups = out["diff"]["after"][RULE_10]["Actions"][0]["ForwardConfig"]["TargetGroups"]
    weights = {g["TargetGroupArn"].split(":targetgroup/")[1].split("/")[0]: g["Weight"] for g in groups}
    assert weights == {"bandup-prod-backend-a": 100, "bandup-prod-frontend-b": 7}


LISTENER_CHANGES = [
    ("default redirect", dict(default_action={"redirect": {"protocol": "HTTPS", "port": "443",
                                                           "status_code": "HTTP_301"}}),
     [(LISTENER, "update", ["DefaultActions"])]),
    ("HTTPS", dict(protocol="HTTPS", certificate_arn="arn:aws:acm:eu-west-1:123456789012:certificate/1"),
     [(LISTENER, "update", ["Certificates", "Protocol"])]),
    ("path pattern", dict(rules=[{"priority": 10, "path_patterns": ["/v2/*"], "forward": [
        {"target_group": "bandup-prod-backend-a", "weight": 100},
        {"target_group": "bandup-prod-backend-b", "weight": 0}]}]),
     [(RULE_10, "update", ["Conditions"])]),
    ("priority", dict(rules=[{"priority": 20, "path_patterns": ["/api/*"], "forward": [
        {"target_group": "bandup-prod-backend-a", "weight": 100},
        {"target_group": "bandup-prod-backend-b", "weight": 0}]}]),
     [(RULE_10, "delete", []), (RULE_20, "create", [])]),
]


@pytest.mark.parametrize("what, changes, expected", LISTENER_CHANGES, ids=[c[0] for c in LISTENER_CHANGES])
def test_a_single_listener_change_is_found(aws, capsys, what, changes, expected):
    expect_reads(aws, answers())
    out = run_module(load_balancer, dict(with_listener(args(), **changes), _ansible_check_mode=True), capsys)
    assert summary(out) == expected, what
