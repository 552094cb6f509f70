"""A value of the wrong type in any variable of any role's argument spec (and in any field of a bandup_services or
capacity provider strategy entry, and in any entry of a list or mapping) ends in a message naming that variable,
never a crash of the validation itself. Generated from the specs, so a new variable is covered when it is added."""
import os
import re
import sys

import pytest

from ansible_collections.bandup.ecs.plugins.plugin_utils.constraints import problems

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, ROOT)
from tests.support.role_values import ROLES, SPECS, base_values, set_path  # noqa: E402  pylint: disable=wrong-import-position

# One value of another type for each argument spec type (a top-level int or bool may come from -e as a string that
# converts, so the wrong values are ones no type converts to).
WRONG = {
    "str": [["a", "list"], {"a": "mapping"}],
    "path": [["a", "list"]],
    "int": ["lots", ["1"], {"n": 1}, 1.5],
    "bool": ["sometimes", [True], {"b": True}],
    "float": ["lots", [1.0], {"f": 1.0}],
    "list": ["a string", {"a": "mapping"}, 7],
    "dict": ["a string", ["a", "list"], 7],
}
# Entries of a list or mapping (elements of the given type, values of the mappings the rules read).
WRONG_ELEMENT = {"str": [{"a": 1}, ["x"]], "int": ["x", [1]], "dict": ["a string", ["x"], 3]}


def spec_entries(options, prefix=""):
    for name, spec in options.items():
        path = f"{prefix}.{name}" if prefix else name
        yield path, spec
        if spec.get("options"):
            yield from spec_entries(spec["options"], path + ("[]" if spec.get("type") == "list" else ""))


CASES = []
for _role, _options in sorted(SPECS.items()):
    for _path, _spec in spec_entries(_options):
        if _path in ("bandup_refresh_topology",):
            continue  # an internal switch the playbooks set, never an inventory variable
        kind = _spec.get("type", "str")
        for _value in WRONG.get(kind, []):
            CASES.append((_path, _value))
        if kind == "list" and _spec.get("elements") in WRONG_ELEMENT and not _spec.get("options"):
            for _value in WRONG_ELEMENT[_spec["elements"]]:
                CASES.append((_path, [_value]))
        if kind == "dict" and not _spec.get("options"):
            for _value in ("a string", ["x"], {"a": "b"}, {"k": [1]}, {"k": None}, {"k": {"x": 1}}):
                CASES.append((_path, {"backend": _value} if isinstance(_value, (str, list)) else _value))


def test_every_variable_is_covered():
    covered = {path for path, _ in CASES}
    every = {path for options in SPECS.values() for path, _ in spec_entries(options)}
    assert every - covered == {"bandup_refresh_topology"}


@pytest.mark.parametrize("path,value", CASES, ids=[f"{p}={str(v)[:30]}" for p, v in CASES])
def test_wrong_type_names_the_variable(path, value):
    values, where = set_path(base_values(), path, value, {})
    found = problems(SPECS, values, ROLES)
    kind = None
    for options in SPECS.values():
        for candidate, spec in spec_entries(options):
            if candidate == path:
                kind = spec.get("type", "str")
    if kind == "dict" and isinstance(value, dict):
        # A mapping of the right type whose entries may or may not be acceptable: no crash, and any problem names it.
        assert all(p.startswith(where) for p in found), found
        return
    assert found, f"{where}={value!r} was accepted"
    assert any(re.match(re.escape(where) + r"[\[.:]", p) for p in found), found
    assert not any("Traceback" in p or "object is not" in p for p in found), found
