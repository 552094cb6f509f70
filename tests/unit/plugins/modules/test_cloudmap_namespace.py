"""cloudmap_namespace state=absent against a botocore Stubber in the shapes AWS Cloud Map answers (issue 14, item 3).

Cloud Map refuses DeleteNamespace with ResourceInUse while the namespace holds services, and Service Connect leaves
one per discoveryName: with delete_services the module deletes them first (deregistering any instance still there).
"""
import pytest

from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.bandup.ecs.plugins.module_utils._cloudmap import cloudmap
from ansible_collections.bandup.ecs.plugins.modules import cloudmap_namespace

from conftest import run_module

NS_ID = "ns-abcdefghijklmnop"
NS_ARN = f"arn:aws:servicediscovery:us-east-1:123456789012:namespace/{NS_ID}"
NAMESPACE = {"Id": NS_ID, "Arn": NS_ARN, "Name": "bandup", "Type": "HTTP", "ServiceCount": 2,
             "Properties": {"DnsProperties": {}, "HttpProperties": {"HttpName": "bandup"}}}
BY_NAMESPACE = {"Filters": [{"Name": "NAMESPACE_ID", "Values": [NS_ID], "Condition": "EQ"}]}


def service(name, instances):
    srv_id = f"srv-{name}0000000000"
    return {"Id": srv_id, "Arn": f"arn:aws:servicediscovery:us-east-1:123456789012:service/{srv_id}", "Name": name,
            "Type": "HTTP", "InstanceCount": instances, "CreateDate": "2026-11-29T10:00:00Z"}


SERVICES = [service("backend", 1), service("frontend", 0)]
DELETES = [{"resource": "cloud map service backend", "action": "delete", "fields": []},
           {"resource": "cloud map service frontend", "action": "delete", "fields": []},
           {"resource": "namespace bandup", "action": "delete", "fields": []}]
IN_USE = "Namespace has associated services."


@pytest.fixture(name="sd")
def fixture_sd(aws, monkeypatch):
    monkeypatch.setattr(cloud.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(cloudmap.time, "sleep", lambda seconds: None)
    return aws["servicediscovery"]


def args(**override):
    return dict(dict(name="bandup", state="absent", delete_services=True, region="us-east-1"), **override)


def operation(sd, op_id, kind):
    sd.add_response("get_operation", {"Operation": {"Id": op_id, "Type": kind, "Status": "SUCCESS"}},
                    {"OperationId": op_id})


def expect_service_deletes(sd, in_use_once=False):
    """Each service: its instances deregistered (and waited for), then DeleteService."""
    backend, frontend = SERVICES
    sd.add_response("list_instances", {"Instances": [{"Id": "10.20.10.7", "Attributes": {
        "AWS_INSTANCE_IPV4": "10.20.10.7", "AWS_INSTANCE_PORT": "8080"}}]}, {"ServiceId": backend["Id"]})
    sd.add_response("deregister_instance", {"OperationId": "op-dereg"},
                    {"ServiceId": backend["Id"], "InstanceId": "10.20.10.7"})
    operation(sd, "op-dereg", "DEREGISTER_INSTANCE")
    if in_use_once:  # the deregistration has not reached the service yet
        sd.add_client_error("delete_service", "ResourceInUse", "Service contains registered instances", 400,
                            expected_params={"Id": backend["Id"]})
    sd.add_response("delete_service", {}, {"Id": backend["Id"]})
    sd.add_response("list_instances", {"Instances": []}, {"ServiceId": frontend["Id"]})
    sd.add_response("delete_service", {}, {"Id": frontend["Id"]})


def test_services_are_deleted_before_the_namespace(sd, capsys):
    sd.add_response("list_namespaces", {"Namespaces": [NAMESPACE]})
    sd.add_response("list_services", {"Services": SERVICES}, BY_NAMESPACE)
    expect_service_deletes(sd, in_use_once=True)
    sd.add_response("delete_namespace", {"OperationId": "op-ns"}, {"Id": NS_ID})
    operation(sd, "op-ns", "DELETE_NAMESPACE")
    out = run_module(cloudmap_namespace, args(), capsys)
    assert out["changed"] is True and out["changes"] == DELETES


def test_delete_namespace_in_use_for_a_moment_is_retried(sd, capsys):
    """Right after its services were deleted, DeleteNamespace may still answer ResourceInUse."""
    sd.add_response("list_namespaces", {"Namespaces": [NAMESPACE]})
    sd.add_response("list_services", {"Services": SERVICES}, BY_NAMESPACE)
    expect_service_deletes(sd)
    sd.add_client_error("delete_namespace", "ResourceInUse", IN_USE, 400, expected_params={"Id": NS_ID})
    sd.add_response("delete_namespace", {"OperationId": "op-ns"}, {"Id": NS_ID})
    operation(sd, "op-ns", "DELETE_NAMESPACE")
    out = run_module(cloudmap_namespace, args(), capsys)
    assert out["changed"] is True


def test_check_mode_lists_the_services_and_writes_nothing(sd, capsys):
    sd.add_response("list_namespaces", {"Namespaces": [NAMESPACE]})
    sd.add_response("list_services", {"Services": SERVICES}, BY_NAMESPACE)
    out = run_module(cloudmap_namespace, args(_ansible_check_mode=True), capsys)
    assert out["changed"] is True and out["changes"] == DELETES


def test_without_delete_services_a_namespace_with_services_fails_before_any_write(sd, capsys):
    sd.add_response("list_namespaces", {"Namespaces": [NAMESPACE]})
    sd.add_response("list_services", {"Services": SERVICES}, BY_NAMESPACE)
    out = run_module(cloudmap_namespace, args(delete_services=False), capsys)
    assert out["failed"] is True and out["changed"] is False and out["changes"] == []
    assert "holds services ['backend', 'frontend']" in out["msg"] and "delete_services" in out["msg"]


def test_an_empty_namespace_is_deleted_and_a_missing_one_is_unchanged(sd, capsys):
    sd.add_response("list_namespaces", {"Namespaces": [dict(NAMESPACE, ServiceCount=0)]})
    sd.add_response("list_services", {"Services": []}, BY_NAMESPACE)
    sd.add_response("delete_namespace", {"OperationId": "op-ns"}, {"Id": NS_ID})
    operation(sd, "op-ns", "DELETE_NAMESPACE")
    assert run_module(cloudmap_namespace, args(), capsys)["changes"] == DELETES[2:]
    sd.add_response("list_namespaces", {"Namespaces": []})
    assert run_module(cloudmap_namespace, args(), capsys)["changed"] is False


def test_a_persisting_in_use_is_reported_not_retried_forever(sd, capsys):
    sd.add_response("list_namespaces", {"Namespaces": [NAMESPACE]})
    sd.add_response("list_services", {"Services": [SERVICES[1]]}, BY_NAMESPACE)
    sd.add_response("list_instances", {"Instances": []}, {"ServiceId": SERVICES[1]["Id"]})
    for _ in range(6):
        sd.add_client_error("delete_service", "ResourceInUse", "Service is in use", 400)
    out = run_module(cloudmap_namespace, args(), capsys)
    assert out["failed"] is True and "ResourceInUse" in out["msg"]


def test_an_operation_that_fails_names_the_namespace(sd, capsys):
    sd.add_response("list_namespaces", {"Namespaces": [dict(NAMESPACE, ServiceCount=0)]})
    sd.add_response("list_services", {"Services": []}, BY_NAMESPACE)
    sd.add_response("delete_namespace", {"OperationId": "op-ns"}, {"Id": NS_ID})
    sd.add_response("get_operation", {"Operation": {"Id": "op-ns", "Type": "DELETE_NAMESPACE", "Status": "FAIL",
                                                    "ErrorCode": "RESOURCE_IN_USE", "ErrorMessage": "in use"}},
                    {"OperationId": "op-ns"})
    out = run_module(cloudmap_namespace, args(), capsys)
    assert out["failed"] is True
    assert out["msg"] == "Cloud Map namespace bandup: operation op-ns failed: RESOURCE_IN_USE in use"
    assert out["changes"] == [{"resource": "namespace bandup", "action": "delete", "fields": []}]
