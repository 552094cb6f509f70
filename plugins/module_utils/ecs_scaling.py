# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Application Auto Scaling of one ECS service's desired count: scalable target + target tracking policies."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

NAMESPACE = "ecs"
DIMENSION = "ecs:service:DesiredCount"
METRICS = {
    "cpu": "ECSServiceAverageCPUUtilization",
    "memory": "ECSServiceAverageMemoryUtilization",
    "requests": "ALBRequestCountPerTarget",
}
RETRY = AWSRetry.jittered_backoff()


def resource_id(cluster, service):
    return f"service/{cluster}/{service}"


def policy_config(policy):
    """Module policy option -> TargetTrackingScalingPolicyConfiguration."""
    metric = {"PredefinedMetricType": METRICS[policy["metric"]]}
    if policy.get("resource_label"):
        metric["ResourceLabel"] = policy["resource_label"]
    return {"TargetValue": float(policy["target_value"]), "PredefinedMetricSpecification": metric,
            "ScaleInCooldown": policy["scale_in_cooldown"], "ScaleOutCooldown": policy["scale_out_cooldown"],
            "DisableScaleIn": False}


def config_matches(desired, live):
    """Every key of ``desired`` equal in ``live`` (AWS may add keys of its own)."""
    if isinstance(desired, dict):
        return isinstance(live, dict) and all(config_matches(v, live.get(k)) for k, v in desired.items())
    if isinstance(desired, float) and isinstance(live, (int, float)):
        return float(live) == desired
    return desired == live


@RETRY
def scalable_target(client, rid):
    found = client.describe_scalable_targets(ServiceNamespace=NAMESPACE, ResourceIds=[rid],
                                             ScalableDimension=DIMENSION)["ScalableTargets"]
    return found[0] if found else None


@RETRY
def policies(client, rid):
    found = client.describe_scaling_policies(ServiceNamespace=NAMESPACE, ResourceId=rid,
                                             ScalableDimension=DIMENSION)["ScalingPolicies"]
    return {p["PolicyName"]: p for p in found}


@RETRY
def register_target(client, rid, min_capacity, max_capacity):
    client.register_scalable_target(ServiceNamespace=NAMESPACE, ResourceId=rid, ScalableDimension=DIMENSION,
                                    MinCapacity=min_capacity, MaxCapacity=max_capacity)


@RETRY
def deregister_target(client, rid):
    client.deregister_scalable_target(ServiceNamespace=NAMESPACE, ResourceId=rid, ScalableDimension=DIMENSION)


@RETRY
def put_policy(client, rid, name, config):
    client.put_scaling_policy(PolicyName=name, ServiceNamespace=NAMESPACE, ResourceId=rid, ScalableDimension=DIMENSION,
                              PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration=config)


@RETRY
def delete_policy(client, rid, name):
    client.delete_scaling_policy(PolicyName=name, ServiceNamespace=NAMESPACE, ResourceId=rid,
                                 ScalableDimension=DIMENSION)


def plan(target, live_policies, min_capacity, max_capacity, wanted):
    """What to write: (register target?, {policy name: config to put}, [policy names to delete])."""
    register = target is None or (target["MinCapacity"], target["MaxCapacity"]) != (min_capacity, max_capacity)
    put = {name: config for name, config in wanted.items()
           if name not in live_policies
           or not config_matches(config, live_policies[name].get("TargetTrackingScalingPolicyConfiguration"))}
    delete = sorted(name for name in live_policies if name not in wanted)
    return register, put, delete
