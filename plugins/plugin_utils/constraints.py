# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What AWS accepts for every variable of every role, checked before the first write, every problem at once.

The entry point, ``problems()``, and the rules tying variables together (``CROSS_RULES``), in four files by concern:
the rule classes (plugin_utils/constraint_rules.py), ``TABLE`` (plugin_utils/constraint_table.py), the exact type
check (plugin_utils/constraint_types.py) and this one. ``TABLE`` maps each variable path
(``bandup_services[].alb.priority``, ``alb_health_check_interval``) to the rule of the API member(s) it ends up in:
bounds, lengths, patterns and enums from the botocore service model where the model has them (``model=`` names
the member; tests/unit/plugins/plugin_utils/test_constraints.py checks each against botocore's model), AWS's
documented limits where it does not (``source=``), or an explicit "no constraint, because".
``problems()`` checks the types of the roles' argument specs exactly (``0``, ``""`` and ``[]`` are values; only
``None`` or omission means "the default"), then the table, then the rules that tie variables together, and returns
every problem found, each naming the variable's path and the allowed range or form.

Pure Python, no AWS call: the C(bandup.ecs.validation) lookup runs it on the controller.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from ansible_collections.bandup.ecs.plugins.module_utils.topology import FARGATE_SIZES, TopologyError, _order
from ansible_collections.bandup.ecs.plugins.module_utils.topology import rule_priorities
from ansible_collections.bandup.ecs.plugins.plugin_utils.constraint_rules import Checked, _guarded
from ansible_collections.bandup.ecs.plugins.plugin_utils.constraint_types import check_value

TASK_DEFINITION_MAX_BYTES = 65536
TASK_DEFINITION_OVERHEAD_BYTES = 8192
# ELB: a listener rule allows 5 wildcards (* or ?) over its conditions (ALB quotas, "Condition wildcards per rule").
RULE_WILDCARDS_MAX = 5
IMAGE_PLATFORMS = {"X86_64": "linux/amd64", "ARM64": "linux/arm64"}


def _entry_sizes(where, svc):
    out = []
    cpu, memory = svc.get("cpu"), svc.get("memory")
    if cpu in FARGATE_SIZES and isinstance(memory, int) and memory not in FARGATE_SIZES[cpu]:
        valid = ", ".join(str(m) for m in FARGATE_SIZES[cpu])
        out.append(f"{where}.memory: {memory} MiB is not valid with cpu {cpu} on Fargate; valid: {valid}")
    active = svc.get("active_count", 2)
    standby = svc.get("standby_count")
    if isinstance(active, int) and isinstance(standby, int) and standby > active:
        out.append(f"{where}.standby_count: {standby} must be between 0 and active_count ({active})")
    return out


def _entry_image(where, svc):
    if svc.get("image") is not None and svc.get("build") is not None:
        return [f"{where}.build: cannot apply with image set (an image given is run as is, nothing is built); "
                "set one of image, build"]
    return []


def _entry_definition_size(where, svc):
    """The environment and secrets as ECS sends them (KeyValuePair / Secret lists) within the task definition's 64 KiB."""
    import json

    environment = [{"name": key, "value": str(val).lower() if isinstance(val, bool) else str(val)}
                   for key, val in (svc.get("environment") or {}).items()]
    secrets = [{"name": key, "valueFrom": val} for key, val in (svc.get("secrets") or {}).items()]
    size = len(json.dumps({"environment": environment, "secrets": secrets}, separators=(",", ":")).encode("utf-8"))
    room = TASK_DEFINITION_MAX_BYTES - TASK_DEFINITION_OVERHEAD_BYTES
    if size > room:
        return [f"{where}.environment: the environment and secrets are {size} bytes as ECS JSON; a task definition is "
                f"at most {TASK_DEFINITION_MAX_BYTES} bytes (64 KiB, ECS quotas), of which the collection keeps "
                f"{TASK_DEFINITION_OVERHEAD_BYTES} for the rest of the container definition: at most {room} bytes. "
                "Put large values into a file of the image, or an SSM parameter or secret (secrets)"]
    return []


def _entry_alb(where, svc):
    out = []
    alb = svc.get("alb") or {}
    if alb.get("enabled", True) is False:
        for key in ("default_route", "path_patterns", "priority"):
            if alb.get(key) not in (None, False, []):
                out.append(f"{where}.alb.{key}: cannot apply with alb.enabled false (the service is not behind "
                           "the load balancer); remove it or enable the ALB")
    elif alb.get("default_route"):
        for key in ("path_patterns", "priority"):
            if alb.get(key) not in (None, []):
                out.append(f"{where}.alb.{key}: cannot apply with alb.default_route (the listener's default "
                           "action has no rule, priority or paths); remove it")
    patterns = alb.get("path_patterns") or []
    wildcards = sum(p.count("*") + p.count("?") for p in patterns)
    if wildcards > RULE_WILDCARDS_MAX:
        out.append(f"{where}.alb.path_patterns: {wildcards} wildcards (* and ?) in the service's rule; a listener rule "
                   f"allows at most {RULE_WILDCARDS_MAX} (ALB quotas, condition wildcards per rule)")
    return out


def _entry_service_connect(where, svc):
    out = []
    sc = svc.get("service_connect") or {}
    if not sc.get("server"):
        for key in ("discovery_name", "dns_name", "client_alias_port"):
            if sc.get(key) is not None:
                out.append(f"{where}.service_connect.{key}: cannot apply without service_connect.server true "
                           "(a client publishes no endpoint)")
    return out


def _entry_autoscaling(where, svc):
    out = []
    auto = svc.get("autoscaling") or {}
    active = svc.get("active_count", 2)
    alb = svc.get("alb") or {}
    if auto.get("enabled", True) is False:
        for key in ("min_count", "max_count", "cpu_target", "memory_target", "requests_per_target"):
            if auto.get(key) is not None:
                out.append(f"{where}.autoscaling.{key}: cannot apply with autoscaling.enabled false; remove it "
                           "or enable autoscaling")
        return out
    if auto.get("requests_per_target") is not None and alb.get("enabled", True) is False:
        out.append(f"{where}.autoscaling.requests_per_target: cannot apply with alb.enabled false "
                   "(ALBRequestCountPerTarget needs the service's target group); use cpu_target or "
                   "memory_target")
    targets = [auto.get(k, 60 if k == "cpu_target" else None) for k in
               ("cpu_target", "memory_target", "requests_per_target")]
    if all(t is None for t in targets):
        out.append(f"{where}.autoscaling: enabled without a target; set cpu_target, memory_target or "
                   "requests_per_target, or autoscaling.enabled false")
    low = auto.get("min_count") if auto.get("min_count") is not None else active
    high = auto.get("max_count") if auto.get("max_count") is not None else (
        active * 2 if isinstance(active, int) else None)
    if isinstance(low, int) and isinstance(high, int):
        if low > high:
            out.append(f"{where}.autoscaling.min_count: {low} is above max_count {high}")
        elif isinstance(active, int) and not low <= active <= high:
            out.append(f"{where}.active_count: {active} is outside autoscaling min_count-max_count "
                       f"({low}-{high}); the scaler would move it at once")
    return out


def _entry_spot(where, svc, values, roles):
    # Fargate Spot runs ARM64 tasks on platform 1.4.0 or later (botocore CapacityProviderStrategyItem); the
    # platforms below 1.4.0 are refused by service_platform_version's own rule, so ARM64 with Spot needs no rule here.
    providers = values.get("cluster_capacity_providers")
    if (svc.get("standby_capacity_provider") == "FARGATE_SPOT" and isinstance(providers, list)
            and "FARGATE_SPOT" not in providers and {"cluster", "service"} & set(roles)):
        return [f"{where}.standby_capacity_provider: FARGATE_SPOT cannot apply, cluster_capacity_providers "
                f"{providers} lacks it"]
    return []


ENTRY_RULES = (_entry_sizes, _entry_image, _entry_definition_size, _entry_alb, _entry_service_connect,
               _entry_autoscaling)


def _service_problems(services, values, roles):
    out = []
    for idx, svc in enumerate(services):
        if not isinstance(svc, Mapping):
            continue
        where = f"bandup_services[{idx}]"
        for rule in ENTRY_RULES:
            out += _guarded(rule, where, svc)
        out += _guarded(_entry_spot, where, svc, values, roles)
    return out


def _priority_problems(services):
    """Listener rule priorities are unique (AWS: PriorityInUse): the explicit ones, and the default 10 x position
    (in dependency order among the services on the ALB without default_route) of the others."""
    entries = [s for s in services if isinstance(s, Mapping) and isinstance(s.get("name"), str)]
    names = {s["name"] for s in entries}
    if len(names) != len(entries):
        return []
    try:
        ordered = _order([{"name": s["name"], "depends_on": list(s.get("depends_on") or [])} for s in entries])
    except TopologyError:
        return []  # the topology says so
    by_name = {s["name"]: (idx, s) for idx, s in enumerate(services) if isinstance(s, Mapping)}
    owner, out = {}, []
    for svc, priority, explicit in rule_priorities([by_name[item["name"]][1] for item in ordered]):
        idx = by_name[svc["name"]][0]
        if priority in owner:
            other, other_explicit = owner[priority]
            out.append(f"bandup_services[{idx}].alb.priority: {priority}{'' if explicit else ' (the default)'} is "
                       f"also the rule priority of bandup_services[{other}]{'' if other_explicit else ' (its default)'}; "
                       "listener rule priorities are unique")
        owner[priority] = (idx, explicit)
    return out


def _network_problems(values):
    out = []
    vpc_id = values.get("network_vpc_id")
    cidrs = {key: values.get(key) for key in ("network_public_subnet_cidrs", "network_private_subnet_cidrs")}
    if vpc_id:
        return out
    try:
        vpc = ipaddress.IPv4Network(values.get("network_vpc_cidr"))
        nets = [(f"{key}[{idx}]", ipaddress.IPv4Network(cidr))
                for key, given in cidrs.items() for idx, cidr in enumerate(given or [])]
    except (ValueError, TypeError):
        return out  # the per-variable checks said so
    for where, net in nets:
        if not net.subnet_of(vpc):
            out.append(f"{where}: {net} does not lie in network_vpc_cidr {vpc}")
    for pos, (where, net) in enumerate(nets):
        for other, onet in nets[pos + 1:]:
            if net.overlaps(onet):
                out.append(f"{other}: {onet} overlaps {where} {net}; subnets of a VPC cannot overlap")
    return out


def _alb_problems(values):
    out = []
    interval, timeout = values.get("alb_health_check_interval"), values.get("alb_health_check_timeout")
    if isinstance(interval, int) and isinstance(timeout, int) and timeout >= interval:
        out.append(f"alb_health_check_timeout: {timeout} must be below alb_health_check_interval ({interval})")
    if values.get("alb_ssl_policy") and not values.get("alb_certificate_arn"):
        out.append("alb_ssl_policy: cannot apply without alb_certificate_arn (no HTTPS listener); set both or "
                   "neither")
    period, periods = values.get("alb_alarm_period"), values.get("alb_alarm_evaluation_periods")
    if isinstance(period, int) and isinstance(periods, int) and period * periods > 86400:
        out.append(f"alb_alarm_evaluation_periods: {periods} x alb_alarm_period ({period} s) must be at most "
                   "one day (86400 s)")
    return out


def _load_balancer_name_problems(values):
    # CreateLoadBalancer Name: "must not begin with internal-" (the ALB is named bandup_name).
    name = values.get("bandup_name")
    if isinstance(name, str) and name.startswith("internal-"):
        return [f"bandup_name: '{name}' names the load balancer, and a load balancer name must not begin with "
                "'internal-' (ELB CreateLoadBalancer Name); choose another deployment name"]
    return []


def _ecr_problems(values):
    out = []
    if values.get("ecr_kms_key") and values.get("ecr_encryption_type") != "KMS":
        out.append("ecr_kms_key: cannot apply with ecr_encryption_type AES256; set ecr_encryption_type KMS")
    if values.get("ecr_repository_policy") and values.get("ecr_pull_account_ids"):
        out.append("ecr_pull_account_ids: cannot apply with ecr_repository_policy (the document is used as is); "
                   "put the accounts into the policy")
    return out


def _cluster_problems(values):
    out = []
    providers = values.get("cluster_capacity_providers")
    strategy = values.get("cluster_default_capacity_provider_strategy")
    if isinstance(providers, list) and isinstance(strategy, list):
        for idx, item in enumerate(strategy):
            if isinstance(item, Mapping) and item.get("capacity_provider") not in providers:
                out.append(f"cluster_default_capacity_provider_strategy[{idx}].capacity_provider: "
                           f"'{item.get('capacity_provider')}' is not in cluster_capacity_providers {providers}")
    if isinstance(strategy, list):
        entries = [item for item in strategy if isinstance(item, Mapping)]
        if sum(1 for item in entries if isinstance(item.get("base"), int) and item["base"] > 0) > 1:
            out.append("cluster_default_capacity_provider_strategy: at most one entry may have a base above 0")
        # the argument spec's default weight is 1
        weights = [item.get("weight") if item.get("weight") is not None else 1 for item in entries]
        if entries and len(entries) == len(strategy) and all(w == 0 for w in weights):
            out.append("cluster_default_capacity_provider_strategy: every weight is 0; at least one capacity provider "
                       "must have a weight above 0 (ECS CapacityProviderStrategyItem)")
    return out


def _service_role_problems(values):
    out = []
    low = values.get("service_deployment_minimum_healthy_percent")
    high = values.get("service_deployment_maximum_percent")
    if isinstance(low, int) and isinstance(high, int) and low >= high:
        out.append(f"service_deployment_maximum_percent: {high} must be above "
                   f"service_deployment_minimum_healthy_percent ({low}); otherwise a rolling deployment can "
                   "neither start a new task nor stop an old one")
    timeout, delay = values.get("service_wait_timeout"), values.get("service_wait_delay")
    if values.get("service_wait") is not False and isinstance(timeout, int) and isinstance(delay, int) \
            and timeout < delay:
        out.append(f"service_wait_timeout: {timeout} seconds is shorter than service_wait_delay ({delay}), so the wait "
                   "would give up before its first poll; set it to at least service_wait_delay, or service_wait false")
    return out


def _task_role_policy_problems(values):
    services = values.get("bandup_services")
    if not isinstance(services, list):
        return []
    names = {s.get("name") for s in services if isinstance(s, Mapping)}
    return [f"task_definition_task_role_policies.{key}: not a service name ({', '.join(sorted(map(str, names)))})"
            for key in (values.get("task_definition_task_role_policies") or {}) if key not in names]


def _image_platform_problems(values):
    # (the argument spec's default is words, the computed default of roles/image/defaults/main.yml follows the
    # architecture: only a platform given is compared)
    platform, arch = values.get("image_platform"), values.get("task_definition_cpu_architecture")
    if platform in IMAGE_PLATFORMS.values() and arch in IMAGE_PLATFORMS and platform != IMAGE_PLATFORMS[arch]:
        return [f"image_platform: '{platform}' does not match task_definition_cpu_architecture {arch}: the tasks "
                f"would fail with 'exec format error'; build for {IMAGE_PLATFORMS[arch]} (or leave image_platform "
                "unset, it follows the architecture)"]
    return []


# (the roles one of which the run must select, or None for every run; the rule)
CROSS_RULES = (
    (None, _load_balancer_name_problems),
    (("network",), _network_problems),
    (("alb",), _alb_problems),
    (("ecr",), _ecr_problems),
    (("cluster",), _cluster_problems),
    (("service",), _service_role_problems),
    (("task_definition",), _task_role_policy_problems),
    (("image",), _image_platform_problems),
)


def cross_problems(values, roles):
    """The rules between variables, on values that passed their own checks: a rule that reads a value which failed
    its own check (INVALID) is skipped, whatever type the value had."""
    values = values if isinstance(values, Checked) else Checked(values)
    out = []
    services = _guarded(lambda: values.get("bandup_services"))
    if isinstance(services, list):
        out += _service_problems(services, values, roles)
        out += _guarded(_priority_problems, services)
    for needs, rule in CROSS_RULES:
        if needs is None or set(needs) & set(roles):
            out += _guarded(rule, values)
    return out


def problems(specs, values, roles, regions=None):
    """Every problem of ``values`` (variable name -> value; absent or None: the default), as messages naming the
    variable path and the allowed range or form.

    ``specs``: role name -> its argument spec options (the bandup role's ``topology`` entry point, the others' ``main``);
    ``roles``: the roles this run selects, whose variables are checked (the shared ones always are);
    ``regions``: the AWS regions botocore knows (its partitions data), when the caller read them.
    """
    out = []
    converted = {}
    for role in ["bandup"] + [r for r in roles if r != "bandup"]:
        for name, spec in (specs.get(role) or {}).items():
            given = values.get(name)
            if given is None:
                converted[name] = spec.get("default") if role != "bandup" else None
                if spec.get("required") and role == "bandup":
                    out.append(f"{name}: required")
                continue
            converted[name] = check_value(name, spec, given, out)
    region = converted.get("bandup_region")
    if regions and isinstance(region, str) and region not in regions:
        out.append(f"bandup_region: '{region}' is not an AWS region (the regions botocore knows: "
                   f"{', '.join(sorted(r for r in regions if r.count('-') == 2)[:12])}...); a region newer than the "
                   "installed botocore needs a newer botocore")
    out += cross_problems(converted, roles)
    return out
