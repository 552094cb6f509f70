# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ECR repositories of bandup.ecs: the calls (retried with jittered backoff, errors raised by ECRErrorHandler as
AnsibleAWSError, "not found" answered as None), the last-applied record of the repository policies (a tag, so that a
converge that changes nothing need not read them), and the converge of one or several repositories, every write
through the run's ChangeSet."""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import urlparse

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.bandup.ecs.plugins.module_utils.once import write_once
from ansible_collections.bandup.ecs.plugins.module_utils.topology import ECR_NAME_RE

LAST_APPLIED_TAG = "bandup:last-applied"  # the record of the policies this code applied (see policy_hash)
retry = AWSRetry.jittered_backoff()
# Policy kind -> (get call, text field, put call, delete call, its "not found" error).
POLICIES = {
    "lifecycle_policy": ("get_lifecycle_policy", "lifecyclePolicyText", "put_lifecycle_policy",
                         "delete_lifecycle_policy", "LifecyclePolicyNotFoundException"),
    "repository_policy": ("get_repository_policy", "policyText", "set_repository_policy",
                          "delete_repository_policy", "RepositoryPolicyNotFoundException"),
}


class ECRErrorHandler(AWSErrorHandler):
    """amazon.aws's error handler for ECR: a missing repository or policy is "not found"."""

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["RepositoryNotFoundException"] + [kind[4] for kind in POLICIES.values()])


@ECRErrorHandler.list_error_handler("describe repository {name}")
@retry
def describe_repository(client, name):
    return client.describe_repositories(repositoryNames=[name])["repositories"][0]


@retry
def _describe_repositories(client, names):
    return client.describe_repositories(repositoryNames=names)["repositories"]


@ECRErrorHandler.common_error_handler("describe repositories {names}")
def describe_repositories(client, names):
    """{name: repository} of those of ``names`` (at most 100) that exist. One call when all exist; ECR fails the
    whole call when one is missing, then each name is described on its own."""
    try:
        repos = _describe_repositories(client, list(names))
    except is_boto3_error_code("RepositoryNotFoundException"):
        repos = [] if len(names) == 1 else [repo for repo in map(lambda name: describe_repository(client, name), names)
                                            if repo]
    return {repo["repositoryName"]: repo for repo in repos}


@ECRErrorHandler.common_error_handler("create repository {name}")
def create_repository(client, name, mutability, scan_on_push, encryption, tags, once=None):
    """CreateRepository through ``once`` (a client without botocore's retries, module_utils once); after a lost
    answer, the repository of that name (a resend would fail with RepositoryAlreadyExistsException)."""
    kwargs = dict(repositoryName=name, imageTagMutability=mutability,
                  imageScanningConfiguration={"scanOnPush": scan_on_push}, encryptionConfiguration=encryption)
    if tags:
        kwargs["tags"] = ansible_dict_to_boto3_tag_list(tags, "Key", "Value")
    return write_once(lambda: (once or client).create_repository(**kwargs)["repository"],
                      lambda: describe_repository(client, name))


@ECRErrorHandler.deletion_error_handler("delete repository {name}")
@retry
def delete_repository(client, name, force):
    client.delete_repository(repositoryName=name, force=force)
    return True


@ECRErrorHandler.common_error_handler("set the tag mutability of {name}")
@retry
def put_tag_mutability(client, name, mutability):
    client.put_image_tag_mutability(repositoryName=name, imageTagMutability=mutability)


@ECRErrorHandler.common_error_handler("set scan on push of {name}")
@retry
def put_scan_on_push(client, name, scan_on_push):
    client.put_image_scanning_configuration(repositoryName=name,
                                            imageScanningConfiguration={"scanOnPush": scan_on_push})


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


@ECRErrorHandler.list_error_handler("get the {kind} of {name}")
@retry
def get_policy(client, name, kind):
    get, field, _put, _delete, _not_found = POLICIES[kind]
    return json.loads(getattr(client, get)(repositoryName=name)[field])


@ECRErrorHandler.common_error_handler("put the {kind} of {name}")
@retry
def put_policy(client, name, kind, policy):
    _get, field, put, _delete, _not_found = POLICIES[kind]
    getattr(client, put)(repositoryName=name, **{field: json.dumps(policy, sort_keys=True)})


@ECRErrorHandler.deletion_error_handler("delete the {kind} of {name}")
@retry
def delete_policy(client, name, kind):
    _get, _field, _put, delete, _not_found = POLICIES[kind]
    getattr(client, delete)(repositoryName=name)
    return True


@ECRErrorHandler.common_error_handler("list the tags of {arn}")
@retry
def get_tags(client, arn):
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(resourceArn=arn).get("tags", []))


@ECRErrorHandler.common_error_handler("tag {arn}")
@retry
def tag_repository(client, arn, tags):
    client.tag_resource(resourceArn=arn, tags=ansible_dict_to_boto3_tag_list(tags, "Key", "Value"))


@ECRErrorHandler.common_error_handler("untag {arn}")
@retry
def untag_repository(client, arn, keys):
    client.untag_resource(resourceArn=arn, tagKeys=list(keys))


@ECRErrorHandler.common_error_handler("get an ECR authorization token")
@retry
def authorization(client):
    """(user, password, registry host) from ecr:GetAuthorizationToken. The password is a secret."""
    data = client.get_authorization_token()["authorizationData"][0]
    user, password = base64.b64decode(data["authorizationToken"]).decode().split(":", 1)
    endpoint = data["proxyEndpoint"]
    return user, password, urlparse(endpoint).netloc or endpoint


@ECRErrorHandler.common_error_handler("read the image {repository}:{tag}")
@retry
def _batch_get_image(client, registry_id, repository, tag, media_types):
    return client.batch_get_image(registryId=registry_id, repositoryName=repository, imageIds=[{"imageTag": tag}],
                                  acceptedMediaTypes=list(media_types))


def get_image(client, registry_id, repository, tag, media_types):
    """The image ``repository:tag`` (BatchGetImage: ``imageId``, ``imageManifest``, ``imageManifestMediaType``), or
    None when the tag does not exist. A missing repository is an error (the ecr role creates it first)."""
    answer = _batch_get_image(client, registry_id, repository, tag, media_types)
    if answer.get("images"):
        return answer["images"][0]
    failures = answer.get("failures") or []
    if all(failure.get("failureCode") in ("ImageNotFound", "ImageTagDoesNotMatchDigest") for failure in failures):
        return None
    reasons = "; ".join(f"{f.get('failureCode')}: {f.get('failureReason')}" for f in failures)
    raise AnsibleAWSError(message=f"read the image {repository}:{tag}: {reasons}")


@ECRErrorHandler.common_error_handler("tag the image {repository} as {tag}")
@retry
def put_image_tag(client, registry_id, repository, image, tag):
    """Tag the manifest of ``image`` (get_image's answer) as ``tag`` (PutImage: no layer moves); its digest. A tag
    that already names this manifest is not an error."""
    try:
        answer = client.put_image(registryId=registry_id, repositoryName=repository, imageTag=tag,
                                  imageManifest=image["imageManifest"],
                                  imageManifestMediaType=image["imageManifestMediaType"])
    except is_boto3_error_code("ImageAlreadyExistsException"):
        return image["imageId"]["imageDigest"]
    return answer["image"]["imageId"]["imageDigest"]


# --- the converge ---------------------------------------------------------------------------------------------

def managed_policies(params):
    """The policy kinds a run manages, so reads them: set, or unset with purge."""
    return [kind for kind in POLICIES if params[kind] is not None or params["purge_" + kind]]


def live_states(client, names, policies, wanted=None):
    """{name: live state or None}: one DescribeRepositories for all names, then per repository its tags and the
    policies of the kinds ``policies`` (the others are absent from the state). A kind that ``wanted`` ({kind: policy
    or None}, e.g. the module parameters) sets and whose hash in the repository's last-applied record is the hash of
    that policy is not read: the state holds the wanted policy."""
    repos = describe_repositories(client, names)
    states = {}
    for name in names:
        repo = states[name] = repos.get(name)
        if repo is not None:
            tags = get_tags(client, repo["repositoryArn"])
            record = parse_record(tags.get(LAST_APPLIED_TAG))
            states[name] = {
                "repo": repo,
                "scan_on_push": repo.get("imageScanningConfiguration", {}).get("scanOnPush", False),
                "image_tag_mutability": repo.get("imageTagMutability"),
                "encryption": repo.get("encryptionConfiguration", {"encryptionType": "AES256"}),
                "tags": tags,
            }
            for kind in policies:
                policy = (wanted or {}).get(kind)
                trusted = policy is not None and record.get(kind) == policy_hash(policy)
                states[name][kind] = policy if trusted else get_policy(client, name, kind)
    return states


def live_state(client, name, policies=tuple(POLICIES), wanted=None):
    return live_states(client, [name], policies, wanted)[name]


def summary(state):
    if state is None:
        return {}
    return {key: state[key] for key in ("scan_on_push", "image_tag_mutability", "encryption", "lifecycle_policy",
                                        "repository_policy", "tags") if key in state}


def encryption_matches(live, wanted):
    if live.get("encryptionType") != wanted["encryptionType"]:
        return False
    key, live_key = wanted.get("kmsKey"), live.get("kmsKey", "")
    return not key or live_key == key or live_key.endswith("/" + key)


def without_record(tags):
    return {k: v for k, v in tags.items() if k != LAST_APPLIED_TAG}


def desired(params, client, live, name, write_client=None):
    """The state after the run and the writes it needs: [(action, fields, call)]. ``write_client``: a callable
    answering the ECR client without retries, for CreateRepository (module_utils/once.py)."""
    encryption = {"encryptionType": params["encryption_type"]}
    if params["kms_key"]:
        encryption["kmsKey"] = params["kms_key"]
    after = dict(summary(live) or {"tags": {}})
    after.update(scan_on_push=params["scan_on_push"], image_tag_mutability=params["image_tag_mutability"])
    writes, created = [], {}
    if live is None:
        after["encryption"] = encryption
        writes.append(("create", [], lambda: created.update(create_repository(
            client, name, params["image_tag_mutability"], params["scan_on_push"], encryption,
            without_record(params["tags"] or {}), write_client() if write_client else None))))
    else:
        if not encryption_matches(live["encryption"], encryption):
            raise AnsibleAWSError(message=f"encryption_type: repository '{name}' is encrypted with "
                                          f"{live['encryption']}; ECR cannot change the encryption of an existing "
                                          "repository")
        if live["scan_on_push"] != params["scan_on_push"]:
            writes.append(("update", ["scan_on_push"],
                           lambda: put_scan_on_push(client, name, params["scan_on_push"])))
        if live["image_tag_mutability"] != params["image_tag_mutability"]:
            writes.append(("update", ["image_tag_mutability"],
                           lambda: put_tag_mutability(client, name, params["image_tag_mutability"])))
    live_tags = live["tags"] if live else without_record(params["tags"] or {})  # a new one: its create tags
    record = parse_record(live_tags.get(LAST_APPLIED_TAG))
    for key in POLICIES:
        wanted, current = params[key], after.get(key)
        if wanted is not None and (current is None or compare_policies(current, wanted)):
            after[key] = wanted
            writes.append(("update", [key], lambda key=key, wanted=wanted: put_policy(client, name, key, wanted)))
        elif wanted is None and current is not None and params["purge_" + key]:
            after[key] = None
            writes.append(("update", [key], lambda key=key: delete_policy(client, name, key)))
        if wanted is not None:
            record[key] = policy_hash(wanted)
        elif params["purge_" + key]:
            record.pop(key, None)
    # The record is the module's own tag, never purged. It is written after the policies, so a failed or
    # interrupted policy write leaves the old record and the next run reads the policy again; for a new repository
    # that is a TagResource after the create and the policies, not a tag of CreateRepository.
    to_set, to_remove = {}, []
    if params["tags"] is not None and live is not None:
        to_set, to_remove = compare_aws_tags(without_record(live_tags), without_record(params["tags"]),
                                             params["purge_tags"])
    record = format_record(record)
    if record and live_tags.get(LAST_APPLIED_TAG) != record:
        to_set[LAST_APPLIED_TAG] = record
    elif not record and LAST_APPLIED_TAG in live_tags:
        to_remove.append(LAST_APPLIED_TAG)
    arn = (lambda: live["repo"]["repositoryArn"]) if live else (lambda: created["repositoryArn"])
    if to_set:
        writes.append(("tag", sorted(to_set), lambda: tag_repository(client, arn(), to_set)))
    if to_remove:
        writes.append(("untag", sorted(to_remove), lambda: untag_repository(client, arn(), to_remove)))
    after["tags"] = {k: v for k, v in dict(live_tags, **to_set).items() if k not in to_remove}
    return after, writes


def result(state):
    repo = camel_dict_to_snake_dict(state["repo"])
    repo["tags"] = state["tags"]
    return dict(repository=repo, lifecycle_policy=state.get("lifecycle_policy"),
                repository_policy=state.get("repository_policy"))


def ensure_present(params, client, changes, name, live, write_client=None):
    """The result of one repository (I(repository), its policies), writing what differs through ``changes``."""
    resource = f"repository {name}"
    after, writes = desired(params, client, live, name, write_client)
    changes.diff(resource, summary(live), after)
    for action, fields, call in writes:
        changes.write(resource, action, call, fields)
    if changes.check_mode or not writes:
        return result(live) if live else {}
    return result(live_state(client, name, managed_policies(params), params))


def ensure_absent(params, client, changes, name, live):
    if live is None:
        return {}
    changes.diff(f"repository {name}", summary(live), {})
    changes.write(f"repository {name}", "delete", lambda: delete_repository(client, name, params["force_delete"]))
    return {}


def ensure(params, client, changes, names, write_client=None):
    """{name: result} of every repository of ``names`` (state present or absent), in one batch of reads."""
    present = params["state"] == "present"
    states = live_states(client, names, managed_policies(params) if present else [], params)
    out = {}
    for name in names:
        if present:
            out[name] = ensure_present(params, client, changes, name, states[name], write_client)
        else:
            out[name] = ensure_absent(params, client, changes, name, states[name])
    return out


def check_params(params, names):
    """Input errors of ecr_repository, raised (AnsibleAWSError naming the option) before any call."""
    for name in names:
        if not 2 <= len(name) <= 256 or not ECR_NAME_RE.match(name):
            raise AnsibleAWSError(message=f"name: '{name}' is not a valid ECR repository name (2-256 of lowercase "
                                          "letters, digits, '.', '_', '-' and '/' separated components)")
    if params["kms_key"] and params["encryption_type"] != "KMS":
        raise AnsibleAWSError(message="kms_key: only valid with encryption_type KMS")
