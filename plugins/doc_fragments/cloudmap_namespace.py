# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Service Connect namespace as bandup.ecs.cloudmap_namespace and bandup.ecs.ecs_cluster return it
(module_utils/_cloudmap/cloudmap.py namespace_result)."""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    DOCUMENTATION = r"""
options: {}
"""

    RETURN = r"""
namespace:
  description:
    - The AWS Cloud Map HTTP namespace of Service Connect (for M(bandup.ecs.ecs_cluster), the namespace of
      I(service_connect_http_namespace)).
    - In check mode, for a namespace that does not exist yet, only C(name).
  returned: when I(state=present) (M(bandup.ecs.ecs_cluster) with I(service_connect_http_namespace))
  type: dict
  contains:
    id:
      description: Namespace id.
      type: str
      sample: ns-abcdefghijklmnop
    arn:
      description: Namespace ARN (the value of an ECS cluster's C(serviceConnectDefaults.namespace)).
      type: str
      sample: arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-abcdefghijklmnop
    name:
      description: Name.
      type: str
      sample: bandup-prod
    tags:
      description: Tags.
      type: dict
      sample: {"bandup:managed-by": "bandup.ecs"}
"""
