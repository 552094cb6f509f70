# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: task_definition_inputs
short_description: The task_definition role's task roles, task definitions and outputs
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
  images:
    description: C(image_outputs) (empty when the image role did not run).
    type: dict
    default: {}
  settings:
    description:
      - C(stop_timeout), C(readonly_root_filesystem) (the role's variables without their C(task_definition_)
        prefix); needed for C(task_definitions).
    type: dict
  task_role_policies:
    description: C(task_definition_task_role_policies).
    type: dict
    default: {}
  result:
    description: What M(bandup.ecs.ecs_taskdefinition) returned; needed for C(outputs).
    type: dict
"""

RETURN = r"""
_value:
  description:
    - C(task_role_services) (the module's C(task_roles.services)), C(task_definitions) (its I(task_definitions), null
      without I(settings)), C(outputs) (C(task_definition_outputs), null without I(result)).
  type: dict
"""

from ansible_collections.bandup.ecs.plugins.plugin_utils import role_inputs
from ansible_collections.bandup.ecs.plugins.module_utils.topology import plain


def _task_definition_inputs(topology, images=None, settings=None, task_role_policies=None, result=None):
    topology = plain(topology)
    return {"task_role_services": role_inputs.task_role_services(topology, plain(task_role_policies or {})),
            "task_definitions": role_inputs.task_definitions(topology, plain(images or {}), plain(settings))
            if settings else None,
            "outputs": role_inputs.task_definition_outputs(topology, plain(result)) if result else None}


class FilterModule:
    def filters(self):
        return {"task_definition_inputs": _task_definition_inputs}
