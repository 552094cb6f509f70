# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The apps of a deployment, each an active and a standby ECS service: the failover switch and the steady converge.

Which AZ is active is decided before this runs (the cluster's ``bandup:active-az`` tag, in the topology): each app's
``active`` and ``standby`` entries say what the services must become. The live ``bandup:standing`` tags say what they
were, and they change last, in the steady converge; so when the live standings differ from the entries (a failover
moved the cluster tag, or a switch was interrupted) the app is switched first, in ``switch_app``'s order. Every step
is a no-op once done, so a rerun finishes an interrupted switch. Traffic always has a healthy target group: the new
active is healthy before the ALB weights move, and the old one keeps running until the weights and the Service
Connect endpoint have moved.

In the steady state (nothing to switch) the run is: one read of every service, the batch converge, and one
DescribeRules per listener to keep the ALB weights on the active target groups (drift repair).
"""

from __future__ import annotations

from ansible_collections.bandup.ecs.plugins.module_utils import elb_listener
from ansible_collections.bandup.ecs.plugins.module_utils.ecs_service import SC_ROLE_TAG, STANDING_TAG
from ansible_collections.bandup.ecs.plugins.module_utils.ecs_service import endpoints, placement_state
from ansible_collections.bandup.ecs.plugins.module_utils.ecs_service import service_connect_spec
from ansible_collections.bandup.ecs.plugins.module_utils.service_batch import check_unique

ACTIVE_WEIGHT, STANDBY_WEIGHT = 100, 0


def serves(entry):
    """Whether the entry owns Service Connect endpoints (the server of its app)."""
    return bool(endpoints(service_connect_spec(entry["service_connect"]))[0])


def standing_differs(entry, service):
    """True when the existing service records a standing other than the entry's: its ``bandup:standing`` tag, or
    the ``bandup:role`` tag of releases before the rename when it has none. A service with neither is no difference."""
    state = placement_state(service)
    return state["exists"] and state["standing"] is not None and state["standing"] != entry["tags"].get(STANDING_TAG)


def needs_switch(app, live):
    """The live standings differ from the app's entries: a standing tag, or the standby still serving the app's endpoint."""
    active, standby = app["active"], app["standby"]
    if standing_differs(active, live[active["name"]]) or standing_differs(standby, live[standby["name"]]):
        return True
    return serves(active) and placement_state(live[standby["name"]])["service_connect_server"]


def with_standing(entry, standing):
    """The steady entry with its placement tags: ``bandup:standing`` (active or standby, as the app lists it) and
    ``bandup:sc-role`` (server or client). They are what tells the next run whether a switch is finished."""
    tags = dict(entry["tags"], **{STANDING_TAG: standing, SC_ROLE_TAG: "server" if serves(entry) else "client"})
    return dict(entry, tags=tags)


def during(entry, state, standing, server, token):
    """``entry`` as a step of the switch sends it: the live standing kept (``standing`` when it has none), a Service
    Connect server or a client (with the clients' deployment ``token``), its autoscaling left alone."""
    tags = dict(entry["tags"], **{STANDING_TAG: state["standing"] or standing, SC_ROLE_TAG: "server" if server else "client"})
    out = dict(entry, tags=tags, autoscaling=None)
    if not server:
        out["service_connect"] = dict(entry["service_connect"], services=None)
        out["deployment_token"] = token
    return out


def weights(apps):
    """{target group ARN: weight} of the apps' load balancer target groups: active 100, standby 0."""
    out = {}
    for app in apps:
        for entry, weight in ((app["active"], ACTIVE_WEIGHT), (app["standby"], STANDBY_WEIGHT)):
            out.update({lb["target_group_arn"]: weight for lb in entry["load_balancers"]})
    return out


def switch_app(batch, index, app, live, listener_arns):
    """Make the app's live services what its entries say, in the order that keeps it serving."""
    active, standby = app["active"], app["standby"]
    live_active, live_standby = placement_state(live[active["name"]]), placement_state(live[standby["name"]])
    server, old_serves = serves(active), live_standby["service_connect_server"]
    token = standby.get("deployment_token")
    where = f"apps[{index}]"

    # 1. The new active scales up to its count and is waited for until its targets are healthy. Service Connect
    #    names are unique in a namespace: it stays a client while the old active serves the app's endpoint.
    batch.run([dict(during(active, live_active, "standby", server and not old_serves, token),
                    desired_count=active["desired_count"], force_desired_count=True)],
              labels=[f"{where}.active"], target_health="always")

    # 2. The ALB sends the traffic to the new active target group.
    app_weights = weights([app])
    if app_weights:
        for listener_arn in listener_arns:
            elb_listener.set_weights(batch.client("elbv2"), listener_arn, app_weights, batch.changes)

    # 3. The Service Connect endpoint moves: the old active becomes a client, then the new one serves it (once the
    #    old one's draining tasks have released the name). Counts and autoscaling are not touched here.
    if server and old_serves:
        batch.run([dict(during(standby, live_standby, "active", False, token), desired_count=None,
                        force_desired_count=False),
                   dict(during(active, live_active, "standby", True, token), desired_count=None,
                        force_desired_count=False)],
                  labels=[f"{where}.standby", f"{where}.active"], target_health="always")

    # 4. The old active's scalable target goes, so that the standby count is not autoscaled back up.
    batch.remove_scaling(standby["name"])


def converge_apps(batch, apps, listener_arns):
    """Switch the apps whose live standings differ from their entries (dependency order), then converge every app: the
    steady state with the placement tags (last), and the ALB weights on the active target groups. Returns the names of
    the switched apps."""
    apps = [dict(app, **{standing: with_standing(app[standing], standing) for standing in ("active", "standby")})
            for app in apps]
    entries = [entry for app in apps for entry in (app["active"], app["standby"])]
    labels = [f"apps[{idx}].{standing}" for idx in range(len(apps)) for standing in ("active", "standby")]
    check_unique(apps, "apps")
    check_unique(entries, "apps[].active/standby")
    live = batch.read([entry["name"] for entry in entries])
    switched = [app["name"] for app in apps if needs_switch(app, live)]
    for index, app in enumerate(apps):
        if app["name"] in switched:
            switch_app(batch, index, app, live, listener_arns)
    if switched and not batch.changes.check_mode:
        live = batch.read([entry["name"] for entry in entries])
    batch.run(entries, live, labels)
    wanted = weights(apps)
    if wanted:
        for listener_arn in listener_arns:
            elb_listener.set_weights(batch.client("elbv2"), listener_arn, wanted, batch.changes)
    return switched


def outputs(batch, apps):
    """{app: {active: {name, az, arn}, standby: {name, az, arn}}} (the service role's service_outputs)."""
    return {app["name"]: {standing: {"name": app[standing]["name"], "az": app[standing]["availability_zone"],
                                     "arn": batch.results.get(app[standing]["name"], {}).get("service", {})
                                     .get("service_arn", "")}
                          for standing in ("active", "standby")}
            for app in apps}
