"""ecs_scaling.plan on recorded DescribeScalableTargets/DescribeScalingPolicies answers
(tests/unit/fixtures/aws/application-autoscaling/*): the autoscaling options the service role passes write nothing,
on the answers and on every variant of them another endpoint could give (DisableScaleIn or the cooldowns left out
at their default, an empty CustomizedMetricSpecification, an integer TargetValue); each field changed alone is
written."""
import copy

import pytest

import aws_shapes
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_scaling as scaling
from replay_services import AUTOSCALING, COOLDOWNS

TARGETS = ("application-autoscaling", "DescribeScalableTargets",
           "application-autoscaling/DescribeScalableTargets.ecs-service")
POLICIES = ("application-autoscaling", "DescribeScalingPolicies",
            "application-autoscaling/DescribeScalingPolicies.target-tracking")


def plan(targets, policies, options=None):
    options = options or AUTOSCALING
    live = {p["PolicyName"]: p for p in policies["ScalingPolicies"]}
    return scaling.plan(targets["ScalableTargets"][0], live, options["min_capacity"], options["max_capacity"],
                        scaling.wanted_policies(options))


def load(fixture):
    return aws_shapes.load(fixture[2])


NO_WRITE = (False, {}, [])


def test_no_op_on_the_recorded_answers():
    assert plan(load(TARGETS), load(POLICIES)) == NO_WRITE


@pytest.mark.parametrize("fixture", [TARGETS, POLICIES], ids=["targets", "policies"])
def test_no_op_on_every_variant_of_the_answers(fixture):
    failed = []
    for label, variant in aws_shapes.variants(fixture[0], fixture[1], load(fixture)):
        answers = {TARGETS: load(TARGETS), POLICIES: load(POLICIES), fixture: variant}
        if plan(answers[TARGETS], answers[POLICIES]) != NO_WRITE:
            failed.append(label)
    assert failed == []


def config(policies, idx):
    return policies["ScalingPolicies"][idx]["TargetTrackingScalingPolicyConfiguration"]


def test_disable_scale_in_left_out_is_false():
    policies = load(POLICIES)
    for idx in range(3):
        del config(policies, idx)["DisableScaleIn"]
    assert plan(load(TARGETS), policies) == NO_WRITE


def test_cooldowns_left_out_are_the_ecs_default_of_300_seconds():
    policies = load(POLICIES)
    del config(policies, 0)["ScaleInCooldown"]
    assert plan(load(TARGETS), policies) == NO_WRITE
    # 60 s wanted, nothing reported: AWS applies its default of 300 s, a real difference.
    del config(policies, 0)["ScaleOutCooldown"]
    assert list(plan(load(TARGETS), policies)[1]) == ["cpu"]


def test_other_shapes_of_the_same_policy():
    policies = load(POLICIES)
    config(policies, 0)["TargetValue"] = 60  # an integer where AWS gives a double
    config(policies, 1)["CustomizedMetricSpecification"] = {}
    assert not aws_shapes.problems(POLICIES[0], POLICIES[1], policies)
    assert plan(load(TARGETS), policies) == NO_WRITE


def changed_options(**changes):
    options = copy.deepcopy(AUTOSCALING)
    for key, value in changes.items():
        if key in ("min_capacity", "max_capacity", "policies"):
            options[key] = value
        else:
            options["policies"][0][key] = value
    return options


SINGLE_CHANGES = [
    ("min capacity", changed_options(min_capacity=1), (True, [], [])),
    ("max capacity", changed_options(max_capacity=8), (True, [], [])),
    ("target value", changed_options(target_value=70), (False, ["cpu"], [])),
    ("scale-in cooldown", changed_options(scale_in_cooldown=120), (False, ["cpu"], [])),
    ("scale-out cooldown", changed_options(scale_out_cooldown=30), (False, ["cpu"], [])),
    ("metric", changed_options(metric="memory"), (False, ["cpu"], [])),
    ("policy removed", changed_options(policies=AUTOSCALING["policies"][:2]), (False, [], ["requests"])),
    ("policy added", changed_options(policies=AUTOSCALING["policies"] + [
        dict(COOLDOWNS, name="cpu-fast", metric="cpu", target_value=40)]), (False, ["cpu-fast"], [])),
]


@pytest.mark.parametrize("what, options, expected", SINGLE_CHANGES, ids=[c[0] for c in SINGLE_CHANGES])
def test_a_single_changed_field_is_written(what, options, expected):
    register, put, delete = plan(load(TARGETS), load(POLICIES), options)
    assert (register, sorted(put), delete) == expected, what


def test_scale_in_disabled_out_of_band_is_put_back():
    policies = load(POLICIES)
    config(policies, 0)["DisableScaleIn"] = True
    assert sorted(plan(load(TARGETS), policies)[1]) == ["cpu"]


def test_a_resource_label_lost_out_of_band_is_put_back():
    policies = load(POLICIES)
    del config(policies, 2)["PredefinedMetricSpecification"]["ResourceLabel"]
    assert sorted(plan(load(TARGETS), policies)[1]) == ["requests"]


def test_a_customized_metric_in_place_of_the_predefined_one_is_put_back():
    policies = load(POLICIES)
    del config(policies, 1)["PredefinedMetricSpecification"]
    config(policies, 1)["CustomizedMetricSpecification"] = {
        "MetricName": "MemoryUtilization", "Namespace": "AWS/ECS", "Statistic": "Average",
        "Dimensions": [{"Name": "ServiceName", "Value": "bandup-prod-backend-a"}]}
    assert not aws_shapes.problems(POLICIES[0], POLICIES[1], policies)
    assert sorted(plan(load(TARGETS), policies)[1]) == ["memory"]
