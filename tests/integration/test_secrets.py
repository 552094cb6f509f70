"""No secret reaches the output of a -vvv run or the variables a run leaves behind (issue F, secrets).

The secret values a run handles: the AWS credentials (from the standard chain, here the environment: the collection
takes none as a variable) and the registry password that ecr:GetAuthorizationToken issues, which the image module
uses to look up, build and push. Container secrets are passed by ARN (`bandup_services[].secrets`), so their values
never pass through Ansible. Each case runs a playbook with -vvv and sentinel credentials, then searches the output
and a JSON dump of hostvars (tests/integration/playbooks/dump_after.yml) for every secret, raw and base64-encoded.
"""
import base64
import json
import os

import boto3
import pytest
import yaml

from conftest import ROOT

SECRET_KEY = "sentinel-secret-access-key-0f3a9c"
SESSION_TOKEN = "sentinel-session-token-77d1e4"


@pytest.fixture(name="secret_env")
def fixture_secret_env(endpoint):
    """The endpoint, its playbooks run with sentinel credentials (the local endpoint checks no signature)."""
    original = endpoint.env
    endpoint.env = dict(original, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_SESSION_TOKEN=SESSION_TOKEN)
    yield endpoint
    endpoint.env = original


def secrets(endpoint):
    """Every secret of a run, with the encodings it travels in."""
    token = boto3.client("ecr", endpoint_url=endpoint.url, region_name="us-east-1", aws_access_key_id="testing",
                         aws_secret_access_key="testing").get_authorization_token()["authorizationData"][0]
    password = base64.b64decode(token["authorizationToken"]).decode().split(":", 1)[1]
    values = {"aws secret key": SECRET_KEY, "aws session token": SESSION_TOKEN, "registry password": password,
              "registry authorization token": token["authorizationToken"]}
    assert len(password) >= 8, "the registry password is too short to search for"
    return values


def leaks(text, endpoint):
    return sorted(name for name, value in secrets(endpoint).items() if value in text)


def run_and_dump(endpoint, tmp_path, playbook, extra_vars=None):
    dump = tmp_path / "hostvars.json"
    result = endpoint.playbook(os.path.join("tests", "integration", "playbooks", "dump_after.yml"), "-vvv",
                               extra_vars=dict(extra_vars or {}, playbook=playbook, dump_path=str(dump)))
    (tmp_path / f"{os.path.basename(playbook)}.log").write_text(result.stdout)  # to look at when a case fails
    return result, dump


@pytest.mark.usefixtures("apps")
def test_converge_and_deploy_show_no_secret(secret_env, tmp_path):
    # The cold converge builds and pushes both images: the password is used for every registry call.
    result, dump = run_and_dump(secret_env, tmp_path, "site.yml")
    assert result.returncode == 0, result.stdout[-5000:]
    assert "ctx-" in dump.read_text(), "the dump must hold the image results"
    assert leaks(result.stdout, secret_env) == []
    assert leaks(dump.read_text(), secret_env) == []
    # The run really printed the modules' results (here the image module's), so an unmasked value would show.
    assert "ctx-" in result.stdout

    # A new version: the images are rebuilt and pushed again, new task definition revisions are rolled out.
    result, dump = run_and_dump(secret_env, tmp_path, "playbooks/deploy.yml",
                                {"bandup_services": with_build_arg("VERSION", "2")})
    assert result.returncode == 0, result.stdout[-5000:]
    assert json.loads(dump.read_text())["image_outputs"]["backend"]["changed"] is True
    assert leaks(result.stdout, secret_env) == []
    assert leaks(dump.read_text(), secret_env) == []


def test_failed_build_shows_no_secret(secret_env, tmp_path):
    """The error path: a build that fails reports the builder's output, and still no secret."""
    ecr = secret_env.playbook("site.yml", "--tags", "ecr")  # the repositories (a no-op after the test above)
    assert ecr.returncode == 0, ecr.stdout[-5000:]
    context = tmp_path / "broken"
    context.mkdir()
    (context / "Dockerfile").write_text("FROM scratch\nCOPY missing-file /missing-file\n")
    services = inventory_services()
    services[0]["build"]["context"] = str(context)
    result, _dump = run_and_dump(secret_env, tmp_path, "playbooks/deploy.yml", {"bandup_services": services})
    assert result.returncode != 0
    assert "missing-file" in result.stdout, result.stdout[-5000:]
    assert leaks(result.stdout, secret_env) == []


def inventory_services():
    with open(os.path.join(ROOT, "inventories", "local", "group_vars", "all", "main.yml")) as handle:
        return yaml.safe_load(handle)["bandup_services"]


def with_build_arg(name, value):
    """The local inventory's services, each build given one more build argument (a new content tag)."""
    services = inventory_services()
    for service in services:
        service["build"] = dict(service["build"], args={name: value})
    return services
