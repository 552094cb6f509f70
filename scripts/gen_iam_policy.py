#!/usr/bin/env python3
"""docs/iam-policy.json: the collection's IAM policy for any deployment (plugins/plugin_utils/iam_policy.py generic()).

    gen_iam_policy.py            # writes docs/iam-policy.json
    gen_iam_policy.py --check    # exit 1 if docs/iam-policy.json differs

The policy of one deployment, scoped to its names: playbooks/iam_policy.yml (docs/iam.md).
tests/unit/test_iam_policy.py checks every AWS call in plugins/ against the policy (read from the source);
tests/integration/test_lifecycle.py checks it against what a whole life on the local endpoint calls (``actions()`` of
its request record): every recorded action is granted, and every granted action is either recorded or listed in
NOT_RECORDED with the reason the record cannot show it.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.path.join(ROOT, "docs", "iam-policy.json")
# SigV4 signing name -> IAM action prefix, where they differ.
PREFIX = {"monitoring": "cloudwatch", "email": "ses"}
NOT_RECORDED = {
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
    "ecr:BatchGetImage": "image digests and retags in an ECR registry (module_utils/_ecr/registry.py); the local "
                         "registry is not ECR",
    "ecr:DeleteLifecyclePolicy": "ecr_lifecycle_policy removed",
    # The validation reads the ALB's certificate before any write (the local inventory configures none).
    "acm:DescribeCertificate": "alb_certificate_arn checked before any write (plugin_utils/certificate.py)",
    # Target tracking: Application Auto Scaling creates and deletes the alarms with the caller's permission; moto
    # creates none through the API.
    "cloudwatch:PutMetricAlarm": "target tracking scaling policy (alarms created by Application Auto Scaling)",
    "cloudwatch:DescribeAlarms": "target tracking scaling policy",
    "cloudwatch:DeleteAlarms": "target tracking scaling policy removed, scalable target deregistered",
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
    "ecs:RunTask": "bandup_services[].pre_deploy (the local inventory sets none)",
    "ecs:StopTask": "a pre-deploy task that outlives its timeout",
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
    # Read only when a deployment's wait fails: why its tasks stopped (module_utils/_ecs/rollout.py).
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
    """The IAM actions of request records (summaries from tests/support/recording.py)."""
    found = set()
    for record in records:
        for call in record["calls"]:
            found.add(f"{PREFIX.get(call['service'], call['service'])}:{call['action']}")
    return found


def generic():
    sys.path.insert(0, os.path.join(ROOT, ".collections"))
    from ansible_collections.bandup.ecs.plugins.plugin_utils import iam_policy  # pylint: disable=import-outside-toplevel
    return iam_policy.generic()


def main():
    content = json.dumps(generic(), indent=2) + "\n"
    if "--check" in sys.argv[1:]:
        with open(TARGET) as handle:
            if handle.read() != content:
                print("docs/iam-policy.json differs from plugins/plugin_utils/iam_policy.py: run "
                      "scripts/gen_iam_policy.py", file=sys.stderr)
                sys.exit(1)
        return
    with open(TARGET, "w") as handle:
        handle.write(content)


if __name__ == "__main__":
    main()
