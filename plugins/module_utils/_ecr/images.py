# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run of bandup.ecs.container_image: per image its content tag, the registry's answer, and the builds, pushes
and registry tags that are missing, each a write of the ChangeSet."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.bandup.ecs.plugins.module_utils._ecr import builders
from ansible_collections.bandup.ecs.plugins.module_utils._ecr.ecr import authorization
from ansible_collections.bandup.ecs.plugins.module_utils._ecr.registry import check_transport
from ansible_collections.bandup.ecs.plugins.module_utils._ecr.registry import open_registry

# What the run needs of the controller: runner(argv) -> (rc, stdout, stderr), which(name) -> path or None,
# hide(secret) (keeps a value out of the output). The module passes its run_command, get_bin_path and no_log_values.
Controller = namedtuple("Controller", "runner which hide")


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


def git_sha(host, context):
    git = host.which("git")
    rc, out, _err = host.runner([git, "-C", context, "rev-parse", "HEAD"]) if git else (1, "", "")
    if rc != 0:
        raise AnsibleAWSError(message=f"tag_git_sha: '{context}' is not in a git work tree")
    return out.strip()


def plan(params, host, registry):
    """Per image: its tags and the digest already in the registry (None when it must be built).

    The images are looked at concurrently (content hash, then one manifest HEAD each).
    """
    def one(image):
        tag = builders.content_tag(image["context"], image["dockerfile"], image["args"], image["target"],
                                   params["platform"])
        tags = [tag]
        if params["tag_git_sha"]:
            tags.append("git-" + git_sha(host, image["context"])[:12])
        digest = registry.manifest_digest(image["repository"], tag)
        # Extra tags (git sha) that already exist are left alone: immutable repositories refuse them.
        missing = [extra for extra in tags[1:] if registry.manifest_digest(image["repository"], extra) is None]
        return dict(image, tag=tag, tags=tags, digest=digest, missing=missing)

    images = params["images"]
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


def push_missing(params, changes, controller, host, credentials, registry, todo):
    """Build and push each image of ``todo`` (concurrently, I(parallel) at a time), each push a write of
    ``changes``; returns the builder used (None in check mode) and sets each image's digest."""
    builder_name = None
    if todo and not changes.check_mode:
        builder_name = builders.choose_builder(params["builder"],
                                               lambda: builders.docker_reachable(controller.runner))
        if builder_name is None:
            raise AnsibleAWSError(message=f"builder: no usable builder ({params['builder']}): install buildah or "
                                          "podman, or start the Docker engine")
    authdir = tempfile.mkdtemp(prefix="bandup-auth-") if builder_name else None
    try:
        builder = None
        if authdir:
            with open(os.open(os.path.join(authdir, "config.json"), os.O_WRONLY | os.O_CREAT, 0o600), "w") as out:
                out.write(builders.auth_config(host, *credentials))
            # --tls-verify=false is what lets buildah and podman speak plain HTTP (insecure_http)
            builder = builders.Builder(builder_name, authdir, params["storage_driver"], params["isolation"],
                                       params["tls_verify"] and not params["insecure_http"], params["platform"])
        with ThreadPoolExecutor(max_workers=max(1, params["parallel"])) as pool:
            futures = {image["name"]: changes.write(resource(image), "push", lambda image=image: pool.submit(
                build_and_push, controller.runner, builder, host, registry, image, [credentials[1]]))
                for image in todo}
            for image in todo:
                if futures[image["name"]] is not None:
                    image["digest"] = futures[image["name"]].result()
    finally:
        if authdir:
            shutil.rmtree(authdir, ignore_errors=True)
    return builder_name


def converge(changes, params, client, controller):
    """The run of M(bandup.ecs.container_image) on its options ``params``: the result values. ``client(service)``
    gives an AWS client (made only once the inputs are checked); ``controller`` runs commands and hides secrets on
    the controller (``Controller``)."""
    check_inputs(params["images"])
    if params["registry"]:
        check_transport(params["registry"], params["tls_verify"], params["insecure_http"])
    ecr_client = client("ecr")
    user, password, endpoint_host = get_authorization(ecr_client)
    if params["build"] or not params["login"]:
        controller.hide(password)
    host = params["registry"] or endpoint_host
    # an ECR registry through the ECR API, any other through the OCI distribution API
    registry = open_registry(host, ecr_client, ecr_client.meta.region_name, user, password,
                             tls_verify=params["tls_verify"], insecure_http=params["insecure_http"])
    planned = plan(params, controller, registry)

    todo = [image for image in planned.values() if image["digest"] is None]
    retag = [image for image in planned.values() if image["digest"] is not None and image["missing"]]
    for image in retag:
        for tag in image["missing"]:
            changes.write(resource(image), "tag", lambda image=image, tag=tag: registry.copy_tag(
                image["repository"], image["tag"], tag), fields=[tag])
    builder_name = (push_missing(params, changes, controller, host, (user, password), registry, todo)
                    if params["build"] else None)
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
        extra = {"login": {"registry": host, "username": user, "password": password,
                           "config": builders.auth_config(host, user, password)}} if todo and params["login"] else {}
        return dict(images=images, registry=host, builder=None, **extra)

    images = {}
    for name, image in planned.items():
        digest = image["digest"]
        # In check mode an image still to be built has no digest yet: name it by its content tag, so the task
        # definition step can predict the new revision instead of failing.
        ref = f"{host}/{image['repository']}@{digest}" if digest else f"{host}/{image['repository']}:{image['tag']}"
        images[name] = dict(image=ref if digest or changes.check_mode else None, digest=digest,
                            tag=image["tag"], tags=image["tags"], repository=image["repository"],
                            changed=name in written)
    return dict(images=images, registry=host, builder=builder_name)
