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
extends_documentation_fragment:
  - bandup.ecs.ecs_service.scaling
  - bandup.ecs.changes
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
extends_documentation_fragment:
  - bandup.ecs.changes
resource_id:
  description: The scalable target's resource id.
  returned: always
  type: str
  sample: service/prod/prod-backend-a
"""

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_scaling as scaling
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet


def ensure_present(client, params, rid, changes):
    wanted = scaling.wanted_policies(params)
    target = scaling.scalable_target(client, rid)
    live = scaling.policies(client, rid) if target else {}
    register, put, delete = scaling.plan(target, live, params["min_capacity"], params["max_capacity"], wanted)
    changes.diff(rid, {"target": target and [target["MinCapacity"], target["MaxCapacity"]], "policies": sorted(live)},
                 {"target": [params["min_capacity"], params["max_capacity"]], "policies": sorted(wanted)})
    scaling.apply(client, rid, params["min_capacity"], params["max_capacity"], register, put, delete, changes,
                  live=live)
    return dict(resource_id=rid)


def ensure_absent(client, rid, changes):
    if scaling.scalable_target(client, rid):
        scaling.deregister(client, rid, changes)
    return dict(resource_id=rid)


def main():
    module = AWSModule(
        argument_spec=dict(cluster=dict(type="str", required=True), service=dict(type="str", required=True),
                           **scaling.SCALING_OPTIONS),
        required_if=scaling.SCALING_REQUIRED_IF,
        supports_check_mode=True,
    )
    params = module.params
    changes = ChangeSet(module.check_mode, module._diff)
    client = module.client("application-autoscaling")
    rid = scaling.resource_id(params["cluster"], params["service"])
    if params["state"] == "absent":
        run(module, changes, lambda: ensure_absent(client, rid, changes))
    run(module, changes, lambda: ensure_present(client, params, rid, changes))


if __name__ == "__main__":
    main()
