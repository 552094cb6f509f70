# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a service's rollouts left behind: the revisions that completed on it, and why a failed one failed.

The good-revision record
  ``DescribeServices`` shows only the current deployments (PRIMARY and those still draining); a deployment that
  completed and was replaced leaves no trace there. So the collection keeps a record on the service, the tag
  ``bandup:last-good``: the task definition revisions (numbers of the service's family, newest first, at most
  ``GOOD_KEEP``) that reached ``rolloutState: COMPLETED`` on it. It is written only together with a write that the
  module makes anyway (the ``TagResource`` that carries the ``bandup:last-applied`` record of a new spec, i.e.
  with every deployment the module starts), from the deployments the service shows at that moment; the
  deployment the module then waits for is seen COMPLETED in the deployments themselves. A no-op converge writes
  nothing. ``good_revisions`` joins both.

Why a rollout failed
  ``explain`` reads, only after a wait failed, the newest stopped tasks of the tracked deployment
  (``ListTasks`` of the service with ``desiredStatus=STOPPED``, ``DescribeTasks``, filtered on ``startedBy`` = the
  deployment id), their task definition (``DescribeTaskDefinition``: log configuration, health check, and the
  names whose values must be hidden) and the last lines of each failing container's ``awslogs`` stream
  (``GetLogEvents`` on ``<awslogs-stream-prefix>/<container>/<task id>``). Text that leaves the module goes
  through ``redact``: values of secret-looking names (and of the task definition's ``secrets`` and
  secret-looking ``environment`` names), credentials in URLs, bearer tokens and AWS access key ids become ``***``.
"""

from __future__ import annotations

import re

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.bandup.ecs.plugins.module_utils._cloudwatch import alarms
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import taskdef
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.taskdef import revision_of

GOOD_TAG = "bandup:last-good"
GOOD_KEEP = 10
STOPPED_TASKS = 3
STOPPED_PAGES = 5
RETRY = AWSRetry.jittered_backoff()

# ---------------------------------------------------------------- the good-revision record


def recorded_good(tags):
    """The revisions of the ``bandup:last-good`` tag (a dict of tags), newest first; bad entries are ignored."""
    return [int(part) for part in (tags.get(GOOD_TAG) or "").split() if part.isdigit()]


def completed_revisions(service):
    """Revisions of the service's family whose deployment shows ``rolloutState: COMPLETED`` now."""
    family = revision_of(service.get("taskDefinition"))[0]
    found = []
    for dep in service.get("deployments", []):
        dep_family, rev = revision_of(dep.get("taskDefinition"))
        if dep.get("rolloutState") == "COMPLETED" and rev is not None and dep_family == family:
            found.append(rev)
    return found


def good_revisions(service, tags):
    """Every revision known to have completed on ``service`` (record and deployments), newest first."""
    return sorted(set(recorded_good(tags)) | set(completed_revisions(service)), reverse=True)


def good_record(service, tags):
    """The ``bandup:last-good`` tag to send with a write to ``service`` ({} when the record is already right)."""
    value = " ".join(str(rev) for rev in good_revisions(service, tags)[:GOOD_KEEP])
    return {GOOD_TAG: value} if value and value != tags.get(GOOD_TAG) else {}


def rollback_revision(good, latest, current):
    """The revision to roll back to, or (None, why not).

    ``good`` are the revisions that completed on the service, ``latest`` the family's newest ACTIVE revision (what
    a deploy rolls out), ``current`` the one the service runs. Without ``requested``: the newest good revision older
    than ``latest``. After a failed deploy of ``latest`` (a circuit breaker rolled it back) that is the revision
    the service went back to; after a deploy that completed, the good one before it.
    """
    older = [rev for rev in good if latest is None or rev < latest]
    if older:
        return max(older), None
    return None, (f"no revision older than {latest} completed a deployment on it "
                  f"(completed: {', '.join(map(str, good)) or 'none known'}; running: {current})")


# ---------------------------------------------------------------- redaction

_SECRET_WORD = r"(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth)"
_KEY_VALUE = re.compile(r"(?i)(\b[\w.-]*" + _SECRET_WORD + r"[\w.-]*[\"']?\s*[:=]\s*[\"']?)([^\s\"',;&]+)")
_BEARER = re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{6,}")
_URL_CREDENTIALS = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)([^@\s/]+)(@)", re.I)
_ACCESS_KEY = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")
_SECRET_NAME = re.compile(r"(?i)" + _SECRET_WORD)


def hidden_values(task_definition):
    """(names whose values are hidden, literal values to hide) of a task definition's containers."""
    names, values = set(), set()
    for container in (task_definition or {}).get("containerDefinitions", []):
        for secret in container.get("secrets", []):
            names.add(secret["name"])
        for env in container.get("environment", []):
            if _SECRET_NAME.search(env.get("name", "")):
                names.add(env["name"])
                if len(env.get("value") or "") >= 3:
                    values.add(env["value"])
    return names, values


def redact(text, names=(), values=()):
    """``text`` with secret-looking values replaced by ``***`` (see the module docstring)."""
    text = str(text)
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, "***")
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(r"(\b" + re.escape(name) + r"[\"']?\s*[:=]\s*[\"']?)([^\s\"',;&]+)", r"\1***", text)
    text = _BEARER.sub(r"\1\2***", text)
    text = _KEY_VALUE.sub(r"\1***", text)
    text = _URL_CREDENTIALS.sub(r"\1***\3", text)
    return _ACCESS_KEY.sub("***", text)


# ---------------------------------------------------------------- API calls (read, failure path only)

@RETRY
def _list_stopped(ecs, cluster, service_name, token):
    request = dict(cluster=cluster, serviceName=service_name, desiredStatus="STOPPED", maxResults=100)
    if token:
        request["nextToken"] = token
    return ecs.list_tasks(**request)


def stopped_task_arns(ecs, cluster, service_name, pages=STOPPED_PAGES):
    """ARNs of the service's STOPPED tasks (ECS lists them for about an hour), at most ``pages`` pages of 100.

    ``startedBy`` (the deployment id) cannot narrow the list: it must be ListTasks' only filter.
    """
    arns, token = [], None
    for _page in range(pages):
        answer = _list_stopped(ecs, cluster, service_name, token)
        arns += answer["taskArns"]
        token = answer.get("nextToken")
        if not token:
            break
    return arns


@RETRY
def describe_tasks(ecs, cluster, arns):
    return ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]


@RETRY
def _log_events(logs, group, stream, limit):
    return logs.get_log_events(logGroupName=group, logStreamName=stream, limit=limit, startFromHead=False)["events"]


def last_log_lines(logs, group, stream, limit):
    """The last ``limit`` messages of a log stream; None when the group or stream does not exist."""
    try:
        return [e["message"].rstrip("\n") for e in _log_events(logs, group, stream, limit)]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None


# ---------------------------------------------------------------- why a rollout failed

def _stream(container_def, task_arn):
    """(log group, stream) of a container's awslogs stream in a task; None without awslogs or a stream prefix."""
    conf = container_def.get("logConfiguration") or {}
    options = conf.get("options") or {}
    if conf.get("logDriver") != "awslogs" or not options.get("awslogs-group") \
            or not options.get("awslogs-stream-prefix"):
        return None
    task_id = task_arn.rsplit("/", 1)[-1]
    return options["awslogs-group"], f"{options['awslogs-stream-prefix']}/{container_def['name']}/{task_id}"


def _health_check(container_def):
    check = container_def.get("healthCheck")
    if not check:
        return None
    command = check.get("command") or []
    shown = " ".join(command[1:]) if command[:1] in (["CMD"], ["CMD-SHELL"]) else " ".join(command)
    return (f"{shown} (interval {check.get('interval', 30)}s, timeout {check.get('timeout', 5)}s, "
            f"retries {check.get('retries', 3)}, start period {check.get('startPeriod', 0)}s)")


def _failing(task, container):
    """Whether a stopped task's container is one to explain (its logs are read)."""
    if container.get("healthStatus") == "UNHEALTHY" or container.get("reason"):
        return True
    if container.get("exitCode") not in (None, 0):
        return True
    # Nothing marks a container: explain them all (e.g. the task stopped for an ELB health check).
    return not any(c.get("healthStatus") == "UNHEALTHY" or c.get("reason") or c.get("exitCode") not in (None, 0)
                   for c in task.get("containers", []))


def explain(ecs, logs, cluster, service_name, deployment_id, log_lines, max_tasks=STOPPED_TASKS):
    """The newest stopped tasks of deployment ``deployment_id``, explained (a list of dicts; see RETURN).

    ``logs`` is a callable returning the CloudWatch Logs client (made only when a stream is read).
    """
    arns = stopped_task_arns(ecs, cluster, service_name)
    tasks = []
    for start in range(0, len(arns), 100):
        tasks += [t for t in describe_tasks(ecs, cluster, arns[start:start + 100])
                  if t.get("startedBy") == deployment_id]
    tasks.sort(key=lambda t: t.get("stoppedAt") or t.get("createdAt") or 0, reverse=True)
    return explain_tasks(ecs, logs, tasks[:max_tasks], log_lines)


def explain_tasks(ecs, logs, tasks, log_lines):
    """``tasks`` (DescribeTasks entries, stopped) explained: reasons, exit codes, health checks and the last
    ``log_lines`` lines of each failing container's awslogs stream, redacted (a list of dicts; see RETURN)."""
    definitions, client, out = {}, None, []
    for task in tasks:
        arn = task.get("taskDefinitionArn")
        if arn not in definitions:
            definitions[arn] = taskdef.describe(ecs, arn)["taskDefinition"] if arn else {}
        by_name = {c["name"]: c for c in definitions[arn].get("containerDefinitions", [])}
        names, values = hidden_values(definitions[arn])
        health_failed = "health check" in (task.get("stoppedReason") or "").lower()
        entry = {"task_id": task["taskArn"].rsplit("/", 1)[-1], "task_definition": arn,
                 "stopped_at": str(task.get("stoppedAt") or ""), "stop_code": task.get("stopCode"),
                 "stopped_reason": redact(task.get("stoppedReason") or "", names, values), "containers": []}
        for container in task.get("containers", []):
            definition = by_name.get(container["name"], {})
            info = {"name": container["name"], "exit_code": container.get("exitCode"),
                    "reason": redact(container.get("reason") or "", names, values),
                    "health_status": container.get("healthStatus")}
            if container.get("healthStatus") == "UNHEALTHY" or (health_failed and definition.get("healthCheck")):
                info["health_check"] = redact(_health_check(definition) or "", names, values)
            stream = _stream(definition, task["taskArn"])
            if stream and log_lines > 0 and _failing(task, container):
                client = client or logs()
                lines = last_log_lines(client, stream[0], stream[1], log_lines)
                info["log_stream"] = f"{stream[0]} {stream[1]}"
                info["log_lines"] = None if lines is None else [redact(line, names, values) for line in lines]
            entry["containers"].append(info)
        out.append(entry)
    return out


def describe_failure(tasks, deployment_id):
    """One line per stopped task (its reason, its containers, their last log lines) for the failure message."""
    if not tasks:
        return (f"No stopped task of deployment {deployment_id} found (ECS lists stopped tasks for about an hour; "
                "tasks that are still running may be failing their health checks: see the events).")
    parts, seen = [], {}
    for task in tasks:
        text = f"Stopped task {task['task_id']}: {task['stopped_reason'] or task['stop_code'] or 'no reason given'}"
        for info in task["containers"]:
            what = [f"exit code {info['exit_code']}" if info["exit_code"] is not None else "no exit code"]
            if info["reason"]:
                what.append(info["reason"])
            if info.get("health_check"):
                what.append(f"health check {info['health_check']} {info['health_status'] or 'UNKNOWN'}")
            text += f"; container {info['name']}: {', '.join(what)}"
            if "log_lines" not in info:
                continue
            if info["log_lines"] is None:
                text += f" (no log stream {info['log_stream']})"
                continue
            block = tuple(info["log_lines"])
            if block in seen:
                text += f" (same last log lines as task {seen[block]})"
            elif block:
                seen[block] = task["task_id"]
                text += f"; last {len(block)} log lines of {info['name']}: " + " | ".join(block)
            else:
                text += f" (log stream {info['log_stream']} is empty)"
        parts.append(text + ".")
    return " ".join(parts)


def failure(err, ecs, logs, cluster, service_name, log_lines):
    """(message, details) of a failed wait (``WaitError``), with its deployment's stopped tasks explained.

    The reads must not hide the failure they explain: when one of them fails (e.g. no permission for
    ``logs:GetLogEvents``), the message says so and keeps the wait's own.
    """
    deployment_id = err.details.get("deployment_id")
    if not deployment_id:
        return str(err), dict(err.details)
    try:
        tasks = explain(ecs, logs, cluster, service_name, deployment_id, log_lines)
    except (BotoCoreError, ClientError) as read_err:
        return f"{err} (the stopped tasks could not be read: {read_err})", dict(err.details)
    return f"{str(err).rstrip('.')}. {describe_failure(tasks, deployment_id)}", dict(err.details, stopped_tasks=tasks)


def alarm_failure(msg, details, cloudwatch, service_name):
    """(message, details) of a failed wait, naming the deployment alarms in ALARM (one DescribeAlarms, only when the
    service has deployment alarms), the service and the revision ECS returned to. The alarm is named from CloudWatch,
    not from ECS's wording (undocumented); a failure to read it keeps the wait's message."""
    names = details.get("alarm_names") or []
    if not names:
        return msg, details
    try:
        firing = sorted(n for n, state in alarms.states(cloudwatch(), names).items() if state == "ALARM")
    except AnsibleAWSError as err:
        return f"{msg} (the deployment alarms could not be read: {err.message})", details
    if not firing:
        return msg, details
    back = details.get("returned_to")
    where = f"; ECS rolled it back to {back.rsplit('/', 1)[-1]}" if back else "; ECS did not roll it back"
    return (f"service {service_name}: deployment alarm {', '.join(firing)} in ALARM during the rollout{where}. {msg}",
            dict(details, alarms_in_alarm=firing))
