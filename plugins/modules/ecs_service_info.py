#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_service_info
short_description: Read the placement state of ECS services (standing tag, Service Connect role, counts)
version_added: 0.1.0
description:
  - One C(DescribeServices) call for up to 10 services of a cluster. Read-only.
  - C(service_connect_server) is read from the PRIMARY deployment's Service Connect configuration when the
    response reports it, else from the C(bandup:sc-role) tag that the C(service) role records with each change.
author:
  - Bandup platform team (@bandup)
options:
  names:
    description: Service names (at most 10).
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - bandup.ecs.changes
  - bandup.ecs.cluster
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read both placements of the backend
  bandup.ecs.ecs_service_info:
    cluster: prod
    names: [prod-backend-a, prod-backend-b]
  register: placements
"""

RETURN = r"""
extends_documentation_fragment:
  - bandup.ecs.changes
services:
  description:
    - Service name to its state; C(exists=false) for a missing or INACTIVE service.
    - C(standing) is C(active) or C(standby), from the C(bandup:standing) tag, else the C(bandup:role) tag
      that earlier releases wrote (a service not converged since), null when it has neither.
    - C(steady) is true when the PRIMARY deployment is C(COMPLETED), alone, and runs the desired count.
  returned: always
  type: dict
  sample: {"prod-backend-a": {"exists": true, "desired_count": 2, "running_count": 2, "standing": "active",
           "service_connect_server": true, "tags": {"bandup:standing": "active"}, "task_definition": "arn:...",
           "steady": true}}
"""

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import status
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet


def main():
    module = AWSModule(
        argument_spec=dict(cluster=dict(type="str", required=True),
                           names=dict(type="list", elements="str", required=True)),
        supports_check_mode=True,
    )
    names = module.params["names"]
    ecs = module.client("ecs")
    run(module, ChangeSet(), lambda: status.placements(ecs, module.params["cluster"], names))


if __name__ == "__main__":
    main()
