#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: elb_listener
short_description: One ALB listener with weighted forward actions and path rules
version_added: 0.1.0
description:
  - Creates, updates or deletes one listener of an application load balancer, its default action and its rules.
  - Forward actions are weighted (C(ForwardConfig)); actions are compared by meaning (target groups, weights,
    redirect target), not by the shape AWS reports them in, so a second run reports no change.
  - Rules are matched by priority. With O(purge_rules=true) rules of the listener that are not given are deleted.
author:
  - Bandup platform team (@bandup)
options:
  load_balancer_arn:
    description: ARN of the application load balancer.
    type: str
    required: true
  port:
    description: Listener port.
    type: int
    required: true
  protocol:
    description: Listener protocol.
    type: str
    choices: [HTTP, HTTPS]
    default: HTTP
  certificate_arn:
    description: ACM certificate ARN; required when O(protocol=HTTPS).
    type: str
  ssl_policy:
    description: TLS policy of an HTTPS listener; AWS picks its default when unset.
    type: str
  default_action:
    description:
      - The listener's default action; give exactly one of O(default_action.forward), O(default_action.redirect)
        and O(default_action.fixed_response).
    type: dict
    suboptions:
      fixed_response:
        description: Answer every request with a fixed response.
        type: dict
        suboptions:
          status_code:
            description: HTTP status code.
            type: str
            default: "404"
          content_type:
            description: Content type of the body.
            type: str
            default: text/plain
          message_body:
            description: Body of the response.
            type: str
            default: Not Found
      forward:
        description: Target groups and their weights (0-999).
        type: list
        elements: dict
        suboptions:
          target_group_arn:
            description: Target group ARN.
            type: str
            required: true
          weight:
            description: Share of the traffic; 0 sends none but keeps the group health-checked.
            type: int
            default: 1
      redirect:
        description: Redirect to another port and protocol, keeping host, path and query.
        type: dict
        suboptions:
          protocol:
            description: Protocol to redirect to.
            type: str
            default: HTTPS
          port:
            description: Port to redirect to.
            type: str
            default: "443"
          status_code:
            description: Redirect status.
            type: str
            choices: [HTTP_301, HTTP_302]
            default: HTTP_301
  rules:
    description: Listener rules forwarding requests whose path matches to weighted target groups.
    type: list
    elements: dict
    default: []
    suboptions:
      priority:
        description: Rule priority (1-50000), unique on the listener.
        type: int
        required: true
      path_patterns:
        description: Path patterns of the rule.
        type: list
        elements: str
        required: true
      forward:
        description: Target groups and their weights, as in O(default_action.forward).
        type: list
        elements: dict
        required: true
        suboptions:
          target_group_arn:
            description: Target group ARN.
            type: str
            required: true
          weight:
            description: Share of the traffic (0-999).
            type: int
            default: 1
  purge_rules:
    description: Delete rules of the listener that O(rules) does not name.
    type: bool
    default: true
  tags:
    description: Tags of a new listener.
    type: dict
    default: {}
  state:
    description: Whether the listener exists.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: HTTP listener, frontend by default, backend on /api/v1/*, standby groups passive
  bandup.ecs.elb_listener:
    load_balancer_arn: "{{ alb.load_balancer_arn }}"
    port: 80
    default_action:
      forward:
        - {target_group_arn: "{{ tg.frontend_a }}", weight: 100}
        - {target_group_arn: "{{ tg.frontend_b }}", weight: 0}
    rules:
      - priority: 10
        path_patterns: ["/api/v1/*"]
        forward:
          - {target_group_arn: "{{ tg.backend_a }}", weight: 100}
          - {target_group_arn: "{{ tg.backend_b }}", weight: 0}

- name: Redirect HTTP to HTTPS
  bandup.ecs.elb_listener:
    load_balancer_arn: "{{ alb.load_balancer_arn }}"
    port: 80
    default_action:
      redirect: {protocol: HTTPS, port: "443"}
"""

RETURN = r"""
listener_arn:
  description: ARN of the listener.
  returned: when O(state=present)
  type: str
  sample: arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/bandup/50dc6c495c0c9188/f2f7dc8efc522ab2
changes:
  description: What was (or in check mode would be) changed.
  returned: always
  type: dict
  sample: {"listener": {"DefaultActions": []}, "create_rules": [10], "modify_rules": [], "delete_rules": []}
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


from ansible_collections.bandup.ecs.plugins.module_utils import elb_listener as lst
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule

FORWARD = dict(type="list", elements="dict", options=dict(
    target_group_arn=dict(type="str", required=True), weight=dict(type="int", default=1)))
ACTIONS = ["forward", "redirect", "fixed_response"]
DEFAULT_ACTION = dict(
    forward=FORWARD,
    redirect=lst.REDIRECT_OPTION,
    fixed_response=lst.FIXED_RESPONSE_OPTION,
)


def check_input(module):
    params = module.params
    weights = [tg["weight"] for tg in (params["default_action"] or {}).get("forward") or []]
    for rule in params["rules"]:
        weights += [tg["weight"] for tg in rule["forward"]]
        if not 1 <= rule["priority"] <= 50000:
            module.fail_json(msg=f"rules: priority {rule['priority']} is outside 1-50000")
    if any(not 0 <= w <= 999 for w in weights):
        module.fail_json(msg="weight: every target group weight must be between 0 and 999")
    priorities = [rule["priority"] for rule in params["rules"]]
    if len(set(priorities)) != len(priorities):
        module.fail_json(msg=f"rules: duplicate priorities {priorities}")


def ensure_present(module, elbv2, live):
    params = module.params
    desired = lst.desired_listener(params)
    rules = lst.desired_rules(params["rules"])
    changes = {"listener": {}, "create_rules": [], "modify_rules": [], "delete_rules": []}
    if live is None:
        changes["listener"] = {"create": params["port"]}
        changes["create_rules"] = [r["Priority"] for r in rules]
        if module.check_mode:
            module.exit_json(changed=True, changes=changes)
        writer = module.write_client("elbv2")
        live = lst.create_listener(elbv2, params["load_balancer_arn"], desired, params["tags"], writer)
        lst.apply_rules(elbv2, live["ListenerArn"], rules, [], [], writer)
        module.exit_json(changed=True, listener_arn=live["ListenerArn"], changes=changes)

    listener_changes = lst.listener_changes(live, desired)
    create, modify, delete = lst.rule_plan(lst.list_rules(elbv2, live["ListenerArn"]), rules, params["purge_rules"])
    changes = {"listener": listener_changes, "create_rules": [r["Priority"] for r in create],
               "modify_rules": [r["Priority"] for r in modify], "delete_rules": delete}
    changed = bool(listener_changes or create or modify or delete)
    result = dict(changed=changed, listener_arn=live["ListenerArn"], changes=changes)
    if module._diff:
        result["diff"] = {"before": {"listener": {k: live.get(k) for k in listener_changes}},
                          "after": {"listener": listener_changes, "rules": changes}}
    if changed and not module.check_mode:
        if listener_changes:
            lst.modify_listener(elbv2, live["ListenerArn"], listener_changes)
        lst.apply_rules(elbv2, live["ListenerArn"], create, modify, delete, module.write_client("elbv2"))
    module.exit_json(**result)


def ensure_absent(module, elbv2, live):
    if live is None:
        module.exit_json(changed=False, changes={})
    if not module.check_mode:
        lst.delete_listener(elbv2, live["ListenerArn"])
    module.exit_json(changed=True, changes={"listener": {"delete": live["ListenerArn"]}})


def main():
    argument_spec = dict(
        load_balancer_arn=dict(type="str", required=True),
        port=dict(type="int", required=True),
        protocol=dict(type="str", choices=["HTTP", "HTTPS"], default="HTTP"),
        certificate_arn=dict(type="str"),
        ssl_policy=dict(type="str"),
        default_action=dict(type="dict", options=DEFAULT_ACTION, mutually_exclusive=[ACTIONS], required_one_of=[ACTIONS]),
        rules=dict(type="list", elements="dict", default=[], options=dict(
            priority=dict(type="int", required=True),
            path_patterns=dict(type="list", elements="str", required=True),
            forward=dict(FORWARD, required=True))),
        purge_rules=dict(type="bool", default=True),
        tags=dict(type="dict", default={}),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[["state", "present", ["default_action"]], ["protocol", "HTTPS", ["certificate_arn"]]],
    )
    check_input(module)
    elbv2 = module.client("elbv2")
    try:
        live = lst.find_listener(elbv2, module.params["load_balancer_arn"], module.params["port"])
        if module.params["state"] == "present":
            ensure_present(module, elbv2, live)
        else:
            ensure_absent(module, elbv2, live)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to manage the listener on port {module.params['port']}")


if __name__ == "__main__":
    main()
