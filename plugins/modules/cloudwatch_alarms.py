#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloudwatch_alarms
short_description: CloudWatch alarms on ALB target groups that gate ECS rolling deployments
version_added: 0.3.0
description:
  - Per target group two metric alarms, named C(<target group>-5xx-rate) (metric math, the percent of
    C(RequestCount) answered C(HTTPCode_Target_5XX_Count)) and C(<target group>-p95-latency) (the p95 of
    C(TargetResponseTime), seconds). ECS services list them in C(deploymentConfiguration.alarms) and roll back a
    deployment when one of them is in ALARM.
  - Reads one paginated C(DescribeAlarms) (I(name_prefix)); writes C(PutMetricAlarm) only for an alarm that is
    missing or differs. With I(purge), alarms under I(name_prefix) that are not wanted and carry every tag of
    I(owner_tags) (C(ListTagsForResource), read only for them) are deleted; I(state=absent) deletes all of those.
  - With I(record_on), the load balancer is tagged C(bandup:alarms) with a hash of the wanted alarms after they are
    right (the alb role skips this module while the record matches).
author:
  - Bandup platform team (@bandup)
options:
  name_prefix:
    description: Every alarm managed here starts with it (the deployment's name and a dash).
    type: str
    required: true
  state:
    description: C(present) - the alarms of I(target_groups) exist as wanted; C(absent) - none under the prefix
      carrying I(owner_tags) is left.
    type: str
    choices: [present, absent]
    default: present
  load_balancer_arn:
    description: The ARN of the load balancer in front of I(target_groups) (the alarms' C(LoadBalancer) dimension).
    type: str
  target_groups:
    description: The target groups to watch.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The target group's name (the alarms' names start with it).
        type: str
        required: true
      arn:
        description: The target group's ARN.
        type: str
        required: true
  settings:
    description: Thresholds and evaluation.
    type: dict
    default: {}
    suboptions:
      error_rate_percent:
        description: The 5xx rate (percent of requests) above which the alarm fires.
        type: float
        default: 5.0
      p95_seconds:
        description: The p95 target response time (seconds) above which the alarm fires.
        type: float
        default: 2.0
      period:
        description: Seconds per datapoint (10, 30 or a multiple of 60).
        type: int
        default: 60
      evaluation_periods:
        description: How many datapoints in a row must breach (all of them, C(DatapointsToAlarm)).
        type: int
        default: 3
  tags:
    description: Tags of new alarms (AWS ignores tags on an update of an existing alarm).
    type: dict
    default: {}
  owner_tags:
    description: The tags that mark an alarm as this deployment's (only those are deleted).
    type: dict
    required: true
  purge:
    description: Delete the owned alarms under I(name_prefix) that are not wanted.
    type: bool
    default: true
  record_on:
    description: ARN of the load balancer to tag C(bandup:alarms) with the record of the wanted alarms.
    type: str
extends_documentation_fragment:
  - bandup.ecs.changes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Alarms on the cell target groups
  bandup.ecs.cloudwatch_alarms:
    name_prefix: bandup-prod-
    load_balancer_arn: "{{ alb_outputs.arn }}"
    target_groups:
      - {name: bandup-prod-backend-a, arn: "{{ alb_outputs.target_groups['bandup-prod-backend-a'] }}"}
    settings: {error_rate_percent: 5, p95_seconds: 1.5}
    tags: {"bandup:managed-by": bandup.ecs, "bandup:deployment": bandup-prod}
    owner_tags: {"bandup:managed-by": bandup.ecs, "bandup:deployment": bandup-prod}
"""

RETURN = r"""
extends_documentation_fragment:
  - bandup.ecs.changes
alarms:
  description: Target group name to its alarm names.
  returned: always
  type: dict
  sample: {"bandup-prod-backend-a": ["bandup-prod-backend-a-5xx-rate", "bandup-prod-backend-a-p95-latency"]}
record:
  description: The record of the wanted alarms (what I(record_on) is tagged with); empty with I(state=absent).
  returned: always
  type: str
  sample: 3f2a9c0d1e4b5a6c
deleted:
  description: The alarms deleted (or, in check mode, to delete).
  returned: always
  type: list
  elements: str
  sample: []
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.bandup.ecs.plugins.module_utils._cloudwatch import alarms
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet


def ensure(module, changes):
    params = module.params
    problems = alarms.check_settings(params["settings"], where="settings")
    if params["state"] == "present" and params["target_groups"] and not params["load_balancer_arn"]:
        problems.append("load_balancer_arn: required with target_groups")
    if problems:
        raise AnsibleAWSError(message="; ".join(problems))
    wanted = []
    if params["state"] == "present":
        for tg in params["target_groups"]:
            wanted += alarms.requests(tg["name"], tg["arn"], params["load_balancer_arn"], params["settings"])
    done = alarms.converge(module.client("cloudwatch"), changes, params["name_prefix"], wanted, params["tags"],
                           params["owner_tags"], purge=params["purge"] or params["state"] == "absent")
    record = alarms.record(wanted) if wanted else ""
    if params["record_on"] and params["state"] == "present":
        changes.write(f"load balancer {params['record_on']}", "tag",
                      lambda: alarms.write_record(module.client("elbv2"), params["record_on"], record),
                      fields=[alarms.RECORD_TAG])
    return dict(alarms={tg["name"]: alarms.alarm_names(tg["name"]) for tg in params["target_groups"]},
                record=record, deleted=done["deleted"])


def main():
    module = AWSModule(
        argument_spec=dict(
            name_prefix=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            load_balancer_arn=dict(type="str"),
            target_groups=dict(type="list", elements="dict", default=[], options=dict(
                name=dict(type="str", required=True), arn=dict(type="str", required=True))),
            settings=dict(type="dict", default={}, options=dict(
                error_rate_percent=dict(type="float", default=5.0), p95_seconds=dict(type="float", default=2.0),
                period=dict(type="int", default=60), evaluation_periods=dict(type="int", default=3))),
            tags=dict(type="dict", default={}),
            owner_tags=dict(type="dict", required=True),
            purge=dict(type="bool", default=True),
            record_on=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    changes = ChangeSet(module.check_mode, module._diff)  # pylint: disable=protected-access
    run(module, changes, lambda: ensure(module, changes))


if __name__ == "__main__":
    main()
