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
  - Asks the registry whether that tag exists, an ECR registry (C(<account>.dkr.ecr.<region>.amazonaws.com))
    through the ECR API (C(ecr:BatchGetImage)), any other through the OCI distribution API with basic auth from
    C(ecr:GetAuthorizationToken). If it does, nothing is built or pushed and the image reports C(changed=false).
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
      - Verify the registry's TLS certificate.
      - C(false) is refused unless I(insecure_http) is set too, since every builder's C(--tls-verify=false) (and a
        Docker engine's C(insecure-registries)) falls back to plain HTTP and would send the credentials there.
    type: bool
    default: true
  insecure_http:
    description:
      - Allow a plain HTTP registry, and so the registry credentials sent unencrypted (buildah/podman
        C(--tls-verify=false); the Docker engine needs the registry in its C(insecure-registries)). Only for a
        registry on loopback or a trusted network, such as a local test registry.
      - Refused for an ECR registry (HTTPS only).
    type: bool
    default: false
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
    config:
      description:
        - A Docker client C(config.json) (or containers C(auth.json)) holding these credentials, for a registry
          the Docker API cannot log in to (plain HTTP).
      type: str
      version_added: 0.4.0
builder:
  description: The builder used, or null when nothing had to be built.
  returned: always
  type: str
  sample: buildah
"""

from ansible_collections.bandup.ecs.plugins.module_utils._ecr import images
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet


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
            insecure_http=dict(type="bool", default=False),
            platform=dict(type="str"),
            tag_git_sha=dict(type="bool", default=False),
            parallel=dict(type="int", default=2),
            build=dict(type="bool", default=True),
            login=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    changes = ChangeSet(module.check_mode, module._diff)
    controller = images.Controller(module.run_command, module.get_bin_path, module.no_log_values.add)
    run(module, changes, lambda: images.converge(changes, module.params, module.client, controller))


if __name__ == "__main__":
    main()
