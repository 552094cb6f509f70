# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: iam_policy
short_description: The IAM policy that lets a principal run this collection on one deployment
version_added: 0.1.0
description:
  - Every IAM action the collection needs over a deployment's whole life (converge, failover, deploy, rollback,
    status, teardown), with the resources scoped to the deployment's names where AWS has resource-level permissions
    for the action (ECS cluster, services, tasks and task definition families, ECR repositories, IAM roles, log
    groups, the ALB, its listeners and rules, target groups), C(iam:PassRole) only on the deployment's roles and only
    to C(ecs-tasks.amazonaws.com), and C("*") limited to the deployment's region elsewhere.
  - Reads nothing from AWS. C(playbooks/iam_policy.yml) writes it for an inventory; C(docs/iam.md) says how to use it.
author:
  - Bandup platform team (@bandup)
positional: _input
options:
  _input:
    description: The deployment's topology (the C(bandup_topology) fact, or the C(bandup.ecs.topology) filter's result).
    type: dict
    required: true
  account_id:
    description: The AWS account id in the resource ARNs; C(*) for any.
    type: str
    default: '*'
  partition:
    description: The AWS partition of the ARNs (C(aws), C(aws-cn), C(aws-us-gov)).
    type: str
    default: aws
  max_size:
    description:
      - When set, a list of documents, each at most this many characters without whitespace (IAM counts a managed
        policy that way; its limit is 6144), the statements packed in order.
    type: int
"""

EXAMPLES = r"""
- name: The deployment's IAM policy
  ansible.builtin.copy:
    content: "{{ bandup_topology | bandup.ecs.iam_policy(account_id='123456789012') | to_nice_json }}"
    dest: iam-policy.json
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The IAM policy document; with I(max_size), a list of them.
  type: raw
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.bandup.ecs.plugins.plugin_utils.iam_policy import policy, split


def _iam_policy(topology, account_id="*", partition="aws", max_size=None):
    if not (account_id == "*" or (len(str(account_id)) == 12 and str(account_id).isdigit())):
        raise AnsibleFilterError(f"iam_policy_account_id: '{account_id}' is not a 12-digit AWS account id or '*'")
    document = policy(topology, str(account_id), partition)
    return split(document, int(max_size)) if max_size else document


class FilterModule:
    def filters(self):
        return {"iam_policy": _iam_policy}
