#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: alb_zonal_shift
short_description: Start or cancel an ARC zonal shift of an Application Load Balancer
version_added: 0.3.0
description:
  - Moves an ALB's traffic away from one AZ with an AWS ARC zonal shift (C(arc-zonal-shift StartZonalShift)), or
    cancels the load balancer's active shifts (C(CancelZonalShift)). The load balancer needs the attribute
    C(zonal_shift.config.enabled=true) (the C(alb) role's C(alb_zonal_shift)).
  - The AZ is given by name and sent as its AZ ID (C(DescribeAvailabilityZones)), as the API requires.
  - With I(state=present), an active shift away from the same AZ is kept as it is (no change); an active shift away
    from another AZ is refused (one AZ per shift). With I(state=absent), every active shift of the load balancer is
    canceled.
  - Reads C(DescribeLoadBalancers) and C(ListZonalShifts) (plus C(DescribeAvailabilityZones) with I(state=present)).
author:
  - Bandup platform team (@bandup)
options:
  name:
    description: Name of the Application Load Balancer.
    type: str
    required: true
  state:
    description: C(present) - a zonal shift away from I(away_from) is active; C(absent) - none is.
    type: str
    choices: [present, absent]
    default: present
  away_from:
    description: Name of the AZ to move the traffic away from (e.g. C(us-east-1a)). Required with I(state=present).
    type: str
  expires_in:
    description: How long a new shift stays active, C(<n>m) or C(<n>h), from C(1m) to C(72h).
    type: str
    default: 2h
  comment:
    description: The shift's comment (at most 128 characters), e.g. naming the deployment and why.
    type: str
    default: bandup.ecs
extends_documentation_fragment:
  - bandup.ecs.changes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Move the ALB's traffic away from the failed AZ for two hours
  bandup.ecs.alb_zonal_shift:
    name: bandup-prod
    away_from: eu-west-1a
    expires_in: 2h
    comment: "bandup.ecs failover of bandup-prod"

- name: Cancel it
  bandup.ecs.alb_zonal_shift:
    name: bandup-prod
    state: absent
"""

RETURN = r"""
extends_documentation_fragment:
  - bandup.ecs.changes
shifts:
  description: The active zonal shifts of the load balancer after the run (none in check mode for a new one).
  returned: always
  type: list
  elements: dict
  sample: [{"zonal_shift_id": "f1c2...", "away_from": "use1-az1", "status": "ACTIVE", "comment": "bandup.ecs failover",
            "resource_identifier": "arn:aws:elasticloadbalancing:...", "expiry_time": "2026-12-06 10:00:00+00:00",
            "start_time": "2026-12-06 08:00:00+00:00"}]
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import zonal_shift
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet
from ansible_collections.bandup.ecs.plugins.module_utils._elbv2.load_balancer import find_load_balancer


def ensure(module, changes):
    params = module.params
    if len(params["comment"]) > 128:
        raise AnsibleAWSError(message="comment: at most 128 characters")
    if params["state"] == "present":
        zonal_shift.check_expires_in(params["expires_in"])
    lb = find_load_balancer(module.client("elbv2"), params["name"])
    if lb is None:
        raise AnsibleAWSError(message=f"name: load balancer {params['name']} does not exist")
    client = module.client("arc-zonal-shift")
    if params["state"] == "absent":
        return zonal_shift.ensure_absent(client, changes, lb["LoadBalancerArn"])
    away = zonal_shift.az_id(module.client("ec2"), params["away_from"])
    return zonal_shift.ensure_present(client, changes, lb["LoadBalancerArn"], away, params["expires_in"],
                                      params["comment"])


def main():
    module = AWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            away_from=dict(type="str"),
            expires_in=dict(type="str", default="2h"),
            comment=dict(type="str", default="bandup.ecs"),
        ),
        required_if=[("state", "present", ["away_from"])],
        supports_check_mode=True,
    )
    changes = ChangeSet(module.check_mode, module._diff)  # pylint: disable=protected-access
    run(module, changes, lambda: ensure(module, changes))


if __name__ == "__main__":
    main()
