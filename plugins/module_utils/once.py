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

import os
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


def refused(err):
    """Whether ``err`` says the write was refused before it was carried out (throttling, 503 ServiceUnavailable):
    one look suffices. Otherwise (connection lost, 500) the write may have happened and a describe may not show it
    yet (EC2 and ECS reads are eventually consistent): ``write_once`` looks for it over ``LOOKUP_WINDOW``."""
    if not isinstance(err, botocore.exceptions.ClientError):
        return False
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    return status == 503 or AWSRetry.found(AWSRetry.status_code_from_exception(err), THROTTLING)


# How long write_once looks for what a write whose answer was lost made before sending it again: the describes of
# a resource created moments ago may not show it for seconds (EC2 API guide, "Eventual consistency"). The looks
# are ``delay`` x (0.5..1) apart, doubling up to LOOKUP_MAX_DELAY, until LOOKUP_WINDOW seconds have been slept.
# The environment variable BANDUP_LOOKUP_WINDOW (seconds) sets another bound: a shorter one where describes do not lag
# and dropped connections are frequent (each dropped write is looked for over the whole window before it is resent).
LOOKUP_WINDOW = float(os.environ.get("BANDUP_LOOKUP_WINDOW") or 45.0)
LOOKUP_MAX_DELAY = 12.0


def _look(find, delay, window, first):
    """``find()`` after ``first`` seconds, again with backoff while it answers None and fewer than ``window``
    seconds were waited (one look when ``window`` is 0); what it found, or None."""
    waited, pause = 0.0, first
    while True:
        time.sleep(pause)
        waited += pause
        found = find()
        if found is not None or waited >= window:
            return found
        delay = min(delay * 2, LOOKUP_MAX_DELAY)
        pause = min(random.uniform(0.5, 1.0) * delay, window - waited)


def write_once(call, find, attempts=5, delay=2.0, window=None):
    """``call()`` (on a ``client()`` without botocore's retries); its result.

    After an attempt whose outcome is unknown (``unanswered``), wait, then ``find()`` what that attempt would have
    made (the resource, or True for an attachment, a route, rules; None when absent): if found it is the result,
    otherwise the write is sent again. A lost response thus neither makes a second resource nor fails the run.
    The first wait is jittered, doubling from ``delay`` seconds with each attempt. When the write may have been
    carried out (not ``refused``), ``find`` is asked again with backoff for up to ``window`` seconds
    (``LOOKUP_WINDOW``) before the write is sent again: a new resource can be missing from describes for a while.
    ``find`` runs only on that path: a run without faults makes no extra read."""
    window = LOOKUP_WINDOW if window is None else window
    for attempt in range(attempts):
        try:
            return call()
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as err:
            if attempt + 1 == attempts or not unanswered(err):
                raise
            look_window = 0.0 if refused(err) else window
        found = _look(find, delay, look_window, random.uniform(0.5, 1.0) * delay * 2 ** attempt)
        if found is not None:
            return found
    return None  # not reached: the last attempt returns or raises
