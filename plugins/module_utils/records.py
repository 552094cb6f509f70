# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Last-applied records: what this collection applied last to a resource, kept in a tag of the resource.

Some settings are not reported back by the API (ECS Service Connect on some endpoints, ELB target group attributes
without a separate call per group). The code that applies them tags the resource with ``bandup:last-applied``, a
short hash of the normalized settings (and of a deployment token where one is used, like kubectl's annotation), and
compares that record with the desired settings on the next run. Neutral on purpose: ECS and ELB code both use it.
"""

from __future__ import annotations

import hashlib
import json

LAST_APPLIED_TAG = "bandup:last-applied"


def short_hash(value, size):
    """The first ``size`` hex digits of the SHA-256 of ``value`` as canonical JSON."""
    data = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()[:size]


def last_applied(spec, token=None):
    """The last-applied record: '<hash of the spec>.<hash of the deployment token, or ->'."""
    return f"{short_hash(spec, 12)}.{'-' if token is None else short_hash(token, 8)}"


def record_parts(record):
    """(spec hash, token hash) of a last-applied record; (None, None) when there is none."""
    spec_part, _sep, token_part = (record or "").partition(".")
    return (spec_part or None), (token_part or None)
