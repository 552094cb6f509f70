"""module_utils once: a write whose response is lost is looked up, not sent again (issue 14, item 7).

A lost response is simulated by ``Lossy``: the first call of the write raises botocore's ConnectionClosedError;
the lookups get AWS-shaped answers from a Stubber, which has no answer queued for a second write.
"""
import copy
import importlib

import boto3
import botocore.exceptions
import pytest
from botocore.stub import Stubber
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule

from ansible_collections.bandup.ecs.plugins.module_utils._cloudmap import cloudmap as cloudmap_api
from ansible_collections.bandup.ecs.plugins.module_utils._ecr import ecr as ecr_api
from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import elb_listener as listener_api
from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import load_balancer as lb_api
from ansible_collections.bandup.ecs.plugins.module_utils._ec2 import network as api
from ansible_collections.bandup.ecs.plugins.module_utils import once
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import task_roles as roles_api
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import taskdef as taskdef_api

TAGS = {"bandup:managed-by": "bandup.ecs", "bandup:deployment": "bandup", "Name": "bandup"}
TAG_LIST = [{"Key": k, "Value": v} for k, v in TAGS.items()]
TAG_FILTERS = [{"Name": f"tag:{k}", "Values": [v]} for k, v in sorted(TAGS.items())]
VPC = "vpc-0aaaaaaaaaaaaaaa1"


@pytest.fixture(name="ec2")
def fixture_ec2(monkeypatch):
    monkeypatch.setattr(once.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(once, "LOOKUP_WINDOW", 0)  # one look (the window has its own tests below)
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
    with pytest.raises(AnsibleAWSError, match="AddressLimitExceeded") as raised:  # amazon.aws's EC2 error handler
        api.allocate_address(client, client, TAGS)
    assert isinstance(raised.value.exception, botocore.exceptions.ClientError)


def test_gives_up_after_the_last_attempt(ec2):
    client, stubber = ec2
    stubber.add_client_error("create_vpc", "ServiceUnavailable", "down", 503)
    stubber.add_response("describe_vpcs", {"Vpcs": []}, {"Filters": TAG_FILTERS})
    stubber.add_client_error("create_vpc", "ServiceUnavailable", "down", 503)
    with pytest.raises(botocore.exceptions.ClientError, match="ServiceUnavailable"):
        once.write_once(lambda: client.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"],
                        lambda: api._single(api.describe_vpcs(client, tags=TAGS)), attempts=2)


def test_the_write_client_has_no_botocore_retries_and_is_made_once(monkeypatch):
    made = []
    real = AnsibleAWSModule.client

    def client(self, service, retry_decorator=None, **kwargs):
        made.append((service, copy.deepcopy(kwargs)))
        return real(self, service, retry_decorator=retry_decorator, **kwargs)

    monkeypatch.setattr(AnsibleAWSModule, "client", client)
    with patch_module_args({"access_key": "AKIDEXAMPLE", "secret_key": "secret", "region": "eu-west-1"}):
        module = AWSModule(argument_spec={})
        assert module.write_client("ec2") is module.write_client("ec2")
    assert made == [("ec2", {"config": {"retries": {"total_max_attempts": 1}}})]


# The other creates of a converge that a lost response would duplicate (no client token) or fail ("already
# exists"): each is looked up after a lost answer and not sent again.
LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/bandup/50dc6c495c0c9188"
LISTENER_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/bandup/50dc6c495c0c9188/f2f7dc8efc522ab2"
TG = {"TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bandup-backend-a/73e2d6bc24d8a067",
      "TargetGroupName": "bandup-backend-a", "Protocol": "HTTP", "Port": 8080, "VpcId": VPC, "TargetType": "ip"}
LB = {"LoadBalancerArn": LB_ARN, "LoadBalancerName": "bandup", "Scheme": "internet-facing", "VpcId": VPC,
      "State": {"Code": "provisioning"}, "Type": "application"}
LISTENER = {"ListenerArn": LISTENER_ARN, "LoadBalancerArn": LB_ARN, "Port": 80, "Protocol": "HTTP",
            "DefaultActions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]}
RULE = {"RuleArn": LISTENER_ARN.replace(":listener/", ":listener-rule/") + "/9683b2d02a6cabee", "Priority": "10",
        "Conditions": [{"Field": "path-pattern", "Values": ["/api/v1/*"]}], "IsDefault": False,
        "Actions": [{"Type": "forward", "TargetGroupArn": TG["TargetGroupArn"]}]}
REPOSITORY = {"repositoryArn": "arn:aws:ecr:us-east-1:123456789012:repository/ielts-backend",
              "registryId": "123456789012", "repositoryName": "ielts-backend",
              "repositoryUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/ielts-backend"}
ROLE = {"Path": "/", "RoleName": "bandup-backend-execution", "RoleId": "AROAEXAMPLEEXAMPLE1",
        "Arn": "arn:aws:iam::123456789012:role/bandup-backend-execution", "CreateDate": "2026-11-29T10:00:00Z",
        "AssumeRolePolicyDocument": "%7B%7D"}
TASK_DEFINITION = {"family": "bandup-backend", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
                   "cpu": "1024", "memory": "2048",
                   "containerDefinitions": [{"name": "backend", "image": "repo/backend@sha256:" + "a" * 64,
                                             "essential": True}]}
NAMESPACE = {"Id": "ns-abcdefghijklmnop", "Name": "bandup", "Type": "HTTP",
             "Arn": "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-abcdefghijklmnop"}

OTHER_CASES = {
    # client method: (service, call, lookup operation, its answer when the write happened, expected result)
    "create_load_balancer": ("elbv2", lambda c, o: lb_api.create_load_balancer(
        c, {"Name": "bandup", "Subnets": ["subnet-1", "subnet-2"]}, {}, o),
        "describe_load_balancers", {"LoadBalancers": [LB]}, LB),
    "create_target_group": ("elbv2", lambda c, o: lb_api.create_target_group(
        c, {"Name": "bandup-backend-a", "Protocol": "HTTP", "Port": 8080, "VpcId": VPC, "TargetType": "ip"}, {}, o),
        "describe_target_groups", {"TargetGroups": [TG]}, TG),
    "create_listener": ("elbv2", lambda c, o: listener_api.create_listener(
        c, LB_ARN, {"Port": 80, "Protocol": "HTTP", "DefaultActions": LISTENER["DefaultActions"]}, {}, o),
        "describe_listeners", {"Listeners": [LISTENER]}, LISTENER),
    "create_rule": ("elbv2", lambda c, o: listener_api.create_rule(
        c, LISTENER_ARN, {"Priority": 10, "Conditions": RULE["Conditions"], "Actions": RULE["Actions"]}, o),
        "describe_rules", {"Rules": [RULE]}, RULE),
    "create_repository": ("ecr", lambda c, o: ecr_api.create_repository(
        c, "ielts-backend", "IMMUTABLE", True, {"encryptionType": "AES256"}, {}, o),
        "describe_repositories", {"repositories": [REPOSITORY]}, REPOSITORY),
    "create_log_group": ("logs", lambda c, o: roles_api.create_log_group(c, "/ecs/bandup/backend", {}, o),
                         "describe_log_groups", {"logGroups": [{"logGroupName": "/ecs/bandup/backend"}]}, None),
    "create_role": ("iam", lambda c, o: roles_api.create_role(c, "bandup-backend-execution", {}, "role", {}, o)["Arn"],
                    "get_role", {"Role": ROLE}, ROLE["Arn"]),
    "register_task_definition": ("ecs", lambda c, o: taskdef_api.register(c, TASK_DEFINITION, {}, o)["family"],
                                 "describe_task_definition", {"taskDefinition": dict(
                                     TASK_DEFINITION, revision=3, status="ACTIVE",
                                     taskDefinitionArn="arn:aws:ecs:us-east-1:123456789012:task-definition/"
                                                       "bandup-backend:3")}, "bandup-backend"),
    "create_http_namespace": ("servicediscovery", lambda c, o: cloudmap_api.create_http_namespace(
        cloudmap_api.Clients(lambda: c, lambda: o), "bandup", None, {}), "list_namespaces", {"Namespaces": [NAMESPACE]}, NAMESPACE),
}


@pytest.mark.parametrize("method", sorted(OTHER_CASES))
def test_other_creates_are_looked_up_after_a_lost_response(monkeypatch, method):
    monkeypatch.setattr(once.time, "sleep", lambda seconds: None)
    service, call, lookup, found, expected = OTHER_CASES[method]
    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        stubber.add_response(lookup, found)  # and no answer for a second write
        lossy = Lossy(client, method)
        assert call(client, lossy) == expected
        assert lossy.lost == [method]
        stubber.assert_no_pending_responses()


def test_a_lost_register_is_sent_again_when_the_latest_revision_is_another_definition(monkeypatch):
    """The latest revision is the previous definition: the lost RegisterTaskDefinition did not happen."""
    monkeypatch.setattr(once.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(once, "LOOKUP_WINDOW", 0)
    client = boto3.client("ecs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    previous = dict(TASK_DEFINITION, cpu="512", memory="1024", revision=2, status="ACTIVE",
                    taskDefinitionArn="arn:aws:ecs:us-east-1:123456789012:task-definition/bandup-backend:2")
    new = dict(TASK_DEFINITION, revision=3, status="ACTIVE",
               taskDefinitionArn="arn:aws:ecs:us-east-1:123456789012:task-definition/bandup-backend:3")
    with Stubber(client) as stubber:
        stubber.add_response("describe_task_definition", {"taskDefinition": previous})
        stubber.add_response("register_task_definition", {"taskDefinition": new})
        lossy = Lossy(client, "register_task_definition")
        assert taskdef_api.register(client, TASK_DEFINITION, {}, lossy)["revision"] == 3
        stubber.assert_no_pending_responses()


# Eventual consistency: a resource created moments ago can be missing from describes for a while. After a lost
# answer, write_once looks again with backoff over LOOKUP_WINDOW before it sends the write again.

def test_a_lost_create_hidden_from_the_first_looks_is_found_later_and_not_sent_again(ec2, monkeypatch):
    client, stubber = ec2
    monkeypatch.setattr(once, "LOOKUP_WINDOW", 45.0)
    slept = []
    monkeypatch.setattr(once.time, "sleep", slept.append)
    lossy = Lossy(client, "create_vpc")
    for _ in range(3):  # not visible yet
        stubber.add_response("describe_vpcs", {"Vpcs": []}, {"Filters": TAG_FILTERS})
    stubber.add_response("describe_vpcs", {"Vpcs": [vpc()]}, {"Filters": TAG_FILTERS})
    assert api.create_vpc(client, lossy, "10.20.0.0/16", TAGS, TAGS) == vpc()  # and no second CreateVpc queued
    assert lossy.lost == ["create_vpc"] and len(slept) == 4
    assert all(later > 0 for later in slept) and sum(slept) < once.LOOKUP_WINDOW


def test_the_look_is_bounded_by_the_window_then_the_write_is_sent_again(monkeypatch):
    monkeypatch.setattr(once, "LOOKUP_WINDOW", 45.0)
    slept, looks, calls = [], [], []
    monkeypatch.setattr(once.time, "sleep", slept.append)

    def call():
        calls.append(1)
        if len(calls) == 1:
            raise botocore.exceptions.ConnectionClosedError(endpoint_url="https://ec2.us-east-1.amazonaws.com")
        return "vpc-2"

    assert once.write_once(call, lambda: looks.append(1)) == "vpc-2"
    assert len(calls) == 2 and len(looks) == len(slept) >= 4
    assert sum(slept) == pytest.approx(once.LOOKUP_WINDOW)  # looked for the whole window, no longer
    assert max(slept) <= once.LOOKUP_MAX_DELAY


def test_a_refused_write_is_looked_up_once(monkeypatch):
    """Throttling and 503 say the write was not carried out: one look, then the write again (no window)."""
    monkeypatch.setattr(once.time, "sleep", lambda seconds: None)
    looks, calls = [], []

    def call():
        calls.append(1)
        if len(calls) == 1:
            raise botocore.exceptions.ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate"},
                                                   "ResponseMetadata": {"HTTPStatusCode": 400}}, "CreateVpc")
        return "vpc-2"

    assert once.write_once(call, lambda: looks.append(1)) == "vpc-2"
    assert len(looks) == 1


def test_the_window_is_45_seconds_unless_bandup_lookup_window_says_otherwise(monkeypatch):
    assert once.LOOKUP_WINDOW == 45.0
    monkeypatch.setenv("BANDUP_LOOKUP_WINDOW", "5")
    try:
        assert importlib.reload(once).LOOKUP_WINDOW == 5.0
    finally:
        monkeypatch.delenv("BANDUP_LOOKUP_WINDOW")
        importlib.reload(once)
    assert once.LOOKUP_WINDOW == 45.0
