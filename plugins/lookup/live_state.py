# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: live_state
short_description: The live facts a Bandup topology needs, the region's AZs and the cluster's active AZ
version_added: 0.1.0
description:
  - Two read-only calls from the controller, C(ec2:DescribeAvailabilityZones) and C(ecs:DescribeClusters) with
    tags, without starting a module.
  - Returns one dict with C(azs_in_region) (the region's available AZ names) and C(live_active_az) (the cluster's
    C(bandup:active-az) tag, C(None) when the cluster or the tag does not exist yet) and C(live_namespace_az) (its
    C(bandup:namespace-az) tag, the AZ whose cell keeps the namespace named after the deployment), the I(live) input
    of the C(bandup.ecs.topology) filter, and C(cluster_exists), C(cluster_deployment), C(fixed_record) and C(cluster)
    from the same call. The C(bandup) role derives the topology this way.
author:
  - Bandup platform team (@bandup)
options:
  _terms:
    description: The deployment name (C(bandup_name)), which is the ECS cluster name.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
"""

EXAMPLES = r"""
- name: The topology, checked against the region and the live active AZ
  ansible.builtin.set_fact:
    bandup_topology: >-
      {{ bandup_services | bandup.ecs.topology(name=bandup_name, region=bandup_region, active_az=bandup_active_az,
         standby_az=bandup_standby_az, live=query('bandup.ecs.live_state', bandup_name, region=bandup_region)[0]) }}
"""

RETURN = r"""
_raw:
  description: One dict per term.
  type: list
  elements: dict
  contains:
    azs_in_region:
      description: Names of the region's available AZs.
      type: list
      elements: str
      sample: [eu-west-1a, eu-west-1b, eu-west-1c]
    live_active_az:
      description: The cluster's C(bandup:active-az) tag, or C(None).
      type: str
      sample: eu-west-1b
    live_namespace_az:
      description: The cluster's C(bandup:namespace-az) tag (the AZ whose cell uses the namespace named after the
        deployment), or C(None).
      type: str
      sample: eu-west-1a
    cluster_exists:
      description: Whether the cluster exists.
      type: bool
    cluster_deployment:
      description: The cluster's C(bandup:deployment) tag (which deployment it belongs to), or C(None).
      type: str
      sample: bandup-prod
    cluster:
      description:
        - The cluster as C(ecs:DescribeClusters) with C(TAGS) and C(SETTINGS) answered (C(None) when it does not
          exist); the cluster role passes it to C(bandup.ecs.ecs_cluster) as I(live_cluster) so the cluster is read
          once per run.
      type: dict
    fixed_record:
      description:
        - The cluster's C(bandup:fixed) tag (the fingerprint of the settings AWS cannot change in place, see the
          C(bandup.ecs.fixed_settings) lookup), or C(None).
      type: str
      sample: 3f2a9c0d1e4b5a6f
"""

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AWSLookupBase reports the missing library

from ansible.errors import AnsibleLookupError

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase

from ansible_collections.bandup.ecs.plugins.plugin_utils.live_state import live_facts


class LookupModule(AWSLookupBase):
    def run(self, terms, variables, **kwargs):
        super().run(terms, variables, **kwargs)
        if not self.region:
            raise AnsibleLookupError("bandup_region: no AWS region given")
        try:
            ec2, ecs = self.client("ec2"), self.client("ecs")
            return [live_facts(ec2, ecs, name, record=True) for name in terms]
        except (AnsibleAWSError, BotoCoreError, ClientError) as err:
            raise AnsibleLookupError(
                f"bandup_region: could not read the availability zones of region '{self.region}' or the cluster's "
                f"tags (is it a region this account can use?): {err}") from err
