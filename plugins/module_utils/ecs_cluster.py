# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ECS cluster calls and the comparison of a desired cluster with a described one.

``spec`` is the managed part of a cluster in API shape::

    {"capacityProviders": [...], "defaultCapacityProviderStrategy": [{capacityProvider, weight, base}],
     "containerInsights": "enabled", "serviceConnectNamespace": "arn:aws:servicediscovery:..."}
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

retry = AWSRetry.jittered_backoff()

# ECS's answer while the service-linked role AWSServiceRoleForECS of an account is new (CreateCluster with capacity
# providers creates it, and it takes moments to become usable); the same request succeeds a moment later.
SERVICE_LINKED_ROLE_MESSAGE = "unable to assume the service linked role"
SERVICE_LINKED_ROLE_PENDING = "ServiceLinkedRolePending"  # not an AWS code: what _ClusterRetry calls that answer


class _ClusterRetry(AWSRetry):
    """AWSRetry that also retries that one InvalidParameterException, told apart by its message (the code alone
    also means a real input error, which must fail at once)."""

    @staticmethod
    def status_code_from_exception(error):
        code = AWSRetry.status_code_from_exception(error)
        message = (error.response.get("Error") or {}).get("Message") or ""
        if code == "InvalidParameterException" and SERVICE_LINKED_ROLE_MESSAGE in message.lower():
            return SERVICE_LINKED_ROLE_PENDING
        return code


# Bounded: 8 attempts, jittered waits doubling from 2 s up to 30 s (at most about two minutes in all).
retry_service_linked_role = _ClusterRetry.jittered_backoff(retries=8, delay=2, max_delay=30,
                                                           catch_extra_error_codes=[SERVICE_LINKED_ROLE_PENDING])


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


@retry
def describe_cluster(client, name):
    """The ACTIVE cluster (with tags and settings) or None."""
    for cluster in client.describe_clusters(clusters=[name], include=["TAGS", "SETTINGS"])["clusters"]:
        if cluster.get("status") in ("ACTIVE", "PROVISIONING"):
            return cluster
    return None


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


@retry_service_linked_role
def put_capacity_providers(client, name, providers, strategy):
    client.put_cluster_capacity_providers(cluster=name, capacityProviders=providers,
                                          defaultCapacityProviderStrategy=strategy)


@retry
def update_cluster(client, name, insights=None, namespace=None):
    kwargs = dict(cluster=name)
    if insights is not None:
        kwargs["settings"] = [{"name": "containerInsights", "value": insights}]
    if namespace is not None:
        kwargs["serviceConnectDefaults"] = {"namespace": namespace}
    client.update_cluster(**kwargs)


@retry
def delete_cluster(client, name):
    try:
        client.delete_cluster(cluster=name)
    except is_boto3_error_code("ClusterNotFoundException"):
        return None
    return True


@retry
def tag_resource(client, arn, tag_dict):
    client.tag_resource(resourceArn=arn, tags=ansible_dict_to_boto3_tag_list(tag_dict, "key", "value"))


@retry
def untag_resource(client, arn, keys):
    client.untag_resource(resourceArn=arn, tagKeys=list(keys))
