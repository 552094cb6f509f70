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
    created by an older version) gets it on the next run, which then reports a C(tag) change of that repository.
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
extends_documentation_fragment:
  - bandup.ecs.tags
  - bandup.ecs.changes
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
extends_documentation_fragment:
  - bandup.ecs.changes
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

from ansible_collections.bandup.ecs.plugins.module_utils._ecr import ecr
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet


def body(module, changes, names):
    """The result values: the one repository's, or with I(repositories) one item per name."""
    results = ecr.ensure(module.params, module.client("ecr"), changes, names, lambda: module.write_client("ecr"))
    if module.params["name"]:
        return dict(results[names[0]], name=names[0])
    return {"repositories": [dict(results[name], name=name, changed=bool(changes.of(f"repository {name}")))
                             for name in names]}


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
    for key in ("lifecycle_policy", "repository_policy"):
        if params[key] is not None:
            params[key] = module.from_json(params[key])
    changes = ChangeSet(module.check_mode, module._diff)

    def checked_body():
        ecr.check_params(params, names)
        return body(module, changes, names)

    run(module, changes, checked_body)


if __name__ == "__main__":
    main()
