"""Shared by the module tests: a stubbed ECS client handed to every AWSModule, and a module runner."""
import json
from unittest import mock

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


class Clients:
    """Real boto3 clients behind Stubbers, handed out by AWSModule.client()."""

    def __init__(self):
        self.clients = {n: boto3.client(n, region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
                        for n in ("ecs", "ec2", "elbv2", "application-autoscaling", "logs")}
        self.stubs = {n: Stubber(c) for n, c in self.clients.items()}
        for stub in self.stubs.values():
            stub.activate()

    def __getitem__(self, name):
        return self.stubs[name]

    def client(self, name, **_kwargs):
        return self.clients[name]

    def check(self):
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


def run_stubbed(args, clients, module):
    """Run ``module`` with ``args`` on ``clients`` (a Clients); return (result, failed)."""
    with patch_module_args(args), mock.patch.object(AWSModule, "client", side_effect=clients.client), \
            mock.patch.object(AWSModule, "exit_json", side_effect=SystemExit) as exit_json, \
            mock.patch.object(AWSModule, "fail_json", side_effect=SystemExit) as fail_json:
        with pytest.raises(SystemExit):
            module.main()
    clients.check()
    called = fail_json if fail_json.called else exit_json
    return called.call_args.kwargs, fail_json.called
