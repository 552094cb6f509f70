"""playbooks/iam_policy.yml writes the IAM policy of an inventory's deployment, without AWS: for inventories/staging
and inventories/prod (one account and region, two deployments) the scoped resources differ by the deployment's name
and each policy grants every action the static check of plugins/ requires (tests/unit/test_iam_policy.py)."""
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, VENV_BIN

sys.path.insert(0, ROOT)
from tests.support import iam_calls  # noqa: E402  pylint: disable=wrong-import-position

ACCOUNT = "123456789012"


def generate(inventory, out):
    env = dict(os.environ, AWS_ENDPOINT_URL="http://127.0.0.1:9", AWS_ACCESS_KEY_ID="none",
               AWS_SECRET_ACCESS_KEY="none")  # any AWS call would fail: the playbook makes none
    result = subprocess.run([os.path.join(VENV_BIN, "ansible-playbook"), "-i", inventory, "playbooks/iam_policy.yml",
                             "-e", f"iam_policy_dir={out}", "-e", f"iam_policy_account_id={ACCOUNT}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    documents = []
    for name in sorted(os.listdir(out)):
        with open(os.path.join(out, name)) as handle:
            documents.append(json.load(handle))
    # each one a managed policy: within IAM's 6,144 characters (whitespace not counted)
    assert documents and all(len(json.dumps(doc, separators=(",", ":"))) <= 6144 for doc in documents)
    return {"Version": "2012-10-17", "Statement": [s for doc in documents for s in doc["Statement"]]}


@pytest.fixture(name="policies", scope="module")
def fixture_policies(tmp_path_factory):
    return {name: generate(f"inventories/{name}", str(tmp_path_factory.mktemp(name))) for name in ("staging", "prod")}


def scoped(document):
    return {arn for statement in document["Statement"] if statement["Resource"] != "*"
            for arn in statement["Resource"]}


def test_each_deployment_gets_its_own_resources(policies):
    staging, prod = scoped(policies["staging"]), scoped(policies["prod"])
    shared = {f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/*"}  # the service-linked roles of the account
    assert staging & prod == shared
    for name, arns in (("bandup-staging", staging), ("bandup-prod", prod)):
        own = arns - shared
        assert all(name in arn for arn in own), sorted(arn for arn in own if name not in arn)
        assert all(f":{ACCOUNT}:" in arn or f"::{ACCOUNT}:" in arn for arn in arns)
    assert f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/ielts-bandup-prod-backend" in prod
    assert f"arn:aws:iam::{ACCOUNT}:role/bandup-staging-backend-task" in staging
    # the same actions, the same shape: only the names differ (staging and prod have the same services)
    assert json.dumps(policies["staging"]).replace("bandup-staging", "X") == json.dumps(
        policies["prod"]).replace("bandup-prod", "X")


def test_each_generated_policy_grants_what_the_code_calls(policies):
    required = iam_calls.required(iam_calls.plugin_sources())
    for document in policies.values():
        granted = {act for statement in document["Statement"] for act in statement["Action"]}
        assert sorted(set(required) - granted) == []


def test_pass_role_is_for_the_deployments_roles_only(policies):
    for name, document in policies.items():
        statements = [s for s in document["Statement"] if "iam:PassRole" in s["Action"]]
        assert len(statements) == 1
        assert statements[0]["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
        assert statements[0]["Resource"] and all(arn.startswith(f"arn:aws:iam::{ACCOUNT}:role/bandup-{name}-")
                                                 for arn in statements[0]["Resource"])
