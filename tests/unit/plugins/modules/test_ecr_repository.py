"""ecr_repository: which writes a desired state needs against a live repository (ECR response shapes)."""
import json
import re

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.bandup.ecs.plugins.module_utils._ecr import ecr as ecr_api
from ansible_collections.bandup.ecs.plugins.modules import ecr_repository as mod

from conftest import run_module

ARN = "arn:aws:ecr:eu-west-1:123456789012:repository/ielts-backend"
POLICY = {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                                       "countUnit": "days", "countNumber": 14},
                     "action": {"type": "expire"}}]}
RECORD_TAG = "bandup:last-applied"
RECORD = "lifecycle=" + ecr_api.policy_hash(POLICY)
PARAMS = dict(name="ielts-backend", scan_on_push=True, image_tag_mutability="IMMUTABLE", encryption_type="AES256",
              kms_key=None, lifecycle_policy=None, purge_lifecycle_policy=False, repository_policy=None,
              purge_repository_policy=False, tags=None, purge_tags=False)


@pytest.fixture
def client():
    return boto3.client("ecr", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")


def live(**overrides):
    state = {"repo": {"repositoryArn": ARN, "repositoryName": "ielts-backend"}, "scan_on_push": True,
             "image_tag_mutability": "IMMUTABLE", "encryption": {"encryptionType": "AES256"},
             "lifecycle_policy": POLICY, "repository_policy": None,
             "tags": {"bandup:managed-by": "bandup.ecs", RECORD_TAG: RECORD}}
    state.update(overrides)
    return state


def writes(client, current, **params):
    """(action, fields) of each write the desired state needs."""
    return [(action, fields) for action, fields, _call in ecr_api.desired(dict(PARAMS, **params), client, current,
                                                                       "ielts-backend")[1]]


def written(out, name):
    """(action, fields) of each write of the module result's changes on repository ``name``."""
    return [(c["action"], c["fields"]) for c in out["changes"] if c["resource"] == f"repository {name}"]


def test_live_state_reads_the_ecr_shapes(client):
    stub = Stubber(client)
    stub.add_response("describe_repositories", {"repositories": [{
        "repositoryArn": ARN, "registryId": "123456789012", "repositoryName": "ielts-backend",
        "repositoryUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ielts-backend",
        "imageTagMutability": "MUTABLE", "imageScanningConfiguration": {"scanOnPush": False},
        "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": "arn:aws:kms:eu-west-1:123456789012:key/k1"}}]},
        {"repositoryNames": ["ielts-backend"]})
    stub.add_response("list_tags_for_resource", {"tags": [{"Key": "a", "Value": "b"}]}, {"resourceArn": ARN})
    stub.add_client_error("get_lifecycle_policy", "LifecyclePolicyNotFoundException")
    stub.add_response("get_repository_policy", {"policyText": '{"Version": "2012-10-17", "Statement": []}'})
    with stub:
        state = ecr_api.live_state(client, "ielts-backend")
    stub.assert_no_pending_responses()
    assert state["scan_on_push"] is False and state["image_tag_mutability"] == "MUTABLE"
    assert state["lifecycle_policy"] is None and state["repository_policy"]["Version"] == "2012-10-17"
    assert state["tags"] == {"a": "b"}


def test_missing_repository_is_none(client):
    stub = Stubber(client)
    stub.add_client_error("describe_repositories", "RepositoryNotFoundException")
    with stub:
        assert ecr_api.live_state(client, "ielts-backend") is None


def test_unchanged_repository_needs_no_write(client):
    same_policy_other_order = {"rules": [{"action": {"type": "expire"}, "rulePriority": 1, "selection": {
        "countNumber": 14, "countUnit": "days", "countType": "sinceImagePushed", "tagStatus": "untagged"}}]}
    assert writes(client, live(), lifecycle_policy=same_policy_other_order,
                  tags={"bandup:managed-by": "bandup.ecs"}) == []


def test_each_difference_is_one_write(client):
    changed_policy = {"rules": [dict(POLICY["rules"][0], selection=dict(POLICY["rules"][0]["selection"],
                                                                         countNumber=7))]}
    assert writes(client, live(scan_on_push=False, image_tag_mutability="MUTABLE"), lifecycle_policy=changed_policy,
                  repository_policy={"Version": "2012-10-17", "Statement": []}, tags={"env": "prod"}) == [
        ("update", ["scan_on_push"]), ("update", ["image_tag_mutability"]), ("update", ["lifecycle_policy"]),
        ("update", ["repository_policy"]), ("tag", [RECORD_TAG, "env"])]


def test_unset_policies_and_tags_are_left_alone_unless_purged(client):
    current = live(repository_policy={"Version": "2012-10-17", "Statement": []})
    assert writes(client, current) == []
    assert writes(client, current, purge_lifecycle_policy=True, purge_repository_policy=True,
                  tags={}, purge_tags=True) == [("update", ["lifecycle_policy"]), ("update", ["repository_policy"]),
                                                ("untag", [RECORD_TAG, "bandup:managed-by"])]


def test_new_repository_gets_the_record_after_its_policies(client):
    assert writes(client, None, lifecycle_policy=POLICY, tags={"a": "b"}) == [
        ("create", []), ("update", ["lifecycle_policy"]), ("tag", [RECORD_TAG])]
    assert writes(client, None, tags={"a": "b"}) == [("create", [])]  # no policy, no record


def test_record_hash_ignores_key_order_and_whitespace_and_fits_a_tag_value():
    other_order = json.loads(json.dumps(POLICY, sort_keys=True, indent=4))
    other_order["rules"][0] = dict(reversed(list(other_order["rules"][0].items())))
    assert ecr_api.policy_hash(other_order) == ecr_api.policy_hash(POLICY)
    assert ecr_api.policy_hash(dict(POLICY, rules=[])) != ecr_api.policy_hash(POLICY)
    record = {"lifecycle_policy": ecr_api.policy_hash(POLICY), "repository_policy": ecr_api.policy_hash({})}
    value = ecr_api.format_record(record)
    assert ecr_api.parse_record(value) == record and ecr_api.parse_record(None) == {}
    assert len(value) <= 256 and re.fullmatch(r"[\w .:/=+@-]+", value)  # the characters a tag value allows


def test_encryption_cannot_change(client):
    with pytest.raises(AnsibleAWSError, match="^encryption_type: "):
        writes(client, live(), encryption_type="KMS")
    kms = live(encryption={"encryptionType": "KMS", "kmsKey": "arn:aws:kms:eu-west-1:123456789012:key/k1"})
    assert writes(client, kms, encryption_type="KMS", kms_key="k1") == []
    assert writes(client, kms, encryption_type="KMS") == []
    with pytest.raises(AnsibleAWSError, match="^encryption_type: "):
        writes(client, kms, encryption_type="KMS", kms_key="k2")


def test_policy_calls_send_the_api_fields(client):
    stub = Stubber(client)
    stub.add_response("put_lifecycle_policy", {}, {"repositoryName": "r1",
                                                   "lifecyclePolicyText": json.dumps(POLICY, sort_keys=True)})
    stub.add_response("set_repository_policy", {}, {"repositoryName": "r1", "policyText": '{"Statement": []}'})
    stub.add_client_error("delete_lifecycle_policy", "LifecyclePolicyNotFoundException")
    stub.add_response("delete_repository_policy", {}, {"repositoryName": "r1"})
    with stub:
        ecr_api.put_policy(client, "r1", "lifecycle_policy", POLICY)
        ecr_api.put_policy(client, "r1", "repository_policy", {"Statement": []})
        assert ecr_api.delete_policy(client, "r1", "lifecycle_policy") is False  # not found: nothing to delete
        assert ecr_api.delete_policy(client, "r1", "repository_policy") is True
    stub.assert_no_pending_responses()


def repository(name, **overrides):
    return dict({"repositoryArn": f"arn:aws:ecr:us-east-1:123456789012:repository/{name}",
                 "registryId": "123456789012", "repositoryName": name,
                 "repositoryUri": f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{name}",
                 "imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True},
                 "encryptionConfiguration": {"encryptionType": "AES256"}}, **overrides)


TAGS = {"bandup:managed-by": "bandup.ecs"}


def read_settings(ecr, name, record=RECORD, policy=POLICY, read=None):
    """The reads of one repository: its tags (with ``record``), then its lifecycle policy (``policy``, None: not
    found) if ``read``, by default unless the record is the one of POLICY (the module parameter of most tests)."""
    tags = dict(TAGS, **({RECORD_TAG: record} if record else {}))
    ecr.add_response("list_tags_for_resource", {"tags": [{"Key": k, "Value": v} for k, v in tags.items()]},
                     {"resourceArn": repository(name)["repositoryArn"]})
    if read is False or (read is None and record == RECORD):
        return
    if policy is None:
        ecr.add_client_error("get_lifecycle_policy", "LifecyclePolicyNotFoundException",
                             expected_params={"repositoryName": name})
    else:
        ecr.add_response("get_lifecycle_policy", {"lifecyclePolicyText": json.dumps(policy), "repositoryName": name},
                         {"repositoryName": name})


def tag_record(ecr, name, record=RECORD, **tags):
    ecr.add_response("tag_resource", {}, {"resourceArn": repository(name)["repositoryArn"], "tags": [
        {"Key": k, "Value": v} for k, v in dict(tags, **{RECORD_TAG: record}).items()]})


def describe(ecr, *names):
    ecr.add_response("describe_repositories", {"repositories": [repository(name) for name in names]},
                     {"repositoryNames": list(names)})


def run_repositories(capsys, **params):
    return run_module(mod, dict(dict(repositories=["app-a", "app-b"], lifecycle_policy=POLICY, tags=TAGS,
                                     region="us-east-1"), **params), capsys)


def test_repositories_no_op_is_one_describe_and_one_tag_read_each(aws, capsys):
    ecr = aws["ecr"]
    describe(ecr, "app-a", "app-b")
    read_settings(ecr, "app-a")  # the record matches: no GetLifecyclePolicy (the Stubber fails on one)
    read_settings(ecr, "app-b")
    out = run_repositories(capsys, _ansible_diff=True)
    assert out["changed"] is False and out["changes"] == []
    assert [(r["name"], r["repository"]["repository_uri"], r["changed"]) for r in out["repositories"]] == [
        ("app-a", repository("app-a")["repositoryUri"], False), ("app-b", repository("app-b")["repositoryUri"], False)]
    assert out["repositories"][0]["repository_policy"] is None
    assert out["repositories"][0]["lifecycle_policy"] == POLICY  # trusted from the record: the wanted policy
    assert out["diff"]["before"] == out["diff"]["after"]
    assert sorted(out["diff"]["after"]) == ["repository app-a", "repository app-b"]


def test_repository_without_a_record_reads_the_policy_and_writes_only_the_record(aws, capsys):
    ecr = aws["ecr"]
    describe(ecr, "app-a", "app-b")
    read_settings(ecr, "app-a", record=None)  # created by an older version: read live, same policy
    read_settings(ecr, "app-b")
    tag_record(ecr, "app-a")
    describe(ecr, "app-a")
    read_settings(ecr, "app-a")
    out = run_repositories(capsys)
    assert out["changed"] is True
    assert [written(out, "app-a"), written(out, "app-b")] == [[("tag", [RECORD_TAG])], []]
    assert [r["changed"] for r in out["repositories"]] == [True, False]
    assert out["repositories"][0]["repository"]["tags"] == dict(TAGS, **{RECORD_TAG: RECORD})


def test_stale_record_reads_puts_the_new_policy_and_updates_the_record(aws, capsys):
    ecr = aws["ecr"]
    new_policy = {"rules": [dict(POLICY["rules"][0], selection=dict(POLICY["rules"][0]["selection"], countNumber=7))]}
    new_record = "lifecycle=" + ecr_api.policy_hash(new_policy)
    describe(ecr, "app-a")
    read_settings(ecr, "app-a", read=True)  # the record of POLICY, not of new_policy: read
    ecr.add_response("put_lifecycle_policy", {}, {"repositoryName": "app-a",
                                                  "lifecyclePolicyText": json.dumps(new_policy, sort_keys=True)})
    tag_record(ecr, "app-a", new_record)
    describe(ecr, "app-a")
    read_settings(ecr, "app-a", record=new_record, read=False)
    out = run_module(mod, dict(name="app-a", lifecycle_policy=new_policy, tags=TAGS, region="us-east-1",
                               _ansible_diff=True), capsys)
    assert out["changed"] is True and out["changes"] == [
        {"resource": "repository app-a", "action": "update", "fields": ["lifecycle_policy"]},
        {"resource": "repository app-a", "action": "tag", "fields": [RECORD_TAG]}]
    assert out["diff"]["after"]["repository app-a"]["tags"][RECORD_TAG] == new_record
    assert out["lifecycle_policy"] == new_policy


def test_purged_policy_is_read_deleted_and_dropped_from_the_record(aws, capsys):
    ecr = aws["ecr"]
    repo_policy = {"Version": "2012-10-17", "Statement": []}
    both = ecr_api.format_record({"lifecycle_policy": ecr_api.policy_hash(POLICY),
                                  "repository_policy": ecr_api.policy_hash(repo_policy)})
    describe(ecr, "app-a")
    read_settings(ecr, "app-a", record=both, read=True)  # purged: read although the record names it
    ecr.add_response("delete_lifecycle_policy", {}, {"repositoryName": "app-a"})
    tag_record(ecr, "app-a", "repository=" + ecr_api.policy_hash(repo_policy))
    describe(ecr, "app-a")
    read_settings(ecr, "app-a", record="repository=" + ecr_api.policy_hash(repo_policy), policy=None)
    out = run_module(mod, dict(name="app-a", purge_lifecycle_policy=True, repository_policy=repo_policy,
                               region="us-east-1"), capsys)
    assert written(out, "app-a") == [("update", ["lifecycle_policy"]), ("tag", [RECORD_TAG])]
    assert out["lifecycle_policy"] is None and out["repository_policy"] == repo_policy


def test_purging_the_last_policy_removes_the_record(aws, capsys):
    ecr = aws["ecr"]
    describe(ecr, "app-a")
    read_settings(ecr, "app-a", policy=None, read=True)  # purged: read, deleted by hand already
    ecr.add_response("untag_resource", {}, {"resourceArn": repository("app-a")["repositoryArn"],
                                            "tagKeys": [RECORD_TAG]})
    describe(ecr, "app-a")
    read_settings(ecr, "app-a", record=None, policy=None, read=True)
    out = run_module(mod, dict(name="app-a", purge_lifecycle_policy=True, region="us-east-1"), capsys)
    assert written(out, "app-a") == [("untag", [RECORD_TAG])] and RECORD_TAG not in out["repository"]["tags"]


def test_purge_tags_keeps_the_record(aws, capsys):
    ecr = aws["ecr"]
    describe(ecr, "app-a")
    read_settings(ecr, "app-a")
    ecr.add_response("tag_resource", {}, {"resourceArn": repository("app-a")["repositoryArn"],
                                          "tags": [{"Key": "env", "Value": "prod"}]})
    ecr.add_response("untag_resource", {}, {"resourceArn": repository("app-a")["repositoryArn"],
                                            "tagKeys": ["bandup:managed-by"]})
    describe(ecr, "app-a")
    read_settings(ecr, "app-a")
    out = run_module(mod, dict(name="app-a", lifecycle_policy=POLICY, tags={"env": "prod"}, purge_tags=True,
                               region="us-east-1", _ansible_diff=True), capsys)
    assert written(out, "app-a") == [("tag", ["env"]), ("untag", ["bandup:managed-by"])]
    assert out["diff"]["after"]["repository app-a"]["tags"] == {"env": "prod", RECORD_TAG: RECORD}


def test_check_mode_reads_but_writes_no_record(aws, capsys):
    ecr = aws["ecr"]
    describe(ecr, "app-a", "app-b")
    read_settings(ecr, "app-a", record=None)
    read_settings(ecr, "app-b", record="lifecycle=0123456789abcdef")  # stale: read
    out = run_repositories(capsys, _ansible_check_mode=True, _ansible_diff=True)
    assert out["changed"] is True
    assert [written(out, "app-a"), written(out, "app-b")] == [[("tag", [RECORD_TAG])], [("tag", [RECORD_TAG])]]
    assert [out["diff"]["after"][f"repository {n}"]["tags"][RECORD_TAG] for n in ("app-a", "app-b")] == [RECORD, RECORD]
    assert RECORD_TAG not in out["diff"]["before"]["repository app-a"]["tags"]


def missing_b(ecr):
    ecr.add_client_error("describe_repositories", "RepositoryNotFoundException",
                         expected_params={"repositoryNames": ["app-a", "app-b"]})
    ecr.add_response("describe_repositories", {"repositories": [repository("app-a")]}, {"repositoryNames": ["app-a"]})
    ecr.add_client_error("describe_repositories", "RepositoryNotFoundException",
                         expected_params={"repositoryNames": ["app-b"]})
    read_settings(ecr, "app-a")


def test_repositories_create_the_missing_one(aws, capsys):
    ecr = aws["ecr"]
    missing_b(ecr)
    ecr.add_response("create_repository", {"repository": repository("app-b")}, {
        "repositoryName": "app-b", "imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True},
        "encryptionConfiguration": {"encryptionType": "AES256"},
        "tags": [{"Key": "bandup:managed-by", "Value": "bandup.ecs"}]})
    ecr.add_response("put_lifecycle_policy", {}, {"repositoryName": "app-b",
                                                  "lifecyclePolicyText": json.dumps(POLICY, sort_keys=True)})
    tag_record(ecr, "app-b")  # after the policy: a failed put leaves no record that would hide it
    describe(ecr, "app-b")
    read_settings(ecr, "app-b")
    out = run_repositories(capsys)
    assert out["changed"] is True
    assert [written(out, "app-a"), written(out, "app-b")] == [
        [], [("create", []), ("update", ["lifecycle_policy"]), ("tag", [RECORD_TAG])]]
    assert out["repositories"][1]["repository"]["repository_arn"].endswith("/app-b")


def test_repositories_check_mode_writes_nothing(aws, capsys):
    missing_b(aws["ecr"])
    out = run_repositories(capsys, _ansible_check_mode=True)
    assert out["changed"] is True and out["repositories"][1]["changed"] is True
    assert written(out, "app-b") == [("create", []), ("update", ["lifecycle_policy"]), ("tag", [RECORD_TAG])]
    assert "repository" not in out["repositories"][1]


def test_repositories_change_one_setting(aws, capsys):
    ecr = aws["ecr"]
    ecr.add_response("describe_repositories", {"repositories": [
        repository("app-a"), repository("app-b", imageScanningConfiguration={"scanOnPush": False})]},
        {"repositoryNames": ["app-a", "app-b"]})
    read_settings(ecr, "app-a")
    read_settings(ecr, "app-b")
    ecr.add_response("put_image_scanning_configuration", {}, {"repositoryName": "app-b",
                                                              "imageScanningConfiguration": {"scanOnPush": True}})
    describe(ecr, "app-b")
    read_settings(ecr, "app-b")
    out = run_repositories(capsys, _ansible_diff=True)
    assert [written(out, "app-a"), written(out, "app-b")] == [[], [("update", ["scan_on_push"])]]
    assert out["diff"]["before"]["repository app-b"]["scan_on_push"] is False


def test_an_aws_error_fails_with_the_writes_already_sent(aws, capsys):
    """An ECR error is the module's failure (ECRErrorHandler, then changes.run), naming the call, with the writes sent
    before it; the record is not written after a failed policy write."""
    ecr = aws["ecr"]
    ecr.add_response("describe_repositories", {"repositories": [
        repository("app-a", imageScanningConfiguration={"scanOnPush": False})]}, {"repositoryNames": ["app-a"]})
    read_settings(ecr, "app-a", record=None)
    ecr.add_response("put_image_scanning_configuration", {}, {"repositoryName": "app-a",
                                                              "imageScanningConfiguration": {"scanOnPush": True}})
    ecr.add_client_error("put_lifecycle_policy", "AccessDeniedException", "no", 400)
    new_policy = {"rules": [dict(POLICY["rules"][0], rulePriority=2)]}
    out = run_module(mod, dict(name="app-a", lifecycle_policy=new_policy, tags=TAGS, region="us-east-1"), capsys)
    assert out["failed"] is True and out["msg"].startswith("Failed to put the lifecycle_policy of app-a: "), out
    assert out["changed"] is True and out["changes"] == [
        {"resource": "repository app-a", "action": "update", "fields": ["scan_on_push"]},
        {"resource": "repository app-a", "action": "update", "fields": ["lifecycle_policy"]}]


def test_absent_deletes_the_repository_once(aws, capsys):
    ecr = aws["ecr"]
    describe(ecr, "app-a")
    ecr.add_response("list_tags_for_resource", {"tags": []}, {"resourceArn": repository("app-a")["repositoryArn"]})
    ecr.add_response("delete_repository", {}, {"repositoryName": "app-a", "force": True})
    out = run_module(mod, dict(name="app-a", state="absent", force_delete=True, region="us-east-1"), capsys)
    assert out["changed"] is True and out["changes"] == [{"resource": "repository app-a", "action": "delete",
                                                          "fields": []}]
    ecr.add_client_error("describe_repositories", "RepositoryNotFoundException",
                         expected_params={"repositoryNames": ["app-a"]})
    out = run_module(mod, dict(name="app-a", state="absent", region="us-east-1"), capsys)
    assert out["changed"] is False and out["changes"] == []
