"""load_balancer against botocore Stubbers (elbv2): the exact calls of a no-op, a cold create, an adoption of
half-created resources, live weights that the module leaves alone (the service code owns them), and check mode."""
import copy

import pytest

from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import load_balancer as lb
from ansible_collections.bandup.ecs.plugins.modules import load_balancer

from conftest import run_module

ACCOUNT = "123456789012"
LB_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/bandup/50dc6c495c0c9188"
TG = {az: f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/bandup-web-{az}/{az * 16}" for az in "ab"}
L80 = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener/app/bandup/50dc6c495c0c9188/f2f7dc8efc522ab2"
RULE10 = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener-rule/app/bandup/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
RULE_DEFAULT = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener-rule/app/bandup/50dc6c495c0c9188/f2f7dc8efc522ab2/0000000000000000"
TAGS = {"bandup:deployment": "bandup"}
RECORD = lb.attributes_record({"deregistration_delay.timeout_seconds": "30"})


def forward(weight_a=100, weight_b=0):
    return [{"target_group": "bandup-web-a", "weight": weight_a}, {"target_group": "bandup-web-b", "weight": weight_b}]


def args(**override):
    tgs = [{"name": f"bandup-web-{az}", "port": 8080, "health_check_path": "/health", "health_check_port": "traffic-port",
            "health_check_interval": 15, "healthy_threshold": 2, "matcher": "200", "deregistration_delay": 30,
            "tags": {"bandup:az": az}} for az in "ab"]
    params = dict(name="bandup", subnets=["subnet-b", "subnet-a"], security_groups=["sg-alb"], vpc_id="vpc-1",
                  tags=TAGS, target_groups=tgs, region="us-east-1",
                  listeners=[{"port": 80, "default_action": {"forward": forward()},
                              "rules": [{"priority": 10, "path_patterns": ["/api/*"], "forward": forward()}]},
                             {"port": 443, "state": "absent"}])
    params.update(override)
    return params


def live_lb():
    return {"LoadBalancerArn": LB_ARN, "DNSName": "bandup-1.us-east-1.elb.amazonaws.com", "LoadBalancerName": "bandup",
            "Scheme": "internet-facing", "VpcId": "vpc-1", "Type": "application", "State": {"Code": "active"},
            "SecurityGroups": ["sg-alb"], "IpAddressType": "ipv4",
            "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": "subnet-a"},
                                  {"ZoneName": "us-east-1b", "SubnetId": "subnet-b"}]}


def live_tg(az):
    return {"TargetGroupArn": TG[az], "TargetGroupName": f"bandup-web-{az}", "Protocol": "HTTP", "Port": 8080,
            "VpcId": "vpc-1", "TargetType": "ip", "HealthCheckProtocol": "HTTP", "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True, "HealthCheckIntervalSeconds": 15, "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2, "UnhealthyThresholdCount": 2, "HealthCheckPath": "/health",
            "Matcher": {"HttpCode": "200"}, "LoadBalancerArns": [LB_ARN], "IpAddressType": "ipv4",
            "ProtocolVersion": "HTTP1"}


def aws_forward(weights):
    """A weighted forward as DescribeListeners/DescribeRules report it."""
    return {"Type": "forward", "Order": 1, "ForwardConfig": {
        "TargetGroups": [{"TargetGroupArn": TG[az], "Weight": w} for az, w in weights.items()],
        "TargetGroupStickinessConfig": {"Enabled": False}}}


def live_listener(weights):
    return {"ListenerArn": L80, "LoadBalancerArn": LB_ARN, "Port": 80, "Protocol": "HTTP",
            "DefaultActions": [aws_forward(weights)]}


def live_rules(weights):
    return [{"RuleArn": RULE10, "Priority": "10", "IsDefault": False, "Actions": [aws_forward(weights)],
             "Conditions": [{"Field": "path-pattern", "Values": ["/api/*"],
                             "PathPatternConfig": {"Values": ["/api/*"]}}]},
            {"RuleArn": RULE_DEFAULT, "Priority": "default", "IsDefault": True, "Actions": [aws_forward(weights)],
             "Conditions": []}]


def tag_list(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def expect_reads(aws, weights, tg_tags=None, before_rules=None):
    """The reads of a run on a converged load balancer, in order, each asserted with its parameters.

    ``before_rules`` stubs the calls the target groups and the load balancer make, which come before the listener's
    DescribeRules."""
    elb = aws["elbv2"]
    elb.add_response("describe_load_balancers", {"LoadBalancers": [live_lb()]}, {"Names": ["bandup"]})
    elb.add_response("describe_target_groups", {"TargetGroups": [live_tg("a"), live_tg("b")]},
                     {"Names": ["bandup-web-a", "bandup-web-b"]})
    tg_tags = tg_tags or {az: dict(TAGS, **{"bandup:az": az, "bandup:last-applied": RECORD}) for az in "ab"}
    elb.add_response("describe_tags", {"TagDescriptions": [{"ResourceArn": LB_ARN, "Tags": tag_list(TAGS)}] + [
        {"ResourceArn": TG[az], "Tags": tag_list(tg_tags[az])} for az in "ab"]},
        {"ResourceArns": [LB_ARN, TG["a"], TG["b"]]})
    elb.add_response("describe_listeners", {"Listeners": [live_listener(weights)]}, {"LoadBalancerArn": LB_ARN})
    if before_rules:
        before_rules(elb)
    elb.add_response("describe_rules", {"Rules": live_rules(weights)}, {"ListenerArn": L80})


def desired_forward(weights):
    return {"Type": "forward", "ForwardConfig": {
        "TargetGroups": [{"TargetGroupArn": TG[az], "Weight": w} for az, w in sorted(weights.items())],
        "TargetGroupStickinessConfig": {"Enabled": False}}}


def test_noop_makes_five_reads_and_no_write(aws, capsys):
    expect_reads(aws, {"a": 100, "b": 0})
    out = run_module(load_balancer, args(), capsys)
    assert out["changed"] is False and out["changes"] == []
    assert out["load_balancer"]["arn"] == LB_ARN and out["load_balancer"]["dns_name"].startswith("bandup-1")
    assert out["listener_arns"] == [L80]
    assert out["target_groups"] == {"bandup-web-a": TG["a"], "bandup-web-b": TG["b"]}
    assert out["weights"] == {"bandup-web-a": 100, "bandup-web-b": 0}


def test_live_weights_are_left_alone_even_against_the_weights_given(aws, capsys):
    # A failover moved the traffic to b (the service code owns the weights); the alb role still gives a 100.
    expect_reads(aws, {"a": 0, "b": 100})
    out = run_module(load_balancer, dict(args(), _ansible_diff=True), capsys)
    assert out["changed"] is False and out["changes"] == [] and out["diff"] == {"before": {}, "after": {}}
    assert out["weights"] == {"bandup-web-a": 0, "bandup-web-b": 100}


def test_a_changed_target_group_set_keeps_the_live_weights(aws, capsys):
    # Traffic is on b (the failover's weights). The options drop a from the default action (written, b keeping its
    # live 100 rather than the 0 given) and give the rule other weights only (not written).
    expect_reads(aws, {"a": 0, "b": 100})
    aws["elbv2"].add_response("modify_listener", {"Listeners": []}, {
        "ListenerArn": L80, "DefaultActions": [desired_forward({"b": 100})]})
    params = args()
    params["listeners"][0]["default_action"]["forward"] = [{"target_group": "bandup-web-b", "weight": 0}]
    params["listeners"][0]["rules"][0]["forward"] = forward(weight_a=5)
    out = run_module(load_balancer, params, capsys)
    assert out["changes"] == [{"resource": "listener 80", "action": "update", "fields": ["DefaultActions"]}]
    assert out["weights"] == {"bandup-web-a": 0, "bandup-web-b": 100}


def test_check_mode_predicts_the_target_group_change_and_writes_nothing(aws, capsys):
    expect_reads(aws, {"a": 100, "b": 0})
    params = args()
    params["listeners"][0]["rules"][0]["forward"] = forward()[:1]
    out = run_module(load_balancer, dict(params, _ansible_check_mode=True), capsys)
    assert out["changed"] is True and [(c["resource"], c["action"]) for c in out["changes"]] == [
        ("rule 10 on listener 80", "update")]


def test_a_forward_whose_kept_weights_would_send_nothing_takes_the_weights_given(aws, capsys):
    # Traffic is on b; the options replace b by a alone: a is new to the forward, so its weight (100) is the one given.
    expect_reads(aws, {"a": 0, "b": 100})
    aws["elbv2"].add_response("modify_listener", {"Listeners": []}, {
        "ListenerArn": L80, "DefaultActions": [desired_forward({"a": 100})]})
    params = args()
    params["listeners"][0]["default_action"]["forward"] = [{"target_group": "bandup-web-a", "weight": 100}]
    out = run_module(load_balancer, params, capsys)
    assert [c["resource"] for c in out["changes"]] == ["listener 80"]


def expect_cold_reads(aws):
    elb = aws["elbv2"]
    elb.add_client_error("describe_load_balancers", "LoadBalancerNotFound", expected_params={"Names": ["bandup"]})
    elb.add_client_error("describe_target_groups", "TargetGroupNotFound",
                         expected_params={"Names": ["bandup-web-a", "bandup-web-b"]})
    for az in "ab":
        elb.add_client_error("describe_target_groups", "TargetGroupNotFound",
                             expected_params={"Names": [f"bandup-web-{az}"]})


def test_cold_create_in_dependency_order(aws, capsys):
    expect_cold_reads(aws)
    elb = aws["elbv2"]
    for az in "ab":
        tags = dict(TAGS, **{"bandup:az": az, "bandup:last-applied": RECORD})
        elb.add_response("create_target_group", {"TargetGroups": [live_tg(az)]}, {
            "Name": f"bandup-web-{az}", "Protocol": "HTTP", "Port": 8080, "VpcId": "vpc-1", "TargetType": "ip",
            "HealthCheckPort": "traffic-port", "HealthCheckPath": "/health", "HealthCheckIntervalSeconds": 15,
            "HealthyThresholdCount": 2, "Matcher": {"HttpCode": "200"}, "Tags": tag_list(dict(sorted(tags.items())))})
        elb.add_response("modify_target_group_attributes", {"Attributes": []}, {
            "TargetGroupArn": TG[az], "Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]})
    elb.add_response("create_load_balancer", {"LoadBalancers": [live_lb()]}, {
        "Name": "bandup", "Scheme": "internet-facing", "Subnets": ["subnet-a", "subnet-b"],
        "SecurityGroups": ["sg-alb"], "Type": "application", "Tags": tag_list(TAGS)})
    fwd = desired_forward({"a": 100, "b": 0})
    elb.add_response("create_listener", {"Listeners": [live_listener({"a": 100, "b": 0})]}, {
        "Port": 80, "Protocol": "HTTP", "DefaultActions": [fwd], "LoadBalancerArn": LB_ARN, "Tags": tag_list(TAGS)})
    elb.add_response("create_rule", {"Rules": []}, {
        "ListenerArn": L80, "Priority": 10, "Actions": [fwd],
        "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}]})
    out = run_module(load_balancer, args(), capsys)
    assert out["changed"] is True and out["listener_arns"] == [L80] and out["load_balancer"]["arn"] == LB_ARN
    assert [(c["resource"], c["action"]) for c in out["changes"]] == [
        ("target group bandup-web-a", "create"), ("target group bandup-web-b", "create"),
        ("load balancer bandup", "create"), ("listener 80", "create"), ("rule 10 on listener 80", "create")]


def test_check_mode_on_nothing_writes_nothing_and_publishes_empty_outputs(aws, capsys):
    expect_cold_reads(aws)
    out = run_module(load_balancer, dict(args(), _ansible_check_mode=True, _ansible_diff=True), capsys)
    assert out["changed"] is True
    assert out["load_balancer"]["arn"] == "" and out["target_groups"] == {} and out["listener_arns"] == []
    assert out["diff"]["before"]["load balancer bandup"] is None


def test_rerun_after_interruption_adopts_what_exists(aws, capsys):
    # An interrupted run created target group a, the load balancer and the listener, then stopped.
    elb = aws["elbv2"]
    elb.add_response("describe_load_balancers", {"LoadBalancers": [live_lb()]}, {"Names": ["bandup"]})
    elb.add_client_error("describe_target_groups", "TargetGroupNotFound",
                         expected_params={"Names": ["bandup-web-a", "bandup-web-b"]})
    elb.add_response("describe_target_groups", {"TargetGroups": [live_tg("a")]}, {"Names": ["bandup-web-a"]})
    elb.add_client_error("describe_target_groups", "TargetGroupNotFound", expected_params={"Names": ["bandup-web-b"]})
    tags_a = dict(TAGS, **{"bandup:az": "a", "bandup:last-applied": RECORD})
    elb.add_response("describe_tags", {"TagDescriptions": [{"ResourceArn": LB_ARN, "Tags": tag_list(TAGS)},
                                                           {"ResourceArn": TG["a"], "Tags": tag_list(tags_a)}]},
                     {"ResourceArns": [LB_ARN, TG["a"]]})
    elb.add_response("describe_listeners", {"Listeners": [live_listener({"a": 1})]}, {"LoadBalancerArn": LB_ARN})
    elb.add_response("create_target_group", {"TargetGroups": [live_tg("b")]}, None)
    elb.add_response("modify_target_group_attributes", {"Attributes": []}, None)
    elb.add_response("describe_rules", {"Rules": live_rules({"a": 1})[1:]}, {"ListenerArn": L80})
    # the listener keeps a's live weight (1) and b joins with the weight given; the new rule gets the weights given
    elb.add_response("modify_listener", {"Listeners": []}, {"ListenerArn": L80,
                                                            "DefaultActions": [desired_forward({"a": 1, "b": 0})]})
    elb.add_response("create_rule", {"Rules": []}, {
        "ListenerArn": L80, "Priority": 10, "Actions": [desired_forward({"a": 100, "b": 0})],
        "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}]})
    out = run_module(load_balancer, args(), capsys)
    assert [(c["resource"], c["action"]) for c in out["changes"]] == [("target group bandup-web-b", "create"),
                                                                      ("listener 80", "update"),
                                                                      ("rule 10 on listener 80", "create")]


def test_changed_deregistration_delay_reads_and_sets_the_attribute(aws, capsys):
    old = lb.attributes_record({"deregistration_delay.timeout_seconds": "300"})
    tg_tags = {az: dict(TAGS, **{"bandup:az": az, "bandup:last-applied": old}) for az in "ab"}

    def attributes(elb):
        for az in "ab":
            elb.add_response("describe_target_group_attributes", {"Attributes": [
                {"Key": "deregistration_delay.timeout_seconds", "Value": "300"},
                {"Key": "stickiness.enabled", "Value": "false"}]}, {"TargetGroupArn": TG[az]})
            elb.add_response("modify_target_group_attributes", {"Attributes": []}, {
                "TargetGroupArn": TG[az], "Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]})
            elb.add_response("add_tags", {}, {"ResourceArns": [TG[az]],
                                              "Tags": [{"Key": "bandup:last-applied", "Value": RECORD}]})

    expect_reads(aws, {"a": 100, "b": 0}, tg_tags=tg_tags, before_rules=attributes)
    out = run_module(load_balancer, args(), capsys)
    assert out["changed"] is True
    assert [(c["resource"], c["action"], c["fields"]) for c in out["changes"]] == [
        (f"target group bandup-web-{az}", action, fields) for az in "ab" for action, fields in (
            ("update", ["deregistration_delay.timeout_seconds"]), ("tag", ["bandup:last-applied"]))]


def test_a_target_group_on_another_port_fails_before_any_write(aws, capsys):
    elb = aws["elbv2"]
    elb.add_response("describe_load_balancers", {"LoadBalancers": [live_lb()]}, {"Names": ["bandup"]})
    moved = dict(live_tg("a"), Port=9090)
    elb.add_response("describe_target_groups", {"TargetGroups": [moved, live_tg("b")]}, None)
    out = run_module(load_balancer, args(), capsys)
    assert out["failed"] is True and "bandup-web-a exists with Port 9090 (wanted 8080)" in out["msg"]


def test_a_fixed_setting_that_differs_fails_before_the_missing_target_group_is_created(aws, capsys):
    # b does not exist yet and comes first in the options; a exists on another port: nothing may be created.
    elb = aws["elbv2"]
    elb.add_response("describe_load_balancers", {"LoadBalancers": [live_lb()]}, {"Names": ["bandup"]})
    elb.add_client_error("describe_target_groups", "TargetGroupNotFound",
                         expected_params={"Names": ["bandup-web-b", "bandup-web-a"]})
    elb.add_client_error("describe_target_groups", "TargetGroupNotFound", expected_params={"Names": ["bandup-web-b"]})
    elb.add_response("describe_target_groups", {"TargetGroups": [dict(live_tg("a"), Port=9090)]},
                     {"Names": ["bandup-web-a"]})
    params = args()
    params["target_groups"].reverse()
    out = run_module(load_balancer, params, capsys)
    assert out["failed"] is True and out["msg"].startswith("target_groups: bandup-web-a exists with Port 9090")
    assert out["changes"] == []


def test_another_scheme_fails_before_any_target_group_is_created(aws, capsys):
    elb = aws["elbv2"]
    elb.add_response("describe_load_balancers", {"LoadBalancers": [dict(live_lb(), Scheme="internal")]},
                     {"Names": ["bandup"]})
    elb.add_client_error("describe_target_groups", "TargetGroupNotFound",
                         expected_params={"Names": ["bandup-web-a", "bandup-web-b"]})
    for az in "ab":
        elb.add_client_error("describe_target_groups", "TargetGroupNotFound",
                             expected_params={"Names": [f"bandup-web-{az}"]})
    out = run_module(load_balancer, args(), capsys)
    assert out["failed"] is True and out["msg"].startswith("scheme: load balancer bandup exists")
    assert out["changes"] == []


def test_forward_to_an_unknown_target_group_fails_naming_the_option(aws, capsys):
    params = args()
    params["listeners"][0]["rules"][0]["forward"][0]["target_group"] = "typo"
    out = run_module(load_balancer, params, capsys)
    assert out["failed"] is True and out["msg"].startswith("listeners: target group typo")


def test_tags_are_added_never_purged():
    assert lb.tag_changes({"a": "1", "x": "keep"}, {"a": "1", "b": "2"}) == {"b": "2"}
    assert lb.tag_changes({"a": "1"}, {"a": "2"}) == {"a": "2"}


def test_load_balancer_changes_ignore_order():
    live = copy.deepcopy(live_lb())
    assert lb.load_balancer_changes(live, {"Subnets": ["subnet-b", "subnet-a"], "SecurityGroups": ["sg-alb"]}) == {}
    assert lb.load_balancer_changes(live, {"Subnets": ["subnet-a", "subnet-c"], "SecurityGroups": ["sg-alb"]}) == {
        "Subnets": ["subnet-a", "subnet-c"]}


def test_load_balancer_attributes_are_read_only_when_the_record_differs(aws, capsys):
    """zonal_shift.config.enabled (the alb role's alb_zonal_shift): without a record on the load balancer, its
    attributes are read, the differing one set and the record tagged (the no-op converge of site.yml, with the record,
    reads none: tests/integration)."""
    zonal = {"zonal_shift.config.enabled": "true"}
    record = lb.attributes_record(zonal)

    def attributes(elb):
        elb.add_response("describe_load_balancer_attributes", {"Attributes": [
            {"Key": "zonal_shift.config.enabled", "Value": "false"},
            {"Key": "idle_timeout.timeout_seconds", "Value": "60"}]}, {"LoadBalancerArn": LB_ARN})
        elb.add_response("modify_load_balancer_attributes", {"Attributes": []}, {
            "LoadBalancerArn": LB_ARN, "Attributes": [{"Key": "zonal_shift.config.enabled", "Value": "true"}]})
        elb.add_response("add_tags", {}, {"ResourceArns": [LB_ARN],
                                          "Tags": [{"Key": "bandup:last-applied", "Value": record}]})

    expect_reads(aws, {"a": 100, "b": 0}, before_rules=attributes)
    out = run_module(load_balancer, args(attributes=zonal), capsys)
    assert [(c["resource"], c["action"], c["fields"]) for c in out["changes"]] == [
        ("load balancer bandup", "attributes", ["zonal_shift.config.enabled"]),
        ("load balancer bandup", "tag", ["bandup:last-applied"])]
