"""AWSModule.client(): the clients of one module run share a boto3 session and get AnsibleAWSModule's settings."""
import inspect
import json

import boto3
import pytest

from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule

CREDENTIALS = {"access_key": "AKIDEXAMPLE", "secret_key": "secret"}


def module(**params):
    with patch_module_args(dict(CREDENTIALS, **params)):
        return AWSModule(argument_spec={})


@pytest.fixture(name="sessions")
def fixture_sessions(monkeypatch):
    """Every boto3 Session created, in order."""
    made = []
    real = boto3.session.Session

    def counting(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(boto3.session, "Session", counting)
    return made


def test_clients_share_one_session(sessions):
    aws = module(region="eu-west-1", endpoint_url="http://127.0.0.1:5000")
    ecs, iam, logs = aws.client("ecs"), aws.client("iam"), aws.client("logs")
    assert len(sessions) == 1
    assert [c.meta.service_model.service_name for c in (ecs, iam, logs)] == ["ecs", "iam", "logs"]
    assert ecs.meta.region_name == "eu-west-1"
    assert ecs.meta.endpoint_url == "http://127.0.0.1:5000"
    credentials = ecs._request_signer._credentials  # pylint: disable=protected-access
    assert (credentials.access_key, credentials.secret_key) == ("AKIDEXAMPLE", "secret")


def test_same_settings_as_ansible_aws_module(sessions, monkeypatch):
    params = dict(region="eu-west-1", aws_config={"connect_timeout": 7})
    ours = module(**params).client("ecs")
    with patch_module_args(dict(CREDENTIALS, **params)):
        stock = AnsibleAWSModule(argument_spec={}).client("ecs")
    assert ours.meta.config.user_agent == stock.meta.config.user_agent
    assert ours.meta.config.user_agent.startswith("APN/1.0 Ansible/")
    assert ours.meta.config.connect_timeout == stock.meta.config.connect_timeout == 7
    assert ours.meta.region_name == stock.meta.region_name


def test_retry_decorator_wraps_the_client(sessions):
    wrapped = module(region="eu-west-1").client("ecs", retry_decorator=AWSRetry.jittered_backoff())
    assert isinstance(wrapped, RetryingBotoClientWrapper)


def test_no_region_fails_with_the_module_message(monkeypatch, capsys):
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "EC2_REGION"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    with patch_module_args(CREDENTIALS), pytest.raises(SystemExit):
        AWSModule(argument_spec={}).client("ecs")
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] and "requires a region" in result["msg"]


def test_the_adapter_leaves_amazon_aws_as_it_found_it(sessions):
    """The adapter swaps the name boto3 inside amazon.aws's botocore.py only while a client is built; if amazon.aws
    stopped building its clients through boto3.session.Session(profile_name=...), test_clients_share_one_session
    fails (one session per client again)."""
    from ansible_collections.amazon.aws.plugins.module_utils import botocore as amazon_botocore
    module(region="eu-west-1").client("ecs")
    assert amazon_botocore.boto3 is boto3
    assert "boto3.session.Session(" in inspect.getsource(amazon_botocore._boto3_conn)


def test_a_failed_wait_fails_through_run_with_its_values(monkeypatch):
    """A wait that fails (ecs_service.WaitError) is an AnsibleAWSError: run() fails the module with its message,
    timed_out, its details and the writes already sent, with no conversion on the way."""
    from ansible_collections.bandup.ecs.plugins.module_utils.aws import run
    from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet
    from ansible_collections.bandup.ecs.plugins.module_utils._ecs.ecs_service import WaitError
    changes = ChangeSet()
    changes.write("service web", "delete", lambda: None)

    def body():
        raise WaitError("service web: timed out waiting for it to become INACTIVE", True, {"events": ["e1"]})

    failed = []

    def fail_json(_self, **result):
        failed.append(result)
        raise SystemExit(1)

    monkeypatch.setattr(AWSModule, "fail_json", fail_json)
    with pytest.raises(SystemExit):
        run(module(region="eu-west-1"), changes, body)
    (result,) = failed
    assert result["msg"] == "service web: timed out waiting for it to become INACTIVE"
    assert result["timed_out"] is True and result["events"] == ["e1"]
    assert result["changed"] is True and result["changes"] == [
        {"resource": "service web", "action": "delete", "fields": []}]


def test_an_upstream_change_costs_speed_not_correctness(sessions, monkeypatch):
    """If amazon.aws called boto3.session.Session with more than the profile, or stopped reading the name boto3 of
    its botocore.py (another import), the clients are built as stock amazon.aws builds them: one session each.
    (test_clients_share_one_session is the test that then fails, naming the change.)"""
    import types
    from ansible_collections.amazon.aws.plugins.module_utils import botocore as amazon_botocore
    aws = module(region="eu-west-1")

    def other_conn(conn_type, resource=None, region=None, endpoint=None, **params):
        params.pop("profile_name", None)
        session = amazon_botocore.boto3.session.Session(profile_name=None, region_name=region)
        return session.client(resource, endpoint_url=endpoint, **params)

    monkeypatch.setattr(amazon_botocore, "_boto3_conn", other_conn)
    ecs, logs = aws.client("ecs"), aws.client("logs")
    assert len(sessions) == 2 and ecs.meta.region_name == logs.meta.region_name == "eu-west-1"
    monkeypatch.undo()
    monkeypatch.setattr(boto3.session, "Session", lambda *a, **kw: sessions.append(real_session(*a, **kw))
                        or sessions[-1])
    monkeypatch.setattr(amazon_botocore, "boto3", types.SimpleNamespace(session=boto3.session))
    iam, sts = aws.client("iam"), aws.client("sts")
    assert len(sessions) == 4 and iam.meta.service_model.service_name == "iam"
    assert sts.meta.service_model.service_name == "sts"


real_session = boto3.session.Session
