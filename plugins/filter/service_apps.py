# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: service_apps
short_description: The apps option of bandup.ecs.ecs_app_services for a deployment (the service role's input)
version_added: 0.2.0
description:
  - Per app of the topology, in dependency order, its steady-state active and standby service entries for
    M(bandup.ecs.ecs_app_services) (the service role's only input to it); built and tested in
    C(plugins/plugin_utils/service_entries.py).
  - Each entry names its cell's Service Connect namespace (the AZ's, C(placement.namespace) of the topology); a
    C(service_connect.server) app serves its endpoint in both cells, the others are clients in both.
  - The active entry runs C(active_count) tasks and carries the app's autoscaling (CPU, memory, and ALB requests per
    target with the resource label built from the load balancer's and the target group's ARNs); the standby entry is
    forced to C(standby_count) on the standby capacity provider, without a scalable target.
author:
  - Bandup platform team (@bandup)
positional: _input
options:
  _input:
    description: C(bandup_topology).
    type: dict
    required: true
  cluster:
    description: C(cluster_outputs).
    type: dict
    required: true
  network:
    description: C(network_outputs).
    type: dict
    required: true
  task_definitions:
    description: C(task_definition_outputs).
    type: dict
    required: true
  alb:
    description: C(alb_outputs); empty when no app has an ALB.
    type: dict
    default: {}
  settings:
    description:
      - The service role's settings without their C(service_) prefix (C(deployment_minimum_healthy_percent),
        C(deployment_maximum_percent), C(circuit_breaker), C(circuit_breaker_rollback), C(platform_version),
        C(health_check_grace_period), C(scale_in_cooldown), C(scale_out_cooldown)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Converge every app
  bandup.ecs.ecs_app_services:
    cluster: "{{ cluster_outputs.name }}"
    apps: "{{ bandup_topology | bandup.ecs.service_apps(cluster=cluster_outputs, network=network_outputs,
      task_definitions=task_definition_outputs, alb=alb_outputs, settings=service_settings) }}"
"""

RETURN = r"""
_value:
  description: A list of C({name, active, standby}), the entries in the shape of M(bandup.ecs.ecs_app_services)'s I(apps).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.bandup.ecs.plugins.module_utils.topology import plain
from ansible_collections.bandup.ecs.plugins.plugin_utils import service_entries as entries


def _apps(topology, cluster, network, task_definitions, alb=None, settings=None):
    try:
        return entries.apps(plain(topology), plain(cluster), plain(network), plain(task_definitions),
                            alb=plain(alb or {}), settings=plain(settings or {}))
    except entries.EntryError as err:
        raise AnsibleFilterError(str(err)) from err


def _missing(topology, cluster=None, network=None, task_definitions=None):
    return entries.missing_inputs(plain(topology), plain(cluster or {}), plain(network or {}),
                                  plain(task_definitions or {}))


class FilterModule:
    def filters(self):
        return {"service_apps": _apps, "service_missing": _missing}
