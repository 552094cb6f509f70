#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: container_image
short_description: Build container images tagged by content hash and push them to ECR, only when missing
version_added: 0.1.0
description:
  - For each image, computes a content hash of the build context (files and modes, without C(.git) and
    C(.dockerignore) matches), the Dockerfile, the build args and the target, and uses it as the tag.
  - Asks the registry (OCI distribution API, basic auth from C(ecr:GetAuthorizationToken)) whether that tag
    exists. If it does, nothing is built or pushed and the image reports C(changed=false).
  - Otherwise builds with the Docker engine, buildah or podman, pushes, and reads the manifest digest back
    from the registry. Independent images build concurrently.
  - In check mode, reports which images would be built; builds and pushes nothing.
  - C(changes) lists each push (action C(push)) and each tag added in the registry (action C(tag), the tag in
    C(fields)), the resource being C(image <repository>:<content tag>).
author:
  - Bandup platform team (@bandup)
options:
  images:
    description: The images to build.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: A label for the image (the service name); the key of I(images) in the result.
        type: str
        required: true
      repository:
        description: ECR repository name.
        type: str
        required: true
      context:
        description: Build context directory.
        type: path
        required: true
      dockerfile:
        description: Dockerfile path relative to I(context).
        type: str
        default: Dockerfile
      args:
        description: Build arguments.
        type: dict
        default: {}
      target:
        description: Multi-stage build target.
        type: str
  registry:
    description:
      - Registry host (C(name[:port])); defaults to the host of the authorization token's C(proxyEndpoint).
    type: str
  builder:
    description: C(auto) picks the Docker engine when it answers, else buildah, else podman.
    type: str
    choices: [auto, docker, buildah, podman]
    default: auto
  storage_driver:
    description: Storage driver of buildah and podman (C(--storage-driver)); empty for their default.
    type: str
    default: vfs
  isolation:
    description: Build isolation of buildah and podman (C(--isolation)); empty for their default.
    type: str
    default: chroot
  tls_verify:
    description:
      - Verify the registry's TLS certificate. C(false) also allows a plain HTTP registry (buildah/podman
        C(--tls-verify=false); the Docker engine needs the registry in its C(insecure-registries)).
    type: bool
    default: true
  platform:
    description:
      - The platform to build for (C(--platform) of every builder), e.g. C(linux/amd64) or C(linux/arm64), i.e. the
        architecture of the tasks that run the image, not the controller's. Part of the content hash.
      - Unset, the builder's default (the architecture of the machine that builds).
    type: str
  tag_git_sha:
    description:
      - Also tag each image C(git-<sha>) (12 digits) with the commit its context is in. An image that exists
        already gets the missing git tag by a manifest copy in the registry, without a build.
    type: bool
    default: false
  parallel:
    description: How many builds run at the same time.
    type: int
    default: 2
  build:
    description:
      - C(false) builds and pushes nothing; the images still to build come back with C(build=true) and no digest,
        for a build elsewhere (the C(image) role builds through community.docker on a Docker API this way, then
        calls this module again for the digests).
      - Missing extra tags of images that exist are still added in the registry.
    type: bool
    default: true
  login:
    description:
      - With I(build=false), also return the registry credentials in C(login) when an image is to be built, for
        C(community.docker.docker_login). Set C(no_log) on such a task.
    type: bool
    default: false
extends_documentation_fragment:
  - bandup.ecs.changes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Build and push the images whose content changed
  bandup.ecs.container_image:
    images:
      - name: backend
        repository: ielts-backend
        context: /src/backend
      - name: frontend
        repository: ielts-frontend
        context: /src/frontend
        args:
          NEXT_PUBLIC_API: /api/v1
    builder: buildah
    platform: linux/arm64       # for ARM64 (Graviton) tasks
  register: built

- name: Pin the digest
  ansible.builtin.debug:
    msg: "{{ built.images.backend.image }}"
"""

RETURN = r"""
extends_documentation_fragment:
  - bandup.ecs.changes
images:
  description: One entry per image, keyed by I(name).
  returned: always
  type: dict
  contains:
    image:
      description: The reference to deploy, pinned by digest (in check mode, an image not built yet is named by its content tag).
      type: str
      sample: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ielts-backend@sha256:0a1b...
    digest:
      description: Manifest digest served by the registry.
      type: str
      sample: sha256:0a1b...
    tag:
      description: The content tag.
      type: str
      sample: ctx-5f0c2d3e4b1a...
    tags:
      description: Every tag of the image this run checked or pushed (content tag, git tag).
      type: list
      elements: str
    changed:
      description:
        - Whether this image was built and pushed, or an existing image got its git tag (would be, in check mode).
      type: bool
    build:
      description: With I(build=false), whether the image is still to be built (its content tag is missing).
      type: bool
registry:
  description: The registry host pushed to.
  returned: always
  type: str
  sample: 123456789012.dkr.ecr.eu-west-1.amazonaws.com
login:
  description:
    - The registry and its credentials (an ECR authorization token, valid 12 hours).
  returned: when I(build=false), I(login=true) and an image is to be built
  type: dict
  contains:
    registry:
      description: The registry host.
      type: str
    username:
      description: The user name.
      type: str
    password:
      description: The password.
      type: str
builder:
  description: The builder used, or null when nothing had to be built.
  returned: always
  type: str
  sample: buildah
"""

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.bandup.ecs.plugins.module_utils import builders
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet
from ansible_collections.bandup.ecs.plugins.module_utils.ecr import authorization
from ansible_collections.bandup.ecs.plugins.module_utils.registry import Registry

get_authorization = AWSErrorHandler.common_error_handler("get an ECR authorization token")(authorization)


def check_inputs(images):
    """The checks the argument spec cannot make (AnsibleAWSError naming the option), before any call."""
    for idx, image in enumerate(images):
        where = f"images[{idx}] ({image['name']})"
        if not os.path.isdir(image["context"]):
            raise AnsibleAWSError(message=f"{where}.context: build context '{image['context']}' is not a directory")
        dockerfile = os.path.join(image["context"], image["dockerfile"])
        if not os.path.isfile(dockerfile):
            raise AnsibleAWSError(message=f"{where}.dockerfile: '{dockerfile}' does not exist")


def git_sha(module, context):
    git = module.get_bin_path("git")
    rc, out, _err = module.run_command([git, "-C", context, "rev-parse", "HEAD"]) if git else (1, "", "")
    if rc != 0:
        raise AnsibleAWSError(message=f"tag_git_sha: '{context}' is not in a git work tree")
    return out.strip()


def plan(module, registry):
    """Per image: its tags and the digest already in the registry (None when it must be built).

    The images are looked at concurrently (content hash, then one manifest HEAD each).
    """
    def one(image):
        tag = builders.content_tag(image["context"], image["dockerfile"], image["args"], image["target"],
                                   module.params["platform"])
        tags = [tag]
        if module.params["tag_git_sha"]:
            tags.append("git-" + git_sha(module, image["context"])[:12])
        digest = registry.manifest_digest(image["repository"], tag)
        # Extra tags (git sha) that already exist are left alone: immutable repositories refuse them.
        missing = [extra for extra in tags[1:] if registry.manifest_digest(image["repository"], extra) is None]
        return dict(image, tag=tag, tags=tags, digest=digest, missing=missing)

    images = module.params["images"]
    with ThreadPoolExecutor(max_workers=max(1, min(len(images), 8))) as pool:
        return {image["name"]: planned for image, planned in zip(images, pool.map(one, images))}


def build_and_push(runner, builder, host, registry, image, secrets):
    ref = f"{host}/{image['repository']}:{image['tag']}"
    builders.run(runner, builder.build_cmd(image["context"], image["dockerfile"], ref, image["args"],
                                           image["target"]), secrets)
    try:
        refs = [ref] + [f"{host}/{image['repository']}:{tag}" for tag in image["missing"]]
        for cmd in builder.push_cmds(ref, refs):
            builders.run(runner, cmd, secrets)
    finally:
        runner(builder.remove_cmd(ref))
    digest = registry.manifest_digest(image["repository"], image["tag"])
    if digest is None:
        raise builders.BuildError(f"{ref}: pushed, but the registry does not serve the tag")
    return digest


def resource(image):
    return f"image {image['repository']}:{image['tag']}"


def push_missing(module, changes, host, credentials, registry, todo):
    """Build and push each image of ``todo`` (concurrently, I(parallel) at a time), each push a write of
    ``changes``; returns the builder used (None in check mode) and sets each image's digest."""
    params = module.params
    builder_name = None
    if todo and not module.check_mode:
        builder_name = builders.choose_builder(params["builder"], lambda: builders.docker_reachable(module.run_command))
        if builder_name is None:
            raise AnsibleAWSError(message=f"builder: no usable builder ({params['builder']}): install buildah or "
                                          "podman, or start the Docker engine")
    authdir = tempfile.mkdtemp(prefix="bandup-auth-") if builder_name else None
    try:
        builder = None
        if authdir:
            with open(os.open(os.path.join(authdir, "config.json"), os.O_WRONLY | os.O_CREAT, 0o600), "w") as out:
                out.write(builders.auth_config(host, *credentials))
            builder = builders.Builder(builder_name, authdir, params["storage_driver"], params["isolation"],
                                       params["tls_verify"], params["platform"])
        with ThreadPoolExecutor(max_workers=max(1, params["parallel"])) as pool:
            futures = {image["name"]: changes.write(resource(image), "push", lambda image=image: pool.submit(
                build_and_push, module.run_command, builder, host, registry, image, [credentials[1]]))
                for image in todo}
            for image in todo:
                if futures[image["name"]] is not None:
                    image["digest"] = futures[image["name"]].result()
    finally:
        if authdir:
            shutil.rmtree(authdir, ignore_errors=True)
    return builder_name


def ensure(module, changes):
    params = module.params
    check_inputs(params["images"])
    user, password, endpoint_host = get_authorization(module.client("ecr"))
    if params["build"] or not params["login"]:
        module.no_log_values.add(password)
    host = params["registry"] or endpoint_host
    registry = Registry(host, user, password, tls_verify=params["tls_verify"])
    planned = plan(module, registry)

    todo = [image for image in planned.values() if image["digest"] is None]
    retag = [image for image in planned.values() if image["digest"] is not None and image["missing"]]
    for image in retag:
        for tag in image["missing"]:
            changes.write(resource(image), "tag", lambda image=image, tag=tag: registry.copy_tag(
                image["repository"], image["tag"], tag), fields=[tag])
    builder_name = push_missing(module, changes, host, (user, password), registry, todo) if params["build"] else None
    written = {image["name"] for image in (todo if params["build"] else []) + retag}
    for name in sorted(written):
        image = planned[name]
        changes.diff(name, {"image": f"{host}/{image['repository']}:{image['tag']}", "in_registry": False},
                     {"image": f"{host}/{image['repository']}:{image['tag']}", "in_registry": True})

    if not params["build"]:  # built elsewhere: report only what this run changed in the registry
        images = {name: dict(image=f"{host}/{image['repository']}@{image['digest']}" if image["digest"] else None,
                             digest=image["digest"], tag=image["tag"], tags=image["tags"],
                             repository=image["repository"], changed=name in written, build=image["digest"] is None,
                             context=image["context"], dockerfile=image["dockerfile"], args=image["args"],
                             target=image["target"])
                  for name, image in planned.items()}
        extra = {"login": {"registry": host, "username": user, "password": password}} if todo and params["login"] else {}
        return dict(images=images, registry=host, builder=None, **extra)

    images = {}
    for name, image in planned.items():
        digest = image["digest"]
        # In check mode an image still to be built has no digest yet: name it by its content tag, so the task
        # definition step can predict the new revision instead of failing.
        ref = f"{host}/{image['repository']}@{digest}" if digest else f"{host}/{image['repository']}:{image['tag']}"
        images[name] = dict(image=ref if digest or module.check_mode else None, digest=digest,
                            tag=image["tag"], tags=image["tags"], repository=image["repository"],
                            changed=name in written)
    return dict(images=images, registry=host, builder=builder_name)


def main():
    module = AWSModule(
        argument_spec=dict(
            images=dict(type="list", elements="dict", required=True, options=dict(
                name=dict(type="str", required=True),
                repository=dict(type="str", required=True),
                context=dict(type="path", required=True),
                dockerfile=dict(type="str", default="Dockerfile"),
                args=dict(type="dict", default={}),
                target=dict(type="str"),
            )),
            registry=dict(type="str"),
            builder=dict(type="str", choices=["auto", "docker", "buildah", "podman"], default="auto"),
            storage_driver=dict(type="str", default="vfs"),
            isolation=dict(type="str", default="chroot"),
            tls_verify=dict(type="bool", default=True),
            platform=dict(type="str"),
            tag_git_sha=dict(type="bool", default=False),
            parallel=dict(type="int", default=2),
            build=dict(type="bool", default=True),
            login=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    changes = ChangeSet(module.check_mode, module._diff)
    run(module, changes, lambda: ensure(module, changes))


if __name__ == "__main__":
    main()
