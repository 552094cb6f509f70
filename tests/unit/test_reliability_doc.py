"""docs/reliability.md reports the figures the integration tests really measure: read them from the tests' source.

The tests are parsed, not imported (they need a local endpoint), so this stays a fast unit test. When a case is
added or a rate changes, this test fails and prints the row to put in the table.
"""
import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(ROOT, "docs", "reliability.md")


def _tree(*path):
    with open(os.path.join(ROOT, *path)) as handle:
        return ast.parse(handle.read())


def _assigned(tree, name):
    """The value node assigned to a module-level (or function-level, first found) name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.value
    raise AssertionError(f"{name} is not assigned")


def _tests(tree):
    """The module's test functions."""
    return [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]


def figures():
    """{row label: figure}, computed from the tests' source."""
    faults = _tree("tests", "integration", "test_faults.py")
    kinds = ast.literal_eval(_assigned(_tree("tests", "support", "faultproxy.py"), "DEFAULT_KINDS"))
    rate = ast.literal_eval(_assigned(faults, "RATE"))
    bad_input = _assigned(_tree("tests", "support", "bad_input.py"), "CASES")
    from ansible_collections.bandup.ecs.plugins.plugin_utils.constraint_table import TABLE  # pylint: disable=import-outside-toplevel

    generated = sum(len(rule.catalogue()) for rule in TABLE.values())
    points = [ast.literal_eval(point.elts[0]) for point in _assigned(_tree("tests", "integration",
                                                                           "test_interruption.py"), "POINTS").elts]
    secrets = _tree("tests", "integration", "test_secrets.py")
    secret_names = [ast.literal_eval(key) for key in _assigned(secrets, "values").keys]
    secret_runs = sum(1 for node in ast.walk(secrets) if isinstance(node, ast.Call)
                      and getattr(node.func, "id", None) == "run_and_dump")
    return {
        "fault rate survived": f"{round(rate * 100)} % of all API calls, in equal shares: {', '.join(kinds)}",
        "bad input refused before any write": f"every variable of every role: {len(bad_input.elts)} hand-written cases "
                                              f"and {generated} generated ones (each bound of the constraint table and "
                                              "one past it)",
        "interruption points": f"{len(points)}: {', '.join(points)}",
        "secrets kept out of -vvv output and hostvars": f"{len(secret_names)} values ({', '.join(secret_names)}) "
                                                       f"over {secret_runs} runs",
    }


def test_reliability_table_matches_the_tests():
    with open(DOC) as handle:
        rows = {line.split("|")[1].strip(): line.split("|")[2].strip()
                for line in handle if line.startswith("| ") and line.count("|") >= 4}
    for label, figure in figures().items():
        assert rows.get(label) == figure, f"docs/reliability.md: the row '{label}' must say: {figure}"


def test_the_counted_lists_are_what_the_tests_run_on():
    """CASES and POINTS are counted above: each must parametrize a test, so each entry is a case that runs."""
    for path, name in ((("unit", "plugins", "plugin_utils", "test_bad_input_catalogue.py"), "CASES"),
                       (("integration", "test_interruption.py"), "POINTS")):
        module = path[-1]
        parametrized = [node for test in _tests(_tree("tests", *path)) for node in test.decorator_list
                        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "parametrize"
                        and name in {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}]
        assert parametrized, f"{module}: no test is parametrized by {name}"
