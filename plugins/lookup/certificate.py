# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: certificate
short_description: Whether the ALB's ACM certificate can be used, before any write
version_added: 0.2.0
description:
  - One C(acm:DescribeCertificate) (none for a certificate of another region). Returns the problems of
    C(alb_certificate_arn), each naming the variable, when ACM does not have the certificate, when it is not
    C(ISSUED), or when it is in another region than the load balancer; an empty list when it can be used.
  - The C(alb) role runs it from C(playbooks/validate.yml) when a certificate is configured, before any write.
author:
  - Bandup platform team (@bandup)
options:
  _terms:
    description: The certificate ARNs.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
"""

EXAMPLES = r"""
- name: Refuse a certificate the listener could not use
  ansible.builtin.fail:
    msg: "{{ problems | join('; ') }}"
  when: problems | length > 0
  vars:
    problems: "{{ query('bandup.ecs.certificate', alb_certificate_arn, region=bandup_region) }}"
"""

RETURN = r"""
_raw:
  description: The problems, each naming C(alb_certificate_arn); empty when the certificate can be used.
  type: list
  elements: str
"""

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AWSLookupBase reports the missing library

from ansible.errors import AnsibleLookupError

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase

from ansible_collections.bandup.ecs.plugins.plugin_utils.certificate import VARIABLE, certificate_problem


class LookupModule(AWSLookupBase):
    def run(self, terms, variables, **kwargs):
        super().run(terms, variables, **kwargs)
        if not self.region:
            raise AnsibleLookupError("bandup_region: no AWS region given")
        try:
            client = self.client("acm")
            return [problem for problem in (certificate_problem(client, arn, self.region) for arn in terms) if problem]
        except (AnsibleAWSError, BotoCoreError, ClientError) as err:
            raise AnsibleLookupError(f"{VARIABLE}: could not read the certificate from ACM: {err}") from err
