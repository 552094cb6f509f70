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
  - With I(lookup_live=true) it also makes two read-only calls, for the region's availability zones (each AZ must be
    one of them) and for the ECS cluster's C(bandup:active-az) tag. Once the deployment exists, which AZ is active is
    live state owned by the failover playbook; I(active_az) is then only the initial placement.
  - Never writes; safe in check mode.
author:
  - Bandup platform team (@bandup)
options:
  name:
    description: Deployment name, the prefix of every resource name (C(bandup_name)).
    type: str
    required: true
  active_az:
    description: Availability zone that runs the active tasks at first deployment (C(bandup_active_az)).
    type: str
    required: true
  standby_az:
    description: Availability zone that runs the standby tasks at first deployment (C(bandup_standby_az)).
    type: str
    required: true
  ecr_prefix:
    description:
      - Prefix of the ECR repository names (C(bandup_ecr_prefix)); a repository is prefix, I(name), C(-) and the
        service name.
    type: str
    default: ielts-
  services:
    description:
      - The C(bandup_services) list; see the C(bandup) role's argument spec for every key.
    type: list
    elements: dict
    required: true
  tags:
    description:
      - Extra tags for every resource (C(bandup_tags)); the collection's own C(bandup:*) tags cannot be overridden.
    type: dict
    default: {}
  lookup_live:
    description:
      - Check the AZs against the region and read the live active AZ from the cluster tag.
      - With C(false) the module makes no AWS call at all.
      - The C(bandup.ecs.topology) filter with the C(bandup.ecs.live_state) lookup returns the same topology without
        starting a module; the C(bandup) role derives it that way.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
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
          C(security_group) and C(placements) (one per AZ with C(role), C(az), C(desired_count),
          C(service_name), C(target_group_name), C(capacity_provider)).
      type: list
      elements: dict
"""

from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule
from ansible_collections.bandup.ecs.plugins.module_utils.live_state import live_facts
from ansible_collections.bandup.ecs.plugins.module_utils.topology import TopologyError, build_topology


def main():
    module = AWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            active_az=dict(type="str", required=True),
            standby_az=dict(type="str", required=True),
            ecr_prefix=dict(type="str", default="ielts-"),
            services=dict(type="list", elements="dict", required=True),
            tags=dict(type="dict", default={}),
            lookup_live=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not module.region:
        module.fail_json(msg="bandup_region: no AWS region given")
    live = {}
    if params["lookup_live"]:
        try:
            live = live_facts(module.client("ec2"), module.client("ecs"), params["name"])
        except Exception as err:  # pylint: disable=broad-except
            module.fail_json_aws(err, msg="Could not read the region's availability zones or the cluster's tags")
    try:
        topology = build_topology(
            params["name"], module.region, params["active_az"], params["standby_az"], params["services"],
            ecr_prefix=params["ecr_prefix"], tags=params["tags"], **live,
        )
    except TopologyError as err:
        module.fail_json(msg=str(err))
    module.exit_json(changed=False, topology=topology)


if __name__ == "__main__":
    main()
