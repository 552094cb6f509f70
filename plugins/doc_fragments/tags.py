# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tag options of a module whose tags not in I(tags) are kept unless I(purge_tags) (module_utils/tags.py).

Unlike amazon.aws.tags, I(purge_tags) defaults to false: tags another playbook set stay."""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    DOCUMENTATION = r"""
options:
  tags:
    description: Tags on the resource. Not managed when unset.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove tags that are not in I(tags).
    type: bool
    default: false
"""
