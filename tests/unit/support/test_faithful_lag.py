"""The faithful endpoint's eventual consistency switch (lag.py, off by default) and its client tokens (tokens.py)."""
import time

import botocore.exceptions
import pytest

from tests.support import faithful
from tests.unit.support.endpoint_account import CLUSTER, Account  # noqa: E402  pylint: disable=wrong-import-position


def _error(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]


@pytest.fixture(name="aws")
def fixture_aws(url):
    return Account(url)


def _vpc_id(aws):
    return aws.ec2.describe_subnets(SubnetIds=[aws.subnet_a])["Subnets"][0]["VpcId"]


def test_lag_is_off_by_default(aws):
    vpc = aws.ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    assert [v["VpcId"] for v in aws.ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"]] == [vpc]
    aws.create(name="web")
    assert aws.describe("web")["serviceName"] == "web"
    assert faithful.lag(aws.url) == {"switch": {}, "hidden": 0, "stale": 0}


def test_new_ec2_resources_are_hidden_from_describes_for_a_while(aws):
    faithful.set_lag(aws.url, seconds=1, kinds=["vpc", "route-table"])
    vpc = aws.ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    table = aws.ec2.create_route_table(VpcId=_vpc_id(aws))["RouteTable"]["RouteTableId"]
    assert vpc not in [v["VpcId"] for v in aws.ec2.describe_vpcs()["Vpcs"]]
    assert aws.ec2.describe_route_tables(Filters=[{"Name": "route-table-id", "Values": [table]}])["RouteTables"] == []
    aws.ec2.create_tags(Resources=[vpc], Tags=[{"Key": "k", "Value": "v"}])  # a write naming it works
    faithful.set_lag(aws.url, seconds=1, kinds=["internet-gateway"])
    igw = aws.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    aws.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)  # moto looks it up by id: not hidden there
    assert aws.ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"] == []
    subnet = aws.ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]  # not a lagging kind
    assert [s["SubnetId"] for s in aws.ec2.describe_subnets(SubnetIds=[subnet])["Subnets"]] == [subnet]
    time.sleep(1.1)
    assert [g["InternetGatewayId"] for g in aws.ec2.describe_internet_gateways(
        InternetGatewayIds=[igw])["InternetGateways"]] == [igw]
    assert vpc in [v["VpcId"] for v in aws.ec2.describe_vpcs()["Vpcs"]]
    assert [t["RouteTableId"] for t in aws.ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"]] == [table]
    assert faithful.lag(aws.url)["hidden"] >= 2


def test_first_polls_after_a_write_show_the_service_as_it_was(aws):
    faithful.set_lag(aws.url, stale_polls=1)
    aws.create(name="web")
    first = aws.ecs.describe_services(cluster=CLUSTER, services=["web"])
    assert first["services"] == [] and first["failures"][0]["reason"] == "MISSING"
    created = aws.describe("web")
    old_primary = created["deployments"][0]["id"]
    aws.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=aws.td2)
    assert [d["id"] for d in aws.describe("web")["deployments"]] == [old_primary]  # before the write
    assert aws.describe("web")["deployments"][0]["taskDefinition"] == aws.td2
    assert faithful.lag(aws.url)["stale"] == 2


def test_a_route_table_client_token_answers_the_same_table(aws):
    vpc = _vpc_id(aws)
    first = aws.ec2.create_route_table(VpcId=vpc, ClientToken="t-1")["RouteTable"]["RouteTableId"]
    assert aws.ec2.create_route_table(VpcId=vpc, ClientToken="t-1")["RouteTable"]["RouteTableId"] == first
    assert aws.ec2.create_route_table(VpcId=vpc, ClientToken="t-2")["RouteTable"]["RouteTableId"] != first
    other = aws.ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    with pytest.raises(botocore.exceptions.ClientError, match="IdempotentParameterMismatch"):
        aws.ec2.create_route_table(VpcId=other, ClientToken="t-1")
    assert faithful.tokens(aws.url)["replayed"] == 1


def test_a_create_service_client_token_answers_the_same_service(aws):
    first = aws.create(name="web", clientToken="c-1")
    again = aws.create(name="web", clientToken="c-1")
    assert again["serviceArn"] == first["serviceArn"]
    assert again["deployments"][0]["id"] == first["deployments"][0]["id"]
    error = _error(aws.create, name="web", clientToken="c-2")
    assert error == {"Code": "InvalidParameterException", "Message": "Creation of service was not idempotent."}


def test_a_namespace_creator_request_id_answers_the_same_operation(aws):
    first = aws.servicediscovery.create_http_namespace(Name="other", CreatorRequestId="r-1")["OperationId"]
    assert aws.servicediscovery.create_http_namespace(Name="other", CreatorRequestId="r-1")["OperationId"] == first
    assert [n["Name"] for n in aws.servicediscovery.list_namespaces()["Namespaces"]].count("other") == 1
    assert faithful.tokens(aws.url)["replayed"] == 1
