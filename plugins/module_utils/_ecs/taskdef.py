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

import copy

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import task_roles
from ansible_collections.bandup.ecs.plugins.module_utils.once import write_once
from ansible_collections.bandup.ecs.plugins.module_utils.tags import converge_tags
from ansible_collections.bandup.ecs.plugins.module_utils.topology import TopologyError, fargate_check

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


def revision_of(task_definition):
    """(family, revision) of a task definition ARN or 'family:revision'; (None, None) otherwise."""
    family, sep, rev = str(task_definition or "").rsplit("/", 1)[-1].rpartition(":")
    return (family, int(rev)) if sep and rev.isdigit() else (None, None)


# ---------------------------------------------------------------- API calls (the one reader of task definitions)

class TaskDefinitionErrorHandler(AWSErrorHandler):
    """DescribeTaskDefinition answers ClientException for a revision or family that does not exist ("missing")."""

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ClientException")


@retry
def describe(client, name, tags=False):
    """The DescribeTaskDefinition answer for ``name`` (ARN, 'family' for its newest ACTIVE revision, or
    'family:revision'), with its tags when ``tags``; AWS errors are raised as botocore raises them."""
    return client.describe_task_definition(taskDefinition=name, **({"include": ["TAGS"]} if tags else {}))


@TaskDefinitionErrorHandler.list_error_handler("describe task definition {name}")
def find(client, name):
    """The task definition ``name`` (as ``describe``), or None when it does not exist."""
    return describe(client, name)["taskDefinition"]


@TaskDefinitionErrorHandler.list_error_handler("describe task definition {family}", (None, {}))
def describe_latest(client, family):
    """(task definition, tags) of the latest ACTIVE revision of ``family``, or (None, {})."""
    response = describe(client, family, tags=True)
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


# ---------------------------------------------------------------- the run of bandup.ecs.ecs_taskdefinition

def desired_definition(params):
    definition = {
        "family": params["family"],
        "networkMode": params["network_mode"],
        "requiresCompatibilities": params["requires_compatibilities"],
        "containerDefinitions": clean(copy.deepcopy(params["container_definitions"])),
        "runtimePlatform": {"cpuArchitecture": params["cpu_architecture"],
                            "operatingSystemFamily": params["operating_system_family"]},
        "cpu": None if params["cpu"] is None else str(params["cpu"]),
        "memory": None if params["memory"] is None else str(params["memory"]),
        "executionRoleArn": params["execution_role_arn"],
        "taskRoleArn": params["task_role_arn"],
        "ephemeralStorage": None if params["ephemeral_storage"] is None else {"sizeInGiB": params["ephemeral_storage"]},
    }
    return {k: v for k, v in definition.items() if v is not None}


def family_params(params):
    """One params dict per family: I(family) alone, or each I(task_definitions) entry over the shared options."""
    if params["family"]:
        return [params]
    return [dict(params, **{k: v for k, v in entry.items() if v is not None}) for entry in params["task_definitions"]]


def validate(params, where):
    """The checks the argument spec cannot make; AnsibleAWSError naming the option, before any AWS call."""
    def refuse(message):
        raise AnsibleAWSError(message=message)

    if params["state"] == "absent":
        return
    if not params["container_definitions"]:
        refuse(f"{where}container_definitions: at least one container is required with state=present")
    names = [c.get("name") for c in params["container_definitions"]]
    if not all(names) or len(set(names)) != len(names):
        refuse(f"{where}container_definitions: every container needs a unique name (got {names})")
    if "FARGATE" in params["requires_compatibilities"]:
        if params["cpu"] is None or params["memory"] is None:
            refuse(f"{where}cpu and memory: required for FARGATE")
        try:
            fargate_check(f"family {params['family']}", params["cpu"], params["memory"])
        except TopologyError as err:
            refuse(str(err))
        if params["network_mode"] != "awsvpc":
            refuse("network_mode: FARGATE requires awsvpc")
    if params["ephemeral_storage"] is not None and not 21 <= params["ephemeral_storage"] <= 200:
        refuse(f"ephemeral_storage: {params['ephemeral_storage']} GiB is outside 21-200")
    if params["keep_revisions"] < 0:
        refuse("keep_revisions: must be 0 (keep all) or more")


def deregister_revisions(changes, client, arns):
    for arn in arns:
        family, revision = revision_of(arn)
        changes.write(f"task definition {family}:{revision}", "deregister",
                      lambda arn=arn: deregister(client, arn))
    return arns


def prune_revisions(changes, client, params, current_arn):
    """Deregister ACTIVE revisions beyond the newest ``keep_revisions`` (never ``current_arn``)."""
    if not params["keep_revisions"]:
        return []
    return deregister_revisions(changes, client, [arn for arn in active_revisions(
        client, params["family"])[params["keep_revisions"]:] if arn != current_arn])


def output(definition, **extra):
    family, revision = revision_of(definition["taskDefinitionArn"])
    return dict(task_definition=definition, arn=definition["taskDefinitionArn"], family=family, revision=revision,
                **extra)


def ensure_present(changes, client, params, writer):
    """Register a revision of one family when it differs from the latest ACTIVE one (or add missing tags to it);
    the result values of the family."""
    live, live_tags = describe_latest(client, params["family"])
    wanted = desired_definition(params)
    missing = fill_images(wanted["containerDefinitions"], live)
    if missing:
        raise AnsibleAWSError(message=f"container_definitions: no image for container(s) {missing} and family "
                                      f"'{params['family']}' has no ACTIVE revision to keep the image of; give the image")
    resource = f"task definition {params['family']}"
    after = normalize(wanted)
    before = normalize(live) if live else {}
    changes.diff(resource, before, after)
    image = wanted["containerDefinitions"][0]["image"]

    def send():
        return register(client, wanted, params["tags"], writer("ecs"))

    if live is None:
        current = changes.write(resource, "create", send)
        if current is None:  # check mode: no revision to report
            return dict(image=image, deregistered=[])
    else:
        current = live
        fields = differences(before, after)
        if fields:
            current = changes.write(resource, "register", send, fields=fields) or live
        else:
            after_tags = converge_tags(changes, resource, live_tags, params["tags"] or {}, False,
                                       lambda tags: tag_resource(client, live["taskDefinitionArn"], tags))
            if after_tags != live_tags:
                changes.diff(resource, {"tags": live_tags}, {"tags": after_tags})
    deregistered = prune_revisions(changes, client, params, current["taskDefinitionArn"])
    return dict(deregistered=deregistered, **output(current, image=image))


def ensure_absent(changes, client, params, _writer):
    """Deregister the family's ACTIVE revisions; with I(tags), only those carrying every one of them (a family of the
    same name that another deployment or a person registered is left alone: one DescribeTaskDefinition each)."""
    arns = active_revisions(client, params["family"])
    wanted = params["tags"] or {}
    if wanted:
        arns = [arn for arn in arns if wanted.items() <= describe_latest(client, arn)[1].items()]
    return dict(deregistered=deregister_revisions(changes, client, arns))


def converge(changes, options, client, writer):
    """The run of M(bandup.ecs.ecs_taskdefinition) on its ``options``: the log groups and roles of I(task_roles)
    (their ARNs filled in by family), then each family; the result values. ``client(service)`` and
    ``writer(service)`` give the clients (the latter without botocore retries, for once.write_once)."""
    families = family_params(options)
    for params in families:
        validate(params, f"family {params['family']}: " if options["task_definitions"] else "")
    roles = options["task_roles"]
    wanted = None if roles is None else task_roles.desired_roles(roles)
    result = {}
    if roles is not None:
        services = task_roles.converge(changes, client("logs"), client("iam"), roles, wanted, writer)
        result["task_roles"] = dict(services=services)
        by_family = {svc["family"]: services[svc["name"]] for svc in roles["services"]}
        for params in families:
            arns = by_family.get(params["family"], {})
            for key in ("execution_role_arn", "task_role_arn"):
                params[key] = params[key] or arns.get(key)
    ecs = client("ecs")
    present = options["state"] == "present"
    results = []
    for params in families:
        written = len(changes.changes)
        one = (ensure_present if present else ensure_absent)(changes, ecs, params, writer)
        results.append(dict(one, family=params["family"], changed=len(changes.changes) > written))
    if options["family"]:
        return dict(result, **{k: v for k, v in results[0].items() if k != "changed"})
    return dict(result, task_definitions=results)
