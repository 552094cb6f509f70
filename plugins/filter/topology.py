# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: topology
short_description: Validate a Bandup deployment and derive every resource name, on the controller
version_added: 0.1.0
description:
  - The topology of a deployment (plugins/module_utils/topology.py), computed on the controller without starting a
    module, with every check (Fargate CPU/memory pairs, name limits, counts, Service Connect uniqueness, ports,
    service dependencies) and every resource name the roles use. The C(bandup) role sets C(bandup_topology) with it.
  - It reads nothing from AWS itself. Given I(live) (the C(live) of the C(bandup.ecs.preflight) lookup) it checks
    the AZs against the region and takes the active AZ from the cluster's C(bandup:active-az) tag; without it the
    active AZ is the inventory's (C(active_az_source=inventory)). The C(bandup) role passes I(live) unless
    the run's roles need neither (C(--tags ecr), C(--tags image)).
  - Fails with the variable's name on bad input.
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
    default: ''
  tags:
    description: C(bandup_tags).
    type: dict
    default: {}
  live:
    description:
      - The C(live) of the C(bandup.ecs.preflight) lookup (C(azs_in_region), C(live_active_az),
        C(live_namespace_az)); the AZs are then checked against the region, the active AZ is the cluster's
        C(bandup:active-az) tag once it exists, and the cell that keeps the namespace named C(bandup_name) is the
        cluster's C(bandup:namespace-az) tag (without it, the active AZ's).
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
  description: The validated deployment with defaults applied and resource names derived.
  type: dict
  contains:
    cluster:
      description: ECS cluster name.
      type: str
      sample: bandup-prod
    namespace:
      description: The cluster's default Service Connect namespace (a Cloud Map HTTP namespace), the cell namespace
        of C(namespace_az).
      type: str
      sample: bandup-prod
    namespace_az:
      description: The AZ whose cell uses the namespace named C(bandup_name) (the cluster's C(bandup:namespace-az) tag
        once set; else the active AZ).
      type: str
      sample: eu-west-1a
    cells:
      description:
        - One cell per AZ (sorted by AZ), C({az, namespace}). Each AZ's services use their cell's Service Connect
          namespace; the backend serves its endpoint in both cells. The namespaces are C(bandup_name) (the cell of
          C(namespace_az)) and C(<bandup_name>.cell-<az suffix>).
      type: list
      elements: dict
      sample: [{"az": "eu-west-1a", "namespace": "bandup-prod"}, {"az": "eu-west-1b", "namespace": "bandup-prod.cell-b"}]
    load_balancer:
      description: ALB name.
      type: str
      sample: bandup-prod
    active_az:
      description: The AZ that is active now (the cluster tag once the cluster exists, else I(active_az)).
      type: str
      sample: eu-west-1a
    active_az_source:
      description: Where C(active_az) came from, C(inventory) or C(cluster tag).
      type: str
      sample: cluster tag
    tags:
      description: Tags the collection puts on everything it creates (teardown deletes only these).
      type: dict
      sample: {"bandup:managed-by": "bandup.ecs", "bandup:deployment": "bandup-prod"}
    services:
      description:
        - One entry per service in dependency order (C(depends_on) first), every key of the input with
          defaults applied, plus C(family), C(repository), C(log_group), C(execution_role), C(task_role),
          C(security_group) and C(placements) (one per AZ with C(standing) (C(active) or C(standby)), C(az), C(desired_count),
          C(service_name), C(target_group_name), C(capacity_provider), C(namespace), the Service Connect namespace of its cell).
      type: list
      elements: dict
"""


from ansible.errors import AnsibleFilterError

from ansible_collections.bandup.ecs.plugins.module_utils.topology import TopologyError, build_topology, plain


def _topology(services, name, region, active_az, standby_az, ecr_prefix="", tags=None, live=None):
    live = live or {}
    try:
        return build_topology(name, region, active_az, standby_az, plain(services), ecr_prefix=ecr_prefix,
                              tags=tags, azs_in_region=live.get("azs_in_region"),
                              live_active_az=live.get("live_active_az"),
                              live_namespace_az=live.get("live_namespace_az"))
    except TopologyError as err:
        raise AnsibleFilterError(str(err)) from err


class FilterModule:
    def filters(self):
        return {"topology": _topology}
