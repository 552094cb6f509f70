# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EC2 calls of the network module (one small function per call, retried with jittered backoff) and the pure
helpers that compare a described network with the wanted one.

Every describe is batched by VPC (``vpc-id`` filter) or by the deployment's tags, and EC2 returns tags inline,
so a network that needs no change costs one call per resource type.

A security group rule is compared as a key ``(protocol, from_port, to_port, kind, source)`` with ``kind`` one of
``cidr``, ``cidr6``, ``prefix``, ``group`` and a description beside it.
"""

from __future__ import annotations

import hashlib

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.bandup.ecs.plugins.module_utils.once import write_once

retry = AWSRetry.jittered_backoff()
# States of a NAT gateway that still is (or will be) one.
NAT_LIVE_STATES = ("pending", "available")


# --- pure helpers ---------------------------------------------------------------------------------------------

def tags_of(resource):
    return boto3_tag_list_to_ansible_dict(resource.get("Tags") or [])


def tag_filters(tags):
    """DescribeX filters matching resources that carry every tag of ``tags``."""
    return [{"Name": f"tag:{key}", "Values": [value]} for key, value in sorted(tags.items())]


def has_tags(resource, tags):
    live = tags_of(resource)
    return all(live.get(key) == value for key, value in tags.items())


def missing_tags(resource, tags):
    """The tags of ``tags`` that ``resource`` lacks or carries with another value (tags are never removed)."""
    live = tags_of(resource)
    return {key: value for key, value in tags.items() if live.get(key) != value}


def tag_spec(resource_type, tags):
    return [{"ResourceType": resource_type, "Tags": ansible_dict_to_boto3_tag_list(tags)}]


def nat_client_token(deployment, az, subnet_id):
    """CreateNatGateway idempotency token: the same for a retry of the same NAT gateway (deployment, AZ, subnet),
    different after a teardown (a new subnet id), so a recreated network never gets back a deleted gateway."""
    digest = hashlib.sha256(f"{deployment}|{az}|{subnet_id}".encode()).hexdigest()
    return f"bandup-nat-{digest[:40]}"


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
    """A readable rule for diff output, group ids shown as names where known."""
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


# --- reads ----------------------------------------------------------------------------------------------------

def _all(client, operation, key, **kwargs):
    return client.get_paginator(operation).paginate(**kwargs).build_full_result().get(key, [])


@retry
def describe_vpcs(client, vpc_id=None, tags=None):
    if vpc_id:
        return _all(client, "describe_vpcs", "Vpcs", Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    return _all(client, "describe_vpcs", "Vpcs", Filters=tag_filters(tags))


@retry
def dns_hostnames(client, vpc_id):
    return client.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]


@retry
def describe_subnets(client, vpc_id=None, subnet_ids=None):
    name, values = ("vpc-id", [vpc_id]) if vpc_id else ("subnet-id", list(subnet_ids))
    return _all(client, "describe_subnets", "Subnets", Filters=[{"Name": name, "Values": values}])


@retry
def describe_internet_gateways(client, tags):
    return _all(client, "describe_internet_gateways", "InternetGateways", Filters=tag_filters(tags))


@retry
def describe_nat_gateways(client, vpc_id):
    return _all(client, "describe_nat_gateways", "NatGateways",
                Filter=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "state", "Values": list(NAT_LIVE_STATES)}])


@retry
def describe_route_tables(client, vpc_id):
    return _all(client, "describe_route_tables", "RouteTables", Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])


@retry
def describe_security_groups(client, vpc_id):
    return _all(client, "describe_security_groups", "SecurityGroups", Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])


@retry
def describe_addresses(client, tags):
    return client.describe_addresses(Filters=tag_filters(tags))["Addresses"]


# --- writes ---------------------------------------------------------------------------------------------------

@retry
def create_tags(client, resource_id, tags):
    client.create_tags(Resources=[resource_id], Tags=ansible_dict_to_boto3_tag_list(tags))


def _single(items):
    return items[0] if len(items) == 1 else None


def _first(items, test):
    return next((item for item in items if test(item)), None)


# The writes below that a lost response would duplicate or fail go through write_once (module_utils once): each
# takes ``client`` (with botocore's retries, for the lookups) and ``once`` (a client without them).

def create_vpc(client, once, cidr, tags, lookup_tags):
    """CreateVpc; after a lost answer, the VPC carrying ``lookup_tags``."""
    return write_once(lambda: once.create_vpc(CidrBlock=cidr, TagSpecifications=tag_spec("vpc", tags))["Vpc"],
                      lambda: _single(describe_vpcs(client, tags=lookup_tags)))


@retry
def set_vpc_attribute(client, vpc_id, attribute, value):
    client.modify_vpc_attribute(VpcId=vpc_id, **{attribute: {"Value": value}})


def create_subnet(client, once, vpc_id, cidr, az, tags):
    """CreateSubnet; after a lost answer, the VPC's subnet with ``cidr``."""
    return write_once(lambda: once.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az,
                                                 TagSpecifications=tag_spec("subnet", tags))["Subnet"],
                      lambda: _first(describe_subnets(client, vpc_id=vpc_id), lambda s: s["CidrBlock"] == cidr))


def create_internet_gateway(client, once, tags):
    """CreateInternetGateway; after a lost answer, a detached gateway carrying ``tags``."""
    return write_once(
        lambda: once.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", tags))["InternetGateway"],
        lambda: _first(describe_internet_gateways(client, tags), lambda g: not g.get("Attachments")))


@retry
def _internet_gateway(client, igw_id):
    return client.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"][0]


def attach_internet_gateway(client, once, igw_id, vpc_id):
    """AttachInternetGateway; after a lost answer, True if the gateway is attached to the VPC."""
    return write_once(
        lambda: once.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id),
        lambda: any(a.get("VpcId") == vpc_id for a in _internet_gateway(client, igw_id).get("Attachments") or [])
        or None)


def allocate_address(client, once, tags):
    """AllocateAddress; after a lost answer, an unassociated address carrying ``tags``."""
    return write_once(
        lambda: once.allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", tags))["AllocationId"],
        lambda: (_first(describe_addresses(client, tags), lambda a: not a.get("AssociationId")) or {}).get(
            "AllocationId"))


@retry
def _nat_gateways_in(client, subnet_id):
    return _all(client, "describe_nat_gateways", "NatGateways", Filter=[
        {"Name": "subnet-id", "Values": [subnet_id]}, {"Name": "state", "Values": list(NAT_LIVE_STATES)}])


def create_nat_gateway(client, once, subnet_id, allocation_id, token, tags):
    """CreateNatGateway with a client token (AWS answers a resend with the same gateway); after a lost answer,
    the subnet's live gateway all the same, for endpoints that ignore the token."""
    return write_once(lambda: once.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation_id,
                                                      ClientToken=token,
                                                      TagSpecifications=tag_spec("natgateway", tags))["NatGateway"],
                      lambda: _single(_nat_gateways_in(client, subnet_id)))


def wait_nat_gateways(client, nat_ids, timeout):
    delay = 15
    client.get_waiter("nat_gateway_available").wait(
        NatGatewayIds=list(nat_ids), WaiterConfig={"Delay": delay, "MaxAttempts": max(1, timeout // delay)})


def create_route_table(client, once, vpc_id, tags):
    """CreateRouteTable; after a lost answer, the VPC's table carrying ``tags``."""
    return write_once(
        lambda: once.create_route_table(VpcId=vpc_id, TagSpecifications=tag_spec("route-table", tags))["RouteTable"],
        lambda: _first(describe_route_tables(client, vpc_id), lambda t: has_tags(t, tags)))


@retry
def _route_table(client, table_id):
    return client.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]


def create_route(client, once, table_id, target):
    """CreateRoute 0.0.0.0/0; after a lost answer, True if the table has that route to ``target``."""
    return write_once(lambda: once.create_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", **target),
                      lambda: route_target(default_route(_route_table(client, table_id))) == target or None)


def associate_route_table(client, once, table_id, subnet_id):
    """AssociateRouteTable; after a lost answer, True if the subnet is associated with the table."""
    return write_once(
        lambda: once.associate_route_table(RouteTableId=table_id, SubnetId=subnet_id),
        lambda: subnet_associations([_route_table(client, table_id)]).get(subnet_id, (None, None))[1] == table_id
        or None)


@retry
def _security_groups(client, vpc_id=None, name=None, group_id=None):
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": [name]}] if vpc_id else \
        [{"Name": "group-id", "Values": [group_id]}]
    return _all(client, "describe_security_groups", "SecurityGroups", Filters=filters)


def create_security_group(client, once, vpc_id, name, description, tags):
    """CreateSecurityGroup, the group id; after a lost answer, the id of the VPC's group called ``name``."""
    return write_once(lambda: once.create_security_group(VpcId=vpc_id, GroupName=name, Description=description,
                                                         TagSpecifications=tag_spec("security-group", tags))["GroupId"],
                      lambda: (_single(_security_groups(client, vpc_id=vpc_id, name=name)) or {}).get("GroupId"))


def authorize_ingress(client, once, group_id, perms):
    """AuthorizeSecurityGroupIngress; after a lost answer, True if the group has every rule of ``perms``."""
    wanted = set(live_rules({"IpPermissions": perms}))
    return write_once(lambda: once.authorize_security_group_ingress(GroupId=group_id, IpPermissions=perms),
                      lambda: wanted <= set(live_rules(_single(_security_groups(client, group_id=group_id)) or {}))
                      or None)


@retry
def replace_route(client, table_id, target):
    client.replace_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", **target)


@retry
def delete_route(client, table_id):
    try:
        client.delete_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0")
    except is_boto3_error_code("InvalidRoute.NotFound"):
        return None
    return True


@retry
def replace_association(client, association_id, table_id):
    client.replace_route_table_association(AssociationId=association_id, RouteTableId=table_id)


@retry
def disassociate_route_table(client, association_id):
    client.disassociate_route_table(AssociationId=association_id)


@retry
def revoke_ingress(client, group_id, perms):
    client.revoke_security_group_ingress(GroupId=group_id, IpPermissions=perms)


@retry
def update_ingress_descriptions(client, group_id, perms):
    client.update_security_group_rule_descriptions_ingress(GroupId=group_id, IpPermissions=perms)
