#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: topology
short_description: Validate a Bandup deployment and derive every resource name
version_added: 0.1.0
description:
  - Checks the deployment variables (Fargate CPU/memory pairs, name limits, availability zones, counts,
    Service Connect uniqueness, ports, service dependencies) and returns the topology that every role of
    C(bandup.ecs) reads, with the AWS resource names derived in one place.
  - Makes no AWS call. Runs on the controller's Python like any module; safe in check mode.
author:
  - Bandup platform team
options:
  name:
    description: Deployment name, the prefix of every resource name (C(bandup_name)).
    type: str
    required: true
  region:
    description: AWS region the deployment lives in.
    type: str
    required: true
  active_az:
    description: Availability zone that runs the active tasks (C(bandup_active_az)).
    type: str
    required: true
  standby_az:
    description: Availability zone that runs the standby tasks (C(bandup_standby_az)).
    type: str
    required: true
  ecr_prefix:
    description: Prefix of the ECR repository names (C(bandup_ecr_prefix)).
    type: str
    default: ielts-
  azs_in_region:
    description:
      - Availability zone names of the region, when known; each AZ above must be one of them.
    type: list
    elements: str
  services:
    description:
      - The C(bandup_services) list; see the C(bandup) role's argument spec for every key.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Derive the topology
  bandup.ecs.topology:
    name: bandup-prod
    region: eu-west-1
    active_az: eu-west-1a
    standby_az: eu-west-1b
    services:
      - name: backend
        port: 8080
        health_path: /actuator/health
        cpu: 1024
        memory: 2048
        build:
          context: /src/backend
        service_connect:
          server: true
  register: topology
"""

RETURN = r"""
topology:
  description: The validated deployment with defaults applied and resource names derived.
  returned: always
  type: dict
  contains:
    cluster:
      description: ECS cluster name.
      type: str
      sample: bandup-prod
    namespace:
      description: Cloud Map HTTP namespace used by Service Connect.
      type: str
      sample: bandup-prod
    load_balancer:
      description: ALB name.
      type: str
      sample: bandup-prod
    tags:
      description: Tags the collection puts on everything it creates (teardown deletes only these).
      type: dict
      sample: {"bandup:managed-by": "bandup.ecs", "bandup:deployment": "bandup-prod"}
    services:
      description:
        - One entry per service in dependency order (C(depends_on) first), every key of the input with
          defaults applied, plus C(family), C(repository), C(log_group), C(execution_role), C(task_role),
          C(security_group) and C(placements) (one per AZ with C(role), C(az), C(desired_count),
          C(service_name), C(target_group_name), C(capacity_provider)).
      type: list
      elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.bandup.ecs.plugins.module_utils.topology import TopologyError, build_topology


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            region=dict(type="str", required=True),
            active_az=dict(type="str", required=True),
            standby_az=dict(type="str", required=True),
            ecr_prefix=dict(type="str", default="ielts-"),
            azs_in_region=dict(type="list", elements="str"),
            services=dict(type="list", elements="dict", required=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        topology = build_topology(
            params["name"], params["region"], params["active_az"], params["standby_az"],
            params["services"], ecr_prefix=params["ecr_prefix"], azs_in_region=params["azs_in_region"],
        )
    except TopologyError as err:
        module.fail_json(msg=str(err))
    module.exit_json(changed=False, topology=topology)


if __name__ == "__main__":
    main()
