#!/usr/bin/env python3
"""Least-privilege IAM policy for a deploy role, from what the collection really calls.

    gen_iam_policy.py RECORD.json [RECORD.json...]   # summaries from tests/support/recording.py
                                                      # -> writes docs/iam-policy.json
    gen_iam_policy.py --check RECORD.json...         # exit 1 if docs/iam-policy.json differs

The recordings come from a full converge + failover + teardown against the local endpoint
(tests/integration/test_iam_policy.py). Calls the endpoint cannot see are listed in IMPLICIT with the reason.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.path.join(ROOT, "docs", "iam-policy.json")
# SigV4 signing name -> IAM action prefix, where they differ.
PREFIX = {"monitoring": "cloudwatch", "email": "ses"}
IMPLICIT = {
    # ECS checks these on the caller when a task definition or service names roles.
    "iam:PassRole": "RegisterTaskDefinition passes the task and execution roles to ECS",
    # First use of ECS, ELB and Application Auto Scaling in an account creates their service-linked roles.
    "iam:CreateServiceLinkedRole": "first ECS service / ALB / scalable target in the account",
    # Image pushes go to the registry API (docker/buildah), which the AWS API record does not show.
    "ecr:BatchCheckLayerAvailability": "image push",
    "ecr:InitiateLayerUpload": "image push",
    "ecr:UploadLayerPart": "image push",
    "ecr:CompleteLayerUpload": "image push",
    "ecr:PutImage": "image push",
    "ecr:BatchGetImage": "image existence check (manifest HEAD/GET)",
    "ecr:GetDownloadUrlForLayer": "image existence check",
    # Paths the recorded life does not take (the local inventory declares no secrets, no task-role policy, no
    # repository policy, and never edits the settings or tags of an existing resource).
    "iam:PutRolePolicy": "execution role secrets policy / task role policy",
    "iam:GetRolePolicy": "execution role secrets policy / task role policy",
    "iam:DeleteRolePolicy": "execution role secrets policy removed; teardown of a role with inline policies",
    "iam:ListRoleTags": "tag changes on an existing role",
    "iam:UpdateAssumeRolePolicy": "trust policy of an existing execution or task role changed",
    "iam:UpdateRole": "description of an existing execution or task role changed",
    "iam:TagRole": "tag changes on an existing role",
    "iam:UntagRole": "tag changes on an existing role",
    "ecr:SetRepositoryPolicy": "ecr_repository_policy / ecr_pull_account_ids",
    "ecr:GetRepositoryPolicy": "ecr_repository_policy / ecr_pull_account_ids (read only when managed and the "
                               "repository's bandup:last-applied record differs from it)",
    "ecr:GetLifecyclePolicy": "lifecycle policy read only when the repository's bandup:last-applied record differs "
                              "from it (a repository created by an older version, a changed policy)",
    "ecr:DeleteRepositoryPolicy": "repository policy removed",
    "ecr:PutImageScanningConfiguration": "scan on push changed on an existing repository",
    "ecr:PutImageTagMutability": "tag mutability changed on an existing repository",
    "ecr:TagResource": "tag changes on an existing repository; the bandup:last-applied record of its policies",
    "ecr:UntagResource": "tag changes on an existing repository",
    "ecs:UntagResource": "tag changes on an existing cluster or service",
    "ecs:UpdateCluster": "settings changed on an existing cluster",
    "ecs:PutClusterCapacityProviders": "capacity providers changed on an existing cluster",
    "ecs:DeleteTaskDefinitions": "teardown of deregistered revisions",
    "cloudwatch:TagResource": "PutMetricAlarm with Tags (the deployment alarms) needs it on the caller",
    "servicediscovery:TagResource": "tag changes on the namespace",
    "servicediscovery:UntagResource": "tag changes on the namespace",
    # Service Connect creates a Cloud Map service per discoveryName; the local endpoint's ECS creates none, so the
    # recorded teardown lists the namespace's services (ListServices) and finds nothing to delete.
    "servicediscovery:ListInstances": "teardown of a namespace holding Service Connect's Cloud Map services",
    "servicediscovery:DeregisterInstance": "teardown: an instance still registered in such a service",
    "servicediscovery:DeleteService": "teardown of a namespace holding Service Connect's Cloud Map services",
    "elasticloadbalancing:RemoveTags": "tag changes on the ALB, listeners or target groups",
    "elasticloadbalancing:DeleteRule": "a service removed from the ALB",
    "elasticloadbalancing:AddTags": "tag changes on an existing ALB or target group, and the target group's "
                                    "bandup:last-applied record when its attributes change (load_balancer module)",
    "elasticloadbalancing:ModifyTargetGroup": "health check changed on an existing target group",
    "elasticloadbalancing:SetSubnets": "subnets of an existing ALB changed",
    "elasticloadbalancing:SetSecurityGroups": "security groups of an existing ALB changed",
    "logs:TagResource": "tag changes on a log group",
    "logs:UntagResource": "tag changes on a log group",
    "application-autoscaling:DeleteScalingPolicy": "a scaling policy removed",
    # Read only when a deployment's wait fails: why its tasks stopped (module_utils/rollout.py).
    "ecs:ListTasks": "a failed rollout: the deployment's stopped tasks",
    "ecs:DescribeTasks": "a failed rollout: stopped reason and exit codes of its tasks",
    "logs:GetLogEvents": "a failed rollout: the last lines of the failing containers' awslogs streams",
    # bandup.ecs.network creates every resource with its tags (TagSpecifications), which IAM authorizes as
    # ec2:CreateTags, and repairs drift of an existing network.
    "ec2:CreateTags": "tags on create (TagSpecifications); tags added to an existing network resource",
    "ec2:ReplaceRoute": "a default route that points elsewhere",
    "ec2:DeleteRoute": "network_nat_gateways turned off",
    "ec2:ReplaceRouteTableAssociation": "a subnet on another route table",
    "ec2:DisassociateRouteTable": "another subnet on a managed route table",
    "ec2:RevokeSecurityGroupIngress": "a rule removed from a security group",
    "ec2:UpdateSecurityGroupRuleDescriptionsIngress": "a rule description changed",
    # ARC zonal shift of the ALB (plugins/modules/alb_zonal_shift.py): the recorded life fails over with both AZs
    # healthy, which starts none (failover_zonal_shift: auto).
    "arc-zonal-shift:StartZonalShift": "failover.yml away from an AZ whose targets are unhealthy (or "
                                       "failover_zonal_shift: always)",
    "arc-zonal-shift:CancelZonalShift": "failback.yml while a zonal shift is active",
    "arc-zonal-shift:ListZonalShifts": "failback.yml, failover.yml with a zonal shift, status.yml",
    "elasticloadbalancing:DescribeLoadBalancerAttributes": "the ALB's attributes (alb_zonal_shift) when its "
                                                           "bandup:last-applied record differs",
    "elasticloadbalancing:ModifyLoadBalancerAttributes": "alb_zonal_shift: zonal_shift.config.enabled",
}


def actions(records):
    found = set()
    for record in records:
        for call in record["calls"]:
            found.add(f"{PREFIX.get(call['service'], call['service'])}:{call['action']}")
    return found


def policy(found):
    every = sorted(found | set(IMPLICIT))
    by_service = {}
    for action in every:
        by_service.setdefault(action.split(":", 1)[0], []).append(action)
    statements = [{"Sid": service.replace("-", "").capitalize(), "Effect": "Allow", "Action": acts, "Resource": "*"}
                  for service, acts in sorted(by_service.items())]
    return {"Version": "2012-10-17", "Statement": statements}


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    records = []
    for path in args:
        with open(path) as handle:
            records.append(json.load(handle))
    content = json.dumps(policy(actions(records)), indent=2) + "\n"
    if "--check" in sys.argv:
        with open(TARGET) as handle:
            if handle.read() != content:
                print("docs/iam-policy.json differs from what the collection calls: run scripts/gen_iam_policy.py",
                      file=sys.stderr)
                sys.exit(1)
        return
    with open(TARGET, "w") as handle:
        handle.write(content)


if __name__ == "__main__":
    main()
