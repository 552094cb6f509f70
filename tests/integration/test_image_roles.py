"""Roles ecr + image end to end against their own local endpoint (moto + OCI registry).

Drives ansible-playbook on copies of the fixture build contexts, and reads the results back from the
endpoint: ECR calls from moto's recorder, tags and digests from the registry over HTTP.
"""
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
from tests.support import recording  # noqa: E402  pylint: disable=wrong-import-position
from tests.support.image_builds import (  # noqa: E402  pylint: disable=wrong-import-position
    REPOS, image_architecture, playbook, registry_tags)

pytestmark = pytest.mark.skipif(not (shutil.which("buildah") and os.path.exists("/bin/busybox")),
                                reason="needs buildah and busybox-static")


def ecr_writes():
    return [call["action"] for call in recording.summary()["writes"] if call["service"] == "ecr"]


def test_bad_input_fails_before_any_write(image_endpoint, image_apps, tmp_path):
    recording.start()
    proc, recap = playbook(image_endpoint, image_apps, "playbooks/ecr.yml", "-e", "bandup_ecr_prefix=IELTS_")
    assert recap == (0, 1) and "bandup_ecr_prefix" in proc.stdout
    broken = tmp_path / "apps"
    shutil.copytree(image_apps, broken, symlinks=True)
    shutil.rmtree(broken / "frontend")
    proc, recap = playbook(image_endpoint, broken, "playbooks/image.yml")
    assert recap[1] == 1 and "bandup_services[1] (frontend)" in proc.stdout and "build.context" in proc.stdout
    (broken / "frontend").mkdir()
    proc, recap = playbook(image_endpoint, broken, "playbooks/image.yml")
    assert recap[1] == 1 and "(frontend).build.dockerfile" in proc.stdout and "does not exist" in proc.stdout
    assert ecr_writes() == []
    assert registry_tags(image_endpoint) == {repo: {} for repo in REPOS}


def test_check_mode_writes_nothing(image_endpoint, image_apps):
    recording.start()
    proc, recap = playbook(image_endpoint, image_apps, "playbooks/ecr.yml", "playbooks/image.yml", "--check")
    assert recap == (2, 0), proc.stdout
    assert ecr_writes() == []
    assert registry_tags(image_endpoint) == {repo: {} for repo in REPOS}


def test_converge_then_noop_then_rebuild_only_the_changed_service(image_endpoint, image_apps):
    proc, recap = playbook(image_endpoint, image_apps, "playbooks/ecr.yml", "playbooks/image.yml")
    assert recap == (2, 0), proc.stdout + proc.stderr
    first = registry_tags(image_endpoint)
    assert all(len(tags) == 1 for tags in first.values()), first

    recording.start()
    proc, recap = playbook(image_endpoint, image_apps, "playbooks/ecr.yml", "playbooks/image.yml")
    assert recap == (0, 0), proc.stdout
    assert ecr_writes() == []
    assert registry_tags(image_endpoint) == first

    (image_apps / "backend" / "www" / "actuator" / "health").write_text('{"status":"UP","v":2}\n')
    recording.start()
    proc, recap = playbook(image_endpoint, image_apps, "--tags", "image", "playbooks/ecr.yml", "playbooks/image.yml")
    assert recap == (1, 0), proc.stdout
    assert "Repository per service" not in proc.stdout  # --tags image skips the ecr play
    assert ecr_writes() == []
    second = registry_tags(image_endpoint)
    assert second["ielts-bandup-local-frontend"] == first["ielts-bandup-local-frontend"]
    assert len(second["ielts-bandup-local-backend"]) == 2
    new_tag = (set(second["ielts-bandup-local-backend"]) - set(first["ielts-bandup-local-backend"])).pop()
    assert second["ielts-bandup-local-backend"][new_tag] not in first["ielts-bandup-local-backend"].values()


def test_git_sha_tag_is_added_without_a_rebuild(image_endpoint, image_apps):
    git = ["git", "-C", str(image_apps), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(git[:3] + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "fixture"], check=True)
    sha = subprocess.run(git[:3] + ["rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout[:12]
    before = registry_tags(image_endpoint)
    proc, recap = playbook(image_endpoint, image_apps, "playbooks/image.yml", "-e", "image_tag_git_sha=true")
    assert recap == (1, 0), proc.stdout
    after = registry_tags(image_endpoint)
    for repo in REPOS:
        git_digest = after[repo].pop(f"git-{sha}")
        assert after[repo] == before[repo]  # no new content tag, no digest moved: nothing was rebuilt
        assert git_digest in before[repo].values()  # the git tag names an image that was already there
    proc, recap = playbook(image_endpoint, image_apps, "playbooks/image.yml", "-e", "image_tag_git_sha=true")
    assert recap == (0, 0), proc.stdout


def test_images_are_built_for_the_tasks_architecture(image_endpoint, image_apps):
    """issue H item 6: --platform from task_definition_cpu_architecture, whatever the controller runs on."""
    before = registry_tags(image_endpoint)
    for repo, tags in before.items():
        assert {image_architecture(image_endpoint, repo, tag) for tag in tags} == {"amd64"}, repo
    proc, recap = playbook(image_endpoint, image_apps, "playbooks/image.yml", "-e",
                           "task_definition_cpu_architecture=ARM64")
    assert recap == (1, 0), proc.stdout
    after = registry_tags(image_endpoint)
    for repo in REPOS:
        (new_tag,) = set(after[repo]) - set(before[repo])  # another platform is another image, another tag
        assert image_architecture(image_endpoint, repo, new_tag) == "arm64"
    proc, recap = playbook(image_endpoint, image_apps, "playbooks/image.yml", "-e",
                           "task_definition_cpu_architecture=ARM64")
    assert recap == (0, 0), proc.stdout
