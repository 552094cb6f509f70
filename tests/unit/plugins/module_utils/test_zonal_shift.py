"""module_utils/_elbv2/zonal_shift.py against botocore Stubbers (arc-zonal-shift, ec2) with answers in AWS's shapes."""
import datetime

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import zonal_shift
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet

LB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/bandup/50dc6c495c0c9188"
NOW = datetime.datetime(2026, 12, 6, 8, tzinfo=datetime.timezone.utc)


def client(name):
    return boto3.client(name, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def shift(away="use1-az1", ident="11111111-2222-3333-4444-555555555555"):
    return {"zonalShiftId": ident, "resourceIdentifier": LB, "awayFrom": away, "expiryTime": NOW,
            "startTime": NOW, "status": "ACTIVE", "comment": "bandup.ecs failover"}


def listed(stub, shifts):
    stub.add_response("list_zonal_shifts", {"items": shifts}, {"resourceIdentifier": LB, "status": "ACTIVE"})


@pytest.mark.parametrize("value, ok", [("30m", True), ("2h", True), ("72h", True), ("73h", False), ("0h", False),
                                       ("2d", False), ("h", False), ("4320m", True), ("4321m", False)])
def test_expires_in_is_bounded_as_aws_bounds_it(value, ok):
    if ok:
        assert zonal_shift.check_expires_in(value) == value
    else:
        with pytest.raises(AnsibleAWSError, match="expires_in: .* from 1m to 72h"):
            zonal_shift.check_expires_in(value)


def test_the_az_id_comes_from_describe_availability_zones():
    ec2 = client("ec2")
    with Stubber(ec2) as stub:
        stub.add_response("describe_availability_zones", {"AvailabilityZones": [
            {"ZoneName": "us-east-1a", "ZoneId": "use1-az4", "State": "available", "RegionName": "us-east-1"}]},
            {"ZoneNames": ["us-east-1a"]})
        assert zonal_shift.az_id(ec2, "us-east-1a") == "use1-az4"


def test_start_once_then_keep_it():
    arc = client("arc-zonal-shift")
    with Stubber(arc) as stub:
        listed(stub, [])
        stub.add_response("start_zonal_shift", shift(), {"resourceIdentifier": LB, "awayFrom": "use1-az1",
                                                         "expiresIn": "2h", "comment": "bandup.ecs failover"})
        changes = ChangeSet()
        out = zonal_shift.ensure_present(arc, changes, LB, "use1-az1", "2h", "bandup.ecs failover")
        assert changes.changes == [{"resource": f"zonal shift of {LB}", "action": "start",
                                    "fields": ["awayFrom", "expiresIn"]}]
        assert out["shifts"][0]["away_from"] == "use1-az1"
        # a rerun finds it active: no write
        listed(stub, [shift()])
        again = ChangeSet()
        zonal_shift.ensure_present(arc, again, LB, "use1-az1", "2h", "bandup.ecs failover")
        assert again.changes == []


def test_check_mode_sends_nothing_and_another_az_is_refused():
    arc = client("arc-zonal-shift")
    with Stubber(arc) as stub:
        listed(stub, [])
        changes = ChangeSet(check_mode=True)
        assert zonal_shift.ensure_present(arc, changes, LB, "use1-az1", "2h", "c") == {"shifts": []}
        assert [c["action"] for c in changes.changes] == ["start"]
        listed(stub, [shift(away="use1-az2")])
        with pytest.raises(AnsibleAWSError, match="already has an active zonal shift away from use1-az2"):
            zonal_shift.ensure_present(arc, ChangeSet(), LB, "use1-az1", "2h", "c")


def test_absent_cancels_every_active_shift():
    arc = client("arc-zonal-shift")
    with Stubber(arc) as stub:
        listed(stub, [shift()])
        stub.add_response("cancel_zonal_shift", dict(shift(), status="CANCELED"),
                          {"zonalShiftId": shift()["zonalShiftId"]})
        changes = ChangeSet()
        zonal_shift.ensure_absent(arc, changes, LB)
        assert [(c["resource"], c["action"]) for c in changes.changes] == [
            (f"zonal shift {shift()['zonalShiftId']}", "cancel")]
        listed(stub, [])
        none = ChangeSet()
        zonal_shift.ensure_absent(arc, none, LB)
        assert none.changes == []
