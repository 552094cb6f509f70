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
        description: Ingress rules; a rule has exactly one of I(cidr_ip) and I(group_name).
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
  - bandup.ecs.changes
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
extends_documentation_fragment:
  - bandup.ecs.changes
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
"""

from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet
from ansible_collections.bandup.ecs.plugins.module_utils._ec2.network import Network, check_params


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
                rules=dict(type="list", elements="dict", default=[], options=rule,
                           required_one_of=[("cidr_ip", "group_name")], mutually_exclusive=[("cidr_ip", "group_name")]),
            )),
            wait_timeout=dict(type="int", default=600),
        ),
        required_by={"vpc_id": ["public_subnet_ids", "private_subnet_ids"]},
        supports_check_mode=True,
    )
    params = module.params
    params["lookup_tags"] = params["lookup_tags"] or params["tags"]
    params["tags"] = dict(params["lookup_tags"], **params["tags"])
    changes = ChangeSet(module.check_mode, module._diff)

    def body():
        check_params(params)
        network = Network(module.client("ec2"), lambda: module.write_client("ec2"), changes, module.region, params)
        return {"network": network.ensure()}

    run(module, changes, body)


if __name__ == "__main__":
    main()
