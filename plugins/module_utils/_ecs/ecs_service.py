# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One ECS service, managed completely: desired spec, live spec, what differs, and a wait that tracks a deployment.

Comparing desired with live state
  ``DescribeServices`` does not report every field it accepts: Service Connect appears only under
  ``deployments[].serviceConnectConfiguration`` (of the PRIMARY deployment), and an endpoint may omit
  fields it does not model. So a field is compared with its live value when the response reports it
  (real drift is detected), and otherwise with the last-applied record: the tag ``bandup:last-applied``
  holds a short hash of the normalized spec this code applied last (like kubectl's annotation).
  Only what the user set is compared (``_matches`` is a subset test), so AWS defaults added to a
  response never count as a difference. Service Connect is the exception where absence has a meaning: a client
  config has no ``services``, so a missing ``services`` (or ``clientAliases``) compares as empty, and a server
  turning into a client (or back) is a difference.

Pure functions on dicts plus small API wrappers, and the steps of converging one service (``plan_present``,
``apply_plan``, ``settle``; ``remove`` for state=absent) that module_utils/_ecs/service_batch.py ``Batch`` runs for both
M(bandup.ecs.ecs_service) (one service) and M(bandup.ecs.ecs_app_services) (many services, batched reads); failures
are raised as AnsibleAWSError (``ServiceError``, ``WaitError``) and ``run()`` (module_utils/aws.py) turns them into
the module's failure.
"""

from __future__ import annotations

import time
import uuid

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError, is_ansible_aws_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import rollout
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import taskdef
from ansible_collections.bandup.ecs.plugins.module_utils.propagation import ECS_SERVICE_RETRY
from ansible_collections.bandup.ecs.plugins.module_utils.tags import write_tags
from ansible_collections.bandup.ecs.plugins.module_utils.records import LAST_APPLIED_TAG, last_applied, record_parts
from ansible_collections.bandup.ecs.plugins.module_utils.topology import STANDING_TAG

# STANDING_TAG (topology.py) records the placement's standing (active or standby). LEGACY_STANDING_TAG is the
# standing tag of releases before the rename: read when STANDING_TAG is absent, removed when the new tag is written. SC_ROLE_TAG
# (server or client) was written by releases before cells: still read as a fallback, removed likewise.
LEGACY_STANDING_TAG = "bandup:role"
SC_ROLE_TAG = "bandup:sc-role"
# UpdateService fields this module manages; desiredCount is handled apart (autoscaling may own it).
SPEC_FIELDS = (
    "taskDefinition", "capacityProviderStrategy", "networkConfiguration", "loadBalancers",
    "serviceConnectConfiguration", "deploymentConfiguration", "healthCheckGracePeriodSeconds",
    "availabilityZoneRebalancing", "propagateTags", "enableECSManagedTags", "platformVersion",
)
NOT_READY_TARGET_STATES = ("initial", "unhealthy", "draining", "unused", "unavailable")
# Polls right after a write that may still show the service as it was (wait_for_deployment).
LAGGING_POLLS = 5
RETRY = AWSRetry.jittered_backoff()
HANDLE = AWSErrorHandler.common_error_handler


# The options of one service, shared by M(bandup.ecs.ecs_service) and each entry of M(bandup.ecs.ecs_app_services).
SERVICE_OPTIONS = dict(
    name=dict(type="str", required=True),
    task_definition=dict(type="str"),
    desired_count=dict(type="int"),
    force_desired_count=dict(type="bool", default=False),
    availability_zone=dict(type="str"),
    network=dict(type="dict", options=dict(
        subnets=dict(type="list", elements="str", required=True),
        security_groups=dict(type="list", elements="str", required=True),
        assign_public_ip=dict(type="bool", default=False),
    )),
    capacity_provider_strategy=dict(
        type="list", elements="dict", default=[{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
        options=dict(capacity_provider=dict(type="str", required=True), weight=dict(type="int", default=1),
                     base=dict(type="int", default=0))),
    load_balancers=dict(type="list", elements="dict", default=[], options=dict(
        target_group_arn=dict(type="str", required=True),
        container_name=dict(type="str", required=True),
        container_port=dict(type="int", required=True),
    )),
    service_connect=dict(type="dict", options=dict(
        enabled=dict(type="bool", default=True),
        namespace=dict(type="str"),
        services=dict(type="list", elements="dict", options=dict(
            port_name=dict(type="str", required=True),
            discovery_name=dict(type="str"),
            client_aliases=dict(type="list", elements="dict", options=dict(
                port=dict(type="int", required=True),
                dns_name=dict(type="str"),
            )),
        )),
    )),
    deployment=dict(type="dict", default={}, options=dict(
        minimum_healthy_percent=dict(type="int", default=100),
        maximum_percent=dict(type="int", default=200),
        circuit_breaker=dict(type="bool", default=True),
        rollback=dict(type="bool", default=True),
        alarms=dict(type="list", elements="str"),
    )),
    health_check_grace_period=dict(type="int"),
    availability_zone_rebalancing=dict(type="str", choices=["ENABLED", "DISABLED"]),
    propagate_tags=dict(type="str", choices=["SERVICE", "TASK_DEFINITION", "NONE"]),
    enable_ecs_managed_tags=dict(type="bool"),
    platform_version=dict(type="str"),
    deployment_token=dict(type="str", no_log=False),
    force_new_deployment=dict(type="bool", default=False),
    tags=dict(type="dict", default={}),
    purge_tags=dict(type="bool", default=False),
)


class ServiceError(AnsibleAWSError):
    """Bad input or a change that must not be made; ``result`` (the error's kwargs) goes into the failure."""

    def __init__(self, msg, **result):
        super().__init__(message=msg, **result)
        self.result = self.kwargs


class WaitError(AnsibleAWSError):
    """The tracked deployment failed or did not finish in time (``timed_out``); ``details`` and ``timed_out`` go into
    the failure result through ``run()``. ``Batch.converge`` (service_batch) adds why the deployment's tasks stopped,
    once, before it gets there."""

    def __init__(self, msg, timed_out, details, name=None):
        super().__init__(message=msg, timed_out=timed_out, **details)
        self.timed_out = timed_out
        self.details = details
        self.name = name  # the service whose deployment failed (wait_for_deployments follows several)


# ---------------------------------------------------------------- desired spec (from module options)

def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def service_connect_spec(sc):
    """Module option (snake_case) -> API serviceConnectConfiguration; None when not managed."""
    if sc is None:
        return None
    if not sc.get("enabled", True):
        return {"enabled": False}
    services = []
    for entry in sc.get("services") or []:
        aliases = [_drop_none({"port": a["port"], "dnsName": a.get("dns_name")}) for a in entry.get("client_aliases") or []]
        services.append(_drop_none({
            "portName": entry["port_name"],
            "discoveryName": entry.get("discovery_name"),
            "clientAliases": aliases or None,
        }))
    return _drop_none({"enabled": True, "namespace": sc.get("namespace"), "services": services or None})


def build_spec(params, task_definition_arn):
    """Module options -> the normalized UpdateService-shaped spec (only what the user manages)."""
    network = params["network"]
    deployment = params["deployment"]
    spec = {
        "taskDefinition": task_definition_arn,
        "capacityProviderStrategy": sorted(
            ({"capacityProvider": c["capacity_provider"], "weight": c["weight"], "base": c["base"]}
             for c in params["capacity_provider_strategy"]), key=lambda c: c["capacityProvider"]),
        "networkConfiguration": {"awsvpcConfiguration": {
            "subnets": sorted(network["subnets"]),
            "securityGroups": sorted(network["security_groups"]),
            "assignPublicIp": "ENABLED" if network["assign_public_ip"] else "DISABLED",
        }},
        "loadBalancers": sorted(
            ({"targetGroupArn": lb["target_group_arn"], "containerName": lb["container_name"],
              "containerPort": lb["container_port"]} for lb in params["load_balancers"]),
            key=lambda lb: lb["targetGroupArn"]),
        "serviceConnectConfiguration": service_connect_spec(params["service_connect"]),
        "deploymentConfiguration": {
            "maximumPercent": deployment["maximum_percent"],
            "minimumHealthyPercent": deployment["minimum_healthy_percent"],
            "deploymentCircuitBreaker": {"enable": deployment["circuit_breaker"], "rollback": deployment["rollback"]},
        },
        "healthCheckGracePeriodSeconds": params["health_check_grace_period"],
        "availabilityZoneRebalancing": params["availability_zone_rebalancing"],
        "propagateTags": params["propagate_tags"],
        "enableECSManagedTags": params["enable_ecs_managed_tags"],
        "platformVersion": params["platform_version"],
    }
    if deployment.get("alarms") is not None:
        spec["deploymentConfiguration"]["alarms"] = alarms_spec(deployment["alarms"])
    return {k: v for k, v in spec.items() if v is not None}


def alarms_spec(names):
    """``deploymentConfiguration.alarms`` of a list of alarm names: enabled with rollback, or all off for none."""
    names = sorted(set(names or []))
    return {"alarmNames": names, "enable": bool(names), "rollback": bool(names)}


def endpoints(sc):
    """Discovery names and 'dnsName:port' endpoints that a serviceConnectConfiguration owns."""
    names, aliases = [], []
    if not sc or not sc.get("enabled"):
        return names, aliases
    for entry in sc.get("services") or []:
        names.append(entry.get("discoveryName") or entry["portName"])
        for alias in entry.get("clientAliases") or []:
            aliases.append(f"{alias.get('dnsName') or entry.get('discoveryName') or entry['portName']}:{alias['port']}")
    return names, aliases


def check_service_connect(sc):
    """Return an error message if the entries themselves repeat a discovery name or an endpoint."""
    names, aliases = endpoints(sc)
    for what, values in (("discovery_name", names), ("client_aliases endpoint", aliases)):
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            return f"service_connect.services: {what} {', '.join(dupes)} repeated; they are unique in a namespace"
    return None


# ---------------------------------------------------------------- live spec (from DescribeServices)

def tag_dict(service):
    """The tags of a DescribeServices entry as a dict (ECS tag keys are lower case)."""
    return boto3_tag_list_to_ansible_dict((service or {}).get("tags"), "key", "value")


def tag_list(tags):
    """ECS's tag list of a dict, keys sorted."""
    return ansible_dict_to_boto3_tag_list(dict(sorted(tags.items())), "key", "value")


def live_standing(tags):
    """The standing (active or standby) a service's tags record: ``bandup:standing``, else the ``bandup:role`` tag that
    releases before the rename wrote (a deployment not converged since), else None."""
    return tags.get(STANDING_TAG, tags.get(LEGACY_STANDING_TAG))


def placement_state(service):
    """What the service role needs to know of a placement (None: missing or INACTIVE): standing, Service Connect role, counts,
    and ``steady``: its PRIMARY deployment is COMPLETED, alone, and runs its desired count.

    ``service_connect_server`` comes from the PRIMARY deployment when the response reports Service Connect,
    else from the ``bandup:sc-role`` tag that the service role records with each change.
    """
    if not service or service.get("status") == "INACTIVE":
        return {"exists": False, "desired_count": 0, "running_count": 0, "standing": None,
                "service_connect_server": False, "tags": {}, "task_definition": None, "steady": False}
    tags = tag_dict(service)
    sc = (primary_deployment(service) or {}).get("serviceConnectConfiguration")
    server = bool(endpoints(sc)[0]) if sc is not None else tags.get(SC_ROLE_TAG) == "server"
    primary = primary_deployment(service)
    steady = bool(primary) and deployment_state(service, primary.get("id"))[0] == "done"
    return {"exists": True, "desired_count": service["desiredCount"], "running_count": service.get("runningCount", 0),
            "standing": live_standing(tags), "service_connect_server": server, "tags": tags,
            "task_definition": service.get("taskDefinition"), "steady": steady}


def result_of(service):
    """A DescribeServices entry as modules return it: snake_case, tags as a dict; {} for none."""
    if not service:
        return {}
    out = camel_dict_to_snake_dict(dict(service, tags=[]))
    out["tags"] = tag_dict(service)
    return out


def primary_deployment(service):
    return next((d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"), None)


def live_spec(service):
    """The spec fields that this DescribeServices response reports, normalized like ``build_spec``."""
    live = {}
    for key in SPEC_FIELDS:
        if key in service and service[key] is not None:
            live[key] = service[key]
    if "capacityProviderStrategy" in live:
        live["capacityProviderStrategy"] = sorted(
            ({"capacityProvider": c["capacityProvider"], "weight": c.get("weight", 0), "base": c.get("base", 0)}
             for c in live["capacityProviderStrategy"]), key=lambda c: c["capacityProvider"])
    vpc = (live.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if vpc:
        live["networkConfiguration"] = {"awsvpcConfiguration": dict(
            vpc, subnets=sorted(vpc.get("subnets", [])), securityGroups=sorted(vpc.get("securityGroups", [])),
            assignPublicIp=vpc.get("assignPublicIp", "DISABLED"))}
    if "loadBalancers" in live:
        live["loadBalancers"] = sorted(live["loadBalancers"], key=lambda lb: lb.get("targetGroupArn", ""))
    # Service Connect is reported per deployment only: the PRIMARY one is what the service is converging to.
    primary = primary_deployment(service) or {}
    if primary.get("serviceConnectConfiguration") is not None:
        live["serviceConnectConfiguration"] = primary["serviceConnectConfiguration"]
    return live


def _is_arn(value):
    return isinstance(value, str) and value.startswith("arn:")


def _service_connect_comparable(sc):
    """A serviceConnectConfiguration with the members whose absence means "none" made explicit.

    A client's config has no ``services`` and an entry may have no ``clientAliases``: absent there means "no
    services" / "no aliases", not "not managed", or a server turning into a client would compare as equal.
    ``discoveryName`` defaults to the ``portName`` on AWS.
    """
    if not isinstance(sc, dict):
        return sc
    services = [dict(entry, discoveryName=entry.get("discoveryName") or entry.get("portName"),
                     clientAliases=entry.get("clientAliases") or [])
                for entry in sc.get("services") or []]
    return dict(sc, services=services)


def _matches(desired, live, key=None):
    """True if every value set in ``desired`` has the same value in ``live`` (extra live keys are defaults)."""
    if key == "serviceConnectConfiguration":
        desired, live = _service_connect_comparable(desired), _service_connect_comparable(live)
    if key == "alarms":
        # DescribeServices may leave the member out when no alarm was ever set: that is "none".
        # Disabled alarms compare equal whatever names they keep.
        live = live or {}
        live = ({"alarmNames": sorted(live.get("alarmNames") or []), "enable": True, "rollback": bool(live.get("rollback"))}
                if live.get("enable") else alarms_spec([]))
    if key == "namespace" and _is_arn(live) != _is_arn(desired):
        # AWS answers with the namespace ARN when given a name; a name and an ARN cannot be compared offline.
        return True
    if key == "taskDefinition" and _is_arn(live) != _is_arn(desired):
        # An ARN and 'family:revision' name the same revision when the ARN ends with it.
        return str(live).rsplit("/", 1)[-1] == str(desired).rsplit("/", 1)[-1]
    if isinstance(desired, dict):
        return isinstance(live, dict) and all(_matches(v, live.get(k), k) for k, v in desired.items())
    if isinstance(desired, list):
        if not isinstance(live, list) or len(desired) != len(live):
            return False
        if key == "services":
            live = sorted(live, key=lambda s: s.get("portName", ""))
            desired = sorted(desired, key=lambda s: s["portName"])
        return all(_matches(d, lv) for d, lv in zip(desired, live))
    return desired == live


def compare(desired, live, record):
    """Fields to send in UpdateService.

    A reported field is sent when its live value differs. Fields the response does not report are sent
    when the recorded spec hash differs from the desired spec's (then we cannot tell which one changed).
    """
    fields = [k for k in desired if k in live and not _matches(desired[k], live[k], k)]
    if record_parts(record)[0] != record_parts(last_applied(desired))[0]:
        fields += [k for k in desired if k not in live]
    return sorted(set(fields), key=SPEC_FIELDS.index)


# ---------------------------------------------------------------- API calls (read)

@HANDLE("describe services {names} of cluster {cluster}")
@RETRY
def describe_services(ecs, cluster, names):
    """DescribeServices (tags included) for up to 10 names; [] when the cluster does not exist."""
    try:
        return ecs.describe_services(cluster=cluster, services=names, include=["TAGS"])["services"]
    except is_boto3_error_code("ClusterNotFoundException"):
        return []


def describe_service(ecs, cluster, name):
    """The service (tags included) or None when it does not exist or is INACTIVE."""
    return next((s for s in describe_services(ecs, cluster, [name]) if s.get("status") != "INACTIVE"), None)


def describe_many(ecs, cluster, names):
    """{name: service} of the ACTIVE or DRAINING services among ``names``: one DescribeServices per 10 names."""
    found = {}
    for start in range(0, len(names), 10):
        for service in describe_services(ecs, cluster, names[start:start + 10]):
            if service.get("status") != "INACTIVE":
                found[service["serviceName"]] = service
    return found


@HANDLE("describe subnets {subnet_ids}")
@RETRY
def subnet_azs(ec2, subnet_ids):
    """{subnet id: availability zone} for the given subnets."""
    subnets = ec2.describe_subnets(SubnetIds=subnet_ids)["Subnets"]
    return {s["SubnetId"]: s["AvailabilityZone"] for s in subnets}


def resolve_task_definition(ecs, task_definition):
    return taskdef.describe(ecs, task_definition)["taskDefinition"]["taskDefinitionArn"]


@HANDLE("list the services of cluster {cluster}")
@RETRY
def _list_services(ecs, cluster):
    arns = []
    for page in ecs.get_paginator("list_services").paginate(cluster=cluster):
        arns += page["serviceArns"]
    return arns


def same_namespace(wanted, live):
    """Whether a deployment's namespace (``live``, an ARN) is ``wanted`` (an ARN, or a name: then it may be)."""
    return not (_is_arn(wanted) and _is_arn(live)) or wanted == live


def endpoint_claims(service, namespace=None):
    """{discovery name or 'dns:port': 'primary' or 'draining'} of the Service Connect endpoints ``service`` holds
    (in ``namespace`` when given: names are unique per namespace, so each cell has its own).

    The PRIMARY deployment's config holds its endpoints; an older deployment still running tasks holds its own
    until those tasks are gone (a server turning client keeps serving while it drains), so nobody else may claim
    them meanwhile.
    """
    claims = {}
    for deployment in service.get("deployments", []):
        primary = deployment.get("status") == "PRIMARY"
        if not primary and not deployment.get("runningCount"):
            continue
        config = deployment.get("serviceConnectConfiguration")
        if namespace is not None and config and not same_namespace(namespace, config.get("namespace")):
            continue
        names, aliases = endpoints(config)
        for key in names + aliases:
            if primary or key not in claims:
                claims[key] = "primary" if primary else "draining"
    return claims


def endpoint_owners(ecs, cluster, name, namespace=None):
    """{discovery name or 'dns:port': (owning service, 'primary' or 'draining')} of every other service of the cluster
    (in ``namespace`` when given)."""
    owners = {}
    arns = [a for a in _list_services(ecs, cluster) if a.rsplit("/", 1)[-1] != name]
    for start in range(0, len(arns), 10):
        for service in describe_services(ecs, cluster, arns[start:start + 10]):
            if service.get("status") == "INACTIVE":
                continue
            for key, how in endpoint_claims(service, namespace).items():
                owners[key] = (service["serviceName"], how)
    return owners


@HANDLE("describe the target health of {target_group_arn}")
@RETRY
def target_health(elbv2, target_group_arn):
    return elbv2.describe_target_health(TargetGroupArn=target_group_arn)["TargetHealthDescriptions"]


# ---------------------------------------------------------------- API calls (write)

@HANDLE("create service {request[serviceName]}")
@ECS_SERVICE_RETRY
def create_service(ecs, request):
    """CreateService; ``request`` carries a ``clientToken`` (one per module run), so that a resend of it (after a
    lost answer or a propagation error, module_utils/propagation.py) is answered with the same service."""
    return ecs.create_service(**request)["service"]


@HANDLE("update service {request[service]}")
@ECS_SERVICE_RETRY
def update_service(ecs, request):
    return ecs.update_service(**request)["service"]


@HANDLE("delete service {name}")
@RETRY
def delete_service(ecs, cluster, name):
    return ecs.delete_service(cluster=cluster, service=name)["service"]


@HANDLE("tag service {arn}")
@RETRY
def tag_service(ecs, arn, tags):
    ecs.tag_resource(resourceArn=arn, tags=tag_list(tags))


@HANDLE("untag service {arn}")
@RETRY
def untag_service(ecs, arn, keys):
    ecs.untag_resource(resourceArn=arn, tagKeys=keys)


# ---------------------------------------------------------------- waiting

def _events(service, count=5):
    return [f"{e.get('createdAt')} {e.get('message')}" for e in service.get("events", [])[:count]]


def _not_ready_targets(elbv2, service):
    bad = []
    for lb in service.get("loadBalancers", []):
        for target in target_health(elbv2, lb["targetGroupArn"]):
            state = target.get("TargetHealth", {}).get("State")
            if state in NOT_READY_TARGET_STATES:
                bad.append(f"{target['Target']['Id']}:{target['Target'].get('Port')} {state} "
                           f"({target['TargetHealth'].get('Reason', '')}) in {lb['targetGroupArn']}")
    return bad


def deployment_state(service, deployment_id):
    """'done', 'failed' (with a reason) or 'waiting' for deployment ``deployment_id`` of ``service``."""
    primary = primary_deployment(service)
    ours = next((d for d in service.get("deployments", []) if d.get("id") == deployment_id), None)
    if ours is None or primary is None or primary.get("id") != deployment_id:
        now = primary.get("id") if primary else "none"
        if ours is not None and ours.get("rolloutState") == "FAILED":
            # Still shown while it drains: the breaker's own words, and where the service went back to.
            return "failed", (f"deployment {deployment_id} is no longer the PRIMARY deployment (now {now}): it FAILED "
                              f"({ours.get('rolloutStateReason', '')}) and ECS rolled back "
                              f"({(primary or {}).get('rolloutStateReason', '')})")
        return "failed", (f"deployment {deployment_id} is no longer the PRIMARY deployment (now {now}): "
                          "the deployment circuit breaker rolled it back or another deployment replaced it")
    if ours.get("rolloutState") == "FAILED":
        return "failed", f"deployment {deployment_id} FAILED: {ours.get('rolloutStateReason', '')}"
    others = [d for d in service["deployments"] if d.get("id") != deployment_id and d.get("runningCount", 0) > 0]
    steady = (ours.get("rolloutState") == "COMPLETED" and not others
              and ours.get("runningCount", 0) >= ours.get("desiredCount", 0)
              and service.get("runningCount", 0) >= service.get("desiredCount", 0))
    return ("done" if steady else "waiting"), ours.get("rolloutStateReason", "")


def progress_line(service):
    """One line of a service's progress while a wait polls it: running/desired, the PRIMARY rollout state, the
    latest ECS event."""
    primary = primary_deployment(service) or {}
    events = service.get("events") or []
    latest = events[0].get("message", "") if events else "none"
    return (f"{service.get('serviceName')}: running {service.get('runningCount', 0)}/{service.get('desiredCount', 0)}, "
            f"rollout {primary.get('rolloutState', 'unknown')}, latest event: {latest}")


def wait_for_deployment(ecs, elbv2, cluster, name, deployment_id, deadline, delay,
                        sleep=time.sleep, clock=time.monotonic, service=None, progress=None):
    """Poll until ``deployment_id`` is the completed PRIMARY deployment and its targets are healthy (one service of
    ``wait_for_deployments``; ``service`` is a fresh DescribeServices answer to start from). Returns the service."""
    return wait_for_deployments(ecs, elbv2, cluster, [(name, deployment_id, service)], deadline, delay, sleep=sleep,
                                clock=clock, progress=progress)[name]


def wait_for_deployments(ecs, elbv2, cluster, tracked, deadline, delay, sleep=time.sleep, clock=time.monotonic,
                         progress=None):
    """Poll several services together until each tracked deployment is the completed PRIMARY deployment and its
    targets are healthy; ``tracked`` is [(name, deployment_id, a fresh DescribeServices answer or None)]. Returns
    {name: service}.

    One poll is one DescribeServices for every service not done yet (per 10 names), so services rolled at the same
    time (an app's two cells) are waited for together: the wait lasts as long as the slowest, not the sum.

    ECS marks a rollout COMPLETED only after the ELB health checks pass, but a change of desired count
    alone starts no deployment, so the target groups are read as well: no target of the service's
    target groups may be initial, unhealthy, draining or unused. A deployment that fails (rolled back, failed) or
    is not done when ``deadline`` (a ``clock()`` value) passes is a failure; the other services are still followed
    until each is done or failed (each has its own circuit breaker and alarms), then the first failure is raised as
    WaitError (its ``name`` the service; the others' failures are named in its message).

    The ECS API is eventually consistent: right after CreateService/UpdateService a poll may show no service, or
    the deployments from before the write. Until the tracked deployment has been seen, such an answer is "not
    yet", for at most ``LAGGING_POLLS`` polls; after that, or once it was seen, it is what happened.
    """
    pending = {name: dict(deployment_id=deployment_id, service=service, seen=service is not None, lagging=0,
                          not_ready=[])
               for name, deployment_id, service in tracked}
    done, failed = {}, []

    def fail(name, error):
        failed.append(error)
        del pending[name]

    while True:
        unread = [name for name, follow in pending.items() if follow["service"] is None]
        if unread:
            found = describe_many(ecs, cluster, unread)
            for name in unread:
                pending[name]["service"] = found.get(name)
        for name, follow in list(pending.items()):
            service, deployment_id = follow["service"], follow["deployment_id"]
            listed = service is not None and any(d.get("id") == deployment_id for d in service.get("deployments", []))
            follow["seen"] = follow["seen"] or listed
            if not follow["seen"] and follow["lagging"] < LAGGING_POLLS and clock() + delay <= deadline:
                follow["lagging"] += 1
                continue
            if service is None:
                fail(name, WaitError(f"service {name} disappeared while waiting for deployment {deployment_id}", False,
                                     {}, name=name))
                continue
            if progress:
                progress(progress_line(service))
            state, reason = deployment_state(service, deployment_id)
            details = {"events": _events(service), "rollout_state_reason": reason, "deployment_id": deployment_id}
            if state == "failed":
                # What rollout.alarm_failure needs to name the alarm and where ECS went back to.
                alarms = (service.get("deploymentConfiguration") or {}).get("alarms") or {}
                details.update(alarm_names=alarms.get("alarmNames", []) if alarms.get("enable") else [],
                               returned_to=(primary_deployment(service) or {}).get("taskDefinition"))
                fail(name, WaitError(f"service {name}: {reason}", False, details, name=name))
                continue
            if state == "done":
                follow["not_ready"] = _not_ready_targets(elbv2, service)
                if not follow["not_ready"]:
                    done[name] = service
                    del pending[name]
                    continue
            if clock() + delay > deadline:
                details["targets_not_ready"] = follow["not_ready"]
                fail(name, WaitError(f"service {name}: timed out waiting for deployment {deployment_id} to complete "
                                     f"(rollout: {reason or 'unknown'}; targets not ready: {len(follow['not_ready'])})",
                                     True, details, name=name))
        if not pending:
            if failed:
                first = failed[0]
                if failed[1:]:
                    first.args = (f"{first.args[0]} (also failed: {'; '.join(str(e) for e in failed[1:])})",)
                raise first
            return done
        sleep(delay)
        for follow in pending.values():
            follow["service"] = None


def wait_inactive(ecs, cluster, name, deadline, delay, sleep=time.sleep, clock=time.monotonic):
    while describe_service(ecs, cluster, name) is not None:
        if clock() + delay > deadline:
            raise WaitError(f"service {name}: timed out waiting for it to become INACTIVE", True, {})
        sleep(delay)


def remove(ecs, cluster, existing, changes, deadline, delay):
    """Scale the service ``existing`` (its DescribeServices entry) to 0 and delete it; with a ``deadline`` wait until
    it is INACTIVE (raises WaitError)."""
    name = existing["serviceName"]
    changes.diff(name, {"serviceName": name, "desiredCount": existing["desiredCount"]}, {})
    if existing["status"] == "ACTIVE":
        if existing["desiredCount"]:
            changes.write(f"service {name}", "update", lambda: update_service(
                ecs, dict(cluster=cluster, service=name, desiredCount=0)), fields=["desiredCount"])
        changes.write(f"service {name}", "delete", lambda: delete_service(ecs, cluster, name))
    else:
        # DRAINING: deleted already, going INACTIVE; waiting for it is what is left.
        changes.write(f"service {name}", "delete")
    if deadline is not None and not changes.check_mode:
        wait_inactive(ecs, cluster, name, deadline, delay)


# ---------------------------------------------------------------- converging one service (state=present)

def check_options(params):
    """Checks of one service's options that need no API call and that the argument spec cannot express (it
    requires task_definition, network and availability_zone); raises ServiceError naming the option."""
    msg = check_service_connect(service_connect_spec(params["service_connect"]))
    if msg:
        raise ServiceError(msg)
    sc = params["service_connect"]
    if sc and sc["enabled"] and not sc.get("namespace"):
        raise ServiceError("service_connect.namespace: required when Service Connect is enabled")
    if not params["network"]["subnets"]:
        raise ServiceError("network.subnets: at least one subnet is required")


def check_subnets(ec2, services):
    """One DescribeSubnets for the subnets of ``services`` (option dicts): each must lie in its availability_zone.

    Run before a write that sets the network (create, or a changed networkConfiguration): a subnet's AZ never
    changes, so a service whose network is unchanged needs no new check.
    """
    try:
        azs = subnet_azs(ec2, sorted({s for params in services for s in params["network"]["subnets"]}))
    except is_ansible_aws_error_code("InvalidSubnetID.NotFound") as err:
        raise ServiceError(f"network.subnets: a subnet does not exist ({err.exception})") from err
    for params in services:
        for subnet in params["network"]["subnets"]:
            if azs.get(subnet) != params["availability_zone"]:
                raise ServiceError(f"network.subnets: {subnet} is in {azs.get(subnet)}, not in availability_zone "
                                   f"{params['availability_zone']}; a service is pinned to one AZ by its subnets",
                                   service_name=params["name"])


def plan_present(params, existing, autoscaled):
    """What converging one service takes, decided from its DescribeServices entry (``existing``, None if missing).

    ``params`` are the service's options with ``task_definition`` an ARN; ``autoscaled()`` says whether a scalable
    target owns the desired count (asked only when the count differs). Returns a dict with ``action`` (create,
    update or none), ``fields`` (what changes), ``owner`` of the desired count, ``diff``, and what
    ``apply_plan`` sends. Raises ServiceError when the change must not be made. No API call of its own.
    """
    spec = build_spec(params, params["task_definition"])
    tags = dict(params["tags"], **{LAST_APPLIED_TAG: last_applied(spec, params["deployment_token"])})
    plan = dict(name=params["name"], spec=spec, tags=tags, existing=existing, desired_count=params["desired_count"],
                update={}, redeploy=False, add_tags={}, remove_tags=[], owner="module")
    if existing is None:
        if params["desired_count"] is None:
            raise ServiceError("desired_count: required to create the service")
        after = dict(spec, desiredCount=params["desired_count"], tags=tags)
        return dict(plan, action="create", fields=sorted(after), diff={"before": {}, "after": after})
    if existing.get("status") == "DRAINING":
        raise ServiceError(f"service {params['name']} is DRAINING (being deleted); run again once it is INACTIVE")
    live_tags = tag_dict(existing)
    record = live_tags.get(LAST_APPLIED_TAG)
    if existing.get("launchType") and "capacityProviderStrategy" not in existing and record is None:
        raise ServiceError(f"capacity_provider_strategy: service {params['name']} uses launch type "
                           f"{existing['launchType']}; moving it to a capacity provider strategy needs the service "
                           "recreated (state=absent, then present)")
    live = live_spec(existing)
    update = {k: spec[k] for k in compare(spec, live, record)}
    owner = "module"
    if params["desired_count"] is not None and existing["desiredCount"] != params["desired_count"]:
        if params["force_desired_count"] or not autoscaled():
            update["desiredCount"] = params["desired_count"]
        else:
            owner = "autoscaling"
    # A new deployment token redeploys; a first record does not, nor does a token that is no longer given.
    # UpdateService starts no deployment for a capacity provider strategy alone: the running tasks would stay put
    # (unless the caller says so: ``capacity_redeploy`` False, e.g. for an AZ that cannot place tasks).
    old_token, new_token = record_parts(record)[1], record_parts(tags[LAST_APPLIED_TAG])[1]
    redeploy = params["force_new_deployment"] or (
        "capacityProviderStrategy" in update and params.get("capacity_redeploy", True)) or (
        old_token is not None and new_token != "-" and old_token != new_token)
    add_tags, remove_tags = compare_aws_tags(live_tags, tags, params["purge_tags"])
    if add_tags or "taskDefinition" in update:
        # The revisions that completed on the service (rollout.good_record) ride along with the tags the module
        # sends anyway when it starts a deployment; a no-op or a count change writes no record.
        add_tags.update(rollout.good_record(existing, live_tags))
    remove_tags = sorted(k for k in remove_tags if k != rollout.GOOD_TAG)
    for old_tag in (LEGACY_STANDING_TAG, SC_ROLE_TAG):
        if STANDING_TAG in tags and old_tag in live_tags and old_tag not in tags:
            # Tags of older releases go when the standing tag is managed (once per service): the standing tag before
            # the rename, and the Service Connect role tag of releases before cells (every cell has its server).
            remove_tags = sorted(set(remove_tags) | {old_tag})
    fields = sorted(update) + (["forceNewDeployment"] if redeploy else [])
    diff = {"before": dict({k: live.get(k, existing.get(k)) for k in update}, tags=live_tags),
            "after": dict(update, tags=dict({k: v for k, v in live_tags.items() if k not in remove_tags}, **add_tags))}
    action = "update" if fields or add_tags or remove_tags else "none"
    return dict(plan, action=action, update=update, redeploy=redeploy, add_tags=add_tags, remove_tags=remove_tags,
                fields=fields, owner=owner, diff=diff)


def sets_network(plan):
    """True when the plan writes the network configuration (then its subnets are checked first)."""
    return plan["action"] == "create" or "networkConfiguration" in plan["update"]


def check_endpoints_free(ecs, cluster, name, spec, deadline=None, delay=15, sleep=time.sleep, clock=time.monotonic):
    """Before writing a Service Connect server config: raise when another service of the cluster owns its names in
    the same namespace.

    A name that another service's PRIMARY deployment serves is refused at once (make that service a client
    first). A name that only an older, draining deployment of another service still serves is released when its
    tasks are gone: wait for that (polling every ``delay`` seconds) until ``deadline`` (a ``clock()`` value; None:
    do not wait). Returns the number of polls waited.
    """
    config = spec.get("serviceConnectConfiguration")
    names, aliases = endpoints(config)
    wanted = names + aliases
    polls = 0
    while wanted:
        owners = endpoint_owners(ecs, cluster, name, config.get("namespace"))
        held = {key: owners[key] for key in wanted if key in owners}
        for key, (owner, how) in held.items():
            if how == "primary":
                raise ServiceError(f"service_connect.services: '{key}' is already served by service {owner} "
                                   "in this cluster; Service Connect names are unique in a namespace: make that "
                                   "service a client (or delete it) first")
        if not held:
            break
        if deadline is None or clock() + delay > deadline:
            key, (owner, _how) = sorted(held.items())[0]
            raise ServiceError(f"service_connect.services: '{key}' is still served by the draining deployment of "
                               f"service {owner} (its tasks have not stopped after {polls} polls); run again once "
                               "they have", timed_out=deadline is not None)
        sleep(delay)
        polls += 1
    return polls


def apply_plan(ecs, cluster, plan, changes, deadline=None, delay=15):
    """Send the writes of ``plan`` (not ``none``) through ``changes`` (a ChangeSet); return the service as the last
    write answered (the live one in check mode).

    A Service Connect server config is written once no other service serves its names; until ``deadline`` this
    waits for another service's draining deployment to release them (``check_endpoints_free``), as part of the write.
    """
    name, resource = plan["name"], f"service {plan['name']}"

    def create():
        check_endpoints_free(ecs, cluster, name, plan["spec"], deadline, delay)
        return create_service(ecs, dict(plan["spec"], cluster=cluster, serviceName=name,
                                        desiredCount=plan["desired_count"], schedulingStrategy="REPLICA",
                                        tags=tag_list(plan["tags"]), clientToken=str(uuid.uuid4())))

    def update():
        if "serviceConnectConfiguration" in plan["update"]:
            check_endpoints_free(ecs, cluster, name, plan["spec"], deadline, delay)
        return update_service(ecs, dict(plan["update"], cluster=cluster, service=name,
                                        forceNewDeployment=plan["redeploy"]))

    if plan["action"] == "create":
        return changes.write(resource, "create", create, fields=plan["fields"])
    existing = plan["existing"]
    service = existing
    if plan["update"] or plan["redeploy"]:
        service = changes.write(resource, "update", update, fields=plan["fields"]) or existing
    write_tags(changes, resource, plan["add_tags"], plan["remove_tags"],
               lambda tags: tag_service(ecs, existing["serviceArn"], tags),
               lambda keys: untag_service(ecs, existing["serviceArn"], keys), untag_first=True)
    return service


def settle(ecs, elbv2, cluster, service, wrote, wait, deadline, delay, steady_targets=True, progress=None,
           sleep=time.sleep):
    """The service to report and its tracked deployment id, after ``apply_plan`` (``wrote``) or with nothing to change
    (one service of ``settle_many``)."""
    return settle_many(ecs, elbv2, cluster, [(service, wrote, wait)], deadline, delay, steady_targets=steady_targets,
                       progress=progress, sleep=sleep)[0]


def settle_many(ecs, elbv2, cluster, items, deadline, delay, steady_targets=True, progress=None, sleep=time.sleep):
    """[(service to report, its tracked deployment id)] for ``items``, [(service, wrote, wait)]: each service after
    ``apply_plan`` (``wrote``) or with nothing to change.

    With ``wait`` the PRIMARY deployment that the service shows is followed until done; the services that need it are
    waited for together (``wait_for_deployments``). Without a write the service is a fresh DescribeServices answer;
    with ``steady_targets=False`` a deployment that this answer already shows done (COMPLETED, alone, running its
    desired count) is not polled further and its target health is not read. ``elbv2`` is a callable returning the
    client (made only when needed). Raises WaitError.
    """
    out, tracked = [], []
    for service, wrote, wait in items:
        name = service["serviceName"]
        deployment_id = (primary_deployment(service) or {}).get("id")
        if wait and deployment_id:
            if not wrote and not steady_targets and deployment_state(service, deployment_id)[0] == "done":
                out.append((service, deployment_id))
                continue
            tracked.append((name, deployment_id, None if wrote else service))
            out.append((name, deployment_id))  # the service comes from the wait
            continue
        if wrote:
            service = describe_service(ecs, cluster, name) or service
        out.append((service, deployment_id))
    if not tracked:
        return out
    waited = wait_for_deployments(ecs, elbv2(), cluster, tracked, deadline, delay, sleep=sleep, progress=progress)
    return [(waited[service], deployment_id) if isinstance(service, str) else (service, deployment_id)
            for service, deployment_id in out]
