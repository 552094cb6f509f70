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
    description: C(present) registers when needed; C(absent) deregisters every ACTIVE revision of the family.
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
    description: Tags on a new revision; missing tags are added to the latest revision when nothing else changed.
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

import copy

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.bandup.ecs.plugins.module_utils import task_roles
from ansible_collections.bandup.ecs.plugins.module_utils import taskdef
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet
from ansible_collections.bandup.ecs.plugins.module_utils.topology import TopologyError, fargate_check


def desired_definition(params):
    definition = {
        "family": params["family"],
        "networkMode": params["network_mode"],
        "requiresCompatibilities": params["requires_compatibilities"],
        "containerDefinitions": taskdef.clean(copy.deepcopy(params["container_definitions"])),
        "runtimePlatform": {"cpuArchitecture": params["cpu_architecture"],
                            "operatingSystemFamily": params["operating_system_family"]},
        "cpu": None if params["cpu"] is None else str(params["cpu"]),
        "memory": None if params["memory"] is None else str(params["memory"]),
        "executionRoleArn": params["execution_role_arn"],
        "taskRoleArn": params["task_role_arn"],
        "ephemeralStorage": None if params["ephemeral_storage"] is None else {"sizeInGiB": params["ephemeral_storage"]},
    }
    return {k: v for k, v in definition.items() if v is not None}


def family_params(params):
    """One params dict per family: I(family) alone, or each I(task_definitions) entry over the shared options."""
    if params["family"]:
        return [params]
    return [dict(params, **{k: v for k, v in entry.items() if v is not None}) for entry in params["task_definitions"]]


def validate(params, where):
    """The checks the argument spec cannot make; AnsibleAWSError naming the option, before any AWS call."""
    def refuse(message):
        raise AnsibleAWSError(message=message)

    if params["state"] == "absent":
        return
    if not params["container_definitions"]:
        refuse(f"{where}container_definitions: at least one container is required with state=present")
    names = [c.get("name") for c in params["container_definitions"]]
    if not all(names) or len(set(names)) != len(names):
        refuse(f"{where}container_definitions: every container needs a unique name (got {names})")
    if "FARGATE" in params["requires_compatibilities"]:
        if params["cpu"] is None or params["memory"] is None:
            refuse(f"{where}cpu and memory: required for FARGATE")
        try:
            fargate_check(f"family {params['family']}", params["cpu"], params["memory"])
        except TopologyError as err:
            refuse(str(err))
        if params["network_mode"] != "awsvpc":
            refuse("network_mode: FARGATE requires awsvpc")
    if params["ephemeral_storage"] is not None and not 21 <= params["ephemeral_storage"] <= 200:
        refuse(f"ephemeral_storage: {params['ephemeral_storage']} GiB is outside 21-200")
    if params["keep_revisions"] < 0:
        refuse("keep_revisions: must be 0 (keep all) or more")


def deregister(changes, client, arns):
    for arn in arns:
        family, revision = taskdef.revision_of(arn)
        changes.write(f"task definition {family}:{revision}", "deregister",
                      lambda arn=arn: taskdef.deregister(client, arn))
    return arns


def prune_revisions(changes, client, params, current_arn):
    """Deregister ACTIVE revisions beyond the newest ``keep_revisions`` (never ``current_arn``)."""
    if not params["keep_revisions"]:
        return []
    return deregister(changes, client, [arn for arn in taskdef.active_revisions(
        client, params["family"])[params["keep_revisions"]:] if arn != current_arn])


def output(definition, **extra):
    family, revision = taskdef.revision_of(definition["taskDefinitionArn"])
    return dict(task_definition=definition, arn=definition["taskDefinitionArn"], family=family, revision=revision,
                **extra)


def ensure_present(changes, client, params, writer):
    """Register a revision of one family when it differs from the latest ACTIVE one (or add missing tags to it);
    the result values of the family."""
    live, live_tags = taskdef.describe_latest(client, params["family"])
    wanted = desired_definition(params)
    missing = taskdef.fill_images(wanted["containerDefinitions"], live)
    if missing:
        raise AnsibleAWSError(message=f"container_definitions: no image for container(s) {missing} and family "
                                      f"'{params['family']}' has no ACTIVE revision to keep the image of; give the image")
    resource = f"task definition {params['family']}"
    after = taskdef.normalize(wanted)
    before = taskdef.normalize(live) if live else {}
    changes.diff(resource, before, after)
    image = wanted["containerDefinitions"][0]["image"]

    def register():
        return taskdef.register(client, wanted, params["tags"], writer("ecs"))

    if live is None:
        current = changes.write(resource, "create", register)
        if current is None:  # check mode: no revision to report
            return dict(image=image, deregistered=[])
    else:
        current = live
        fields = taskdef.differences(before, after)
        missing_tags = compare_aws_tags(live_tags, params["tags"] or {}, purge_tags=False)[0]
        if fields:
            current = changes.write(resource, "register", register, fields=fields) or live
        elif missing_tags:
            changes.diff(resource, {"tags": live_tags}, {"tags": dict(live_tags, **missing_tags)})
            changes.write(resource, "tag", lambda: taskdef.tag_resource(client, live["taskDefinitionArn"], missing_tags),
                          fields=missing_tags)
    deregistered = prune_revisions(changes, client, params, current["taskDefinitionArn"])
    return dict(deregistered=deregistered, **output(current, image=image))


def ensure_absent(changes, client, params, _writer):
    return dict(deregistered=deregister(changes, client, taskdef.active_revisions(client, params["family"])))


def ensure(module, changes):
    """The log groups and roles of I(task_roles) (their ARNs filled in by family), then each family."""
    families = family_params(module.params)
    for params in families:
        validate(params, f"family {params['family']}: " if module.params["task_definitions"] else "")
    roles = module.params["task_roles"]
    wanted = None if roles is None else task_roles.desired_roles(roles)
    result = {}
    if roles is not None:
        services = task_roles.converge(changes, module.client("logs"), module.client("iam"), roles, wanted,
                                       module.write_client)
        result["task_roles"] = dict(services=services)
        by_family = {svc["family"]: services[svc["name"]] for svc in roles["services"]}
        for params in families:
            arns = by_family.get(params["family"], {})
            for key in ("execution_role_arn", "task_role_arn"):
                params[key] = params[key] or arns.get(key)
    client = module.client("ecs")
    present = module.params["state"] == "present"
    results = []
    for params in families:
        written = len(changes.changes)
        one = (ensure_present if present else ensure_absent)(changes, client, params, module.write_client)
        results.append(dict(one, family=params["family"], changed=len(changes.changes) > written))
    if module.params["family"]:
        return dict(result, **{k: v for k, v in results[0].items() if k != "changed"})
    return dict(result, task_definitions=results)


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
    run(module, changes, lambda: ensure(module, changes))


if __name__ == "__main__":
    main()
