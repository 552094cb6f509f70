#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_service_scaling
short_description: Target tracking autoscaling of one ECS service's desired count
version_added: 0.1.0
description:
  - Registers the Application Auto Scaling scalable target C(service/<cluster>/<service>) and its target
    tracking policies (CPU, memory, ALB requests per target); deletes the policies it is not given.
  - With I(state=absent) deregisters the scalable target (its policies go with it); the desired count then
    belongs to whoever sets it (the C(bandup.ecs.ecs_service) module).
  - Two read calls when nothing changes.
author:
  - Bandup platform team (@bandup)
options:
  cluster:
    description: Cluster name.
    type: str
    required: true
  service:
    description: Service name.
    type: str
    required: true
  state:
    description: C(present) or C(absent).
    type: str
    choices: [present, absent]
    default: present
  min_capacity:
    description: Lowest desired count. Required with I(state=present).
    type: int
  max_capacity:
    description: Highest desired count. Required with I(state=present).
    type: int
  policies:
    description: Target tracking policies.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Policy name.
        type: str
        required: true
      metric:
        description: C(cpu), C(memory) (percent) or C(requests) (ALB requests per target).
        type: str
        choices: [cpu, memory, requests]
        required: true
      target_value:
        description: The metric value to hold.
        type: float
        required: true
      resource_label:
        description: C(app/<lb>/<id>/targetgroup/<tg>/<id>); required for C(requests).
        type: str
      scale_in_cooldown:
        description: Seconds after a scale-in before another.
        type: int
        default: 300
      scale_out_cooldown:
        description: Seconds after a scale-out before another.
        type: int
        default: 60
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Scale the active backend on CPU
  bandup.ecs.ecs_service_scaling:
    cluster: prod
    service: prod-backend-a
    min_capacity: 2
    max_capacity: 4
    policies:
      - name: cpu
        metric: cpu
        target_value: 60

- name: The standby has no scalable target
  bandup.ecs.ecs_service_scaling:
    cluster: prod
    service: prod-backend-b
    state: absent
"""

RETURN = r"""
resource_id:
  description: The scalable target's resource id.
  returned: always
  type: str
  sample: service/prod/prod-backend-a
policies:
  description: Names of the policies that were put or deleted (or would be, in check mode).
  returned: always
  type: dict
  sample: {"put": ["cpu"], "deleted": []}
"""

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # handled by AnsibleAWSModule


from ansible_collections.bandup.ecs.plugins.module_utils import ecs_scaling as scaling
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule


def ensure_present(module, client, rid):
    params = module.params
    try:
        wanted = scaling.wanted_policies(params)
    except scaling.ScalingError as err:
        module.fail_json(msg=str(err))
    target = scaling.scalable_target(client, rid)
    live = scaling.policies(client, rid) if target else {}
    register, put, delete = scaling.plan(target, live, params["min_capacity"], params["max_capacity"], wanted)
    changed = bool(register or put or delete)
    if changed and not module.check_mode:
        scaling.apply(client, rid, params["min_capacity"], params["max_capacity"], register, put, delete)
    result = dict(changed=changed, resource_id=rid, policies={"put": sorted(put), "deleted": delete})
    if module._diff:
        result["diff"] = {
            "before": {"target": target and [target["MinCapacity"], target["MaxCapacity"]], "policies": sorted(live)},
            "after": {"target": [params["min_capacity"], params["max_capacity"]], "policies": sorted(wanted)}}
    module.exit_json(**result)


def ensure_absent(module, client, rid):
    target = scaling.scalable_target(client, rid)
    if target and not module.check_mode:
        scaling.deregister_target(client, rid)
    module.exit_json(changed=bool(target), resource_id=rid, policies={"put": [], "deleted": []})


def main():
    module = AWSModule(
        argument_spec=dict(cluster=dict(type="str", required=True), service=dict(type="str", required=True),
                           **scaling.SCALING_OPTIONS),
        supports_check_mode=True,
    )
    client = module.client("application-autoscaling")
    rid = scaling.resource_id(module.params["cluster"], module.params["service"])
    try:
        if module.params["state"] == "absent":
            ensure_absent(module, client, rid)
        ensure_present(module, client, rid)
    except (BotoCoreError, ClientError) as err:
        module.fail_json_aws(err, msg=f"Autoscaling of {rid}")


if __name__ == "__main__":
    main()
