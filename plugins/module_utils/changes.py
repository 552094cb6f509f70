# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared layer of every module: one change set per run, and one failure path.

A module builds ``ChangeSet(module.check_mode, module._diff)`` and hands it (never the module) to its module_utils
code. That code compares desired with live state and sends every write through ``ChangeSet.write()``: the change is
recorded and, unless in check mode, the write is sent. What the run changed is then ``changes.result()``:
``changed``, ``changes`` (one shape in every module, documented once in the doc fragment ``bandup.ecs.changes``) and,
in diff mode, ``diff``.

Failures below the module are raised as amazon.aws's ``AnsibleAWSError`` (AWS calls wrapped with
``AWSErrorHandler.common_error_handler(...)``, our own refusals as ``AnsibleAWSError(message=...)``); ``run()`` in
module_utils/aws.py (beside the module class: this layer never sees the module) turns them into the module's failure,
with what had already been written. Programming errors are not caught: they end the module with a traceback, as a
bug should.
"""

from __future__ import annotations


class ChangeSet:
    """What one module run changed, or in check mode would change."""

    def __init__(self, check_mode=False, diff=False):
        self.check_mode = check_mode
        self.want_diff = diff
        self.changes = []
        self.before = {}
        self.after = {}
        # Called before every write is recorded (may raise to stop the run before it: ecs_app_services' handoff).
        self.before_write = None

    @property
    def changed(self):
        return bool(self.changes)

    def write(self, resource, action, call=None, fields=()):
        """Record ``action`` (create, update, delete, tag, untag, or what the write does) on ``resource`` ("kind
        name"), naming the ``fields`` that differ; unless in check mode, return ``call()`` (None in check mode)."""
        if self.before_write is not None:
            self.before_write()
        self.changes.append({"resource": resource, "action": action, "fields": sorted(fields)})
        if self.check_mode or call is None:
            return None
        return call()

    def of(self, resource):
        """The changes recorded for ``resource``."""
        return [change for change in self.changes if change["resource"] == resource]

    def diff(self, key, before, after):
        """Add ``key``'s before and after to the run's diff (kept only in diff mode)."""
        if self.want_diff:
            self.before[key] = before
            self.after[key] = after

    def result(self, **values):
        """The module result: ``values`` with changed, changes and (in diff mode) diff."""
        result = dict(values, changed=self.changed, changes=list(self.changes))
        if self.want_diff:
            result["diff"] = {"before": self.before, "after": self.after}
        return result
