# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ALB listeners and rules with weighted forwards, compared by meaning rather than by response shape.

AWS reports a forward action either as ``TargetGroupArn`` (one group), as ``ForwardConfig`` (weighted), or both,
plus server-owned fields (``Order``, stickiness defaults). ``action_key()`` reduces an action to what it means, so
desired and live state compare equal exactly when a write would change nothing.

The weights of the forwards have one owner: ``set_weights()``, which the service code calls to keep traffic on the
active target groups (and to move it in a failover). The load balancer code creates listeners and rules with the
weights it is given, but on an existing listener or rule it compares the target groups of a forward and not their
weights (``action_key(action, weights=False)``), and a write it makes for another reason keeps the live weights
(``keep_weights``).
"""

from __future__ import annotations

from functools import partial

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.bandup.ecs.plugins.module_utils.once import write_once

REDIRECT_DEFAULTS = {"Host": "#{host}", "Path": "/#{path}", "Query": "#{query}", "Port": "#{port}",
                     "Protocol": "#{protocol}"}


class ListenerErrorHandler(AWSErrorHandler):
    """A listener or load balancer that does not exist is "missing" (list_error_handler answers the default)."""

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["ListenerNotFound", "LoadBalancerNotFound"])


# ---------------------------------------------------------------- reads

@ListenerErrorHandler.list_error_handler("describe the listeners of {load_balancer_arn}", default_value=[])
@AWSRetry.jittered_backoff()
def list_listeners(elbv2, load_balancer_arn):
    """Every listener of the load balancer ([] when it does not exist)."""
    paginator = elbv2.get_paginator("describe_listeners")
    return paginator.paginate(LoadBalancerArn=load_balancer_arn).build_full_result()["Listeners"]


def find_listener(elbv2, load_balancer_arn, port):
    """The listener of the load balancer on ``port``, or None."""
    return next((lst for lst in list_listeners(elbv2, load_balancer_arn) if lst["Port"] == port), None)


@ListenerErrorHandler.list_error_handler("describe the rules of listener {listener_arn}")
@AWSRetry.jittered_backoff()
def find_rules(elbv2, listener_arn):
    """Every rule of the listener, the default one (``IsDefault``) included; None when the listener does not exist.
    One DescribeRules call unless the listener has more rules than a page holds."""
    rules, params = [], {"ListenerArn": listener_arn}
    while True:
        page = elbv2.describe_rules(**params)
        rules.extend(page["Rules"])
        if not page.get("NextMarker"):
            return rules
        params["Marker"] = page["NextMarker"]


def list_rules(elbv2, listener_arn):
    """Every rule of the listener, the default one included ([] when the listener does not exist)."""
    return find_rules(elbv2, listener_arn) or []


# ---------------------------------------------------------------- comparisons

def forward_weights(action):
    """{target group ARN: weight} of a forward action; a lone ``TargetGroupArn`` has weight 1.

    AWS reports every weight. An answer that leaves out the weight of some groups only leaves out zeros (a
    serializer that omits zero values); one that leaves out all weights gives the groups equal weights.
    """
    groups = (action.get("ForwardConfig") or {}).get("TargetGroups")
    if groups:
        missing = 0 if any("Weight" in tg for tg in groups) else 1
        return {tg["TargetGroupArn"]: tg.get("Weight", missing) for tg in groups}
    return {action["TargetGroupArn"]: 1}


def action_key(action, weights=True):
    """What an action means, without the fields AWS adds or the shape it chooses; with ``weights=False`` a forward
    means its target groups only (how an existing listener or rule is compared)."""
    kind = action["Type"]
    if kind == "forward":
        stickiness = (action.get("ForwardConfig") or {}).get("TargetGroupStickinessConfig") or {}
        groups = forward_weights(action)
        groups = tuple(sorted(groups.items())) if weights else tuple(sorted(groups))
        return (kind, groups, bool(stickiness.get("Enabled")))
    if kind == "redirect":
        config = dict(REDIRECT_DEFAULTS, **action["RedirectConfig"])
        return (kind, tuple(sorted(config.items())))
    if kind == "fixed-response":
        return (kind, tuple(sorted(action["FixedResponseConfig"].items())))
    return (kind, tuple(sorted((k, str(v)) for k, v in action.items() if k != "Order")))


def actions_key(actions, weights=True):
    return [action_key(a, weights) for a in actions]


def forward_action(weights):
    """A weighted forward action from {target group ARN: weight}."""
    return {"Type": "forward", "ForwardConfig": {
        "TargetGroups": [{"TargetGroupArn": arn, "Weight": weight} for arn, weight in sorted(weights.items())],
        "TargetGroupStickinessConfig": {"Enabled": False}}}


def keep_weights(actions, live_actions):
    """``actions`` with each forward's weights taken from the live forward actions for the target groups they
    already serve (groups new to the listener or rule keep the weight given). A forward whose kept weights would
    all be 0 (no traffic at all, e.g. its live groups all replaced) keeps the weights given."""
    live = {}
    for action in live_actions:
        if action["Type"] == "forward":
            live.update(forward_weights(action))
    kept = []
    for action in actions:
        if action["Type"] == "forward":
            weights = {arn: live.get(arn, weight) for arn, weight in forward_weights(action).items()}
            action = forward_action(weights) if any(weights.values()) else action
        kept.append(action)
    return kept


def to_action(spec):
    """An API action from the module option shape: one of ``forward`` ([{target_group_arn, weight}]),
    ``redirect`` ({protocol, port, status_code}) or ``fixed_response`` ({status_code, content_type, message_body})."""
    if spec.get("fixed_response"):
        fixed = spec["fixed_response"]
        return {"Type": "fixed-response", "FixedResponseConfig": {
            "StatusCode": fixed["status_code"], "ContentType": fixed["content_type"], "MessageBody": fixed["message_body"]}}
    if spec.get("redirect"):
        red = spec["redirect"]
        return {"Type": "redirect", "RedirectConfig": {"Protocol": red["protocol"], "Port": red["port"],
                                                       "StatusCode": red["status_code"]}}
    return forward_action({tg["target_group_arn"]: tg["weight"] for tg in spec["forward"]})


def desired_listener(params):
    """CreateListener parameters (without the load balancer) from {port, protocol, certificate_arn, ssl_policy,
    default_action}."""
    desired = {"Port": params["port"], "Protocol": params["protocol"],
               "DefaultActions": [to_action(params["default_action"])]}
    if params.get("certificate_arn"):
        desired["Certificates"] = [{"CertificateArn": params["certificate_arn"]}]
    if params.get("ssl_policy"):
        desired["SslPolicy"] = params["ssl_policy"]
    return desired


def desired_rules(rules):
    """CreateRule parameters from [{priority, path_patterns, forward}]."""
    return [{"Priority": rule["priority"],
             "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": rule["path_patterns"]}}],
             "Actions": [to_action(rule)]} for rule in rules]


def conditions_key(conditions):
    """Path patterns and host headers of a rule, as a comparable value."""
    key = []
    for cond in conditions:
        field = cond["Field"]
        config = cond.get({"path-pattern": "PathPatternConfig", "host-header": "HostHeaderConfig"}.get(field, ""), {})
        values = config.get("Values") or cond.get("Values") or []
        key.append((field, tuple(sorted(values))))
    return tuple(sorted(key))


def listener_changes(live, desired):
    """Parameters of ModifyListener that differ between the live listener and the desired one. The default action
    is compared without the forward weights; when it differs, it is written with the live weights kept."""
    changes = {}
    for key in ("Protocol", "SslPolicy"):
        if desired.get(key) and live.get(key) != desired[key]:
            changes[key] = desired[key]
    live_certs = [c["CertificateArn"] for c in live.get("Certificates") or []]
    if desired.get("Certificates") and live_certs[:1] != [desired["Certificates"][0]["CertificateArn"]]:
        changes["Certificates"] = desired["Certificates"]
    if actions_key(live["DefaultActions"], weights=False) != actions_key(desired["DefaultActions"], weights=False):
        changes["DefaultActions"] = keep_weights(desired["DefaultActions"], live["DefaultActions"])
    return changes


def rule_plan(live_rules, desired_rules, purge):
    """(create, modify, delete) for the non-default rules, matched by priority. Rules are compared without the
    forward weights; a modified rule keeps the live weights."""
    live = {int(r["Priority"]): r for r in live_rules if not r.get("IsDefault")}
    create, modify = [], []
    for rule in desired_rules:
        current = live.pop(rule["Priority"], None)
        if current is None:
            create.append(rule)
        elif (conditions_key(current["Conditions"]) != conditions_key(rule["Conditions"])
              or actions_key(current["Actions"], weights=False) != actions_key(rule["Actions"], weights=False)):
            kept = keep_weights(rule["Actions"], current["Actions"])
            modify.append(dict(rule, RuleArn=current["RuleArn"], Actions=kept))
    delete = [r["RuleArn"] for r in live.values()] if purge else []
    return create, modify, delete


# ---------------------------------------------------------------- writes

@AWSErrorHandler.common_error_handler("create the listener on port {desired[Port]}")
def create_listener(elbv2, load_balancer_arn, desired, tags, once=None):
    """CreateListener through ``once`` (a client without botocore's retries, module_utils once); after a lost
    answer, the load balancer's listener on that port."""
    params = dict(desired, LoadBalancerArn=load_balancer_arn)
    if tags:
        params["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return write_once(lambda: (once or elbv2).create_listener(**params)["Listeners"][0],
                      lambda: find_listener(elbv2, load_balancer_arn, desired["Port"]))


@AWSErrorHandler.common_error_handler("modify listener {listener_arn}")
@AWSRetry.jittered_backoff()
def modify_listener(elbv2, listener_arn, changes):
    elbv2.modify_listener(ListenerArn=listener_arn, **changes)


@ListenerErrorHandler.deletion_error_handler("delete listener {listener_arn}")
@AWSRetry.jittered_backoff()
def delete_listener(elbv2, listener_arn):
    elbv2.delete_listener(ListenerArn=listener_arn)


@AWSErrorHandler.common_error_handler("create the rule of priority {rule[Priority]} on listener {listener_arn}")
def create_rule(elbv2, listener_arn, rule, once=None):
    """CreateRule through ``once``; after a lost answer, the rule is looked up by its priority (a resend would fail
    with PriorityInUse)."""
    return write_once(lambda: (once or elbv2).create_rule(ListenerArn=listener_arn, **rule),
                      lambda: next((r for r in list_rules(elbv2, listener_arn)
                                    if r["Priority"] == str(rule["Priority"])), None))


@AWSErrorHandler.common_error_handler("modify rule {rule_arn}")
@AWSRetry.jittered_backoff()
def modify_rule(elbv2, rule_arn, **params):
    elbv2.modify_rule(RuleArn=rule_arn, **params)


@AWSErrorHandler.common_error_handler("delete rule {rule_arn}")
@AWSRetry.jittered_backoff()
def delete_rule(elbv2, rule_arn):
    elbv2.delete_rule(RuleArn=rule_arn)


# ---------------------------------------------------------------- the weights

def listener_name(listener_arn):
    """The readable part of a listener ARN: '<load balancer>/<listener id>'."""
    parts = listener_arn.split(":listener/", 1)[-1].split("/")
    return "/".join(parts[1:2] + parts[3:4]) if len(parts) == 4 else listener_arn


def target_group_name(arn):
    """A target group's name from its ARN (…:targetgroup/<name>/<id>)."""
    return arn.split(":targetgroup/", 1)[-1].split("/")[0]


def reweighted(action, weights):
    """The forward action with the weights of the target groups named in ``weights`` replaced, or None if none is."""
    if action["Type"] != "forward":
        return None
    current = forward_weights(action)
    if not set(weights) & set(current):
        return None
    return forward_action(dict(current, **{arn: w for arn, w in weights.items() if arn in current}))


def set_weights(elbv2, listener_arn, weights, changes):
    """Set the weight of each target group ARN in ``weights`` on every forward action of the listener (its default
    action and its rules); the one writer of the listeners' weights.

    Reads the listener's rules with one DescribeRules call (the default rule is one of them, ``IsDefault``) and
    writes only the rules whose weights differ: ModifyListener for the default action (resource
    ``listener <load balancer>/<id>``), ModifyRule for a rule (``rule <priority> on listener <load balancer>/<id>``),
    action ``weights``, through the ChangeSet ``changes`` (check mode: recorded, not sent; the diff holds the
    weights by target group name). Actions that reference none of the groups are left alone. Returns the
    resources written. Raises AnsibleAWSError when the listener does not exist.
    """
    rules = find_rules(elbv2, listener_arn)
    if rules is None:
        raise AnsibleAWSError(message=f"listener_arn: listener {listener_arn} does not exist")
    name, written = listener_name(listener_arn), []
    for rule in rules:
        actions = [reweighted(a, weights) or a for a in rule["Actions"]]
        if actions_key(actions) == actions_key(rule["Actions"]):
            continue
        if rule.get("IsDefault"):
            resource, field = f"listener {name}", "DefaultActions"
            call = partial(modify_listener, elbv2, listener_arn, {"DefaultActions": actions})
        else:
            resource, field = f"rule {rule['Priority']} on listener {name}", "Actions"
            call = partial(modify_rule, elbv2, rule["RuleArn"], Actions=actions)
        changes.diff(resource, *({target_group_name(arn): w for a in acts if a["Type"] == "forward"
                                  for arn, w in forward_weights(a).items()} for acts in (rule["Actions"], actions)))
        changes.write(resource, "weights", call, fields=[field])
        written.append(resource)
    return written
