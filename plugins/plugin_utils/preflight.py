# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The first AWS call of a run: who am I, where, through which endpoint (sts:GetCallerIdentity).

``check()`` makes the call and returns what the bandup role prints, or, when it fails, ``problem``: lines that say
which of the usual first-hour failures it is (no credentials, an expired token or SSO session, access denied, an
unreachable endpoint, a region the account cannot use) and what to do about it. Nothing here knows which endpoint it
talks to: the endpoint is whatever botocore resolved (``AWS_ENDPOINT_URL``, a profile's ``endpoint_url``, or AWS).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlparse

try:
    from botocore import exceptions as botocore_errors
except ImportError:
    botocore_errors = None  # AnsibleAWSModule / AWSLookupBase report the missing library

EXPIRED = ("ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired")
DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess")
# Credentials AWS does not accept in this region: a wrong or deleted key, or an opt-in region the account has not
# enabled (its regional endpoints do not know the account's keys).
REGION_REFUSED = ("InvalidClientTokenId", "UnrecognizedClientException", "AuthFailure", "OptInRequired")
LOCAL_HOSTS = ("localhost", "localhost.localdomain", "ip6-localhost")


def is_loopback(url):
    """Whether ``url``'s host is this machine (127.0.0.0/8, ::1, localhost)."""
    host = (urlparse(url or "").hostname or "").lower()
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_lines(endpoint, expect_local):
    """Warnings about the endpoint for an inventory that says whether it expects a local endpoint (loud: the run
    would otherwise deploy somewhere the user did not mean)."""
    local = is_loopback(endpoint)
    if local and not expect_local:
        return [f"WARNING: the AWS endpoint is {endpoint}, on this machine, but this inventory is not a local one "
                "(bandup_expect_local_endpoint is not true): nothing will reach your AWS account.",
                "WARNING: a shell that sourced .local/env keeps AWS_ENDPOINT_URL; run `unset AWS_ENDPOINT_URL "
                "AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY BANDUP_REGISTRY` (or open a new shell) for a real account."]
    if expect_local and not local:
        return [f"WARNING: this inventory expects a local endpoint (bandup_expect_local_endpoint: true), but the AWS "
                f"endpoint is {endpoint}: this run would change a real AWS account.",
                "WARNING: start the local endpoint and `. .local/env` (make local-up), or use an inventory of your own."]
    return []


def _code(err):
    return ((getattr(err, "response", None) or {}).get("Error") or {}).get("Code") or ""


def _message(err):
    return ((getattr(err, "response", None) or {}).get("Error") or {}).get("Message") or str(err)


def explain(err, region, endpoint, action="sts:GetCallerIdentity"):
    """Lines saying what kind of failure ``err`` (raised by ``action``) is and what to do; the first line names the
    kind. ``err`` is a botocore exception (or an AnsibleAWSError wrapping one)."""
    err = getattr(err, "exception", None) or err
    where = f"region {region}, endpoint {endpoint}"
    code = _code(err)
    if botocore_errors is not None:
        sso = tuple(getattr(botocore_errors, name) for name in (
            "SSOTokenLoadError", "UnauthorizedSSOTokenError", "SSOError", "TokenRetrievalError")
            if hasattr(botocore_errors, name))
        if isinstance(err, (botocore_errors.NoCredentialsError, botocore_errors.PartialCredentialsError)):
            return ["No AWS credentials: botocore found none in the environment, the shared files (~/.aws/credentials, "
                    "~/.aws/config) or an instance or container role.",
                    "What to do: `aws configure sso` then `export AWS_PROFILE=<profile>` (or set AWS_ACCESS_KEY_ID and "
                    "AWS_SECRET_ACCESS_KEY), check with `aws sts get-caller-identity`, and run again.",
                    f"({type(err).__name__}: {err})"]
        if sso and isinstance(err, sso):
            return ["The AWS SSO (IAM Identity Center) session has expired or was never started.",
                    "What to do: `aws sso login --profile <your profile>` (the one AWS_PROFILE names), then run again.",
                    f"({type(err).__name__}: {err})"]
        if isinstance(err, (botocore_errors.EndpointConnectionError, botocore_errors.ConnectTimeoutError,
                            botocore_errors.ConnectionClosedError, botocore_errors.ReadTimeoutError,
                            botocore_errors.ProxyConnectionError)):
            return [f"The AWS endpoint cannot be reached: {endpoint} ({action}, region {region}).",
                    "What to do: check the network and any HTTPS proxy (HTTPS_PROXY); if AWS_ENDPOINT_URL is set and "
                    "you meant a real account, `unset AWS_ENDPOINT_URL`; for the local endpoint, `make local-up` and "
                    "`. .local/env`.",
                    f"({type(err).__name__}: {err})"]
    if code in EXPIRED:
        return [f"The AWS credentials have expired ({code}).",
                "What to do: renew them: `aws sso login --profile <profile>` for SSO, a new `aws sts "
                "assume-role`/`get-session-token` for temporary keys (and export the new AWS_SESSION_TOKEN), or unset "
                "a stale AWS_SESSION_TOKEN; then run again.",
                f"({code}: {_message(err)})"]
    if code in DENIED:
        denied = re.search(r"not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9]+)", _message(err))
        what = denied.group(1) if denied else action
        return [f"Access denied: this identity may not call {what} ({where}).",
                f"What to do: grant {what} (docs/iam-policy.json lists every action the collection calls; "
                "docs/iam.md scopes it), or use a profile that has it; an organization's SCP or a permissions "
                "boundary can deny it too.",
                f"({code}: {_message(err)})"]
    if code in REGION_REFUSED:
        return [f"AWS does not accept these credentials in region {region} ({code}): either {region} is a region "
                "this account cannot use (an opt-in region that is not enabled), or the access key is wrong or deleted.",
                f"What to do: enable {region} for the account (AWS console: Account > AWS Regions) or set bandup_region "
                f"to a region the account uses; check the key with `aws sts get-caller-identity --region {region}`.",
                f"({code}: {_message(err)})"]
    if code == "SignatureDoesNotMatch":
        return ["AWS refused the request signature: the secret access key does not match the access key id.",
                "What to do: set the right AWS_SECRET_ACCESS_KEY (or fix the profile), then run again.",
                f"({code}: {_message(err)})"]
    return [f"The first AWS call ({action}, {where}) failed: {code or type(err).__name__}.",
            "What to do: read the error below; `aws sts get-caller-identity` with the same environment shows the same.",
            f"({_message(err)})"]


def check(sts, region, expect_local):
    """The preflight's result: ``account``, ``arn``, ``region``, ``endpoint``, ``warnings`` (lines) and ``problem``
    (lines, empty when the call succeeded)."""
    endpoint = sts.meta.endpoint_url
    out = {"account": None, "arn": None, "region": region, "endpoint": endpoint,
           "warnings": endpoint_lines(endpoint, expect_local), "problem": []}
    try:
        identity = sts.get_caller_identity()
    except (botocore_errors.BotoCoreError, botocore_errors.ClientError) as err:  # explained, not raised
        out["problem"] = explain(err, region, endpoint)
        return out
    out.update(account=identity["Account"], arn=identity["Arn"])
    return out
