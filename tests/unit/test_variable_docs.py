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


def test_every_role_has_a_readme_generated_from_its_specs():
    """Galaxy's importer refuses a collection with a role without a README (tests/integration/test_galaxy_importer.py
    runs it); the generated part is kept in sync by test_variable_reference_matches_argument_specs."""
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    from gen_variable_docs import MARKER  # pylint: disable=import-outside-toplevel

    for role in os.listdir(os.path.join(ROOT, "roles")):
        with open(os.path.join(ROOT, "roles", role, "README.md"), encoding="utf-8") as handle:
            text = handle.read()
        assert text.startswith(f"# bandup.ecs.{role}\n") and MARKER in text and "## Variables" in text, role
