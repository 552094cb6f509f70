"""Failover while the active AZ is down (issues I and M), on the faithful endpoint's AZ impairment switch with
today's ECS (unhealthy tasks are replaced first: in the impaired AZ the old tasks stay RUNNING and unhealthy, and
the services there look steady).

site.yml -> AZ-1 impaired -> failover.yml (its target groups have no healthy target: the ALB weights move first,
then AZ-2's cell scales up; nothing waits on AZ-1; no Service Connect change) -> failover.yml again and site.yml
during the outage (no write, nothing waits on AZ-1) -> AZ-1 restored -> site.yml -> failback.yml -> site.yml
changes nothing. Every step is checked by reading the endpoint back (boto3), its request record and its
reachability probe.
"""
import json

import pytest

from conftest import recap
from tests.support import faithful
from tests.support.local_deployment import (
    AZ1, AZ2, NAME, SERVICES, cluster_tags, names_of, primary, requests, scalable, sc_servers, services, weights)

# The bound on the failover's DescribeServices polls during the outage: a wait on the impaired AZ's deployments would
# poll until service_wait_timeout (900 polls at service_wait_delay 1).
MAX_FAILOVER_POLLS = 40


def time_passes(endpoint, until, polls=10):
    """Poll DescribeServices (the endpoint's clock) until ``until(services)`` holds, as minutes would pass on AWS."""
    for _ in range(polls):
        if until(services(endpoint)):
            return
    pytest.fail("the services did not get there: " + json.dumps(faithful.state(endpoint.url))[:3000])


@pytest.fixture(scope="module")
def converged(endpoint, apps):
    result = endpoint.playbook("site.yml")
    assert result.returncode == 0, result.stdout[-5000:]
    assert sorted(sc_servers(endpoint)["backend:8080"]) == [f"{NAME}-backend-a", f"{NAME}-backend-b"]
    return endpoint


@pytest.fixture(scope="module")
def evacuated(converged):
    """AZ-1 impaired (its targets unhealthy at once; with today's ECS its old tasks stay RUNNING), some ticks pass,
    then failover.yml with its defaults; the request record of that run."""
    faithful.impair_az(converged.url, AZ1)
    for _ in range(3):
        services(converged)  # time passes
    faithful.reset_reachability(converged.url)
    converged.start_recording()
    result = converged.playbook("playbooks/failover.yml")
    assert result.returncode == 0, result.stdout[-6000:]
    return requests(converged)


def test_failover_moves_the_weights_first_and_never_waits_on_the_impaired_az(converged, evacuated):
    elb = [call["action"] for call in converged.recorded()["calls"] if call["service"] == "elasticloadbalancing"]
    ecs_writes = [i for i, (action, _body) in enumerate(evacuated) if action in ("UpdateService", "TagResource")]
    # the first write of the switch is the weights: no ECS service write before the ALB one
    calls = converged.recorded()["calls"]
    first_weights = next(i for i, c in enumerate(calls) if c["action"] in ("ModifyRule", "ModifyListener"))
    first_service_write = next(i for i, c in enumerate(calls) if c["action"] == "UpdateService")
    assert first_weights < first_service_write, calls
    assert "DescribeTargetHealth" in elb and ecs_writes
    polls = [names_of(body) for action, body in evacuated if action == "DescribeServices"]
    assert len(polls) <= MAX_FAILOVER_POLLS, len(polls)
    # A wait polls one service again and again; an impaired AZ's service is read alone only once, right after a
    # write to it (the answer the module reports), never polled.
    impaired = {f"{NAME}-backend-a", f"{NAME}-frontend-a"}
    for i, (action, body) in enumerate(evacuated):
        if action == "DescribeServices" and len(names_of(body)) == 1 and names_of(body)[0] in impaired:
            before = evacuated[i - 1]
            assert names_of(body)[0] in names_of(before[1]) + [before[1].get("resourceArn", "").rsplit("/", 1)[-1]]
    # no Service Connect change and no forced deployment anywhere
    assert [body for action, body in evacuated if action == "UpdateService" and (
        "serviceConnectConfiguration" in body or body.get("forceNewDeployment"))] == []
    # the impaired AZ's services were written to (standby count, capacity provider), not waited for
    written = {names_of(body)[0] for action, body in evacuated if action == "UpdateService"}
    assert impaired <= written, written


def test_failover_moves_traffic_to_the_healthy_cell(converged, evacuated):
    assert weights(converged) == {f"{NAME}-backend-a": 0, f"{NAME}-backend-b": 100,
                                  f"{NAME}-frontend-a": 0, f"{NAME}-frontend-b": 100}
    # each cell still serves backend:8080 in its own namespace
    assert sorted(sc_servers(converged)["backend:8080"]) == [f"{NAME}-backend-a", f"{NAME}-backend-b"]
    live = services(converged)
    for name in (f"{NAME}-backend-b", f"{NAME}-frontend-b"):
        assert primary(live[name])["rolloutState"] == "COMPLETED" and live[name]["runningCount"] == 2, name
    for name in (f"{NAME}-backend-a", f"{NAME}-frontend-a"):
        assert live[name]["desiredCount"] == 1, name
    assert {t["key"]: t["value"] for t in live[f"{NAME}-backend-a"]["tags"]}["bandup:standing"] == "standby"
    assert scalable(converged) == [f"{NAME}-backend-b", f"{NAME}-frontend-b"]
    assert cluster_tags(converged)["bandup:active-az"] == AZ2
    # the healthy cell's frontend reaches backend in its own namespace; unreachable ticks only before the weights
    # moved (the history starts with the failover)
    probe = faithful.reachability(converged.url)
    assert probe["unreachable"] == [], probe
    assert {t["service"] for t in probe["tasks"]} >= {f"{NAME}-frontend-b"}
    history = faithful.reachability_history(converged.url)["history"]
    bad = [i for i, entry in enumerate(history) if entry["unreachable"]]
    good = [i for i, entry in enumerate(history) if not entry["unreachable"]]
    assert not bad or not good or max(bad) < min(good), history
    # the weights moved at the switch's first write: the only unreachable ticks are those of the failover's first
    # read of the services (one DescribeServices naming all four: a tick each), before any write (docs/failover.md)
    print(f"outage failover: {len(bad)} unreachable ticks of {len(history)}")
    assert len(bad) <= len(SERVICES), [history[i] for i in bad]


def test_rerun_and_converge_during_the_outage_change_nothing(converged, evacuated):
    for playbook in ("playbooks/failover.yml", "site.yml"):
        converged.start_recording()
        result = converged.playbook(playbook)
        assert result.returncode == 0, result.stdout[-5000:]
        assert recap(result.stdout)["changed"] == 0, result.stdout[-5000:]
        assert converged.recorded()["writes"] == [], playbook
        polls = [a for a, _ in requests(converged) if a == "DescribeServices"]
        assert len(polls) <= MAX_FAILOVER_POLLS, (playbook, len(polls))
    assert weights(converged)[f"{NAME}-backend-b"] == 100


def test_after_the_outage_converge_and_failback_work_and_a_converge_changes_nothing(converged, evacuated):
    faithful.restore_az(converged.url, AZ1)
    time_passes(converged, lambda live: all(primary(live[f"{NAME}-{app}-a"])["rolloutState"] == "COMPLETED"
                                            and live[f"{NAME}-{app}-a"]["runningCount"] >= 1
                                            for app in ("backend", "frontend")), polls=20)
    result = converged.playbook("site.yml")
    assert result.returncode == 0, result.stdout[-5000:]
    faithful.reset_reachability(converged.url)
    result = converged.playbook("playbooks/failback.yml")
    assert result.returncode == 0, result.stdout[-5000:]
    assert weights(converged) == {f"{NAME}-backend-a": 100, f"{NAME}-backend-b": 0,
                                  f"{NAME}-frontend-a": 100, f"{NAME}-frontend-b": 0}
    assert [e for e in faithful.reachability_history(converged.url)["history"] if e["unreachable"]] == []
    assert cluster_tags(converged)["bandup:active-az"] == AZ1
    converged.start_recording()
    final = converged.playbook("site.yml")
    assert final.returncode == 0 and recap(final.stdout)["changed"] == 0, final.stdout[-5000:]
    assert converged.recorded()["writes"] == []
