#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: elb_listener_weights
short_description: Set target group weights on every forward action of an ALB listener
version_added: 0.1.0
description:
  - For each forward action of the listener (its default action and its rules) that references one of the given
    target groups, sets those groups' weights and leaves the other groups of the action as they are.
  - Moves traffic between the active and the standby target group of a service, e.g. during a failover.
  - Reports a change only when a weight differs; actions that reference none of the groups are not touched.
  - The one writer of the listeners' weights (with the service code, through the same module_utils function
    C(elb_listener.set_weights)); M(bandup.ecs.load_balancer) sets weights only on the listeners and rules it creates.
  - Reads the listener's rules with one C(DescribeRules) call (the default action is the default rule); writes
    C(ModifyListener) for the default action (C(changes) resource C(listener <load balancer>/<id>)) and
    C(ModifyRule) for a rule (C(rule <priority> on listener <load balancer>/<id>)), action C(weights). In diff mode
    the diff holds each written action's weights by target group name.
author:
  - Bandup platform team (@bandup)
options:
  listener_arn:
    description: ARN of the listener.
    type: str
    required: true
  weights:
    description: Target group ARN to weight (0-999). Weight 0 sends no traffic but keeps the group health-checked.
    type: dict
    required: true
extends_documentation_fragment:
  - bandup.ecs.changes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Fail the backend over to AZ b
  bandup.ecs.elb_listener_weights:
    listener_arn: "{{ alb_outputs.listener_arns[0] }}"
    weights:
      "{{ alb_outputs.target_groups['bandup-backend-a'] }}": 0
      "{{ alb_outputs.target_groups['bandup-backend-b'] }}": 100
"""

RETURN = r"""
extends_documentation_fragment:
  - bandup.ecs.changes
"""

from ansible_collections.bandup.ecs.plugins.module_utils import elb_listener as lst
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet


def main():
    module = AWSModule(
        argument_spec=dict(listener_arn=dict(type="str", required=True), weights=dict(type="dict", required=True)),
        supports_check_mode=True,
    )
    weights = {}
    for arn, weight in module.params["weights"].items():
        try:
            weights[arn] = int(weight)
        except (TypeError, ValueError):
            module.fail_json(msg=f"weights: '{weight}' for {arn} is not an integer")
        if not 0 <= weights[arn] <= 999:
            module.fail_json(msg=f"weights: {weight} for {arn} is outside 0-999")
    changes = ChangeSet(module.check_mode, module._diff)
    elbv2 = module.client("elbv2")

    def body():
        lst.set_weights(elbv2, module.params["listener_arn"], weights, changes)
        return {}

    run(module, changes, body)


if __name__ == "__main__":
    main()
