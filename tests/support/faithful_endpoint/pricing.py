"""The faithful endpoint: the Price List Query API (``pricing``, JSON 1.1), which moto does not have (see __init__.py).

Served: GetProducts (the operation the collection calls; the others answer ``UnknownOperationException``). Its
``PriceList`` is a list of JSON strings, one product document each, in the shape AWS's answers have (botocore's
GetProducts example; AWS Billing guide, "Offer file definitions"): ``product`` {``productFamily``, ``attributes``
(``servicecode``, ``usagetype`` with its Region prefix, ``regionCode``, ``location``, ``cputype``/``memorytype``,
...), ``sku``}, ``serviceCode``, ``terms.OnDemand`` {``SKU.JRTCKXETXF``: ``priceDimensions`` {``SKU.JRTCKXETXF.
6YS6EN2CT7``: ``pricePerUnit`` {"USD": "0.0404800000"}, ``beginRange``, ``unit``...}, ``effectiveDate``}, ``version``,
``publicationDate``. The products are the ones the status report reads, for the Regions of the shipped price table
(us-east-1, eu-west-1, ap-southeast-1), at those list prices; another Region has none (an empty ``PriceList``).
Fargate Spot has no product here: whether AWS's list has one is not documented, and the collection takes the
shipped table's Spot figure as an estimate when it has none (it reads one if it is there).

Filters: ``TERM_MATCH`` and ``EQUALS`` (the value of an attribute, ``productFamily`` or ``ServiceCode``),
``CONTAINS``, ``ANY_OF``/``NONE_OF`` (comma-separated values); ``MaxResults`` 1-100 with ``NextToken``.

Control API: ``POST /faithful-api/pricing {"deny": true}`` makes GetProducts answer ``AccessDeniedException`` (as
for a principal whose policy lacks ``pricing:GetProducts``); ``{"deny": false}`` or a reset ends it.
"""
import hashlib
import json
import os

from .core import LOCK, RESET_HOOKS, _service_model, check_shape, route, serves

SERVICE = "pricing"
TARGET = "AWSPriceListService."
EFFECTIVE = "2026-11-01T00:00:00Z"
PUBLISHED = "2026-11-20T18:04:11Z"
VERSION = "20261120180411"
STATE = {"deny": False}

# Region -> (location, usage type prefix of ECS/VPC/CloudWatch, of EC2/ELB (none in us-east-1))
REGIONS = {
    "us-east-1": ("US East (N. Virginia)", "USE1-", ""),
    "eu-west-1": ("EU (Ireland)", "EU-", "EU-"),
    "ap-southeast-1": ("Asia Pacific (Singapore)", "APS1-", "APS1-"),
}
# (service code, product family, usage type, unit, extra attributes, {Region: USD price})
PRODUCTS = [
    ("AmazonECS", "Compute", "Fargate-vCPU-Hours:perCPU", "hours", {"cputype": "perCPU"},
     {"us-east-1": "0.0404800000", "eu-west-1": "0.0404800000", "ap-southeast-1": "0.0505600000"}),
    ("AmazonECS", "Compute", "Fargate-GB-Hours", "hours", {"memorytype": "perGB"},
     {"us-east-1": "0.0044450000", "eu-west-1": "0.0044450000", "ap-southeast-1": "0.0055300000"}),
    ("AmazonECS", "Compute", "Fargate-ARM-vCPU-Hours:perCPU", "hours", {"cputype": "perCPU"},
     {"us-east-1": "0.0323800000", "eu-west-1": "0.0323800000", "ap-southeast-1": "0.0404500000"}),
    ("AmazonECS", "Compute", "Fargate-ARM-GB-Hours", "hours", {"memorytype": "perGB"},
     {"us-east-1": "0.0035600000", "eu-west-1": "0.0035600000", "ap-southeast-1": "0.0044200000"}),
    ("AmazonECS", "Compute", "Fargate-EphemeralStorage-GB-Hours", "hours", {"storagetype": "default"},
     {"us-east-1": "0.0001110000", "eu-west-1": "0.0001220000", "ap-southeast-1": "0.0001330000"}),
    ("AWSELB", "Load Balancer-Application", "LoadBalancerUsage", "Hrs",
     {"operation": "LoadBalancing:Application", "groupDescription": "LoadBalancer hourly usage by Application "
                                                                   "Load Balancer"},
     {"us-east-1": "0.0225000000", "eu-west-1": "0.0252000000", "ap-southeast-1": "0.0252000000"}),
    ("AWSELB", "Load Balancer-Application", "LCUUsage", "LCU-Hrs",
     {"operation": "LoadBalancing:Application", "groupDescription": "Used Application load balancer capacity "
                                                                   "units-hr"},
     {"us-east-1": "0.0080000000", "eu-west-1": "0.0080000000", "ap-southeast-1": "0.0080000000"}),
    ("AWSELB", "Load Balancer-Application", "TS-LoadBalancerUsage", "Hrs",
     {"operation": "LoadBalancing:Application", "groupDescription": "Trust store hourly usage"},
     {"us-east-1": "0.0050000000", "eu-west-1": "0.0056000000", "ap-southeast-1": "0.0056000000"}),
    ("AmazonEC2", "NAT Gateway", "NatGateway-Hours", "Hrs", {"operation": "NatGateway", "group": "NGW:NatGateway"},
     {"us-east-1": "0.0450000000", "eu-west-1": "0.0480000000", "ap-southeast-1": "0.0590000000"}),
    ("AmazonEC2", "NAT Gateway", "NatGateway-Bytes", "GB", {"operation": "NatGateway", "group": "NGW:NatGateway"},
     {"us-east-1": "0.0450000000", "eu-west-1": "0.0480000000", "ap-southeast-1": "0.0590000000"}),
    ("AmazonVPC", None, "PublicIPv4:InUseAddress", "Hrs", {"operation": "",
                                                             "group": "VPCPublicIPv4Address"},
     {"us-east-1": "0.0050000000", "eu-west-1": "0.0050000000", "ap-southeast-1": "0.0050000000"}),
    ("AmazonVPC", None, "PublicIPv4:IdleAddress", "Hrs", {"operation": "", "group": "VPCPublicIPv4Address"},
     {"us-east-1": "0.0050000000", "eu-west-1": "0.0050000000", "ap-southeast-1": "0.0050000000"}),
    ("AmazonCloudWatch", "Data Payload", "DataProcessing-Bytes", "GB", {"group": "Ingested Logs",
                                                                        "operation": "PutLogEvents"},
     {"us-east-1": "0.5000000000", "eu-west-1": "0.5700000000", "ap-southeast-1": "0.7000000000"}),
]
NAMES = {"AmazonECS": "Amazon Elastic Container Service", "AWSELB": "Elastic Load Balancing",
         "AmazonEC2": "Amazon Elastic Compute Cloud", "AmazonVPC": "Amazon Virtual Private Cloud",
         "AmazonCloudWatch": "AmazonCloudWatch"}


class PricingError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def _reset():
    STATE["deny"] = False


RESET_HOOKS.append(_reset)


def _sku(service_code, region, usage):
    """A stable 16-character SKU of the product (AWS's are opaque)."""
    return hashlib.sha1(f"{service_code}/{region}/{usage}".encode()).hexdigest()[:16].upper()


def document(service_code, family, usage, unit, attributes, region, price):
    """One product document as GetProducts answers it (decoded)."""
    location, prefix, other_prefix = REGIONS[region]
    usagetype = (prefix if service_code in ("AmazonECS", "AmazonVPC", "AmazonCloudWatch") else other_prefix) + usage
    sku = _sku(service_code, region, usage)
    product = {"attributes": dict({"servicecode": service_code, "servicename": NAMES[service_code],
                                   "usagetype": usagetype, "location": location, "locationType": "AWS Region",
                                   "regionCode": region}, **attributes), "sku": sku}
    if family:
        product = dict({"productFamily": family}, **product)
    dimension = {"unit": unit, "endRange": "Inf", "description": f"${float(price):g} per {unit} of {usage} in "
                 f"{location}", "appliesTo": [], "rateCode": f"{sku}.JRTCKXETXF.6YS6EN2CT7", "beginRange": "0",
                 "pricePerUnit": {"USD": price}}
    return {"product": product, "serviceCode": service_code,
            "terms": {"OnDemand": {f"{sku}.JRTCKXETXF": {
                "priceDimensions": {dimension["rateCode"]: dimension}, "sku": sku, "effectiveDate": EFFECTIVE,
                "offerTermCode": "JRTCKXETXF", "termAttributes": {}}}},
            "version": VERSION, "publicationDate": PUBLISHED}


def _fields(doc):
    """{field name (lower case): value} a filter may name."""
    out = {key.lower(): value for key, value in doc["product"]["attributes"].items()}
    out["productfamily"] = doc["product"].get("productFamily")
    out["servicecode"] = doc["serviceCode"]
    return out


def _matches(doc, flt):
    value = _fields(doc).get(flt["Field"].lower())
    kind, wanted = flt["Type"], flt["Value"]
    if value is None:
        return kind == "NONE_OF"
    if kind in ("TERM_MATCH", "EQUALS"):
        return value == wanted
    if kind == "CONTAINS":
        return wanted in value
    values = [v.strip() for v in wanted.split(",")]
    return (value in values) if kind == "ANY_OF" else (value not in values)


def get_products(body):
    if STATE["deny"]:
        raise PricingError("AccessDeniedException", "User: arn:aws:iam::123456789012:user/bandup is not "
                           "authorized to perform: pricing:GetProducts because no identity-based policy allows the "
                           "pricing:GetProducts action")
    if not body.get("ServiceCode"):
        raise PricingError("InvalidParameterException", "ServiceCode is required.")
    size = int(body.get("MaxResults") or 100)
    if not 1 <= size <= 100:
        raise PricingError("InvalidParameterException", "MaxResults must be between 1 and 100.")
    docs = [document(code, family, usage, unit, attrs, region, prices[region])
            for code, family, usage, unit, attrs, prices in PRODUCTS for region in REGIONS
            if code == body["ServiceCode"]]
    docs = [doc for doc in docs if all(_matches(doc, flt) for flt in body.get("Filters") or [])]
    try:
        start = int(body.get("NextToken") or 0)
    except ValueError:
        raise PricingError("InvalidNextTokenException", "The pagination token is invalid.") from None
    out = {"FormatVersion": "aws_v1", "PriceList": [json.dumps(doc) for doc in docs[start:start + size]]}
    if start + size < len(docs):
        out["NextToken"] = str(start + size)
    return out


OPERATIONS = {"GetProducts": get_products}


@serves(SERVICE)
def app(environ, start_response):
    from moto.core.request import Request
    from moto.moto_api import recorder
    request = Request(environ)
    raw = request.get_data()
    recorder._record_request(request, raw)  # pylint: disable=protected-access  (moto's request recorder)
    operation = request.headers.get("X-Amz-Target", "")[len(TARGET):]
    status = 200
    try:
        if operation not in OPERATIONS:
            raise PricingError("UnknownOperationException", f"{operation or 'this request'} is not served by the "
                               "local endpoint (pricing: GetProducts only).")
        with LOCK:
            answer = OPERATIONS[operation](json.loads(raw or b"{}"))
        check_shape(_service_model(SERVICE).operation_model(operation).output_shape, answer, operation, raw=True)
    except PricingError as error:
        status, answer = 400, {"__type": error.code, "Message": error.message}
    except json.JSONDecodeError as error:
        status, answer = 400, {"__type": "SerializationException", "Message": f"The request body is not JSON: {error}"}
    data = json.dumps(answer).encode()
    start_response(f"{status} {'OK' if status < 300 else 'Error'}",
                   [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data))),
                    ("x-amzn-RequestId", os.urandom(16).hex())])
    return [data]


@route("POST", "pricing")
def set_pricing(body):
    """{"deny": true}: GetProducts answers AccessDeniedException from then on; {"deny": false} ends it."""
    STATE["deny"] = bool(body.get("deny"))
    return 200, dict(STATE)
