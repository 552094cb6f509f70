"""module_utils propagation: the errors AWS answers while a new resource propagates are retried, bounded, and only
those (the code AND the message); botocore Stubber answers in AWS's error shape."""
import boto3
import pytest
from botocore.stub import ANY, Stubber
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_scaling as scaling
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.module_utils import propagation

TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bandup-backend-a/73e2d6bc24d8a067"
NOT_ATTACHED = f"The target group with targetGroupArn {TG} does not have an associated load balancer."
ROLE = ("Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role "
        "being passed has the proper permissions.")
SCALING_ROLE = ("Unable to assume IAM role: arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling"
                ".amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService")
RID = "service/bandup/bandup-backend-a"
SERVICE = {"serviceName": "bandup-backend-a", "status": "ACTIVE", "desiredCount": 1}
REQUEST = {"cluster": "bandup", "serviceName": "bandup-backend-a", "taskDefinition": "bandup-backend:1",
           "desiredCount": 1, "clientToken": "3c5e0a40-0f1e-4a5e-9d1e-0c9f2a1b2c3d"}


@pytest.fixture(name="slept")
def fixture_slept(monkeypatch):
    """The sleeps of the retries (not slept)."""
    slept = []
    monkeypatch.setattr("ansible_collections.amazon.aws.plugins.module_utils.cloud.time.sleep", slept.append)
    return slept


def client(service):
    return boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


@pytest.mark.parametrize("message", [NOT_ATTACHED, ROLE])
def test_create_service_is_retried_while_the_new_resource_propagates(slept, message):
    ecs = client("ecs")
    with Stubber(ecs) as stubber:
        for _ in range(2):  # the same request each time: same clientToken
            stubber.add_client_error("create_service", "InvalidParameterException", message, 400, expected_params=REQUEST)
        stubber.add_response("create_service", {"service": SERVICE}, REQUEST)
        assert svc.create_service(ecs, dict(REQUEST)) == SERVICE
        stubber.assert_no_pending_responses()
    assert slept == [2, 4]


def test_update_service_is_retried_too(slept):
    ecs = client("ecs")
    with Stubber(ecs) as stubber:
        stubber.add_client_error("update_service", "InvalidParameterException", NOT_ATTACHED, 400)
        stubber.add_response("update_service", {"service": SERVICE}, {"cluster": "bandup", "service": "x",
                                                                      "loadBalancers": ANY})
        assert svc.update_service(ecs, {"cluster": "bandup", "service": "x", "loadBalancers": []}) == SERVICE
    assert slept == [2]


def test_the_same_code_with_another_message_fails_at_once(slept):
    ecs = client("ecs")
    with Stubber(ecs) as stubber:
        stubber.add_client_error("create_service", "InvalidParameterException",
                                 "Creation of service was not idempotent.", 400)
        with pytest.raises(AnsibleAWSError, match="not idempotent"):
            svc.create_service(ecs, dict(REQUEST))
    assert slept == []


def test_the_retries_are_bounded(slept):
    ecs = client("ecs")
    attempts = propagation.ECS_SERVICE["retries"]
    with Stubber(ecs) as stubber:
        for _ in range(attempts):
            stubber.add_client_error("create_service", "InvalidParameterException", NOT_ATTACHED, 400)
        with pytest.raises(AnsibleAWSError, match="does not have an associated load balancer"):
            svc.create_service(ecs, dict(REQUEST))
        stubber.assert_no_pending_responses()
    assert slept == propagation.sleeps(**propagation.ECS_SERVICE)
    assert sum(slept) == 130  # the bound docs/reliability.md gives


def test_first_scalable_target_of_an_account_is_retried(slept):
    auto = client("application-autoscaling")
    with Stubber(auto) as stubber:
        for _ in range(3):
            stubber.add_client_error("register_scalable_target", "ValidationException", SCALING_ROLE, 400)
        stubber.add_response("register_scalable_target", {})
        scaling.register_target(auto, RID, 1, 4)
        stubber.assert_no_pending_responses()
    assert slept == [2, 4, 8]
    assert sum(propagation.sleeps(**propagation.SCALABLE_TARGET)) == 74


def test_a_scalable_target_refused_for_another_reason_fails_at_once(slept):
    auto = client("application-autoscaling")
    with Stubber(auto) as stubber:
        stubber.add_client_error("register_scalable_target", "ValidationException",
                                 "Minimum capacity cannot be greater than maximum capacity", 400)
        with pytest.raises(AnsibleAWSError, match="Minimum capacity"):
            scaling.register_target(auto, RID, 5, 4)
    assert slept == []


def test_what_awsretry_retries_is_still_retried(slept):
    auto = client("application-autoscaling")
    with Stubber(auto) as stubber:
        stubber.add_client_error("register_scalable_target", "ServiceUnavailable", "down", 503)
        stubber.add_response("register_scalable_target", {})
        scaling.register_target(auto, RID, 1, 4)
    assert slept == [2]
