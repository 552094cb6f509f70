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
author:
  - Bandup platform team (@bandup)
options:
  name:
    description: Cluster name.
    type: str
    required: true
extends_documentation_fragment:
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
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.bandup.ecs.plugins.module_utils import cloudmap
from ansible_collections.bandup.ecs.plugins.module_utils import ecs_cluster as api
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule


def main():
    module = AWSModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    ecs = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())
    servicediscovery = module.client("servicediscovery", retry_decorator=AWSRetry.jittered_backoff())
    try:
        cluster = api.describe_cluster(ecs, module.params["name"])
        if cluster is None:
            module.exit_json(changed=False, exists=False, cluster={}, namespace={})
        out = camel_dict_to_snake_dict({k: v for k, v in cluster.items() if k != "tags"})
        out["tags"] = api.tags(cluster)
        namespace = {}
        arn = (cluster.get("serviceConnectDefaults") or {}).get("namespace")
        found = cloudmap.get_namespace(servicediscovery, arn.rsplit("/", 1)[-1]) if arn else None
        if found:
            namespace = {"id": found["Id"], "arn": found["Arn"], "name": found["Name"]}
        module.exit_json(changed=False, exists=True, cluster=out, namespace=namespace)
    except Exception as err:  # pylint: disable=broad-except
        module.fail_json_aws(err, msg=f"ECS cluster {module.params['name']}")


if __name__ == "__main__":
    main()
