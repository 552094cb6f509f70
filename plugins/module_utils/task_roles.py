# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudWatch log groups and IAM roles of ECS tasks: one small function per API call, "not found" is None."""

from __future__ import annotations

import json
import os
from urllib.parse import unquote

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

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


@retry
def create_log_group(client, name, tags):
    kwargs = {"tags": tags} if tags else {}
    client.create_log_group(logGroupName=name, **kwargs)


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


@retry
def create_role(client, name, trust, description, tags):
    kwargs = dict(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), Description=description)
    if tags:
        kwargs["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return client.create_role(**kwargs)["Role"]


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
