"""The faithful endpoint: ARC zonal shift (``arc-zonal-shift``, rest-json), which moto does not have (see __init__.py).

Served: StartZonalShift, UpdateZonalShift, CancelZonalShift, ListZonalShifts, GetManagedResource,
ListManagedResources (botocore's model has no GetZonalShift). The managed resources are the load balancers whose
attribute ``zonal_shift.config.enabled`` is "true" (ELB guide, "Enable zonal shift for your Application Load
Balancer"). A zonal shift is ACTIVE until it expires (wall clock) or is canceled; an active one moves the load
balancer's traffic away from its AZ in the reachability probe (reachability.py), except from a target group that
fails open (ARC guide, "Supported resources": a load balancer failing open ignores a zonal shift).
"""
import datetime
import json
import os
import re
import urllib.parse
import uuid

from .core import LOCK, RESET_HOOKS, _backend, _service_model, check_shape, now, route, serves
from . import reachability

SERVICE = "arc-zonal-shift"
EXPIRES_IN = re.compile(r"([1-9][0-9]*)(m|h)")
AZ_ID = re.compile(r"[a-z]{2,4}[0-9]+-az[0-9]+")
MAX_MINUTES = 72 * 60  # "You can set a zonal shift to be active initially for up to three days (72 hours)."
SCOPE = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/[^/]+/aws4_request")


class ArcError(Exception):
    def __init__(self, code, status, message, **members):
        super().__init__(message)
        self.code, self.status, self.body = code, status, dict(message=message, **members)


class Shift:
    def __init__(self, account, region, resource, away_from, minutes, comment):
        self.id = str(uuid.uuid4())
        self.account, self.region = account, region
        self.resource, self.away_from, self.comment = resource, away_from, comment
        self.start = _now()
        self.expiry = self.start + datetime.timedelta(minutes=minutes)
        self.canceled = False

    @property
    def status(self):
        if self.canceled:
            return "CANCELED"
        return "ACTIVE" if _now() < self.expiry else "EXPIRED"

    def summary(self):
        return {"zonalShiftId": self.id, "resourceIdentifier": self.resource, "awayFrom": self.away_from,
                "expiryTime": self.expiry, "startTime": self.start, "status": self.status, "comment": self.comment}

    def in_resource(self):
        out = self.summary()
        del out["status"]
        return dict(out, appliedStatus="APPLIED", shiftType="ZONAL_SHIFT")


SHIFTS = {}  # zonal shift id -> Shift
CLOCK = {"offset": datetime.timedelta(0)}  # POST /faithful-api/zonal-shifts/advance moves the shifts' clock on


def _now():
    return now() + CLOCK["offset"]


def _reset():
    SHIFTS.clear()
    CLOCK["offset"] = datetime.timedelta(0)


RESET_HOOKS.append(_reset)


# ----------------------------------------------------------------------------------------------- resources

def _zone_ids(account, region):
    """{AZ name: AZ ID} as ec2 DescribeAvailabilityZones reports them."""
    ec2 = _backend("ec2", account, region)
    return {zone.name: zone.zone_id for zone in ec2.describe_availability_zones()}


def _balancer(account, region, arn):
    return _backend("elbv2", account, region).load_balancers.get(arn)


def _managed(balancer):
    return balancer is not None and str(balancer.attrs.get("zonal_shift.config.enabled", "false")).lower() == "true"


def _resource_zones(account, region, balancer):
    ids = _zone_ids(account, region)
    return sorted({ids.get(subnet.availability_zone, subnet.availability_zone) for subnet in balancer.subnets})


def _managed_resource(account, region, arn):
    balancer = _balancer(account, region, arn)
    if not _managed(balancer):
        raise ArcError("ResourceNotFoundException", 404,
                       f"The resource {arn} is not a managed resource for zonal shift in {region} (a load balancer "
                       "needs the attribute zonal_shift.config.enabled=true).")
    return balancer


def _active(account, region, resource=None):
    return [s for s in SHIFTS.values() if (s.account, s.region) == (account, region) and s.status == "ACTIVE"
            and resource in (None, s.resource)]


def away_from(account, region):
    """{load balancer ARN: {AZ name}}: where active zonal shifts move the load balancers' traffic away from."""
    active = _active(account, region)
    if not active:
        return {}
    names = {zone_id: name for name, zone_id in _zone_ids(account, region).items()}
    out = {}
    for shift in active:
        out.setdefault(shift.resource, set()).add(names.get(shift.away_from, shift.away_from))
    return out


reachability.AWAY_FROM.append(away_from)


def _weights(account, region, balancer):
    away = {s.away_from for s in _active(account, region, balancer.arn)}
    return {zone: 0.0 if zone in away else 1.0 for zone in _resource_zones(account, region, balancer)}


def _shifts_in(account, region, arn):
    return [s.in_resource() for s in SHIFTS.values()
            if (s.account, s.region, s.resource) == (account, region, arn) and s.status == "ACTIVE"]


# ----------------------------------------------------------------------------------------------- operations

def _minutes(expires_in):
    match = EXPIRES_IN.fullmatch(expires_in or "")
    minutes = (int(match.group(1)) * (60 if match.group(2) == "h" else 1)) if match else 0
    if not match or minutes > MAX_MINUTES:
        raise ArcError("ValidationException", 400, f"The expiresIn value {expires_in!r} is not valid: give a whole "
                       "number of minutes (m) or hours (h) up to 72 hours, for example 30m or 2h.",
                       reason="InvalidExpiresIn")
    return minutes


def _comment(comment):
    if comment is not None and len(comment) > 128:
        raise ArcError("ValidationException", 400, "1 validation error detected: Value at 'comment' failed to "
                       "satisfy constraint: Member must have length less than or equal to 128")
    return comment


def _active_shift(shift_id, account, region):
    shift = SHIFTS.get(shift_id)
    if shift is None or (shift.account, shift.region) != (account, region):
        raise ArcError("ResourceNotFoundException", 404, f"The zonal shift {shift_id} was not found.")
    if shift.status != "ACTIVE":
        raise ArcError("ConflictException", 409, f"The zonal shift {shift_id} is {shift.status}, not ACTIVE.",
                       reason="ZonalShiftStatusNotActive", zonalShiftId=shift_id)
    return shift


def start_zonal_shift(account, region, body, _query):
    for member in ("resourceIdentifier", "awayFrom", "expiresIn", "comment"):
        if body.get(member) is None:
            raise ArcError("ValidationException", 400, f"{member} is required.", reason="MissingValue")
    minutes = _minutes(body["expiresIn"])
    comment = _comment(body["comment"])
    if not AZ_ID.fullmatch(body["awayFrom"]):
        raise ArcError("ValidationException", 400, f"{body['awayFrom']} is not a valid Availability Zone ID (for "
                       "example use1-az1).", reason="InvalidAz")
    balancer = _managed_resource(account, region, body["resourceIdentifier"])
    if body["awayFrom"] not in _resource_zones(account, region, balancer):
        raise ArcError("ValidationException", 400, f"The resource {balancer.arn} is not in the Availability Zone "
                       f"{body['awayFrom']}.", reason="UnsupportedAz")
    for other in _active(account, region, balancer.arn):
        raise ArcError("ConflictException", 409, f"A zonal shift is already active for {balancer.arn}: "
                       f"{other.id}.", reason="ZonalShiftAlreadyExists", zonalShiftId=other.id)
    shift = Shift(account, region, balancer.arn, body["awayFrom"], minutes, comment)
    SHIFTS[shift.id] = shift
    return 201, shift.summary()


def update_zonal_shift(account, region, body, _query, shift_id):
    shift = _active_shift(shift_id, account, region)
    minutes = _minutes(body["expiresIn"]) if body.get("expiresIn") is not None else None
    comment = _comment(body.get("comment"))
    if minutes is not None:
        shift.expiry = _now() + datetime.timedelta(minutes=minutes)
    if comment is not None:
        shift.comment = comment
    return 200, shift.summary()


def cancel_zonal_shift(account, region, _body, _query, shift_id):
    shift = _active_shift(shift_id, account, region)
    shift.canceled = True
    return 200, shift.summary()


def list_zonal_shifts(account, region, _body, query):
    status = query.get("status")
    if status is not None and status not in ("ACTIVE", "EXPIRED", "CANCELED"):
        raise ArcError("ValidationException", 400, f"{status} is not a valid status.", reason="InvalidStatus")
    items = [s.summary() for s in SHIFTS.values() if (s.account, s.region) == (account, region)
             and status in (None, s.status) and query.get("resourceIdentifier") in (None, s.resource)]
    for item in items:
        item["shiftType"] = "ZONAL_SHIFT"
    return 200, _page(items, query)


def get_managed_resource(account, region, _body, _query, resource):
    balancer = _managed_resource(account, region, resource)
    return 200, {"arn": balancer.arn, "name": balancer.name, "appliedWeights": _weights(account, region, balancer),
                 "zonalShifts": _shifts_in(account, region, balancer.arn), "autoshifts": [],
                 "zonalAutoshiftStatus": "DISABLED"}


def list_managed_resources(account, region, _body, query):
    items = [{"arn": b.arn, "name": b.name, "availabilityZones": _resource_zones(account, region, b),
              "appliedWeights": _weights(account, region, b), "zonalShifts": _shifts_in(account, region, b.arn),
              "autoshifts": [], "zonalAutoshiftStatus": "DISABLED", "practiceRunStatus": "DISABLED"}
             for b in _backend("elbv2", account, region).load_balancers.values() if _managed(b)]
    return 200, _page(items, query)


def _page(items, query):
    """items from ``nextToken`` (an index), at most ``maxResults``."""
    start = int(query.get("nextToken") or 0)
    size = int(query.get("maxResults") or 100)
    out = {"items": items[start:start + size]}
    if start + size < len(items):
        out["nextToken"] = str(start + size)
    return out


OPERATIONS = [  # (method, path pattern, operation, handler)
    ("POST", re.compile(r"/zonalshifts/?"), "StartZonalShift", start_zonal_shift),
    ("GET", re.compile(r"/zonalshifts/?"), "ListZonalShifts", list_zonal_shifts),
    ("PATCH", re.compile(r"/zonalshifts/([^/]+)"), "UpdateZonalShift", update_zonal_shift),
    ("DELETE", re.compile(r"/zonalshifts/([^/]+)"), "CancelZonalShift", cancel_zonal_shift),
    ("GET", re.compile(r"/managedresources/?"), "ListManagedResources", list_managed_resources),
    ("GET", re.compile(r"/managedresources/(.+)"), "GetManagedResource", get_managed_resource),
]


# ----------------------------------------------------------------------------------------------- the WSGI app

def _json(value):
    if isinstance(value, datetime.datetime):
        return value.timestamp()  # rest-json timestamps are epoch seconds
    raise TypeError(type(value).__name__)


def _account(request, access_key):
    from moto.iam.models import get_account_id_from
    return os.environ.get("MOTO_ACCOUNT_ID") or request.headers.get("x-moto-account-id") or \
        get_account_id_from(access_key)


@serves(SERVICE)
def app(environ, start_response):
    from moto.core.request import Request
    from moto.moto_api import recorder
    request = Request(environ)
    raw = request.get_data()
    recorder._record_request(request, raw)  # pylint: disable=protected-access  (moto's request recorder)
    scope = SCOPE.search(request.headers.get("Authorization", ""))
    access_key, region = scope.groups() if scope else ("testing", "us-east-1")
    path = urllib.parse.urlsplit(request.raw_url).path
    query = {k: v[-1] for k, v in urllib.parse.parse_qs(request.query_string.decode()).items()}
    status, headers = 200, [("Content-Type", "application/json")]
    try:
        body = json.loads(raw or b"{}")
        for method, pattern, operation, handler in OPERATIONS:
            match = pattern.fullmatch(path)
            if method == request.method and match:
                args = [urllib.parse.unquote(group) for group in match.groups()]
                with LOCK:
                    status, answer = handler(_account(request, access_key), region, body, query, *args)
                check_shape(_service_model(SERVICE).operation_model(operation).output_shape, answer, operation)
                break
        else:
            raise ArcError("UnknownOperationException", 404, f"{request.method} {path} is not served by the local "
                           "endpoint (arc-zonal-shift: zonal shifts and managed resources only).")
    except ArcError as error:
        status, answer = error.status, error.body
        headers.append(("x-amzn-ErrorType", error.code))
    except json.JSONDecodeError as error:
        status, answer = 400, {"message": f"The request body is not JSON: {error}"}
        headers.append(("x-amzn-ErrorType", "SerializationException"))
    data = json.dumps(answer, default=_json).encode()
    headers.append(("Content-Length", str(len(data))))
    start_response(f"{status} {'OK' if status < 300 else 'Error'}", headers)
    return [data]


@route("GET", "zonal-shifts")
def get_zonal_shifts(_body):
    return 200, {"zonalShifts": [dict(s.summary(), account=s.account, region=s.region) for s in SHIFTS.values()]}


@route("POST", "zonal-shifts/advance")
def advance_clock(body):
    """{"seconds": N}: the zonal shifts' clock moves N seconds on (so a test sees a shift expire)."""
    CLOCK["offset"] += datetime.timedelta(seconds=float(body.get("seconds") or 0))
    return get_zonal_shifts(body)
