"""Client of the faithful endpoint's control API (tests/support/faithful_endpoint/), for tests.

Every function takes the endpoint URL (``AWS_ENDPOINT_URL`` of a started local endpoint) and returns the JSON
answer. On a plain moto endpoint (``BANDUP_ENDPOINT=moto``) these calls fail with HTTP 404.

    impair_az(url, "us-east-1a")    tasks cannot be placed in that AZ; its tasks' targets turn unhealthy (they keep
                                    running: their replacements cannot be placed)
    restore_az(url, "us-east-1a")
    fail_tasks(url, cluster, service, exit_code=1, reason=None, log_lines=(), health_check=False)
    heal_tasks(url, cluster, service)
    tick(url, cluster, service, count=1)    advance a service as `count` DescribeServices polls would
    race(url, name, count=None, seconds=None)   switch a race of tests/support/faithful_endpoint/races.py
    races(url)                      the race switches and how many calls each refused
    set_lag(url, seconds, kinds, stale_polls)   eventual consistency (faithful_endpoint/lag.py); lag(url) reads it
    tokens(url)                     how many creates were answered from a client token
    state(url)                      services, deployments, tasks, impaired AZs (for debugging)
    reachability(url)               {"tick", "tasks": [tasks getting ALB traffic, with their Service Connect
                                    aliases reachable or not], "unreachable": [...]}
    reachability_history(url)       {"history": [{"tick", "serving": {service: tasks}, "unreachable"}, ...]}: one
                                    entry after every tick of any service
    reset_reachability(url)         clear that history
    zonal_shifts(url)               {"zonalShifts": [every ARC zonal shift, with its status]}
    advance_zonal_shift_clock(url, seconds)    zonal shifts expire by a clock this moves on
    run_task_command(url, command, exit_code=0, log_lines=(), running_polls=1, start_failure=None)
                                    what a RunTask task running that command does (faithful_endpoint/run_task.py)
    clear_run_task_commands(url)    forget those
    run_task_runs(url)              {"runs": [every task RunTask started, with its command, token, status, exit code]}
    reset(url)                      moto's /moto-api/reset (resets the layer too)
"""
import json
import urllib.request


def _call(url, path, body=None, method="POST"):
    data = None if method == "GET" else json.dumps(body or {}).encode()
    request = urllib.request.Request(url.rstrip("/") + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read()
    return json.loads(raw) if raw else {}


def _given(**values):
    """The values that are set (switch bodies leave the others out)."""
    return {key: value for key, value in values.items() if value}


def impair_az(url, az):
    return _call(url, "/faithful-api/az/impair", {"az": az})


def restore_az(url, az):
    return _call(url, "/faithful-api/az/restore", {"az": az})


def fail_tasks(url, cluster, service, exit_code=1, reason=None, log_lines=(), health_check=False):
    return _call(url, "/faithful-api/tasks/fail", {"cluster": cluster, "service": service, "exit_code": exit_code,
                                                   "reason": reason, "log_lines": list(log_lines),
                                                   "health_check": health_check})


def heal_tasks(url, cluster, service):
    return _call(url, "/faithful-api/tasks/heal", {"cluster": cluster, "service": service})


def tick(url, cluster, service, count=1):
    return _call(url, "/faithful-api/tick", {"cluster": cluster, "service": service, "count": count})


def state(url):
    return _call(url, "/faithful-api/state", method="GET")


def reset(url):
    return _call(url, "/moto-api/reset")


def race(url, name, count=None, seconds=None):
    """Switch the race ``name`` (target-group, service-role, scaling-role, task-role) on for the first ``count``
    calls naming each new resource, or for ``seconds`` after its creation; neither switches it off."""
    return _call(url, "/faithful-api/races", _given(name=name, count=count, seconds=seconds))


def races(url):
    """The race switches and how many calls each refused."""
    return _call(url, "/faithful-api/races", method="GET")


def set_lag(url, seconds=None, kinds=(), stale_polls=None):
    """Eventual consistency: EC2 resources of ``kinds`` hidden from describes for ``seconds`` after their creation;
    the first ``stale_polls`` DescribeServices after a CreateService/UpdateService answer as before it. No argument:
    off."""
    return _call(url, "/faithful-api/lag", _given(kinds=list(kinds), seconds=seconds, stale_polls=stale_polls))


def lag(url):
    """The lag switch and how many answers lagged (hidden resources, stale polls)."""
    return _call(url, "/faithful-api/lag", method="GET")


def tokens(url):
    """How many creates the endpoint answered from a client token already used."""
    return _call(url, "/faithful-api/tokens", method="GET")


def reachability(url):
    return _call(url, "/faithful-api/reachability", method="GET")


def reachability_history(url):
    return _call(url, "/faithful-api/reachability/history", method="GET")


def reset_reachability(url):
    return _call(url, "/faithful-api/reachability/reset")


def zonal_shifts(url):
    return _call(url, "/faithful-api/zonal-shifts", method="GET")


def advance_zonal_shift_clock(url, seconds):
    return _call(url, "/faithful-api/zonal-shifts/advance", {"seconds": seconds})


def deny_pricing(url, deny=True):
    """pricing:GetProducts answers AccessDeniedException (``deny``) or prices again (``deny=False``)."""
    return _call(url, "/faithful-api/pricing", {"deny": deny})


def set_alarm_state(url, name, state="ALARM"):
    """SetAlarmState of a CloudWatch alarm (alarms.py)."""
    return _call(url, "/faithful-api/alarms/state", {"name": name, "state": state})


def alarm_on_traffic(url, name, target_group, min_percent):
    """The alarm ``name`` goes into ALARM once a listener sends ``target_group`` (by name) at least ``min_percent``
    percent of a forward's weight (alarm_traffic.py)."""
    return _call(url, "/faithful-api/alarms/on-traffic", {"name": name, "target_group": target_group,
                                                         "min_percent": min_percent})


def clear_alarms_on_traffic(url):
    return _call(url, "/faithful-api/alarms/on-traffic/clear")


def run_task_command(url, command, exit_code=0, log_lines=(), running_polls=1, start_failure=None):
    """What a one-off task (RunTask) running ``command`` (a list; None: any command without a rule) does from now on."""
    return _call(url, "/faithful-api/run-task/commands", {
        "command": None if command is None else list(command), "exit_code": exit_code, "log_lines": list(log_lines),
        "running_polls": running_polls, "start_failure": start_failure})


def clear_run_task_commands(url):
    return _call(url, "/faithful-api/run-task/commands/clear")


def run_task_runs(url):
    """{"runs": [every task RunTask started: task_arn, cluster, task_definition, command, client_token, subnets,
    security_groups, started_by, az, last_status, exit_code, stop_code]}"""
    return _call(url, "/faithful-api/run-task/runs", method="GET")
