# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: topology
short_description: Validate a Bandup deployment and derive every resource name, on the controller
version_added: 0.1.0
description:
  - The topology of the C(bandup.ecs.topology) module, computed on the controller
    without starting a module, with the same checks (Fargate CPU/memory pairs, name limits, counts, Service Connect
    uniqueness, ports, service dependencies) and the same resource names, from the same code.
  - It reads nothing from AWS itself. Given I(live) (the C(bandup.ecs.live_state) lookup) it checks the AZs against
    the region and takes the active AZ from the cluster's C(bandup:active-az) tag, as the module does; without
    it the active AZ is the inventory's (C(active_az_source=inventory)). The C(bandup) role passes I(live) unless
    the run's roles need neither (C(--tags ecr), C(--tags image)).
  - Fails with the variable's name on bad input, like the module.
author:
  - Bandup platform team (@bandup)
positional: _input
options:
  _input:
    description: The C(bandup_services) list.
    type: list
    elements: dict
    required: true
  name:
    description: Deployment name (C(bandup_name)).
    type: str
    required: true
  region:
    description: AWS region (C(bandup_region)).
    type: str
    required: true
  active_az:
    description: C(bandup_active_az).
    type: str
    required: true
  standby_az:
    description: C(bandup_standby_az).
    type: str
    required: true
  ecr_prefix:
    description: C(bandup_ecr_prefix).
    type: str
    default: ielts-
  tags:
    description: C(bandup_tags).
    type: dict
    default: {}
  live:
    description:
      - What the C(bandup.ecs.live_state) lookup returns (C(azs_in_region), C(live_active_az), C(live_evacuated_az));
        the AZs are then checked against the region, the active AZ is the cluster's C(bandup:active-az) tag once it
        exists, and the placements in an evacuated standby AZ are marked C(evacuated).
      - Without it nothing live is checked and the active AZ is the inventory's.
    type: dict
"""

EXAMPLES = r"""
- name: The topology of an image-only run
  ansible.builtin.set_fact:
    bandup_topology: >-
      {{ bandup_services | bandup.ecs.topology(name=bandup_name, region=bandup_region, active_az=bandup_active_az,
         standby_az=bandup_standby_az, ecr_prefix=bandup_ecr_prefix, tags=bandup_tags) }}
"""

RETURN = r"""
_value:
  description: The topology, as the C(topology) return value of the C(bandup.ecs.topology) module.
  type: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.bandup.ecs.plugins.module_utils.topology import TopologyError, build_topology


def _plain(value):
    """A plain copy of templated input: dicts and lists, not deepcopy (which copies ansible's lazy containers whole)."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _topology(services, name, region, active_az, standby_az, ecr_prefix="ielts-", tags=None, live=None):
    live = live or {}
    try:
        return build_topology(name, region, active_az, standby_az, _plain(services), ecr_prefix=ecr_prefix,
                              tags=tags, azs_in_region=live.get("azs_in_region"),
                              live_active_az=live.get("live_active_az"),
                              live_evacuated_az=live.get("live_evacuated_az"))
    except TopologyError as err:
        raise AnsibleFilterError(str(err)) from err


class FilterModule:
    def filters(self):
        return {"topology": _topology}
