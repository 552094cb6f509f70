# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles' argument specs and the regions botocore knows: what the controller-side checks (the validation and
fixed_settings lookups, plugin_utils/constraints.py) compare the variables with."""

from __future__ import annotations

import os

try:
    import yaml
except ImportError:  # only the lookups (on the controller, where ansible brings PyYAML) load the specs
    yaml = None

try:
    from botocore.loaders import Loader
except ImportError:  # the region check is then left to the AWS calls that follow
    Loader = None

# The collection's roles/ (this file is plugins/plugin_utils/role_specs.py).
ROLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "roles")
_SPECS = {}
_REGIONS = []


def load_specs(roles_dir=ROLES_DIR):
    """role -> the options of its argument spec (the bandup role's ``topology`` entry point, the others' ``main``)."""
    if roles_dir not in _SPECS:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        specs = {}
        for role in sorted(os.listdir(roles_dir)):
            path = os.path.join(roles_dir, role, "meta", "argument_specs.yml")
            if os.path.isfile(path):
                with open(path, encoding="utf-8") as handle:
                    entry = yaml.load(handle, Loader=loader)["argument_specs"]
                specs[role] = entry["topology" if role == "bandup" else "main"]["options"]
        _SPECS[roles_dir] = specs
    return _SPECS[roles_dir]


def known_regions():
    """The AWS regions botocore knows (data/partitions.json), or None without botocore (read once per process)."""
    if Loader is None:
        return None
    if not _REGIONS:
        _REGIONS.append(frozenset(region for partition in Loader().load_data("partitions")["partitions"]
                                  for region in partition.get("regions", {})))
    return set(_REGIONS[0])
