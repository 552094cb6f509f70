"""The filters and lookups run in a forked ansible worker, on every task whose arguments use them; the worker starts
without boto3, and importing it costs ~0.25 s (measured on 2 cores: a no-op site.yml paid it on 13 tasks). The filters
and the validation lookup never call AWS, and the fixed_settings and ownership lookups make no call on the converge
of an unchanged deployment: none of them may import boto3 there. Each is run here in a fresh interpreter, as a
worker would, and the modules it loaded are checked."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
OFFLINE = sorted(f"filter.{p.stem}" for p in (ROOT / "plugins" / "filter").glob("*.py")) + [
    "lookup.validation", "lookup.fixed_settings", "lookup.ownership"]
# The no-call paths of a converge of an unchanged deployment, on a topology as the bandup role derives it.
NO_CALL_PATHS = """
from ansible_collections.bandup.ecs.plugins.module_utils.topology import build_topology
from ansible_collections.bandup.ecs.plugins.filter.network_inputs import _network_inputs
from ansible_collections.bandup.ecs.plugins.plugin_utils import fixed_settings, ownership
topology = build_topology(name="bandup", region="eu-west-1", active_az="eu-west-1a", standby_az="eu-west-1b",
                          services=[{"name": "web", "port": 3000, "health_path": "/", "cpu": 256, "memory": 512,
                                    "alb": {"default_route": True}, "image": "nginx"}])
_network_inputs(topology, ["0.0.0.0/0"])
values = {"network_vpc_id": "", "network_vpc_cidr": "10.0.0.0/16", "network_public_subnet_cidrs": ["10.0.0.0/24",
          "10.0.1.0/24"], "network_private_subnet_cidrs": ["10.0.2.0/24", "10.0.3.0/24"],
          "ecr_encryption_type": "AES256", "ecr_kms_key": ""}
fixed_settings.fingerprint(fixed_settings.settings(topology, values, {"web": 0}))
assert ownership.problems(None, topology, ["alb", "ecr"], [], {"cluster_exists": True, "cluster_deployment": "bandup",
                                                              "names_changed": False}) == []
assert ownership.problems(None, topology, ["image"], [], {}) == []  # --tags image: nothing of it is named
"""


def _run(code):
    """stdout of ``code`` in a fresh interpreter that finds the collection (stderr shown when it fails)."""
    done = subprocess.run([sys.executable, "-c", code, str(ROOT / ".collections")], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("plugin", OFFLINE)
def test_offline_plugin_does_not_import_boto3(plugin):
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); "
            f"import ansible_collections.bandup.ecs.plugins.{plugin}; "
            "print(json.dumps(sorted(m for m in sys.modules if m == 'boto3' or m.startswith('boto3.'))))")
    assert json.loads(_run(code)) == [], f"plugins/{plugin.replace('.', '/')}.py imports boto3 (through module_utils?)"


def test_no_call_paths_do_not_import_boto3():
    code = ("import json, sys; sys.path.insert(0, sys.argv[1])\n" + NO_CALL_PATHS +
            "print(json.dumps(sorted(m for m in sys.modules if m == 'boto3' or m.startswith('boto3.'))))")
    assert json.loads(_run(code)) == []


@pytest.mark.parametrize("lookup", ["bandup.ecs.validation", "bandup.ecs.fixed_settings", "bandup.ecs.ownership"])
def test_loading_the_lookup_does_not_import_boto3(lookup):
    """As a worker loads it: ansible's plugin loader also reads the doc fragments the plugin extends (amazon.aws.boto3
    imports boto3)."""
    code = ("import json, sys\n"
            "from ansible.plugins.loader import init_plugin_loader, lookup_loader\n"
            "init_plugin_loader([sys.argv[1]])\n"
            f"assert lookup_loader.get({lookup!r}) is not None\n"
            "print(json.dumps(sorted(m for m in sys.modules if m == 'boto3' or m.startswith('boto3.'))))")
    assert json.loads(_run(code)) == []


def test_the_check_sees_boto3():
    """The check above would pass on an interpreter that hid its imports: a lookup that calls AWS imports boto3."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "import ansible_collections.bandup.ecs.plugins.lookup.preflight; print('boto3' in sys.modules)")
    assert _run(code).strip() == "True"
