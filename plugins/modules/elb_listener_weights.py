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
changes:
  description: The actions whose weights were (or in check mode would be) changed, target group ARN to weight.
  returned: always
  type: list
  elements: dict
  sample: [{"rule": "default", "before": [{"arn:...:targetgroup/a": 100, "arn:...:targetgroup/b": 0}],
            "after": [{"arn:...:targetgroup/a": 0, "arn:...:targetgroup/b": 100}]}]
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


from ansible_collections.bandup.ecs.plugins.module_utils import elb_listener as lst
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule


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
    elbv2 = module.client("elbv2")
    try:
        if lst.get_listener(elbv2, module.params["listener_arn"]) is None:
            module.fail_json(msg=f"listener_arn: listener {module.params['listener_arn']} does not exist")
        changes = lst.set_weights(elbv2, module.params["listener_arn"], weights, check_mode=module.check_mode)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to set the listener's target group weights")
    result = dict(changed=bool(changes), changes=changes)
    if module._diff:
        result["diff"] = {"before": {f"rule {c['rule']}": c["before"] for c in changes},
                          "after": {f"rule {c['rule']}": c["after"] for c in changes}}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
