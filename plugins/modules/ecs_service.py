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
  - bandup.ecs.ecs_service
  - bandup.ecs.changes
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
      "bandup:standing": active

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
extends_documentation_fragment:
  - bandup.ecs.changes
service:
  description: The service as DescribeServices reports it after the call (snake_case, tags as a dict); empty when absent.
  returned: always
  type: dict
  sample: {"service_name": "prod-backend-a", "desired_count": 2, "running_count": 2, "status": "ACTIVE"}
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

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.service_batch import Batch


def converge(batch, params):
    """The module's result values: the one service converged (or deleted) by the batch, as ecs_app_services does."""
    name = params["name"]
    existing = svc.describe_service(batch.client("ecs"), params["cluster"], name)
    if params["state"] == "absent":
        return batch.delete(name, existing)
    batch.run([dict(params, autoscaling=None, wait=None)], live={name: existing})
    result = batch.results[name]
    return dict(desired_count_owner=result["desired_count_owner"], deployment_id=result["deployment_id"],
                service=result["service"])


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
    module = AWSModule(argument_spec=argument_spec, supports_check_mode=True,
                       required_if=[("state", "present", ("task_definition", "network", "availability_zone"))])
    params = module.params
    changes = ChangeSet(module.check_mode, module._diff)
    batch = Batch(module.client, params["cluster"], changes, wait=params["wait"], wait_timeout=params["wait_timeout"],
                  wait_delay=params["wait_delay"], failure_log_lines=params["failure_log_lines"])
    batch.single = True
    run(module, changes, lambda: converge(batch, params))


if __name__ == "__main__":
    main()
