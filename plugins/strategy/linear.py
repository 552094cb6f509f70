# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: linear
short_description: ansible.builtin.linear, with what every task's worker imports loaded once, in the controller
version_added: 0.2.0
description:
  - Runs a play exactly as C(ansible.builtin.linear) does (it is that strategy, unchanged), after loading in the
    controller process what the forked worker of nearly every task of this collection's plays would otherwise load
    again and drop when it exits, so each fork inherits it.
  - Ansible runs each task in a new process forked from the controller. A worker that evaluates a core filter or
    test (C(default), C(bool), C(is defined)) loads ansible's filter and test plugins (about 15 ms on 2 cores), one
    that runs a filter of this collection imports its code (20-40 ms), one that runs a lookup that calls AWS imports
    boto3 (about 0.2 s). Loaded once here, a no-op C(site.yml) is about 0.9 s (9 percent) faster (docs/performance.md).
  - What it loads, each only when importable (a missing boto3 is reported by the lookup or module that needs it), is
    the list below; nothing is run, and no AWS call is made.
  - The collection's playbooks set it as each play's C(strategy). It has the options of C(ansible.builtin.linear)
    (none).
author:
  - Bandup platform team (@bandup)
notes:
  - Loaded in the controller, once per run - ansible's filter and test plugins; C(boto3), C(botocore) and amazon.aws's
    plugin_utils (its lookup base); the roles' argument specs and botocore's region list (what the validation lookup
    reads); this collection's filter and lookup plugins and the action plugin of C(ecs_app_services).
"""

import os

from ansible.errors import AnsibleError
from ansible.plugins.loader import action_loader, filter_loader, lookup_loader, test_loader
from ansible.plugins.strategy.linear import StrategyModule as LinearStrategyModule
from ansible.utils.display import Display

display = Display()

# This collection's controller-side plugins (plugins/filter, plugins/lookup, plugins/action), every file of them.
PLUGINS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTION_PLUGINS = ((filter_loader, "filter"), (lookup_loader, "lookup"), (action_loader, "action"))


def _names(kind):
    return sorted(name[:-3] for name in os.listdir(os.path.join(PLUGINS_DIR, kind))
                  if name.endswith(".py") and not name.startswith("_"))


_PRELOADED = []  # what preload() missed, once it ran in this process (a strategy is made per play)


def preload():
    """Load what the workers of this collection's tasks load, in this process (once); returns what could not be
    loaded."""
    if _PRELOADED:
        return _PRELOADED[0]
    missed = []
    for loader in (filter_loader, test_loader):
        try:
            list(loader.all(class_only=True))  # ansible.builtin's filter and test plugin files
        except AnsibleError as err:
            missed.append(f"{loader.package}: {err}")
    try:
        import boto3  # noqa: F401  pylint: disable=unused-import
        from ansible_collections.amazon.aws.plugins.plugin_utils import lookup  # noqa: F401  pylint: disable=unused-import
    except ImportError as err:
        missed.append(f"boto3: {err}")
    try:  # the argument specs and regions the validation and fixed_settings lookups read (cached per process)
        from ansible_collections.bandup.ecs.plugins.plugin_utils import role_specs

        role_specs.load_specs()
        role_specs.known_regions()
    except (ImportError, OSError) as err:
        missed.append(f"role argument specs: {err}")
    for loader, kind in COLLECTION_PLUGINS:
        for name in _names(kind):
            try:
                if loader.get(f"bandup.ecs.{name}", class_only=True) is None:
                    missed.append(f"bandup.ecs.{name}: not found")
            except (AnsibleError, ImportError) as err:
                missed.append(f"bandup.ecs.{name}: {err}")
    _PRELOADED.append(missed)
    return missed


class StrategyModule(LinearStrategyModule):
    def __init__(self, tqm):
        super().__init__(tqm)
        for line in preload():
            display.vvv(f"bandup.ecs.linear: not preloaded: {line}")
