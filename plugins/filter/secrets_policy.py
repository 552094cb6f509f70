# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: secrets_policy
short_description: IAM policy that reads exactly the given container secret ARNs
version_added: 0.1.0
description:
  - Builds the inline policy of an ECS task execution role from the C(valueFrom) ARNs of the container secrets
    C(ssm:GetParameters) on SSM parameter ARNs, C(secretsmanager:GetSecretValue) on Secrets Manager secret ARNs
    (a C(:json-key:version-stage:version-id) suffix is reduced to the secret ARN).
  - Returns C(None) for an empty list. Fails on an ARN of any other service.
author:
  - Bandup platform team (@bandup)
positional: _input
options:
  _input:
    description: The secret ARNs.
    type: list
    elements: str
    required: true
  where:
    description: Prefix of the error message, e.g. the variable that holds the ARNs.
    type: str
    default: secrets_policy
"""

EXAMPLES = r"""
- name: Policy document for the backend's secrets
  ansible.builtin.debug:
    msg: "{{ ['arn:aws:ssm:eu-west-1:123456789012:parameter/bandup/db-password'] | bandup.ecs.secrets_policy }}"
"""

RETURN = r"""
_value:
  description: The policy document, or C(None) when there are no secrets.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.bandup.ecs.plugins.module_utils._ecs.secrets_policy import secrets_policy


def _secrets_policy(arns, where="secrets_policy"):
    try:
        return secrets_policy(arns or [])
    except ValueError as err:
        raise AnsibleFilterError(f"{where}: {err}") from err


class FilterModule:
    def filters(self):
        return {"secrets_policy": _secrets_policy}
