#!/usr/bin/env python3
"""Count every resource a deployment can leave on an AWS endpoint: the test harness's duplicate/orphan check.

    census.py [--endpoint URL]      # JSON counts (default endpoint: $AWS_ENDPOINT_URL)

It counts the whole account, not only what carries the deployment's tags, so an untagged orphan (a VPC created
before its tags, an Elastic IP, a second task definition revision) shows as well. The account's defaults (default
VPC, its subnets and internet gateway, default security groups, main route tables) are left out. Test support only.
"""
import argparse
import json
import os
import sys

import boto3

# What the local inventory (inventories/local: 2 services x 2 AZs, NAT gateways on) converges to.
LOCAL_DEPLOYMENT = {
    "vpcs": 1, "subnets": 4, "internet_gateways": 1, "route_tables": 3, "security_groups": 3,
    "nat_gateways": 2, "elastic_ips": 2,
    "load_balancers": 1, "listeners": 1, "target_groups": 4,
    "ecr_repositories": 2,
    "clusters": 1, "services": 4, "task_definition_revisions": 2, "scalable_targets": 2, "scaling_policies": 2,
    "namespaces": 2,  # one Service Connect namespace per AZ cell
    "iam_roles": 4, "log_groups": 2,
}


def census(endpoint, region="us-east-1"):
    """{kind: count} of what the account holds on ``endpoint`` (live resources only)."""

    def aws(service):
        return boto3.client(service, endpoint_url=endpoint, region_name=region,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    ec2, elb, ecs, scaling = aws("ec2"), aws("elbv2"), aws("ecs"), aws("application-autoscaling")
    default_vpcs = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v.get("IsDefault")}
    vpcs = [v for v in ec2.describe_vpcs()["Vpcs"] if v["VpcId"] not in default_vpcs]
    balancers = elb.describe_load_balancers()["LoadBalancers"]
    clusters = ecs.list_clusters()["clusterArns"]
    services = []
    for cluster in clusters:
        arns = ecs.list_services(cluster=cluster)["serviceArns"]
        for start in range(0, len(arns), 10):
            services += ecs.describe_services(cluster=cluster, services=arns[start:start + 10])["services"]
    return {
        "vpcs": len(vpcs),
        "subnets": len([s for s in ec2.describe_subnets()["Subnets"] if s["VpcId"] not in default_vpcs]),
        "internet_gateways": len([g for g in ec2.describe_internet_gateways()["InternetGateways"]
                                  if not {a["VpcId"] for a in g.get("Attachments", [])} & default_vpcs]),
        "route_tables": len([t for t in ec2.describe_route_tables()["RouteTables"] if t["VpcId"] not in default_vpcs
                             and not any(a.get("Main") for a in t.get("Associations", []))]),
        "security_groups": len([g for g in ec2.describe_security_groups()["SecurityGroups"]
                                if g["GroupName"] != "default"]),
        "nat_gateways": len([n for n in ec2.describe_nat_gateways()["NatGateways"]
                             if n["State"] not in ("deleted", "deleting", "failed")]),
        "elastic_ips": len(ec2.describe_addresses()["Addresses"]),
        "load_balancers": len(balancers),
        "listeners": sum(len(elb.describe_listeners(LoadBalancerArn=b["LoadBalancerArn"])["Listeners"])
                         for b in balancers),
        "target_groups": len(elb.describe_target_groups()["TargetGroups"]),
        "ecr_repositories": len(aws("ecr").describe_repositories()["repositories"]),
        "clusters": len([c for c in ecs.describe_clusters(clusters=clusters)["clusters"] if c["status"] == "ACTIVE"])
        if clusters else 0,
        "services": len([s for s in services if s["status"] == "ACTIVE"]),
        "task_definition_revisions": len(ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"]),
        "scalable_targets": len(scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]),
        "scaling_policies": len(scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]),
        "namespaces": len(aws("servicediscovery").list_namespaces()["Namespaces"]),
        "iam_roles": len([r for r in aws("iam").list_roles()["Roles"]
                          if not r["Path"].startswith("/aws-service-role/")]),
        "log_groups": len(aws("logs").describe_log_groups()["logGroups"]),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL"))
    json.dump(census(parser.parse_args().endpoint), sys.stdout, indent=1)


if __name__ == "__main__":
    main()
