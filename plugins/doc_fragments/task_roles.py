# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of the log groups and IAM roles of ECS tasks (module_utils/_ecs/task_roles.py ARGUMENT_SPEC): the
top-level options of bandup.ecs.ecs_task_roles (fragment C(bandup.ecs.task_roles)) and the suboptions of the
I(task_roles) option of bandup.ecs.ecs_taskdefinition (fragment C(bandup.ecs.task_roles.option)).

Ansible merges fragments at the top level of C(options) only, and ansible-test wants each fragment a literal string,
so the option text is here twice, once per nesting level; tests/unit/plugins/test_doc_fragments.py fails when the
two differ.
"""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    DOCUMENTATION = r"""options:
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
"""

    OPTION = r"""options:
  task_roles:
    description:
      - The log groups and the execution and task roles of the families, ensured first in the same run, with the
        options of M(bandup.ecs.ecs_task_roles), checked the same way.
      - A family without I(execution_role_arn) or I(task_role_arn) gets the ARNs of the roles of the
        I(task_roles.services) entry with its C(family).
      - One module run instead of two; the C(task_definition) role uses it.
    type: dict
    version_added: 0.2.0
    suboptions:
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
"""
