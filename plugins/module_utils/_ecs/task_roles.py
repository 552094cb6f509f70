# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudWatch log groups and IAM roles of ECS tasks: one small function per API call ("not found" is None), and
converge(), what bandup.ecs.ecs_task_roles does (also run by bandup.ecs.ecs_taskdefinition with I(task_roles)).

Every write goes through the module's ChangeSet (module_utils/changes.py); AWS errors come up as AnsibleAWSError
(amazon.aws's error handlers; IAM's from amazon.aws iam.py)."""

from __future__ import annotations

import json
import os
from urllib.parse import unquote

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.iam import detach_iam_role_policy
from ansible_collections.amazon.aws.plugins.module_utils.iam import get_iam_role
from ansible_collections.amazon.aws.plugins.module_utils.iam import list_iam_role_attached_policies
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.bandup.ecs.plugins.module_utils.once import write_once
from ansible_collections.bandup.ecs.plugins.module_utils.tags import converge_tags
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.secrets_policy import secrets_policy

retry = AWSRetry.jittered_backoff()

ECS_TASKS_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def policy_document(value):
    """An IAM policy document as botocore returns it (a dict, or URL-encoded JSON text) -> dict."""
    return json.loads(unquote(value)) if isinstance(value, str) else value


# ---------------------------------------------------------------- CloudWatch Logs

@AWSErrorHandler.common_error_handler("describe log groups {prefix}")
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


@AWSErrorHandler.common_error_handler("list the tags of log group {arn}")
@retry
def log_group_tags(client, arn):
    return client.list_tags_for_resource(resourceArn=arn).get("tags", {})


@AWSErrorHandler.common_error_handler("create log group {name}")
def create_log_group(client, name, tags, once=None):
    """CreateLogGroup through ``once`` (a client without botocore's retries, module_utils once); after a lost
    answer, the log group of that name (a resend would fail with ResourceAlreadyExistsException)."""
    kwargs = {"tags": tags} if tags else {}
    write_once(lambda: (once or client).create_log_group(logGroupName=name, **kwargs),
               lambda: describe_log_groups(client, [name]).get(name))


@AWSErrorHandler.common_error_handler("set the retention of log group {name}")
@retry
def put_retention(client, name, days):
    client.put_retention_policy(logGroupName=name, retentionInDays=days)


@AWSErrorHandler.common_error_handler("tag log group {arn}")
@retry
def tag_log_group(client, arn, tags):
    client.tag_resource(resourceArn=arn, tags=tags)  # CloudWatch Logs tags are a dict


# ---------------------------------------------------------------- IAM

def get_role(client, name):
    """The role (with its trust policy as a dict, and its tags), or None."""
    role = get_iam_role(client, name)
    if role is not None:
        role["AssumeRolePolicyDocument"] = policy_document(role.get("AssumeRolePolicyDocument"))
    return role


def role_tags(role):
    return boto3_tag_list_to_ansible_dict(role.get("Tags") or [])


@IAMErrorHandler.common_error_handler("create role {name}")
def create_role(client, name, trust, description, tags, once=None):
    """CreateRole through ``once``; after a lost answer, the role of that name (a resend would fail with
    EntityAlreadyExists)."""
    kwargs = dict(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), Description=description)
    if tags:
        kwargs["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return write_once(lambda: (once or client).create_role(**kwargs)["Role"], lambda: get_role(client, name))


@IAMErrorHandler.common_error_handler("update the trust policy of role {name}")
@retry
def update_trust(client, name, trust):
    client.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))


@IAMErrorHandler.common_error_handler("update the description of role {name}")
@retry
def update_description(client, name, description):
    client.update_role(RoleName=name, Description=description)


@IAMErrorHandler.common_error_handler("tag role {name}")
@retry
def tag_role(client, name, tags):
    client.tag_role(RoleName=name, Tags=ansible_dict_to_boto3_tag_list(tags))


def attached_policies(client, name):
    return [policy["PolicyArn"] for policy in list_iam_role_attached_policies(client, name)]


@IAMErrorHandler.common_error_handler("attach policy {arn} to role {name}")
@retry
def attach_policy(client, name, arn):
    client.attach_role_policy(RoleName=name, PolicyArn=arn)


@IAMErrorHandler.list_error_handler("get policy {policy_name} of role {role}")
@retry
def _get_role_policy(client, role, policy_name):
    return client.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]


def get_role_policy(client, role, policy_name):
    """The inline policy document called ``policy_name``, or None."""
    document = _get_role_policy(client, role, policy_name)
    return None if document is None else policy_document(document)


@IAMErrorHandler.common_error_handler("put policy {policy_name} of role {role}")
@retry
def put_role_policy(client, role, policy_name, document):
    client.put_role_policy(RoleName=role, PolicyName=policy_name, PolicyDocument=json.dumps(document))


@IAMErrorHandler.deletion_error_handler("delete policy {policy_name} of role {role}")
@retry
def delete_role_policy(client, role, policy_name):
    client.delete_role_policy(RoleName=role, PolicyName=policy_name)
    return True


def ensure_log_group(changes, logs, name, live, live_tags, retention, tags, writer=None):
    """Ensure the log group ``name`` (``live``: as DescribeLogGroups answers, or None). ``writer``: service -> a
    client without botocore's retries (module_utils once), for the create."""
    label = f"log group {name}"
    changes.diff(label, {"retention": live.get("retentionInDays"), "tags": live_tags} if live else {},
                 {"retention": retention, "tags": dict(live_tags, **tags)})
    if live is None:
        changes.write(label, "create", lambda: create_log_group(logs, name, tags, writer and writer("logs")))
    if live is not None:
        converge_tags(changes, label, live_tags, tags, False, lambda missing: tag_log_group(logs, log_group_arn(live),
                                                                                            missing))
    if (live or {}).get("retentionInDays") != retention:
        changes.write(label, "update", lambda: put_retention(logs, name, retention), fields=["retentionInDays"])


def ensure_role(changes, iam, arns, role, live, managed, inline, writer=None):
    """Ensure the IAM role ``role`` ({name, description, tags}; ``live``: as GetRole answers, or None).
    ``managed``: (live ARNs, wanted ARNs) or None when not managed; ``inline``: (policy name, live document, wanted
    document or None); ``writer`` as for ensure_log_group. A created role's ARN goes into ``arns``."""
    name, label = role["name"], f"role {role['name']}"
    live_tags = role_tags(live) if live else {}
    policy_name, live_policy, wanted_policy = inline
    changes.diff(label, {} if live is None else {
        "description": live.get("Description", ""), "trust": live["AssumeRolePolicyDocument"], "tags": live_tags,
        "managed_policies": None if managed is None else sorted(managed[0]), policy_name: live_policy},
        {"description": role["description"], "trust": ECS_TASKS_TRUST, "tags": dict(live_tags, **role["tags"]),
         policy_name: wanted_policy, "managed_policies": None if managed is None else sorted(managed[1])})
    if live is None:
        created = changes.write(label, "create", lambda: create_role(
            iam, name, ECS_TASKS_TRUST, role["description"], role["tags"], writer and writer("iam")))
        arns[name] = created and created["Arn"]
    else:
        if compare_policies(live["AssumeRolePolicyDocument"], ECS_TASKS_TRUST):
            changes.write(label, "update", lambda: update_trust(iam, name, ECS_TASKS_TRUST),
                          fields=["AssumeRolePolicyDocument"])
        if live.get("Description", "") != role["description"]:
            changes.write(label, "update", lambda: update_description(iam, name, role["description"]),
                          fields=["Description"])
        converge_tags(changes, label, live_tags, role["tags"], False, lambda missing: tag_role(iam, name, missing))
    if managed is not None:
        for arn in sorted(set(managed[1]) - set(managed[0])):
            changes.write(label, "attach", lambda arn=arn: attach_policy(iam, name, arn), fields=[arn])
        for arn in sorted(set(managed[0]) - set(managed[1])):
            changes.write(label, "detach", lambda arn=arn: detach_iam_role_policy(iam, arn, name), fields=[arn])
    if wanted_policy is not None and (live_policy is None or compare_policies(live_policy, wanted_policy)):
        changes.write(label, "put policy", lambda: put_role_policy(iam, name, policy_name, wanted_policy),
                      fields=[policy_name])
    elif wanted_policy is None and live_policy is not None:
        changes.write(label, "delete policy", lambda: delete_role_policy(iam, name, policy_name),
                      fields=[policy_name])


def desired_roles(params):
    """Per service: [(role, managed policies or None, inline policy name, wanted inline document or None)], after
    the checks the argument spec cannot make (AnsibleAWSError naming the option, before any AWS call)."""
    names = [svc["name"] for svc in params["services"]]
    if len(set(names)) != len(names):
        raise AnsibleAWSError(message=f"services: every name must be unique (got {names})")
    tags = params["tags"] or {}
    out = {}
    for svc in params["services"]:
        try:
            secrets = secrets_policy(svc["secrets"])
        except ValueError as err:
            raise AnsibleAWSError(message=f"services[{svc['name']}].secrets: {err}") from None
        try:
            task_policy = None if svc["task_policy"] is None else json.loads(svc["task_policy"])
        except ValueError as err:
            raise AnsibleAWSError(message=f"services[{svc['name']}].task_policy: not JSON ({err})") from None
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
"""The options of bandup.ecs.ecs_task_roles (and of the I(task_roles) option of bandup.ecs.ecs_taskdefinition);
documented once, in the doc fragment bandup.ecs.task_roles."""


def converge(changes, logs, iam, params, wanted, writer=None):
    """Ensure the log groups and roles of ``params`` (the options of ARGUMENT_SPEC; ``wanted``: desired_roles(params)),
    each write through ``changes``. ``logs``, ``iam``: the clients; ``writer``: service -> a client without botocore's
    retries. Returns per service name {log_group, execution_role_arn, task_role_arn} (None: a role not created yet,
    in check mode)."""
    tags = params["tags"] or {}
    groups = describe_log_groups(logs, [svc["log_group"] for svc in params["services"]])
    live = []  # everything is read before the first write
    for svc in params["services"]:
        group = groups.get(svc["log_group"])
        group_tags = log_group_tags(logs, log_group_arn(group)) if group else {}
        roles = []
        for role, managed, policy_name, policy in wanted[svc["name"]]:
            role_live = get_role(iam, role["name"])
            live_managed = attached_policies(iam, role["name"]) if role_live and managed is not None else []
            live_policy = get_role_policy(iam, role["name"], policy_name) if role_live else None
            roles.append((role, role_live, None if managed is None else (live_managed, managed),
                          (policy_name, live_policy, policy)))
        live.append((svc, group, group_tags, roles))
    arns = {}
    for svc, group, group_tags, roles in live:
        ensure_log_group(changes, logs, svc["log_group"], group, group_tags, params["log_retention_days"], tags, writer)
        for role, role_live, managed, inline in roles:
            arns[role["name"]] = role_live and role_live["Arn"]
            ensure_role(changes, iam, arns, role, role_live, managed, inline, writer)
    return {svc["name"]: {"log_group": svc["log_group"], "execution_role_arn": arns[svc["execution_role"]],
                          "task_role_arn": arns[svc["task_role"]]} for svc in params["services"]}
