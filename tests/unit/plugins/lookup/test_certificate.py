"""The bandup.ecs.certificate lookup against a botocore Stubber (ACM): an ISSUED certificate of the region passes;
a missing one, one not ISSUED and one of another region are refused naming alb_certificate_arn."""
import pytest

from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase
from ansible_collections.bandup.ecs.plugins.lookup.certificate import LookupModule

ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-1111-2222-333344445555"


@pytest.fixture(name="acm")
def fixture_acm(monkeypatch, stub_clients):
    monkeypatch.setattr(AWSLookupBase, "run", lambda self, terms, variables, **kwargs: None)
    monkeypatch.setattr(AWSLookupBase, "region", "us-east-1")
    return stub_clients(LookupModule)["acm"]


def certificate(status):
    return {"Certificate": {"CertificateArn": ARN, "DomainName": "bandup.example.com", "Status": status,
                            "Type": "AMAZON_ISSUED"}}


def test_issued_passes(acm):
    acm.add_response("describe_certificate", certificate("ISSUED"), {"CertificateArn": ARN})
    assert LookupModule().run([ARN], {}) == []


@pytest.mark.parametrize("status", ["PENDING_VALIDATION", "EXPIRED", "REVOKED", "FAILED"])
def test_not_issued(acm, status):
    acm.add_response("describe_certificate", certificate(status), {"CertificateArn": ARN})
    assert LookupModule().run([ARN], {}) == [
        f"alb_certificate_arn: the certificate '{ARN}' is {status}, not ISSUED; a listener can only use an issued "
        "certificate (complete its validation first, or renew/replace it)"]


def test_missing(acm):
    acm.add_client_error("describe_certificate", "ResourceNotFoundException", "no such certificate")
    found = LookupModule().run([ARN], {})
    assert found and found[0].startswith(f"alb_certificate_arn: ACM has no certificate '{ARN}' in us-east-1")


def test_another_region_needs_no_call(acm):  # pylint: disable=unused-argument
    other = ARN.replace("us-east-1", "eu-west-1")
    found = LookupModule().run([other], {})
    assert found and found[0].startswith(f"alb_certificate_arn: '{other}' is a certificate of region 'eu-west-1'")
