"""taskdef.normalize/differences on a recorded DescribeTaskDefinition answer with every default AWS fills in
(tests/unit/fixtures/aws/ecs/DescribeTaskDefinition.fargate-defaults-filled.json).

DESIRED is what ecs_taskdefinition builds from the options the task_definition role passes
(plugin_utils/role_inputs.py task_definitions) for that revision: it compares equal to the answer and to every variant of it another endpoint could give; each field changed alone is a difference.
"""
import copy

import pytest

import aws_shapes
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import taskdef

FIXTURE = "ecs/DescribeTaskDefinition.fargate-defaults-filled"
IMAGE = ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/bandup-prod/backend@sha256:"
         "4f1c9a0e7b2d5c8e3a6f9b1d4c7e0a3f6b9c2e5d8a1b4c7e0f3a6d9b2c5e8f1a")
PARAMS = {
    "family": "bandup-prod-backend", "network_mode": "awsvpc", "requires_compatibilities": ["FARGATE"],
    "cpu_architecture": "X86_64", "operating_system_family": "LINUX", "cpu": 1024, "memory": 2048,
    "execution_role_arn": "arn:aws:iam::123456789012:role/bandup-prod-backend-execution",
    "task_role_arn": "arn:aws:iam::123456789012:role/bandup-prod-backend-task", "ephemeral_storage": None,
    "container_definitions": [{
        "name": "backend", "image": IMAGE, "essential": True,
        "portMappings": [{"name": "backend", "containerPort": 8080, "protocol": "tcp", "appProtocol": "http"}],
        "environment": [{"name": "SERVER_PORT", "value": "8080"}, {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"}],
        "secrets": [
            {"name": "DB_PASSWORD",
             "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/bandup/prod/db-password"},
            {"name": "JWT_SECRET",
             "valueFrom": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:bandup/prod/jwt-Q1w2E3"}],
        "healthCheck": {"command": ["CMD-SHELL",
                                    "wget -q -O /dev/null http://localhost:8080/actuator/health || exit 1"],
                        "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 60},
        "stopTimeout": 30,
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/bandup-prod/backend", "awslogs-region": "eu-west-1",
            "awslogs-stream-prefix": "ecs"}},
    }],
}


def desired(params=None):
    return taskdef.desired_definition(params or PARAMS)


def differences(described, wanted):
    return taskdef.differences(taskdef.normalize(described), taskdef.normalize(wanted))


def described():
    return aws_shapes.load(FIXTURE)["taskDefinition"]


def test_desired_matches_the_recorded_answer():
    assert differences(described(), desired()) == []


def test_desired_matches_every_variant_of_the_answer():
    failed = [(label, differences(variant["taskDefinition"], desired()))
              for label, variant in aws_shapes.variants("ecs", "DescribeTaskDefinition", aws_shapes.load(FIXTURE))]
    assert [f for f in failed if f[1]] == []


def test_desired_matches_an_answer_without_the_defaults_filled_in():
    """An endpoint that answers with what was registered only (no hostPort, protocol, essential, container cpu,
    health check interval/timeout/retries, versionConsistency)."""
    live = described()
    container = live["containerDefinitions"][0]
    for key in ("cpu", "essential", "versionConsistency"):
        del container[key]
    for key in ("hostPort", "protocol"):
        del container["portMappings"][0][key]
    for key in ("interval", "timeout", "retries"):
        del container["healthCheck"][key]
    assert differences(live, desired()) == []


def test_spelled_out_false_booleans_match_their_absence():
    live = described()
    live["containerDefinitions"][0].update(readonlyRootFilesystem=False, privileged=False, disableNetworking=False,
                                           interactive=False, pseudoTerminal=False)
    assert differences(live, desired()) == []
    params = copy.deepcopy(PARAMS)
    params["container_definitions"][0]["readonlyRootFilesystem"] = False
    assert differences(described(), desired(params)) == []


def changed(path, value):
    params = copy.deepcopy(PARAMS)
    *steps, last = path
    node = params
    for step in steps:
        node = node[step]
    node[last] = value
    return params


C = ("container_definitions", 0)
SINGLE_CHANGES = [
    (("cpu",), 2048, "cpu"),
    (("memory",), 4096, "memory"),
    (("execution_role_arn",), "arn:aws:iam::123456789012:role/other", "executionRoleArn"),
    (("task_role_arn",), "arn:aws:iam::123456789012:role/other", "taskRoleArn"),
    (("cpu_architecture",), "ARM64", "runtimePlatform.cpuArchitecture"),
    (("ephemeral_storage",), 30, "ephemeralStorage"),
    (C + ("image",), IMAGE[:-1] + "0", "containerDefinitions[0].image"),
    (C + ("environment", 1, "value"), "staging", "containerDefinitions[0].environment"),
    (C + ("environment",), [{"name": "SERVER_PORT", "value": "8080"}], "containerDefinitions[0].environment"),
    (C + ("secrets", 0, "valueFrom"), "arn:aws:ssm:eu-west-1:123456789012:parameter/other",
     "containerDefinitions[0].secrets"),
    (C + ("portMappings", 0, "containerPort"), 8081, "containerDefinitions[0].portMappings"),
    (C + ("portMappings", 0, "name"), "api", "containerDefinitions[0].portMappings"),
    (C + ("portMappings", 0, "appProtocol"), "http2", "containerDefinitions[0].portMappings"),
    (C + ("healthCheck", "interval"), 10, "containerDefinitions[0].healthCheck.interval"),
    (C + ("healthCheck", "startPeriod"), 0, "containerDefinitions[0].healthCheck.startPeriod"),
    (C + ("healthCheck", "command"), ["CMD", "true"], "containerDefinitions[0].healthCheck.command"),
    (C + ("stopTimeout",), 120, "containerDefinitions[0].stopTimeout"),
    (C + ("essential",), False, "containerDefinitions[0].essential"),
    (C + ("readonlyRootFilesystem",), True, "containerDefinitions[0].readonlyRootFilesystem"),
    (C + ("logConfiguration", "options", "awslogs-group"), "/ecs/other",
     "containerDefinitions[0].logConfiguration.options.awslogs-group"),
]


@pytest.mark.parametrize("path, value, field", SINGLE_CHANGES,
                         ids=[c[2] + "=" + str(c[1])[:20] for c in SINGLE_CHANGES])
def test_a_single_changed_field_is_a_difference(path, value, field):
    assert differences(described(), desired(changed(path, value))) == [field]
