# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deployment topology: semantic validation of the inventory and every derived resource name.

Roles never build a resource name themselves: they read the ``bandup_topology`` fact that
``bandup.ecs.topology`` returns from ``build_topology()``. Pure Python, no AWS calls, so every
check here runs before any write.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping

# Fargate task sizes: cpu units -> valid memory (MiB).
FARGATE_SIZES = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4096 + 1, 1024)),
    1024: list(range(2048, 8192 + 1, 1024)),
    2048: list(range(4096, 16384 + 1, 1024)),
    4096: list(range(8192, 30720 + 1, 1024)),
    8192: list(range(16384, 61440 + 1, 4096)),
    16384: list(range(32768, 122880 + 1, 8192)),
}

NAME_RE = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
SERVICE_NAME_RE = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
ECR_NAME_RE = re.compile(r"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$")
DISCOVERY_RE = re.compile(r"^(?!-)[a-z0-9_-]{1,64}$")
DNS_RE = re.compile(r"^(?!-)[a-z0-9_.-]{1,127}$")
ALB_NAME_MAX = 32
# The ECS cluster tag that records which AZ is active (set by the cluster role, changed by the failover).
ACTIVE_AZ_TAG = "bandup:active-az"
# The ECS cluster tag that records which AZ's cell uses the namespace named bandup_name (set once by the cluster
# role: the active AZ when the cluster is created, or when a deployment of a release before cells is converged).
NAMESPACE_AZ_TAG = "bandup:namespace-az"
# The ECS cluster tag that records the fingerprint of the settings AWS cannot change in place
# (plugin_utils/fixed_settings.py).
FIXED_RECORD_TAG = "bandup:fixed"
# The ECS service tag of a placement's standing (active or standby), set by the service role.
STANDING_TAG = "bandup:standing"
# The listener weights of a cell's target group, and the two orders of a switch (module_utils/_ecs/switch.py).
# Here, beside the other names the roles and the modules share, so the controller-side code that needs them
# (plugin_utils/) does not import the modules' AWS code (boto3 costs a forked worker ~0.25 s per task).
ACTIVE_WEIGHT, STANDBY_WEIGHT = 100, 0
SCALE_FIRST = "scale up, move traffic, old cell to standby"
TRAFFIC_FIRST = "move traffic, scale up, old cell to standby"
IAM_ROLE_MAX = 64

# Defaults of a bandup_services entry. roles/bandup/meta/argument_specs.yml documents the same
# values; tests/unit/plugins/module_utils/test_topology.py keeps the two in step.
SERVICE_DEFAULTS = {
    "active_count": 2,
    "standby_count": 1,
    "image": None,
    "build": None,
    "environment": {},
    "secrets": {},
    "health_check": {},
    "depends_on": [],
    "alarms": [],
    "pre_deploy": {"command": None, "timeout": 600},
    "service_connect": {"server": False, "discovery_name": None, "dns_name": None, "client_alias_port": None},
    "alb": {"enabled": True, "default_route": False, "path_patterns": [], "priority": None},
    "standby_capacity_provider": "FARGATE",
    "autoscaling": {"enabled": True, "min_count": None, "max_count": None, "cpu_target": 60,
                    "memory_target": None, "requests_per_target": None},
}
HEALTH_CHECK_DEFAULTS = {"command": None, "interval": 30, "timeout": 5, "retries": 3, "start_period": 60}


class TopologyError(ValueError):
    """Invalid configuration; the message names the variable."""


def canary_steps_problem(steps):
    """Why ``steps`` are no canary steps (None when they are): a non-empty list of increasing percentages, 1-99.
    service_canary_steps, checked by the validation lookup and by module_utils/_ecs/canary.py."""
    if not isinstance(steps, (list, tuple)) or not steps or not all(
            isinstance(s, int) and not isinstance(s, bool) and 0 < s < ACTIVE_WEIGHT for s in steps):
        return f"{list(steps) if isinstance(steps, tuple) else steps!r} must be a non-empty list of percentages " \
               "between 1 and 99"
    if any(b <= a for a, b in zip(steps, steps[1:])):
        return f"{list(steps)} must increase step by step"
    return None


def az_suffix(az, region):
    """'us-east-1a' in 'us-east-1' -> 'a'; 'us-west-2-lax-1a' -> 'lax1a'."""
    return az[len(region):].replace("-", "")


def _merge(defaults, given):
    merged = copy.deepcopy(defaults)
    for key, value in (given or {}).items():
        if isinstance(merged.get(key), dict) and isinstance(value, dict):
            merged[key] = _merge(merged[key], value)
        elif value is not None or key not in merged:
            merged[key] = value
    return merged


def fargate_check(where, cpu, memory):
    if cpu not in FARGATE_SIZES:
        raise TopologyError(f"{where}.cpu: {cpu} is not a Fargate CPU size; valid: {sorted(FARGATE_SIZES)}")
    if memory not in FARGATE_SIZES[cpu]:
        valid = ", ".join(str(m) for m in FARGATE_SIZES[cpu])
        raise TopologyError(f"{where}.memory: {memory} MiB is not valid with cpu {cpu} on Fargate; valid: {valid}")


def _check_name(var, value, limit, regex=NAME_RE, what="lowercase letters, digits and hyphens"):
    if len(value) > limit:
        raise TopologyError(f"{var}: '{value}' is {len(value)} characters; the limit is {limit}")
    if not regex.match(value):
        raise TopologyError(f"{var}: '{value}' must be {what}, starting with a letter")


def _order(services):
    """Services in dependency order (depends_on first); refuses unknown names and cycles."""
    by_name = {svc["name"]: svc for svc in services}
    for idx, svc in enumerate(services):
        for dep in svc["depends_on"]:
            if dep not in by_name:
                raise TopologyError(f"bandup_services[{idx}].depends_on: unknown service '{dep}'")
    ordered, state = [], {}

    def visit(name, path):
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise TopologyError(f"bandup_services: depends_on cycle {' -> '.join(path + [name])}")
        state[name] = "visiting"
        for dep in by_name[name]["depends_on"]:
            visit(dep, path + [name])
        state[name] = "done"
        ordered.append(by_name[name])

    for svc in services:
        visit(svc["name"], [])
    return ordered


def rule_priorities(services):
    """The listener rule of each service on the ALB without ``alb.default_route``, as ``(service, priority,
    explicit)``: its ``alb.priority``, else 10 x its position among the services on the ALB (default route ones
    counted too), in the given order (dependency order: ``bandup_topology.services``). The alb role's listeners
    (plugin_utils/role_inputs.py) and the uniqueness check (plugin_utils/constraints.py) both use this."""
    out, position = [], 0
    for svc in services:
        alb = svc.get("alb") if isinstance(svc.get("alb"), Mapping) else {}
        if alb.get("enabled") is False:
            continue
        position += 1
        if alb.get("default_route"):
            continue
        explicit = alb.get("priority") is not None
        out.append((svc, alb["priority"] if explicit else 10 * position, explicit))
    return out


def _check_service(idx, svc, seen_sc):
    where = f"bandup_services[{idx}]"
    _check_name(f"{where}.name", svc["name"], 20, SERVICE_NAME_RE)
    fargate_check(f"{where} ({svc['name']})", svc["cpu"], svc["memory"])
    if not 1 <= svc["port"] <= 65535:
        raise TopologyError(f"{where}.port: {svc['port']} is not a TCP port (1-65535)")
    if not svc["health_path"].startswith("/"):
        raise TopologyError(f"{where}.health_path: '{svc['health_path']}' must start with '/'")
    if svc["active_count"] < 1:
        raise TopologyError(f"{where}.active_count: must be at least 1")
    if not 0 <= svc["standby_count"] <= svc["active_count"]:
        raise TopologyError(f"{where}.standby_count: {svc['standby_count']} must be between 0 and "
                            f"active_count ({svc['active_count']})")
    if svc["image"] is None and not svc["build"]:
        raise TopologyError(f"{where}: set either image or build.context")
    if svc["build"]:
        context = svc["build"].get("context")
        if not context:
            raise TopologyError(f"{where}.build.context: required when build is set")
        if not os.path.isdir(context):
            raise TopologyError(f"{where} ({svc['name']}).build.context: '{context}' is not a directory")
        dockerfile = os.path.join(context, svc["build"].get("dockerfile") or "Dockerfile")
        if not os.path.isfile(dockerfile):
            raise TopologyError(f"{where} ({svc['name']}).build.dockerfile: '{dockerfile}' does not exist")
    for key in svc["secrets"]:
        if key in svc["environment"]:
            raise TopologyError(f"{where}.secrets.{key}: also set in environment")
    for key, arn in svc["secrets"].items():
        if not str(arn).startswith("arn:"):
            raise TopologyError(f"{where}.secrets.{key}: must be an SSM parameter or Secrets Manager ARN")
    hc = svc["health_check"]
    for key, low, high in (("interval", 5, 300), ("timeout", 2, 60), ("retries", 1, 10), ("start_period", 0, 300)):
        if not low <= hc[key] <= high:
            raise TopologyError(f"{where}.health_check.{key}: {hc[key]} is outside {low}-{high}")
    sc = svc["service_connect"]
    if sc["server"]:
        if not DISCOVERY_RE.match(sc["discovery_name"]):
            raise TopologyError(f"{where}.service_connect.discovery_name: '{sc['discovery_name']}' must be "
                                "at most 64 lowercase letters, digits, '_' or '-'")
        if not DNS_RE.match(sc["dns_name"]):
            raise TopologyError(f"{where}.service_connect.dns_name: '{sc['dns_name']}' must be at most "
                                "127 lowercase letters, digits, '_', '-' or '.'")
        if not 1 <= sc["client_alias_port"] <= 65535:
            raise TopologyError(f"{where}.service_connect.client_alias_port: {sc['client_alias_port']} is not a TCP "
                                "port (1-65535)")
        endpoint = (sc["dns_name"], sc["client_alias_port"])
        for key, owner in ((sc["discovery_name"], seen_sc["discovery"]), (endpoint, seen_sc["endpoint"])):
            if key in owner:
                raise TopologyError(f"{where}.service_connect: '{key if isinstance(key, str) else '%s:%s' % key}' "
                                    f"is already owned by service '{owner[key]}'; Service Connect names and "
                                    "endpoints are unique in a namespace")
            owner[key] = svc["name"]
    auto = svc["autoscaling"]
    if auto["enabled"]:
        if auto["min_count"] > auto["max_count"]:
            raise TopologyError(f"{where}.autoscaling.min_count: {auto['min_count']} is above max_count "
                                f"{auto['max_count']}")
        for key in ("cpu_target", "memory_target"):
            if auto[key] is not None and not 1 <= auto[key] <= 100:
                raise TopologyError(f"{where}.autoscaling.{key}: {auto[key]} is not a percentage (1-100)")


def plain(value):
    """A plain copy of templated input (filters get ansible's lazy containers): dicts and lists, not deepcopy (which
    copies the lazy containers whole)."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def cell_namespaces(name, region, azs, namespace_az):
    """{az: Cloud Map namespace} of the cells: ``name`` for ``namespace_az``, ``<name>.cell-<az suffix>`` for the
    others (a dot, which no bandup_name has, so that no other deployment's namespace can have the name)."""
    return {az: name if az == namespace_az else f"{name}.cell-{az_suffix(az, region)}" for az in azs}


def build_topology(name, region, active_az, standby_az, services, ecr_prefix="", azs_in_region=None,
                   live_active_az=None, tags=None, live_namespace_az=None):
    """Validate the inventory and return the topology dict every role reads.

    ``azs_in_region`` (optional) is the region's AZ names, when the caller looked them up.
    ``live_active_az`` (optional) is the cluster's ``bandup:active-az`` tag: once the deployment exists, which AZ is
    active is live state owned by the failover, and the inventory's ``bandup_active_az`` is only the initial placement.
    ``tags`` (optional) are the user's extra tags (``bandup_tags``); the collection's own ``bandup:*`` tags win.
    ``live_namespace_az`` (optional) is the cluster's ``bandup:namespace-az`` tag: the AZ whose cell keeps the
    namespace named ``name`` (the other cell's is ``<name>.cell-<az suffix>``). Without it, that is the AZ active now, so
    that a deployment made before cells (one namespace, served by the active backend) keeps its traffic-serving
    cell where it is and only the standby cell moves to a new namespace.
    """
    _check_name("bandup_name", name, 20)
    for var, az in (("bandup_active_az", active_az), ("bandup_standby_az", standby_az)):
        if not az.startswith(region) or az == region:
            raise TopologyError(f"{var}: '{az}' is not an availability zone of region '{region}'")
        if azs_in_region is not None and az not in azs_in_region:
            raise TopologyError(f"{var}: '{az}' is not an availability zone of region '{region}' "
                                f"(it has {', '.join(sorted(azs_in_region))})")
    if active_az == standby_az:
        raise TopologyError("bandup_standby_az: must differ from bandup_active_az")
    if not services:
        raise TopologyError("bandup_services: at least one service is required")
    initial_active_az = active_az
    if live_active_az and live_active_az != active_az:
        if live_active_az != standby_az:
            raise TopologyError(f"bandup_active_az: the cluster's {ACTIVE_AZ_TAG} tag says '{live_active_az}' is active, "
                                f"which is neither bandup_active_az nor bandup_standby_az; fail over to one of them first")
        active_az, standby_az = standby_az, active_az
    namespace_az = live_namespace_az if live_namespace_az in (active_az, standby_az) else active_az
    cells = cell_namespaces(name, region, (active_az, standby_az), namespace_az)

    seen, seen_sc, ports = set(), {"discovery": {}, "endpoint": {}}, {}
    resolved = []
    default_routes = []
    for idx, given in enumerate(services):
        svc = _merge(SERVICE_DEFAULTS, given)
        svc["health_check"] = _merge(HEALTH_CHECK_DEFAULTS, svc["health_check"])
        for key in ("name", "port", "health_path", "cpu", "memory"):
            if svc.get(key) is None:
                raise TopologyError(f"bandup_services[{idx}].{key}: required")
        if svc["name"] in seen:
            raise TopologyError(f"bandup_services[{idx}].name: duplicate service '{svc['name']}'")
        seen.add(svc["name"])
        if svc["port"] in ports:
            raise TopologyError(f"bandup_services[{idx}].port: {svc['port']} is also the port of "
                                f"'{ports[svc['port']]}'")
        ports[svc["port"]] = svc["name"]
        sc = svc["service_connect"]
        # None (not given) takes the default; "" and 0 are values (refused by the checks below).
        for key, default in (("discovery_name", svc["name"]), ("dns_name", svc["name"]),
                             ("client_alias_port", svc["port"])):
            sc[key] = default if sc[key] is None else sc[key]
        auto = svc["autoscaling"]
        auto["min_count"] = svc["active_count"] if auto["min_count"] is None else auto["min_count"]
        auto["max_count"] = svc["active_count"] * 2 if auto["max_count"] is None else auto["max_count"]
        if svc["alb"]["enabled"] and svc["alb"]["default_route"]:
            default_routes.append(svc["name"])
        if svc["alb"]["enabled"] and not svc["alb"]["default_route"] and not svc["alb"]["path_patterns"]:
            raise TopologyError(f"bandup_services[{idx}].alb.path_patterns: required unless alb.default_route "
                                "or alb.enabled is false")
        _check_service(idx, svc, seen_sc)
        resolved.append(svc)
    if len(default_routes) > 1:
        raise TopologyError(f"bandup_services: only one service can have alb.default_route (got {default_routes})")

    ordered = _order(resolved)
    out_services = []
    for svc in ordered:
        idx = next(i for i, s in enumerate(resolved) if s["name"] == svc["name"])
        where = f"bandup_services[{idx}]"
        # Per deployment: two deployments in one account never share (nor retag, nor tear down) a repository.
        repository = f"{ecr_prefix}{name}-{svc['name']}"
        _check_name(f"{where}.name (ECR repository '{repository}' from bandup_ecr_prefix)", repository, 256,
                    ECR_NAME_RE, "a valid ECR repository name")
        placements = []
        for standing, az, count in (("active", active_az, svc["active_count"]),
                                    ("standby", standby_az, svc["standby_count"])):
            suffix = az_suffix(az, region)
            resource = f"{name}-{svc['name']}-{suffix}"
            _check_name(f"{where}.name (target group '{resource}' from bandup_name)", resource, ALB_NAME_MAX)
            placements.append({
                "standing": standing, "az": az, "suffix": suffix, "desired_count": count,
                "service_name": resource, "target_group_name": resource,
                "capacity_provider": "FARGATE" if standing == "active" else svc["standby_capacity_provider"],
                "namespace": cells[az],
            })
        roles = {"execution_role": f"{name}-{svc['name']}-execution", "task_role": f"{name}-{svc['name']}-task"}
        for key, value in roles.items():
            _check_name(f"{where}.name ({key.replace('_', ' ')} '{value}')", value, IAM_ROLE_MAX)
        out_services.append(dict(
            svc,
            family=f"{name}-{svc['name']}",
            repository=repository,
            log_group=f"/ecs/{name}/{svc['name']}",
            security_group=f"{name}-{svc['name']}",
            placements=placements,
            **roles,
        ))
    return {
        "name": name,
        "region": region,
        "active_az": active_az,
        "standby_az": standby_az,
        "initial_active_az": initial_active_az,
        "active_az_source": "cluster tag" if live_active_az else "inventory",
        "active_az_tag": ACTIVE_AZ_TAG,
        "cluster": name,
        "namespace": name,
        "namespace_az": namespace_az,
        "namespace_az_tag": NAMESPACE_AZ_TAG,
        "cells": [{"az": az, "namespace": cells[az]} for az in sorted(cells)],
        "load_balancer": name,
        "alb_security_group": f"{name}-alb",
        "tags": dict({k: str(v) for k, v in (tags or {}).items()},
                     **{"bandup:managed-by": "bandup.ecs", "bandup:deployment": name}),
        "services": out_services,
    }
