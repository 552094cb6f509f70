"""The faithful endpoint's one-off tasks (tests/support/faithful_endpoint/run_task.py): RunTask tasks move on per
DescribeTasks poll, exit with the code a test set for their command and write its log lines; clientToken, StopTask,
ListTasks and the refusals as ECS answers them; every answer in botocore's output shape. One endpoint process for the
module, reset before each test (conftest.py: ``aws``)."""
import json
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, ROOT)

from tests.support import faithful  # noqa: E402
from tests.support.faithful_endpoint.core import check_shape  # noqa: E402
from tests.unit.support.endpoint_account import CLUSTER  # noqa: E402  pylint: disable=wrong-import-position

MIGRATE = ["./migrate", "up"]


def run(aws, command=MIGRATE, token="tok-1", subnets=None, **extra):
    request = dict(cluster=CLUSTER, taskDefinition=aws.td2, count=1, clientToken=token, startedBy="bandup-pre-deploy",
                   networkConfiguration=aws.network(*(subnets or [aws.subnet_a])),
                   capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
                   overrides={"containerOverrides": [{"name": "app", "command": command}]},
                   tags=[{"key": "bandup:pre-deploy", "value": "app:2"}])
    request.update(extra)
    return aws.ecs.run_task(**request)


def raw_problems(aws, operation):
    """What botocore's output shape of ``operation`` finds wrong with the last raw answer to it ([] or raises)."""
    model, content = aws.raw[operation]
    check_shape(model.output_shape, json.loads(content), operation, raw=True)
    return []


def poll(aws, arn, include_tags=False):
    answer = aws.ecs.describe_tasks(cluster=CLUSTER, tasks=[arn], **({"include": ["TAGS"]} if include_tags else {}))
    assert raw_problems(aws, "DescribeTasks") == []
    return answer["tasks"][0]


def test_a_failing_command_exits_with_its_code_and_logs(aws):
    faithful.run_task_command(aws.url, MIGRATE, exit_code=3, log_lines=["applying V7", 'relation "users" does not '
                                                                                      "exist"])
    answer = run(aws)
    assert raw_problems(aws, "RunTask") == [] and answer["failures"] == []
    task = answer["tasks"][0]
    assert task["lastStatus"] == "PROVISIONING" and task["desiredStatus"] == "RUNNING"
    assert task["taskDefinitionArn"] == aws.td2 and task["startedBy"] == "bandup-pre-deploy"
    assert task["availabilityZone"] == "us-east-1a" and task["group"] == "family:app"
    arn = task["taskArn"]
    assert [poll(aws, arn)["lastStatus"] for _ in range(2)] == ["PENDING", "RUNNING"]
    stopping = poll(aws, arn)
    assert (stopping["lastStatus"], stopping["desiredStatus"], stopping["stopCode"]) == (
        "DEPROVISIONING", "STOPPED", "EssentialContainerExited")
    assert stopping["containers"][0]["exitCode"] == 3
    stopped = poll(aws, arn, include_tags=True)
    assert stopped["lastStatus"] == "STOPPED" and stopped["stoppedReason"] == "Essential container in task exited"
    assert stopped["tags"] == [{"key": "bandup:pre-deploy", "value": "app:2"}]
    assert stopped["overrides"]["containerOverrides"] == [{"name": "app", "command": MIGRATE}]
    events = aws.logs.get_log_events(logGroupName="/app", logStreamName=f"web/app/{arn.rsplit('/', 1)[-1]}",
                                     startFromHead=False, limit=20)["events"]
    assert [e["message"] for e in events] == ["applying V7", 'relation "users" does not exist']
    # STOPPED stays STOPPED
    assert poll(aws, arn)["lastStatus"] == "STOPPED"
    runs = faithful.run_task_runs(aws.url)["runs"]
    assert [(r["command"], r["exit_code"], r["client_token"], r["subnets"]) for r in runs] == [
        (MIGRATE, 3, "tok-1", [aws.subnet_a])]


def test_a_command_without_a_rule_exits_zero_after_the_running_polls_asked_for(aws):
    faithful.run_task_command(aws.url, None, exit_code=0, running_polls=3)
    arn = run(aws, command=["true"])["tasks"][0]["taskArn"]
    states = [poll(aws, arn)["lastStatus"] for _ in range(6)]
    assert states == ["PENDING", "RUNNING", "RUNNING", "RUNNING", "DEPROVISIONING", "STOPPED"]
    assert poll(aws, arn)["containers"][0]["exitCode"] == 0


def test_a_start_failure_stops_the_task_without_an_exit_code(aws):
    faithful.run_task_command(aws.url, MIGRATE, start_failure="CannotPullContainerError: image not found")
    arn = run(aws)["tasks"][0]["taskArn"]
    poll(aws, arn)
    task = poll(aws, arn)
    assert (task["lastStatus"], task["stopCode"]) == ("STOPPED", "TaskFailedToStart")
    assert task["containers"][0]["reason"] == "CannotPullContainerError: image not found"
    assert "exitCode" not in task["containers"][0]


def test_client_token_same_request_same_task_other_request_conflict(aws):
    first = run(aws)["tasks"][0]["taskArn"]
    poll(aws, first)
    again = run(aws)["tasks"][0]
    assert again["taskArn"] == first and again["lastStatus"] == "PENDING"
    assert len(faithful.run_task_runs(aws.url)["runs"]) == 1
    err = aws.error(lambda: run(aws, command=["other"]))
    assert err["Code"] == "ConflictException" and aws.last_error["resourceIds"] == [first]
    # another token is another task
    assert run(aws, token="tok-2")["tasks"][0]["taskArn"] != first


def test_stop_task_and_list_tasks(aws):
    arn = run(aws)["tasks"][0]["taskArn"]
    poll(aws, arn)
    poll(aws, arn)
    assert aws.ecs.list_tasks(cluster=CLUSTER, startedBy="bandup-pre-deploy")["taskArns"] == [arn]
    assert raw_problems(aws, "ListTasks") == []
    stopped = aws.ecs.stop_task(cluster=CLUSTER, task=arn, reason="timeout")["task"]
    assert raw_problems(aws, "StopTask") == []
    assert (stopped["desiredStatus"], stopped["stopCode"], stopped["stoppedReason"]) == ("STOPPED", "UserInitiated",
                                                                                         "timeout")
    assert poll(aws, arn)["lastStatus"] == "STOPPED"
    assert aws.ecs.list_tasks(cluster=CLUSTER, startedBy="bandup-pre-deploy")["taskArns"] == []
    assert aws.ecs.list_tasks(cluster=CLUSTER, startedBy="bandup-pre-deploy", desiredStatus="STOPPED")["taskArns"] \
        == [arn]


@pytest.mark.parametrize("change, message", [
    (dict(networkConfiguration=None), "Network Configuration must be provided when networkMode 'awsvpc' is specified."),
    (dict(overrides={"containerOverrides": [{"name": "nope", "command": ["x"]}]}),
     "Override for container named nope is not a container in the TaskDefinition."),
    (dict(launchType="FARGATE"), "Specifying both a launch type and capacity provider strategy is not supported. "
                                 "Remove one and try again."),
])
def test_refusals(aws, change, message):
    request = {k: v for k, v in change.items() if v is not None}
    drop = [k for k, v in change.items() if v is None]

    def call():
        args = dict(cluster=CLUSTER, taskDefinition=aws.td2, networkConfiguration=aws.network(aws.subnet_a),
                    capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1, "base": 0}], **request)
        for key in drop:
            args.pop(key)
        return aws.ecs.run_task(**args)

    err = aws.error(call)
    assert err["Code"] == "InvalidParameterException" and err["Message"] == message
    assert faithful.run_task_runs(aws.url)["runs"] == []


def test_impaired_az_is_a_capacity_failure_and_another_subnet_is_used(aws):
    faithful.impair_az(aws.url, "us-east-1a")
    answer = run(aws)
    assert answer["tasks"] == [] and "Capacity is unavailable" in answer["failures"][0]["reason"]
    assert raw_problems(aws, "RunTask") == []
    placed = run(aws, token="tok-2", subnets=[aws.subnet_a, aws.subnet_b])["tasks"][0]
    assert placed["availabilityZone"] == "us-east-1b"
