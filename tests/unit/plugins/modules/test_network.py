"""bandup.ecs.network against a botocore Stubber with EC2 describe output in the shape AWS returns.

The no-op test lists every call: a converged network must cost exactly these seven reads.
"""
import copy

import pytest
from botocore.stub import ANY

from ansible_collections.bandup.ecs.plugins.module_utils._ec2 import network as api
from ansible_collections.bandup.ecs.plugins.module_utils import once
from ansible_collections.bandup.ecs.plugins.modules import network

from conftest import run_module

NAME = "bandup"
TAGS = {"bandup:managed-by": "bandup.ecs", "bandup:deployment": NAME}
AZS = ["us-east-1a", "us-east-1b"]
VPC = "vpc-0aaaaaaaaaaaaaaa1"
IGW = "igw-0aaaaaaaaaaaaaaa1"
SUBNETS = {("public", "us-east-1a"): ("subnet-0pub1a", "10.20.0.0/24"),
           ("public", "us-east-1b"): ("subnet-0pub1b", "10.20.1.0/24"),
           ("private", "us-east-1a"): ("subnet-0prv1a", "10.20.10.0/24"),
           ("private", "us-east-1b"): ("subnet-0prv1b", "10.20.11.0/24")}
NATS = {"us-east-1a": "nat-0aaaaaaaaaaaaaaa1", "us-east-1b": "nat-0bbbbbbbbbbbbbbb2"}
TABLES = {"public": "rtb-0public", "private-a": "rtb-0prv1a", "private-b": "rtb-0prv1b"}
SGS = {"alb": "sg-0alb", "backend": "sg-0backend", "frontend": "sg-0frontend"}
OWNER = "123456789012"
SECURITY_GROUPS = [
    {"key": "alb", "name": "bandup-alb", "rules": [
        {"proto": "tcp", "ports": [80], "cidr_ip": "0.0.0.0/0", "rule_desc": "HTTP(S) to the load balancer"},
        {"proto": "tcp", "ports": [443], "cidr_ip": "0.0.0.0/0", "rule_desc": "HTTP(S) to the load balancer"}]},
    {"key": "frontend", "name": "bandup-frontend", "rules": [
        {"proto": "tcp", "ports": [3000], "group_name": "bandup-alb", "rule_desc": "load balancer to frontend"}]},
    {"key": "backend", "name": "bandup-backend", "rules": [
        {"proto": "tcp", "ports": [8080], "group_name": "bandup-alb", "rule_desc": "load balancer to backend"},
        {"proto": "tcp", "ports": [8080], "group_name": "bandup-frontend",
         "rule_desc": "frontend to backend (Service Connect)"}]},
]


def tag_list(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def vpc():
    return {"VpcId": VPC, "CidrBlock": "10.20.0.0/16", "State": "available", "OwnerId": OWNER,
            "DhcpOptionsId": "dopt-1", "InstanceTenancy": "default", "IsDefault": False,
            "Tags": tag_list(dict(TAGS, Name=NAME))}


def subnet(tier, az):
    subnet_id, cidr = SUBNETS[(tier, az)]
    return {"SubnetId": subnet_id, "VpcId": VPC, "CidrBlock": cidr, "AvailabilityZone": az, "State": "available",
            "AvailableIpAddressCount": 251, "Tags": tag_list(dict(TAGS, Name=f"{NAME}-{tier}-{az[-1:]}",
                                                                  **{"bandup:tier": tier}))}


def igw():
    return {"InternetGatewayId": IGW, "OwnerId": OWNER, "Attachments": [{"VpcId": VPC, "State": "available"}],
            "Tags": tag_list(dict(TAGS, Name=NAME))}


def nat(az, state="available"):
    return {"NatGatewayId": NATS[az], "SubnetId": SUBNETS[("public", az)][0], "VpcId": VPC, "State": state,
            "ConnectivityType": "public",
            "NatGatewayAddresses": [{"AllocationId": f"eipalloc-{az[-2:]}", "PublicIp": "198.51.100.1"}],
            "Tags": tag_list(dict(TAGS, Name=f"{NAME}-{az}"))}


def table(key, subnets, target):
    return {"RouteTableId": TABLES[key], "VpcId": VPC, "OwnerId": OWNER, "PropagatingVgws": [],
            "Routes": [{"DestinationCidrBlock": "10.20.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable",
                        "State": "active"},
                       dict({"DestinationCidrBlock": "0.0.0.0/0", "Origin": "CreateRoute", "State": "active"}, **target)],
            "Associations": [{"Main": False, "RouteTableAssociationId": f"rtbassoc-{s}", "RouteTableId": TABLES[key],
                              "SubnetId": s, "AssociationState": {"State": "associated"}} for s in subnets],
            "Tags": tag_list(dict(TAGS, Name=f"{NAME}-{key}"))}


def main_table():
    return {"RouteTableId": "rtb-0main", "VpcId": VPC, "OwnerId": OWNER, "PropagatingVgws": [],
            "Routes": [{"DestinationCidrBlock": "10.20.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable",
                        "State": "active"}],
            "Associations": [{"Main": True, "RouteTableAssociationId": "rtbassoc-main", "RouteTableId": "rtb-0main",
                              "AssociationState": {"State": "associated"}}], "Tags": []}


def tables():
    return [main_table(),
            table("public", [SUBNETS[("public", az)][0] for az in AZS], {"GatewayId": IGW}),
            table("private-a", [SUBNETS[("private", "us-east-1a")][0]], {"NatGatewayId": NATS["us-east-1a"]}),
            table("private-b", [SUBNETS[("private", "us-east-1b")][0]], {"NatGatewayId": NATS["us-east-1b"]})]


def group_pair(key, desc):
    return {"GroupId": SGS[key], "UserId": OWNER, "Description": desc}


def groups():
    cidr = {"CidrIp": "0.0.0.0/0", "Description": "HTTP(S) to the load balancer"}
    return [
        {"GroupId": "sg-0default", "GroupName": "default", "Description": "default VPC security group",
         "VpcId": VPC, "OwnerId": OWNER, "IpPermissions": [], "IpPermissionsEgress": []},
        {"GroupId": SGS["alb"], "GroupName": "bandup-alb", "Description": "bandup.ecs security group bandup-alb",
         "VpcId": VPC, "OwnerId": OWNER, "Tags": tag_list(dict(TAGS, Name="bandup-alb")),
         "IpPermissions": [{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [cidr],
                            "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []} for port in (80, 443)],
         "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
        {"GroupId": SGS["frontend"], "GroupName": "bandup-frontend",
         "Description": "bandup.ecs security group bandup-frontend", "VpcId": VPC, "OwnerId": OWNER,
         "Tags": tag_list(dict(TAGS, Name="bandup-frontend")),
         "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 3000, "ToPort": 3000, "IpRanges": [],
                            "UserIdGroupPairs": [group_pair("alb", "load balancer to frontend")]}]},
        {"GroupId": SGS["backend"], "GroupName": "bandup-backend",
         "Description": "bandup.ecs security group bandup-backend", "VpcId": VPC, "OwnerId": OWNER,
         "Tags": tag_list(dict(TAGS, Name="bandup-backend")),
         "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [],
                            "UserIdGroupPairs": [group_pair("alb", "load balancer to backend"),
                                                 group_pair("frontend", "frontend to backend (Service Connect)")]}]},
    ]


def by_vpc(name="vpc-id"):
    return [{"Name": name, "Values": [VPC]}]


TAG_FILTERS = [{"Name": "tag:bandup:deployment", "Values": [NAME]},
               {"Name": "tag:bandup:managed-by", "Values": ["bandup.ecs"]}]


def args(**override):
    params = dict(name=NAME, tags=TAGS, availability_zones=AZS, vpc_cidr="10.20.0.0/16",
                  public_subnet_cidrs=["10.20.0.0/24", "10.20.1.0/24"],
                  private_subnet_cidrs=["10.20.10.0/24", "10.20.11.0/24"],
                  security_groups=copy.deepcopy(SECURITY_GROUPS), region="us-east-1")
    params.update(override)
    return params


def reads(ec2, live_vpc=True, hostnames=True, subnets=None, igws=None, nats=None, route_tables=None, sgs=None,
          nat_gateways=True):
    """The batched reads of a run, in the order the module makes them."""
    ec2.add_response("describe_vpcs", {"Vpcs": [vpc()] if live_vpc else []}, {"Filters": TAG_FILTERS})
    if not live_vpc:
        return
    ec2.add_response("describe_vpc_attribute", {"VpcId": VPC, "EnableDnsHostnames": {"Value": hostnames}},
                     {"VpcId": VPC, "Attribute": "enableDnsHostnames"})
    ec2.add_response("describe_subnets", {"Subnets": subnets if subnets is not None else
                                          [subnet(t, az) for t in ("public", "private") for az in AZS]},
                     {"Filters": by_vpc()})
    ec2.add_response("describe_internet_gateways", {"InternetGateways": igws if igws is not None else [igw()]},
                     {"Filters": TAG_FILTERS})
    if nat_gateways:
        ec2.add_response("describe_nat_gateways", {"NatGateways": nats if nats is not None else
                                                   [nat(az) for az in AZS]},
                         {"Filter": by_vpc() + [{"Name": "state", "Values": ["pending", "available"]}]})
    ec2.add_response("describe_route_tables", {"RouteTables": route_tables if route_tables is not None else tables()},
                     {"Filters": by_vpc()})
    ec2.add_response("describe_security_groups", {"SecurityGroups": sgs if sgs is not None else groups()},
                     {"Filters": by_vpc()})


def outputs():
    return {"vpc_id": VPC, "public_subnets": {az: SUBNETS[("public", az)][0] for az in AZS},
            "private_subnets": {az: SUBNETS[("private", az)][0] for az in AZS}, "security_groups": SGS,
            "internet_gateway_id": IGW, "nat_gateways": NATS, "route_tables": TABLES}


def test_converged_network_costs_seven_reads_and_changes_nothing(ec2, capsys):
    reads(ec2)
    out = run_module(network, args(_ansible_diff=True), capsys)
    assert out.get("changed") is False, out
    assert out["network"] == outputs()
    assert out["diff"]["before"] == out["diff"]["after"]


def test_found_by_the_lookup_tags_when_a_user_tag_is_added(ec2, capsys):
    """A new user tag is added to every resource; the network is still found by the deployment's tags."""
    reads(ec2)
    out = run_module(network, args(tags=dict(TAGS, team="web"), lookup_tags=TAGS, _ansible_check_mode=True), capsys)
    assert out["network"] == outputs()
    assert len(out["changes"]) == 14
    assert all(c["action"] == "tag" and c["fields"] == ["team"] for c in out["changes"]), out["changes"]
    assert len({c["resource"] for c in out["changes"]}) == 14


def test_without_nat_gateways_no_nat_read_and_private_tables_lose_their_default_route(ec2, capsys):
    reads(ec2, nat_gateways=False)
    for key in ("private-a", "private-b"):
        ec2.add_response("delete_route", {}, {"RouteTableId": TABLES[key], "DestinationCidrBlock": "0.0.0.0/0"})
    out = run_module(network, args(nat_gateways=False), capsys)
    assert out["changed"] is True and out["network"]["nat_gateways"] == {}
    assert out["changes"] == [
        {"resource": f"route table {NAME}-private-{az}", "action": "update", "fields": ["0.0.0.0/0"]} for az in "ab"]


def test_drift_is_repaired(ec2, capsys):
    """DNS hostnames off, a missing tag, a stray rule, a changed rule description, a subnet on the wrong table."""
    sgs = groups()
    sgs[1]["IpPermissions"].append({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                    "IpRanges": [{"CidrIp": "10.0.0.0/8"}]})
    sgs[2]["IpPermissions"][0]["UserIdGroupPairs"][0]["Description"] = "old"
    subnets = [subnet(t, az) for t in ("public", "private") for az in AZS]
    subnets[0]["Tags"] = [t for t in subnets[0]["Tags"] if t["Key"] != "bandup:tier"]
    rts = tables()
    moved = rts[3]["Associations"].pop()  # private-b's subnet now on private-a's table
    rts[2]["Associations"].append(dict(moved, RouteTableId=TABLES["private-a"]))
    reads(ec2, hostnames=False, subnets=subnets, sgs=sgs, route_tables=rts)
    ec2.add_response("modify_vpc_attribute", {}, {"VpcId": VPC, "EnableDnsSupport": {"Value": True}})
    ec2.add_response("modify_vpc_attribute", {}, {"VpcId": VPC, "EnableDnsHostnames": {"Value": True}})
    ec2.add_response("create_tags", {}, {"Resources": ["subnet-0pub1a"],
                                         "Tags": [{"Key": "bandup:tier", "Value": "public"}]})
    ec2.add_response("replace_route_table_association", {"NewAssociationId": "rtbassoc-new"},
                     {"AssociationId": "rtbassoc-subnet-0prv1b", "RouteTableId": TABLES["private-b"]})
    ec2.add_response("revoke_security_group_ingress", {"Return": True}, {"GroupId": SGS["alb"], "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]})
    ec2.add_response("update_security_group_rule_descriptions_ingress", {"Return": True}, {
        "GroupId": SGS["frontend"], "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 3000, "ToPort": 3000,
            "UserIdGroupPairs": [{"GroupId": SGS["alb"], "Description": "load balancer to frontend"}]}]})
    out = run_module(network, args(), capsys)
    assert out.get("changed") is True, out
    assert out["changes"] == [
        {"resource": "vpc bandup", "action": "update", "fields": ["enableDnsSupport"]},
        {"resource": "vpc bandup", "action": "update", "fields": ["enableDnsHostnames"]},
        {"resource": "subnet bandup-public-a", "action": "tag", "fields": ["bandup:tier"]},
        {"resource": "route table bandup-private-b", "action": "associate", "fields": ["subnet-0prv1b"]},
        {"resource": "security group bandup-alb", "action": "revoke", "fields": ["tcp/22 from 10.0.0.0/8"]},
        {"resource": "security group bandup-frontend", "action": "update",
         "fields": ["tcp/3000 from bandup-alb (load balancer to frontend)"]}], out["changes"]


def test_check_mode_on_drift_predicts_and_writes_nothing(ec2, capsys):
    sgs = groups()
    sgs[3]["IpPermissions"][0]["UserIdGroupPairs"].pop()
    reads(ec2, sgs=sgs)
    out = run_module(network, args(_ansible_check_mode=True, _ansible_diff=True), capsys)
    assert out["changed"] is True
    assert out["changes"] == [{"resource": "security group bandup-backend", "action": "authorize",
                               "fields": ["tcp/8080 from bandup-frontend (frontend to backend (Service Connect))"]}]
    before, after = out["diff"]["before"], out["diff"]["after"]
    assert [k for k in after if before.get(k) != after[k]] == ["security group bandup-backend"]


def test_check_mode_on_an_empty_account_reads_one_call_and_writes_nothing(ec2, capsys):
    reads(ec2, live_vpc=False)
    out = run_module(network, args(_ansible_check_mode=True), capsys)
    assert out["changed"] is True
    assert out["network"]["vpc_id"] == "" and out["network"]["security_groups"] == {}
    assert out["network"]["public_subnets"] == {} and out["network"]["private_subnets"] == {}
    creates = [c["resource"] for c in out["changes"] if c["action"] == "create"]
    assert "vpc bandup" in creates
    assert sum(r.startswith("subnet ") for r in creates) == 4
    assert sum(r.startswith("nat gateway ") for r in creates) == 2


def expect_create_inside_vpc(ec2, new_vpc):
    """The writes of a network built inside VPC (new_vpc: the VPC itself is created first)."""
    if new_vpc:
        ec2.add_response("create_vpc", {"Vpc": vpc()}, {"CidrBlock": "10.20.0.0/16", "TagSpecifications": [
            {"ResourceType": "vpc", "Tags": tag_list(dict(TAGS, Name=NAME))}]})
        ec2.add_response("modify_vpc_attribute", {}, {"VpcId": VPC, "EnableDnsHostnames": {"Value": True}})
    for tier in ("public", "private"):
        for az in AZS:
            live = subnet(tier, az)
            ec2.add_response("create_subnet", {"Subnet": live}, {
                "VpcId": VPC, "CidrBlock": live["CidrBlock"], "AvailabilityZone": az,
                "TagSpecifications": [{"ResourceType": "subnet", "Tags": live["Tags"]}]})
    ec2.add_response("create_internet_gateway", {"InternetGateway": dict(igw(), Attachments=[])}, {
        "TagSpecifications": [{"ResourceType": "internet-gateway", "Tags": tag_list(dict(TAGS, Name=NAME))}]})
    ec2.add_response("attach_internet_gateway", {}, {"InternetGatewayId": IGW, "VpcId": VPC})
    ec2.add_response("describe_addresses", {"Addresses": []}, {"Filters": TAG_FILTERS})
    for az in AZS:
        tags = [{"ResourceType": "elastic-ip", "Tags": tag_list(dict(TAGS, Name=f"{NAME}-{az}"))}]
        ec2.add_response("allocate_address", {"AllocationId": f"eipalloc-{az[-2:]}"},
                         {"Domain": "vpc", "TagSpecifications": tags})
        subnet_id = SUBNETS[("public", az)][0]
        ec2.add_response("create_nat_gateway", {"NatGateway": nat(az, "pending")}, {
            "SubnetId": subnet_id, "AllocationId": f"eipalloc-{az[-2:]}",
            "ClientToken": api.nat_client_token(NAME, az, subnet_id),
            "TagSpecifications": [{"ResourceType": "natgateway", "Tags": tags[0]["Tags"]}]})
    ec2.add_response("describe_nat_gateways", {"NatGateways": [nat(az) for az in AZS]},
                     {"NatGatewayIds": list(NATS.values())})
    for key, target, subnet_ids in (("public", {"GatewayId": IGW}, [SUBNETS[("public", az)][0] for az in AZS]),
                                    ("private-a", {"NatGatewayId": NATS["us-east-1a"]}, ["subnet-0prv1a"]),
                                    ("private-b", {"NatGatewayId": NATS["us-east-1b"]}, ["subnet-0prv1b"])):
        live = table(key, [], target)
        ec2.add_response("create_route_table", {"RouteTable": dict(live, Routes=live["Routes"][:1])}, {
            "VpcId": VPC, "ClientToken": api.client_token("rtb", VPC, f"{NAME}-{key}"),
            "TagSpecifications": [{"ResourceType": "route-table", "Tags": live["Tags"]}]})
        ec2.add_response("create_route", {"Return": True},
                         dict({"RouteTableId": TABLES[key], "DestinationCidrBlock": "0.0.0.0/0"}, **target))
        for subnet_id in subnet_ids:
            ec2.add_response("associate_route_table", {"AssociationId": f"rtbassoc-{subnet_id}"},
                             {"RouteTableId": TABLES[key], "SubnetId": subnet_id})
    for spec in SECURITY_GROUPS:
        ec2.add_response("create_security_group", {"GroupId": SGS[spec["key"]]}, {
            "VpcId": VPC, "GroupName": spec["name"], "Description": f"bandup.ecs security group {spec['name']}",
            "TagSpecifications": [{"ResourceType": "security-group", "Tags": tag_list(dict(TAGS, Name=spec["name"]))}]})
    for spec in SECURITY_GROUPS:
        ec2.add_response("authorize_security_group_ingress", {"Return": True},
                         {"GroupId": SGS[spec["key"]], "IpPermissions": ANY})


def test_create_on_an_empty_account(ec2, capsys):
    reads(ec2, live_vpc=False)
    expect_create_inside_vpc(ec2, new_vpc=True)
    out = run_module(network, args(), capsys)
    assert out["changed"] is True
    assert out["network"] == outputs()


def test_rerun_after_an_interruption_adopts_the_tagged_vpc(ec2, capsys):
    """A run stopped after CreateVpc: the rerun finds the VPC by its tags and builds the rest inside it."""
    reads(ec2, hostnames=True, subnets=[], igws=[], nats=[], route_tables=[main_table()], sgs=[groups()[0]])
    expect_create_inside_vpc(ec2, new_vpc=False)
    out = run_module(network, args(), capsys)
    assert out["changed"] is True and {"resource": "vpc bandup", "action": "create", "fields": []} not in out["changes"]
    assert out["network"] == outputs()


def test_create_vpc_without_an_answer_adopts_the_vpc_it_made(ec2, capsys, monkeypatch):
    """CreateVpc answered by a 503 (outcome unknown, as after a lost response): the module looks the VPC up by its
    tags and builds inside it; it neither sends CreateVpc again nor makes a second VPC (issue 14, item 7)."""
    monkeypatch.setattr(once.time, "sleep", lambda seconds: None)
    reads(ec2, live_vpc=False)
    ec2.add_client_error("create_vpc", "ServiceUnavailable", "injected", 503)
    ec2.add_response("describe_vpcs", {"Vpcs": [vpc()]}, {"Filters": TAG_FILTERS})
    ec2.add_response("modify_vpc_attribute", {}, {"VpcId": VPC, "EnableDnsHostnames": {"Value": True}})
    expect_create_inside_vpc(ec2, new_vpc=False)
    out = run_module(network, args(), capsys)
    assert out["network"] == outputs()
    assert out["changes"].count({"resource": "vpc bandup", "action": "create", "fields": []}) == 1


def test_rerun_reuses_a_detached_gateway_and_a_free_address(ec2, capsys):
    """Stopped after CreateInternetGateway and AllocateAddress: both are adopted, nothing duplicated."""
    subnets = [subnet(t, az) for t in ("public", "private") for az in AZS]
    reads(ec2, subnets=subnets, igws=[dict(igw(), Attachments=[])], nats=[nat("us-east-1b")])
    ec2.add_response("attach_internet_gateway", {}, {"InternetGatewayId": IGW, "VpcId": VPC})
    ec2.add_response("describe_addresses", {"Addresses": [
        {"AllocationId": "eipalloc-1a", "PublicIp": "198.51.100.7", "Domain": "vpc",
         "Tags": tag_list(dict(TAGS, Name=f"{NAME}-us-east-1a"))}]}, {"Filters": TAG_FILTERS})
    ec2.add_response("create_nat_gateway", {"NatGateway": nat("us-east-1a", "pending")}, {
        "SubnetId": "subnet-0pub1a", "AllocationId": "eipalloc-1a", "ClientToken": ANY, "TagSpecifications": ANY})
    ec2.add_response("describe_nat_gateways", {"NatGateways": [nat("us-east-1a")]},
                     {"NatGatewayIds": [NATS["us-east-1a"]]})
    out = run_module(network, args(), capsys)
    assert out["changes"] == [{"resource": "internet gateway bandup", "action": "attach", "fields": []},
                              {"resource": "nat gateway bandup-us-east-1a", "action": "create", "fields": []}]


def test_adopted_vpc_is_read_and_checked_and_only_security_groups_are_ensured(ec2, capsys):
    given = {"public_subnet_ids": {az: SUBNETS[("public", az)][0] for az in AZS},
             "private_subnet_ids": {az: SUBNETS[("private", az)][0] for az in AZS}}
    ec2.add_response("describe_subnets", {"Subnets": [subnet(t, az) for t in ("public", "private") for az in AZS]},
                     {"Filters": [{"Name": "subnet-id", "Values": ["subnet-0pub1a", "subnet-0pub1b", "subnet-0prv1a",
                                                                   "subnet-0prv1b"]}]})
    ec2.add_response("describe_security_groups", {"SecurityGroups": groups()}, {"Filters": by_vpc()})
    out = run_module(network, args(vpc_id=VPC, **given), capsys)
    assert out["changed"] is False
    assert out["network"] == {"vpc_id": VPC, "security_groups": SGS, **{k.replace("_ids", "s"): v
                                                                      for k, v in given.items()}}


def test_adopted_subnet_in_the_wrong_az_or_vpc_fails_before_any_write(ec2, capsys):
    given = {"public_subnet_ids": {"us-east-1a": "subnet-0pub1b", "us-east-1b": "subnet-0pub1a"},
             "private_subnet_ids": {"us-east-1a": "subnet-0prv1a", "us-east-1b": "subnet-0gone"}}
    other = dict(subnet("private", "us-east-1a"), VpcId="vpc-0other")
    ec2.add_response("describe_subnets", {"Subnets": [subnet("public", "us-east-1a"), subnet("public", "us-east-1b"),
                                                      other]}, {"Filters": ANY})
    out = run_module(network, args(vpc_id=VPC, **given), capsys)
    assert out["failed"] is True
    assert "public_subnet_ids.us-east-1a: subnet subnet-0pub1b lies in us-east-1b, not in us-east-1a" in out["msg"]
    assert "private_subnet_ids.us-east-1a: subnet subnet-0prv1a belongs to vpc-0other" in out["msg"]
    assert "private_subnet_ids.us-east-1b: subnet subnet-0gone does not exist" in out["msg"]


@pytest.mark.parametrize("override, message", [
    (dict(public_subnet_cidrs=["10.20.0.0/24"]), "public_subnet_cidrs: needs one CIDR per availability zone"),
    (dict(private_subnet_cidrs=["10.20.10.0/24", "10.99.0.0/24"]), "do not lie in vpc_cidr"),
    # the argument spec: nested rule options and the options vpc_id requires
    (dict(security_groups=[{"key": "x", "name": "x", "rules": [{"ports": [1]}]}]),
     "one of the following is required: cidr_ip, group_name found in security_groups -> rules"),
    (dict(security_groups=[{"key": "x", "name": "x", "rules": [{"ports": [1], "cidr_ip": "10.0.0.0/8",
                                                              "group_name": "x"}]}]),
     "parameters are mutually exclusive: cidr_ip|group_name found in security_groups -> rules"),
    (dict(vpc_id=VPC, public_subnet_ids={"us-east-1a": "subnet-1"}),
     "missing parameter(s) required by 'vpc_id': private_subnet_ids"),
])
def test_bad_input_fails_before_any_call(ec2, capsys, override, message):
    out = run_module(network, args(**override), capsys)
    assert out["failed"] is True and message in out["msg"]


def test_existing_vpc_with_another_cidr_fails(ec2, capsys):
    reads(ec2)
    out = run_module(network, args(vpc_cidr="10.30.0.0/16", public_subnet_cidrs=["10.30.0.0/24", "10.30.1.0/24"],
                                   private_subnet_cidrs=["10.30.10.0/24", "10.30.11.0/24"]), capsys)
    assert out["failed"] is True and out["msg"].startswith("vpc_cidr: 10.30.0.0/16 differs")


def test_existing_subnet_with_another_cidr_fails_before_any_write(ec2, capsys):
    """A new CIDR for an existing tier's subnet in an AZ used to create a second subnet and re-wire the route tables;
    it is refused after the reads, before any write (the Stubber holds no write response)."""
    reads(ec2)
    out = run_module(network, args(private_subnet_cidrs=["10.20.12.0/24", "10.20.11.0/24"]), capsys)
    assert out["failed"] is True
    assert out["msg"].startswith("private_subnet_cidrs: 10.20.12.0/24 for us-east-1a differs from 10.20.10.0/24, the "
                                 "CIDR of the existing private subnet subnet-0prv1a")


def test_nat_client_token_is_stable_per_subnet_and_short():
    token = api.nat_client_token(NAME, "us-east-1a", "subnet-1")
    assert token == api.nat_client_token(NAME, "us-east-1a", "subnet-1") and len(token) <= 64
    assert token != api.nat_client_token(NAME, "us-east-1a", "subnet-2")
    table = api.client_token("rtb", "vpc-1", f"{NAME}-public")
    assert table.startswith("bandup-rtb-") and len(table) <= 64
    assert table not in (api.client_token("rtb", "vpc-2", f"{NAME}-public"),
                         api.client_token("rtb", "vpc-1", f"{NAME}-private-a"))


def test_an_aws_error_fails_with_the_writes_already_sent(ec2, capsys):
    """An EC2 error is the module's failure (amazon.aws's error handler, then changes.run): it names the call and
    lists the writes sent before it; no write is sent after it."""
    reads(ec2, hostnames=False)
    ec2.add_response("modify_vpc_attribute", {}, {"VpcId": VPC, "EnableDnsSupport": {"Value": True}})
    ec2.add_client_error("modify_vpc_attribute", "UnauthorizedOperation", "not allowed", 403)
    out = run_module(network, args(), capsys)
    assert out["failed"] is True and out["msg"].startswith("Failed to modify vpc attribute: "), out
    assert out["changed"] is True
    assert out["changes"] == [{"resource": "vpc bandup", "action": "update", "fields": ["enableDnsSupport"]},
                              {"resource": "vpc bandup", "action": "update", "fields": ["enableDnsHostnames"]}]
