# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudWatch alarms that gate ECS rolling deployments: per service and cell, on the cell's ALB target group.

Two alarms per target group (names from ``alarm_names``): ``<tg>-5xx-rate``, metric math over
``HTTPCode_Target_5XX_Count`` and ``RequestCount`` (percent of requests answered 5xx), and ``<tg>-p95-latency``,
the p95 of ``TargetResponseTime`` in seconds. The services carry them in ``deploymentConfiguration.alarms``; ECS
watches them during a rolling deployment and rolls back when one is in ALARM.

Reads: one paginated ``DescribeAlarms`` (``AlarmNamePrefix``: every alarm of the deployment). Writes, through the
run's ChangeSet: ``PutMetricAlarm`` only for an alarm that is missing or differs, ``DeleteAlarms`` only for alarms
under the prefix that carry this deployment's tags (``ListTagsForResource``, read only then). The alb role skips the
whole module when the load balancer's ``bandup:alarms`` record equals the hash of the wanted alarms (``record``):
the record is written last, by ``record_on``, once every alarm is right.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.bandup.ecs.plugins.module_utils.records import short_hash

retry = AWSRetry.jittered_backoff()
RECORD_TAG = "bandup:alarms"
KINDS = ("5xx-rate", "p95-latency")
NAMESPACE = "AWS/ApplicationELB"
# The AWS limits (PutMetricAlarm): Period 10, 30 or a multiple of 60; EvaluationPeriods * Period <= 1 day.
DEFAULTS = dict(error_rate_percent=5.0, p95_seconds=2.0, period=60, evaluation_periods=3)
# What PutMetricAlarm sets that DescribeAlarms reports back (MetricAlarms), compared member by member.
COMPARED = ("AlarmDescription", "ActionsEnabled", "MetricName", "Namespace", "ExtendedStatistic", "Dimensions",
            "Period", "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
            "Metrics")


class AlarmError(AnsibleAWSError):
    pass


def alarm_names(target_group_name):
    """The alarm names of one target group (the service's cell), in KINDS order."""
    return [f"{target_group_name}-{kind}" for kind in KINDS]


def check_settings(settings, where="alb_alarm"):
    """Problems of the alarm settings (messages naming the variable), before any call."""
    problems = []
    s = dict(DEFAULTS, **{k: v for k, v in settings.items() if v is not None})
    if not (isinstance(s["period"], int) and (s["period"] in (10, 30) or (s["period"] >= 60 and s["period"] % 60 == 0))):
        problems.append(f"{where}_period: {s['period']} must be 10, 30 or a multiple of 60 (seconds)")
    elif not isinstance(s["evaluation_periods"], int) or s["evaluation_periods"] < 1 \
            or s["evaluation_periods"] * s["period"] > 86400:
        problems.append(f"{where}_evaluation_periods: {s['evaluation_periods']} must be at least 1 and, times "
                        f"{where}_period ({s['period']} s), at most one day (86400 s)")
    if not 0 < float(s["error_rate_percent"]) <= 100:
        problems.append(f"{where}_5xx_rate_percent: {s['error_rate_percent']} must be above 0 and at most 100")
    if not 0 < float(s["p95_seconds"]) <= 3600:
        problems.append(f"{where}_p95_seconds: {s['p95_seconds']} must be above 0 and at most 3600")
    return problems


def _dimensions(load_balancer, target_group):
    """CloudWatch's ALB dimensions: ``app/<name>/<id>`` and ``targetgroup/<name>/<id>`` (the ARNs' resource parts)."""
    return [{"Name": "TargetGroup", "Value": target_group.split(":", 5)[-1]},
            {"Name": "LoadBalancer", "Value": load_balancer.split(":loadbalancer/", 1)[-1]}]


def requests(target_group_name, target_group_arn, load_balancer_arn, settings):
    """The PutMetricAlarm requests (without tags) of one target group's alarms."""
    s = dict(DEFAULTS, **{k: v for k, v in settings.items() if v is not None})
    dims = sorted(_dimensions(load_balancer_arn, target_group_arn), key=lambda d: d["Name"])
    period, periods = int(s["period"]), int(s["evaluation_periods"])
    common = dict(ActionsEnabled=False, EvaluationPeriods=periods, DatapointsToAlarm=periods,
                  ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching")

    def stat(metric_id, metric):
        return {"Id": metric_id, "ReturnData": False, "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": dims}, "Period": period,
            "Stat": "Sum"}}

    rate_name, latency_name = alarm_names(target_group_name)
    return [
        dict(common, AlarmName=rate_name, Threshold=float(s["error_rate_percent"]),
             AlarmDescription=f"bandup.ecs: percent of requests to {target_group_name} answered 5xx by the targets "
                              "(gates ECS deployments)",
             Metrics=[stat("errors", "HTTPCode_Target_5XX_Count"), stat("requests", "RequestCount"),
                      {"Id": "rate", "Label": "5xx rate (%)", "ReturnData": True,
                       "Expression": "IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)"}]),
        dict(common, AlarmName=latency_name, Threshold=float(s["p95_seconds"]),
             AlarmDescription=f"bandup.ecs: p95 target response time of {target_group_name} in seconds "
                              "(gates ECS deployments)",
             Namespace=NAMESPACE, MetricName="TargetResponseTime", ExtendedStatistic="p95", Dimensions=dims,
             Period=period),
    ]


def record(wanted):
    """The ``bandup:alarms`` record of the wanted requests: a short hash (16 hex digits)."""
    return short_hash(sorted(wanted, key=lambda r: r["AlarmName"]), 16)


def _normalized(value, key=None):
    if key == "Dimensions" and isinstance(value, list):
        return sorted(value, key=lambda d: d.get("Name", ""))
    if isinstance(value, dict):
        return {k: _normalized(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    return value


def differs(wanted, live):
    """The members of a PutMetricAlarm request (``wanted``) that the DescribeAlarms entry ``live`` holds otherwise;
    a member AWS leaves out when empty counts as empty."""
    out = []
    for key in COMPARED:
        want, have = _normalized(wanted.get(key), key), _normalized(live.get(key), key)
        if key == "Metrics" and have:
            # DescribeAlarms may add ReturnData or Period to the math expression entry; compare what was sent.
            have = [{k: v for k, v in m.items() if k in w} for m, w in zip(have, want or [])] \
                if want and len(have) == len(want) else have
        if want != have and not (want in (None, [], "") and have in (None, [], "")):
            out.append(key)
    return out


# ---------------------------------------------------------------- API calls

@AWSErrorHandler.common_error_handler("describe the alarms named {prefix}*")
@retry
def describe(cw, prefix):
    """{name: MetricAlarms entry} of the metric alarms whose names start with ``prefix`` (paginated)."""
    pages = cw.get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix, AlarmTypes=["MetricAlarm"])
    return {a["AlarmName"]: a for a in pages.build_full_result().get("MetricAlarms", [])}


@AWSErrorHandler.common_error_handler("describe the alarms {names}")
@retry
def states(cw, names):
    """{name: StateValue} of the named metric alarms (100 names a call); missing names are left out."""
    out = {}
    names = sorted(set(names))
    for start in range(0, len(names), 100):
        found = cw.get_paginator("describe_alarms").paginate(
            AlarmNames=names[start:start + 100], AlarmTypes=["MetricAlarm", "CompositeAlarm"]).build_full_result()
        for alarm in found.get("MetricAlarms", []) + found.get("CompositeAlarms", []):
            out[alarm["AlarmName"]] = alarm.get("StateValue")
    return out


@AWSErrorHandler.common_error_handler("list the tags of alarm {arn}")
@retry
def tags_of(cw, arn):
    return boto3_tag_list_to_ansible_dict(cw.list_tags_for_resource(ResourceARN=arn).get("Tags", []))


@AWSErrorHandler.common_error_handler("put alarm {request[AlarmName]}")
@retry
def put(cw, request):
    cw.put_metric_alarm(**request)


@AWSErrorHandler.common_error_handler("delete alarms {names}")
@retry
def delete(cw, names):
    cw.delete_alarms(AlarmNames=names)


@AWSErrorHandler.common_error_handler("tag {arn} with the alarms record")
@retry
def write_record(elbv2, arn, value):
    """The ``bandup:alarms`` record on the load balancer ``arn`` (ELB AddTags)."""
    elbv2.add_tags(ResourceArns=[arn], Tags=[{"Key": RECORD_TAG, "Value": value}])


# ---------------------------------------------------------------- converge

def owned(cw, live, tags):
    """The names of the ``live`` alarms (DescribeAlarms entries) whose tags include every one of ``tags``."""
    mine = []
    for name, alarm in sorted(live.items()):
        have = tags_of(cw, alarm["AlarmArn"])
        if all(have.get(k) == v for k, v in tags.items()):
            mine.append(name)
    return mine


def converge(cw, changes, prefix, wanted, tags, owner_tags, purge=True):
    """Make the alarms under ``prefix`` the ``wanted`` PutMetricAlarm requests: put the missing or different ones
    (with ``tags``), delete the other ones under the prefix that carry ``owner_tags`` (with ``purge``).
    Returns ``{"put": [names], "deleted": [names]}``."""
    for request in wanted:
        if not request["AlarmName"].startswith(prefix):
            raise AlarmError(message=f"alarms: {request['AlarmName']} does not start with name_prefix {prefix}")
    live = describe(cw, prefix)
    put_names = []
    for request in sorted(wanted, key=lambda r: r["AlarmName"]):
        name = request["AlarmName"]
        fields = differs(request, live[name]) if name in live else sorted(k for k in request if k != "AlarmName")
        if not fields:
            continue
        full = dict(request, Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())])
        changes.write(f"alarm {name}", "update" if name in live else "create",
                      lambda full=full: put(cw, full), fields=fields)
        changes.diff(f"alarm {name}", {k: live[name].get(k) for k in fields} if name in live else {},
                     {k: request.get(k) for k in fields})
        put_names.append(name)
    extra = {n: a for n, a in live.items() if n not in {r["AlarmName"] for r in wanted}}
    gone = owned(cw, extra, owner_tags) if purge and extra else []
    if gone:
        changes.write(f"alarms {prefix}*", "delete", lambda: delete(cw, gone), fields=gone)
    return {"put": put_names, "deleted": gone}


def plan(topology, enabled, load_balancer_arn=None, target_groups=None, settings=None):
    """The alb role's alarms of a deployment: ``names`` (target group name -> alarm names; empty when not
    ``enabled``), ``target_groups`` (``[{name, arn}]`` that exist) and ``record`` (of the wanted alarms; "" when
    nothing is wanted or the load balancer does not exist yet)."""
    groups = [p["target_group_name"] for svc in topology["services"] if svc["alb"]["enabled"]
              for p in svc["placements"]]
    if not enabled:
        return {"names": {}, "target_groups": [], "record": ""}
    known = target_groups or {}
    present = [{"name": g, "arn": known[g]} for g in groups if known.get(g)]
    wanted = [r for tg in present for r in requests(tg["name"], tg["arn"], load_balancer_arn, settings or {})] \
        if load_balancer_arn else []
    return {"names": {g: alarm_names(g) for g in groups}, "target_groups": present,
            "record": record(wanted) if wanted else ""}
