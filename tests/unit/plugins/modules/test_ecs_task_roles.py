"""ecs_task_roles against botocore Stubbers (CloudWatch Logs, IAM): every call of each path asserted."""
import copy
import json
import os
import sys

from ansible_collections.bandup.ecs.plugins.modules import ecs_task_roles

from conftest import run_module

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, ROOT)
from tests.support.task_role_answers import (  # noqa: E402  pylint: disable=wrong-import-position
    ACCOUNT, BACKEND, FRONTEND, IAM_TAGS, MANAGED, SECRETS_POLICY, TAGS, TASK_POLICY, TRUST, exec_description,
    log_group, read_attached, read_inline, read_log_groups, read_log_tags, read_role, role, service, task_description)


def args(*services, **override):
    params = dict(services=[copy.deepcopy(s) for s in services], log_retention_days=30, tags=TAGS,
                  region="us-east-1")
    params.update(override)
    return params


def run(params, capsys):
    return run_module(ecs_task_roles, params, capsys)


def read_converged(aws, svc, secrets_policy, task_policy):
    """The reads of one service whose log group and roles are as desired."""
    read_log_tags(aws, svc["log_group"])
    read_role(aws, svc["execution_role"], exec_description(svc))
    read_attached(aws, svc["execution_role"], [MANAGED])
    read_inline(aws, svc["execution_role"], "bandup-secrets", secrets_policy)
    read_role(aws, svc["task_role"], task_description(svc))
    read_inline(aws, svc["task_role"], "bandup-task", task_policy)


def test_no_op_reads_each_resource_once_and_writes_nothing(aws, capsys):
    read_log_groups(aws, [log_group("/ecs/bandup/backend"), log_group("/ecs/bandup/frontend")])
    read_converged(aws, BACKEND, SECRETS_POLICY, TASK_POLICY)
    read_converged(aws, FRONTEND, None, None)
    out = run(args(BACKEND, FRONTEND), capsys)
    assert out["changed"] is False and out["changes"] == []
    assert out["services"]["backend"] == {
        "log_group": "/ecs/bandup/backend",
        "execution_role_arn": f"arn:aws:iam::{ACCOUNT}:role/bandup-backend-execution",
        "task_role_arn": f"arn:aws:iam::{ACCOUNT}:role/bandup-backend-task"}


def test_create_everything(aws, capsys):
    svc = BACKEND
    read_log_groups(aws, [], prefix=svc["log_group"])
    aws["logs"].add_response("create_log_group", {}, {"logGroupName": svc["log_group"], "tags": TAGS})
    aws["logs"].add_response("put_retention_policy", {}, {"logGroupName": svc["log_group"], "retentionInDays": 30})
    for name in (svc["execution_role"], svc["task_role"]):
        aws["iam"].add_client_error("get_role", "NoSuchEntity", http_status_code=404, expected_params={"RoleName": name})
    aws["iam"].add_response("create_role", role(svc["execution_role"], exec_description(svc)), {
        "RoleName": svc["execution_role"], "AssumeRolePolicyDocument": json.dumps(TRUST),
        "Description": exec_description(svc), "Tags": IAM_TAGS})
    aws["iam"].add_response("attach_role_policy", {}, {"RoleName": svc["execution_role"], "PolicyArn": MANAGED})
    aws["iam"].add_response("put_role_policy", {}, {"RoleName": svc["execution_role"], "PolicyName": "bandup-secrets",
                                                    "PolicyDocument": json.dumps(SECRETS_POLICY)})
    aws["iam"].add_response("create_role", role(svc["task_role"], task_description(svc)), {
        "RoleName": svc["task_role"], "AssumeRolePolicyDocument": json.dumps(TRUST),
        "Description": task_description(svc), "Tags": IAM_TAGS})
    aws["iam"].add_response("put_role_policy", {}, {"RoleName": svc["task_role"], "PolicyName": "bandup-task",
                                                    "PolicyDocument": json.dumps(TASK_POLICY)})
    out = run(args(svc), capsys)
    assert out["changed"] is True
    assert out["services"]["backend"]["execution_role_arn"].endswith(":role/bandup-backend-execution")
    assert out["services"]["backend"]["task_role_arn"].endswith(":role/bandup-backend-task")
    assert out["changes"] == [
        {"resource": LOG_GROUP, "action": "create", "fields": []},
        {"resource": LOG_GROUP, "action": "update", "fields": ["retentionInDays"]},
        {"resource": EXEC_ROLE, "action": "create", "fields": []},
        {"resource": EXEC_ROLE, "action": "attach", "fields": [MANAGED]},
        {"resource": EXEC_ROLE, "action": "put policy", "fields": ["bandup-secrets"]},
        {"resource": TASK_ROLE, "action": "create", "fields": []},
        {"resource": TASK_ROLE, "action": "put policy", "fields": ["bandup-task"]}]


def read_drifted(aws):
    """Backend drifted everywhere: retention, a tag, the trust policy, the description, an extra managed policy,
    the secrets policy; the task role has a policy the run no longer wants."""
    svc = BACKEND
    read_log_groups(aws, [log_group(svc["log_group"], retention=7)], prefix=svc["log_group"])
    read_log_tags(aws, svc["log_group"], tags={"bandup:managed-by": "bandup.ecs"})
    other_trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    read_role(aws, svc["execution_role"], "old", trust=other_trust)
    read_attached(aws, svc["execution_role"], [MANAGED, "arn:aws:iam::aws:policy/AdministratorAccess"])
    read_inline(aws, svc["execution_role"], "bandup-secrets", dict(SECRETS_POLICY, Statement=[]))
    read_role(aws, svc["task_role"], task_description(svc), tags=IAM_TAGS[:1])
    read_inline(aws, svc["task_role"], "bandup-task", TASK_POLICY)


LOG_GROUP, EXEC_ROLE, TASK_ROLE = "log group /ecs/bandup/backend", "role bandup-backend-execution", "role bandup-backend-task"
DRIFT_CHANGES = [
    {"resource": LOG_GROUP, "action": "tag", "fields": ["bandup:deployment"]},
    {"resource": LOG_GROUP, "action": "update", "fields": ["retentionInDays"]},
    {"resource": EXEC_ROLE, "action": "update", "fields": ["AssumeRolePolicyDocument"]},
    {"resource": EXEC_ROLE, "action": "update", "fields": ["Description"]},
    {"resource": EXEC_ROLE, "action": "detach", "fields": ["arn:aws:iam::aws:policy/AdministratorAccess"]},
    {"resource": EXEC_ROLE, "action": "put policy", "fields": ["bandup-secrets"]},
    {"resource": TASK_ROLE, "action": "tag", "fields": ["bandup:deployment"]},
    {"resource": TASK_ROLE, "action": "delete policy", "fields": ["bandup-task"]}]


def test_each_drift_is_one_write(aws, capsys):
    svc = BACKEND
    read_drifted(aws)
    aws["logs"].add_response("tag_resource", {}, {"resourceArn": log_group(svc["log_group"])["logGroupArn"],
                                                  "tags": {"bandup:deployment": "bandup"}})
    aws["logs"].add_response("put_retention_policy", {}, {"logGroupName": svc["log_group"], "retentionInDays": 30})
    name = svc["execution_role"]
    aws["iam"].add_response("update_assume_role_policy", {}, {"RoleName": name, "PolicyDocument": json.dumps(TRUST)})
    aws["iam"].add_response("update_role", {}, {"RoleName": name, "Description": exec_description(svc)})
    aws["iam"].add_response("detach_role_policy", {}, {"RoleName": name,
                                                       "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})
    aws["iam"].add_response("put_role_policy", {}, {"RoleName": name, "PolicyName": "bandup-secrets",
                                                    "PolicyDocument": json.dumps(SECRETS_POLICY)})
    aws["iam"].add_response("tag_role", {}, {"RoleName": svc["task_role"], "Tags": IAM_TAGS[1:]})
    aws["iam"].add_response("delete_role_policy", {}, {"RoleName": svc["task_role"], "PolicyName": "bandup-task"})
    out = run(args(dict(svc, task_policy=None), _ansible_diff=True), capsys)
    assert out["changed"] is True and out["changes"] == DRIFT_CHANGES
    assert out["diff"]["before"]["log group /ecs/bandup/backend"]["retention"] == 7
    assert out["diff"]["after"]["role bandup-backend-task"]["bandup-task"] is None


def test_check_mode_reads_and_predicts_without_writing(aws, capsys):
    read_drifted(aws)
    out = run(args(dict(BACKEND, task_policy=None), _ansible_check_mode=True), capsys)
    assert out["changed"] is True and out["changes"] == DRIFT_CHANGES


def test_check_mode_new_roles_have_no_arn(aws, capsys):
    svc = FRONTEND
    read_log_groups(aws, [], prefix=svc["log_group"])
    for name in (svc["execution_role"], svc["task_role"]):
        aws["iam"].add_client_error("get_role", "NoSuchEntity", http_status_code=404, expected_params={"RoleName": name})
    out = run(args(svc, _ansible_check_mode=True), capsys)
    assert out["changed"] is True
    assert out["services"]["frontend"]["execution_role_arn"] is None


def test_a_secret_of_another_service_fails_before_any_call(aws, capsys):
    svc = service("backend", ["arn:aws:s3:::bucket/key"])
    out = run(args(svc), capsys)
    assert out["failed"] is True and out["msg"].startswith("services[backend].secrets: ")
    assert not aws


def test_an_iam_error_fails_naming_the_call_and_nothing_is_written(aws, capsys):
    read_log_groups(aws, [log_group("/ecs/bandup/frontend")], prefix="/ecs/bandup/frontend")
    read_log_tags(aws, FRONTEND["log_group"])
    aws["iam"].add_client_error("get_role", "AccessDenied", "not allowed", http_status_code=403,
                                expected_params={"RoleName": FRONTEND["execution_role"]})
    out = run(args(FRONTEND, log_retention_days=7), capsys)  # the retention differs, but every read comes first
    assert out["failed"] is True and out["msg"].startswith("Failed to get role: "), out["msg"]
    assert out["changed"] is False and out["changes"] == []


def test_a_task_policy_that_is_not_json_fails_before_any_call(aws, capsys):
    out = run(args(service("backend", task_policy="{not json")), capsys)
    assert out["failed"] is True and out["msg"].startswith("services[backend].task_policy: not JSON ("), out["msg"]
    assert not aws
