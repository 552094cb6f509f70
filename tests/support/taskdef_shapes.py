"""The task definition of the unit tests in both shapes.

DESCRIBED is a DescribeTaskDefinition ``taskDefinition`` in the shape AWS returns for a Fargate definition
registered from DESIRED (botocore ecs model + the AWS docs' examples): server fields (revision, status,
registeredAt, registeredBy, requiresAttributes, compatibilities) and the defaults AWS fills in (container cpu 0,
hostPort = containerPort and protocol tcp under awsvpc, essential true, health check interval/timeout/retries,
empty mountPoints/volumesFrom/systemControls/volumes/placementConstraints, enableFaultInjection false).
"""
import datetime

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ielts-backend@sha256:" + "a" * 64
SSM = "arn:aws:ssm:us-east-1:123456789012:parameter/bandup/db-password"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:bandup/jwt-AbCdEf"

# What the task_definition role sends (ints as ints, environment sorted, no defaults spelled out but startPeriod).
DESIRED = {
    "family": "bandup-backend",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "1024",
    "memory": "2048",
    "executionRoleArn": "arn:aws:iam::123456789012:role/bandup-backend-execution",
    "taskRoleArn": "arn:aws:iam::123456789012:role/bandup-backend-task",
    "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
    "containerDefinitions": [{
        "name": "backend",
        "image": IMAGE,
        "portMappings": [{"name": "backend", "containerPort": 8080, "appProtocol": "http"}],
        "environment": [{"name": "A_FIRST", "value": "1"}, {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"}],
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": SSM}],
        "healthCheck": {"command": ["CMD-SHELL", "wget -q -O /dev/null http://localhost:8080/actuator/health || exit 1"],
                        "startPeriod": 60},
        "stopTimeout": 30,
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/bandup/backend", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"}},
    }],
}

DESCRIBED = {
    "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/bandup-backend:7",
    "containerDefinitions": [{
        "name": "backend",
        "image": IMAGE,
        "cpu": 0,
        "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp", "name": "backend",
                          "appProtocol": "http"}],
        "essential": True,
        # AWS keeps the order given; here it differs on purpose: order carries no meaning.
        "environment": [{"name": "SPRING_PROFILES_ACTIVE", "value": "prod"}, {"name": "A_FIRST", "value": "1"}],
        "mountPoints": [],
        "volumesFrom": [],
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": SSM}],
        "stopTimeout": 30,
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/bandup/backend", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"},
            "secretOptions": []},
        "healthCheck": {"command": ["CMD-SHELL", "wget -q -O /dev/null http://localhost:8080/actuator/health || exit 1"],
                        "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 60},
        "systemControls": [],
    }],
    "family": "bandup-backend",
    "taskRoleArn": "arn:aws:iam::123456789012:role/bandup-backend-task",
    "executionRoleArn": "arn:aws:iam::123456789012:role/bandup-backend-execution",
    "networkMode": "awsvpc",
    "revision": 7,
    "volumes": [],
    "status": "ACTIVE",
    "requiresAttributes": [
        {"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"},
        {"name": "ecs.capability.execution-role-awslogs"},
        {"name": "ecs.capability.secrets.ssm.environment-variables"},
        {"name": "com.amazonaws.ecs.capability.docker-remote-api.1.19"},
        {"name": "com.amazonaws.ecs.capability.task-iam-role"},
        {"name": "ecs.capability.container-health-check"},
        {"name": "ecs.capability.task-eni"},
    ],
    "placementConstraints": [],
    "compatibilities": ["EC2", "FARGATE"],
    "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "1024",
    "memory": "2048",
    "registeredAt": datetime.datetime(2026, 11, 27, 7, 0, tzinfo=datetime.timezone.utc),
    "registeredBy": "arn:aws:sts::123456789012:assumed-role/deployer/session",
    "enableFaultInjection": False,
}
