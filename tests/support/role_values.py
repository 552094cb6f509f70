"""The role variables of the unit tests' validation cases: every role's argument spec (``SPECS``), the local
inventory's values as the validation play sees them (``base_values``), and one variable changed (``set_path``).
Shared by tests/unit/plugins/plugin_utils/test_constraints.py and test_wrong_types.py."""
import copy
import os

import yaml

from ansible_collections.bandup.ecs.plugins.plugin_utils.role_specs import load_specs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPECS = load_specs(os.path.join(ROOT, "roles"))
ROLES = [role for role in SPECS if role != "bandup"]
with open(os.path.join(ROOT, "inventories", "local", "group_vars", "all", "main.yml")) as _handle:
    INVENTORY = yaml.safe_load(_handle)
APPS = os.path.join(ROOT, "tests", "fixtures", "apps")
SERVICE = 0  # the generated cases change this entry of bandup_services (the backend)


def base_values():
    values = {key: value for key, value in copy.deepcopy(INVENTORY).items() if key.split("_")[0] in SPECS}
    values["bandup_refresh_topology"] = False
    values["bandup_ecr_prefix"] = "ielts-"
    for svc in values["bandup_services"]:
        svc["build"]["context"] = os.path.join(APPS, svc["name"])
    return values


def spec_paths(options, prefix=""):
    """Every variable path of an argument spec: options, nested options, list entries as '[]'."""
    for name, spec in options.items():
        path = f"{prefix}.{name}" if prefix else name
        yield path
        if spec.get("options"):
            yield from spec_paths(spec["options"], path + ("[]" if spec.get("type") == "list" else ""))


ALL_PATHS = sorted({path for options in SPECS.values() for path in spec_paths(options)})


def set_path(values, path, value, context):
    """values with the variable at ``path`` (table form, '[]' is entry SERVICE / the first entry) set to ``value``."""
    values = copy.deepcopy(values)
    head, _, rest = path.partition("[]")
    if not rest:
        values.update(copy.deepcopy(context))
        values[path] = value
        return values, path
    if head == "bandup_services":
        index = 1 if rest == ".name" else SERVICE  # nothing depends on the frontend
        entry = values[head][index]
    else:
        values.setdefault(head, [{"capacity_provider": "FARGATE", "weight": 1, "base": 0},
                                 {"capacity_provider": "FARGATE_SPOT", "weight": 1}])
        entry, index = values[head][0], 0
    for key, item in context.items():
        if any(key in options for options in SPECS.values()):
            values[key] = item
        elif isinstance(item, dict):
            entry[key] = dict(entry.get(key) or {}, **item)
        else:
            entry[key] = item
    keys = rest.lstrip(".").split(".")
    for key in keys[:-1]:
        entry = entry.setdefault(key, {})
    entry[keys[-1]] = value
    return values, f"{head}[{index}]{rest}"
