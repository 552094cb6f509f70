# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ALB's ACM certificate, read before any write: CreateListener refuses a certificate that ACM does not have,
that is not ISSUED, or that lives in another region (an ALB takes certificates of its own region only), and by then
the network and the load balancer exist. One acm:DescribeCertificate, only when a certificate is configured."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

VARIABLE = "alb_certificate_arn"


class CertificateErrorHandler(AWSErrorHandler):
    """A certificate ACM does not have (or an ARN it cannot parse) is "missing"."""

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["ResourceNotFoundException", "InvalidArnException"])


@CertificateErrorHandler.list_error_handler("describe certificate {arn}")
@AWSRetry.jittered_backoff()
def describe_certificate(client, arn):
    """The certificate (DescribeCertificate's Certificate), or None."""
    return client.describe_certificate(CertificateArn=arn)["Certificate"]


def certificate_problem(client, arn, region):
    """None when ``arn`` names an ISSUED certificate of ``region``, else why not (naming the variable). No call for a
    certificate of another region."""
    parts = arn.split(":")
    arn_region = parts[3] if len(parts) > 5 else ""
    if arn_region != region:
        return (f"{VARIABLE}: '{arn}' is a certificate of region '{arn_region}'; the load balancer is in '{region}' "
                "and can only use an ACM certificate of its own region (request or import one there)")
    found = describe_certificate(client, arn)
    if not found:
        return (f"{VARIABLE}: ACM has no certificate '{arn}' in {region} for this account (deleted, or a typo?); "
                "request or import one, or set it empty for HTTP only")
    if found.get("Status") != "ISSUED":
        return (f"{VARIABLE}: the certificate '{arn}' is {found.get('Status')}, not ISSUED; a listener can only use an "
                "issued certificate (complete its validation first, or renew/replace it)")
    return None
