"""The faithful endpoint answers ARC zonal shift (arc-zonal-shift, which moto does not have) for load balancers with
zonal shift enabled, and an active shift moves the ALB's traffic away from its AZ in the reachability probe.

One endpoint process for the module, reset before each test (conftest.py: ``aws``)."""
import datetime
import json
import os
import sys
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, ROOT)

from tests.support import faithful  # noqa: E402  pylint: disable=wrong-import-position
from tests.support.faithful_endpoint import check_shape  # noqa: E402  pylint: disable=wrong-import-position

ENABLED = [{"Key": "zonal_shift.config.enabled", "Value": "true"}]


def _zone_ids(aws):
    return {z["ZoneName"]: z["ZoneId"] for z in aws.ec2.describe_availability_zones()["AvailabilityZones"]}


@pytest.fixture
def alb(aws):
    """The account's ALB (subnets in us-east-1a and us-east-1b) with zonal shift enabled; its AZ IDs."""
    aws.elbv2.modify_load_balancer_attributes(LoadBalancerArn=aws.alb, Attributes=ENABLED)
    ids = _zone_ids(aws)
    return aws.alb, ids["us-east-1a"], ids["us-east-1b"]


def _raw(aws, operation):
    """The answer as sent, checked against botocore's output shape."""
    model, body = aws.raw[operation]
    answer = json.loads(body)
    check_shape(model.output_shape, answer, operation, raw=True)
    return answer


def _start(aws, arn, away, expires="2h", comment="failover of bandup-local"):
    return aws.arc.start_zonal_shift(resourceIdentifier=arn, awayFrom=away, expiresIn=expires, comment=comment)


def test_the_alb_attribute_and_the_az_ids_agree_with_ec2(aws, alb):
    arn, az_a, az_b = alb
    attributes = aws.elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    assert {"Key": "zonal_shift.config.enabled", "Value": "true"} in attributes
    assert (az_a, az_b) == ("use1-az6", "use1-az1")  # moto's fixed us-east-1 names -> IDs, as DescribeAZs says
    resource = aws.arc.get_managed_resource(resourceIdentifier=arn)
    assert resource["appliedWeights"] == {az_a: 1.0, az_b: 1.0} and resource["zonalShifts"] == []
    _raw(aws, "GetManagedResource")
    listed = aws.arc.list_managed_resources()["items"]
    assert [(r["arn"], sorted(r["availabilityZones"])) for r in listed] == [(arn, sorted([az_a, az_b]))]
    _raw(aws, "ListManagedResources")


def test_zonal_shift_round_trip(aws, alb):
    arn, az_a, az_b = alb
    started = _start(aws, arn, az_a)
    raw = _raw(aws, "StartZonalShift")
    assert aws.raw["StartZonalShift"][0].http["responseCode"] == 201
    assert isinstance(raw["startTime"], (int, float))  # rest-json: epoch seconds
    shift_id = started["zonalShiftId"]
    assert (started["resourceIdentifier"], started["awayFrom"], started["status"], started["comment"]) == (
        arn, az_a, "ACTIVE", "failover of bandup-local")
    assert started["expiryTime"] - started["startTime"] == datetime.timedelta(hours=2)
    listed = aws.arc.list_zonal_shifts(status="ACTIVE", resourceIdentifier=arn)["items"]
    assert [(s["zonalShiftId"], s["status"], s["shiftType"]) for s in listed] == [(shift_id, "ACTIVE", "ZONAL_SHIFT")]
    _raw(aws, "ListZonalShifts")
    resource = aws.arc.get_managed_resource(resourceIdentifier=arn)
    assert resource["appliedWeights"] == {az_a: 0.0, az_b: 1.0}
    assert [(s["zonalShiftId"], s["appliedStatus"]) for s in resource["zonalShifts"]] == [(shift_id, "APPLIED")]
    updated = aws.arc.update_zonal_shift(zonalShiftId=shift_id, expiresIn="30m", comment="still down")
    _raw(aws, "UpdateZonalShift")
    assert updated["comment"] == "still down" and updated["startTime"] == started["startTime"]
    assert updated["expiryTime"] < started["expiryTime"]
    canceled = aws.arc.cancel_zonal_shift(zonalShiftId=shift_id)
    _raw(aws, "CancelZonalShift")
    assert canceled["status"] == "CANCELED"
    assert aws.arc.list_zonal_shifts(status="ACTIVE")["items"] == []
    assert [s["status"] for s in aws.arc.list_zonal_shifts()["items"]] == ["CANCELED"]
    assert aws.arc.get_managed_resource(resourceIdentifier=arn)["appliedWeights"] == {az_a: 1.0, az_b: 1.0}
    error = aws.error(aws.arc.cancel_zonal_shift, zonalShiftId=shift_id)
    assert (error["Code"], aws.last_error["reason"]) == ("ConflictException", "ZonalShiftStatusNotActive")
    # a new shift after the cancel is fine
    assert _start(aws, arn, az_b, expires="1h")["status"] == "ACTIVE"


def test_a_zonal_shift_expires_by_the_clock(aws, alb):
    arn, az_a, _ = alb
    shift_id = _start(aws, arn, az_a, expires="90m")["zonalShiftId"]
    faithful.advance_zonal_shift_clock(aws.url, 89 * 60)
    assert aws.arc.list_zonal_shifts()["items"][0]["status"] == "ACTIVE"
    shifts = faithful.advance_zonal_shift_clock(aws.url, 61)["zonalShifts"]
    assert [(s["zonalShiftId"], s["status"]) for s in shifts] == [(shift_id, "EXPIRED")]
    assert aws.arc.list_zonal_shifts(status="EXPIRED")["items"][0]["zonalShiftId"] == shift_id
    error = aws.error(aws.arc.update_zonal_shift, zonalShiftId=shift_id, expiresIn="1h")
    assert (error["Code"], aws.last_error["reason"]) == ("ConflictException", "ZonalShiftStatusNotActive")
    assert _start(aws, arn, az_a)["status"] == "ACTIVE"


@pytest.mark.parametrize("change, code, reason", [
    ({"awayFrom": "us-east-1a"}, "ValidationException", "InvalidAz"),  # a name, not an ID
    ({"awayFrom": "use1-az2"}, "ValidationException", "UnsupportedAz"),  # us-east-1c: not one of the ALB's
    ({"expiresIn": "0h"}, "ValidationException", "InvalidExpiresIn"),
    ({"expiresIn": "73h"}, "ValidationException", "InvalidExpiresIn"),
    ({"expiresIn": "4321m"}, "ValidationException", "InvalidExpiresIn"),
    ({"expiresIn": "2d"}, "ValidationException", "InvalidExpiresIn"),
    ({"comment": "x" * 129}, "ValidationException", None),
    ({"resourceIdentifier": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/none/1"},
     "ResourceNotFoundException", None),
])
def test_invalid_start_zonal_shift_is_refused(aws, alb, change, code, reason):
    arn, az_a, _ = alb
    request = dict(dict(resourceIdentifier=arn, awayFrom=az_a, expiresIn="2h", comment="c"), **change)
    error = aws.error(aws.arc.start_zonal_shift, **request)
    assert error["Code"] == code and error["Message"]
    assert aws.last_error.get("reason") == reason
    assert aws.arc.list_zonal_shifts()["items"] == []
    assert _start(aws, arn, az_a, expires="72h")["status"] == "ACTIVE"  # the limit itself is fine


def test_a_load_balancer_without_zonal_shift_enabled_is_not_a_managed_resource(aws, alb):
    arn, az_a, _ = alb
    aws.elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
        {"Key": "zonal_shift.config.enabled", "Value": "false"}])
    assert aws.error(_start, aws=aws, arn=arn, away=az_a)["Code"] == "ResourceNotFoundException"
    assert aws.error(aws.arc.get_managed_resource, resourceIdentifier=arn)["Code"] == "ResourceNotFoundException"
    assert aws.arc.list_managed_resources()["items"] == []


def test_one_active_zonal_shift_per_resource(aws, alb):
    arn, az_a, az_b = alb
    first = _start(aws, arn, az_a)["zonalShiftId"]
    error = aws.error(_start, aws=aws, arn=arn, away=az_b)
    assert (error["Code"], aws.last_error["reason"], aws.last_error["zonalShiftId"]) == (
        "ConflictException", "ZonalShiftAlreadyExists", first)
    assert aws.error(aws.arc.cancel_zonal_shift, zonalShiftId="nosuchshift")["Code"] == "ResourceNotFoundException"


def test_an_active_zonal_shift_moves_the_alb_traffic_away_from_its_az(aws, alb):
    arn, az_a, _ = alb
    aws.create(subnets=(aws.subnet_a, aws.subnet_b))
    aws.poll_until_completed()
    by_az = {t["availabilityZone"]: t["taskArn"] for t in aws.tasks()}

    def serving():
        return sorted(t["task"] for t in faithful.reachability(aws.url)["tasks"])

    assert serving() == sorted(by_az.values())
    shift_id = _start(aws, arn, az_a)["zonalShiftId"]
    assert serving() == [by_az["us-east-1b"]]
    faithful.tick(aws.url, "c1", "web")
    assert faithful.reachability_history(aws.url)["history"][-1]["serving"] == {"web": 1}
    # a load balancer that fails open (every target unhealthy) ignores the zonal shift
    faithful.impair_az(aws.url, "us-east-1a")
    faithful.impair_az(aws.url, "us-east-1b")
    assert serving() == sorted(by_az.values())
    faithful.restore_az(aws.url, "us-east-1a")
    faithful.restore_az(aws.url, "us-east-1b")
    aws.arc.cancel_zonal_shift(zonalShiftId=shift_id)
    assert serving() == sorted(by_az.values())
    shift_id = _start(aws, arn, az_a, expires="1m")["zonalShiftId"]
    assert serving() == [by_az["us-east-1b"]]
    faithful.advance_zonal_shift_clock(aws.url, 60)
    assert serving() == sorted(by_az.values())  # expired


def test_zonal_shift_calls_are_in_motos_request_record(aws, alb):
    arn, az_a, _ = alb

    def recorder(action):
        request = urllib.request.Request(f"{aws.url}/moto-api/recorder/{action}", method="POST", data=b"")
        urllib.request.urlopen(request, timeout=10).read()

    recorder("reset-recording")
    recorder("start-recording")
    _start(aws, arn, az_a)
    aws.arc.list_zonal_shifts()
    recorder("stop-recording")
    with urllib.request.urlopen(aws.url + "/moto-api/recorder/download-recording", timeout=10) as response:
        record = [json.loads(line) for line in response.read().decode().splitlines() if line.strip()]
    assert [(r["method"], r["url"].split("?")[0].rsplit("/", 1)[-1]) for r in record] == [
        ("POST", "zonalshifts"), ("GET", "zonalshifts")]
    assert all("/arc-zonal-shift/aws4_request" in r["headers"]["Authorization"] for r in record)
