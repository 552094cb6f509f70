# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: preload
type: aggregate
short_description: Loads once, in the controller, what the forked worker of nearly every task would load again
version_added: 0.2.0
description:
  - Ansible runs each task in a new process forked from the controller. A worker that evaluates a core filter or
    test (C(default), C(bool), C(is defined)) loads ansible's filter and test plugins (about 15 ms on 2 cores), one
    that runs a filter of this collection imports its code (20-40 ms), one that runs a lookup that calls AWS imports
    boto3 (about 0.2 s); each worker drops what it loaded when it exits.
  - When the playbook starts, this callback loads them in the controller process, so every fork inherits them - a
    no-op C(site.yml) of this collection is about 0.7 s (7 percent) faster on 2 cores (docs/performance.md). It
    prints nothing, runs nothing and makes no AWS call; what cannot be loaded (no boto3) is left to the lookup or
    module that needs it, and named at C(-vvv).
  - Enable it in C(ansible.cfg) (C(callbacks_enabled = bandup.ecs.preload)), as this repository's C(ansible.cfg)
    does. It changes no result; without it the plays run the same, slower.
author:
  - Bandup platform team (@bandup)
notes:
  - Loaded once per run - ansible's filter and test plugins; C(boto3), C(botocore) and amazon.aws's plugin_utils
    (its lookup base); the roles' argument specs and botocore's region list (what the validation lookup reads);
    every filter, lookup and action plugin of this collection.
  - A strategy plugin could do the same for every play without configuration, but ansible-core 2.21 deprecates
    strategy plugins outside ansible.builtin (each run would print a deprecation warning).
"""

import os

from ansible.errors import AnsibleError
from ansible.plugins.callback import CallbackBase
from ansible.plugins.loader import action_loader, filter_loader, lookup_loader, test_loader

# This collection's controller-side plugins (plugins/filter, plugins/lookup, plugins/action), every file of them.
PLUGINS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTION_PLUGINS = ((filter_loader, "filter"), (lookup_loader, "lookup"), (action_loader, "action"))


def _names(kind):
    return sorted(name[:-3] for name in os.listdir(os.path.join(PLUGINS_DIR, kind))
                  if name.endswith(".py") and not name.startswith("_"))


_PRELOADED = []  # what preload() missed, once it ran in this process


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
    try:  # amazon.aws's lookup base comes with this collection's preflight and certificate lookups, below
        import boto3  # noqa: F401  pylint: disable=unused-import
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


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bandup.ecs.preload"
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_start(self, playbook):
        for line in preload():
            self._display.vvv(f"bandup.ecs.preload: not preloaded: {line}")
