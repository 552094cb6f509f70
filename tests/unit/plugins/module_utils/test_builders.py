"""Content hash of a build context, .dockerignore handling, builder selection and command lines."""
import json
import os
import subprocess

import pytest

from ansible_collections.bandup.ecs.plugins.module_utils._ecr import builders


@pytest.fixture
def context(tmp_path):
    ctx = tmp_path / "ctx"
    (ctx / "www" / "api").mkdir(parents=True)
    (ctx / "Dockerfile").write_text("FROM scratch\nCOPY www /www\n")
    (ctx / "www" / "api" / "health").write_text('{"status":"UP"}\n')
    (ctx / "run.sh").write_text("#!/bin/sh\n")
    os.chmod(ctx / "run.sh", 0o755)
    return ctx


def digest(ctx, **kwargs):
    return builders.context_hash(str(ctx), **kwargs)


def test_hash_is_stable_and_ignores_mtime(context):
    first = digest(context)
    os.utime(context / "run.sh", (1, 1))
    assert digest(context) == first
    assert builders.content_tag(str(context)) == "ctx-" + first[:32]


def test_hash_same_for_a_copy_elsewhere(context, tmp_path):
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(context, copy)
    assert digest(copy) == digest(context)


@pytest.mark.parametrize("change", [
    lambda c: (c / "www" / "api" / "health").write_text('{"status":"DOWN"}\n'),
    lambda c: os.chmod(c / "run.sh", 0o644),
    lambda c: (c / "new.txt").write_text("x"),
    lambda c: (c / "www" / "api" / "health").rename(c / "www" / "api" / "healthz"),
    lambda c: (c / "Dockerfile").write_text("FROM scratch\n"),
    lambda c: os.symlink("run.sh", c / "link"),
    lambda c: (c / "empty").mkdir(),
])
def test_hash_changes_with_the_context(context, change):
    before = digest(context)
    change(context)
    assert digest(context) != before


def test_hash_changes_with_args_target_and_dockerfile_choice(context):
    (context / "Dockerfile.prod").write_text("FROM scratch\nCOPY www /www\n")
    base = digest(context)
    assert digest(context, args={"A": "1"}) != base
    assert digest(context, args={"A": "1"}) != digest(context, args={"A": "2"})
    assert digest(context, args={"A": "1", "B": "2"}) == digest(context, args={"B": "2", "A": "1"})
    assert digest(context, target="runtime") != base
    # Same content under another Dockerfile name: the file set is the same, the Dockerfile content too.
    assert digest(context, dockerfile="Dockerfile.prod") == base


def test_git_and_dockerignored_paths_do_not_count(context):
    (context / ".dockerignore").write_text("# comment\nnode_modules\n*.log\n/build\n!build/keep.txt\n")
    base = digest(context)
    (context / ".git").mkdir()
    (context / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (context / "node_modules" / "x").mkdir(parents=True)
    (context / "node_modules" / "x" / "index.js").write_text("1")
    (context / "debug.log").write_text("noise")
    (context / "build").mkdir()
    (context / "build" / "out.bin").write_text("noise")
    assert digest(context) == base
    (context / "build" / "keep.txt").write_text("kept")  # negated pattern: counts
    assert digest(context) != base


def test_dockerignore_itself_counts(context):
    base = digest(context)
    (context / ".dockerignore").write_text("*.log\n")
    assert digest(context) != base


@pytest.mark.parametrize("pattern,path,expected", [
    ("*.log", "a.log", True),
    ("*.log", "dir/a.log", False),
    ("**/*.log", "dir/a.log", True),
    ("node_modules", "node_modules/x/y.js", True),
    ("/tmp", "tmp/file", True),
    ("docs/?.md", "docs/a.md", True),
    ("docs/?.md", "docs/ab.md", False),
    ("out/**", "out/a/b.o", True),
    ("out/**", "outer", False),
    ("**/*.o", "a.o", True),
])
def test_ignore_patterns(tmp_path, pattern, path, expected):
    (tmp_path / ".dockerignore").write_text(pattern + "\n")
    assert builders.ignored(path, builders.read_ignore(str(tmp_path))) is expected


def runner(cmd):
    """What AnsibleModule.run_command returns."""
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def test_choose_builder():
    have = {"buildah", "podman"}.__contains__
    assert builders.choose_builder("auto", lambda: True, which=have) == "docker"
    assert builders.choose_builder("auto", lambda: False, which=have) == "buildah"
    assert builders.choose_builder("auto", lambda: False, which={"podman"}.__contains__) == "podman"
    assert builders.choose_builder("auto", lambda: False, which=set().__contains__) is None
    assert builders.choose_builder("podman", lambda: True, which=have) == "podman"
    assert builders.choose_builder("docker", lambda: True, which=have) is None


def test_docker_reachable_asks_docker_info(monkeypatch):
    calls = []
    monkeypatch.setattr(builders.shutil, "which", lambda name: "/usr/bin/" + name)
    assert builders.docker_reachable(lambda cmd: calls.append(cmd) or (0, "", "")) is True
    assert calls == [["/usr/bin/docker", "info"]]
    assert builders.docker_reachable(lambda cmd: (1, "", "Cannot connect to the Docker daemon")) is False
    monkeypatch.setattr(builders.shutil, "which", lambda name: None)
    assert builders.docker_reachable(lambda cmd: (0, "", "")) is False


def test_buildah_commands():
    b = builders.Builder("buildah", "/auth", storage_driver="vfs", isolation="chroot", tls_verify=False)
    assert b.build_cmd("/ctx", "Dockerfile", "r/x:t", {"B": 2, "A": 1}, "run") == [
        "buildah", "--storage-driver", "vfs", "bud", "-f", "/ctx/Dockerfile", "-t", "r/x:t",
        "--isolation", "chroot", "--build-arg", "A=1", "--build-arg", "B=2", "--target", "run", "/ctx"]
    assert b.push_cmds("r/x:t", ["r/x:t", "r/x:git-1"]) == [
        ["buildah", "--storage-driver", "vfs", "push", "--authfile", "/auth/config.json", "--tls-verify=false",
         "r/x:t", "docker://" + ref] for ref in ("r/x:t", "r/x:git-1")]


def test_docker_commands_use_the_private_config_dir():
    b = builders.Builder("docker", "/auth")
    assert b.build_cmd("/ctx", "Dockerfile", "r/x:t") == [
        "docker", "--config", "/auth", "build", "-f", "/ctx/Dockerfile", "-t", "r/x:t", "/ctx"]
    assert b.push_cmds("r/x:t", ["r/x:t", "r/x:g"]) == [
        ["docker", "--config", "/auth", "tag", "r/x:t", "r/x:g"],
        ["docker", "--config", "/auth", "push", "r/x:t"],
        ["docker", "--config", "/auth", "push", "r/x:g"]]


def test_every_builder_builds_for_the_platform_given():
    for name in ("buildah", "podman", "docker"):
        cmd = builders.Builder(name, "/auth", platform="linux/arm64").build_cmd("/ctx", "Dockerfile", "r/x:t")
        assert cmd[-3:] == ["--platform", "linux/arm64", "/ctx"], name
        assert "--platform" not in builders.Builder(name, "/auth").build_cmd("/ctx", "Dockerfile", "r/x:t")


def test_hash_changes_with_the_platform(context):
    amd64, arm64 = (builders.context_hash(str(context), platform=p) for p in ("linux/amd64", "linux/arm64"))
    assert len({amd64, arm64, builders.context_hash(str(context))}) == 3


def test_podman_build_verb():
    b = builders.Builder("podman", "/auth", storage_driver="", isolation="")
    assert b.build_cmd("/ctx", "Dockerfile", "r/x:t")[:2] == ["podman", "build"]


def test_auth_config_and_run_masks_secrets():
    conf = json.loads(builders.auth_config("reg:5000", "AWS", "s3cret"))
    assert conf == {"auths": {"reg:5000": {"auth": "QVdTOnMzY3JldA=="}}}
    with pytest.raises(builders.BuildError) as err:
        builders.run(runner, ["sh", "-c", "echo token=s3cret; exit 3"], secrets=["s3cret"])
    assert "rc 3" in str(err.value) and "s3cret" not in str(err.value) and "********" in str(err.value)
    assert builders.run(runner, ["echo", "ok"]) == "ok\n"
