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
options: {}
extends_documentation_fragment:
  - bandup.ecs.task_roles
  - bandup.ecs.changes
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
extends_documentation_fragment:
  - bandup.ecs.changes
services:
  description: Per service name, the ARNs (C(None) in check mode for a role that does not exist yet).
  returned: always
  type: dict
  sample:
    backend:
      log_group: /ecs/bandup-prod/backend
      execution_role_arn: arn:aws:iam::123456789012:role/bandup-prod-backend-execution
      task_role_arn: arn:aws:iam::123456789012:role/bandup-prod-backend-task
"""

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import task_roles as api
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet


def main():
    module = AWSModule(argument_spec=api.ARGUMENT_SPEC, supports_check_mode=True)
    changes = ChangeSet(module.check_mode, module._diff)

    def ensure():
        wanted = api.desired_roles(module.params)  # the checks the spec cannot make, before any client
        logs, iam = module.client("logs"), module.client("iam")
        services = api.converge(changes, logs, iam, module.params, wanted, module.write_client)
        return dict(services=services)

    run(module, changes, ensure)


if __name__ == "__main__":
    main()
