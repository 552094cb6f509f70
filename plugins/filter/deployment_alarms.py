# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: deployment_alarms
short_description: The deployment alarms of the cells' target groups (names, target groups, record)
version_added: 0.3.0
description:
  - For the alb role and M(bandup.ecs.cloudwatch_alarms), from the topology and the load balancer's outputs, built in
    C(plugins/module_utils/_cloudwatch/alarms.py) C(plan).
author:
  - Bandup platform team (@bandup)
positional: _input
options:
  _input:
    description: C(bandup_topology).
    type: dict
    required: true
  enabled:
    description: C(alb_alarms).
    type: bool
    required: true
  load_balancer_arn:
    description: The load balancer's ARN (empty before it exists).
    type: str
  target_groups:
    description: Target group name to ARN (C(alb_outputs.target_groups)).
    type: dict
  settings:
    description: C(error_rate_percent), C(p95_seconds), C(period), C(evaluation_periods).
    type: dict
"""

RETURN = r"""
_value:
  description:
    - C(names) (target group name to its alarm names; empty when disabled), C(target_groups) (C([{name, arn}]) of
      those that exist), C(record) (of the wanted alarms, what the load balancer's C(bandup:alarms) tag holds once they
      are right).
  type: dict
"""

from ansible_collections.bandup.ecs.plugins.module_utils._cloudwatch import alarms
from ansible_collections.bandup.ecs.plugins.module_utils.topology import plain


def _deployment_alarms(topology, enabled, load_balancer_arn=None, target_groups=None, settings=None):
    return alarms.plan(plain(topology), bool(enabled), load_balancer_arn or None, plain(target_groups or {}),
                       dict(plain(settings or {})))


class FilterModule:
    def filters(self):
        return {"deployment_alarms": _deployment_alarms}
