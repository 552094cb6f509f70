"""Every AWS call in the collection's Python code, read from the source (no endpoint), as IAM actions.

``required(paths)`` -> {IAM action: [where, ...]}: what a principal needs for the code in ``paths``:

- each reference to a boto3 client method (``client.create_service(...)``, also a method passed on uncalled, and
  amazon.aws's EC2 wrappers, which carry the operation's name: ``ec2.describe_vpcs(client, ...)``);
- each operation named in a string: paginators (``get_paginator("list_tasks")``), ``getattr(client, name)`` tables;
- each waiter (``get_waiter("nat_gateway_available")``): the operation its botocore waiter model polls;
- each amazon.aws helper the collection imports that calls AWS (``HELPERS``);
- the actions AWS documents as needed alongside a call (``ALONGSIDE``), and those of the image push the builders
  run (``PUSH``).

The action of a botocore operation is ``<IAM prefix>:<OperationName>`` (``PREFIX`` where the IAM prefix is not the
client's name). A method name several services share (``tag_resource``) is resolved by the receiver's name
(``ecs.tag_resource``) or by the services the file works with (``FILE_SERVICES``); what stays ambiguous is an error,
as is an amazon.aws import this module does not know: the check fails rather than guess.
"""
import ast
import pathlib

import botocore.session
from botocore import xform_name

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The boto3 clients the collection may create (a new one must be added here to be seen).
SERVICES = ("application-autoscaling", "arc-zonal-shift", "acm", "cloudwatch", "ec2", "ecr", "ecs", "elbv2", "iam",
            "logs", "pricing", "servicediscovery", "sts")
# botocore client name -> IAM service prefix, where they differ (Service Authorization Reference).
PREFIX = {"elbv2": "elasticloadbalancing"}

# The receiver names that say which service a call goes to.
RECEIVERS = {"ecs": "ecs", "ecr": "ecr", "ecr_api": "ecr", "ec2": "ec2", "net_api": "ec2", "elb": "elbv2",
             "elbv2": "elbv2", "iam": "iam", "logs": "logs", "servicediscovery": "servicediscovery",
             "cloudmap": "servicediscovery", "autoscaling": "application-autoscaling", "acm": "acm",
             "cloudwatch": "cloudwatch", "zonal_shift": "arc-zonal-shift", "sts": "sts",
             "pricing": "pricing"}
# The services each plugins/module_utils file works with, for method names several services share.
FILE_SERVICES = {
    "cloudmap.py": {"servicediscovery"}, "ecr.py": {"ecr"}, "ecs_cluster.py": {"ecs"}, "ecs_service.py": {"ecs"},
    "taskdef.py": {"ecs"}, "task_roles.py": {"iam", "logs"}, "ecs_scaling.py": {"application-autoscaling"},
    "load_balancer.py": {"elbv2"}, "elb_listener.py": {"elbv2"}, "network.py": {"ec2"}, "images.py": {"ecr"},
    "registry.py": {"ecr"}, "alarms.py": {"cloudwatch"}, "pricing.py": {"pricing"},
    "status.py": {"ecs", "elbv2"},
}

# amazon.aws helpers the collection imports, and the actions their calls need (read in amazon.aws's
# module_utils/iam.py: get_iam_role -> GetRole, list_iam_role_attached_policies -> ListAttachedRolePolicies
# (paginated), detach_iam_role_policy -> DetachRolePolicy). None: no AWS call.
HELPERS = {
    "get_iam_role": ["iam:GetRole"],
    "list_iam_role_attached_policies": ["iam:ListAttachedRolePolicies"],
    "detach_iam_role_policy": ["iam:DetachRolePolicy"],
    **{name: None for name in (
        "AWSErrorHandler", "AWSRetry", "AnsibleAWSError", "AnsibleAWSModule", "AWSLookupBase", "IAMErrorHandler",
        "is_ansible_aws_error_code", "is_boto3_error_code", "ansible_dict_to_boto3_filter_list",
        "ansible_dict_to_boto3_tag_list", "boto3_tag_list_to_ansible_dict", "boto3_tag_specifications",
        "compare_aws_tags", "compare_policies", "parse_aws_arn", "botocore", "boto3_conn", "get_aws_connection_info",
        "camel_dict_to_snake_dict", "snake_dict_to_camel_dict", "scrub_none_parameters",
        "check_sdk_version_supported", "AnsibleBotocoreError")},
    # a module whose attributes are read one by one below (ec2.describe_vpcs(client, ...), ec2.*ErrorHandler)
    "ec2": "module",
}

# Actions AWS authorizes alongside a call (Service Authorization Reference "dependent actions", service guides).
ALONGSIDE = {
    # ECS guide, "IAM permissions required for Amazon ECS service auto scaling": target tracking creates, reads and
    # deletes its CloudWatch alarms with the caller's permission; the first scalable target creates the service-linked
    # role AWSServiceRoleForApplicationAutoScaling_ECSService.
    "application-autoscaling:PutScalingPolicy": ["cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms",
                                                 "cloudwatch:DeleteAlarms"],
    "application-autoscaling:DeleteScalingPolicy": ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms"],
    "application-autoscaling:DeregisterScalableTarget": ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms"],
    "application-autoscaling:RegisterScalableTarget": ["iam:CreateServiceLinkedRole"],
    # The first cluster creates AWSServiceRoleForECS, the first load balancer AWSServiceRoleForElasticLoadBalancing.
    "ecs:CreateCluster": ["iam:CreateServiceLinkedRole", "ecs:TagResource"],
    "elasticloadbalancing:CreateLoadBalancer": ["iam:CreateServiceLinkedRole", "elasticloadbalancing:AddTags"],
    # A task definition naming a task role and an execution role passes them to ecs-tasks.amazonaws.com.
    "ecs:RegisterTaskDefinition": ["iam:PassRole", "ecs:TagResource"],
    # Tags given on create are authorized as the service's tagging action.
    "ecs:CreateService": ["ecs:TagResource"],
    # RunTask of a task definition naming roles passes them to ECS; its tags on create are ecs:TagResource on the task.
    "ecs:RunTask": ["iam:PassRole", "ecs:TagResource"],
    "elasticloadbalancing:CreateTargetGroup": ["elasticloadbalancing:AddTags"],
    "elasticloadbalancing:CreateListener": ["elasticloadbalancing:AddTags"],
    "elasticloadbalancing:CreateRule": ["elasticloadbalancing:AddTags"],
    "ecr:CreateRepository": ["ecr:TagResource"],
    "logs:CreateLogGroup": ["logs:TagResource"],
    "iam:CreateRole": ["iam:TagRole"],
    "servicediscovery:CreateHttpNamespace": ["servicediscovery:TagResource"],
    **{f"ec2:{create}": ["ec2:CreateTags"] for create in (
        "CreateVpc", "CreateSubnet", "CreateInternetGateway", "CreateNatGateway", "CreateRouteTable",
        "CreateSecurityGroup", "AllocateAddress")},
}
# ECR user guide, "Pushing an image": the registry API calls of a push (docker/buildah/podman), authorized as these.
PUSH = ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage"]
# The code that pushes images to the registry: a reference to it needs PUSH.
PUSHERS = {"push_cmds"}


class Ambiguous(Exception):
    pass


def _models():
    session = botocore.session.get_session()
    operations, waiters = {}, {}
    for service in SERVICES:
        model = session.get_service_model(service)
        for op in model.operation_names:
            operations.setdefault(xform_name(op), {})[service] = op
        try:
            waiter_model = session.get_waiter_model(service)
        except botocore.exceptions.UnknownServiceError:
            continue
        for name in waiter_model.waiter_names:
            waiters[xform_name(name)] = (service, waiter_model.get_waiter(name).operation)
    return operations, waiters


OPERATIONS, WAITERS = _models()


def action(service, operation):
    return f"{PREFIX.get(service, service)}:{operation}"


def _receiver(node):
    """The last name of a call's receiver: ``self.client`` -> client, ``ecs`` -> ecs."""
    while isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _service(name, receiver, filename, where):
    candidates = OPERATIONS[name]
    if len(candidates) == 1:
        return next(iter(candidates))
    if receiver in RECEIVERS and RECEIVERS[receiver] in candidates:
        return RECEIVERS[receiver]
    narrowed = set(candidates) & FILE_SERVICES.get(pathlib.PurePath(filename).name, set())
    if len(narrowed) == 1:
        return narrowed.pop()
    raise Ambiguous(f"{where}: '{name}' is an operation of {sorted(candidates)}: name the receiver after its service "
                    f"or add the file to FILE_SERVICES in tests/support/iam_calls.py")


def scan(source, filename="<source>"):
    """{action: [where]} of one Python source."""
    found = {}

    def add(act, where):
        found.setdefault(act, []).append(where)

    tree = ast.parse(source)
    amazon_modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ansible_collections.amazon."):
            for alias in node.names:
                where = f"{filename}:{node.lineno} import {alias.name}"
                if alias.name not in HELPERS:
                    raise Ambiguous(f"{where}: an amazon.aws import tests/support/iam_calls.py HELPERS does not know: "
                                    "read what it calls and add it")
                if HELPERS[alias.name] == "module":
                    amazon_modules.add(alias.asname or alias.name)

    for node in ast.walk(tree):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Attribute):
            name = node.attr
            if name in PUSHERS:
                for act in PUSH:
                    add(act, f"{where} {name} (image push)")
            if isinstance(node.value, ast.Name) and node.value.id in amazon_modules and name not in OPERATIONS \
                    and not name.endswith("ErrorHandler"):
                raise Ambiguous(f"{where}: amazon.aws '{node.value.id}.{name}' is not an operation name: add what it "
                                "calls to tests/support/iam_calls.py HELPERS")
            if name in OPERATIONS:
                receiver = node.value.id if isinstance(node.value, ast.Name) else _receiver(node.value)
                service = _service(name, receiver, filename, where)
                add(action(service, OPERATIONS[name][service]), f"{where} {name}")
        elif isinstance(node, ast.Name) and node.id in HELPERS and isinstance(HELPERS[node.id], list):
            for act in HELPERS[node.id]:
                add(act, f"{where} {node.id} (amazon.aws)")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "get_waiter" and node.args and isinstance(node.args[0], ast.Constant):
            service, operation = WAITERS[node.args[0].value]
            add(action(service, operation), f"{where} waiter {node.args[0].value}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in OPERATIONS:
            # paginators, getattr(client, name) tables: a string that names an operation is taken as its call
            service = _service(node.value, None, filename, where)
            add(action(service, OPERATIONS[node.value][service]), f"{where} '{node.value}'")
    return found


def required(paths):
    """{action: [where]} of the Python files ``paths``, with the actions needed alongside."""
    found = {}
    for path in paths:
        path = pathlib.Path(path)
        name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        for act, wheres in scan(path.read_text(), name).items():
            found.setdefault(act, []).extend(wheres)
    for act in list(found):
        for extra in ALONGSIDE.get(act, []):
            found.setdefault(extra, []).append(f"alongside {act}")
    return found


def plugin_sources():
    return sorted((ROOT / "plugins").rglob("*.py"))
