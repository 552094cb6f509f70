"""ecs_taskdefinition end to end against a botocore Stubber: AWS-shaped responses, every call asserted."""
import copy
import os
import sys

import pytest

from ansible_collections.bandup.ecs.plugins.modules import ecs_taskdefinition

from conftest import run_module

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, ROOT)
from tests.support.taskdef_shapes import DESCRIBED, DESIRED  # noqa: E402  pylint: disable=wrong-import-position
from tests.support.task_role_answers import (  # noqa: E402  pylint: disable=wrong-import-position
    BACKEND, SECRETS_POLICY, TASK_POLICY, exec_description, log_group, read_attached, read_inline, read_log_groups,
    read_log_tags, read_role)

TAGS = {"bandup:managed-by": "bandup.ecs"}
AWS_TAGS = [{"key": "bandup:managed-by", "value": "bandup.ecs"}]


def args(**override):
    container = copy.deepcopy(DESIRED["containerDefinitions"][0])
    params = dict(family="bandup-backend", cpu=1024, memory=2048, container_definitions=[container], tags=TAGS,
                  execution_role_arn=DESIRED["executionRoleArn"], task_role_arn=DESIRED["taskRoleArn"],
                  region="us-east-1")
    params.update(override)
    return params


def run(params, capsys):
    return run_module(ecs_taskdefinition, params, capsys)


def describe(ecs, definition=None, tags=None):
    ecs.add_response("describe_task_definition",
                     {"taskDefinition": definition or DESCRIBED, "tags": AWS_TAGS if tags is None else tags},
                     {"taskDefinition": "bandup-backend", "include": ["TAGS"]})


def test_unchanged_definition_registers_nothing(ecs, capsys):
    describe(ecs)
    out = run(args(), capsys)
    assert out["changed"] is False
    assert out["changes"] == []
    assert out["revision"] == 7 and out["family"] == "bandup-backend"


def test_one_environment_variable_registers_one_revision(ecs, capsys):
    params = args()
    params["container_definitions"][0]["environment"][0]["value"] = "2"
    describe(ecs)
    registered = dict(copy.deepcopy(DESCRIBED), revision=8,
                      taskDefinitionArn=DESCRIBED["taskDefinitionArn"][:-1] + "8")
    expected = {k: v for k, v in copy.deepcopy(DESIRED).items()}
    expected["containerDefinitions"][0]["environment"][0]["value"] = "2"
    expected["tags"] = AWS_TAGS
    ecs.add_response("register_task_definition", {"taskDefinition": registered}, expected)
    out = run(params, capsys)
    assert out["changed"] is True
    assert out["changes"] == [{"resource": "task definition bandup-backend", "action": "register",
                               "fields": ["containerDefinitions[0].environment"]}]
    assert out["revision"] == 8


def test_check_mode_registers_nothing(ecs, capsys):
    params = args(_ansible_check_mode=True)
    params["container_definitions"][0]["image"] = DESIRED["containerDefinitions"][0]["image"][:-1] + "b"
    describe(ecs)
    out = run(params, capsys)
    assert out["changed"] is True
    assert out["changes"] == [{"resource": "task definition bandup-backend", "action": "register",
                               "fields": ["containerDefinitions[0].image"]}]
    assert out["revision"] == 7  # the revision in force


def test_missing_tag_is_added_without_a_revision(ecs, capsys):
    describe(ecs, tags=[])
    ecs.add_response("tag_resource", {}, {"resourceArn": DESCRIBED["taskDefinitionArn"], "tags": AWS_TAGS})
    out = run(args(), capsys)
    assert out["changed"] is True and out["revision"] == 7
    assert out["changes"] == [{"resource": "task definition bandup-backend", "action": "tag",
                               "fields": ["bandup:managed-by"]}]


def test_no_image_keeps_the_latest_one(ecs, capsys):
    params = args()
    params["container_definitions"][0]["image"] = ""
    describe(ecs)
    out = run(params, capsys)
    assert out["changed"] is False
    assert out["image"] == DESCRIBED["containerDefinitions"][0]["image"]


def test_no_image_and_no_revision_fails(ecs, capsys):
    params = args()
    params["container_definitions"][0]["image"] = ""
    ecs.add_client_error("describe_task_definition", "ClientException", "Unable to describe task definition.")
    out = run(params, capsys)
    assert out["failed"] is True
    assert "no image for container(s) ['backend']" in out["msg"]


def test_keep_revisions_deregisters_the_oldest(ecs, capsys):
    describe(ecs)
    arns = [f"arn:aws:ecs:us-east-1:123456789012:task-definition/bandup-backend:{n}" for n in (7, 6, 5)]
    other = "arn:aws:ecs:us-east-1:123456789012:task-definition/bandup-backend-worker:3"
    ecs.add_response("list_task_definitions", {"taskDefinitionArns": arns[:1] + [other] + arns[1:]},
                     {"familyPrefix": "bandup-backend", "status": "ACTIVE", "sort": "DESC"})
    ecs.add_response("deregister_task_definition", {"taskDefinition": DESCRIBED}, {"taskDefinition": arns[2]})
    out = run(args(keep_revisions=2), capsys)
    assert out["changed"] is True and out["deregistered"] == [arns[2]]
    assert out["changes"] == [{"resource": "task definition bandup-backend:5", "action": "deregister", "fields": []}]


def test_fargate_size_fails_before_any_call(ecs, capsys):
    out = run(args(cpu=512, memory=512), capsys)
    assert out["failed"] is True
    assert out["msg"] == ("family bandup-backend.memory: 512 MiB is not valid with cpu 512 on Fargate; "
                          "valid: 1024, 2048, 3072, 4096")


def test_ephemeral_storage_range(ecs, capsys):
    out = run(args(ephemeral_storage=20), capsys)
    assert out["failed"] is True and "ephemeral_storage: 20 GiB is outside 21-200" in out["msg"]


def other_family(definition, family="bandup-worker"):
    """``definition`` (described or desired) under another family name."""
    out = copy.deepcopy(definition)
    out["family"] = family
    if "taskDefinitionArn" in out:
        out["taskDefinitionArn"] = out["taskDefinitionArn"].replace("bandup-backend", family)
    return out


def entries():
    """task_definitions entries for bandup-backend and bandup-worker (both as DESCRIBED)."""
    base = {k: v for k, v in args().items() if k in ("cpu", "memory", "container_definitions", "execution_role_arn",
                                                      "task_role_arn")}
    return [dict(copy.deepcopy(base), family="bandup-backend"), dict(copy.deepcopy(base), family="bandup-worker")]


def describe_family(ecs, family, definition):
    ecs.add_response("describe_task_definition", {"taskDefinition": definition, "tags": AWS_TAGS},
                     {"taskDefinition": family, "include": ["TAGS"]})


def test_task_definitions_no_op_is_one_describe_per_family(ecs, capsys):
    describe(ecs)
    describe_family(ecs, "bandup-worker", other_family(DESCRIBED))
    out = run(dict(task_definitions=entries(), tags=TAGS, region="us-east-1"), capsys)
    assert out["changed"] is False
    assert [(r["family"], r["revision"], r["changed"]) for r in out["task_definitions"]] == [
        ("bandup-backend", 7, False), ("bandup-worker", 7, False)]


def test_task_definitions_register_only_the_changed_family(ecs, capsys):
    params = dict(task_definitions=entries(), tags=TAGS, region="us-east-1", _ansible_diff=True)
    params["task_definitions"][1]["cpu"] = 2048
    params["task_definitions"][1]["memory"] = 4096
    describe(ecs)
    describe_family(ecs, "bandup-worker", other_family(DESCRIBED))
    expected = other_family(DESIRED)
    expected.update(cpu="2048", memory="4096", tags=AWS_TAGS)
    registered = dict(other_family(DESCRIBED), revision=8, cpu="2048", memory="4096")
    registered["taskDefinitionArn"] = registered["taskDefinitionArn"][:-1] + "8"
    ecs.add_response("register_task_definition", {"taskDefinition": registered}, expected)
    out = run(params, capsys)
    assert out["changed"] is True
    assert [(r["family"], r["revision"], r["changed"]) for r in out["task_definitions"]] == [
        ("bandup-backend", 7, False), ("bandup-worker", 8, True)]
    assert out["changes"] == [{"resource": "task definition bandup-worker", "action": "register",
                               "fields": ["cpu", "memory"]}]
    assert out["diff"]["before"]["task definition bandup-worker"]["cpu"] == "1024"
    assert out["diff"]["after"]["task definition bandup-worker"]["cpu"] == "2048"


def test_task_definitions_check_mode_new_family(ecs, capsys):
    describe(ecs)
    ecs.add_client_error("describe_task_definition", "ClientException", "Unable to describe task definition.",
                         expected_params={"taskDefinition": "bandup-worker", "include": ["TAGS"]})
    out = run(dict(task_definitions=entries(), tags=TAGS, region="us-east-1", _ansible_check_mode=True), capsys)
    assert out["changed"] is True
    assert [(r["family"], r["changed"]) for r in out["task_definitions"]] == [
        ("bandup-backend", False), ("bandup-worker", True)]
    assert out["changes"] == [{"resource": "task definition bandup-worker", "action": "create", "fields": []}]
    assert "arn" not in out["task_definitions"][1]


def test_task_definitions_bad_entry_fails_before_any_call(ecs, capsys):
    params = dict(task_definitions=entries(), region="us-east-1")
    params["task_definitions"][1]["memory"] = 512
    out = run(params, capsys)
    assert out["failed"] is True and out["msg"].startswith("family bandup-worker.memory: 512 MiB")


# ---- task_roles: the log groups and roles in the same run, their ARNs filled in by family

def roles_and_definitions(**override):
    """task_roles for the backend (as test_ecs_task_roles.BACKEND) and its task definition without role ARNs."""
    entry = {k: v for k, v in entries()[0].items() if k not in ("execution_role_arn", "task_role_arn")}
    params = dict(task_roles=dict(services=[copy.deepcopy(BACKEND)], tags=TAGS), task_definitions=[entry],
                  tags=TAGS, region="us-east-1")
    params.update(override)
    return params


def read_backend_roles(aws, **read):
    read_log_groups(aws, [log_group(BACKEND["log_group"])], prefix=BACKEND["log_group"])
    read_log_tags(aws, BACKEND["log_group"], tags=TAGS)
    read_role(aws, BACKEND["execution_role"], exec_description(BACKEND), tags=[AWS_IAM_TAG])
    read_attached(aws, BACKEND["execution_role"], read.get("managed", [MANAGED]))
    read_inline(aws, BACKEND["execution_role"], "bandup-secrets", SECRETS_POLICY)
    read_role(aws, BACKEND["task_role"], "ECS task role of bandup-backend (the application's own permissions)",
              tags=[AWS_IAM_TAG])
    read_inline(aws, BACKEND["task_role"], "bandup-task", TASK_POLICY)


AWS_IAM_TAG = {"Key": "bandup:managed-by", "Value": "bandup.ecs"}
MANAGED = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


def test_task_roles_no_op_fills_the_role_arns_by_family(aws, capsys):
    read_backend_roles(aws)
    aws["ecs"].add_response("describe_task_definition", {"taskDefinition": DESCRIBED, "tags": AWS_TAGS},
                            {"taskDefinition": "bandup-backend", "include": ["TAGS"]})
    out = run(roles_and_definitions(), capsys)
    assert out["changed"] is False
    assert out["changes"] == []
    assert out["task_roles"]["services"]["backend"]["execution_role_arn"] == DESIRED["executionRoleArn"]
    assert [(r["family"], r["revision"], r["changed"]) for r in out["task_definitions"]] == [
        ("bandup-backend", 7, False)]  # the ARNs from the roles equal the revision's: nothing to register


def test_task_roles_change_alone_reports_changed(aws, capsys):
    read_backend_roles(aws, managed=[])  # the managed policy was detached by hand
    aws["iam"].add_response("attach_role_policy", {}, {"RoleName": "bandup-backend-execution", "PolicyArn": MANAGED})
    aws["ecs"].add_response("describe_task_definition", {"taskDefinition": DESCRIBED, "tags": AWS_TAGS},
                            {"taskDefinition": "bandup-backend", "include": ["TAGS"]})
    out = run(roles_and_definitions(_ansible_diff=True), capsys)
    assert out["changed"] is True
    assert out["changes"] == [{"resource": "role bandup-backend-execution", "action": "attach", "fields": [MANAGED]}]
    assert out["task_definitions"][0]["changed"] is False
    assert out["diff"]["after"]["role bandup-backend-execution"]["managed_policies"] == [MANAGED]


@pytest.mark.parametrize("mistake, message", [
    (lambda roles: roles["services"][0].pop("log_group"),
     "missing required arguments: log_group found in task_roles -> services"),
    (lambda roles: roles.update(log_retention_days="a month"),
     "argument 'log_retention_days' is of type str found in 'task_roles'. and we were unable to convert to int"),
], ids=["missing-suboption", "wrong-type"])
def test_task_roles_bad_option_fails_before_any_call(aws, capsys, mistake, message):
    """task_roles is checked by the argument spec (its options declared), naming the option and where it is."""
    params = roles_and_definitions()
    mistake(params["task_roles"])
    out = run(params, capsys)
    assert out["failed"] is True and out["msg"].startswith(message), out["msg"]
    assert not aws


def test_task_roles_duplicate_service_fails_before_any_call(aws, capsys):
    """What the spec cannot say: unique service names."""
    params = roles_and_definitions()
    params["task_roles"]["services"].append(copy.deepcopy(params["task_roles"]["services"][0]))
    out = run(params, capsys)
    assert out["failed"] is True
    assert out["msg"] == "services: every name must be unique (got ['backend', 'backend'])"
    assert not aws


def test_an_aws_error_fails_naming_the_call(ecs, capsys):
    ecs.add_client_error("describe_task_definition", "AccessDeniedException", "not allowed", http_status_code=400)
    out = run(args(), capsys)
    assert out["failed"] is True
    assert out["msg"].startswith("Failed to describe task definition bandup-backend: "), out["msg"]
    assert out["changed"] is False and out["changes"] == []


def test_a_failure_after_a_write_reports_the_write(aws, capsys):
    """The roles were written when the task definition read fails: the failure says so (changed, changes)."""
    read_backend_roles(aws, managed=[])
    aws["iam"].add_response("attach_role_policy", {}, {"RoleName": "bandup-backend-execution", "PolicyArn": MANAGED})
    aws["ecs"].add_client_error("describe_task_definition", "AccessDeniedException", "not allowed",
                                http_status_code=400)
    out = run(roles_and_definitions(), capsys)
    assert out["failed"] is True and out["msg"].startswith("Failed to describe task definition bandup-backend")
    assert out["changed"] is True
    assert out["changes"] == [{"resource": "role bandup-backend-execution", "action": "attach", "fields": [MANAGED]}]
