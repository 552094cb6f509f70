# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: ownership
short_description: Resources under a Bandup deployment's names that it did not create, before any write
version_added: 0.2.0
description:
  - Reads, by the names the topology derives, the resources the selected roles write (the ECS cluster, the Cloud Map
    namespace, the load balancer and target groups, the ECR repositories, the log groups and the IAM roles) and returns
    one refusal per resource that exists without this deployment's tag (C(bandup:deployment=<bandup_name>)) and that
    I(adopt) does not name (by name or kind). Each refusal names the resource and C(bandup_adopt_existing).
  - Makes no call when I(live) shows the deployment's own cluster (the converge of an existing deployment). The
    C(bandup) role runs it once per run, after the topology, before any write.
author:
  - Bandup platform team (@bandup)
options:
  topology:
    description: The deployment's topology (C(bandup_topology)).
    type: dict
    required: true
  roles:
    description: The roles this run selects (C(bandup_selected_roles)); only the kinds they write are read.
    type: list
    elements: str
    required: true
  adopt:
    description: Resource names or kinds that may be taken over (C(bandup_adopt_existing)).
    type: list
    elements: str
    default: []
  live:
    description: The C(live) of the C(bandup.ecs.preflight) lookup (C(cluster_exists), C(cluster_deployment)).
    type: dict
    required: true
requirements:
  - boto3 and botocore, at the versions amazon.aws requires (imported only when the lookup calls AWS; the
    C(amazon.aws.boto3) fragment, which documents them, imports boto3 when the plugin is loaded)
extends_documentation_fragment:
  - bandup.ecs.lookup.no_terms
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
"""

EXAMPLES = r"""
- name: Refuse what this deployment did not create
  ansible.builtin.fail:
    msg: "{{ foreign | join('; ') }}"
  when: foreign | length > 0
  vars:
    foreign: "{{ query('bandup.ecs.ownership', topology=bandup_topology, roles=bandup_selected_roles,
      adopt=bandup_adopt_existing, live=live, region=bandup_region) }}"
"""

RETURN = r"""
_raw:
  description: One refusal per foreign resource, naming it and C(bandup_adopt_existing); empty when there is none.
  type: list
  elements: str
"""

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # LazyAWSLookupBase.client reports the missing library

from ansible.errors import AnsibleLookupError

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.bandup.ecs.plugins.plugin_utils.lazy_aws import LazyAWSLookupBase

from ansible_collections.bandup.ecs.plugins.plugin_utils.ownership import problems


class LookupModule(LazyAWSLookupBase):
    def run(self, terms, variables, **kwargs):
        super().run(terms, variables, **kwargs)
        try:
            return problems(self.client, self.get_option("topology"), self.get_option("roles"),
                            self.get_option("adopt"), self.get_option("live"))
        except (AnsibleAWSError, BotoCoreError, ClientError) as err:
            raise AnsibleLookupError(f"could not read the resources this deployment would create: {err}") from err
