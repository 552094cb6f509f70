"""The bandup.ecs.linear strategy: ansible.builtin.linear after loading, in the controller, what the workers of the
collection's tasks would load again on every fork (ansible's filter and test plugins, boto3, this collection's
filters, lookups and action plugin). Its effect on time is measured by `make bench`, not here."""
import json
import os
import pathlib
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[4]
CODE = """
import json, sys
from ansible.plugins.loader import init_plugin_loader
init_plugin_loader([sys.argv[1]])
before = {m for m in sys.modules}
from ansible_collections.bandup.ecs.plugins.strategy.linear import StrategyModule, preload
from ansible.plugins.strategy.linear import StrategyModule as Linear
missed = preload()
loaded = sorted(m for m in sys.modules if m not in before)
print(json.dumps({"missed": missed, "linear": issubclass(StrategyModule, Linear) and StrategyModule.run is Linear.run,
                  "loaded": loaded}))
"""


def test_preload_loads_what_the_workers_would():
    done = subprocess.run([sys.executable, "-c", CODE, str(ROOT / ".collections")], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["missed"] == []
    assert out["linear"]  # the play runs as ansible.builtin.linear runs it
    loaded = set(out["loaded"])
    # ansible's own plugin files load under a name with a suffix (ansible.plugins.filter.core_<n>)
    for prefix in ("ansible.plugins.filter.core_", "ansible.plugins.test.core_"):
        assert any(name.startswith(prefix) for name in loaded), prefix
    for module in ("boto3", "ansible_collections.amazon.aws.plugins.plugin_utils.lookup",
                   "ansible_collections.bandup.ecs.plugins.plugin_utils.role_inputs",
                   "ansible_collections.bandup.ecs.plugins.plugin_utils.constraints",
                   "ansible_collections.bandup.ecs.plugins.plugin_utils.preflight",
                   "ansible_collections.bandup.ecs.plugins.action.ecs_app_services"):
        assert module in loaded, module
    # every filter and lookup file of the collection
    for kind in ("filter", "lookup"):
        for path in (ROOT / "plugins" / kind).glob("*.py"):
            assert f"ansible_collections.bandup.ecs.plugins.{kind}.{path.stem}" in loaded, path


def test_every_play_of_the_collection_uses_it():
    plays = []
    for path in sorted((ROOT / "playbooks").glob("*.yml")):
        for play in yaml.safe_load(path.read_text()) or []:
            if "hosts" in play:
                plays.append((path.name, play.get("name"), play.get("strategy")))
    assert len(plays) > 15
    assert [p for p in plays if p[2] != "bandup.ecs.linear"] == []
