"""The ECS task roles' AWS answers of the unit tests (CloudWatch Logs and IAM Stubber responses for one service's log
group and roles), shared by tests/unit/plugins/modules/test_ecs_task_roles.py and test_ecs_taskdefinition.py."""
import datetime
import json

ACCOUNT = "123456789012"
TAGS = {"bandup:managed-by": "bandup.ecs", "bandup:deployment": "bandup"}
IAM_TAGS = [{"Key": k, "Value": v} for k, v in TAGS.items()]
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
MANAGED = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:bandup/db-password-AbCdEf"
SECRETS_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadSecrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": [SECRET]}]}
TASK_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::uploads/*"]}]}
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)


def service(name, secrets=(), task_policy=None):
    return {"name": name, "family": f"bandup-{name}", "log_group": f"/ecs/bandup/{name}",
            "execution_role": f"bandup-{name}-execution", "task_role": f"bandup-{name}-task",
            "secrets": list(secrets), "task_policy": task_policy}


BACKEND = service("backend", [SECRET], TASK_POLICY)
FRONTEND = service("frontend")


def log_group(name, retention=30):
    return {"logGroupName": name, "creationTime": 1, "retentionInDays": retention, "metricFilterCount": 0,
            "storedBytes": 0, "arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{name}:*",
            "logGroupArn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{name}"}


def role(name, description, trust=None, tags=None):
    return {"Role": {"Path": "/", "RoleName": name, "RoleId": "AROAEXAMPLEEXAMPLE00", "CreateDate": NOW,
                     "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "Description": description,
                     "AssumeRolePolicyDocument": json.dumps(trust or TRUST),
                     "Tags": IAM_TAGS if tags is None else tags}}


def exec_description(svc):
    return f"ECS task execution role of {svc['family']} (image pull, logs, secrets)"


def task_description(svc):
    return f"ECS task role of {svc['family']} (the application's own permissions)"


def read_log_groups(aws, groups, prefix="/ecs/bandup/"):
    aws["logs"].add_response("describe_log_groups", {"logGroups": groups}, {"logGroupNamePrefix": prefix})


def read_log_tags(aws, name, tags=None):
    aws["logs"].add_response("list_tags_for_resource", {"tags": TAGS if tags is None else tags},
                             {"resourceArn": log_group(name)["logGroupArn"]})


def read_role(aws, name, description, **kwargs):
    aws["iam"].add_response("get_role", role(name, description, **kwargs), {"RoleName": name})


def read_attached(aws, name, arns):
    aws["iam"].add_response("list_attached_role_policies", {"AttachedPolicies": [
        {"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn} for arn in arns]}, {"RoleName": name})


def read_inline(aws, name, policy_name, document):
    if document is None:
        aws["iam"].add_client_error("get_role_policy", "NoSuchEntity", http_status_code=404,
                                    expected_params={"RoleName": name, "PolicyName": policy_name})
    else:
        aws["iam"].add_response("get_role_policy", {"RoleName": name, "PolicyName": policy_name,
                                                    "PolicyDocument": json.dumps(document)},
                                {"RoleName": name, "PolicyName": policy_name})
