"""The first AWS call of a run (issue O, item 2): the offline checks first, then sts:GetCallerIdentity, each usual
failure produced for real and told apart in the first lines, with what to do.

Every case runs the real `playbooks/validate.yml` (the bandup role's checks, the first thing every playbook that
writes imports) on the local inventory: no credentials at all (an empty environment), an unreachable endpoint (a
closed port), and, through tests/support/faultproxy.py answering GetCallerIdentity as AWS would, an expired token,
access denied, and credentials a region does not accept (an opt-in region the account has not enabled). Only the
last test needs the local endpoint: the account, region and endpoint printed, and the loud warning for a loopback
endpoint under an inventory that does not expect one.
"""
import json
import os
import socket
import subprocess
import sys

import pytest

from conftest import ROOT, VENV_BIN

PLAYBOOK = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "inventories/local", "playbooks/validate.yml"]


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is


def bare_env(tmp_path, **aws):
    """No AWS_* or ANSIBLE_* of the caller, an empty HOME (no ~/.aws), no instance metadata: as a fresh shell."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "ANSIBLE_", "BANDUP_"))}
    env.update(HOME=str(tmp_path), AWS_EC2_METADATA_DISABLED="true", ANSIBLE_CONFIG=default_callback(tmp_path),
               ANSIBLE_NOCOLOR="1", PATH=VENV_BIN + os.pathsep + env.get("PATH", ""), **aws)
    return env


def default_callback(tmp_path):
    """An ansible.cfg with only the collections path: Ansible's default callback and result format, as users get."""
    config = tmp_path / "ansible.cfg"
    config.write_text(f"[defaults]\ncollections_path = {os.path.join(ROOT, '.collections')}\ngathering = explicit\n")
    return str(config)


def validate(env, *extra):
    result = subprocess.run(PLAYBOOK + list(extra), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=300, check=False)
    return result.returncode, " ".join(result.stdout.split())


KEYS = {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"}


def test_bad_input_is_reported_without_credentials(tmp_path):
    rc, out = validate(bare_env(tmp_path), "-e", json.dumps({"service_wait_delay": 0}))
    assert rc != 0 and "The inventory has 1 problem(s)" in out and "service_wait_delay: 0 is outside" in out, out
    assert "credentials" not in out, out


def test_no_credentials(tmp_path):
    rc, out = validate(bare_env(tmp_path))
    assert rc != 0, out
    assert '"msg": ["No AWS credentials: botocore found none in the environment' in out, out[-3000:]
    assert "What to do: `aws configure sso` then `export AWS_PROFILE=<profile>`" in out
    assert "bandup_region" not in out.split("Stop when AWS cannot be used")[1], out[-3000:]  # no longer blamed


def test_unreachable_endpoint(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}"
    rc, out = validate(bare_env(tmp_path, AWS_ENDPOINT_URL=url, AWS_MAX_ATTEMPTS="2", **KEYS))
    assert rc != 0, out
    assert f'"msg": ["The AWS endpoint cannot be reached: {url} (sts:GetCallerIdentity, region us-east-1).' in out, \
        out[-3000:]
    assert "`unset AWS_ENDPOINT_URL`" in out


@pytest.fixture
def answering(tmp_path):
    """A fault proxy on 127.0.0.1 that answers the first GetCallerIdentity with the given AWS error (its upstream is
    a closed port: no other call may get through). Yields a function (code, message) -> (rc, output)."""
    started = []

    def run(code, message, *extra):
        proxy = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "support", "faultproxy.py"),
                                  "--upstream", f"http://127.0.0.1:{closed_port()}", "--rate", "0",
                                  "--error-first", f"GetCallerIdentity={code}:{message}"],
                                 stdout=subprocess.PIPE, text=True)
        started.append(proxy)
        url = f"http://127.0.0.1:{int(proxy.stdout.readline().split()[-1])}"
        return validate(bare_env(tmp_path, AWS_ENDPOINT_URL=url, **KEYS), *extra)

    yield run
    for proxy in started:
        proxy.terminate()
        proxy.wait(timeout=30)


def test_expired_token(answering):
    rc, out = answering("ExpiredToken", "The security token included in the request is expired")
    assert rc != 0, out
    assert '"msg": ["The AWS credentials have expired (ExpiredToken).", "What to do: renew them: `aws sso login' in out, \
        out[-3000:]


def test_access_denied_names_the_action(answering):
    rc, out = answering("AccessDenied", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
                                        "sts:GetCallerIdentity because no identity-based policy allows it")
    assert rc != 0, out
    assert '"msg": ["Access denied: this identity may not call sts:GetCallerIdentity (region us-east-1' in out, \
        out[-3000:]
    assert "docs/iam-policy.json" in out


def test_a_region_the_account_cannot_use(answering):
    rc, out = answering("InvalidClientTokenId", "The security token included in the request is invalid.",
                        "-e", json.dumps({"bandup_region": "ap-east-1", "bandup_active_az": "ap-east-1a",
                                          "bandup_standby_az": "ap-east-1b"}))
    assert rc != 0, out
    assert ('"msg": ["AWS does not accept these credentials in region ap-east-1 (InvalidClientTokenId): either '
            'ap-east-1 is a region this account cannot use') in out, out[-3000:]
    assert "Account > AWS Regions" in out


def test_account_region_endpoint_printed_and_a_loopback_endpoint_warned(endpoint, tmp_path):
    env = dict(endpoint.env, ANSIBLE_CONFIG=default_callback(tmp_path))
    rc, out = validate(env)
    assert rc == 0, out[-3000:]
    assert (f'"AWS account 123456789012 as arn:aws:sts::123456789012:user/moto", "region us-east-1, endpoint '
            f'{endpoint.url}"') in out, out[-3000:]
    assert "WARNING" not in out  # inventories/local expects the local endpoint
    rc, out = validate(env, "-e", "bandup_expect_local_endpoint=false")
    assert rc == 0, out[-3000:]
    assert f'"WARNING: the AWS endpoint is {endpoint.url}, on this machine, but this inventory is not a local one' \
        in out, out[-3000:]
