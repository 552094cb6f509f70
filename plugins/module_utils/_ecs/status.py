# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only views of a deployment: the report (what runs where, what it costs, and a picture of it), the services'
placement state (ecs_service_info) and the revision each service would roll back to (ecs_rollback_info).

Listeners, rules, target groups and task definitions are read with the readers of the code that writes them
(elb_listener, load_balancer, taskdef), so the report and the converges agree. AWS errors are raised as
AnsibleAWSError (amazon.aws AWSErrorHandler); the modules fail with them through run() (module_utils/aws.py).
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_service
from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import elb_listener
from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import load_balancer
from ansible_collections.bandup.ecs.plugins.module_utils._pricing import pricing
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import rollout
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import taskdef
from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import zonal_shift

# Recorded by the service role with every change ("server" or "client"), for endpoints that report no
# deployments[].serviceConnectConfiguration.
SC_ROLE_TAG = "bandup:sc-role"


# The load balancer as the load balancer code reads it (None when it does not exist).
read_load_balancer = load_balancer.find_load_balancer


@AWSErrorHandler.common_error_handler("describe services {names} of cluster {cluster}")
def read_services(ecs, cluster, names):
    """ACTIVE services by name (DescribeServices takes 10 at a time); a missing cluster means none."""
    return {name: svc for name, svc in ecs_service.describe_many(ecs, cluster, names).items()
            if svc.get("status") == "ACTIVE"}


def read_weights(elb, lb_arn):
    """Target group name -> weight in the forward actions of the load balancer's listeners (first seen wins), read
    with the readers and the weight rule of the code that writes them (elb_listener: every page; a group whose weight
    an answer leaves out, as elb_listener.forward_weights reads it)."""
    names = {tg["TargetGroupArn"]: tg["TargetGroupName"] for tg in load_balancer.target_groups_of(elb, lb_arn)}
    weights = {}
    for listener in elb_listener.list_listeners(elb, lb_arn):
        for rule in elb_listener.list_rules(elb, listener["ListenerArn"]):
            for action in rule.get("Actions", []):
                if action.get("Type") != "forward":
                    continue
                for arn, weight in elb_listener.forward_weights(action).items():
                    weights.setdefault(names.get(arn, arn), weight)
    return weights


def service_connect_endpoint(svc, app=None):
    """'dns:port' (server), 'client', 'off', or None when neither the response nor the tag tells."""
    for deployment in svc.get("deployments", []):
        if deployment.get("status") != "PRIMARY" or "serviceConnectConfiguration" not in deployment:
            continue
        config = deployment["serviceConnectConfiguration"]
        if not config.get("enabled"):
            return "off"
        aliases = [f"{a.get('dnsName') or entry.get('discoveryName') or entry['portName']}:{a['port']}"
                   for entry in config.get("services", []) for a in entry.get("clientAliases", [])]
        return ", ".join(aliases) or "client"
    recorded = ecs_service.tag_dict(svc).get(SC_ROLE_TAG)
    if recorded == "server" and app:
        return f"{app['service_connect']['dns_name']}:{app['service_connect']['client_alias_port']}"
    return recorded


def monthly_cost(topology, prices, live_counts=None, architecture="X86_64", assumptions=None):
    """An estimated monthly cost: Fargate and Fargate Spot per placement (live task counts where known), the ALB
    (hours and the assumed LCUs), the NAT gateways (hours and the assumed GB they process), CloudWatch Logs
    ingestion (the assumed GB) and the public IPv4 addresses (the ALB's, one per AZ, and the NAT gateways'), at the
    list prices of the deployment's region. Returns the lines, the total and
    what it assumes."""
    assumptions = dict({"nat_gateways": 0, "nat_gb_per_month": 0, "log_gb_per_month": 0, "alb_lcus": 1},
                       **(assumptions or {}))
    live_counts = live_counts or {}
    table, priced_region = pricing.table_for(prices, topology["region"])
    hours = prices["hours_per_month"]
    lines, total = [], 0.0

    def add(name, kind, cost, tasks=0, capacity_provider="-"):
        nonlocal total
        cost = round(cost, 2)
        total += cost
        lines.append({"service": name, "kind": kind, "tasks": tasks, "capacity_provider": capacity_provider,
                      "monthly": cost})

    for svc in topology["services"]:
        for placement in svc["placements"]:
            count = live_counts.get(placement["service_name"], placement["desired_count"])
            spot = placement["capacity_provider"] == "FARGATE_SPOT"
            rates = table["fargate_spot" if spot else "fargate"][architecture]
            per_task = svc["cpu"] / 1024 * rates["vcpu_hour"] + svc["memory"] / 1024 * rates["gb_hour"]
            add(placement["service_name"], "fargate_spot" if spot else "fargate", per_task * count * hours, count,
                placement["capacity_provider"])
    add("alb", "alb", (table["alb_hour"] + table["alb_lcu_hour"] * assumptions["alb_lcus"]) * hours)
    if assumptions["nat_gateways"]:
        add("nat-gateways", "nat", assumptions["nat_gateways"] * table["nat_hour"] * hours
            + assumptions["nat_gb_per_month"] * table["nat_gb"])
    # Public IPv4 addresses are billed by the hour: the internet-facing ALB has one per AZ it spans (more while it
    # scales out), each NAT gateway one (its Elastic IP).
    addresses = len({placement["az"] for svc in topology["services"] for placement in svc["placements"]}) \
        + assumptions["nat_gateways"]
    add("public-ipv4", "public_ipv4", addresses * table["public_ipv4_hour"] * hours)
    assumptions = dict(assumptions, public_ipv4_addresses=addresses)
    add("logs", "logs", assumptions["log_gb_per_month"] * table["logs_ingest_gb"])
    source = prices.get("source", pricing.SOURCE_TABLE)
    return {"lines": lines, "total": round(total, 2), "currency": prices["currency"], "estimate": True,
            "prices_checked": prices["checked"], "region": topology["region"], "assumptions": assumptions,
            "prices_source": source,
            "prices_region": prices.get("table_region", priced_region) if source == pricing.SOURCE_TABLE
            else priced_region,
            "prices_effective": prices.get("effective"), "prices_published": prices.get("published"),
            "pricing_region": prices.get("pricing_region"), "prices_from_table": prices.get("from_table", []),
            "table_checked": prices.get("table_checked", prices["checked"]),
            "table_region": prices.get("table_region", priced_region),
            "fallback_reason": prices.get("fallback_reason")}


def rows(topology, services, weights, images):
    """One row per app and AZ: what a person wants to see at a glance."""
    out = []
    for svc in topology["services"]:
        for placement in svc["placements"]:
            live = services.get(placement["service_name"])
            tags = ecs_service.tag_dict(live)
            live_taskdef = (live or {}).get("taskDefinition", "")
            out.append({
                "app": svc["name"],
                "az": placement["az"],
                "service": placement["service_name"],
                "standing": (ecs_service.live_standing(tags) or placement["standing"]) if live else placement["standing"],
                "exists": live is not None,
                "desired": live.get("desiredCount") if live else None,
                "running": live.get("runningCount") if live else None,
                "revision": taskdef.revision_of(live_taskdef)[1],
                "image_digest": images.get(live_taskdef),
                "service_connect": service_connect_endpoint(live, svc) if live else None,
                "namespace": placement.get("namespace"),
                "target_group": placement["target_group_name"] if svc["alb"]["enabled"] else None,
                "weight": weights.get(placement["target_group_name"]) if svc["alb"]["enabled"] else None,
            })
    return out


@AWSErrorHandler.common_error_handler("describe the task definitions {taskdef_arns}")
def image_digests(ecs, taskdef_arns):
    """Task definition ARN -> digest of its first container's image (None when not pinned by digest)."""
    out = {}
    for arn in sorted(set(a for a in taskdef_arns if a)):
        image = taskdef.describe(ecs, arn)["taskDefinition"]["containerDefinitions"][0]["image"]
        out[arn] = image.split("@", 1)[1] if "@" in image else None
    return out


def deployment_report(ecs, elb, topology, prices, architecture, assumptions, arc=None):
    """deployment_status's values: the report of the deployment ``topology`` describes, its summary and pictures.
    ``arc`` returns the arc-zonal-shift client (made only when the load balancer exists): its active zonal shifts."""
    names = [p["service_name"] for svc in topology["services"] for p in svc["placements"]]
    services = read_services(ecs, topology["cluster"], names)
    images = image_digests(ecs, [svc.get("taskDefinition") for svc in services.values()])
    lb = read_load_balancer(elb, topology["load_balancer"])
    weights = read_weights(elb, lb["LoadBalancerArn"]) if lb else {}
    report = {
        "cluster": topology["cluster"],
        "load_balancer": topology["load_balancer"],
        "active_az": topology["active_az"],
        "active_az_source": topology.get("active_az_source", "inventory"),
        "alb_dns_name": lb["DNSName"] if lb else None,
        "zonal_shifts": [zonal_shift.summary(shift) for shift in zonal_shift.active_shifts(
            arc(), lb["LoadBalancerArn"])] if lb and arc else [],
        "cells": topology.get("cells", []),
        "rows": rows(topology, services, weights, images),
    }
    report["cost"] = monthly_cost(topology, prices, {name: svc["desiredCount"] for name, svc in services.items()},
                                  architecture, assumptions)
    return {"report": report, "summary": summary_lines(report), "mermaid": mermaid(report), "dot": graphviz(report)}


@AWSErrorHandler.common_error_handler("describe services {names} of cluster {cluster}")
def placements(ecs, cluster, names):
    """ecs_service_info's values: each service's placement state (``exists=false`` when missing or INACTIVE)."""
    if not 1 <= len(names) <= 10:
        raise AnsibleAWSError(message="names: give 1 to 10 service names")
    live = {s["serviceName"]: s for s in ecs_service.describe_services(ecs, cluster, names)
            if s.get("status") != "INACTIVE"}
    return {"services": {name: ecs_service.placement_state(live.get(name)) for name in names}}


class _Revisions:
    """DescribeTaskDefinition answers of one run, by 'family' (its newest ACTIVE revision) or 'family:revision'."""

    def __init__(self, ecs):
        self.ecs = ecs
        self.seen = {}

    def get(self, name):
        """The task definition, or None when it does not exist."""
        if name not in self.seen:
            self.seen[name] = taskdef.find(self.ecs, name)
        return self.seen[name]


def _rollback_choice(name, service, revisions, requested):
    """(the service's entry, a problem or None)."""
    family, current = taskdef.revision_of(service["taskDefinition"])
    good = rollout.good_revisions(service, ecs_service.tag_dict(service))
    latest = (revisions.get(family) or {}).get("revision")
    entry = dict(family=family, current_revision=current, latest_revision=latest, good_revisions=good,
                 revision=None, source="requested" if requested is not None else "last-good",
                 task_definition_arn=None, image=None)
    if requested is not None:
        found = revisions.get(f"{family}:{requested}")
        if found is None:
            return entry, f"revision: {name}: {family}:{requested} does not exist"
        if found.get("status") != "ACTIVE":
            return entry, f"revision: {name}: {family}:{requested} is {found.get('status')} (deregistered)"
        chosen = found
    else:
        candidates, chosen, skipped = list(good), None, []
        while chosen is None:
            rev, why = rollout.rollback_revision(candidates, latest, current)
            if rev is None:
                skipped_text = f"; deregistered: {', '.join(map(str, skipped))}" if skipped else ""
                return entry, f"revision: {name}: {why}{skipped_text}; name one with revision"
            found = revisions.get(f"{family}:{rev}")
            if found is not None and found.get("status") == "ACTIVE":
                chosen = found
            else:
                skipped.append(rev)
                candidates.remove(rev)
    return dict(entry, revision=chosen["revision"], task_definition_arn=chosen["taskDefinitionArn"],
                image=(chosen.get("containerDefinitions") or [{}])[0].get("image")), None


@AWSErrorHandler.common_error_handler("read the services {names} of cluster {cluster}")
def rollback_choices(ecs, cluster, names, requested=None):
    """ecs_rollback_info's values: per service the revision to roll back to (``requested``, or the last good one),
    and the problems (one message per service, naming the option to change) where none can be chosen."""
    if requested is not None and requested < 1:
        raise AnsibleAWSError(message=f"revision: must be a revision number (1 or more), got {requested}")
    revisions, results, problems = _Revisions(ecs), {}, []
    found = ecs_service.describe_many(ecs, cluster, names)
    for name in names:
        service = found.get(name)
        if service is None or service.get("status") != "ACTIVE":
            problems.append(f"services: {name} does not exist in cluster {cluster}"
                            + (f" (it is {service['status']})" if service else ""))
            continue
        results[name], problem = _rollback_choice(name, service, revisions, requested)
        if problem:
            problems.append(problem)
    return {"services": results, "problems": problems}


def _cell(value):
    return "-" if value is None else str(value)


def summary_lines(report):
    """The table a person reads at a glance."""
    head = ("app", "az", "standing", "desired", "running", "rev", "image", "cell namespace", "service connect",
            "weight")
    table = [head]
    for row in report["rows"]:
        digest = row["image_digest"]
        table.append((row["app"], row["az"], row["standing"] if row["exists"] else "absent", _cell(row["desired"]),
                      _cell(row["running"]), _cell(row["revision"]), digest[:19] if digest else "-",
                      _cell(row.get("namespace")), _cell(row["service_connect"]), _cell(row["weight"])))
    widths = [max(len(line[i]) for line in table) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in table]
    lines += [
        "",
        f"cluster {report['cluster']}   active AZ {report['active_az']} ({report['active_az_source']})",
        f"ALB     {report['alb_dns_name'] or '-'}",
    ]
    if report.get("cells"):
        lines.append("cells   " + ", ".join(f"{cell['az']}: {cell['namespace']}" for cell in report["cells"]))
    for shift in report.get("zonal_shifts", []):
        lines.append(f"zonal shift ACTIVE away from {shift['away_from']} until {shift['expiry_time']} "
                     f"({shift['zonal_shift_id']}: {shift['comment']})")
    return lines + cost_lines(report["cost"])


def cost_lines(cost):
    """The cost estimate, labelled as one, with its prices' region and date and what it assumes."""
    money = cost["currency"]
    by_kind = {}
    for line in cost["lines"]:
        entry = by_kind.setdefault(line["kind"], [0.0, 0])
        entry[0] += line["monthly"]
        entry[1] += line["tasks"]
    assumed = cost["assumptions"]
    parts = []
    if "fargate" in by_kind:
        parts.append(f"Fargate {by_kind['fargate'][1]} tasks {by_kind['fargate'][0]:.2f}")
    if "fargate_spot" in by_kind:  # Spot prices float: the table's figure is the usual discount, not a quote
        parts.append(f"Fargate Spot {by_kind['fargate_spot'][1]} tasks ~{by_kind['fargate_spot'][0]:.2f} "
                     "(Spot prices vary: an estimate)")
    parts.append(f"ALB {by_kind['alb'][0]:.2f}")
    if "nat" in by_kind:
        parts.append(f"NAT gateways ({assumed['nat_gateways']}) {by_kind['nat'][0]:.2f}")
    parts.append(f"CloudWatch Logs ingestion {by_kind['logs'][0]:.2f}")
    if "public_ipv4" in by_kind:
        parts.append(f"public IPv4 addresses ({assumed['public_ipv4_addresses']}) {by_kind['public_ipv4'][0]:.2f}")
    return [
        f"cost    estimate ~{cost['total']:.2f} {money}/month at {price_source(cost)}",
        *([f"        from the shipped table (recorded {cost['table_checked']}, {cost['table_region']}): "
           + ", ".join(cost["prices_from_table"])] if cost.get("prices_from_table") else []),
        "        " + ", ".join(parts),
        f"        assumed: {assumed['nat_gateways']} NAT gateways processing {assumed['nat_gb_per_month']} GB/month, "
        f"{assumed['log_gb_per_month']} GB/month of logs ingested, {assumed['alb_lcus']} ALB LCU on average, "
        f"{assumed.get('public_ipv4_addresses', 0)} public IPv4 addresses (the ALB's, one per AZ, and the NAT gateways')",
        "        not counted: " + ", ".join(NOT_COUNTED),
    ]


# What the estimate leaves out (the summary lists it under the figures).
NOT_COUNTED = ("data transfer out", "log storage", "ECR storage", "Container Insights", "Cloud Map",
               "Fargate ephemeral storage over 20 GB", "CloudWatch alarms and metrics", "Route 53 and ACM",
               "taxes and discounts (Savings Plans, credits, Free Tier)")


def price_source(cost):
    """Which prices the estimate used, and of which date: the Price List API's (effective and publication date)
    or the shipped table's (its date, and why the API was not used)."""
    if cost.get("prices_source") == pricing.SOURCE_API:
        return (f"{cost['region']} list prices from the AWS Price List API (pricing:GetProducts in "
                f"{cost['pricing_region']}), effective {cost['prices_effective']}, published "
                f"{cost['prices_published']}")
    where = cost["prices_region"] if cost["prices_region"] == cost["region"] else (
        f"{cost['prices_region']} (no price table for {cost['region']})")
    why = f": {cost['fallback_reason']}" if cost.get("fallback_reason") else ""
    return f"{where} list prices recorded {cost['prices_checked']} (the shipped table{why})"


def _node(name):
    return name.replace("-", "_").replace(".", "_")


def _servers(report):
    """[(client row, endpoint, server service)]: each client's Service Connect server in its own cell (namespace)."""
    servers = {(row.get("namespace"), row["service_connect"]): row["service"] for row in report["rows"]
               if row["service_connect"] and ":" in row["service_connect"]}
    return [(row, endpoint, owner) for (namespace, endpoint), owner in servers.items() for row in report["rows"]
            if row["service"] != owner and row["service_connect"] and row.get("namespace") == namespace]


def _cell_label(report, az):
    namespaces = sorted({row.get("namespace") for row in report["rows"] if row["az"] == az} - {None})
    return f"{az} cell, namespace {', '.join(namespaces)}" if namespaces else az


def mermaid(report):
    """Mermaid source: ALB -> target groups -> services per AZ cell -> Service Connect -> the cell's server."""
    out = ["flowchart LR", f"  alb([ALB {report['load_balancer']}])"]
    for az in sorted({row["az"] for row in report["rows"]}):
        out.append(f"  subgraph {_node(az)}[\"{_cell_label(report, az)}\"]")
        for row in (r for r in report["rows"] if r["az"] == az):
            out.append(f"    {_node(row['service'])}[\"{row['service']}<br/>{row['standing']} "
                       f"{_cell(row['running'])}/{_cell(row['desired'])}\"]")
        out.append("  end")
    for row in report["rows"]:
        if row["target_group"]:
            out.append(f"  alb -- \"weight {_cell(row['weight'])}\" --> {_node(row['target_group'])}_tg"
                       f"[/{row['target_group']}/] --> {_node(row['service'])}")
    for row, endpoint, owner in _servers(report):
        out.append(f"  {_node(row['service'])} -. \"Service Connect {endpoint}\" .-> {_node(owner)}")
    return "\n".join(out) + "\n"


def graphviz(report):
    """The same picture as Graphviz DOT, rendered to SVG where `dot` exists."""
    out = ["digraph bandup {", "  rankdir=LR; node [shape=box, fontname=Helvetica];",
           f"  alb [label=\"ALB\\n{report['load_balancer']}\", shape=oval];"]
    for index, az in enumerate(sorted({row["az"] for row in report["rows"]})):
        out.append(f"  subgraph cluster_{index} {{ label=\"{_cell_label(report, az)}\";")
        for row in (r for r in report["rows"] if r["az"] == az):
            style = "bold" if row["standing"] == "active" else "dashed"
            out.append(f"    {_node(row['service'])} [label=\"{row['service']}\\n{row['standing']} "
                       f"{_cell(row['running'])}/{_cell(row['desired'])}\", style={style}];")
        out.append("  }")
    for row in report["rows"]:
        if row["target_group"]:
            tg = _node(row["target_group"]) + "_tg"
            out.append(f"  {tg} [label=\"{row['target_group']}\", shape=parallelogram];")
            out.append(f"  alb -> {tg} [label=\"weight {_cell(row['weight'])}\"];")
            out.append(f"  {tg} -> {_node(row['service'])};")
    for row, endpoint, owner in _servers(report):
        out.append(f"  {_node(row['service'])} -> {_node(owner)} [style=dotted, label=\"{endpoint}\"];")
    out.append("}")
    return "\n".join(out) + "\n"
