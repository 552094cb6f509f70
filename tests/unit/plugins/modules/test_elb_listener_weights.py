"""elb_listener_weights against a stubbed elbv2 client: one DescribeRules and the writes of the rules whose weights
differ, recorded in the one changes shape; bad weights and a missing listener fail before any write."""
from ansible_collections.bandup.ecs.plugins.modules import elb_listener_weights

from conftest import run_module

P = "arn:aws:elasticloadbalancing:us-east-1:123456789012"
LISTENER = f"{P}:listener/app/bandup/50dc6c495c0c9188/f2f7dc8efc522ab2"
RULE = f"{P}:listener-rule/app/bandup/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
TG_A, TG_B = f"{P}:targetgroup/bandup-backend-a/aaaaaaaaaaaaaaaa", f"{P}:targetgroup/bandup-backend-b/bbbbbbbbbbbbbbbb"
TG_F = f"{P}:targetgroup/bandup-frontend-a/ffffffffffffffff"


def forward(weights, order=1):
    return {"Type": "forward", "Order": order, "ForwardConfig": {
        "TargetGroups": [{"TargetGroupArn": arn, "Weight": w} for arn, w in sorted(weights.items())],
        "TargetGroupStickinessConfig": {"Enabled": False}}}


RULES = {"Rules": [
    {"RuleArn": RULE, "Priority": "10", "IsDefault": False, "Actions": [forward({TG_A: 100, TG_B: 0})],
     "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}]},
    {"RuleArn": RULE[:-16] + "0" * 16, "Priority": "default", "IsDefault": True, "Conditions": [],
     "Actions": [forward({TG_F: 100})]}]}


def args(**weights):
    return dict(listener_arn=LISTENER, weights=weights or {TG_A: 0, TG_B: 100}, region="us-east-1")


def test_moves_the_weights_of_the_rule_that_forwards_to_the_groups(aws, capsys):
    aws["elbv2"].add_response("describe_rules", RULES, {"ListenerArn": LISTENER})
    moved = forward({TG_A: 0, TG_B: 100})
    del moved["Order"]
    aws["elbv2"].add_response("modify_rule", {"Rules": []}, {"RuleArn": RULE, "Actions": [moved]})
    out = run_module(elb_listener_weights, dict(args(), _ansible_diff=True), capsys)
    resource = "rule 10 on listener bandup/f2f7dc8efc522ab2"
    assert out["changed"] is True
    assert out["changes"] == [{"resource": resource, "action": "weights", "fields": ["Actions"]}]
    assert out["diff"]["after"][resource] == {"bandup-backend-a": 0, "bandup-backend-b": 100}


def test_same_weights_read_once_and_write_nothing(aws, capsys):
    aws["elbv2"].add_response("describe_rules", RULES, {"ListenerArn": LISTENER})
    out = run_module(elb_listener_weights, args(**{TG_A: 100, TG_B: 0}), capsys)
    assert (out["changed"], out["changes"]) == (False, [])


def test_check_mode_writes_nothing(aws, capsys):
    aws["elbv2"].add_response("describe_rules", RULES, {"ListenerArn": LISTENER})
    out = run_module(elb_listener_weights, dict(args(), _ansible_check_mode=True), capsys)
    assert out["changed"] is True and len(out["changes"]) == 1


def test_a_missing_listener_fails_naming_the_option(aws, capsys):
    aws["elbv2"].add_client_error("describe_rules", "ListenerNotFound", expected_params={"ListenerArn": LISTENER})
    out = run_module(elb_listener_weights, args(), capsys)
    assert out["failed"] is True and out["msg"] == f"listener_arn: listener {LISTENER} does not exist"
    assert out["changes"] == []


def test_a_weight_outside_the_range_fails_before_any_call(aws, capsys):
    out = run_module(elb_listener_weights, args(**{TG_A: 1000}), capsys)
    assert out["failed"] is True and out["msg"] == f"weights: 1000 for {TG_A} is outside 0-999"
