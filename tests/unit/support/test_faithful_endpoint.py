"""The faithful endpoint (tests/support/faithful_endpoint/) answers like AWS where moto does not.

One endpoint process for the module, reset before each test (conftest.py: ``aws``); boto3 talks to it as the
collection does. Poll counts here are the step model of the module docstring.
"""
import json
import os
import sys
import urllib.error
import urllib.request

import botocore.session
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, ROOT)

from tests.support import faithful  # noqa: E402  pylint: disable=wrong-import-position
from tests.support.faithful_endpoint import check_shape  # noqa: E402  pylint: disable=wrong-import-position

from tests.unit.support.endpoint_account import CLUSTER  # noqa: E402  pylint: disable=wrong-import-position


# ------------------------------------------------------------------------------------------ 1. the Service shape

def test_service_reported_like_aws(aws):
    created = aws.create(capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
                         deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
                         serviceConnectConfiguration=aws.server_sc(), healthCheckGracePeriodSeconds=30)
    for service in (created, aws.describe()):
        assert "serviceConnectConfiguration" not in service
        assert "launchType" not in service
        assert service["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1}]
        assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        assert service["deploymentConfiguration"]["maximumPercent"] == 200
        assert service["platformVersion"] == "LATEST"
        assert service["healthCheckGracePeriodSeconds"] == 30
        assert service["availabilityZoneRebalancing"] == "ENABLED"
        assert service["propagateTags"] == "NONE" and service["enableECSManagedTags"] is False
        primary = service["deployments"][0]
        assert primary["status"] == "PRIMARY" and primary["id"].startswith("ecs-svc/")
        assert primary["serviceConnectConfiguration"]["namespace"] == aws.namespace["Arn"]
        assert primary["serviceConnectConfiguration"]["services"][0]["discoveryName"] == "web"
        assert primary["serviceConnectResources"][0]["discoveryName"] == "web"
        assert primary["serviceConnectResources"][0]["discoveryArn"].startswith("arn:aws:servicediscovery:")
    plain = aws.create(name="plain", lb=False)
    assert plain["launchType"] == "FARGATE" and "capacityProviderStrategy" not in plain


def test_a_target_group_without_a_listener_is_refused(aws):
    lonely = [{"targetGroupArn": aws.lonely_tg, "containerName": "app", "containerPort": 8080}]
    error = aws.error(aws.ecs.create_service, cluster=CLUSTER, serviceName="x", taskDefinition=aws.td1, desiredCount=1,
                       networkConfiguration=aws.network(), loadBalancers=lonely)
    assert error == {"Code": "InvalidParameterException", "Message": f"The target group with targetGroupArn "
                     f"{aws.lonely_tg} does not have an associated load balancer."}
    aws.create(name="x", lb=False)
    assert aws.error(aws.ecs.update_service, cluster=CLUSTER, service="x", loadBalancers=lonely)["Code"] == \
        "InvalidParameterException"


def test_launch_type_and_capacity_provider_strategy_together_are_refused(aws):
    error = aws.error(aws.ecs.create_service, cluster=CLUSTER, serviceName="x", taskDefinition=aws.td1, desiredCount=1,
                       networkConfiguration=aws.network(), launchType="FARGATE",
                       capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}])
    assert error["Code"] == "InvalidParameterException"


# ------------------------------------------------------------------------------------------ 2. rollouts over polls

def test_create_completes_in_three_polls_behind_a_load_balancer(aws):
    created = aws.create()
    assert created["deployments"][0]["rolloutState"] == "IN_PROGRESS" and created["runningCount"] == 0
    first = aws.describe()
    assert (first["pendingCount"], first["runningCount"]) == (2, 0)
    assert any("has started 2 tasks" in e["message"] for e in first["events"])
    second = aws.describe()
    assert second["runningCount"] == 2 and second["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    third = aws.describe()
    assert third["deployments"][0]["rolloutState"] == "COMPLETED"
    assert third["events"][0]["message"] == "(service web) has reached a steady state."


def test_update_rolls_out_in_four_polls_and_the_active_deployment_keeps_its_config(aws):
    aws.create(serviceConnectConfiguration=aws.server_sc())
    aws.poll_until_completed()
    old_id = aws.describe()["deployments"][0]["id"]
    updated = aws.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=aws.td2,
                                     serviceConnectConfiguration={"enabled": True, "namespace": "local"})["service"]
    primary, active = updated["deployments"]
    assert primary["status"] == "PRIMARY" and primary["id"] != old_id and primary["rolloutState"] == "IN_PROGRESS"
    assert primary["taskDefinition"] == aws.td2
    assert primary["serviceConnectConfiguration"] == {"enabled": True, "namespace": aws.namespace["Arn"]}
    assert "serviceConnectResources" not in primary
    assert (active["status"], active["id"], active["taskDefinition"]) == ("ACTIVE", old_id, aws.td1)
    assert active["serviceConnectConfiguration"]["services"][0]["discoveryName"] == "web"
    running = []
    for _ in range(4):
        service = aws.describe()
        running.append((service["deployments"][0]["runningCount"], len(service["deployments"])))
    assert running == [(0, 2), (2, 2), (2, 2), (2, 1)]
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    assert service["events"][0]["message"].endswith("has reached a steady state.")


def test_capacity_provider_or_deployment_configuration_alone_starts_no_deployment(aws):
    aws.create(capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}])
    aws.poll_until_completed()
    before = aws.describe()["deployments"]
    updated = aws.ecs.update_service(
        cluster=CLUSTER, service="web", capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        deploymentConfiguration={"maximumPercent": 150, "minimumHealthyPercent": 50})["service"]
    assert [d["id"] for d in updated["deployments"]] == [before[0]["id"]]
    assert updated["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    assert updated["deployments"][0]["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1}]
    assert updated["deploymentConfiguration"]["maximumPercent"] == 150
    forced = aws.ecs.update_service(cluster=CLUSTER, service="web", forceNewDeployment=True)["service"]
    assert len(forced["deployments"]) == 2
    assert forced["deployments"][0]["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT",
                                                                      "weight": 1}]


def test_desired_count_change_moves_running_count_without_a_deployment(aws):
    aws.create(lb=False, count=1)
    aws.poll_until_completed()
    deployment = aws.describe()["deployments"][0]["id"]
    aws.ecs.update_service(cluster=CLUSTER, service="web", desiredCount=3)
    counts = [aws.describe()["runningCount"] for _ in range(2)]
    assert counts == [1, 3]
    assert [d["id"] for d in aws.describe()["deployments"]] == [deployment]


def test_delete_drains_then_inactive_and_the_cluster_waits_for_it(aws):
    aws.create(lb=False)
    aws.poll_until_completed()
    assert aws.error(aws.ecs.delete_cluster, cluster=CLUSTER)["Code"] == "ClusterContainsServicesException"
    deleted = aws.ecs.delete_service(cluster=CLUSTER, service="web", force=True)["service"]
    assert deleted["status"] == "DRAINING"
    assert aws.error(aws.ecs.delete_cluster, cluster=CLUSTER)["Code"] == "ClusterContainsServicesException"
    assert aws.describe()["status"] == "DRAINING"  # its tasks are stopping
    assert aws.describe()["status"] == "INACTIVE"
    assert aws.ecs.list_services(cluster=CLUSTER)["serviceArns"] == []
    aws.ecs.delete_cluster(cluster=CLUSTER)


# ------------------------------------------------------------------------------------------ 3. tasks, 4. targets

def test_tasks_exist_in_the_task_shape(aws):
    aws.create()
    aws.poll_until_completed()
    deployment = aws.describe()["deployments"][0]["id"]
    tasks = aws.tasks()
    assert len(tasks) == 2
    assert {t["availabilityZone"] for t in tasks} == {"us-east-1a", "us-east-1b"}
    for task in tasks:
        assert task["lastStatus"] == "RUNNING" and task["desiredStatus"] == "RUNNING"
        assert task["group"] == "service:web" and task["startedBy"] == deployment
        assert task["taskDefinitionArn"] == aws.td1
        details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
        assert details["privateIPv4Address"].startswith("10.0.")
        assert task["containers"][0]["name"] == "app" and task["containers"][0]["lastStatus"] == "RUNNING"
    assert aws.tasks(status="STOPPED") == []
    aws.ecs.update_service(cluster=CLUSTER, service="web", forceNewDeployment=True)
    aws.poll_until_completed()
    stopped = aws.tasks(status="STOPPED")
    assert len(stopped) == 2 and all(t["lastStatus"] == "STOPPED" and t["stoppedAt"] for t in stopped)
    assert all(t["stopCode"] == "ServiceSchedulerInitiated" for t in stopped)


def test_target_health_follows_the_tasks(aws):
    aws.create()
    aws.describe()
    assert aws.targets() == []
    aws.describe()
    ips = sorted({d["value"] for t in aws.tasks() for d in t["attachments"][0]["details"]
                  if d["name"] == "privateIPv4Address"})
    assert aws.targets() == [(ip, "initial") for ip in ips]
    aws.describe()
    assert aws.targets() == [(ip, "healthy") for ip in ips]
    aws.ecs.update_service(cluster=CLUSTER, service="web", forceNewDeployment=True)
    for _ in range(3):
        aws.describe()
    assert sorted(state for ip, state in aws.targets() if ip in ips) == ["draining", "draining"]
    aws.describe()
    assert not [ip for ip, _ in aws.targets() if ip in ips]
    assert [state for _, state in aws.targets()] == ["healthy", "healthy"]


# ------------------------------------------------------------------------------------------ 5. Service Connect

def test_service_connect_names_are_unique_while_served(aws):
    aws.create(name="a", lb=False, serviceConnectConfiguration=aws.server_sc("backend"))
    aws.poll_until_completed("a")
    error = aws.error(aws.ecs.create_service, cluster=CLUSTER, serviceName="b", taskDefinition=aws.td1, desiredCount=1,
                       networkConfiguration=aws.network(), serviceConnectConfiguration=aws.server_sc("backend"))
    assert error["Code"] == "InvalidParameterException"
    assert error["Message"].startswith(f"SC service is already used by {aws.namespace['Arn']}")
    aws.create(name="b", lb=False, serviceConnectConfiguration={"enabled": True, "namespace": "local"})
    aws.poll_until_completed("b")
    # a turns client: its draining deployment still serves `backend` while it has running tasks
    aws.ecs.update_service(cluster=CLUSTER, service="a", serviceConnectConfiguration={"enabled": True,
                                                                                      "namespace": "local"})
    error = aws.error(aws.ecs.update_service, cluster=CLUSTER, service="b",
                       serviceConnectConfiguration=aws.server_sc("backend"))
    assert error["Code"] == "InvalidParameterException"
    aws.poll_until_completed("a")
    moved = aws.ecs.update_service(cluster=CLUSTER, service="b", serviceConnectConfiguration=aws.server_sc("backend"))
    assert moved["service"]["deployments"][0]["serviceConnectResources"][0]["discoveryName"] == "backend"


def test_cloud_map_services_outlive_the_ecs_service_and_block_the_namespace(aws):
    aws.create(lb=False, serviceConnectConfiguration=aws.server_sc("backend"))
    listed = aws.servicediscovery.list_services(
        Filters=[{"Name": "NAMESPACE_ID", "Values": [aws.namespace["Id"]], "Condition": "EQ"}])["Services"]
    assert [s["Name"] for s in listed] == ["backend"]
    assert aws.servicediscovery.list_services(
        Filters=[{"Name": "NAMESPACE_ID", "Values": ["ns-other"], "Condition": "EQ"}])["Services"] == []
    aws.ecs.delete_service(cluster=CLUSTER, service="web", force=True)
    aws.describe()
    error = aws.error(aws.servicediscovery.delete_namespace, Id=aws.namespace["Id"])
    assert error["Code"] == "ResourceInUse"
    aws.servicediscovery.delete_service(Id=listed[0]["Id"])
    aws.servicediscovery.delete_namespace(Id=aws.namespace["Id"])


# ------------------------------------------------------------------------------------------ 6. service-linked role

def test_first_create_cluster_with_capacity_providers_fails_once(aws):
    error = aws.error(aws.ecs.create_cluster, clusterName="cp", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    assert error["Code"] == "InvalidParameterException"
    assert error["Message"] == ("Unable to assume the service linked role. Please verify that the ECS service "
                                "linked role exists.")
    assert aws.ecs.create_cluster(clusterName="cp", capacityProviders=["FARGATE"])["cluster"]["clusterName"] == "cp"
    assert aws.iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["Path"] == "/aws-service-role/ecs.amazonaws.com/"


def test_service_linked_role_created_first(aws):
    role = aws.iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForECS"
    aws.ecs.create_cluster(clusterName="cp", capacityProviders=["FARGATE"])
    error = aws.error(aws.iam.create_service_linked_role, AWSServiceName="ecs.amazonaws.com")
    assert error["Code"] == "InvalidInput" and "has been taken in this account" in error["Message"]


# ------------------------------------------------------------------------------------------ 7. shapes

def _raw_shape_check(aws, operation, service="ecs"):
    model, body = aws.raw[operation]
    check_shape(model.output_shape, json.loads(body), operation, raw=True)


def test_raw_answers_have_only_members_of_the_output_shapes(aws):
    aws.create(capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
               serviceConnectConfiguration=aws.server_sc())
    _raw_shape_check(aws, "CreateService")
    aws.describe()
    aws.describe()
    aws.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=aws.td2)
    _raw_shape_check(aws, "UpdateService")
    aws.describe()
    aws.describe()
    _raw_shape_check(aws, "DescribeServices")
    aws.tasks()
    _raw_shape_check(aws, "ListTasks")
    _raw_shape_check(aws, "DescribeTasks")
    aws.targets()
    model, body = aws.raw["DescribeTargetHealth"]
    assert b"<Id>10.0." in body
    aws.ecs.delete_service(cluster=CLUSTER, service="web", force=True)
    _raw_shape_check(aws, "DeleteService")


def test_check_shape_refuses_unknown_members_and_wrong_types():
    model = botocore.session.get_session().get_service_model("ecs").shape_for("Service")
    check_shape(model, {"serviceName": "x", "desiredCount": 1, "deployments": [{"id": "ecs-svc/1"}]})
    with pytest.raises(ValueError, match="no member 'serviceConnectConfiguration'"):
        check_shape(model, {"serviceName": "x", "serviceConnectConfiguration": {"enabled": True}})
    with pytest.raises(ValueError, match="no member 'bogus'"):
        check_shape(model, {"deployments": [{"serviceConnectConfiguration": {"enabled": True, "bogus": 1}}]})
    with pytest.raises(ValueError, match="integer expected"):
        check_shape(model, {"desiredCount": "2"})
    with pytest.raises(ValueError, match="is not one of"):
        check_shape(model, {"launchType": "LAMBDA"})


# ------------------------------------------------------------------------------------------ 8. control API

def test_impaired_az_blocks_placement_and_its_unhealthy_tasks_keep_running(aws):
    aws.create(name="a", subnets=(aws.subnet_a,))
    aws.create(name="b", lb=False, subnets=(aws.subnet_b,))
    aws.poll_until_completed("a")
    aws.poll_until_completed("b")
    faithful.impair_az(aws.url, "us-east-1a")
    assert [state for _, state in aws.targets()] == ["unhealthy", "unhealthy"]
    for _ in range(4):
        service = aws.describe("a")
    # today's ECS starts replacements before it stops an unhealthy task: none can be placed, so nothing stops
    assert (service["runningCount"], service["desiredCount"], service["pendingCount"]) == (2, 2, 0)
    assert [(d["status"], d["rolloutState"]) for d in service["deployments"]] == [("PRIMARY", "COMPLETED")]
    messages = [e["message"] for e in service["events"]]
    assert "was unable to place a task" in messages[0]
    assert sum(f"(port 8080) is unhealthy in (target-group {aws.tg}) due to (reason Request timed out)." in m
               for m in messages) == 2
    assert aws.tasks("a", "STOPPED") == []
    assert [state for _, state in aws.targets()] == ["unhealthy", "unhealthy"]
    assert aws.describe("b")["runningCount"] == 2
    assert aws.ecs.list_clusters()["clusterArns"] and aws.servicediscovery.list_namespaces()["Namespaces"]


def test_impaired_az_fails_a_deployment_with_the_circuit_breaker_and_rolls_back(aws):
    aws.create(subnets=(aws.subnet_a,), count=2,
               deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    aws.poll_until_completed()
    completed = aws.describe()["deployments"][0]["id"]
    faithful.impair_az(aws.url, "us-east-1a")
    new = aws.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=aws.td2)["service"]
    failing_id = new["deployments"][0]["id"]
    states = []
    for _ in range(3):
        service = aws.describe()
        states.append({d["id"]: (d["status"], d["rolloutState"]) for d in service["deployments"]}.get(failing_id))
    assert states[0] == ("PRIMARY", "IN_PROGRESS")
    assert ("ACTIVE", "FAILED") in states
    primary = service["deployments"][0]
    assert primary["taskDefinition"] == aws.td1 and primary["id"] not in (completed, failing_id)
    assert primary["rolloutStateReason"] == f"ECS deployment circuit breaker: rolling back to deploymentId {completed}."
    faithful.restore_az(aws.url, "us-east-1a")
    aws.poll_until_completed()


def test_failing_tasks_exit_write_logs_and_trip_the_circuit_breaker(aws):
    aws.create(lb=False, count=2,
               deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    aws.poll_until_completed()
    faithful.fail_tasks(aws.url, CLUSTER, "web", exit_code=3, reason="boom", log_lines=["starting", "panic: db"])
    aws.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=aws.td2)
    aws.describe()
    aws.describe()
    failed = [t for t in aws.tasks(status="STOPPED") if t["taskDefinitionArn"] == aws.td2]
    assert failed and failed[0]["stopCode"] == "EssentialContainerExited"
    assert failed[0]["stoppedReason"] == "Essential container in task exited"
    assert (failed[0]["containers"][0]["exitCode"], failed[0]["containers"][0]["reason"]) == (3, "boom")
    stream = f"web/app/{failed[0]['taskArn'].split('/')[-1]}"
    events = aws.logs.get_log_events(logGroupName="/app", logStreamName=stream)["events"]
    assert [e["message"] for e in events] == ["starting", "panic: db"]
    service = aws.describe()
    assert [(d["taskDefinition"], d["rolloutState"]) for d in service["deployments"]][:2] == [
        (aws.td1, "IN_PROGRESS"), (aws.td2, "FAILED")]
    aws.poll_until_completed()
    assert aws.describe()["deployments"][0]["taskDefinition"] == aws.td1
    faithful.heal_tasks(aws.url, CLUSTER, "web")
    aws.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=aws.td2)
    aws.poll_until_completed()


def test_failing_health_checks(aws):
    aws.create(lb=False, count=1)
    aws.poll_until_completed()
    faithful.fail_tasks(aws.url, CLUSTER, "web", health_check=True)
    deployment = aws.ecs.update_service(cluster=CLUSTER, service="web",
                                        forceNewDeployment=True)["service"]["deployments"][0]["id"]
    for _ in range(3):  # PENDING, RUNNING, UNHEALTHY
        aws.describe()
    new = [t for t in aws.tasks() if t["startedBy"] == deployment]
    assert new and new[0]["containers"][0]["healthStatus"] == "UNHEALTHY" and new[0]["healthStatus"] == "UNHEALTHY"
    aws.describe()
    reasons = {t["stoppedReason"] for t in aws.tasks(status="STOPPED")}
    assert "Task failed container health checks" in reasons
    assert aws.describe()["deployments"][0]["failedTasks"] >= 1


def test_state_tick_and_reset(aws):
    aws.create(lb=False, count=1)
    faithful.tick(aws.url, CLUSTER, "web", count=2)
    state = faithful.state(aws.url)
    assert state["services"][0]["tasks"][0]["lastStatus"] == "RUNNING"
    faithful.impair_az(aws.url, "us-east-1b")
    assert faithful.state(aws.url)["impaired_azs"] == ["us-east-1b"]
    faithful.reset(aws.url)
    assert faithful.state(aws.url) == {"impaired_azs": [], "failing": [], "services": []}
    with pytest.raises(urllib.error.HTTPError):
        faithful.tick(aws.url, CLUSTER, "web")


def test_moto_recorder_still_records(aws):
    urllib.request.urlopen(urllib.request.Request(aws.url + "/moto-api/recorder/start-recording", method="POST",
                                                  data=b""), timeout=10).read()
    aws.create(lb=False, count=1)
    urllib.request.urlopen(urllib.request.Request(aws.url + "/moto-api/recorder/stop-recording", method="POST",
                                                  data=b""), timeout=10).read()
    with urllib.request.urlopen(aws.url + "/moto-api/recorder/download-recording", timeout=10) as response:
        record = response.read().decode()
    assert "CreateService" in record


def test_local_endpoint_starts_the_faithful_endpoint_unless_told_plain_moto():
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import local_endpoint  # pylint: disable=import-outside-toplevel

    assert local_endpoint.aws_command(False, 5000)[1].endswith("tests/support/faithful_endpoint")
    assert os.path.basename(local_endpoint.aws_command(True, 5000)[0]) == "moto_server"
