"""The faithful endpoint's ECS deployment alarms (tests/support/faithful_endpoint/alarms.py): an alarm in ALARM
fails the IN_PROGRESS deployment and, with rollback, ECS returns to the last COMPLETED one; the answers keep
botocore's output shape. One endpoint process for the module, reset before each test (conftest.py: ``aws``)."""
import os
import sys

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, ROOT)

from tests.unit.support.endpoint_account import CLUSTER  # noqa: E402  pylint: disable=wrong-import-position


def cloudwatch(aws):
    return boto3.client("cloudwatch", endpoint_url=aws.url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def alarm(aws, name):
    cloudwatch(aws).put_metric_alarm(
        AlarmName=name, Namespace="AWS/ApplicationELB", MetricName="TargetResponseTime", ExtendedStatistic="p95",
        Period=60, EvaluationPeriods=3, Threshold=2.0, ComparisonOperator="GreaterThanThreshold")


def gated(aws, rollback=True, names=("web-p95",)):
    for name in names:
        alarm(aws, name)
    aws.create(deploymentConfiguration={"alarms": {"alarmNames": list(names), "enable": True, "rollback": rollback}})
    aws.poll_until_completed()
    completed = aws.describe()["deployments"][0]["id"]
    aws.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=aws.td2)
    return completed


def test_an_alarm_in_alarm_fails_the_deployment_and_ecs_rolls_back(aws):
    completed = gated(aws)
    cloudwatch(aws).set_alarm_state(AlarmName="web-p95", StateValue="ALARM", StateReason="test")
    service = aws.describe()
    primary, failed = service["deployments"][0], service["deployments"][1]
    assert failed["rolloutState"] == "FAILED" and "web-p95" in failed["rolloutStateReason"]
    assert primary["taskDefinition"] == aws.td1 and primary["rolloutState"] == "IN_PROGRESS"
    assert primary["rolloutStateReason"] == f"ECS deployment alarms: rolling back to deploymentId {completed}."
    messages = [e["message"] for e in service["events"][:3]]
    assert f"(service web) (deployment {failed['id']}) deployment failed: alarm detected." in messages
    assert service["deploymentConfiguration"]["alarms"] == {"alarmNames": ["web-p95"], "enable": True,
                                                             "rollback": True}
    # the rollback is not failed by the alarm that caused it, and completes
    assert aws.poll_until_completed() >= 1
    assert aws.describe()["taskDefinition"] == aws.td1


def test_without_rollback_the_deployment_only_fails_and_ok_alarms_let_it_complete(aws):
    gated(aws, rollback=False)
    cloudwatch(aws).set_alarm_state(AlarmName="web-p95", StateValue="ALARM", StateReason="test")
    service = aws.describe()
    assert service["deployments"][0]["rolloutState"] == "FAILED"
    assert service["deployments"][0]["taskDefinition"] == aws.td2


def test_alarms_in_ok_or_disabled_do_not_gate(aws):
    gated(aws)
    aws.poll_until_completed()
    assert aws.describe()["taskDefinition"] == aws.td2
    # disabled: an alarm in ALARM is ignored
    aws.ecs.update_service(cluster=CLUSTER, service="web", deploymentConfiguration={
        "alarms": {"alarmNames": ["web-p95"], "enable": False, "rollback": False}})
    cloudwatch(aws).set_alarm_state(AlarmName="web-p95", StateValue="ALARM", StateReason="test")
    aws.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=aws.td1)
    aws.poll_until_completed()
    assert aws.describe()["taskDefinition"] == aws.td1
