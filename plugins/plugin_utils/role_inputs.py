# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the roles and playbooks pass to the modules, computed from ``bandup_topology`` and the role variables.

Roles pick values; Python computes them (docs/DEVELOPING.md): each role calls one filter of the same name
(``bandup.ecs.alb_inputs``, ``network_inputs``, ``ecr_inputs``, ``image_inputs``, ``task_definition_inputs``,
``failover_inputs``, ``rollback_inputs``), which returns these functions' answers. Pure Python, no AWS call: the
controller runs them while it templates a task's options.
"""

from __future__ import annotations

import re

from ansible_collections.bandup.ecs.plugins.module_utils.topology import ACTIVE_WEIGHT, STANDBY_WEIGHT, TRAFFIC_FIRST
from ansible_collections.bandup.ecs.plugins.module_utils.topology import rule_priorities

# No import here may reach boto3: the filters built on this file run in a forked worker on every task that uses
# them, and boto3 costs that worker ~0.25 s (tests/unit/plugins/test_controller_imports.py). The two checks that
# share a module with AWS calls import it where they are used, in the runs that check an adopted network or a
# failover.

# How the switch's order reads when it moved the traffic first (topology.py TRAFFIC_FIRST).
TRAFFIC_FIRST_START = TRAFFIC_FIRST.split(",", 1)[0]
# The load balancer's HTTP(S) ports: open to alb_ingress_cidrs, HTTP redirected to HTTPS with a certificate.
ALB_PORTS = (80, 443)


def _alb_services(topology):
    return [svc for svc in topology["services"] if svc["alb"]["enabled"]]


# --- alb role ---

def target_groups(topology, settings):
    """The load_balancer module's ``target_groups``: one ip target group per service on the ALB and AZ, with the
    role's health check (``alb_health_check_*``, ``alb_*_threshold``) and deregistration delay (``settings``: the
    variables without their ``alb_`` prefix)."""
    return [{
        "name": placement["target_group_name"], "port": svc["port"], "protocol": "HTTP",
        "health_check_protocol": "HTTP", "health_check_port": "traffic-port", "health_check_path": svc["health_path"],
        "health_check_interval": int(settings["health_check_interval"]),
        "health_check_timeout": int(settings["health_check_timeout"]),
        "healthy_threshold": int(settings["healthy_threshold"]),
        "unhealthy_threshold": int(settings["unhealthy_threshold"]),
        "matcher": str(settings["health_check_matcher"]),
        "deregistration_delay": int(settings["deregistration_delay"]),
        "tags": {"bandup:service": svc["name"], "bandup:az": placement["az"]},
    } for svc in _alb_services(topology) for placement in svc["placements"]]


def _forward(svc):
    """All traffic to the active placement: the weights of a listener or rule the module creates (on an existing one
    the service role keeps them, module_utils/_ecs/switch.py)."""
    return [{"target_group": p["target_group_name"],
             "weight": ACTIVE_WEIGHT if p["standing"] == "active" else STANDBY_WEIGHT} for p in svc["placements"]]


def listeners(topology, certificate_arn="", ssl_policy=""):
    """The load_balancer module's ``listeners``: the default route's service as the default action (a fixed
    response without one), a rule per other service on the ALB (``topology.rule_priorities``); with a certificate
    HTTPS on 443 and HTTP redirected to it, else HTTP on 80 and no 443."""
    services = _alb_services(topology)
    default = {"fixed_response": {}}
    for svc in services:
        if svc["alb"]["default_route"]:
            default = {"forward": _forward(svc)}
    rules = [{"priority": priority, "path_patterns": svc["alb"]["path_patterns"], "forward": _forward(svc)}
             for svc, priority, _explicit in rule_priorities(services)]
    if not certificate_arn:
        return [{"port": 80, "default_action": default, "rules": rules}, {"port": 443, "state": "absent"}]
    https = {"port": 443, "protocol": "HTTPS", "certificate_arn": certificate_arn, "default_action": default,
             "rules": rules}
    if ssl_policy:
        https["ssl_policy"] = ssl_policy
    return [https, {"port": 80, "default_action": {"redirect": {"protocol": "HTTPS", "port": "443"}}}]


def routes(topology):
    """Where each app on the ALB is reached, for the end of site.yml: ``frontend /``, ``backend /api/*``."""
    services = _alb_services(topology)
    return [svc["name"] + " /" for svc in services if svc["alb"]["default_route"]] + \
        [" ".join([svc["name"], " ".join(svc["alb"]["path_patterns"])]) for svc in services
         if not svc["alb"]["default_route"]]


# --- network role ---

def security_groups(topology, alb_ingress_cidrs):
    """The network module's ``security_groups``: the load balancer's (HTTP and HTTPS from ``alb_ingress_cidrs``),
    then the services', plain ones before Service Connect servers (the module creates every group before it adds
    the rules, so a rule may name any of them). A group with nothing to allow has ``rules`` null (an ALB with no
    CIDR, a server alone) or empty (a service neither on the ALB nor a server), as the role always passed them."""
    alb_group = topology["alb_security_group"]
    out = [{"key": "alb", "name": alb_group,
            "rules": [{"proto": "tcp", "ports": [port], "cidr_ip": cidr, "rule_desc": "HTTP(S) to the load balancer"}
                      for port in ALB_PORTS for cidr in alb_ingress_cidrs] or None}]
    for svc in sorted(topology["services"], key=lambda s: bool(s["service_connect"]["server"])):
        rules = []
        if svc["alb"]["enabled"]:
            rules.append({"proto": "tcp", "ports": [svc["port"]], "group_name": alb_group,
                          "rule_desc": f"load balancer to {svc['name']}"})
        if svc["service_connect"]["server"]:
            rules += [{"proto": "tcp", "ports": [svc["port"]], "group_name": other["security_group"],
                       "rule_desc": f"{other['name']} to {svc['name']} (Service Connect)"}
                      for other in topology["services"] if other["name"] != svc["name"]]
        plain = not svc["alb"]["enabled"] and not svc["service_connect"]["server"]
        out.append({"key": svc["name"], "name": svc["security_group"], "rules": [] if plain else rules or None})
    return out


def subnets_by_tier(subnets):
    """``{public: {az: id}, private: {az: id}}`` of the subnets amazon.aws.ec2_vpc_subnet_info read, by their
    ``bandup:tier`` tag (the network module tags them)."""
    tiers = {"public": {}, "private": {}}
    for subnet in subnets or []:
        tier = (subnet.get("tags") or {}).get("bandup:tier", "")
        if tier in tiers:
            tiers[tier][subnet["availability_zone"]] = subnet["id"]
    return tiers


def adopted_subnet_problems(subnets, public_subnet_ids, private_subnet_ids, vpc_id):
    """What is wrong with the subnets an inventory adopts (``network_vpc_id``), each naming its variable:
    ``subnets`` as amazon.aws.ec2_vpc_subnet_info reads them. The network module checks the same
    (``network.subnet_problems``). Nothing to check, and nothing imported, when no subnet is adopted."""
    if not (public_subnet_ids or private_subnet_ids):
        return []
    from ansible_collections.bandup.ecs.plugins.module_utils._ec2.network import subnet_problems

    found = {s["id"]: {"az": s.get("availability_zone"), "vpc": s.get("vpc_id")} for s in subnets or []}
    return subnet_problems([("network_public_subnet_ids", public_subnet_ids or {}),
                            ("network_private_subnet_ids", private_subnet_ids or {})],
                           found, vpc_id, "network_vpc_id")


# --- ecr role ---

def account_principals(account_ids):
    """The repository policy's principals: an account id becomes its root ARN, anything else is kept."""
    return [re.sub(r"^(\d+)$", r"arn:aws:iam::\1:root", str(account)) for account in account_ids or []]


def ecr_outputs(topology, repositories):
    """``ecr_outputs``: service name -> its repository's name, URI and ARN (null before it exists, check mode), from
    the ecr_repository module's ``repositories`` (one per service, in the topology's order)."""
    out = {}
    for svc, entry in zip(topology["services"], repositories or []):
        repo = (entry or {}).get("repository") or {}
        out[svc["name"]] = {"name": svc["repository"], "uri": repo.get("repository_uri"),
                            "arn": repo.get("repository_arn")}
    return out


# --- image role ---

def image_specs(topology):
    """The container_image module's ``images``: one per service built from source (``build`` and no ``image``)."""
    return [{"name": svc["name"], "repository": svc["repository"], "context": svc["build"]["context"],
             "dockerfile": svc["build"].get("dockerfile") or "Dockerfile", "args": svc["build"].get("args") or {},
             "target": svc["build"].get("target")}
            for svc in topology["services"] if not svc.get("image") and svc.get("build")]


def prebuilt_images(topology):
    """``image_outputs`` entries of the services that run an image as given (passed through unchanged)."""
    return {svc["name"]: {"image": svc["image"], "digest": None, "tag": None, "changed": False}
            for svc in topology["services"] if svc.get("image")}


# --- task_definition role ---

def task_role_services(topology, task_role_policies):
    """The ecs_taskdefinition module's ``task_roles.services``: per service its log group, execution role (reading
    its secrets) and task role (``task_definition_task_role_policies``' policy of the service, if any)."""
    return [{"name": svc["name"], "family": svc["family"], "log_group": svc["log_group"],
             "execution_role": svc["execution_role"], "task_role": svc["task_role"],
             "secrets": list(svc["secrets"].values()), "task_policy": (task_role_policies or {}).get(svc["name"])}
            for svc in topology["services"]]


def health_check_command(svc):
    """The container health check: the service's ``health_check.command``, else a wget of its health path."""
    command = svc["health_check"]["command"]
    if command is not None:
        return command
    return ["CMD-SHELL", f"wget -q -O /dev/null http://localhost:{svc['port']}{svc['health_path']} || exit 1"]


def task_definitions(topology, images, settings):
    """The ecs_taskdefinition module's ``task_definitions``: per service one container in the ECS API shape, its
    image from ``image_outputs`` (else the inventory's; empty: the module keeps the latest revision's). ``settings``:
    ``stop_timeout``, ``readonly_root_filesystem`` (the variables without their ``task_definition_`` prefix). An
    empty environment or secrets is null, as the role always passed it."""
    out = []
    for svc in topology["services"]:
        hc = svc["health_check"]
        container = {
            "name": svc["name"],
            "image": ((images or {}).get(svc["name"]) or {}).get("image") or svc.get("image") or "",
            "essential": True,
            "portMappings": [{"name": svc["name"], "containerPort": svc["port"], "protocol": "tcp",
                              "appProtocol": "http"}],
            "environment": [{"name": key, "value": _text(svc["environment"][key])}
                            for key in sorted(svc["environment"])] or None,
            "secrets": [{"name": key, "valueFrom": svc["secrets"][key]} for key in sorted(svc["secrets"])] or None,
            "healthCheck": {"command": health_check_command(svc), "interval": hc["interval"],
                            "timeout": hc["timeout"], "retries": hc["retries"], "startPeriod": hc["start_period"]},
            "stopTimeout": settings["stop_timeout"],
        }
        if settings["readonly_root_filesystem"]:
            container["readonlyRootFilesystem"] = True
        container["logConfiguration"] = {"logDriver": "awslogs", "options": {
            "awslogs-group": svc["log_group"], "awslogs-region": topology["region"], "awslogs-stream-prefix": "ecs"}}
        out.append({"family": svc["family"], "cpu": svc["cpu"], "memory": svc["memory"],
                    "container_definitions": [container]})
    return out


def _text(value):
    """A value as text, as Jinja's ``string`` filter writes it (``True``, ``None``, ``1.5``)."""
    return value if isinstance(value, str) else str(value)


def task_definition_outputs(topology, result):
    """``task_definition_outputs``: service name -> the revision the ecs_taskdefinition module left (``result``:
    its return, one ``task_definitions`` entry per service in the topology's order) and that family's changes."""
    out = {}
    for svc, definition in zip(topology["services"], result["task_definitions"]):
        resource = "task definition " + svc["family"]
        out[svc["name"]] = {"arn": definition.get("arn"), "family": svc["family"],
                            "revision": definition.get("revision"), "image": definition.get("image"),
                            "changed": definition.get("changed"),
                            "changes": [c for c in result.get("changes") or [] if c.get("resource") == resource]}
    return out


# --- playbooks/failover.yml ---

def zonal_shift_wanted(shift, switch_order):
    """Whether the failover shifts the ALB away from the AZ it left: ``failover_zonal_shift`` always, or auto when
    the switch moved the traffic first (a target group of that AZ had no healthy target: an outage)."""
    return shift == "always" or (shift == "auto" and _text(switch_order or "").startswith(TRAFFIC_FIRST_START))


def failover_inputs(shift, expires_in, switch_order=None):
    """``expires_in_valid``: ``failover_zonal_shift_expires_in`` is one ARC accepts; ``zonal_shift``: whether to shift
    (``zonal_shift_wanted``) after a switch that ran in ``switch_order`` (the ecs_app_services module's)."""
    from ansible_collections.bandup.ecs.plugins.module_utils._elbv2.zonal_shift import expires_in_minutes

    return {"expires_in_valid": expires_in_minutes(expires_in) is not None,
            "zonal_shift": zonal_shift_wanted(shift, switch_order)}


# --- playbooks/rollback.yml ---

# The ecs_rollback_info module's option names in its problems, as the playbook's variables.
ROLLBACK_VARIABLES = ((re.compile(r"^revision:"), "rollback_revision:"),
                      (re.compile(r"^services:"), "rollback_services:"),
                      (re.compile(r"name one with revision$"), "name one with -e rollback_revision=N"))
REVISION = re.compile(r"^[1-9][0-9]*$")


def rollback_problems(problems):
    """The module's problems in the playbook's words (its variables, not the module's options), one line."""
    out = []
    for problem in problems or []:
        for pattern, replacement in ROLLBACK_VARIABLES:
            problem = pattern.sub(replacement, problem)
        out.append(problem)
    return "; ".join(out)


def rollback_summary(services):
    """``name: revision 3 -> 2 (last-good); ...`` of the revisions the module chose."""
    parts = [f"{name}: revision {chosen['current_revision']} -> {chosen['revision']} ({chosen['source']})"
             for name, chosen in (services or {}).items()]
    return "".join(part + ("" if idx == len(parts) - 1 else ";") + " " for idx, part in enumerate(parts))


def rollback_inputs(choice=None, revision=None):
    """``revision_valid``: ``rollback_revision`` is a revision number; ``problems`` and ``summary`` of the
    ecs_rollback_info module's result (``choice``)."""
    choice = choice or {}
    return {"revision_valid": REVISION.match(_text(revision)) is not None,
            "problems": rollback_problems(choice.get("problems")), "summary": rollback_summary(choice.get("services"))}
