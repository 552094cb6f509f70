"""module_utils/_ecs/pre_deploy.py: when an app's pre-deploy task runs, the RunTask request, the wait and the verdict,
against a real service_batch.Batch with botocore Stubbers answering in AWS's shapes (tests/unit/fixtures/aws:
RunTask, DescribeTasks with containers[].exitCode, stopCode and stoppedReason, GetLogEvents)."""
import copy

import boto3
import pytest
from botocore.stub import ANY, Stubber

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import pre_deploy
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import switch
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.ecs_service import ServiceError
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.service_batch import Batch

from aws_shapes import load

CLUSTER = "prod"
OLD = "arn:aws:ecs:eu-west-1:123456789012:task-definition/prod-backend:7"
NEW = "arn:aws:ecs:eu-west-1:123456789012:task-definition/prod-backend:8"
TASK = "arn:aws:ecs:eu-west-1:123456789012:task/prod/0f3c2a1b9d8e4f70a6b5c4d3e2f10987"
COMMAND = ["java", "-jar", "app.jar", "--migrate"]
TD = {"taskDefinition": {
    "taskDefinitionArn": NEW, "family": "prod-backend", "revision": 8,
    "containerDefinitions": [{
        "name": "backend", "image": "backend:1", "essential": True,
        "environment": [{"name": "DB_PASSWORD", "value": "hunter2x"}],
        "secrets": [{"name": "API_TOKEN", "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/token"}],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/prod/backend", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "ecs"}}}]}}


def entry(name, standing, td=NEW):
    return {"name": name, "task_definition": td, "availability_zone": "eu-west-1" + name[-1],
            "network": {"subnets": ["subnet-0a1b2c3d4e5f60718"], "security_groups": ["sg-0b2"],
                        "assign_public_ip": False},
            "capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
            "platform_version": "LATEST",
            "tags": {"bandup:deployment": "prod", "bandup:service": "backend", "bandup:standing": standing}}


def app(timeout=600, **extra):
    return dict({"name": "backend", "active": entry("prod-backend-a", "active"),
                 "standby": entry("prod-backend-b", "standby"),
                 "pre_deploy": {"command": COMMAND, "container": "backend", "timeout": timeout}}, **extra)


def live(*tds):
    """DescribeServices answers by name: the active then the standby service on these revisions."""
    return {name: {"serviceName": name, "status": "ACTIVE", "taskDefinition": td}
            for name, td in zip(("prod-backend-a", "prod-backend-b"), tds)}


class Clients:
    """One client per service, each under a Stubber; ``batch.client(name)`` hands them out."""

    def __init__(self):
        self.clients, self.stubs = {}, {}
        for name in ("ecs", "logs"):
            client = boto3.client(name, region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
            self.clients[name], self.stubs[name] = client, Stubber(client)
            self.stubs[name].activate()

    def __call__(self, name):
        return self.clients[name]

    def done(self):
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


def batch(clients, check_mode=False):
    out = Batch(clients, CLUSTER, ChangeSet(check_mode, True), wait_delay=0, failure_log_lines=20)
    out.lines = []
    out.progress = out.lines.append
    return out


def expect_run(stubs, answer="ecs/RunTask.pre-deploy"):
    stubs["ecs"].add_response("run_task", load(answer), {
        "cluster": CLUSTER, "taskDefinition": NEW, "count": 1, "clientToken": ANY, "startedBy": "bandup-pre-deploy",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d4e5f60718"],
                                                         "securityGroups": ["sg-0b2"], "assignPublicIp": "DISABLED"}},
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        "platformVersion": "LATEST",
        "overrides": {"containerOverrides": [{"name": "backend", "command": COMMAND}]},
        "enableECSManagedTags": True,
        "tags": [{"key": "bandup:deployment", "value": "prod"}, {"key": "bandup:pre-deploy", "value": "prod-backend:8"},
                 {"key": "bandup:service", "value": "backend"}]})


def expect_describe(stubs, *cases):
    for case in cases:
        stubs["ecs"].add_response("describe_tasks", load(f"ecs/DescribeTasks.{case}"),
                                  {"cluster": CLUSTER, "tasks": [TASK]})


# ----------------------------------------------------------------- when it is due (no API call)

@pytest.mark.parametrize("tds, due", [
    ((OLD, OLD), True),  # a new revision: both services on the old one
    ((None, None), True),  # a first deploy: no service yet
    ((NEW, NEW), False),  # a rerun after a rollout that completed
    ((NEW, OLD), False),  # interrupted after the active service was updated: it ran before that
    ((OLD, NEW), False),  # the standby cell has it (a canary): it ran before that
])
def test_due_only_while_no_service_runs_the_new_revision(tds, due):
    found = {k: v for k, v in live(*tds).items() if v["taskDefinition"]}
    assert pre_deploy.due(app(), found) is due


def test_not_due_without_pre_deploy_and_revisions_compared_by_family_and_number():
    assert not pre_deploy.due(app(pre_deploy=None), live(OLD, OLD))
    # 'family:revision' and the ARN name the same revision
    short = app()
    short["active"]["task_definition"] = "prod-backend:8"
    assert not pre_deploy.due(short, live(NEW, NEW)) and pre_deploy.due(short, live(OLD, OLD))
    inactive = live(NEW, NEW)
    for service in inactive.values():
        service["status"] = "INACTIVE"
    assert pre_deploy.due(app(), inactive)


def test_converge_with_nothing_to_roll_out_makes_no_call():
    clients = Clients()
    ran = pre_deploy.run(batch(clients), [app()], live(NEW, NEW))
    assert ran == {}
    clients.done()  # the Stubbers had nothing queued: any call would have failed


# ----------------------------------------------------------------- running it

def test_passing_task_runs_once_with_the_new_revision_in_the_active_cell_and_shows_progress():
    clients = Clients()
    expect_run(clients.stubs)
    expect_describe(clients.stubs, "missing", "pre-deploy-running", "pre-deploy-exit-0")
    run = batch(clients)
    ran = pre_deploy.run(run, [app()], live(OLD, OLD))
    clients.done()
    assert ran["backend"]["taskArn"] == TASK and pre_deploy.outcome(ran["backend"], "backend") == (True, 0)
    assert run.changes.changes == [{"resource": "pre-deploy task backend", "action": "run",
                                    "fields": ["prod-backend:8"]}]
    task_id = TASK.rsplit("/", 1)[-1]
    assert run.lines == [f"backend pre-deploy: task {task_id} RUNNING (timeout 600s)",
                         f"backend pre-deploy: task {task_id} STOPPED, exit code 0 (timeout 600s)"]


def test_failing_task_fails_naming_the_app_exit_code_and_redacted_log_tail():
    clients = Clients()
    expect_run(clients.stubs)
    expect_describe(clients.stubs, "pre-deploy-running", "pre-deploy-exit-1")
    clients.stubs["ecs"].add_response("describe_task_definition", TD, {"taskDefinition": NEW})
    clients.stubs["logs"].add_response("get_log_events", load("logs/GetLogEvents.migration-failed"), {
        "logGroupName": "/ecs/prod/backend", "logStreamName": "ecs/backend/0f3c2a1b9d8e4f70a6b5c4d3e2f10987",
        "limit": 20, "startFromHead": False})
    run = batch(clients)
    with pytest.raises(ServiceError) as err:
        pre_deploy.run(run, [app()], live(OLD, OLD))
    clients.done()
    msg = err.value.message
    assert msg.startswith("apps[0].pre_deploy (backend): the pre-deploy task of prod-backend:8 exited with code 1; "
                          "no service was updated.")
    assert "Essential container in task exited" in msg and "exit code 1" in msg
    assert 'relation "users" does not exist' in msg
    assert "hunter2x" not in msg and "password=***" in msg
    assert err.value.kwargs["pre_deploy_task"]["containers"][0]["exit_code"] == 1
    assert err.value.kwargs["services"] == {}


def test_task_that_never_starts_fails_with_its_stop_reason():
    clients = Clients()
    expect_run(clients.stubs)
    expect_describe(clients.stubs, "pre-deploy-pull-failed")
    clients.stubs["ecs"].add_response("describe_task_definition", TD, {"taskDefinition": NEW})
    # the container never started: no log stream
    clients.stubs["logs"].add_client_error("get_log_events", "ResourceNotFoundException",
                                           "The specified log stream does not exist.")
    with pytest.raises(ServiceError) as err:
        pre_deploy.run(batch(clients), [app()], live(OLD, OLD))
    clients.done()
    assert "did not run its command to the end" in err.value.message
    assert "CannotPullContainerError" in err.value.message and "(no log stream /ecs/prod/backend ecs/backend/" \
        in err.value.message


def test_runtask_failures_fail_before_any_wait():
    clients = Clients()
    expect_run(clients.stubs, "ecs/RunTask.capacity-unavailable")
    with pytest.raises(ServiceError) as err:
        pre_deploy.run(batch(clients), [app()], live(OLD, OLD))
    clients.done()
    assert err.value.message == ("apps[0].pre_deploy (backend): RunTask started no task: Capacity is unavailable at "
                                 "this time. Please try again later or in a different availability zone; no service "
                                 "was updated")


def test_task_outliving_its_timeout_is_stopped():
    clients = Clients()
    expect_run(clients.stubs)
    expect_describe(clients.stubs, "pre-deploy-running")
    stopping = copy.deepcopy(load("ecs/DescribeTasks.pre-deploy-running")["tasks"][0])
    stopping["desiredStatus"] = "STOPPED"
    clients.stubs["ecs"].add_response("stop_task", {"task": stopping}, {
        "cluster": CLUSTER, "task": TASK, "reason": "bandup.ecs: pre_deploy timeout (0s)"})
    run = batch(clients)
    with pytest.raises(ServiceError) as err:
        pre_deploy.run(run, [app(timeout=0)], live(OLD, OLD))
    clients.done()
    assert err.value.kwargs["timed_out"] is True and "did not stop within timeout 0s" in err.value.message
    assert [c["action"] for c in run.changes.changes] == ["run", "stop"]


def test_check_mode_records_the_run_and_calls_nothing():
    clients = Clients()
    run = batch(clients, check_mode=True)
    assert pre_deploy.run(run, [app()], live(OLD, OLD)) == {"backend": None}
    clients.done()
    assert run.changes.changes == [{"resource": "pre-deploy task backend", "action": "run",
                                    "fields": ["prod-backend:8"]}]
    assert run.changes.after["pre-deploy backend"] == {"task_definition": NEW, "command": COMMAND}


# ----------------------------------------------------------------- in the module's converge

class StopAfterPreDeploy(Exception):
    pass


def test_converge_apps_runs_it_after_the_read_and_before_any_write(monkeypatch):
    """A failing pre-deploy task ends converge_apps before the switch or the batch converge writes anything."""
    clients = Clients()
    run = batch(clients)
    order = []
    monkeypatch.setattr(run, "read", lambda names: order.append("read") or live(OLD, OLD))
    monkeypatch.setattr(run, "run", lambda *a, **k: order.append("converge"))

    def failing(_batch, apps, found):
        order.append(("pre_deploy", [a["name"] for a in apps], sorted(found)))
        raise StopAfterPreDeploy()

    monkeypatch.setattr(pre_deploy, "run", failing)
    with pytest.raises(StopAfterPreDeploy):
        switch.converge_apps(run, [app()], [])
    assert order == ["read", ("pre_deploy", ["backend"], ["prod-backend-a", "prod-backend-b"])]
