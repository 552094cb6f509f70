#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: network
short_description: The network of a bandup.ecs deployment in one call (VPC, subnets, gateways, routes, security groups)
version_added: 0.2.0
description:
  - Ensures the network of a deployment, that is a VPC (DNS support and hostnames), an internet gateway, a public and a
    private subnet per availability zone, a NAT gateway (with an Elastic IP) per AZ in that AZ's public subnet
    when I(nat_gateways=true), a public route table (default route through the internet gateway) and a private
    route table per AZ (default route through that AZ's NAT gateway), and the security groups with their ingress
    rules.
  - With I(vpc_id) an existing VPC and subnets are adopted instead; they are only read and checked (every subnet
    exists, lies in its AZ and belongs to the VPC) and only the security groups are ensured in the VPC.
  - Resources are found by the deployment's I(lookup_tags) (the VPC, the internet gateway, the route tables, which also
    carry a C(Name) tag), by CIDR inside the VPC (subnets), by subnet (NAT gateways) and by name inside the VPC
    (security groups), so a run interrupted half-way is completed by the next run instead of duplicating
    resources. Every resource is created with its tags in the same call.
  - A network that needs no change costs seven reads (DescribeVpcs, DescribeVpcAttribute C(enableDnsHostnames),
    DescribeSubnets, DescribeInternetGateways, DescribeNatGateways, DescribeRouteTables, DescribeSecurityGroups);
    DNS support is set with DNS hostnames (AWS enables hostnames only on top of DNS support) and is not read again.
  - Only the default route (C(0.0.0.0/0)) of the managed route tables is managed; other routes are left alone.
    Ingress rules of the managed security groups are purged to I(security_groups[].rules); egress is left at
    what the group has (AWS creates a group with an allow-all egress rule). Tags are added, never removed.
author:
  - Bandup platform team (@bandup)
options:
  name:
    description:
      - The deployment's name; prefix of the C(Name) tags (C(<name>), C(<name>-public-<az suffix>),
        C(<name>-private-<az suffix>), C(<name>-<az>) for a NAT gateway and its address,
        C(<name>-public) and C(<name>-private-<az suffix>) for the route tables).
    type: str
    required: true
  tags:
    description: Tags set on every resource (added where missing; tags are never removed).
    type: dict
    required: true
  lookup_tags:
    description:
      - The tags that identify the deployment's VPC, internet gateway, route tables and Elastic IPs (looked up by
        them); each resource carries them. Keep them stable (not user tags that may change). Default I(tags).
    type: dict
  availability_zones:
    description: The availability zones, in the order of I(public_subnet_cidrs) and I(private_subnet_cidrs).
    type: list
    elements: str
    required: true
  vpc_id:
    description:
      - Adopt this existing VPC; requires I(public_subnet_ids) and I(private_subnet_ids). Nothing but the
        security groups is written.
    type: str
  public_subnet_ids:
    description: With I(vpc_id), availability zone to an existing public subnet id.
    type: dict
  private_subnet_ids:
    description: With I(vpc_id), availability zone to an existing private subnet id.
    type: dict
  vpc_cidr:
    description: CIDR block of a created VPC (an existing VPC's CIDR cannot change; a difference fails).
    type: str
    default: 10.20.0.0/16
  public_subnet_cidrs:
    description: CIDRs of the public subnets, one per I(availability_zones) entry.
    type: list
    elements: str
    default: []
  private_subnet_cidrs:
    description: CIDRs of the private subnets, one per I(availability_zones) entry.
    type: list
    elements: str
    default: []
  nat_gateways:
    description: A NAT gateway per AZ, and the private subnets routed through their AZ's gateway.
    type: bool
    default: true
  security_groups:
    description: The security groups, each with its complete set of ingress rules.
    type: list
    elements: dict
    default: []
    suboptions:
      key:
        description: Key of the group's id in the returned C(network.security_groups).
        type: str
        required: true
      name:
        description: Group name (unique in the VPC).
        type: str
        required: true
      description:
        description: Description of a created group (AWS cannot change it later).
        type: str
      rules:
        description: Ingress rules; a rule has a I(cidr_ip) or a I(group_name).
        type: list
        elements: dict
        default: []
        suboptions:
          proto:
            description: IP protocol (C(tcp), C(udp), C(icmp), or C(all)).
            type: str
            default: tcp
          ports:
            description: Ports; each one is a rule (ignored for C(all)).
            type: list
            elements: int
            default: []
          cidr_ip:
            description: IPv4 CIDR allowed in.
            type: str
          group_name:
            description: Name of a group in the same VPC whose members are allowed in.
            type: str
          rule_desc:
            description: The rule's description.
            type: str
  wait_timeout:
    description: Seconds to wait for NAT gateways this run created to become available.
    type: int
    default: 600
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The network of a deployment in two AZs with NAT gateways
  bandup.ecs.network:
    name: bandup-prod
    tags:
      bandup:managed-by: bandup.ecs
      bandup:deployment: bandup-prod
      environment: prod
    lookup_tags:
      bandup:managed-by: bandup.ecs
      bandup:deployment: bandup-prod
    availability_zones: [eu-west-1a, eu-west-1b]
    vpc_cidr: 10.20.0.0/16
    public_subnet_cidrs: [10.20.0.0/24, 10.20.1.0/24]
    private_subnet_cidrs: [10.20.10.0/24, 10.20.11.0/24]
    security_groups:
      - key: alb
        name: bandup-prod-alb
        rules:
          - {ports: [80, 443], cidr_ip: 0.0.0.0/0, rule_desc: HTTP(S) to the load balancer}
      - key: backend
        name: bandup-prod-backend
        rules:
          - {ports: [8080], group_name: bandup-prod-alb, rule_desc: load balancer to backend}
  register: network

- name: Security groups in an existing VPC (the subnets are only checked)
  bandup.ecs.network:
    name: bandup-prod
    tags: {bandup:managed-by: bandup.ecs, bandup:deployment: bandup-prod}
    availability_zones: [eu-west-1a, eu-west-1b]
    vpc_id: vpc-0123456789abcdef0
    public_subnet_ids: {eu-west-1a: subnet-0aaa, eu-west-1b: subnet-0bbb}
    private_subnet_ids: {eu-west-1a: subnet-0ccc, eu-west-1b: subnet-0ddd}
    security_groups:
      - {key: alb, name: bandup-prod-alb, rules: [{ports: [80, 443], cidr_ip: 0.0.0.0/0}]}
"""

RETURN = r"""
network:
  description:
    - The ids of the network. In check mode, resources that do not exist yet are missing (an empty C(vpc_id)
      for a new deployment).
  returned: always
  type: dict
  contains:
    vpc_id:
      description: The VPC.
      type: str
      sample: vpc-0123456789abcdef0
    public_subnets:
      description: AZ to public subnet id.
      type: dict
      sample: {"eu-west-1a": "subnet-0aaa", "eu-west-1b": "subnet-0bbb"}
    private_subnets:
      description: AZ to private subnet id.
      type: dict
      sample: {"eu-west-1a": "subnet-0ccc", "eu-west-1b": "subnet-0ddd"}
    security_groups:
      description: Security group key to id.
      type: dict
      sample: {"alb": "sg-0123", "backend": "sg-0456"}
    internet_gateway_id:
      description: The internet gateway (not with I(vpc_id)).
      type: str
      sample: igw-0123456789abcdef0
    nat_gateways:
      description: AZ to NAT gateway id.
      type: dict
      sample: {"eu-west-1a": "nat-0123456789abcdef0"}
    route_tables:
      description: Route table (C(public), C(private-<az suffix>)) to id.
      type: dict
      sample: {"public": "rtb-0123", "private-1a": "rtb-0456"}
changes:
  description: What was (in check mode, would be) changed.
  returned: always
  type: list
  elements: str
  sample: ["create subnet private us-east-1a 10.20.10.0/24", "authorize bandup-prod-alb tcp/80 from 0.0.0.0/0"]
"""

import ipaddress

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.bandup.ecs.plugins.module_utils import network as api
from ansible_collections.bandup.ecs.plugins.module_utils import once
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule


class Run:
    """Writes through ``write`` (skipped in check mode, always recorded) and the before/after of each item."""

    def __init__(self, module, client):
        self.module, self.client = module, client
        self.changes, self.before, self.after = [], {}, {}
        self.region = module.region or ""

    def write(self, change, func, *args):
        self.changes.append(change)
        if self.module.check_mode:
            return None
        return func(self.client, *args)

    def create(self, change, func, *args):
        """Like ``write``, for a write that a blind resend would duplicate or fail (module_utils once.write_once):
        ``func(client, once_client, *args)``, the second a client without botocore's retries."""
        self.changes.append(change)
        if self.module.check_mode:
            return None
        return func(self.client, self.module.write_client("ec2"), *args)

    def item(self, key, before, after):
        if before is not None:
            self.before[key] = before
        self.after[key] = after

    def tags(self, label, resource_id, resource, wanted):
        """Add the tags of ``wanted`` that ``resource`` lacks; return its tags after."""
        missing = api.missing_tags(resource, wanted)
        if missing:
            self.write(f"tag {label} {sorted(missing)}", api.create_tags, resource_id, missing)
        return dict(api.tags_of(resource), **missing)


def suffix(az, region):
    return az.replace(region, "", 1).replace("-", "") if region and az.startswith(region) else az.replace("-", "")


def ensure_vpc(run, params, vpcs, hostnames):
    name, tags, cidr = params["name"], params["tags"], params["vpc_cidr"]
    if len(vpcs) > 1:
        run.module.fail_json(msg=f"more than one VPC carries the tags {params['lookup_tags']}: "
                                 f"{[v['VpcId'] for v in vpcs]}")
    wanted_tags = dict(tags, Name=name)
    after = {"cidr": cidr, "dns_hostnames": True, "tags": wanted_tags}
    if not vpcs:
        vpc = run.create(f"create VPC {cidr}", api.create_vpc, cidr, wanted_tags, params["lookup_tags"])
        vpc_id = vpc["VpcId"] if vpc else None
        # A new VPC has DNS support on and DNS hostnames off.
        run.write("enable DNS hostnames", api.set_vpc_attribute, vpc_id, "EnableDnsHostnames", True)
        run.item("vpc", None, after)
        return vpc_id
    vpc = vpcs[0]
    if vpc["CidrBlock"] != cidr:
        run.module.fail_json(msg=f"vpc_cidr: {cidr} differs from the CIDR {vpc['CidrBlock']} of the deployment's "
                                 f"VPC {vpc['VpcId']}; the CIDR of an existing VPC cannot change")
    if not hostnames:
        # AWS turns DNS hostnames on only on top of DNS support.
        run.write("enable DNS support", api.set_vpc_attribute, vpc["VpcId"], "EnableDnsSupport", True)
        run.write("enable DNS hostnames", api.set_vpc_attribute, vpc["VpcId"], "EnableDnsHostnames", True)
    tags_after = run.tags(f"VPC {vpc['VpcId']}", vpc["VpcId"], vpc, wanted_tags)
    run.item("vpc", {"cidr": vpc["CidrBlock"], "dns_hostnames": hostnames, "tags": api.tags_of(vpc)},
             dict(after, tags=tags_after))
    return vpc["VpcId"]


def subnet_plan(params, region):
    for tier in ("public", "private"):
        for az, cidr in zip(params["availability_zones"], params[f"{tier}_subnet_cidrs"]):
            yield tier, az, cidr, suffix(az, region)


def check_subnet_cidrs(run, params, subnets):
    """Before any write: a tier's subnet in an AZ cannot take another CIDR (AWS cannot change a subnet's CIDR, and a
    second subnet would re-wire the route tables and strand the load balancer and tasks in the first)."""
    errors = []
    for tier, az, cidr, _sfx in subnet_plan(params, run.region):
        live = [s for s in subnets if s["AvailabilityZone"] == az and api.tags_of(s).get("bandup:tier") == tier]
        if live and all(s["CidrBlock"] != cidr for s in live):
            errors.append(f"{tier}_subnet_cidrs: {cidr} for {az} differs from {live[0]['CidrBlock']}, the CIDR of the "
                          f"existing {tier} subnet {live[0]['SubnetId']}; AWS cannot change the CIDR of a subnet: "
                          f"keep {live[0]['CidrBlock']}, or tear the deployment down and deploy it anew")
    if errors:
        run.module.fail_json(msg="; ".join(errors))


def ensure_subnets(run, params, vpc_id, subnets):
    by_cidr = {s["CidrBlock"]: s for s in subnets}
    out = {"public": {}, "private": {}}
    for tier, az, cidr, sfx in subnet_plan(params, run.region):
        tags = dict(params["tags"], Name=f"{params['name']}-{tier}-{sfx}", **{"bandup:tier": tier})
        label = f"subnet {tier} {az} {cidr}"
        after = {"cidr": cidr, "az": az, "tags": tags}
        live = by_cidr.get(cidr)
        if live is None:
            created = run.create(f"create {label}", api.create_subnet, vpc_id, cidr, az, tags)
            if created:
                out[tier][az] = created["SubnetId"]
            run.item(label, None, after)
            continue
        if live["AvailabilityZone"] != az:
            run.module.fail_json(msg=f"{tier}_subnet_cidrs: subnet {live['SubnetId']} with CIDR {cidr} lies in "
                                     f"{live['AvailabilityZone']}, not in {az}")
        out[tier][az] = live["SubnetId"]
        tags_after = run.tags(label, live["SubnetId"], live, tags)
        run.item(label, dict(after, tags=api.tags_of(live)), dict(after, tags=tags_after))
    return out


def ensure_igw(run, params, vpc_id, igws):
    """The internet gateway attached to the VPC; a tagged detached one (an interrupted run's) is attached."""
    tags = dict(params["tags"], Name=params["name"])
    attached = [g for g in igws if any(a.get("VpcId") == vpc_id for a in g.get("Attachments") or [])]
    detached = [g for g in igws if not g.get("Attachments")]
    igw = (attached or detached or [None])[0]
    if igw is None:
        created = run.create("create internet gateway", api.create_internet_gateway, tags)
        igw_id, before, tags_after = created["InternetGatewayId"] if created else None, None, tags
    else:
        igw_id, before = igw["InternetGatewayId"], {"attached": bool(attached), "tags": api.tags_of(igw)}
        tags_after = run.tags(f"internet gateway {igw_id}", igw_id, igw, tags)
    if not attached:
        run.create("attach the internet gateway", api.attach_internet_gateway, igw_id, vpc_id)
    run.item("internet gateway", before, {"attached": True, "tags": tags_after})
    return igw_id


def ensure_nats(run, params, public_subnets, nats):
    """{az: NAT gateway id}; waits for the gateways this run created (or found pending)."""
    out, pending, addresses = {}, [], None
    if not params["nat_gateways"]:
        return out
    by_subnet = {}
    for nat in nats:
        by_subnet.setdefault(nat["SubnetId"], nat)
    for az in params["availability_zones"]:
        tags = dict(params["tags"], Name=f"{params['name']}-{az}")
        subnet_id = public_subnets.get(az)
        label = f"NAT gateway {az}"
        live = by_subnet.get(subnet_id) if subnet_id else None
        if live is not None:
            out[az] = live["NatGatewayId"]
            if live["State"] == "pending":
                pending.append(live["NatGatewayId"])
            tags_after = run.tags(label, live["NatGatewayId"], live, tags)
            run.item(label, {"subnet": subnet_id, "tags": api.tags_of(live)}, {"subnet": subnet_id, "tags": tags_after})
            continue
        run.item(label, None, {"subnet": subnet_id or f"(new public subnet in {az})", "tags": tags})
        if run.module.check_mode:
            run.changes.append(f"create {label} with an Elastic IP")
            continue
        # An address allocated by an interrupted run (tagged like the gateway, not associated) is reused.
        if addresses is None:
            addresses = api.describe_addresses(run.client, params["lookup_tags"])
        free = [a for a in addresses if api.tags_of(a).get("Name") == tags["Name"] and not a.get("AssociationId")]
        allocation_id = free[0]["AllocationId"] if free else run.create(
            f"allocate an Elastic IP for {label}", api.allocate_address, tags)
        token = api.nat_client_token(params["name"], az, subnet_id)
        nat = run.create(f"create {label}", api.create_nat_gateway, subnet_id, allocation_id, token, tags)
        out[az] = nat["NatGatewayId"]
        pending.append(nat["NatGatewayId"])
    if pending and not run.module.check_mode:
        api.wait_nat_gateways(run.client, pending, params["wait_timeout"])
    return out


def route_plan(params, region, subnets, igw_id, nat_ids):
    """(route table key, its subnet ids, the default route's target) for the public and each private table.
    A target not known yet (check mode) is a string naming it; None means no default route."""
    plan = [("public", list(subnets["public"].values()), {"GatewayId": igw_id} if igw_id else "internet gateway")]
    for az in params["availability_zones"]:
        target = None
        if params["nat_gateways"]:
            target = {"NatGatewayId": nat_ids[az]} if az in nat_ids else f"NAT gateway {az}"
        plan.append((f"private-{suffix(az, region)}", [subnets["private"][az]] if az in subnets["private"] else [],
                     target))
    return plan


def _target(target):
    return next(iter(target.values())) if isinstance(target, dict) else target


def find_route_table(tables, tags):
    for table in tables:
        if api.has_tags(table, tags) and not any(a.get("Main") for a in table.get("Associations") or []):
            return table
    return None


def ensure_route_tables(run, params, vpc_id, tables, subnets, igw_id, nat_ids):
    associations = api.subnet_associations(tables)
    plan = route_plan(params, run.region, subnets, igw_id, nat_ids)
    # A subnet on the wrong one of these tables is moved by its own table (ReplaceRouteTableAssociation).
    planned = {subnet_id for _key, subnet_ids, _target in plan for subnet_id in subnet_ids}
    out = {}
    for key, subnet_ids, target in plan:
        tags = dict(params["tags"], Name=f"{params['name']}-{key}")
        label = f"route table {key}"
        after = {"default_route": target, "subnets": sorted(subnet_ids), "tags": tags}
        live = find_route_table(tables, dict(params["lookup_tags"], Name=tags["Name"]))
        route, live_subnets = None, {}
        if live is None:
            table = run.create(f"create {label}", api.create_route_table, vpc_id, tags)
            table_id = table["RouteTableId"] if table else None
            run.item(label, None, after)
        else:
            table_id = live["RouteTableId"]
            route = api.default_route(live)
            live_subnets = {s: a for s, (a, t) in associations.items() if t == table_id}
            tags_after = run.tags(label, table_id, live, tags)
            run.item(label, {"default_route": api.route_target(route), "subnets": sorted(live_subnets),
                             "tags": api.tags_of(live)}, dict(after, tags=tags_after))
        if table_id:
            out[key] = table_id
        if target is None and route is not None:
            run.write(f"delete the default route of {label}", api.delete_route, table_id)
        elif target is not None and route is None:
            run.create(f"route 0.0.0.0/0 of {label} to {_target(target)}", api.create_route, table_id, target)
        elif target is not None and (api.route_target(route) != target or route.get("State") == "blackhole"):
            run.write(f"route 0.0.0.0/0 of {label} to {_target(target)}", api.replace_route, table_id, target)
        for subnet_id in subnet_ids:
            if subnet_id in live_subnets:
                continue
            if subnet_id in associations:
                run.write(f"move subnet {subnet_id} to {label}", api.replace_association,
                          associations[subnet_id][0], table_id)
            else:
                run.create(f"associate subnet {subnet_id} with {label}", api.associate_route_table, table_id, subnet_id)
        for subnet_id, association_id in live_subnets.items():
            if subnet_id not in planned:
                run.write(f"disassociate subnet {subnet_id} from {label}", api.disassociate_route_table, association_id)
    return out


def ensure_security_groups(run, params, vpc_id, groups):
    """Every group first (a rule may name any of them), then each group's ingress rules."""
    by_name = {g["GroupName"]: g for g in groups}
    ids = {g["GroupName"]: g["GroupId"] for g in groups}
    out, tags_after = {}, {}
    for spec in params["security_groups"]:
        tags = dict(params["tags"], Name=spec["name"])
        live = by_name.get(spec["name"])
        if live is None:
            description = spec["description"] or f"bandup.ecs security group {spec['name']}"
            group_id = run.create(f"create security group {spec['name']}", api.create_security_group,
                                  vpc_id, spec["name"], description, tags)
            tags_after[spec["name"]] = tags
        else:
            group_id = live["GroupId"]
            tags_after[spec["name"]] = run.tags(f"security group {spec['name']}", group_id, live, tags)
        if group_id:
            out[spec["key"]] = group_id
        # In check mode a group still to create is named by a placeholder in the rules that reference it.
        ids[spec["name"]] = group_id or f"({spec['name']})"
    names = {group_id: name for name, group_id in ids.items()}
    for spec in params["security_groups"]:
        live = by_name.get(spec["name"])
        unknown = [r["group_name"] for r in spec["rules"] if r.get("group_name") and r["group_name"] not in ids]
        if unknown:
            run.module.fail_json(msg=f"security_groups.{spec['key']}: no security group named {unknown} in the VPC")
        wanted = api.wanted_rules(spec["rules"], ids)
        current = api.live_rules(live) if live else {}
        label = f"security group {spec['name']}"
        run.item(label, None if live is None else {
            "rules": sorted(api.rule_text(k, d, names) for k, d in current.items()), "tags": api.tags_of(live)},
            {"rules": sorted(api.rule_text(k, d, names) for k, d in wanted.items()), "tags": tags_after[spec["name"]]})
        changes = (
            ("revoke", {k: d for k, d in current.items() if k not in wanted}, api.revoke_ingress),
            ("authorize", {k: d for k, d in wanted.items() if k not in current}, api.authorize_ingress),
            ("describe again", {k: d for k, d in wanted.items() if k in current and (current[k] or None) != (d or None)},
             api.update_ingress_descriptions),
        )
        for verb, rules, func in changes:
            if rules:
                text = ", ".join(sorted(api.rule_text(k, d, names) for k, d in rules.items()))
                write = run.create if func is api.authorize_ingress else run.write
                write(f"{verb} {spec['name']} {text}", func, ids[spec["name"]], api.permissions(rules))
    return out


def verify_adopted(module, params, subnets):
    """The checks of an adopted network: every given subnet exists, lies in its AZ and belongs to vpc_id."""
    found = {s["SubnetId"]: s for s in subnets}
    errors = []
    for option in ("public_subnet_ids", "private_subnet_ids"):
        given = params[option] or {}
        if sorted(given) != sorted(params["availability_zones"]):
            errors.append(f"{option}: needs exactly the AZs {sorted(params['availability_zones'])} as keys "
                          f"(got {sorted(given)})")
        for az, subnet_id in given.items():
            subnet = found.get(subnet_id)
            if subnet is None:
                errors.append(f"{option}.{az}: subnet {subnet_id} does not exist")
            elif subnet["AvailabilityZone"] != az:
                errors.append(f"{option}.{az}: subnet {subnet_id} lies in {subnet['AvailabilityZone']}, not in {az}")
            elif subnet["VpcId"] != params["vpc_id"]:
                errors.append(f"{option}.{az}: subnet {subnet_id} belongs to {subnet['VpcId']}, "
                              f"not to vpc_id {params['vpc_id']}")
    if errors:
        module.fail_json(msg="; ".join(errors))


def adopt(run, params):
    given = list((params["public_subnet_ids"] or {}).values()) + list((params["private_subnet_ids"] or {}).values())
    verify_adopted(run.module, params, api.describe_subnets(run.client, subnet_ids=given) if given else [])
    groups = api.describe_security_groups(run.client, params["vpc_id"])
    return {
        "vpc_id": params["vpc_id"],
        "public_subnets": dict(params["public_subnet_ids"]),
        "private_subnets": dict(params["private_subnet_ids"]),
        "security_groups": ensure_security_groups(run, params, params["vpc_id"], groups),
    }


def converge(run, params):
    client, tags = run.client, params["lookup_tags"]
    vpcs = api.describe_vpcs(client, tags=tags)
    vpc_id = vpcs[0]["VpcId"] if len(vpcs) == 1 else None
    # One VPC found: read everything in it once; the ensure_* functions compute from these lists.
    live = dict(subnets=[], igws=[], nats=[], tables=[], groups=[])
    hostnames = False
    if vpc_id:
        hostnames = api.dns_hostnames(client, vpc_id)
        live.update(subnets=api.describe_subnets(client, vpc_id=vpc_id),
                    igws=api.describe_internet_gateways(client, tags),
                    nats=api.describe_nat_gateways(client, vpc_id) if params["nat_gateways"] else [],
                    tables=api.describe_route_tables(client, vpc_id),
                    groups=api.describe_security_groups(client, vpc_id))
    if len(vpcs) == 1 and vpcs[0]["CidrBlock"] == params["vpc_cidr"]:  # else ensure_vpc refuses the VPC CIDR
        check_subnet_cidrs(run, params, live["subnets"])
    vpc_id = ensure_vpc(run, params, vpcs, hostnames)
    subnets = ensure_subnets(run, params, vpc_id, live["subnets"])
    igw_id = ensure_igw(run, params, vpc_id, live["igws"])
    nat_ids = ensure_nats(run, params, subnets["public"], live["nats"])
    tables = ensure_route_tables(run, params, vpc_id, live["tables"], subnets, igw_id, nat_ids)
    groups = ensure_security_groups(run, params, vpc_id, live["groups"])
    return {"vpc_id": vpc_id or "", "public_subnets": subnets["public"], "private_subnets": subnets["private"],
            "security_groups": groups, "internet_gateway_id": igw_id or "", "nat_gateways": nat_ids,
            "route_tables": tables}


def check_params(module, params):
    """Input errors fail here, before any call."""
    for spec in params["security_groups"]:
        for idx, rule in enumerate(spec["rules"]):
            if bool(rule.get("cidr_ip")) == bool(rule.get("group_name")):
                module.fail_json(msg=f"security_groups.{spec['key']}.rules[{idx}]: needs one of cidr_ip, group_name")
    azs = params["availability_zones"]
    if params["vpc_id"]:
        if params["public_subnet_ids"] is None or params["private_subnet_ids"] is None:
            module.fail_json(msg="vpc_id: needs public_subnet_ids and private_subnet_ids")
        return
    if params["public_subnet_ids"] or params["private_subnet_ids"]:
        module.fail_json(msg="public_subnet_ids / private_subnet_ids: only used with vpc_id")
    for option in ("public_subnet_cidrs", "private_subnet_cidrs"):
        if len(params[option]) != len(azs):
            module.fail_json(msg=f"{option}: needs one CIDR per availability zone {azs} (got {params[option]})")
    try:
        vpc = ipaddress.ip_network(params["vpc_cidr"])
        outside = [cidr for option in ("public_subnet_cidrs", "private_subnet_cidrs") for cidr in params[option]
                   if not ipaddress.ip_network(cidr).subnet_of(vpc)]
    except (ValueError, TypeError) as err:
        module.fail_json(msg=f"vpc_cidr / public_subnet_cidrs / private_subnet_cidrs: {err}")
    if outside:
        module.fail_json(msg=f"public_subnet_cidrs / private_subnet_cidrs: {outside} do not lie in vpc_cidr "
                             f"{params['vpc_cidr']}")


def main():
    rule = dict(proto=dict(type="str", default="tcp"), ports=dict(type="list", elements="int", default=[]),
                cidr_ip=dict(type="str"), group_name=dict(type="str"), rule_desc=dict(type="str"))
    module = AWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            tags=dict(type="dict", required=True),
            lookup_tags=dict(type="dict"),
            availability_zones=dict(type="list", elements="str", required=True),
            vpc_id=dict(type="str"),
            public_subnet_ids=dict(type="dict"),
            private_subnet_ids=dict(type="dict"),
            vpc_cidr=dict(type="str", default="10.20.0.0/16"),
            public_subnet_cidrs=dict(type="list", elements="str", default=[]),
            private_subnet_cidrs=dict(type="list", elements="str", default=[]),
            nat_gateways=dict(type="bool", default=True),
            security_groups=dict(type="list", elements="dict", default=[], options=dict(
                key=dict(type="str", required=True, no_log=False),
                name=dict(type="str", required=True),
                description=dict(type="str"),
                rules=dict(type="list", elements="dict", default=[], options=rule),
            )),
            wait_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
    )
    params = module.params
    check_params(module, params)
    params["lookup_tags"] = params["lookup_tags"] or params["tags"]
    params["tags"] = dict(params["lookup_tags"], **params["tags"])
    run = Run(module, module.client("ec2", retry_decorator=AWSRetry.jittered_backoff()))
    try:
        network = adopt(run, params) if params["vpc_id"] else converge(run, params)
    except Exception as err:  # pylint: disable=broad-except
        module.fail_json_aws(err, msg=f"network of {params['name']}", changes=run.changes)
    diff = {"diff": {"before": run.before, "after": run.after}} if module._diff else {}
    module.exit_json(changed=bool(run.changes), changes=run.changes, network=network, **diff)


if __name__ == "__main__":
    main()
