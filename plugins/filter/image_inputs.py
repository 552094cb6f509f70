# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: image_inputs
short_description: The image role's images to build and the images given as they are
version_added: 0.4.0
description:
  - Computed in C(plugins/plugin_utils/role_inputs.py) (roles pick values, Python computes them).
author:
  - Bandup platform team (@bandup)
positional: _input
options:
  _input:
    description: C(bandup_topology).
    type: dict
    required: true
"""

RETURN = r"""
_value:
  description:
    - C(specs) (M(bandup.ecs.container_image)'s I(images), one per service built from source), C(prebuilt)
      (C(image_outputs) entries of the services that run an image as given).
  type: dict
"""

from ansible_collections.bandup.ecs.plugins.plugin_utils import role_inputs
from ansible_collections.bandup.ecs.plugins.module_utils.topology import plain


def _image_inputs(topology):
    topology = plain(topology)
    return {"specs": role_inputs.image_specs(topology), "prebuilt": role_inputs.prebuilt_images(topology)}


class FilterModule:
    def filters(self):
        return {"image_inputs": _image_inputs}
