"""ecs_cluster on a recorded DescribeClusters answer (tests/unit/fixtures/aws/ecs/DescribeClusters.*): the options
the cluster role passes for that cluster change nothing and write nothing, on the answer and on every variant of it
another endpoint could give; each managed field changed alone is a difference (check mode: no write)."""
import pytest

import aws_shapes
from ansible_collections.bandup.ecs.plugins.modules import ecs_cluster

from conftest import run_module

FIXTURE = "ecs/DescribeClusters.capacity-providers-service-connect"
NS_ARN = "arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-4mzkqb7tlomyg3bq"
ARGS = dict(name="bandup-prod", capacity_providers=["FARGATE", "FARGATE_SPOT"],
            default_capacity_provider_strategy=[{"capacity_provider": "FARGATE"}], container_insights="enabled",
            service_connect_namespace=NS_ARN,
            tags={"bandup:deployment": "bandup-prod", "bandup:managed-by": "bandup.ecs"},
            initial_tags={"bandup:active-az": "eu-west-1b"}, region="eu-west-1")


def describe(aws, answer):
    aws["ecs"].add_response("describe_clusters", answer, {"clusters": ["bandup-prod"], "include": ["TAGS", "SETTINGS"]})


def namespaces(aws, *listed):
    aws["servicediscovery"].add_response("list_namespaces", {"Namespaces": [
        {"Id": arn.rsplit("/", 1)[1], "Arn": arn, "Name": name, "Type": "HTTP"} for name, arn in listed]}, {})


def test_no_op_on_the_recorded_answer(aws, capsys):
    describe(aws, aws_shapes.load(FIXTURE))
    out = run_module(ecs_cluster, ARGS, capsys)
    assert (out["changed"], out["changes"]) == (False, [])


@pytest.mark.parametrize("label", [label for label, _v in aws_shapes.variants(
    "ecs", "DescribeClusters", aws_shapes.load(FIXTURE))])
def test_no_op_on_every_variant_of_the_answer(aws, capsys, label):
    describe(aws, dict(aws_shapes.variants("ecs", "DescribeClusters", aws_shapes.load(FIXTURE)))[label])
    out = run_module(ecs_cluster, ARGS, capsys)
    assert (out["changed"], out["changes"]) == (False, [])


def test_namespace_given_by_name_matches_the_arn_aws_reports(aws, capsys):
    describe(aws, aws_shapes.load(FIXTURE))
    namespaces(aws, ("bandup-staging", NS_ARN[:-4] + "zzzz"), ("bandup-prod", NS_ARN))
    out = run_module(ecs_cluster, dict(ARGS, service_connect_namespace="bandup-prod"), capsys)
    assert (out["changed"], out["changes"]) == (False, [])


def test_another_namespace_name_is_a_difference(aws, capsys):
    describe(aws, aws_shapes.load(FIXTURE))
    namespaces(aws, ("bandup-prod", NS_ARN))
    out = run_module(ecs_cluster, dict(ARGS, service_connect_namespace="bandup-new", _ansible_check_mode=True), capsys)
    assert out["changes"] == [update("serviceConnectNamespace")]


def update(*fields, action="update"):
    return {"resource": "cluster bandup-prod", "action": action, "fields": list(fields)}


SINGLE_CHANGES = [
    (dict(capacity_providers=["FARGATE"], default_capacity_provider_strategy=[{"capacity_provider": "FARGATE"}]),
     [update("capacityProviders")]),
    (dict(default_capacity_provider_strategy=[{"capacity_provider": "FARGATE_SPOT"}]),
     [update("defaultCapacityProviderStrategy")]),
    (dict(default_capacity_provider_strategy=[{"capacity_provider": "FARGATE", "weight": 2}]),
     [update("defaultCapacityProviderStrategy")]),
    (dict(default_capacity_provider_strategy=[{"capacity_provider": "FARGATE", "base": 1}]),
     [update("defaultCapacityProviderStrategy")]),
    (dict(container_insights="enhanced"), [update("containerInsights")]),
    (dict(container_insights="disabled"), [update("containerInsights")]),
    (dict(service_connect_namespace=NS_ARN[:-4] + "zzzz"), [update("serviceConnectNamespace")]),
    (dict(tags={"bandup:deployment": "bandup-prod", "bandup:managed-by": "bandup.ecs", "team": "web"}),
     [update("team", action="tag")]),
]


@pytest.mark.parametrize("options, changes", SINGLE_CHANGES, ids=[str(c[0])[:60] for c in SINGLE_CHANGES])
def test_a_single_changed_field_is_a_difference(aws, capsys, options, changes):
    describe(aws, aws_shapes.load(FIXTURE))
    out = run_module(ecs_cluster, dict(ARGS, _ansible_check_mode=True, **options), capsys)
    assert (out["changed"], out["changes"]) == (True, changes)
