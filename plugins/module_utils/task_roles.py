# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudWatch log groups and IAM roles of ECS tasks: one small function per API call ("not found" is None), and
converge(), what bandup.ecs.ecs_task_roles does (also run by bandup.ecs.ecs_taskdefinition with I(task_roles))."""

from __future__ import annotations

import json
import os
from urllib.parse import unquote

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.bandup.ecs.plugins.module_utils import once
from ansible_collections.bandup.ecs.plugins.module_utils.once import write_once
from ansible_collections.bandup.ecs.plugins.module_utils.secrets_policy import secrets_policy

retry = AWSRetry.jittered_backoff()

ECS_TASKS_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def policy_document(value):
    """An IAM policy document as botocore returns it (a dict, or URL-encoded JSON text) -> dict."""
    return json.loads(unquote(value)) if isinstance(value, str) else value


# ---------------------------------------------------------------- CloudWatch Logs

@retry
def _describe_log_groups(client, prefix):
    kwargs = {"logGroupNamePrefix": prefix} if prefix else {}
    return client.get_paginator("describe_log_groups").paginate(**kwargs).build_full_result()["logGroups"]


def describe_log_groups(client, names):
    """{name: log group} of those of ``names`` that exist: one DescribeLogGroups over their common prefix."""
    return {group["logGroupName"]: group for group in _describe_log_groups(client, os.path.commonprefix(names))
            if group["logGroupName"] in names}


def log_group_arn(group):
    """The ARN without the ``:*`` suffix of DescribeLogGroups' ``arn`` (what the tagging calls take)."""
    arn = group["arn"]
    return group.get("logGroupArn") or (arn[:-2] if arn.endswith(":*") else arn)


@retry
def log_group_tags(client, arn):
    return client.list_tags_for_resource(resourceArn=arn).get("tags", {})


def create_log_group(client, name, tags, once=None):
    """CreateLogGroup through ``once`` (a client without botocore's retries, module_utils once); after a lost
    answer, the log group of that name (a resend would fail with ResourceAlreadyExistsException)."""
    kwargs = {"tags": tags} if tags else {}
    write_once(lambda: (once or client).create_log_group(logGroupName=name, **kwargs),
               lambda: describe_log_groups(client, [name]).get(name))


@retry
def put_retention(client, name, days):
    client.put_retention_policy(logGroupName=name, retentionInDays=days)


@retry
def tag_log_group(client, arn, tags):
    client.tag_resource(resourceArn=arn, tags=tags)


# ---------------------------------------------------------------- IAM

@retry
def get_role(client, name):
    """The role (with its trust policy and tags), or None."""
    try:
        role = client.get_role(RoleName=name)["Role"]
    except is_boto3_error_code("NoSuchEntity"):
        return None
    role["AssumeRolePolicyDocument"] = policy_document(role.get("AssumeRolePolicyDocument"))
    return role


def role_tags(role):
    return boto3_tag_list_to_ansible_dict(role.get("Tags") or [])


def create_role(client, name, trust, description, tags, once=None):
    """CreateRole through ``once``; after a lost answer, the role of that name (a resend would fail with
    EntityAlreadyExists)."""
    kwargs = dict(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), Description=description)
    if tags:
        kwargs["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return write_once(lambda: (once or client).create_role(**kwargs)["Role"], lambda: get_role(client, name))


@retry
def update_trust(client, name, trust):
    client.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))


@retry
def update_description(client, name, description):
    client.update_role(RoleName=name, Description=description)


@retry
def tag_role(client, name, tags):
    client.tag_role(RoleName=name, Tags=ansible_dict_to_boto3_tag_list(tags))


@retry
def attached_policies(client, name):
    paginator = client.get_paginator("list_attached_role_policies")
    return [p["PolicyArn"] for p in paginator.paginate(RoleName=name).build_full_result()["AttachedPolicies"]]


@retry
def attach_policy(client, name, arn):
    client.attach_role_policy(RoleName=name, PolicyArn=arn)


@retry
def detach_policy(client, name, arn):
    client.detach_role_policy(RoleName=name, PolicyArn=arn)


@retry
def get_role_policy(client, role, policy_name):
    """The inline policy document called ``policy_name``, or None."""
    try:
        return policy_document(client.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"])
    except is_boto3_error_code("NoSuchEntity"):
        return None


@retry
def put_role_policy(client, role, policy_name, document):
    client.put_role_policy(RoleName=role, PolicyName=policy_name, PolicyDocument=json.dumps(document))


@retry
def delete_role_policy(client, role, policy_name):
    try:
        client.delete_role_policy(RoleName=role, PolicyName=policy_name)
    except is_boto3_error_code("NoSuchEntity"):
        return None
    return True


class Plan:
    """The writes a run needs, with the before/after of what they touch."""

    def __init__(self):
        self.changes, self.writes, self.before, self.after = [], [], {}, {}

    def add(self, resource, setting, write):
        self.changes.append(f"{resource}: {setting}")
        self.writes.append(write)


def plan_log_group(plan, logs, name, live, live_tags, retention, tags, writer=None):
    """``writer``: service -> a client without botocore's retries (module_utils once), for the create."""
    label = f"log group {name}"
    plan.before[label] = {"retention": live.get("retentionInDays"), "tags": live_tags} if live else {}
    plan.after[label] = {"retention": retention, "tags": dict(live_tags, **tags)}
    if live is None:
        plan.add(label, "create", lambda: create_log_group(logs, name, tags, writer and writer("logs")))
    missing = {k: v for k, v in tags.items() if live_tags.get(k) != v}
    if live is not None and missing:
        plan.add(label, "tags", lambda: tag_log_group(logs, log_group_arn(live), missing))
    if (live or {}).get("retentionInDays") != retention:
        plan.add(label, "retention", lambda: put_retention(logs, name, retention))


def plan_role(plan, iam, arns, role, live, managed, inline, writer=None):
    """``role``: {name, description, tags}; ``managed``: (live ARNs, wanted ARNs) or None when not managed;
    ``inline``: (policy name, live document, wanted document or None); ``writer`` as for plan_log_group."""
    name, label = role["name"], f"role {role['name']}"
    live_tags = role_tags(live) if live else {}
    policy_name, live_policy, wanted_policy = inline
    plan.before[label] = {} if live is None else {
        "description": live.get("Description", ""), "trust": live["AssumeRolePolicyDocument"], "tags": live_tags,
        "managed_policies": None if managed is None else sorted(managed[0]), policy_name: live_policy}
    plan.after[label] = {"description": role["description"], "trust": ECS_TASKS_TRUST,
                         "tags": dict(live_tags, **role["tags"]), policy_name: wanted_policy,
                         "managed_policies": None if managed is None else sorted(managed[1])}
    if live is None:
        plan.add(label, "create", lambda: arns.update({name: create_role(
            iam, name, ECS_TASKS_TRUST, role["description"], role["tags"], writer and writer("iam"))["Arn"]}))
    else:
        if compare_policies(live["AssumeRolePolicyDocument"], ECS_TASKS_TRUST):
            plan.add(label, "trust policy", lambda: update_trust(iam, name, ECS_TASKS_TRUST))
        if live.get("Description", "") != role["description"]:
            plan.add(label, "description", lambda: update_description(iam, name, role["description"]))
        missing = {k: v for k, v in role["tags"].items() if live_tags.get(k) != v}
        if missing:
            plan.add(label, "tags", lambda: tag_role(iam, name, missing))
    if managed is not None:
        for arn in sorted(set(managed[1]) - set(managed[0])):
            plan.add(label, f"attach {arn}", lambda arn=arn: attach_policy(iam, name, arn))
        for arn in sorted(set(managed[0]) - set(managed[1])):
            plan.add(label, f"detach {arn}", lambda arn=arn: detach_policy(iam, name, arn))
    if wanted_policy is not None and (live_policy is None or compare_policies(live_policy, wanted_policy)):
        plan.add(label, f"policy {policy_name}", lambda: put_role_policy(iam, name, policy_name, wanted_policy))
    elif wanted_policy is None and live_policy is not None:
        plan.add(label, f"delete policy {policy_name}", lambda: delete_role_policy(iam, name, policy_name))


def desired_roles(module, params):
    """Per service: [(role, managed policies or None, inline policy name, wanted inline document or None)]."""
    tags = params["tags"] or {}
    out = {}
    for svc in params["services"]:
        try:
            secrets = secrets_policy(svc["secrets"])
        except ValueError as err:
            module.fail_json(msg=f"services[{svc['name']}].secrets: {err}")
        task_policy = None if svc["task_policy"] is None else module.from_json(svc["task_policy"])
        out[svc["name"]] = [
            ({"name": svc["execution_role"], "tags": tags,
              "description": f"ECS task execution role of {svc['family']} (image pull, logs, secrets)"},
             params["execution_managed_policies"], params["secrets_policy_name"], secrets),
            ({"name": svc["task_role"], "tags": tags,
              "description": f"ECS task role of {svc['family']} (the application's own permissions)"},
             None, params["task_policy_name"], task_policy),
        ]
    return out


ARGUMENT_SPEC = dict(
    services=dict(type="list", elements="dict", required=True, options=dict(
        name=dict(type="str", required=True),
        family=dict(type="str", required=True),
        log_group=dict(type="str", required=True),
        execution_role=dict(type="str", required=True),
        task_role=dict(type="str", required=True),
        secrets=dict(type="list", elements="str", default=[], no_log=False),
        task_policy=dict(type="json"),
    )),
    log_retention_days=dict(type="int", default=30),
    execution_managed_policies=dict(
        type="list", elements="str",
        default=["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]),
    secrets_policy_name=dict(type="str", default="bandup-secrets", no_log=False),
    task_policy_name=dict(type="str", default="bandup-task"),
    tags=dict(type="dict", aliases=["resource_tags"]),
)
"""The options of bandup.ecs.ecs_task_roles (and of the I(task_roles) option of bandup.ecs.ecs_taskdefinition)."""


def converge(module, params):
    """Ensure the log groups and roles of ``params`` (the options of ARGUMENT_SPEC), writing what differs (nothing
    in check mode). Returns the plan and per service name {log_group, execution_role_arn, task_role_arn}."""
    tags = params["tags"] or {}
    names = [svc["name"] for svc in params["services"]]
    if len(set(names)) != len(names):
        module.fail_json(msg=f"services: every name must be unique (got {names})")
    wanted = desired_roles(module, params)
    logs = module.client("logs", retry_decorator=AWSRetry.jittered_backoff())
    iam = module.client("iam", retry_decorator=AWSRetry.jittered_backoff())
    plan, arns = Plan(), {}
    writer = module.write_client
    try:
        groups = describe_log_groups(logs, [svc["log_group"] for svc in params["services"]])
        for svc in params["services"]:
            live = groups.get(svc["log_group"])
            live_tags = log_group_tags(logs, log_group_arn(live)) if live else {}
            plan_log_group(plan, logs, svc["log_group"], live, live_tags, params["log_retention_days"], tags,
                           writer)
            for role, managed, policy_name, policy in wanted[svc["name"]]:
                live = get_role(iam, role["name"])
                arns[role["name"]] = live and live["Arn"]
                live_managed = attached_policies(iam, role["name"]) if live and managed is not None else []
                live_policy = get_role_policy(iam, role["name"], policy_name) if live else None
                plan_role(plan, iam, arns, role, live, None if managed is None else (live_managed, managed),
                          (policy_name, live_policy, policy), writer)
        if not module.check_mode:
            for write in plan.writes:
                write()
    except Exception as err:  # pylint: disable=broad-except
        module.fail_json_aws(err, msg="ECS log groups and task roles")
    services = {svc["name"]: {"log_group": svc["log_group"], "execution_role_arn": arns[svc["execution_role"]],
                              "task_role_arn": arns[svc["task_role"]]} for svc in params["services"]}
    return plan, services
