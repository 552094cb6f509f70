"""ecs_app_services, the whole service role's converge, on recorded answers: DescribeServices of the server mid-rollout,
the client and the capacity-provider service, DescribeScalableTargets and DescribeScalingPolicies of the server's
autoscaling (tests/unit/fixtures/aws). With the options the role passes it makes its three reads and writes
nothing, on the answers as recorded and as other endpoints give them (optional members left out or empty)."""
import copy

import pytest

import aws_shapes
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.modules import ecs_app_services
from replay_services import AUTOSCALING, CASES, recorded, response

from conftest import run_module

CLUSTER = "bandup-prod"
DIM = "ecs:service:DesiredCount"
ORDER = ("server-mid-rollout", "capacity-provider", "client")  # the server first, as the role orders them
NAMES = [CASES[case]["name"] for case in ORDER]
RIDS = [f"service/{CLUSTER}/{name}" for name in NAMES]
TARGETS = "application-autoscaling/DescribeScalableTargets.ecs-service"
POLICIES = "application-autoscaling/DescribeScalingPolicies.target-tracking"


def args():
    services = [dict(copy.deepcopy(CASES[case]), autoscaling=AUTOSCALING if case == "server-mid-rollout" else
                     {"state": "absent"}) for case in ORDER]
    return {"cluster": CLUSTER, "services": services, "wait": False, "target_health": "after_change",
            "region": "eu-west-1"}


def answers():
    services = [recorded(response(case)["services"][0], CASES[case]) for case in ORDER]
    return {"describe_services": {"services": services, "failures": []},
            "describe_scalable_targets": aws_shapes.load(TARGETS),
            "describe_scaling_policies": aws_shapes.load(POLICIES)}


def expect_reads(aws, found):
    aws["ecs"].add_response("describe_services", found["describe_services"],
                            {"cluster": CLUSTER, "services": NAMES, "include": ["TAGS"]})
    scaling = aws["application-autoscaling"]
    scaling.add_response("describe_scalable_targets", found["describe_scalable_targets"],
                         {"ServiceNamespace": "ecs", "ResourceIds": RIDS, "ScalableDimension": DIM})
    scaling.add_response("describe_scaling_policies", found["describe_scaling_policies"],
                         {"ServiceNamespace": "ecs", "ScalableDimension": DIM, "ResourceId": RIDS[0]})


def assert_no_op(out):
    assert out.get("failed") is not True, out.get("msg")
    assert out["changed"] is False and out["changes"] == []
    assert {name: result["changed"] for name, result in out["services"].items()} == {n: False for n in NAMES}


def test_the_role_converge_on_the_recorded_answers_reads_three_times_and_writes_nothing(aws, capsys):
    expect_reads(aws, answers())
    out = run_module(ecs_app_services, args(), capsys)
    assert_no_op(out)
    # What the switch reads of them (module_utils/_ecs/switch.py): the server serves, the standby does not.
    live = answers()["describe_services"]["services"]
    assert svc.placement_state(live[0])["service_connect_server"] is True
    assert svc.placement_state(live[1])["service_connect_server"] is False


OPERATIONS = {"describe_services": ("ecs", "DescribeServices"),
              "describe_scalable_targets": ("application-autoscaling", "DescribeScalableTargets"),
              "describe_scaling_policies": ("application-autoscaling", "DescribeScalingPolicies")}
VARIANTS = [(operation, label) for operation in OPERATIONS for label in ("drop all empty", "add empty")]


@pytest.mark.parametrize("operation, label", VARIANTS, ids=[f"{op}: {label}" for op, label in VARIANTS])
def test_no_write_on_the_answers_as_other_endpoints_give_them(aws, capsys, operation, label):
    found = answers()
    found[operation] = dict(aws_shapes.variants(*OPERATIONS[operation], found[operation]))[label]
    expect_reads(aws, found)
    assert_no_op(run_module(ecs_app_services, args(), capsys))
