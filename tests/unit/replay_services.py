"""The recorded ECS services (tests/unit/fixtures/aws/ecs/DescribeServices.<case>.json) and the options the service
role passes for each of them (plugin_utils/service_entries.py, the service_apps filter), shared by the replay tests of
ecs_service (module_utils) and ecs_app_services (module)."""
import copy

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

import aws_shapes
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_service as svc

ARN = "arn:aws:ecs:eu-west-1:123456789012"
NS_ARN = "arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-4mzkqb7tlomyg3bq"
NS_NAME = "bandup-prod"
TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup"
TAGS = {"bandup:deployment": "bandup-prod", "bandup:managed-by": "bandup.ecs"}
SERVER = {"enabled": True, "namespace": NS_ARN, "services": [
    {"port_name": "backend", "discovery_name": "backend", "client_aliases": [{"port": 8080, "dns_name": "backend"}]}]}


# The autoscaling entry the service role passes for the active backend (server-mid-rollout), recorded in
# application-autoscaling/DescribeScalableTargets.ecs-service and DescribeScalingPolicies.target-tracking.
LABEL = "app/bandup-prod/50dc6c495c0c9188/targetgroup/bandup-prod-backend-a/6d0ecf831eec9f09"
COOLDOWNS = {"scale_in_cooldown": 300, "scale_out_cooldown": 60}
AUTOSCALING = {"state": "present", "min_capacity": 2, "max_capacity": 6, "policies": [
    dict(COOLDOWNS, name="cpu", metric="cpu", target_value=60),
    dict(COOLDOWNS, name="memory", metric="memory", target_value=75),
    dict(COOLDOWNS, name="requests", metric="requests", target_value=500, resource_label=LABEL)]}


def options(**given):
    """The options of one service with the module's defaults filled in (as AnsibleModule hands them over)."""
    result = ArgumentSpecValidator(svc.SERVICE_OPTIONS).validate(given)
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


def placement(app, az, standing, sc_role, revision, security_group, target_group, port, **given):
    """The options the service role passes for one placement (plugin_utils/service_entries.py)."""
    subnet = {"a": "subnet-0a1f2b3c4d5e6f701", "b": "subnet-0b2e3d4c5b6a7f802"}[az]
    name = f"bandup-prod-{app}-{az}"
    return options(
        name=name, task_definition=f"{ARN}:task-definition/bandup-prod-{app}:{revision}",
        availability_zone=f"eu-west-1{az}",
        network={"subnets": [subnet], "security_groups": [security_group]},
        load_balancers=[{"target_group_arn": f"{TG}/{name}/{target_group}", "container_name": app,
                         "container_port": port}],
        availability_zone_rebalancing="DISABLED", propagate_tags="SERVICE", enable_ecs_managed_tags=True,
        tags=dict(TAGS, **{"bandup:service": app, "bandup:az": f"eu-west-1{az}", "bandup:standing": standing,
                           "bandup:sc-role": sc_role}), **given)


CASES = {
    "server-mid-rollout": placement(
        "backend", "a", "active", "server", 8, "sg-0c1d2e3f4a5b6c7d8", "6d0ecf831eec9f09", 8080, desired_count=2,
        capacity_provider_strategy=[{"capacity_provider": "FARGATE"}], service_connect=SERVER,
        health_check_grace_period=60, platform_version="LATEST"),
    "client": placement(
        "frontend", "a", "active", "client", 12, "sg-0f9e8d7c6b5a49382", "2a8f1c7be40d9e53", 3000, desired_count=2,
        capacity_provider_strategy=[{"capacity_provider": "FARGATE"}], service_connect={"namespace": NS_ARN},
        health_check_grace_period=60, platform_version="LATEST", deployment_token="backend=bandup-prod-backend-a"),
    "capacity-provider": placement(
        "backend", "b", "standby", "client", 8, "sg-0c1d2e3f4a5b6c7d8", "91c3e5a7d2f08b46", 8080, desired_count=1,
        capacity_provider_strategy=[{"capacity_provider": "FARGATE_SPOT"}], service_connect={"namespace": NS_ARN},
        deployment={"minimum_healthy_percent": 50, "maximum_percent": 150, "circuit_breaker": False,
                    "rollback": False},
        health_check_grace_period=120, platform_version="1.4.0", deployment_token="backend=bandup-prod-backend-a"),
}


def record(params):
    """The bandup:last-applied record this code writes when it applies ``params``."""
    return svc.last_applied(svc.build_spec(params, params["task_definition"]), params["deployment_token"])


def recorded(service, params):
    """``service`` carrying the record of ``params`` (the recorded tag is for the fixture's own options)."""
    service = copy.deepcopy(service)
    for tag in service["tags"]:
        if tag["key"] == svc.LAST_APPLIED_TAG:
            tag["value"] = record(params)
    return service


def response(case):
    """The DescribeServices answer recorded for ``case``."""
    return aws_shapes.load(f"ecs/DescribeServices.{case}")
