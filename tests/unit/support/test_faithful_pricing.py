"""The faithful endpoint answers the Price List Query API (pricing GetProducts, which moto does not have) with
product documents in AWS's shape, filtered and paged as AWS does, and denies it on request.

One endpoint process for the module (conftest.py: ``url``)."""
import json
import os
import sys

import boto3
import botocore.exceptions
import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, ROOT)

from tests.support import faithful  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.bandup.ecs.plugins.module_utils._pricing import pricing  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(name="client")
def fixture_client(url):
    faithful.deny_pricing(url, False)
    return boto3.client("pricing", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def products(client, service_code, *filters, **kwargs):
    answer = client.get_products(ServiceCode=service_code, Filters=[
        {"Type": "TERM_MATCH", "Field": field, "Value": value} for field, value in filters], **kwargs)
    return answer, [json.loads(item) for item in answer["PriceList"]]


def test_fargate_products_of_a_region_in_aws_shape(client):
    answer, docs = products(client, "AmazonECS", ("regionCode", "us-east-1"))
    assert answer["FormatVersion"] == "aws_v1" and all(isinstance(item, str) for item in answer["PriceList"])
    usage = {doc["product"]["attributes"]["usagetype"]: doc for doc in docs}
    assert {"USE1-Fargate-vCPU-Hours:perCPU", "USE1-Fargate-GB-Hours", "USE1-Fargate-ARM-vCPU-Hours:perCPU",
            "USE1-Fargate-ARM-GB-Hours"} <= set(usage)
    vcpu = usage["USE1-Fargate-vCPU-Hours:perCPU"]
    assert vcpu["product"]["attributes"]["cputype"] == "perCPU" and vcpu["serviceCode"] == "AmazonECS"
    term = next(iter(vcpu["terms"]["OnDemand"].values()))
    assert term["offerTermCode"] == "JRTCKXETXF" and term["effectiveDate"].endswith("Z")
    assert next(iter(term["priceDimensions"].values()))["pricePerUnit"] == {"USD": "0.0404800000"}
    assert pricing.on_demand(vcpu) == (0.04048, term["effectiveDate"])


def test_filters_narrow_by_attribute_family_and_region(client):
    _, docs = products(client, "AmazonEC2", ("regionCode", "eu-west-1"), ("productFamily", "NAT Gateway"))
    assert sorted(d["product"]["attributes"]["usagetype"] for d in docs) == ["EU-NatGateway-Bytes",
                                                                              "EU-NatGateway-Hours"]
    _, docs = products(client, "AmazonECS", ("regionCode", "us-east-1"), ("memorytype", "perGB"))
    assert sorted(d["product"]["attributes"]["usagetype"] for d in docs) == ["USE1-Fargate-ARM-GB-Hours",
                                                                              "USE1-Fargate-GB-Hours"]
    assert products(client, "AmazonECS", ("regionCode", "sa-east-1"))[0]["PriceList"] == []


def test_pages_with_next_token(client):
    first, docs = products(client, "AmazonECS", ("regionCode", "us-east-1"), MaxResults=2)
    assert len(docs) == 2 and first["NextToken"]
    everything = [json.loads(item) for page in client.get_paginator("get_products").paginate(
        ServiceCode="AmazonECS", Filters=[{"Type": "TERM_MATCH", "Field": "regionCode", "Value": "us-east-1"}],
        PaginationConfig={"PageSize": 2}) for item in page["PriceList"]]
    assert len(everything) == 5 and everything[:2] == docs


def test_denied_on_request(client, url):
    faithful.deny_pricing(url, True)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        client.get_products(ServiceCode="AmazonECS")
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "pricing:GetProducts" in err.value.response["Error"]["Message"]
    faithful.deny_pricing(url, False)
    assert client.get_products(ServiceCode="AmazonECS", MaxResults=1)["PriceList"]


def test_read_prices_through_the_endpoint(client):
    """module_utils/_pricing/pricing.py reads every figure but Fargate Spot (no product here) from it."""
    with open(os.path.join(ROOT, "roles", "status", "vars", "prices.yml")) as handle:
        table = yaml.safe_load(handle)["status_prices"]
    prices = pricing.read_prices(client, "ap-southeast-1", table)
    assert prices["source"] == pricing.SOURCE_API and prices["effective"] == "2026-11-01"
    assert prices["published"] == "2026-11-20"
    assert prices["from_table"] == [pricing.LABELS["fargate_spot"]]
    assert prices["regions"]["ap-southeast-1"]["nat_hour"] == 0.059
    assert prices["regions"]["ap-southeast-1"]["fargate"]["ARM64"] == {"vcpu_hour": 0.04045, "gb_hour": 0.00442}
