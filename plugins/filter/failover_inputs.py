# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: failover_inputs
short_description: The choices of playbooks/failover.yml (zonal shift expiry, whether to shift)
version_added: 0.4.0
description:
  - Computed in C(plugins/plugin_utils/role_inputs.py) (roles pick values, Python computes them).
author:
  - Bandup platform team (@bandup)
positional: _input
options:
  _input:
    description: C(failover_zonal_shift) (C(auto), C(always) or C(never)).
    type: str
    required: true
  expires_in:
    description: C(failover_zonal_shift_expires_in).
    type: str
    required: true
  switch_order:
    description: The C(switch_order) M(bandup.ecs.ecs_app_services) returned (empty when no switch ran).
    type: str
"""

RETURN = r"""
_value:
  description:
    - C(expires_in_valid) (minutes or hours ARC accepts, at most 72h), C(zonal_shift) (C(always), or C(auto) and the
      switch moved the traffic first, as a target group of the AZ left had no healthy target).
  type: dict
"""

from ansible_collections.bandup.ecs.plugins.plugin_utils import role_inputs


def _failover_inputs(shift, expires_in, switch_order=None):
    return role_inputs.failover_inputs(shift, expires_in, switch_order)


class FilterModule:
    def filters(self):
        return {"failover_inputs": _failover_inputs}
