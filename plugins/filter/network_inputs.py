# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: network_inputs
short_description: The network role's security groups, subnets by tier and adopted subnet checks
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
  alb_ingress_cidrs:
    description: C(network_alb_ingress_cidrs).
    type: list
    elements: str
    default: []
  subnets:
    description: Subnets as amazon.aws.ec2_vpc_subnet_info returns them.
    type: list
    elements: dict
    default: []
  public_subnet_ids:
    description: C(network_public_subnet_ids).
    type: dict
    default: {}
  private_subnet_ids:
    description: C(network_private_subnet_ids).
    type: dict
    default: {}
  vpc_id:
    description: C(network_vpc_id).
    type: str
    default: ''
"""

RETURN = r"""
_value:
  description:
    - C(security_groups) (M(bandup.ecs.network)'s option), C(subnets_by_tier) (C({public, private}), AZ to subnet id,
      of I(subnets) by their C(bandup:tier) tag), C(subnet_problems) (what is wrong with the adopted subnets among
      I(subnets), each naming its variable).
  type: dict
"""

from ansible_collections.bandup.ecs.plugins.plugin_utils import role_inputs
from ansible_collections.bandup.ecs.plugins.module_utils.topology import plain


def _network_inputs(topology, alb_ingress_cidrs=None, subnets=None, public_subnet_ids=None, private_subnet_ids=None,
                    vpc_id=""):
    topology, subnets = plain(topology), plain(subnets or [])
    return {"security_groups": role_inputs.security_groups(topology, plain(alb_ingress_cidrs or [])),
            "subnets_by_tier": role_inputs.subnets_by_tier(subnets),
            "subnet_problems": role_inputs.adopted_subnet_problems(subnets, plain(public_subnet_ids or {}),
                                                                   plain(private_subnet_ids or {}), vpc_id or "")}


class FilterModule:
    def filters(self):
        return {"network_inputs": _network_inputs}
