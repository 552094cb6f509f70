# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An application load balancer, its target groups, listeners and rules: batched reads, small writes, comparisons.

The reads are shaped for a no-op converge: one DescribeLoadBalancers by name, one DescribeTargetGroups for all the
names, one DescribeTags per 20 ARNs, one DescribeListeners and one DescribeRules per present listener. Target group
attributes (deregistration delay...) are reported only by a separate call per group, so they are compared with a
last-applied record (tag ``bandup:last-applied``, module_utils records) and read only when the record differs from
the desired attributes. Listeners and rules are compared in ``elb_listener``.

The weights of the forwards are not this code's: a new listener or rule gets the weights it is given, an existing
one keeps its live weights (only its target groups are compared and kept right). ``elb_listener.set_weights()``
writes the weights. Every write goes through the ChangeSet; failures are raised as AnsibleAWSError.
"""

from __future__ import annotations

from functools import partial

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import elb_listener as lst
from ansible_collections.bandup.ecs.plugins.module_utils.once import write_once
from ansible_collections.bandup.ecs.plugins.module_utils.records import LAST_APPLIED_TAG, last_applied
from ansible_collections.bandup.ecs.plugins.module_utils.tags import converge_tags

TAGS_PER_CALL = 20  # DescribeTags takes at most 20 ARNs
HEALTH_CHECK_FIELDS = ("HealthCheckProtocol", "HealthCheckPort", "HealthCheckPath", "HealthCheckIntervalSeconds",
                       "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount", "Matcher")
HEALTH_CHECK_OPTIONS = (("health_check_protocol", "HealthCheckProtocol"), ("health_check_port", "HealthCheckPort"),
                        ("health_check_path", "HealthCheckPath"),
                        ("health_check_interval", "HealthCheckIntervalSeconds"),
                        ("health_check_timeout", "HealthCheckTimeoutSeconds"),
                        ("healthy_threshold", "HealthyThresholdCount"),
                        ("unhealthy_threshold", "UnhealthyThresholdCount"))
# Fields CreateTargetGroup sets once; ModifyTargetGroup cannot change them.
FIXED_FIELDS = ("Protocol", "Port", "VpcId", "TargetType")
PENDING = "pending:"  # stands for the ARN of a target group that check mode does not create


class LoadBalancerErrorHandler(AWSErrorHandler):
    """A load balancer or target group that does not exist is "missing" (list_error_handler answers the default)."""

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["LoadBalancerNotFound", "TargetGroupNotFound"])


# ---------------------------------------------------------------- reads

@LoadBalancerErrorHandler.list_error_handler("describe load balancer {name}")
@AWSRetry.jittered_backoff()
def find_load_balancer(elbv2, name):
    """The load balancer named ``name``, or None."""
    found = elbv2.describe_load_balancers(Names=[name])["LoadBalancers"]
    return found[0] if found else None


@LoadBalancerErrorHandler.list_error_handler("describe target groups {names}")
@AWSRetry.jittered_backoff()
def _describe_target_groups(elbv2, names):
    """The target groups named ``names``; None when one of them does not exist (the call fails as a whole)."""
    return elbv2.get_paginator("describe_target_groups").paginate(Names=names).build_full_result()["TargetGroups"]


@AWSErrorHandler.common_error_handler("describe the target groups of load balancer {lb_arn}")
@AWSRetry.jittered_backoff()
def target_groups_of(elbv2, lb_arn):
    """Every target group of the load balancer (all pages)."""
    paginator = elbv2.get_paginator("describe_target_groups")
    return paginator.paginate(LoadBalancerArn=lb_arn).build_full_result()["TargetGroups"]


def find_target_groups(elbv2, names):
    """{name: target group} of those of ``names`` that exist: one call when all exist (the no-op path), one per
    name when one is missing."""
    if not names:
        return {}
    found = _describe_target_groups(elbv2, names)
    if found is None:
        found = [tg for name in names for tg in _describe_target_groups(elbv2, [name]) or []]
    return {tg["TargetGroupName"]: tg for tg in found}


@AWSErrorHandler.common_error_handler("describe the tags of {arns}")
@AWSRetry.jittered_backoff()
def _describe_tags(elbv2, arns):
    return elbv2.describe_tags(ResourceArns=arns)["TagDescriptions"]


def tags_of(elbv2, arns):
    """{ARN: {key: value}} for the ARNs, 20 per DescribeTags call."""
    tags = {}
    for start in range(0, len(arns), TAGS_PER_CALL):
        for desc in _describe_tags(elbv2, arns[start:start + TAGS_PER_CALL]):
            tags[desc["ResourceArn"]] = boto3_tag_list_to_ansible_dict(desc.get("Tags", []))
    return tags


@AWSErrorHandler.common_error_handler("describe the attributes of target group {arn}")
@AWSRetry.jittered_backoff()
def target_group_attributes(elbv2, arn):
    """{key: value} of a target group's attributes (one call per group)."""
    found = elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
    return {a["Key"]: a["Value"] for a in found}


@AWSErrorHandler.common_error_handler("describe the attributes of load balancer {arn}")
@AWSRetry.jittered_backoff()
def load_balancer_attributes(elbv2, arn):
    """{key: value} of a load balancer's attributes."""
    found = elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    return {a["Key"]: a["Value"] for a in found}


@AWSErrorHandler.common_error_handler("modify the attributes of load balancer {arn}")
@AWSRetry.jittered_backoff()
def modify_load_balancer_attributes(elbv2, arn, attributes):
    elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
        {"Key": k, "Value": v} for k, v in sorted(attributes.items())])


# ---------------------------------------------------------------- comparisons

def tag_changes(live, desired):
    """Tags of ``desired`` that ``live`` lacks or holds with another value (tags are never purged)."""
    return compare_aws_tags(live, desired, purge_tags=False)[0]


def load_balancer_changes(live, desired):
    """{'Subnets': [...], 'SecurityGroups': [...]} that differ (order does not matter)."""
    changes = {}
    live_subnets = sorted(az["SubnetId"] for az in live.get("AvailabilityZones", []))
    if sorted(desired["Subnets"]) != live_subnets:
        changes["Subnets"] = sorted(desired["Subnets"])
    if sorted(desired["SecurityGroups"]) != sorted(live.get("SecurityGroups", [])):
        changes["SecurityGroups"] = sorted(desired["SecurityGroups"])
    return changes


def target_group_changes(live, desired):
    """ModifyTargetGroup parameters (health check) that differ; raises ValueError for a fixed field that differs."""
    fixed = [k for k in FIXED_FIELDS if k in desired and live.get(k) != desired[k]]
    if fixed:
        raise ValueError(", ".join(f"{k} {live.get(k)} (wanted {desired[k]})" for k in fixed))
    return {k: desired[k] for k in HEALTH_CHECK_FIELDS if k in desired and live.get(k) != desired[k]}


def attributes_record(attributes):
    """The last-applied record of a target group's attributes."""
    return last_applied(dict(sorted(attributes.items())))


# ---------------------------------------------------------------- writes

@AWSErrorHandler.common_error_handler("create load balancer {desired[Name]}")
def create_load_balancer(elbv2, desired, tags, once=None):
    """CreateLoadBalancer through ``once`` (a client without botocore's retries, module_utils once); after a lost
    answer, the load balancer of that name (AWS treats a resend as idempotent, other endpoints may not)."""
    params = dict(desired, Type="application")
    if tags:
        params["Tags"] = ansible_dict_to_boto3_tag_list(dict(sorted(tags.items())))
    return write_once(lambda: (once or elbv2).create_load_balancer(**params)["LoadBalancers"][0],
                      lambda: find_load_balancer(elbv2, desired["Name"]))


@AWSErrorHandler.common_error_handler("set the subnets of load balancer {arn}")
@AWSRetry.jittered_backoff()
def set_subnets(elbv2, arn, subnets):
    elbv2.set_subnets(LoadBalancerArn=arn, Subnets=subnets)


@AWSErrorHandler.common_error_handler("set the security groups of load balancer {arn}")
@AWSRetry.jittered_backoff()
def set_security_groups(elbv2, arn, security_groups):
    elbv2.set_security_groups(LoadBalancerArn=arn, SecurityGroups=security_groups)


@AWSErrorHandler.common_error_handler("create target group {desired[Name]}")
def create_target_group(elbv2, desired, tags, once=None):
    """CreateTargetGroup through ``once``; after a lost answer, the target group of that name."""
    params = dict(desired)
    if tags:
        params["Tags"] = ansible_dict_to_boto3_tag_list(dict(sorted(tags.items())))
    return write_once(lambda: (once or elbv2).create_target_group(**params)["TargetGroups"][0],
                      lambda: find_target_groups(elbv2, [desired["Name"]]).get(desired["Name"]))


@AWSErrorHandler.common_error_handler("modify target group {arn}")
@AWSRetry.jittered_backoff()
def modify_target_group(elbv2, arn, changes):
    elbv2.modify_target_group(TargetGroupArn=arn, **changes)


@AWSErrorHandler.common_error_handler("modify the attributes of target group {arn}")
@AWSRetry.jittered_backoff()
def modify_target_group_attributes(elbv2, arn, attributes):
    elbv2.modify_target_group_attributes(TargetGroupArn=arn, Attributes=[
        {"Key": k, "Value": v} for k, v in sorted(attributes.items())])


@AWSErrorHandler.common_error_handler("tag {arn}")
@AWSRetry.jittered_backoff()
def add_tags(elbv2, arn, tags):
    elbv2.add_tags(ResourceArns=[arn], Tags=ansible_dict_to_boto3_tag_list(dict(sorted(tags.items()))))


# ---------------------------------------------------------------- desired state from the module options

def forwards(listener):
    """Every forward entry list of a listener option (default action first, then the rules)."""
    found = [(listener.get("default_action") or {}).get("forward") or []]
    return found + [rule["forward"] for rule in listener.get("rules") or []]


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
        tags[LAST_APPLIED_TAG] = attributes_record(attributes)
    return tags


def resolve_listener(listener, arns):
    """The listener option with the forwards' target group names resolved to ARNs (elb_listener's shape)."""
    def resolve(entries):
        return [{"target_group_arn": arns[entry["target_group"]], "weight": entry["weight"]} for entry in entries]

    default_action = dict(listener["default_action"])
    if default_action.get("forward"):
        default_action["forward"] = resolve(default_action["forward"])
    rules = [dict(rule, forward=resolve(rule["forward"])) for rule in listener["rules"]]
    return dict(listener, default_action=default_action, rules=rules)


# ---------------------------------------------------------------- the run

class LoadBalancer:
    """Reads once, compares, and sends every write through the ChangeSet (which gates it on check mode).

    ``params`` are the load_balancer module's options; ``once`` is a callable giving the elbv2 client without
    botocore's retries (made only when a create is sent)."""

    def __init__(self, elbv2, params, changes, once):
        self.elbv2, self.params, self.changes, self.once = elbv2, params, changes, once

    def write(self, resource, action, call, fields=(), before=None, after=None):
        """``changes.write()``, with the resource's before and after added to the diff (``diff``)."""
        self.diff(resource, before, after)
        return self.changes.write(resource, action, call, fields)

    def diff(self, resource, before, after):
        """The resource's before and after added to the diff (merged with those of its earlier writes in this run)."""
        if self.changes.want_diff:
            earlier = (self.changes.before.get(resource), self.changes.after.get(resource))
            before, after = (dict(old, **new) if isinstance(old, dict) and isinstance(new, dict) else new
                             for old, new in zip(earlier, (before, after)))
            self.changes.diff(resource, before, after)

    # -- target groups
    def target_groups(self, live_tgs, tags):
        arns = {}
        for tg in self.params["target_groups"]:
            name, desired = tg["name"], desired_target_group(self.params, tg)
            resource = f"target group {name}"
            want_tags, attributes = desired_tg_tags(self.params, tg), desired_attributes(tg)
            live = live_tgs.get(name)
            if live is None:
                arn = self.write(resource, "create", partial(self.create_target_group, desired, want_tags, attributes),
                                 after=dict(desired, Attributes=attributes, Tags=want_tags))
                arns[name] = arn or PENDING + name
                continue
            arn = arns[name] = live["TargetGroupArn"]
            health = target_group_changes(live, desired)
            if health:
                self.write(resource, "update", partial(modify_target_group, self.elbv2, arn, health),
                           health, {k: live.get(k) for k in health}, health)
            live_tags = tags.get(arn, {})
            if attributes and live_tags.get(LAST_APPLIED_TAG) != want_tags[LAST_APPLIED_TAG]:
                live_attributes = target_group_attributes(self.elbv2, arn)
                changed = {k: v for k, v in attributes.items() if live_attributes.get(k) != v}
                if changed:
                    self.write(resource, "update",
                               partial(modify_target_group_attributes, self.elbv2, arn, changed),
                               changed, {k: live_attributes.get(k) for k in changed}, changed)
            self.tag(resource, arn, live_tags, want_tags)
        return arns

    def create_target_group(self, desired, tags, attributes):
        """CreateTargetGroup, then its attributes (CreateTargetGroup takes none); the new group's ARN."""
        made = create_target_group(self.elbv2, desired, tags, self.once())
        if attributes:
            modify_target_group_attributes(self.elbv2, made["TargetGroupArn"], attributes)
        return made["TargetGroupArn"]

    def create_load_balancer(self, desired):
        return create_load_balancer(self.elbv2, desired, self.params["tags"], self.once())

    def create_listener(self, lb_arn, desired):
        return lst.create_listener(self.elbv2, lb_arn, desired, self.params["tags"], self.once())

    def create_rule(self, listener_arn, rule):
        return lst.create_rule(self.elbv2, listener_arn, rule, self.once())

    def tag(self, resource, arn, live_tags, want_tags):
        new_tags = tag_changes(live_tags, want_tags)
        if new_tags:
            self.diff(resource, {"Tags": {k: live_tags.get(k) for k in new_tags}}, {"Tags": new_tags})
        converge_tags(self.changes, resource, live_tags, want_tags, False, partial(add_tags, self.elbv2, arn))

    # -- the load balancer
    def load_balancer(self, live, tags):
        params = self.params
        resource = f"load balancer {params['name']}"
        desired = {"Name": params["name"], "Scheme": params["scheme"], "Subnets": sorted(params["subnets"]),
                   "SecurityGroups": sorted(params["security_groups"])}
        attributes = {k: str(v).lower() if isinstance(v, bool) else str(v)
                      for k, v in (params.get("attributes") or {}).items()}
        want_tags = dict(params["tags"], **({LAST_APPLIED_TAG: attributes_record(attributes)} if attributes else {}))
        if live is None:
            made = self.write(resource, "create", partial(self.create_load_balancer, desired),
                              after=dict(desired, Attributes=attributes, Tags=want_tags))
            if made and attributes:
                modify_load_balancer_attributes(self.elbv2, made["LoadBalancerArn"], attributes)
                add_tags(self.elbv2, made["LoadBalancerArn"], {LAST_APPLIED_TAG: want_tags[LAST_APPLIED_TAG]})
            return made
        arn, changes = live["LoadBalancerArn"], load_balancer_changes(live, desired)
        if "Subnets" in changes:
            self.write(resource, "update", partial(set_subnets, self.elbv2, arn, changes["Subnets"]), ["Subnets"],
                       {"Subnets": sorted(az["SubnetId"] for az in live.get("AvailabilityZones", []))},
                       {"Subnets": changes["Subnets"]})
        if "SecurityGroups" in changes:
            self.write(resource, "update", partial(set_security_groups, self.elbv2, arn, changes["SecurityGroups"]),
                       ["SecurityGroups"], {"SecurityGroups": sorted(live.get("SecurityGroups", []))},
                       {"SecurityGroups": changes["SecurityGroups"]})
        live_tags = tags.get(arn, {})
        # Attributes are compared through the last-applied record on the load balancer's tags (read anyway): they
        # are read (DescribeLoadBalancerAttributes) only when the record differs from the desired attributes.
        if attributes and live_tags.get(LAST_APPLIED_TAG) != want_tags[LAST_APPLIED_TAG]:
            live_attributes = load_balancer_attributes(self.elbv2, arn)
            changed = {k: v for k, v in attributes.items() if live_attributes.get(k) != v}
            if changed:
                self.write(resource, "attributes", partial(modify_load_balancer_attributes, self.elbv2, arn, changed),
                           changed, {k: live_attributes.get(k) for k in changed}, changed)
        self.tag(resource, arn, live_tags, want_tags)
        return live

    # -- listeners and rules
    def listeners(self, lb_arn, live_listeners, arns):
        """(ARNs of the present listeners that exist, {target group name: weight} of their forwards after the run)."""
        live_by_port = {listener["Port"]: listener for listener in live_listeners}
        listener_arns, actions = [], []
        for option in self.params["listeners"]:
            port, live = option["port"], live_by_port.get(option["port"])
            resource = f"listener {port}"
            if option["state"] == "absent":
                if live is not None:
                    self.write(resource, "delete", partial(lst.delete_listener, self.elbv2, live["ListenerArn"]),
                               before={"ListenerArn": live["ListenerArn"]})
                continue
            resolved = resolve_listener(option, arns)
            desired, rules = lst.desired_listener(resolved), lst.desired_rules(resolved["rules"])
            if live is None:
                made = self.write(resource, "create", partial(self.create_listener, lb_arn, desired), after=desired)
                for rule in rules:
                    self.write(f"rule {rule['Priority']} on listener {port}", "create",
                               made and partial(self.create_rule, made["ListenerArn"], rule), after=rule)
                if made:
                    listener_arns.append(made["ListenerArn"])
                actions += desired["DefaultActions"] + [a for rule in rules for a in rule["Actions"]]
                continue
            listener_arns.append(live["ListenerArn"])
            actions += self.listener(resource, live, desired, rules)
        names = {arn: name for name, arn in arns.items()}
        weights = {names.get(arn, lst.target_group_name(arn)): weight for action in actions
                   if action["Type"] == "forward" for arn, weight in lst.forward_weights(action).items()}
        return listener_arns, weights

    def listener(self, resource, live, desired, rules):
        """The writes of an existing listener and its rules; the actions of its forwards after them."""
        listener_arn, port = live["ListenerArn"], live["Port"]
        live_rules = lst.list_rules(self.elbv2, listener_arn)
        changes = lst.listener_changes(live, desired)
        if changes:
            self.write(resource, "update", partial(lst.modify_listener, self.elbv2, listener_arn, changes), changes,
                       {k: live.get(k) for k in changes}, changes)
        create, modify, delete = lst.rule_plan(live_rules, rules, purge=True)
        by_arn = {r["RuleArn"]: r for r in live_rules}
        for arn in delete:
            self.write(f"rule {by_arn[arn]['Priority']} on listener {port}", "delete",
                       partial(lst.delete_rule, self.elbv2, arn), before=by_arn[arn]["Actions"])
        for rule in modify:
            current = by_arn[rule["RuleArn"]]
            fields = [name for name, differs in (
                ("Conditions", lst.conditions_key(current["Conditions"]) != lst.conditions_key(rule["Conditions"])),
                ("Actions", lst.actions_key(rule["Actions"]) != lst.actions_key(current["Actions"]))) if differs]
            self.write(f"rule {rule['Priority']} on listener {port}", "update",
                       partial(lst.modify_rule, self.elbv2, rule["RuleArn"], Conditions=rule["Conditions"],
                               Actions=rule["Actions"]),
                       fields, {"Conditions": current["Conditions"], "Actions": current["Actions"]},
                       {"Conditions": rule["Conditions"], "Actions": rule["Actions"]})
        for rule in create:
            self.write(f"rule {rule['Priority']} on listener {port}", "create",
                       partial(self.create_rule, listener_arn, rule), after=rule)
        kept = {r["RuleArn"]: r["Actions"] for r in live_rules if not r.get("IsDefault") and r["RuleArn"] not in delete}
        kept.update({r["RuleArn"]: r["Actions"] for r in modify})
        return (changes.get("DefaultActions") or live["DefaultActions"]) + [
            a for acts in kept.values() for a in acts] + [a for r in create for a in r["Actions"]]

    def refuse_fixed_changes(self, live_lb, live_tgs):
        """Raise, naming the option, when the live load balancer or a live target group differs in a setting that
        cannot change in place (before any write)."""
        params = self.params
        if live_lb and (live_lb.get("Type", "application") != "application" or live_lb["Scheme"] != params["scheme"]):
            raise AnsibleAWSError(message=f"scheme: load balancer {params['name']} exists as a {live_lb.get('Type')} "
                                          f"load balancer with scheme {live_lb['Scheme']}; the scheme cannot change "
                                          "in place")
        for tg in params["target_groups"]:
            if tg["name"] in live_tgs:
                try:
                    target_group_changes(live_tgs[tg["name"]], desired_target_group(params, tg))
                except ValueError as err:
                    raise AnsibleAWSError(message=f"target_groups: {tg['name']} exists with {err}; these cannot "
                                                  "change in place: delete the target group or choose another "
                                                  "name") from err

    def ensure_present(self):
        """Converge; the module's result values."""
        params = self.params
        live_lb = find_load_balancer(self.elbv2, params["name"])
        live_tgs = find_target_groups(self.elbv2, [tg["name"] for tg in params["target_groups"]])
        self.refuse_fixed_changes(live_lb, live_tgs)
        tags = tags_of(self.elbv2, ([live_lb["LoadBalancerArn"]] if live_lb else [])
                       + [tg["TargetGroupArn"] for tg in live_tgs.values()])
        live_listeners = lst.list_listeners(self.elbv2, live_lb["LoadBalancerArn"]) if live_lb else []

        arns = self.target_groups(live_tgs, tags)
        current = self.load_balancer(live_lb, tags) or {}
        listener_arns, weights = self.listeners(current.get("LoadBalancerArn"), live_listeners, arns)
        return dict(
            listener_arns=listener_arns, weights=weights,
            target_groups={name: arn for name, arn in arns.items() if not arn.startswith(PENDING)},
            load_balancer={"arn": current.get("LoadBalancerArn", ""), "dns_name": current.get("DNSName", ""),
                           "scheme": current.get("Scheme", params["scheme"]),
                           "security_groups": current.get("SecurityGroups", []),
                           "subnets": sorted(az["SubnetId"] for az in current.get("AvailabilityZones", [])),
                           # as read at the start of the run (the alb role reads the alarms record from them)
                           "tags": tags.get(current.get("LoadBalancerArn"), {})})


def check_input(params):
    """Raise AnsibleAWSError naming the option, before any call, on input AWS would reject after some writes."""
    names = [tg["name"] for tg in params["target_groups"]]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise AnsibleAWSError(message=f"target_groups: {', '.join(dupes)} given twice")
    ports = [listener["port"] for listener in params["listeners"]]
    if len(set(ports)) != len(ports):
        raise AnsibleAWSError(message=f"listeners: duplicate ports {ports}")
    for listener in params["listeners"]:
        priorities = [rule["priority"] for rule in listener["rules"]]
        if len(set(priorities)) != len(priorities):
            raise AnsibleAWSError(
                message=f"listeners: duplicate rule priorities {priorities} on port {listener['port']}")
        if any(not 1 <= p <= 50000 for p in priorities):
            raise AnsibleAWSError(message=f"listeners: a rule priority on port {listener['port']} is outside 1-50000")
        for entries in forwards(listener):
            for entry in entries:
                if entry["target_group"] not in names:
                    raise AnsibleAWSError(message=f"listeners: target group {entry['target_group']} "
                                                  f"(port {listener['port']}) is not one of target_groups")
                if not 0 <= entry["weight"] <= 999:
                    raise AnsibleAWSError(message=f"listeners: weight {entry['weight']} of {entry['target_group']} "
                                                  "is outside 0-999")
