# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ARC zonal shift (``arc-zonal-shift``) of a load balancer: the active shifts, start one away from an AZ, cancel
them; every write through the run's ChangeSet (module_utils/changes.py).

A zonal shift moves a load balancer's traffic away from one AZ (its node there leaves DNS) without touching its
listeners; the load balancer needs the attribute ``zonal_shift.config.enabled=true`` (the alb role sets it).
``awayFrom`` is an AZ **ID** (``use1-az1``), not a name: ``az_id`` reads it from DescribeAvailabilityZones.
``expiresIn`` is ``<n>m`` or ``<n>h``, from 1 minute to 72 hours.
"""

from __future__ import annotations

import re

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

retry = AWSRetry.jittered_backoff()
EXPIRES_IN = re.compile(r"^([1-9][0-9]*)(m|h)$")
MAX_MINUTES = 72 * 60


def expires_in_minutes(value):
    """The minutes of an ``expiresIn`` AWS accepts (``<n>m`` or ``<n>h``, 1 minute to 72 hours), else None."""
    match = EXPIRES_IN.match(str(value))
    minutes = int(match.group(1)) * (60 if match.group(2) == "h" else 1) if match else 0
    return minutes if match and minutes <= MAX_MINUTES else None


def check_expires_in(value, option="expires_in"):
    """Refuse an ``expiresIn`` AWS would refuse (before any call); returns the value."""
    if expires_in_minutes(value) is None:
        raise AnsibleAWSError(message=f"{option}: '{value}' must be minutes or hours such as 30m or 2h, "
                                      "from 1m to 72h")
    return str(value)


@AWSErrorHandler.common_error_handler("describe availability zone {name}")
@retry
def az_id(ec2, name):
    """The ID (``use1-az1``) of the AZ called ``name``."""
    zones = ec2.describe_availability_zones(ZoneNames=[name])["AvailabilityZones"]
    return zones[0]["ZoneId"]


@AWSErrorHandler.common_error_handler("list the zonal shifts of {resource}")
@retry
def active_shifts(client, resource):
    """The ACTIVE zonal shifts of ``resource`` (ListZonalShifts summaries)."""
    return client.get_paginator("list_zonal_shifts").paginate(
        resourceIdentifier=resource, status="ACTIVE").build_full_result()["items"]


@AWSErrorHandler.common_error_handler("start a zonal shift of {resource}")
def _start(client, resource, away_from, expires_in, comment):
    return client.start_zonal_shift(resourceIdentifier=resource, awayFrom=away_from, expiresIn=expires_in,
                                    comment=comment)


@AWSErrorHandler.common_error_handler("cancel zonal shift {shift_id}")
@retry
def _cancel(client, shift_id):
    return client.cancel_zonal_shift(zonalShiftId=shift_id)


def summary(shift):
    """A shift as the module returns it (snake_case, times as ISO strings)."""
    return {"zonal_shift_id": shift["zonalShiftId"], "away_from": shift["awayFrom"],
            "resource_identifier": shift["resourceIdentifier"], "status": shift.get("status", "ACTIVE"),
            "comment": shift.get("comment", ""), "expiry_time": str(shift.get("expiryTime", "")),
            "start_time": str(shift.get("startTime", ""))}


def ensure_present(client, changes, resource, away_from, expires_in, comment):
    """Start a zonal shift of ``resource`` away from the AZ ID ``away_from`` unless one is active already; a shift
    away from another AZ is refused (one AZ per shift: cancel it first). Returns the module's values."""
    check_expires_in(expires_in)
    live = active_shifts(client, resource)
    other = [s for s in live if s["awayFrom"] != away_from]
    if other:
        raise AnsibleAWSError(message=f"away_from: {resource} already has an active zonal shift away from "
                                      f"{other[0]['awayFrom']} ({other[0]['zonalShiftId']}); cancel it first "
                                      "(state=absent)")
    if live:
        return {"shifts": [summary(s) for s in live]}
    what = f"zonal shift of {resource}"
    changes.diff(what, {}, {"awayFrom": away_from, "expiresIn": expires_in, "comment": comment})
    started = changes.write(what, "start", lambda: _start(client, resource, away_from, expires_in, comment),
                            ["awayFrom", "expiresIn"])
    return {"shifts": [summary(started)] if started else []}


def ensure_absent(client, changes, resource):
    """Cancel every active zonal shift of ``resource``. Returns the module's values."""
    live = active_shifts(client, resource)
    for shift in live:
        what = f"zonal shift {shift['zonalShiftId']}"
        changes.diff(what, summary(shift), {})
        changes.write(what, "cancel", lambda shift=shift: _cancel(client, shift["zonalShiftId"]))
    return {"shifts": []}
