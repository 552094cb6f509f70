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
    path rules, whose forwards are weighted between target groups.
  - A forward entry that names an ECS O(listeners[].default_action.forward[].service) takes its weight from the
    service's live C(bandup:role) tag (C(active) 100, anything else 0), or from O(listeners[].default_action.forward[].role)
    when the service does not exist or carries no such tag. All services are read with one C(DescribeServices)
    per 10 names.
  - Resources are found by name (load balancer, target groups) and by port (listeners) and priority (rules), so a run
    after an interrupted one adopts what the interrupted run created instead of creating it twice.
  - Reads are batched for a run that changes nothing. C(DescribeLoadBalancers), C(DescribeTargetGroups) (one call
    for all names while all exist), C(DescribeTags) (20 ARNs a call), C(DescribeListeners), C(DescribeRules) per
    present listener, C(DescribeServices) per 10 services.
  - Target group attributes are compared with the last-applied record, the tag C(bandup:last-applied) that holds a
    short hash of the attributes this module set. They are read (C(DescribeTargetGroupAttributes)) only when the
    record differs from the desired attributes, so a change made outside this module to an attribute it manages
    is not detected until the desired attributes change.
  - Tags are added or updated, never removed. Listener tags are set when the listener is created.
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
  tags:
    description: Tags of the load balancer, every target group and new listeners (added, never purged).
    type: dict
    default: {}
  cluster:
    description: ECS cluster of the services named in forward entries; required when a forward entry names a service.
    type: str
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
          forward:
            description: Weighted target groups.
            type: list
            elements: dict
            suboptions:
              target_group:
                description: Name of a target group of O(target_groups).
                type: str
                required: true
              weight:
                description: Share of the traffic (0-999) when O(listeners[].default_action.forward[].service) is unset.
                type: int
                default: 1
              service:
                description: ECS service whose live C(bandup:role) tag decides the weight (C(active) 100, else 0).
                type: str
              role:
                description: The role to assume when the service does not exist or has no C(bandup:role) tag.
                type: str
                choices: [active, standby]
                default: standby
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
            description: Weighted target groups, as in O(listeners[].default_action.forward).
            type: list
            elements: dict
            required: true
            suboptions:
              target_group:
                description: Name of a target group of O(target_groups).
                type: str
                required: true
              weight:
                description: Share of the traffic (0-999) when O(listeners[].rules[].forward[].service) is unset.
                type: int
                default: 1
              service:
                description: ECS service whose live C(bandup:role) tag decides the weight (C(active) 100, else 0).
                type: str
              role:
                description: The role to assume when the service does not exist or has no C(bandup:role) tag.
                type: str
                choices: [active, standby]
                default: standby
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: ALB, a target group per service and AZ, HTTP listener whose weights follow the services' roles
  bandup.ecs.load_balancer:
    name: bandup
    subnets: [subnet-0a, subnet-0b]
    security_groups: [sg-0alb]
    vpc_id: vpc-01
    cluster: bandup
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
            - {target_group: bandup-frontend-a, service: bandup-frontend-a, role: active}
            - {target_group: bandup-frontend-b, service: bandup-frontend-b, role: standby}
        rules:
          - priority: 10
            path_patterns: ["/api/v1/*"]
            forward:
              - {target_group: bandup-backend-a, service: bandup-backend-a, role: active}
              - {target_group: bandup-backend-b, service: bandup-backend-b, role: standby}
      - {port: 443, state: absent}
  register: alb
"""

RETURN = r"""
load_balancer:
  description: The load balancer; C(arn) and C(dns_name) are empty in check mode before it exists.
  returned: always
  type: dict
  sample: {"arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/bandup/50dc6c495c0c9188",
           "dns_name": "bandup-123.us-east-1.elb.amazonaws.com", "scheme": "internet-facing",
           "security_groups": ["sg-0alb"], "subnets": ["subnet-0a", "subnet-0b"]}
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
  description: Target group name to the weight its forwards got (from the services' live roles).
  returned: always
  type: dict
  sample: {"bandup-backend-a": 100, "bandup-backend-b": 0}
changes:
  description: What was (or in check mode would be) changed, one entry per resource.
  returned: always
  type: list
  elements: dict
  sample: [{"resource": "listener 80", "change": "modify", "fields": ["DefaultActions"]}]
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


from ansible_collections.bandup.ecs.plugins.module_utils import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.module_utils import elb_listener as lst
from ansible_collections.bandup.ecs.plugins.module_utils import load_balancer as lb
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule

ACTIVE_WEIGHT = 100
STANDBY_WEIGHT = 0
PENDING = "pending:"  # stands for the ARN of a target group that check mode does not create
FORWARD = dict(type="list", elements="dict", options=dict(
    target_group=dict(type="str", required=True), weight=dict(type="int", default=1),
    service=dict(type="str"), role=dict(type="str", choices=["active", "standby"], default="standby")))
ACTIONS = ["forward", "redirect", "fixed_response"]
ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    scheme=dict(type="str", choices=["internet-facing", "internal"], default="internet-facing"),
    subnets=dict(type="list", elements="str", required=True),
    security_groups=dict(type="list", elements="str", required=True),
    vpc_id=dict(type="str", required=True),
    tags=dict(type="dict", default={}),
    cluster=dict(type="str"),
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
            forward=FORWARD,
            redirect=lst.REDIRECT_OPTION, fixed_response=lst.FIXED_RESPONSE_OPTION)),
        rules=dict(type="list", elements="dict", default=[], options=dict(
            priority=dict(type="int", required=True),
            path_patterns=dict(type="list", elements="str", required=True),
            forward=dict(FORWARD, required=True))),
    ), required_if=[["state", "present", ["default_action"]], ["protocol", "HTTPS", ["certificate_arn"]]]),
)
HEALTH_CHECK_OPTIONS = (("health_check_protocol", "HealthCheckProtocol"), ("health_check_port", "HealthCheckPort"),
                        ("health_check_path", "HealthCheckPath"),
                        ("health_check_interval", "HealthCheckIntervalSeconds"),
                        ("health_check_timeout", "HealthCheckTimeoutSeconds"),
                        ("healthy_threshold", "HealthyThresholdCount"),
                        ("unhealthy_threshold", "UnhealthyThresholdCount"))


# ---------------------------------------------------------------- desired state from the options

def forwards(listener):
    """Every forward entry list of a listener option (default action first, then the rules)."""
    found = [(listener.get("default_action") or {}).get("forward") or []]
    return found + [rule["forward"] for rule in listener.get("rules") or []]


def check_input(module):
    """Fail, naming the option, on input AWS would reject after some writes."""
    params = module.params
    names = [tg["name"] for tg in params["target_groups"]]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        module.fail_json(msg=f"target_groups: {', '.join(dupes)} given twice")
    ports = [listener["port"] for listener in params["listeners"]]
    if len(set(ports)) != len(ports):
        module.fail_json(msg=f"listeners: duplicate ports {ports}")
    for listener in params["listeners"]:
        priorities = [rule["priority"] for rule in listener["rules"]]
        if len(set(priorities)) != len(priorities):
            module.fail_json(msg=f"listeners: duplicate rule priorities {priorities} on port {listener['port']}")
        if any(not 1 <= p <= 50000 for p in priorities):
            module.fail_json(msg=f"listeners: a rule priority on port {listener['port']} is outside 1-50000")
        for entries in forwards(listener):
            for entry in entries:
                if entry["target_group"] not in names:
                    module.fail_json(msg=f"listeners: target group {entry['target_group']} (port {listener['port']}) "
                                         "is not one of target_groups")
                if not 0 <= entry["weight"] <= 999:
                    module.fail_json(msg=f"listeners: weight {entry['weight']} of {entry['target_group']} is outside 0-999")
                if entry["service"] and not params["cluster"]:
                    module.fail_json(msg="cluster: required when a forward entry names a service")


def desired_target_group(params, tg):
    desired = {"Name": tg["name"], "Protocol": tg["protocol"], "Port": tg["port"], "VpcId": params["vpc_id"],
               "TargetType": "ip"}
    for option, key in HEALTH_CHECK_OPTIONS:
        if tg[option] is not None:
            desired[key] = tg[option]
    if tg["matcher"] is not None:
        desired["Matcher"] = {"HttpCode": tg["matcher"]}
    return desired


def desired_attributes(tg):
    attributes = {k: str(v) for k, v in tg["attributes"].items()}
    if tg["deregistration_delay"] is not None:
        attributes["deregistration_delay.timeout_seconds"] = str(tg["deregistration_delay"])
    return attributes


def desired_tg_tags(params, tg):
    tags = dict(params["tags"], **tg["tags"])
    attributes = desired_attributes(tg)
    if attributes:
        tags[lb.LAST_APPLIED_TAG] = lb.attributes_record(attributes)
    return tags


def resolve_forward(entries, arns, roles):
    """The elb_listener forward option ([{target_group_arn, weight}]) with names resolved and role weights set."""
    resolved = []
    for entry in entries:
        weight = entry["weight"]
        if entry["service"]:
            role = roles.get(entry["service"]) or entry["role"]
            weight = ACTIVE_WEIGHT if role == "active" else STANDBY_WEIGHT
        resolved.append({"target_group_arn": arns[entry["target_group"]], "weight": weight,
                         "target_group": entry["target_group"]})
    return resolved


def resolve_listener(listener, arns, roles):
    """The listener option with its forwards resolved (the shape elb_listener.desired_listener takes)."""
    default_action = dict(listener["default_action"])
    if default_action.get("forward"):
        default_action["forward"] = resolve_forward(default_action["forward"], arns, roles)
    rules = [dict(rule, forward=resolve_forward(rule["forward"], arns, roles)) for rule in listener["rules"]]
    return dict(listener, default_action=default_action, rules=rules)


# ---------------------------------------------------------------- the run

class Run:
    """Reads once, plans, writes (unless check mode), and records every change for the result and the diff."""

    def __init__(self, module, elbv2, ecs):
        self.module, self.elbv2, self.ecs = module, elbv2, ecs
        self.params = module.params
        self.check = module.check_mode
        self.changes, self.before, self.after = [], {}, {}

    def once_client(self):
        """The elbv2 client without botocore's retries, for the creates a lost response would duplicate or fail."""
        return self.module.write_client("elbv2")

    def record(self, resource, change, before=None, after=None, **details):
        self.changes.append(dict(resource=resource, change=change, **details))
        self.before[resource] = before
        self.after[resource] = after

    # -- target groups
    def target_groups(self, live_tgs, tags):
        arns = {}
        for tg in self.params["target_groups"]:
            name, desired = tg["name"], desired_target_group(self.params, tg)
            want_tags, attributes = desired_tg_tags(self.params, tg), desired_attributes(tg)
            live = live_tgs.get(name)
            if live is None:
                self.record(f"target group {name}", "create", None, dict(desired, Attributes=attributes, Tags=want_tags))
                if self.check:
                    arns[name] = PENDING + name
                    continue
                live = lb.create_target_group(self.elbv2, desired, want_tags, self.once_client())
                if attributes:
                    lb.modify_target_group_attributes(self.elbv2, live["TargetGroupArn"], attributes)
                arns[name] = live["TargetGroupArn"]
                continue
            arn = arns[name] = live["TargetGroupArn"]
            try:
                health = lb.target_group_changes(live, desired)
            except ValueError as err:
                self.module.fail_json(msg=f"target_groups: {name} exists with {err}; these cannot change in place: "
                                          "delete the target group or choose another name")
            live_tags = tags.get(arn, {})
            new_tags = lb.tag_changes(live_tags, want_tags)
            changed_attributes = {}
            if attributes and live_tags.get(lb.LAST_APPLIED_TAG) != want_tags[lb.LAST_APPLIED_TAG]:
                live_attributes = lb.target_group_attributes(self.elbv2, arn)
                changed_attributes = {k: v for k, v in attributes.items() if live_attributes.get(k) != v}
            if not (health or new_tags or changed_attributes):
                continue
            before, after = {k: live.get(k) for k in health}, dict(health)
            if changed_attributes:
                before["Attributes"] = {k: live_attributes.get(k) for k in changed_attributes}
                after["Attributes"] = changed_attributes
            if new_tags:
                before["Tags"], after["Tags"] = {k: live_tags.get(k) for k in new_tags}, new_tags
            self.record(f"target group {name}", "modify", before, after,
                        fields=sorted(health) + sorted(changed_attributes) + (["Tags"] if new_tags else []))
            if self.check:
                continue
            if health:
                lb.modify_target_group(self.elbv2, arn, health)
            if changed_attributes:
                lb.modify_target_group_attributes(self.elbv2, arn, changed_attributes)
            if new_tags:
                lb.add_tags(self.elbv2, arn, new_tags)
        return arns

    # -- the load balancer
    def load_balancer(self, live, tags):
        params = self.params
        desired = {"Name": params["name"], "Scheme": params["scheme"], "Subnets": sorted(params["subnets"]),
                   "SecurityGroups": sorted(params["security_groups"])}
        if live is None:
            self.record(f"load balancer {params['name']}", "create", None, dict(desired, Tags=params["tags"]))
            if self.check:
                return None
            return lb.create_load_balancer(self.elbv2, desired, params["tags"], self.once_client())
        if live.get("Type", "application") != "application" or live["Scheme"] != params["scheme"]:
            self.module.fail_json(msg=f"scheme: load balancer {params['name']} exists as a {live.get('Type')} load "
                                      f"balancer with scheme {live['Scheme']}; the scheme cannot change in place")
        changes = lb.load_balancer_changes(live, desired)
        live_tags = tags.get(live["LoadBalancerArn"], {})
        new_tags = lb.tag_changes(live_tags, params["tags"])
        if changes or new_tags:
            before = {"Subnets": sorted(az["SubnetId"] for az in live.get("AvailabilityZones", [])),
                      "SecurityGroups": sorted(live.get("SecurityGroups", []))}
            before, after = {k: before[k] for k in changes}, dict(changes)
            if new_tags:
                before["Tags"], after["Tags"] = {k: live_tags.get(k) for k in new_tags}, new_tags
            self.record(f"load balancer {params['name']}", "modify", before, after, fields=sorted(changes) + (["Tags"] if new_tags else []))
            if not self.check:
                lb.update_load_balancer(self.elbv2, live["LoadBalancerArn"], changes)
                if new_tags:
                    lb.add_tags(self.elbv2, live["LoadBalancerArn"], new_tags)
        return live

    # -- listeners and rules
    def listeners(self, lb_arn, live_listeners, arns, roles):
        live_by_port = {listener["Port"]: listener for listener in live_listeners}
        listener_arns = []
        for option in self.params["listeners"]:
            port, live = option["port"], live_by_port.get(option["port"])
            resource = f"listener {port}"
            if option["state"] == "absent":
                if live is not None:
                    self.record(resource, "delete", {"ListenerArn": live["ListenerArn"]}, None)
                    if not self.check:
                        lst.delete_listener(self.elbv2, live["ListenerArn"])
                continue
            resolved = resolve_listener(option, arns, roles)
            desired, rules = lst.desired_listener(resolved), lst.desired_rules(resolved["rules"])
            if live is None:
                self.record(resource, "create", None, dict(desired, Rules=rules))
                if self.check or lb_arn is None:
                    continue
                live = lst.create_listener(self.elbv2, lb_arn, desired, self.params["tags"], self.once_client())
                lst.apply_rules(self.elbv2, live["ListenerArn"], rules, [], [], self.once_client())
                listener_arns.append(live["ListenerArn"])
                continue
            listener_arns.append(live["ListenerArn"])
            live_rules = lst.list_rules(self.elbv2, live["ListenerArn"])
            changes = lst.listener_changes(live, desired)
            create, modify, delete = lst.rule_plan(live_rules, rules, purge=True)
            if not (changes or create or modify or delete):
                continue
            by_priority = {r["Priority"]: r for r in live_rules if not r.get("IsDefault")}
            self.record(resource, "modify",
                        {"listener": {k: live.get(k) for k in changes},
                         "rules": {str(r["Priority"]): by_priority.get(str(r["Priority"]), {}).get("Actions")
                                   for r in modify}},
                        {"listener": changes, "rules": {str(r["Priority"]): r["Actions"] for r in modify},
                         "create_rules": [r["Priority"] for r in create], "delete_rules": delete},
                        fields=sorted(changes), create_rules=[r["Priority"] for r in create],
                        modify_rules=[r["Priority"] for r in modify], delete_rules=delete)
            if not self.check:
                if changes:
                    lst.modify_listener(self.elbv2, live["ListenerArn"], changes)
                lst.apply_rules(self.elbv2, live["ListenerArn"], create, modify, delete, self.once_client())
        return listener_arns

    def roles(self):
        """{service: live bandup:role} of every service a forward entry names (one call per 10 services)."""
        names = sorted({entry["service"] for listener in self.params["listeners"] for entries in forwards(listener)
                        for entry in entries if entry["service"]})
        if not names:
            return {}
        return lb.live_roles(self.ecs(), self.params["cluster"], names, svc.ROLE_TAG)

    def ensure_present(self):
        params = self.params
        live_lb = lb.find_load_balancer(self.elbv2, params["name"])
        live_tgs = lb.find_target_groups(self.elbv2, [tg["name"] for tg in params["target_groups"]])
        tags = lb.tags_of(self.elbv2, ([live_lb["LoadBalancerArn"]] if live_lb else [])
                          + [tg["TargetGroupArn"] for tg in live_tgs.values()])
        live_listeners = lst.list_listeners(self.elbv2, live_lb["LoadBalancerArn"]) if live_lb else []
        roles = self.roles()

        arns = self.target_groups(live_tgs, tags)
        current = self.load_balancer(live_lb, tags)
        lb_arn = current["LoadBalancerArn"] if current else None
        listener_arns = self.listeners(lb_arn, live_listeners, arns, roles)

        weights = {}
        for listener in params["listeners"]:
            if listener["state"] == "present":
                for entries in forwards(resolve_listener(listener, arns, roles)):
                    weights.update({e["target_group"]: e["weight"] for e in entries})
        current = current or {}
        result = dict(
            changed=bool(self.changes), changes=self.changes, listener_arns=listener_arns, weights=weights,
            target_groups={name: arn for name, arn in arns.items() if not arn.startswith(PENDING)},
            load_balancer={"arn": current.get("LoadBalancerArn", ""), "dns_name": current.get("DNSName", ""),
                           "scheme": current.get("Scheme", params["scheme"]),
                           "security_groups": current.get("SecurityGroups", []),
                           "subnets": sorted(az["SubnetId"] for az in current.get("AvailabilityZones", []))})
        if self.module._diff:
            result["diff"] = {"before": self.before, "after": self.after}
        return result


def main():
    module = AWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    check_input(module)
    elbv2 = module.client("elbv2")
    run = Run(module, elbv2, lambda: module.client("ecs"))
    try:
        result = run.ensure_present()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to ensure the load balancer {module.params['name']}",
                             changes=run.changes)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
