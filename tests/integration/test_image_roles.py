"""Roles ecr + image end to end against their own local endpoint (moto + OCI registry).

Drives ansible-playbook on copies of the fixture build contexts, and reads the results back from the
endpoint: ECR calls from moto's recorder, tags and digests from the registry over HTTP.
"""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
from tests.support import recording  # noqa: E402  pylint: disable=wrong-import-position
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "apps")
VENV_BIN = os.path.dirname(sys.executable)
REPOS = ("ielts-bandup-local-backend", "ielts-bandup-local-frontend")

pytestmark = pytest.mark.skipif(not (shutil.which("buildah") and os.path.exists("/bin/busybox")),
                                reason="needs buildah and busybox-static")


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    state = tmp_path_factory.mktemp("endpoint")
    script = os.path.join(ROOT, "scripts", "local_endpoint.py")
    subprocess.run([sys.executable, script, "up", "--state-dir", str(state)], check=True, cwd=state,
                   stdout=subprocess.DEVNULL)
    env = dict(os.environ)
    with open(state / "env", encoding="utf-8") as handle:
        for line in handle:
            match = re.match(r"export (\w+)=(.*)$", line.strip())
            if match:
                env[match.group(1)] = match.group(2).strip("'")
    saved = dict(os.environ)
    os.environ.update(env)  # recording.py reads AWS_ENDPOINT_URL
    try:
        yield env
    finally:
        os.environ.clear()
        os.environ.update(saved)
        subprocess.run([sys.executable, script, "down", "--state-dir", str(state)], check=False,
                       stdout=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    root = tmp_path_factory.mktemp("apps")
    for app in ("backend", "frontend"):
        shutil.copytree(os.path.join(FIXTURES, app), root / app, symlinks=True,
                        ignore=shutil.ignore_patterns("busybox"))
        shutil.copyfile("/bin/busybox", root / app / "busybox")
        os.chmod(root / app / "busybox", 0o755)
    return root


def playbook(env, apps, *args):
    cmd = [os.path.join(VENV_BIN, "ansible-playbook"), "-e", f"bandup_fixture_apps={apps}", *args]
    proc = subprocess.run(cmd, cwd=ROOT, env=dict(env, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                                                 ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0"),
                          capture_output=True, text=True, check=False)
    # The last recap counts every play of every playbook given.
    recaps = re.findall(r"localhost\s+: ok=\d+\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)", proc.stdout)
    return proc, (int(recaps[-1][0]), int(recaps[-1][1])) if recaps else None


def registry_tags(env):
    """{repository: {tag: digest}} as the registry serves them."""
    user_pass = ecr_basic_auth(env)
    out = {}
    for repo in REPOS:
        url = f"http://{env['BANDUP_REGISTRY']}/v2/{repo}"
        request = urllib.request.Request(url + "/tags/list", headers={"Authorization": user_pass})
        try:
            with urllib.request.urlopen(request) as response:
                tags = json.load(response).get("tags") or []
        except urllib.error.HTTPError as err:
            assert err.code == 404
            tags = []
        out[repo] = {}
        for tag in tags:
            request = urllib.request.Request(url + "/manifests/" + tag, method="HEAD", headers={
                "Authorization": user_pass,
                "Accept": "application/vnd.oci.image.manifest.v1+json, "
                          "application/vnd.docker.distribution.manifest.v2+json"})
            with urllib.request.urlopen(request) as response:
                out[repo][tag] = response.headers["Docker-Content-Digest"]
    return out


def ecr_basic_auth(env):
    import boto3
    client = boto3.client("ecr", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_REGION"],
                          aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
    token = client.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    assert base64.b64decode(token).startswith(b"AWS:")
    return "Basic " + token


def ecr_writes():
    return [call["action"] for call in recording.summary()["writes"] if call["service"] == "ecr"]


def test_bad_input_fails_before_any_write(endpoint, apps, tmp_path):
    recording.start()
    proc, recap = playbook(endpoint, apps, "playbooks/ecr.yml", "-e", "bandup_ecr_prefix=IELTS_")
    assert recap == (0, 1) and "bandup_ecr_prefix" in proc.stdout
    broken = tmp_path / "apps"
    shutil.copytree(apps, broken, symlinks=True)
    shutil.rmtree(broken / "frontend")
    proc, recap = playbook(endpoint, broken, "playbooks/image.yml")
    assert recap[1] == 1 and "bandup_services[1] (frontend)" in proc.stdout and "build.context" in proc.stdout
    (broken / "frontend").mkdir()
    proc, recap = playbook(endpoint, broken, "playbooks/image.yml")
    assert recap[1] == 1 and "(frontend).build.dockerfile" in proc.stdout and "does not exist" in proc.stdout
    assert ecr_writes() == []
    assert registry_tags(endpoint) == {repo: {} for repo in REPOS}


def test_check_mode_writes_nothing(endpoint, apps):
    recording.start()
    proc, recap = playbook(endpoint, apps, "playbooks/ecr.yml", "playbooks/image.yml", "--check")
    assert recap == (2, 0), proc.stdout
    assert ecr_writes() == []
    assert registry_tags(endpoint) == {repo: {} for repo in REPOS}


def test_converge_then_noop_then_rebuild_only_the_changed_service(endpoint, apps):
    proc, recap = playbook(endpoint, apps, "playbooks/ecr.yml", "playbooks/image.yml")
    assert recap == (2, 0), proc.stdout + proc.stderr
    first = registry_tags(endpoint)
    assert all(len(tags) == 1 for tags in first.values()), first

    recording.start()
    proc, recap = playbook(endpoint, apps, "playbooks/ecr.yml", "playbooks/image.yml")
    assert recap == (0, 0), proc.stdout
    assert ecr_writes() == []
    assert registry_tags(endpoint) == first

    (apps / "backend" / "www" / "actuator" / "health").write_text('{"status":"UP","v":2}\n')
    recording.start()
    proc, recap = playbook(endpoint, apps, "--tags", "image", "playbooks/ecr.yml", "playbooks/image.yml")
    assert recap == (1, 0), proc.stdout
    assert "Repository per service" not in proc.stdout  # --tags image skips the ecr play
    assert ecr_writes() == []
    second = registry_tags(endpoint)
    assert second["ielts-bandup-local-frontend"] == first["ielts-bandup-local-frontend"]
    assert len(second["ielts-bandup-local-backend"]) == 2
    new_tag = (set(second["ielts-bandup-local-backend"]) - set(first["ielts-bandup-local-backend"])).pop()
    assert second["ielts-bandup-local-backend"][new_tag] not in first["ielts-bandup-local-backend"].values()


def test_git_sha_tag_is_added_without_a_rebuild(endpoint, apps):
    git = ["git", "-C", str(apps), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(git[:3] + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "fixture"], check=True)
    sha = subprocess.run(git[:3] + ["rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout[:12]
    before = registry_tags(endpoint)
    proc, recap = playbook(endpoint, apps, "playbooks/image.yml", "-e", "image_tag_git_sha=true")
    assert recap == (1, 0), proc.stdout
    after = registry_tags(endpoint)
    for repo in REPOS:
        git_digest = after[repo].pop(f"git-{sha}")
        assert after[repo] == before[repo]  # no new content tag, no digest moved: nothing was rebuilt
        assert git_digest in before[repo].values()  # the git tag names an image that was already there
    proc, recap = playbook(endpoint, apps, "playbooks/image.yml", "-e", "image_tag_git_sha=true")
    assert recap == (0, 0), proc.stdout


def image_architecture(env, repository, tag):
    """The architecture the image's config says (manifest -> config blob), read from the registry."""
    base = f"http://{env['BANDUP_REGISTRY']}/v2/{repository}"
    headers = {"Authorization": ecr_basic_auth(env), "Accept": "application/vnd.oci.image.manifest.v1+json, "
                                                              "application/vnd.docker.distribution.manifest.v2+json"}
    with urllib.request.urlopen(urllib.request.Request(f"{base}/manifests/{tag}", headers=headers)) as response:
        config = json.load(response)["config"]["digest"]
    with urllib.request.urlopen(urllib.request.Request(f"{base}/blobs/{config}", headers=headers)) as response:
        return json.load(response)["architecture"]


def test_images_are_built_for_the_tasks_architecture(endpoint, apps):
    """issue H item 6: --platform from task_definition_cpu_architecture, whatever the controller runs on."""
    before = registry_tags(endpoint)
    for repo, tags in before.items():
        assert {image_architecture(endpoint, repo, tag) for tag in tags} == {"amd64"}, repo
    proc, recap = playbook(endpoint, apps, "playbooks/image.yml", "-e", "task_definition_cpu_architecture=ARM64")
    assert recap == (1, 0), proc.stdout
    after = registry_tags(endpoint)
    for repo in REPOS:
        (new_tag,) = set(after[repo]) - set(before[repo])  # another platform is another image, another tag
        assert image_architecture(endpoint, repo, new_tag) == "arm64"
    proc, recap = playbook(endpoint, apps, "playbooks/image.yml", "-e", "task_definition_cpu_architecture=ARM64")
    assert recap == (0, 0), proc.stdout
