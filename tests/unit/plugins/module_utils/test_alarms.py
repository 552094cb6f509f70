"""module_utils/_cloudwatch/alarms.py against a botocore Stubber (cloudwatch) with answers in AWS's shapes: the deployment alarms
are put only when missing or different, deleted only when this deployment's tags are on them."""
import datetime

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.bandup.ecs.plugins.module_utils._cloudwatch import alarms
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet
from ansible_collections.bandup.ecs.plugins.module_utils.topology import build_topology

LB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/bandup-test/50dc6c495c0c9188"
TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bandup-test-backend-a/73e2d6bc24d8a067"
NOW = datetime.datetime(2026, 12, 6, 8, tzinfo=datetime.timezone.utc)
TAGS = {"bandup:managed-by": "bandup.ecs", "bandup:deployment": "bandup-test"}


def client():
    return boto3.client("cloudwatch", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def described(request, **changes):
    """A DescribeAlarms MetricAlarms entry as AWS answers for ``request`` (plus what AWS adds)."""
    out = {k: v for k, v in request.items() if k != "Tags"}
    out.update(AlarmArn=f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{request['AlarmName']}",
               AlarmConfigurationUpdatedTimestamp=NOW, StateValue="OK", StateReason="ok",
               StateUpdatedTimestamp=NOW, OKActions=[], AlarmActions=[], InsufficientDataActions=[])
    if "Metrics" in out:
        # AWS reports the math entry with its Period left out and ReturnData as sent
        out["Metrics"] = [dict(m) for m in out["Metrics"]]
    out.update(changes)
    return out


def wanted(settings=None):
    return alarms.requests("bandup-test-backend-a", TG, LB, settings or {})


def test_the_requests_use_the_alb_dimensions_and_metric_math():
    rate, latency = wanted()
    assert rate["AlarmName"] == "bandup-test-backend-a-5xx-rate"
    assert latency["AlarmName"] == "bandup-test-backend-a-p95-latency"
    dims = {d["Name"]: d["Value"] for d in latency["Dimensions"]}
    assert dims == {"TargetGroup": "targetgroup/bandup-test-backend-a/73e2d6bc24d8a067",
                    "LoadBalancer": "app/bandup-test/50dc6c495c0c9188"}
    assert latency["ExtendedStatistic"] == "p95" and latency["Threshold"] == 2.0
    metrics = {m["Id"]: m for m in rate["Metrics"]}
    assert metrics["errors"]["MetricStat"]["Metric"]["MetricName"] == "HTTPCode_Target_5XX_Count"
    assert metrics["requests"]["MetricStat"]["Metric"]["MetricName"] == "RequestCount"
    assert "errors" in metrics["rate"]["Expression"] and "requests" in metrics["rate"]["Expression"]
    assert [m["ReturnData"] for m in rate["Metrics"]] == [False, False, True]
    assert rate["EvaluationPeriods"] == 3 and rate["Threshold"] == 5.0
    # botocore accepts them (the Stubber validates the parameters)
    cw = client()
    with Stubber(cw) as stub:
        for request in (rate, latency):
            stub.add_response("put_metric_alarm", {}, request)
            cw.put_metric_alarm(**request)


@pytest.mark.parametrize("settings, problem", [
    ({"period": 45}, "period: 45 must be 10, 30 or a multiple of 60"),
    ({"period": 3600, "evaluation_periods": 25}, "evaluation_periods: 25 must be at least 1 and, times"),
    ({"evaluation_periods": 0}, "evaluation_periods: 0"),
    ({"error_rate_percent": 0}, "5xx_rate_percent: 0 must be above 0"),
    ({"error_rate_percent": 101}, "5xx_rate_percent: 101"),
    ({"p95_seconds": -1}, "p95_seconds: -1"),
])
def test_bad_settings_name_the_variable(settings, problem):
    assert any(problem in p for p in alarms.check_settings(settings))
    assert alarms.check_settings({"period": 300, "evaluation_periods": 288, "error_rate_percent": 100}) == []


def test_a_noop_puts_nothing_and_a_changed_threshold_puts_one_alarm():
    cw, changes = client(), ChangeSet()
    live = {"MetricAlarms": [described(r) for r in wanted()], "CompositeAlarms": []}
    with Stubber(cw) as stub:
        stub.add_response("describe_alarms", live, {"AlarmNamePrefix": "bandup-test-", "AlarmTypes": ["MetricAlarm"]})
        done = alarms.converge(cw, changes, "bandup-test-", wanted(), TAGS, TAGS)
    assert done == {"put": [], "deleted": []} and changes.changes == []

    cw, changes = client(), ChangeSet()
    new = wanted({"p95_seconds": 1.5})
    with Stubber(cw) as stub:
        stub.add_response("describe_alarms", live, {"AlarmNamePrefix": "bandup-test-", "AlarmTypes": ["MetricAlarm"]})
        stub.add_response("put_metric_alarm", {}, dict(new[1], Tags=[{"Key": k, "Value": v}
                                                                     for k, v in sorted(TAGS.items())]))
        done = alarms.converge(cw, changes, "bandup-test-", new, TAGS, TAGS)
    assert done["put"] == ["bandup-test-backend-a-p95-latency"]
    assert [(c["resource"], c["action"], c["fields"]) for c in changes.changes] == [
        ("alarm bandup-test-backend-a-p95-latency", "update", ["Threshold"])]


def test_only_alarms_with_this_deployments_tags_are_deleted():
    cw, changes = client(), ChangeSet()
    mine, theirs = (described(dict(r, AlarmName=r["AlarmName"].replace("backend-a", name)))
                    for r, name in zip(wanted(), ("old-a", "users")))
    with Stubber(cw) as stub:
        stub.add_response("describe_alarms", {"MetricAlarms": [mine, theirs]},
                          {"AlarmNamePrefix": "bandup-test-", "AlarmTypes": ["MetricAlarm"]})
        stub.add_response("list_tags_for_resource", {"Tags": [{"Key": k, "Value": v} for k, v in TAGS.items()]},
                          {"ResourceARN": mine["AlarmArn"]})
        stub.add_response("list_tags_for_resource", {"Tags": [{"Key": "team", "Value": "data"}]},
                          {"ResourceARN": theirs["AlarmArn"]})
        stub.add_response("delete_alarms", {}, {"AlarmNames": [mine["AlarmName"]]})
        done = alarms.converge(cw, changes, "bandup-test-", [], TAGS, TAGS)
    assert done["deleted"] == [mine["AlarmName"]]


def test_check_mode_reads_and_writes_nothing_more():
    cw, changes = client(), ChangeSet(check_mode=True)
    with Stubber(cw) as stub:
        stub.add_response("describe_alarms", {"MetricAlarms": []},
                          {"AlarmNamePrefix": "bandup-test-", "AlarmTypes": ["MetricAlarm"]})
        done = alarms.converge(cw, changes, "bandup-test-", wanted(), TAGS, TAGS)
    assert done["put"] == ["bandup-test-backend-a-5xx-rate", "bandup-test-backend-a-p95-latency"]
    assert [c["action"] for c in changes.changes] == ["create", "create"]


def test_the_plan_names_every_cell_and_records_only_what_exists():
    services = [{"name": "web", "port": 3000, "health_path": "/", "cpu": 256, "memory": 512, "image": "nginx",
                 "alb": {"default_route": True}},
                {"name": "jobs", "port": 9000, "health_path": "/", "cpu": 256, "memory": 512, "image": "nginx",
                 "alb": {"enabled": False}}]
    top = build_topology("bandup-test", "us-east-1", "us-east-1a", "us-east-1b", services)
    groups = {"bandup-test-web-a": TG.replace("backend-a", "web-a"), "bandup-test-web-b": TG.replace("backend-a", "web-b")}
    out = alarms.plan(top, True, LB, groups, {})
    assert out["names"] == {g: [f"{g}-5xx-rate", f"{g}-p95-latency"] for g in groups}
    assert [tg["name"] for tg in out["target_groups"]] == sorted(groups)
    assert out["record"] and out["record"] != alarms.plan(top, True, LB, groups, {"p95_seconds": 3})["record"]
    assert alarms.plan(top, True, "", {}, {})["record"] == ""
    assert alarms.plan(top, False, LB, groups, {}) == {"names": {}, "target_groups": [], "record": ""}


def test_states_name_the_alarms_in_alarm():
    cw = client()
    with Stubber(cw) as stub:
        stub.add_response("describe_alarms", {"MetricAlarms": [described(wanted()[0], StateValue="ALARM")],
                                              "CompositeAlarms": []},
                          {"AlarmNames": ["bandup-test-backend-a-5xx-rate", "mine"],
                           "AlarmTypes": ["MetricAlarm", "CompositeAlarm"]})
        assert alarms.states(cw, ["mine", "bandup-test-backend-a-5xx-rate"]) == {
            "bandup-test-backend-a-5xx-rate": "ALARM"}
