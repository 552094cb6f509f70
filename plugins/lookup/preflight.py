# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: preflight
short_description: The first AWS calls of a run, sts:GetCallerIdentity (each failure explained), then the live state
version_added: 0.1.0
description:
  - One C(sts:GetCallerIdentity) from the controller. Returns the account, the caller's ARN, the region and the
    endpoint botocore resolved (C(AWS_ENDPOINT_URL), a profile's C(endpoint_url), or AWS's own).
  - Does not fail. When the call fails, C(problem) holds lines naming which failure it is (no credentials, expired
    credentials or SSO session, access denied and for which action, an unreachable endpoint, credentials the
    region does not accept, as in an opt-in region the account has not enabled) and what to do; the C(bandup) role
    fails with them.
  - C(warnings) holds lines when the endpoint is on this machine (a loopback address) and I(expect_local) is false,
    or the other way round.
  - With I(deployment), once the identity call succeeded, also the two reads a topology needs, with the same
    credentials and in the same process, C(ec2:DescribeAvailabilityZones) and C(ecs:DescribeClusters) with tags,
    returned as C(live). When either fails, C(problem) says so.
author:
  - Bandup platform team (@bandup)
options:
  deployment:
    description:
      - The deployment name (C(bandup_name), which is the ECS cluster name) whose live state to read; empty reads
        none (a run of roles that need no live state, C(--tags ecr) or C(--tags image)).
    type: str
    default: ""
  expect_local:
    description:
      - Whether the inventory expects a local AWS endpoint (C(bandup_expect_local_endpoint)).
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
"""

EXAMPLES = r"""
- name: Who am I, where
  ansible.builtin.debug:
    msg: "{{ lookup('bandup.ecs.preflight', region='eu-west-1') }}"
"""

RETURN = r"""
_raw:
  description: One dict.
  type: list
  elements: dict
  contains:
    account:
      description: The AWS account id (C(None) when the call failed).
      type: str
      sample: "111122223333"
    arn:
      description: The caller's ARN (C(None) when the call failed).
      type: str
      sample: arn:aws:sts::111122223333:assumed-role/deployer/alice
    region:
      description: The region of the call.
      type: str
    endpoint:
      description: The STS endpoint botocore resolved.
      type: str
      sample: https://sts.eu-west-1.amazonaws.com
    warnings:
      description: Lines about an endpoint on this machine that the inventory does not expect (or the reverse).
      type: list
      elements: str
    problem:
      description: Empty when the calls succeeded; else what failed and what to do, as lines.
      type: list
      elements: str
    live:
      description:
        - The live state, with I(deployment) (else C(None)), the I(live) input of the C(bandup.ecs.topology) filter.
        - C(azs_in_region) (the region's available AZ names), C(live_active_az) (the cluster's C(bandup:active-az)
          tag, C(None) when the cluster or the tag does not exist yet), C(live_namespace_az) (its
          C(bandup:namespace-az) tag, the AZ whose cell keeps the namespace named after the deployment),
          C(cluster_exists), C(cluster_deployment) (its C(bandup:deployment) tag), C(fixed_record) (its
          C(bandup:fixed) tag) and C(cluster) (the DescribeClusters answer, or C(None)), from the same call.
      type: dict
"""

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AWSLookupBase reports the missing library

from ansible.errors import AnsibleLookupError

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase

from ansible_collections.bandup.ecs.plugins.plugin_utils.live_state import live_facts
from ansible_collections.bandup.ecs.plugins.plugin_utils.preflight import check


class LookupModule(AWSLookupBase):
    def run(self, terms, variables, **kwargs):
        super().run(terms, variables, **kwargs)
        if not self.region:
            raise AnsibleLookupError("bandup_region: no AWS region given")
        out = check(self.client("sts"), self.region, self.get_option("expect_local"))
        out["live"] = None
        deployment = self.get_option("deployment")
        if deployment and not out["problem"]:
            try:
                out["live"] = live_facts(self.client("ec2"), self.client("ecs"), deployment, record=True)
            except (AnsibleAWSError, BotoCoreError, ClientError) as err:
                out["problem"] = [f"bandup_region: could not read the availability zones of region '{self.region}' "
                                  f"or the cluster's tags (is it a region this account can use?): {err}"]
        return [out]
