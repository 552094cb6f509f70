#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: load_balancer
short_description: An application load balancer, its target groups, listeners and weighted rules in one call
version_added: 0.2.0
description:
  - Ensures an application load balancer (scheme, subnets, security groups, tags), its C(ip) target groups (health
    check, attributes such as the deregistration delay, tags), and its listeners with their default actions and
    path rules.
  - Forwards are weighted between target groups. A new listener or rule gets the weights given. On an existing
    listener or rule the module compares and keeps right the target groups of a forward, but never compares or
    changes their weights (a write for another reason keeps the live weights). The weights have one owner, the
    service code (M(bandup.ecs.ecs_app_services) through module_utils C(elb_listener.set_weights)), which moves traffic
    in a failover and keeps it on the active target groups.
  - Resources are found by name (load balancer, target groups) and by port (listeners) and priority (rules), so a run
    after an interrupted one adopts what the interrupted run created instead of creating it twice.
  - Reads are batched for a run that changes nothing. C(DescribeLoadBalancers), C(DescribeTargetGroups) (one call
    for all names while all exist), C(DescribeTags) (20 ARNs a call), C(DescribeListeners), C(DescribeRules) per
    present listener.
  - Target group attributes are compared with the last-applied record, the tag C(bandup:last-applied) that holds a
    short hash of the attributes this module set. They are read (C(DescribeTargetGroupAttributes)) only when the
    record differs from the desired attributes, so a change made outside this module to an attribute it manages
    is not detected until the desired attributes change.
  - Tags are added or updated, never removed. Listener tags are set when the listener is created.
  - Every write is one item of C(changes), with resources named C(load balancer <name>), C(target group <name>),
    C(listener <port>) and C(rule <priority> on listener <port>).
  - The load balancer's scheme and a target group's protocol, port, VPC and target type cannot change in place;
    the module fails naming them rather than replacing the resource.
author:
  - Bandup platform team (@bandup)
options:
  name:
    description: Name of the application load balancer (at most 32 alphanumerics and hyphens).
    type: str
    required: true
  scheme:
    description: Scheme of a new load balancer; an existing one with another scheme is an error.
    type: str
    choices: [internet-facing, internal]
    default: internet-facing
  subnets:
    description: Subnet IDs of the load balancer (at least two AZs).
    type: list
    elements: str
    required: true
  security_groups:
    description: Security group IDs of the load balancer.
    type: list
    elements: str
    required: true
  vpc_id:
    description: VPC of the target groups.
    type: str
    required: true
  attributes:
    description:
      - Load balancer attributes (AWS attribute key to value), e.g. C(zonal_shift.config.enabled) C(true) for ARC
        zonal shift. Compared through the last-applied record (the tag C(bandup:last-applied) on the load balancer),
        read with C(DescribeLoadBalancerAttributes) only when the record differs; attributes not given are left alone.
    type: dict
    default: {}
    version_added: 0.3.0
  tags:
    description: Tags of the load balancer, every target group and new listeners (added, never purged).
    type: dict
    default: {}
  target_groups:
    description: The target groups (target type C(ip)); each is found or created by name.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Target group name (at most 32 alphanumerics and hyphens).
        type: str
        required: true
      port:
        description: Port of the targets.
        type: int
        required: true
      protocol:
        description: Protocol to the targets.
        type: str
        choices: [HTTP, HTTPS]
        default: HTTP
      health_check_protocol:
        description: Health check protocol; AWS's default when unset.
        type: str
        choices: [HTTP, HTTPS]
      health_check_port:
        description: Health check port, or C(traffic-port); AWS's default when unset.
        type: str
      health_check_path:
        description: Health check path; AWS's default when unset.
        type: str
      health_check_interval:
        description: Seconds between health checks (5-300); AWS's default when unset.
        type: int
      health_check_timeout:
        description: Seconds before a health check fails (2-120); AWS's default when unset.
        type: int
      healthy_threshold:
        description: Consecutive successes before a target is healthy (2-10); AWS's default when unset.
        type: int
      unhealthy_threshold:
        description: Consecutive failures before a target is unhealthy (2-10); AWS's default when unset.
        type: int
      matcher:
        description: HTTP codes of a healthy answer, e.g. C(200) or C(200-299); AWS's default when unset.
        type: str
      deregistration_delay:
        description: Seconds a draining target keeps its connections (0-3600); AWS's default when unset.
        type: int
      attributes:
        description: Other target group attributes (AWS attribute key to value).
        type: dict
        default: {}
      tags:
        description: Tags of this target group, on top of O(tags).
        type: dict
        default: {}
  listeners:
    description:
      - The listeners, found by port. The first listener with O(listeners[].state=present) is the first of
        RV(listener_arns).
    type: list
    elements: dict
    default: []
    suboptions:
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
        description: ACM certificate ARN; required when O(listeners[].protocol=HTTPS).
        type: str
      ssl_policy:
        description: TLS policy of an HTTPS listener; AWS picks its default when unset.
        type: str
      state:
        description: Whether the listener exists; C(absent) deletes a listener on this port.
        type: str
        choices: [present, absent]
        default: present
      default_action:
        description:
          - The default action, required when O(listeners[].state=present); give exactly one of
            O(listeners[].default_action.forward), O(listeners[].default_action.redirect) and
            O(listeners[].default_action.fixed_response).
        type: dict
        suboptions:
          forward: &forward
            description:
              - Weighted target groups. The weights are those of a new listener or rule; an existing one keeps its
                live weights.
            type: list
            elements: dict
            suboptions:
              target_group:
                description: Name of a target group of O(target_groups).
                type: str
                required: true
              weight:
                description: Share of the traffic (0-999) on a new listener or rule; 0 sends none but keeps the group
                  health-checked.
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
      rules:
        description: Rules forwarding requests whose path matches; rules of the listener not given are deleted.
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
            <<: *forward
            required: true
extends_documentation_fragment:
  - bandup.ecs.changes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: ALB, a target group per service and AZ, HTTP listener (traffic to AZ a's target groups when created)
  bandup.ecs.load_balancer:
    name: bandup
    subnets: [subnet-0a, subnet-0b]
    security_groups: [sg-0alb]
    vpc_id: vpc-01
    tags: {"bandup:deployment": bandup}
    target_groups:
      - {name: bandup-backend-a, port: 8080, health_check_path: /actuator/health, deregistration_delay: 30}
      - {name: bandup-backend-b, port: 8080, health_check_path: /actuator/health, deregistration_delay: 30}
      - {name: bandup-frontend-a, port: 3000, health_check_path: /api/health, deregistration_delay: 30}
      - {name: bandup-frontend-b, port: 3000, health_check_path: /api/health, deregistration_delay: 30}
    listeners:
      - port: 80
        default_action:
          forward:
            - {target_group: bandup-frontend-a, weight: 100}
            - {target_group: bandup-frontend-b, weight: 0}
        rules:
          - priority: 10
            path_patterns: ["/api/v1/*"]
            forward:
              - {target_group: bandup-backend-a, weight: 100}
              - {target_group: bandup-backend-b, weight: 0}
      - {port: 443, state: absent}
  register: alb
"""

RETURN = r"""
extends_documentation_fragment:
  - bandup.ecs.changes
load_balancer:
  description:
    - The load balancer; C(arn) and C(dns_name) are empty in check mode before it exists.
    - C(tags) are its tags as read at the start of the run (before this run's writes).
  returned: always
  type: dict
  sample: {"arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/bandup/50dc6c495c0c9188",
           "dns_name": "bandup-123.us-east-1.elb.amazonaws.com", "scheme": "internet-facing",
           "security_groups": ["sg-0alb"], "subnets": ["subnet-0a", "subnet-0b"], "tags": {"bandup:managed-by": "bandup.ecs"}}
target_groups:
  description: Target group name to ARN, for the groups that exist (in check mode, not those still to create).
  returned: always
  type: dict
  sample: {"bandup-backend-a": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bandup-backend-a/aaa"}
listener_arns:
  description: ARNs of the listeners with O(listeners[].state=present) that exist, in the order of O(listeners).
  returned: always
  type: list
  elements: str
  sample: ["arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/bandup/50dc6c495c0c9188/f2f7dc8efc522ab2"]
weights:
  description:
    - Target group name to the weight of its forwards after the run (the live weights of existing listeners and
      rules, the given ones of those created).
  returned: always
  type: dict
  sample: {"bandup-backend-a": 100, "bandup-backend-b": 0}
"""

from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import load_balancer as lb
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet

FORWARD = dict(type="list", elements="dict", options=dict(
    target_group=dict(type="str", required=True), weight=dict(type="int", default=1)))
REDIRECT = dict(type="dict", options=dict(
    protocol=dict(type="str", default="HTTPS"), port=dict(type="str", default="443"),
    status_code=dict(type="str", choices=["HTTP_301", "HTTP_302"], default="HTTP_301")))
FIXED_RESPONSE = dict(type="dict", options=dict(
    status_code=dict(type="str", default="404"), content_type=dict(type="str", default="text/plain"),
    message_body=dict(type="str", default="Not Found")))
ACTIONS = ["forward", "redirect", "fixed_response"]
ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    scheme=dict(type="str", choices=["internet-facing", "internal"], default="internet-facing"),
    subnets=dict(type="list", elements="str", required=True),
    security_groups=dict(type="list", elements="str", required=True),
    vpc_id=dict(type="str", required=True),
    tags=dict(type="dict", default={}),
    attributes=dict(type="dict", default={}),
    target_groups=dict(type="list", elements="dict", default=[], options=dict(
        name=dict(type="str", required=True),
        port=dict(type="int", required=True),
        protocol=dict(type="str", choices=["HTTP", "HTTPS"], default="HTTP"),
        health_check_protocol=dict(type="str", choices=["HTTP", "HTTPS"]),
        health_check_port=dict(type="str"),
        health_check_path=dict(type="str"),
        health_check_interval=dict(type="int"),
        health_check_timeout=dict(type="int"),
        healthy_threshold=dict(type="int"),
        unhealthy_threshold=dict(type="int"),
        matcher=dict(type="str"),
        deregistration_delay=dict(type="int"),
        attributes=dict(type="dict", default={}),
        tags=dict(type="dict", default={}),
    )),
    listeners=dict(type="list", elements="dict", default=[], options=dict(
        port=dict(type="int", required=True),
        protocol=dict(type="str", choices=["HTTP", "HTTPS"], default="HTTP"),
        certificate_arn=dict(type="str"),
        ssl_policy=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        default_action=dict(type="dict", mutually_exclusive=[ACTIONS], required_one_of=[ACTIONS], options=dict(
            forward=FORWARD, redirect=REDIRECT, fixed_response=FIXED_RESPONSE)),
        rules=dict(type="list", elements="dict", default=[], options=dict(
            priority=dict(type="int", required=True),
            path_patterns=dict(type="list", elements="str", required=True),
            forward=dict(FORWARD, required=True))),
    ), required_if=[["state", "present", ["default_action"]], ["protocol", "HTTPS", ["certificate_arn"]]]),
)


def main():
    module = AWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    changes = ChangeSet(module.check_mode, module._diff)

    def body():
        lb.check_input(module.params)
        return lb.LoadBalancer(module.client("elbv2"), module.params, changes,
                               lambda: module.write_client("elbv2")).ensure_present()

    run(module, changes, body)


if __name__ == "__main__":
    main()
