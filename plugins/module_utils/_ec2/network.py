# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network of a deployment: read in batches, compared with the wanted one, written through the ChangeSet.

Reads and most writes are amazon.aws's EC2 wrappers (module_utils/ec2.py: retried with jittered backoff, errors raised
as AnsibleEC2Error). What this file adds:

- the creates whose lost response a blind resend would duplicate or fail (CreateVpc, CreateSubnet,
  CreateInternetGateway, AttachInternetGateway, AllocateAddress, CreateNatGateway, CreateRouteTable, CreateRoute,
  AssociateRouteTable, CreateSecurityGroup, AuthorizeSecurityGroupIngress). They go through once.write_once on a
  client without retries, not through amazon.aws's create_* wrappers: those retry a 5xx (InternalError,
  ServiceUnavailable) blindly with AWSRetry, which is what write_once exists to prevent (a second VPC after a
  CreateVpc whose answer was lost). Their errors are raised with amazon.aws's EC2 error handlers all the same.
- CreateTags (amazon.aws's add_ec2_tags needs the module object) and ReplaceRouteTableAssociation (no wrapper).

Every describe is batched by VPC (``vpc-id`` filter) or by the deployment's tags, and EC2 returns tags inline, so a
network that needs no change costs one call per resource type (seven reads).

A security group rule is compared as a key ``(protocol, from_port, to_port, kind, source)`` with ``kind`` one of
``cidr``, ``cidr6``, ``prefix``, ``group`` and a description beside it.
"""

from __future__ import annotations

import hashlib
import ipaddress

from ansible_collections.amazon.aws.plugins.module_utils import ec2
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list

from ansible_collections.bandup.ecs.plugins.module_utils.once import write_once
from ansible_collections.bandup.ecs.plugins.module_utils.tags import converge_tags

# States of a NAT gateway that still is (or will be) one.
NAT_LIVE_STATES = ("pending", "available")


# --- pure helpers ---------------------------------------------------------------------------------------------

def tags_of(resource):
    return boto3_tag_list_to_ansible_dict(resource.get("Tags") or [])


def tag_filters(tags):
    """DescribeX filters matching resources that carry every tag of ``tags``."""
    return ansible_dict_to_boto3_filter_list({f"tag:{key}": value for key, value in sorted(tags.items())})


def by_vpc(vpc_id):
    return ansible_dict_to_boto3_filter_list({"vpc-id": vpc_id})


def missing_tags(resource, tags):
    """The tags of ``tags`` that ``resource`` lacks or carries with another value (tags are never removed)."""
    return compare_aws_tags(tags_of(resource), tags, purge_tags=False)[0]


def client_token(kind, *parts):
    """An EC2 ClientToken (at most 64 characters) derived from what the create makes: the same for every resend of
    that create, in this run or the next (a run that lost the answer, with describes not showing the resource yet,
    gets the same resource back); ``parts`` include the id of the parent made by the same deployment (subnet, VPC),
    so after a teardown the token is new and a recreated network never gets back a deleted resource."""
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()
    return f"bandup-{kind}-{digest[:40]}"


def nat_client_token(deployment, az, subnet_id):
    """CreateNatGateway idempotency token: the same for a retry of the same NAT gateway (deployment, AZ, subnet)."""
    return client_token("nat", deployment, az, subnet_id)


def live_rules(group):
    """{rule key: description} of a described security group's ingress permissions."""
    rules = {}
    for perm in group.get("IpPermissions") or []:
        proto = perm.get("IpProtocol")
        ports = (perm.get("FromPort", -1), perm.get("ToPort", -1)) if proto != "-1" else (-1, -1)
        for kind, field, key in (("cidr", "IpRanges", "CidrIp"), ("cidr6", "Ipv6Ranges", "CidrIpv6"),
                                 ("prefix", "PrefixListIds", "PrefixListId"), ("group", "UserIdGroupPairs", "GroupId")):
            for entry in perm.get(field) or []:
                rules[(proto, ports[0], ports[1], kind, entry[key])] = entry.get("Description")
    return rules


def wanted_rules(rules, group_ids):
    """{rule key: description} from the module's rule options; ``group_ids`` maps a group name to its id."""
    out = {}
    for rule in rules:
        proto = str(rule["proto"])
        if proto in ("all", "-1"):
            proto = "-1"
        source = ("cidr", rule["cidr_ip"]) if rule.get("cidr_ip") else ("group", group_ids[rule["group_name"]])
        for port in rule["ports"] if proto != "-1" else [-1]:
            out[(proto, port, port) + source] = rule.get("rule_desc")
    return out


def permissions(rules):
    """IpPermissions for AuthorizeSecurityGroupIngress / Revoke... / UpdateSecurityGroupRuleDescriptionsIngress."""
    perms = []
    field = {"cidr": ("IpRanges", "CidrIp"), "cidr6": ("Ipv6Ranges", "CidrIpv6"),
             "prefix": ("PrefixListIds", "PrefixListId"), "group": ("UserIdGroupPairs", "GroupId")}
    for (proto, from_port, to_port, kind, source), desc in sorted(rules.items(), key=lambda item: str(item[0])):
        name, key = field[kind]
        entry = {key: source}
        if desc:
            entry["Description"] = desc
        perm = {"IpProtocol": proto, name: [entry]}
        if proto != "-1":
            perm.update(FromPort=from_port, ToPort=to_port)
        perms.append(perm)
    return perms


def rule_text(key, desc, names):
    """A readable rule for the changes and the diff, group ids shown as names where known."""
    proto, from_port, to_port, kind, source = key
    ports = "all" if proto == "-1" else (str(from_port) if from_port == to_port else f"{from_port}-{to_port}")
    source = names.get(source, source) if kind == "group" else source
    return f"{proto}/{ports} from {source}" + (f" ({desc})" if desc else "")


def default_route(table):
    for route in table.get("Routes") or []:
        if route.get("DestinationCidrBlock") == "0.0.0.0/0":
            return route
    return None


def route_target(route):
    """{GatewayId|NatGatewayId: id} of a route, or None."""
    if route is None:
        return None
    for key in ("GatewayId", "NatGatewayId", "TransitGatewayId", "VpcPeeringConnectionId", "NetworkInterfaceId"):
        if route.get(key):
            return {key: route[key]}
    return None


def subnet_associations(tables):
    """{subnet id: (association id, route table id)} of the explicit associations in ``tables``."""
    out = {}
    for table in tables:
        for assoc in table.get("Associations") or []:
            state = (assoc.get("AssociationState") or {}).get("State", "associated")
            if assoc.get("SubnetId") and not assoc.get("Main") and state in ("associated", "associating"):
                out[assoc["SubnetId"]] = (assoc["RouteTableAssociationId"], table["RouteTableId"])
    return out


def tier_subnets(subnets, az, tier):
    """The subnets of ``subnets`` in ``az`` tagged as the deployment's ``tier`` (public, private) subnets."""
    return [s for s in subnets if s["AvailabilityZone"] == az and tags_of(s).get("bandup:tier") == tier]


def suffix(az, region):
    return az.replace(region, "", 1).replace("-", "") if region and az.startswith(region) else az.replace("-", "")


def _single(items):
    return items[0] if len(items) == 1 else None


def _first(items, test):
    return next((item for item in items if test(item)), None)


# --- reads (amazon.aws's wrappers, with the deployment's filters) ----------------------------------------------

def describe_vpcs(client, tags):
    return ec2.describe_vpcs(client, Filters=tag_filters(tags))


def dns_hostnames(client, vpc_id):
    return ec2.describe_vpc_attribute(client, vpc_id, "enableDnsHostnames")["EnableDnsHostnames"]["Value"]


def describe_subnets(client, vpc_id=None, subnet_ids=None):
    filters = {"vpc-id": vpc_id} if vpc_id else {"subnet-id": list(subnet_ids)}
    return ec2.describe_subnets(client, Filters=ansible_dict_to_boto3_filter_list(filters))


def describe_nat_gateways(client, vpc_id=None, subnet_id=None):
    """The live (pending or available) NAT gateways of the VPC, or of one subnet."""
    filters = {"vpc-id": vpc_id} if vpc_id else {"subnet-id": subnet_id}
    return ec2.describe_nat_gateways(client, Filter=ansible_dict_to_boto3_filter_list(
        dict(filters, state=list(NAT_LIVE_STATES))))


def _security_groups(client, vpc_id=None, name=None, group_id=None):
    filters = {"vpc-id": vpc_id, "group-name": name} if vpc_id else {"group-id": group_id}
    return ec2.describe_security_groups(client, Filters=ansible_dict_to_boto3_filter_list(filters))


# --- writes amazon.aws has no wrapper for ---------------------------------------------------------------------

@ec2.EC2VpcErrorHandler.common_error_handler("tag {resource_id}")
@AWSRetry.jittered_backoff()
def create_tags(client, resource_id, tags):
    """CreateTags (amazon.aws's add_ec2_tags takes the module object)."""
    client.create_tags(Resources=[resource_id], Tags=ansible_dict_to_boto3_tag_list(tags))


@ec2.EC2VpcRouteTableErrorHandler.common_error_handler("move association {association_id} to {table_id}")
@AWSRetry.jittered_backoff()
def replace_association(client, association_id, table_id):
    client.replace_route_table_association(AssociationId=association_id, RouteTableId=table_id)


@ec2.EC2NatGatewayErrorHandler.common_error_handler("wait for the NAT gateways {nat_ids} to be available")
def wait_nat_gateways(client, nat_ids, timeout):
    delay = 15
    client.get_waiter("nat_gateway_available").wait(
        NatGatewayIds=list(nat_ids), WaiterConfig={"Delay": delay, "MaxAttempts": max(1, timeout // delay)})


# The writes below go through write_once (see the docstring of this file): each takes ``client`` (retried, for the
# lookups) and ``once`` (a client without retries).

@ec2.EC2VpcErrorHandler.common_error_handler("create vpc")
def create_vpc(client, once, cidr, tags, lookup_tags):
    """CreateVpc; after a lost answer, the VPC carrying ``lookup_tags``."""
    return write_once(lambda: once.create_vpc(CidrBlock=cidr,
                                              TagSpecifications=boto3_tag_specifications(tags, ["vpc"]))["Vpc"],
                      lambda: _single(describe_vpcs(client, lookup_tags)))


@ec2.EC2VpcSubnetErrorHandler.common_error_handler("create subnet {cidr}")
def create_subnet(client, once, vpc_id, cidr, az, tags):
    """CreateSubnet; after a lost answer, the VPC's subnet with ``cidr``."""
    return write_once(lambda: once.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az,
                                                 TagSpecifications=boto3_tag_specifications(tags, ["subnet"]))["Subnet"],
                      lambda: _first(describe_subnets(client, vpc_id=vpc_id), lambda s: s["CidrBlock"] == cidr))


@ec2.EC2InternetGatewayErrorHandler.common_error_handler("create internet gateway")
def create_internet_gateway(client, once, tags):
    """CreateInternetGateway; after a lost answer, a detached gateway carrying ``tags``."""
    return write_once(
        lambda: once.create_internet_gateway(
            TagSpecifications=boto3_tag_specifications(tags, ["internet-gateway"]))["InternetGateway"],
        lambda: _first(ec2.describe_internet_gateways(client, Filters=tag_filters(tags)) or [],
                       lambda g: not g.get("Attachments")))


@ec2.EC2InternetGatewayErrorHandler.common_error_handler("attach internet gateway {igw_id} to {vpc_id}")
def attach_internet_gateway(client, once, igw_id, vpc_id):
    """AttachInternetGateway; after a lost answer, True if the gateway is attached to the VPC."""
    def attached():
        gateways = ec2.describe_internet_gateways(client, InternetGatewayIds=[igw_id]) or []
        return any(a.get("VpcId") == vpc_id for g in gateways for a in g.get("Attachments") or []) or None
    return write_once(lambda: once.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id), attached)


@ec2.EC2ElasticIPErrorHandler.common_error_handler("allocate address")
def allocate_address(client, once, tags):
    """AllocateAddress; after a lost answer, an unassociated address carrying ``tags``."""
    return write_once(lambda: once.allocate_address(
        Domain="vpc", TagSpecifications=boto3_tag_specifications(tags, ["elastic-ip"]))["AllocationId"],
        lambda: (_first(ec2.describe_addresses(client, Filters=tag_filters(tags)),
                        lambda a: not a.get("AssociationId")) or {}).get("AllocationId"))


@ec2.EC2NatGatewayErrorHandler.common_error_handler("create nat gateway in {subnet_id}")
def create_nat_gateway(client, once, subnet_id, allocation_id, token, tags):
    """CreateNatGateway with a client token (AWS answers a resend with the same gateway); after a lost answer,
    the subnet's live gateway all the same, for endpoints that ignore the token."""
    return write_once(lambda: once.create_nat_gateway(
        SubnetId=subnet_id, AllocationId=allocation_id, ClientToken=token,
        TagSpecifications=boto3_tag_specifications(tags, ["natgateway"]))["NatGateway"],
        lambda: _single(describe_nat_gateways(client, subnet_id=subnet_id)))


@ec2.EC2VpcRouteTableErrorHandler.common_error_handler("create route table")
def create_route_table(client, once, vpc_id, tags):
    """CreateRouteTable with a client token derived from the VPC and the table's Name (AWS answers a resend with the
    same table); after a lost answer, the VPC's table carrying ``tags`` all the same."""
    token = client_token("rtb", vpc_id, tags.get("Name"))
    return write_once(
        lambda: once.create_route_table(
            VpcId=vpc_id, ClientToken=token,
            TagSpecifications=boto3_tag_specifications(tags, ["route-table"]))["RouteTable"],
        lambda: _first(ec2.describe_route_tables(client, Filters=by_vpc(vpc_id)),
                       lambda t: not missing_tags(t, tags)))


def _route_table(client, table_id):
    return _single(ec2.describe_route_tables(client, RouteTableIds=[table_id])) or {}


@ec2.EC2VpcRouteTableRouteErrorHandler.common_error_handler("create the default route of {table_id}")
def create_route(client, once, table_id, target):
    """CreateRoute 0.0.0.0/0; after a lost answer, True if the table has that route to ``target``."""
    return write_once(lambda: once.create_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", **target),
                      lambda: route_target(default_route(_route_table(client, table_id))) == target or None)


@ec2.EC2VpcRouteTableErrorHandler.common_error_handler("associate {subnet_id} with {table_id}")
def associate_route_table(client, once, table_id, subnet_id):
    """AssociateRouteTable; after a lost answer, True if the subnet is associated with the table."""
    return write_once(
        lambda: once.associate_route_table(RouteTableId=table_id, SubnetId=subnet_id),
        lambda: subnet_associations([_route_table(client, table_id)]).get(subnet_id, (None, None))[1] == table_id
        or None)


@ec2.EC2SecurityGroupsErrorHandler.common_error_handler("create security group {name}")
def create_security_group(client, once, vpc_id, name, description, tags):
    """CreateSecurityGroup, the group id; after a lost answer, the id of the VPC's group called ``name``."""
    return write_once(lambda: once.create_security_group(
        VpcId=vpc_id, GroupName=name, Description=description,
        TagSpecifications=boto3_tag_specifications(tags, ["security-group"]))["GroupId"],
        lambda: (_single(_security_groups(client, vpc_id=vpc_id, name=name)) or {}).get("GroupId"))


@ec2.EC2SecurityGroupsErrorHandler.common_error_handler("authorize ingress of {group_id}")
def authorize_ingress(client, once, group_id, perms):
    """AuthorizeSecurityGroupIngress; after a lost answer, True if the group has every rule of ``perms``."""
    wanted = set(live_rules({"IpPermissions": perms}))
    return write_once(lambda: once.authorize_security_group_ingress(GroupId=group_id, IpPermissions=perms),
                      lambda: wanted <= set(live_rules(_single(_security_groups(client, group_id=group_id)) or {}))
                      or None)


# --- the converge ---------------------------------------------------------------------------------------------

class Network:
    """One converge of a deployment's network: ``client`` (EC2, for reads and retried writes), ``write_client`` (a
    callable answering the EC2 client without retries, for the writes of write_once; called on the first such
    write only), ``changes`` (the run's ChangeSet) and ``region`` (for the AZ suffixes of the names)."""

    def __init__(self, client, write_client, changes, region, params):
        self.client, self._write_client, self.changes = client, write_client, changes
        self.region, self.params = region or "", params

    def write(self, resource, action, func, *args, fields=(), **kwargs):
        return self.changes.write(resource, action, lambda: func(self.client, *args, **kwargs), fields)

    def create(self, resource, action, func, *args, fields=()):
        """Like ``write``, for a write of write_once: ``func(client, once_client, *args)``."""
        return self.changes.write(resource, action, lambda: func(self.client, self._write_client(), *args), fields)

    def tags(self, resource, resource_id, live, wanted):
        """Add the tags of ``wanted`` that ``live`` lacks; return its tags after."""
        return converge_tags(self.changes, resource, tags_of(live), wanted, False,
                             lambda tags: create_tags(self.client, resource_id, tags))

    # -- the VPC

    def ensure_vpc(self, vpcs, hostnames):
        params = self.params
        name, tags, cidr = params["name"], params["tags"], params["vpc_cidr"]
        resource = f"vpc {name}"
        if len(vpcs) > 1:
            raise AnsibleAWSError(message=f"more than one VPC carries the tags {params['lookup_tags']}: "
                                          f"{[v['VpcId'] for v in vpcs]}")
        wanted_tags = dict(tags, Name=name)
        after = {"cidr": cidr, "dns_hostnames": True, "tags": wanted_tags}
        if not vpcs:
            vpc = self.create(resource, "create", create_vpc, cidr, wanted_tags, params["lookup_tags"])
            vpc_id = vpc["VpcId"] if vpc else None
            # A new VPC has DNS support on and DNS hostnames off.
            self.write(resource, "update", ec2.modify_vpc_attribute, vpc_id, fields=["enableDnsHostnames"],
                       EnableDnsHostnames={"Value": True})
            self.changes.diff(resource, None, after)
            return vpc_id
        vpc = vpcs[0]
        if vpc["CidrBlock"] != cidr:
            raise AnsibleAWSError(message=f"vpc_cidr: {cidr} differs from the CIDR {vpc['CidrBlock']} of the "
                                          f"deployment's VPC {vpc['VpcId']}; the CIDR of an existing VPC cannot change")
        if not hostnames:
            # AWS turns DNS hostnames on only on top of DNS support.
            self.write(resource, "update", ec2.modify_vpc_attribute, vpc["VpcId"], fields=["enableDnsSupport"],
                       EnableDnsSupport={"Value": True})
            self.write(resource, "update", ec2.modify_vpc_attribute, vpc["VpcId"], fields=["enableDnsHostnames"],
                       EnableDnsHostnames={"Value": True})
        tags_after = self.tags(resource, vpc["VpcId"], vpc, wanted_tags)
        self.changes.diff(resource, {"cidr": vpc["CidrBlock"], "dns_hostnames": hostnames, "tags": tags_of(vpc)},
                          dict(after, tags=tags_after))
        return vpc["VpcId"]

    # -- subnets

    def subnet_plan(self):
        for tier in ("public", "private"):
            for az, cidr in zip(self.params["availability_zones"], self.params[f"{tier}_subnet_cidrs"]):
                yield tier, az, cidr, suffix(az, self.region)

    def check_subnet_cidrs(self, subnets):
        """Before any write: a tier's subnet in an AZ cannot take another CIDR (AWS cannot change a subnet's CIDR,
        and a second subnet would re-wire the route tables and strand the load balancer and tasks in the first)."""
        errors = []
        for tier, az, cidr, _sfx in self.subnet_plan():
            live = tier_subnets(subnets, az, tier)
            if live and all(s["CidrBlock"] != cidr for s in live):
                errors.append(f"{tier}_subnet_cidrs: {cidr} for {az} differs from {live[0]['CidrBlock']}, the CIDR of "
                              f"the existing {tier} subnet {live[0]['SubnetId']}; AWS cannot change the CIDR of a "
                              f"subnet: keep {live[0]['CidrBlock']}, or tear the deployment down and deploy it anew")
        if errors:
            raise AnsibleAWSError(message="; ".join(errors))

    def ensure_subnets(self, vpc_id, subnets):
        by_cidr = {s["CidrBlock"]: s for s in subnets}
        out = {"public": {}, "private": {}}
        for tier, az, cidr, sfx in self.subnet_plan():
            name = f"{self.params['name']}-{tier}-{sfx}"
            tags = dict(self.params["tags"], Name=name, **{"bandup:tier": tier})
            resource = f"subnet {name}"
            after = {"cidr": cidr, "az": az, "tags": tags}
            live = by_cidr.get(cidr)
            if live is None:
                created = self.create(resource, "create", create_subnet, vpc_id, cidr, az, tags)
                if created:
                    out[tier][az] = created["SubnetId"]
                self.changes.diff(resource, None, after)
                continue
            if live["AvailabilityZone"] != az:
                raise AnsibleAWSError(message=f"{tier}_subnet_cidrs: subnet {live['SubnetId']} with CIDR {cidr} lies "
                                              f"in {live['AvailabilityZone']}, not in {az}")
            out[tier][az] = live["SubnetId"]
            tags_after = self.tags(resource, live["SubnetId"], live, tags)
            self.changes.diff(resource, dict(after, tags=tags_of(live)), dict(after, tags=tags_after))
        return out

    # -- the internet gateway and the NAT gateways

    def ensure_igw(self, vpc_id, igws):
        """The internet gateway attached to the VPC; a tagged detached one (an interrupted run's) is attached."""
        tags = dict(self.params["tags"], Name=self.params["name"])
        resource = f"internet gateway {self.params['name']}"
        attached = [g for g in igws if any(a.get("VpcId") == vpc_id for a in g.get("Attachments") or [])]
        detached = [g for g in igws if not g.get("Attachments")]
        igw = (attached or detached or [None])[0]
        if igw is None:
            created = self.create(resource, "create", create_internet_gateway, tags)
            igw_id, before, tags_after = created["InternetGatewayId"] if created else None, None, tags
        else:
            igw_id, before = igw["InternetGatewayId"], {"attached": bool(attached), "tags": tags_of(igw)}
            tags_after = self.tags(resource, igw_id, igw, tags)
        if not attached:
            self.create(resource, "attach", attach_internet_gateway, igw_id, vpc_id)
        self.changes.diff(resource, before, {"attached": True, "tags": tags_after})
        return igw_id

    def ensure_nats(self, public_subnets, nats):
        """{az: NAT gateway id}; waits for the gateways this run created (or found pending)."""
        params = self.params
        out, pending, addresses = {}, [], None
        if not params["nat_gateways"]:
            return out
        by_subnet = {}
        for nat in nats:
            by_subnet.setdefault(nat["SubnetId"], nat)
        for az in params["availability_zones"]:
            name = f"{params['name']}-{az}"
            tags = dict(params["tags"], Name=name)
            subnet_id = public_subnets.get(az)
            resource = f"nat gateway {name}"
            live = by_subnet.get(subnet_id) if subnet_id else None
            if live is not None:
                out[az] = live["NatGatewayId"]
                if live["State"] == "pending":
                    pending.append(live["NatGatewayId"])
                tags_after = self.tags(resource, live["NatGatewayId"], live, tags)
                self.changes.diff(resource, {"subnet": subnet_id, "tags": tags_of(live)},
                                  {"subnet": subnet_id, "tags": tags_after})
                continue
            self.changes.diff(resource, None, {"subnet": subnet_id or f"(new public subnet in {az})", "tags": tags})
            if self.changes.check_mode:
                self.changes.write(resource, "create")  # with an Elastic IP, or one a stopped run left
                continue
            # An address allocated by an interrupted run (tagged like the gateway, not associated) is reused.
            if addresses is None:
                addresses = ec2.describe_addresses(self.client, Filters=tag_filters(params["lookup_tags"]))
            free = [a for a in addresses if tags_of(a).get("Name") == name and not a.get("AssociationId")]
            allocation_id = free[0]["AllocationId"] if free else self.create(
                f"elastic ip {name}", "create", allocate_address, tags)
            token = nat_client_token(params["name"], az, subnet_id)
            nat = self.create(resource, "create", create_nat_gateway, subnet_id, allocation_id, token, tags)
            out[az] = nat["NatGatewayId"]
            pending.append(nat["NatGatewayId"])
        if pending and not self.changes.check_mode:
            wait_nat_gateways(self.client, pending, params["wait_timeout"])
        return out

    # -- route tables

    def route_plan(self, subnets, igw_id, nat_ids):
        """(route table key, its subnet ids, the default route's target) for the public and each private table.
        A target not known yet (check mode) is a string naming it; None means no default route."""
        plan = [("public", list(subnets["public"].values()), {"GatewayId": igw_id} if igw_id else "internet gateway")]
        for az in self.params["availability_zones"]:
            target = None
            if self.params["nat_gateways"]:
                target = {"NatGatewayId": nat_ids[az]} if az in nat_ids else f"NAT gateway {az}"
            plan.append((f"private-{suffix(az, self.region)}",
                         [subnets["private"][az]] if az in subnets["private"] else [], target))
        return plan

    def ensure_route_tables(self, vpc_id, tables, subnets, igw_id, nat_ids):
        params = self.params
        associations = subnet_associations(tables)
        plan = self.route_plan(subnets, igw_id, nat_ids)
        # A subnet on the wrong one of these tables is moved by its own table (ReplaceRouteTableAssociation).
        planned = {subnet_id for _key, subnet_ids, _target in plan for subnet_id in subnet_ids}
        out = {}
        for key, subnet_ids, target in plan:
            name = f"{params['name']}-{key}"
            tags = dict(params["tags"], Name=name)
            resource = f"route table {name}"
            after = {"default_route": target, "subnets": sorted(subnet_ids), "tags": tags}
            wanted = dict(params["lookup_tags"], Name=name)
            live = _first(tables, lambda t, wanted=wanted: not missing_tags(t, wanted) and not any(
                a.get("Main") for a in t.get("Associations") or []))
            route, live_subnets = None, {}
            if live is None:
                table = self.create(resource, "create", create_route_table, vpc_id, tags)
                table_id = table["RouteTableId"] if table else None
                self.changes.diff(resource, None, after)
            else:
                table_id = live["RouteTableId"]
                route = default_route(live)
                live_subnets = {s: a for s, (a, t) in associations.items() if t == table_id}
                tags_after = self.tags(resource, table_id, live, tags)
                self.changes.diff(resource, {"default_route": route_target(route), "subnets": sorted(live_subnets),
                                             "tags": tags_of(live)}, dict(after, tags=tags_after))
            if table_id:
                out[key] = table_id
            self.ensure_default_route(resource, table_id, route, target)
            for subnet_id in subnet_ids:
                if subnet_id in live_subnets:
                    continue
                if subnet_id in associations:
                    self.write(resource, "associate", replace_association, associations[subnet_id][0], table_id,
                               fields=[subnet_id])
                else:
                    self.create(resource, "associate", associate_route_table, table_id, subnet_id, fields=[subnet_id])
            for subnet_id, association_id in live_subnets.items():
                if subnet_id not in planned:
                    self.write(resource, "disassociate", ec2.disassociate_route_table, association_id,
                               fields=[subnet_id])
        return out

    def ensure_default_route(self, resource, table_id, route, target):
        """Only the default route (0.0.0.0/0) is managed; ``target`` None means none."""
        fields = ["0.0.0.0/0"]
        if target is None and route is not None:
            self.write(resource, "update", ec2.delete_route, table_id, fields=fields, DestinationCidrBlock="0.0.0.0/0")
        elif target is not None and route is None:
            self.create(resource, "update", create_route, table_id, target, fields=fields)
        elif target is not None and (route_target(route) != target or route.get("State") == "blackhole"):
            self.write(resource, "update", ec2.replace_route, table_id, fields=fields, DestinationCidrBlock="0.0.0.0/0",
                       **target)

    # -- security groups

    def ensure_security_groups(self, vpc_id, groups):
        """Every group first (a rule may name any of them), then each group's ingress rules."""
        params = self.params
        by_name = {g["GroupName"]: g for g in groups}
        ids = {g["GroupName"]: g["GroupId"] for g in groups}
        out, tags_after = {}, {}
        for spec in params["security_groups"]:
            tags = dict(params["tags"], Name=spec["name"])
            live = by_name.get(spec["name"])
            resource = f"security group {spec['name']}"
            if live is None:
                description = spec["description"] or f"bandup.ecs security group {spec['name']}"
                group_id = self.create(resource, "create", create_security_group, vpc_id, spec["name"], description,
                                       tags)
                tags_after[spec["name"]] = tags
            else:
                group_id = live["GroupId"]
                tags_after[spec["name"]] = self.tags(resource, group_id, live, tags)
            if group_id:
                out[spec["key"]] = group_id
            # In check mode a group still to create is named by a placeholder in the rules that reference it.
            ids[spec["name"]] = group_id or f"({spec['name']})"
        names = {group_id: name for name, group_id in ids.items()}
        for spec in params["security_groups"]:
            unknown = [r["group_name"] for r in spec["rules"] if r.get("group_name") and r["group_name"] not in ids]
            if unknown:
                raise AnsibleAWSError(message=f"security_groups.{spec['key']}: no security group named {unknown} in "
                                              "the VPC")
            self.ensure_rules(spec, by_name.get(spec["name"]), ids, names, tags_after[spec["name"]])
        return out

    def ensure_rules(self, spec, live, ids, names, tags_after):
        resource = f"security group {spec['name']}"
        wanted = wanted_rules(spec["rules"], ids)
        current = live_rules(live) if live else {}

        def texts(rules):
            return sorted(rule_text(k, d, names) for k, d in rules.items())

        self.changes.diff(resource, None if live is None else {"rules": texts(current), "tags": tags_of(live)},
                          {"rules": texts(wanted), "tags": tags_after})
        group_id = ids[spec["name"]]
        revoke = {k: d for k, d in current.items() if k not in wanted}
        authorize = {k: d for k, d in wanted.items() if k not in current}
        describe = {k: d for k, d in wanted.items() if k in current and (current[k] or None) != (d or None)}
        if revoke:
            self.write(resource, "revoke", ec2.revoke_security_group_ingress, fields=texts(revoke),
                       GroupId=group_id, IpPermissions=permissions(revoke))
        if authorize:
            self.create(resource, "authorize", authorize_ingress, group_id, permissions(authorize),
                        fields=texts(authorize))
        if describe:
            self.write(resource, "update", ec2.update_security_group_rule_descriptions_ingress, fields=texts(describe),
                       GroupId=group_id, IpPermissions=permissions(describe))

    # -- the whole

    def adopt(self):
        """An existing VPC and subnets: read and checked; only the security groups are ensured."""
        params = self.params
        given = list(params["public_subnet_ids"].values()) + list(params["private_subnet_ids"].values())
        verify_adopted(params, describe_subnets(self.client, subnet_ids=given) if given else [])
        groups = ec2.describe_security_groups(self.client, Filters=by_vpc(params["vpc_id"]))
        return {
            "vpc_id": params["vpc_id"],
            "public_subnets": dict(params["public_subnet_ids"]),
            "private_subnets": dict(params["private_subnet_ids"]),
            "security_groups": self.ensure_security_groups(params["vpc_id"], groups),
        }

    def converge(self):
        params, client = self.params, self.client
        tags = params["lookup_tags"]
        vpcs = describe_vpcs(client, tags)
        vpc_id = vpcs[0]["VpcId"] if len(vpcs) == 1 else None
        # One VPC found: read everything in it once; the ensure_* methods compute from these lists.
        live = dict(subnets=[], igws=[], nats=[], tables=[], groups=[])
        hostnames = False
        if vpc_id:
            hostnames = dns_hostnames(client, vpc_id)
            live.update(subnets=describe_subnets(client, vpc_id=vpc_id),
                        igws=ec2.describe_internet_gateways(client, Filters=tag_filters(tags)),
                        nats=describe_nat_gateways(client, vpc_id=vpc_id) if params["nat_gateways"] else [],
                        tables=ec2.describe_route_tables(client, Filters=by_vpc(vpc_id)),
                        groups=ec2.describe_security_groups(client, Filters=by_vpc(vpc_id)))
        if len(vpcs) == 1 and vpcs[0]["CidrBlock"] == params["vpc_cidr"]:  # else ensure_vpc refuses the VPC CIDR
            self.check_subnet_cidrs(live["subnets"])
        vpc_id = self.ensure_vpc(vpcs, hostnames)
        subnets = self.ensure_subnets(vpc_id, live["subnets"])
        igw_id = self.ensure_igw(vpc_id, live["igws"])
        nat_ids = self.ensure_nats(subnets["public"], live["nats"])
        tables = self.ensure_route_tables(vpc_id, live["tables"], subnets, igw_id, nat_ids)
        groups = self.ensure_security_groups(vpc_id, live["groups"])
        return {"vpc_id": vpc_id or "", "public_subnets": subnets["public"], "private_subnets": subnets["private"],
                "security_groups": groups, "internet_gateway_id": igw_id or "", "nat_gateways": nat_ids,
                "route_tables": tables}

    def ensure(self):
        return self.adopt() if self.params["vpc_id"] else self.converge()


def subnet_problems(given, found, vpc_id, vpc_option):
    """What is wrong with the subnets an adopted network names: ``given`` is ``[(option, {az: subnet id})]``,
    ``found`` ``{subnet id: {"az", "vpc"}}`` of those that exist; each must exist, lie in its AZ and belong to
    ``vpc_id`` (the option ``vpc_option``). The module's check (``verify_adopted``) and the network role's
    (plugin_utils/role_inputs.py, before any write) say the same."""
    errors = []
    for option, subnet_ids in given:
        for az, subnet_id in subnet_ids.items():
            subnet = found.get(subnet_id)
            if subnet is None:
                errors.append(f"{option}.{az}: subnet {subnet_id} does not exist")
            elif subnet["az"] != az:
                errors.append(f"{option}.{az}: subnet {subnet_id} lies in {subnet['az']}, not in {az}")
            elif subnet["vpc"] != vpc_id:
                errors.append(f"{option}.{az}: subnet {subnet_id} belongs to {subnet['vpc']}, "
                              f"not to {vpc_option} {vpc_id}")
    return errors


def verify_adopted(params, subnets):
    """The checks of an adopted network: every given subnet exists, lies in its AZ and belongs to vpc_id."""
    found = {s["SubnetId"]: {"az": s["AvailabilityZone"], "vpc": s["VpcId"]} for s in subnets}
    errors = []
    for option in ("public_subnet_ids", "private_subnet_ids"):
        given = params[option] or {}
        if sorted(given) != sorted(params["availability_zones"]):
            errors.append(f"{option}: needs exactly the AZs {sorted(params['availability_zones'])} as keys "
                          f"(got {sorted(given)})")
        errors += subnet_problems([(option, given)], found, params["vpc_id"], "vpc_id")
    if errors:
        raise AnsibleAWSError(message="; ".join(errors))


def check_params(params):
    """Input errors of the network module, raised (AnsibleAWSError naming the option) before any call."""
    azs = params["availability_zones"]
    if params["vpc_id"]:  # the argument spec requires the subnet ids with it
        return
    if params["public_subnet_ids"] or params["private_subnet_ids"]:
        raise AnsibleAWSError(message="public_subnet_ids / private_subnet_ids: only used with vpc_id")
    for option in ("public_subnet_cidrs", "private_subnet_cidrs"):
        if len(params[option]) != len(azs):
            raise AnsibleAWSError(message=f"{option}: needs one CIDR per availability zone {azs} (got {params[option]})")
    try:
        vpc = ipaddress.ip_network(params["vpc_cidr"])
        outside = [cidr for option in ("public_subnet_cidrs", "private_subnet_cidrs") for cidr in params[option]
                   if not ipaddress.ip_network(cidr).subnet_of(vpc)]
    except (ValueError, TypeError) as err:
        raise AnsibleAWSError(message=f"vpc_cidr / public_subnet_cidrs / private_subnet_cidrs: {err}") from err
    if outside:
        raise AnsibleAWSError(message=f"public_subnet_cidrs / private_subnet_cidrs: {outside} do not lie in vpc_cidr "
                                      f"{params['vpc_cidr']}")
