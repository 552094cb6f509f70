# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: ecr_inputs
short_description: The ecr role's repository pull principals and ecr_outputs
version_added: 0.4.0
description:
  - Computed in C(plugins/plugin_utils/role_inputs.py) (roles pick values, Python computes them).
author:
  - Bandup platform team (@bandup)
positional: _input
options:
  _input:
    description: C(bandup_topology).
    type: dict
    required: true
  pull_account_ids:
    description: C(ecr_pull_account_ids).
    type: list
    elements: str
    default: []
  repositories:
    description: The C(repositories) M(bandup.ecs.ecr_repository) returned.
    type: list
    elements: dict
    default: []
"""

RETURN = r"""
_value:
  description:
    - C(pull_principals) (each account id as its root ARN), C(outputs) (service name to the C(name), C(uri), C(arn)
      of its repository).
  type: dict
"""

from ansible_collections.bandup.ecs.plugins.plugin_utils import role_inputs
from ansible_collections.bandup.ecs.plugins.module_utils.topology import plain


def _ecr_inputs(topology, pull_account_ids=None, repositories=None):
    return {"pull_principals": role_inputs.account_principals(plain(pull_account_ids or [])),
            "outputs": role_inputs.ecr_outputs(plain(topology), plain(repositories or []))}


class FilterModule:
    def filters(self):
        return {"ecr_inputs": _ecr_inputs}
