"""The faithful endpoint's race switches (tests/support/faithful_endpoint/races.py): off by default; switched on,
the calls AWS refuses while a new resource propagates are refused with AWS's code and message, then accepted."""
import json
import time

import boto3
import botocore.exceptions
import pytest

from tests.support import faithful
from tests.unit.support.endpoint_account import CLUSTER, Account  # noqa: E402  pylint: disable=wrong-import-position


def _error(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                            "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]})


@pytest.fixture(name="aws")
def fixture_aws(url):
    return Account(url)


def _new_rule(aws):
    """A listener rule forwarding to the Account's second target group, made now."""
    alb = aws.elbv2.describe_load_balancers()["LoadBalancers"][0]["LoadBalancerArn"]
    listener = aws.elbv2.describe_listeners(LoadBalancerArn=alb)["Listeners"][0]["ListenerArn"]
    aws.elbv2.create_rule(ListenerArn=listener, Priority=10,
                          Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}],
                          Actions=[{"Type": "forward", "TargetGroupArn": aws.lonely_tg}])
    return [{"targetGroupArn": aws.lonely_tg, "containerName": "app", "containerPort": 8080}]


def _create(aws, name, load_balancers, task_definition=None):
    return aws.ecs.create_service(cluster=CLUSTER, serviceName=name, taskDefinition=task_definition or aws.td1,
                                  desiredCount=2, networkConfiguration=aws.network(), loadBalancers=load_balancers)


def _task_definition_with_new_role(aws):
    """(role ARN, task definition ARN) of a new role and a revision whose task role it is."""
    role = aws.iam.create_role(RoleName="app-task", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    td = aws.ecs.register_task_definition(
        family="app", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        taskRoleArn=role, containerDefinitions=[{"name": "app", "image": "app:3", "essential": True,
                                                 "portMappings": [{"containerPort": 8080}]}])
    return role, td["taskDefinition"]["taskDefinitionArn"]


def test_off_by_default(aws):
    lbs = _new_rule(aws)
    assert _create(aws, "web", lbs)["service"]["status"] == "ACTIVE"
    assert faithful.races(aws.url) == {"switches": {}, "refused": {}}


def test_target_group_of_a_new_rule_refused_for_count_calls(aws):
    faithful.race(aws.url, "target-group", count=2)
    lbs = _new_rule(aws)
    for _ in range(2):
        assert _error(_create, aws=aws, name="web", load_balancers=lbs) == {
            "Code": "InvalidParameterException", "Message": f"The target group with targetGroupArn {aws.lonely_tg} "
                                                            "does not have an associated load balancer."}
    assert _create(aws, "web", lbs)["service"]["serviceName"] == "web"
    # A target group whose rule is older than the switch is not new.
    old = [{"targetGroupArn": aws.tg, "containerName": "app", "containerPort": 8080}]
    assert _create(aws, "other", old)["service"]["serviceName"] == "other"
    assert faithful.races(aws.url)["refused"] == {"target-group": 2}


def test_target_group_refused_for_seconds_then_accepted_and_switched_off(aws):
    faithful.race(aws.url, "target-group", seconds=1)
    lbs = _new_rule(aws)
    assert _error(_create, aws=aws, name="web", load_balancers=lbs)["Code"] == "InvalidParameterException"
    time.sleep(1.1)
    assert _create(aws, "web", lbs)["service"]["serviceName"] == "web"
    faithful.race(aws.url, "target-group")
    assert faithful.races(aws.url)["switches"] == {}


def test_service_role_new_role_refused(aws):
    faithful.race(aws.url, "service-role", count=1)
    role, td = _task_definition_with_new_role(aws)
    lbs = [{"targetGroupArn": aws.tg, "containerName": "app", "containerPort": 8080}]
    error = _error(_create, aws=aws, name="web", load_balancers=lbs, task_definition=td)
    assert error["Code"] == "InvalidParameterException"
    assert "Please verify that the ECS service role being passed has the proper permissions." in error["Message"]
    assert _create(aws, "web", lbs, td)["service"]["taskDefinition"] == td


def test_first_scalable_targets_of_the_account_refused(aws):
    aws.create(lb=False)
    faithful.race(aws.url, "scaling-role", count=2)
    scaling = boto3.client("application-autoscaling", endpoint_url=aws.url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
    request = dict(ServiceNamespace="ecs", ResourceId=f"service/{CLUSTER}/web", MinCapacity=1, MaxCapacity=2,
                   ScalableDimension="ecs:service:DesiredCount")
    for _ in range(2):
        error = _error(scaling.register_scalable_target, **request)
        assert error["Code"] == "ValidationException" and error["Message"].startswith("Unable to assume IAM role: ")
    scaling.register_scalable_target(**request)
    assert len(scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]) == 1


def test_first_tasks_with_a_new_task_role_fail_to_start_and_the_deployment_goes_on(aws):
    faithful.race(aws.url, "task-role", count=1)
    role, td = _task_definition_with_new_role(aws)
    _create(aws, "web", [{"targetGroupArn": aws.tg, "containerName": "app", "containerPort": 8080}],
            td)
    aws.describe()  # tasks placed (PENDING)
    aws.describe()  # one fails to start, the other runs
    stopped = aws.tasks(status="STOPPED")
    assert [(t["stopCode"], t["stoppedReason"].split(" that ")[0]) for t in stopped] == [
        ("TaskFailedToStart", f"ECS was unable to assume the role '{role}'")]
    assert aws.poll_until_completed() <= 4
