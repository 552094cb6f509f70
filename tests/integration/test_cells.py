"""Each AZ a cell (issue M): a planned failover and a failback move only ALB traffic, never a Service Connect name.

site.yml (a cell per AZ: the backend serves backend:8080 in each cell's namespace) -> failover.yml -> failback.yml,
with the faithful endpoint's reachability probe sampled at every tick: every traffic-serving frontend task reaches
`backend` throughout (0 unreachable ticks), and the request record shows no Service Connect change.
"""
import os
import subprocess

import pytest

from conftest import ROOT, VENV_BIN, recap
from tests.support import faithful
from tests.support.local_deployment import AZ1, AZ2, NAME, client, requests, weights

CELLS = {AZ1: NAME, AZ2: f"{NAME}.cell-b"}


def namespaces(endpoint):
    sd = client(endpoint, "servicediscovery")
    return {ns["Arn"]: ns["Name"] for ns in sd.list_namespaces()["Namespaces"]}


def service_namespaces(endpoint):
    """{service: (namespace name, served endpoints)} from each service's PRIMARY deployment."""
    names = namespaces(endpoint)
    found = client(endpoint, "ecs").describe_services(
        cluster=NAME, services=[f"{NAME}-{app}-{s}" for app in ("backend", "frontend") for s in "ab"])["services"]
    out = {}
    for service in found:
        config = next(d for d in service["deployments"] if d["status"] == "PRIMARY")["serviceConnectConfiguration"]
        served = [f"{a['dnsName']}:{a['port']}" for entry in config.get("services") or [] for a in entry["clientAliases"]]
        out[service["serviceName"]] = (names[config["namespace"]], served)
    return out


def unreachable_ticks(endpoint):
    """Ticks of the probe's history at which a traffic-serving task could not reach an alias it uses."""
    return [entry for entry in faithful.reachability_history(endpoint.url)["history"] if entry["unreachable"]]


def sc_writes(record):
    """UpdateService requests that change Service Connect or force a new deployment."""
    return [(action, body.get("service")) for action, body in record if action == "UpdateService"
            and ("serviceConnectConfiguration" in body or body.get("forceNewDeployment"))]


@pytest.fixture(scope="module")
def converged(endpoint, apps):
    result = endpoint.playbook("site.yml")
    assert result.returncode == 0, result.stdout[-5000:]
    return endpoint


def test_each_cell_has_its_namespace_and_its_backend_serves_there(converged):
    assert set(CELLS.values()) <= set(namespaces(converged).values())
    assert service_namespaces(converged) == {
        f"{NAME}-backend-a": (NAME, ["backend:8080"]), f"{NAME}-backend-b": (f"{NAME}.cell-b", ["backend:8080"]),
        f"{NAME}-frontend-a": (NAME, []), f"{NAME}-frontend-b": (f"{NAME}.cell-b", [])}
    probe = faithful.reachability(converged.url)
    serving = [(t["service"], t["aliases"]) for t in probe["tasks"] if t["service"].startswith(f"{NAME}-frontend")]
    assert serving and all(s == f"{NAME}-frontend-a" and a == {"backend:8080": True} for s, a in serving), probe


@pytest.mark.parametrize("playbook, to", [("playbooks/failover.yml", AZ2), ("playbooks/failback.yml", AZ1)])
def test_planned_switch_keeps_backend_reachable_and_sends_no_service_connect_change(converged, playbook, to):
    faithful.reset_reachability(converged.url)
    converged.start_recording()
    result = converged.playbook(playbook)
    assert result.returncode == 0, result.stdout[-5000:]
    record = requests(converged)
    assert sc_writes(record) == [], sc_writes(record)
    history = faithful.reachability_history(converged.url)["history"]
    assert len(history) > 3, history  # the probe saw the switch happen tick by tick
    assert unreachable_ticks(converged) == [], unreachable_ticks(converged)[:3]
    suffix = "b" if to == AZ2 else "a"
    other = "a" if suffix == "b" else "b"
    assert weights(converged) == {f"{NAME}-backend-{suffix}": 100, f"{NAME}-backend-{other}": 0,
                                  f"{NAME}-frontend-{suffix}": 100, f"{NAME}-frontend-{other}": 0}
    # the cells kept their namespaces; the frontend now serving traffic is the new active cell's
    assert service_namespaces(converged)[f"{NAME}-backend-b"] == (f"{NAME}.cell-b", ["backend:8080"])
    serving = {t["service"] for t in faithful.reachability(converged.url)["tasks"]}
    assert f"{NAME}-frontend-{suffix}" in serving and f"{NAME}-frontend-{other}" not in serving
    converged.start_recording()
    again = converged.playbook("site.yml")
    assert again.returncode == 0 and recap(again.stdout)["changed"] == 0, again.stdout[-5000:]
    assert converged.recorded()["writes"] == []


# The last commit before cells (one namespace, the active backend its only server): the layout to upgrade from.
BEFORE_CELLS = "5cae92ade2c3d0cca1e18cf2f87bb1d8971e9ea8"


def old_release(dest):
    """A checkout of the release before cells in ``dest``, linked as bandup.ecs there."""
    os.makedirs(dest)
    archive = subprocess.run(["git", "archive", BEFORE_CELLS], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-xf", "-", "-C", dest], input=archive, check=True)
    link = os.path.join(dest, ".collections", "ansible_collections", "bandup")
    os.makedirs(link)
    os.symlink("../../..", os.path.join(link, "ecs"))
    return dest


def test_upgrade_from_one_namespace(fresh_endpoint, apps, tmp_path):
    """A deployment made by the release before cells (one namespace, the active backend its only server) converges
    into cells without the traffic-serving frontend ever losing `backend`; the converge after it changes nothing."""
    old = old_release(str(tmp_path / "main"))
    # its own ansible.cfg, so that its collections_path (./.collections) is the old release's code
    # ... and the same application sources as this checkout's (an upgrade changes the collection, not the apps)
    made = subprocess.run([f"{VENV_BIN}/ansible-playbook", "-i", "inventories/local", "site.yml", "-e",
                           f"bandup_fixture_apps={ROOT}/tests/fixtures/apps"], cwd=old,
                          env=dict(fresh_endpoint.env, ANSIBLE_CONFIG=f"{old}/ansible.cfg"), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=900, check=False)
    assert made.returncode == 0, made.stdout[-5000:]
    before = service_namespaces(fresh_endpoint)
    assert before[f"{NAME}-backend-b"] == (NAME, [])  # today's layout: the standby backend a client in one namespace
    faithful.reset_reachability(fresh_endpoint.url)
    fresh_endpoint.start_recording()
    result = fresh_endpoint.playbook("site.yml")
    assert result.returncode == 0, result.stdout[-5000:]
    record = requests(fresh_endpoint)
    # the active cell is not redeployed; only the standby cell moves to its namespace, backend before frontend
    moved = [body["service"] for action, body in record if action == "UpdateService"
             and "serviceConnectConfiguration" in body]
    assert moved == [f"{NAME}-backend-b", f"{NAME}-frontend-b"], moved
    assert not [body for action, body in record if action == "UpdateService"
                and body["service"].endswith("-a") and ("taskDefinition" in body or body.get("forceNewDeployment"))]
    assert service_namespaces(fresh_endpoint) == {
        f"{NAME}-backend-a": (NAME, ["backend:8080"]), f"{NAME}-backend-b": (f"{NAME}.cell-b", ["backend:8080"]),
        f"{NAME}-frontend-a": (NAME, []), f"{NAME}-frontend-b": (f"{NAME}.cell-b", [])}
    history = faithful.reachability_history(fresh_endpoint.url)["history"]
    assert history and [entry for entry in history if entry["unreachable"]] == []
    fresh_endpoint.start_recording()
    again = fresh_endpoint.playbook("site.yml")
    assert again.returncode == 0 and recap(again.stdout)["changed"] == 0, again.stdout[-5000:]
    assert fresh_endpoint.recorded()["writes"] == []
