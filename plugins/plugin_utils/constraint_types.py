# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The exact type check of the inventory checks (plugin_utils/constraints.py): each value against its role's argument
spec (``0``, ``""`` and ``[]`` are values; only ``None`` or omission means "the default"), nested options and
choices, then its ``TABLE`` rule."""

from __future__ import annotations

import re
from collections.abc import Mapping
from ansible_collections.bandup.ecs.plugins.plugin_utils.constraint_rules import (
    BOOLEANS_FALSE, BOOLEANS_TRUE, INT_RE, INVALID, _kind,
)
from ansible_collections.bandup.ecs.plugins.plugin_utils.constraint_table import TABLE


# -- exact types, from the argument specs ---------------------------------------------------------------------------

def _type_problem(kind, value, strict=False):
    """(converted value, None) or (None, what is wrong) for an argument spec type, exactly: no truthiness.

    ``strict`` (the fields of bandup_services entries, which reach the topology's Python as given): the type itself,
    no "8080" for an int, no "yes" for a bool, no number for a string. A top-level variable may come from
    ``-e name=value`` as a string and is converted like the argument spec would."""
    if kind in ("str", "path", "raw") or kind is None:
        if kind == "raw" or isinstance(value, str):
            return value, None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not strict:
            return str(value), None  # matcher: 200 in YAML is the string "200"
        return None, f"must be a string (got {_kind(value)} {value!r})"
    if kind == "int":
        if isinstance(value, bool):
            return None, f"must be an integer (got a boolean {value!r})"
        if isinstance(value, int):
            return value, None
        if isinstance(value, str) and INT_RE.match(value.strip()) and not strict:
            return int(value), None
        if isinstance(value, float) and value.is_integer() and not strict:
            return int(value), None
        return None, f"must be an integer (got {_kind(value)} {value!r})"
    if kind == "float":
        if isinstance(value, bool):
            return None, f"must be a number (got a boolean {value!r})"
        if isinstance(value, (int, float)):
            return float(value), None
        if isinstance(value, str) and not strict:
            try:
                return float(value.strip()), None
            except ValueError:
                pass
        return None, f"must be a number (got {_kind(value)} {value!r})"
    if kind == "bool":
        if isinstance(value, bool):
            return value, None
        if isinstance(value, str) and value.lower() in BOOLEANS_TRUE | BOOLEANS_FALSE and not strict:
            return value.lower() in BOOLEANS_TRUE, None
        return None, f"must be a boolean (got {_kind(value)} {value!r})"
    if kind == "list":
        if isinstance(value, (list, tuple)):
            return list(value), None
        return None, f"must be a list (got {_kind(value)} {value!r})"
    if kind == "dict":
        if isinstance(value, Mapping):
            return dict(value), None
        return None, f"must be a mapping (got {_kind(value)} {value!r})"
    return value, None


def rule_path(path):
    """'bandup_services[1].alb.priority' -> 'bandup_services[].alb.priority' (the table's key)."""
    return re.sub(r"\[\d+\]", "[]", path)


def check_value(path, spec, value, out):
    """Type, choices and nested options of one value (per the argument spec), then its TABLE rule; appends to out.
    Returns the value converted to its type, None when not given, INVALID when it failed."""
    if value is None:
        if spec.get("required"):
            out.append(f"{path}: required")
            return INVALID
        return None
    value, why = _type_problem(spec.get("type", "str"), value, strict="[" in path)
    if why:
        out.append(f"{path}: {why}")
        return INVALID
    elements = spec.get("elements")
    if spec.get("type") == "list" and elements:
        converted = []
        for idx, item in enumerate(value):
            if spec.get("options"):
                if item is None or not isinstance(item, Mapping):
                    out.append(f"{path}[{idx}]: must be a mapping (got {_kind(item)} {item!r})")
                    converted.append(INVALID)
                    continue
                converted.append(check_options(f"{path}[{idx}]", spec["options"], item, out))
                continue
            item_value, why = _type_problem(elements, item, strict=True)
            if why:
                out.append(f"{path}[{idx}]: {why}")
                return INVALID
            converted.append(item_value)
        value = converted
    elif spec.get("type") == "dict" and spec.get("options"):
        value = check_options(path, spec["options"], value, out)
    choices = spec.get("choices")
    if choices and value not in choices:
        out.append(f"{path}: '{value}' is not one of {', '.join(str(c) for c in choices)}")
        return INVALID
    rule = TABLE.get(rule_path(path))
    if rule is not None and value is not None:
        why = rule.check(value)
        if why:
            suffix = "" if rule.form in why or " must be " in why else f"; must be {rule.form}"
            if re.match(r"^\[\d+\] ", why):  # an entry of a list: path[i]
                index, why = why.split("] ", 1)
                out.append(f"{path}{index}]: {why}{suffix}")
            elif why.startswith(".") and ": " in why:  # a key of a mapping: path.key
                key, why = why.split(": ", 1)
                out.append(f"{path}{key}: {why}{suffix}")
            else:
                out.append(f"{path}: {why}{suffix}")
            return INVALID
    return value


def check_options(path, options, given, out):
    """The keys of a mapping against its options: unknown keys, then each option. Returns the converted mapping."""
    converted = {}
    for key in given:
        if key not in options:
            out.append(f"{path}.{key}: unknown option; known: {', '.join(sorted(options))}")
    for key, spec in options.items():
        if key in given:
            converted[key] = check_value(f"{path}.{key}", spec, given[key], out)
        elif spec.get("required"):
            out.append(f"{path}.{key}: required")
            converted[key] = INVALID
    return converted


# -- the rules that tie variables together ---------------------------------------------------------------------------
# Each rule reads the converted values through a Checked view and runs under _guarded: a rule that reads a value which
# failed its own check is skipped (that value's own problem is reported), so the rules may assume the types of the
# argument specs.

# ECS: a task definition is at most 64 KiB as JSON (ECS service quotas, "Task definition size", not adjustable). The
# collection's container definition holds, besides the environment and secrets, the image, port mapping, health check,
# log configuration and the task's other fields: OVERHEAD_BYTES is what it keeps for them (a rendered definition of the
# local inventory is about 2 KiB).
