"""The faithful endpoint: the reachability probe (see __init__.py).

Which tasks get ALB traffic now, and whether each Service Connect endpoint such a task resolved when it started is
served by a healthy task. Computed from the layer's tasks and moto's elbv2 listeners; a history entry is appended
after every tick of any service, so a test can see every tick of a failover without sampling it.
"""
from .core import RESET_HOOKS, TICK_HOOKS, WORLD, _backend, route

HISTORY_LIMIT = 20000  # entries kept (the oldest go first); a test resets the history before what it measures
HISTORY = []
# Filters of the ALB's traffic by AZ: functions (account, region) -> {load balancer ARN: {AZ name, ...}} of the
# AZs a load balancer sends no traffic to (arc.py adds the active zonal shifts).
AWAY_FROM = []


def _forwarded(account, region):
    """{target group ARN: {load balancer ARN}} of the groups some listener action (default or rule) forwards to
    with weight > 0; a plain forward (TargetGroupArn, no ForwardConfig) is weight 1."""
    out = {}
    elbv2 = _backend("elbv2", account, region)
    for balancer in elbv2.load_balancers.values():
        for listener in balancer.listeners.values():
            for rule in listener.rules.values():  # moto's rules include the default one (the default actions)
                for action in rule.actions or []:
                    data = getattr(action, "data", None) or {}
                    if data.get("Type", getattr(action, "type", None)) != "forward":
                        continue
                    groups = (data.get("ForwardConfig") or {}).get("TargetGroups")
                    if groups:
                        pairs = [(g["TargetGroupArn"], int(g.get("Weight", 1))) for g in groups]
                    elif data.get("TargetGroupArn"):
                        pairs = [(data["TargetGroupArn"], 1)]
                    else:
                        pairs = []
                    for arn, weight in pairs:
                        if weight > 0:
                            out.setdefault(arn, set()).add(balancer.arn)
    return out


def serves(task):
    """A RUNNING task that would answer: outside an impaired AZ, its targets healthy (with a load balancer), or
    RUNNING since an earlier tick of any service (without one), its container health check not failing."""
    if task.last_status != "RUNNING" or task.desired_status != "RUNNING" or task.az in WORLD.impaired:
        return False
    if task.fail and task.fail.get("health_check"):
        return False
    if task.load_balancers:
        state = task.target_state()
        return state is not None and state[0] == "healthy"
    return task.running_tick is not None and WORLD.ticks > task.running_tick


def probe():
    """The answer of GET /faithful-api/reachability (without the tick)."""
    regions = {key[:2] for key in WORLD.services}
    services = [fx for fx in WORLD.services.values() if fx.status != "INACTIVE"]
    served = set()  # (account, region, namespace ARN, discovery name) served by a task now
    states = {}  # (account, region, target group ARN) -> [target state of each registered, not draining target]
    for fx in services:
        for task in fx.tasks:
            if serves(task):
                served.update((fx.account, fx.region, ns, name) for ns, name in task.sc_serves)
            state = task.target_state()
            if state is not None and state[0] != "draining":
                for lb in task.load_balancers:
                    states.setdefault((fx.account, fx.region, lb["targetGroupArn"]), []).append(state[0])
    forwarded = {region: _forwarded(*region) for region in regions}
    away = {}
    for region in regions:
        away[region] = {}
        for source in AWAY_FROM:
            for arn, azs in source(*region).items():
                away[region].setdefault(arn, set()).update(azs)
    tasks, unreachable = [], []
    for fx in services:
        region = (fx.account, fx.region)
        for task in fx.tasks:
            state = task.target_state()
            if state is None or state[0] not in ("healthy", "unhealthy"):
                continue
            if not any(_gets_traffic(task, state[0], lb["targetGroupArn"], forwarded[region], away[region],
                                     states.get(region + (lb["targetGroupArn"],), []))
                       for lb in task.load_balancers):
                continue
            aliases = {alias: (fx.account, fx.region, task.sc_namespace, name) in served
                       for alias, name in sorted(task.sc_resolved.items())}
            tasks.append({"cluster": fx.cluster, "service": fx.name, "task": task.arn, "az": task.az,
                          "namespace": task.sc_namespace, "aliases": aliases})
            unreachable += [{"cluster": fx.cluster, "service": fx.name, "task": task.arn, "az": task.az,
                             "alias": alias} for alias, ok in aliases.items() if not ok]
    return {"tasks": tasks, "unreachable": unreachable}


def _gets_traffic(task, state, group, forwarded, away, group_states):
    """The ALB sends this task traffic through ``group``: some load balancer forwards to the group with weight > 0,
    and either the target is healthy and that load balancer has no zonal shift away from the task's AZ, or every
    target of the group is unhealthy: the ALB fails open within the group, and a zonal shift has no effect on a
    load balancer that fails open (ARC guide, "Supported resources")."""
    balancers = forwarded.get(group, ())
    if bool(group_states) and all(s == "unhealthy" for s in group_states):
        return bool(balancers)
    return state == "healthy" and any(task.az not in away.get(arn, ()) for arn in balancers)


def after_tick():
    answer = probe()
    serving = {fx.name: 0 for fx in WORLD.services.values() if fx.status != "INACTIVE"}
    for task in answer["tasks"]:
        serving[task["service"]] = serving.get(task["service"], 0) + 1
    HISTORY.append({"tick": WORLD.ticks, "serving": serving, "unreachable": answer["unreachable"]})
    del HISTORY[:-HISTORY_LIMIT]


def _reset():
    HISTORY.clear()


TICK_HOOKS.append(after_tick)
RESET_HOOKS.append(_reset)


@route("GET", "reachability")
def get_reachability(_body):
    return 200, dict(tick=WORLD.ticks, **probe())


@route("GET", "reachability/history")
def get_history(_body):
    return 200, {"history": list(HISTORY)}


@route("POST", "reachability/reset")
def reset_history(_body):
    HISTORY.clear()
    return 200, {"history": []}
