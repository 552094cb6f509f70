"""elb_listener: actions compared by meaning, rule plans, and set_weights() against stubbed AWS responses."""
import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import elb_listener as lst
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet

TG_A = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bandup-backend-a/aaaaaaaaaaaaaaaa"
TG_B = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bandup-backend-b/bbbbbbbbbbbbbbbb"
TG_F = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bandup-frontend-a/ffffffffffffffff"
LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/bandup/50dc6c495c0c9188/f2f7dc8efc522ab2"
RULE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/bandup/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
DEFAULT_RULE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/bandup/50dc6c495c0c9188/f2f7dc8efc522ab2/0000000000000000"


def aws_weighted(weights, order=1):
    """A weighted forward as DescribeRules reports it (Order, stickiness with its duration, no top-level ARN)."""
    return {"Type": "forward", "Order": order, "ForwardConfig": {
        "TargetGroups": [{"TargetGroupArn": arn, "Weight": w} for arn, w in weights.items()],
        "TargetGroupStickinessConfig": {"Enabled": False, "DurationSeconds": 3600}}}


def test_weighted_forward_equals_aws_shape_in_any_order():
    desired = lst.forward_action({TG_A: 100, TG_B: 0})
    assert lst.action_key(desired) == lst.action_key(aws_weighted({TG_B: 0, TG_A: 100}))


def test_weight_difference_is_a_change():
    assert lst.action_key(lst.forward_action({TG_A: 100, TG_B: 0})) != lst.action_key(aws_weighted({TG_A: 0, TG_B: 100}))


def test_single_target_group_arn_means_weight_one():
    aws = {"Type": "forward", "TargetGroupArn": TG_F, "Order": 1,
           "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": TG_F, "Weight": 1}],
                             "TargetGroupStickinessConfig": {"Enabled": False}}}
    assert lst.action_key(aws) == lst.action_key({"Type": "forward", "TargetGroupArn": TG_F})
    assert lst.forward_weights({"Type": "forward", "TargetGroupArn": TG_F}) == {TG_F: 1}


def test_redirect_defaults_match_aws_response():
    desired = {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
    aws = {"Type": "redirect", "Order": 1, "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "Host": "#{host}",
                                                              "Path": "/#{path}", "Query": "#{query}",
                                                              "StatusCode": "HTTP_301"}}
    assert lst.action_key(desired) == lst.action_key(aws)
    assert lst.action_key(dict(desired, RedirectConfig=dict(desired["RedirectConfig"], Port="8443"))) != lst.action_key(aws)


def test_listener_changes_only_what_differs():
    live = {"Protocol": "HTTP", "Port": 80, "DefaultActions": [aws_weighted({TG_F: 100})]}
    assert lst.listener_changes(live, {"Protocol": "HTTP", "DefaultActions": [lst.forward_action({TG_F: 100})]}) == {}
    changed = lst.listener_changes(live, {"Protocol": "HTTPS", "Certificates": [{"CertificateArn": "arn:cert"}],
                                          "DefaultActions": [lst.forward_action({TG_F: 100})]})
    assert changed == {"Protocol": "HTTPS", "Certificates": [{"CertificateArn": "arn:cert"}]}


def live_rules():
    return [
        {"RuleArn": RULE, "Priority": "10", "IsDefault": False,
         "Conditions": [{"Field": "path-pattern", "Values": ["/api/v1/*"],
                         "PathPatternConfig": {"Values": ["/api/v1/*"]}}],
         "Actions": [aws_weighted({TG_A: 100, TG_B: 0})]},
        {"RuleArn": DEFAULT_RULE, "Priority": "default", "IsDefault": True, "Conditions": [],
         "Actions": [aws_weighted({TG_F: 1})]},
    ]


def desired_rule(priority, patterns, weights):
    return {"Priority": priority, "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": patterns}}],
            "Actions": [lst.forward_action(weights)]}


def test_rule_plan_unchanged_create_modify_delete():
    assert lst.rule_plan(live_rules(), [desired_rule(10, ["/api/v1/*"], {TG_A: 100, TG_B: 0})], True) == ([], [], [])
    create, modify, delete = lst.rule_plan(live_rules(), [desired_rule(10, ["/api/v2/*"], {TG_A: 100, TG_B: 0}),
                                                          desired_rule(20, ["/x"], {TG_F: 1})], True)
    assert [r["Priority"] for r in create] == [20]
    assert [r["RuleArn"] for r in modify] == [RULE]
    assert delete == []
    assert lst.rule_plan(live_rules(), [], True)[2] == [RULE]
    assert lst.rule_plan(live_rules(), [], False)[2] == []


@pytest.fixture
def elbv2():
    client = boto3.client("elbv2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


NAME = "bandup/f2f7dc8efc522ab2"  # the listener as set_weights names it: load balancer / listener id


def test_set_weights_flips_only_the_rule_that_references_the_groups(elbv2):
    client, stubber = elbv2
    stubber.add_response("describe_rules", {"Rules": live_rules()}, {"ListenerArn": LISTENER})
    stubber.add_response("modify_rule", {"Rules": []},
                         {"RuleArn": RULE, "Actions": [lst.forward_action({TG_A: 0, TG_B: 100})]})
    changes = ChangeSet(diff=True)
    assert lst.set_weights(client, LISTENER, {TG_A: 0, TG_B: 100}, changes) == [f"rule 10 on listener {NAME}"]
    assert changes.changes == [{"resource": f"rule 10 on listener {NAME}", "action": "weights", "fields": ["Actions"]}]
    assert changes.result()["diff"] == {"before": {f"rule 10 on listener {NAME}": {"bandup-backend-a": 100, "bandup-backend-b": 0}},
                                        "after": {f"rule 10 on listener {NAME}": {"bandup-backend-a": 0, "bandup-backend-b": 100}}}


def test_set_weights_is_idempotent_and_check_mode_writes_nothing(elbv2):
    client, stubber = elbv2
    stubber.add_response("describe_rules", {"Rules": live_rules()}, {"ListenerArn": LISTENER})
    changes = ChangeSet()
    assert lst.set_weights(client, LISTENER, {TG_A: 100, TG_B: 0}, changes) == [] and not changes.changed
    stubber.add_response("describe_rules", {"Rules": live_rules()}, {"ListenerArn": LISTENER})
    changes = ChangeSet(check_mode=True)
    lst.set_weights(client, LISTENER, {TG_F: 0}, changes)  # no modify_listener stubbed
    assert changes.changes == [{"resource": f"listener {NAME}", "action": "weights", "fields": ["DefaultActions"]}]


def test_set_weights_on_the_default_action_modifies_the_listener(elbv2):
    client, stubber = elbv2
    stubber.add_response("describe_rules", {"Rules": live_rules()}, {"ListenerArn": LISTENER})
    stubber.add_response("modify_listener", {"Listeners": []},
                         {"ListenerArn": LISTENER, "DefaultActions": [lst.forward_action({TG_F: 0})]})
    assert lst.set_weights(client, LISTENER, {TG_F: 0}, ChangeSet()) == [f"listener {NAME}"]


def test_set_weights_on_a_missing_listener_fails_naming_it_after_one_read(elbv2):
    client, stubber = elbv2
    stubber.add_client_error("describe_rules", "ListenerNotFound", expected_params={"ListenerArn": LISTENER})
    with pytest.raises(AnsibleAWSError, match="listener_arn: listener .* does not exist"):
        lst.set_weights(client, LISTENER, {TG_A: 0}, ChangeSet())


def test_set_weights_reports_a_failed_write_as_an_aws_error(elbv2):
    client, stubber = elbv2
    stubber.add_response("describe_rules", {"Rules": live_rules()}, {"ListenerArn": LISTENER})
    stubber.add_client_error("modify_rule", "AccessDenied", http_status_code=403)
    with pytest.raises(AnsibleAWSError, match="Failed to modify rule"):
        lst.set_weights(client, LISTENER, {TG_A: 0, TG_B: 100}, ChangeSet())


def test_existing_actions_compare_without_the_weights():
    assert lst.action_key(lst.forward_action({TG_A: 0, TG_B: 100}), weights=False) == lst.action_key(
        aws_weighted({TG_A: 100, TG_B: 0}), weights=False)
    assert lst.action_key(lst.forward_action({TG_A: 0}), weights=False) != lst.action_key(
        aws_weighted({TG_A: 100, TG_B: 0}), weights=False)
    live = {"Protocol": "HTTP", "Port": 80, "DefaultActions": [aws_weighted({TG_A: 0, TG_B: 100})]}
    assert lst.listener_changes(live, {"Protocol": "HTTP", "DefaultActions": [
        lst.forward_action({TG_A: 100, TG_B: 0})]}) == {}


def test_kept_weights_are_the_live_ones_and_new_groups_take_the_given_weight():
    live = [aws_weighted({TG_A: 0, TG_B: 100})]
    assert lst.keep_weights([lst.forward_action({TG_A: 100, TG_F: 5})], live) == [lst.forward_action({TG_A: 0, TG_F: 5})]
    # kept weights that would send nothing: the weights given
    assert lst.keep_weights([lst.forward_action({TG_A: 100})], live) == [lst.forward_action({TG_A: 100})]
    redirect = {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
    assert lst.keep_weights([redirect], live) == [redirect]
    create, modify, delete = lst.rule_plan(live_rules(), [desired_rule(10, ["/api/v1/*"], {TG_A: 0, TG_B: 100})], True)
    assert (create, modify, delete) == ([], [], [])
    _c, modify, _d = lst.rule_plan(live_rules(), [desired_rule(10, ["/api/v2/*"], {TG_A: 0, TG_B: 100})], True)
    assert modify[0]["Actions"] == [lst.forward_action({TG_A: 100, TG_B: 0})]
