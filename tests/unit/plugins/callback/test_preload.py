"""The bandup.ecs.preload callback: loads, in the controller, what the workers of the collection's tasks would load
again on every fork (ansible's filter and test plugins, boto3, this collection's filters, lookups and action plugin).
Its effect on time is measured by `make bench`, not here."""
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[4]
CODE = """
import json, sys
from ansible.plugins.loader import init_plugin_loader
init_plugin_loader([sys.argv[1]])
before = {m for m in sys.modules}
from ansible_collections.bandup.ecs.plugins.callback.preload import preload
missed = preload()
loaded = sorted(m for m in sys.modules if m not in before)
print(json.dumps({"missed": missed, "again": preload() is missed, "loaded": loaded}))
"""


def test_preload_loads_what_the_workers_would():
    done = subprocess.run([sys.executable, "-c", CODE, str(ROOT / ".collections")], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["missed"] == []
    assert out["again"]  # once per process
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


def test_this_repository_enables_it():
    config = (ROOT / "ansible.cfg").read_text()
    assert "callbacks_enabled = bandup.ecs.preload" in config.splitlines()
