"""plugin_utils/role_inputs.py and its filters: what the roles and playbooks pass to the modules. The expected values
are what the roles' Jinja rendered before it moved here (listeners.json.j2, security_groups.yml.j2,
task_definitions.yml.j2, the image role's vars, the set/for blocks of the alb, ecr, network and task_definition
tasks, the regexes of rollback.yml and failover.yml): checked identical with ansible's templar on five topologies
(both standings, certificates, CIDRs, images) when they moved."""
import copy

import pytest

from ansible_collections.bandup.ecs.plugins.filter.alb_inputs import FilterModule as AlbFilter
from ansible_collections.bandup.ecs.plugins.filter.ecr_inputs import FilterModule as EcrFilter
from ansible_collections.bandup.ecs.plugins.filter.failover_inputs import FilterModule as FailoverFilter
from ansible_collections.bandup.ecs.plugins.filter.image_inputs import FilterModule as ImageFilter
from ansible_collections.bandup.ecs.plugins.filter.network_inputs import FilterModule as NetworkFilter
from ansible_collections.bandup.ecs.plugins.filter.rollback_inputs import FilterModule as RollbackFilter
from ansible_collections.bandup.ecs.plugins.filter.task_definition_inputs import FilterModule as TaskDefinitionFilter
from ansible_collections.bandup.ecs.plugins.plugin_utils import constraints
from ansible_collections.bandup.ecs.plugins.plugin_utils import role_inputs as R
from ansible_collections.bandup.ecs.plugins.module_utils._ec2.network import subnet_problems
from ansible_collections.bandup.ecs.plugins.module_utils.topology import SCALE_FIRST, TRAFFIC_FIRST
from ansible_collections.bandup.ecs.plugins.module_utils.topology import build_topology, rule_priorities
from ansible_collections.bandup.ecs.plugins.module_utils._elbv2.zonal_shift import expires_in_minutes

SERVICES = [
    {"name": "frontend", "port": 3000, "health_path": "/api/health", "cpu": 512, "memory": 1024, "image": "web:1",
     "depends_on": ["backend"], "alb": {"default_route": True}, "environment": {"B": 1, "A": True}},
    {"name": "backend", "port": 8080, "health_path": "/actuator/health", "cpu": 1024, "memory": 2048,
     "service_connect": {"server": True}, "alb": {"path_patterns": ["/api/*", "/v2/*"]},
     "secrets": {"DB": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf"},
     "health_check": {"command": ["CMD", "true"], "interval": 10}},
    {"name": "worker", "port": 9000, "health_path": "/h", "cpu": 256, "memory": 512, "image": "worker:1",
     "depends_on": ["backend"], "alb": {"enabled": False}},
    {"name": "admin", "port": 9001, "health_path": "/h", "cpu": 256, "memory": 512, "image": "admin:1",
     "alb": {"path_patterns": ["/admin/*"], "priority": 5}},
]


@pytest.fixture(name="topology")
def fixture_topology(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    services = copy.deepcopy(SERVICES)
    services[1]["build"] = {"context": str(tmp_path), "args": {"V": "1"}}
    return build_topology(name="bandup-prod", region="eu-west-1", active_az="eu-west-1a", standby_az="eu-west-1b",
                          services=services)


def forward(app, active="a"):
    return [{"target_group": f"bandup-prod-{app}-a", "weight": 100 if active == "a" else 0},
            {"target_group": f"bandup-prod-{app}-b", "weight": 0 if active == "a" else 100}]


def test_rule_priorities_count_every_service_on_the_alb_in_dependency_order(topology):
    assert [s["name"] for s in topology["services"]] == ["backend", "frontend", "worker", "admin"]
    # backend 1st on the ALB, frontend 2nd (the default route: no rule), worker not on it, admin explicit
    assert [(s["name"], p, e) for s, p, e in rule_priorities(topology["services"])] == [
        ("backend", 10, False), ("admin", 5, True)]


def test_the_inventory_check_uses_the_same_priorities():
    clash = copy.deepcopy(SERVICES)
    clash[3]["alb"]["priority"] = 10  # the backend's default: 10 x its place (1st on the ALB)
    assert constraints._priority_problems(clash) == [  # pylint: disable=protected-access
        "bandup_services[3].alb.priority: 10 is also the rule priority of bandup_services[1] (its default); "
        "listener rule priorities are unique"]
    assert constraints._priority_problems(SERVICES) == []  # pylint: disable=protected-access


def test_listeners_without_a_certificate(topology):
    assert R.listeners(topology) == [
        {"port": 80, "default_action": {"forward": forward("frontend")},
         "rules": [{"priority": 10, "path_patterns": ["/api/*", "/v2/*"], "forward": forward("backend")},
                   {"priority": 5, "path_patterns": ["/admin/*"], "forward": forward("admin")}]},
        {"port": 443, "state": "absent"}]


def test_listeners_with_a_certificate_follow_the_standings(topology):
    for svc in topology["services"]:
        for placement in svc["placements"]:
            placement["standing"] = "active" if placement["standing"] == "standby" else "standby"
    https, http = R.listeners(topology, "arn:aws:acm:eu-west-1:1:certificate/x", "ELBSecurityPolicy-TLS13-1-2-2021-06")
    assert http == {"port": 80, "default_action": {"redirect": {"protocol": "HTTPS", "port": "443"}}}
    assert https["port"] == 443 and https["protocol"] == "HTTPS" and https["certificate_arn"].endswith("/x")
    assert https["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["default_action"] == {"forward": forward("frontend", active="b")}
    assert "ssl_policy" not in R.listeners(topology, "arn:x")[0]


def test_listeners_without_a_default_route_answer_a_fixed_response(topology):
    for svc in topology["services"]:
        svc["alb"]["default_route"] = False
    assert R.listeners(topology)[0]["default_action"] == {"fixed_response": {}}
    assert [r["priority"] for r in R.listeners(topology)[0]["rules"]] == [10, 20, 5]


def test_target_groups_per_service_on_the_alb_and_az(topology):
    settings = {"health_check_interval": "15", "health_check_timeout": 5, "healthy_threshold": 2,
                "unhealthy_threshold": 3, "health_check_matcher": 200, "deregistration_delay": 30}
    groups = R.target_groups(topology, settings)
    assert [g["name"] for g in groups] == ["bandup-prod-backend-a", "bandup-prod-backend-b", "bandup-prod-frontend-a",
                                           "bandup-prod-frontend-b", "bandup-prod-admin-a", "bandup-prod-admin-b"]
    assert groups[1] == {
        "name": "bandup-prod-backend-b", "port": 8080, "protocol": "HTTP", "health_check_protocol": "HTTP",
        "health_check_port": "traffic-port", "health_check_path": "/actuator/health", "health_check_interval": 15,
        "health_check_timeout": 5, "healthy_threshold": 2, "unhealthy_threshold": 3, "matcher": "200",
        "deregistration_delay": 30, "tags": {"bandup:service": "backend", "bandup:az": "eu-west-1b"}}


def test_routes(topology):
    assert R.routes(topology) == ["frontend /", "backend /api/* /v2/*", "admin /admin/*"]


def test_security_groups(topology):
    groups = R.security_groups(topology, ["10.0.0.0/8", "192.168.0.0/16"])
    # the load balancer's, plain services in the topology's order, then the Service Connect servers
    assert [g["key"] for g in groups] == ["alb", "frontend", "worker", "admin", "backend"]
    assert groups[0] == {"key": "alb", "name": "bandup-prod-alb", "rules": [
        {"proto": "tcp", "ports": [80], "cidr_ip": "10.0.0.0/8", "rule_desc": "HTTP(S) to the load balancer"},
        {"proto": "tcp", "ports": [80], "cidr_ip": "192.168.0.0/16", "rule_desc": "HTTP(S) to the load balancer"},
        {"proto": "tcp", "ports": [443], "cidr_ip": "10.0.0.0/8", "rule_desc": "HTTP(S) to the load balancer"},
        {"proto": "tcp", "ports": [443], "cidr_ip": "192.168.0.0/16", "rule_desc": "HTTP(S) to the load balancer"}]}
    by_key = {g["key"]: g for g in groups}
    assert by_key["worker"]["rules"] == []  # neither on the ALB nor a server
    assert by_key["frontend"]["rules"] == [{"proto": "tcp", "ports": [3000], "group_name": "bandup-prod-alb",
                                            "rule_desc": "load balancer to frontend"}]
    assert [r["rule_desc"] for r in by_key["backend"]["rules"]] == [
        "load balancer to backend", "frontend to backend (Service Connect)", "worker to backend (Service Connect)",
        "admin to backend (Service Connect)"]
    assert by_key["backend"]["rules"][1]["group_name"] == by_key["frontend"]["name"]
    assert R.security_groups(topology, [])[0]["rules"] is None  # as the template's empty `rules:`


def test_subnets_by_tier_and_adopted_subnet_problems():
    subnets = [{"id": "subnet-1", "availability_zone": "eu-west-1a", "vpc_id": "vpc-1", "tags": {"bandup:tier": "public"}},
               {"id": "subnet-2", "availability_zone": "eu-west-1b", "vpc_id": "vpc-1", "tags": {"bandup:tier": "private"}},
               {"id": "subnet-3", "availability_zone": "eu-west-1b", "vpc_id": "vpc-2", "tags": {"bandup:tier": "x"}},
               {"id": "subnet-4", "availability_zone": "eu-west-1a", "vpc_id": "vpc-1"}]
    assert R.subnets_by_tier(subnets) == {"public": {"eu-west-1a": "subnet-1"}, "private": {"eu-west-1b": "subnet-2"}}
    assert R.adopted_subnet_problems(subnets, {"eu-west-1a": "subnet-1", "eu-west-1b": "subnet-9"},
                                     {"eu-west-1a": "subnet-2", "eu-west-1b": "subnet-3"}, "vpc-1") == [
        "network_public_subnet_ids.eu-west-1b: subnet subnet-9 does not exist",
        "network_private_subnet_ids.eu-west-1a: subnet subnet-2 lies in eu-west-1b, not in eu-west-1a",
        "network_private_subnet_ids.eu-west-1b: subnet subnet-3 belongs to vpc-2, not to network_vpc_id vpc-1"]
    # the network module's words for the same check
    assert subnet_problems([("private_subnet_ids", {"eu-west-1b": "subnet-3"})], {"subnet-3": {"az": "eu-west-1b",
                           "vpc": "vpc-2"}}, "vpc-1", "vpc_id") == [
        "private_subnet_ids.eu-west-1b: subnet subnet-3 belongs to vpc-2, not to vpc_id vpc-1"]


def test_ecr_outputs_and_principals(topology):
    repositories = [{"repository": {"repository_uri": "1.dkr.ecr/x", "repository_arn": "arn:x"}},
                    {"repository": None}, {}, {"repository": {}}]
    out = R.ecr_outputs(topology, repositories)
    assert out["backend"] == {"name": "bandup-prod-backend", "uri": "1.dkr.ecr/x", "arn": "arn:x"}
    assert out["frontend"] == out["worker"] | {"name": "bandup-prod-frontend"} == {
        "name": "bandup-prod-frontend", "uri": None, "arn": None}
    assert R.account_principals(["111122223333", "arn:aws:iam::444455556666:role/pull", "12a"]) == [
        "arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:role/pull", "12a"]


def test_image_specs_and_prebuilt(topology, tmp_path):
    assert R.image_specs(topology) == [{"name": "backend", "repository": "bandup-prod-backend",
                                        "context": str(tmp_path), "dockerfile": "Dockerfile", "args": {"V": "1"},
                                        "target": None}]
    assert R.prebuilt_images(topology)["frontend"] == {"image": "web:1", "digest": None, "tag": None, "changed": False}
    assert "backend" not in R.prebuilt_images(topology)


def test_task_definitions(topology):
    images = {"backend": {"image": "1.dkr.ecr/bandup-prod-backend@sha256:ab"}, "frontend": {"image": ""}}
    backend, frontend, worker, _admin = R.task_definitions(topology, images, {"stop_timeout": 30,
                                                                            "readonly_root_filesystem": False})
    assert backend == {"family": "bandup-prod-backend", "cpu": 1024, "memory": 2048, "container_definitions": [{
        "name": "backend", "image": "1.dkr.ecr/bandup-prod-backend@sha256:ab", "essential": True,
        "portMappings": [{"name": "backend", "containerPort": 8080, "protocol": "tcp", "appProtocol": "http"}],
        "environment": None,
        "secrets": [{"name": "DB", "valueFrom": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf"}],
        "healthCheck": {"command": ["CMD", "true"], "interval": 10, "timeout": 5, "retries": 3, "startPeriod": 60},
        "stopTimeout": 30,
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/bandup-prod/backend",
                                                                 "awslogs-region": "eu-west-1",
                                                                 "awslogs-stream-prefix": "ecs"}}}]}
    container = frontend["container_definitions"][0]
    assert container["image"] == "web:1"  # no image built: the inventory's
    assert container["environment"] == [{"name": "A", "value": "True"}, {"name": "B", "value": "1"}]
    assert container["secrets"] is None and "readonlyRootFilesystem" not in container
    assert container["healthCheck"]["command"] == [
        "CMD-SHELL", "wget -q -O /dev/null http://localhost:3000/api/health || exit 1"]
    readonly = R.task_definitions(topology, {}, {"stop_timeout": 120, "readonly_root_filesystem": True})
    assert readonly[2]["container_definitions"][0]["readonlyRootFilesystem"] is True
    assert readonly[0]["container_definitions"][0]["image"] == ""  # built, not yet: the module keeps the live one
    assert worker["cpu"] == 256


def test_task_role_services_and_outputs(topology):
    services = R.task_role_services(topology, {"backend": {"Version": "2012-10-17", "Statement": []}})
    assert services[0] == {"name": "backend", "family": "bandup-prod-backend", "log_group": "/ecs/bandup-prod/backend",
                           "execution_role": topology["services"][0]["execution_role"],
                           "task_role": topology["services"][0]["task_role"],
                           "secrets": ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf"],
                           "task_policy": {"Version": "2012-10-17", "Statement": []}}
    assert services[1]["task_policy"] is None and services[1]["secrets"] == []
    result = {"task_definitions": [{"arn": "arn:td:7", "revision": 7, "image": "b@sha256:1", "changed": True},
                                   {"image": None, "changed": False}, {"image": "w", "changed": False},
                                   {"image": "a", "changed": False}],
              "changes": [{"resource": "task definition bandup-prod-backend", "action": "register"},
                          {"resource": "role x", "action": "create"}]}
    out = R.task_definition_outputs(topology, result)
    assert out["backend"] == {"arn": "arn:td:7", "family": "bandup-prod-backend", "revision": 7, "image": "b@sha256:1",
                              "changed": True, "changes": [result["changes"][0]]}
    assert out["frontend"] == {"arn": None, "family": "bandup-prod-frontend", "revision": None, "image": None,
                               "changed": False, "changes": []}


@pytest.mark.parametrize("value,minutes", [("2h", 120), ("30m", 30), ("72h", 4320), ("4320m", 4320), ("73h", None),
                                           ("4321m", None), ("0h", None), ("01h", None), ("h", None), ("2d", None),
                                           ("5", None), (" 2h", None)])
def test_zonal_shift_expiry(value, minutes):
    assert expires_in_minutes(value) == minutes
    assert R.failover_inputs("auto", value)["expires_in_valid"] is (minutes is not None)


@pytest.mark.parametrize("shift,order,wanted", [
    ("always", "", True), ("always", SCALE_FIRST, True), ("never", TRAFFIC_FIRST, False),
    ("auto", TRAFFIC_FIRST, True), ("auto", SCALE_FIRST, False), ("auto", "", False), ("auto", None, False)])
def test_failover_zonal_shift_after_the_switch(shift, order, wanted):
    assert R.failover_inputs(shift, "2h", order)["zonal_shift"] is wanted


def test_rollback_words():
    choice = {"problems": ["revision: 9 is not ACTIVE in bandup-prod-backend",
                           "services: bandup-prod-frontend-a has no good revision; name one with revision",
                           "bandup-prod-x: the revision: stays"],
              "services": {"bandup-prod-backend-a": {"current_revision": 3, "revision": 2, "source": "last-good"},
                           "bandup-prod-backend-b": {"current_revision": 4, "revision": 2, "source": "requested"}}}
    out = R.rollback_inputs(choice)
    assert out["problems"] == ("rollback_revision: 9 is not ACTIVE in bandup-prod-backend; rollback_services: "
                               "bandup-prod-frontend-a has no good revision; name one with -e rollback_revision=N; "
                               "bandup-prod-x: the revision: stays")
    assert out["summary"] == ("bandup-prod-backend-a: revision 3 -> 2 (last-good); "
                              "bandup-prod-backend-b: revision 4 -> 2 (requested) ")
    assert R.rollback_inputs({})["summary"] == "" and R.rollback_inputs({})["problems"] == ""


@pytest.mark.parametrize("revision,valid", [(7, True), ("12", True), ("07", False), ("7.5", False), (0, False),
                                            ("x", False), (True, False), (None, False)])
def test_rollback_revision_is_a_number(revision, valid):
    assert R.rollback_inputs({}, revision)["revision_valid"] is valid


def test_the_filters_return_the_same(topology):
    alb = AlbFilter().filters()["alb_inputs"](topology, certificate_arn="arn:c")
    assert alb["listeners"] == R.listeners(topology, "arn:c") and alb["target_groups"] is None
    assert alb["routes"] == R.routes(topology)
    network = NetworkFilter().filters()["network_inputs"](topology, alb_ingress_cidrs=["0.0.0.0/0"])
    assert network["security_groups"] == R.security_groups(topology, ["0.0.0.0/0"])
    assert network["subnets_by_tier"] == {"public": {}, "private": {}} and network["subnet_problems"] == []
    assert EcrFilter().filters()["ecr_inputs"](topology, pull_account_ids=["1"])["pull_principals"] == [
        "arn:aws:iam::1:root"]
    assert ImageFilter().filters()["image_inputs"](topology)["specs"] == R.image_specs(topology)
    td = TaskDefinitionFilter().filters()["task_definition_inputs"](topology, settings={
        "stop_timeout": 30, "readonly_root_filesystem": False})
    assert td["task_definitions"] == R.task_definitions(topology, {}, {"stop_timeout": 30,
                                                                       "readonly_root_filesystem": False})
    assert td["outputs"] is None
    assert FailoverFilter().filters()["failover_inputs"]("auto", "3h", TRAFFIC_FIRST) == {
        "expires_in_valid": True, "zonal_shift": True}
    assert RollbackFilter().filters()["rollback_inputs"]({}, revision="3")["revision_valid"] is True
