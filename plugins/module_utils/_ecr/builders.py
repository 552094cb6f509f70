# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Image builds: the content hash of a build context and the docker / buildah / podman command lines.

The tag of an image is the hash of what the builder reads (every file's path, type, mode and content
under the context, minus ``.git`` and ``.dockerignore`` matches, plus the Dockerfile, build args, target and
platform), so an unchanged context maps to a tag that already exists in the registry.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import stat

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

HASH_VERSION = b"bandup-context-v1"
ALWAYS_IGNORED = (".git",)


class BuildError(AnsibleAWSError):
    """A build or push failed; the message carries the command's output. An AnsibleAWSError: the module's one
    failure path (module_utils/changes.py run()) reports it."""


def _pattern_regex(pattern):
    out, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            if pattern.startswith("/", i):
                out, i = out + "(?:/)?", i + 1
            continue
        out += {"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char))
        i += 1
    return re.compile(out + r"\Z")


def read_ignore(context):
    """[(regex, negated)] from .dockerignore (or .containerignore) in the context."""
    for name in (".containerignore", ".dockerignore"):
        path = os.path.join(context, name)
        if os.path.isfile(path):
            break
    else:
        return []
    rules = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            line = os.path.normpath(line.lstrip("!").strip().lstrip("/"))
            if line != ".":
                rules.append((_pattern_regex(line), negated))
    return rules


def ignored(rel, rules):
    """Docker's rule: the last pattern matching the path (or one of its parent directories) wins."""
    if rel.split("/")[0] in ALWAYS_IGNORED:
        return True
    parts = rel.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    result = False
    for regex, negated in rules:
        if any(regex.match(prefix) for prefix in prefixes):
            result = not negated
    return result


def _file_digest(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def context_entries(context):
    """Sorted (relative path, type, mode, content) of everything the builder sees in the context."""
    rules = read_ignore(context)
    entries = []
    for root, dirs, files in os.walk(context):
        dirs.sort()
        for name in sorted(dirs + files):
            full = os.path.join(root, name)
            rel = os.path.relpath(full, context).replace(os.sep, "/")
            if ignored(rel, rules):
                if name in dirs and not any(negated for _regex, negated in rules):
                    dirs.remove(name)
                continue
            info = os.lstat(full)
            mode = stat.S_IMODE(info.st_mode)
            if stat.S_ISLNK(info.st_mode):
                entries.append((rel, "link", mode, os.readlink(full)))
            elif stat.S_ISDIR(info.st_mode):
                entries.append((rel, "dir", mode, ""))
            elif stat.S_ISREG(info.st_mode):
                entries.append((rel, "file", mode, _file_digest(full)))
    return sorted(entries)


def context_hash(context, dockerfile="Dockerfile", args=None, target=None, platform=None):
    """Hex sha256 of the build inputs: context entries, Dockerfile content, build args, target, platform."""
    digest = hashlib.sha256(HASH_VERSION + b"\0")
    for entry in context_entries(context):
        digest.update(json.dumps(entry).encode() + b"\n")
    dockerfile_path = os.path.join(context, dockerfile)
    digest.update(b"dockerfile\0" + _file_digest(dockerfile_path).encode() + b"\n")
    digest.update(b"args\0" + json.dumps({k: str(v) for k, v in (args or {}).items()}, sort_keys=True).encode())
    digest.update(b"\0target\0" + (target or "").encode())
    if platform:  # the same sources built for another architecture are another image
        digest.update(b"\0platform\0" + platform.encode())
    return digest.hexdigest()


def content_tag(context, dockerfile="Dockerfile", args=None, target=None, platform=None):
    """The image tag for a build: ``ctx-`` and 32 hex digits of the content hash."""
    return "ctx-" + context_hash(context, dockerfile, args, target, platform)[:32]


def auth_config(registry, user, password):
    """The content of a docker config.json / containers auth.json holding the registry credentials."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return json.dumps({"auths": {registry: {"auth": token}}})


def docker_reachable(runner):
    """True when ``docker info`` answers. ``runner(cmd)`` returns (rc, stdout, stderr) like run_command."""
    path = shutil.which("docker")
    return bool(path) and runner([path, "info"])[0] == 0


def choose_builder(wanted, docker_ok, which=shutil.which):
    """``auto``: the Docker engine when reachable, else buildah, else podman. None if nothing fits."""
    if wanted != "auto":
        return wanted if which(wanted) else None
    if docker_ok():
        return "docker"
    for name in ("buildah", "podman"):
        if which(name):
            return name
    return None


class Builder:
    """Command lines of one builder. ``authdir`` holds config.json/auth.json with the registry credentials."""

    def __init__(self, name, authdir, storage_driver="vfs", isolation="chroot", tls_verify=True, platform=None):
        self.name = name
        self.platform = platform
        self.authdir = authdir
        self.storage_driver = storage_driver
        self.isolation = isolation
        self.tls_verify = tls_verify

    def _global(self):
        if self.name == "docker":
            return ["docker", "--config", self.authdir]
        return [self.name] + (["--storage-driver", self.storage_driver] if self.storage_driver else [])

    def build_cmd(self, context, dockerfile, ref, args=None, target=None):
        verb = "bud" if self.name == "buildah" else "build"
        cmd = self._global() + [verb, "-f", os.path.join(context, dockerfile), "-t", ref]
        if self.name != "docker" and self.isolation:
            cmd += ["--isolation", self.isolation]
        for key, value in sorted((args or {}).items()):
            cmd += ["--build-arg", f"{key}={value}"]
        if target:
            cmd += ["--target", target]
        if self.platform:
            cmd += ["--platform", self.platform]
        return cmd + [context]

    def push_cmds(self, ref, refs):
        """Push the local image ``ref`` as each of ``refs``."""
        if self.name == "docker":
            cmds = [self._global() + ["tag", ref, other] for other in refs if other != ref]
            return cmds + [self._global() + ["push", other] for other in refs]
        tls = "--tls-verify=" + ("true" if self.tls_verify else "false")
        return [self._global() + ["push", "--authfile", os.path.join(self.authdir, "config.json"), tls,
                                  ref, "docker://" + other] for other in refs]

    def remove_cmd(self, ref):
        return self._global() + (["rmi", ref] if self.name != "docker" else ["image", "rm", ref])


def run(runner, cmd, secrets=()):
    """Run a command with ``runner`` (AnsibleModule.run_command); BuildError with its output, secrets masked."""
    rc, out, err = runner(cmd)
    output = out + err
    if rc != 0:
        message = f"{' '.join(cmd)} failed (rc {rc}):\n{output[-4000:]}"
        for secret in secrets:
            message = message.replace(secret, "********")
        raise BuildError(message)
    return output
