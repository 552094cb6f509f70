"""LazyAWSLookupBase: the lookup's connection options (as set_options leaves them) reach the boto3 client it makes on
first use, through amazon.aws's plugin_utils as AWSLookupBase makes it; a bad combination fails the lookup with
amazon.aws's message. (That the no-call paths leave boto3 unloaded: tests/unit/plugins/test_controller_imports.py.)"""
import pytest
from ansible.errors import AnsibleLookupError

from ansible_collections.bandup.ecs.plugins.lookup.ownership import LookupModule

# The connection options of the amazon.aws.boto3 / common.plugins / region.plugins fragments, unset.
UNSET = {name: None for name in ("access_key", "secret_key", "session_token", "profile", "endpoint_url", "region",
                                 "aws_ca_bundle", "aws_config")}


def lookup_with(monkeypatch, **options):
    monkeypatch.setattr(LookupModule, "get_options", lambda self: dict(UNSET, validate_certs=True, **options))
    monkeypatch.setattr(LookupModule, "get_option", lambda self, key: dict(UNSET, validate_certs=True,
                                                                          **options)[key])
    return LookupModule()


def test_the_options_make_the_client(monkeypatch):
    client = lookup_with(monkeypatch, region="eu-west-1", endpoint_url="http://127.0.0.1:4566",
                         access_key="AKIAEXAMPLE", secret_key="secret").client("sts")
    assert client.meta.region_name == "eu-west-1"
    assert client.meta.endpoint_url == "http://127.0.0.1:4566"
    assert client._request_signer._credentials.access_key == "AKIAEXAMPLE"  # pylint: disable=protected-access


def test_a_bad_option_fails_the_lookup(monkeypatch):
    lookup = lookup_with(monkeypatch, region="eu-west-1", access_key="AKIAEXAMPLE", secret_key="secret",
                         profile="bandup-no-such-profile")
    with pytest.raises(AnsibleLookupError, match="both a profile and access tokens"):
        lookup.client("sts")
