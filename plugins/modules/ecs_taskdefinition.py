#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_taskdefinition
short_description: Register an ECS task definition revision only when the definition changed
version_added: 0.1.0
description:
  - Compares the desired task definition with the latest ACTIVE revision of the family, after normalizing the
    fields and defaults that ECS adds (revision, status, requiresAttributes, compatibilities, protocol C(tcp),
    C(hostPort) under C(awsvpc), C(essential), health check defaults, empty lists, cpu/memory as strings,
    environment order), and registers a new revision only when they differ; C(changes) names the fields that
    differ (action C(register)), C(create) for a new family, C(tag) when only tags were missing.
  - A container given without C(image) keeps the image of the same container in the latest ACTIVE revision;
    the module fails when there is none.
  - CPU and memory are checked against the Fargate sizes when I(requires_compatibilities) includes C(FARGATE).
  - Optionally deregisters ACTIVE revisions older than the newest I(keep_revisions).
  - I(task_definitions) handles several families in one run (one C(DescribeTaskDefinition) each when nothing
    changed); the other options apply to every family, its entries override the per-family ones.
author:
  - Bandup platform team (@bandup)
options:
  family:
    description: Task definition family. Exactly one of I(family) and I(task_definitions) is required.
    type: str
  task_definitions:
    description: Several families in one run, each with its own per-family options.
    type: list
    elements: dict
    suboptions:
      family:
        description: Task definition family.
        type: str
        required: true
      container_definitions:
        description: As I(container_definitions).
        type: list
        elements: dict
      cpu:
        description: As I(cpu).
        type: int
      memory:
        description: As I(memory).
        type: int
      execution_role_arn:
        description: As I(execution_role_arn).
        type: str
      task_role_arn:
        description: As I(task_role_arn).
        type: str
  state:
    description:
      - C(present) registers when needed; C(absent) deregisters every ACTIVE revision of the family (with I(tags), those
        that carry them).
    type: str
    choices: [present, absent]
    default: present
  container_definitions:
    description:
      - Container definitions in the shape of the ECS API (camelCase keys, e.g. C(portMappings), C(healthCheck)).
      - Required with I(state=present).
    type: list
    elements: dict
  cpu:
    description: Task CPU units.
    type: int
  memory:
    description: Task memory (MiB).
    type: int
  network_mode:
    description: Network mode.
    type: str
    choices: [awsvpc, bridge, host, none]
    default: awsvpc
  requires_compatibilities:
    description: Launch types the definition must be valid for.
    type: list
    elements: str
    default: [FARGATE]
  execution_role_arn:
    description: ARN of the task execution role (image pull, logs, secrets).
    type: str
  task_role_arn:
    description: ARN of the task role (the application's own permissions).
    type: str
  cpu_architecture:
    description: C(runtimePlatform.cpuArchitecture).
    type: str
    choices: [X86_64, ARM64]
    default: X86_64
  operating_system_family:
    description: C(runtimePlatform.operatingSystemFamily).
    type: str
    default: LINUX
  ephemeral_storage:
    description: Ephemeral storage in GiB (21-200); the Fargate default of 20 GiB when unset.
    type: int
  tags:
    description:
      - Tags on a new revision; missing tags are added to the latest revision when nothing else changed.
      - With I(state=absent), only the ACTIVE revisions that carry every one of these tags are deregistered.
    type: dict
    aliases: [resource_tags]
  keep_revisions:
    description: Deregister ACTIVE revisions older than the newest I(keep_revisions); C(0) keeps all.
    type: int
    default: 0
extends_documentation_fragment:
  - bandup.ecs.task_roles.option
  - bandup.ecs.changes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Backend task definition
  bandup.ecs.ecs_taskdefinition:
    family: bandup-prod-backend
    cpu: 1024
    memory: 2048
    execution_role_arn: arn:aws:iam::123456789012:role/bandup-prod-backend-execution
    task_role_arn: arn:aws:iam::123456789012:role/bandup-prod-backend-task
    container_definitions:
      - name: backend
        image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ielts-backend@sha256:0123abcd...
        portMappings:
          - {name: backend, containerPort: 8080, appProtocol: http}
        environment:
          - {name: SPRING_PROFILES_ACTIVE, value: prod}
    tags:
      bandup:managed-by: bandup.ecs
    keep_revisions: 10
  register: taskdef

- name: Log groups, roles and the task definition of the backend in one run
  bandup.ecs.ecs_taskdefinition:
    task_roles:
      services:
        - name: backend
          family: bandup-prod-backend
          log_group: /ecs/bandup-prod/backend
          execution_role: bandup-prod-backend-execution
          task_role: bandup-prod-backend-task
      tags:
        bandup:managed-by: bandup.ecs
    task_definitions:
      - family: bandup-prod-backend
        cpu: 1024
        memory: 2048
        container_definitions: [{name: backend, image: "{{ backend_image }}"}]

- name: Both families in one run
  bandup.ecs.ecs_taskdefinition:
    task_definitions:
      - family: bandup-prod-backend
        cpu: 1024
        memory: 2048
        container_definitions: [{name: backend, image: "{{ backend_image }}"}]
      - family: bandup-prod-frontend
        cpu: 512
        memory: 1024
        container_definitions: [{name: frontend, image: "{{ frontend_image }}"}]
    tags:
      bandup:managed-by: bandup.ecs
  register: taskdefs
"""

RETURN = r"""
extends_documentation_fragment:
  - bandup.ecs.changes
task_definition:
  description: The registered (or unchanged latest) revision as ECS describes it (camelCase keys).
  returned: when I(family) and I(state=present), except in check mode for a new family
  type: dict
arn:
  description: ARN of the revision in force.
  returned: when I(state=present), except in check mode for a new family
  type: str
  sample: arn:aws:ecs:eu-west-1:123456789012:task-definition/bandup-prod-backend:7
family:
  description: Family.
  returned: always
  type: str
  sample: bandup-prod-backend
revision:
  description: Revision number.
  returned: when I(state=present), except in check mode for a new family
  type: int
  sample: 7
image:
  description: Image of the first container.
  returned: when I(state=present)
  type: str
deregistered:
  description: ARNs deregistered because of I(keep_revisions) or I(state=absent).
  returned: with I(family)
  type: list
  elements: str
task_definitions:
  description:
    - With I(task_definitions), one result per entry in the same order, each with the keys above and C(changed)
      (whether this family was written, or would be in check mode); the top-level keys above are then not returned.
  returned: with I(task_definitions)
  type: list
  elements: dict
task_roles:
  description: With I(task_roles), the C(services) that M(bandup.ecs.ecs_task_roles) returns (their writes are in
    C(changes)).
  returned: with I(task_roles)
  type: dict
  sample:
    services:
      backend:
        log_group: /ecs/bandup-prod/backend
        execution_role_arn: arn:aws:iam::123456789012:role/bandup-prod-backend-execution
        task_role_arn: arn:aws:iam::123456789012:role/bandup-prod-backend-task
"""


from ansible_collections.bandup.ecs.plugins.module_utils._ecs import task_roles
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import taskdef
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet


def main():
    per_family = dict(
        container_definitions=dict(type="list", elements="dict"),
        cpu=dict(type="int"),
        memory=dict(type="int"),
        execution_role_arn=dict(type="str"),
        task_role_arn=dict(type="str"),
    )
    module = AWSModule(
        argument_spec=dict(
            family=dict(type="str"),
            task_definitions=dict(type="list", elements="dict", options=dict(
                family=dict(type="str", required=True), **per_family)),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            network_mode=dict(type="str", choices=["awsvpc", "bridge", "host", "none"], default="awsvpc"),
            requires_compatibilities=dict(type="list", elements="str", default=["FARGATE"]),
            cpu_architecture=dict(type="str", choices=["X86_64", "ARM64"], default="X86_64"),
            operating_system_family=dict(type="str", default="LINUX"),
            ephemeral_storage=dict(type="int"),
            tags=dict(type="dict", aliases=["resource_tags"]),
            keep_revisions=dict(type="int", default=0),
            task_roles=dict(type="dict", options=task_roles.ARGUMENT_SPEC),
            **per_family,
        ),
        mutually_exclusive=[("family", "task_definitions")],
        required_one_of=[("family", "task_definitions")],
        supports_check_mode=True,
    )
    changes = ChangeSet(module.check_mode, module._diff)
    run(module, changes, lambda: taskdef.converge(changes, module.params, module.client, module.write_client))


if __name__ == "__main__":
    main()
