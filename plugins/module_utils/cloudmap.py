# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS Cloud Map (servicediscovery) calls for the Service Connect namespace; "not found" is None.

Service Connect creates a Cloud Map service in the namespace for each ``discoveryName`` it serves, and
``DeleteNamespace`` answers ``ResourceInUse`` while the namespace holds services: ``delete_namespace_services``
removes them first (each one's remaining instances deregistered, then the service deleted).
"""

from __future__ import annotations

import time
import uuid

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.bandup.ecs.plugins.module_utils.once import write_once

retry = AWSRetry.jittered_backoff()
# Deleting a service whose instances were just deregistered, or a namespace whose services were just deleted, can
# answer ResourceInUse for a moment: retried a few times (about a minute at most), then reported.
retry_in_use = AWSRetry.jittered_backoff(retries=6, delay=2, max_delay=20, catch_extra_error_codes=["ResourceInUse"])


class OperationError(Exception):
    """A Cloud Map operation failed or did not finish in time."""


@retry
def _list_namespaces(client):
    return client.get_paginator("list_namespaces").paginate().build_full_result()["Namespaces"]


def find_http_namespace(client, name):
    """The HTTP namespace called ``name`` (ListNamespaces summary), or None."""
    for namespace in _list_namespaces(client):
        if namespace["Name"] == name and namespace["Type"] == "HTTP":
            return namespace
    return None


def namespace_arns(client, name):
    """ARNs of the namespaces (any type) called ``name``."""
    return [namespace["Arn"] for namespace in _list_namespaces(client) if namespace["Name"] == name]


@retry
def get_namespace(client, namespace_id):
    try:
        return client.get_namespace(Id=namespace_id)["Namespace"]
    except is_boto3_error_code("NamespaceNotFound"):
        return None


@retry
def _get_operation(client, operation_id):
    return client.get_operation(OperationId=operation_id)["Operation"]


def wait_operation(client, operation_id, timeout, delay=2):
    """Poll GetOperation until SUCCESS; returns the operation. Raises OperationError on FAIL or timeout."""
    deadline = time.monotonic() + timeout
    while True:
        operation = _get_operation(client, operation_id)
        if operation["Status"] == "SUCCESS":
            return operation
        if operation["Status"] == "FAIL":
            raise OperationError(f"operation {operation_id} failed: {operation.get('ErrorCode')} "
                                 f"{operation.get('ErrorMessage', '')}".rstrip())
        if time.monotonic() > deadline:
            raise OperationError(f"operation {operation_id} still {operation['Status']} after {timeout}s")
        time.sleep(delay)


def create_http_namespace(client, name, description, tags, once=None):
    """CreateHttpNamespace through ``once`` (a client without botocore's retries, module_utils once): its operation
    id, or, after a lost answer, the namespace (ListNamespaces summary) that answer would have made. Every attempt
    carries the same CreatorRequestId, so AWS answers a resend with the first request's operation."""
    kwargs = dict(Name=name, CreatorRequestId=str(uuid.uuid4()))
    if description:
        kwargs["Description"] = description
    if tags:
        kwargs["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return write_once(lambda: (once or client).create_http_namespace(**kwargs)["OperationId"],
                      lambda: find_http_namespace(client, name))


@retry
def list_services(client, namespace_id):
    """The namespace's services (ListServices summaries)."""
    return client.get_paginator("list_services").paginate(
        Filters=[{"Name": "NAMESPACE_ID", "Values": [namespace_id], "Condition": "EQ"}]).build_full_result()[
        "Services"]


@retry
def list_instances(client, service_id):
    try:
        return client.get_paginator("list_instances").paginate(ServiceId=service_id).build_full_result()[
            "Instances"]
    except is_boto3_error_code("ServiceNotFound"):
        return []


@retry
def deregister_instance(client, service_id, instance_id):
    try:
        return client.deregister_instance(ServiceId=service_id, InstanceId=instance_id)["OperationId"]
    except is_boto3_error_code(["InstanceNotFound", "ServiceNotFound"]):
        return None


@retry_in_use
def delete_service(client, service_id):
    try:
        client.delete_service(Id=service_id)
    except is_boto3_error_code("ServiceNotFound"):
        return None
    return True


def delete_namespace_services(client, namespace_id, check_mode, wait_timeout):
    """Delete every service of the namespace, each after deregistering the instances it still has (the ECS
    services are gone by then: what is left is stale). Returns the names of the services (to be) deleted."""
    services = list_services(client, namespace_id)
    if check_mode:
        return sorted(service["Name"] for service in services)
    for service in services:
        operations = [deregister_instance(client, service["Id"], instance["Id"])
                      for instance in list_instances(client, service["Id"])]
        for operation in filter(None, operations):
            wait_operation(client, operation, wait_timeout)
        delete_service(client, service["Id"])
    return sorted(service["Name"] for service in services)


@retry_in_use
def delete_namespace(client, namespace_id):
    try:
        return client.delete_namespace(Id=namespace_id)["OperationId"]
    except is_boto3_error_code("NamespaceNotFound"):
        return None


@retry
def get_tags(client, arn):
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceARN=arn).get("Tags", []))


@retry
def tag_resource(client, arn, tags):
    client.tag_resource(ResourceARN=arn, Tags=ansible_dict_to_boto3_tag_list(tags))


@retry
def untag_resource(client, arn, keys):
    client.untag_resource(ResourceARN=arn, TagKeys=list(keys))


def namespace_result(namespace, tags):
    return {"id": namespace["Id"], "arn": namespace["Arn"], "name": namespace["Name"], "tags": tags}


def ensure_http_namespace(client, name, description, tags, purge_tags, check_mode, wait_timeout, writer=None):
    """Find the HTTP namespace ``name`` or create it (through ``writer()``, a client without botocore's retries,
    made only then), and converge its tags (``tags`` None: not managed).

    Returns (changed, namespace as ``namespace_result``, diff). In check mode a namespace that does not exist yet
    is only ``{"name": name}``.
    """
    live = find_http_namespace(client, name)
    if live is None:
        diff = {"before": {}, "after": {"name": name, "tags": tags or {}}}
        if check_mode:
            return True, {"name": name}, diff
        created = create_http_namespace(client, name, description, tags, writer and writer())
        namespace_id = created["Id"] if isinstance(created, dict) else wait_operation(
            client, created, wait_timeout)["Targets"]["NAMESPACE"]
        namespace = get_namespace(client, namespace_id)
        return True, namespace_result(namespace, get_tags(client, namespace["Arn"])), diff
    live_tags = get_tags(client, live["Arn"])
    to_set, to_remove = compare_aws_tags(live_tags, tags, purge_tags) if tags is not None else ({}, [])
    after_tags = {k: v for k, v in dict(live_tags, **to_set).items() if k not in to_remove}
    diff = {"before": {"name": live["Name"], "tags": live_tags}, "after": {"name": live["Name"], "tags": after_tags}}
    if not check_mode:
        if to_set:
            tag_resource(client, live["Arn"], to_set)
        if to_remove:
            untag_resource(client, live["Arn"], to_remove)
    return bool(to_set or to_remove), namespace_result(live, after_tags), diff
