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


@retry
def create_vpc(client, cidr, tags):
    return client.create_vpc(CidrBlock=cidr, TagSpecifications=tag_spec("vpc", tags))["Vpc"]


@retry
def set_vpc_attribute(client, vpc_id, attribute, value):
    client.modify_vpc_attribute(VpcId=vpc_id, **{attribute: {"Value": value}})


@retry
def create_subnet(client, vpc_id, cidr, az, tags):
    return client.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az,
                                TagSpecifications=tag_spec("subnet", tags))["Subnet"]


@retry
def create_internet_gateway(client, tags):
    return client.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", tags))["InternetGateway"]


@retry
def attach_internet_gateway(client, igw_id, vpc_id):
    client.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)


@retry
def allocate_address(client, tags):
    return client.allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", tags))["AllocationId"]


@retry
def create_nat_gateway(client, subnet_id, allocation_id, token, tags):
    return client.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation_id, ClientToken=token,
                                     TagSpecifications=tag_spec("natgateway", tags))["NatGateway"]


def wait_nat_gateways(client, nat_ids, timeout):
    delay = 15
    client.get_waiter("nat_gateway_available").wait(
        NatGatewayIds=list(nat_ids), WaiterConfig={"Delay": delay, "MaxAttempts": max(1, timeout // delay)})


@retry
def create_route_table(client, vpc_id, tags):
    return client.create_route_table(VpcId=vpc_id, TagSpecifications=tag_spec("route-table", tags))["RouteTable"]


@retry
def create_route(client, table_id, target):
    client.create_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", **target)


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
def associate_route_table(client, table_id, subnet_id):
    client.associate_route_table(RouteTableId=table_id, SubnetId=subnet_id)


@retry
def replace_association(client, association_id, table_id):
    client.replace_route_table_association(AssociationId=association_id, RouteTableId=table_id)


@retry
def disassociate_route_table(client, association_id):
    client.disassociate_route_table(AssociationId=association_id)


@retry
def create_security_group(client, vpc_id, name, description, tags):
    return client.create_security_group(VpcId=vpc_id, GroupName=name, Description=description,
                                        TagSpecifications=tag_spec("security-group", tags))["GroupId"]


@retry
def authorize_ingress(client, group_id, perms):
    client.authorize_security_group_ingress(GroupId=group_id, IpPermissions=perms)


@retry
def revoke_ingress(client, group_id, perms):
    client.revoke_security_group_ingress(GroupId=group_id, IpPermissions=perms)


@retry
def update_ingress_descriptions(client, group_id, perms):
    client.update_security_group_rule_descriptions_ingress(GroupId=group_id, IpPermissions=perms)
