# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A one-off task that gates an app's rollout (``apps[].pre_deploy`` of M(bandup.ecs.ecs_app_services)).

When it runs
  Before anything of the module run is written, and only for an app whose new revision (its ``active`` entry's task
  definition) is on none of its live services yet: decided from the ``DescribeServices`` answers the module read
  anyway, so a converge with nothing to roll out makes no call for it. A rerun after a failed pre-deploy (the task
  definition is registered, the services are still on the old revision) runs it again; a rerun after a rollout that
  completed does not. An app whose new revision already reached one of its services (an interrupted run, or a
  canary that has the standby cell on it) is not run again: the task ran before that service was updated.

What runs
  One task (``RunTask``, ``count`` 1) of the **new** revision with the entry's command override on its container, in
  the ``active`` entry's subnets with its security groups, capacity provider strategy and platform version; roles,
  log group, environment and secrets are the task definition's, the service's own. ``clientToken`` is random per
  module run and the same for every resend of that request (a resend after a lost answer is answered with the same
  task); a rerun is a new run and starts a new task. ``startedBy`` is ``bandup-pre-deploy``.

Waiting and the verdict
  ``DescribeTasks`` every ``wait_delay`` seconds (one progress line per poll) until the task is ``STOPPED`` or its
  ``timeout`` passes; a task that outlives its timeout is stopped (``StopTask``), so a rerun never runs two at once.
  The task passed when its container exited 0. Otherwise the module fails naming the app, the task, its exit code
  (or why it never ran: ``stopCode``, ``stoppedReason``, the container's reason, ``RunTask`` failures) and the last
  ``failure_log_lines`` lines of its ``awslogs`` stream, secrets redacted (module_utils/_ecs/rollout.py ``explain_tasks``);
  no service has been written then. Apps run one after the other, in the module's order.
"""

from __future__ import annotations

import time
import uuid

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import rollout
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.ecs_service import ServiceError

# The option of one app (M(bandup.ecs.ecs_app_services) ``apps[].pre_deploy``).
OPTIONS = dict(
    command=dict(type="list", elements="str", required=True),
    container=dict(type="str", required=True),
    timeout=dict(type="int", default=600),
)
STARTED_BY = "bandup-pre-deploy"
TAG = "bandup:pre-deploy"
# Polls right after RunTask that may not show the task yet (the ECS API is eventually consistent).
LAGGING_POLLS = 5
RETRY = AWSRetry.jittered_backoff()
HANDLE = AWSErrorHandler.common_error_handler


# ---------------------------------------------------------------- when it runs (no API call)

def revision(task_definition):
    """'family:revision' of a task definition ARN or 'family:revision'; the value itself otherwise."""
    return str(task_definition or "").rsplit("/", 1)[-1]


def due(app, live):
    """True when ``app`` has a pre-deploy task and its new revision (the ``active`` entry's task definition) is on
    none of its live services (``live``: the module's DescribeServices answers by name, None when missing)."""
    if not app.get("pre_deploy"):
        return False
    wanted = revision(app["active"]["task_definition"])
    on = {revision(service.get("taskDefinition")) for service in
          (live.get(app[standing]["name"]) for standing in ("active", "standby"))
          if service and service.get("status") != "INACTIVE"}
    return wanted not in on


def request(cluster, app, token):
    """The RunTask request of ``app``'s pre-deploy task (its ``active`` entry's network, capacity, platform)."""
    entry, spec = app["active"], app["pre_deploy"]
    network = entry["network"]
    out = {
        "cluster": cluster,
        "taskDefinition": entry["task_definition"],
        "count": 1,
        "clientToken": token,
        "startedBy": STARTED_BY,
        "networkConfiguration": {"awsvpcConfiguration": {
            "subnets": list(network["subnets"]), "securityGroups": list(network["security_groups"]),
            "assignPublicIp": "ENABLED" if network.get("assign_public_ip") else "DISABLED"}},
        "capacityProviderStrategy": [{"capacityProvider": c["capacity_provider"], "weight": c["weight"],
                                      "base": c["base"]} for c in entry["capacity_provider_strategy"]],
        "overrides": {"containerOverrides": [{"name": spec["container"], "command": list(spec["command"])}]},
        "enableECSManagedTags": True,
        "tags": svc.tag_list(dict({k: v for k, v in entry["tags"].items() if k != svc.STANDING_TAG},
                                  **{TAG: revision(entry["task_definition"])})),
    }
    if entry.get("platform_version"):
        out["platformVersion"] = entry["platform_version"]
    return out


def outcome(task, container):
    """(passed, exit code) of a STOPPED task: passed when ``container`` exited 0."""
    found = next((c for c in task.get("containers", []) if c.get("name") == container), {})
    code = found.get("exitCode")
    return code == 0, code


def progress_line(app, task, timeout):
    """One progress line per poll: the task, its status, its exit code once stopped."""
    line = f"{app} pre-deploy: task {task['taskArn'].rsplit('/', 1)[-1]} {task.get('lastStatus', 'unknown')}"
    codes = [str(c["exitCode"]) for c in task.get("containers", []) if c.get("exitCode") is not None]
    if codes:
        line += f", exit code {', '.join(codes)}"
    return f"{line} (timeout {timeout}s)"


# ---------------------------------------------------------------- API calls

@HANDLE("run the pre-deploy task of {request[taskDefinition]}")
@RETRY
def run_task(ecs, request):
    """RunTask; ``request`` carries a ``clientToken``, so a resend is answered with the same task."""
    return ecs.run_task(**request)


@HANDLE("describe task {arn}")
@RETRY
def describe_task(ecs, cluster, arn):
    """The task, or None while DescribeTasks does not show it (MISSING)."""
    return next(iter(ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"]), None)


@HANDLE("stop task {arn}")
@RETRY
def stop_task(ecs, cluster, arn, reason):
    try:
        return ecs.stop_task(cluster=cluster, task=arn, reason=reason)["task"]
    except is_boto3_error_code("InvalidParameterException"):
        return None  # stopped meanwhile


# ---------------------------------------------------------------- running one, and every due one

def wait(ecs, cluster, arn, deadline, delay, progress=None, sleep=time.sleep, clock=time.monotonic):
    """Poll ``arn`` until it is STOPPED (returned) or ``deadline`` passes (None). ``progress(task)`` per poll."""
    missing = 0
    while True:
        task = describe_task(ecs, cluster, arn)
        if task is None:
            missing += 1
            if missing > LAGGING_POLLS:
                raise ServiceError(f"task {arn} is not shown by DescribeTasks after {missing} polls")
        else:
            if progress:
                progress(task)
            if task.get("lastStatus") == "STOPPED":
                return task
        if clock() + delay > deadline:
            return None
        sleep(delay)


def failed(label, app, task, code, ecs, logs, log_lines):
    """The ServiceError of a task that did not pass, its stop explained (reasons, exit codes, last log lines)."""
    where = f"{label}.pre_deploy ({app['name']})"
    try:
        explained = rollout.explain_tasks(ecs, logs, [task], log_lines)
        why = rollout.describe_failure(explained, "")
    except (BotoCoreError, ClientError) as err:
        explained, why = [], f"(the stopped task could not be read: {err})"
    what = f"exited with code {code}" if code is not None else "did not run its command to the end"
    return ServiceError(f"{where}: the pre-deploy task of {revision(task.get('taskDefinitionArn'))} {what}; no "
                        f"service was updated. {why}", pre_deploy_task=explained[0] if explained else {})


def run_one(batch, label, app):
    """Run ``app``'s pre-deploy task, wait for it and check it; raises ServiceError unless it passed."""
    spec, name = app["pre_deploy"], app["name"]
    ecs = batch.client("ecs")
    req = request(batch.cluster, app, str(uuid.uuid4()))
    answer = batch.changes.write(f"pre-deploy task {name}", "run", lambda: run_task(ecs, req),
                                 fields=[revision(req["taskDefinition"])])
    batch.changes.diff(f"pre-deploy {name}", {}, {"task_definition": req["taskDefinition"],
                                                  "command": req["overrides"]["containerOverrides"][0]["command"]})
    if answer is None:
        return None  # check mode
    if not answer.get("tasks"):
        reasons = "; ".join(f"{f.get('reason', '')}{' (' + f['detail'] + ')' if f.get('detail') else ''}"
                            for f in answer.get("failures", [])) or "no task and no failure in the answer"
        raise ServiceError(f"{label}.pre_deploy ({name}): RunTask started no task: {reasons}; no service was updated")
    arn = answer["tasks"][0]["taskArn"]
    progress = (lambda task: batch.progress(progress_line(name, task, spec["timeout"]))) if batch.progress else None
    task = wait(ecs, batch.cluster, arn, time.monotonic() + spec["timeout"], batch.wait_delay, progress)
    if task is None:
        reason = f"bandup.ecs: pre_deploy timeout ({spec['timeout']}s)"
        batch.changes.write(f"pre-deploy task {name}", "stop", lambda: stop_task(ecs, batch.cluster, arn, reason),
                            fields=[arn])
        raise ServiceError(f"{label}.pre_deploy ({name}): task {arn.rsplit('/', 1)[-1]} of "
                           f"{revision(req['taskDefinition'])} did not stop within timeout {spec['timeout']}s; it "
                           "was stopped and no service was updated", timed_out=True)
    passed, code = outcome(task, spec["container"])
    if not passed:
        raise failed(label, app, task, code, ecs, lambda: batch.client("logs"), batch.failure_log_lines)
    return task


def run(batch, apps, live):
    """Run the due pre-deploy tasks of ``apps`` (the module's entries, in order) before anything is written;
    ``live`` is the module's DescribeServices read. Raises ServiceError (naming ``apps[N].pre_deploy``) on the
    first that does not pass. Returns {app name: the STOPPED task} of those that ran (None in check mode)."""
    ran = {}
    for idx, app in enumerate(apps):
        if due(app, live):
            try:
                ran[app["name"]] = run_one(batch, f"apps[{idx}]", app)
            except ServiceError as err:
                raise ServiceError(err.message, services=batch.results, **err.kwargs) from err
    return ran
