"""plugin_utils/preflight.py: the first AWS call of a run and what each usual failure says (the first line names
the kind, the second what to do). The failures themselves are produced for real, end to end, by
tests/integration/test_preflight.py; here each kind of botocore answer is checked against its message."""
import boto3
import pytest
from botocore import exceptions
from botocore.stub import Stubber

from ansible_collections.bandup.ecs.plugins.plugin_utils import preflight


def sts(endpoint=None):
    return boto3.client("sts", region_name="eu-west-1", endpoint_url=endpoint,
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")


def failing(code, message, endpoint=None, expect_local=False):
    client = sts(endpoint)
    with Stubber(client) as stub:
        stub.add_client_error("get_caller_identity", code, message)
        return preflight.check(client, "eu-west-1", expect_local)


def test_success_prints_account_and_endpoint():
    client = sts()
    with Stubber(client) as stub:
        stub.add_response("get_caller_identity", {"UserId": "AIDA", "Account": "111122223333",
                                                  "Arn": "arn:aws:iam::111122223333:user/alice"})
        out = preflight.check(client, "eu-west-1", False)
    assert out == {"account": "111122223333", "arn": "arn:aws:iam::111122223333:user/alice", "region": "eu-west-1",
                   "endpoint": "https://sts.eu-west-1.amazonaws.com", "warnings": [], "problem": []}


@pytest.mark.parametrize("code,first,todo", [
    ("ExpiredToken", "The AWS credentials have expired (ExpiredToken).", "aws sso login"),
    ("AccessDenied", "Access denied: this identity may not call sts:GetCallerIdentity", "docs/iam-policy.json"),
    ("InvalidClientTokenId", "AWS does not accept these credentials in region eu-west-1", "AWS Regions"),
    ("OptInRequired", "AWS does not accept these credentials in region eu-west-1", "bandup_region"),
    ("SignatureDoesNotMatch", "AWS refused the request signature", "AWS_SECRET_ACCESS_KEY"),
])
def test_each_client_error_is_named_with_what_to_do(code, first, todo):
    out = failing(code, "User: arn:aws:iam::1:user/a is not authorized to perform: sts:GetCallerIdentity")
    assert out["problem"][0].startswith(first), out["problem"]
    assert out["problem"][1].startswith("What to do:") and todo in out["problem"][1], out["problem"]
    assert out["account"] is None


def test_access_denied_names_the_action_of_the_message():
    lines = preflight.explain(exceptions.ClientError(
        {"Error": {"Code": "AccessDeniedException", "Message": "User: x is not authorized to perform: "
                   "ecs:DescribeClusters on resource: y"}}, "DescribeClusters"), "us-east-1", "https://ecs")
    assert lines[0].startswith("Access denied: this identity may not call ecs:DescribeClusters"), lines


@pytest.mark.parametrize("err,first", [
    (exceptions.NoCredentialsError(), "No AWS credentials"),
    (exceptions.UnauthorizedSSOTokenError(), "The AWS SSO (IAM Identity Center) session has expired"),
    (exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), "The AWS endpoint cannot be reached"),
])
def test_each_botocore_error_is_named(err, first):
    lines = preflight.explain(err, "us-east-1", "http://127.0.0.1:9")
    assert lines[0].startswith(first) and lines[1].startswith("What to do:"), lines


@pytest.mark.parametrize("url,loopback", [
    ("http://127.0.0.1:5000", True), ("http://127.3.2.1", True), ("http://[::1]:80", True),
    ("http://localhost:4566", True), ("https://sts.eu-west-1.amazonaws.com", False), ("http://10.0.0.5", False),
    (None, False)])
def test_loopback(url, loopback):
    assert preflight.is_loopback(url) is loopback


def test_loopback_endpoint_warns_unless_the_inventory_expects_it():
    client = sts("http://127.0.0.1:5000")
    with Stubber(client) as stub:
        stub.add_response("get_caller_identity", {"UserId": "A", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/u"})
        out = preflight.check(client, "eu-west-1", False)
    assert out["warnings"][0].startswith("WARNING: the AWS endpoint is http://127.0.0.1:5000, on this machine")
    assert preflight.endpoint_lines("http://127.0.0.1:5000", True) == []
    assert preflight.endpoint_lines("https://sts.eu-west-1.amazonaws.com", True)[0].startswith(
        "WARNING: this inventory expects a local endpoint")
