# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: preflight
short_description: The first AWS call of a run, sts:GetCallerIdentity, with each usual failure explained
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
author:
  - Bandup platform team (@bandup)
options:
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
      description: Empty when the call succeeded; else what failed and what to do, as lines.
      type: list
      elements: str
"""

from ansible.errors import AnsibleLookupError

from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase

from ansible_collections.bandup.ecs.plugins.plugin_utils.preflight import check


class LookupModule(AWSLookupBase):
    def run(self, terms, variables, **kwargs):
        super().run(terms, variables, **kwargs)
        if not self.region:
            raise AnsibleLookupError("bandup_region: no AWS region given")
        return [check(self.client("sts"), self.region, self.get_option("expect_local"))]
