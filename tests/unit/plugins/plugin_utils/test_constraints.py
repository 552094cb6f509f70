"""The constraint table (plugins/plugin_utils/constraints.py): complete, true to botocore's models, and each bound and
one past it checked (the generated part of the bad-input catalogue; tests/integration/test_bad_input.py runs a sample
through site.yml on an existing deployment)."""
import copy
import os
import re
import sys

import botocore.loaders
import pytest
import yaml

from ansible_collections.bandup.ecs.plugins.plugin_utils.role_specs import known_regions
from ansible_collections.bandup.ecs.plugins.plugin_utils.constraint_rules import Choice, NoConstraint, Range, Text
from ansible_collections.bandup.ecs.plugins.plugin_utils.constraint_table import TABLE
from ansible_collections.bandup.ecs.plugins.plugin_utils.constraint_types import rule_path
from ansible_collections.bandup.ecs.plugins.plugin_utils.constraints import problems
from ansible_collections.bandup.ecs.plugins.module_utils.topology import TopologyError, build_topology

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, ROOT)
from tests.support.role_values import (  # noqa: E402  pylint: disable=wrong-import-position
    ALL_PATHS, ROLES, SERVICE, SPECS, base_values, set_path)




def run(values, roles=None):
    """The validation play's checks in order: the constraint table, then the topology (first error)."""
    found = problems(SPECS, values, ROLES if roles is None else roles, regions=known_regions())
    if found:
        return found
    try:
        build_topology(values["bandup_name"], values["bandup_region"], values["bandup_active_az"],
                       values["bandup_standby_az"], copy.deepcopy(values["bandup_services"]),
                       ecr_prefix=values["bandup_ecr_prefix"], tags=values.get("bandup_tags"))
    except TopologyError as err:
        return [str(err)]
    return []


def test_every_variable_has_a_rule():
    missing = [path for path in ALL_PATHS if path not in TABLE]
    assert not missing, f"variables without a constraint or an explicit NoConstraint: {missing}"
    stale = [path for path in TABLE if path not in ALL_PATHS]
    assert not stale, f"table entries for no variable: {stale}"


def test_every_rule_says_where_it_comes_from():
    for path, rule in TABLE.items():
        if isinstance(rule, NoConstraint):
            assert len(rule.why) > 8, path
        else:
            assert rule.model or rule.source, f"{path}: neither a botocore member nor a documented limit"


LOADER = botocore.loaders.Loader()


def model_shape(service, operation, members):
    model = LOADER.load_service_model(service, "service-2")
    shapes = model["shapes"]
    shape = shapes[model["operations"][operation]["input"]["shape"]]
    for member in members:
        if shape.get("type") == "list":
            shape = shapes[shape["member"]["shape"]]
        shape = shapes[shape["members"][member]["shape"]]
    return shape


@pytest.mark.parametrize("path", sorted(p for p, r in TABLE.items() if r.model))
def test_rule_matches_the_botocore_model(path):
    """A rule read from the model has the model's bounds, or tighter ones with the documented reason in source."""
    rule = TABLE[path]
    shape = model_shape(*rule.model)
    if isinstance(rule, Range):
        assert "min" in shape and "max" in shape, f"{path}: the model has no bounds for {rule.model}"
        if (rule.low, rule.high) != (shape["min"], shape["max"]):
            assert rule.low >= shape["min"] and rule.high <= shape["max"] and rule.source, path
    elif isinstance(rule, Choice):
        assert set(rule.values) <= set(shape["enum"]), path
    elif isinstance(rule, Text):
        assert rule.high <= shape.get("max", rule.high) and rule.low >= shape.get("min", 0), path
    elif rule.model[2] == ["tags"]:
        assert shape["max"] >= 50, path
    else:
        assert "max" in shape, path


@pytest.mark.parametrize("path", sorted(p for p in TABLE if not isinstance(TABLE[p], NoConstraint)))
def test_documented_defaults_pass(path):
    head, _, rest = path.partition("[]")
    options = next(opts for opts in SPECS.values() if head in opts)
    spec = options[head]
    for key in rest.lstrip(".").split(".") if rest else []:
        spec = spec["options"][key]
    default = spec.get("default")
    # image_registry and image_platform document a computed default in words (defaults/main.yml computes it)
    if default is not None and default != {} and path not in ("image_registry", "image_platform"):
        assert TABLE[path].check(default) is None, f"{path}: the default {default!r} breaks its own rule"


def test_the_inventory_passes():
    assert run(base_values()) == []


def test_the_example_inventory_passes():
    """The inventory users copy (it had subnet CIDRs outside its VPC CIDR before the constraint table)."""
    with open(os.path.join(ROOT, "inventories", "example", "group_vars", "all", "main.yml")) as handle:
        values = yaml.safe_load(handle)
    assert problems(SPECS, values, ROLES) == []


CATALOGUE = [(path, value, ok, context) for path, rule in sorted(TABLE.items())
             for value, ok, context in rule.catalogue()]


def test_generated_catalogue_is_large():
    assert len(CATALOGUE) >= 100
    assert sum(1 for case in CATALOGUE if not case[2]) >= 60


@pytest.mark.parametrize("path,value,ok,context", CATALOGUE,
                         ids=[f"{c[0]}={str(c[1])[:40]}-{'ok' if c[2] else 'bad'}" for c in CATALOGUE])
def test_generated_bound(path, value, ok, context):
    values, where = set_path(base_values(), path, value, context)
    found = run(values)
    if ok:
        assert found == [], found
    else:
        assert found, f"{where}={value!r} was accepted"
        assert any(p.startswith(where + ":") or p.startswith(where + "[") or p.startswith(where + ".")
                   for p in found), found
        assert len(found) == 1, found


POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def service(**change):
    values = base_values()
    for key, item in change.items():
        values["bandup_services"][SERVICE][key] = item
    return values


CROSS = [
    ("arm64-with-spot-below-1.4.0", dict(service(standby_capacity_provider="FARGATE_SPOT"),
                                         task_definition_cpu_architecture="ARM64", service_platform_version="1.3.0"),
     r"^service_platform_version: '1.3.0' must be .*ARM64 on Fargate Spot need 1.4.0"),
    ("requests-without-alb", service(alb={"enabled": False}, autoscaling={"requests_per_target": 100}),
     r"^bandup_services\[0\]\.autoscaling\.requests_per_target: cannot apply with alb.enabled false"),
    ("paths-without-alb", service(alb={"enabled": False, "path_patterns": ["/api/*"]}),
     r"^bandup_services\[0\]\.alb\.path_patterns: cannot apply"),
    ("priority-on-default-route", service(alb={"default_route": True, "priority": 5}),
     r"^bandup_services\[0\]\.alb\.priority: cannot apply with alb.default_route"),
    ("sc-name-on-client", service(service_connect={"discovery_name": "api"}),
     r"^bandup_services\[0\]\.service_connect\.discovery_name: cannot apply without service_connect.server"),
    ("autoscaling-off-with-target", service(autoscaling={"enabled": False, "cpu_target": 50}),
     r"^bandup_services\[0\]\.autoscaling\.cpu_target: cannot apply with autoscaling.enabled false"),
    ("autoscaling-no-target", service(autoscaling={"cpu_target": None}),
     r"^bandup_services\[0\]\.autoscaling: enabled without a target"),
    ("active-above-max", service(autoscaling={"min_count": 1, "max_count": 1}), r"^bandup_services\[0\]\.active_count: 2 is outside"),
    ("image-and-build", service(image="nginx:1.27"), r"^bandup_services\[0\]\.build: cannot apply with image set"),
    ("fargate-pair", service(cpu=256, memory=4096), r"^bandup_services\[0\]\.memory: 4096 MiB is not valid with cpu 256"),
    ("standby-above-active", service(standby_count=3), r"^bandup_services\[0\]\.standby_count: 3 must be between"),
    ("spot-not-in-cluster", dict(service(standby_capacity_provider="FARGATE_SPOT"), cluster_capacity_providers=["FARGATE"]),
     r"^bandup_services\[0\]\.standby_capacity_provider: FARGATE_SPOT cannot apply"),
    ("alb-timeout-not-below-interval", dict(base_values(), alb_health_check_interval=10, alb_health_check_timeout=10),
     r"^alb_health_check_timeout: 10 must be below alb_health_check_interval"),
    ("ssl-policy-without-certificate", dict(base_values(), alb_ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06"),
     r"^alb_ssl_policy: cannot apply without alb_certificate_arn"),
    ("kms-key-with-aes", dict(base_values(), ecr_kms_key="alias/ecr"), r"^ecr_kms_key: cannot apply"),
    ("policy-and-accounts", dict(base_values(), ecr_repository_policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}]},
                                 ecr_pull_account_ids=["123456789012"]), r"^ecr_pull_account_ids: cannot apply"),
    ("subnet-outside-vpc", dict(base_values(), network_public_subnet_cidrs=["10.30.0.0/24", "10.20.1.0/24"]),
     r"^network_public_subnet_cidrs\[0\]: 10.30.0.0/24 does not lie in network_vpc_cidr"),
    ("subnets-overlap", dict(base_values(), network_private_subnet_cidrs=["10.20.0.0/25", "10.20.11.0/24"]),
     r"^network_private_subnet_cidrs\[0\]: 10.20.0.0/25 overlaps network_public_subnet_cidrs\[0\]"),
    ("strategy-provider-missing", dict(base_values(), cluster_capacity_providers=["FARGATE"],
                                       cluster_default_capacity_provider_strategy=[{"capacity_provider": "FARGATE_SPOT"}]),
     r"^cluster_default_capacity_provider_strategy\[0\]\.capacity_provider: 'FARGATE_SPOT' is not in"),
    ("task-role-policy-unknown-service", dict(base_values(), task_definition_task_role_policies={"db": POLICY}),
     r"^task_definition_task_role_policies\.db: not a service name"),
    ("priority-in-use", dict(base_values(), bandup_services=base_values()["bandup_services"] + [
        {"name": "admin", "port": 9000, "health_path": "/health", "cpu": 256, "memory": 512, "image": "nginx:1.27",
         "alb": {"path_patterns": ["/admin/*"], "priority": 10}}]),
     r"^bandup_services\[2\]\.alb\.priority: 10 is also the rule priority of bandup_services\[0\]"),
    # exact types: 0, "" and [] are values
    ("priority-zero", service(alb={"path_patterns": ["/api/*"], "priority": 0}),
     r"^bandup_services\[0\]\.alb\.priority: 0 is outside 1-50000"),
    ("empty-health-command", service(health_check={"command": []}), r"^bandup_services\[0\]\.health_check\.command: \[\]"),
    ("client-alias-port-zero", service(service_connect={"server": True, "client_alias_port": 0}),
     r"^bandup_services\[0\]\.service_connect\.client_alias_port: 0 is outside 1-65535"),
    ("empty-discovery-name", service(service_connect={"server": True, "discovery_name": ""}),
     r"^bandup_services\[0\]\.service_connect\.discovery_name: '' is 0 characters"),
    ("port-bool", service(port=True), r"^bandup_services\[0\]\.port: must be an integer \(got a boolean True\)"),
    ("env-not-scalar", service(environment={"JAVA_OPTS": ["-Xmx1g"]}),
     r"^bandup_services\[0\]\.environment\.JAVA_OPTS: a list is not a scalar"),
    ("image-reference", service(image="Registry.example.com/App:1", build=None), r"^bandup_services\[0\]\.image: "),
    ("tag-bandup-prefix", dict(base_values(), bandup_tags={"bandup:deployment": "other"}),
     r"^bandup_tags: key 'bandup:deployment' is reserved"),
    ("tag-aws-prefix-any-case", dict(base_values(), bandup_tags={"AWS:cost": "1"}), r"^bandup_tags: key 'AWS:cost' is reserved"),
    ("unknown-service-key", service(replicas=3), r"^bandup_services\[0\]\.replicas: unknown option"),
    ("service-not-a-mapping", dict(base_values(), bandup_services=["backend"]), r"^bandup_services\[0\]: must be a mapping"),
]


@pytest.mark.parametrize("values,message", [c[1:] for c in CROSS], ids=[c[0] for c in CROSS])
def test_refused_with_the_variable_and_the_reason(values, message):
    found = run(values)
    assert any(re.search(message, p) for p in found), found


def test_partial_run_checks_only_the_selected_roles():
    values = dict(base_values(), alb_deregistration_delay="forever", task_definition_cpu_architecture="ARM64",
                  cluster_capacity_providers=["FARGATE"])
    values["bandup_services"][0]["standby_capacity_provider"] = "FARGATE_SPOT"
    assert problems(SPECS, values, ["ecr"]) == []
    assert len(problems(SPECS, values, ROLES)) == 2


def test_arm64_runs_on_fargate_spot():
    """Fargate Spot runs ARM64 tasks on platform 1.4.0 or later (botocore CapacityProviderStrategyItem); LATEST is
    1.4.0. An earlier version refused the pair."""
    for platform in ("LATEST", "1.4.0"):
        values = dict(service(standby_capacity_provider="FARGATE_SPOT"), task_definition_cpu_architecture="ARM64",
                      service_platform_version=platform)
        assert run(values) == []


def test_three_mistakes_are_three_problems():
    values = service(health_check={"interval": 1})
    values["bandup_services"][1]["alb"] = {"enabled": False, "default_route": True}
    values.update(alb_deregistration_delay=4000, bandup_tags={"aws:team": "web"})
    found = problems(SPECS, values, ROLES)
    assert sorted(p.split(":")[0] for p in found) == ["alb_deregistration_delay", "bandup_services[0].health_check.interval",
                                                      "bandup_services[1].alb.default_route", "bandup_tags"]
