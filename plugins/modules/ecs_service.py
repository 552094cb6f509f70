#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_service
short_description: Manage one ECS Fargate service completely (Service Connect, AZ pinning, rollout tracking)
version_added: 0.1.0
description:
  - Creates, updates or deletes one ECS service. Every managed field that differs is applied with
    C(UpdateService), including network, deployment, load balancer and Service Connect changes that
    M(community.aws.ecs_service) ignores on an existing service.
  - The service is pinned to one availability zone by its subnets; the module checks with C(DescribeSubnets)
    that every subnet lies in I(availability_zone) before any write.
  - Fields that C(DescribeServices) reports are compared with their live value (drift is detected). Fields it
    does not report (Service Connect is reported only per deployment, and some endpoints omit more) are compared
    with the last-applied record, the tag C(bandup:last-applied) holding a hash of the spec applied last.
  - Once Application Auto Scaling has a scalable target for the service, the desired count belongs to it;
    I(desired_count) is used on create and, on update, only when no scalable target exists or
    I(force_desired_count=true).
  - With I(wait=true) the module follows the deployment that its own call started until it is the PRIMARY
    deployment, C(COMPLETED), running its desired count, with no target of its target groups initial,
    unhealthy, draining or unused. A circuit-breaker rollback or a C(FAILED) rollout is a failure.
  - A service whose live response shows a launch type (and that this module did not create) cannot be moved
    to a Fargate capacity provider strategy in place; the module fails and says so.
author:
  - Bandup platform team (@bandup)
options:
  name:
    description: Service name.
    type: str
    required: true
  cluster:
    description: Cluster name or ARN.
    type: str
    required: true
  state:
    description:
      - C(present) creates or updates the service; C(absent) scales it to 0, deletes it and waits until it is INACTIVE.
    type: str
    choices: [present, absent]
    default: present
  task_definition:
    description: Task definition ARN, or C(family:revision) (resolved to its ARN). Required with I(state=present).
    type: str
  desired_count:
    description:
      - Number of tasks. Required when the service is created.
      - On an existing service it is applied only when no scalable target owns the count, or with I(force_desired_count).
    type: int
  force_desired_count:
    description: Apply I(desired_count) even when an Application Auto Scaling scalable target owns it.
    type: bool
    default: false
  availability_zone:
    description: The one availability zone that every subnet of I(network.subnets) must lie in.
    type: str
  network:
    description: The awsvpc network configuration. Required with I(state=present).
    type: dict
    suboptions:
      subnets:
        description: Subnet ids, all in I(availability_zone).
        type: list
        elements: str
        required: true
      security_groups:
        description: Security group ids.
        type: list
        elements: str
        required: true
      assign_public_ip:
        description: Give each task a public IP.
        type: bool
        default: false
  capacity_provider_strategy:
    description: Capacity provider strategy (C(FARGATE) and/or C(FARGATE_SPOT)).
    type: list
    elements: dict
    default: [{capacity_provider: FARGATE, weight: 1, base: 0}]
    suboptions:
      capacity_provider:
        description: Capacity provider name.
        type: str
        required: true
      weight:
        description: Relative weight.
        type: int
        default: 1
      base:
        description: Tasks placed on this provider first.
        type: int
        default: 0
  load_balancers:
    description: Target groups the tasks register in (an empty list detaches them).
    type: list
    elements: dict
    default: []
    suboptions:
      target_group_arn:
        description: Target group ARN (target type C(ip)).
        type: str
        required: true
      container_name:
        description: Container that receives the traffic.
        type: str
        required: true
      container_port:
        description: Container port that receives the traffic.
        type: int
        required: true
  service_connect:
    description:
      - Service Connect configuration; omit it to leave Service Connect unmanaged.
      - A server lists I(services); a client-only service gives only I(namespace).
      - Discovery names and C(dns_name:port) endpoints are unique in a namespace; before writing a server
        configuration the module checks the other services of the cluster and fails naming the owner.
    type: dict
    suboptions:
      enabled:
        description: Enable Service Connect.
        type: bool
        default: true
      namespace:
        description: Cloud Map namespace name or ARN.
        type: str
      services:
        description: Endpoints this service serves.
        type: list
        elements: dict
        suboptions:
          port_name:
            description: Name of the task definition port mapping.
            type: str
            required: true
          discovery_name:
            description: Cloud Map service name (defaults to I(port_name)).
            type: str
          client_aliases:
            description: Endpoints clients use (at most one per entry).
            type: list
            elements: dict
            suboptions:
              port:
                description: Port clients connect to.
                type: int
                required: true
              dns_name:
                description: DNS name clients use.
                type: str
  deployment:
    description: Rolling deployment configuration.
    type: dict
    default: {}
    suboptions:
      minimum_healthy_percent:
        description: Lower limit of running tasks during a deployment, in percent of the desired count.
        type: int
        default: 100
      maximum_percent:
        description: Upper limit of running tasks during a deployment, in percent of the desired count.
        type: int
        default: 200
      circuit_breaker:
        description: Enable the deployment circuit breaker.
        type: bool
        default: true
      rollback:
        description: Roll back when the circuit breaker trips.
        type: bool
        default: true
  health_check_grace_period:
    description: Seconds to ignore failing load balancer health checks after a task starts (unmanaged when omitted).
    type: int
  availability_zone_rebalancing:
    description: AZ rebalancing (unmanaged when omitted; AWS enables it on create).
    type: str
    choices: [ENABLED, DISABLED]
  propagate_tags:
    description: Propagate tags to tasks from the service or the task definition (unmanaged when omitted).
    type: str
    choices: [SERVICE, TASK_DEFINITION, NONE]
  enable_ecs_managed_tags:
    description: Add the ECS managed tags to tasks (unmanaged when omitted).
    type: bool
  platform_version:
    description: Fargate platform version, for example C(LATEST) or C(1.4.0) (unmanaged when omitted).
    type: str
  deployment_token:
    description:
      - An opaque value recorded with the last-applied spec; when it changes the module forces a new deployment.
      - Used to redeploy Service Connect clients when an endpoint moved to another service
        (clients see the endpoints that existed at their last deployment).
    type: str
  force_new_deployment:
    description: Force a new deployment even if nothing changed.
    type: bool
    default: false
  tags:
    description: Tags to set on the service.
    type: dict
    default: {}
  purge_tags:
    description: Remove tags not in I(tags) (the last-applied tag is kept).
    type: bool
    default: false
  wait:
    description: Wait for the deployment (or the deletion) to finish.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait in total.
    type: int
    default: 900
  wait_delay:
    description: Seconds between two polls.
    type: int
    default: 15
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Active backend in eu-west-1a, owning the Service Connect endpoint backend:8080
  bandup.ecs.ecs_service:
    name: prod-backend-a
    cluster: prod
    task_definition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/prod-backend:7"
    desired_count: 2
    availability_zone: eu-west-1a
    network:
      subnets: [subnet-0a1]
      security_groups: [sg-0b2]
    load_balancers:
      - target_group_arn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/prod-backend-a/0123456789abcdef"
        container_name: backend
        container_port: 8080
    service_connect:
      namespace: "arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-abc"
      services:
        - port_name: backend
          discovery_name: backend
          client_aliases:
            - port: 8080
              dns_name: backend
    health_check_grace_period: 60
    availability_zone_rebalancing: DISABLED
    propagate_tags: SERVICE
    tags:
      "bandup:role": active

- name: Standby frontend, a Service Connect client on Fargate Spot
  bandup.ecs.ecs_service:
    name: prod-frontend-b
    cluster: prod
    task_definition: prod-frontend:3
    desired_count: 1
    availability_zone: eu-west-1b
    network:
      subnets: [subnet-0c3]
      security_groups: [sg-0d4]
    capacity_provider_strategy:
      - capacity_provider: FARGATE_SPOT
    service_connect:
      namespace: prod

- name: Delete a service
  bandup.ecs.ecs_service:
    name: prod-frontend-b
    cluster: prod
    state: absent
"""

RETURN = r"""
service:
  description: The service as DescribeServices reports it after the call (snake_case, tags as a dict); empty when absent.
  returned: always
  type: dict
  sample: {"service_name": "prod-backend-a", "desired_count": 2, "running_count": 2, "status": "ACTIVE"}
changed_fields:
  description: The UpdateService fields that were (or in check mode would be) sent.
  returned: always
  type: list
  elements: str
  sample: ["networkConfiguration", "desiredCount"]
desired_count_owner:
  description: C(autoscaling) when a scalable target owns the desired count and I(desired_count) was not applied, else C(module).
  returned: when state=present
  type: str
  sample: autoscaling
deployment_id:
  description: Id of the deployment this call started (or the PRIMARY one when nothing changed).
  returned: when state=present and the service exists
  type: str
  sample: ecs-svc/1234567890123456789
events:
  description: The last service events, on a failed or timed-out wait.
  returned: on wait failure
  type: list
  elements: str
rollout_state_reason:
  description: The tracked deployment's rollout reason, on a failed or timed-out wait.
  returned: on wait failure
  type: str
timed_out:
  description: True when the wait ran out of time (as opposed to a failed deployment or an API error).
  returned: on wait failure
  type: bool
"""

import time

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.bandup.ecs.plugins.module_utils import ecs_service as svc


def _fail_wait(module, err, **result):
    module.fail_json(msg=str(err), timed_out=err.timed_out, **dict(result, **err.details))


def _result(service, **extra):
    if not service:
        return dict(service={}, **extra)
    tags = {t["key"]: t["value"] for t in service.get("tags", [])}
    out = camel_dict_to_snake_dict(dict(service, tags=[]))
    out["tags"] = tags
    return dict(service=out, **extra)


def validate(module, ec2):
    """Semantic checks before any write; each message names the option."""
    params = module.params
    for key in ("task_definition", "network", "availability_zone"):
        if params[key] is None:
            module.fail_json(msg=f"{key}: required with state=present")
    msg = svc.check_service_connect(svc.service_connect_spec(params["service_connect"]))
    if msg:
        module.fail_json(msg=msg)
    sc = params["service_connect"]
    if sc and sc["enabled"] and not sc.get("namespace"):
        module.fail_json(msg="service_connect.namespace: required when Service Connect is enabled")
    subnets = params["network"]["subnets"]
    if not subnets:
        module.fail_json(msg="network.subnets: at least one subnet is required")
    try:
        azs = svc.subnet_azs(ec2, subnets)
    except is_boto3_error_code("InvalidSubnetID.NotFound") as err:
        module.fail_json_aws(err, msg="network.subnets: a subnet does not exist")
    for subnet in subnets:
        if azs.get(subnet) != params["availability_zone"]:
            module.fail_json(msg=f"network.subnets: {subnet} is in {azs.get(subnet)}, not in availability_zone "
                                 f"{params['availability_zone']}; a service is pinned to one AZ by its subnets")


def check_endpoints_free(module, ecs, spec):
    """Fail before writing a Service Connect server config whose names another service of the cluster owns."""
    names, aliases = svc.endpoints(spec.get("serviceConnectConfiguration"))
    if not names and not aliases:
        return
    owners = svc.endpoint_owners(ecs, module.params["cluster"], module.params["name"])
    for key in names + aliases:
        if key in owners:
            module.fail_json(msg=f"service_connect.services: '{key}' is already served by service {owners[key]} "
                                 "in this cluster; Service Connect names are unique in a namespace: make that "
                                 "service a client (or delete it) first")


def ensure_present(module, ecs, existing, deadline):
    params = module.params
    validate(module, module.client("ec2"))
    task_definition = params["task_definition"]
    if not task_definition.startswith("arn:"):
        task_definition = svc.resolve_task_definition(ecs, task_definition)
    spec = svc.build_spec(params, task_definition)
    token = params["deployment_token"]
    tags = dict(params["tags"], **{svc.LAST_APPLIED_TAG: svc.last_applied(spec, token)})

    if existing is None:
        if params["desired_count"] is None:
            module.fail_json(msg="desired_count: required to create the service")
        after = dict(spec, desiredCount=params["desired_count"], tags=tags)
        if module.check_mode:
            done(module, {}, sorted(after), "module", {"before": {}, "after": after})
        check_endpoints_free(module, ecs, spec)
        request = dict(spec, cluster=params["cluster"], serviceName=params["name"],
                       desiredCount=params["desired_count"], schedulingStrategy="REPLICA",
                       tags=[{"key": k, "value": v} for k, v in tags.items()])
        service = svc.create_service(ecs, request)
        finish(module, ecs, service, sorted(after), "module", {"before": {}, "after": after}, deadline)

    if existing.get("status") == "DRAINING":
        module.fail_json(msg=f"service {params['name']} is DRAINING (being deleted); run again once it is INACTIVE")
    live_tags = {t["key"]: t["value"] for t in existing.get("tags", [])}
    record = live_tags.get(svc.LAST_APPLIED_TAG)
    if existing.get("launchType") and "capacityProviderStrategy" not in existing and record is None:
        module.fail_json(msg=f"capacity_provider_strategy: service {params['name']} uses launch type "
                             f"{existing['launchType']}; moving it to a capacity provider strategy needs the service "
                             "recreated (state=absent, then present)")
    live = svc.live_spec(existing)
    update = {k: spec[k] for k in svc.compare(spec, live, record)}
    owner = "module"
    if params["desired_count"] is not None and existing["desiredCount"] != params["desired_count"]:
        if params["force_desired_count"] or not svc.scalable_target_exists(
                module.client("application-autoscaling"), params["cluster"], params["name"]):
            update["desiredCount"] = params["desired_count"]
        else:
            owner = "autoscaling"
    # A new deployment token (e.g. a Service Connect endpoint moved) redeploys; a first record does not.
    old_token = svc.record_parts(record)[1]
    redeploy = params["force_new_deployment"] or (
        old_token is not None and old_token != svc.record_parts(tags[svc.LAST_APPLIED_TAG])[1])
    add_tags = {k: v for k, v in tags.items() if live_tags.get(k) != v}
    remove_tags = [k for k in live_tags if params["purge_tags"] and k not in tags]
    fields = sorted(update) + (["forceNewDeployment"] if redeploy else [])
    diff = {"before": dict({k: live.get(k, existing.get(k)) for k in update}, tags=live_tags),
            "after": dict(update, tags=dict({k: v for k, v in live_tags.items() if k not in remove_tags}, **add_tags))}
    if not (fields or add_tags or remove_tags):
        if params["wait"] and not module.check_mode:
            # Nothing to change: still make sure the current deployment is healthy (an interrupted run may
            # have left one in progress) before the caller moves traffic.
            finish(module, ecs, existing, [], owner, diff, deadline, changed=False, fresh=True)
        done(module, existing, [], owner, diff, changed=False)
    if module.check_mode:
        done(module, existing, fields, owner, diff)
    if "serviceConnectConfiguration" in update:
        check_endpoints_free(module, ecs, spec)
    service = existing
    if update or redeploy:
        service = svc.update_service(ecs, dict(update, cluster=params["cluster"], service=params["name"],
                                               forceNewDeployment=redeploy))
    if remove_tags:
        svc.untag_service(ecs, existing["serviceArn"], remove_tags)
    if add_tags:
        svc.tag_service(ecs, existing["serviceArn"], add_tags)
    finish(module, ecs, service, fields, owner, diff, deadline)


def done(module, service, fields, owner, diff, changed=True, **extra):
    result = dict(changed=changed, changed_fields=fields, desired_count_owner=owner, **extra)
    if module._diff:
        result["diff"] = diff
    module.exit_json(**dict(result, **_result(service)))


def finish(module, ecs, service, fields, owner, diff, deadline, changed=True, fresh=False):
    """Wait for the deployment that ``service`` (the write's answer) shows as PRIMARY, then exit."""
    primary = svc.primary_deployment(service) or {}
    extra = dict(deployment_id=primary.get("id"))
    if module.params["wait"] and primary.get("id"):
        try:
            service = svc.wait_for_deployment(ecs, module.client("elbv2"), module.params["cluster"],
                                              module.params["name"], primary["id"], deadline,
                                              module.params["wait_delay"], service=service if fresh else None)
        except svc.WaitError as err:
            _fail_wait(module, err, changed=changed, changed_fields=fields, **extra)
    elif not fresh:
        service = svc.describe_service(ecs, module.params["cluster"], module.params["name"]) or service
    done(module, service, fields, owner, diff, changed=changed, **extra)


def ensure_absent(module, ecs, existing, deadline):
    params = module.params
    if existing is None:
        module.exit_json(changed=False, **_result({}))
    diff = {"before": {"serviceName": params["name"], "desiredCount": existing["desiredCount"]}, "after": {}}
    if module.check_mode:
        done(module, existing, [], None, diff)
    if existing["status"] == "ACTIVE":
        if existing["desiredCount"]:
            svc.update_service(ecs, dict(cluster=params["cluster"], service=params["name"], desiredCount=0))
        svc.delete_service(ecs, params["cluster"], params["name"])
    if params["wait"]:
        try:
            svc.wait_inactive(ecs, params["cluster"], params["name"], deadline, params["wait_delay"])
        except svc.WaitError as err:
            _fail_wait(module, err, changed=True)
    done(module, {}, [], None, diff)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        cluster=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
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
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
        wait_delay=dict(type="int", default=15),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    deadline = time.monotonic() + module.params["wait_timeout"]
    ecs = module.client("ecs")
    try:
        existing = svc.describe_service(ecs, module.params["cluster"], module.params["name"])
        if module.params["state"] == "absent":
            ensure_absent(module, ecs, existing, deadline)
        ensure_present(module, ecs, existing, deadline)
    except svc.WaitError as err:
        _fail_wait(module, err)
    except (BotoCoreError, ClientError) as err:
        module.fail_json_aws(err, msg=f"ECS service {module.params['name']}")


if __name__ == "__main__":
    main()
