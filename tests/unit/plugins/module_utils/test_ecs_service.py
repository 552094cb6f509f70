"""bandup.ecs ecs_service module_utils: desired vs live, endpoints, waiting (botocore Stubber, real response shapes)."""
import copy
import os
import sys

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_service as svc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, ROOT)
from tests.support.ecs_service_answers import (  # noqa: E402  pylint: disable=wrong-import-position
    CLUSTER, NOW, NS_ARN, PARAMS, TD, TG, aws_service, deployment, emulator_service, sc_live)


def spec():
    return svc.build_spec(PARAMS, TD)


def client(name):
    return boto3.client(name, region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")


# ----------------------------------------------------------------- desired vs live

def test_real_aws_response_matches_desired_spec():
    live = svc.live_spec(aws_service())
    assert "serviceConnectConfiguration" in live  # read from the PRIMARY deployment
    assert svc.compare(spec(), live, record=None) == []


def test_service_connect_drift_detected_on_primary_deployment():
    service = aws_service(deployments=[deployment("ecs-svc/2", sc=sc_live("backend-old"))])
    assert svc.compare(spec(), svc.live_spec(service), record=svc.last_applied(spec())) == [
        "serviceConnectConfiguration"]


def test_service_connect_read_from_primary_not_from_old_deployment():
    old = deployment("ecs-svc/1", status="ACTIVE", sc=sc_live("backend-old"))
    service = aws_service(deployments=[deployment("ecs-svc/2", sc=sc_live()), old])
    assert svc.compare(spec(), svc.live_spec(service), record=None) == []


def client_params():
    return dict(PARAMS, service_connect={"enabled": True, "namespace": NS_ARN, "services": None})


def test_server_turning_client_is_a_difference():
    """AWS reports the server config under the PRIMARY deployment; a desired client config has no services."""
    desired = svc.build_spec(client_params(), TD)
    live = svc.live_spec(aws_service())
    assert desired["serviceConnectConfiguration"] == {"enabled": True, "namespace": NS_ARN}
    assert svc.compare(desired, live, record=svc.last_applied(desired)) == ["serviceConnectConfiguration"]


def test_client_turning_server_is_a_difference():
    service = aws_service(deployments=[deployment("ecs-svc/1", sc={"enabled": True, "namespace": NS_ARN})])
    assert svc.compare(spec(), svc.live_spec(service), record=svc.last_applied(spec())) == [
        "serviceConnectConfiguration"]


@pytest.mark.parametrize("live_sc", [
    {"enabled": True, "namespace": NS_ARN},
    {"enabled": True, "namespace": NS_ARN, "services": []},
    {"enabled": True, "namespace": NS_ARN, "services": [], "logConfiguration": {"logDriver": "awslogs"}},
], ids=["absent", "empty", "with-log-config"])
def test_client_config_matches_a_live_client(live_sc):
    desired = svc.build_spec(client_params(), TD)
    service = aws_service(deployments=[deployment("ecs-svc/1", sc=live_sc)])
    assert svc.compare(desired, svc.live_spec(service), record=None) == []


def test_removed_client_alias_is_a_difference():
    params = copy.deepcopy(PARAMS)
    params["service_connect"]["services"][0]["client_aliases"] = None
    desired = svc.build_spec(params, TD)
    assert svc.compare(desired, svc.live_spec(aws_service()), record=None) == ["serviceConnectConfiguration"]


def test_discovery_name_defaults_to_the_port_name():
    params = copy.deepcopy(PARAMS)
    params["service_connect"]["services"][0]["discovery_name"] = None
    desired = svc.build_spec(params, TD)
    assert svc.compare(desired, svc.live_spec(aws_service()), record=None) == []


def test_aws_defaults_are_not_differences_but_live_drift_is():
    service = aws_service()
    service["networkConfiguration"]["awsvpcConfiguration"]["subnets"] = ["subnet-0a", "subnet-0c"]
    service["deploymentConfiguration"]["minimumHealthyPercent"] = 50
    service["availabilityZoneRebalancing"] = "ENABLED"
    fields = svc.compare(spec(), svc.live_spec(service), record=svc.last_applied(spec()))
    assert fields == ["networkConfiguration", "deploymentConfiguration", "availabilityZoneRebalancing"]


def alarms_spec(names):
    params = dict(PARAMS, deployment=dict(PARAMS["deployment"], alarms=names))
    return svc.build_spec(params, TD)


def test_deployment_alarms_compare_in_the_shape_describe_services_answers():
    """deploymentConfiguration.alarms as DescribeServices reports it ({alarmNames, enable, rollback}): the same names in
    another order are no change, another name or rollback off is; none wanted matches a service that never had alarms
    (the member left out) and one whose alarms are disabled."""
    names = ["b-5xx-rate", "a-p95-latency"]
    service = aws_service()
    assert svc.compare(alarms_spec([]), svc.live_spec(service), record=None) == []
    assert svc.compare(alarms_spec(names), svc.live_spec(service), record=None) == ["deploymentConfiguration"]
    assert alarms_spec(names)["deploymentConfiguration"]["alarms"] == {
        "alarmNames": ["a-p95-latency", "b-5xx-rate"], "enable": True, "rollback": True}
    service["deploymentConfiguration"]["alarms"] = {"alarmNames": names, "enable": True, "rollback": True}
    assert svc.compare(alarms_spec(names), svc.live_spec(service), record=None) == []
    assert svc.compare(alarms_spec(names + ["mine"]), svc.live_spec(service), record=None) == ["deploymentConfiguration"]
    assert svc.compare(alarms_spec([]), svc.live_spec(service), record=None) == ["deploymentConfiguration"]
    service["deploymentConfiguration"]["alarms"]["rollback"] = False
    assert svc.compare(alarms_spec(names), svc.live_spec(service), record=None) == ["deploymentConfiguration"]
    service["deploymentConfiguration"]["alarms"] = {"alarmNames": names, "enable": False, "rollback": False}
    assert svc.compare(alarms_spec([]), svc.live_spec(service), record=None) == []
    # left out: not managed
    assert "alarms" not in spec()["deploymentConfiguration"]


def test_unreported_fields_use_the_last_applied_record():
    live = svc.live_spec(emulator_service())
    assert svc.compare(spec(), live, record=svc.last_applied(spec(), "token")) == []
    changed = dict(PARAMS, health_check_grace_period=30)
    fields = svc.compare(svc.build_spec(changed, TD), live, record=svc.last_applied(spec()))
    # We cannot know which unreported field changed: all of them are sent, reported ones are not.
    assert fields == ["capacityProviderStrategy", "serviceConnectConfiguration", "deploymentConfiguration",
                      "healthCheckGracePeriodSeconds", "availabilityZoneRebalancing"]


def test_no_record_sends_unreported_fields():
    assert "serviceConnectConfiguration" in svc.compare(spec(), svc.live_spec(emulator_service()), record=None)


def test_record_separates_spec_and_token():
    assert svc.record_parts(svc.last_applied(spec(), "a"))[0] == svc.record_parts(svc.last_applied(spec(), "b"))[0]
    assert svc.record_parts(svc.last_applied(spec(), "a"))[1] != svc.record_parts(svc.last_applied(spec(), "b"))[1]
    assert svc.record_parts(None) == (None, None)


def test_client_only_service_connect_spec():
    assert svc.service_connect_spec({"enabled": True, "namespace": "prod", "services": None}) == {
        "enabled": True, "namespace": "prod"}
    assert svc.service_connect_spec({"enabled": False, "namespace": "prod", "services": None}) == {"enabled": False}
    assert svc.endpoints({"enabled": True, "namespace": "prod"}) == ([], [])


# ----------------------------------------------------------------- Service Connect uniqueness

def test_repeated_discovery_name_in_input_is_refused():
    sc = svc.service_connect_spec({"enabled": True, "namespace": "prod", "services": [
        {"port_name": "http", "discovery_name": "api", "client_aliases": [{"port": 80, "dns_name": "api"}]},
        {"port_name": "admin", "discovery_name": "api", "client_aliases": [{"port": 81, "dns_name": "api"}]}]})
    assert "discovery_name api repeated" in svc.check_service_connect(sc)
    assert svc.check_service_connect(svc.service_connect_spec(PARAMS["service_connect"])) is None


def test_endpoint_owners_reads_other_services_primary_deployments():
    ecs = client("ecs")
    other = aws_service(name="bandup-prod-backend-b")
    me = f"arn:aws:ecs:eu-west-1:123456789012:service/{CLUSTER}/bandup-prod-backend-a"
    with Stubber(ecs) as stub:
        stub.add_response("list_services", {"serviceArns": [me, other["serviceArn"]]}, {"cluster": CLUSTER})
        stub.add_response("describe_services", {"services": [other], "failures": []},
                          {"cluster": CLUSTER, "services": [other["serviceArn"]], "include": ["TAGS"]})
        owners = svc.endpoint_owners(ecs, CLUSTER, "bandup-prod-backend-a")
        stub.assert_no_pending_responses()
    assert owners == {"backend": ("bandup-prod-backend-b", "primary"),
                      "backend:8080": ("bandup-prod-backend-b", "primary")}


def test_a_draining_server_deployment_still_holds_its_endpoints():
    """A server turning client keeps its endpoints while its old deployment runs tasks, not after."""
    draining = deployment("ecs-svc/1", status="ACTIVE", rollout="COMPLETED", running=2, sc=sc_live())
    client_primary = deployment("ecs-svc/2", rollout="IN_PROGRESS", running=0, sc={"enabled": True, "namespace": NS_ARN})
    assert svc.endpoint_claims(aws_service(deployments=[client_primary, draining])) == {
        "backend": "draining", "backend:8080": "draining"}
    drained = dict(draining, runningCount=0)
    assert svc.endpoint_claims(aws_service(deployments=[client_primary, drained])) == {}
    assert svc.endpoint_claims(aws_service()) == {"backend": "primary", "backend:8080": "primary"}


def owners_stub(stub, *answers):
    """One ListServices + DescribeServices per answer (the other service as each poll sees it)."""
    me = f"arn:aws:ecs:eu-west-1:123456789012:service/{CLUSTER}/bandup-prod-backend-b"
    for other in answers:
        stub.add_response("list_services", {"serviceArns": [me, other["serviceArn"]]}, {"cluster": CLUSTER})
        stub.add_response("describe_services", {"services": [other], "failures": []},
                          {"cluster": CLUSTER, "services": [other["serviceArn"]], "include": ["TAGS"]})


def old_server(running):
    """bandup-prod-backend-a turned client, its old server deployment draining with ``running`` tasks."""
    return aws_service(deployments=[
        deployment("ecs-svc/2", rollout="IN_PROGRESS", running=0, sc={"enabled": True, "namespace": NS_ARN}),
        deployment("ecs-svc/1", status="ACTIVE", running=running, sc=sc_live())])


def test_claim_waits_for_a_draining_deployment_to_release_the_endpoint():
    ecs, clock, slept = client("ecs"), [0.0], []
    with Stubber(ecs) as stub:
        owners_stub(stub, old_server(2), old_server(1), old_server(0))
        polls = svc.check_endpoints_free(ecs, CLUSTER, "bandup-prod-backend-b", spec(), deadline=100, delay=5,
                                         sleep=lambda s: (slept.append(s), clock.__setitem__(0, clock[0] + s)),
                                         clock=lambda: clock[0])
        stub.assert_no_pending_responses()
    assert polls == 2 and slept == [5, 5]


def test_claim_of_a_draining_endpoint_times_out_naming_the_owner():
    ecs, clock = client("ecs"), [0.0]
    with Stubber(ecs) as stub:
        owners_stub(stub, old_server(2), old_server(2))
        with pytest.raises(svc.ServiceError, match="still served by the draining deployment of service "
                                                   "bandup-prod-backend-a") as err:
            svc.check_endpoints_free(ecs, CLUSTER, "bandup-prod-backend-b", spec(), deadline=8, delay=5,
                                     sleep=lambda s: clock.__setitem__(0, clock[0] + s), clock=lambda: clock[0])
    assert err.value.result == {"timed_out": True}


def test_claim_of_an_endpoint_a_primary_deployment_serves_is_refused_at_once():
    ecs = client("ecs")
    with Stubber(ecs) as stub:
        owners_stub(stub, aws_service())
        with pytest.raises(svc.ServiceError, match="already served by service bandup-prod-backend-a"):
            svc.check_endpoints_free(ecs, CLUSTER, "bandup-prod-backend-b", spec(), deadline=100, delay=5,
                                     sleep=lambda s: pytest.fail("must not wait"), clock=lambda: 0)


# ----------------------------------------------------------------- waiting

def run_wait(services, target_states=(("healthy",),), delay=5, timeout=60, progress=None):
    """Drive wait_for_deployment with a fake clock; each DescribeServices answer is one poll."""
    ecs, elbv2 = client("ecs"), client("elbv2")
    clock = {"now": 0}
    with Stubber(ecs) as ecs_stub, Stubber(elbv2) as elb_stub:
        for service in services:
            if service is None:  # what DescribeServices answers for a service it does not know (yet)
                ecs_stub.add_response("describe_services", {"services": [], "failures": [
                    {"arn": f"arn:aws:ecs:eu-west-1:123456789012:service/{CLUSTER}/bandup-prod-backend-a",
                     "reason": "MISSING"}]})
                continue
            ecs_stub.add_response("describe_services", {"services": [service], "failures": []})
        for states in target_states:
            elb_stub.add_response("describe_target_health", {"TargetHealthDescriptions": [
                {"Target": {"Id": f"10.0.1.{i}", "Port": 8080, "AvailabilityZone": "eu-west-1a"},
                 "HealthCheckPort": "8080", "TargetHealth": {"State": s, "Reason": "Elb.RegistrationInProgress"}}
                for i, s in enumerate(states)]}, {"TargetGroupArn": TG})
        result = svc.wait_for_deployment(
            ecs, elbv2, CLUSTER, "bandup-prod-backend-a", "ecs-svc/2", deadline=timeout, delay=delay,
            sleep=lambda s: clock.__setitem__("now", clock["now"] + s), clock=lambda: clock["now"], progress=progress)
        ecs_stub.assert_no_pending_responses()
        elb_stub.assert_no_pending_responses()
    return result


def test_wait_succeeds_after_rollout_completes_and_targets_are_healthy():
    old = deployment("ecs-svc/1", status="ACTIVE", running=2)
    in_progress = aws_service([deployment("ecs-svc/2", rollout="IN_PROGRESS", running=1), old])
    completed = aws_service([deployment("ecs-svc/2")])
    result = run_wait([in_progress, completed, completed], target_states=[("healthy", "initial"), ("healthy", "healthy")])
    assert svc.primary_deployment(result)["id"] == "ecs-svc/2"


def test_first_polls_that_have_not_caught_up_with_the_write_are_not_yet():
    """ECS is eventually consistent: right after the write a poll may show no service, or the old PRIMARY."""
    missing = None
    old_primary = aws_service([deployment("ecs-svc/1", running=2)])
    completed = aws_service([deployment("ecs-svc/2")])
    result = run_wait([missing, old_primary, completed], target_states=[("healthy",)])
    assert svc.primary_deployment(result)["id"] == "ecs-svc/2"


def test_a_write_that_never_shows_fails_after_the_lagging_polls():
    old_primary = aws_service([deployment("ecs-svc/1", running=2)])
    with pytest.raises(svc.WaitError, match="no longer the PRIMARY"):
        run_wait([old_primary] * (svc.LAGGING_POLLS + 1), target_states=[], timeout=600)


def test_circuit_breaker_rollback_is_a_failure():
    # The breaker tripped: ECS started a rollback deployment (now PRIMARY); ours is ACTIVE and FAILED.
    ours = deployment("ecs-svc/2", status="ACTIVE", rollout="FAILED", running=0)
    ours["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
    rolled_back = aws_service([deployment("ecs-svc/3", rollout="IN_PROGRESS"), ours])
    rolled_back["events"] = [{"id": "e2", "createdAt": NOW, "message": "(service x) rolling back to deployment ecs-svc/1."}]
    with pytest.raises(svc.WaitError) as err:
        run_wait([rolled_back], target_states=[])
    assert err.value.timed_out is False
    assert "no longer the PRIMARY" in str(err.value)
    assert "it FAILED (ECS deployment circuit breaker: tasks failed to start.) and ECS rolled back" in str(err.value)
    assert "rolling back" in err.value.details["events"][0]


CELL_A, CELL_B = "bandup-prod-backend-a", "bandup-prod-backend-b"


def run_wait_together(polls, target_reads, delay=5, timeout=60):
    """Drive wait_for_deployments for both cells; ``polls`` is, per DescribeServices, the names asked for and the
    services answered; ``target_reads`` how many DescribeTargetHealth (all healthy) come. Returns (result, sleeps)."""
    ecs, elbv2 = client("ecs"), client("elbv2")
    sleeps = []
    with Stubber(ecs) as ecs_stub, Stubber(elbv2) as elb_stub:
        for names, services in polls:
            ecs_stub.add_response("describe_services", {"services": services, "failures": []},
                                  {"cluster": CLUSTER, "services": names, "include": ["TAGS"]})
        for _read in range(target_reads):
            elb_stub.add_response("describe_target_health", {"TargetHealthDescriptions": [
                {"Target": {"Id": "10.0.1.1", "Port": 8080}, "TargetHealth": {"State": "healthy"}}]},
                {"TargetGroupArn": TG})
        result = svc.wait_for_deployments(
            ecs, elbv2, CLUSTER, [(CELL_A, "ecs-svc/2", None), (CELL_B, "ecs-svc/2", None)], deadline=timeout,
            delay=delay, sleep=sleeps.append, clock=lambda: sum(sleeps))
        ecs_stub.assert_no_pending_responses()
        elb_stub.assert_no_pending_responses()
    return result, sleeps


def rolling(name):
    return aws_service([deployment("ecs-svc/2", rollout="IN_PROGRESS", running=1),
                        deployment("ecs-svc/1", status="ACTIVE", running=2)], name=name)


def test_two_cells_are_polled_together_and_the_wait_lasts_as_long_as_the_slowest():
    """An app's two cells: one DescribeServices per poll for both; a cell that is done is no longer asked for."""
    done_a, done_b = aws_service([deployment("ecs-svc/2")], name=CELL_A), aws_service([deployment("ecs-svc/2")],
                                                                                      name=CELL_B)
    result, sleeps = run_wait_together([([CELL_A, CELL_B], [rolling(CELL_A), rolling(CELL_B)]),
                                        ([CELL_A, CELL_B], [done_a, rolling(CELL_B)]),
                                        ([CELL_B], [done_b])], target_reads=2)
    assert sorted(result) == [CELL_A, CELL_B]
    assert sleeps == [5, 5]  # three polls: the slowest cell's time, not the sum of both


def test_a_cell_whose_deployment_fails_fails_the_wait_naming_it_once_the_other_cell_has_settled():
    """Each cell has its own circuit breaker: the other one is followed until it is done (or failed), so the play
    does not end with a rollout in flight."""
    ours = deployment("ecs-svc/2", status="ACTIVE", rollout="FAILED", running=0)
    ours["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
    failed_b = aws_service([deployment("ecs-svc/3", rollout="IN_PROGRESS"), ours], name=CELL_B)
    done_a = aws_service([deployment("ecs-svc/2")], name=CELL_A)
    with pytest.raises(svc.WaitError) as err:
        run_wait_together([([CELL_A, CELL_B], [rolling(CELL_A), failed_b]), ([CELL_A], [done_a])], target_reads=1)
    assert err.value.name == CELL_B and err.value.timed_out is False
    assert f"service {CELL_B}:" in str(err.value) and "circuit breaker" in str(err.value)
    assert "also failed" not in str(err.value)


def test_both_cells_failing_name_both():
    failed = {}
    for name in (CELL_A, CELL_B):
        ours = deployment("ecs-svc/2", status="ACTIVE", rollout="FAILED", running=0)
        ours["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
        failed[name] = aws_service([deployment("ecs-svc/3", rollout="IN_PROGRESS"), ours], name=name)
    with pytest.raises(svc.WaitError) as err:
        run_wait_together([([CELL_A, CELL_B], [failed[CELL_A], failed[CELL_B]])], target_reads=0)
    assert err.value.name == CELL_A
    assert f"(also failed: service {CELL_B}: deployment ecs-svc/2 is no longer the PRIMARY" in str(err.value)


def test_failed_rollout_without_rollback_is_a_failure():
    ours = deployment("ecs-svc/2", rollout="FAILED", running=0)
    ours["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
    with pytest.raises(svc.WaitError) as err:
        run_wait([aws_service([ours])], target_states=[])
    assert err.value.timed_out is False
    assert "tasks failed to start" in err.value.details["rollout_state_reason"]


def test_timeout_is_reported_as_timeout_with_events():
    stuck = aws_service([deployment("ecs-svc/2", rollout="IN_PROGRESS", running=1)])
    with pytest.raises(svc.WaitError) as err:
        run_wait([stuck] * 3, target_states=[], delay=20, timeout=50)
    assert err.value.timed_out is True
    assert "timed out" in str(err.value)
    assert err.value.details["rollout_state_reason"] == "ECS deployment ecs-svc/2 in_progress."
    assert err.value.details["events"]


def test_draining_targets_keep_waiting_then_time_out():
    done = aws_service([deployment("ecs-svc/2")])
    with pytest.raises(svc.WaitError) as err:
        run_wait([done, done], target_states=[("healthy", "draining"), ("draining",)], delay=30, timeout=50)
    assert err.value.timed_out is True
    assert "draining" in err.value.details["targets_not_ready"][0]


def test_scale_up_without_new_deployment_waits_for_running_count():
    scaling = aws_service([deployment("ecs-svc/2", desired=4, running=2)], desired=4, running=2)
    scaled = aws_service([deployment("ecs-svc/2", desired=4, running=4)], desired=4, running=4)
    assert run_wait([scaling, scaled])["runningCount"] == 4


def test_deployment_state_ignores_nothing_but_our_deployment():
    service = aws_service([deployment("ecs-svc/2")])
    assert svc.deployment_state(service, "ecs-svc/2")[0] == "done"
    still_draining = copy.deepcopy(service)
    still_draining["deployments"].append(deployment("ecs-svc/1", status="ACTIVE", running=1))
    assert svc.deployment_state(still_draining, "ecs-svc/2")[0] == "waiting"


def test_every_poll_of_a_wait_reports_progress():
    """Each DescribeServices answer of a wait gives one progress line: running/desired, the PRIMARY rollout state and
    the latest ECS event."""
    old = deployment("ecs-svc/1", status="ACTIVE", running=2)
    first = aws_service(deployments=[deployment("ecs-svc/2", rollout="IN_PROGRESS", running=1), old], running=3)
    first["events"] = [{"id": "e2", "createdAt": NOW, "message": "(service x) has started 2 tasks: (task a) (task b)."}]
    done = aws_service(deployments=[deployment("ecs-svc/2")])
    lines = []
    run_wait([first, done], progress=lines.append)
    assert lines == [
        "bandup-prod-backend-a: running 3/2, rollout IN_PROGRESS, latest event: (service x) has started 2 tasks: "
        "(task a) (task b).",
        "bandup-prod-backend-a: running 2/2, rollout COMPLETED, latest event: (service x) has reached a steady state."]
