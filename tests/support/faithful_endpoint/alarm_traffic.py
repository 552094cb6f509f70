"""The faithful endpoint: alarms that go into ALARM when their target group gets traffic (a canary's alarm).

moto's CloudWatch evaluates no metric. A metric alarm on a target group's ``HTTPCode_Target_5XX_Count`` or
``TargetResponseTime`` sees data only while the ALB sends that group requests: a broken release behind a group with
weight 0 raises no alarm, and the same release at 10% of the traffic does. A test arms an alarm that way:
``POST /faithful-api/alarms/on-traffic {"name", "target_group", "min_percent", "region"?, "account"?}``: from the
first moment some listener forward (default action or rule) sends the target group (by name) at least ``min_percent``
percent of its weight, the alarm is set to ALARM (once; the arming is then spent). The condition is evaluated before
every DescribeAlarms answer and after every tick of a service (so ECS deployment alarms see it as CloudWatch would
after its evaluation period). ``POST /faithful-api/alarms/on-traffic/clear`` disarms all. A test instrument, not an AWS API.
"""
from .core import LOCK, RESET_HOOKS, TICK_HOOKS, _backend, patcher, route

ARMED = []  # {"name", "target_group", "min_percent", "account", "region"}


def share(account, region, target_group_name):
    """The largest percent of a forward action's weight that any listener gives the named target group."""
    elbv2 = _backend("elbv2", account, region)
    best = 0.0
    for balancer in elbv2.load_balancers.values():
        for listener in balancer.listeners.values():
            for rule in listener.rules.values():  # moto's rules include the default one
                for action in rule.actions or []:
                    data = getattr(action, "data", None) or {}
                    groups = (data.get("ForwardConfig") or {}).get("TargetGroups") or (
                        [{"TargetGroupArn": data["TargetGroupArn"], "Weight": 1}] if data.get("TargetGroupArn") else [])
                    total = sum(int(g.get("Weight", 1)) for g in groups)
                    for group in groups:
                        name = group["TargetGroupArn"].split(":targetgroup/", 1)[-1].split("/")[0]
                        if name == target_group_name and total:
                            best = max(best, 100.0 * int(group.get("Weight", 1)) / total)
    return best


def evaluate():
    """Set the armed alarms whose target group now gets its share of traffic to ALARM (under LOCK)."""
    for armed in list(ARMED):
        if share(armed["account"], armed["region"], armed["target_group"]) >= armed["min_percent"]:
            alarms = _backend("cloudwatch", armed["account"], armed["region"]).alarms
            if armed["name"] in alarms:
                alarms[armed["name"]].update_state(
                    f"Threshold Crossed: {armed['target_group']} gets {armed['min_percent']}% of the traffic "
                    "(faithful-api alarms/on-traffic)", "{}", "ALARM")
            ARMED.remove(armed)


TICK_HOOKS.append(evaluate)
RESET_HOOKS.append(ARMED.clear)


@patcher
def patch_cloudwatch():
    from moto.cloudwatch.responses import CloudWatchResponse as R

    original = R.describe_alarms

    def describe_alarms(self):
        with LOCK:
            evaluate()
        return original(self)

    R.describe_alarms = describe_alarms


@route("POST", "alarms/on-traffic")
def arm(body):
    missing = [k for k in ("name", "target_group", "min_percent") if k not in body]
    if missing:
        return 400, {"error": f"missing {', '.join(missing)}"}
    armed = {"name": body["name"], "target_group": body["target_group"], "min_percent": float(body["min_percent"]),
             "account": body.get("account", "123456789012"), "region": body.get("region", "us-east-1")}
    ARMED.append(armed)
    return 200, {"armed": ARMED}


@route("POST", "alarms/on-traffic/clear")
def disarm(_body):
    ARMED.clear()
    return 200, {"armed": []}
