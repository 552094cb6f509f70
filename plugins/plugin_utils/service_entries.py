# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The input of M(bandup.ecs.ecs_app_services) for a deployment, from the topology and the other roles' outputs.

Pure functions, used by the filter plugins C(bandup.ecs.service_apps) and C(bandup.ecs.service_missing) (the service
role). Per app, in dependency order, the steady state: the active placement (autoscaling as configured) and the
standby one (forced to the standby count, on the standby capacity provider, no scalable target). Each AZ is a cell:
both placements use their own cell's Service Connect namespace (the topology's ``placement.namespace``), in which a
server app serves its endpoint and the others are clients, so active and standby differ only in counts, capacity
provider and autoscaling. What a switch between the two changes is the module's (module_utils/_ecs/switch.py).
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn

from ansible_collections.bandup.ecs.plugins.module_utils.topology import STANDING_TAG

# The service role's settings (service_* variables without the prefix) that the entries take.
SETTINGS = ("deployment_minimum_healthy_percent", "deployment_maximum_percent", "circuit_breaker",
            "circuit_breaker_rollback", "platform_version", "health_check_grace_period", "scale_in_cooldown",
            "scale_out_cooldown")


class EntryError(ValueError):
    """An input the entries cannot be built from; the message names the variable."""


def missing_inputs(topology, cluster, network, task_definitions):
    """What the other roles must have published before a service can be converged (messages naming the variable)."""
    missing = []
    if not (cluster or {}).get("arn"):
        missing.append("cluster_outputs.arn (run the cluster role)")
    if not (network or {}).get("vpc_id"):
        missing.append("network_outputs.vpc_id (run the network role)")
    published = task_definitions if isinstance(task_definitions, dict) else {}
    for app in topology["services"]:
        if not (published.get(app["name"]) or {}).get("arn"):
            missing.append(f"task_definition_outputs.{app['name']}.arn (run the task_definition role)")
    return missing


def placement(app, standing):
    return next(p for p in app["placements"] if p["standing"] == standing)


def requests_label(load_balancer_arn, target_group_arn):
    """The ALBRequestCountPerTarget resource label: app/<lb name>/<id>/targetgroup/<tg name>/<id>."""
    lb, tg = parse_aws_arn(load_balancer_arn or ""), parse_aws_arn(target_group_arn or "")
    if not lb or lb["resource_type"] != "loadbalancer" or not tg or tg["resource_type"] != "targetgroup":
        raise EntryError(f"alb_outputs: cannot build the requests policy's resource label from load balancer "
                         f"'{load_balancer_arn}' and target group '{target_group_arn}'")
    return f"{lb['resource_id']}/{tg['resource']}"


def autoscaling(app, where, settings, alb):
    """The entry's autoscaling: present (the app's policies) on the active placement when enabled, else absent."""
    auto = app["autoscaling"]
    if not auto["enabled"] or where["standing"] != "active":
        return {"state": "absent"}
    cooldowns = {"scale_in_cooldown": settings["scale_in_cooldown"], "scale_out_cooldown": settings["scale_out_cooldown"]}
    policies = []
    for name in ("cpu", "memory"):
        if auto[f"{name}_target"]:
            policies.append(dict(cooldowns, name=name, metric=name, target_value=auto[f"{name}_target"]))
    target_group = alb.get("target_groups", {}).get(where["target_group_name"]) if app["alb"]["enabled"] else None
    if auto["requests_per_target"] and target_group:
        policies.append(dict(cooldowns, name="requests", metric="requests", target_value=auto["requests_per_target"],
                             resource_label=requests_label(alb.get("arn"), target_group)))
    return {"state": "present", "min_capacity": auto["min_count"], "max_capacity": auto["max_count"],
            "policies": policies}


def cell_namespace(cluster, where):
    """The placement's cell namespace as the service names it: its ARN (``cluster_outputs.namespaces``), or its name
    when the namespace does not exist yet (check mode on a new deployment)."""
    return ((cluster.get("namespaces") or {}).get(where["namespace"]) or {}).get("arn") or where["namespace"]


def entry(topology, app, where, inputs, settings):
    """The steady-state M(bandup.ecs.ecs_app_services) entry of one placement (``where``) of ``app``."""
    cluster, network, alb = inputs["cluster"], inputs["network"], inputs["alb"]
    active = where["standing"] == "active"
    server = bool(app["service_connect"]["server"])
    published = inputs["task_definitions"][app["name"]]
    out = {
        "name": where["service_name"],
        "task_definition": (published.get("service_arns") or {}).get(where["service_name"]) or published["arn"],
        "desired_count": int(app["active_count"] if active else app["standby_count"]),
        "force_desired_count": not active,
        "availability_zone": where["az"],
        "network": {"subnets": [network["private_subnets"][where["az"]]],
                    "security_groups": [network["security_groups"][app["name"]]], "assign_public_ip": False},
        "capacity_provider_strategy": [{"capacity_provider": where["capacity_provider"]}],
        "service_connect": {"namespace": cell_namespace(cluster, where)},
        "deployment": {"minimum_healthy_percent": settings["deployment_minimum_healthy_percent"],
                       "maximum_percent": settings["deployment_maximum_percent"],
                       "circuit_breaker": settings["circuit_breaker"], "rollback": settings["circuit_breaker_rollback"],
                       # the cell's alarms (alb role) and the app's own: ECS rolls a deployment back on any of them
                       "alarms": sorted(set(((alb.get("alarms") or {}).get(where["target_group_name"]) or [])
                                            + list(app.get("alarms") or [])))},
        "availability_zone_rebalancing": "DISABLED",
        "propagate_tags": "SERVICE",
        "enable_ecs_managed_tags": True,
        "platform_version": settings["platform_version"],
        "tags": dict(topology["tags"], **{"bandup:service": app["name"], "bandup:az": where["az"],
                                          STANDING_TAG: where["standing"]}),
        "load_balancers": [],
        "autoscaling": autoscaling(app, where, settings, alb),
    }
    sc = app["service_connect"]
    if server:
        out["service_connect"]["services"] = [{
            "port_name": app["name"], "discovery_name": sc["discovery_name"],
            "client_aliases": [{"port": sc["client_alias_port"], "dns_name": sc["dns_name"]}]}]
    if app["alb"]["enabled"]:
        target_group = alb.get("target_groups", {}).get(where["target_group_name"])
        if not target_group:
            raise EntryError(f"alb_outputs.target_groups: no target group {where['target_group_name']} "
                             "(run the alb role)")
        out["health_check_grace_period"] = settings["health_check_grace_period"]
        out["load_balancers"] = [{"target_group_arn": target_group, "container_name": app["name"],
                                  "container_port": app["port"]}]
    return out


def apps(topology, cluster, network, task_definitions, alb=None, settings=None):
    """The ``apps`` option of M(bandup.ecs.ecs_app_services): per app (dependency order) its active and standby entry."""
    settings = settings or {}
    unknown = sorted(set(SETTINGS) - set(settings))
    if unknown:
        raise EntryError(f"settings: missing {', '.join('service_' + key for key in unknown)}")
    inputs = {"cluster": cluster, "network": network, "task_definitions": task_definitions, "alb": alb or {}}
    return [{"name": app["name"],
             "active": entry(topology, app, placement(app, "active"), inputs, settings),
             "standby": entry(topology, app, placement(app, "standby"), inputs, settings),
             "pre_deploy": pre_deploy(app, task_definitions[app["name"]])}
            for app in topology["services"]]


def pre_deploy(app, published):
    """The app's ``pre_deploy`` option (its command on its container, the one the task definition names after the
    app), or None without a command, and for a rollback: ``published`` (its task_definition_outputs entry) with
    ``service_arns`` comes from playbooks/rollback.yml, which goes back to revisions that ran before (an older
    release's migration may refuse the newer schema it finds; blocking a rollback on it would keep the bad one)."""
    spec = app.get("pre_deploy") or {}
    if spec.get("command") is None or (published or {}).get("service_arns"):
        return None
    return {"command": list(spec["command"]), "container": app["name"],
            "timeout": spec["timeout"] if spec.get("timeout") is not None else 600}
