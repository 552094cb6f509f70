#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_rollback_info
short_description: Choose, per ECS service, the task definition revision to roll back to (the last good one)
version_added: 0.2.0
description:
  - Read-only. For each service of I(services), the revision of its task definition family to roll back to.
  - Without I(revision), the newest revision that reached C(rolloutState=COMPLETED) on that service and is older than
    the family's newest C(ACTIVE) revision (the one a deploy rolls out). After a deploy whose deployment failed (the
    circuit breaker rolled it back, or it stayed C(FAILED)), that is the revision before the failed one that last
    worked, not simply the previous number; after a deploy that completed, the good revision before it.
  - The revisions that completed on a service are read from its deployments (C(DescribeServices)) and from the
    record that M(bandup.ecs.ecs_service) and M(bandup.ecs.ecs_app_services) keep on it, the tag C(bandup:last-good),
    written with every deployment they start. A revision that was deregistered (C(INACTIVE)) is skipped.
  - With I(revision), that revision of each service's family, which must exist and be C(ACTIVE).
  - A service for which no revision can be chosen does not make the module fail; RV(problems) says why, naming the
    option, so that a playbook can stop before any write with its own variable names.
author:
  - Bandup platform team (@bandup)
options:
  services:
    description: Names of the services (any number).
    type: list
    elements: str
    required: true
  revision:
    description: Roll back to this revision of each service's task definition family instead of the last good one.
    type: int
extends_documentation_fragment:
  - bandup.ecs.changes
  - bandup.ecs.cluster
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The last good revision of both placements of the backend
  bandup.ecs.ecs_rollback_info:
    cluster: prod
    services: [prod-backend-a, prod-backend-b]
  register: rollback

- name: Stop when a service has none
  ansible.builtin.assert:
    that: rollback.problems | length == 0
    fail_msg: "{{ rollback.problems | join('; ') }}"
"""

RETURN = r"""
extends_documentation_fragment:
  - bandup.ecs.changes
services:
  description: Service name to its revisions and the one chosen (C(revision) and C(task_definition_arn) are null
    when RV(problems) names the service).
  returned: always
  type: dict
  sample: {"prod-backend-a": {"family": "prod-backend", "current_revision": 3, "latest_revision": 4,
           "good_revisions": [3, 1], "revision": 3, "source": "last-good",
           "task_definition_arn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/prod-backend:3",
           "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/prod/backend@sha256:4f1c..."}}
  contains:
    family:
      description: The service's task definition family.
      type: str
    current_revision:
      description: The revision the service runs now (its C(taskDefinition)).
      type: int
    latest_revision:
      description: The family's newest C(ACTIVE) revision.
      type: int
    good_revisions:
      description: Revisions known to have completed a deployment on the service, newest first.
      type: list
      elements: int
    revision:
      description: The revision chosen.
      type: int
    source:
      description: C(last-good) (chosen from the good revisions) or C(requested) (I(revision)).
      type: str
    task_definition_arn:
      description: ARN of the revision chosen.
      type: str
    image:
      description: Image of the first container of the revision chosen.
      type: str
problems:
  description: Why no revision could be chosen for a service, one message per service, starting with the option
    to change (C(services) or C(revision)); empty when every service has one.
  returned: always
  type: list
  elements: str
  sample: ["revision: prod-backend-a: prod-backend:9 does not exist"]
"""

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import status
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet


def main():
    module = AWSModule(
        argument_spec=dict(
            cluster=dict(type="str", required=True),
            services=dict(type="list", elements="str", required=True),
            revision=dict(type="int"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    ecs = module.client("ecs")
    run(module, ChangeSet(), lambda: status.rollback_choices(ecs, params["cluster"], params["services"],
                                                             params["revision"]))


if __name__ == "__main__":
    main()
