"""The bandup.ecs.topology filter: the topology of module_utils/topology.py without AWS, for --tags ecr / --tags image runs."""
import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.bandup.ecs.plugins.filter.topology import FilterModule
from ansible_collections.bandup.ecs.plugins.module_utils.topology import build_topology

SERVICES = [
    {"name": "frontend", "port": 3000, "health_path": "/api/health", "cpu": 512, "memory": 1024,
     "image": "nginx", "depends_on": ["backend"], "alb": {"default_route": True}},
    {"name": "backend", "port": 8080, "health_path": "/actuator/health", "cpu": 1024, "memory": 2048,
     "image": "nginx", "service_connect": {"server": True}, "alb": {"path_patterns": ["/api/*"]}},
]
ARGS = dict(name="bandup-test", region="us-east-1", active_az="us-east-1a", standby_az="us-east-1b", ecr_prefix="ielts-")
topology = FilterModule().filters()["topology"]


def test_same_topology_as_the_module_path_and_user_tags_under_ours():
    given = copy.deepcopy(SERVICES)
    out = topology(given, tags={"team": "ielts", "bandup:deployment": "spoofed", "cost": 7}, **ARGS)
    module_path = build_topology(services=copy.deepcopy(SERVICES), tags={"team": "ielts", "cost": 7}, **ARGS)
    assert out == module_path
    assert out["tags"] == {"team": "ielts", "cost": "7", "bandup:managed-by": "bandup.ecs",
                           "bandup:deployment": "bandup-test"}
    assert [s["name"] for s in out["services"]] == ["backend", "frontend"]
    assert out["active_az"] == "us-east-1a" and out["active_az_source"] == "inventory"
    assert given == SERVICES  # the inventory's list is not modified


def test_bad_input_names_the_variable():
    bad = copy.deepcopy(SERVICES)
    bad[1]["memory"] = 1024
    with pytest.raises(AnsibleFilterError, match=r"bandup_services\[1\] \(backend\)\.memory: 1024 MiB is not valid with cpu 1024"):
        topology(bad, **ARGS)
    with pytest.raises(AnsibleFilterError, match="bandup_standby_az"):
        topology(SERVICES, **dict(ARGS, standby_az="us-east-1a"))
