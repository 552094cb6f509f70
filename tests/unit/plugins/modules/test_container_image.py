"""container_image against a stubbed ECR client and an in-memory registry: what is written, and only then."""
import base64

import pytest

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.bandup.ecs.plugins.module_utils._ecr import builders
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule
from ansible_collections.bandup.ecs.plugins.module_utils._ecr import registry
from ansible_collections.bandup.ecs.plugins.module_utils._ecr.registry import RegistryError
from ansible_collections.bandup.ecs.plugins.module_utils._ecr import images
from ansible_collections.bandup.ecs.plugins.modules import container_image

from conftest import run_module

HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
PASSWORD = "registry-password-5c1e"
DIGEST = "sha256:" + "ab" * 32


class FakeRegistry:
    """manifest_digest / copy_tag over a dict {(repository, tag): digest}; ``fail`` raises on every request."""
    made = []

    def __init__(self, host, user, password, tls_verify=True):
        self.host, self.tags, self.copied, self.fail = host, dict(FakeRegistry.tags), [], FakeRegistry.fail
        FakeRegistry.made.append(self)

    def manifest_digest(self, repository, reference):
        if self.fail:
            raise RegistryError(f"{self.host}: HEAD /v2/{repository}/manifests/{reference} unreachable: refused")
        return self.tags.get((repository, reference))

    def copy_tag(self, repository, source, tag):
        self.copied.append((repository, source, tag))
        self.tags[(repository, tag)] = self.tags[(repository, source)]
        return self.tags[(repository, tag)]


@pytest.fixture(name="image")
def fixture_image(tmp_path, monkeypatch, stub_clients):
    """A build context, the ECR token answer, the fake registry, and a recorder of the commands run."""
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    aws = stub_clients(AWSModule)
    token = base64.b64encode(f"AWS:{PASSWORD}".encode()).decode()
    aws["ecr"].add_response("get_authorization_token", {"authorizationData": [
        {"authorizationToken": token, "proxyEndpoint": f"https://{HOST}"}]}, {})
    FakeRegistry.tags, FakeRegistry.fail, FakeRegistry.made = {}, False, []
    real_open = images.open_registry

    def open_registry(host, client, region, user, password, tls_verify=True, insecure_http=False):
        registry.check_transport(host, tls_verify, insecure_http)
        if registry.ecr_host(host):  # the same refusals as the real one (region), then the fake
            real_open(host, client, region, user, password, tls_verify, insecure_http)
        return FakeRegistry(host, user, password, tls_verify)

    monkeypatch.setattr(images, "open_registry", open_registry)
    commands = []

    def run_command(self, cmd, **kwargs):
        commands.append(cmd)
        if "push" in cmd:  # the pushed tag is now served
            FakeRegistry.made[-1].tags[("ielts-backend", cmd[-1].rsplit(":", 1)[-1])] = DIGEST
        return 0, "", ""

    monkeypatch.setattr(AnsibleModule, "run_command", run_command)
    monkeypatch.setattr(builders, "choose_builder", lambda wanted, docker_ok: "buildah")
    tag = builders.content_tag(str(tmp_path))
    return dict(context=str(tmp_path), tag=tag, commands=commands, aws=aws)


def params(image, **override):
    return dict(dict(images=[{"name": "backend", "repository": "ielts-backend", "context": image["context"]}],
                     builder="buildah", region="us-east-1"), **override)


def test_an_image_in_the_registry_is_not_built(image, capsys):
    FakeRegistry.tags = {("ielts-backend", image["tag"]): DIGEST}
    out = run_module(container_image, params(image), capsys)
    assert out["changed"] is False and out["changes"] == []
    assert out["images"]["backend"]["image"] == f"{HOST}/ielts-backend@{DIGEST}"
    assert image["commands"] == []


def test_check_mode_names_the_push_and_builds_nothing(image, capsys):
    out = run_module(container_image, params(image, _ansible_check_mode=True), capsys)
    assert out["changed"] is True
    assert out["changes"] == [{"resource": f"image ielts-backend:{image['tag']}", "action": "push", "fields": []}]
    assert out["images"]["backend"]["image"] == f"{HOST}/ielts-backend:{image['tag']}"
    assert image["commands"] == []


def test_a_missing_image_is_built_pushed_and_pinned(image, capsys):
    out = run_module(container_image, params(image), capsys)
    assert out["changed"] is True and out["builder"] == "buildah"
    assert out["changes"] == [{"resource": f"image ielts-backend:{image['tag']}", "action": "push", "fields": []}]
    assert out["images"]["backend"]["digest"] == DIGEST and out["images"]["backend"]["changed"] is True
    assert image["commands"][0][:4] == ["buildah", "--storage-driver", "vfs", "bud"]
    assert [cmd[3] for cmd in image["commands"]] == ["bud", "push", "rmi"]
    assert PASSWORD not in str(out)


def test_a_missing_git_tag_is_copied_in_the_registry(image, capsys, monkeypatch):
    monkeypatch.setattr(images, "git_sha", lambda host, context: "0123456789abcdef")
    FakeRegistry.tags = {("ielts-backend", image["tag"]): DIGEST}
    out = run_module(container_image, params(image, tag_git_sha=True), capsys)
    assert out["changed"] is True
    assert out["changes"] == [{"resource": f"image ielts-backend:{image['tag']}", "action": "tag",
                               "fields": ["git-0123456789ab"]}]
    assert FakeRegistry.made[-1].copied == [("ielts-backend", image["tag"], "git-0123456789ab")]
    assert image["commands"] == []


def test_a_registry_failure_fails_with_its_message(image, capsys):
    FakeRegistry.fail = True
    out = run_module(container_image, params(image), capsys)
    assert out["failed"] is True and out["changed"] is False and out["changes"] == []
    assert out["msg"] == f"{HOST}: HEAD /v2/ielts-backend/manifests/{image['tag']} unreachable: refused"


def test_a_plain_http_registry_without_insecure_http_is_refused_before_any_call(tmp_path, capsys, stub_clients):
    """tls_verify false alone would let buildah fall back to plain HTTP with the credentials: refused, naming both
    variables, before the token is asked for or anything is built."""
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    aws = stub_clients(AWSModule)
    out = run_module(container_image, dict(images=[{"name": "backend", "repository": "ielts-backend",
                                                    "context": str(tmp_path)}], region="us-east-1",
                                           registry="registry.internal:5000", tls_verify=False), capsys)
    assert out["failed"] is True and out["changes"] == []
    assert "image_registry_tls_verify" in out["msg"] and "image_registry_insecure_http: true" in out["msg"]
    assert not aws


def test_insecure_http_is_refused_for_ecr(tmp_path, capsys, stub_clients):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    aws = stub_clients(AWSModule)
    out = run_module(container_image, dict(images=[{"name": "backend", "repository": "ielts-backend",
                                                    "context": str(tmp_path)}], region="us-east-1",
                                           registry=HOST, tls_verify=False, insecure_http=True), capsys)
    assert out["failed"] is True
    assert out["msg"].startswith(f"insecure_http (image_registry_insecure_http): {HOST} is an ECR registry")
    assert not aws


def test_insecure_http_lets_buildah_speak_plain_http(image, capsys):
    out = run_module(container_image, params(image, registry="127.0.0.1:5000", tls_verify=False,
                                             insecure_http=True), capsys)
    assert out["changed"] is True
    pushes = [cmd for cmd in image["commands"] if "push" in cmd]
    assert pushes and all("--tls-verify=false" in cmd for cmd in pushes)


def test_an_ecr_registry_keeps_tls_verification_in_the_builder(image, capsys):
    run_module(container_image, params(image), capsys)
    pushes = [cmd for cmd in image["commands"] if "push" in cmd]
    assert pushes and all("--tls-verify=true" in cmd for cmd in pushes)


def test_a_context_that_is_not_a_directory_fails_before_any_call(tmp_path, capsys, stub_clients):
    aws = stub_clients(AWSModule)
    out = run_module(container_image, dict(images=[{"name": "backend", "repository": "ielts-backend",
                                                    "context": str(tmp_path / "nope")}], region="us-east-1"), capsys)
    assert out["failed"] is True
    assert out["msg"] == f"images[0] (backend).context: build context '{tmp_path / 'nope'}' is not a directory"
    assert not aws


def test_login_gives_the_registry_credentials_and_their_client_config(image, capsys):
    """build=false, login=true: the credentials and the config.json a Docker client reads them from (the image role
    writes it as it is for a plain HTTP registry: the one place that JSON is built is builders.auth_config)."""
    import json
    out = run_module(container_image, params(image, build=False, login=True), capsys)
    login = out["login"]
    assert (login["registry"], login["username"], login["password"]) == (HOST, "AWS", PASSWORD)
    assert json.loads(login["config"]) == {"auths": {HOST: {
        "auth": base64.b64encode(f"AWS:{PASSWORD}".encode()).decode()}}}
    assert image["commands"] == []
