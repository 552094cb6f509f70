"""The collection as users get it (issue J): `ansible-galaxy collection build` on a fresh clone, an offline
install of the tarball into an empty collections path (the dependencies come from the `ansible` package in
this virtualenv), `ansible-doc` on every plugin and role of the installed copy, and `site.yml` run from the
installed copy, not the checkout, against the local endpoint.
"""
import json
import os
import subprocess
import sys
import tarfile

import pytest

from conftest import ROOT, VENV_BIN, fresh_clone, recap
from tests.support.census import LOCAL_DEPLOYMENT

INSTALLED = ("ansible_collections", "bandup", "ecs")
HARNESS = ("tests/", "molecule/", "benchmarks/", "scripts/", ".ci/", ".config/", "Makefile", "ansible.cfg",
           "requirements-test.txt", ".ansible-lint", "inventories/local/")


def run(env, *command, cwd=None):
    result = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, timeout=900, check=False)
    assert result.returncode == 0, " ".join(command) + "\n" + result.stdout[-4000:]
    return result.stdout


def ansible_doc(env, *args):
    """ansible-doc's output; fails on any warning or error but ansible-core's own about its internal collection."""
    result = subprocess.run([os.path.join(VENV_BIN, "ansible-doc"), *args], env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    problems = [line for line in result.stderr.splitlines()
                if line.strip() and "_internal/ansible_collections/ansible/_protomatter" not in line]
    assert not problems and "[WARNING]" not in result.stdout, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(tarball, collections path, environment that sees only the installed copy and the bundled deps, clone)."""
    tmp = tmp_path_factory.mktemp("collection")
    clone = fresh_clone(str(tmp / "clone"))
    config = tmp / "ansible.cfg"  # none of the checkout's settings (its collections_path is ./.collections)
    config.write_text("[defaults]\ngathering = explicit\nretry_files_enabled = false\n")
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env.update(ANSIBLE_CONFIG=str(config), ANSIBLE_COLLECTIONS_PATH=str(tmp / "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", PATH=VENV_BIN + os.pathsep + env.get("PATH", ""))
    run(env, os.path.join(VENV_BIN, "ansible-galaxy"), "collection", "build", "--output-path", "dist", cwd=clone)
    (tarball,) = (tmp / "clone" / "dist").iterdir()
    out = run(env, os.path.join(VENV_BIN, "ansible-galaxy"), "collection", "install", "--offline",
              "-p", str(tmp / "collections"), str(tarball), cwd=str(tmp))
    assert "bandup.ecs:0.1.0 was installed successfully" in out, out
    return tarball, tmp / "collections", env, clone


def test_tarball_holds_the_collection_and_nothing_of_the_test_harness(installed):
    tarball, _path, _env, _clone = installed
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
        manifest = json.load(archive.extractfile("MANIFEST.json"))
    assert not [name for name in names if name.startswith(HARNESS) or name + "/" in HARNESS], names
    for needed in ("LICENSE", "README.md", "site.yml", "requirements.txt", "requirements.yml",
                   "meta/runtime.yml", "playbooks/teardown.yml", "plugins/modules/container_image.py",
                   "roles/image/meta/argument_specs.yml", "inventories/example/hosts.yml",
                   "bindep.txt", "meta/execution-environment.yml"):
        assert needed in names, needed
    info = manifest["collection_info"]
    assert info["license"] == ["GPL-3.0-or-later"]
    assert not [url for url in (info["repository"], info["homepage"], info["documentation"], info["issues"])
                if url and "example" in url]
    with open(os.path.join(ROOT, "LICENSE"), encoding="utf-8") as handle:
        assert "GNU GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007" in handle.read()


def test_ansible_doc_renders_every_plugin_and_role_of_the_installed_copy(installed):
    _tarball, path, env, _clone = installed
    out = run(env, os.path.join(VENV_BIN, "ansible-galaxy"), "collection", "list", "bandup.ecs")
    assert str(path) in out and "bandup.ecs" in out, out
    kinds = {"module": "modules", "filter": "filter", "lookup": "lookup"}
    for kind, folder in kinds.items():
        # One plugin per .py file, plus the filters a .py file holds beside its own, each documented by a .yml
        # sidecar of its name (plugins/filter/service_missing.yml).
        names = sorted({os.path.splitext(name)[0] for name in os.listdir(os.path.join(ROOT, "plugins", folder))
                        if name.endswith((".py", ".yml")) and name != "__init__.py"})
        assert names, folder
        listed = json.loads(ansible_doc(env, "-t", kind, "-l", "-j", "bandup.ecs"))
        assert sorted(listed) == [f"bandup.ecs.{name}" for name in names], (kind, listed)
        docs = json.loads(ansible_doc(env, "-t", kind, "-j", *(f"bandup.ecs.{name}" for name in names)))
        for name in names:
            doc = docs[f"bandup.ecs.{name}"]["doc"]
            assert doc["short_description"] and doc["filename"].startswith(str(path)), (kind, name, doc)
        # The text a user reads, too.
        text = ansible_doc(env, "-t", kind, *(f"bandup.ecs.{name}" for name in names))
        assert all(f"bandup.ecs.{name}" in text for name in names), text[-2000:]
    roles = sorted(os.listdir(os.path.join(ROOT, "roles")))
    docs = json.loads(ansible_doc(env, "-t", "role", "-j", *(f"bandup.ecs.{role}" for role in roles)))
    for role in roles:
        entry = docs[f"bandup.ecs.{role}"]
        assert entry["path"].startswith(str(path)) and entry["entry_points"], (role, entry)
    text = ansible_doc(env, "-t", "role", *(f"bandup.ecs.{role}" for role in roles))
    assert all(f"bandup.ecs.{role}" in text for role in roles), text[-2000:]


def test_execution_environment_context_is_created_offline_and_its_collections_install(installed, tmp_path):
    """`ansible-builder create`, then what the image's galaxy and builder stages do, offline: install the
    collections the context names (the dependencies from this virtualenv's `ansible` package) and introspect
    their Python and system requirements."""
    _tarball, _path, env, clone = installed
    env = dict(env, ANSIBLE_COLLECTIONS_PATH=str(tmp_path / "ee"))  # an empty path again, as in the image
    context = tmp_path / "context"
    run(env, os.path.join(VENV_BIN, "ansible-builder"), "create", "-f", "execution-environment.yml",
        "-c", str(context), cwd=clone)
    # Containerfile where podman is installed (ansible-builder's default runtime), else Dockerfile.
    (containerfile,) = [(context / name).read_text() for name in ("Containerfile", "Dockerfile")
                        if (context / name).exists()]
    assert "ansible-core==2.21.5" in containerfile and "install-from-bindep" in containerfile
    requirements = (context / "_build" / "requirements.yml").read_text()
    assert "/build/collections/bandup-ecs-0.1.0.tar.gz" in requirements
    for name in ("amazon.aws", "community.aws", "community.docker"):
        assert f"name: {name}" in requirements, name
    # The galaxy stage: COPY _build /build, then ansible-galaxy collection install -r requirements.yml.
    (tmp_path / "requirements.yml").write_text(requirements.replace("/build/", str(context / "_build") + "/"))
    out = run(env, os.path.join(VENV_BIN, "ansible-galaxy"), "collection", "install", "--offline",
              "-r", str(tmp_path / "requirements.yml"), "-p", str(tmp_path / "ee"), cwd=str(tmp_path))
    assert "bandup.ecs:0.1.0 was installed successfully" in out, out
    # The builder stage: the requirements of every collection, as the image would install them.
    run(env, sys.executable, str(context / "_build" / "scripts" / "introspect.py"), "introspect",
        str(tmp_path / "ee"), "--user-pip", str(context / "_build" / "requirements.txt"),
        "--user-bindep", str(context / "_build" / "bindep.txt"),
        "--write-pip", str(tmp_path / "pip.txt"), "--write-bindep", str(tmp_path / "bindep.txt"))
    pip, bindep = (tmp_path / "pip.txt").read_text(), (tmp_path / "bindep.txt").read_text()
    assert "boto3>=1.34.0  # from collection bandup.ecs" in pip, pip
    assert "buildah [platform:rpm platform:dpkg]  # from collection bandup.ecs" in bindep, bindep


def test_site_yml_from_the_installed_copy_converges(installed, endpoint, apps, tmp_path):
    _tarball, path, env, _clone = installed
    site = os.path.join(str(path), *INSTALLED, "site.yml")
    env = dict(endpoint.env, **{key: value for key, value in env.items() if key.startswith("ANSIBLE_")})
    command = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", os.path.join(ROOT, "inventories", "local"), site,
               "-e", json.dumps({"status_output_dir": str(tmp_path / "status")})]
    first = run(env, *command, cwd=str(tmp_path))
    assert recap(first)["failed"] == 0 and recap(first)["changed"] > 0
    assert "bandup.ecs" in first and os.path.join(ROOT, ".collections") not in first
    # issue N: the waits show their progress with an ansible.cfg that is not the repository's (the action plugin)
    assert "progress: bandup-local-backend-a: running " in first and "rollout COMPLETED" in first, first[-4000:]
    second = run(env, *command, cwd=str(tmp_path))
    assert recap(second)["changed"] == 0, second[-4000:]
    assert endpoint.census() == LOCAL_DEPLOYMENT
