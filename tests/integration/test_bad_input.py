"""Bad input is refused before any AWS write, with a message naming the variable (issue F's catalogue).

Every case runs the real `ansible-playbook site.yml` against the local endpoint with one invalid setting and
asserts: the run fails, the output names the variable, and the endpoint's request record holds no write.
"""
import copy
import os

import pytest
import yaml

from conftest import ROOT

with open(os.path.join(ROOT, "inventories", "local", "group_vars", "all", "main.yml")) as _handle:
    SERVICES = yaml.safe_load(_handle)["bandup_services"]


def services(index, **change):
    """The local inventory's services with one entry changed (None removes a key)."""
    out = copy.deepcopy(SERVICES)
    for key, value in change.items():
        if value is None:
            out[index].pop(key, None)
        else:
            out[index][key] = value
    return {"bandup_services": out}


CASES = [
    # types and choices (argument specs)
    ("cpu-not-int", services(0, cpu="lots"), "cpu"),
    ("port-not-int", services(1, port="http"), "port"),
    ("services-not-list", {"bandup_services": "backend"}, "bandup_services"),
    ("tags-not-dict", {"bandup_tags": ["env", "prod"]}, "bandup_tags"),
    ("unknown-service-key", services(0, replicas=3), "replicas"),
    ("missing-health-path", services(0, health_path=None), "health_path"),
    ("bad-capacity-provider", services(1, standby_capacity_provider="EC2"), "standby_capacity_provider"),
    ("status-architecture-choice", {"status_architecture": "SPARC"}, "status_architecture"),
    # Fargate sizes
    ("fargate-512-512", services(1, cpu=512, memory=512), "bandup_services[1] (frontend).memory: 512 MiB is not valid "
                                                         "with cpu 512 on Fargate; valid: 1024, 2048, 3072, 4096"),
    ("fargate-cpu", services(0, cpu=300), "bandup_services[0] (backend).cpu: 300 is not a Fargate CPU size"),
    # counts
    ("standby-above-active", services(0, standby_count=3), "bandup_services[0].standby_count"),
    ("no-active-tasks", services(0, active_count=0), "bandup_services[0].active_count"),
    ("autoscaling-min-above-max", services(0, autoscaling={"min_count": 5, "max_count": 2}),
     "bandup_services[0].autoscaling.min_count"),
    # references, uniqueness, ports
    ("unknown-dependency", services(1, depends_on=["database"]), "bandup_services[1].depends_on: unknown service 'database'"),
    ("dependency-cycle", services(0, depends_on=["frontend"]), "depends_on cycle"),
    ("port-conflict", services(1, port=8080), "bandup_services[1].port: 8080 is also the port of 'backend'"),
    ("duplicate-discovery-name", services(1, service_connect={"server": True, "discovery_name": "backend"}),
     "bandup_services[1].service_connect"),
    ("duplicate-endpoint", services(1, service_connect={"server": True, "dns_name": "backend", "client_alias_port": 8080}),
     "bandup_services[1].service_connect"),
    ("duplicate-service", services(1, name="backend"), "bandup_services[1].name: duplicate service 'backend'"),
    # names
    ("service-name-illegal", services(1, name="Front_End"), "bandup_services[1].name"),
    ("service-name-too-long", services(1, name="frontend-for-the-ielts-app"), "bandup_services[1].name"),
    ("deployment-name-illegal", {"bandup_name": "Bandup_Prod"}, "bandup_name"),
    ("deployment-name-too-long", {"bandup_name": "bandup-production-eu-1"}, "bandup_name"),
    ("target-group-name-too-long", {"bandup_name": "bandup-production-eu", **services(1, name="frontend-webapp")},
     "target group"),
    ("ecr-prefix-illegal", {"bandup_ecr_prefix": "IELTS_"}, "bandup_ecr_prefix"),
    ("discovery-name-illegal", services(0, service_connect={"server": True, "discovery_name": "Back.End"}),
     "bandup_services[0].service_connect.discovery_name"),
    # health and routing
    ("health-path-relative", services(0, health_path="actuator/health"), "bandup_services[0].health_path"),
    ("health-interval-range", services(0, health_check={"interval": 1}), "bandup_services[0].health_check.interval"),
    ("no-path-patterns", services(0, alb={"path_patterns": []}), "bandup_services[0].alb.path_patterns"),
    ("two-default-routes", services(0, alb={"default_route": True}), "alb.default_route"),
    # images and secrets
    ("no-image-no-build", services(0, build=None), "bandup_services[0]: set either image or build.context"),
    ("build-context-missing", services(1, build={"context": "/nonexistent/frontend"}),
     "bandup_services[1] (frontend).build.context: '/nonexistent/frontend' is not a directory"),
    ("dockerfile-missing", services(0, build={"context": "{{ bandup_fixture_apps }}/backend", "dockerfile": "Dockerfile.prod"}),
     "bandup_services[0] (backend).build.dockerfile"),
    ("secret-not-an-arn", services(0, secrets={"DB_PASSWORD": "hunter2"}), "bandup_services[0].secrets.DB_PASSWORD"),
    # availability zones
    ("az-other-region", {"bandup_active_az": "eu-west-1a"}, "bandup_active_az: 'eu-west-1a' is not an availability zone"),
    ("az-not-in-region", {"bandup_standby_az": "us-east-1z"}, "bandup_standby_az: 'us-east-1z' is not an availability zone"),
    ("same-az-twice", {"bandup_standby_az": "us-east-1a"}, "bandup_standby_az: must differ"),
]


@pytest.mark.parametrize("extra_vars,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_before_any_write(endpoint, extra_vars, expected):
    endpoint.start_recording()
    result = endpoint.playbook("site.yml", extra_vars=extra_vars)
    assert result.returncode != 0, result.stdout[-2000:]
    assert expected in result.stdout, result.stdout[-3000:]
    assert endpoint.recorded()["writes"] == [], result.stdout[-4000:]


def test_catalogue_is_large_and_distinct():
    assert len(CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)


def test_partial_rollout_checks_the_roles_it_runs(endpoint):
    """--tags ecr checks the shared variables and the ecr role's, before any write; a bad variable of a role the run
    does not select does not stop it; and the topology of an ecr/image-only run is derived without any AWS read
    (no EC2 or ECS call: those roles need neither the AZs nor the live active AZ)."""
    endpoint.start_recording()
    bad_ecr = endpoint.playbook("site.yml", "--tags", "ecr", extra_vars={"ecr_image_tag_mutability": "SOMETIMES"})
    assert bad_ecr.returncode != 0 and "ecr_image_tag_mutability" in bad_ecr.stdout, bad_ecr.stdout[-3000:]
    bad_shared = endpoint.playbook("site.yml", "--tags", "ecr", extra_vars=services(1, cpu=300))
    assert bad_shared.returncode != 0 and "bandup_services[1] (frontend).cpu: 300" in bad_shared.stdout
    assert endpoint.recorded()["writes"] == []
    endpoint.start_recording()
    ecr_only = endpoint.playbook("site.yml", "--tags", "ecr", extra_vars={"alb_deregistration_delay": "forever"})
    assert ecr_only.returncode == 0, ecr_only.stdout[-3000:]
    assert {call["service"] for call in endpoint.recorded()["calls"]} == {"ecr"}
