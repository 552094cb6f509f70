# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS Cloud Map (servicediscovery) calls for the Service Connect namespace; "not found" is None."""

from __future__ import annotations

import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

retry = AWSRetry.jittered_backoff()


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


@retry
def create_http_namespace(client, name, description, tags):
    kwargs = dict(Name=name)
    if description:
        kwargs["Description"] = description
    if tags:
        kwargs["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return client.create_http_namespace(**kwargs)["OperationId"]


@retry
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


def ensure_http_namespace(client, name, description, tags, purge_tags, check_mode, wait_timeout):
    """Find the HTTP namespace ``name`` or create it, and converge its tags (``tags`` None: not managed).

    Returns (changed, namespace as ``namespace_result``, diff). In check mode a namespace that does not exist yet
    is only ``{"name": name}``.
    """
    live = find_http_namespace(client, name)
    if live is None:
        diff = {"before": {}, "after": {"name": name, "tags": tags or {}}}
        if check_mode:
            return True, {"name": name}, diff
        operation = create_http_namespace(client, name, description, tags)
        namespace = get_namespace(client, wait_operation(client, operation, wait_timeout)["Targets"]["NAMESPACE"])
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
