"""Recorded AWS answers (tests/unit/fixtures/aws/<service>/<Operation>.<case>.json) and botocore's output shapes.

A fixture is the whole response of one operation, as the AWS API reference documents it and botocore parses it
(timestamps as ISO 8601 strings in the file, ``datetime`` once loaded). ``problems()`` checks a response against
botocore's output shape of its operation: unknown members, wrong types, missing required members (botocore's
ParamValidator) and values outside a member's enum. ``variants()`` derives the answers that other AWS-compatible
endpoints give for the same state: optional members left out when they hold their empty or default value, or
present at that value when the fixture leaves them out.
"""
import copy
import json
import os

import botocore.session
from botocore.utils import parse_timestamp
from botocore.validate import ParamValidator

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "aws")
_SESSION = botocore.session.get_session()
# Values that mean "nothing" or "the default" for a member of that type.
EMPTY = ([], {}, False, 0, "")


def fixture_names():
    """'<service>/<Operation>.<case>' of every fixture file."""
    names = []
    for service in sorted(os.listdir(FIXTURES)):
        for filename in sorted(os.listdir(os.path.join(FIXTURES, service))):
            if filename.endswith(".json"):
                names.append(f"{service}/{filename[:-len('.json')]}")
    return names


def output_shape(service, operation):
    return _SESSION.get_service_model(service).operation_model(operation).output_shape


def _parts(name):
    service, _sep, rest = name.partition("/")
    return service, rest.split(".", 1)[0]


def _timestamps(value, shape):
    """``value`` with its timestamp members parsed into datetimes (the form botocore returns)."""
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: _timestamps(v, shape.members[k]) if k in shape.members else v for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [_timestamps(v, shape.member) for v in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: _timestamps(v, shape.value) for k, v in value.items()}
    if shape.type_name == "timestamp" and isinstance(value, str):
        return parse_timestamp(value)
    return value


def load(name):
    """The response of fixture ``name`` ('ecs/DescribeServices.client'), parsed like botocore parses it."""
    with open(os.path.join(FIXTURES, name + ".json"), encoding="utf-8") as handle:
        raw = json.load(handle)
    return _timestamps(raw, output_shape(*_parts(name)))


def _enum_problems(value, shape, path):
    found = []
    if shape.type_name == "structure" and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                found += _enum_problems(item, shape.members[key], f"{path}.{key}")
    elif shape.type_name == "list" and isinstance(value, list):
        for idx, item in enumerate(value):
            found += _enum_problems(item, shape.member, f"{path}[{idx}]")
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            found += _enum_problems(item, shape.value, f"{path}.{key}")
    elif shape.type_name == "string" and shape.enum and value not in shape.enum:
        found.append(f"{path}: {value!r} is not one of {shape.enum}")
    return found


def problems(service, operation, response):
    """What makes ``response`` not a valid answer of ``operation`` (empty when it is valid)."""
    shape = output_shape(service, operation)
    report = ParamValidator().validate(response, shape)
    found = [line for line in report.generate_report().splitlines() if line] if report.has_errors() else []
    return found + _enum_problems(response, shape, operation)


def _walk(value, shape, path=()):
    """(path, value, member shape, required) of every structure member present, depth first."""
    if shape.type_name == "structure" and isinstance(value, dict):
        for key, item in value.items():
            member = shape.members.get(key)
            if member is None:
                continue
            yield path + (key,), item, member, key in shape.required_members
            yield from _walk(item, member, path + (key,))
    elif shape.type_name == "list" and isinstance(value, list):
        for idx, item in enumerate(value):
            yield from _walk(item, shape.member, path + (idx,))


def _absent(value, shape, path=()):
    """(path, member shape) of every optional member a present structure leaves out, depth first."""
    if shape.type_name == "structure" and isinstance(value, dict):
        for key, member in shape.members.items():
            if key in value:
                yield from _absent(value[key], member, path + (key,))
            elif key not in shape.required_members:
                yield path + (key,), member
    elif shape.type_name == "list" and isinstance(value, list):
        for idx, item in enumerate(value):
            yield from _absent(item, shape.member, path + (idx,))


def _empty_of(shape):
    return {"list": [], "map": {}, "boolean": False}.get(shape.type_name)


def _parent(response, path):
    node = response
    for step in path[:-1]:
        node = node[step]
    return node


def without(response, paths):
    """A copy of ``response`` without the members at ``paths``."""
    out = copy.deepcopy(response)
    for path in sorted(paths, key=len, reverse=True):
        del _parent(out, path)[path[-1]]
    return out


def variants(service, operation, response):
    """[(label, response)]: the same answer as other AWS-compatible endpoints give it.

    - ``drop <path>``: one optional member holding an empty or default value (``[]``, ``{}``, ``false``, ``0``,
      ``""``) left out; ``drop all empty``: all of them at once;
    - ``add empty``: every optional list, map or boolean member the answer leaves out given as ``[]``, ``{}``,
      ``false``.
    Every variant is itself a valid answer (checked).
    """
    shape = output_shape(service, operation)
    droppable = [path for path, value, _member, required in _walk(response, shape)
                 if not required and any(value == e and type(value) is type(e) for e in EMPTY)]
    out = [(f"drop {'.'.join(map(str, path))}", without(response, [path])) for path in droppable]
    if droppable:
        out.append(("drop all empty", without(response, droppable)))
    added = copy.deepcopy(response)
    for path, member in _absent(response, shape):
        if _empty_of(member) is not None:
            _parent(added, path)[path[-1]] = _empty_of(member)
    out.append(("add empty", added))
    for label, variant in out:
        assert not problems(service, operation, variant), (label, problems(service, operation, variant))
    return out
