# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Application Auto Scaling of one ECS service's desired count: scalable target + target tracking policies."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bandup.ecs.plugins.module_utils.propagation import SCALABLE_TARGET_RETRY

NAMESPACE = "ecs"
DIMENSION = "ecs:service:DesiredCount"
METRICS = {
    "cpu": "ECSServiceAverageCPUUtilization",
    "memory": "ECSServiceAverageMemoryUtilization",
    "requests": "ALBRequestCountPerTarget",
}
RETRY = AWSRetry.jittered_backoff()
HANDLE = AWSErrorHandler.common_error_handler
# What Application Auto Scaling applies to an ECS service's target tracking policy for a member left out (its API
# reference and the cooldown guide); an answer may leave these out at their default.
TARGET_TRACKING_DEFAULTS = {"DisableScaleIn": False, "ScaleInCooldown": 300, "ScaleOutCooldown": 300}
# The autoscaling options of one service, shared by M(bandup.ecs.ecs_service_scaling) and M(bandup.ecs.ecs_app_services).
SCALING_OPTIONS = dict(
    state=dict(type="str", choices=["present", "absent"], default="present"),
    min_capacity=dict(type="int"),
    max_capacity=dict(type="int"),
    policies=dict(type="list", elements="dict", default=[], options=dict(
        name=dict(type="str", required=True),
        metric=dict(type="str", choices=list(METRICS), required=True),
        target_value=dict(type="float", required=True),
        resource_label=dict(type="str"),
        scale_in_cooldown=dict(type="int", default=300),
        scale_out_cooldown=dict(type="int", default=60),
    ), required_if=[("metric", "requests", ("resource_label",))]),
)
# What the spec requires of SCALING_OPTIONS besides the options (the module's required_if, and the entry's).
SCALING_REQUIRED_IF = [("state", "present", ("min_capacity", "max_capacity"))]


class ScalingError(AnsibleAWSError):
    """Bad autoscaling options; the message names the option."""

    def __init__(self, msg):
        super().__init__(message=msg)


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


def wanted_policies(params):
    """Check the options of state=present (the range; the argument spec requires them); {policy name:
    configuration}. Raises ScalingError naming the option."""
    if not 0 <= params["min_capacity"] <= params["max_capacity"]:
        raise ScalingError(f"min_capacity: {params['min_capacity']} must be between 0 and max_capacity "
                           f"{params['max_capacity']}")
    wanted = {}
    for policy in params["policies"]:
        wanted[policy["name"]] = policy_config(policy)
    return wanted


@HANDLE("describe the scalable targets {rids}")
@RETRY
def scalable_targets(client, rids):
    """{resource id: scalable target} of the given resource ids: one DescribeScalableTargets (paginated)."""
    found = {}
    for page in client.get_paginator("describe_scalable_targets").paginate(
            ServiceNamespace=NAMESPACE, ResourceIds=list(rids), ScalableDimension=DIMENSION):
        found.update((t["ResourceId"], t) for t in page["ScalableTargets"])
    return found


def scalable_target(client, rid):
    return scalable_targets(client, [rid]).get(rid)


@HANDLE("describe the scaling policies of {rids}")
@RETRY
def policies_of(client, rids):
    """{resource id: {policy name: policy}} for ``rids``.

    DescribeScalingPolicies filters by one resource id at most: with one id it filters by it, with more it reads
    the namespace's policies of this dimension once (paginated) and keeps those of ``rids``.
    """
    out = {rid: {} for rid in rids}
    if not out:
        return out
    query = dict(ServiceNamespace=NAMESPACE, ScalableDimension=DIMENSION)
    if len(out) == 1:
        query["ResourceId"] = next(iter(out))
    for page in client.get_paginator("describe_scaling_policies").paginate(**query):
        for policy in page["ScalingPolicies"]:
            if policy["ResourceId"] in out:
                out[policy["ResourceId"]][policy["PolicyName"]] = policy
    return out


def policies(client, rid):
    return policies_of(client, [rid])[rid]


@HANDLE("register the scalable target {rid}")
@SCALABLE_TARGET_RETRY
def register_target(client, rid, min_capacity, max_capacity):
    client.register_scalable_target(ServiceNamespace=NAMESPACE, ResourceId=rid, ScalableDimension=DIMENSION,
                                    MinCapacity=min_capacity, MaxCapacity=max_capacity)


@HANDLE("deregister the scalable target {rid}")
@RETRY
def deregister_target(client, rid):
    client.deregister_scalable_target(ServiceNamespace=NAMESPACE, ResourceId=rid, ScalableDimension=DIMENSION)


@HANDLE("put the scaling policy {name} of {rid}")
@RETRY
def put_policy(client, rid, name, config):
    client.put_scaling_policy(PolicyName=name, ServiceNamespace=NAMESPACE, ResourceId=rid, ScalableDimension=DIMENSION,
                              PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration=config)


@HANDLE("delete the scaling policy {name} of {rid}")
@RETRY
def delete_policy(client, rid, name):
    client.delete_scaling_policy(PolicyName=name, ServiceNamespace=NAMESPACE, ResourceId=rid,
                                 ScalableDimension=DIMENSION)


def apply(client, rid, min_capacity, max_capacity, register, put, delete, changes, live=None):
    """Send what ``plan`` decided through ``changes`` (a ChangeSet); ``live`` are the live policies by name."""
    target = f"scalable target {rid}"
    if register:
        changes.write(target, "register", lambda: register_target(client, rid, min_capacity, max_capacity),
                      fields=["MaxCapacity", "MinCapacity"])
    for name in delete:
        changes.write(f"scaling policy {name} of {rid}", "delete", lambda name=name: delete_policy(client, rid, name))
    for name, config in put.items():
        changes.write(f"scaling policy {name} of {rid}", "update" if name in (live or {}) else "create",
                      lambda name=name, config=config: put_policy(client, rid, name, config),
                      fields=["TargetTrackingScalingPolicyConfiguration"])


def deregister(client, rid, changes):
    """Remove the service's scalable target (and with it its policies) through ``changes``."""
    changes.write(f"scalable target {rid}", "delete", lambda: deregister_target(client, rid))


def live_config(policy):
    """The target tracking configuration of a DescribeScalingPolicies entry, members left out at their default."""
    config = policy.get("TargetTrackingScalingPolicyConfiguration")
    return None if config is None else dict(TARGET_TRACKING_DEFAULTS, **config)


def plan(target, live_policies, min_capacity, max_capacity, wanted):
    """What to write: (register target?, {policy name: config to put}, [policy names to delete])."""
    register = target is None or (target["MinCapacity"], target["MaxCapacity"]) != (min_capacity, max_capacity)
    put = {name: config for name, config in wanted.items()
           if name not in live_policies or not config_matches(config, live_config(live_policies[name]))}
    delete = sorted(name for name in live_policies if name not in wanted)
    return register, put, delete
