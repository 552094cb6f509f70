"""What Galaxy's own importer says (issue O, item 6): galaxy-importer, which Galaxy and Automation Hub run on every
upload, on the tarball `ansible-galaxy collection build` makes of a fresh clone, with ansible-lint and ansible-doc on.

The project has no public home yet, so galaxy.yml names no repository, which Galaxy requires: the importer refuses
the tarball for that alone. With a repository URL set in the test's own copy of galaxy.yml it accepts it, with no
warning or error (every role has a README, generated from its argument specs: scripts/gen_variable_docs.py).
"""
import json
import os
import subprocess
import sys

import pytest

from conftest import VENV_BIN, fresh_clone

CONFIG = "[galaxy-importer]\nrun_ansible_lint = True\nrun_ansible_doc = True\ncheck_changelog = True\n"


def build(clone):
    subprocess.run([os.path.join(VENV_BIN, "ansible-galaxy"), "collection", "build", "--force", "--output-path",
                    "dist"], cwd=clone, check=True, capture_output=True)
    return os.path.join(clone, "dist", "bandup-ecs-0.1.0.tar.gz")


def importer(tarball, cwd, config):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "GALAXY_IMPORTER_"))}
    env.update(GALAXY_IMPORTER_CONFIG=config, PATH=VENV_BIN + os.pathsep + env.get("PATH", ""))
    result = subprocess.run([sys.executable, "-m", "galaxy_importer.main", tarball], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1200, check=False)
    return [line for line in result.stdout.splitlines() if not line.startswith("Loading ")]


@pytest.mark.alone  # galaxy-importer stops ansible-lint after 180 s (loaders/collection.py): not beside another test
def test_galaxy_importer_accepts_the_tarball_once_it_names_a_repository(tmp_path):
    clone = fresh_clone(str(tmp_path / "clone"))
    config = tmp_path / "galaxy-importer.cfg"
    config.write_text(CONFIG)
    as_is = importer(build(clone), str(tmp_path), str(config))
    assert [line for line in as_is if "ERROR" in line or "WARNING" in line] == [
        "ERROR: The import failed for the following reason: Invalid collection metadata. 'repository' is required"], as_is
    galaxy = os.path.join(clone, "galaxy.yml")
    with open(galaxy, encoding="utf-8") as handle:
        text = handle.read()
    with open(galaxy, "w", encoding="utf-8") as handle:
        handle.write(text.replace("readme: README.md\n",
                                  "readme: README.md\nrepository: https://github.com/bandup/bandup.ecs\n"))
    out = importer(build(clone), str(tmp_path), str(config))
    assert "Linting collection via ansible-lint" in "\n".join(out) and "Getting doc strings via ansible-doc" in out, out
    assert out[-1] == "Importer processing completed successfully", out
    assert not [line for line in out if "ERROR" in line or "WARNING" in line], out
    result = json.loads((tmp_path / "importer_result.json").read_text())
    roles = {item["name"] for item in result["contents"] if item["content_type"] == "role"}
    assert roles == set(os.listdir(os.path.join(clone, "roles"))), roles
