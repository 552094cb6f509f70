"""The faithful endpoint: ECS deployment alarms (``deploymentConfiguration.alarms``), as ECS runs them.

moto keeps CloudWatch alarms (PutMetricAlarm, DescribeAlarms, SetAlarmState, tags) but evaluates no metric and ECS
does not look at them. Here, after every tick of a service, each service whose PRIMARY deployment is IN_PROGRESS and
whose ``deploymentConfiguration.alarms`` is enabled has its alarms read from moto's CloudWatch backend: one in ALARM
fails the deployment (rolloutState FAILED) and, with ``rollback``, starts a new PRIMARY deployment with the last
COMPLETED deployment's configuration, like the circuit breaker (ecs.py ``fail_primary``).

AWS (ECS developer guide, "How CloudWatch alarms detect Amazon ECS deployment failures"): the deployment is set to
failed when a listed alarm goes into ALARM, and rolled back to the last COMPLETED deployment with ``rollback``. ECS
keeps watching during a bake time after the new tasks are up; this layer watches only while IN_PROGRESS (a
deployment here turns COMPLETED once its tasks are healthy). The wording of rolloutStateReason and the events for an
alarm is not documented: the collection names the alarm from DescribeAlarms, not from this text.

A test sets an alarm's state with CloudWatch's own SetAlarmState, or ``POST /faithful-api/alarms/state``
``{"name", "state", "region"?}`` (the same, for a shell).
"""
from .core import LOCK, TICK_HOOKS, WORLD, _backend, route

REASON = "ECS deployment alarms: the alarm(s) {names} went into ALARM."
CAUSE = "ECS deployment alarms"


def _in_alarm(account, region, names):
    backend = _backend("cloudwatch", account, region)
    return sorted(n for n in names if n in backend.alarms and backend.alarms[n].state_value == "ALARM")


def watch():
    """After a tick: fail (and roll back) the IN_PROGRESS deployments whose alarms are in ALARM."""
    for fx in list(WORLD.services.values()):
        primary = fx.primary
        config = (fx.props.get("deploymentConfiguration") or {}).get("alarms") or {}
        if fx.status != "ACTIVE" or primary is None or primary.rollout != "IN_PROGRESS" or not config.get("enable"):
            continue
        if primary.rollback_of:
            continue  # a rollback is not failed again by the alarm that caused it
        firing = _in_alarm(fx.account, fx.region, config.get("alarmNames") or [])
        if firing:
            fx.fail_primary(REASON.format(names=", ".join(firing)), "alarm detected", config.get("rollback"),
                            cause=CAUSE)


TICK_HOOKS.append(watch)


@route("POST", "alarms/state")
def set_state(body):
    """``{"name", "state": OK|ALARM|INSUFFICIENT_DATA, "region"?, "account"?}``: SetAlarmState for a shell."""
    with LOCK:
        backend = _backend("cloudwatch", body.get("account", "123456789012"), body.get("region", "us-east-1"))
        if body.get("name") not in backend.alarms:
            return 404, {"error": f"no alarm {body.get('name')}"}
        backend.alarms[body["name"]].update_state("set by the faithful-api", "{}", body.get("state", "ALARM"))
        return 200, {"name": body["name"], "state": backend.alarms[body["name"]].state_value}
