# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: fixed_settings
short_description: Changes AWS cannot make in place on an existing Bandup deployment, before any write
version_added: 0.2.0
description:
  - The settings AWS cannot change on an existing resource (the VPC's and subnets' CIDRs, the ECR repositories'
    encryption, the target groups' protocol and port), as the inventory wants them, and their fingerprint, which
    the cluster role records on the ECS cluster (tag C(bandup:fixed)).
  - When I(record) (the cluster's tag, read by the C(bandup.ecs.preflight) lookup) equals the fingerprint,
    nothing is read. When it differs (the inventory changed one of them, or the deployment predates the record) and the
    cluster exists, the live VPC, subnets, repositories and target groups are read (read-only) and every variable
    whose change AWS cannot make is returned with what to do instead.
author:
  - Bandup platform team (@bandup)
options:
  topology:
    description: C(bandup_topology).
    type: dict
    required: true
  record:
    description: The cluster's C(bandup:fixed) tag (C(live.fixed_record) of the C(bandup.ecs.preflight) lookup).
    type: str
  cluster_exists:
    description: Whether the cluster exists (C(live.cluster_exists) of the C(bandup.ecs.preflight) lookup);
      nothing is read when it does not.
    type: bool
    default: false
requirements:
  - boto3 and botocore, at the versions amazon.aws requires (imported only when the lookup calls AWS; the
    C(amazon.aws.boto3) fragment, which documents them, imports boto3 when the plugin is loaded)
extends_documentation_fragment:
  - bandup.ecs.lookup.no_terms
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
"""

EXAMPLES = r"""
- name: What AWS cannot change in place
  ansible.builtin.set_fact:
    bandup_fixed: "{{ lookup('bandup.ecs.fixed_settings', topology=bandup_topology, record=live.fixed_record,
      cluster_exists=live.cluster_exists, region=bandup_region) }}"
"""

RETURN = r"""
_raw:
  description: One dict.
  type: list
  elements: dict
  contains:
    fingerprint:
      description: The fingerprint of the inventory's fixed settings.
      type: str
    tags:
      description: The cluster tag that records it (C({bandup:fixed = fingerprint})).
      type: dict
    problems:
      description: Every change AWS cannot make in place, naming the variable and what to do instead.
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

from ansible_collections.bandup.ecs.plugins.plugin_utils.role_specs import load_specs
from ansible_collections.bandup.ecs.plugins.plugin_utils import fixed_settings

VARIABLES = ("network_vpc_id", "network_vpc_cidr", "network_public_subnet_cidrs", "network_private_subnet_cidrs",
             "ecr_encryption_type", "ecr_kms_key")


class LookupModule(LazyAWSLookupBase):
    def run(self, terms, variables, **kwargs):
        super().run(terms, variables, **kwargs)
        topology = self.get_option("topology")
        specs = load_specs()
        options = dict(specs["network"], **specs["ecr"])
        values = {name: (self._templar.template(variables[name]) if variables.get(name) is not None
                         else options[name].get("default")) for name in VARIABLES}
        services = self._templar.template(variables.get("bandup_services")) or []
        indexes = {svc.get("name"): idx for idx, svc in enumerate(services) if isinstance(svc, dict)}
        wanted = fixed_settings.settings(topology, values, indexes)
        fingerprint = fixed_settings.fingerprint(wanted)
        problems = []
        if self.get_option("cluster_exists") and self.get_option("record") != fingerprint:
            try:
                problems = fixed_settings.problems(self.client, topology, wanted)
            except (AnsibleAWSError, BotoCoreError, ClientError) as err:
                raise AnsibleLookupError(f"Could not read the deployment's network, repositories or target "
                                         f"groups: {err}") from err
        return [{"fingerprint": fingerprint, "tags": {fixed_settings.RECORD_TAG: fingerprint}, "problems": problems}]
