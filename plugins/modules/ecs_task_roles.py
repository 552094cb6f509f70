#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_task_roles
short_description: The CloudWatch log group, execution role and task role of several ECS services at once
version_added: 0.2.0
description:
  - For each entry of I(services) ensures the log group (retention, tags), the task execution role (trust
    C(ecs-tasks.amazonaws.com), the managed policies I(execution_managed_policies), an inline policy reading
    exactly the service's I(services[].secrets)) and the task role (trust C(ecs-tasks.amazonaws.com), the inline
    policy I(services[].task_policy)), all tagged with I(tags).
  - Reads everything first (one C(DescribeLogGroups) for all log groups, then per log group C(ListTagsForResource),
    per role C(GetRole), per execution role C(ListAttachedRolePolicies), per role C(GetRolePolicy) of the one inline
    policy it manages), compares with the desired state and writes only what differs.
  - Resources are found by name, so a run after an interruption adopts what an earlier run created.
  - Tags not in I(tags) are kept. Managed policies attached to a task role are not managed (left alone).
author:
  - Bandup platform team (@bandup)
options:
  services:
    description: One entry per ECS service.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Service name (the key of the result).
        type: str
        required: true
      family:
        description: Task definition family, named in the roles' descriptions.
        type: str
        required: true
      log_group:
        description: CloudWatch log group name.
        type: str
        required: true
      execution_role:
        description: Name of the task execution role (image pull, logs, secrets).
        type: str
        required: true
      task_role:
        description: Name of the task role (the application's own permissions).
        type: str
        required: true
      secrets:
        description:
          - The C(valueFrom) ARNs of the containers' secrets (SSM parameters, Secrets Manager secrets). The execution
            role gets an inline policy I(secrets_policy_name) reading exactly these; none removes it.
        type: list
        elements: str
        default: []
      task_policy:
        description: Inline policy I(task_policy_name) of the task role (dict or JSON); unset removes it.
        type: json
  log_retention_days:
    description: Retention of the log groups, in days.
    type: int
    default: 30
  execution_managed_policies:
    description: Managed policy ARNs attached to each execution role; others attached to it are detached.
    type: list
    elements: str
    default: [arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy]
  secrets_policy_name:
    description: Name of the execution role's inline secrets policy.
    type: str
    default: bandup-secrets
  task_policy_name:
    description: Name of the task role's inline policy.
    type: str
    default: bandup-task
  tags:
    description: Tags on the log groups and roles (added when missing or different; other tags are kept).
    type: dict
    aliases: [resource_tags]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Log groups and roles of the backend and the frontend
  bandup.ecs.ecs_task_roles:
    services:
      - name: backend
        family: bandup-prod-backend
        log_group: /ecs/bandup-prod/backend
        execution_role: bandup-prod-backend-execution
        task_role: bandup-prod-backend-task
        secrets:
          - arn:aws:secretsmanager:eu-west-1:123456789012:secret:bandup/db-password-AbCdEf
        task_policy:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::bandup-uploads/*"]}
      - name: frontend
        family: bandup-prod-frontend
        log_group: /ecs/bandup-prod/frontend
        execution_role: bandup-prod-frontend-execution
        task_role: bandup-prod-frontend-task
    log_retention_days: 30
    tags:
      bandup:managed-by: bandup.ecs
  register: task_roles
"""

RETURN = r"""
services:
  description: Per service name, the ARNs (C(None) in check mode for a role that does not exist yet).
  returned: always
  type: dict
  sample:
    backend:
      log_group: /ecs/bandup-prod/backend
      execution_role_arn: arn:aws:iam::123456789012:role/bandup-prod-backend-execution
      task_role_arn: arn:aws:iam::123456789012:role/bandup-prod-backend-task
changes:
  description: 'What this run wrote (or would write in check mode), each as C(<resource>: <setting>).'
  returned: always
  type: list
  elements: str
  sample: ["log group /ecs/bandup-prod/backend: create", "role bandup-prod-backend-execution: policy bandup-secrets"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.bandup.ecs.plugins.module_utils import task_roles as api
from ansible_collections.bandup.ecs.plugins.module_utils.taskdef import secrets_policy


class Plan:
    """The writes a run needs, with the before/after of what they touch."""

    def __init__(self):
        self.changes, self.writes, self.before, self.after = [], [], {}, {}

    def add(self, resource, setting, write):
        self.changes.append(f"{resource}: {setting}")
        self.writes.append(write)


def plan_log_group(plan, logs, name, live, live_tags, retention, tags):
    label = f"log group {name}"
    plan.before[label] = {"retention": live.get("retentionInDays"), "tags": live_tags} if live else {}
    plan.after[label] = {"retention": retention, "tags": dict(live_tags, **tags)}
    if live is None:
        plan.add(label, "create", lambda: api.create_log_group(logs, name, tags))
    missing = {k: v for k, v in tags.items() if live_tags.get(k) != v}
    if live is not None and missing:
        plan.add(label, "tags", lambda: api.tag_log_group(logs, api.log_group_arn(live), missing))
    if (live or {}).get("retentionInDays") != retention:
        plan.add(label, "retention", lambda: api.put_retention(logs, name, retention))


def plan_role(plan, iam, arns, role, live, managed, inline):
    """``role``: {name, description, tags}; ``managed``: (live ARNs, wanted ARNs) or None when not managed;
    ``inline``: (policy name, live document, wanted document or None)."""
    name, label = role["name"], f"role {role['name']}"
    live_tags = api.role_tags(live) if live else {}
    policy_name, live_policy, wanted_policy = inline
    plan.before[label] = {} if live is None else {
        "description": live.get("Description", ""), "trust": live["AssumeRolePolicyDocument"], "tags": live_tags,
        "managed_policies": None if managed is None else sorted(managed[0]), policy_name: live_policy}
    plan.after[label] = {"description": role["description"], "trust": api.ECS_TASKS_TRUST,
                         "tags": dict(live_tags, **role["tags"]), policy_name: wanted_policy,
                         "managed_policies": None if managed is None else sorted(managed[1])}
    if live is None:
        plan.add(label, "create", lambda: arns.update({name: api.create_role(
            iam, name, api.ECS_TASKS_TRUST, role["description"], role["tags"])["Arn"]}))
    else:
        if compare_policies(live["AssumeRolePolicyDocument"], api.ECS_TASKS_TRUST):
            plan.add(label, "trust policy", lambda: api.update_trust(iam, name, api.ECS_TASKS_TRUST))
        if live.get("Description", "") != role["description"]:
            plan.add(label, "description", lambda: api.update_description(iam, name, role["description"]))
        missing = {k: v for k, v in role["tags"].items() if live_tags.get(k) != v}
        if missing:
            plan.add(label, "tags", lambda: api.tag_role(iam, name, missing))
    if managed is not None:
        for arn in sorted(set(managed[1]) - set(managed[0])):
            plan.add(label, f"attach {arn}", lambda arn=arn: api.attach_policy(iam, name, arn))
        for arn in sorted(set(managed[0]) - set(managed[1])):
            plan.add(label, f"detach {arn}", lambda arn=arn: api.detach_policy(iam, name, arn))
    if wanted_policy is not None and (live_policy is None or compare_policies(live_policy, wanted_policy)):
        plan.add(label, f"policy {policy_name}", lambda: api.put_role_policy(iam, name, policy_name, wanted_policy))
    elif wanted_policy is None and live_policy is not None:
        plan.add(label, f"delete policy {policy_name}", lambda: api.delete_role_policy(iam, name, policy_name))


def desired_roles(module):
    """Per service: [(role, managed policies or None, inline policy name, wanted inline document or None)]."""
    params, tags = module.params, module.params["tags"] or {}
    out = {}
    for svc in params["services"]:
        try:
            secrets = secrets_policy(svc["secrets"])
        except ValueError as err:
            module.fail_json(msg=f"services[{svc['name']}].secrets: {err}")
        task_policy = None if svc["task_policy"] is None else module.from_json(svc["task_policy"])
        out[svc["name"]] = [
            ({"name": svc["execution_role"], "tags": tags,
              "description": f"ECS task execution role of {svc['family']} (image pull, logs, secrets)"},
             params["execution_managed_policies"], params["secrets_policy_name"], secrets),
            ({"name": svc["task_role"], "tags": tags,
              "description": f"ECS task role of {svc['family']} (the application's own permissions)"},
             None, params["task_policy_name"], task_policy),
        ]
    return out


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            services=dict(type="list", elements="dict", required=True, options=dict(
                name=dict(type="str", required=True),
                family=dict(type="str", required=True),
                log_group=dict(type="str", required=True),
                execution_role=dict(type="str", required=True),
                task_role=dict(type="str", required=True),
                secrets=dict(type="list", elements="str", default=[], no_log=False),
                task_policy=dict(type="json"),
            )),
            log_retention_days=dict(type="int", default=30),
            execution_managed_policies=dict(
                type="list", elements="str",
                default=["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]),
            secrets_policy_name=dict(type="str", default="bandup-secrets", no_log=False),
            task_policy_name=dict(type="str", default="bandup-task"),
            tags=dict(type="dict", aliases=["resource_tags"]),
        ),
        supports_check_mode=True,
    )
    params, tags = module.params, module.params["tags"] or {}
    names = [svc["name"] for svc in params["services"]]
    if len(set(names)) != len(names):
        module.fail_json(msg=f"services: every name must be unique (got {names})")
    wanted = desired_roles(module)
    logs = module.client("logs", retry_decorator=AWSRetry.jittered_backoff())
    iam = module.client("iam", retry_decorator=AWSRetry.jittered_backoff())
    plan, arns = Plan(), {}
    try:
        groups = api.describe_log_groups(logs, [svc["log_group"] for svc in params["services"]])
        for svc in params["services"]:
            live = groups.get(svc["log_group"])
            live_tags = api.log_group_tags(logs, api.log_group_arn(live)) if live else {}
            plan_log_group(plan, logs, svc["log_group"], live, live_tags, params["log_retention_days"], tags)
            for role, managed, policy_name, policy in wanted[svc["name"]]:
                live = api.get_role(iam, role["name"])
                arns[role["name"]] = live and live["Arn"]
                live_managed = api.attached_policies(iam, role["name"]) if live and managed is not None else []
                live_policy = api.get_role_policy(iam, role["name"], policy_name) if live else None
                plan_role(plan, iam, arns, role, live, None if managed is None else (live_managed, managed),
                          (policy_name, live_policy, policy))
        if not module.check_mode:
            for write in plan.writes:
                write()
    except Exception as err:  # pylint: disable=broad-except
        module.fail_json_aws(err, msg="ECS log groups and task roles")
    services = {svc["name"]: {"log_group": svc["log_group"], "execution_role_arn": arns[svc["execution_role"]],
                              "task_role_arn": arns[svc["task_role"]]} for svc in params["services"]}
    diff = {"diff": {"before": plan.before, "after": plan.after}} if module._diff else {}
    module.exit_json(changed=bool(plan.changes), changes=plan.changes, services=services, **diff)


if __name__ == "__main__":
    main()
