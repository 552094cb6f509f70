"""The recorded AWS answers under tests/unit/fixtures/aws are real shapes: each validates against botocore's
output shape of its operation, and so does every variant derived from it; the check itself refuses unknown
members, wrong types and values outside an enum."""
import copy

import pytest

import aws_shapes

NAMES = aws_shapes.fixture_names()


def test_every_operation_the_comparisons_read_has_a_fixture():
    operations = {name.split(".")[0] for name in NAMES}
    assert operations >= {
        "ecs/DescribeServices", "ecs/DescribeTaskDefinition", "ecs/DescribeClusters",
        "elbv2/DescribeLoadBalancers", "elbv2/DescribeTargetGroups", "elbv2/DescribeListeners", "elbv2/DescribeRules",
        "application-autoscaling/DescribeScalableTargets", "application-autoscaling/DescribeScalingPolicies"}


@pytest.mark.parametrize("name", NAMES)
def test_fixture_validates_against_the_botocore_output_shape(name):
    service, operation = name.split("/")[0], name.split("/")[1].split(".")[0]
    response = aws_shapes.load(name)
    assert aws_shapes.problems(service, operation, response) == []
    assert aws_shapes.variants(service, operation, response)  # each one checked as it is made


def test_the_check_refuses_unknown_members_wrong_types_and_enums():
    good = aws_shapes.load("ecs/DescribeServices.client")
    for path, value, expected in (
            (("services", 0, "serviceConnectConfiguration"), {"enabled": True}, "Unknown parameter"),
            (("services", 0, "desiredCount"), "2", "Invalid type"),
            (("services", 0, "deployments", 0, "rolloutState"), "DONE", "is not one of"),
            (("services", 0, "deployments", 0, "serviceConnectConfiguration", "services"),
             [{"discoveryName": "x"}], "Missing required parameter")):
        bad = copy.deepcopy(good)
        node = bad
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
        found = aws_shapes.problems("ecs", "DescribeServices", bad)
        assert any(expected in line for line in found), (path, found)
