"""The README's "Against the local endpoint by hand" steps work exactly as written on a fresh clone (issue J).

The lines are read from README.md and run, unchanged, by bash in a fresh copy of the checkout (tracked files and
the new ones git would track). The copy gets this checkout's virtualenv as .venv (what `make setup` would create,
with the same pinned packages), so `make setup` there finds it installed.
"""
import os
import re
import subprocess
import sys

from conftest import ROOT, fresh_clone


def readme_steps():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        text = handle.read()
    match = re.search(r"Against the local endpoint by hand[^\n]*\n(?:[^\n]*\n)*?```\n(.*?)```", text, re.S)
    assert match, "README.md: no 'Against the local endpoint by hand' block"
    return [line for line in match.group(1).splitlines() if line.strip()]


def test_readme_by_hand_steps_run_as_written_on_a_fresh_clone(tmp_path):
    steps = readme_steps()
    assert any("prepare.yml" in step for step in steps), steps  # the fixture contexts, before the image play
    clone = fresh_clone(str(tmp_path / "clone"))
    os.symlink(os.path.realpath(os.path.join(ROOT, ".venv")), os.path.join(clone, ".venv"))
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("ANSIBLE_", "AWS_", "BANDUP_", "MOLECULE_", "PYTEST_"))}
    script = "set -euo pipefail\n" + "\n".join(steps) + "\n"
    try:
        result = subprocess.run(["bash", "-c", script], cwd=clone, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=1500, check=False)
    finally:  # a step that failed leaves the endpoint up: stop it
        subprocess.run([sys.executable, os.path.join(clone, "scripts", "local_endpoint.py"), "down",
                        "--state-dir", os.path.join(clone, ".local")], check=False, capture_output=True)
    assert result.returncode == 0, result.stdout[-6000:]
    recaps = re.findall(r"^localhost\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=(\d+)", result.stdout, re.M)
    assert len(recaps) == 3 and all(failed == "0" for _changed, failed in recaps), recaps  # prepare, site, status
    assert int(recaps[1][0]) > 0  # site.yml made the deployment
    assert "cost    estimate ~" in result.stdout  # the status play's summary, from the deployment just made
