# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: validation
short_description: Every problem of a Bandup inventory, against AWS's constraints, before any change
version_added: 0.2.0
description:
  - Checks the variables of the shared C(bandup) role and of the roles named in I(roles) against their argument specs
    (types exactly, C(0), C("") and C([]) are values; only an undefined or null variable takes the default), the
    constraint table of C(plugins/plugin_utils/constraints.py) (the bounds, lengths, patterns and enums of the API
    members each variable feeds, from the botocore models and AWS's documented limits) and the rules between
    variables (settings that cannot apply, Fargate sizes, ARM64 with Fargate Spot...).
  - Returns every problem found, one message per problem, each naming the variable path
    (C(bandup_services[1].alb.priority)) and the allowed range or form; an empty list when the inventory is good.
  - Makes no AWS call. The C(bandup) role runs it once per run, before the topology.
author:
  - Bandup platform team (@bandup)
options:
  roles:
    description: The roles whose variables are checked besides the shared ones (C(bandup_selected_roles)).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - bandup.ecs.lookup.no_terms
"""

EXAMPLES = r"""
- name: Every problem at once
  ansible.builtin.fail:
    msg: "{{ bandup_problems }}"
  when: bandup_problems | length > 0
  vars:
    bandup_problems: "{{ query('bandup.ecs.validation', roles=bandup_selected_roles) }}"
"""

RETURN = r"""
_raw:
  description: The problems, each naming the variable path and what it must be.
  type: list
  elements: str
  sample: ["bandup_services[1].alb.priority: 0 is outside 1-50000; must be an integer 1-50000"]
"""

from ansible.plugins.lookup import LookupBase

from ansible_collections.bandup.ecs.plugins.plugin_utils.constraints import problems
from ansible_collections.bandup.ecs.plugins.plugin_utils.role_specs import known_regions, load_specs


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        roles = list(kwargs.get("roles") or [])
        specs = load_specs()
        variables = variables or {}
        values = {}
        for role in ["bandup"] + roles:
            for name in specs.get(role) or {}:
                if name in variables:
                    values[name] = self._templar.template(variables[name])
        return problems(specs, values, roles, regions=known_regions())
