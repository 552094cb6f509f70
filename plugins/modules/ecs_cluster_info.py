#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_cluster_info
short_description: Read an ECS cluster and its Service Connect default namespace
version_added: 0.1.0
description:
  - Describes one ECS cluster (with tags and settings) and the AWS Cloud Map namespace set as its Service Connect
    default. Read-only.
  - With I(namespaces), also the Cloud Map HTTP namespaces of those names (one C(ListNamespaces), which then also
    finds the default namespace).
author:
  - Bandup platform team (@bandup)
options:
  namespaces:
    description: Names of Cloud Map HTTP namespaces to look up (e.g. the Service Connect namespaces of the cells).
    type: list
    elements: str
    version_added: 0.3.0
extends_documentation_fragment:
  - bandup.ecs.changes
  - bandup.ecs.cluster.name
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the cluster
  bandup.ecs.ecs_cluster_info:
    name: bandup-prod
  register: cluster
"""

RETURN = r"""
extends_documentation_fragment:
  - bandup.ecs.changes
exists:
  description: Whether an ACTIVE cluster of that name exists.
  returned: always
  type: bool
  sample: true
cluster:
  description: The cluster as ECS describes it (snake_case keys), with its tags as a dict; empty when missing.
  returned: always
  type: dict
namespace:
  description: The Service Connect default namespace (C(id), C(arn), C(name)); empty when there is none.
  returned: always
  type: dict
  sample: {"id": "ns-abc", "arn": "arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-abc", "name": "bandup-prod"}
namespaces:
  description: The namespaces of I(namespaces) that exist, by name, each C(id), C(arn), C(name).
  returned: when I(namespaces) is given
  type: dict
  sample: {"bandup-prod.cell-b": {"id": "ns-def", "arn": "arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-def",
                                  "name": "bandup-prod.cell-b"}}
"""

from ansible_collections.bandup.ecs.plugins.module_utils._cloudmap import cloudmap
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_cluster
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet


def main():
    module = AWSModule(argument_spec=dict(name=dict(type="str", required=True),
                                          namespaces=dict(type="list", elements="str")), supports_check_mode=True)
    ecs = module.client("ecs")
    servicediscovery = cloudmap.Clients(lambda: module.client("servicediscovery"))
    run(module, ChangeSet(), lambda: ecs_cluster.cluster_info(ecs, servicediscovery, module.params["name"],
                                                              module.params["namespaces"]))


if __name__ == "__main__":
    main()
