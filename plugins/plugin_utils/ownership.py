# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resources found under the names a deployment derives that the deployment did not create.

The collection finds its resources by name. One of the same name that lacks the deployment's tag
(``bandup:deployment=<bandup_name>``) was made by hand, by another tool or by another deployment: a converge would
take it over (change it, retag it) and a teardown would then delete it. The ``bandup.ecs.ownership`` lookup runs
``problems()`` before any write of the run and refuses such a resource unless ``bandup_adopt_existing`` names it (or
its kind); an adopted resource is tagged by the run that adopts it, like everything the collection creates.

The reads cost nothing on the converge of an existing deployment whose names did not change: with the deployment's own
cluster in the live state (the ``bandup.ecs.preflight`` lookup reads its tags anyway) and the cluster's record of the
names (the ``bandup:fixed`` fingerprint, plugin_utils/fixed_settings.py) equal to the inventory's, every name was
checked by the run that first derived it, and ``problems()`` makes no call. A new service (new repository, target
group, log group and role names) changes the fingerprint, and the names are read.
"""

from __future__ import annotations

# The readers (module_utils/_cloudmap, _ecr, _ecs, _elbv2, which import boto3) are imported by read_tags: the converge
# of an existing deployment makes no call, and its worker runs without boto3 (plugin_utils/lazy_aws.py).

DEPLOYMENT_TAG = "bandup:deployment"
# kind -> (what the message calls it, the role that writes it)
KINDS = {
    "cluster": ("ECS cluster", "cluster"),
    "namespace": ("Cloud Map namespace", "cluster"),
    "load_balancer": ("load balancer", "alb"),
    "target_group": ("target group", "alb"),
    "ecr_repository": ("ECR repository", "ecr"),
    "log_group": ("log group", "task_definition"),
    "iam_role": ("IAM role", "task_definition"),
}


def wanted_names(topology, roles):
    """[(kind, name)] of every resource the topology names that the selected ``roles`` write."""
    services = topology["services"]
    on_alb = [svc for svc in services if svc["alb"]["enabled"]]
    names = [("cluster", topology["cluster"]), ("namespace", topology["namespace"])]
    if on_alb:
        names.append(("load_balancer", topology["load_balancer"]))
    names += [("target_group", placement["target_group_name"]) for svc in on_alb for placement in svc["placements"]]
    names += [("ecr_repository", svc["repository"]) for svc in services]
    names += [("log_group", svc["log_group"]) for svc in services]
    names += [("iam_role", svc[key]) for svc in services for key in ("execution_role", "task_role")]
    return [(kind, name) for kind, name in names if KINDS[kind][1] in roles]


def read_tags(clients, wanted):
    """{(kind, name): tags} of the resources of ``wanted`` that exist (absent ones are left out). ``clients(service)``
    gives a boto3 client. At most: one DescribeLoadBalancers, one DescribeTargetGroups (per name when one is
    missing), one DescribeTags per 20, one DescribeRepositories (per name when one is missing) and one
    ListTagsForResource per repository found, one DescribeLogGroups and one ListTagsForResource per group found, one
    GetRole per role, one ListNamespaces and one ListTagsForResource for a namespace found."""
    from ansible_collections.bandup.ecs.plugins.module_utils._cloudmap import cloudmap
    from ansible_collections.bandup.ecs.plugins.module_utils._ecr import ecr
    from ansible_collections.bandup.ecs.plugins.module_utils._ecs import task_roles
    from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import load_balancer as lb

    by_kind = {}
    for kind, name in wanted:
        by_kind.setdefault(kind, []).append(name)
    found = {}
    if by_kind.get("load_balancer") or by_kind.get("target_group"):
        elbv2 = clients("elbv2")
        arns = {}
        for name in by_kind.get("load_balancer", []):
            live = lb.find_load_balancer(elbv2, name)
            if live:
                arns[live["LoadBalancerArn"]] = ("load_balancer", name)
        for name, group in lb.find_target_groups(elbv2, by_kind.get("target_group", [])).items():
            arns[group["TargetGroupArn"]] = ("target_group", name)
        for arn, tags in lb.tags_of(elbv2, list(arns)).items():
            found[arns[arn]] = tags
    if by_kind.get("ecr_repository"):
        client = clients("ecr")
        for name, repo in ecr.describe_repositories(client, by_kind["ecr_repository"]).items():
            found[("ecr_repository", name)] = ecr.get_tags(client, repo["repositoryArn"])
    if by_kind.get("log_group"):
        client = clients("logs")
        for name, group in task_roles.describe_log_groups(client, by_kind["log_group"]).items():
            found[("log_group", name)] = task_roles.log_group_tags(client, task_roles.log_group_arn(group))
    if by_kind.get("iam_role"):
        client = clients("iam")
        for name in by_kind["iam_role"]:
            role = task_roles.get_role(client, name)
            if role is not None:
                found[("iam_role", name)] = task_roles.role_tags(role)
    if by_kind.get("namespace"):
        client = clients("servicediscovery")
        for name in by_kind["namespace"]:
            for arn in cloudmap.namespace_arns(client, name):
                found[("namespace", name)] = cloudmap.get_tags(client, arn)
    return found


def refusal(kind, name, tags, deployment):
    what = KINDS[kind][0]
    has = tags.get(DEPLOYMENT_TAG)
    carries = f"it carries {DEPLOYMENT_TAG}={has}" if has else f"it has no {DEPLOYMENT_TAG} tag"
    return (f"bandup_adopt_existing: the {what} '{name}' exists but was not created by the deployment '{deployment}' "
            f"({carries}): a converge would take it over and playbooks/teardown.yml would then delete it. Choose "
            f"another bandup_name, remove it, or adopt it on purpose with bandup_adopt_existing: ['{name}'] (or the "
            f"kind '{kind}'); the run that adopts it tags it {DEPLOYMENT_TAG}={deployment}")


def foreign(found, deployment, adopt):
    """The refusals for the resources of ``found`` ({(kind, name): tags}) that lack ``deployment``'s tag and are not
    adopted (``adopt``: names or kinds)."""
    adopt = set(adopt or [])
    return [refusal(kind, name, tags, deployment) for (kind, name), tags in found.items()
            if tags.get(DEPLOYMENT_TAG) != deployment and kind not in adopt and name not in adopt]


def problems(clients, topology, roles, adopt, live):
    """The refusals of the run. No call when ``live`` shows the deployment's own cluster and ``live['names_changed']``
    is false: the names the deployment derives are those it had (the fingerprint of plugin_utils/fixed_settings.py,
    which covers every repository and target group name, equals the cluster's record), so each was created by it or
    checked by the run that first derived it. A new service or prefix changes the fingerprint, and its names are read."""
    deployment = topology["name"]
    ours = live.get("cluster_exists") and live.get("cluster_deployment") == deployment
    if ours and not live.get("names_changed"):
        return []
    wanted = wanted_names(topology, roles)
    if not wanted:  # a run of roles that create nothing by name (--tags image)
        return []
    found = read_tags(clients, [(kind, name) for kind, name in wanted if kind != "cluster"])
    if live.get("cluster_exists") and ("cluster", topology["cluster"]) in wanted:
        found[("cluster", topology["cluster"])] = {DEPLOYMENT_TAG: live.get("cluster_deployment")} \
            if live.get("cluster_deployment") else {}
    return foreign(found, deployment, adopt)
