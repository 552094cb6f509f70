# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IAM policy of the principal that runs this collection: every action it needs, each scoped to the deployment's
resources where the service has resource-level permissions for that action.

``ACTIONS`` maps each action to its scope (a key of ``_SCOPES``). ``policy(topology, account_id)`` builds the policy
of one deployment (the filter ``bandup.ecs.iam_policy``, playbooks/iam_policy.yml); ``generic()`` the same policy
for any deployment, account and region (docs/iam-policy.json, written by scripts/gen_iam_policy.py).

What each scope covers and why (the Service Authorization Reference lists, per action, the resource types it
supports; an action without one only takes ``"*"``):

- ``ecs-cluster``, ``ecs-service``, ``ecs-task``, ``ecs-tagging``: the cluster, its services, its tasks, and for
  tagging also the task definition families. ``ecs-run-task``: RunTask (a pre-deploy task) of the deployment's task
  definition families, only in its cluster (condition ``ecs:cluster``). Task definitions themselves (Register, Deregister, Describe, List),
  ListServices, ListTasks and CreateCluster take ``"*"``.
- ``ecr-repository``: the deployment's repositories (every repository action has the ``repository`` type);
  GetAuthorizationToken takes ``"*"``.
- ``iam-role``: the deployment's execution and task roles by name. ``iam-pass-role``: PassRole on those roles only,
  and only to ``ecs-tasks.amazonaws.com`` (condition ``iam:PassedToService``). ``iam-attach``: AttachRolePolicy
  only of the AWS managed AmazonECSTaskExecutionRolePolicy (condition ``iam:PolicyARN``).
  ``iam-service-linked-role``: CreateServiceLinkedRole only for ECS, Application Auto Scaling and Elastic Load
  Balancing (condition ``iam:AWSServiceName``): AWS creates those roles on the first cluster, scalable target and
  load balancer of an account, with the caller's permission.
- ``logs-group``: the deployment's log groups (``/ecs/<bandup_name>/*``) and their streams.
- ``elb``: the ALB (``app/<name>/*``), its listeners and rules, and the deployment's target groups by name.
- ``region``: ``"*"`` in the deployment's region only (condition ``aws:RequestedRegion``): EC2 (VPC resources have
  IDs, not names, and their creates take no resource of the deployment's), Cloud Map (namespace and service ARNs
  carry IDs, and the services Service Connect creates carry none of the deployment's tags), Application Auto
  Scaling and the CloudWatch alarms of target tracking (IDs and names AWS generates), every Describe/List that
  takes no resource type.
- ``global``: ``"*"``: iam:ListRoles, sts:GetCallerIdentity (IAM and STS are global), pricing:GetProducts (the
  Price List API is served from us-east-1, eu-central-1 and ap-south-1 whatever the deployment's region, and has
  no resource types).
"""

from __future__ import annotations

import json

# The AWS managed policy the execution roles get (roles/task_definition/vars/main.yml): the only one attached.
EXECUTION_POLICY = "arn:{partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
# The services whose service-linked roles AWS creates for the caller on first use.
SERVICE_LINKED = ["ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com",
                  "elasticloadbalancing.amazonaws.com"]

ACTIONS = {
    # The validation reads the ALB's certificate before any write (plugin_utils/certificate.py); ACM certificate
    # ARNs carry no deployment name.
    "acm:DescribeCertificate": "region",
    "application-autoscaling:DeleteScalingPolicy": "region",
    "application-autoscaling:DeregisterScalableTarget": "region",
    "application-autoscaling:DescribeScalableTargets": "region",
    "application-autoscaling:DescribeScalingPolicies": "region",
    "application-autoscaling:PutScalingPolicy": "region",
    "application-autoscaling:RegisterScalableTarget": "region",
    # Target tracking: Application Auto Scaling creates and deletes the policy's alarms with the caller's permission
    # (ECS guide, "IAM permissions required for Amazon ECS service auto scaling").
    # ARC zonal shift (failover.yml, failback.yml, status.yml): the managed resource is the ALB, but the actions'
    # resource-level support is not one this collection has verified, so Region-wide.
    "arc-zonal-shift:CancelZonalShift": "region",
    "arc-zonal-shift:ListZonalShifts": "region",
    "arc-zonal-shift:StartZonalShift": "region",
    "cloudwatch:DeleteAlarms": "region",
    "cloudwatch:DescribeAlarms": "region",
    "cloudwatch:ListTagsForResource": "region",
    "cloudwatch:PutMetricAlarm": "region",
    # PutMetricAlarm with Tags (the deployment alarms, module_utils/_cloudwatch/alarms.py) needs it on the caller.
    "cloudwatch:TagResource": "region",
    **{f"ec2:{action}": "region" for action in (
        "AllocateAddress", "AssociateRouteTable", "AttachInternetGateway", "AuthorizeSecurityGroupIngress",
        "CreateInternetGateway", "CreateNatGateway", "CreateRoute", "CreateRouteTable", "CreateSecurityGroup",
        "CreateSubnet", "CreateTags", "CreateVpc", "DeleteInternetGateway", "DeleteNatGateway", "DeleteRoute",
        "DeleteRouteTable", "DeleteSecurityGroup", "DeleteSubnet", "DeleteVpc", "DescribeAddresses",
        "DescribeAvailabilityZones", "DescribeInternetGateways", "DescribeNatGateways", "DescribeRouteTables",
        "DescribeSecurityGroups", "DescribeSubnets", "DescribeTags", "DescribeVpcAttribute", "DescribeVpcs",
        "DetachInternetGateway", "DisassociateRouteTable", "ModifyVpcAttribute", "ReleaseAddress", "ReplaceRoute",
        "ReplaceRouteTableAssociation", "RevokeSecurityGroupIngress", "UpdateSecurityGroupRuleDescriptionsIngress")},
    "ecr:GetAuthorizationToken": "region",
    **{f"ecr:{action}": "ecr-repository" for action in (
        "BatchCheckLayerAvailability", "BatchGetImage", "CompleteLayerUpload", "CreateRepository", "DeleteLifecyclePolicy",
        "DeleteRepository", "DeleteRepositoryPolicy", "DescribeRepositories", "GetLifecyclePolicy",
        "GetRepositoryPolicy", "InitiateLayerUpload", "ListTagsForResource", "PutImage",
        "PutImageScanningConfiguration", "PutImageTagMutability", "PutLifecyclePolicy", "SetRepositoryPolicy",
        "TagResource", "UntagResource", "UploadLayerPart")},
    **{f"ecs:{action}": "region" for action in (
        "CreateCluster", "DeleteTaskDefinitions", "DeregisterTaskDefinition", "DescribeTaskDefinition",
        "ListServices", "ListTaskDefinitions", "ListTasks", "RegisterTaskDefinition")},
    **{f"ecs:{action}": "ecs-cluster" for action in (
        "DeleteCluster", "DescribeClusters", "PutClusterCapacityProviders", "UpdateCluster")},
    **{f"ecs:{action}": "ecs-service" for action in (
        "CreateService", "DeleteService", "DescribeServices", "UpdateService")},
    # A pre-deploy task (module_utils/_ecs/pre_deploy.py): DescribeTasks and StopTask on the cluster's tasks; RunTask on the
    # task definition families, only in the deployment's cluster (condition ecs:cluster); its tags on create are
    # authorized as ecs:TagResource on the task, its roles as iam:PassRole.
    **{f"ecs:{action}": "ecs-task" for action in ("DescribeTasks", "StopTask")},
    "ecs:RunTask": "ecs-run-task",
    **{f"ecs:{action}": "ecs-tagging" for action in ("ListTagsForResource", "TagResource", "UntagResource")},
    **{f"elasticloadbalancing:{action}": "region" for action in (
        "DescribeListeners", "DescribeLoadBalancerAttributes", "DescribeLoadBalancers", "DescribeRules",
        "DescribeTags", "DescribeTargetGroupAttributes", "DescribeTargetGroups", "DescribeTargetHealth")},
    **{f"elasticloadbalancing:{action}": "elb" for action in (
        "AddTags", "CreateListener", "CreateLoadBalancer", "CreateRule", "CreateTargetGroup", "DeleteListener",
        "DeleteLoadBalancer", "DeleteRule", "DeleteTargetGroup", "ModifyListener", "ModifyLoadBalancerAttributes",
        "ModifyRule",
        "ModifyTargetGroup", "ModifyTargetGroupAttributes", "RemoveTags", "SetSecurityGroups", "SetSubnets")},
    "iam:AttachRolePolicy": "iam-attach",
    "iam:CreateServiceLinkedRole": "iam-service-linked-role",
    "iam:ListRoles": "global",
    "iam:PassRole": "iam-pass-role",
    **{f"iam:{action}": "iam-role" for action in (
        "CreateRole", "DeleteRole", "DeleteRolePolicy", "DetachRolePolicy", "GetRole", "GetRolePolicy",
        "ListAttachedRolePolicies", "ListInstanceProfilesForRole", "ListRolePolicies", "ListRoleTags",
        "PutRolePolicy", "TagRole", "UntagRole", "UpdateAssumeRolePolicy", "UpdateRole")},
    "logs:DescribeLogGroups": "region",
    **{f"logs:{action}": "logs-group" for action in (
        "CreateLogGroup", "DeleteLogGroup", "GetLogEvents", "ListTagsForResource", "ListTagsLogGroup",
        "PutRetentionPolicy", "TagResource", "UntagResource")},
    **{f"servicediscovery:{action}": "region" for action in (
        "CreateHttpNamespace", "DeleteNamespace", "DeleteService", "DeregisterInstance", "GetNamespace",
        "GetOperation", "ListInstances", "ListNamespaces", "ListServices", "ListTagsForResource", "TagResource",
        "UntagResource")},
    "sts:GetCallerIdentity": "global",
    # status.yml reads AWS's price list (module_utils/_pricing/pricing.py); the Price List API has no resource types.
    "pricing:GetProducts": "global",
}


def _names(topology):
    """The deployment's resource names, from the topology (module_utils/topology.py)."""
    services = topology["services"]
    return dict(
        cluster=topology["cluster"],
        services=[p["service_name"] for svc in services for p in svc["placements"]],
        families=[svc["family"] for svc in services],
        repositories=[svc["repository"] for svc in services],
        roles=sorted(role for svc in services for role in (svc["execution_role"], svc["task_role"])),
        log_group_prefix=f"/ecs/{topology['name']}/",
        load_balancer=topology["load_balancer"],
        target_groups=[p["target_group_name"] for svc in services for p in svc["placements"]],
    )


def _resources(names, arn):
    """{scope: [resource ARN pattern]} of the scoped kinds."""
    roles = [arn("iam", "", f"role/{role}") for role in names["roles"]]
    cluster, lb = names["cluster"], names["load_balancer"]
    return {
        "ecs-cluster": [arn("ecs", None, f"cluster/{cluster}")],
        "ecs-service": [arn("ecs", None, f"service/{cluster}/{svc}") for svc in names["services"]],
        "ecs-task": [arn("ecs", None, f"task/{cluster}/*")],
        "ecs-run-task": [arn("ecs", None, f"task-definition/{family}:*") for family in names["families"]],
        "ecs-tagging": ([arn("ecs", None, f"cluster/{cluster}"), arn("ecs", None, f"task/{cluster}/*")]
                        + [arn("ecs", None, f"service/{cluster}/{svc}") for svc in names["services"]]
                        + [arn("ecs", None, f"task-definition/{family}:*") for family in names["families"]]),
        "ecr-repository": [arn("ecr", None, f"repository/{repo}") for repo in names["repositories"]],
        "iam-role": roles,
        "iam-pass-role": roles,
        "iam-attach": roles,
        "iam-service-linked-role": [arn("iam", "", "role/aws-service-role/*")],
        "logs-group": [arn("logs", None, f"log-group:{names['log_group_prefix']}*")],
        "elb": ([arn("elasticloadbalancing", None, f"{kind}/app/{lb}/*")
                 for kind in ("loadbalancer", "listener", "listener-rule")]
                + [arn("elasticloadbalancing", None, f"targetgroup/{tg}/*") for tg in names["target_groups"]]),
    }


def _conditions(region, partition, cluster_arn):
    return {
        "ecs-run-task": {"ArnEquals": {"ecs:cluster": cluster_arn}},
        "iam-pass-role": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        "iam-attach": {"ArnEquals": {"iam:PolicyARN": EXECUTION_POLICY.format(partition=partition)}},
        "iam-service-linked-role": {"StringEquals": {"iam:AWSServiceName": SERVICE_LINKED}},
        "region": {"StringEquals": {"aws:RequestedRegion": region}} if region != "*" else None,
    }


def _sid(scope):
    return "".join(part.capitalize() for part in scope.replace("-", " ").split())


def build(names, region="*", account_id="*", partition="aws"):
    """The policy document for the resource ``names`` (see ``_names``) in ``region`` of ``account_id``."""
    def arn(service, arn_region, resource):
        return f"arn:{partition}:{service}:{region if arn_region is None else arn_region}:{account_id}:{resource}"

    resources = _resources(names, arn)
    conditions = _conditions(region, partition, arn("ecs", None, f"cluster/{names['cluster']}"))
    by_scope = {}
    for action, scope in sorted(ACTIONS.items()):
        by_scope.setdefault(scope, []).append(action)
    statements = []
    for scope in sorted(by_scope):
        statement = {"Sid": _sid(scope), "Effect": "Allow", "Action": by_scope[scope],
                     "Resource": sorted(set(resources[scope])) if scope in resources else "*"}
        if conditions.get(scope):
            statement["Condition"] = conditions[scope]
        statements.append(statement)
    return {"Version": "2012-10-17", "Statement": statements}


def policy(topology, account_id="*", partition="aws"):
    """The policy of the deployment ``topology`` (the ``bandup_topology`` fact), in its region."""
    return build(_names(topology), topology["region"], account_id, partition)


def generic():
    """The policy for any deployment, region and account: every action, resources by the collection's naming
    pattern with ``*`` for the names."""
    return build(dict(cluster="*", services=["*"], families=["*"], repositories=["*"], roles=["*"],
                      log_group_prefix="/ecs/", load_balancer="*", target_groups=["*"]))


# IAM quota: a managed policy document is at most 6,144 characters, whitespace not counted.
MANAGED_POLICY_SIZE = 6144


def size(document):
    """The length IAM counts: the document without whitespace."""
    return len(json.dumps(document, separators=(",", ":")))


def split(document, limit=MANAGED_POLICY_SIZE):
    """The statements of ``document`` packed into as few documents of at most ``limit`` characters as they fit in,
    in order; a statement too large alone is cut into parts by its actions (``Sid`` numbered)."""
    pieces = []
    for statement in document["Statement"]:
        if size({"Version": document["Version"], "Statement": [statement]}) <= limit:
            pieces.append(statement)
            continue
        part, number = dict(statement, Action=[]), 1
        for act in statement["Action"]:
            trial = dict(part, Action=part["Action"] + [act], Sid=f"{statement['Sid']}{number}")
            if part["Action"] and size({"Version": document["Version"], "Statement": [trial]}) > limit:
                pieces.append(dict(part, Sid=f"{statement['Sid']}{number}"))
                part, number = dict(statement, Action=[act]), number + 1
            else:
                part["Action"] = part["Action"] + [act]
        pieces.append(dict(part, Sid=f"{statement['Sid']}{number}"))
    documents = []
    for statement in pieces:
        if documents and size(dict(documents[-1], Statement=documents[-1]["Statement"] + [statement])) <= limit:
            documents[-1]["Statement"].append(statement)
        else:
            documents.append({"Version": document["Version"], "Statement": [statement]})
    return documents


def actions(document):
    """Every action a policy document allows."""
    found = set()
    for statement in document["Statement"]:
        listed = statement["Action"]
        found.update([listed] if isinstance(listed, str) else listed)
    return found
