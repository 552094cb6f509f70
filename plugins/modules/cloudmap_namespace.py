#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloudmap_namespace
short_description: Manage an AWS Cloud Map HTTP namespace (the namespace of ECS Service Connect)
version_added: 0.1.0
description:
  - Creates or deletes an AWS Cloud Map HTTP namespace, found by name, and manages its tags.
  - Creation and deletion are asynchronous in Cloud Map; the module polls C(GetOperation) until the
    operation succeeds, fails or I(wait_timeout) passes.
author:
  - Bandup platform team (@bandup)
options:
  name:
    description: Namespace name.
    type: str
    required: true
  state:
    description:
      - Whether the namespace exists.
      - Cloud Map refuses to delete a namespace that holds services (those ECS Service Connect creates, one per
        C(discoveryName), stay after the ECS services are deleted); see I(delete_services).
    type: str
    choices: [present, absent]
    default: present
  delete_services:
    description:
      - With I(state=absent), delete every service of the namespace first, each after deregistering the instances
        it still has, then the namespace. Meant for a teardown that has already deleted the ECS services using
        the namespace (ECS deregisters their tasks itself; what remains is stale).
      - When false and the namespace holds services, the module fails naming them, before any write.
      - Each service deleted (in check mode, to be deleted) is one item of C(changes), resource
        C(cloud map service NAME) and action C(delete).
    type: bool
    default: false
  description:
    description: Description, used at creation only (Cloud Map cannot change it).
    type: str
  wait_timeout:
    description: Seconds to wait for the create or delete operation.
    type: int
    default: 300
extends_documentation_fragment:
  - bandup.ecs.changes
  - bandup.ecs.tags
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Service Connect namespace
  bandup.ecs.cloudmap_namespace:
    name: bandup-prod
    tags:
      bandup:managed-by: bandup.ecs
  register: namespace

- name: Delete it with the services Service Connect created in it (after the ECS services are gone)
  bandup.ecs.cloudmap_namespace:
    name: bandup-prod
    state: absent
    delete_services: true
"""

RETURN = r"""
extends_documentation_fragment:
  - bandup.ecs.changes
  - bandup.ecs.cloudmap_namespace
"""

from ansible_collections.bandup.ecs.plugins.module_utils._cloudmap import cloudmap
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet


def main():
    module = AWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            description=dict(type="str"),
            tags=dict(type="dict", aliases=["resource_tags"]),
            purge_tags=dict(type="bool", default=False),
            delete_services=dict(type="bool", default=False),
            wait_timeout=dict(type="int", default=300),
        ),
        supports_check_mode=True,
    )
    params = module.params
    clients = cloudmap.Clients(lambda: module.client("servicediscovery"),
                               lambda: module.write_client("servicediscovery"))
    changes = ChangeSet(module.check_mode, module._diff)  # pylint: disable=protected-access
    if params["state"] == "absent":
        run(module, changes, lambda: cloudmap.ensure_absent(clients.client, changes, params["name"],
                                                            params["delete_services"], params["wait_timeout"]))
        return
    run(module, changes, lambda: {"namespace": cloudmap.ensure_http_namespace(
        clients, changes, params["name"], params["description"], params["tags"], params["purge_tags"],
        params["wait_timeout"])})


if __name__ == "__main__":
    main()
