"""bandup.ecs.ecs_service module: decisions end to end with stubbed AWS clients (no write unless expected)."""
import json
import os
import sys
from unittest import mock

from botocore.stub import ANY

from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.modules import ecs_service
from conftest import Clients, run_module, run_stubbed  # the modules' conftest, bound at collection (tests/unit/support has one too)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, ROOT)
from tests.support import ecs_service_answers as _FIX  # noqa: E402  pylint: disable=wrong-import-position
CLUSTER, NS_ARN, TD, TG = _FIX.CLUSTER, _FIX.NS_ARN, _FIX.TD, _FIX.TG
aws_service, deployment, emulator_service, sc_live = _FIX.aws_service, _FIX.deployment, _FIX.emulator_service, _FIX.sc_live
SUBNETS_IN_A, expect_stopped_task = _FIX.SUBNETS_IN_A, _FIX.expect_stopped_task

NAME = "bandup-prod-backend-a"
ARGS = {
    "name": NAME, "cluster": CLUSTER, "task_definition": TD, "desired_count": 2, "availability_zone": "eu-west-1a",
    "network": {"subnets": ["subnet-0a", "subnet-0b"], "security_groups": ["sg-1"]},
    "load_balancers": [{"target_group_arn": TG, "container_name": "backend", "container_port": 8080}],
    "service_connect": {"namespace": NS_ARN, "services": [
        {"port_name": "backend", "discovery_name": "backend", "client_aliases": [{"port": 8080, "dns_name": "backend"}]}]},
    "health_check_grace_period": 60, "availability_zone_rebalancing": "DISABLED", "propagate_tags": "SERVICE",
    "platform_version": "LATEST", "tags": {"bandup:standing": "active"}, "wait_delay": 0, "region": "eu-west-1",
}

def run(args, clients, module=ecs_service):
    """Run the module (ecs_service unless told); return (result, failed)."""
    return run_stubbed(args, clients, module)


def describe(clients, service):
    clients["ecs"].add_response("describe_services", {"services": [service] if service else [], "failures": []},
                                {"cluster": CLUSTER, "services": [NAME], "include": ["TAGS"]})


def healthy(clients):
    clients["elbv2"].add_response("describe_target_health", {"TargetHealthDescriptions": [
        {"Target": {"Id": "10.0.1.5", "Port": 8080}, "TargetHealth": {"State": "healthy"}}]}, {"TargetGroupArn": TG})


def full_params(args):
    """The module options as AnsibleModule fills them in (defaults applied)."""
    sc = args["service_connect"]
    return dict(args, network=dict(args["network"], assign_public_ip=False),
                service_connect=dict(sc, enabled=True, services=sc.get("services")),
                capacity_provider_strategy=[{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
                deployment={"minimum_healthy_percent": 100, "maximum_percent": 200, "circuit_breaker": True,
                            "rollback": True}, enable_ecs_managed_tags=None)


def recorded(args=ARGS, token=None):
    return {"bandup:standing": "active", svc.LAST_APPLIED_TAG: svc.last_applied(svc.build_spec(full_params(args), TD), token)}


def test_subnet_in_another_az_fails_before_any_write():
    clients = Clients()
    describe(clients, None)
    clients["ec2"].add_response("describe_subnets", {"Subnets": [
        SUBNETS_IN_A["Subnets"][0], dict(SUBNETS_IN_A["Subnets"][1], AvailabilityZone="eu-west-1b")]},
        {"SubnetIds": ["subnet-0a", "subnet-0b"]})
    result, failed = run(ARGS, clients)
    assert failed
    assert result["msg"].startswith("network.subnets: subnet-0b is in eu-west-1b, not in availability_zone eu-west-1a")


def test_create_sends_full_spec_and_waits_for_its_deployment():
    clients = Clients()
    describe(clients, None)
    clients["ec2"].add_response("describe_subnets", SUBNETS_IN_A, {"SubnetIds": ["subnet-0a", "subnet-0b"]})
    clients["ecs"].add_response("list_services", {"serviceArns": []}, {"cluster": CLUSTER})
    created = aws_service([deployment("ecs-svc/9", rollout="IN_PROGRESS", running=0, sc=sc_live())], running=0,
                          tags=recorded())
    clients["ecs"].add_response("create_service", {"service": created}, {
        "cluster": CLUSTER, "serviceName": NAME, "desiredCount": 2, "schedulingStrategy": "REPLICA",
        "taskDefinition": TD, "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0a", "subnet-0b"],
                                                         "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}},
        "loadBalancers": [{"targetGroupArn": TG, "containerName": "backend", "containerPort": 8080}],
        "serviceConnectConfiguration": {"enabled": True, "namespace": NS_ARN, "services": [{
            "portName": "backend", "discoveryName": "backend", "clientAliases": [{"port": 8080, "dnsName": "backend"}]}]},
        "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100,
                                    "deploymentCircuitBreaker": {"enable": True, "rollback": True}},
        "healthCheckGracePeriodSeconds": 60, "availabilityZoneRebalancing": "DISABLED", "propagateTags": "SERVICE",
        "platformVersion": "LATEST", "tags": ANY, "clientToken": ANY})
    describe(clients, aws_service([deployment("ecs-svc/9", sc=sc_live())], tags=recorded()))
    healthy(clients)
    result, failed = run(ARGS, clients)
    assert not failed and result["changed"]
    assert result["deployment_id"] == "ecs-svc/9"
    assert result["service"]["tags"][svc.LAST_APPLIED_TAG] == recorded()[svc.LAST_APPLIED_TAG]


def test_discovery_name_owned_by_another_service_fails_before_create():
    clients = Clients()
    describe(clients, None)
    clients["ec2"].add_response("describe_subnets", SUBNETS_IN_A, {"SubnetIds": ["subnet-0a", "subnet-0b"]})
    owner = aws_service(name="bandup-prod-backend-b")
    clients["ecs"].add_response("list_services", {"serviceArns": [owner["serviceArn"]]}, {"cluster": CLUSTER})
    clients["ecs"].add_response("describe_services", {"services": [owner], "failures": []},
                                {"cluster": CLUSTER, "services": [owner["serviceArn"]], "include": ["TAGS"]})
    result, failed = run(ARGS, clients)
    assert failed
    assert "'backend' is already served by service bandup-prod-backend-b" in result["msg"]


def test_no_change_on_real_aws_response_makes_no_write():
    """Exactly DescribeServices, then the health of the steady deployment's targets (the subnets are not re-read)."""
    clients = Clients()
    describe(clients, aws_service(tags=recorded()))
    healthy(clients)
    result, failed = run(ARGS, clients)
    assert not failed and result["changed"] is False and result["changes"] == []


def test_no_change_on_emulator_response_makes_no_write():
    clients = Clients()
    describe(clients, dict(emulator_service(), tags=[{"key": k, "value": v} for k, v in recorded().items()]))
    healthy(clients)
    result, failed = run(ARGS, clients)
    assert not failed and result["changed"] is False


def test_desired_count_left_to_autoscaling():
    clients = Clients()
    describe(clients, aws_service([deployment("ecs-svc/1", desired=5, running=5, sc=sc_live())], desired=5,
                                  running=5, tags=recorded()))
    clients["application-autoscaling"].add_response("describe_scalable_targets", {"ScalableTargets": [{
        "ServiceNamespace": "ecs", "ResourceId": f"service/{CLUSTER}/{NAME}", "ScalableDimension": "ecs:service:DesiredCount",
        "MinCapacity": 2, "MaxCapacity": 8, "RoleARN": "arn:aws:iam::123456789012:role/x", "CreationTime": "2026-11-27"}]},
        {"ServiceNamespace": "ecs", "ResourceIds": [f"service/{CLUSTER}/{NAME}"],
         "ScalableDimension": "ecs:service:DesiredCount"})
    healthy(clients)
    result, failed = run(ARGS, clients)
    assert not failed and result["changed"] is False
    assert result["desired_count_owner"] == "autoscaling"


def test_desired_count_applied_without_scalable_target_and_check_mode_writes_nothing():
    live = aws_service([deployment("ecs-svc/1", desired=1, running=1, sc=sc_live())], desired=1, running=1,
                       tags=recorded())
    for check_mode in (True, False):
        clients = Clients()
        describe(clients, live)
        clients["application-autoscaling"].add_response("describe_scalable_targets", {"ScalableTargets": []})
        if not check_mode:
            clients["ecs"].add_response("update_service", {"service": dict(live, desiredCount=2)}, {
                "cluster": CLUSTER, "service": NAME, "desiredCount": 2, "forceNewDeployment": False})
            describe(clients, aws_service(tags=recorded()))
            healthy(clients)
        result, failed = run(dict(ARGS, _ansible_check_mode=check_mode), clients)
        assert not failed and result["changed"] and result["changes"] == [
            {"resource": f"service {NAME}", "action": "update", "fields": ["desiredCount"]}]


def test_new_deployment_token_redeploys_client():
    client_args = dict(ARGS, service_connect={"namespace": NS_ARN}, deployment_token="backend=bandup-prod-backend-b")
    old_record = recorded(client_args, "backend=bandup-prod-backend-a")[svc.LAST_APPLIED_TAG]
    new_record = recorded(client_args, "backend=bandup-prod-backend-b")[svc.LAST_APPLIED_TAG]
    client_sc = {"enabled": True, "namespace": NS_ARN}
    live = aws_service([deployment("ecs-svc/1", sc=client_sc)], tags={"bandup:standing": "active",
                                                                     svc.LAST_APPLIED_TAG: old_record})
    clients = Clients()
    describe(clients, live)
    clients["ecs"].add_response("update_service", {"service": aws_service([deployment("ecs-svc/2", sc=client_sc)])},
                                {"cluster": CLUSTER, "service": NAME, "forceNewDeployment": True})
    # The record of the revisions that completed on the service rides along: ecs-svc/1 (revision 7) COMPLETED.
    clients["ecs"].add_response("tag_resource", {}, {"resourceArn": live["serviceArn"], "tags": [
        {"key": svc.LAST_APPLIED_TAG, "value": new_record}, {"key": "bandup:last-good", "value": "7"}]})
    describe(clients, aws_service([deployment("ecs-svc/2", sc=client_sc)]))
    healthy(clients)
    result, failed = run(client_args, clients)
    assert not failed and result["changed"] and result["changes"] == [
        {"resource": f"service {NAME}", "action": "update", "fields": ["forceNewDeployment"]},
        {"resource": f"service {NAME}", "action": "tag", "fields": [svc.LAST_APPLIED_TAG, "bandup:last-good"]}]
    assert result["deployment_id"] == "ecs-svc/2"


def test_wait_timeout_fails_with_timed_out_and_events():
    clients = Clients()
    stuck = aws_service([deployment("ecs-svc/1", rollout="IN_PROGRESS", running=0, sc=sc_live())], running=0,
                        tags=recorded())
    describe(clients, stuck)
    expect_stopped_task(clients, "ecs-svc/1", ["booting", "password hunter22 rejected", "exiting with 1"])
    result, failed = run(dict(ARGS, wait_timeout=0, wait_delay=5, failure_log_lines=5), clients)
    assert failed and result["timed_out"] is True
    assert result["events"] and "in_progress" in result["rollout_state_reason"]
    assert "Stopped task 0a1b2c3d4e5f: Essential container in task exited; container backend: exit code 1" in \
        result["msg"]
    assert result["msg"].endswith("last 3 log lines of backend: booting | password *** rejected | exiting with 1.")
    assert result["stopped_tasks"][0]["containers"][0]["exit_code"] == 1
    assert "hunter22" not in repr(result)


def test_launch_type_service_not_created_here_is_refused():
    clients = Clients()
    legacy = dict(emulator_service(), launchType="FARGATE")
    describe(clients, legacy)
    result, failed = run(ARGS, clients)
    assert failed and result["msg"].startswith("capacity_provider_strategy: service")
    assert json.dumps(result)  # serializable


def test_changed_subnets_are_checked_before_the_update():
    clients = Clients()
    moved = dict(ARGS, network={"subnets": ["subnet-0c"], "security_groups": ["sg-1"]})
    describe(clients, aws_service(tags=recorded()))
    clients["ec2"].add_response("describe_subnets", {"Subnets": [dict(SUBNETS_IN_A["Subnets"][0], SubnetId="subnet-0c",
                                                                      AvailabilityZone="eu-west-1b")]},
                                {"SubnetIds": ["subnet-0c"]})
    result, failed = run(moved, clients)
    assert failed and result["msg"].startswith("network.subnets: subnet-0c is in eu-west-1b")


def test_present_without_its_required_options_fails_before_any_call(capsys):
    """task_definition, network and availability_zone are required with state=present (the argument spec says so);
    a stubbed client with no answers queued fails on any call."""
    clients = Clients()
    with mock.patch.object(AWSModule, "client", side_effect=clients.client):
        out = run_module(ecs_service, {k: v for k, v in ARGS.items() if k != "network"}, capsys)
        assert out["failed"] and out["msg"] == "state is present but all of the following are missing: network"
        absent = {"name": NAME, "cluster": CLUSTER, "state": "absent", "region": "eu-west-1"}
        describe(clients, None)
        out = run_module(ecs_service, absent, capsys)
        assert out["changed"] is False and out["changes"] == []
    clients.check()


def test_standing_tag_of_earlier_releases_is_replaced_once():
    """A service converged before the rename carries ``bandup:role``: the first converge writes ``bandup:standing``
    and removes the old key (UntagResource); the spec itself is unchanged, so nothing else is written."""
    legacy = dict(recorded(), **{"bandup:role": "active"})
    del legacy["bandup:standing"]
    live = aws_service(tags=legacy)
    clients = Clients()
    describe(clients, live)
    clients["ecs"].add_response("untag_resource", {}, {"resourceArn": live["serviceArn"], "tagKeys": ["bandup:role"]})
    clients["ecs"].add_response("tag_resource", {}, {"resourceArn": live["serviceArn"], "tags": [
        {"key": "bandup:last-good", "value": "7"}, {"key": "bandup:standing", "value": "active"}]})
    describe(clients, aws_service(tags=recorded()))
    healthy(clients)
    result, failed = run(ARGS, clients)
    assert not failed and result["changed"] and result["changes"] == [
        {"resource": f"service {NAME}", "action": "untag", "fields": ["bandup:role"]},
        {"resource": f"service {NAME}", "action": "tag", "fields": ["bandup:last-good", "bandup:standing"]}]


def test_absent_scales_to_zero_deletes_and_a_wait_that_runs_out_fails_with_the_writes_sent():
    """state=absent goes through the batch too (Batch.delete): the WaitError of the INACTIVE wait reaches run() as it
    is, with timed_out and the writes already sent."""
    clients = Clients()
    live = aws_service(tags=recorded())
    describe(clients, live)
    clients["ecs"].add_response("update_service", {"service": dict(live, desiredCount=0)},
                                {"cluster": CLUSTER, "service": NAME, "desiredCount": 0})
    clients["ecs"].add_response("delete_service", {"service": dict(live, status="DRAINING", desiredCount=0)},
                                {"cluster": CLUSTER, "service": NAME})
    describe(clients, dict(live, status="DRAINING", desiredCount=0))
    args = {"name": NAME, "cluster": CLUSTER, "state": "absent", "region": "eu-west-1", "wait_timeout": 0,
            "wait_delay": 5}
    result, failed = run(args, clients)
    assert failed and result["timed_out"] is True
    assert result["msg"] == f"service {NAME}: timed out waiting for it to become INACTIVE"
    assert [(c["action"], c["fields"]) for c in result["changes"]] == [("update", ["desiredCount"]), ("delete", [])]
