# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The status report's prices from AWS's own price list (the Price List Query API, pricing:GetProducts), with the
shipped table (roles/status/vars/prices.yml) for what the API does not answer.

``read_prices(client, region, table)`` answers a price table of the same shape as the shipped one (status.py
``monthly_cost`` reads either), with where each figure came from:

- ``source``: ``price-list-api`` when at least the Fargate on-demand prices came from the API, else ``table``;
- ``effective`` / ``published``: the newest ``effectiveDate`` of the OnDemand terms used and the newest
  ``publicationDate`` of their product documents (API); ``checked``: the date the figures are as of (the effective
  date, or the table's date);
- ``from_table``: the figures the API did not answer (e.g. Fargate Spot: its prices float, and the price list has
  no product for it in the regions this was checked against), filled from the table;
- ``fallback_reason``: why the table was used (the API denied, unreachable, or without products for the region).

The Query API is served in a few Regions only (AWS Billing guide, "Using the AWS Price List Query API",
endpoints: us-east-1, eu-central-1, ap-south-1); the prices of any Region are read through any of them, filtered
by the product attribute ``regionCode``. ``endpoint_region`` picks the nearest.

Each GetProducts answer's ``PriceList`` is a list of JSON strings, one product document each: ``product``
(``productFamily``, ``attributes`` such as ``usagetype``, ``regionCode``, ``cputype``, ``memorytype``), ``terms``
(``OnDemand``: offer term -> ``priceDimensions`` -> ``pricePerUnit`` {currency: "0.0404800000"}, ``beginRange``;
``effectiveDate``), ``publicationDate``. Usage types carry a Region prefix (``USE1-Fargate-GB-Hours``,
``EUW1-NatGateway-Hours``; none on some of us-east-1's) that is matched, not built.
"""

from __future__ import annotations

import copy
import json
import re

try:
    from botocore import exceptions as botocore_errors
except ImportError:
    botocore_errors = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

SOURCE_API = "price-list-api"
SOURCE_TABLE = "table"
ENDPOINT_REGIONS = ("us-east-1", "eu-central-1", "ap-south-1")
# The pricing client: an unreachable endpoint (offline, a proxy that drops it) answers in seconds, not minutes.
CLIENT_CONFIG = {"connect_timeout": 5, "read_timeout": 20, "retries": {"max_attempts": 2, "mode": "standard"}}
REGION_PREFIX = re.compile(r"[A-Z]{2,4}[0-9]*-")

# (the table figure, service code, usage type without its Region prefix). ARM64 Fargate has usage types of its own.
PRODUCTS = (
    (("fargate", "X86_64", "vcpu_hour"), "AmazonECS", "Fargate-vCPU-Hours:perCPU"),
    (("fargate", "X86_64", "gb_hour"), "AmazonECS", "Fargate-GB-Hours"),
    (("fargate", "ARM64", "vcpu_hour"), "AmazonECS", "Fargate-ARM-vCPU-Hours:perCPU"),
    (("fargate", "ARM64", "gb_hour"), "AmazonECS", "Fargate-ARM-GB-Hours"),
    (("fargate_spot", "X86_64", "vcpu_hour"), "AmazonECS", "SpotUsage-Fargate-vCPU-Hours:perCPU"),
    (("fargate_spot", "X86_64", "gb_hour"), "AmazonECS", "SpotUsage-Fargate-GB-Hours"),
    (("fargate_spot", "ARM64", "vcpu_hour"), "AmazonECS", "SpotUsage-Fargate-ARM-vCPU-Hours:perCPU"),
    (("fargate_spot", "ARM64", "gb_hour"), "AmazonECS", "SpotUsage-Fargate-ARM-GB-Hours"),
    (("alb_hour",), "AWSELB", "LoadBalancerUsage"),
    (("alb_lcu_hour",), "AWSELB", "LCUUsage"),
    (("nat_hour",), "AmazonEC2", "NatGateway-Hours"),
    (("nat_gb",), "AmazonEC2", "NatGateway-Bytes"),
    (("public_ipv4_hour",), "AmazonVPC", "PublicIPv4:InUseAddress"),
    (("logs_ingest_gb",), "AmazonCloudWatch", "DataProcessing-Bytes"),
)
# GetProducts filters per service code besides regionCode: the product family where the service has many.
FAMILIES = {"AWSELB": "Load Balancer-Application", "AmazonEC2": "NAT Gateway", "AmazonCloudWatch": "Data Payload"}
# What the summary calls each figure.
LABELS = {"fargate": "Fargate", "fargate_spot": "Fargate Spot (its usual discount: an estimate)", "alb_hour": "ALB hours", "alb_lcu_hour": "ALB LCU",
          "nat_hour": "NAT gateway hours", "nat_gb": "NAT gateway GB", "public_ipv4_hour": "public IPv4",
          "logs_ingest_gb": "CloudWatch Logs ingestion"}
DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation")


def endpoint_region(region):
    """The Price List Query API Region nearest to ``region``."""
    if region.startswith(("eu-", "me-", "af-", "il-")):
        return "eu-central-1"
    if region.startswith("ap-"):
        return "ap-south-1"
    return "us-east-1"


def filters(service_code, region):
    """GetProducts ``Filters`` for ``service_code``'s products in ``region``."""
    out = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]
    if service_code in FAMILIES:
        out.append({"Type": "TERM_MATCH", "Field": "productFamily", "Value": FAMILIES[service_code]})
    return out


@AWSRetry.jittered_backoff()
def get_products(client, service_code, region):
    """Every product document (decoded) of ``service_code`` in ``region``."""
    pages = client.get_paginator("get_products").paginate(
        ServiceCode=service_code, Filters=filters(service_code, region), FormatVersion="aws_v1",
        PaginationConfig={"PageSize": 100})
    return [json.loads(item) for page in pages for item in page.get("PriceList", [])]


def _usage(product):
    return product.get("product", {}).get("attributes", {}).get("usagetype", "")


def _unprefixed(usagetype):
    """The usage type without its Region prefix (``USE1-``, ``EU-``, ``APS3-``), or None when it has none."""
    prefix = REGION_PREFIX.match(usagetype)
    return usagetype[prefix.end():] if prefix else None


def select(products, usage):
    """The product whose usage type is ``usage`` (exactly, else with one Region prefix), or None."""
    exact = [p for p in products if _usage(p) == usage]
    prefixed = [p for p in products if _unprefixed(_usage(p)) == usage]
    return (exact + prefixed or [None])[0]


def on_demand(product, currency="USD"):
    """(price per unit of the first tier, effectiveDate) of a product document's OnDemand term, or None."""
    for term in product.get("terms", {}).get("OnDemand", {}).values():
        dimensions = sorted(term.get("priceDimensions", {}).values(),
                            key=lambda d: float(d.get("beginRange") or 0))
        for dimension in dimensions:
            price = dimension.get("pricePerUnit", {}).get(currency)
            if price is not None:
                return float(price), term.get("effectiveDate")
    return None


def _put(table, path, value):
    for key in path[:-1]:
        table = table.setdefault(key, {})
    table[path[-1]] = value


def table_for(table, region):
    """(the prices of ``region`` in a price table, the region they are for): the fallback region's when it has
    none."""
    if region in table["regions"]:
        return table["regions"][region], region
    return table["regions"][table["fallback_region"]], table["fallback_region"]


def _date(value):
    return (value or "")[:10] or None


def from_products(products, region, table):
    """The price table for ``region`` from product documents (``{service code: [document]}``), the shipped
    ``table`` filling what they lack."""
    shipped, shipped_region = table_for(table, region)
    merged, missing, effective, published = copy.deepcopy(shipped), [], [], []
    for path, service_code, usage in PRODUCTS:
        product = select(products.get(service_code, []), usage)
        price = on_demand(product, table["currency"]) if product else None
        if price is None:
            missing.append(path)
            continue
        _put(merged, path, price[0])
        effective.append(_date(price[1]) or "")
        published.append(_date(product.get("publicationDate")) or "")
    # The API is the source when it answered the on-demand Fargate prices (x86 and ARM64) at least.
    if any(path in missing for path, _code, _usage in PRODUCTS[:4]):
        return fallback(table, region, f"the Price List API has no Fargate prices for {region}")
    return dict(table, regions={region: merged}, fallback_region=region, source=SOURCE_API,
                from_table=sorted({LABELS[path[0]] for path in missing}), table_region=shipped_region,
                table_checked=table["checked"], checked=max(effective) or None, effective=max(effective) or None,
                published=max(published) or None)


def fallback(table, region, reason):
    """The shipped table for ``region``, saying why the API was not used."""
    shipped, shipped_region = table_for(table, region)
    return dict(table, regions={region: copy.deepcopy(shipped)}, fallback_region=region, source=SOURCE_TABLE,
                from_table=[], table_region=shipped_region, table_checked=table["checked"], fallback_reason=reason)


def why(err, pricing_region):
    """What the summary says about a GetProducts call that failed, and what to do."""
    if botocore_errors is not None and isinstance(err, botocore_errors.ClientError):
        code = err.response.get("Error", {}).get("Code", "")
        if code in DENIED:
            return (f"pricing:GetProducts was denied ({code}); grant it (docs/iam-policy.json) to read AWS's "
                    "current prices")
        return f"pricing:GetProducts in {pricing_region} failed ({code})"
    if botocore_errors is not None and isinstance(err, botocore_errors.NoCredentialsError):
        return "no AWS credentials for the Price List API"
    return f"the Price List API in {pricing_region} could not be reached ({type(err).__name__})"


def read_prices(client, region, table, pricing_region="us-east-1"):
    """The prices for ``region``: from the Price List API through ``client`` (made for ``pricing_region``), the
    shipped ``table`` for what it does not answer, or the table alone when the API cannot be used."""
    products = {}
    try:
        for service_code in sorted({code for _path, code, _usage in PRODUCTS}):
            products[service_code] = get_products(client, service_code, region)
    except (botocore_errors.BotoCoreError, botocore_errors.ClientError) as err:  # explained, not raised
        return dict(fallback(table, region, why(err, pricing_region)), pricing_region=pricing_region)
    return dict(from_products(products, region, table), pricing_region=pricing_region)


def prices_for(make_client, region, table, use_api=True):
    """deployment_status's prices for ``region``: ``read_prices`` through ``make_client(pricing Region)`` (a
    pricing client, made only when ``use_api``), else the shipped ``table``."""
    if not use_api:
        return fallback(table, region, "the Price List API is not used (status_price_list: false)")
    pricing_region = endpoint_region(region)
    return read_prices(make_client(pricing_region), region, table, pricing_region)
