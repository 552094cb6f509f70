"""The whole-stack canary through the standby cell (issue N item 2), end to end on the faithful endpoint.

One endpoint for the module: site.yml (rolling, the default), then playbooks/deploy.yml with a new revision of both
apps and ``-e service_release_strategy=canary service_canary_bake_time=1``, in order: a clean canary; an alarm that
fires when the standby cell gets 10% of the traffic (step 1); one that fires at 50% (step 2); a canary killed at its
first step, rerun. The alarms are the cells' own (made by the alb role); the endpoint sets one to ALARM when its
target group gets the armed share of a listener forward (faithful_endpoint/alarm_traffic.py), as a broken release's
5xx alarm would once real traffic reaches it.
"""
import json
import os
import signal
import subprocess
import threading
import time
import urllib.parse
import urllib.request
import uuid

import pytest

from conftest import ROOT, VENV_BIN, recap
from tests.support import faithful
from tests.support.local_deployment import client, ecs_used_before, recorded, services_with, weights

NAME = "bandup-local"
APPS = ("backend", "frontend")
CANARY = {"service_release_strategy": "canary", "service_canary_bake_time": 1}


def state(endpoint):
    """{service name: (revision, desired count)} of the four services."""
    names = [f"{NAME}-{app}-{cell}" for app in APPS for cell in "ab"]
    found = client(endpoint, "ecs").describe_services(cluster=NAME, services=names)["services"]
    return {s["serviceName"]: (int(s["taskDefinition"].rsplit(":", 1)[1]), s["desiredCount"]) for s in found}


def steady_weights():
    return {f"{NAME}-{app}-{cell}": 100 if cell == "a" else 0 for app in APPS for cell in "ab"}


def standby_weights_written(endpoint):
    """The weights of the standby backend's target group in each ModifyRule/ModifyListener of the record, in order."""
    out = []
    for _entry, raw in recorded(endpoint):
        body = urllib.parse.parse_qs(raw)
        if body.get("Action", [""])[0] not in ("ModifyRule", "ModifyListener"):
            continue
        for key, value in body.items():
            if key.endswith(".TargetGroupArn") and f"targetgroup/{NAME}-backend-b/" in value[0]:
                weight = body.get(key[:-len("TargetGroupArn")] + "Weight")
                if weight:
                    out.append(int(weight[0]))
    return out


def release(endpoint, version, **extra):
    endpoint.start_recording()
    return endpoint.playbook("playbooks/deploy.yml", extra_vars=dict(
        CANARY, bandup_services=services_with(**{app: {"RELEASE": version} for app in APPS}), **extra))


@pytest.fixture(scope="module")
def converged(endpoint, apps):
    ecs_used_before(endpoint)
    result = endpoint.playbook("site.yml")
    assert result.returncode == 0, result.stdout[-5000:]
    return endpoint


def test_a_clean_canary_ends_with_both_cells_on_the_new_revision_and_weights_100_0(converged):
    before = state(converged)
    result = release(converged, "c1")
    out = result.stdout
    assert result.returncode == 0, out[-5000:]
    after = state(converged)
    for app in APPS:
        old = before[f"{NAME}-{app}-a"][0]
        assert after[f"{NAME}-{app}-a"] == (old + 1, 2) and after[f"{NAME}-{app}-b"] == (old + 1, 1), after
    assert weights(converged) == steady_weights()
    # real traffic went to the standby cell: 10%, then 50%, then back to 0 (on each forward of its target group)
    written = standby_weights_written(converged)
    assert written and [w for i, w in enumerate(written) if i == 0 or written[i - 1] != w] == [10, 50, 0], written
    for line in (f"progress: canary: step 1/2 (10% to the standby cell), weights active 90 / standby 10, bake 0/1 s, "
                 f"alarms: {NAME}-backend-b-5xx-rate OK, {NAME}-backend-b-p95-latency OK",
                 "progress: canary: step 2/2 (50% to the standby cell), weights active 50 / standby 50, bake 1/1 s"):
        assert line in out, out[-6000:]


def undone(endpoint, result, alarm, step, service):
    out = " ".join(result.stdout.split())
    assert result.returncode != 0, out[-3000:]
    assert (f"canary stopped at {step}: alarm {alarm} (service {service}) in ALARM. All traffic is back on the "
            f"active cell (us-east-1a); the standby cell is back on" in out), out[-3000:]
    assert weights(endpoint) == steady_weights()


@pytest.mark.parametrize("percent, alarm_app, step", [
    (10, "backend", "step 1/2 (10% to the standby cell)"),
    (50, "frontend", "step 2/2 (50% to the standby cell)")])
def test_an_alarm_at_a_step_puts_traffic_and_the_standby_cell_back(converged, percent, alarm_app, step):
    before = state(converged)
    alarm = f"{NAME}-{alarm_app}-b-5xx-rate"
    faithful.alarm_on_traffic(converged.url, alarm, f"{NAME}-{alarm_app}-b", percent)
    try:
        result = release(converged, f"alarm-at-{percent}")
    finally:
        faithful.clear_alarms_on_traffic(converged.url)
        faithful.set_alarm_state(converged.url, alarm, "OK")
    undone(converged, result, alarm, step, f"{NAME}-{alarm_app}-b")
    # the standby cell is back on the active cell's revisions, at its standby counts; the active cell untouched
    assert state(converged) == before
    written = standby_weights_written(converged)
    assert written[-1] == 0 and max(written) == percent, written


def marked_processes(marker):
    """The pids of the processes whose environment carries ``marker`` (this test's runs, the async module included:
    ansible's async wrapper daemonizes, so it is no descendant of ansible-playbook any more)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as handle:
                    if marker.encode() in handle.read().split(b"\0"):
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


def test_an_interrupted_canary_is_restarted_and_finished_by_a_rerun(converged):
    before = state(converged)
    marker = f"BANDUP_CANARY_TEST={uuid.uuid4().hex}"
    command = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "inventories/local", "playbooks/deploy.yml", "-e",
               json.dumps(dict(CANARY, service_canary_bake_time=120, bandup_services=services_with(
                   **{app: {"RELEASE": "interrupted"} for app in APPS})))]
    env = dict(converged.env, **dict([marker.split("=", 1)]))
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, at_step = [], threading.Event()

    def read():
        for line in proc.stdout:
            lines.append(line)
            if "progress: canary: step 1/2" in line:
                at_step.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert at_step.wait(600), "".join(lines)[-5000:]
    finally:
        for pid in marked_processes(marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(timeout=60)
        reader.join(timeout=30)
    time.sleep(1)
    assert not marked_processes(marker)
    # killed at step 1: 10% of the traffic on the standby cell, which runs the new revisions at the active counts
    mid = state(converged)
    assert weights(converged)[f"{NAME}-backend-b"] == 10
    new = {app: mid[f"{NAME}-{app}-b"][0] for app in APPS}  # the revision registered for this release
    assert all(mid[f"{NAME}-{app}-a"] == before[f"{NAME}-{app}-a"] and new[app] > before[f"{NAME}-{app}-a"][0]
               and mid[f"{NAME}-{app}-b"][1] == 2 for app in APPS), mid
    result = release(converged, "interrupted")
    assert result.returncode == 0, result.stdout[-5000:]
    assert "progress: canary: step 1/2" in result.stdout  # restarted from its first step
    updates = [c for c in converged.recorded()["calls"] if c["action"] == "UpdateService"]
    assert len(updates) == 4, updates  # nothing to stage again: the active cell rolls, the standby scales down
    after = state(converged)
    for app in APPS:
        assert after[f"{NAME}-{app}-a"] == (new[app], 2) and after[f"{NAME}-{app}-b"] == (new[app], 1), after
    assert weights(converged) == steady_weights()


def test_after_a_canary_through_site_yml_the_next_converge_is_a_no_op(converged):
    """site.yml with the canary strategy ships a release the same way; the converge after it writes nothing (the
    canary decides from the DescribeServices answer it reads anyway)."""
    extra = dict(CANARY, bandup_services=services_with(**{app: {"RELEASE": "site"} for app in APPS}))
    result = converged.playbook("site.yml", extra_vars=extra)
    assert result.returncode == 0 and "progress: canary: step 2/2" in result.stdout, result.stdout[-4000:]
    converged.start_recording()
    result = converged.playbook("site.yml", extra_vars=extra)
    assert result.returncode == 0 and recap(result.stdout)["changed"] == 0, result.stdout[-4000:]
    record = converged.recorded()
    assert record["writes"] == [] and len(record["calls"]) <= 40, record
    assert "progress: canary" not in result.stdout
