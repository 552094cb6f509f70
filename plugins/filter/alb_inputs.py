# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: alb_inputs
short_description: The alb role's target groups and listeners, and the routes site.yml shows
version_added: 0.4.0
description:
  - From the topology and the alb role's variables, computed in C(plugins/plugin_utils/role_inputs.py) (roles pick
    values, Python computes them), C(target_groups), C(listeners) (rule priorities from C(topology.rule_priorities),
    the same the inventory's checks use) and C(routes).
author:
  - Bandup platform team (@bandup)
positional: _input
options:
  _input:
    description: C(bandup_topology).
    type: dict
    required: true
  settings:
    description:
      - The alb role's health check and deregistration variables without their C(alb_) prefix
        (C(health_check_interval), C(health_check_timeout), C(healthy_threshold), C(unhealthy_threshold),
        C(health_check_matcher), C(deregistration_delay)); needed for C(target_groups).
    type: dict
  certificate_arn:
    description: C(alb_certificate_arn).
    type: str
    default: ''
  ssl_policy:
    description: C(alb_ssl_policy).
    type: str
    default: ''
"""

RETURN = r"""
_value:
  description:
    - C(target_groups) and C(listeners) in the shape of M(bandup.ecs.load_balancer)'s options (C(target_groups)
      null without I(settings)); C(routes), one C(<app> <paths>) line per app on the ALB.
  type: dict
"""

from ansible_collections.bandup.ecs.plugins.plugin_utils import role_inputs
from ansible_collections.bandup.ecs.plugins.module_utils.topology import plain


def _alb_inputs(topology, settings=None, certificate_arn="", ssl_policy=""):
    topology = plain(topology)
    return {"target_groups": role_inputs.target_groups(topology, plain(settings)) if settings else None,
            "listeners": role_inputs.listeners(topology, certificate_arn or "", ssl_policy or ""),
            "routes": role_inputs.routes(topology)}


class FilterModule:
    def filters(self):
        return {"alb_inputs": _alb_inputs}
