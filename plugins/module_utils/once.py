# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writes that must not be sent twice blindly.

When the response to a write is lost (the connection closes or times out after AWS carried it out), botocore sends
the same request again. For a create without a client token (CreateVpc, CreateInternetGateway, CreateRouteTable,
AllocateAddress...) that makes a second resource; for others (CreateSubnet, AttachInternetGateway, CreateRule...)
the resend fails with "already exists / associated" although the write succeeded.

``write_once`` sends such a write on a client without botocore's retries (``AWSModule.write_client(service)``) and, after
an attempt whose outcome is unknown, looks for what the write would have made before sending it again. (A
``retries`` setting in the module's ``aws_config`` still overrides NO_RETRY_CONFIG: a user's explicit choice.)
"""

from __future__ import annotations

import random
import time

try:
    import botocore.exceptions
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# The client config of these writes: botocore must not send them again by itself.
NO_RETRY_CONFIG = {"retries": {"total_max_attempts": 1}}
# Throttling codes botocore retries that AWSRetry.found() does not list.
THROTTLING = ["ThrottlingException", "RequestThrottledException", "EC2ThrottledException"]


def unanswered(err):
    """Whether ``err`` leaves a write's outcome unknown and worth another try: a connection closed or timed out
    (the request may have been carried out), throttling or a server error."""
    if isinstance(err, (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)):
        return True
    if isinstance(err, botocore.exceptions.ClientError):
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500 or AWSRetry.found(AWSRetry.status_code_from_exception(err), THROTTLING)
    return False


def write_once(call, find, attempts=5, delay=2.0):
    """``call()`` (on a ``client()`` without botocore's retries); its result.

    After an attempt whose outcome is unknown (``unanswered``), wait, then ``find()`` what that attempt would have
    made (the resource, or True for an attachment, a route, rules; None when absent): if found it is the result,
    otherwise the write is sent again. A lost response thus neither makes a second resource nor fails the run.
    The wait (jittered, doubling from ``delay`` seconds) also gives eventually consistent reads time to show the
    new resource. ``find`` runs only on that path: a run without faults makes no extra read."""
    for attempt in range(attempts):
        try:
            return call()
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as err:
            if attempt + 1 == attempts or not unanswered(err):
                raise
        time.sleep(random.uniform(0.5, 1.0) * delay * 2 ** attempt)
        found = find()
        if found is not None:
            return found
    return None  # not reached: the last attempt returns or raises
