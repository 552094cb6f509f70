"""docs/variables.md is generated from the roles' argument specs and must not go stale."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_variable_reference_matches_argument_specs():
    result = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_variable_docs.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_role_documents_its_variables():
    roles = os.path.join(ROOT, "roles")
    for role in os.listdir(roles):
        assert os.path.exists(os.path.join(roles, role, "meta", "argument_specs.yml")), role


def test_every_role_is_validated_up_front():
    import yaml

    with open(os.path.join(ROOT, "roles", "bandup", "vars", "main.yml")) as handle:
        listed = set(yaml.safe_load(handle)["bandup_validated_roles"])
    roles = {role for role in os.listdir(os.path.join(ROOT, "roles")) if role != "bandup"}
    assert listed == roles
