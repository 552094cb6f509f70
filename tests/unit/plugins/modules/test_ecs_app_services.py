"""bandup.ecs.ecs_app_services: batched reads, order, the failover switch, create/update/check mode (botocore Stubber,
exact calls)."""
import copy
import datetime
import os
import sys

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from unittest import mock

from botocore.stub import ANY

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.service_batch import ENTRY_OPTIONS
from ansible_collections.bandup.ecs.plugins.modules import ecs_app_services


from conftest import Clients, run_module, run_stubbed


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, ROOT)
from tests.support import ecs_service_answers as _FIX  # noqa: E402  pylint: disable=wrong-import-position
CLUSTER, NS_ARN, TD, TG = _FIX.CLUSTER, _FIX.NS_ARN, _FIX.TD, _FIX.TG
TG_B = TG.replace("backend-a/0123456789abcdef", "backend-b/fedcba9876543210")
LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/bandup-prod/50dc6c495c0c9188/f2f7dc8efc522ab2"
A, B = "bandup-prod-backend-a", "bandup-prod-backend-b"
RID_A, RID_B = f"service/{CLUSTER}/{A}", f"service/{CLUSTER}/{B}"
DIM = "ecs:service:DesiredCount"
CLIENT_SC = {"enabled": True, "namespace": NS_ARN}
TOKEN = "backend=bandup-prod-backend-a;"
NOW = datetime.datetime(2026, 11, 27, tzinfo=datetime.timezone.utc)
SERVER_SC = {"namespace": NS_ARN, "services": [{"port_name": "backend", "discovery_name": "backend",
                                                "client_aliases": [{"port": 8080, "dns_name": "backend"}]}]}

COMMON = {"task_definition": TD, "availability_zone": "eu-west-1a",
          "network": {"subnets": ["subnet-0a", "subnet-0b"], "security_groups": ["sg-1"]},
          "health_check_grace_period": 60, "availability_zone_rebalancing": "DISABLED", "propagate_tags": "SERVICE",
          "platform_version": "LATEST"}
ACTIVE = dict(COMMON, name=A, desired_count=2,
              load_balancers=[{"target_group_arn": TG, "container_name": "backend", "container_port": 8080}],
              service_connect=SERVER_SC, tags={"bandup:standing": "active"},
              autoscaling={"min_capacity": 2, "max_capacity": 4,
                           "policies": [{"name": "cpu", "metric": "cpu", "target_value": 60}]})
# Each cell has its own server, in its own namespace.
NS_B = NS_ARN.replace("ns-", "ns-b")
SERVER_SC_B = dict(SERVER_SC, namespace=NS_B)
STANDBY = dict(COMMON, name=B, desired_count=1, force_desired_count=True, service_connect=SERVER_SC_B,
               load_balancers=[{"target_group_arn": TG_B, "container_name": "backend", "container_port": 8080}],
               tags={"bandup:standing": "standby"},
               autoscaling={"state": "absent"})
ARGS = {"cluster": CLUSTER, "apps": [{"name": "backend", "active": ACTIVE, "standby": STANDBY}],
        "target_health": "after_change", "wait_delay": 0, "region": "eu-west-1"}
SERVICES = dict({k: v for k, v in ARGS.items() if k != "apps"}, services=[ACTIVE, STANDBY])


def params(entry):
    return ArgumentSpecValidator(ENTRY_OPTIONS).validate(copy.deepcopy(entry)).validated_parameters


def record(entry):
    checked = params(entry)
    return svc.last_applied(svc.build_spec(checked, TD), checked["deployment_token"])


def as_client(entry):
    return dict(entry, service_connect={"namespace": NS_ARN}, deployment_token=TOKEN)


def live(name, entry, standing, dep_id, desired=2, serves=False, sc_role=None, recorded_as=None):
    """A live service of ``entry`` tagged ``standing``, serving the endpoint or a client, recorded as ``recorded_as``."""
    sc = _FIX.sc_live() if serves else CLIENT_SC
    sc = dict(sc, namespace=entry["service_connect"]["namespace"])
    tags = {"bandup:standing": standing, svc.LAST_APPLIED_TAG: record(recorded_as or entry)}
    if sc_role:
        tags["bandup:sc-role"] = sc_role
    service = _FIX.aws_service([_FIX.deployment(dep_id, desired=desired, running=desired, sc=sc)], name=name,
                               desired=desired, running=desired, tags=tags)
    return dict(service, loadBalancers=[{"targetGroupArn": entry["load_balancers"][0]["target_group_arn"],
                                         "containerName": "backend", "containerPort": 8080}])


def live_active(**changes):
    return dict(live(A, ACTIVE, "active", "ecs-svc/1", serves=True), **changes)


def live_standby(standing="standby"):
    return live(B, STANDBY, standing, "ecs-svc/2", desired=1, serves=True)


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


def read_scaling(clients, targets, policies=None, rids=(RID_A, RID_B)):
    clients["application-autoscaling"].add_response(
        "describe_scalable_targets", {"ScalableTargets": targets},
        {"ServiceNamespace": "ecs", "ResourceIds": list(rids), "ScalableDimension": DIM})
    if policies is not None:
        clients["application-autoscaling"].add_response(
            "describe_scaling_policies", {"ScalingPolicies": policies},
            {"ServiceNamespace": "ecs", "ScalableDimension": DIM, "ResourceId": RID_A})


def healthy(clients, group=TG):
    clients["elbv2"].add_response("describe_target_health", {"TargetHealthDescriptions": [
        {"Target": {"Id": "10.0.1.5", "Port": 8080}, "TargetHealth": {"State": "healthy"}}]}, {"TargetGroupArn": group})


def rules(clients, active_weight, standby_weight):
    """DescribeRules of the listener: its default action forwards to both target groups with these weights."""
    clients["elbv2"].add_response("describe_rules", {"Rules": [{
        "RuleArn": LISTENER.replace(":listener/", ":listener-rule/") + "/default", "Priority": "default",
        "IsDefault": True, "Conditions": [], "Actions": [{"Type": "forward", "Order": 1, "ForwardConfig": {
            "TargetGroups": [{"TargetGroupArn": TG, "Weight": active_weight},
                             {"TargetGroupArn": TG_B, "Weight": standby_weight}],
            "TargetGroupStickinessConfig": {"Enabled": False}}}]}]}, {"ListenerArn": LISTENER})


def autoscaling_created(clients):
    """RegisterScalableTarget and PutScalingPolicy (cpu) of the active service."""
    aas = clients["application-autoscaling"]
    aas.add_response("register_scalable_target", {}, {"ServiceNamespace": "ecs", "ResourceId": RID_A,
                                                      "ScalableDimension": DIM, "MinCapacity": 2, "MaxCapacity": 4})
    aas.add_response("put_scaling_policy", {"PolicyARN": "arn:x", "Alarms": []}, {
        "PolicyName": "cpu", "ServiceNamespace": "ecs", "ResourceId": RID_A, "ScalableDimension": DIM,
        "PolicyType": "TargetTrackingScaling", "TargetTrackingScalingPolicyConfiguration": ANY})


def run(args, clients):
    return run_stubbed(args, clients, ecs_app_services)


def test_no_op_is_exactly_three_reads():
    """DescribeServices, DescribeScalableTargets, DescribeScalingPolicies: nothing else (no subnets, no targets)."""
    clients = Clients()
    describe(clients, [live_active(), live_standby()])
    read_scaling(clients, [target(RID_A)], [cpu_policy(RID_A)])
    result, failed = run(ARGS, clients)
    assert not failed and result["changed"] is False and result["switched"] == [] and result["changes"] == []
    assert result["services"][A]["changed"] is False and result["services"][A]["deployment_id"] == "ecs-svc/1"
    assert result["services"][A]["desired_count_owner"] == "module"
    assert result["services"][B]["service"]["tags"]["bandup:standing"] == "standby"
    assert result["apps"] == {"backend": {
        "active": {"name": A, "az": "eu-west-1a", "arn": live_active()["serviceArn"]},
        "standby": {"name": B, "az": "eu-west-1a", "arn": live_standby()["serviceArn"]}}}


def test_handoff_a_no_op_ends_in_the_first_run():
    """handoff (set by the action plugin on its synchronous first run): a converge with nothing to write or wait for
    returns its whole result at once, with the same three reads."""
    clients = Clients()
    describe(clients, [live_active(), live_standby()])
    read_scaling(clients, [target(RID_A)], [cpu_policy(RID_A)])
    result, failed = run(dict(ARGS, handoff=True), clients)
    assert not failed and "handoff" not in result and result["changed"] is False
    assert result["services"][A]["deployment_id"] == "ecs-svc/1" and result["apps"]["backend"]["standby"]["name"] == B


def test_handoff_stops_before_the_first_write_a_wait_or_a_switch():
    """Something to write, a deployment still rolling (a wait would pause), or standings to switch: the run stops
    after its reads, before any write (the stubs hold no write: any would fail), and says so."""
    rolling = live_active(deployments=[_FIX.deployment("ecs-svc/1", rollout="IN_PROGRESS", running=1,
                                                       sc=_FIX.sc_live())])
    cases = [([live_active(healthCheckGracePeriodSeconds=30), live_standby()], True),
             ([rolling, live_standby()], True),
             ([live_active(), live_standby(standing="active")], False)]
    for services, reads_scaling in cases:
        clients = Clients()
        describe(clients, services)
        if reads_scaling:
            read_scaling(clients, [target(RID_A)], [cpu_policy(RID_A)])
        result, failed = run(dict(ARGS, handoff=True), clients)
        assert not failed and result["handoff"] is True, result
        assert result["changed"] is False and result["changes"] == []
        clients.check()  # every read queued was made


def test_no_op_with_a_listener_reads_its_rules_once_and_repairs_drifted_weights():
    clients = Clients()
    describe(clients, [live_active(), live_standby()])
    read_scaling(clients, [target(RID_A)], [cpu_policy(RID_A)])
    rules(clients, 100, 0)
    result, failed = run(dict(ARGS, listener_arns=[LISTENER]), clients)
    assert not failed and result["changed"] is False
    # Weights changed behind our back (the alb role no longer writes them on an existing listener): set back.
    clients = Clients()
    describe(clients, [live_active(), live_standby()])
    read_scaling(clients, [target(RID_A)], [cpu_policy(RID_A)])
    rules(clients, 50, 50)
    clients["elbv2"].add_response("modify_listener", {"Listeners": []}, {"ListenerArn": LISTENER, "DefaultActions": [
        {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": TG, "Weight": 100},
                                                               {"TargetGroupArn": TG_B, "Weight": 0}],
                                              "TargetGroupStickinessConfig": {"Enabled": False}}}]})
    result, failed = run(dict(ARGS, listener_arns=[LISTENER]), clients)
    assert not failed and result["changed"] is True
    assert [change["action"] for change in result["changes"]] == ["weights"]


def test_target_health_always_reads_the_targets_of_an_unchanged_service():
    clients = Clients()
    describe(clients, [live_active(), live_standby()])
    read_scaling(clients, [target(RID_A)], [cpu_policy(RID_A)])
    healthy(clients)
    # the standby is waited for (and its targets read) only when the run writes to it
    result, failed = run(dict(ARGS, target_health="always"), clients)
    assert not failed and result["changed"] is False


def test_an_interrupted_switch_is_finished_by_the_rerun():
    """Both services tagged active (the standing tag of the standby was not written yet): the switch's steps find
    nothing to do but that tag (the new active runs and is healthy, the old one has no scalable target)."""
    clients = Clients()
    describe(clients, [live_active(), live_standby(standing="active")])
    # the cell being left: its target health, read once (healthy: scale up first)
    healthy(clients, TG_B)
    # 1. the new active: its count is right; its targets read until healthy (its state is the first read's)
    healthy(clients)
    # 3. the old cell: no scalable target; its standing tag, not waited for (one read after the write)
    read_scaling(clients, [], rids=[RID_B])
    clients["ecs"].add_response("tag_resource", {}, {"resourceArn": live_standby()["serviceArn"], "tags": ANY})
    describe(clients, [live_standby()], names=[B])
    # then a fresh read and the steady converge: nothing left
    describe(clients, [live_active(), live_standby()])
    read_scaling(clients, [target(RID_A)], [cpu_policy(RID_A)])
    result, failed = run(ARGS, clients)
    assert not failed, result["msg"]
    assert result["switched"] == ["backend"] and result["switch_order"].startswith("scale up")
    assert result["changes"] == [{"resource": f"service {B}", "action": "tag",
                                  "fields": ["bandup:last-good", "bandup:standing"]}]


def test_failover_switch_of_two_cells_sends_no_service_connect_change():
    """The topology's active AZ moved: A (standby, 1 task) becomes active, B (active) the standby. Each serves the
    endpoint in its own cell throughout: no Service Connect write, no forced deployment. Every step against the API,
    in order."""
    clients = Clients()
    ecs, elbv2, aas = clients["ecs"], clients["elbv2"], clients["application-autoscaling"]
    old_a = live(A, ACTIVE, "standby", "ecs-svc/1", desired=1, serves=True)
    old_b = live(B, STANDBY, "active", "ecs-svc/2", serves=True)
    describe(clients, [old_a, old_b])
    healthy(clients, TG_B)
    # 1. A scales up to 2, waited for until healthy
    scaled_a = live(A, ACTIVE, "standby", "ecs-svc/1", serves=True)
    ecs.add_response("update_service", {"service": scaled_a}, {
        "cluster": CLUSTER, "service": A, "desiredCount": 2, "forceNewDeployment": False})
    describe(clients, [scaled_a], names=[A])
    healthy(clients)
    # 2. the weights move to A
    rules(clients, 0, 100)
    elbv2.add_response("modify_listener", {"Listeners": []}, {"ListenerArn": LISTENER, "DefaultActions": ANY})
    # 3. B to its standby count and tag, not waited for; its scalable target goes
    standby_b = live(B, STANDBY, "standby", "ecs-svc/2", desired=1, serves=True)
    read_scaling(clients, [target(RID_B)], rids=[RID_B])
    ecs.add_response("update_service", {"service": standby_b}, {
        "cluster": CLUSTER, "service": B, "desiredCount": 1, "forceNewDeployment": False})
    ecs.add_response("tag_resource", {}, {"resourceArn": old_b["serviceArn"], "tags": ANY})
    describe(clients, [standby_b], names=[B])
    aas.add_response("deregister_scalable_target", {}, {"ServiceNamespace": "ecs", "ResourceId": RID_B,
                                                        "ScalableDimension": DIM})
    # the steady converge: A retagged active with its autoscaling; B unchanged, not read again
    describe(clients, [scaled_a, standby_b])
    read_scaling(clients, [])
    ecs.add_response("tag_resource", {}, {"resourceArn": old_a["serviceArn"], "tags": ANY})
    describe(clients, [scaled_a], names=[A])
    healthy(clients)
    autoscaling_created(clients)
    rules(clients, 100, 0)
    result, failed = run(dict(ARGS, listener_arns=[LISTENER]), clients)
    assert not failed, result["msg"]
    assert result["switched"] == ["backend"]
    assert [(c["resource"], c["action"], c["fields"]) for c in result["changes"]] == [
        (f"service {A}", "update", ["desiredCount"]),
        ("listener bandup-prod/f2f7dc8efc522ab2", "weights", ["DefaultActions"]),
        (f"service {B}", "update", ["desiredCount"]),
        (f"service {B}", "tag", ["bandup:last-good", "bandup:standing"]),
        (f"scalable target {RID_B}", "delete", []),
        (f"service {A}", "tag", ["bandup:last-good", "bandup:standing"]),
        (f"scalable target {RID_A}", "register", ["MaxCapacity", "MinCapacity"]),
        (f"scaling policy cpu of {RID_A}", "create", ["TargetTrackingScalingPolicyConfiguration"])]


def test_create_both_cells_then_wait_for_them_together_then_autoscaling():
    """issue Q item 7: an app's two cells are independent; both are written, then waited for together (one
    DescribeServices for both per poll), then the autoscaling of the active one."""
    clients = Clients()
    describe(clients, [])
    read_scaling(clients, [])
    clients["ec2"].add_response("describe_subnets", _FIX.SUBNETS_IN_A, {"SubnetIds": ["subnet-0a", "subnet-0b"]})
    ecs = clients["ecs"]
    # The active cell's server first: its endpoint must be free, then it is created (not waited for yet).
    ecs.add_response("list_services", {"serviceArns": []}, {"cluster": CLUSTER})
    ecs.add_response("create_service", {"service": live_active(deployments=[_FIX.deployment(
        "ecs-svc/9", rollout="IN_PROGRESS", running=0, sc=_FIX.sc_live())])}, {
        "cluster": CLUSTER, "serviceName": A, "desiredCount": 2, "schedulingStrategy": "REPLICA", "tags": ANY,
        "taskDefinition": TD, "capacityProviderStrategy": ANY, "networkConfiguration": ANY, "loadBalancers": ANY,
        "serviceConnectConfiguration": ANY, "deploymentConfiguration": ANY, "healthCheckGracePeriodSeconds": 60,
        "availabilityZoneRebalancing": "DISABLED", "propagateTags": "SERVICE", "platformVersion": "LATEST",
        "clientToken": ANY})
    # Then the standby, the server of its own cell: the endpoint check finds A serving it in another namespace only.
    ecs.add_response("list_services", {"serviceArns": [live_active()["serviceArn"]]}, {"cluster": CLUSTER})
    ecs.add_response("describe_services", {"services": [live_active()], "failures": []},
                     {"cluster": CLUSTER, "services": [live_active()["serviceArn"]], "include": ["TAGS"]})
    ecs.add_response("create_service", {"service": live_standby()}, {
        "cluster": CLUSTER, "serviceName": B, "desiredCount": 1, "schedulingStrategy": "REPLICA", "tags": ANY,
        "taskDefinition": TD, "capacityProviderStrategy": ANY, "networkConfiguration": ANY, "loadBalancers": ANY,
        "serviceConnectConfiguration": dict(SERVER_SC_B, enabled=True, services=ANY), "deploymentConfiguration": ANY,
        "healthCheckGracePeriodSeconds": 60, "availabilityZoneRebalancing": "DISABLED", "propagateTags": "SERVICE",
        "platformVersion": "LATEST", "clientToken": ANY})
    # Both waited for together: one poll for both.
    describe(clients, [live_active(deployments=[_FIX.deployment("ecs-svc/9", sc=_FIX.sc_live())]), live_standby()])
    healthy(clients)
    healthy(clients, TG_B)
    autoscaling_created(clients)
    result, failed = run(ARGS, clients)
    assert not failed and result["changed"] is True and result["switched"] == []
    assert list(result["services"]) == [A, B]
    assert result["services"][A]["deployment_id"] == "ecs-svc/9"
    assert [(c["resource"], c["action"]) for c in result["changes"]] == [
        (f"service {A}", "create"), (f"service {B}", "create"), (f"scalable target {RID_A}", "register"),
        (f"scaling policy cpu of {RID_A}", "create")]


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
            healthy(clients)
            clients["application-autoscaling"].add_response("put_scaling_policy", {"PolicyARN": "arn:x", "Alarms": []}, {
                "PolicyName": "cpu", "ServiceNamespace": "ecs", "ResourceId": RID_A, "ScalableDimension": DIM,
                "PolicyType": "TargetTrackingScaling", "TargetTrackingScalingPolicyConfiguration": ANY})
        result, failed = run(dict(ARGS, _ansible_check_mode=check_mode, _ansible_diff=True), clients)
        assert not failed and result["changed"] is True
        assert result["changes"] == [
            {"resource": f"service {A}", "action": "update", "fields": ["healthCheckGracePeriodSeconds"]},
            {"resource": f"scaling policy cpu of {RID_A}", "action": "update",
             "fields": ["TargetTrackingScalingPolicyConfiguration"]}]
        assert result["services"][B]["changed"] is False and result["services"][A]["changed"] is True
        assert result["diff"]["after"][A]["healthCheckGracePeriodSeconds"] == 60
        assert result["diff"]["after"][A]["autoscaling"]["policies"] == ["cpu"]


def test_two_scalable_targets_read_the_policies_once():
    """With more than one resource, one namespace-wide read (paginated), kept to the resources asked for."""
    clients = Clients()
    both = dict(SERVICES, services=[ACTIVE, dict(STANDBY, autoscaling=ACTIVE["autoscaling"], force_desired_count=False)])
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


def test_bad_entry_fails_before_any_call(capsys):
    """The argument spec checks every entry (nested options) before the module starts; a stubbed client with no
    answers queued fails on any call."""
    clients = Clients()
    with mock.patch.object(AWSModule, "client", side_effect=clients.client):
        out = run_module(ecs_app_services, dict(SERVICES, services=[ACTIVE, dict(STANDBY, desired_count="many")]), capsys)
        assert out["failed"] and "desired_count" in out["msg"] and "found in 'services'" in out["msg"]
        out = run_module(ecs_app_services, dict(ARGS, apps=[{"name": "backend", "active": ACTIVE,
                                                         "standby": {k: v for k, v in STANDBY.items() if k != "network"}}]),
                         capsys)
        assert out["failed"] and "network" in out["msg"] and "apps" in out["msg"]
        out = run_module(ecs_app_services, dict(ARGS, services=[ACTIVE]), capsys)
        assert out["failed"] and "mutually exclusive" in out["msg"]
    result, failed = run(dict(SERVICES, services=[ACTIVE, ACTIVE]), clients)
    assert failed and result["msg"] == f"services: {A} given more than once"


def test_bad_autoscaling_fails_before_any_write():
    clients = Clients()
    describe(clients, [live_active(), live_standby()])
    read_scaling(clients, [target(RID_A)])
    bad = dict(ACTIVE, autoscaling={"min_capacity": 5, "max_capacity": 4})
    result, failed = run(dict(SERVICES, services=[bad, STANDBY]), clients)
    assert failed and result["msg"].startswith(f"services[0] ({A}): min_capacity: 5")
    clients = Clients()
    describe(clients, [live_active(), live_standby()])
    read_scaling(clients, [target(RID_A)])
    result, failed = run(dict(ARGS, apps=[{"name": "backend", "active": bad, "standby": STANDBY}]), clients)
    assert failed and result["msg"].startswith(f"apps[0].active ({A}): min_capacity: 5")
    assert result["changes"] == []


def test_circuit_breaker_rollback_records_the_good_revision_and_says_why_the_tasks_stopped():
    """A deploy of revision 8 over a COMPLETED revision 7: the TagResource of the deploy carries bandup:last-good=7;
    the breaker rolls 8 back and the failure names the stopped task's exit code and its last log line."""
    td8 = TD.rsplit(":", 1)[0] + ":8"
    entry = dict(ACTIVE, task_definition=td8)
    new_record = svc.last_applied(svc.build_spec(params(entry), td8))
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
    _FIX.expect_stopped_task(clients, "ecs-svc/3", ["Error: Cannot find module '/app/server.js'"], name=A,
                             task_definition=td8)
    result, failed = run(dict(SERVICES, services=[entry, STANDBY], failure_log_lines=5), clients)
    assert failed and result["timed_out"] is False
    assert "no longer the PRIMARY deployment" in result["msg"]
    assert "container backend: exit code 1" in result["msg"]
    assert "last 1 log lines of backend: Error: Cannot find module '/app/server.js'" in result["msg"]
    assert result["stopped_tasks"][0]["task_definition"] == td8
    assert result["changed"] is True and [c["action"] for c in result["changes"]] == ["update", "tag"]
    assert result["services"][A]["changed"] is True


def test_autoscaling_options_the_spec_requires(capsys):
    """min_capacity and max_capacity with state=present, a resource_label for the requests metric: refused by the
    argument spec before any call."""
    clients = Clients()
    requests = {"name": "requests", "metric": "requests", "target_value": 500}
    with mock.patch.object(AWSModule, "client", side_effect=clients.client):
        out = run_module(ecs_app_services, dict(SERVICES, services=[dict(ACTIVE, autoscaling={"max_capacity": 4})]),
                         capsys)
        assert out["failed"] and "min_capacity" in out["msg"] and "autoscaling" in out["msg"]
        out = run_module(ecs_app_services, dict(SERVICES, services=[dict(ACTIVE, autoscaling=dict(
            ACTIVE["autoscaling"], policies=[requests]))]), capsys)
        assert out["failed"] and "resource_label" in out["msg"] and "policies" in out["msg"]
    # state=absent needs neither
    assert ArgumentSpecValidator(ENTRY_OPTIONS).validate(copy.deepcopy(STANDBY)).error_messages == []
