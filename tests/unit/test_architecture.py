"""The layers of docs/DEVELOPING.md ("Layers"), enforced: data flows playbook -> role -> module -> module_utils ->
boto3, never back.

- module_utils (the shared top level and the per-AWS-service private packages ``_ecs``, ``_elbv2``, ...) import only
  module_utils: AnsiballZ ships nothing else to the host a module runs on.
- modules import only module_utils, never each other.
- Controller-side code (plugin_utils, filters, lookups, action and callback plugins) imports module_utils and plugin_utils, never
  modules; plugin_utils is imported by no module and no module_utils.
- The load balancer code (module_utils/_elbv2/) imports no ECS code.
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
# What the load balancer code (module_utils/_elbv2/) may import from module_utils: the shared top level and itself.
LOAD_BALANCER_MAY_IMPORT = {"once", "records", "changes", "aws", "tags", "propagation"}
MODULE_ONLY = {"fail_json", "fail_json_aws", "fail_json_aws_error", "exit_json", "check_mode", "params", "client",
               "write_client"}
CONTROLLER = ("plugin_utils", "filter", "lookup", "action", "callback")


def sources(kind):
    """The Python files of plugins/<kind>, its private packages included (module_utils/_ecs/...)."""
    return sorted(p for p in (PLUGINS / kind).rglob("*.py") if p.name != "__init__.py")


def rel(path):
    return path.relative_to(PLUGINS).as_posix()


def imports(path):
    """The collection's plugins a file imports, as (kind, dotted name below the kind): ("module_utils", "once"),
    ("module_utils", "_ecs.ecs_service"), ("plugin_utils", "constraints")."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            kind, _, below = node.module[len(PREFIX):].partition(".")
            if below in ("", "_ecs", "_elbv2", "_ecr", "_ec2", "_cloudmap", "_cloudwatch", "_pricing") \
                    or below.startswith("_") and "." not in below:  # from ...module_utils._ecs import switch
                found.update((kind, f"{below}.{alias.name}" if below else alias.name) for alias in node.names)
            else:
                found.add((kind, below))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PREFIX):
                    kind, _, below = alias.name[len(PREFIX):].partition(".")
                    found.add((kind, below))
    return found


def test_the_rules_see_imports(tmp_path):
    """The checks below would pass on files they cannot read: make sure they read what is there, in every import
    form, and that a wrong import would be seen."""
    seen = imports(PLUGINS / "modules" / "ecr_repository.py")
    assert ("module_utils", "changes") in seen  # from ...module_utils.changes import ChangeSet
    assert ("module_utils", "_ecr.ecr") in seen  # from ...module_utils._ecr import ecr
    wrong = tmp_path / "wrong.py"
    wrong.write_text(f"from {PREFIX}modules import ecs_service\nfrom {PREFIX}filter.topology import x\n"
                     f"from {PREFIX}plugin_utils import constraints\nfrom {PREFIX}module_utils._ecs.switch import y\n")
    assert imports(wrong) == {("modules", "ecs_service"), ("filter", "topology"), ("plugin_utils", "constraints"),
                              ("module_utils", "_ecs.switch")}
    module_files = sources("modules")
    assert module_files and all(imports(p) for p in module_files)
    assert all(kind == "module_utils" for p in module_files for kind, _ in imports(p))
    assert any("/_" in rel(p) for p in sources("module_utils")) and sources("plugin_utils")


def test_every_import_names_a_file_that_exists():
    """An import the rules read resolves to a file: a rule over a name that no longer exists checks nothing."""
    missing = []
    for path in PLUGINS.rglob("*.py"):
        for kind, name in imports(path):
            target = PLUGINS / kind / name.replace(".", "/")
            if not (target.with_suffix(".py").exists() or (target / "__init__.py").exists()):
                missing.append(f"{rel(path)}: {kind}.{name}")
    assert not missing, missing


@pytest.mark.parametrize("path", sources("module_utils"), ids=rel)
def test_module_utils_import_only_module_utils(path):
    wrong = sorted(f"{kind}.{name}" for kind, name in imports(path) if kind != "module_utils")
    assert not wrong, f"{rel(path)} imports {wrong}: module_utils must not import modules or controller-side code"


@pytest.mark.parametrize("path", [p for kind in CONTROLLER for p in sources(kind)], ids=rel)
def test_controller_code_imports_no_module(path):
    wrong = sorted(f"{kind}.{name}" for kind, name in imports(path) if kind not in ("module_utils", "plugin_utils"))
    assert not wrong, f"{rel(path)} imports {wrong}: share controller-side code through plugin_utils or module_utils"


@pytest.mark.parametrize("path", sources("modules"), ids=rel)
def test_modules_import_only_module_utils(path):
    wrong = sorted(f"{kind}.{name}" for kind, name in imports(path) if kind != "module_utils")
    assert not wrong, f"{path.name} imports {wrong}: a module imports module_utils only"


def test_controller_only_code_is_in_plugin_utils():
    """A module_utils file that no module and no module_utils imports is controller-side code: it lives in
    plugin_utils (and a plugin_utils file is used by some controller-side plugin)."""
    module_side = {name for p in sources("modules") + sources("module_utils") for kind, name in imports(p)
                   if kind == "module_utils"}
    unused = [rel(p) for p in sources("module_utils")
              if rel(p)[len("module_utils/"):-3].replace("/", ".") not in module_side]
    assert not unused, f"only controller-side code uses {unused}: move it to plugins/plugin_utils/"
    controller_side = {name for kind in CONTROLLER for p in sources(kind) for k, name in imports(p)
                       if k == "plugin_utils"}
    idle = [rel(p) for p in sources("plugin_utils") if p.stem not in controller_side]
    assert not idle, f"nothing imports {idle}"


@pytest.mark.parametrize("path", sources("module_utils/_elbv2"), ids=rel)
def test_the_load_balancer_code_imports_no_ecs_code(path):
    used = {name for kind, name in imports(path) if kind == "module_utils" and not name.startswith("_elbv2.")}
    assert used <= LOAD_BALANCER_MAY_IMPORT, f"{rel(path)} imports {sorted(used - LOAD_BALANCER_MAY_IMPORT)}"


@pytest.mark.parametrize("path", sources("module_utils"), ids=rel)
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
    """Every service write goes through one converge: only module_utils/_ecs/service_batch.py runs the steps of
    converging a service (ecs_service.plan_present, apply_plan, settle, remove), whatever name it imports them by."""
    steps = {"plan_present", "apply_plan", "settle", "remove"}
    callers = []
    for path in PLUGINS.rglob("*.py"):
        if path.relative_to(PLUGINS).as_posix() == "module_utils/_ecs/ecs_service.py":
            continue
        tree = ast.parse(path.read_text())
        aliases = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   and node.module == PREFIX + "module_utils._ecs" for alias in node.names
                   if alias.name == "ecs_service"}
        direct = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                  and node.module == PREFIX + "module_utils._ecs.ecs_service" for alias in node.names
                  if alias.name in steps}
        if any(isinstance(node, ast.Call) and (
                (isinstance(node.func, ast.Attribute) and node.func.attr in steps
                 and isinstance(node.func.value, ast.Name) and node.func.value.id in aliases)
                or (isinstance(node.func, ast.Name) and node.func.id in direct)) for node in ast.walk(tree)):
            callers.append(path.relative_to(PLUGINS).as_posix())
    assert callers == ["module_utils/_ecs/service_batch.py"]


def test_every_module_utils_has_its_tests():
    """A module_utils or plugin_utils file has tests/unit/plugins/<module_utils|plugin_utils>/test_<name>.py (the
    private packages' files too, by name), or docs/DEVELOPING.md ("Tests of module_utils") says where it is tested,
    and those test files exist."""

    tests = PLUGINS.parent / "tests" / "unit"
    text = (PLUGINS.parent / "docs" / "DEVELOPING.md").read_text()
    section = text.split("## Tests of module_utils", 1)[1].split("\n## ", 1)[0]
    listed = dict(re.findall(r"^- `(\w+)\.py`: (.*)$", section, re.M))
    files = {path.stem: rel(path).split("/")[0] for kind in ("module_utils", "plugin_utils") for path in sources(kind)}
    missing = [stem for stem, kind in files.items()
               if not (tests / "plugins" / kind / f"test_{stem}.py").exists() and stem not in listed]
    assert not missing, f"module_utils without a test file or a line in DEVELOPING's 'Tests of module_utils': {missing}"
    all_tests = {p.name for p in tests.rglob("test_*.py")}
    named = {name for where in listed.values() for name in re.findall(r"(test_\w+\.py)", where)}
    assert named and named <= all_tests, sorted(named - all_tests)
    stale = [name for name in listed if name not in files
             or (tests / "plugins" / files[name] / f"test_{name}.py").exists()]
    assert not stale, f"listed in DEVELOPING but has its own test file or no longer exists: {stale}"


def test_no_test_file_imports_another():
    """Shared fixtures live in conftest.py, shared answers and helpers in tests/support: a test file never imports
    (or loads by path) another test file."""
    tests = PLUGINS.parent / "tests"
    wrong = []
    for path in sorted(p for p in tests.rglob("*.py") if p.relative_to(tests).parts[0] != "output"):  # generated
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
