#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_cluster
short_description: Manage an ECS cluster with capacity providers, Container Insights and Service Connect defaults
version_added: 0.1.0
description:
  - Creates or updates an ECS cluster, its capacity providers and default capacity provider strategy, the
    C(containerInsights) setting and the Service Connect default namespace (C(serviceConnectDefaults)), and tags.
  - Compares each managed setting with the live cluster and writes only what differs. An option left unset is
    not managed.
  - I(initial_tags) are set only when the cluster is created or the tag key is missing; an existing value is
    never changed (another playbook owns it, e.g. the failover's C(bandup:active-az)).
  - In an account where the ECS service-linked role C(AWSServiceRoleForECS) does not exist yet, the first
    C(CreateCluster) with capacity providers creates it and fails with C(InvalidParameterException) "Unable to assume
    the service linked role"; the same request succeeds moments later. The module retries exactly that answer
    (C(CreateCluster) and C(PutClusterCapacityProviders)), with jittered waits, for about two minutes at most; any
    other C(InvalidParameterException) fails at once.
author:
  - Bandup platform team (@bandup)
options:
  state:
    description: Whether the cluster exists. Deleting fails while the cluster has services or tasks.
    type: str
    choices: [present, absent]
    default: present
  capacity_providers:
    description: Capacity providers of the cluster, e.g. C([FARGATE, FARGATE_SPOT]).
    type: list
    elements: str
  default_capacity_provider_strategy:
    description: The cluster's default capacity provider strategy.
    type: list
    elements: dict
    suboptions:
      capacity_provider:
        description: Capacity provider name; must be one of I(capacity_providers).
        type: str
        required: true
      weight:
        description: Relative share of tasks (0-1000).
        type: int
        default: 1
      base:
        description: Tasks placed on this provider first (0-100000; one entry at most has a non-zero base).
        type: int
        default: 0
  container_insights:
    description: The C(containerInsights) cluster setting.
    type: str
    choices: [enhanced, enabled, disabled]
  service_connect_namespace:
    description:
      - ARN of the AWS Cloud Map namespace set as the cluster's Service Connect default (C(serviceConnectDefaults)).
      - ECS reports the ARN; a name is looked up among the account's Cloud Map namespaces (one
        C(ListNamespaces)) and compared by its ARN. A name no namespace has yet is a difference (ECS creates an
        HTTP namespace of that name).
      - Mutually exclusive with I(service_connect_http_namespace).
    type: str
  service_connect_http_namespace:
    description:
      - The AWS Cloud Map HTTP namespace to find by name, or create, and set as the cluster's Service Connect
        default (what M(bandup.ecs.cloudmap_namespace) does, in the same run). It is tagged with I(tags); its tags
        not in I(tags) are kept.
      - With I(state=absent) the namespace is left alone (delete it with M(bandup.ecs.cloudmap_namespace)).
    type: dict
    suboptions:
      name:
        description: Namespace name.
        type: str
        required: true
      description:
        description: Description, used at creation only.
        type: str
      wait_timeout:
        description: Seconds to wait for the asynchronous namespace creation.
        type: int
        default: 300
  http_namespaces:
    description:
      - Names of further AWS Cloud Map HTTP namespaces to find or create (with the description of
        I(service_connect_http_namespace)) and tag with I(tags), in the same run, one C(ListNamespaces) for all of
        them and I(service_connect_http_namespace), which may be one of them. They are not set on the cluster; the
        service role's cells use them, each AZ's services naming their cell's namespace themselves.
      - With I(state=absent) they are left alone (delete them with M(bandup.ecs.cloudmap_namespace)).
    type: list
    elements: str
    version_added: 0.3.0
  tags:
    description: Tags on the cluster.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove tags that are in neither I(tags) nor I(initial_tags).
    type: bool
    default: false
  initial_tags:
    description:
      - Tags set only when the cluster is created or when the key is missing; an existing value is kept.
    type: dict
  live_cluster:
    description:
      - The cluster as C(ecs:DescribeClusters) with C(TAGS) and C(SETTINGS) answered earlier in the same run (the
        C(live.cluster) of the C(bandup.ecs.preflight) lookup); given, the module compares with it instead of
        reading the cluster again. Leave it out when anything may have changed the cluster since that read.
      - Ignored when it names another cluster or is empty.
    type: dict
    version_added: 0.1.0
extends_documentation_fragment:
  - bandup.ecs.changes
  - bandup.ecs.cluster.name
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Fargate cluster with Container Insights and a Service Connect namespace
  bandup.ecs.ecs_cluster:
    name: bandup-prod
    capacity_providers: [FARGATE, FARGATE_SPOT]
    default_capacity_provider_strategy:
      - capacity_provider: FARGATE
        weight: 1
    container_insights: enabled
    service_connect_namespace: "{{ namespace.namespace.arn }}"
    tags:
      bandup:managed-by: bandup.ecs
    initial_tags:
      bandup:active-az: eu-west-1a

- name: The same, creating the Service Connect namespace in the same run
  bandup.ecs.ecs_cluster:
    name: bandup-prod
    capacity_providers: [FARGATE, FARGATE_SPOT]
    container_insights: enabled
    service_connect_http_namespace:
      name: bandup-prod
      description: Service Connect namespace of bandup-prod
    tags:
      bandup:managed-by: bandup.ecs
  register: cluster
"""

RETURN = r"""
extends_documentation_fragment:
  - bandup.ecs.changes
  - bandup.ecs.cloudmap_namespace
namespaces:
  description:
    - The namespaces of I(http_namespaces) by name, each as C(namespace) (C(id), C(arn), C(name), C(tags)); in check
      mode a namespace that does not exist yet is only C(name).
  returned: when I(http_namespaces) is given
  type: dict
  sample: {"bandup-prod.cell-b": {"id": "ns-def", "arn": "arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-def",
                                  "name": "bandup-prod.cell-b", "tags": {}}}
cluster:
  description: The cluster as ECS describes it (snake_case keys), with its tags as a dict.
  returned: when I(state=present), except in check mode for a cluster that does not exist yet
  type: dict
  contains:
    cluster_name:
      description: Name.
      type: str
      sample: bandup-prod
    cluster_arn:
      description: ARN.
      type: str
      sample: arn:aws:ecs:eu-west-1:123456789012:cluster/bandup-prod
    capacity_providers:
      description: Capacity providers.
      type: list
      elements: str
      sample: [FARGATE, FARGATE_SPOT]
    service_connect_defaults:
      description: Service Connect defaults.
      type: dict
      sample: {"namespace": "arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-abc"}
    tags:
      description: Tags.
      type: dict
      sample: {"bandup:active-az": "eu-west-1a"}
"""

from ansible_collections.bandup.ecs.plugins.module_utils._cloudmap import cloudmap
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_cluster
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet


def main():
    module = AWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            capacity_providers=dict(type="list", elements="str"),
            default_capacity_provider_strategy=dict(type="list", elements="dict", options=dict(
                capacity_provider=dict(type="str", required=True),
                weight=dict(type="int", default=1),
                base=dict(type="int", default=0),
            )),
            container_insights=dict(type="str", choices=["enhanced", "enabled", "disabled"]),
            service_connect_namespace=dict(type="str"),
            service_connect_http_namespace=dict(type="dict", options=dict(
                name=dict(type="str", required=True),
                description=dict(type="str"),
                wait_timeout=dict(type="int", default=300),
            )),
            http_namespaces=dict(type="list", elements="str"),
            tags=dict(type="dict", aliases=["resource_tags"]),
            purge_tags=dict(type="bool", default=False),
            initial_tags=dict(type="dict"),
            live_cluster=dict(type="dict"),
        ),
        mutually_exclusive=[("service_connect_namespace", "service_connect_http_namespace")],
        supports_check_mode=True,
    )
    params = module.params
    ecs = module.client("ecs")
    changes = ChangeSet(module.check_mode, module._diff)  # pylint: disable=protected-access
    if params["state"] == "absent":
        run(module, changes, lambda: ecs_cluster.ensure_absent(ecs, changes, params["name"]))
        return
    servicediscovery = cloudmap.Clients(lambda: module.client("servicediscovery"),
                                        lambda: module.write_client("servicediscovery"))
    cluster = ecs_cluster.Cluster(**{key: params[key] for key in (
        "name", "capacity_providers", "default_capacity_provider_strategy", "container_insights",
        "service_connect_namespace", "service_connect_http_namespace", "http_namespaces", "tags", "purge_tags",
        "initial_tags", "live_cluster")})
    run(module, changes, lambda: ecs_cluster.ensure_present(ecs, servicediscovery, changes, cluster))


if __name__ == "__main__":
    main()
