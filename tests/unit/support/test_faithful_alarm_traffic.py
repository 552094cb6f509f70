"""The faithful endpoint's alarms armed on traffic (tests/support/faithful_endpoint/alarm_traffic.py): an alarm goes
into ALARM once a listener sends its target group the armed share of a forward's weight, and not before; the
DescribeAlarms answers keep botocore's output shape. One endpoint process for the module (conftest.py)."""
import os
import sys

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, ROOT)

from tests.support import faithful  # noqa: E402


def cloudwatch(aws):
    return boto3.client("cloudwatch", endpoint_url=aws.url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def state(aws, name):
    return cloudwatch(aws).describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"]


def weights(aws, tg1, tg2):
    aws.elbv2.modify_listener(ListenerArn=aws.listener, DefaultActions=[{"Type": "forward", "ForwardConfig": {
        "TargetGroups": [{"TargetGroupArn": aws.tg, "Weight": tg1}, {"TargetGroupArn": aws.lonely_tg, "Weight": tg2}]}}])


def test_an_armed_alarm_fires_when_its_target_group_gets_the_share_and_not_before(aws):
    cloudwatch(aws).put_metric_alarm(
        AlarmName="tg2-5xx", Namespace="AWS/ApplicationELB", MetricName="HTTPCode_Target_5XX_Count", Statistic="Sum",
        Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold")
    faithful.alarm_on_traffic(aws.url, "tg2-5xx", "tg2", 50)
    weights(aws, 100, 0)
    assert state(aws, "tg2-5xx") != "ALARM"
    weights(aws, 90, 10)
    assert state(aws, "tg2-5xx") != "ALARM"
    weights(aws, 50, 50)
    answer = cloudwatch(aws).describe_alarms(AlarmNames=["tg2-5xx"])["MetricAlarms"][0]
    assert answer["StateValue"] == "ALARM" and "tg2 gets 50.0% of the traffic" in answer["StateReason"]
    # spent: a test that sets it back to OK keeps it there
    faithful.set_alarm_state(aws.url, "tg2-5xx", "OK")
    assert state(aws, "tg2-5xx") == "OK"


def test_clear_disarms(aws):
    cloudwatch(aws).put_metric_alarm(
        AlarmName="tg2-p95", Namespace="AWS/ApplicationELB", MetricName="TargetResponseTime", ExtendedStatistic="p95",
        Period=60, EvaluationPeriods=1, Threshold=2.0, ComparisonOperator="GreaterThanThreshold")
    faithful.alarm_on_traffic(aws.url, "tg2-p95", "tg2", 10)
    faithful.clear_alarms_on_traffic(aws.url)
    weights(aws, 50, 50)
    assert state(aws, "tg2-p95") != "ALARM"
