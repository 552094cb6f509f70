# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS Cloud Map (servicediscovery): the HTTP namespace of Service Connect, found, created, tagged or deleted, every
write through the run's ChangeSet (module_utils/changes.py); "not found" is None.

Service Connect creates a Cloud Map service in the namespace for each ``discoveryName`` it serves, and
``DeleteNamespace`` answers ``ResourceInUse`` while the namespace holds services: ``ensure_absent`` (with
``delete_services``) removes them first (each one's remaining instances deregistered, then the service deleted).
"""

from __future__ import annotations

import time
import uuid

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.bandup.ecs.plugins.module_utils.once import write_once
from ansible_collections.bandup.ecs.plugins.module_utils.tags import converge_tags

retry = AWSRetry.jittered_backoff()
# Deleting a service whose instances were just deregistered, or a namespace whose services were just deleted, can
# answer ResourceInUse for a moment: retried a few times (about a minute at most), then reported.
retry_in_use = AWSRetry.jittered_backoff(retries=6, delay=2, max_delay=20, catch_extra_error_codes=["ResourceInUse"])


class CloudMapErrorHandler(AWSErrorHandler):
    """AWS errors of the Cloud Map calls as AnsibleAWSError; a namespace, service or instance that is gone is
    "missing"."""

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["NamespaceNotFound", "ServiceNotFound", "InstanceNotFound"])


class Clients:
    """The Cloud Map clients of a run, each made on first use: ``client`` for reads and retried writes, ``writer()``
    for a create sent once (module_utils/once.py: a client without botocore's retries)."""

    def __init__(self, read, write=None):
        self._read, self._write, self._client = read, write, None

    @property
    def client(self):
        if self._client is None:
            self._client = self._read()
        return self._client

    def writer(self):
        return self._write() if self._write else self.client


@CloudMapErrorHandler.common_error_handler("list the Cloud Map namespaces")
@retry
def _list_namespaces(client):
    return client.get_paginator("list_namespaces").paginate().build_full_result()["Namespaces"]


def find_http_namespace(client, name, listed=None):
    """The HTTP namespace called ``name`` (ListNamespaces summary), or None; ``listed``: a ListNamespaces answer
    already read in this run (then nothing is read)."""
    for namespace in _list_namespaces(client) if listed is None else listed:
        if namespace["Name"] == name and namespace["Type"] == "HTTP":
            return namespace
    return None


def list_namespaces(client):
    """Every namespace of the account and region (ListNamespaces summaries), for several look-ups with one read."""
    return _list_namespaces(client)


def namespace_arns(client, name):
    """ARNs of the namespaces (any type) called ``name``."""
    return [namespace["Arn"] for namespace in _list_namespaces(client) if namespace["Name"] == name]


@CloudMapErrorHandler.list_error_handler("get Cloud Map namespace {namespace_id}")
@retry
def get_namespace(client, namespace_id):
    return client.get_namespace(Id=namespace_id)["Namespace"]


@CloudMapErrorHandler.common_error_handler("get Cloud Map operation {operation_id}")
@retry
def _get_operation(client, operation_id):
    return client.get_operation(OperationId=operation_id)["Operation"]


def wait_operation(client, operation_id, timeout, what, delay=2):
    """Poll GetOperation until SUCCESS; returns the operation. Raises AnsibleAWSError ("``what``: ...") on FAIL or
    timeout."""
    deadline = time.monotonic() + timeout
    while True:
        operation = _get_operation(client, operation_id)
        if operation["Status"] == "SUCCESS":
            return operation
        if operation["Status"] == "FAIL":
            raise AnsibleAWSError(message=f"{what}: operation {operation_id} failed: {operation.get('ErrorCode')} "
                                          f"{operation.get('ErrorMessage', '')}".rstrip())
        if time.monotonic() > deadline:
            raise AnsibleAWSError(message=f"{what}: operation {operation_id} still {operation['Status']} after "
                                          f"{timeout}s", timed_out=True)
        time.sleep(delay)


@CloudMapErrorHandler.common_error_handler("create Cloud Map namespace {name}")
def create_http_namespace(clients, name, description, tags):
    """CreateHttpNamespace through ``clients.writer()`` (module_utils/once.py): its operation id, or, after a lost
    answer, the namespace (ListNamespaces summary) that answer would have made. Every attempt carries the same
    CreatorRequestId, so AWS answers a resend with the first request's operation."""
    kwargs = dict(Name=name, CreatorRequestId=str(uuid.uuid4()))
    if description:
        kwargs["Description"] = description
    if tags:
        kwargs["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    writer = clients.writer()
    return write_once(lambda: writer.create_http_namespace(**kwargs)["OperationId"],
                      lambda: find_http_namespace(clients.client, name))


@CloudMapErrorHandler.common_error_handler("list the services of Cloud Map namespace {namespace_id}")
@retry
def list_services(client, namespace_id):
    """The namespace's services (ListServices summaries)."""
    return client.get_paginator("list_services").paginate(
        Filters=[{"Name": "NAMESPACE_ID", "Values": [namespace_id], "Condition": "EQ"}]).build_full_result()[
        "Services"]


@CloudMapErrorHandler.list_error_handler("list the instances of Cloud Map service {service_id}", default_value=[])
@retry
def list_instances(client, service_id):
    return client.get_paginator("list_instances").paginate(ServiceId=service_id).build_full_result()["Instances"]


@CloudMapErrorHandler.deletion_error_handler("deregister instance {instance_id} of Cloud Map service {service_id}")
@retry
def deregister_instance(client, service_id, instance_id):
    return client.deregister_instance(ServiceId=service_id, InstanceId=instance_id)["OperationId"]


@CloudMapErrorHandler.deletion_error_handler("delete Cloud Map service {service_id}")
@retry_in_use
def delete_service(client, service_id):
    client.delete_service(Id=service_id)
    return True


@CloudMapErrorHandler.deletion_error_handler("delete Cloud Map namespace {namespace_id}")
@retry_in_use
def delete_namespace(client, namespace_id):
    return client.delete_namespace(Id=namespace_id)["OperationId"]


@CloudMapErrorHandler.common_error_handler("list the tags of {arn}")
@retry
def get_tags(client, arn):
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceARN=arn).get("Tags", []))


@CloudMapErrorHandler.common_error_handler("tag {arn}")
@retry
def tag_resource(client, arn, tags):
    client.tag_resource(ResourceARN=arn, Tags=ansible_dict_to_boto3_tag_list(tags))


@CloudMapErrorHandler.common_error_handler("untag {arn}")
@retry
def untag_resource(client, arn, keys):
    client.untag_resource(ResourceARN=arn, TagKeys=list(keys))


def namespace_result(namespace, tags):
    return {"id": namespace["Id"], "arn": namespace["Arn"], "name": namespace["Name"], "tags": tags}


def ensure_http_namespace(clients, changes, name, description, tags, purge_tags, wait_timeout, listed=None):
    """Find the HTTP namespace ``name`` or create it, and converge its tags (``tags`` None: not managed); every write
    through ``changes``. Returns the namespace as ``namespace_result``; in check mode a namespace that does not
    exist yet is only ``{"name": name}``. ``listed``: the run's ListNamespaces answer, when already read."""
    resource, client = f"namespace {name}", clients.client
    live = find_http_namespace(client, name, listed)
    if live is None:
        changes.diff(resource, {}, {"name": name, "tags": tags or {}})
        created = changes.write(resource, "create", lambda: create_http_namespace(clients, name, description, tags))
        if created is None:
            return {"name": name}
        namespace_id = created["Id"] if isinstance(created, dict) else wait_operation(
            client, created, wait_timeout, f"Cloud Map namespace {name}")["Targets"]["NAMESPACE"]
        namespace = get_namespace(client, namespace_id)
        return namespace_result(namespace, get_tags(client, namespace["Arn"]))
    live_tags = get_tags(client, live["Arn"])
    after_tags = converge_tags(changes, resource, live_tags, tags, purge_tags,
                               lambda to_set: tag_resource(client, live["Arn"], to_set),
                               lambda keys: untag_resource(client, live["Arn"], keys))
    changes.diff(resource, {"name": live["Name"], "tags": live_tags}, {"name": live["Name"], "tags": after_tags})
    return namespace_result(live, after_tags)


def _delete_service(client, service, wait_timeout):
    """Deregister the instances the service still has (waiting for each), then delete it."""
    operations = [deregister_instance(client, service["Id"], instance["Id"])
                  for instance in list_instances(client, service["Id"])]
    for operation in filter(None, operations):
        wait_operation(client, operation, wait_timeout, f"Cloud Map service {service['Name']}")
    return delete_service(client, service["Id"])


def ensure_absent(client, changes, name, delete_services, wait_timeout):
    """Delete the HTTP namespace ``name`` if it exists; with ``delete_services`` its services first (the ECS services
    using them are gone by then: what is left is stale), else a namespace holding services is refused before any
    write. Each service (to be) deleted is one item of the run's changes (``cloud map service NAME``)."""
    live = find_http_namespace(client, name)
    if live is None:
        return {}
    services = sorted(list_services(client, live["Id"]), key=lambda service: service["Name"])
    if services and not delete_services:
        raise AnsibleAWSError(message=f"Cloud Map namespace {live['Name']} holds services "
                                      f"{[s['Name'] for s in services]}: set delete_services to delete them first")
    for service in services:
        changes.write(f"cloud map service {service['Name']}", "delete",
                      lambda service=service: _delete_service(client, service, wait_timeout))
    resource = f"namespace {name}"
    changes.diff(resource, {"name": live["Name"], "services": [s["Name"] for s in services]}, {})
    operation = changes.write(resource, "delete", lambda: delete_namespace(client, live["Id"]))
    if operation:
        wait_operation(client, operation, wait_timeout, f"Cloud Map namespace {name}")
    return {}
