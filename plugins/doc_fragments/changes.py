# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The return values every module of the collection shares (module_utils/changes.py builds them)."""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    DOCUMENTATION = r"""
options: {}
notes:
  - In check mode the module sends no write; C(changes) then lists what it would have written.
"""

    RETURN = r"""
changed:
  description: Whether the run wrote anything (in check mode, whether it would have).
  returned: always
  type: bool
changes:
  description:
    - What the run wrote, or in check mode would have written, one item per write in the order sent.
    - Empty when the live state already matched.
  returned: always
  type: list
  elements: dict
  sample: [{"resource": "service prod-backend-a", "action": "update", "fields": ["desiredCount", "taskDefinition"]}]
  contains:
    resource:
      description: The resource written, as its kind and name.
      type: str
      sample: service prod-backend-a
    action:
      description: What was written, C(create), C(update), C(delete), C(tag), C(untag) or a kind's own write.
      type: str
      sample: update
    fields:
      description: The settings that differed (empty for a create or delete).
      type: list
      elements: str
      sample: [desiredCount, taskDefinition]
diff:
  description: In diff mode, the managed settings before and after the run, by resource.
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The settings as they were.
      type: dict
    after:
      description: The settings as they are after the run (or would be, in check mode).
      type: dict
"""
