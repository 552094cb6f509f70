# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by the collection's lookups: C(_terms) of a lookup that takes its input as keyword options
(bandup.ecs.lookup.no_terms)."""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    DOCUMENTATION = r"""
options: {}
"""

    NO_TERMS = r"""
options:
  _terms:
    description: Not used (the input is given as keyword options).
    type: list
    elements: str
    required: false
"""
