"""Make `ansible_collections.bandup.ecs` (this checkout, linked by `make setup`) importable; botocore Stubbers
for the plugins' AWS clients."""
import os
import sys

import boto3
import pytest
from botocore.stub import Stubber

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(ROOT, ".collections")
if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "bandup", "ecs")):
    raise RuntimeError("run `make setup` first: it links this checkout under .collections")
sys.path.insert(0, COLLECTIONS)


class _Stubbers(dict):
    """Service name -> an active Stubber, created on first use."""

    def __missing__(self, service):
        client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        stubber = self[service] = Stubber(client)
        stubber.activate()
        return stubber


@pytest.fixture(name="stub_clients")
def fixture_stub_clients(monkeypatch):
    """``stub_clients(Owner)`` patches ``Owner.client(service, ...)`` (a module or lookup class) to return stubbed
    clients and gives ``{service: Stubber}``; fails on unused responses."""
    made = []

    def stub(owner):
        stubbers = _Stubbers()
        monkeypatch.setattr(owner, "client", lambda self, service, *a, **kw: stubbers[service].client)
        made.append(stubbers)
        return stubbers

    yield stub
    for stubbers in made:
        for stubber in stubbers.values():
            stubber.assert_no_pending_responses()
            stubber.deactivate()
