# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ECS cluster: its calls, the comparison of a desired cluster with a described one, and ``ensure_present`` /
``ensure_absent`` (every write through the run's ChangeSet, module_utils/changes.py).

``spec`` is the managed part of a cluster in API shape::

    {"capacityProviders": [...], "defaultCapacityProviderStrategy": [{capacityProvider, weight, base}],
     "containerInsights": "enabled", "serviceConnectNamespace": "arn:aws:servicediscovery:..."}
"""

from __future__ import annotations

import dataclasses

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.bandup.ecs.plugins.module_utils._cloudmap import cloudmap
from ansible_collections.bandup.ecs.plugins.module_utils.propagation import SERVICE_LINKED_ROLE_RETRY
from ansible_collections.bandup.ecs.plugins.module_utils.tags import converge_tags

retry = AWSRetry.jittered_backoff()


class ClusterErrorHandler(AWSErrorHandler):
    """AWS errors of the cluster calls as AnsibleAWSError; a cluster that is gone is "missing"."""

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ClusterNotFoundException")


# The first CreateCluster with capacity providers of an account (module_utils/propagation.py).
retry_service_linked_role = SERVICE_LINKED_ROLE_RETRY


def _strategy(items):
    return sorted(({"capacityProvider": i["capacityProvider"], "weight": int(i.get("weight", 0)),
                    "base": int(i.get("base", 0))} for i in items or []), key=lambda i: i["capacityProvider"])


def live_spec(cluster):
    """The managed part of a DescribeClusters entry (include SETTINGS), with AWS defaults made explicit."""
    settings = {s["name"]: s["value"] for s in cluster.get("settings") or []}
    return {
        "capacityProviders": sorted(cluster.get("capacityProviders") or []),
        "defaultCapacityProviderStrategy": _strategy(cluster.get("defaultCapacityProviderStrategy")),
        "containerInsights": settings.get("containerInsights", "disabled"),
        "serviceConnectNamespace": (cluster.get("serviceConnectDefaults") or {}).get("namespace"),
    }


def desired_spec(capacity_providers, strategy, insights, namespace):
    """Module options (snake_case strategy) -> spec; None values are "not managed"."""
    return {
        "capacityProviders": None if capacity_providers is None else sorted(capacity_providers),
        "defaultCapacityProviderStrategy": None if strategy is None else _strategy(
            {"capacityProvider": s["capacity_provider"], "weight": s["weight"], "base": s["base"]} for s in strategy),
        "containerInsights": insights,
        "serviceConnectNamespace": namespace,
    }


def differences(live, desired):
    """Keys of ``desired`` (managed, not None) whose value differs from ``live``."""
    return sorted(key for key, value in desired.items() if value is not None and live.get(key) != value)


def tags(cluster):
    return boto3_tag_list_to_ansible_dict(cluster.get("tags") or [], "key", "value")


def result(cluster):
    """The cluster as the modules return it: snake_case keys, its tags as a dict."""
    out = camel_dict_to_snake_dict({k: v for k, v in cluster.items() if k != "tags"})
    out["tags"] = tags(cluster)
    return out


def check_strategy(providers, strategy):
    """Refuse a default capacity provider strategy ECS would refuse (before any call)."""
    for idx, entry in enumerate(strategy or []):
        if providers is not None and entry["capacity_provider"] not in providers:
            raise AnsibleAWSError(message=f"default_capacity_provider_strategy[{idx}].capacity_provider: "
                                          f"'{entry['capacity_provider']}' is not one of capacity_providers {providers}")
        if not 0 <= entry["weight"] <= 1000 or not 0 <= entry["base"] <= 100000:
            raise AnsibleAWSError(message=f"default_capacity_provider_strategy[{idx}]: weight must be 0-1000 and base "
                                          "0-100000")
    if sum(1 for entry in strategy or [] if entry["base"]) > 1:
        raise AnsibleAWSError(message="default_capacity_provider_strategy: only one entry can have a non-zero base")


@ClusterErrorHandler.common_error_handler("describe ECS cluster {name}")
@retry
def describe_cluster(client, name):
    """The ACTIVE cluster (with tags and settings) or None."""
    for cluster in client.describe_clusters(clusters=[name], include=["TAGS", "SETTINGS"])["clusters"]:
        if cluster.get("status") in ("ACTIVE", "PROVISIONING"):
            return cluster
    return None


@ClusterErrorHandler.common_error_handler("create ECS cluster {name}")
@retry_service_linked_role
def create_cluster(client, name, spec, tag_dict):
    kwargs = dict(clusterName=name)
    if spec["capacityProviders"] is not None:
        kwargs["capacityProviders"] = spec["capacityProviders"]
    if spec["defaultCapacityProviderStrategy"] is not None:
        kwargs["defaultCapacityProviderStrategy"] = spec["defaultCapacityProviderStrategy"]
    if spec["containerInsights"] is not None:
        kwargs["settings"] = [{"name": "containerInsights", "value": spec["containerInsights"]}]
    if spec["serviceConnectNamespace"] is not None:
        kwargs["serviceConnectDefaults"] = {"namespace": spec["serviceConnectNamespace"]}
    if tag_dict:
        kwargs["tags"] = ansible_dict_to_boto3_tag_list(tag_dict, "key", "value")
    return client.create_cluster(**kwargs)["cluster"]


@ClusterErrorHandler.common_error_handler("put the capacity providers of ECS cluster {name}")
@retry_service_linked_role
def put_capacity_providers(client, name, providers, strategy):
    client.put_cluster_capacity_providers(cluster=name, capacityProviders=providers,
                                          defaultCapacityProviderStrategy=strategy)
    return True


@ClusterErrorHandler.common_error_handler("update ECS cluster {name}")
@retry
def update_cluster(client, name, insights=None, namespace=None):
    kwargs = dict(cluster=name)
    if insights is not None:
        kwargs["settings"] = [{"name": "containerInsights", "value": insights}]
    if namespace is not None:
        kwargs["serviceConnectDefaults"] = {"namespace": namespace}
    client.update_cluster(**kwargs)
    return True


@ClusterErrorHandler.deletion_error_handler("delete ECS cluster {name}")
@retry
def delete_cluster(client, name):
    client.delete_cluster(cluster=name)
    return True


@ClusterErrorHandler.common_error_handler("tag ECS cluster {arn}")
@retry
def tag_resource(client, arn, tag_dict):
    client.tag_resource(resourceArn=arn, tags=ansible_dict_to_boto3_tag_list(tag_dict, "key", "value"))
    return True


@ClusterErrorHandler.common_error_handler("untag ECS cluster {arn}")
@retry
def untag_resource(client, arn, keys):
    client.untag_resource(resourceArn=arn, tagKeys=list(keys))
    return True


def wanted_tags(tag_dict, initial_tags, live_tags):
    """The tags to compare with: ``tag_dict``, plus each initial tag whose key is not on the cluster yet."""
    wanted = dict(tag_dict or {})
    for key, value in (initial_tags or {}).items():
        wanted[key] = live_tags.get(key, value)
    return wanted


@dataclasses.dataclass
class Cluster:  # pylint: disable=too-many-instance-attributes
    """The desired cluster of one module run: the ecs_cluster options (None: not managed)."""

    name: str
    capacity_providers: list = None
    default_capacity_provider_strategy: list = None
    container_insights: str = None
    service_connect_namespace: str = None
    service_connect_http_namespace: dict = None
    http_namespaces: list = None
    tags: dict = None
    purge_tags: bool = False
    initial_tags: dict = None
    live_cluster: dict = None  # DescribeClusters' answer read earlier in the run (the preflight lookup), or None

    @property
    def resource(self):
        return f"cluster {self.name}"


def _ensure_http_namespace(servicediscovery, changes, cluster, wanted, option, listed):
    """The namespace ``wanted`` (an item of ``option``), found in ``listed`` or created (and tagged)."""
    try:
        return cloudmap.ensure_http_namespace(servicediscovery, changes, wanted["name"], wanted["description"],
                                              cluster.tags, False, wanted["wait_timeout"], listed=listed)
    except AnsibleAWSError as err:
        raise AnsibleAWSError(message=f"{option}: {err.message}", exception=err.exception,
                              **err.kwargs) from err


def _ensure_namespaces(servicediscovery, changes, cluster):
    """``service_connect_http_namespace`` and every ``http_namespaces`` name, from one ListNamespaces: returns
    (the default namespace's result or None, {name: result} of ``http_namespaces``). A name in both is one
    namespace."""
    default = cluster.service_connect_http_namespace
    names = [default["name"]] if default is not None else []
    names += [name for name in cluster.http_namespaces or [] if name not in names]
    if not names:
        return None, {}
    listed = cloudmap.list_namespaces(servicediscovery.client)
    found = {}
    for idx, name in enumerate(names):
        is_default = default is not None and idx == 0
        option = ("service_connect_http_namespace" if is_default
                  else f"http_namespaces[{(cluster.http_namespaces or []).index(name)}]")
        wanted = default if is_default else {
            "name": name, "description": (default or {}).get("description"),
            "wait_timeout": (default or {}).get("wait_timeout", 300)}
        found[name] = _ensure_http_namespace(servicediscovery, changes, cluster, wanted, option, listed)
    return (found[default["name"]] if default is not None else None,
            {name: found[name] for name in cluster.http_namespaces or []})


def _namespace_arn(servicediscovery, namespace, live_arn):
    """``service_connect_namespace`` as ECS reports it: the ARN of the namespace of that name (the live one when
    several namespaces have it); the name itself when none has it yet."""
    if namespace is None or namespace.startswith("arn:"):
        return namespace
    arns = cloudmap.namespace_arns(servicediscovery.client, namespace)
    return live_arn if live_arn in arns else (arns[0] if arns else namespace)


def ensure_present(ecs, servicediscovery, changes, cluster):
    """Create or converge ``cluster`` (a Cluster); ``servicediscovery`` is the run's cloudmap.Clients (a client is
    made only when a namespace is looked up). Returns the module's values: ``cluster`` (absent in check mode for
    a cluster to create) and, with ``service_connect_http_namespace``, ``namespace``."""
    check_strategy(cluster.capacity_providers, cluster.default_capacity_provider_strategy)
    given = cluster.live_cluster or {}
    live = given if given.get("clusterName") == cluster.name else describe_cluster(ecs, cluster.name)
    values, namespace = {}, cluster.service_connect_namespace
    default, others = _ensure_namespaces(servicediscovery, changes, cluster)
    if cluster.http_namespaces is not None:
        values["namespaces"] = others
    if default is not None:
        values["namespace"] = default
        # In check mode a namespace to be created has no ARN yet: ECS also accepts the name.
        namespace = values["namespace"].get("arn", cluster.service_connect_http_namespace["name"])
    elif live is not None:
        namespace = _namespace_arn(servicediscovery, namespace, live_spec(live)["serviceConnectNamespace"])
    spec = desired_spec(cluster.capacity_providers, cluster.default_capacity_provider_strategy,
                        cluster.container_insights, namespace)
    if live is None:
        wanted = wanted_tags(cluster.tags, cluster.initial_tags, {})
        changes.diff(cluster.resource, {}, dict({k: v for k, v in spec.items() if v is not None}, tags=wanted))
        if changes.write(cluster.resource, "create", lambda: create_cluster(ecs, cluster.name, spec, wanted)):
            values["cluster"] = result(describe_cluster(ecs, cluster.name))
        return values
    if _update(ecs, changes, cluster, live, spec):
        live = describe_cluster(ecs, cluster.name)
    values["cluster"] = result(live)
    return values


def _update(ecs, changes, cluster, live, spec):
    """Send the writes that make ``live`` match ``spec`` and the tags; whether any was sent."""
    before, live_tags = live_spec(live), tags(live)
    differ = differences(before, spec)
    after = dict(before, **{k: v for k, v in spec.items() if v is not None})
    sent = []
    providers = [key for key in differ if key in ("capacityProviders", "defaultCapacityProviderStrategy")]
    if providers:
        sent.append(changes.write(cluster.resource, "update", lambda: put_capacity_providers(
            ecs, cluster.name, after["capacityProviders"], after["defaultCapacityProviderStrategy"]), providers))
    settings = [key for key in differ if key in ("containerInsights", "serviceConnectNamespace")]
    if settings:
        sent.append(changes.write(cluster.resource, "update", lambda: update_cluster(
            ecs, cluster.name, insights=spec["containerInsights"] if "containerInsights" in settings else None,
            namespace=spec["serviceConnectNamespace"] if "serviceConnectNamespace" in settings else None), settings))
    after_tags = converge_tags(changes, cluster.resource, live_tags,
                               wanted_tags(cluster.tags, cluster.initial_tags, live_tags), cluster.purge_tags,
                               lambda to_set: sent.append(tag_resource(ecs, live["clusterArn"], to_set)),
                               lambda keys: sent.append(untag_resource(ecs, live["clusterArn"], keys)),
                               keep=cluster.initial_tags or {})
    changes.diff(cluster.resource, dict(before, tags=live_tags), dict(after, tags=after_tags))
    return any(sent)


def ensure_absent(ecs, changes, name):
    """Delete the cluster ``name`` if it exists (ECS refuses while it has services or tasks)."""
    live = describe_cluster(ecs, name)
    if live is not None:
        changes.diff(f"cluster {name}", live_spec(live), {})
        changes.write(f"cluster {name}", "delete", lambda: delete_cluster(ecs, name))
    return {}


def cluster_info(ecs, servicediscovery, name, namespaces=None):
    """ecs_cluster_info's values (``servicediscovery``: cloudmap.Clients): whether the cluster exists, the cluster, its
    Service Connect default namespace, and with ``namespaces`` (names) the HTTP namespaces of those names that exist
    ({name: {id, arn, name}}, one ListNamespaces)."""
    cluster = describe_cluster(ecs, name)
    values, listed = {"exists": cluster is not None, "cluster": {}, "namespace": {}}, None
    if namespaces:
        listed = cloudmap.list_namespaces(servicediscovery.client)
        found = {ns: cloudmap.find_http_namespace(None, ns, listed) for ns in namespaces}
        values["namespaces"] = {ns: _summary(item) for ns, item in found.items() if item}
    if cluster is None:
        return values
    arn = (cluster.get("serviceConnectDefaults") or {}).get("namespace")
    if not arn:
        found = None
    elif listed is not None:
        found = next((item for item in listed if item["Arn"] == arn), None)
    else:
        found = cloudmap.get_namespace(servicediscovery.client, arn.rsplit("/", 1)[-1])
    return dict(values, cluster=result(cluster), namespace=_summary(found) if found else {})


def _summary(namespace):
    return {"id": namespace["Id"], "arn": namespace["Arn"], "name": namespace["Name"]}
