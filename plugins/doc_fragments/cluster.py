# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ECS cluster option of the modules that work in one cluster: C(cluster) (bandup.ecs.cluster) for the modules
of its services, C(name) (bandup.ecs.cluster.name) for the modules of the cluster itself."""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    DOCUMENTATION = r"""
options:
  cluster:
    description: The ECS cluster of the services, its name or ARN.
    type: str
    required: true
"""

    NAME = r"""
options:
  name:
    description: Cluster name.
    type: str
    required: true
"""
