"""Parse the reference Dockerfiles shipped in roles/image (they cannot be built offline) and the fixtures."""
import json
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
REFERENCE = os.path.join(ROOT, "roles", "image", "files", "dockerfiles")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "apps")


def instructions(path):
    """[(INSTRUCTION, arguments)] with continuation lines joined and comments dropped."""
    out, current = [], ""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            stripped = line.strip()
            if not current and (not stripped or stripped.startswith("#")):
                continue
            if stripped.startswith("#"):
                continue
            current += " " + stripped[:-1] if stripped.endswith("\\") else " " + stripped
            if not stripped.endswith("\\"):
                keyword, _, args = current.strip().partition(" ")
                out.append((keyword.upper(), args.strip()))
                current = ""
    assert not current, f"{path}: dangling line continuation"
    return out


def stages(parsed):
    """[(base, stage name)] of each FROM, with ARG defaults substituted."""
    args = {}
    result = []
    for keyword, value in parsed:
        if keyword == "ARG" and "=" in value and not result:
            name, _, default = value.partition("=")
            args[name] = default
        if keyword == "FROM":
            parts = value.split()
            parts = [p for p in parts if not p.startswith("--platform")]
            base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], parts[0])
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            result.append((base, name))
    return result


def final_stage(parsed):
    last_from = max(i for i, (keyword, _) in enumerate(parsed) if keyword == "FROM")
    return parsed[last_from:]


@pytest.mark.parametrize("app,port,health", [("nextjs", "3000", "/api/health"),
                                             ("spring-boot", "8080", "/actuator/health")])
def test_reference_dockerfile(app, port, health):
    parsed = instructions(os.path.join(REFERENCE, app, "Dockerfile"))
    froms = stages(parsed)
    names = {name for _base, name in froms if name}
    assert len(froms) >= 2, "multi-stage"
    for base, _name in froms:
        if base in names:
            continue
        repo, _, tag = base.rpartition(":")
        assert repo and tag and tag != "latest" and not tag.startswith("$"), f"{app}: base {base} must pin a version"
    final = final_stage(parsed)
    users = [value for keyword, value in final if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), f"{app}: the final stage runs as root"
    assert ("EXPOSE", port) in final
    health_checks = [value for keyword, value in final if keyword == "HEALTHCHECK"]
    assert len(health_checks) == 1
    assert health in health_checks[0]
    assert f"127.0.0.1:{port}" in health_checks[0] or f"127.0.0.1/{port}" in health_checks[0]
    assert [keyword for keyword, _ in final if keyword in ("CMD", "ENTRYPOINT")]
    for keyword, value in final:
        if keyword in ("CMD", "ENTRYPOINT") and value.startswith("["):
            json.loads(value)
    copied_from = {m.group(1) for keyword, value in final if keyword == "COPY"
                   for m in [re.search(r"--from=(\S+)", value)] if m}
    assert copied_from and copied_from <= names, f"{app}: the runtime stage copies from a build stage"


@pytest.mark.parametrize("app,port,health", [("backend", "8080", "/actuator/health"),
                                             ("frontend", "3000", "/api/health")])
def test_fixture_app(app, port, health):
    context = os.path.join(FIXTURES, app)
    parsed = instructions(os.path.join(context, "Dockerfile"))
    assert stages(parsed) == [("scratch", None)]
    assert ("EXPOSE", port) in parsed
    assert [value for keyword, value in parsed if keyword == "USER"][-1] != "0"
    entrypoint = json.loads(dict(parsed)["ENTRYPOINT"])
    assert entrypoint[:2] == ["/bin/busybox", "httpd"] and port in entrypoint
    assert ("COPY", "busybox /bin/busybox") in parsed and ("COPY", "links /bin") in parsed
    for applet in ("sh", "wget"):  # a CMD-SHELL wget health check needs both
        assert os.readlink(os.path.join(context, "links", applet)) == "busybox"
    with open(os.path.join(context, "www", health.lstrip("/")), encoding="utf-8") as handle:
        assert json.load(handle) == {"status": "UP"}
