# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ALB listeners and rules with weighted forwards, compared by meaning rather than by response shape.

AWS reports a forward action either as ``TargetGroupArn`` (one group), as ``ForwardConfig`` (weighted), or both,
plus server-owned fields (``Order``, stickiness defaults). ``action_key()`` reduces an action to what it means, so
desired and live state compare equal exactly when a write would change nothing. ``set_weights()`` is the one
function the failover calls to move traffic between target groups.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.bandup.ecs.plugins.module_utils.once import write_once

# Argument specs of the non-forward default actions, shared by the modules that take a listener's default action.
REDIRECT_OPTION = dict(type="dict", options=dict(
    protocol=dict(type="str", default="HTTPS"), port=dict(type="str", default="443"),
    status_code=dict(type="str", choices=["HTTP_301", "HTTP_302"], default="HTTP_301")))
FIXED_RESPONSE_OPTION = dict(type="dict", options=dict(
    status_code=dict(type="str", default="404"), content_type=dict(type="str", default="text/plain"),
    message_body=dict(type="str", default="Not Found")))
REDIRECT_DEFAULTS = {"Host": "#{host}", "Path": "/#{path}", "Query": "#{query}", "Port": "#{port}",
                     "Protocol": "#{protocol}"}


@AWSRetry.jittered_backoff()
def _describe_listeners(elbv2, **params):
    return elbv2.get_paginator("describe_listeners").paginate(**params).build_full_result()["Listeners"]


@AWSRetry.jittered_backoff()
def _describe_rules(elbv2, listener_arn):
    rules, params = [], {"ListenerArn": listener_arn}
    while True:
        page = elbv2.describe_rules(**params)
        rules.extend(page["Rules"])
        if not page.get("NextMarker"):
            return rules
        params["Marker"] = page["NextMarker"]


@AWSRetry.jittered_backoff()
def _call(elbv2, operation, **params):
    return getattr(elbv2, operation)(**params)


def list_listeners(elbv2, load_balancer_arn):
    """Every listener of the load balancer ([] when it does not exist)."""
    try:
        return _describe_listeners(elbv2, LoadBalancerArn=load_balancer_arn)
    except is_boto3_error_code("LoadBalancerNotFound"):
        return []


def find_listener(elbv2, load_balancer_arn, port):
    """The listener of the load balancer on ``port``, or None."""
    return next((lst for lst in list_listeners(elbv2, load_balancer_arn) if lst["Port"] == port), None)


def get_listener(elbv2, listener_arn):
    """The listener ``listener_arn``, or None."""
    try:
        return _describe_listeners(elbv2, ListenerArns=[listener_arn])[0]
    except is_boto3_error_code("ListenerNotFound"):
        return None


def list_rules(elbv2, listener_arn):
    """Every rule of the listener, the default one (``IsDefault``) included."""
    return _describe_rules(elbv2, listener_arn)


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


def action_key(action):
    """What an action means, without the fields AWS adds or the shape it chooses."""
    kind = action["Type"]
    if kind == "forward":
        stickiness = (action.get("ForwardConfig") or {}).get("TargetGroupStickinessConfig") or {}
        return (kind, tuple(sorted(forward_weights(action).items())), bool(stickiness.get("Enabled")))
    if kind == "redirect":
        config = dict(REDIRECT_DEFAULTS, **action["RedirectConfig"])
        return (kind, tuple(sorted(config.items())))
    if kind == "fixed-response":
        return (kind, tuple(sorted(action["FixedResponseConfig"].items())))
    return (kind, tuple(sorted((k, str(v)) for k, v in action.items() if k != "Order")))


def forward_action(weights):
    """A weighted forward action from {target group ARN: weight}."""
    return {"Type": "forward", "ForwardConfig": {
        "TargetGroups": [{"TargetGroupArn": arn, "Weight": weight} for arn, weight in sorted(weights.items())],
        "TargetGroupStickinessConfig": {"Enabled": False}}}


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
    """Parameters of ModifyListener that differ between the live listener and the desired one."""
    changes = {}
    for key in ("Protocol", "SslPolicy"):
        if desired.get(key) and live.get(key) != desired[key]:
            changes[key] = desired[key]
    live_certs = [c["CertificateArn"] for c in live.get("Certificates") or []]
    if desired.get("Certificates") and live_certs[:1] != [desired["Certificates"][0]["CertificateArn"]]:
        changes["Certificates"] = desired["Certificates"]
    if [action_key(a) for a in live["DefaultActions"]] != [action_key(a) for a in desired["DefaultActions"]]:
        changes["DefaultActions"] = desired["DefaultActions"]
    return changes


def rule_plan(live_rules, desired_rules, purge):
    """(create, modify, delete) for the non-default rules, matched by priority."""
    live = {int(r["Priority"]): r for r in live_rules if not r.get("IsDefault")}
    create, modify = [], []
    for rule in desired_rules:
        current = live.pop(rule["Priority"], None)
        if current is None:
            create.append(rule)
        elif (conditions_key(current["Conditions"]) != conditions_key(rule["Conditions"])
              or [action_key(a) for a in current["Actions"]] != [action_key(a) for a in rule["Actions"]]):
            modify.append(dict(rule, RuleArn=current["RuleArn"]))
    delete = [r["RuleArn"] for r in live.values()] if purge else []
    return create, modify, delete


def create_listener(elbv2, load_balancer_arn, desired, tags, once=None):
    """CreateListener through ``once`` (a client without botocore's retries, module_utils once); after a lost
    answer, the load balancer's listener on that port."""
    params = dict(desired, LoadBalancerArn=load_balancer_arn)
    if tags:
        params["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    return write_once(lambda: (once or elbv2).create_listener(**params)["Listeners"][0],
                      lambda: find_listener(elbv2, load_balancer_arn, desired["Port"]))


def modify_listener(elbv2, listener_arn, changes):
    _call(elbv2, "modify_listener", ListenerArn=listener_arn, **changes)


def delete_listener(elbv2, listener_arn):
    try:
        _call(elbv2, "delete_listener", ListenerArn=listener_arn)
    except is_boto3_error_code("ListenerNotFound"):
        pass


def _rule_at(elbv2, listener_arn, priority):
    return next((r for r in list_rules(elbv2, listener_arn) if r["Priority"] == str(priority)), None)


def apply_rules(elbv2, listener_arn, create, modify, delete, once=None):
    """Rule writes; a CreateRule goes through ``once`` and, after a lost answer, is looked up by its priority (a
    resend would fail with PriorityInUse)."""
    for arn in delete:
        _call(elbv2, "delete_rule", RuleArn=arn)
    for rule in modify:
        _call(elbv2, "modify_rule", RuleArn=rule["RuleArn"], Conditions=rule["Conditions"], Actions=rule["Actions"])
    for rule in create:
        write_once(lambda rule=rule: (once or elbv2).create_rule(ListenerArn=listener_arn, **rule),
                   lambda rule=rule: _rule_at(elbv2, listener_arn, rule["Priority"]))


def reweighted(action, weights):
    """The forward action with the weights of the target groups named in ``weights`` replaced, or None if none is."""
    if action["Type"] != "forward":
        return None
    current = forward_weights(action)
    if not set(weights) & set(current):
        return None
    return forward_action(dict(current, **{arn: w for arn, w in weights.items() if arn in current}))


def set_weights(elbv2, listener_arn, weights, changes):
    """Set the weight of each target group ARN in ``weights`` on every forward action of the listener.

    Actions that do not reference a given target group are left alone. One DescribeRules; each rule (or the default
    action) whose weights differ is written through ``changes`` (a ChangeSet: resource ``listener <arn>`` or
    ``rule <priority> of listener <arn>``, action ``weights``), with its before and after weights in the diff.
    """
    for rule in list_rules(elbv2, listener_arn):
        actions = [reweighted(a, weights) or a for a in rule["Actions"]]
        if [action_key(a) for a in actions] == [action_key(a) for a in rule["Actions"]]:
            continue
        before = [forward_weights(a) for a in rule["Actions"] if a["Type"] == "forward"]
        after = [forward_weights(a) for a in actions if a["Type"] == "forward"]
        if rule.get("IsDefault"):
            resource = f"listener {listener_arn}"
            call = lambda actions=actions: modify_listener(elbv2, listener_arn, {"DefaultActions": actions})  # noqa: E731
        else:
            resource = f"rule {rule['Priority']} of listener {listener_arn}"
            call = lambda rule=rule, actions=actions: _call(elbv2, "modify_rule", RuleArn=rule["RuleArn"],  # noqa: E731
                                                            Actions=actions)
        changes.diff(resource, before, after)
        changes.write(resource, "weights", call, fields=sorted({arn for weights_ in after for arn in weights_}))
