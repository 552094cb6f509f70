#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: deployment_status
short_description: Report what a Bandup deployment runs where, and what it costs
version_added: 0.1.0
description:
  - Reads (never writes) the ECS services of both AZs, their task definitions and the ALB listeners of a deployment
    described by the topology the C(bandup.ecs.topology) filter derives, and returns one row per application and AZ
    (standing, desired and running counts, task definition revision, image digest, Service Connect endpoint, target
    group weight), the ALB DNS name, an estimated monthly cost, and the topology as Mermaid and Graphviz source.
author:
  - Bandup platform team (@bandup)
options:
  topology:
    description: The topology the C(bandup.ecs.topology) filter derives (the C(bandup_topology) fact).
    type: dict
    required: true
  prices:
    description:
      - Prices for the cost estimate; the C(status) role loads them from its C(vars/prices.yml) with their date.
      - Keys C(checked) (the date they were recorded), C(currency), C(hours_per_month), C(fallback_region) and
        C(regions), per region C(fargate) and C(fargate_spot) (per architecture C(vcpu_hour) and C(gb_hour)),
        C(alb_hour), C(alb_lcu_hour), C(nat_hour), C(nat_gb) and C(logs_ingest_gb). A region without a table is
        estimated at the fallback region's prices, and the summary says so.
    type: dict
    required: true
  assumptions:
    description:
      - What the estimate assumes about usage, shown in the summary with it.
    type: dict
    default: {}
    suboptions:
      nat_gateways:
        description: How many NAT gateways the deployment runs (the network role creates one per AZ).
        type: int
        default: 0
      nat_gb_per_month:
        description: GB per month the NAT gateways process together (image pulls, calls out of the VPC).
        type: int
        default: 0
      log_gb_per_month:
        description: GB per month the services' log groups ingest.
        type: int
        default: 0
      alb_lcus:
        description: Load balancer capacity units the ALB uses on average.
        type: float
        default: 1
  price_list:
    description:
      - Read the prices from AWS's price list (the Price List Query API, C(pricing:GetProducts), in whichever of
        its Regions us-east-1, eu-central-1 and ap-south-1 is nearest the deployment's) for the deployment's Region,
        the shipped O(prices) filling what it does not answer (Fargate Spot, whose prices float, unless the list has
        it).
      - When the API is denied, unreachable or has no Fargate prices for the Region, or with C(false), the estimate
        uses O(prices) and the summary says so, with the table's date and why.
    type: bool
    default: true
    version_added: 0.3.0
  architecture:
    description: CPU architecture of the tasks, for the price table.
    type: str
    default: X86_64
    choices: [X86_64, ARM64]
extends_documentation_fragment:
  - bandup.ecs.changes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the deployment
  bandup.ecs.deployment_status:
    topology: "{{ bandup_topology }}"
    prices: "{{ status_prices }}"
    assumptions:
      nat_gateways: 2
      nat_gb_per_month: 50
      log_gb_per_month: 5
  register: status

- name: Show it
  ansible.builtin.debug:
    msg: "{{ status.summary }}"
"""

RETURN = r"""
extends_documentation_fragment:
  - bandup.ecs.changes
report:
  description: Everything the summary shows, as data.
  returned: always
  type: dict
  contains:
    rows:
      description:
        - One entry per application and AZ.
        - C(standing) is C(active) or C(standby) (the live C(bandup:standing) tag, else the topology's).
      type: list
      elements: dict
      sample:
        - {app: backend, az: us-east-1a, service: bandup-backend-a, standing: active, exists: true, desired: 2, running: 2,
           revision: 3, image_digest: "sha256:4f1c...", service_connect: "backend:8080",
           target_group: bandup-backend-a, weight: 100}
    alb_dns_name:
      description: DNS name of the load balancer, or null when it does not exist.
      type: str
      sample: bandup-123456789.us-east-1.elb.amazonaws.com
    zonal_shifts:
      description: The load balancer's active ARC zonal shifts (C(zonal_shift_id), C(away_from) (an AZ ID),
        C(expiry_time), C(comment), ...); empty when none or when it does not exist.
      type: list
      elements: dict
    cells:
      description: The deployment's cells, C({az, namespace}) (C(bandup_topology.cells)).
      type: list
      elements: dict
    cost:
      description:
        - Estimated monthly cost per ECS service and ALB, and the total.
        - C(prices_source) is C(price-list-api) (AWS's price list; C(prices_effective) and C(prices_published) are
          the dates of the price list terms used, C(pricing_region) the API's Region) or C(table) (the shipped
          prices, recorded C(prices_checked); C(fallback_reason) says why). C(prices_from_table) names the figures
          the API did not answer.
      type: dict
summary:
  description: The report as lines of text for a person.
  returned: always
  type: list
  elements: str
mermaid:
  description: Mermaid flowchart source of the deployment.
  returned: always
  type: str
dot:
  description: Graphviz DOT source of the deployment.
  returned: always
  type: str
"""


from ansible_collections.bandup.ecs.plugins.module_utils._pricing import pricing
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import status
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet


def main():
    module = AWSModule(
        argument_spec=dict(
            topology=dict(type="dict", required=True),
            prices=dict(type="dict", required=True),
            price_list=dict(type="bool", default=True),
            architecture=dict(type="str", default="X86_64", choices=["X86_64", "ARM64"]),
            assumptions=dict(type="dict", default={}, options=dict(
                nat_gateways=dict(type="int", default=0),
                nat_gb_per_month=dict(type="int", default=0),
                log_gb_per_month=dict(type="int", default=0),
                alb_lcus=dict(type="float", default=1),
            )),
        ),
        supports_check_mode=True,
    )
    params = module.params
    ecs, elb = module.client("ecs"), module.client("elbv2")
    prices = pricing.prices_for(lambda region: module.client("pricing", region=region, config=pricing.CLIENT_CONFIG),
                                params["topology"]["region"], params["prices"], params["price_list"])
    run(module, ChangeSet(), lambda: status.deployment_report(
        ecs, elb, params["topology"], prices, params["architecture"], params["assumptions"],
        arc=lambda: module.client("arc-zonal-shift")))


if __name__ == "__main__":
    main()
