"""The normalizing comparison of task definitions, the secrets policy and image keeping.

DESCRIBED and DESIRED (tests/support/taskdef_shapes.py): a task definition as AWS describes it and as it was registered.
"""
import copy
import os
import sys

import pytest

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import secrets_policy as secrets
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import taskdef

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, ROOT)
from tests.support.taskdef_shapes import DESCRIBED, DESIRED, IMAGE, SECRET, SSM  # noqa: E402,F401  pylint: disable=wrong-import-position


def diff(live, desired):
    return taskdef.differences(taskdef.normalize(live), taskdef.normalize(desired))


def changed(**container):
    desired = copy.deepcopy(DESIRED)
    desired["containerDefinitions"][0].update(container)
    return desired


def test_described_equals_desired():
    assert diff(DESCRIBED, DESIRED) == []


def test_normalize_drops_server_fields_and_defaults():
    normalized = taskdef.normalize(DESCRIBED)
    for key in ("revision", "status", "registeredAt", "registeredBy", "requiresAttributes", "compatibilities",
                "taskDefinitionArn", "volumes", "placementConstraints", "enableFaultInjection"):
        assert key not in normalized
    container = normalized["containerDefinitions"][0]
    assert "cpu" not in container and "essential" not in container and "mountPoints" not in container


def test_ints_and_strings_compare_equal():
    desired = copy.deepcopy(DESIRED)
    desired["cpu"], desired["memory"] = 1024, 2048
    desired["containerDefinitions"][0]["portMappings"][0]["containerPort"] = "8080"
    assert diff(DESCRIBED, desired) == []


def test_spelled_out_defaults_compare_equal():
    desired = changed(essential=True, cpu=0, mountPoints=[], healthCheck=dict(
        DESCRIBED["containerDefinitions"][0]["healthCheck"]))
    desired["containerDefinitions"][0]["portMappings"][0].update(protocol="tcp", hostPort=8080)
    assert diff(DESCRIBED, desired) == []


def test_one_environment_value_is_named():
    desired = changed(environment=[{"name": "A_FIRST", "value": "2"}, {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"}])
    assert diff(DESCRIBED, desired) == ["containerDefinitions[0].environment"]


def test_image_cpu_and_health_check_are_named():
    desired = changed(image=IMAGE.replace("a" * 64, "b" * 64))
    desired["memory"] = "4096"
    desired["containerDefinitions"][0]["healthCheck"] = dict(DESIRED["containerDefinitions"][0]["healthCheck"],
                                                             retries=5)
    assert diff(DESCRIBED, desired) == ["containerDefinitions[0].healthCheck.retries",
                                        "containerDefinitions[0].image", "memory"]


def test_removed_secret_and_port_name_are_named():
    desired = changed(secrets=[])
    desired["containerDefinitions"][0]["portMappings"][0]["name"] = "http"
    assert diff(DESCRIBED, desired) == ["containerDefinitions[0].portMappings", "containerDefinitions[0].secrets"]


def test_host_port_default_only_under_awsvpc():
    bridge = copy.deepcopy(DESCRIBED)
    bridge["networkMode"] = "bridge"
    bridge["containerDefinitions"][0]["portMappings"][0]["hostPort"] = 0
    desired = copy.deepcopy(DESIRED)
    desired["networkMode"] = "bridge"
    assert diff(bridge, desired) == ["containerDefinitions[0].portMappings"]


def test_aws_docs_example_shape():
    """The DescribeTaskDefinition example of the botocore model (EC2, bridge): its own defaults normalize away."""
    example = {"containerDefinitions": [
        {"name": "mysql", "cpu": 10, "environment": [{"name": "MYSQL_ROOT_PASSWORD", "value": "password"}],
         "essential": True, "image": "mysql", "memory": 500, "mountPoints": [], "portMappings": [],
         "volumesFrom": []}],
        "family": "hello_world", "revision": 8, "volumes": [],
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/hello_world:8"}
    desired = {"family": "hello_world", "containerDefinitions": [
        {"name": "mysql", "cpu": 10, "image": "mysql", "memory": 500,
         "environment": [{"name": "MYSQL_ROOT_PASSWORD", "value": "password"}]}]}
    assert diff(example, desired) == []
    assert diff(example, dict(desired, family="other")) == ["family"]


def test_fill_images_keeps_the_live_image():
    containers = [{"name": "backend", "image": ""}]
    assert taskdef.fill_images(containers, DESCRIBED) == []
    assert containers[0]["image"] == IMAGE
    assert taskdef.fill_images([{"name": "backend"}], None) == ["backend"]
    assert taskdef.fill_images([{"name": "other"}], DESCRIBED) == ["other"]


def test_revision_of():
    assert taskdef.revision_of(DESCRIBED["taskDefinitionArn"]) == ("bandup-backend", 7)


def test_secrets_policy_scoped_to_the_arns():
    policy = secrets.secrets_policy([SSM, SECRET + ":password:AWSCURRENT:", SECRET])
    assert policy == {"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadSecrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": [SECRET]},
        {"Sid": "ReadSsmParameters", "Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": [SSM]},
    ]}


def test_secrets_policy_only_ssm():
    policy = secrets.secrets_policy([SSM])
    assert [s["Action"] for s in policy["Statement"]] == [["ssm:GetParameters"]]


def test_no_secrets_no_policy():
    assert secrets.secrets_policy([]) is None


@pytest.mark.parametrize("arn", ["arn:aws:s3:::bucket/key", "arn:aws:ssm:us-east-1:123456789012:document/x",
                                 "not-an-arn", "arn:aws:secretsmanager:us-east-1:123456789012:secret"])
def test_secrets_policy_refuses_other_arns(arn):
    with pytest.raises(ValueError, match="ARN"):
        secrets.secrets_policy([arn])


def test_absent_with_tags_deregisters_only_the_revisions_carrying_them():
    """Teardown passes the deployment's tags: a revision of the family that someone else registered stays."""
    import boto3
    from botocore.stub import Stubber

    from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet

    client = boto3.client("ecs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    base = "arn:aws:ecs:us-east-1:123456789012:task-definition/bandup-web"
    ours = {"bandup:deployment": "bandup", "bandup:managed-by": "bandup.ecs"}
    with Stubber(client) as stub:
        stub.add_response("list_task_definitions", {"taskDefinitionArns": [f"{base}:2", f"{base}:1"]},
                          {"familyPrefix": "bandup-web", "status": "ACTIVE", "sort": "DESC"})
        for revision, tags in ((2, dict(ours, team="web")), (1, {"team": "web"})):
            stub.add_response("describe_task_definition", {
                "taskDefinition": {"taskDefinitionArn": f"{base}:{revision}", "family": "bandup-web"},
                "tags": [{"key": k, "value": v} for k, v in tags.items()]},
                {"taskDefinition": f"{base}:{revision}", "include": ["TAGS"]})
        stub.add_response("deregister_task_definition", {"taskDefinition": {"taskDefinitionArn": f"{base}:2"}},
                          {"taskDefinition": f"{base}:2"})
        result = taskdef.ensure_absent(ChangeSet(), client, {"family": "bandup-web", "tags": ours}, None)
        stub.assert_no_pending_responses()
    assert result == {"deregistered": [f"{base}:2"]}
