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
  name:
    description: Cluster name.
    type: str
    required: true
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
extends_documentation_fragment:
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
namespace:
  description:
    - The namespace of I(service_connect_http_namespace) (in check mode, only C(name) for one that does not exist
      yet).
  returned: with I(service_connect_http_namespace) and I(state=present)
  type: dict
  contains:
    id:
      description: Namespace id.
      type: str
      sample: ns-abcdefghijklmnop
    arn:
      description: Namespace ARN.
      type: str
      sample: arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-abcdefghijklmnop
    name:
      description: Name.
      type: str
      sample: bandup-prod
    tags:
      description: Tags.
      type: dict
differences:
  description:
    - The managed settings that differed from the live cluster (C(create) for a new cluster), and C(namespace)
      when the namespace of I(service_connect_http_namespace) was created or retagged.
  returned: always
  type: list
  elements: str
  sample: ["containerInsights", "tags"]
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.bandup.ecs.plugins.module_utils import cloudmap
from ansible_collections.bandup.ecs.plugins.module_utils import ecs_cluster as api
from ansible_collections.bandup.ecs.plugins.module_utils import once
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule


def result(cluster):
    out = camel_dict_to_snake_dict({k: v for k, v in cluster.items() if k != "tags"})
    out["tags"] = api.tags(cluster)
    return out


def wanted_tags(params, live_tags):
    """The tags to compare with: I(tags), plus each initial tag whose key is not on the cluster yet."""
    wanted = dict(params["tags"] or {})
    for key, value in (params["initial_tags"] or {}).items():
        wanted[key] = live_tags.get(key, value)
    return wanted


def ensure_namespace(module):
    """Find or create the namespace of I(service_connect_http_namespace): ({"namespace": ...}, its changes, diff)."""
    wanted = module.params["service_connect_http_namespace"]
    if wanted is None:
        return {}, [], {}
    client = module.client("servicediscovery", retry_decorator=AWSRetry.jittered_backoff())
    try:
        changed, namespace, diff = cloudmap.ensure_http_namespace(
            client, wanted["name"], wanted["description"], module.params["tags"], False, module.check_mode,
            wanted["wait_timeout"], lambda: module.write_client("servicediscovery"))
    except cloudmap.OperationError as err:
        module.fail_json(msg=f"service_connect_http_namespace: Cloud Map namespace {wanted['name']}: {err}")
    # In check mode a namespace to be created has no ARN yet: ECS also accepts the name.
    module.params["service_connect_namespace"] = namespace.get("arn", wanted["name"])
    return {"namespace": namespace}, ["namespace"] if changed else [], {"namespace": diff}


def namespace_arn(module, namespace, live_arn):
    """I(service_connect_namespace) as ECS reports it: the ARN of the namespace of that name (the live one when
    several namespaces have it); the name itself when none has it yet."""
    if namespace is None or namespace.startswith("arn:"):
        return namespace
    arns = cloudmap.namespace_arns(module.client("servicediscovery", retry_decorator=AWSRetry.jittered_backoff()),
                                   namespace)
    return live_arn if live_arn in arns else (arns[0] if arns else namespace)


def ensure_present(module, client, live):
    params, name = module.params, module.params["name"]
    namespace, ns_changes, ns_diff = ensure_namespace(module)
    if live is not None and not namespace:
        params["service_connect_namespace"] = namespace_arn(module, params["service_connect_namespace"],
                                                            api.live_spec(live)["serviceConnectNamespace"])
    spec = api.desired_spec(params["capacity_providers"], params["default_capacity_provider_strategy"],
                            params["container_insights"], params["service_connect_namespace"])
    if live is None:
        tags = wanted_tags(params, {})
        diff = {"before": {}, "after": dict({k: v for k, v in spec.items() if v is not None}, tags=tags)}
        if module.check_mode:
            module.exit_json(changed=True, differences=["create"] + ns_changes, diff=diff, **namespace)
        api.create_cluster(client, name, spec, tags)
        module.exit_json(changed=True, differences=["create"] + ns_changes, diff=diff,
                         cluster=result(api.describe_cluster(client, name)), **namespace)

    before = api.live_spec(live)
    live_tags = api.tags(live)
    tags = wanted_tags(params, live_tags)
    keep = list(params["initial_tags"] or {})
    to_set, to_remove = compare_aws_tags(live_tags, tags, params["purge_tags"])
    to_remove = [key for key in to_remove if key not in keep]
    changes = api.differences(before, spec)
    after = dict(before, **{k: v for k, v in spec.items() if v is not None})
    after_tags = {k: v for k, v in dict(live_tags, **to_set).items() if k not in to_remove}
    if to_set or to_remove:
        changes.append("tags")
    diff = {"before": dict(before, tags=live_tags), "after": dict(after, tags=after_tags)}
    if ns_diff:
        diff = {side: dict(diff[side], namespace=ns_diff["namespace"][side]) for side in diff}
    if module.check_mode or not changes:
        changes += ns_changes
        module.exit_json(changed=bool(changes), differences=changes, diff=diff, cluster=result(live), **namespace)
    if "capacityProviders" in changes or "defaultCapacityProviderStrategy" in changes:
        api.put_capacity_providers(client, name, after["capacityProviders"], after["defaultCapacityProviderStrategy"])
    if "containerInsights" in changes or "serviceConnectNamespace" in changes:
        api.update_cluster(client, name,
                           insights=spec["containerInsights"] if "containerInsights" in changes else None,
                           namespace=spec["serviceConnectNamespace"] if "serviceConnectNamespace" in changes else None)
    if to_set:
        api.tag_resource(client, live["clusterArn"], to_set)
    if to_remove:
        api.untag_resource(client, live["clusterArn"], to_remove)
    module.exit_json(changed=True, differences=changes + ns_changes, diff=diff,
                     cluster=result(api.describe_cluster(client, name)), **namespace)


def ensure_absent(module, client, live):
    if live is None:
        module.exit_json(changed=False, differences=[])
    if not module.check_mode:
        api.delete_cluster(client, module.params["name"])
    module.exit_json(changed=True, differences=["delete"], diff={"before": api.live_spec(live), "after": {}})


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
            tags=dict(type="dict", aliases=["resource_tags"]),
            purge_tags=dict(type="bool", default=False),
            initial_tags=dict(type="dict"),
        ),
        mutually_exclusive=[("service_connect_namespace", "service_connect_http_namespace")],
        supports_check_mode=True,
    )
    params = module.params
    providers, strategy = params["capacity_providers"], params["default_capacity_provider_strategy"] or []
    for idx, entry in enumerate(strategy):
        if providers is not None and entry["capacity_provider"] not in providers:
            module.fail_json(msg=f"default_capacity_provider_strategy[{idx}].capacity_provider: "
                                 f"'{entry['capacity_provider']}' is not one of capacity_providers {providers}")
        if not 0 <= entry["weight"] <= 1000 or not 0 <= entry["base"] <= 100000:
            module.fail_json(msg=f"default_capacity_provider_strategy[{idx}]: weight must be 0-1000 and base 0-100000")
    if sum(1 for entry in strategy if entry["base"]) > 1:
        module.fail_json(msg="default_capacity_provider_strategy: only one entry can have a non-zero base")
    client = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())
    try:
        live = api.describe_cluster(client, params["name"])
        if params["state"] == "present":
            ensure_present(module, client, live)
        ensure_absent(module, client, live)
    except Exception as err:  # pylint: disable=broad-except
        module.fail_json_aws(err, msg=f"ECS cluster {params['name']}")


if __name__ == "__main__":
    main()
