"""ecs_cluster against a botocore Stubber with DescribeClusters output in the shape AWS returns."""
import copy

import pytest
from botocore.stub import ANY

from ansible_collections.bandup.ecs.plugins.modules import ecs_cluster

from conftest import run_module

NS = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-abcdefghijklmnop"
ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/bandup"
TAGS = {"bandup:managed-by": "bandup.ecs"}
# DescribeClusters(include=[TAGS, SETTINGS]) of the cluster the role creates.
LIVE = {
    "clusterArn": ARN, "clusterName": "bandup", "status": "ACTIVE",
    "registeredContainerInstancesCount": 0, "runningTasksCount": 3, "pendingTasksCount": 0,
    "activeServicesCount": 2, "statistics": [],
    "tags": [{"key": "bandup:managed-by", "value": "bandup.ecs"}, {"key": "bandup:active-az", "value": "us-east-1b"}],
    "settings": [{"name": "containerInsights", "value": "enabled"}],
    "capacityProviders": ["FARGATE_SPOT", "FARGATE"],
    "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
    "attachments": [], "attachmentsStatus": "UPDATE_COMPLETE",
    "serviceConnectDefaults": {"namespace": NS},
}


def args(**override):
    params = dict(name="bandup", capacity_providers=["FARGATE", "FARGATE_SPOT"],
                  default_capacity_provider_strategy=[{"capacity_provider": "FARGATE"}],
                  container_insights="enabled", service_connect_namespace=NS, tags=TAGS,
                  initial_tags={"bandup:active-az": "us-east-1a"}, region="us-east-1")
    params.update(override)
    return params


def change(action, *fields, resource="cluster bandup"):
    """One item of the module's changes (module_utils/changes.py)."""
    return {"resource": resource, "action": action, "fields": list(fields)}


def run(params, capsys):
    return run_module(ecs_cluster, params, capsys)


def describe(ecs, cluster):
    ecs.add_response("describe_clusters", {"clusters": [cluster] if cluster else [], "failures": []},
                     {"clusters": ["bandup"], "include": ["TAGS", "SETTINGS"]})


def test_unchanged_cluster_keeps_the_active_az_tag(ecs, capsys):
    describe(ecs, LIVE)
    out = run(args(), capsys)
    assert out["changed"] is False and out["changes"] == []
    assert out["cluster"]["tags"]["bandup:active-az"] == "us-east-1b"


def test_live_cluster_given_is_not_read_again(ecs, capsys):
    """live_cluster (the preflight lookup's read earlier in the run) replaces the DescribeClusters; the Stubber
    has no response queued, so a read would fail the run. One that names another cluster is not used."""
    out = run(args(live_cluster=copy.deepcopy(LIVE)), capsys)
    assert out["changed"] is False and out["changes"] == []
    assert out["cluster"]["tags"]["bandup:active-az"] == "us-east-1b"
    live = copy.deepcopy(LIVE)
    live["tags"] = live["tags"][:1]
    ecs.add_response("tag_resource", {}, {"resourceArn": ARN, "tags": [{"key": "bandup:active-az", "value": "us-east-1a"}]})
    describe(ecs, LIVE)  # after a write the module reads the cluster it made
    out = run(args(live_cluster=live), capsys)
    assert out["changes"] == [change("tag", "bandup:active-az")]
    describe(ecs, LIVE)
    out = run(args(live_cluster=dict(LIVE, clusterName="other")), capsys)
    assert out["changed"] is False


def test_missing_active_az_tag_is_set(ecs, capsys):
    live = copy.deepcopy(LIVE)
    live["tags"] = live["tags"][:1]
    describe(ecs, live)
    ecs.add_response("tag_resource", {}, {"resourceArn": ARN, "tags": [{"key": "bandup:active-az", "value": "us-east-1a"}]})
    describe(ecs, LIVE)
    out = run(args(), capsys)
    assert out["changed"] is True and out["changes"] == [change("tag", "bandup:active-az")]


def test_purge_tags_never_removes_an_initial_tag(ecs, capsys):
    describe(ecs, LIVE)
    out = run(args(purge_tags=True), capsys)
    assert out["changed"] is False


def test_create(ecs, capsys):
    describe(ecs, None)
    ecs.add_response("create_cluster", {"cluster": LIVE}, {
        "clusterName": "bandup", "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        "settings": [{"name": "containerInsights", "value": "enhanced"}],
        "serviceConnectDefaults": {"namespace": NS},
        "tags": [{"key": "bandup:managed-by", "value": "bandup.ecs"}, {"key": "bandup:active-az", "value": "us-east-1a"}],
    })
    describe(ecs, LIVE)
    out = run(args(container_insights="enhanced"), capsys)
    assert out["changed"] is True and out["changes"] == [change("create")]


def test_check_mode_create_writes_nothing(ecs, capsys):
    describe(ecs, None)
    out = run(args(_ansible_check_mode=True), capsys)
    assert out["changed"] is True and "cluster" not in out


def test_insights_and_strategy_changes(ecs, capsys):
    describe(ecs, LIVE)
    ecs.add_response("put_cluster_capacity_providers", {"cluster": LIVE}, {
        "cluster": "bandup", "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 1},
                                            {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0}]})
    ecs.add_response("update_cluster", {"cluster": LIVE}, {
        "cluster": "bandup", "settings": [{"name": "containerInsights", "value": "disabled"}]})
    describe(ecs, LIVE)
    out = run(args(container_insights="disabled", default_capacity_provider_strategy=[
        {"capacity_provider": "FARGATE_SPOT", "weight": 3}, {"capacity_provider": "FARGATE", "base": 1}]), capsys)
    assert out["changes"] == [change("update", "defaultCapacityProviderStrategy"), change("update", "containerInsights")]


def test_strategy_must_use_a_listed_provider(ecs, capsys):
    out = run(args(default_capacity_provider_strategy=[{"capacity_provider": "EC2"}]), capsys)
    assert out["failed"] is True and "default_capacity_provider_strategy[0].capacity_provider" in out["msg"]


NAMESPACE = {"Id": "ns-abcdefghijklmnop", "Arn": NS, "Name": "bandup", "Type": "HTTP"}


def namespace_args(**override):
    params = args(service_connect_http_namespace={"name": "bandup"})
    del params["service_connect_namespace"]
    params.update(override)
    return params


def describe_with(aws, cluster):
    aws["ecs"].add_response("describe_clusters", {"clusters": [cluster] if cluster else [], "failures": []},
                            {"clusters": ["bandup"], "include": ["TAGS", "SETTINGS"]})


def test_namespace_no_op_is_three_reads(aws, capsys):
    describe_with(aws, LIVE)
    aws["servicediscovery"].add_response("list_namespaces", {"Namespaces": [
        {"Id": "ns-other", "Arn": NS.replace("abcdefghijklmnop", "other"), "Name": "bandup", "Type": "DNS_PRIVATE"},
        NAMESPACE]})
    aws["servicediscovery"].add_response("list_tags_for_resource", {"Tags": [
        {"Key": "bandup:managed-by", "Value": "bandup.ecs"}]}, {"ResourceARN": NS})
    out = run(namespace_args(), capsys)
    assert out["changed"] is False and out["changes"] == []
    assert out["namespace"] == {"id": "ns-abcdefghijklmnop", "arn": NS, "name": "bandup", "tags": TAGS}


def test_namespace_and_cluster_created_in_one_run(aws, capsys):
    sd = aws["servicediscovery"]
    describe_with(aws, None)
    sd.add_response("list_namespaces", {"Namespaces": []})
    sd.add_response("create_http_namespace", {"OperationId": "op-1"}, {
        "Name": "bandup", "CreatorRequestId": ANY, "Tags": [{"Key": "bandup:managed-by", "Value": "bandup.ecs"}]})
    sd.add_response("get_operation", {"Operation": {"Id": "op-1", "Status": "SUCCESS",
                                                    "Targets": {"NAMESPACE": "ns-abcdefghijklmnop"}}},
                    {"OperationId": "op-1"})
    sd.add_response("get_namespace", {"Namespace": NAMESPACE}, {"Id": "ns-abcdefghijklmnop"})
    sd.add_response("list_tags_for_resource", {"Tags": [{"Key": "bandup:managed-by", "Value": "bandup.ecs"}]},
                    {"ResourceARN": NS})
    aws["ecs"].add_response("create_cluster", {"cluster": LIVE}, {
        "clusterName": "bandup", "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        "settings": [{"name": "containerInsights", "value": "enabled"}],
        "serviceConnectDefaults": {"namespace": NS},
        "tags": [{"key": "bandup:managed-by", "value": "bandup.ecs"}, {"key": "bandup:active-az", "value": "us-east-1a"}],
    })
    describe_with(aws, LIVE)
    out = run(namespace_args(), capsys)
    assert out["changed"] is True and out["changes"] == [change("create", resource="namespace bandup"), change("create")]
    assert out["namespace"]["arn"] == NS and out["cluster"]["cluster_arn"] == ARN


def test_namespace_check_mode_on_a_new_deployment_writes_nothing(aws, capsys):
    describe_with(aws, None)
    aws["servicediscovery"].add_response("list_namespaces", {"Namespaces": []})
    out = run(namespace_args(_ansible_check_mode=True), capsys)
    assert out["changed"] is True and out["changes"] == [change("create", resource="namespace bandup"), change("create")]
    assert out["namespace"] == {"name": "bandup"} and "cluster" not in out


def test_namespace_tag_missing_is_added(aws, capsys):
    describe_with(aws, LIVE)
    aws["servicediscovery"].add_response("list_namespaces", {"Namespaces": [NAMESPACE]})
    aws["servicediscovery"].add_response("list_tags_for_resource", {"Tags": []}, {"ResourceARN": NS})
    aws["servicediscovery"].add_response("tag_resource", {}, {
        "ResourceARN": NS, "Tags": [{"Key": "bandup:managed-by", "Value": "bandup.ecs"}]})
    out = run(namespace_args(), capsys)
    assert out["changed"] is True and out["changes"] == [change("tag", "bandup:managed-by", resource="namespace bandup")]
    assert out["namespace"]["tags"] == TAGS


SERVICE_LINKED_ROLE_ERROR = ("Unable to assume the service linked role. Please verify that the ECS service linked "
                             "role exists.")


def create_params():
    return {"clusterName": "bandup", "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "serviceConnectDefaults": {"namespace": NS},
            "tags": [{"key": "bandup:managed-by", "value": "bandup.ecs"},
                     {"key": "bandup:active-az", "value": "us-east-1a"}]}


@pytest.fixture(name="no_sleep")
def fixture_no_sleep(monkeypatch):
    from ansible_collections.amazon.aws.plugins.module_utils import cloud
    slept = []
    monkeypatch.setattr(cloud.time, "sleep", slept.append)
    return slept


def test_first_cluster_of_a_new_account_survives_the_service_linked_role_error(ecs, capsys, no_sleep):
    """A fresh account: CreateCluster with capacity providers first fails while ECS's new service-linked role is
    not usable yet (issue 14, item 2); the module retries that answer, and the cluster is created."""
    describe(ecs, None)
    for _ in range(2):
        ecs.add_client_error("create_cluster", "InvalidParameterException", SERVICE_LINKED_ROLE_ERROR, 400,
                             expected_params=create_params())
    ecs.add_response("create_cluster", {"cluster": LIVE}, create_params())
    describe(ecs, LIVE)
    out = run(args(), capsys)
    assert out["changed"] is True and out["changes"] == [change("create")]
    assert len(no_sleep) == 2 and all(0 <= wait <= 30 for wait in no_sleep)


def test_the_service_linked_role_retry_is_bounded(ecs, capsys, no_sleep):
    describe(ecs, None)
    for _ in range(8):
        ecs.add_client_error("create_cluster", "InvalidParameterException", SERVICE_LINKED_ROLE_ERROR, 400)
    out = run(args(), capsys)
    assert out["failed"] is True and "Unable to assume the service linked role" in out["msg"]
    assert len(no_sleep) == 7 and sum(no_sleep) <= 2 + 4 + 8 + 16 + 30 + 30 + 30


def test_any_other_invalid_parameter_fails_at_once(ecs, capsys, no_sleep):
    describe(ecs, None)
    ecs.add_client_error("create_cluster", "InvalidParameterException", "Capacity provider FOO does not exist.", 400)
    out = run(args(), capsys)
    assert out["failed"] is True and "FOO" in out["msg"] and no_sleep == []


def test_put_capacity_providers_retries_the_service_linked_role_error_too(ecs, capsys, no_sleep):
    live = dict(copy.deepcopy(LIVE), capacityProviders=[], defaultCapacityProviderStrategy=[])
    describe(ecs, live)
    put = {"cluster": "bandup", "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
           "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]}
    ecs.add_client_error("put_cluster_capacity_providers", "InvalidParameterException", SERVICE_LINKED_ROLE_ERROR,
                         400, expected_params=put)
    ecs.add_response("put_cluster_capacity_providers", {"cluster": LIVE}, put)
    describe(ecs, LIVE)
    out = run(args(), capsys)
    assert out["changed"] is True and out["changes"] == [change("update", "capacityProviders", "defaultCapacityProviderStrategy")]
    assert len(no_sleep) == 1


def test_diff_mode_shows_the_cluster_before_and_after_by_resource(ecs, capsys):
    describe(ecs, LIVE)
    out = run(args(container_insights="disabled", _ansible_check_mode=True, _ansible_diff=True), capsys)
    assert out["changes"] == [change("update", "containerInsights")]
    before, after = out["diff"]["before"]["cluster bandup"], out["diff"]["after"]["cluster bandup"]
    assert (before["containerInsights"], after["containerInsights"]) == ("enabled", "disabled")
    assert before["tags"] == after["tags"] == {"bandup:managed-by": "bandup.ecs", "bandup:active-az": "us-east-1b"}


def test_without_diff_mode_no_diff_is_returned(ecs, capsys):
    describe(ecs, LIVE)
    assert "diff" not in run(args(container_insights="disabled", _ansible_check_mode=True), capsys)


def test_delete_is_one_change_and_a_missing_cluster_none(ecs, capsys):
    describe(ecs, LIVE)
    ecs.add_response("delete_cluster", {"cluster": LIVE}, {"cluster": "bandup"})
    assert run(dict(name="bandup", state="absent", region="us-east-1"), capsys)["changes"] == [change("delete")]
    describe(ecs, None)
    out = run(dict(name="bandup", state="absent", region="us-east-1"), capsys)
    assert (out["changed"], out["changes"]) == (False, [])


NS_B = NS.replace("abcdefghijklmnop", "bbbbbbbbbbbbbbbb")
CELL_B = {"Id": "ns-bbbbbbbbbbbbbbbb", "Arn": NS_B, "Name": "bandup.cell-b", "Type": "HTTP"}


def test_cell_namespaces_no_op_is_one_list_and_their_tags(aws, capsys):
    """The default namespace and the other cell's, from one ListNamespaces; the default named in both options is
    one namespace."""
    describe_with(aws, LIVE)
    sd = aws["servicediscovery"]
    sd.add_response("list_namespaces", {"Namespaces": [NAMESPACE, CELL_B]})
    for arn in (NS, NS_B):
        sd.add_response("list_tags_for_resource", {"Tags": [{"Key": "bandup:managed-by", "Value": "bandup.ecs"}]},
                        {"ResourceARN": arn})
    out = run(namespace_args(http_namespaces=["bandup", "bandup.cell-b"]), capsys)
    assert out["changed"] is False and out["changes"] == []
    assert out["namespace"]["arn"] == NS
    assert {name: ns["arn"] for name, ns in out["namespaces"].items()} == {"bandup": NS, "bandup.cell-b": NS_B}


def test_a_missing_cell_namespace_is_created_and_tagged(aws, capsys):
    describe_with(aws, LIVE)
    sd = aws["servicediscovery"]
    sd.add_response("list_namespaces", {"Namespaces": [NAMESPACE]})
    sd.add_response("list_tags_for_resource", {"Tags": [{"Key": "bandup:managed-by", "Value": "bandup.ecs"}]},
                    {"ResourceARN": NS})
    sd.add_response("create_http_namespace", {"OperationId": "op-2"}, {
        "Name": "bandup.cell-b", "CreatorRequestId": ANY, "Tags": [{"Key": "bandup:managed-by", "Value": "bandup.ecs"}]})
    sd.add_response("get_operation", {"Operation": {"Id": "op-2", "Status": "SUCCESS",
                                                    "Targets": {"NAMESPACE": "ns-bbbbbbbbbbbbbbbb"}}},
                    {"OperationId": "op-2"})
    sd.add_response("get_namespace", {"Namespace": CELL_B}, {"Id": "ns-bbbbbbbbbbbbbbbb"})
    sd.add_response("list_tags_for_resource", {"Tags": [{"Key": "bandup:managed-by", "Value": "bandup.ecs"}]},
                    {"ResourceARN": NS_B})
    out = run(namespace_args(http_namespaces=["bandup", "bandup.cell-b"]), capsys)
    assert out["changes"] == [change("create", resource="namespace bandup.cell-b")]
    assert out["namespaces"]["bandup.cell-b"]["arn"] == NS_B
