"""bandup.ecs rollout module_utils: the good-revision record, the rollback choice, and why a rollout failed
(botocore Stubber, ECS and CloudWatch Logs response shapes)."""
import datetime
import os
import sys

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import rollout

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, ROOT)
from tests.support.ecs_service_answers import (  # noqa: E402  pylint: disable=wrong-import-position
    CLUSTER, PARAMS, dep, service, td)

NAME = "bandup-prod-backend-a"
NOW = datetime.datetime(2026, 11, 29, 14, 0, tzinfo=datetime.timezone.utc)
TASK_ARN = f"arn:aws:ecs:eu-west-1:123456789012:task/{CLUSTER}/"


def params(rev):
    return dict(PARAMS, name=NAME, task_definition=td(rev), desired_count=2, force_desired_count=False,
                availability_zone="eu-west-1a", deployment_token=None, force_new_deployment=False,
                tags={"bandup:standing": "active"}, purge_tags=False)


def deploy(live, rev):
    """plan_present for a deploy of revision ``rev`` on ``live``; returns (plan, the tags the service has after)."""
    plan = svc.plan_present(params(rev), live, lambda: False)
    return plan, dict(svc.tag_dict(live), **plan["add_tags"])


# ----------------------------------------------------------------- the record

def test_no_op_converge_writes_no_record():
    live = service([dep("ecs-svc/1", 1)])
    plan, _tags = deploy(live, 1)
    live = dict(live, tags=[{"key": k, "value": v} for k, v in _tags.items()])
    again = svc.plan_present(params(1), live, lambda: False)
    assert again["action"] == "none" and again["add_tags"] == {}


def test_a_deploy_records_the_completed_revision_in_the_tags_it_sends_anyway():
    live = service([dep("ecs-svc/1", 1)], tags={svc.LAST_APPLIED_TAG: "old.-"})
    plan, _tags = deploy(live, 2)
    assert plan["update"]["taskDefinition"] == td(2)
    assert plan["add_tags"][rollout.GOOD_TAG] == "1" and svc.LAST_APPLIED_TAG in plan["add_tags"]


def test_a_count_change_alone_writes_no_record():
    plan, _tags = deploy(service([dep("ecs-svc/1", 1)]), 1)
    live = service([dep("ecs-svc/1", 1)], tags=_tags)
    changed = svc.plan_present(dict(params(1), desired_count=3), live, lambda: False)
    assert changed["update"] == {"desiredCount": 3} and changed["add_tags"] == {}


def test_in_progress_and_failed_deployments_are_not_good():
    live = service([dep("ecs-svc/2", 2, rollout_state="FAILED"), dep("ecs-svc/1", 1, status="ACTIVE",
                                                                    rollout_state="IN_PROGRESS")])
    assert rollout.good_revisions(live, {}) == []
    assert rollout.good_record(live, {}) == {}


def test_purge_tags_keeps_the_record():
    live = service([dep("ecs-svc/1", 1)], tags={rollout.GOOD_TAG: "1", "other": "x"})
    plan = svc.plan_present(dict(params(2), purge_tags=True), live, lambda: False)
    assert plan["remove_tags"] == ["other"]


def test_good_v1_bad_v2_good_v3_bad_v4_rolls_back_to_v3():
    """The issue's scenario, with the deployments ECS shows after each step (circuit breaker with rollback)."""
    live = service([dep("ecs-svc/1", 1)])                                  # v1 created and COMPLETED
    _plan, tags = deploy(live, 2)                                          # v2: the breaker rolls back to v1
    live = service([dep("ecs-svc/3", 1)], tags=tags)
    _plan, tags = deploy(live, 3)                                          # v3 COMPLETED
    live = service([dep("ecs-svc/4", 3)], tags=tags)
    _plan, tags = deploy(live, 4)                                          # v4: rolled back to v3, still draining
    live = service([dep("ecs-svc/6", 3, rollout_state="IN_PROGRESS"),
                    dep("ecs-svc/5", 4, status="ACTIVE", rollout_state="FAILED", running=0)], tags=tags)
    good = rollout.good_revisions(live, svc.tag_dict(live))
    assert good == [3, 1]
    assert rollout.rollback_revision(good, latest=4, current=3) == (3, None)


def test_after_a_good_deploy_rollback_goes_to_the_good_one_before_it():
    assert rollout.rollback_revision([2, 1], latest=2, current=2) == (1, None)
    # Run again after that rollback (the service runs v1, v2 is still the newest): v1 again, not v0.
    assert rollout.rollback_revision([2, 1], latest=2, current=1) == (1, None)


def test_no_earlier_good_revision_says_so():
    rev, why = rollout.rollback_revision([1], latest=1, current=1)
    assert rev is None and "no revision older than 1" in why and "completed: 1" in why


def test_record_is_capped_and_ignores_foreign_families():
    live = service([dep("ecs-svc/9", 30), dict(dep("ecs-svc/8", 5, status="ACTIVE"),
                                               taskDefinition="arn:aws:ecs:eu-west-1:1:task-definition/other:5")],
                   tags={rollout.GOOD_TAG: " ".join(str(r) for r in range(20, 0, -1)) + " x"})
    record = rollout.good_record(live, svc.tag_dict(live))[rollout.GOOD_TAG].split()
    assert record == [str(r) for r in [30] + list(range(20, 11, -1))]


# ----------------------------------------------------------------- redaction

@pytest.mark.parametrize("line, hidden", [
    ("DB_PASSWORD=hunter22 connecting", "hunter22"),
    ('{"apiKey": "k-123456"}', "k-123456"),
    ("jdbc url postgres://app:s3cr3tpw@db:5432/app", "s3cr3tpw"),
    ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x.y", "eyJhbGciOiJIUzI1NiJ9"),
    ("using key AKIAABCDEFGHIJKLMNOP", "AKIAABCDEFGHIJKLMNOP"),
    ("JWT_SIGNING=abc123def", "abc123def"),              # a name the task definition's secrets list
    ("the value is topsecretvalue", "topsecretvalue"),   # a secret-looking environment variable's value
])
def test_redact_hides_secret_values(line, hidden):
    names, values = rollout.hidden_values({"containerDefinitions": [{
        "name": "backend",
        "secrets": [{"name": "JWT_SIGNING", "valueFrom": "arn:aws:secretsmanager:eu-west-1:1:secret:jwt"}],
        "environment": [{"name": "APP_SECRET", "value": "topsecretvalue"}, {"name": "PORT", "value": "8080"}]}]})
    out = rollout.redact(line, names, values)
    assert hidden not in out and "***" in out


def test_redact_keeps_ordinary_lines():
    line = "Started BandupApplication in 3.2 seconds (process running for 3.9) on port 8080"
    assert rollout.redact(line, {"JWT_SIGNING"}, {"topsecretvalue"}) == line


# ----------------------------------------------------------------- why a rollout failed

def task(task_id, started_by, stopped_minute, containers, reason="Essential container in task exited",
         code="EssentialContainerExited", rev=2):
    return {"taskArn": TASK_ARN + task_id, "clusterArn": f"arn:aws:ecs:eu-west-1:123456789012:cluster/{CLUSTER}",
            "taskDefinitionArn": td(rev), "group": f"service:{NAME}", "startedBy": started_by,
            "lastStatus": "STOPPED", "desiredStatus": "STOPPED", "launchType": "FARGATE", "cpu": "1024",
            "memory": "2048", "availabilityZone": "eu-west-1a", "stopCode": code, "stoppedReason": reason,
            "createdAt": NOW, "stoppedAt": NOW + datetime.timedelta(minutes=stopped_minute), "containers": [
                dict({"containerArn": f"arn:aws:ecs:eu-west-1:123456789012:container/{CLUSTER}/{task_id}/{name}",
                      "taskArn": TASK_ARN + task_id, "name": name, "lastStatus": "STOPPED"}, **extra)
                for name, extra in containers]}


TASK_DEF = {
    "taskDefinitionArn": td(2), "family": "bandup-prod-backend", "revision": 2, "status": "ACTIVE",
    "containerDefinitions": [{
        "name": "backend", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/bandup/backend@sha256:ab",
        "essential": True,
        "environment": [{"name": "DB_PASSWORD", "value": "hunter22"}, {"name": "PORT", "value": "8080"}],
        "secrets": [{"name": "JWT_SIGNING", "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/jwt"}],
        "healthCheck": {"command": ["CMD-SHELL", "wget -q -O- http://localhost:8080/actuator/health || exit 1"],
                        "interval": 10, "timeout": 5, "retries": 3, "startPeriod": 30},
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/bandup-prod/backend", "awslogs-region": "eu-west-1",
            "awslogs-stream-prefix": "backend"}}}],
}


def stubbed():
    ecs = boto3.client("ecs", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    logs = boto3.client("logs", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    return ecs, Stubber(ecs), logs, Stubber(logs)


def expect_tasks(ecs_stub, tasks, extra_arns=()):
    arns = [t["taskArn"] for t in tasks] + list(extra_arns)
    ecs_stub.add_response("list_tasks", {"taskArns": arns}, {
        "cluster": CLUSTER, "serviceName": NAME, "desiredStatus": "STOPPED", "maxResults": 100})
    ecs_stub.add_response("describe_tasks", {"tasks": tasks, "failures": []}, {"cluster": CLUSTER, "tasks": arns})
    ecs_stub.add_response("describe_task_definition", {"taskDefinition": TASK_DEF}, {"taskDefinition": td(2)})


def expect_logs(logs_stub, task_id, lines):
    logs_stub.add_response("get_log_events", {"events": [
        {"timestamp": 1764424800000 + i, "message": line, "ingestionTime": 1764424801000} for i, line in enumerate(lines)],
        "nextForwardToken": "f/1", "nextBackwardToken": "b/1"}, {
        "logGroupName": "/ecs/bandup-prod/backend", "logStreamName": f"backend/backend/{task_id}", "limit": 20,
        "startFromHead": False})


def test_exit_code_and_last_log_lines_of_the_new_deployments_tasks_redacted():
    ecs, ecs_stub, logs, logs_stub = stubbed()
    exited = [("backend", {"exitCode": 1, "healthStatus": "UNKNOWN"})]
    ours = [task(f"t{i}", "ecs-svc/2", i, exited) for i in range(4)]
    other = task("old", "ecs-svc/1", 9, [("backend", {"exitCode": 137})], reason="Scaling activity initiated")
    expect_tasks(ecs_stub, ours + [other])
    lines = ["Starting BandupApplication", "connecting with DB_PASSWORD=hunter22",
             "APPLICATION FAILED TO START: port 8080 in use"]
    for i in (3, 2, 1):  # the newest three of our deployment, newest first
        expect_logs(logs_stub, f"t{i}", lines)
    with ecs_stub, logs_stub:
        tasks = rollout.explain(ecs, lambda: logs, CLUSTER, NAME, "ecs-svc/2", 20)
    assert [t["task_id"] for t in tasks] == ["t3", "t2", "t1"]
    assert tasks[0]["containers"][0]["exit_code"] == 1
    assert tasks[0]["containers"][0]["log_lines"][-1] == "APPLICATION FAILED TO START: port 8080 in use"
    message = rollout.describe_failure(tasks, "ecs-svc/2")
    assert "Stopped task t3: Essential container in task exited; container backend: exit code 1" in message
    assert "APPLICATION FAILED TO START" in message and "(same last log lines as task t3)" in message
    assert "hunter22" not in message and "hunter22" not in repr(tasks)
    assert "health check" not in message


def test_failing_container_health_check_is_named():
    ecs, ecs_stub, logs, logs_stub = stubbed()
    unhealthy = task("h1", "ecs-svc/2", 1, [("backend", {"exitCode": 137, "healthStatus": "UNHEALTHY"})],
                     reason="Task failed container health checks", code="TaskFailedToStart")
    expect_tasks(ecs_stub, [unhealthy])
    expect_logs(logs_stub, "h1", ["GET /actuator/health 503"])
    with ecs_stub, logs_stub:
        tasks = rollout.explain(ecs, lambda: logs, CLUSTER, NAME, "ecs-svc/2", 20)
    message = rollout.describe_failure(tasks, "ecs-svc/2")
    assert "Task failed container health checks" in message
    assert ("health check wget -q -O- http://localhost:8080/actuator/health || exit 1 (interval 10s, timeout 5s, "
            "retries 3, start period 30s) UNHEALTHY") in message
    assert "GET /actuator/health 503" in message


def test_missing_log_stream_and_no_stopped_tasks_are_said():
    ecs, ecs_stub, logs, logs_stub = stubbed()
    expect_tasks(ecs_stub, [task("n1", "ecs-svc/2", 1, [("backend", {"exitCode": 1})])])
    logs_stub.add_client_error("get_log_events", "ResourceNotFoundException", "The specified log stream does not exist.")
    with ecs_stub, logs_stub:
        tasks = rollout.explain(ecs, lambda: logs, CLUSTER, NAME, "ecs-svc/2", 20)
    assert "(no log stream /ecs/bandup-prod/backend backend/backend/n1)" in rollout.describe_failure(tasks, "x")
    assert "No stopped task of deployment ecs-svc/2" in rollout.describe_failure([], "ecs-svc/2")


def test_zero_log_lines_reads_no_logs():
    ecs, ecs_stub, _logs, _logs_stub = stubbed()
    expect_tasks(ecs_stub, [task("z1", "ecs-svc/2", 1, [("backend", {"exitCode": 1})])])

    def no_logs():
        raise AssertionError("the logs client must not be made")
    with ecs_stub:
        tasks = rollout.explain(ecs, no_logs, CLUSTER, NAME, "ecs-svc/2", 0)
    assert "log_lines" not in tasks[0]["containers"][0]


def test_a_failed_read_keeps_the_wait_failure():
    ecs, ecs_stub, logs, _logs_stub = stubbed()
    ecs_stub.add_client_error("list_tasks", "AccessDeniedException", "not authorized to perform ecs:ListTasks")
    err = svc.WaitError("service x: deployment ecs-svc/2 FAILED: tasks failed to start.", False,
                        {"deployment_id": "ecs-svc/2", "events": []})
    with ecs_stub:
        msg, details = rollout.failure(err, ecs, lambda: logs, CLUSTER, NAME, 20)
    assert msg.startswith("service x: deployment ecs-svc/2 FAILED") and "could not be read" in msg
    assert "stopped_tasks" not in details


def test_stopped_tasks_are_read_over_pages():
    ecs, ecs_stub, _logs, _logs_stub = stubbed()
    request = {"cluster": CLUSTER, "serviceName": NAME, "desiredStatus": "STOPPED", "maxResults": 100}
    ecs_stub.add_response("list_tasks", {"taskArns": [TASK_ARN + "p1"], "nextToken": "t2"}, request)
    ecs_stub.add_response("list_tasks", {"taskArns": [TASK_ARN + "p2"]}, dict(request, nextToken="t2"))
    with ecs_stub:
        assert rollout.stopped_task_arns(ecs, CLUSTER, NAME) == [TASK_ARN + "p1", TASK_ARN + "p2"]
