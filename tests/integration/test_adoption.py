"""Resources under a deployment's names that it did not create (issue P, item 4), end to end on the local endpoint.

An empty account holds, under the local inventory's names, a cluster, a Cloud Map namespace, a load balancer, a
target group, an ECR repository, a log group, an IAM role and a task definition family that someone else made (no
bandup:deployment tag). site.yml refuses before any write, naming each and bandup_adopt_existing (--tags ecr too);
teardown leaves every one of them; adopting some on purpose converges and tags them as the deployment's; teardown then
deletes what was adopted. That the ownership reads add no call to the no-op converge of an existing deployment is
checked by tests/integration/test_bad_input.py (test_deployment_intact_afterwards: at most 40 calls).
"""
import json

import boto3
import pytest

from conftest import recap
from tests.support.bad_input import SERVICES

NAME = "bandup-local"
REPOSITORY = "ielts-bandup-local-backend"
LOG_GROUP = "/ecs/bandup-local/frontend"
ROLE = "bandup-local-backend-task"
TARGET_GROUP = "bandup-local-backend-a"
FAMILY = "bandup-local-backend"
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}
# The roles that write the kinds adopted here (no network, load balancer, image build or ECS service: fast).
PARTIAL = "ecr,cluster,task_definition"


def client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def foreign(endpoint, apps):  # pylint: disable=unused-argument
    """The foreign resources, made with boto3 on the module's empty endpoint; {kind: identifier}."""
    ec2, elbv2 = client(endpoint, "ec2"), client(endpoint, "elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.99.{i}.0/24", AvailabilityZone=f"us-east-1{az}")
               ["Subnet"]["SubnetId"] for i, az in enumerate("ab")]
    made = {
        "load_balancer": elbv2.create_load_balancer(Name=NAME, Subnets=subnets, Tags=[{"Key": "team", "Value": "web"}])
        ["LoadBalancers"][0]["LoadBalancerArn"],
        "target_group": elbv2.create_target_group(Name=TARGET_GROUP, Protocol="HTTP", Port=80, VpcId=vpc,
                                                  TargetType="ip")["TargetGroups"][0]["TargetGroupArn"],
        "ecr_repository": client(endpoint, "ecr").create_repository(repositoryName=REPOSITORY)["repository"]["repositoryArn"],
        "iam_role": client(endpoint, "iam").create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(TRUST),
                                                        Tags=[{"Key": "bandup:deployment", "Value": "other"}])["Role"]["Arn"],
        "cluster": client(endpoint, "ecs").create_cluster(clusterName=NAME)["cluster"]["clusterArn"],
        "task_definition": client(endpoint, "ecs").register_task_definition(
            family=FAMILY, containerDefinitions=[{"name": "app", "image": "busybox", "memory": 128}])
        ["taskDefinition"]["taskDefinitionArn"],
    }
    client(endpoint, "logs").create_log_group(logGroupName=LOG_GROUP)
    client(endpoint, "servicediscovery").create_http_namespace(Name=NAME)
    return made


def exists(endpoint):
    """{kind: whether the foreign resource of that kind is still there}."""
    elbv2, ecs = client(endpoint, "elbv2"), client(endpoint, "ecs")
    roles = [r["RoleName"] for r in client(endpoint, "iam").list_roles()["Roles"]]
    return {
        "load_balancer": any(lb["LoadBalancerName"] == NAME for lb in elbv2.describe_load_balancers()["LoadBalancers"]),
        "target_group": any(tg["TargetGroupName"] == TARGET_GROUP for tg in elbv2.describe_target_groups()["TargetGroups"]),
        "ecr_repository": any(r["repositoryName"] == REPOSITORY
                              for r in client(endpoint, "ecr").describe_repositories()["repositories"]),
        "log_group": any(g["logGroupName"] == LOG_GROUP for g in client(endpoint, "logs").describe_log_groups()["logGroups"]),
        "iam_role": ROLE in roles,
        "namespace": any(n["Name"] == NAME for n in client(endpoint, "servicediscovery").list_namespaces()["Namespaces"]),
        "cluster": any(c["status"] == "ACTIVE" for c in ecs.describe_clusters(clusters=[NAME])["clusters"]),
        "task_definition": bool(ecs.list_task_definitions(familyPrefix=FAMILY, status="ACTIVE")["taskDefinitionArns"]),
    }


def test_foreign_resources_refused_before_any_write(endpoint, foreign):
    endpoint.start_recording()
    result = endpoint.playbook("site.yml")
    out = " ".join(result.stdout.split())
    assert result.returncode != 0, result.stdout[-3000:]
    for what in (f"load balancer '{NAME}'", f"target group '{TARGET_GROUP}'", f"ECR repository '{REPOSITORY}'",
                 f"log group '{LOG_GROUP}'", f"IAM role '{ROLE}' exists but was not created by the deployment "
                 f"'{NAME}' (it carries bandup:deployment=other)", f"Cloud Map namespace '{NAME}'",
                 f"ECS cluster '{NAME}'"):
        assert what in out, result.stdout[-4000:]
    assert f"bandup_adopt_existing: ['{REPOSITORY}'] (or the kind 'ecr_repository')" in out
    assert endpoint.recorded()["writes"] == []
    # per resource: adopting all but the repository still refuses the repository, and nothing else
    endpoint.start_recording()
    adopt = ["cluster", "namespace", NAME, TARGET_GROUP, "log_group", ROLE]
    result = endpoint.playbook("site.yml", extra_vars={"bandup_adopt_existing": adopt})
    out = " ".join(result.stdout.split())
    assert result.returncode != 0 and f"ECR repository '{REPOSITORY}'" in out, result.stdout[-3000:]
    assert "load balancer '" not in out and "IAM role '" not in out and "log group '" not in out
    assert endpoint.recorded()["writes"] == []
    assert all(exists(endpoint).values())


def test_teardown_leaves_what_is_not_ours(endpoint, foreign):
    result = endpoint.playbook("playbooks/teardown.yml", extra_vars={"confirm": NAME})
    assert result.returncode == 0, result.stdout[-3000:]
    assert exists(endpoint) == {kind: True for kind in exists(endpoint)}


def test_ecr_only_run_checks_the_repositories(endpoint, foreign):  # pylint: disable=unused-argument
    """--tags ecr reads no live state (no EC2 or ECS call; only the preflight's sts:GetCallerIdentity), and still
    refuses the foreign repository before writing."""
    endpoint.start_recording()
    result = endpoint.playbook("site.yml", "--tags", "ecr")
    assert result.returncode != 0 and f"ECR repository '{REPOSITORY}'" in " ".join(result.stdout.split()), \
        result.stdout[-3000:]
    record = endpoint.recorded()
    assert record["writes"] == [] and {call["service"] for call in record["calls"]} == {"sts", "ecr"}


@pytest.fixture(scope="module")
def adopted(endpoint, foreign):
    """The load balancer, target group and cluster are removed by their owner; the rest is adopted (by name and by
    kind) and converged (the roles that own those kinds, with images given: no build). Returns (the run, the images
    given). A fixture, so that the slow teardown test below has it when it runs alone (make test-slow)."""
    elbv2 = client(endpoint, "elbv2")
    elbv2.delete_load_balancer(LoadBalancerArn=foreign["load_balancer"])
    elbv2.delete_target_group(TargetGroupArn=foreign["target_group"])
    client(endpoint, "ecs").delete_cluster(cluster=NAME)
    services = [dict({k: v for k, v in svc.items() if k != "build"}, image="public.ecr.aws/nginx/nginx:1.27")
                for svc in SERVICES]
    adopt = {"bandup_adopt_existing": [REPOSITORY, "log_group", ROLE, "namespace"], "bandup_services": services}
    return endpoint.playbook("site.yml", "--tags", PARTIAL, extra_vars=adopt), services


def test_adopting_on_purpose(endpoint, foreign, adopted):
    """What was adopted converges and is tagged as the deployment's; the next run needs no bandup_adopt_existing."""
    result, services = adopted
    assert result.returncode == 0, result.stdout[-4000:]
    ecr, logs, iam = client(endpoint, "ecr"), client(endpoint, "logs"), client(endpoint, "iam")
    sd = client(endpoint, "servicediscovery")
    namespace = next(n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == NAME)
    tags = {
        "ecr_repository": {t["Key"]: t["Value"] for t in ecr.list_tags_for_resource(resourceArn=foreign["ecr_repository"])["tags"]},
        "log_group": logs.list_tags_log_group(logGroupName=LOG_GROUP)["tags"],
        "iam_role": {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=ROLE)["Tags"]},
        "namespace": {t["Key"]: t["Value"] for t in sd.list_tags_for_resource(ResourceARN=namespace["Arn"])["Tags"]},
    }
    for kind, found in tags.items():
        assert found.get("bandup:deployment") == NAME, (kind, found)
    # no bandup_adopt_existing any more: they are the deployment's now
    endpoint.start_recording()
    again = endpoint.playbook("site.yml", "--tags", PARTIAL, extra_vars={"bandup_services": services})
    assert again.returncode == 0, again.stdout[-3000:]
    assert recap(again.stdout)["changed"] == 0, again.stdout[-3000:]
    assert endpoint.recorded()["writes"] == []


@pytest.mark.slow
def test_teardown_deletes_what_was_adopted(endpoint, foreign, adopted):  # pylint: disable=unused-argument
    """(slow: a second teardown, about a minute) What was adopted carries the deployment's tags: teardown deletes it;
    the foreign revision of the task definition family stays."""
    assert adopted[0].returncode == 0, adopted[0].stdout[-3000:]
    result = endpoint.playbook("playbooks/teardown.yml", extra_vars={"confirm": NAME})
    assert result.returncode == 0, result.stdout[-3000:]
    left = exists(endpoint)
    for kind in ("ecr_repository", "log_group", "iam_role", "namespace", "cluster"):
        assert not left[kind], (kind, left)
    assert left["task_definition"], "the foreign revision of the family is not the deployment's"
