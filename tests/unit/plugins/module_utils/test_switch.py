"""module_utils/switch.py: when an app is switched, and the order and shape of the switch's steps (a recording batch
in place of AWS); the module tests (test_ecs_app_services.py) run it against stubbed clients."""
import copy

import pytest

from ansible_collections.bandup.ecs.plugins.module_utils import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.module_utils import switch
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet

NS = "arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-1"
TG_A, TG_B = "arn:aws:elasticloadbalancing:::targetgroup/a/1", "arn:aws:elasticloadbalancing:::targetgroup/b/2"
LISTENERS = ["arn:listener/1", "arn:listener/2"]
SERVER_SC = {"enabled": True, "namespace": NS, "services": [
    {"port_name": "backend", "discovery_name": "backend", "client_aliases": [{"port": 8080, "dns_name": "backend"}]}]}
TOKEN = "backend=x-backend-a;"


def entry(name, standing, count, server=False, tg=None, **extra):
    out = {"name": name, "desired_count": count, "force_desired_count": standing == "standby", "wait": None,
           "availability_zone": "az-" + name[-1],
           "service_connect": copy.deepcopy(SERVER_SC) if server else {"enabled": True, "namespace": NS, "services": None},
           "deployment_token": None if server else TOKEN, "tags": {"bandup:service": "backend"},
           "load_balancers": [{"target_group_arn": tg, "container_name": "backend", "container_port": 8080}] if tg else [],
           "autoscaling": {"state": "present" if standing == "active" else "absent", "min_capacity": 2, "max_capacity": 4,
                           "policies": []}}
    out.update(extra)
    return out


def backend(**standby_extra):
    return {"name": "backend", "active": entry("x-backend-a", "active", 2, server=True, tg=TG_A),
            "standby": entry("x-backend-b", "standby", 1, tg=TG_B, **standby_extra)}


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
    """Stands in for service_batch.Batch: records every step instead of calling AWS."""

    def __init__(self, found, check_mode=False):
        self.found, self.steps = found, []
        self.changes = ChangeSet(check_mode)
        self.results = {}

    def client(self, name):
        return name

    def read(self, names):
        self.steps.append(("read", list(names)))
        return {name: self.found.get(name) for name in names}

    def run(self, entries, live=None, labels=None, target_health=None):
        self.steps.append(("run", copy.deepcopy(entries), labels, target_health))

    def remove_scaling(self, name):
        self.steps.append(("remove_scaling", name))


@pytest.fixture(name="weights")
def fixture_weights(monkeypatch):
    calls = []
    monkeypatch.setattr(switch.elb_listener, "set_weights", lambda elbv2, arn, wanted, changes: calls.append((elbv2, arn, wanted)))
    return calls


def test_steady_state_switches_nothing_and_keeps_the_weights(weights):
    batch = Recorder({"x-backend-a": live("active", True), "x-backend-b": live("standby", False, 1)})
    assert switch.converge_apps(batch, [backend()], LISTENERS) == []
    assert [step[0] for step in batch.steps] == ["read", "run"]
    entries, labels = batch.steps[1][1], batch.steps[1][2]
    assert [e["name"] for e in entries] == ["x-backend-a", "x-backend-b"]
    assert labels == ["apps[0].active", "apps[0].standby"]
    # The module owns the placement tags: standing active/standby, Service Connect server/client.
    assert entries[0]["tags"] == {"bandup:service": "backend", "bandup:standing": "active", "bandup:sc-role": "server"}
    assert entries[1]["tags"] == {"bandup:service": "backend", "bandup:standing": "standby", "bandup:sc-role": "client"}
    assert weights == [("elbv2", arn, {TG_A: 100, TG_B: 0}) for arn in LISTENERS]


def test_deployment_tagged_before_the_rename_converges_without_a_switch(weights):
    """Services carrying only ``bandup:role`` (a release before the rename) that agree with the topology: no switch,
    one steady converge that writes ``bandup:standing``; a switch's step keeps the standing the old tag records."""
    batch = Recorder({"x-backend-a": legacy("active", True), "x-backend-b": legacy("standby", False, 1)})
    assert switch.converge_apps(batch, [backend()], LISTENERS) == []
    assert [step[0] for step in batch.steps] == ["read", "run"]
    assert [e["tags"]["bandup:standing"] for e in batch.steps[1][1]] == ["active", "standby"]
    state = svc.placement_state(legacy("active", True))
    assert state["standing"] == "active"
    assert switch.during(backend()["standby"], state, "standby", False, TOKEN)["tags"]["bandup:standing"] == "active"


def test_missing_services_match_any_standing_and_no_alb_means_no_listener_call(weights):
    app = backend()
    for standing in ("active", "standby"):
        app[standing]["load_balancers"] = []
    batch = Recorder({})
    assert switch.converge_apps(batch, [app], LISTENERS) == []
    assert weights == []


@pytest.mark.parametrize("found, expected", [
    ({"x-backend-a": live("active", True), "x-backend-b": live("standby", False)}, False),
    ({"x-backend-a": live("standby", False), "x-backend-b": live("active", True)}, True),
    # an interrupted switch: the standing already retagged on one side only
    ({"x-backend-a": live("active", True), "x-backend-b": live("active", False)}, True),
    # the standby still serves the endpoint (tags as they should be)
    ({"x-backend-a": live("active", False), "x-backend-b": live("standby", True)}, True),
    # a service without a standing tag is not a difference
    ({"x-backend-a": dict(live("active", True), tags=[]), "x-backend-b": None}, False),
    # tagged by a release before the rename (bandup:role only): read as the standing, so no switch when it agrees...
    ({"x-backend-a": legacy("active", True), "x-backend-b": legacy("standby", False)}, False),
    # ...and a switch interrupted before the upgrade is still found (the endpoint already moved back: tags only)
    ({"x-backend-a": legacy("active", True), "x-backend-b": legacy("active", False)}, True),
    # bandup:standing wins over a leftover bandup:role
    ({"x-backend-a": dict(live("active", True), tags=[{"key": "bandup:standing", "value": "active"},
                                                      {"key": "bandup:role", "value": "standby"}]),
      "x-backend-b": live("standby", False)}, False),
])
def test_needs_switch(found, expected):
    app = {standing: switch.with_standing(backend()[standing], standing) for standing in ("active", "standby")}
    assert switch.needs_switch(dict(app, name="backend"), found) is expected


def test_server_switch_in_order_then_the_steady_converge(weights):
    found = {"x-backend-a": live("standby", False, 1), "x-backend-b": live("active", True)}
    batch = Recorder(found)
    assert switch.converge_apps(batch, [backend()], LISTENERS) == ["backend"]
    kinds = [step[0] for step in batch.steps]
    assert kinds == ["read", "run", "run", "remove_scaling", "read", "run"]
    # 1. the new active scales up as a client (the old one still serves), live standing tag kept, no autoscaling
    (up,), labels, health = batch.steps[1][1:]
    assert up["name"] == "x-backend-a" and labels == ["apps[0].active"] and health == "always"
    assert up["desired_count"] == 2 and up["force_desired_count"] is True and up["autoscaling"] is None
    assert up["service_connect"]["services"] is None and up["deployment_token"] == TOKEN
    assert up["tags"]["bandup:standing"] == "standby" and up["tags"]["bandup:sc-role"] == "client"
    # 2. the weights move to the new active (per listener), before the endpoint moves
    assert weights[:2] == [("elbv2", arn, {TG_A: 100, TG_B: 0}) for arn in LISTENERS]
    # 3. the old active becomes a client, then the new one serves; counts left alone
    old, new = batch.steps[2][1]
    assert batch.steps[2][2] == ["apps[0].standby", "apps[0].active"] and batch.steps[2][3] == "always"
    assert old["name"] == "x-backend-b" and old["service_connect"]["services"] is None
    assert old["deployment_token"] == TOKEN and old["tags"]["bandup:standing"] == "active"
    assert old["tags"]["bandup:sc-role"] == "client"
    assert new["name"] == "x-backend-a" and new["service_connect"]["services"] == SERVER_SC["services"]
    assert new["deployment_token"] is None and new["tags"]["bandup:sc-role"] == "server"
    assert old["desired_count"] is None and new["desired_count"] is None and new["autoscaling"] is None
    # 4. the old active's scalable target goes; then a fresh read and the steady converge (standing tags last)
    assert batch.steps[3] == ("remove_scaling", "x-backend-b")
    steady = batch.steps[5][1]
    assert [e["tags"]["bandup:standing"] for e in steady] == ["active", "standby"]
    assert steady[0]["autoscaling"]["state"] == "present" and steady[1]["desired_count"] == 1
    assert len(weights) == 4  # and the steady weight check


def test_new_active_serves_at_once_when_the_old_one_no_longer_does(weights):
    """An interrupted switch after step 3: the new active scales up as the server; no endpoint move."""
    found = {"x-backend-a": live("standby", True), "x-backend-b": live("active", False)}
    batch = Recorder(found)
    switch.converge_apps(batch, [backend()], LISTENERS)
    assert [step[0] for step in batch.steps] == ["read", "run", "remove_scaling", "read", "run"]
    (up,) = batch.steps[1][1]
    assert up["service_connect"]["services"] == SERVER_SC["services"] and up["tags"]["bandup:sc-role"] == "server"


def test_client_app_switch_has_no_endpoint_step_and_evacuation_keeps_wait_false(weights):
    app = {"name": "frontend", "active": entry("x-frontend-a", "active", 2, tg=TG_A),
           "standby": entry("x-frontend-b", "standby", 1, tg=TG_B, wait=False)}
    batch = Recorder({"x-frontend-a": live("standby", False, 1), "x-frontend-b": live("active", False)})
    assert switch.converge_apps(batch, [app], []) == ["frontend"]
    assert [step[0] for step in batch.steps] == ["read", "run", "remove_scaling", "read", "run"]
    assert batch.steps[4][1][1]["wait"] is False
    assert weights == []  # no listener given


def test_evacuated_server_old_active_is_told_not_waited_for(weights):
    found = {"x-backend-a": live("standby", False, 1), "x-backend-b": live("active", True)}
    batch = Recorder(found)
    switch.converge_apps(batch, [backend(wait=False)], LISTENERS)
    old, new = batch.steps[2][1]
    assert old["wait"] is False and new["wait"] is None


def test_check_mode_does_not_read_again_after_a_switch(weights):
    found = {"x-backend-a": live("standby", False, 1), "x-backend-b": live("active", True)}
    batch = Recorder(found, check_mode=True)
    switch.converge_apps(batch, [backend()], LISTENERS)
    assert [step[0] for step in batch.steps] == ["read", "run", "run", "remove_scaling", "run"]


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
