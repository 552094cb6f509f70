"""module_utils/_ecs/switch.py: when an app is switched, and the order and shape of the switch's steps (a recording batch
in place of AWS); the module tests (test_ecs_app_services.py) run it against stubbed clients."""
import copy

import pytest

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import switch
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet

NS = "arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-1"
NS_B = "arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-2"
TG_A, TG_B = "arn:aws:elasticloadbalancing:::targetgroup/a/1", "arn:aws:elasticloadbalancing:::targetgroup/b/2"
LISTENERS = ["arn:listener/1", "arn:listener/2"]
SERVER_SC = {"enabled": True, "namespace": NS, "services": [
    {"port_name": "backend", "discovery_name": "backend", "client_aliases": [{"port": 8080, "dns_name": "backend"}]}]}


def entry(name, standing, count, server=True, tg=None, **extra):
    """An entry of the cell of the name's last letter (a: namespace NS, b: NS_B): a server in both cells."""
    sc = dict(copy.deepcopy(SERVER_SC), namespace=NS if name.endswith("a") else NS_B)
    out = {"name": name, "desired_count": count, "force_desired_count": standing == "standby", "wait": None,
           "availability_zone": "az-" + name[-1],
           "capacity_provider_strategy": [{"capacity_provider": "FARGATE" if standing == "active" else "FARGATE_SPOT",
                                           "weight": 1, "base": 0}],
           "service_connect": sc if server else {"enabled": True, "namespace": sc["namespace"], "services": None},
           "deployment_token": None, "tags": {"bandup:service": "backend"},
           "load_balancers": [{"target_group_arn": tg, "container_name": "backend", "container_port": 8080}] if tg else [],
           "autoscaling": {"state": "present", "min_capacity": 2, "max_capacity": 4, "policies": []}
           if standing == "active" else {"state": "absent"}}
    out.update(extra)
    return out


def backend(**standby_extra):
    return {"name": "backend", "active": entry("x-backend-a", "active", 2, server=True, tg=TG_A),
            "standby": entry("x-backend-b", "standby", 1, server=True, tg=TG_B, **standby_extra)}


def live(standing, server, count=2):
    sc = {"enabled": True, "namespace": NS, "services": [{"portName": "backend", "discoveryName": "backend"}]} \
        if server else {"enabled": True, "namespace": NS}
    return {"serviceName": "x", "status": "ACTIVE", "desiredCount": count, "runningCount": count,
            "tags": [{"key": "bandup:standing", "value": standing}],
            "deployments": [{"id": "d", "status": "PRIMARY", "rolloutState": "COMPLETED", "desiredCount": count,
                             "runningCount": count, "serviceConnectConfiguration": sc}]}


def legacy(standing, server, count=2):
    """A live service as releases before the rename tagged it: ``bandup:role``, no ``bandup:standing``."""
    return dict(live(standing, server, count), tags=[{"key": "bandup:role", "value": standing}])


class Recorder:
    """Stands in for service_batch.Batch: records every step instead of calling AWS. ``health`` is what
    DescribeTargetHealth answers per target group (healthy targets by default)."""

    def __init__(self, found, check_mode=False, health=None):
        self.found, self.steps, self.health = found, [], health or {}
        self.changes = ChangeSet(check_mode)
        self.results = {}

    def client(self, name):
        return name

    def before_writes(self):
        self.asked_before_writes = len(self.steps)  # how many steps came before (module option handoff)

    def read(self, names):
        self.steps.append(("read", list(names)))
        return {name: self.found.get(name) for name in names}

    def run(self, entries, live=None, labels=None, target_health=None, together=None):
        self.steps.append(("run", copy.deepcopy(entries), labels, target_health))
        self.together = together


@pytest.fixture(name="weights")
def fixture_weights(monkeypatch):
    """Records each set_weights call as a step of the batch too (so the order of weights and scaling shows)."""
    calls = []

    def record(elbv2, arn, wanted, changes):
        calls.append((elbv2, arn, wanted))

    monkeypatch.setattr(switch.elb_listener, "set_weights", record)
    return calls


def recorder(monkeypatch, found, check_mode=False, health=None):
    """A Recorder whose set_weights and DescribeTargetHealth calls are steps of it."""
    batch = Recorder(found, check_mode, health)

    def target_health(_elbv2, arn):
        batch.steps.append(("target_health", arn))
        return [{"Target": {"Id": "10.0.0.1"}, "TargetHealth": {"State": batch.health.get(arn, "healthy")}}]

    def set_weights(_elbv2, arn, wanted, _changes):
        batch.steps.append(("weights", arn, wanted))

    monkeypatch.setattr(switch, "target_health", target_health)
    monkeypatch.setattr(switch.elb_listener, "set_weights", set_weights)
    return batch


def test_steady_state_switches_nothing_and_keeps_the_weights(weights):
    batch = Recorder({"x-backend-a": live("active", True), "x-backend-b": live("standby", True, 1)})
    assert switch.converge_apps(batch, [backend()], LISTENERS) == ([], None)
    assert [step[0] for step in batch.steps] == ["read", "run"]
    entries, labels = batch.steps[1][1], batch.steps[1][2]
    assert [e["name"] for e in entries] == ["x-backend-a", "x-backend-b"]
    assert labels == ["apps[0].active", "apps[0].standby"]
    # The module owns the standing tag; each cell keeps its own Service Connect server config.
    assert entries[0]["tags"] == {"bandup:service": "backend", "bandup:standing": "active"}
    assert entries[1]["tags"] == {"bandup:service": "backend", "bandup:standing": "standby"}
    assert entries[0]["service_connect"]["namespace"] == NS and entries[1]["service_connect"]["namespace"] == NS_B
    # a standby placement is waited for only when the run writes to it
    assert "wait_if_written" not in entries[0] and entries[1]["wait_if_written"] is True
    # the app's two cells roll together (written, then waited for together)
    assert batch.together == [2]
    assert weights == [("elbv2", arn, {TG_A: 100, TG_B: 0}) for arn in LISTENERS]


def test_known_weights_that_match_read_no_listener(weights):
    batch = Recorder({"x-backend-a": live("active", True), "x-backend-b": live("standby", True, 1)})
    switch.converge_apps(batch, [backend()], LISTENERS, {"a": 100, "b": 0})
    assert weights == []
    switch.converge_apps(batch, [backend()], LISTENERS, {"a": 0, "b": 100})
    assert weights == [("elbv2", arn, {TG_A: 100, TG_B: 0}) for arn in LISTENERS]


def test_deployment_tagged_before_the_rename_converges_without_a_switch(weights):
    """Services carrying only ``bandup:role`` (a release before the rename) that agree with the topology: no switch,
    one steady converge that writes ``bandup:standing``."""
    batch = Recorder({"x-backend-a": legacy("active", True), "x-backend-b": legacy("standby", False, 1)})
    assert switch.converge_apps(batch, [backend()], LISTENERS) == ([], None)
    assert [step[0] for step in batch.steps] == ["read", "run"]
    assert [e["tags"]["bandup:standing"] for e in batch.steps[1][1]] == ["active", "standby"]


def test_missing_services_match_any_standing_and_no_alb_means_no_listener_call(weights):
    app = backend()
    for standing in ("active", "standby"):
        app[standing]["load_balancers"] = []
    batch = Recorder({})
    assert switch.converge_apps(batch, [app], LISTENERS) == ([], None)
    assert weights == []


@pytest.mark.parametrize("found, expected", [
    ({"x-backend-a": live("active", True), "x-backend-b": live("standby", True)}, False),
    ({"x-backend-a": live("standby", True), "x-backend-b": live("active", True)}, True),
    # an interrupted switch: the standing already retagged on one side only
    ({"x-backend-a": live("active", True), "x-backend-b": live("active", True)}, True),
    # who serves Service Connect is no longer a difference (today's layout: the standby a client)
    ({"x-backend-a": live("active", True), "x-backend-b": live("standby", False)}, False),
    # a service without a standing tag is not a difference
    ({"x-backend-a": dict(live("active", True), tags=[]), "x-backend-b": None}, False),
    # tagged by a release before the rename (bandup:role only): read as the standing, so no switch when it agrees...
    ({"x-backend-a": legacy("active", True), "x-backend-b": legacy("standby", False)}, False),
    # ...and a switch interrupted before the upgrade is still found
    ({"x-backend-a": legacy("active", True), "x-backend-b": legacy("active", False)}, True),
    # bandup:standing wins over a leftover bandup:role
    ({"x-backend-a": dict(live("active", True), tags=[{"key": "bandup:standing", "value": "active"},
                                                      {"key": "bandup:role", "value": "standby"}]),
      "x-backend-b": live("standby", False)}, False),
])
def test_needs_switch(found, expected):
    app = {standing: switch.with_standing(backend()[standing], standing) for standing in ("active", "standby")}
    assert switch.needs_switch(dict(app, name="backend"), found) is expected


def frontend():
    return {"name": "frontend", "active": entry("x-frontend-a", "active", 2, server=False, tg=TG_FA),
            "standby": entry("x-frontend-b", "standby", 1, server=False, tg=TG_FB)}


TG_FA, TG_FB = "arn:aws:elasticloadbalancing:::targetgroup/fa/3", "arn:aws:elasticloadbalancing:::targetgroup/fb/4"
SWITCHED = {"x-backend-a": live("standby", True, 1), "x-backend-b": live("active", True),
            "x-frontend-a": live("standby", False, 1), "x-frontend-b": live("active", False)}


def test_planned_switch_scales_up_moves_traffic_then_sets_the_old_cell_to_standby(monkeypatch):
    batch = recorder(monkeypatch, SWITCHED)
    assert switch.converge_apps(batch, [backend(), frontend()], LISTENERS[:1]) == (
        ["backend", "frontend"], switch.SCALE_FIRST)
    kinds = [step[0] for step in batch.steps]
    assert batch.asked_before_writes == 1  # a switch writes and waits: asked right after the read, before anything
    # the cell being left: its target groups' health read once; then scale up, weights (all apps, one step), standby
    assert kinds == ["read", "target_health", "target_health", "run", "weights", "run", "read", "run", "weights"]
    assert [step[1] for step in batch.steps[1:3]] == [TG_B, TG_FB]
    up, labels, health = batch.steps[3][1:]
    assert [e["name"] for e in up] == ["x-backend-a", "x-frontend-a"] and health == "always"
    assert labels == ["apps[0].active", "apps[1].active"]
    for entry_ in up:
        assert entry_["desired_count"] == 2 and entry_["force_desired_count"] is True and entry_["autoscaling"] is None
        assert entry_["tags"]["bandup:standing"] == "standby"  # the live standing, retagged last
        assert entry_["capacity_provider_strategy"][0]["capacity_provider"] == "FARGATE"
    # the Service Connect config of each cell is the steady one: nothing moves between services
    assert up[0]["service_connect"] == backend()["active"]["service_connect"]
    assert batch.steps[4][2] == {TG_A: 100, TG_B: 0, TG_FA: 100, TG_FB: 0}
    down = batch.steps[5][1]
    assert [e["name"] for e in down] == ["x-backend-b", "x-frontend-b"]
    for entry_ in down:
        assert entry_["wait"] is False and entry_["capacity_redeploy"] is True and entry_["desired_count"] == 1
        assert entry_["capacity_provider_strategy"][0]["capacity_provider"] == "FARGATE_SPOT"
        assert entry_["tags"]["bandup:standing"] == "standby"
    # the old active's scalable target goes with its standby entry (autoscaling absent)
    assert all(entry_["autoscaling"] == {"state": "absent"} for entry_ in down)
    steady = batch.steps[7][1]
    assert [e["tags"]["bandup:standing"] for e in steady] == ["active", "standby", "active", "standby"]
    # the steady converge: backend's two cells together, then frontend's (dependency order)
    assert [e["name"] for e in steady] == ["x-backend-a", "x-backend-b", "x-frontend-a", "x-frontend-b"]
    assert batch.together == [2, 2]


def test_outage_switch_moves_traffic_first_and_redeploys_nothing_in_the_old_cell(monkeypatch):
    batch = recorder(monkeypatch, SWITCHED, health={TG_B: "unhealthy"})
    assert switch.converge_apps(batch, [backend(), frontend()], LISTENERS[:1])[1] == switch.TRAFFIC_FIRST
    kinds = [step[0] for step in batch.steps]
    assert kinds == ["read", "target_health", "target_health", "weights", "run", "run", "read", "run", "weights"]
    assert all(e["capacity_redeploy"] is False and e["wait"] is False for e in batch.steps[5][1])


def test_check_mode_does_not_read_again_after_a_switch(monkeypatch):
    batch = recorder(monkeypatch, SWITCHED, check_mode=True)
    switch.converge_apps(batch, [backend(), frontend()], LISTENERS[:1])
    assert "read" not in [step[0] for step in batch.steps[1:]]


def test_repeated_names_fail_before_any_read():
    batch = Recorder({})
    with pytest.raises(svc.ServiceError, match="apps: backend given more than once"):
        switch.converge_apps(batch, [backend(), backend()], [])
    other = backend()
    other["name"] = "other"
    with pytest.raises(svc.ServiceError, match=r"apps\[\].active/standby: x-backend-a, x-backend-b given more than once"):
        switch.converge_apps(batch, [backend(), other], [])
    assert batch.steps == []


def test_outputs_name_az_and_arn_per_standing():
    batch = Recorder({})
    batch.results = {"x-backend-a": {"service": {"service_arn": "arn:a"}}, "x-backend-b": {"service": {}}}
    assert switch.outputs(batch, [backend()]) == {"backend": {
        "active": {"name": "x-backend-a", "az": "az-a", "arn": "arn:a"},
        "standby": {"name": "x-backend-b", "az": "az-b", "arn": ""}}}
