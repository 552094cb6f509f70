"""The service role's input to ecs_app_services (plugin_utils/service_entries.py, filters service_apps/service_missing):
every branch of the entries it used to build in Jinja (roles/service/vars/main.yml)."""
import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.bandup.ecs.plugins.filter.service_apps import FilterModule
from ansible_collections.bandup.ecs.plugins.plugin_utils import service_entries as entries
from ansible_collections.bandup.ecs.plugins.module_utils.topology import build_topology

SERVICES = [
    {"name": "frontend", "port": 3000, "health_path": "/api/health", "cpu": 512, "memory": 1024, "image": "nginx",
     "depends_on": ["backend"], "alb": {"default_route": True},
     "autoscaling": {"enabled": True, "cpu_target": 60, "requests_per_target": 500}},
    {"name": "backend", "port": 8080, "health_path": "/h", "cpu": 1024, "memory": 2048, "image": "nginx",
     "service_connect": {"server": True}, "alb": {"path_patterns": ["/api/*"]},
     "autoscaling": {"enabled": True, "memory_target": 70}},
    {"name": "worker", "port": 9000, "health_path": "/h", "cpu": 256, "memory": 512, "image": "nginx",
     "alb": {"enabled": False}, "autoscaling": {"enabled": False}},
]
LB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/bandup-test/50dc6c495c0c9188"


def tg(name, ident):
    return f"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/{name}/{ident}"


NS_A = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1"
NS_B = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-2"
CLUSTER = {"arn": "arn:aws:ecs:us-east-1:123456789012:cluster/bandup-test", "name": "bandup-test",
           "namespace_arn": NS_A, "namespace_name": "bandup-test",
           "namespaces": {"bandup-test": {"arn": NS_A}, "bandup-test.cell-b": {"arn": NS_B}}}
NETWORK = {"vpc_id": "vpc-1", "private_subnets": {"us-east-1a": "subnet-a", "us-east-1b": "subnet-b"},
           "security_groups": {"frontend": "sg-f", "backend": "sg-b", "worker": "sg-w"}}
TDS = {"frontend": {"arn": "arn:aws:ecs:us-east-1:123456789012:task-definition/bandup-test-frontend:1"},
       "backend": {"arn": "arn:aws:ecs:us-east-1:123456789012:task-definition/bandup-test-backend:2",
                   "service_arns": {"bandup-test-backend-b":
                                    "arn:aws:ecs:us-east-1:123456789012:task-definition/bandup-test-backend:1"}},
       "worker": {"arn": "arn:aws:ecs:us-east-1:123456789012:task-definition/bandup-test-worker:3"}}
ALB = {"arn": LB, "listener_arns": [], "target_groups": {
    "bandup-test-frontend-a": tg("bandup-test-frontend-a", "aaa"), "bandup-test-frontend-b": tg("bandup-test-frontend-b", "bbb"),
    "bandup-test-backend-a": tg("bandup-test-backend-a", "ccc"), "bandup-test-backend-b": tg("bandup-test-backend-b", "ddd")}}
SETTINGS = {"deployment_minimum_healthy_percent": 100, "deployment_maximum_percent": 200, "circuit_breaker": True,
            "circuit_breaker_rollback": True, "platform_version": "LATEST", "health_check_grace_period": 60,
            "scale_in_cooldown": 300, "scale_out_cooldown": 60}
FILTERS = FilterModule().filters()


def topology(**live):
    return build_topology("bandup-test", "us-east-1", "us-east-1a", "us-east-1b", copy.deepcopy(SERVICES), **live)


def apps(top=None, **kwargs):
    args = dict(cluster=CLUSTER, network=NETWORK, task_definitions=TDS, alb=ALB, settings=SETTINGS)
    args.update(kwargs)
    return {app["name"]: app for app in FILTERS["service_apps"](top or topology(), **args)}


def test_dependency_order_and_the_steady_standings():
    out = FILTERS["service_apps"](topology(), cluster=CLUSTER, network=NETWORK, task_definitions=TDS, alb=ALB,
                                  settings=SETTINGS)
    assert [app["name"] for app in out] == ["backend", "frontend", "worker"]
    backend = out[0]
    assert backend["active"]["name"] == "bandup-test-backend-a" and backend["standby"]["name"] == "bandup-test-backend-b"
    assert backend["active"]["desired_count"] == 2 and backend["active"]["force_desired_count"] is False
    assert backend["standby"]["desired_count"] == 1 and backend["standby"]["force_desired_count"] is True
    assert backend["active"]["tags"] == {"bandup:managed-by": "bandup.ecs", "bandup:deployment": "bandup-test",
                                         "bandup:service": "backend", "bandup:az": "us-east-1a",
                                         "bandup:standing": "active"}
    assert backend["standby"]["tags"]["bandup:standing"] == "standby"
    assert backend["active"]["network"] == {"subnets": ["subnet-a"], "security_groups": ["sg-b"],
                                            "assign_public_ip": False}
    assert backend["standby"]["network"]["subnets"] == ["subnet-b"]
    assert backend["active"]["capacity_provider_strategy"] == [{"capacity_provider": "FARGATE"}]
    assert backend["active"]["deployment"] == {"minimum_healthy_percent": 100, "maximum_percent": 200,
                                               "circuit_breaker": True, "rollback": True, "alarms": []}
    assert "wait" not in backend["active"] and "wait" not in backend["standby"]


def test_each_cell_has_its_server_and_its_clients_in_its_own_namespace():
    out = apps()
    server = [{"port_name": "backend", "discovery_name": "backend",
               "client_aliases": [{"port": 8080, "dns_name": "backend"}]}]
    # the backend serves backend:8080 in both cells, active and standby alike; nobody carries a redeploy token
    assert out["backend"]["active"]["service_connect"] == {"namespace": NS_A, "services": server}
    assert out["backend"]["standby"]["service_connect"] == {"namespace": NS_B, "services": server}
    for app in ("frontend", "worker"):
        assert out[app]["active"]["service_connect"] == {"namespace": NS_A}
        assert out[app]["standby"]["service_connect"] == {"namespace": NS_B}
    assert not any("deployment_token" in app[standing] for app in out.values() for standing in ("active", "standby"))
    # The namespace names when the cluster role published no ARN yet (check mode on a new deployment).
    named = apps(cluster=dict(CLUSTER, namespaces={}))
    assert named["worker"]["standby"]["service_connect"] == {"namespace": "bandup-test.cell-b"}


def test_after_a_failover_each_cell_keeps_its_namespace():
    out = apps(topology(live_active_az="us-east-1b", live_namespace_az="us-east-1a"))
    assert out["backend"]["active"]["name"] == "bandup-test-backend-b"
    assert out["backend"]["active"]["service_connect"]["namespace"] == NS_B
    assert out["backend"]["standby"]["service_connect"]["namespace"] == NS_A
    assert out["backend"]["standby"]["capacity_provider_strategy"] == [{"capacity_provider": "FARGATE"}]


def test_task_definition_per_service_overrides_the_app_revision():
    out = apps()
    assert out["backend"]["active"]["task_definition"] == TDS["backend"]["arn"]
    assert out["backend"]["standby"]["task_definition"] == TDS["backend"]["service_arns"]["bandup-test-backend-b"]


def test_alb_and_no_alb():
    out = apps()
    assert out["frontend"]["active"]["load_balancers"] == [
        {"target_group_arn": ALB["target_groups"]["bandup-test-frontend-a"], "container_name": "frontend",
         "container_port": 3000}]
    assert out["frontend"]["active"]["health_check_grace_period"] == 60
    assert out["worker"]["active"]["load_balancers"] == []
    assert "health_check_grace_period" not in out["worker"]["active"]
    with pytest.raises(AnsibleFilterError, match="alb_outputs.target_groups: no target group bandup-test-frontend-b"):
        apps(alb=dict(ALB, target_groups={k: v for k, v in ALB["target_groups"].items() if not k.endswith("frontend-b")}))


def test_autoscaling_on_the_active_placement_with_the_requests_label():
    out = apps()
    assert out["frontend"]["active"]["autoscaling"] == {"state": "present", "min_capacity": 2, "max_capacity": 4, "policies": [
        {"name": "cpu", "metric": "cpu", "target_value": 60, "scale_in_cooldown": 300, "scale_out_cooldown": 60},
        {"name": "requests", "metric": "requests", "target_value": 500, "scale_in_cooldown": 300,
         "scale_out_cooldown": 60,
         "resource_label": "app/bandup-test/50dc6c495c0c9188/targetgroup/bandup-test-frontend-a/aaa"}]}
    assert [p["name"] for p in out["backend"]["active"]["autoscaling"]["policies"]] == ["cpu", "memory"]
    for entry in (out["frontend"]["standby"], out["backend"]["standby"], out["worker"]["active"]):
        assert entry["autoscaling"] == {"state": "absent"}


def test_requests_policy_needs_a_target_group_and_well_formed_arns():
    assert entries.requests_label(LB, tg("x", "1")) == "app/bandup-test/50dc6c495c0c9188/targetgroup/x/1"
    with pytest.raises(entries.EntryError, match="resource label"):
        entries.requests_label(tg("x", "1"), LB)
    with pytest.raises(AnsibleFilterError, match="resource label"):
        apps(alb=dict(ALB, arn="not-an-arn"))
    top = topology()
    for app in top["services"]:
        app["alb"]["enabled"] = False
    no_alb = apps(top, alb={})
    assert [p["name"] for p in no_alb["frontend"]["active"]["autoscaling"]["policies"]] == ["cpu"]


def test_each_cell_carries_its_own_alarms_and_the_apps_alarms():
    """Every service gates its deployments on its cell's target group alarms (alb_outputs.alarms) and on the app's own
    bandup_services[].alarms; an app without a load balancer only on its own."""
    services = copy.deepcopy(SERVICES)
    services[1]["alarms"] = ["db-errors", "api-errors"]
    services[2]["alarms"] = ["queue-depth"]
    top = build_topology("bandup-test", "us-east-1", "us-east-1a", "us-east-1b", services)
    names = {g: [f"{g}-5xx-rate", f"{g}-p95-latency"] for g in ALB["target_groups"]}
    out = apps(top, alb=dict(ALB, alarms=names))
    assert out["backend"]["active"]["deployment"]["alarms"] == [
        "api-errors", "bandup-test-backend-a-5xx-rate", "bandup-test-backend-a-p95-latency", "db-errors"]
    assert out["backend"]["standby"]["deployment"]["alarms"] == [
        "api-errors", "bandup-test-backend-b-5xx-rate", "bandup-test-backend-b-p95-latency", "db-errors"]
    assert out["frontend"]["standby"]["deployment"]["alarms"] == [
        "bandup-test-frontend-b-5xx-rate", "bandup-test-frontend-b-p95-latency"]
    assert out["worker"]["active"]["deployment"]["alarms"] == ["queue-depth"]


def test_settings_are_all_required():
    with pytest.raises(AnsibleFilterError, match="settings: missing service_platform_version"):
        apps(settings={k: v for k, v in SETTINGS.items() if k != "platform_version"})


def test_missing_inputs_name_the_variable():
    top = topology()
    assert FILTERS["service_missing"](top, cluster=CLUSTER, network=NETWORK, task_definitions=TDS) == []
    assert FILTERS["service_missing"](top, cluster={"arn": ""}, network={}, task_definitions={"backend": TDS["backend"]}) == [
        "cluster_outputs.arn (run the cluster role)", "network_outputs.vpc_id (run the network role)",
        "task_definition_outputs.frontend.arn (run the task_definition role)",
        "task_definition_outputs.worker.arn (run the task_definition role)"]
    assert len(FILTERS["service_missing"](top, cluster=CLUSTER, network=NETWORK, task_definitions="")) == 3


def test_pre_deploy_only_with_a_command_on_the_apps_container():
    services = copy.deepcopy(SERVICES)
    services[1]["pre_deploy"] = {"command": ["./migrate", "up"]}
    services[2]["pre_deploy"] = {"command": ["true"], "timeout": 60}
    top = build_topology("bandup-test", "us-east-1", "us-east-1a", "us-east-1b", services)
    out = apps(top)
    assert out["frontend"]["pre_deploy"] is None
    # TDS["backend"] carries service_arns: playbooks/rollback.yml goes back to revisions that ran before
    assert out["backend"]["pre_deploy"] is None
    assert out["worker"]["pre_deploy"] == {"command": ["true"], "container": "worker", "timeout": 60}
    deploy = dict(TDS, backend={"arn": TDS["backend"]["arn"]})
    assert apps(top, task_definitions=deploy)["backend"]["pre_deploy"] == {
        "command": ["./migrate", "up"], "container": "backend", "timeout": 600}
