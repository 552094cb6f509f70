"""The IAM policy covers every AWS call in plugins/, read from the source (tests/support/iam_calls.py): the local
endpoint enforces no IAM, so this static check is what stops a call from shipping without its permission.

- every action the code needs (boto3 calls, paginators, waiters, amazon.aws helpers, the actions AWS documents as
  needed alongside a call, the image push) is in plugin_utils/iam_policy.py ACTIONS, in docs/iam-policy.json and in
  the policy generated for a deployment;
- the checker sees a call added to a source, an ambiguous one, and an unknown amazon.aws helper (synthetic sources);
- docs/iam-policy.json is what scripts/gen_iam_policy.py writes;
- the generated policy is narrow: PassRole only on the deployment's roles, only to ecs-tasks.amazonaws.com.
"""
import json
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tests.support import iam_calls  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.bandup.ecs.plugins.plugin_utils import iam_policy  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.bandup.ecs.plugins.module_utils.topology import build_topology  # noqa: E402  pylint: disable=wrong-import-position


def missing(required, granted):
    return {act: where for act, where in required.items() if act not in granted}


@pytest.fixture(name="required", scope="module")
def fixture_required():
    return iam_calls.required(iam_calls.plugin_sources())


def test_the_checker_reads_the_code(required):
    """Not an empty scan: calls, paginators, waiters, amazon.aws helpers and companions are all seen."""
    assert "ecs:CreateService" in required                     # a client call
    assert "ecs:ListServices" in required                      # a paginator
    assert any("waiter" in w for w in required["ec2:DescribeNatGateways"])
    assert any("amazon.aws" in w for w in required["iam:GetRole"])
    assert "cloudwatch:PutMetricAlarm" in required             # alongside target tracking
    assert "iam:PassRole" in required and "ecr:PutImage" in required
    assert len(required) > 100


def test_every_call_in_plugins_has_its_action_in_the_policy(required):
    assert missing(required, set(iam_policy.ACTIONS)) == {}


def test_docs_policy_grants_every_required_action_and_is_the_generated_one(required):
    with open(os.path.join(ROOT, "docs", "iam-policy.json")) as handle:
        document = json.load(handle)
    assert missing(required, iam_policy.actions(document)) == {}
    assert document == iam_policy.generic(), "regenerate: scripts/gen_iam_policy.py"


def test_target_tracking_alarm_actions_are_granted():
    """The actions the first policy lacked (AWS: target tracking creates its alarms with the caller's permission)."""
    assert {"cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms"} <= set(
        iam_policy.ACTIONS)


SYNTHETIC = '''
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

def read(ecs, cluster):
    return ecs.describe_clusters(clusters=[cluster])
'''


def test_an_added_call_without_its_action_is_reported():
    granted = set(iam_policy.ACTIONS)
    base = iam_calls.scan(SYNTHETIC, "plugins/module_utils/synthetic.py")
    assert set(base) == {"ecs:DescribeClusters"} and missing(base, granted) == {}
    # a new call (and a paginator) whose actions the policy does not have
    added = SYNTHETIC + '''
def start(ecs, cluster, family):
    ecs.start_task(cluster=cluster, taskDefinition=family, containerInstances=["i"])
    return ecs.get_paginator("list_container_instances").paginate(cluster=cluster)
'''
    report = missing(iam_calls.scan(added, "plugins/module_utils/synthetic.py"), granted)
    assert set(report) == {"ecs:StartTask", "ecs:ListContainerInstances"}
    assert report["ecs:StartTask"] == ["plugins/module_utils/synthetic.py:8 start_task"]


def test_a_call_alongside_documented_actions_requires_them_too(tmp_path):
    source = tmp_path / "scaling.py"
    source.write_text("def put(client, **kw):\n    return client.put_scaling_policy(**kw)\n")
    found = iam_calls.required([source])
    assert {"application-autoscaling:PutScalingPolicy", "cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms",
            "cloudwatch:DeleteAlarms"} <= set(found)
    assert found["cloudwatch:PutMetricAlarm"] == ["alongside application-autoscaling:PutScalingPolicy"]


def test_a_call_the_checker_cannot_place_fails_rather_than_guesses():
    with pytest.raises(iam_calls.Ambiguous, match="tag_resource"):
        iam_calls.scan("def tag(client, arn, tags):\n    client.tag_resource(resourceArn=arn, tags=tags)\n",
                       "plugins/module_utils/new_kind.py")
    # the receiver's name places it
    assert set(iam_calls.scan("def tag(logs, arn, tags):\n    logs.tag_resource(resourceArn=arn, tags=tags)\n",
                              "plugins/module_utils/new_kind.py")) == {"logs:TagResource"}
    with pytest.raises(iam_calls.Ambiguous, match="HELPERS"):
        iam_calls.scan("from ansible_collections.amazon.aws.plugins.module_utils.iam import delete_iam_role\n",
                       "plugins/module_utils/new_kind.py")


def test_elbv2_and_zonal_shift_map_to_their_iam_prefixes():
    assert set(iam_calls.scan("def f(elbv2, arn):\n    elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn)\n",
                              "x.py")) == {"elasticloadbalancing:ModifyLoadBalancerAttributes"}
    assert set(iam_calls.scan("def f(client, arn):\n    client.start_zonal_shift(resourceIdentifier=arn)\n",
                              "x.py")) == {"arc-zonal-shift:StartZonalShift"}


def topology(name, prefix="ielts-"):
    services = [{"name": "backend", "port": 8080, "health_path": "/h", "cpu": 256, "memory": 512, "image": "x",
                 "alb": {"path_patterns": ["/api/*"]}},
                {"name": "frontend", "port": 3000, "health_path": "/h", "cpu": 256, "memory": 512, "image": "x",
                 "alb": {"default_route": True}}]
    return build_topology(name, "eu-west-1", "eu-west-1a", "eu-west-1b", services, ecr_prefix=prefix)


def statement(document, sid):
    return next(s for s in document["Statement"] if s["Sid"] == sid)


def test_pass_role_only_for_the_deployments_roles_and_only_to_ecs_tasks():
    document = iam_policy.policy(topology("bandup-prod"), account_id="123456789012")
    passing = [s for s in document["Statement"] if "iam:PassRole" in s["Action"]]
    assert len(passing) == 1 and passing[0]["Action"] == ["iam:PassRole"]
    assert passing[0]["Resource"] == [f"arn:aws:iam::123456789012:role/bandup-prod-{svc}-{kind}"
                                      for svc in ("backend", "frontend") for kind in ("execution", "task")]
    assert passing[0]["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}


def test_scoped_statements_name_only_the_deployments_resources():
    document = iam_policy.policy(topology("bandup-prod"), account_id="123456789012")
    assert statement(document, "EcrRepository")["Resource"] == [
        "arn:aws:ecr:eu-west-1:123456789012:repository/ielts-bandup-prod-backend",
        "arn:aws:ecr:eu-west-1:123456789012:repository/ielts-bandup-prod-frontend"]
    assert statement(document, "EcsService")["Resource"] == [
        f"arn:aws:ecs:eu-west-1:123456789012:service/bandup-prod/bandup-prod-{svc}-{az}"
        for svc in ("backend", "frontend") for az in "ab"]
    assert statement(document, "LogsGroup")["Resource"] == ["arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/bandup-prod/*"]
    assert "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/bandup-prod-backend-a/*" in statement(
        document, "Elb")["Resource"]
    # "*" only where AWS has no resource-level permission, and then only in the deployment's region
    region = statement(document, "Region")
    assert region["Resource"] == "*" and region["Condition"] == {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
    for scoped in document["Statement"]:
        if scoped["Resource"] != "*":
            assert all(":123456789012:" in arn or arn.startswith("arn:aws:iam::123456789012:") for arn in
                       scoped["Resource"]), scoped


def test_run_task_only_of_the_deployments_families_in_its_cluster():
    """A pre-deploy task: RunTask scoped to the task definition families and the cluster (condition ecs:cluster);
    its tags on create (ecs:TagResource) and StopTask only on the cluster's tasks."""
    document = iam_policy.policy(topology("bandup-prod"), account_id="123456789012")
    run = statement(document, "EcsRunTask")
    assert run["Action"] == ["ecs:RunTask"]
    assert run["Resource"] == [f"arn:aws:ecs:eu-west-1:123456789012:task-definition/bandup-prod-{svc}:*"
                               for svc in ("backend", "frontend")]
    assert run["Condition"] == {"ArnEquals": {"ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/bandup-prod"}}
    assert statement(document, "EcsTask")["Action"] == ["ecs:DescribeTasks", "ecs:StopTask"]
    assert "arn:aws:ecs:eu-west-1:123456789012:task/bandup-prod/*" in statement(document, "EcsTagging")["Resource"]


def test_every_action_of_the_policy_has_one_statement():
    document = iam_policy.generic()
    listed = [act for s in document["Statement"] for act in s["Action"]]
    assert sorted(listed) == sorted(iam_policy.ACTIONS)


def test_a_policy_too_large_for_one_managed_policy_is_split_without_losing_anything():
    services = [{"name": f"svc{i}", "port": 8000 + i, "health_path": "/h", "cpu": 256, "memory": 512, "image": "x",
                 "alb": {"path_patterns": [f"/{i}/*"]} if i else {"default_route": True}} for i in range(6)]
    document = iam_policy.policy(build_topology("bandup-prod", "eu-west-1", "eu-west-1a", "eu-west-1b", services),
                                 account_id="123456789012")
    assert iam_policy.size(document) > iam_policy.MANAGED_POLICY_SIZE
    parts = iam_policy.split(document)
    assert len(parts) > 1 and all(iam_policy.size(part) <= iam_policy.MANAGED_POLICY_SIZE for part in parts)
    merged = [s for part in parts for s in part["Statement"]]
    assert sorted(a for s in merged for a in s["Action"]) == sorted(iam_policy.ACTIONS)
    for original in document["Statement"]:  # every action keeps its resources and condition
        for act in original["Action"]:
            holder = next(s for s in merged if act in s["Action"])
            assert holder["Resource"] == original["Resource"] and holder.get("Condition") == original.get("Condition")
    # a statement larger than the limit alone is cut by its actions
    tiny = iam_policy.split(document, limit=2500)
    assert all(iam_policy.size(part) <= 2500 for part in tiny)
    assert sorted(a for part in tiny for s in part["Statement"] for a in s["Action"]) == sorted(iam_policy.ACTIONS)
