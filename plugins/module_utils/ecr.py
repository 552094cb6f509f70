# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ECR API calls of bandup.ecs: one small function per call, "not found" is None; and the last-applied record of
the repository policies (a tag, so that a converge that changes nothing need not read them)."""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import urlparse

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.bandup.ecs.plugins.module_utils.once import write_once

LAST_APPLIED_TAG = "bandup:last-applied"  # the record of the policies this code applied (see policy_hash)
retry = AWSRetry.jittered_backoff()


@retry
def describe_repository(client, name):
    try:
        return client.describe_repositories(repositoryNames=[name])["repositories"][0]
    except is_boto3_error_code("RepositoryNotFoundException"):
        return None


@retry
def _describe_repositories(client, names):
    return client.describe_repositories(repositoryNames=names)["repositories"]


def describe_repositories(client, names):
    """{name: repository} of those of ``names`` (at most 100) that exist. One call when all exist; ECR fails the
    whole call when one is missing, then each name is described on its own."""
    try:
        repos = _describe_repositories(client, list(names))
    except is_boto3_error_code("RepositoryNotFoundException"):
        repos = [] if len(names) == 1 else [repo for repo in map(lambda name: describe_repository(client, name), names)
                                            if repo]
    return {repo["repositoryName"]: repo for repo in repos}


def create_repository(client, name, mutability, scan_on_push, encryption, tags, once=None):
    """CreateRepository through ``once`` (a client without botocore's retries, module_utils once); after a lost
    answer, the repository of that name (a resend would fail with RepositoryAlreadyExistsException)."""
    kwargs = dict(repositoryName=name, imageTagMutability=mutability,
                  imageScanningConfiguration={"scanOnPush": scan_on_push}, encryptionConfiguration=encryption)
    if tags:
        kwargs["tags"] = ansible_dict_to_boto3_tag_list(tags, "Key", "Value")
    return write_once(lambda: (once or client).create_repository(**kwargs)["repository"],
                      lambda: describe_repository(client, name))


@retry
def delete_repository(client, name, force):
    try:
        client.delete_repository(repositoryName=name, force=force)
    except is_boto3_error_code("RepositoryNotFoundException"):
        return None
    return True


@retry
def put_tag_mutability(client, name, mutability):
    client.put_image_tag_mutability(repositoryName=name, imageTagMutability=mutability)


@retry
def put_scan_on_push(client, name, scan_on_push):
    client.put_image_scanning_configuration(repositoryName=name,
                                            imageScanningConfiguration={"scanOnPush": scan_on_push})


# Policy kind -> (get call, text field, put call, delete call, its "not found" error).
POLICIES = {
    "lifecycle_policy": ("get_lifecycle_policy", "lifecyclePolicyText", "put_lifecycle_policy",
                         "delete_lifecycle_policy", "LifecyclePolicyNotFoundException"),
    "repository_policy": ("get_repository_policy", "policyText", "set_repository_policy",
                          "delete_repository_policy", "RepositoryPolicyNotFoundException"),
}


def policy_hash(policy):
    """A short hash of a policy document; whitespace and key order do not count."""
    return hashlib.sha256(json.dumps(policy, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]


def parse_record(value):
    """{policy kind: hash} of a last-applied record, the tag value 'lifecycle=<hash> repository=<hash>' (a tag value
    allows letters, digits, spaces and _.:/=+-@ only)."""
    pairs = (item.partition("=") for item in (value or "").split())
    return {name + "_policy": digest for name, _sep, digest in pairs if name + "_policy" in POLICIES and digest}


def format_record(record):
    """The tag value of a {policy kind: hash} record; '' when empty."""
    return " ".join(f"{kind[:-len('_policy')]}={digest}" for kind, digest in sorted(record.items()))


@retry
def get_policy(client, name, kind):
    get, field, _put, _delete, not_found = POLICIES[kind]
    try:
        return json.loads(getattr(client, get)(repositoryName=name)[field])
    except is_boto3_error_code(not_found):
        return None


@retry
def put_policy(client, name, kind, policy):
    _get, field, put, _delete, _not_found = POLICIES[kind]
    getattr(client, put)(repositoryName=name, **{field: json.dumps(policy, sort_keys=True)})


@retry
def delete_policy(client, name, kind):
    _get, _field, _put, delete, not_found = POLICIES[kind]
    try:
        getattr(client, delete)(repositoryName=name)
    except is_boto3_error_code(not_found):
        return None
    return True


@retry
def get_tags(client, arn):
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(resourceArn=arn).get("tags", []))


@retry
def tag_repository(client, arn, tags):
    client.tag_resource(resourceArn=arn, tags=ansible_dict_to_boto3_tag_list(tags, "Key", "Value"))


@retry
def untag_repository(client, arn, keys):
    client.untag_resource(resourceArn=arn, tagKeys=list(keys))


@retry
def authorization(client):
    """(user, password, registry host) from ecr:GetAuthorizationToken. The password is a secret."""
    data = client.get_authorization_token()["authorizationData"][0]
    user, password = base64.b64decode(data["authorizationToken"]).decode().split(":", 1)
    endpoint = data["proxyEndpoint"]
    return user, password, urlparse(endpoint).netloc or endpoint
