# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: rollback_inputs
short_description: The words of playbooks/rollback.yml (valid revision, revisions chosen, problems)
version_added: 0.4.0
description:
  - Computed in C(plugins/plugin_utils/role_inputs.py) (roles pick values, Python computes them).
author:
  - Bandup platform team (@bandup)
positional: _input
options:
  _input:
    description: What M(bandup.ecs.ecs_rollback_info) returned (C({}) before it ran).
    type: dict
    required: true
  revision:
    description: C(rollback_revision).
    type: raw
"""

RETURN = r"""
_value:
  description:
    - C(revision_valid) (I(revision) is a revision number), C(summary) (one line, each service's revision now and the
      one chosen), C(problems) (the module's problems naming the playbook's variables, one line).
  type: dict
"""

from ansible_collections.bandup.ecs.plugins.plugin_utils import role_inputs
from ansible_collections.bandup.ecs.plugins.module_utils.topology import plain


def _rollback_inputs(choice, revision=None):
    return role_inputs.rollback_inputs(plain(choice), revision)


class FilterModule:
    def filters(self):
        return {"rollback_inputs": _rollback_inputs}
