"""module_utils once: a write whose response is lost is looked up, not sent again (issue 14, item 7).

A lost response is simulated by ``Lossy``: the first call of the write raises botocore's ConnectionClosedError;
the lookups get AWS-shaped answers from a Stubber, which has no answer queued for a second write.
"""
import boto3
import botocore.exceptions
import pytest
from botocore.stub import Stubber

from ansible_collections.bandup.ecs.plugins.module_utils import network as api
from ansible_collections.bandup.ecs.plugins.module_utils import once

TAGS = {"bandup:managed-by": "bandup.ecs", "bandup:deployment": "bandup", "Name": "bandup"}
TAG_LIST = [{"Key": k, "Value": v} for k, v in TAGS.items()]
TAG_FILTERS = [{"Name": f"tag:{k}", "Values": [v]} for k, v in sorted(TAGS.items())]
VPC = "vpc-0aaaaaaaaaaaaaaa1"


@pytest.fixture(name="ec2")
def fixture_ec2(monkeypatch):
    monkeypatch.setattr(once.time, "sleep", lambda seconds: None)
    client = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


class Lossy:
    """``client`` whose first call of ``method`` raises ConnectionClosedError: the request went out, its response
    was lost (what a connection closed before the answer gives); every other call goes to ``client``."""

    def __init__(self, client, method):
        self.client, self.method, self.lost = client, method, []

    def __getattr__(self, name):
        if name != self.method or self.lost:
            return getattr(self.client, name)

        def lost(**_kwargs):
            self.lost.append(name)
            raise botocore.exceptions.ConnectionClosedError(endpoint_url="https://ec2.us-east-1.amazonaws.com")
        return lost


def vpc():
    return {"VpcId": VPC, "CidrBlock": "10.20.0.0/16", "State": "available", "Tags": TAG_LIST}


CASES = {
    # client method: (call, lookup operation, its answer when the write happened, expected result)
    "create_vpc": (lambda c, o: api.create_vpc(c, o, "10.20.0.0/16", TAGS, TAGS),
                  "describe_vpcs", {"Vpcs": [vpc()]}, vpc()),
    "create_internet_gateway": (lambda c, o: api.create_internet_gateway(c, o, TAGS), "describe_internet_gateways",
                              {"InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [],
                                                     "Tags": TAG_LIST}]},
                              {"InternetGatewayId": "igw-1", "Attachments": [], "Tags": TAG_LIST}),
    "create_route_table": (lambda c, o: api.create_route_table(c, o, VPC, TAGS), "describe_route_tables",
                         {"RouteTables": [{"RouteTableId": "rtb-main", "VpcId": VPC, "Associations": [
                             {"Main": True, "RouteTableAssociationId": "rtbassoc-m", "RouteTableId": "rtb-main"}]},
                                          {"RouteTableId": "rtb-1", "VpcId": VPC, "Tags": TAG_LIST}]},
                         {"RouteTableId": "rtb-1", "VpcId": VPC, "Tags": TAG_LIST}),
    "allocate_address": (lambda c, o: api.allocate_address(c, o, TAGS), "describe_addresses",
                        {"Addresses": [{"AllocationId": "eipalloc-1", "PublicIp": "198.51.100.7", "Domain": "vpc",
                                        "Tags": TAG_LIST}]}, "eipalloc-1"),
    "create_subnet": (lambda c, o: api.create_subnet(c, o, VPC, "10.20.0.0/24", "us-east-1a", TAGS), "describe_subnets",
                     {"Subnets": [{"SubnetId": "subnet-1", "VpcId": VPC, "CidrBlock": "10.20.0.0/24",
                                   "AvailabilityZone": "us-east-1a"}]},
                     {"SubnetId": "subnet-1", "VpcId": VPC, "CidrBlock": "10.20.0.0/24",
                      "AvailabilityZone": "us-east-1a"}),
    "attach_internet_gateway": (lambda c, o: api.attach_internet_gateway(c, o, "igw-1", VPC), "describe_internet_gateways",
                              {"InternetGateways": [{"InternetGatewayId": "igw-1",
                                                     "Attachments": [{"VpcId": VPC, "State": "available"}]}]}, True),
    "create_security_group": (lambda c, o: api.create_security_group(c, o, VPC, "bandup-alb", "ALB", TAGS),
                            "describe_security_groups",
                            {"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "bandup-alb", "VpcId": VPC}]},
                            "sg-1"),
    "authorize_security_group_ingress": (
        lambda c, o: api.authorize_ingress(c, o, "sg-1", [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                                                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]),
        "describe_security_groups",
        {"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "bandup-alb", "IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}, True),
    "create_route": (lambda c, o: api.create_route(c, o, "rtb-1", {"GatewayId": "igw-1"}), "describe_route_tables",
                    {"RouteTables": [{"RouteTableId": "rtb-1", "Routes": [
                        {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"}]}]}, True),
    "associate_route_table": (lambda c, o: api.associate_route_table(c, o, "rtb-1", "subnet-1"), "describe_route_tables",
                            {"RouteTables": [{"RouteTableId": "rtb-1", "Associations": [
                                {"Main": False, "RouteTableAssociationId": "rtbassoc-1", "RouteTableId": "rtb-1",
                                 "SubnetId": "subnet-1", "AssociationState": {"State": "associated"}}]}]}, True),
    "create_nat_gateway": (lambda c, o: api.create_nat_gateway(c, o, "subnet-1", "eipalloc-1", "token", TAGS),
                         "describe_nat_gateways",
                         {"NatGateways": [{"NatGatewayId": "nat-1", "SubnetId": "subnet-1", "State": "pending"}]},
                         {"NatGatewayId": "nat-1", "SubnetId": "subnet-1", "State": "pending"}),
}


@pytest.mark.parametrize("method", sorted(CASES))
def test_a_lost_response_is_looked_up_and_the_write_not_sent_again(ec2, method):
    client, stubber = ec2
    call, lookup, found, expected = CASES[method]
    lossy = Lossy(client, method)
    stubber.add_response(lookup, found)
    assert call(client, lossy) == expected
    assert lossy.lost == [method]


def test_not_found_after_a_lost_response_creates_again(ec2):
    client, stubber = ec2
    lossy = Lossy(client, "create_vpc")
    stubber.add_response("describe_vpcs", {"Vpcs": []}, {"Filters": TAG_FILTERS})
    stubber.add_response("create_vpc", {"Vpc": vpc()})
    assert api.create_vpc(client, lossy, "10.20.0.0/16", TAGS, TAGS) == vpc()
    assert lossy.lost == ["create_vpc"]


def test_a_server_error_or_throttling_is_looked_up_too_and_a_client_error_is_not(ec2):
    client, stubber = ec2
    stubber.add_client_error("allocate_address", "ThrottlingException", "Rate exceeded", 400)
    stubber.add_response("describe_addresses", {"Addresses": []}, {"Filters": TAG_FILTERS})
    stubber.add_client_error("allocate_address", "InternalError", "injected", 500)
    stubber.add_response("describe_addresses", {"Addresses": []}, {"Filters": TAG_FILTERS})
    stubber.add_response("allocate_address", {"AllocationId": "eipalloc-2"})
    assert api.allocate_address(client, client, TAGS) == "eipalloc-2"
    stubber.add_client_error("allocate_address", "AddressLimitExceeded", "too many", 400)
    with pytest.raises(botocore.exceptions.ClientError, match="AddressLimitExceeded"):
        api.allocate_address(client, client, TAGS)


def test_gives_up_after_the_last_attempt(ec2):
    client, stubber = ec2
    stubber.add_client_error("create_vpc", "ServiceUnavailable", "down", 503)
    stubber.add_response("describe_vpcs", {"Vpcs": []}, {"Filters": TAG_FILTERS})
    stubber.add_client_error("create_vpc", "ServiceUnavailable", "down", 503)
    with pytest.raises(botocore.exceptions.ClientError, match="ServiceUnavailable"):
        once.write_once(lambda: client.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"],
                        lambda: api._single(api.describe_vpcs(client, tags=TAGS)), attempts=2)


def test_the_once_client_has_no_botocore_retries_and_is_made_once(monkeypatch):
    made = []

    class Module:
        def client(self, service, **kwargs):
            made.append((service, kwargs))
            return object()

    module = Module()
    assert once.client(module, "ec2") is once.client(module, "ec2")
    assert made == [("ec2", {"config": {"retries": {"total_max_attempts": 1}}})]
