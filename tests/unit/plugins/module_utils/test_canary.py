"""module_utils/_ecs/canary.py: when a release is canaried (from the reads already made), the order of its steps, what an
alarm at a step or during a bake undoes, check mode (a recording batch in place of AWS, a fake clock)."""
import copy

import pytest

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import canary

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import switch
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.ecs_service import ServiceError

TD = "arn:aws:ecs:eu-west-1:123456789012:task-definition/x-{}:{}"
LISTENERS = ["arn:listener/1"]


def tg(name):
    return f"arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/{name}/1"


def entry(app, cell, standing, revision):
    name = f"x-{app}-{cell}"
    return {"name": name, "task_definition": TD.format(app, revision), "desired_count": 2 if standing == "active" else 1,
            "force_desired_count": standing == "standby", "availability_zone": f"eu-west-1{cell}", "wait": None,
            "deployment": {"alarms": [f"{name}-5xx-rate", f"{name}-p95-latency"]},
            "load_balancers": [{"target_group_arn": tg(name), "container_name": app, "container_port": 80}],
            "tags": {"bandup:standing": standing},
            "autoscaling": {"state": "present"} if standing == "active" else {"state": "absent"}}


def apps(revision=2):
    return [{"name": app, "active": entry(app, "a", "active", revision), "standby": entry(app, "b", "standby", revision)}
            for app in ("backend", "frontend")]


def live(revision=1, standby_revision=None):
    out = {}
    for app in ("backend", "frontend"):
        for cell, rev in (("a", revision), ("b", standby_revision or revision)):
            out[f"x-{app}-{cell}"] = {"serviceName": f"x-{app}-{cell}", "taskDefinition": TD.format(app, rev)}
    return out


class Recorder:
    """Stands in for service_batch.Batch: records runs, reads and weights; ``fail_run`` raises at that run."""

    def __init__(self, check_mode=False, fail_run=None):
        self.changes = ChangeSet(check_mode, True)
        self.steps, self.fail_run, self.runs = [], fail_run, 0
        self.progress_lines = []
        self.progress = self.progress_lines.append
        self.results = {}

    def client(self, name):
        return name

    def read(self, names):
        self.steps.append(("read", list(names)))
        return live(2)

    def run(self, entries, live_state=None, labels=None, target_health=None, together=None):
        self.runs += 1
        self.steps.append(("run", copy.deepcopy(entries)))
        self.together = together
        if self.fail_run == self.runs:
            raise ServiceError("x-backend-b: deployment failed: tasks exited", services={})


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def set_weights(batch, listener_arns, wanted):
    batch.steps.append(("weights", {k.split("/")[-2]: v for k, v in wanted.items()}))


@pytest.fixture(name="alarm_states")
def fixture_alarm_states(monkeypatch):
    """The alarm states the canary reads: ``firing`` maps an alarm to the read (1-based) from which it is in ALARM."""
    reads, firing = [], {}

    def states(_cw, names):
        reads.append(sorted(names))
        return {n: "ALARM" if n in firing and len(reads) >= firing[n] else "OK" for n in names}

    monkeypatch.setattr(canary.alarms, "states", states)
    return reads, firing


def release(clock, **kwargs):
    return canary.Release("canary", kwargs.pop("steps", [10, 50]), kwargs.pop("bake", 4), poll=2, sleep=clock.sleep,
                          clock=clock, **kwargs)


def weights_of(percent):
    return {f"x-{app}-{cell}": (percent if cell == "b" else 100 - percent)
            for app in ("backend", "frontend") for cell in "ab"}


def test_a_release_is_found_from_the_reads_already_made():
    assert canary.releasing(apps(1), live(1)) == []
    assert canary.releasing(apps(2), live(1)) == ["backend", "frontend"]
    one = apps(1)
    one[1] = apps(2)[1]
    assert canary.releasing(one, live(1)) == ["frontend"]
    # a first deployment (no live service) or a name to resolve is no canary
    assert canary.releasing(apps(2), {}) == []
    named = apps(2)
    named[0]["active"]["task_definition"] = "x-backend:2"
    assert canary.releasing(named, live(1)) == ["frontend"]


def test_only_the_canary_strategy_without_a_switch_canaries():
    assert canary.Release("rolling").wanted(apps(2), live(1), []) == []
    assert canary.Release("canary").wanted(apps(2), live(1), [(0, apps()[0])]) == []
    assert canary.Release("canary").wanted(apps(2), live(1), []) == ["backend", "frontend"]


@pytest.mark.parametrize("steps, bake, message", [
    ([], 5, "service_canary_steps: [] must be a non-empty list of percentages between 1 and 99"),
    ([10, 100], 5, "service_canary_steps: [10, 100] must be a non-empty list"),
    ([50, 10], 5, "service_canary_steps: [50, 10] must increase step by step"),
    ([10, True], 5, "service_canary_steps"),
    ([10], -1, "service_canary_bake_time: -1 must be a number of seconds from 0 to 86400"),
    ([10], "5", "service_canary_bake_time: '5' must be"),
])
def test_bad_settings_are_named(steps, bake, message):
    assert any(p.startswith(message) for p in canary.check(steps, bake)), canary.check(steps, bake)


def test_a_bad_release_strategy_fails_before_any_call():
    with pytest.raises(ServiceError, match="release_strategy: 'blue' must be one of rolling, canary"):
        canary.Release("blue")
    with pytest.raises(ServiceError, match="canary_steps: \\[60, 40\\] must increase"):
        canary.Release("canary", [60, 40])


def test_happy_path_stages_steps_bakes_promotes_and_returns_the_standby(alarm_states):
    reads, _firing = alarm_states
    clock, batch = Clock(), Recorder()
    report = release(clock).run(batch, apps(2), live(1), LISTENERS, set_weights, switch.weights(apps(2)))
    kinds = [step[0] for step in batch.steps]
    assert kinds == ["run", "weights", "weights", "read", "run", "weights", "read", "run"]
    staged = batch.steps[0][1]
    assert [(e["name"], e["desired_count"], e["task_definition"].rsplit(":", 1)[1]) for e in staged] == [
        ("x-backend-b", 2, "2"), ("x-frontend-b", 2, "2")]  # the standby cell at the active counts, new revisions
    assert batch.steps[1][1] == weights_of(10) and batch.steps[2][1] == weights_of(50)
    assert [e["name"] for e in batch.steps[4][1]] == ["x-backend-a", "x-frontend-a"]  # promote: the active cell
    assert batch.steps[5][1] == weights_of(0)  # weights back to 100/0 before the standby scales down
    assert [(e["name"], e["desired_count"]) for e in batch.steps[7][1]] == [("x-backend-b", 1), ("x-frontend-b", 1)]
    # alarms read after staging, at each step and every 2 s of each 4 s bake: 1 + 2 * 3
    assert len(reads) == 7 and reads[0] == sorted(["x-backend-b-5xx-rate", "x-backend-b-p95-latency",
                                                  "x-frontend-b-5xx-rate", "x-frontend-b-p95-latency"])
    assert clock.now == 8
    assert report["outcome"] == "released" and report["revisions"] == {"backend": "x-backend:2",
                                                                       "frontend": "x-frontend:2"}
    assert report["last_good"] == {"backend": "x-backend:1", "frontend": "x-frontend:1"}
    assert ("canary: step 2/2 (50% to the standby cell), weights active 50 / standby 50, bake 4/4 s, alarms: "
            "x-backend-b-5xx-rate OK, x-backend-b-p95-latency OK, x-frontend-b-5xx-rate OK, "
            "x-frontend-b-p95-latency OK") in batch.progress_lines


@pytest.mark.parametrize("fires_at, step", [(2, "step 1/2 (10% to the standby cell)"),  # when step 1 is set
                                            (4, "step 1/2 (10% to the standby cell)"),  # at the end of its bake
                                            (5, "step 2/2 (50% to the standby cell)"),  # when step 2 is set
                                            (6, "step 2/2 (50% to the standby cell)")])  # during its bake
def test_an_alarm_at_a_step_or_its_bake_undoes_the_canary(alarm_states, fires_at, step):
    _reads, firing = alarm_states
    firing["x-frontend-b-5xx-rate"] = fires_at
    clock, batch = Clock(), Recorder()
    with pytest.raises(canary.CanaryError) as raised:
        release(clock).run(batch, apps(2), live(1), LISTENERS, set_weights, switch.weights(apps(2)))
    err = raised.value
    assert err.message.startswith(f"canary stopped at {step}: alarm x-frontend-b-5xx-rate (service x-frontend-b) "
                                  "in ALARM. All traffic is back on the active cell (eu-west-1a); the standby cell is "
                                  "back on x-backend:1, x-frontend:1 at its standby counts"), err.message
    assert err.kwargs["canary_step"] == step and err.kwargs["alarms_in_alarm"] == ["x-frontend-b-5xx-rate"]
    weights = [s[1] for s in batch.steps if s[0] == "weights"]
    assert weights[-1] == weights_of(0)  # back in one step
    runs = [s[1] for s in batch.steps if s[0] == "run"]
    assert len(runs) == 2  # staged, then undone: the active cell is never touched
    assert [(e["name"], e["desired_count"], e["task_definition"].rsplit(":", 1)[1], e["deployment"]["alarms"])
            for e in runs[1]] == [("x-backend-b", 1, "1", []), ("x-frontend-b", 1, "1", [])]


def test_an_alarm_already_firing_after_staging_moves_no_traffic(alarm_states):
    _reads, firing = alarm_states
    firing["x-backend-b-p95-latency"] = 1
    batch = Recorder()
    with pytest.raises(canary.CanaryError, match="staging the standby cell .before any traffic.: alarm "
                                                 "x-backend-b-p95-latency .service x-backend-b. in ALARM"):
        release(Clock()).run(batch, apps(2), live(1), LISTENERS, set_weights, switch.weights(apps(2)))
    assert [s[1] for s in batch.steps if s[0] == "weights"] == [weights_of(0)]


@pytest.mark.parametrize("fail_run, step", [(1, "staging the standby cell (before any traffic)"),
                                            (2, "promoting (the active cell takes the new revisions)")])
def test_a_failed_deployment_undoes_the_canary_naming_the_step(alarm_states, fail_run, step):
    batch = Recorder(fail_run=fail_run)
    with pytest.raises(canary.CanaryError) as raised:
        release(Clock()).run(batch, apps(2), live(1), LISTENERS, set_weights, switch.weights(apps(2)))
    assert raised.value.message.startswith(f"canary stopped at {step}: x-backend-b: deployment failed")
    assert [s[1] for s in batch.steps if s[0] == "weights"][-1] == weights_of(0)
    assert [e["task_definition"].rsplit(":", 1)[1] for e in batch.steps[-1][1]] == ["1", "1"]


def test_a_failed_undo_says_so_and_how_to_finish(alarm_states):
    alarm_states[1]["x-backend-b-5xx-rate"] = 2
    batch = Recorder(fail_run=2)
    with pytest.raises(canary.CanaryError, match="Undoing the canary failed too: x-backend-b: deployment failed"):
        release(Clock()).run(batch, apps(2), live(1), LISTENERS, set_weights, switch.weights(apps(2)))


def test_check_mode_writes_nothing_reads_no_alarm_and_shows_the_plan(alarm_states):
    reads, _firing = alarm_states
    batch = Recorder(check_mode=True)
    report = release(Clock()).run(batch, apps(2), live(1), LISTENERS, set_weights, switch.weights(apps(2)))
    assert batch.steps == [] and reads == [] and report["outcome"] == "planned"
    assert batch.changes.result()["diff"]["after"]["canary"]["steps"] == [10, 50]


class SwitchRecorder(Recorder):
    def __init__(self, found, **kwargs):
        super().__init__(**kwargs)
        self.found = found

    def read(self, names):
        self.steps.append(("read", list(names)))
        return {n: dict(self.found[n], status="ACTIVE", desiredCount=1, tags=[{"key": "bandup:standing",
                                                              "value": "active" if n.endswith("a") else "standby"}])
                for n in names}


def test_converge_apps_without_a_release_reads_once_and_converges_as_before(monkeypatch, alarm_states):
    monkeypatch.setattr(switch.elb_listener, "set_weights", lambda *a: None)
    batch = SwitchRecorder(live(2))
    assert switch.converge_apps(batch, apps(2), LISTENERS, release=release(Clock())) == ([], None)
    assert [s[0] for s in batch.steps] == ["read", "run"] and alarm_states[0] == []


def test_converge_apps_with_a_release_runs_the_canary_and_no_second_steady_converge(monkeypatch, alarm_states):
    monkeypatch.setattr(switch.elb_listener, "set_weights", lambda *a: None)
    batch = SwitchRecorder(live(1))
    rel = release(Clock())
    assert switch.converge_apps(batch, apps(2), LISTENERS, release=rel) == ([], None)
    assert rel.report["outcome"] == "released"
    assert [s[0] for s in batch.steps].count("run") == 3  # staged, promoted, standby to its counts
