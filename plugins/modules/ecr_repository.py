#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecr_repository
short_description: Manage a private ECR repository with its scanning, mutability, lifecycle policy and tags
version_added: 0.1.0
description:
  - Creates or updates a private Amazon ECR repository with its scan on push, tag mutability, encryption,
    lifecycle policy, repository policy and tags. Compares each setting with the live repository and writes only
    what differs.
  - An option left unset (C(lifecycle_policy), C(repository_policy)) is not managed, and not read.
  - I(repositories) manages several repositories with the same settings in one run, with one
    C(DescribeRepositories) for all of them, then per repository C(ListTagsForResource) and the policies it manages
    and must read (see the last-applied record below).
  - I(lifecycle_policy) and I(repository_policy) are compared with the last-applied record, the repository tag
    C(bandup:last-applied) that holds a short hash of each policy this module set (e.g.
    C(lifecycle=<hash> repository=<hash>)). A policy is read (C(GetLifecyclePolicy), C(GetRepositoryPolicy)) only
    when its hash in the record differs from the hash of the desired policy, so a policy edited outside this module
    is not corrected until the desired policy changes or the tag is removed. A repository without the record (e.g.
    created by an older version) gets it on the next run, which then reports a C(tags) write.
  - The record tag is the module's own, so I(purge_tags) never removes it and I(tags) cannot set it. A policy that
    is unset and purged (I(purge_lifecycle_policy), I(purge_repository_policy)) is always read, and dropped from
    the record.
author:
  - Bandup platform team (@bandup)
options:
  name:
    description: Repository name. Exactly one of I(name) and I(repositories) is required.
    type: str
  repositories:
    description: Names of several repositories (at most 100) that get the same settings.
    type: list
    elements: str
  state:
    description: Whether the repository exists.
    type: str
    choices: [present, absent]
    default: present
  force_delete:
    description: With I(state=absent), delete the repository even if it holds images.
    type: bool
    default: false
  scan_on_push:
    description: Scan images for vulnerabilities when they are pushed.
    type: bool
    default: true
  image_tag_mutability:
    description: Whether a tag can be pushed again with other content.
    type: str
    choices: [MUTABLE, IMMUTABLE]
    default: IMMUTABLE
  encryption_type:
    description:
      - Encryption at rest. ECR cannot change it on an existing repository; a difference fails.
    type: str
    choices: [AES256, KMS]
    default: AES256
  kms_key:
    description: KMS key ARN with I(encryption_type=KMS); the AWS managed key when unset.
    type: str
  lifecycle_policy:
    description: Lifecycle policy document (dict or JSON); not managed when unset.
    type: json
  purge_lifecycle_policy:
    description: Remove the lifecycle policy when I(lifecycle_policy) is unset.
    type: bool
    default: false
  repository_policy:
    description: Repository policy document (dict or JSON), e.g. cross-account pull; not managed when unset.
    type: json
  purge_repository_policy:
    description: Remove the repository policy when I(repository_policy) is unset.
    type: bool
    default: false
  tags:
    description: Tags on the repository.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove tags that are not in I(tags).
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A repository that keeps the last 30 tagged images
  bandup.ecs.ecr_repository:
    name: ielts-backend
    image_tag_mutability: IMMUTABLE
    lifecycle_policy:
      rules:
        - rulePriority: 1
          selection: {tagStatus: tagged, tagPatternList: ["*"], countType: imageCountMoreThan, countNumber: 30}
          action: {type: expire}
    tags:
      bandup:managed-by: bandup.ecs
  register: repo

- name: Two repositories with the same settings, in one run
  bandup.ecs.ecr_repository:
    repositories: [ielts-backend, ielts-frontend]
    tags:
      bandup:managed-by: bandup.ecs

- name: Remove it
  bandup.ecs.ecr_repository:
    name: ielts-backend
    state: absent
    force_delete: true
"""

RETURN = r"""
repository:
  description: The repository, as ECR describes it, plus its tags.
  returned: when I(state=present)
  type: dict
  contains:
    repository_name:
      description: Name.
      type: str
      sample: ielts-backend
    repository_uri:
      description: URI to push to.
      type: str
      sample: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ielts-backend
    repository_arn:
      description: ARN.
      type: str
      sample: arn:aws:ecr:eu-west-1:123456789012:repository/ielts-backend
    image_tag_mutability:
      description: Tag mutability.
      type: str
      sample: IMMUTABLE
    tags:
      description: Tags.
      type: dict
      sample: {"bandup:managed-by": "bandup.ecs"}
lifecycle_policy:
  description:
    - The lifecycle policy in force; C(None) when not managed (not read).
    - When the last-applied record matches I(lifecycle_policy), the policy is not read and this is I(lifecycle_policy).
  returned: when I(state=present)
  type: dict
repository_policy:
  description:
    - The repository policy in force; C(None) when not managed (not read).
    - When the last-applied record matches I(repository_policy), the policy is not read and this is
      I(repository_policy).
  returned: when I(state=present)
  type: dict
writes:
  description: The settings this run wrote (or would write in check mode).
  returned: when I(state=present)
  type: list
  elements: str
  sample: ["create", "lifecycle_policy", "tags"]
name:
  description: Repository name.
  returned: always
  type: str
repositories:
  description:
    - With I(repositories), one result per name in the same order, each with the keys above (and C(changed));
      the top-level keys above are then not returned, except C(changed).
  returned: with I(repositories)
  type: list
  elements: dict
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.bandup.ecs.plugins.module_utils import ecr
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule
from ansible_collections.bandup.ecs.plugins.module_utils.topology import ECR_NAME_RE


def managed_policies(params):
    """The policy kinds this run manages, so reads them: set, or unset with purge."""
    return [kind for kind in ecr.POLICIES if params[kind] is not None or params["purge_" + kind]]


def live_states(client, names, policies, wanted=None):
    """{name: live state or None}: one DescribeRepositories for all names, then per repository its tags and the
    policies of the kinds ``policies`` (the others are absent from the state). A kind that ``wanted`` ({kind: policy
    or None}, e.g. the module parameters) sets and whose hash in the repository's last-applied record is the hash of
    that policy is not read: the state holds the wanted policy."""
    repos = ecr.describe_repositories(client, names)
    states = {}
    for name in names:
        repo = states[name] = repos.get(name)
        if repo is not None:
            tags = ecr.get_tags(client, repo["repositoryArn"])
            record = ecr.parse_record(tags.get(ecr.LAST_APPLIED_TAG))
            states[name] = {
                "repo": repo,
                "scan_on_push": repo.get("imageScanningConfiguration", {}).get("scanOnPush", False),
                "image_tag_mutability": repo.get("imageTagMutability"),
                "encryption": repo.get("encryptionConfiguration", {"encryptionType": "AES256"}),
                "tags": tags,
            }
            for kind in policies:
                policy = (wanted or {}).get(kind)
                trusted = policy is not None and record.get(kind) == ecr.policy_hash(policy)
                states[name][kind] = policy if trusted else ecr.get_policy(client, name, kind)
    return states


def live_state(client, name, policies=tuple(ecr.POLICIES), wanted=None):
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
    return {k: v for k, v in tags.items() if k != ecr.LAST_APPLIED_TAG}


def desired(module, client, live, name=None):
    """The state after the run and the list of writes it needs: [(what, callable)]."""
    params, name = module.params, name or module.params["name"]
    encryption = {"encryptionType": params["encryption_type"]}
    if params["kms_key"]:
        encryption["kmsKey"] = params["kms_key"]
    after = dict(summary(live) or {"tags": {}})
    after.update(scan_on_push=params["scan_on_push"], image_tag_mutability=params["image_tag_mutability"])
    writes, created = [], {}
    if live is None:
        after["encryption"] = encryption
        writes.append(("create", lambda: created.update(ecr.create_repository(
            client, name, params["image_tag_mutability"], params["scan_on_push"], encryption,
            without_record(params["tags"] or {}), module.write_client("ecr")))))
    else:
        if not encryption_matches(live["encryption"], encryption):
            module.fail_json(msg=f"encryption_type: repository '{name}' is encrypted with {live['encryption']}; "
                                 "ECR cannot change the encryption of an existing repository")
        if live["scan_on_push"] != params["scan_on_push"]:
            writes.append(("scan_on_push", lambda: ecr.put_scan_on_push(client, name, params["scan_on_push"])))
        if live["image_tag_mutability"] != params["image_tag_mutability"]:
            writes.append(("image_tag_mutability",
                           lambda: ecr.put_tag_mutability(client, name, params["image_tag_mutability"])))
    live_tags = live["tags"] if live else without_record(params["tags"] or {})  # a new one: its create tags
    record = ecr.parse_record(live_tags.get(ecr.LAST_APPLIED_TAG))
    for key in ecr.POLICIES:
        wanted, current = params[key], after.get(key)
        if wanted is not None and (current is None or compare_policies(current, wanted)):
            after[key] = wanted
            writes.append((key, lambda key=key, wanted=wanted: ecr.put_policy(client, name, key, wanted)))
        elif wanted is None and current is not None and params["purge_" + key]:
            after[key] = None
            writes.append((key, lambda key=key: ecr.delete_policy(client, name, key)))
        if wanted is not None:
            record[key] = ecr.policy_hash(wanted)
        elif params["purge_" + key]:
            record.pop(key, None)
    # The record is the module's own tag, never purged. It is written after the policies, so a failed or
    # interrupted policy write leaves the old record and the next run reads the policy again; for a new repository
    # that is a TagResource after the create and the policies, not a tag of CreateRepository.
    to_set, to_remove = {}, []
    if params["tags"] is not None and live is not None:
        to_set, to_remove = compare_aws_tags(without_record(live_tags), without_record(params["tags"]),
                                             params["purge_tags"])
    record = ecr.format_record(record)
    if record and live_tags.get(ecr.LAST_APPLIED_TAG) != record:
        to_set[ecr.LAST_APPLIED_TAG] = record
    elif not record and ecr.LAST_APPLIED_TAG in live_tags:
        to_remove.append(ecr.LAST_APPLIED_TAG)
    arn = (lambda: live["repo"]["repositoryArn"]) if live else (lambda: created["repositoryArn"])
    if to_set:
        writes.append(("tags", lambda: ecr.tag_repository(client, arn(), to_set)))
    if to_remove:
        writes.append(("tags", lambda: ecr.untag_repository(client, arn(), to_remove)))
    after["tags"] = {k: v for k, v in dict(live_tags, **to_set).items() if k not in to_remove}
    return after, writes


def result(state):
    repo = camel_dict_to_snake_dict(state["repo"])
    repo["tags"] = state["tags"]
    return dict(repository=repo, lifecycle_policy=state.get("lifecycle_policy"),
                repository_policy=state.get("repository_policy"))


def ensure_present(module, client, name, live):
    """The result of one repository (I(changed), I(writes), I(diff), I(repository)...), writing what differs."""
    after, writes = desired(module, client, live, name)
    diff = {"before": summary(live), "after": after}
    out = dict(changed=bool(writes), writes=[write[0] for write in writes], diff=diff)
    if module.check_mode or not writes:
        return dict(out, **(result(live) if live else {}))
    for _what, write in writes:
        write()
    return dict(out, **result(live_state(client, name, managed_policies(module.params), module.params)))


def ensure_absent(module, client, name, live):
    if live is None:
        return dict(changed=False)
    if not module.check_mode:
        ecr.delete_repository(client, name, module.params["force_delete"])
    return dict(changed=True, diff={"before": summary(live), "after": {}})


def main():
    module = AWSModule(
        argument_spec=dict(
            name=dict(type="str"),
            repositories=dict(type="list", elements="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            force_delete=dict(type="bool", default=False),
            scan_on_push=dict(type="bool", default=True),
            image_tag_mutability=dict(type="str", choices=["MUTABLE", "IMMUTABLE"], default="IMMUTABLE"),
            encryption_type=dict(type="str", choices=["AES256", "KMS"], default="AES256"),
            kms_key=dict(type="str", no_log=False),
            lifecycle_policy=dict(type="json"),
            purge_lifecycle_policy=dict(type="bool", default=False),
            repository_policy=dict(type="json"),
            purge_repository_policy=dict(type="bool", default=False),
            tags=dict(type="dict", aliases=["resource_tags"]),
            purge_tags=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("name", "repositories")],
        required_one_of=[("name", "repositories")],
        supports_check_mode=True,
    )
    params = module.params
    names = [params["name"]] if params["name"] else params["repositories"]
    for name in names:
        if not 2 <= len(name) <= 256 or not ECR_NAME_RE.match(name):
            module.fail_json(msg=f"name: '{name}' is not a valid ECR repository name (2-256 of lowercase letters, "
                                 "digits, '.', '_', '-' and '/' separated components)")
    if params["kms_key"] and params["encryption_type"] != "KMS":
        module.fail_json(msg="kms_key: only valid with encryption_type KMS")
    for key in ("lifecycle_policy", "repository_policy"):
        if params[key] is not None:
            params[key] = module.from_json(params[key])
    client = module.client("ecr", retry_decorator=AWSRetry.jittered_backoff())
    ensure = ensure_present if params["state"] == "present" else ensure_absent
    results = []
    try:
        states = live_states(client, names, managed_policies(params) if params["state"] == "present" else [], params)
        for name in names:
            results.append(dict(ensure(module, client, name, states[name]), name=name))
    except Exception as err:  # pylint: disable=broad-except
        module.fail_json_aws(err, msg=f"ECR repository {', '.join(names)}")
    if not module._diff:
        for item in results:
            item.pop("diff", None)
    if params["name"]:
        module.exit_json(**results[0])
    module.exit_json(changed=any(item["changed"] for item in results), repositories=results)


if __name__ == "__main__":
    main()
