"""A converge killed part way is finished by the next run, with nothing duplicated or orphaned (issue F).

Each case starts `ansible-playbook site.yml` on an empty account and SIGKILLs it at one point of the run, with every
process it started (the worst case, a controller that dies: no handler, no cleanup, modules killed mid-call; since
ansible-core runs each worker in a session of its own, killing the playbook's process group alone would leave the
running module alive). The points are found black-box:
the PLAY header of a play (the play names come from playbooks/*.yml) or a resource appearing on the endpoint.
Then site.yml runs again and must converge, a third run must report changed=0, and the account must hold exactly
the resources of one deployment (tests/support/census.py).
"""
import os
import signal
import subprocess
import threading
import time

import boto3
import pytest
import yaml

from conftest import ROOT, VENV_BIN, recap
from tests.support.census import LOCAL_DEPLOYMENT

pytestmark = pytest.mark.slow


def play_header(playbook):
    """The 'PLAY [...]' line that starts the (first) play of playbooks/<playbook>.yml."""
    with open(os.path.join(ROOT, "playbooks", f"{playbook}.yml")) as handle:
        return f"PLAY [{yaml.safe_load(handle)[0]['name']}]"


def first_service_exists(endpoint):
    ecs = boto3.client("ecs", endpoint_url=endpoint.url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    clusters = ecs.list_clusters()["clusterArns"]
    return any(ecs.list_services(cluster=cluster)["serviceArns"] for cluster in clusters)


def nat_gateway_pending(endpoint):
    ec2 = boto3.client("ec2", endpoint_url=endpoint.url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    return bool(ec2.describe_nat_gateways()["NatGateways"])


# (case id, the play after whose header the kill is armed, what must then be seen on the endpoint, or None)
POINTS = [
    ("mid-network", "network", nat_gateway_pending),
    ("after-ecr", "image", None),
    ("after-cluster", "task_definition", None),
    ("mid-services", "service", first_service_exists),
]


def _children():
    """{ppid: [pid...]} of every process now."""
    tree = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry))
    return tree


def kill_tree(pid):
    """SIGKILL pid and all its descendants, stopped first so none forks away while they are collected."""
    doomed, todo = set(), [pid]
    while todo:
        for proc in todo:
            try:
                os.kill(proc, signal.SIGSTOP)
            except ProcessLookupError:
                pass
        doomed.update(todo)
        tree = _children()
        todo = [child for parent in doomed for child in tree.get(parent, []) if child not in doomed]
    for proc in doomed:
        try:
            os.kill(proc, signal.SIGKILL)
        except ProcessLookupError:
            pass


def converge_killed(endpoint, header, condition, timeout=900):
    """Run site.yml, SIGKILL it and its descendants once `header` was printed and `condition(endpoint)` holds.

    Returns the output up to the kill; fails if the run ended before the point was reached."""
    proc = subprocess.Popen([os.path.join(VENV_BIN, "ansible-playbook"), "-i", "inventories/local", "site.yml"],
                            cwd=ROOT, env=endpoint.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, armed, killed = [], threading.Event(), threading.Event()

    def read():
        for line in proc.stdout:
            lines.append(line)
            if line.startswith(header):
                armed.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if armed.is_set() and (condition is None or condition(endpoint)):
                kill_tree(proc.pid)
                killed.set()
                break
            time.sleep(0.2)
    finally:
        if proc.poll() is None and not killed.is_set():
            kill_tree(proc.pid)
        proc.wait(timeout=60)
        reader.join(timeout=30)
    output = "".join(lines)
    assert killed.is_set(), f"the run ended (rc {proc.returncode}) before the kill point {header}:\n{output[-4000:]}"
    assert proc.returncode == -signal.SIGKILL
    return output


@pytest.mark.usefixtures("apps")
@pytest.mark.parametrize("play, condition", [point[1:] for point in POINTS], ids=[point[0] for point in POINTS])
def test_rerun_after_kill_converges_without_duplicates(fresh_endpoint, play, condition):
    before = converge_killed(fresh_endpoint, play_header(play), condition)
    # Killed inside the intended play, not in a later one.
    assert [line for line in before.splitlines() if line.startswith("PLAY [")][-1].startswith(play_header(play))
    census_at_kill = fresh_endpoint.census()

    rerun = fresh_endpoint.playbook("site.yml")
    assert rerun.returncode == 0, rerun.stdout[-6000:]
    again = fresh_endpoint.playbook("site.yml")
    assert again.returncode == 0, again.stdout[-6000:]
    assert recap(again.stdout)["changed"] == 0, again.stdout[-6000:]
    # Exactly one deployment: nothing the killed run created was created again, or left behind.
    assert fresh_endpoint.census() == LOCAL_DEPLOYMENT, census_at_kill
