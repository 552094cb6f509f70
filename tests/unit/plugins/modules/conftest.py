"""Shared by the module tests: a stubbed ECS client handed to every AWSModule, and a module runner."""
import json

import boto3
import pytest
from botocore.stub import Stubber

from ansible.module_utils.testing import patch_module_args
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule


def stubbed(monkeypatch, service):
    """A botocore Stubber on the ``service`` client every module.client() call returns; fails on unused responses."""
    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    monkeypatch.setattr(AWSModule, "client", lambda self, *a, **kw: client)
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture(name="ecs")
def fixture_ecs(monkeypatch):
    yield from stubbed(monkeypatch, "ecs")


@pytest.fixture(name="ec2")
def fixture_ec2(monkeypatch):
    yield from stubbed(monkeypatch, "ec2")


def run_module(module, params, capsys):
    """Run module.main() with params; return its JSON result."""
    with patch_module_args(params), pytest.raises(SystemExit):
        module.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture(name="aws")
def fixture_aws(stub_clients):
    """For modules with several clients: ``aws["iam"]`` is the Stubber of the IAM client module.client("iam")
    returns, and so on; fails on unused responses."""
    return stub_clients(AWSModule)
