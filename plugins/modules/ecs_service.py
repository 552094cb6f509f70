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
  - The service is pinned to one availability zone by its subnets; before a write that sets the network (create,
    or changed subnets, security groups or public IP) the module checks with C(DescribeSubnets) that every subnet
    lies in I(availability_zone).
  - Fields that C(DescribeServices) reports are compared with their live value (drift is detected). Fields it
    does not report (Service Connect is reported only per deployment, and some endpoints omit more) are compared
    with the last-applied record, the tag C(bandup:last-applied) holding a hash of the spec applied last.
  - Once Application Auto Scaling has a scalable target for the service, the desired count belongs to it;
    I(desired_count) is used on create and, on update, only when no scalable target exists or
    I(force_desired_count=true).
  - With I(wait=true) the module follows the deployment that its own call started until it is the PRIMARY
    deployment, C(COMPLETED), running its desired count, with no target of its target groups initial,
    unhealthy, draining or unused. A circuit-breaker rollback or a C(FAILED) rollout is a failure.
  - When the wait fails or times out, the message says why the deployment's tasks stopped; for its newest stopped
    tasks (up to 3) the stopped reason, each container's exit code and reason, the container health check when it
    failed, and the last I(failure_log_lines) lines of the container's C(awslogs) stream
    (C(<awslogs-stream-prefix>/<container>/<task id>)), with secret-looking values replaced by C(***). These reads
    (C(ListTasks), C(DescribeTasks), C(DescribeTaskDefinition), C(logs:GetLogEvents)) happen only then.
  - Every deployment the module starts also records, in the tag C(bandup:last-good) (sent with the
    C(bandup:last-applied) record), the task definition revisions that completed on the service; see
    M(bandup.ecs.ecs_rollback_info).
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
    description:
      - Capacity provider strategy (C(FARGATE) and/or C(FARGATE_SPOT)).
      - A change is sent with C(forceNewDeployment), so the service is redeployed onto the new strategy
        (UpdateService alone starts no deployment for it and leaves the running tasks where they are).
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
    description:
      - Rolling deployment configuration.
      - A change applies to the next deployment; on its own it starts none (UpdateService does not deploy for
        it). Change I(task_definition) or set I(force_new_deployment) to deploy with it now.
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
    description: Remove tags not in I(tags) (the C(bandup:last-applied) and C(bandup:last-good) records are kept).
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
  failure_log_lines:
    description:
      - When the wait fails, how many of the last lines of each failing container's C(awslogs) stream the message
        shows, per stopped task (up to 3 tasks). C(0) reads no logs.
    type: int
    default: 20
    version_added: 0.2.0
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
stopped_tasks:
  description:
    - The newest stopped tasks (up to 3) of the deployment waited for, newest first, as the failure message shows
      them; log lines and reasons with secret-looking values replaced by C(***).
  returned: on wait failure, when the deployment's stopped tasks could be read
  type: list
  elements: dict
  sample: [{"task_id": "0123456789abcdef0", "stop_code": "EssentialContainerExited",
            "stopped_reason": "Essential container in task exited", "stopped_at": "2026-11-29 14:00:00+00:00",
            "task_definition": "arn:aws:ecs:eu-west-1:123456789012:task-definition/prod-backend:8",
            "containers": [{"name": "backend", "exit_code": 1, "reason": "", "health_status": "UNKNOWN",
                            "log_stream": "/ecs/prod/backend backend/backend/0123456789abcdef0",
                            "log_lines": ["APPLICATION FAILED TO START"]}]}]
"""

import time

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # handled by AnsibleAWSModule


from ansible_collections.bandup.ecs.plugins.module_utils import ecs_scaling as scaling
from ansible_collections.bandup.ecs.plugins.module_utils import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.module_utils import rollout
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule


def done(module, service, plan, changed, **extra):
    result = dict(changed=changed, changed_fields=plan["fields"], desired_count_owner=plan["owner"], **extra)
    if module._diff:
        result["diff"] = plan["diff"]
    module.exit_json(service=svc.result_of(service), **result)


def ensure_present(module, ecs, existing, deadline):
    params = dict(module.params)
    svc.check_options(params)
    if not params["task_definition"].startswith("arn:"):
        params["task_definition"] = svc.resolve_task_definition(ecs, params["task_definition"])
    rid = scaling.resource_id(params["cluster"], params["name"])
    plan = svc.plan_present(params, existing, lambda: scaling.scalable_target(
        module.client("application-autoscaling"), rid) is not None)
    wrote = plan["action"] != "none"
    if svc.sets_network(plan):
        svc.check_subnets(module.client("ec2"), [params])
    if module.check_mode:
        done(module, existing, plan, wrote)
    if wrote:
        service = svc.apply_plan(ecs, params["cluster"], plan, deadline if params["wait"] else None,
                                 params["wait_delay"])
    else:
        service = existing
    extra = dict(deployment_id=(svc.primary_deployment(service) or {}).get("id"))
    try:
        service, extra["deployment_id"] = svc.settle(ecs, lambda: module.client("elbv2"), params["cluster"], service,
                                                     wrote, params["wait"], deadline, params["wait_delay"])
    except svc.WaitError as err:
        msg, details = rollout.failure(err, ecs, lambda: module.client("logs"), params["cluster"], params["name"],
                                       params["failure_log_lines"])
        module.fail_json(msg=msg, timed_out=err.timed_out, changed=wrote, changed_fields=plan["fields"],
                         **dict(extra, **details))
    done(module, service, plan, wrote, **extra)


def ensure_absent(module, ecs, existing, deadline):
    params = module.params
    if existing is None:
        module.exit_json(changed=False, service={})
    plan = dict(fields=[], owner=None, diff={"before": {"serviceName": params["name"],
                                                        "desiredCount": existing["desiredCount"]}, "after": {}})
    if module.check_mode:
        done(module, existing, plan, True)
    if existing["status"] == "ACTIVE":
        if existing["desiredCount"]:
            svc.update_service(ecs, dict(cluster=params["cluster"], service=params["name"], desiredCount=0))
        svc.delete_service(ecs, params["cluster"], params["name"])
    if params["wait"]:
        try:
            svc.wait_inactive(ecs, params["cluster"], params["name"], deadline, params["wait_delay"])
        except svc.WaitError as err:
            module.fail_json(msg=str(err), timed_out=err.timed_out, changed=True, **err.details)
    done(module, {}, plan, True)


def main():
    argument_spec = dict(
        svc.SERVICE_OPTIONS,
        cluster=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
        wait_delay=dict(type="int", default=15),
        failure_log_lines=dict(type="int", default=20),
    )
    module = AWSModule(argument_spec=argument_spec, supports_check_mode=True)
    deadline = time.monotonic() + module.params["wait_timeout"]
    ecs = module.client("ecs")
    try:
        existing = svc.describe_service(ecs, module.params["cluster"], module.params["name"])
        if module.params["state"] == "absent":
            ensure_absent(module, ecs, existing, deadline)
        ensure_present(module, ecs, existing, deadline)
    except svc.ServiceError as err:
        module.fail_json(msg=str(err), **err.result)
    except (BotoCoreError, ClientError) as err:
        module.fail_json_aws(err, msg=f"ECS service {module.params['name']}")


if __name__ == "__main__":
    main()
