# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The apps of a deployment, each an active and a standby ECS service: the failover switch and the steady converge.

Each AZ is a cell: its services use their own Service Connect namespace, in which the backend serves its endpoint
and the frontend is a client, in both standings alike. A switch therefore moves only ALB traffic, counts, capacity
providers and autoscaling; it never changes a Service Connect configuration and never redeploys a client.

Which AZ is active is decided before this runs (the cluster's ``bandup:active-az`` tag, in the topology): each app's
``active`` and ``standby`` entries say what the services must become. The live ``bandup:standing`` tags say what they
were, and they change last; so when the live standings differ from the entries (a failover moved the cluster tag,
or a switch was interrupted) the apps are switched first, all together, by ``switch``:

1. the target cell (the ``active`` entries) scales to its active counts and is waited for until its targets are
   healthy;
2. the ALB weights move to the target cell, every app in one step;
3. the old cell (the ``standby`` entries) is set to its standby counts and capacity provider, never waited for.

When the AZ being left has a target group without a healthy target (one DescribeTargetHealth per target group, read
once), step 2 comes first: the target cell already serves at its standby counts, and a small healthy cell beats a
dead one; the old cell's capacity provider then changes without a new deployment (nothing could be placed there).
Every step is a no-op once done, so a rerun finishes an interrupted switch.

In the steady state (nothing to switch) the run is: one read of every service, the batch converge (apps in
dependency order, an app's two cells written and then waited for together; a standby placement is waited for only
when this run writes to it: in an impaired AZ its deployment never completes), and the
ALB weights kept on the active target groups (drift repair: one DescribeRules per listener, unless the caller passes
the weights it read in this run and they already match).
"""

from __future__ import annotations

from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import elb_listener
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import pre_deploy
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.ecs_service import STANDING_TAG
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.ecs_service import placement_state, target_health
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.service_batch import check_unique
from ansible_collections.bandup.ecs.plugins.module_utils.topology import ACTIVE_WEIGHT, STANDBY_WEIGHT
from ansible_collections.bandup.ecs.plugins.module_utils.topology import SCALE_FIRST, TRAFFIC_FIRST

# The weights of the cells and the two orders of a switch (the module's ``switch.order``) live in topology.py.


def standing_differs(entry, service):
    """True when the existing service records a standing other than the entry's: its ``bandup:standing`` tag, or
    the ``bandup:role`` tag of releases before the rename when it has none. A service with neither is no difference."""
    state = placement_state(service)
    return state["exists"] and state["standing"] is not None and state["standing"] != entry["tags"].get(STANDING_TAG)


def needs_switch(app, live):
    """The live standings differ from the app's entries."""
    active, standby = app["active"], app["standby"]
    return standing_differs(active, live[active["name"]]) or standing_differs(standby, live[standby["name"]])


def with_standing(entry, standing):
    """The steady entry with its ``bandup:standing`` tag (active or standby, as the app lists it): what tells the next
    run whether a switch is finished."""
    return dict(entry, tags=dict(entry["tags"], **{STANDING_TAG: standing}))


def weights(apps):
    """{target group ARN: weight} of the apps' load balancer target groups: active 100, standby 0."""
    out = {}
    for app in apps:
        for entry, weight in ((app["active"], ACTIVE_WEIGHT), (app["standby"], STANDBY_WEIGHT)):
            out.update({lb["target_group_arn"]: weight for lb in entry["load_balancers"]})
    return out


def set_weights(batch, listener_arns, wanted, known=None):
    """Put ``wanted`` ({target group ARN: weight}) on every listener. ``known`` ({target group name: weight}, what the
    caller read from the listeners in this run): when it already has every wanted weight, nothing is read."""
    if not wanted:
        return
    if known is not None and all(known.get(elb_listener.target_group_name(arn)) == weight
                                 for arn, weight in wanted.items()):
        return
    for listener_arn in listener_arns:
        elb_listener.set_weights(batch.client("elbv2"), listener_arn, wanted, batch.changes)


def unhealthy_groups(batch, apps):
    """Target groups of the apps' ``standby`` entries (the cell being left) without a healthy target: one
    DescribeTargetHealth per group, read once."""
    groups = [lb["target_group_arn"] for app in apps for lb in app["standby"]["load_balancers"]]
    return [arn for arn in groups
            if not any(t.get("TargetHealth", {}).get("State") == "healthy"
                       for t in target_health(batch.client("elbv2"), arn))]


def scaled_up(app, live):
    """The target cell's entry during the switch: active count and capacity provider, its live standing tag kept (it
    changes in the steady converge, last), autoscaling left alone (the steady converge adds it)."""
    entry, state = app["active"], placement_state(live[app["active"]["name"]])
    tags = dict(entry["tags"], **{STANDING_TAG: state["standing"] or "standby"})
    return dict(entry, tags=tags, autoscaling=None, force_desired_count=True)


def to_standby(app, redeploy):
    """The old cell's entry: its steady standby entry (count, capacity provider, standing tag), never waited for;
    without ``redeploy`` a capacity provider change starts no deployment (the AZ being left cannot place tasks)."""
    return dict(app["standby"], wait=False, capacity_redeploy=redeploy)


def switch(batch, apps, live, listener_arns):
    """Switch ``apps`` (indexed as in the module's ``apps``: [(index, app)]) to their entries together, in the order
    that keeps them serving; returns the order taken."""
    moving = [app for _idx, app in apps]
    dead = unhealthy_groups(batch, moving)
    order = TRAFFIC_FIRST if dead else SCALE_FIRST
    batch.changes.diff("switch", {"active": sorted(app["standby"]["availability_zone"] for app in moving[:1])},
                       {"active": sorted(app["active"]["availability_zone"] for app in moving[:1]), "order": order,
                        "target_groups_without_healthy_targets": dead, "apps": [app["name"] for app in moving]})

    def scale_up():
        batch.run([scaled_up(app, live) for app in moving], live, [f"apps[{idx}].active" for idx, _app in apps],
                  target_health="always")

    if dead:
        set_weights(batch, listener_arns, weights(moving))
        scale_up()
    else:
        scale_up()
        set_weights(batch, listener_arns, weights(moving))
    # The old active's scalable target goes with it (the standby entry's autoscaling is absent), so that the
    # standby count is not autoscaled back up.
    batch.run([to_standby(app, redeploy=not dead) for app in moving], live,
              [f"apps[{idx}].standby" for idx, _app in apps])
    return order


def converge_apps(batch, apps, listener_arns, known_weights=None, release=None):
    """Switch the apps whose live standings differ from their entries, then converge every app: the steady state
    with the placement tags (last), and the ALB weights on the active target groups; with a canary ``release``
    (module_utils/_ecs/canary.py) and a new revision, the canary first. Returns (the names of the switched apps, the
    order of the switch or None)."""
    apps = [dict(app, **{standing: with_standing(app[standing], standing) for standing in ("active", "standby")})
            for app in apps]
    entries = [entry for app in apps for entry in (app["active"], app["standby"])]
    labels = [f"apps[{idx}].{standing}" for idx in range(len(apps)) for standing in ("active", "standby")]
    check_unique(apps, "apps")
    check_unique(entries, "apps[].active/standby")
    live = batch.read([entry["name"] for entry in entries])
    pre_deploy.run(batch, apps, live)  # the one-off tasks gating a new revision, before anything is written
    switching = [(idx, app) for idx, app in enumerate(apps) if needs_switch(app, live)]
    order = None
    if switching:
        batch.before_writes()  # a switch writes and waits
        order = switch(batch, switching, live, listener_arns)
        if not batch.changes.check_mode:
            live = batch.read([entry["name"] for entry in entries])
        known_weights = None
    if release is not None and release.wanted(apps, live, switching):
        release.run(batch, apps, live, listener_arns, set_weights, weights(apps))
        if not batch.changes.check_mode:
            return [], None  # the canary ended with the steady converge
    # A standby placement is waited for only when this run writes to it (in an impaired AZ it never settles).
    steady = [dict(entry, wait_if_written=True) if entry is app["standby"] else entry
              for app in apps for entry in (app["active"], app["standby"])]
    # An app's two cells are independent (each its own namespace, circuit breaker and alarms): they roll at the same
    # time and are waited for together; the apps one after the other, in dependency order.
    batch.run(steady, live, labels, together=[2] * len(apps))
    set_weights(batch, listener_arns, weights(apps), known_weights)
    return [app["name"] for _idx, app in switching], order


def outputs(batch, apps):
    """{app: {active: {name, az, arn}, standby: {name, az, arn}}} (the service role's service_outputs)."""
    return {app["name"]: {standing: {"name": app[standing]["name"], "az": app[standing]["availability_zone"],
                                     "arn": batch.results.get(app[standing]["name"], {}).get("service", {})
                                     .get("service_arn", "")}
                          for standing in ("active", "standby")}
            for app in apps}
