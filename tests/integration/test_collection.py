"""The collection as users get it (issue J): `ansible-galaxy collection build` on a fresh clone, an offline
install of the tarball into an empty collections path (the dependencies come from the `ansible` package in
this virtualenv), `ansible-doc` on every plugin and role of the installed copy, and `site.yml` run from the
installed copy, not the checkout, against the local endpoint.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

from conftest import ROOT, VENV_BIN, fresh_clone, recap
from tests.support.census import LOCAL_DEPLOYMENT, census

INSTALLED = ("ansible_collections", "bandup", "ecs")
HARNESS = ("tests/", "molecule/", "benchmarks/", "scripts/", ".ci/", ".config/", "Makefile", "ansible.cfg",
           "requirements-test.txt", "inventories/local/")


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
    assert "boto3>=1.35.66  # from collection bandup.ecs" in pip, pip
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
    # The collection's own playbook name works as well as the path (playbooks/site.yml; the root site.yml imports it).
    endpoint.start_recording()
    second = run(env, os.path.join(VENV_BIN, "ansible-playbook"), "-i", os.path.join(ROOT, "inventories", "local"),
                 "bandup.ecs.site", cwd=str(tmp_path))
    assert recap(second)["changed"] == 0, second[-4000:]
    # The no-op budget: 0 writes, at most 40 calls, the first being the preflight, the cluster read once.
    record = endpoint.recorded()
    actions = [call["action"] for call in record["calls"]]
    assert record["writes"] == [] and len(actions) <= 40, actions
    assert actions[0] == "GetCallerIdentity" and actions.count("DescribeClusters") == 1, actions
    assert endpoint.census() == LOCAL_DEPLOYMENT
    # site.yml ends with where to reach it, as lines (Ansible's default callback, no ansible.cfg of ours).
    tail = second[second.index("TASK [The URL and the active AZ]"):]
    assert re.search(r'^        "URL: http://bandup-local-\d+\.us-east-1\.elb\.amazonaws\.com/",$', tail, re.M), tail
    assert '        "routes: frontend /, backend /api/v1/*",' in tail, tail
    assert '        "active AZ: us-east-1a (standby us-east-1b)",' in tail, tail


def test_status_and_problems_read_as_lines_from_the_installed_copy(installed, endpoint, tmp_path):
    """With Ansible's default callback and no ansible.cfg of ours, the status summary and the validation problems
    print one line per JSON string (not one string full of \\n), and status.yml writes its files to the default
    directory, ~/.bandup/<bandup_name>/status. Runs after the converge above (same endpoint)."""
    _tarball, _path, env, _clone = installed
    env = dict(endpoint.env, **{key: value for key, value in env.items() if key.startswith("ANSIBLE_")},
               HOME=str(tmp_path))
    inventory = tmp_path / "inventory"
    shutil.copytree(os.path.join(ROOT, "inventories", "local"), inventory)
    main = inventory / "group_vars" / "all" / "main.yml"
    apps = os.path.join(ROOT, "tests", "fixtures", "apps")
    main.write_text("\n".join(f"bandup_fixture_apps: {apps}" if line.startswith("bandup_fixture_apps:") else line
                              for line in main.read_text().splitlines()
                              if not line.startswith("status_output_dir:")) + "\n")
    out = run(env, os.path.join(VENV_BIN, "ansible-playbook"), "-i", str(inventory), "bandup.ecs.status",
              cwd=str(tmp_path))
    assert "\\n" not in out, out[-3000:]
    assert re.search(r'^        "cost    estimate ~[\d.]+ USD/month at us-east-1 list prices', out, re.M), out[-3000:]
    written = tmp_path / ".bandup" / "bandup-local" / "status"
    assert f'"written to {written}: summary.txt' in out, out[-3000:]
    assert "cost    estimate ~" in (written / "summary.txt").read_text()
    assert {"summary.txt", "status.json", "topology.mmd", "topology.dot"} <= set(os.listdir(written))
    bad = subprocess.run([os.path.join(VENV_BIN, "ansible-playbook"), "-i", str(inventory), "bandup.ecs.validate",
                          "-e", json.dumps({"bandup_name": "BAD NAME", "service_wait_delay": -3})],
                         env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=300, check=False)
    assert bad.returncode != 0
    assert '"msg": ["The inventory has 2 problem(s); fix them all, then run again:", "bandup_name: ' in bad.stdout, \
        bad.stdout[-3000:]
    assert '", "service_wait_delay: -3 is outside 1-3600' in bad.stdout and "\\n" not in bad.stdout, bad.stdout[-3000:]


def checklist():
    """The shell commands of the README's real-account checklist, in order."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        text = handle.read()
    section = text[text.index("## Use it on a real AWS account: the checklist"):text.index("## Quick start")]
    build = re.search(r"```\n\s*(ansible-galaxy collection build[^\n]*)\n\s*(ansible-galaxy collection install [^\n#]+)",
                      section)
    copy = re.search(r"`(mkdir -p inventories && cp -r [^`]+)`", section)
    runs = re.findall(r"`(ansible-playbook -i inventories/mine bandup\.ecs\.[^`]+)`", section)
    assert build and copy and len(runs) == 4, section
    return build.group(1).split(), build.group(2).split(), copy.group(1), runs


def test_readme_real_account_checklist_as_written(installed, endpoint, apps, tmp_path):
    """The README's real-account checklist, step by step as a new user runs it, in a fresh directory and HOME: build
    the tarball (from the fresh clone), install it (offline, as the README says where the ansible package carries
    the dependencies), copy the example inventory out of the installed collection, edit it as steps 5 and 6 say
    (the fixture apps as the application repositories), then --check --diff, deploy, status and teardown, against the
    local endpoint in place of AWS (what needs real AWS: credentials, the IAM policy, a certificate, DNS)."""
    _tarball, _path, env, _clone = installed
    clone = fresh_clone(str(tmp_path / "checkout"))
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = dict(endpoint.env, HOME=str(home), ANSIBLE_CONFIG=env["ANSIBLE_CONFIG"], ANSIBLE_NOCOLOR="1")
    env.pop("ANSIBLE_COLLECTIONS_PATH", None)  # the default, ~/.ansible/collections, as for a user
    build, install, copy, runs = checklist()

    def shell(command, cwd=work):
        return run(env, "bash", "-c", command, cwd=str(cwd))

    shell(" ".join(build), cwd=clone)
    shutil.copytree(os.path.join(clone, "dist"), work / "dist")
    out = shell(" ".join(install + ["--offline"]))
    assert "bandup.ecs:0.1.0 was installed successfully" in out, out
    shell(copy)
    main = work / "inventories" / "mine" / "group_vars" / "all" / "main.yml"
    values = yaml.safe_load(main.read_text())
    assert values["bandup_name"] == "bandup-prod"
    for service in values["bandup_services"]:  # step 6: the application repositories
        service["build"]["context"] = os.path.join(ROOT, "tests", "fixtures", "apps", service["name"])
    values["image_registry_tls_verify"] = False  # the local registry (BANDUP_REGISTRY) stands in for ECR: plain HTTP
    values["image_registry_insecure_http"] = True  # ...which plain HTTP needs on purpose (docs/DEVELOPING.md)
    main.write_text(yaml.safe_dump(values, sort_keys=False))

    check, deploy, status, teardown = runs
    before = endpoint.census()  # us-east-1: the deployment of the tests above, when they ran
    assert check.endswith("--check --diff") and teardown.endswith("-e confirm=<bandup_name>"), runs
    endpoint.start_recording()
    out = shell(check)
    assert endpoint.recorded()["writes"] == [] and recap(out)["failed"] == 0, out[-4000:]
    # step 3's warning: this inventory does not say it is local, and the endpoint is on this machine
    assert f"WARNING: the AWS endpoint is {endpoint.url}" in out, out[-4000:]
    out = shell(deploy)
    assert recap(out)["changed"] > 0, out[-4000:]
    assert re.search(r'"URL: http://bandup-prod-\d+\.ap-southeast-1\.elb\.amazonaws\.com/"', out), out[-3000:]
    assert '"active AZ: ap-southeast-1a (standby ap-southeast-1b)"' in out, out[-3000:]
    prod = census(endpoint.url, region="ap-southeast-1")
    assert (prod["clusters"], prod["services"], prod["scalable_targets"], prod["load_balancers"]) == (1, 4, 2, 1), prod
    out = shell(status)
    assert re.search(r'"cost    estimate ~[\d.]+ USD/month at ap-southeast-1 list prices', out), out[-3000:]
    assert (home / ".bandup" / "bandup-prod" / "status" / "summary.txt").exists()
    out = shell(teardown.replace("<bandup_name>", values["bandup_name"]))
    assert recap(out)["failed"] == 0, out[-4000:]
    left = census(endpoint.url, region="ap-southeast-1")
    # IAM is global (the other deployment's roles); moto keeps the scaling policies of a deregistered scalable
    # target, which AWS deletes with it (the scalable targets themselves are counted).
    assert not {kind: count for kind, count in left.items()
                if count and kind not in ("iam_roles", "scaling_policies")}, left
    assert endpoint.census() == before  # bandup-prod is gone; the other deployment untouched
