"""Changes AWS cannot make in place (plugins/plugin_utils/fixed_settings.py), against botocore Stubbers with the
shapes DescribeVpcs, DescribeSubnets, DescribeRepositories and DescribeTargetGroups answer."""
import copy
import os

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.bandup.ecs.plugins.plugin_utils import fixed_settings
from ansible_collections.bandup.ecs.plugins.module_utils.topology import build_topology

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SERVICES = [{"name": "backend", "port": 8080, "health_path": "/health", "cpu": 256, "memory": 512, "image": "nginx:1",
             "alb": {"path_patterns": ["/api/*"]}},
            {"name": "worker", "port": 9000, "health_path": "/health", "cpu": 256, "memory": 512, "image": "nginx:1",
             "alb": {"enabled": False}}]
TOPOLOGY = build_topology("bu", "us-east-1", "us-east-1b", "us-east-1a", copy.deepcopy(SERVICES), ecr_prefix="ielts-")
VALUES = {"network_vpc_id": "", "network_vpc_cidr": "10.20.0.0/16",
          "network_public_subnet_cidrs": ["10.20.0.0/24", "10.20.1.0/24"],
          "network_private_subnet_cidrs": ["10.20.10.0/24", "10.20.11.0/24"],
          "ecr_encryption_type": "AES256", "ecr_kms_key": ""}
INDEXES = {"backend": 0, "worker": 1}
VPC = "vpc-0123456789abcdef0"


def wanted(**change):
    return fixed_settings.settings(TOPOLOGY, dict(VALUES, **change), INDEXES)


def test_settings_name_every_fixed_resource_in_az_order():
    out = wanted()
    assert out["network"] == {"vpc": "10.20.0.0/16", "public": {"us-east-1a": "10.20.0.0/24", "us-east-1b": "10.20.1.0/24"},
                              "private": {"us-east-1a": "10.20.10.0/24", "us-east-1b": "10.20.11.0/24"}}
    assert sorted(out["ecr"]) == ["ielts-bu-backend", "ielts-bu-worker"]
    assert out["target_groups"] == {"bu-backend-a": {"port": 8080, "protocol": "HTTP", "index": 0},
                                    "bu-backend-b": {"port": 8080, "protocol": "HTTP", "index": 0}}
    assert wanted(network_vpc_id=VPC)["network"] is None


def test_fingerprint_moves_with_a_fixed_setting_only():
    base = fixed_settings.fingerprint(wanted())
    assert base == fixed_settings.fingerprint(wanted())
    assert base != fixed_settings.fingerprint(wanted(ecr_encryption_type="KMS"))
    assert base != fixed_settings.fingerprint(wanted(network_vpc_cidr="10.30.0.0/16"))
    # which AZ is active does not matter (a failover changes no fixed setting)
    swapped = build_topology("bu", "us-east-1", "us-east-1a", "us-east-1b", copy.deepcopy(SERVICES), ecr_prefix="ielts-")
    assert base == fixed_settings.fingerprint(fixed_settings.settings(swapped, VALUES, INDEXES))


def subnet(az, tier, cidr, sid):
    return {"SubnetId": sid, "VpcId": VPC, "AvailabilityZone": az, "CidrBlock": cidr, "State": "available",
            "Tags": [{"Key": "bandup:tier", "Value": tier}]}


class Stubs(dict):
    def __missing__(self, service):
        stub = self[service] = Stubber(boto3.client(service, region_name="us-east-1", aws_access_key_id="x",
                                                    aws_secret_access_key="x"))
        stub.activate()
        return stub


def stubbed(vpc_cidr="10.20.0.0/16", private_a="10.20.10.0/24", encryption="AES256", port=8080):
    stubs = Stubs()
    stubs["ec2"].add_response("describe_vpcs", {"Vpcs": [{"VpcId": VPC, "CidrBlock": vpc_cidr, "State": "available"}]})
    stubs["ec2"].add_response("describe_subnets", {"Subnets": [
        subnet("us-east-1a", "public", "10.20.0.0/24", "subnet-0a"), subnet("us-east-1b", "public", "10.20.1.0/24", "subnet-0b"),
        subnet("us-east-1a", "private", private_a, "subnet-1a"), subnet("us-east-1b", "private", "10.20.11.0/24", "subnet-1b")]})
    stubs["ecr"].add_response("describe_repositories", {"repositories": [
        {"repositoryName": name, "encryptionConfiguration": {"encryptionType": encryption}}
        for name in ("ielts-bu-backend", "ielts-bu-worker")]})
    stubs["elbv2"].add_response("describe_target_groups", {"TargetGroups": [
        {"TargetGroupName": name, "TargetGroupArn": f"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/{name}/1",
         "Port": port, "Protocol": "HTTP"} for name in ("bu-backend-a", "bu-backend-b")]})
    return stubs


def problems(stubs, **change):
    found = fixed_settings.problems(lambda service: stubs[service].client, TOPOLOGY, wanted(**change))
    for stub in stubs.values():
        stub.assert_no_pending_responses()
    return found


def test_nothing_to_refuse():
    assert problems(stubbed()) == []


@pytest.mark.parametrize("live,change,message", [
    ({"vpc_cidr": "10.30.0.0/16"}, {}, "network_vpc_cidr: 10.20.0.0/16 differs from 10.30.0.0/16, the CIDR of the "
                                       f"deployment's VPC {VPC}; AWS cannot change the CIDR of a VPC. Keep 10.30.0.0/16"),
    ({}, {"network_private_subnet_cidrs": ["10.20.12.0/24", "10.20.11.0/24"]},
     "network_private_subnet_cidrs[0]: 10.20.12.0/24 differs from 10.20.10.0/24, the CIDR of the deployment's private "
     "subnet subnet-1a in us-east-1a"),
    ({"encryption": "KMS"}, {}, "ecr_encryption_type: AES256 differs from KMS, the encryption of the existing "
                                "repository ielts-bu-backend; ECR cannot change the encryption"),
    ({"port": 8081}, {}, "bandup_services[0].port: 8080 differs from 8081, the port of the existing target group "
                         "bu-backend-a; AWS cannot change the port of a target group. Keep port 8081"),
])
def test_refused_with_the_variable_and_what_to_do(live, change, message):
    found = problems(stubbed(**live), **change)
    assert any(p.startswith(message) for p in found), found
