"""The deployment's semantic validation and name derivation (plugins/module_utils/topology.py)."""
import copy
import os

import pytest
import yaml

from ansible_collections.bandup.ecs.plugins.module_utils.topology import (
    FARGATE_SIZES,
    HEALTH_CHECK_DEFAULTS,
    SERVICE_DEFAULTS,
    TopologyError,
    build_topology,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
APPS = os.path.join(ROOT, "tests", "fixtures", "apps")
BACKEND = {"name": "backend", "port": 8080, "health_path": "/actuator/health", "cpu": 1024, "memory": 2048,
           "build": {"context": os.path.join(APPS, "backend")}, "service_connect": {"server": True}, "alb": {"path_patterns": ["/api/*"]}}
FRONTEND = {"name": "frontend", "port": 3000, "health_path": "/api/health", "cpu": 512, "memory": 1024,
            "build": {"context": os.path.join(APPS, "frontend")}, "depends_on": ["backend"], "alb": {"default_route": True}}


def topo(services=None, **kwargs):
    args = dict(name="bandup-test", region="us-east-1", active_az="us-east-1a", standby_az="us-east-1b", ecr_prefix="ielts-",
                services=copy.deepcopy(services if services is not None else [FRONTEND, BACKEND]))
    args.update(kwargs)
    return build_topology(**args)


def with_change(index, **change):
    services = copy.deepcopy([BACKEND, FRONTEND])
    services[index].update(change)
    return services


def test_seed_topology_names_and_order():
    result = topo()
    assert [s["name"] for s in result["services"]] == ["backend", "frontend"]  # depends_on first
    backend = result["services"][0]
    assert backend["repository"] == "ielts-bandup-test-backend"  # per deployment (issue J)
    assert backend["family"] == "bandup-test-backend"
    assert backend["log_group"] == "/ecs/bandup-test/backend"
    active, standby = backend["placements"]
    assert (active["standing"], active["az"], active["desired_count"], active["service_name"]) == \
        ("active", "us-east-1a", 2, "bandup-test-backend-a")
    assert (standby["standing"], standby["az"], standby["desired_count"], standby["target_group_name"]) == \
        ("standby", "us-east-1b", 1, "bandup-test-backend-b")
    assert backend["service_connect"] == {"server": True, "discovery_name": "backend", "dns_name": "backend",
                                          "client_alias_port": 8080}
    assert result["tags"] == {"bandup:managed-by": "bandup.ecs", "bandup:deployment": "bandup-test"}
    assert result["active_az_source"] == "inventory"


def test_live_tag_swaps_standings_and_keeps_names():
    result = topo(live_active_az="us-east-1b")
    assert result["active_az"] == "us-east-1b" and result["initial_active_az"] == "us-east-1a"
    placements = {p["service_name"]: (p["standing"], p["desired_count"]) for p in result["services"][0]["placements"]}
    assert placements == {"bandup-test-backend-b": ("active", 2), "bandup-test-backend-a": ("standby", 1)}
    assert result["active_az_source"] == "cluster tag"


def namespaces(result):
    return {p["service_name"]: p["namespace"] for s in result["services"] for p in s["placements"]}


def test_one_cell_per_az_each_with_its_namespace():
    fresh = topo()
    assert fresh["cells"] == [{"az": "us-east-1a", "namespace": "bandup-test"},
                              {"az": "us-east-1b", "namespace": "bandup-test.cell-b"}]
    assert fresh["namespace"] == "bandup-test" and fresh["namespace_az"] == "us-east-1a"
    assert namespaces(fresh) == {"bandup-test-backend-a": "bandup-test", "bandup-test-backend-b": "bandup-test.cell-b",
                                 "bandup-test-frontend-a": "bandup-test", "bandup-test-frontend-b": "bandup-test.cell-b"}
    # a failover moves standings, never a namespace: the cluster's bandup:namespace-az tag keeps the cells
    failed_over = topo(live_active_az="us-east-1b", live_namespace_az="us-east-1a")
    assert namespaces(failed_over) == namespaces(fresh) and failed_over["cells"] == fresh["cells"]


def test_a_deployment_from_before_cells_keeps_its_namespace_in_the_active_cell():
    """No bandup:namespace-az tag yet (one namespace, served by the active backend): the cell active now keeps it,
    even when that is the inventory's standby AZ (the deployment was failed over by the old release)."""
    result = topo(live_active_az="us-east-1b")
    assert result["namespace_az"] == "us-east-1b"
    assert result["cells"] == [{"az": "us-east-1a", "namespace": "bandup-test.cell-a"},
                               {"az": "us-east-1b", "namespace": "bandup-test"}]


def test_live_tag_outside_the_pair_is_refused():
    with pytest.raises(TopologyError, match="bandup_active_az: the cluster's bandup:active-az tag says 'us-east-1c'"):
        topo(live_active_az="us-east-1c")


@pytest.mark.parametrize("cpu,memory", [(cpu, mem) for cpu, mems in FARGATE_SIZES.items() for mem in mems[:1] + mems[-1:]])
def test_valid_fargate_sizes_pass(cpu, memory):
    topo(with_change(0, cpu=cpu, memory=memory))


def test_fargate_pair_error_names_service_and_lists_valid_memory():
    with pytest.raises(TopologyError) as err:
        topo(with_change(0, cpu=512, memory=512))
    assert str(err.value) == ("bandup_services[0] (backend).memory: 512 MiB is not valid with cpu 512 on Fargate; "
                              "valid: 1024, 2048, 3072, 4096")


@pytest.mark.parametrize("services,kwargs,message", [
    (with_change(0, cpu=300), {}, r"bandup_services\[0\] \(backend\)\.cpu: 300 is not a Fargate CPU size"),
    (with_change(0, standby_count=3), {}, r"bandup_services\[0\]\.standby_count: 3 must be between 0 and active_count"),
    (with_change(0, active_count=0), {}, r"bandup_services\[0\]\.active_count"),
    (with_change(1, depends_on=["db"]), {}, r"bandup_services\[1\]\.depends_on: unknown service 'db'"),
    (with_change(0, depends_on=["frontend"]), {}, r"depends_on cycle"),
    (with_change(1, port=8080), {}, r"bandup_services\[1\]\.port: 8080 is also the port of 'backend'"),
    (with_change(1, service_connect={"server": True, "discovery_name": "backend"}), {},
     r"bandup_services\[1\]\.service_connect: 'backend' is already owned by service 'backend'"),
    (with_change(1, service_connect={"server": True, "dns_name": "backend", "client_alias_port": 8080}), {},
     r"'backend:8080' is already owned"),
    (with_change(1, name="backend"), {}, r"bandup_services\[1\]\.name: duplicate service 'backend'"),
    (with_change(1, name="Frontend"), {}, r"bandup_services\[1\]\.name: 'Frontend' must be"),
    (with_change(0, health_path="actuator/health"), {}, r"health_path: 'actuator/health' must start with '/'"),
    (with_change(0, build=None), {}, r"bandup_services\[0\]: set either image or build.context"),
    (with_change(0, build={"context": "/nonexistent"}), {}, r"bandup_services\[0\] \(backend\)\.build\.context: '/nonexistent' is not"),
    (with_change(0, build={"context": APPS + "/backend", "dockerfile": "Nope"}), {},
     r"bandup_services\[0\] \(backend\)\.build\.dockerfile: '.*/Nope' does not exist"),
    (with_change(0, secrets={"DB": "hunter2"}), {}, r"bandup_services\[0\]\.secrets\.DB: must be an SSM"),
    (with_change(1, alb={"default_route": False}), {}, r"bandup_services\[1\]\.alb\.path_patterns: required"),
    (with_change(0, alb={"default_route": True}), {}, r"only one service can have alb.default_route"),
    (with_change(0, health_check={"interval": 1}), {}, r"health_check\.interval: 1 is outside 5-300"),
    (with_change(0, autoscaling={"min_count": 5, "max_count": 2}), {}, r"autoscaling\.min_count: 5 is above max_count"),
    (with_change(0, name="a-very-long-backend-nm"), {}, r"bandup_services\[0\]\.name: .* the limit is 20"),
    (None, {"name": "Bandup"}, r"bandup_name: 'Bandup' must be"),
    (None, {"name": "bandup-deployment-name"}, r"bandup_name: .* the limit is 20"),
    (None, {"active_az": "eu-west-1a"}, r"bandup_active_az: 'eu-west-1a' is not an availability zone of region"),
    (None, {"standby_az": "us-east-1a"}, r"bandup_standby_az: must differ"),
    (None, {"standby_az": "us-east-1f", "azs_in_region": ["us-east-1a", "us-east-1b"]},
     r"bandup_standby_az: 'us-east-1f' is not an availability zone .* \(it has us-east-1a, us-east-1b\)"),
    (None, {"ecr_prefix": "Bad_"}, r"ECR repository 'Bad_bandup-test-backend'"),
    ([], {}, r"bandup_services: at least one service"),
])
def test_bad_input_names_the_variable(services, kwargs, message):
    with pytest.raises(TopologyError, match=message):
        topo(services, **kwargs)


def test_derived_target_group_name_limit_names_both_variables():
    with pytest.raises(TopologyError, match=r"target group 'bandup-test-abcdefghijklmnopqrst-a' from bandup_name"):
        topo(with_change(1, name="abcdefghijklmnopqrst"))


def _spec_defaults(options):
    """Defaults documented in an argument spec, nested dicts flattened like SERVICE_DEFAULTS."""
    out = {}
    for key, spec in options.items():
        if "options" in spec and spec.get("type") == "dict" and key != "build":
            out[key] = _spec_defaults(spec["options"])
        else:
            out[key] = spec.get("default")
    return out


def test_argument_spec_defaults_match_the_code():
    with open(os.path.join(ROOT, "roles", "bandup", "meta", "argument_specs.yml")) as handle:
        spec = yaml.safe_load(handle)["argument_specs"]["topology"]["options"]["bandup_services"]["options"]
    documented = _spec_defaults(spec)
    for key in ("name", "port", "health_path", "cpu", "memory"):
        assert spec[key]["required"] is True
        documented.pop(key)
    assert documented.pop("health_check") == HEALTH_CHECK_DEFAULTS
    expected = dict(SERVICE_DEFAULTS)
    expected.pop("health_check")
    assert documented == expected


def test_the_generic_code_has_no_application_prefix():
    """Without bandup_ecr_prefix the repositories are <bandup_name>-<service>; the Bandup inventories set ielts-."""
    args = dict(name="bandup-test", region="us-east-1", active_az="us-east-1a", standby_az="us-east-1b",
                services=copy.deepcopy([FRONTEND, BACKEND]))
    assert sorted(s["repository"] for s in build_topology(**args)["services"]) == ["bandup-test-backend",
                                                                                   "bandup-test-frontend"]
