"""image_builder docker (and auto when a Docker API answers): the image role builds, tags and pushes through
community.docker (docker_image with source build, docker_image_push) on image_docker_host, keeping the content
tag, the skip when the registry has it, digest pinning and the platform (issue J).

The Docker API is Debian's podman (`podman system service` on a unix socket in the test's temp dir, vfs storage,
BUILDAH_ISOLATION=chroot, a registries.conf marking the loopback registry insecure): no Docker engine needed.
"""
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.parse

import pytest

# The registry readers of the buildah tests (their endpoint and build contexts: image_endpoint, image_apps).
from tests.support.image_builds import REPOS, image_architecture, playbook, registry_tags

pytestmark = pytest.mark.skipif(not (shutil.which("podman") and os.path.exists("/bin/busybox")),
                                reason="needs podman (make setup installs it) and busybox-static")


def docker_api(sock, path):
    """GET ``path`` from the Docker API on the unix socket ``sock`` (curl, as a plain client would)."""
    out = subprocess.run(["curl", "-sf", "--unix-socket", sock, "http://d" + path], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def docker_host(image_endpoint, tmp_path_factory):
    root = tmp_path_factory.mktemp("podman")
    (root / "storage.conf").write_text(f'[storage]\ndriver = "vfs"\ngraphroot = "{root}/graph"\n'
                                       f'runroot = "{root}/run"\n')
    (root / "registries.conf").write_text(f'unqualified-search-registries = []\n[[registry]]\n'
                                          f'location = "{image_endpoint["BANDUP_REGISTRY"]}"\ninsecure = true\n')
    sock = str(root / "podman.sock")
    env = dict(os.environ, CONTAINERS_STORAGE_CONF=str(root / "storage.conf"), BUILDAH_ISOLATION="chroot",
               CONTAINERS_REGISTRIES_CONF=str(root / "registries.conf"))
    with open(root / "service.log", "w") as log:
        service = subprocess.Popen(["podman", "system", "service", "--time=0", "unix://" + sock], env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        assert docker_api(sock, "/version")["ApiVersion"]
        yield sock
    finally:
        os.killpg(service.pid, signal.SIGTERM)
        service.wait(timeout=30)


def local_images(sock):
    """{repository:tag} of the images the Docker API's own storage holds."""
    return {tag for image in docker_api(sock, "/images/json") for tag in image.get("RepoTags") or []}


def test_docker_builder_builds_and_pushes_through_the_docker_api_then_builds_nothing(image_endpoint, image_apps,
                                                                                  docker_host):
    options = ["-e", "image_builder=docker", "-e", f"image_docker_host=unix://{docker_host}"]
    proc, recap = playbook(image_endpoint, image_apps, "playbooks/ecr.yml", "playbooks/image.yml", *options)
    assert recap[1] == 0 and recap[0] >= 2, proc.stdout[-4000:]
    assert "Build each missing image" in proc.stdout and "Push each built image" in proc.stdout
    first = registry_tags(image_endpoint)
    built = local_images(docker_host)
    for repo in REPOS:
        (tag,) = first[repo]
        assert f"{image_endpoint['BANDUP_REGISTRY']}/{repo}:{tag}" in built  # built by the Docker API, not buildah
        assert image_architecture(image_endpoint, repo, tag) == "amd64"
    proc, recap = playbook(image_endpoint, image_apps, "playbooks/image.yml", *options)
    assert recap == (0, 0), proc.stdout[-4000:]
    assert "Build each missing image" not in proc.stdout or "skipping" in proc.stdout.split(
        "Build each missing image")[1].split("TASK")[0]
    assert registry_tags(image_endpoint) == first and local_images(docker_host) == built


def test_docker_builder_builds_for_the_tasks_architecture(image_endpoint, image_apps, docker_host):
    before = registry_tags(image_endpoint)
    proc, recap = playbook(image_endpoint, image_apps, "playbooks/image.yml", "-e", "image_builder=docker",
                           "-e", f"image_docker_host=unix://{docker_host}", "-e", "task_definition_cpu_architecture=ARM64",
                           "-e", "image_docker_nocache=true")  # podman 4.3's build cache ignores the platform
    assert recap == (1, 0), proc.stdout[-4000:]
    after = registry_tags(image_endpoint)
    for repo in REPOS:
        (new_tag,) = set(after[repo]) - set(before[repo])
        assert image_architecture(image_endpoint, repo, new_tag) == "arm64"


def test_auto_builds_through_the_docker_api_when_one_answers(image_endpoint, image_apps, docker_host, tmp_path):
    changed = tmp_path / "apps"
    shutil.copytree(image_apps, changed, symlinks=True)
    (changed / "backend" / "www" / "actuator" / "health").write_text('{"status":"UP","v":"auto"}\n')
    built = local_images(docker_host)
    env = dict(image_endpoint, DOCKER_HOST="unix://" + docker_host)  # image_docker_host's default
    proc, recap = playbook(env, changed, "playbooks/image.yml")
    assert recap == (1, 0), proc.stdout[-4000:]
    new = local_images(docker_host) - built
    assert len(new) == 1 and urllib.parse.quote(REPOS[0]) in new.pop()  # only the changed backend, via the API


def test_docker_builder_pins_the_digest_and_keeps_the_registry_password_out(image_endpoint, image_apps, docker_host,
                                                                            tmp_path):
    """image_outputs names each image by the digest the registry serves; the ECR password the login used is
    neither in the output nor left in the host's variables."""
    import base64  # pylint: disable=import-outside-toplevel
    import boto3  # pylint: disable=import-outside-toplevel

    changed = tmp_path / "apps"
    shutil.copytree(image_apps, changed, symlinks=True)
    (changed / "frontend" / "www" / "api" / "health").write_text('{"status":"UP","v":"pin"}\n')
    dump = tmp_path / "hostvars.json"
    proc, recap = playbook(image_endpoint, changed, "tests/integration/playbooks/dump_after.yml", "-e",
                           "playbook=playbooks/image.yml", "-e", f"dump_path={dump}", "-e", "image_builder=docker",
                           "-e", f"image_docker_host=unix://{docker_host}", "-v")
    assert recap[1] == 0 and recap[0] >= 1, proc.stdout[-4000:]
    hostvars = dump.read_text()
    outputs = json.loads(hostvars)["image_outputs"]
    tags = registry_tags(image_endpoint)
    for service, repo in (("backend", REPOS[0]), ("frontend", REPOS[1])):
        digest = tags[repo][outputs[service]["tag"]]
        assert outputs[service]["image"] == f"{image_endpoint['BANDUP_REGISTRY']}/{repo}@{digest}"
        assert outputs[service]["changed"] is (service == "frontend")
    token = boto3.client("ecr", endpoint_url=image_endpoint["AWS_ENDPOINT_URL"], region_name="us-east-1",
                         aws_access_key_id="testing", aws_secret_access_key="testing").get_authorization_token()
    password = base64.b64decode(token["authorizationData"][0]["authorizationToken"]).decode().split(":", 1)[1]
    assert len(password) >= 8 and password not in proc.stdout and password not in hostvars
