"""A dry run writes nothing and predicts what the real run then does (issue F, check mode).

On an empty account and on a converged one, `site.yml --check` must make zero mutating calls (the endpoint's
request record), and every task it reports as changed must really change in the run that follows.
"""
import re

import pytest

from conftest import recap

TASK_RE = re.compile(r"^TASK \[(?P<name>.+?)\] \*+$")


def changed_tasks(output):
    """Names of the tasks that reported changed (any item)."""
    changed, task = set(), None
    for line in output.splitlines():
        match = TASK_RE.match(line)
        if match:
            task = match.group("name")
        elif task and line.startswith("changed:"):
            changed.add(task)
    return changed


@pytest.mark.usefixtures("apps")
def test_check_mode_writes_nothing_and_predicts_the_real_run(endpoint):
    endpoint.start_recording()
    dry = endpoint.playbook("site.yml", "--check", "--diff")
    assert dry.returncode == 0, dry.stdout[-5000:]
    assert endpoint.recorded()["writes"] == []
    predicted = changed_tasks(dry.stdout)
    assert predicted, "check mode on an empty account must predict changes"

    real = endpoint.playbook("site.yml")
    assert real.returncode == 0, real.stdout[-5000:]
    assert predicted <= changed_tasks(real.stdout), sorted(predicted - changed_tasks(real.stdout))

    endpoint.start_recording()
    dry = endpoint.playbook("site.yml", "--check", "--diff")
    assert dry.returncode == 0, dry.stdout[-5000:]
    assert endpoint.recorded()["writes"] == []
    assert recap(dry.stdout)["changed"] == 0, sorted(changed_tasks(dry.stdout))
