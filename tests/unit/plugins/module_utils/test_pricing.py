"""The cost estimate's prices from the Price List API (plugins/module_utils/_pricing/pricing.py), fed with GetProducts answers
in AWS's shape (tests/unit/fixtures/aws/pricing/), and the shipped table when the API is denied, unreachable or
has nothing for the region."""
import copy
import json
import os

import boto3
import pytest
import yaml
from botocore.stub import Stubber

import aws_shapes
from ansible_collections.bandup.ecs.plugins.module_utils._pricing import pricing
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import status
from ansible_collections.bandup.ecs.plugins.module_utils.topology import build_topology

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
ANSWERS = {"AmazonCloudWatch": "logs-ingestion", "AmazonEC2": "nat-gateway", "AmazonECS": "fargate",
           "AWSELB": "application-load-balancer", "AmazonVPC": "public-ipv4"}
SERVICES = [
    {"name": "backend", "port": 8080, "health_path": "/health", "cpu": 1024, "memory": 2048,
     "image": "repo/backend@sha256:" + "b" * 64, "alb": {"path_patterns": ["/api/*"]}},
    {"name": "frontend", "port": 3000, "health_path": "/health", "cpu": 512, "memory": 1024,
     "image": "repo/frontend@sha256:" + "f" * 64, "alb": {"default_route": True},
     "standby_capacity_provider": "FARGATE_SPOT"},
]


@pytest.fixture(name="table")
def fixture_table():
    with open(os.path.join(ROOT, "roles", "status", "vars", "prices.yml")) as handle:
        return yaml.safe_load(handle)["status_prices"]


def answer(service_code):
    return aws_shapes.load(f"pricing/GetProducts.{ANSWERS[service_code]}-us-east-1")


def documents(service_code):
    return [json.loads(item) for item in answer(service_code)["PriceList"]]


def client():
    return boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def stubbed(answers, region="us-east-1"):
    """A pricing client that answers GetProducts per service code (in the order read_prices asks) from ``answers``."""
    pricing_client = client()
    stub = Stubber(pricing_client)
    for service_code in sorted(ANSWERS):
        stub.add_response("get_products", answers(service_code), {
            "ServiceCode": service_code, "Filters": pricing.filters(service_code, region), "FormatVersion": "aws_v1",
            "MaxResults": 100})
    stub.activate()
    return pricing_client, stub


def test_the_usage_type_is_matched_with_or_without_its_region_prefix_and_nothing_else():
    ecs, elb = documents("AmazonECS"), documents("AWSELB")
    assert pricing.select(ecs, "Fargate-GB-Hours")["product"]["attributes"]["usagetype"] == "USE1-Fargate-GB-Hours"
    # us-east-1's ELB usage types carry no prefix; the trust store's TS-LoadBalancerUsage is another price
    assert pricing.on_demand(pricing.select(elb, "LoadBalancerUsage"))[0] == 0.0225
    assert pricing.select(elb, "TS-LoadBalancerUsage")["product"]["attributes"]["usagetype"] == "TS-LoadBalancerUsage"
    # no Spot product: the on-demand vCPU product is not taken for it
    assert pricing.select(ecs, "SpotUsage-Fargate-vCPU-Hours:perCPU") is None
    assert pricing.select(ecs, "Fargate-ARM-vCPU-Hours:perCPU")["product"]["attributes"]["cputype"] == "perCPU"
    eu = [dict(doc, product=dict(doc["product"], attributes=dict(
        doc["product"]["attributes"], usagetype="EU-" + doc["product"]["attributes"]["usagetype"])))
        for doc in documents("AmazonEC2")]
    assert pricing.on_demand(pricing.select(eu, "NatGateway-Hours"))[0] == 0.045


def test_the_first_tier_of_a_tiered_price_is_taken():
    doc = copy.deepcopy(documents("AmazonCloudWatch")[0])
    term = next(iter(doc["terms"]["OnDemand"].values()))
    first = next(iter(term["priceDimensions"].values()))
    term["priceDimensions"] = {"later": dict(first, beginRange="10240", pricePerUnit={"USD": "0.2500000000"}),
                               "first": dict(first, endRange="10240")}
    assert pricing.on_demand(doc) == (0.5, term["effectiveDate"])


def test_prices_from_the_api_with_their_dates_and_spot_from_the_table(table):
    pricing_client, stub = stubbed(answer)
    prices = pricing.read_prices(pricing_client, "us-east-1", table)
    stub.assert_no_pending_responses()
    assert prices["source"] == pricing.SOURCE_API and prices["pricing_region"] == "us-east-1"
    assert (prices["effective"], prices["published"], prices["checked"]) == ("2026-11-01", "2026-11-20", "2026-11-01")
    assert prices["from_table"] == [pricing.LABELS["fargate_spot"]]
    east = prices["regions"]["us-east-1"]
    assert east["fargate"] == {"X86_64": {"vcpu_hour": 0.04048, "gb_hour": 0.004445},
                               "ARM64": {"vcpu_hour": 0.03238, "gb_hour": 0.00356}}
    assert (east["alb_hour"], east["alb_lcu_hour"], east["nat_hour"], east["nat_gb"], east["public_ipv4_hour"],
            east["logs_ingest_gb"]) == (0.0225, 0.008, 0.045, 0.045, 0.005, 0.5)
    assert east["fargate_spot"] == table["regions"]["us-east-1"]["fargate_spot"]


def test_a_changed_price_in_the_api_is_the_one_used(table):
    def cheaper(service_code):
        out = answer(service_code)
        if service_code == "AmazonVPC":
            out["PriceList"] = [item.replace('"0.0050000000"', '"0.0036000000"') for item in out["PriceList"]]
        return out
    prices = pricing.read_prices(stubbed(cheaper)[0], "us-east-1", table)
    assert prices["regions"]["us-east-1"]["public_ipv4_hour"] == 0.0036


def test_spot_is_read_from_the_api_when_it_has_it(table):
    def with_spot(service_code):
        out = answer(service_code)
        if service_code == "AmazonECS":
            spot = [item.replace("USE1-Fargate-", "USE1-SpotUsage-Fargate-").replace('"0.0404800000"', '"0.0124600000"')
                    for item in out["PriceList"] if "Fargate-" in item]
            out["PriceList"] = out["PriceList"] + spot
        return out
    prices = pricing.read_prices(stubbed(with_spot)[0], "us-east-1", table)
    assert prices["from_table"] == [] and prices["regions"]["us-east-1"]["fargate_spot"]["X86_64"]["vcpu_hour"] == 0.01246


@pytest.mark.parametrize("code", ["AccessDeniedException", "AccessDenied"])
def test_denied_falls_back_to_the_table_and_says_why(table, code):
    pricing_client = client()
    stub = Stubber(pricing_client)
    stub.add_client_error("get_products", service_error_code=code, service_message="not authorized", http_status_code=400)
    stub.activate()
    prices = pricing.read_prices(pricing_client, "us-east-1", table)
    assert prices["source"] == pricing.SOURCE_TABLE and prices["checked"] == table["checked"]
    assert prices["regions"]["us-east-1"] == table["regions"]["us-east-1"]
    assert "pricing:GetProducts was denied" in prices["fallback_reason"] and code in prices["fallback_reason"]


def test_unreachable_falls_back_quickly(table):
    import botocore.config
    unreachable = boto3.client("pricing", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                               aws_access_key_id="x", aws_secret_access_key="x",
                               config=botocore.config.Config(**pricing.CLIENT_CONFIG))
    prices = pricing.read_prices(unreachable, "eu-west-1", table, "eu-central-1")
    assert prices["source"] == pricing.SOURCE_TABLE and prices["table_region"] == "eu-west-1"
    assert prices["fallback_reason"].startswith("the Price List API in eu-central-1 could not be reached")


def test_a_region_the_api_has_nothing_for_uses_the_table(table):
    def empty(_service_code):
        return {"FormatVersion": "aws_v1", "PriceList": []}
    prices = pricing.read_prices(stubbed(empty, "sa-east-1")[0], "sa-east-1", table)
    assert prices["source"] == pricing.SOURCE_TABLE and prices["table_region"] == "us-east-1"
    assert prices["fallback_reason"] == "the Price List API has no Fargate prices for sa-east-1"


def test_the_endpoint_region_is_one_that_serves_the_api():
    assert {pricing.endpoint_region(r) for r in ("us-east-1", "us-west-2", "ca-central-1", "sa-east-1")} == {
        "us-east-1"}
    assert pricing.endpoint_region("eu-west-1") == pricing.endpoint_region("me-south-1") == "eu-central-1"
    assert pricing.endpoint_region("ap-southeast-1") == "ap-south-1"
    assert set(pricing.ENDPOINT_REGIONS) == {"us-east-1", "eu-central-1", "ap-south-1"}


def test_not_used_when_switched_off(table):
    prices = pricing.prices_for(lambda region: pytest.fail("no client when switched off"), "us-east-1", table, False)
    assert prices["source"] == pricing.SOURCE_TABLE and "status_price_list: false" in prices["fallback_reason"]


def summary(prices, region="us-east-1"):
    topology = build_topology("bandup-test", region, f"{region}a", f"{region}b", SERVICES)
    cost = status.monthly_cost(topology, prices, architecture="ARM64", assumptions={"nat_gateways": 2})
    return cost, status.cost_lines(cost)


def test_the_summary_names_the_api_its_dates_and_what_came_from_the_table(table):
    cost, lines = summary(pricing.read_prices(stubbed(answer)[0], "us-east-1", table))
    text = "\n".join(lines)
    assert ("at us-east-1 list prices from the AWS Price List API (pricing:GetProducts in us-east-1), effective "
            "2026-11-01, published 2026-11-20") in lines[0]
    assert f"from the shipped table (recorded {table['checked']}, us-east-1): Fargate Spot" in text
    assert "public IPv4 addresses (4)" in text and "Spot prices vary: an estimate" in text
    assert "not counted: data transfer out" in text
    assert cost["prices_source"] == "price-list-api" and cost["assumptions"]["public_ipv4_addresses"] == 4


def test_the_summary_names_the_table_its_date_and_why(table):
    pricing_client = client()
    stub = Stubber(pricing_client)
    stub.add_client_error("get_products", service_error_code="AccessDeniedException", http_status_code=400)
    stub.activate()
    cost, lines = summary(pricing.read_prices(pricing_client, "us-east-1", table))
    assert lines[0].endswith(f"at us-east-1 list prices recorded {table['checked']} (the shipped table: "
                             "pricing:GetProducts was denied (AccessDeniedException); grant it (docs/iam-policy.json) "
                             "to read AWS's current prices)"), lines[0]
    assert cost["prices_source"] == "table" and "Price List API" not in lines[0]


def test_arm64_tasks_are_priced_at_the_arm64_rates(table):
    prices = pricing.read_prices(stubbed(answer)[0], "us-east-1", table)
    topology = build_topology("bandup-test", "us-east-1", "us-east-1a", "us-east-1b", SERVICES)
    arm = status.monthly_cost(topology, prices, architecture="ARM64")["lines"][0]
    x86 = status.monthly_cost(topology, prices, architecture="X86_64")["lines"][0]
    assert arm["service"] == x86["service"] and 0 < arm["monthly"] < x86["monthly"]
    assert arm["monthly"] == round((0.03238 + 2 * 0.00356) * arm["tasks"] * 730, 2)
