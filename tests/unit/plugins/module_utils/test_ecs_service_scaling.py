"""bandup.ecs ecs_scaling: what to write for a service's scalable target and policies (real response shapes)."""
import datetime

import boto3
from botocore.stub import Stubber

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_scaling as scaling

RID = "service/bandup-prod/bandup-prod-backend-a"
CPU = {"name": "cpu", "metric": "cpu", "target_value": 60, "scale_in_cooldown": 300, "scale_out_cooldown": 60}


def live_policy(name, target_value):
    """A DescribeScalingPolicies entry as AWS returns it (ARN, alarms, creation time added)."""
    return {
        "PolicyARN": f"arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:1:resource/ecs/{RID}:policyName/{name}",
        "PolicyName": name, "ServiceNamespace": "ecs", "ResourceId": RID, "ScalableDimension": "ecs:service:DesiredCount",
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": target_value,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
            "ScaleOutCooldown": 60, "ScaleInCooldown": 300, "DisableScaleIn": False},
        "Alarms": [{"AlarmName": "TargetTracking-high", "AlarmARN": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x"}],
        "CreationTime": datetime.datetime(2026, 11, 27, tzinfo=datetime.timezone.utc),
    }


def target(low, high):
    return {"ServiceNamespace": "ecs", "ResourceId": RID, "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": low, "MaxCapacity": high, "RoleARN": "arn:aws:iam::123456789012:role/x",
            "CreationTime": datetime.datetime(2026, 11, 27, tzinfo=datetime.timezone.utc)}


def test_nothing_to_write_when_live_matches():
    wanted = {"cpu": scaling.policy_config(CPU)}
    assert scaling.plan(target(2, 4), {"cpu": live_policy("cpu", 60.0)}, 2, 4, wanted) == (False, {}, [])


def test_changed_target_value_capacity_and_stray_policy():
    wanted = {"cpu": scaling.policy_config(dict(CPU, target_value=70))}
    live = {"cpu": live_policy("cpu", 60.0), "old": live_policy("old", 50.0)}
    register, put, delete = scaling.plan(target(2, 4), live, 2, 6, wanted)
    assert register is True and list(put) == ["cpu"] and delete == ["old"]


def test_missing_target_registers():
    assert scaling.plan(None, {}, 2, 4, {})[0] is True


def test_requests_policy_carries_the_resource_label():
    config = scaling.policy_config({"name": "requests", "metric": "requests", "target_value": 100,
                                    "resource_label": "app/lb/1/targetgroup/tg/2", "scale_in_cooldown": 300,
                                    "scale_out_cooldown": 60})
    assert config["PredefinedMetricSpecification"] == {"PredefinedMetricType": "ALBRequestCountPerTarget",
                                                       "ResourceLabel": "app/lb/1/targetgroup/tg/2"}


def test_scalable_target_lookup():
    client = boto3.client("application-autoscaling", region_name="eu-west-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_response("describe_scalable_targets", {"ScalableTargets": []},
                          {"ServiceNamespace": "ecs", "ResourceIds": [RID], "ScalableDimension": "ecs:service:DesiredCount"})
        assert scaling.scalable_target(client, RID) is None
