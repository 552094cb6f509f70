# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An application load balancer and its target groups: batched reads, small writes, and comparisons.

The reads are shaped for a no-op converge: one DescribeLoadBalancers by name, one DescribeTargetGroups for all the
names, one DescribeTags per 20 ARNs. Target group attributes (deregistration delay...) are reported only by a
separate call per group, so they are compared with a last-applied record (tag ``bandup:last-applied``, a short hash
of the attributes this code set) and read only when the record differs from the desired attributes. Listeners and
rules are in ``elb_listener``.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.bandup.ecs.plugins.module_utils import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.module_utils.once import write_once

LAST_APPLIED_TAG = svc.LAST_APPLIED_TAG
TAGS_PER_CALL = 20  # DescribeTags takes at most 20 ARNs
HEALTH_CHECK_FIELDS = ("HealthCheckProtocol", "HealthCheckPort", "HealthCheckPath", "HealthCheckIntervalSeconds",
                       "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount", "Matcher")
# Fields CreateTargetGroup sets once; ModifyTargetGroup cannot change them.
FIXED_FIELDS = ("Protocol", "Port", "VpcId", "TargetType")
RETRY = AWSRetry.jittered_backoff()


# ---------------------------------------------------------------- reads

@RETRY
def _describe_load_balancers(elbv2, name):
    return elbv2.describe_load_balancers(Names=[name])["LoadBalancers"]


def find_load_balancer(elbv2, name):
    """The load balancer named ``name``, or None."""
    try:
        found = _describe_load_balancers(elbv2, name)
    except is_boto3_error_code("LoadBalancerNotFound"):
        return None
    return found[0] if found else None


@RETRY
def _describe_target_groups(elbv2, names):
    return elbv2.get_paginator("describe_target_groups").paginate(Names=names).build_full_result()["TargetGroups"]


def find_target_groups(elbv2, names):
    """{name: target group} of those of ``names`` that exist: one call when all exist (the no-op path), one per
    name when one is missing (DescribeTargetGroups fails as a whole on a missing name)."""
    if not names:
        return {}
    try:
        return {tg["TargetGroupName"]: tg for tg in _describe_target_groups(elbv2, names)}
    except is_boto3_error_code("TargetGroupNotFound"):
        pass
    found = {}
    for name in names:
        try:
            found.update({tg["TargetGroupName"]: tg for tg in _describe_target_groups(elbv2, [name])})
        except is_boto3_error_code("TargetGroupNotFound"):
            continue
    return found


@RETRY
def _describe_tags(elbv2, arns):
    return elbv2.describe_tags(ResourceArns=arns)["TagDescriptions"]


def tags_of(elbv2, arns):
    """{ARN: {key: value}} for the ARNs, 20 per DescribeTags call."""
    tags = {}
    for start in range(0, len(arns), TAGS_PER_CALL):
        for desc in _describe_tags(elbv2, arns[start:start + TAGS_PER_CALL]):
            tags[desc["ResourceArn"]] = {t["Key"]: t.get("Value", "") for t in desc.get("Tags", [])}
    return tags


@RETRY
def target_group_attributes(elbv2, arn):
    """{key: value} of a target group's attributes (one call per group)."""
    found = elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
    return {a["Key"]: a["Value"] for a in found}


def live_roles(ecs, cluster, names, tag_key):
    """{service name: value of tag ``tag_key``} of the services that exist (ACTIVE or DRAINING), 10 per call."""
    roles = {}
    for start in range(0, len(names), 10):
        for service in svc.describe_services(ecs, cluster, names[start:start + 10]):
            if service.get("status") != "INACTIVE":
                tags = {t["key"]: t["value"] for t in service.get("tags") or []}
                roles[service["serviceName"]] = tags.get(tag_key)
    return roles


# ---------------------------------------------------------------- comparisons

def tag_changes(live, desired):
    """Tags of ``desired`` that ``live`` lacks or holds with another value (tags are never purged)."""
    return {k: v for k, v in desired.items() if live.get(k) != v}


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
    return svc.last_applied(dict(sorted(attributes.items())))


# ---------------------------------------------------------------- writes

@RETRY
def _call(elbv2, operation, **params):
    return getattr(elbv2, operation)(**params)


def api_tags(tags):
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def create_load_balancer(elbv2, desired, tags, once=None):
    """CreateLoadBalancer through ``once`` (a client without botocore's retries, module_utils once); after a lost
    answer, the load balancer of that name (AWS treats a resend as idempotent, other endpoints may not)."""
    params = dict(desired, Type="application")
    if tags:
        params["Tags"] = api_tags(tags)
    return write_once(lambda: (once or elbv2).create_load_balancer(**params)["LoadBalancers"][0],
                      lambda: find_load_balancer(elbv2, desired["Name"]))


def update_load_balancer(elbv2, arn, changes):
    if "Subnets" in changes:
        _call(elbv2, "set_subnets", LoadBalancerArn=arn, Subnets=changes["Subnets"])
    if "SecurityGroups" in changes:
        _call(elbv2, "set_security_groups", LoadBalancerArn=arn, SecurityGroups=changes["SecurityGroups"])


def create_target_group(elbv2, desired, tags, once=None):
    """CreateTargetGroup through ``once``; after a lost answer, the target group of that name."""
    params = dict(desired)
    if tags:
        params["Tags"] = api_tags(tags)
    return write_once(lambda: (once or elbv2).create_target_group(**params)["TargetGroups"][0],
                      lambda: find_target_groups(elbv2, [desired["Name"]]).get(desired["Name"]))


def modify_target_group(elbv2, arn, changes):
    _call(elbv2, "modify_target_group", TargetGroupArn=arn, **changes)


def modify_target_group_attributes(elbv2, arn, attributes):
    _call(elbv2, "modify_target_group_attributes", TargetGroupArn=arn,
          Attributes=[{"Key": k, "Value": v} for k, v in sorted(attributes.items())])


def add_tags(elbv2, arn, tags):
    _call(elbv2, "add_tags", ResourceArns=[arn], Tags=api_tags(tags))
