"""The layers of docs/DEVELOPING.md ("Layers"), enforced: data flows playbook -> role -> module -> module_utils ->
boto3, never back.

- module_utils never import modules, filters or lookups; modules never import each other; filters and lookups
  import only module_utils.
- The load balancer code (module_utils/load_balancer.py, elb_listener.py) imports no ECS code.
- module_utils never receive the module object: no parameter named ``module`` and no use of what only a module has
  (fail_json, exit_json, check_mode, params, client).
- No broad ``except Exception`` / bare ``except:`` in plugins/: a programming bug is a traceback, not an AWS failure.
"""
import ast
import re
import pathlib

import pytest

PLUGINS = pathlib.Path(__file__).resolve().parents[2] / "plugins"
PREFIX = "ansible_collections.bandup.ecs.plugins."
LOAD_BALANCER_CODE = ("load_balancer", "elb_listener")
# What the load balancer code may import from the collection's module_utils: nothing that knows ECS.
LOAD_BALANCER_MAY_IMPORT = {"once", "records", "changes", "aws", "tags", "load_balancer", "elb_listener"}
MODULE_ONLY = {"fail_json", "fail_json_aws", "fail_json_aws_error", "exit_json", "check_mode", "params", "client",
               "write_client"}


def sources(kind):
    return sorted((PLUGINS / kind).glob("*.py"))


def imports(path):
    """The collection's plugins a file imports, as (kind, name): ("module_utils", "once")."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            parts = node.module[len(PREFIX):].split(".")
            if len(parts) == 1:  # from ...plugins.module_utils import once, rollout
                found.update((parts[0], alias.name) for alias in node.names)
            else:
                found.add((parts[0], parts[1]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PREFIX):
                    parts = alias.name[len(PREFIX):].split(".")
                    found.add((parts[0], parts[1] if len(parts) > 1 else ""))
    return found


def test_the_rules_see_imports(tmp_path):
    """The checks below would pass on files they cannot read: make sure they read what is there, in both import
    forms, and that a wrong import would be seen."""
    seen = imports(PLUGINS / "modules" / "ecr_repository.py")
    assert ("module_utils", "changes") in seen  # from ...module_utils.changes import ChangeSet
    assert ("module_utils", "ecr") in seen  # from ...module_utils import ecr
    wrong = tmp_path / "wrong.py"
    wrong.write_text(f"from {PREFIX}modules import ecs_service\nfrom {PREFIX}filter.topology import x\n")
    assert imports(wrong) == {("modules", "ecs_service"), ("filter", "topology")}
    module_files = sources("modules")
    assert module_files and all(imports(p) for p in module_files)
    assert all(kind == "module_utils" for p in module_files for kind, _ in imports(p))


@pytest.mark.parametrize("path", sources("module_utils"), ids=lambda p: p.name)
def test_module_utils_import_only_module_utils(path):
    wrong = sorted(f"{kind}.{name}" for kind, name in imports(path) if kind != "module_utils")
    assert not wrong, f"{path.name} imports {wrong}: module_utils must not import modules, filters or lookups"


@pytest.mark.parametrize("path", sources("filter") + sources("lookup"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_filters_and_lookups_import_only_module_utils(path):
    wrong = sorted(f"{kind}.{name}" for kind, name in imports(path) if kind != "module_utils")
    assert not wrong, f"{path.name} imports {wrong}: share controller-side code through module_utils"


@pytest.mark.parametrize("path", sources("modules"), ids=lambda p: p.name)
def test_modules_do_not_import_modules(path):
    wrong = sorted(name for kind, name in imports(path) if kind == "modules")
    assert not wrong, f"{path.name} imports the modules {wrong}: share code through module_utils"


@pytest.mark.parametrize("name", LOAD_BALANCER_CODE)
def test_the_load_balancer_code_imports_no_ecs_code(name):
    used = {mod for kind, mod in imports(PLUGINS / "module_utils" / f"{name}.py") if kind == "module_utils"}
    assert used <= LOAD_BALANCER_MAY_IMPORT, f"{name}.py imports {sorted(used - LOAD_BALANCER_MAY_IMPORT)}"


@pytest.mark.parametrize("path", sources("module_utils"), ids=lambda p: p.name)
def test_module_utils_never_receive_the_module(path):
    tree = ast.parse(path.read_text())
    params = sorted({arg.arg for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.Lambda))
                     for arg in node.args.args + node.args.kwonlyargs if arg.arg == "module"})
    used = sorted({f"module.{node.attr}" for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                   and isinstance(node.value, ast.Name) and node.value.id == "module" and node.attr in MODULE_ONLY})
    if path.name == "aws.py":  # the module class itself
        return
    assert not params and not used, f"{path.name} takes or uses the module object: {params + used}"


@pytest.mark.parametrize("path", sorted(PLUGINS.rglob("*.py")), ids=lambda p: str(p.relative_to(PLUGINS)))
def test_no_broad_except(path):
    broad = [node.lineno for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ExceptHandler)
             and (node.type is None or (isinstance(node.type, ast.Name) and node.type.id in ("Exception",
                                                                                               "BaseException")))]
    assert not broad, f"{path.relative_to(PLUGINS)} catches every exception at lines {broad}"


def attribute_calls(path, names):
    """Line numbers of calls ``<anything>.<name>(...)`` with ``name`` in ``names``."""
    return sorted(node.lineno for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Call)
                  and isinstance(node.func, ast.Attribute) and node.func.attr in names)


@pytest.mark.parametrize("path", sources("modules"), ids=lambda p: p.name)
def test_modules_fail_only_through_run(path):
    """A module's bad input, AWS errors and failed waits are raised below it and end in run() (module_utils/aws.py):
    no module calls fail_json itself."""
    calls = attribute_calls(path, {"fail_json", "fail_json_aws", "fail_json_aws_error"})
    assert not calls, f"{path.name} calls fail_json at lines {calls}: raise AnsibleAWSError and let run() fail"


def test_one_service_path():
    """Every service write goes through one converge: only module_utils/service_batch.py runs the steps of
    converging a service (ecs_service.plan_present, apply_plan, settle, remove), whatever name it imports them by."""
    steps = {"plan_present", "apply_plan", "settle", "remove"}
    callers = []
    for path in PLUGINS.rglob("*.py"):
        if path.relative_to(PLUGINS).as_posix() == "module_utils/ecs_service.py":
            continue
        tree = ast.parse(path.read_text())
        aliases = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   and node.module == PREFIX + "module_utils" for alias in node.names if alias.name == "ecs_service"}
        direct = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                  and node.module == PREFIX + "module_utils.ecs_service" for alias in node.names
                  if alias.name in steps}
        if any(isinstance(node, ast.Call) and (
                (isinstance(node.func, ast.Attribute) and node.func.attr in steps
                 and isinstance(node.func.value, ast.Name) and node.func.value.id in aliases)
                or (isinstance(node.func, ast.Name) and node.func.id in direct)) for node in ast.walk(tree)):
            callers.append(path.relative_to(PLUGINS).as_posix())
    assert callers == ["module_utils/service_batch.py"]


def test_every_module_utils_has_its_tests():
    """A module_utils file has tests/unit/plugins/module_utils/test_<name>.py, or docs/DEVELOPING.md ("Tests of
    module_utils") says where it is tested, and those test files exist."""

    tests = PLUGINS.parent / "tests" / "unit"
    text = (PLUGINS.parent / "docs" / "DEVELOPING.md").read_text()
    section = text.split("## Tests of module_utils", 1)[1].split("\n## ", 1)[0]
    listed = dict(re.findall(r"^- `(\w+)\.py`: (.*)$", section, re.M))
    missing = [path.stem for path in sources("module_utils")
               if not (tests / "plugins" / "module_utils" / f"test_{path.stem}.py").exists() and path.stem not in listed]
    assert not missing, f"module_utils without a test file or a line in DEVELOPING's 'Tests of module_utils': {missing}"
    all_tests = {p.name for p in tests.rglob("test_*.py")}
    named = {name for where in listed.values() for name in re.findall(r"(test_\w+\.py)", where)}
    assert named and named <= all_tests, sorted(named - all_tests)
    stale = [name for name in listed if (tests / "plugins" / "module_utils" / f"test_{name}.py").exists()
             or not (PLUGINS / "module_utils" / f"{name}.py").exists()]
    assert not stale, f"listed in DEVELOPING but has its own test file or no longer exists: {stale}"


def test_no_test_file_imports_another():
    """Shared fixtures live in conftest.py, shared answers and helpers in tests/support: a test file never imports
    (or loads by path) another test file."""
    tests = PLUGINS.parent / "tests"
    wrong = []
    for path in sorted(tests.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [
                alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if any(name.split(".")[-1].startswith("test_") for name in names):
                wrong.append(f"{path.relative_to(tests)}:{node.lineno}")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and re.fullmatch(r"test_\w+\.py", node.value) and "spec_from_file_location" in path.read_text():
                wrong.append(f"{path.relative_to(tests)}:{node.lineno}")
    assert not wrong, wrong
