# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ECS task definitions: the normalized comparison that decides whether a new revision is needed, the execution
role's secrets policy, and the API calls.

DescribeTaskDefinition returns more than RegisterTaskDefinition was given: server fields (revision, status,
registeredAt, requiresAttributes, compatibilities...) and defaults (protocol tcp, hostPort = containerPort under
awsvpc, essential true, container cpu 0, false flags such as readonlyRootFilesystem, health check
interval/timeout/retries, empty lists). ``normalize`` maps both the desired definition and a described one to the
same form, so equal definitions compare equal and a re-run registers nothing (the community.aws
ecs_taskdefinition issue #690).
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.bandup.ecs.plugins.module_utils.once import write_once

retry = AWSRetry.jittered_backoff()

# The RegisterTaskDefinition fields (without tags): everything else in a described definition is server-owned.
REGISTER_FIELDS = (
    "family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
    "placementConstraints", "requiresCompatibilities", "cpu", "memory", "pidMode", "ipcMode", "proxyConfiguration",
    "inferenceAccelerators", "ephemeralStorage", "runtimePlatform", "enableFaultInjection",
    "trustedExecutionConfiguration",
)
INT_FIELDS = ("containerPort", "hostPort", "cpu", "memory", "memoryReservation", "stopTimeout", "startTimeout",
              "interval", "timeout", "retries", "startPeriod", "sizeInGiB", "softLimit", "hardLimit")
HEALTH_CHECK_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3, "startPeriod": 0}
# Values AWS reports for a field that was not given; equal to leaving the field out.
CONTAINER_DEFAULTS = {"essential": True, "cpu": 0, "versionConsistency": "enabled", "disableNetworking": False,
                      "privileged": False, "readonlyRootFilesystem": False, "interactive": False,
                      "pseudoTerminal": False}
TASK_DEFAULTS = {"enableFaultInjection": False}
# Lists whose order carries no meaning.
SORTED_BY_NAME = ("environment", "secrets", "systemControls", "ulimits")


def clean(value):
    """Drop None, empty lists and empty dicts, recursively; ints given as strings become ints."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = clean(item)
            if item is None or item == [] or item == {}:
                continue
            if key in INT_FIELDS and isinstance(item, str) and item.isdigit():
                item = int(item)
            out[key] = item
        return out
    if isinstance(value, list):
        return [clean(item) for item in value]
    return value


def _normalize_container(container, network_mode):
    out = {k: v for k, v in clean(container).items() if CONTAINER_DEFAULTS.get(k, object()) != v}
    ports = []
    for mapping in out.get("portMappings", []):
        mapping = dict({"protocol": "tcp"}, **mapping)
        if network_mode == "awsvpc" and "containerPort" in mapping:
            mapping.setdefault("hostPort", mapping["containerPort"])
        ports.append(mapping)
    if ports:
        out["portMappings"] = ports
    if "healthCheck" in out:
        out["healthCheck"] = dict(HEALTH_CHECK_DEFAULTS, **out["healthCheck"])
    for key in SORTED_BY_NAME:
        if key in out:
            out[key] = sorted(out[key], key=lambda item: str(item.get("name", item.get("namespace", ""))))
    if out.get("restartPolicy") == {"enabled": False}:
        del out["restartPolicy"]
    return out


def normalize(task_definition):
    """A desired or described task definition -> the comparable form (RegisterTaskDefinition fields only)."""
    td = clean({k: v for k, v in task_definition.items() if k in REGISTER_FIELDS})
    td = {k: v for k, v in td.items() if TASK_DEFAULTS.get(k, object()) != v}
    for key in ("cpu", "memory"):
        if key in td:
            td[key] = str(td[key])
    if "requiresCompatibilities" in td:
        td["requiresCompatibilities"] = sorted(td["requiresCompatibilities"])
    network_mode = td.get("networkMode", "bridge")
    td["containerDefinitions"] = [_normalize_container(c, network_mode) for c in td.get("containerDefinitions", [])]
    return td


def differences(live, desired, path=""):
    """Paths where two normalized definitions differ, e.g. ``containerDefinitions[0].environment``."""
    if isinstance(live, dict) and isinstance(desired, dict):
        out = []
        for key in sorted(set(live) | set(desired)):
            out += differences(live.get(key), desired.get(key), f"{path}.{key}" if path else key)
        return out
    if path == "containerDefinitions" and isinstance(live, list) and isinstance(desired, list) \
            and len(live) == len(desired):
        out = []
        for idx, (old, new) in enumerate(zip(live, desired)):
            out += differences(old, new, f"{path}[{idx}]")
        return out
    return [] if live == desired else [path]


def fill_images(containers, live):
    """Give each container without an image the image of the same container in ``live`` (a described definition).

    Returns the names of the containers that still have no image.
    """
    live_images = {c["name"]: c.get("image") for c in (live or {}).get("containerDefinitions", [])}
    missing = []
    for container in containers:
        if not container.get("image"):
            container["image"] = live_images.get(container["name"])
            if not container["image"]:
                missing.append(container["name"])
    return missing


def revision_of(arn):
    """(family, revision) of a task definition ARN."""
    family, revision = arn.rsplit("/", 1)[-1].rsplit(":", 1)
    return family, int(revision)


# ---------------------------------------------------------------- API calls

class TaskDefinitionErrorHandler(AWSErrorHandler):
    """DescribeTaskDefinition answers ClientException for a family with no ACTIVE revision."""

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ClientException")


@TaskDefinitionErrorHandler.list_error_handler("describe task definition {family}", (None, {}))
@retry
def describe_latest(client, family):
    """(task definition, tags) of the latest ACTIVE revision of ``family``, or (None, {})."""
    response = client.describe_task_definition(taskDefinition=family, include=["TAGS"])
    return response["taskDefinition"], boto3_tag_list_to_ansible_dict(response.get("tags") or [], "key", "value")


@AWSErrorHandler.common_error_handler("register a revision of task definition family {definition[family]}")
def register(client, definition, tags, once=None):
    """RegisterTaskDefinition through ``once`` (a client without botocore's retries, module_utils once). The API has
    no client token: after a lost answer, the family's latest revision if it is this definition (a resend would
    add a second, identical revision)."""
    kwargs = dict(definition)
    if tags:
        kwargs["tags"] = ansible_dict_to_boto3_tag_list(tags, "key", "value")

    def registered():
        latest = describe_latest(client, definition["family"])[0]
        return latest if latest and not differences(normalize(latest), normalize(definition)) else None

    return write_once(lambda: (once or client).register_task_definition(**kwargs)["taskDefinition"], registered)


@AWSErrorHandler.common_error_handler("list the ACTIVE revisions of task definition family {family}")
@retry
def _list_active(client, family):
    paginator = client.get_paginator("list_task_definitions")
    return paginator.paginate(familyPrefix=family, status="ACTIVE", sort="DESC").build_full_result()["taskDefinitionArns"]


def active_revisions(client, family):
    """ARNs of the ACTIVE revisions of exactly ``family``, newest first (the ARNs are checked, not trusted)."""
    arns = [arn for arn in _list_active(client, family) if revision_of(arn)[0] == family]
    return sorted(arns, key=lambda arn: revision_of(arn)[1], reverse=True)


@AWSErrorHandler.common_error_handler("deregister task definition {arn}")
@retry
def deregister(client, arn):
    client.deregister_task_definition(taskDefinition=arn)


@AWSErrorHandler.common_error_handler("tag task definition {arn}")
@retry
def tag_resource(client, arn, tags):
    client.tag_resource(resourceArn=arn, tags=ansible_dict_to_boto3_tag_list(tags, "key", "value"))
