"""bandup.ecs.ecs_services: batched reads, order, hold, create/update/check mode (botocore Stubber, exact calls)."""
import copy
import datetime
import importlib.util
import os

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from botocore.stub import ANY

from ansible_collections.bandup.ecs.plugins.module_utils import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.modules import ecs_services


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, os.path.join(os.path.dirname(__file__), *path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_FIX = _load("ecs_service_fixtures", ("..", "module_utils", "test_ecs_service.py"))
_MOD = _load("ecs_service_module_tests", ("test_ecs_service_module.py",))
CLUSTER, NS_ARN, TD, TG = _FIX.CLUSTER, _FIX.NS_ARN, _FIX.TD, _FIX.TG
Clients = _MOD.Clients
A, B = "bandup-prod-backend-a", "bandup-prod-backend-b"
RID_A, RID_B = f"service/{CLUSTER}/{A}", f"service/{CLUSTER}/{B}"
DIM = "ecs:service:DesiredCount"
CLIENT_SC = {"enabled": True, "namespace": NS_ARN}
NOW = datetime.datetime(2026, 11, 27, tzinfo=datetime.timezone.utc)

COMMON = {"task_definition": TD, "availability_zone": "eu-west-1a",
          "network": {"subnets": ["subnet-0a", "subnet-0b"], "security_groups": ["sg-1"]},
          "health_check_grace_period": 60, "availability_zone_rebalancing": "DISABLED", "propagate_tags": "SERVICE",
          "platform_version": "LATEST"}
ACTIVE = dict(COMMON, name=A, desired_count=2,
              load_balancers=[{"target_group_arn": TG, "container_name": "backend", "container_port": 8080}],
              service_connect={"namespace": NS_ARN, "services": [{"port_name": "backend", "discovery_name": "backend",
                                                                   "client_aliases": [{"port": 8080, "dns_name": "backend"}]}]},
              tags={"bandup:role": "active"}, expect_live={"tags": {"bandup:role": "active"}},
              autoscaling={"min_capacity": 2, "max_capacity": 4,
                           "policies": [{"name": "cpu", "metric": "cpu", "target_value": 60}]})
STANDBY = dict(COMMON, name=B, desired_count=1, force_desired_count=True, service_connect={"namespace": NS_ARN},
               deployment_token="backend=bandup-prod-backend-a", tags={"bandup:role": "standby"},
               expect_live={"tags": {"bandup:role": "standby"}, "service_connect_server": False},
               autoscaling={"state": "absent"})
ARGS = {"cluster": CLUSTER, "services": [ACTIVE, STANDBY], "target_health": "after_change", "wait_delay": 0,
        "region": "eu-west-1"}


def record(entry):
    params = ArgumentSpecValidator(ecs_services.ENTRY_OPTIONS).validate(copy.deepcopy(entry)).validated_parameters
    return svc.last_applied(svc.build_spec(params, TD), params["deployment_token"])


def live_active(**changes):
    service = _FIX.aws_service([_FIX.deployment("ecs-svc/1", sc=_FIX.sc_live())], name=A,
                               tags={"bandup:role": "active", svc.LAST_APPLIED_TAG: record(ACTIVE)})
    return dict(service, **changes)


def live_standby(role="standby"):
    service = _FIX.aws_service([_FIX.deployment("ecs-svc/2", desired=1, running=1, sc=CLIENT_SC)], name=B, desired=1,
                               running=1, tags={"bandup:role": role, svc.LAST_APPLIED_TAG: record(STANDBY)})
    return dict(service, loadBalancers=[])


def cpu_policy(rid, target=60.0):
    return {"PolicyARN": f"arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:1:resource/ecs/{rid}:policyName/cpu",
            "PolicyName": "cpu", "ServiceNamespace": "ecs", "ResourceId": rid, "ScalableDimension": DIM,
            "PolicyType": "TargetTrackingScaling", "CreationTime": NOW,
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": target, "DisableScaleIn": False, "ScaleInCooldown": 300, "ScaleOutCooldown": 60,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}}


def target(rid):
    return {"ServiceNamespace": "ecs", "ResourceId": rid, "ScalableDimension": DIM, "MinCapacity": 2,
            "MaxCapacity": 4, "RoleARN": "arn:aws:iam::123456789012:role/x", "CreationTime": NOW}


def describe(clients, services, names=(A, B)):
    clients["ecs"].add_response("describe_services", {"services": services, "failures": []},
                                {"cluster": CLUSTER, "services": list(names), "include": ["TAGS"]})


def read_scaling(clients, targets, policies=None):
    clients["application-autoscaling"].add_response(
        "describe_scalable_targets", {"ScalableTargets": targets},
        {"ServiceNamespace": "ecs", "ResourceIds": [RID_A, RID_B], "ScalableDimension": DIM})
    if policies is not None:
        clients["application-autoscaling"].add_response(
            "describe_scaling_policies", {"ScalingPolicies": policies},
            {"ServiceNamespace": "ecs", "ScalableDimension": DIM, "ResourceId": RID_A})


def run(args, clients):
    return _MOD.run(args, clients, module=ecs_services)


def test_no_op_is_exactly_three_reads():
    """DescribeServices, DescribeScalableTargets, DescribeScalingPolicies: nothing else (no subnets, no targets)."""
    clients = Clients()
    describe(clients, [live_active(), live_standby()])
    read_scaling(clients, [target(RID_A)], [cpu_policy(RID_A)])
    result, failed = run(ARGS, clients)
    assert not failed and result["changed"] is False and result["held"] == []
    assert result["services"][A]["changed_fields"] == [] and result["services"][A]["deployment_id"] == "ecs-svc/1"
    assert result["services"][A]["autoscaling"] == {"resource_id": RID_A, "changed": False,
                                                    "policies": {"put": [], "deleted": []}}
    assert result["live"][B] == dict(result["live"][B], exists=True, role="standby", service_connect_server=False)


def test_target_health_always_reads_the_targets_of_an_unchanged_service():
    clients = Clients()
    describe(clients, [live_active(), live_standby()])
    read_scaling(clients, [target(RID_A)], [cpu_policy(RID_A)])
    _MOD.healthy(clients)
    result, failed = run(dict(ARGS, target_health="always"), clients)
    assert not failed and result["changed"] is False


def test_live_role_differing_holds_every_write():
    clients = Clients()
    describe(clients, [live_active(), live_standby(role="active")])
    result, failed = run(ARGS, clients)
    assert not failed and result["changed"] is False
    assert result["held"] == [B] and result["services"] == {}
    assert result["live"][B]["role"] == "active"


def test_standby_still_serving_service_connect_holds():
    clients = Clients()
    serving = live_standby()
    serving["deployments"] = [_FIX.deployment("ecs-svc/2", desired=1, running=1, sc=_FIX.sc_live())]
    describe(clients, [live_active(), serving])
    result, failed = run(ARGS, clients)
    assert not failed and result["held"] == [B]


def test_create_in_order_then_autoscaling():
    clients = Clients()
    describe(clients, [])
    read_scaling(clients, [])
    clients["ec2"].add_response("describe_subnets", _MOD.SUBNETS_IN_A, {"SubnetIds": ["subnet-0a", "subnet-0b"]})
    ecs, aas = clients["ecs"], clients["application-autoscaling"]
    # The server first: its endpoint must be free, then it is created and waited for.
    ecs.add_response("list_services", {"serviceArns": []}, {"cluster": CLUSTER})
    ecs.add_response("create_service", {"service": live_active(deployments=[_FIX.deployment(
        "ecs-svc/9", rollout="IN_PROGRESS", running=0, sc=_FIX.sc_live())])}, {
        "cluster": CLUSTER, "serviceName": A, "desiredCount": 2, "schedulingStrategy": "REPLICA", "tags": ANY,
        "taskDefinition": TD, "capacityProviderStrategy": ANY, "networkConfiguration": ANY, "loadBalancers": ANY,
        "serviceConnectConfiguration": ANY, "deploymentConfiguration": ANY, "healthCheckGracePeriodSeconds": 60,
        "availabilityZoneRebalancing": "DISABLED", "propagateTags": "SERVICE", "platformVersion": "LATEST"})
    describe(clients, [live_active(deployments=[_FIX.deployment("ecs-svc/9", sc=_FIX.sc_live())])], names=[A])
    _MOD.healthy(clients)
    aas.add_response("register_scalable_target", {}, {"ServiceNamespace": "ecs", "ResourceId": RID_A,
                                                      "ScalableDimension": DIM, "MinCapacity": 2, "MaxCapacity": 4})
    aas.add_response("put_scaling_policy", {"PolicyARN": "arn:x", "Alarms": []}, {
        "PolicyName": "cpu", "ServiceNamespace": "ecs", "ResourceId": RID_A, "ScalableDimension": DIM,
        "PolicyType": "TargetTrackingScaling", "TargetTrackingScalingPolicyConfiguration": ANY})
    # Then the client, no endpoint check, no target group; no scalable target to remove.
    ecs.add_response("create_service", {"service": live_standby()}, {
        "cluster": CLUSTER, "serviceName": B, "desiredCount": 1, "schedulingStrategy": "REPLICA", "tags": ANY,
        "taskDefinition": TD, "capacityProviderStrategy": ANY, "networkConfiguration": ANY, "loadBalancers": [],
        "serviceConnectConfiguration": CLIENT_SC, "deploymentConfiguration": ANY, "healthCheckGracePeriodSeconds": 60,
        "availabilityZoneRebalancing": "DISABLED", "propagateTags": "SERVICE", "platformVersion": "LATEST"})
    describe(clients, [live_standby()], names=[B])
    result, failed = run(ARGS, clients)
    assert not failed and result["changed"] is True
    assert list(result["services"]) == [A, B]
    assert result["services"][A]["deployment_id"] == "ecs-svc/9"
    assert result["services"][A]["autoscaling"]["policies"] == {"put": ["cpu"], "deleted": []}


def test_update_in_check_mode_predicts_and_writes_nothing_then_applies():
    drifted = live_active(healthCheckGracePeriodSeconds=30)
    for check_mode in (True, False):
        clients = Clients()
        describe(clients, [drifted, live_standby()])
        read_scaling(clients, [target(RID_A)], [cpu_policy(RID_A, target=50.0)])
        if not check_mode:
            clients["ecs"].add_response("update_service", {"service": drifted}, {
                "cluster": CLUSTER, "service": A, "healthCheckGracePeriodSeconds": 60, "forceNewDeployment": False})
            describe(clients, [live_active()], names=[A])
            _MOD.healthy(clients)
            clients["application-autoscaling"].add_response("put_scaling_policy", {"PolicyARN": "arn:x", "Alarms": []}, {
                "PolicyName": "cpu", "ServiceNamespace": "ecs", "ResourceId": RID_A, "ScalableDimension": DIM,
                "PolicyType": "TargetTrackingScaling", "TargetTrackingScalingPolicyConfiguration": ANY})
        result, failed = run(dict(ARGS, _ansible_check_mode=check_mode, _ansible_diff=True), clients)
        assert not failed and result["changed"] is True
        assert result["services"][A]["changed_fields"] == ["healthCheckGracePeriodSeconds"]
        assert result["services"][A]["autoscaling"]["policies"]["put"] == ["cpu"]
        assert result["services"][B]["changed"] is False
        assert result["diff"]["after"][A]["healthCheckGracePeriodSeconds"] == 60


def test_two_scalable_targets_read_the_policies_once():
    """With more than one resource, one namespace-wide read (paginated), kept to the resources asked for."""
    clients = Clients()
    both = dict(ARGS, services=[ACTIVE, dict(STANDBY, expect_live=None, autoscaling=ACTIVE["autoscaling"],
                                             force_desired_count=False)])
    describe(clients, [live_active(), live_standby()])
    clients["application-autoscaling"].add_response(
        "describe_scalable_targets", {"ScalableTargets": [target(RID_A), target(RID_B)]},
        {"ServiceNamespace": "ecs", "ResourceIds": [RID_A, RID_B], "ScalableDimension": DIM})
    clients["application-autoscaling"].add_response(
        "describe_scaling_policies", {"ScalingPolicies": [cpu_policy(RID_A), cpu_policy(RID_B),
                                                          cpu_policy(f"service/{CLUSTER}/other")]},
        {"ServiceNamespace": "ecs", "ScalableDimension": DIM})
    result, failed = run(both, clients)
    assert not failed and result["changed"] is False


def test_bad_entry_fails_before_any_call():
    clients = Clients()
    result, failed = run(dict(ARGS, services=[ACTIVE, dict(STANDBY, desired_count="many")]), clients)
    assert failed and result["msg"].startswith("services[1]: ") and "desired_count" in result["msg"]
    result, failed = run(dict(ARGS, services=[ACTIVE, ACTIVE]), clients)
    assert failed and result["msg"] == f"services: {A} given more than once"


def test_bad_autoscaling_fails_before_any_write():
    clients = Clients()
    describe(clients, [live_active(), live_standby()])
    read_scaling(clients, [target(RID_A)])
    bad = dict(ACTIVE, autoscaling={"min_capacity": 5, "max_capacity": 4})
    result, failed = run(dict(ARGS, services=[bad, STANDBY]), clients)
    assert failed and result["msg"].startswith(f"services[0] ({A}): min_capacity: 5")


def test_circuit_breaker_rollback_records_the_good_revision_and_says_why_the_tasks_stopped():
    """A deploy of revision 8 over a COMPLETED revision 7: the TagResource of the deploy carries bandup:last-good=7;
    the breaker rolls 8 back and the failure names the stopped task's exit code and its last log line."""
    td8 = TD.rsplit(":", 1)[0] + ":8"
    entry = dict(ACTIVE, task_definition=td8)
    params = ArgumentSpecValidator(ecs_services.ENTRY_OPTIONS).validate(copy.deepcopy(entry)).validated_parameters
    new_record = svc.last_applied(svc.build_spec(params, td8))
    clients = Clients()
    describe(clients, [live_active(), live_standby()])
    read_scaling(clients, [target(RID_A)], [cpu_policy(RID_A)])
    started = _FIX.aws_service([dict(_FIX.deployment("ecs-svc/3", rollout="IN_PROGRESS", running=0), taskDefinition=td8),
                                _FIX.deployment("ecs-svc/1", status="ACTIVE")], name=A)
    clients["ecs"].add_response("update_service", {"service": started}, {
        "cluster": CLUSTER, "service": A, "taskDefinition": td8, "forceNewDeployment": False})
    clients["ecs"].add_response("tag_resource", {}, {"resourceArn": live_active()["serviceArn"], "tags": [
        {"key": svc.LAST_APPLIED_TAG, "value": new_record}, {"key": "bandup:last-good", "value": "7"}]})
    failed_dep = dict(_FIX.deployment("ecs-svc/3", status="ACTIVE", rollout="FAILED", running=0), taskDefinition=td8,
                      rolloutStateReason="ECS deployment circuit breaker: tasks failed to start.")
    describe(clients, [_FIX.aws_service([_FIX.deployment("ecs-svc/4", rollout="IN_PROGRESS"), failed_dep], name=A)],
             names=[A])
    _MOD.expect_stopped_task(clients, "ecs-svc/3", ["Error: Cannot find module '/app/server.js'"], name=A,
                             task_definition=td8)
    result, failed = run(dict(ARGS, services=[entry, STANDBY], failure_log_lines=5), clients)
    assert failed and result["timed_out"] is False
    assert "no longer the PRIMARY deployment" in result["msg"]
    assert "container backend: exit code 1" in result["msg"]
    assert "last 1 log lines of backend: Error: Cannot find module '/app/server.js'" in result["msg"]
    assert result["stopped_tasks"][0]["task_definition"] == td8
