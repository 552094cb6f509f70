"""The shared layer: ChangeSet gates every write on check mode and returns one changes shape; run() is the one
failure path (AnsibleAWSError -> fail_json_aws_error, with what was already written)."""
import json

import botocore.exceptions
import pytest

from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet


def test_a_write_is_recorded_and_sent():
    sent = []
    changes = ChangeSet()
    assert changes.write("service a", "update", lambda: sent.append(1) or "answer", fields=["b", "a"]) == "answer"
    assert sent == [1]
    assert changes.result(x=1) == {"x": 1, "changed": True,
                                   "changes": [{"resource": "service a", "action": "update", "fields": ["a", "b"]}]}


def test_check_mode_records_and_sends_nothing():
    changes = ChangeSet(check_mode=True)
    assert changes.write("service a", "create", lambda: pytest.fail("sent in check mode")) is None
    assert changes.changed and changes.of("service a") == [{"resource": "service a", "action": "create", "fields": []}]
    assert changes.of("service b") == []


def test_before_write_can_stop_a_write_before_it_is_recorded_or_sent():
    """ecs_app_services' handoff: the hook raises before the first write, which is then neither recorded nor sent."""
    class Stop(Exception):
        pass

    changes = ChangeSet()

    def stop():
        raise Stop()

    changes.before_write = stop
    with pytest.raises(Stop):
        changes.write("service a", "update", lambda: pytest.fail("sent despite the hook"))
    assert not changes.changed and changes.changes == []


def test_nothing_written_is_unchanged_and_diff_only_in_diff_mode():
    plain = ChangeSet()
    plain.diff("service a", {"n": 1}, {"n": 2})
    assert plain.result() == {"changed": False, "changes": []}
    with_diff = ChangeSet(diff=True)
    with_diff.diff("service a", {"n": 1}, {"n": 2})
    assert with_diff.result()["diff"] == {"before": {"service a": {"n": 1}}, "after": {"service a": {"n": 2}}}


ARGS = {"access_key": "AKIDEXAMPLE", "secret_key": "secret", "region": "eu-west-1"}


def outcome(capsys, body, changes=None):
    with patch_module_args(ARGS), pytest.raises(SystemExit):
        run(AWSModule(argument_spec={}), changes or ChangeSet(), body)
    return json.loads(capsys.readouterr().out)


def test_run_returns_the_result(capsys):
    changes = ChangeSet()
    result = outcome(capsys, lambda: (changes.write("repository r", "create", dict), {"name": "r"})[1], changes)
    assert result["changed"] is True and result["name"] == "r" and result["changes"][0]["action"] == "create"


@AWSErrorHandler.common_error_handler("describe services {names}")
def describe(names):
    raise botocore.exceptions.ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}},
                                          "DescribeServices")


def test_an_aws_error_fails_with_its_description_code_and_the_writes_sent(capsys):
    changes = ChangeSet()

    def body():
        changes.write("service a", "update", dict)
        describe(["a"])

    result = outcome(capsys, body, changes)
    assert result["failed"] and result["msg"].startswith("Failed to describe services ['a']")
    assert result["error"]["code"] == "AccessDeniedException"
    assert result["changed"] is True and result["changes"] == [{"resource": "service a", "action": "update",
                                                                "fields": []}]


def test_a_refusal_fails_with_its_message_and_values(capsys):
    def body():
        raise AnsibleAWSError(message="services[0].name: required", timed_out=False)

    result = outcome(capsys, body)
    assert result["failed"] and result["msg"] == "services[0].name: required" and result["timed_out"] is False
    assert result["changed"] is False


def test_a_programming_error_is_not_reported_as_an_aws_failure():
    with patch_module_args(ARGS), pytest.raises(KeyError):
        run(AWSModule(argument_spec={}), ChangeSet(), lambda: {}["missing"])
