"""ECS DescribeServices answers of the unit tests, in the shape AWS returns them (the ECS model; AWS fills in the
defaults), and the module options they were made from (``PARAMS``). Shared by the ecs_service, rollout and status
tests of module_utils and the ecs_service, ecs_service_info and ecs_rollback_info module tests."""
import datetime

CLUSTER = "bandup-prod"
NS_ARN = "arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-abcdefghij"
TD = "arn:aws:ecs:eu-west-1:123456789012:task-definition/bandup-prod-backend:7"
TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/bandup-prod-backend-a/0123456789abcdef"
NOW = datetime.datetime(2026, 11, 27, 8, 0, tzinfo=datetime.timezone.utc)

PARAMS = {
    "network": {"subnets": ["subnet-0b", "subnet-0a"], "security_groups": ["sg-1"], "assign_public_ip": False},
    "deployment": {"minimum_healthy_percent": 100, "maximum_percent": 200, "circuit_breaker": True, "rollback": True},
    "capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
    "load_balancers": [{"target_group_arn": TG, "container_name": "backend", "container_port": 8080}],
    "service_connect": {"enabled": True, "namespace": NS_ARN, "services": [
        {"port_name": "backend", "discovery_name": "backend", "client_aliases": [{"port": 8080, "dns_name": "backend"}]}]},
    "health_check_grace_period": 60,
    "availability_zone_rebalancing": "DISABLED",
    "propagate_tags": "SERVICE",
    "enable_ecs_managed_tags": None,
    "platform_version": "LATEST",
}


def sc_live(discovery="backend"):
    """A deployment's serviceConnectConfiguration as DescribeServices returns it (ARN, defaults filled in)."""
    return {"enabled": True, "namespace": NS_ARN, "services": [{
        "portName": "backend", "discoveryName": discovery,
        "clientAliases": [{"port": 8080, "dnsName": "backend"}]}]}


def deployment(dep_id, status="PRIMARY", rollout="COMPLETED", desired=2, running=2, sc=None):
    dep = {
        "id": dep_id, "status": status, "taskDefinition": TD, "desiredCount": desired, "pendingCount": 0,
        "runningCount": running, "failedTasks": 0, "createdAt": NOW, "updatedAt": NOW,
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        "platformVersion": "1.4.0", "platformFamily": "Linux",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0a", "subnet-0b"],
                                                         "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}},
        "rolloutState": rollout, "rolloutStateReason": f"ECS deployment {dep_id} {rollout.lower()}.",
    }
    if sc:
        dep["serviceConnectConfiguration"] = sc
        dep["serviceConnectResources"] = [{"discoveryName": "backend", "discoveryArn": NS_ARN + "/srv-1"}]
    return dep


def aws_service(deployments=None, desired=2, running=2, name="bandup-prod-backend-a", tags=None):
    """A real AWS DescribeServices entry (shape from the ECS model; AWS fills in the defaults)."""
    return {
        "serviceArn": f"arn:aws:ecs:eu-west-1:123456789012:service/{CLUSTER}/{name}",
        "serviceName": name, "clusterArn": f"arn:aws:ecs:eu-west-1:123456789012:cluster/{CLUSTER}",
        "loadBalancers": [{"targetGroupArn": TG, "containerName": "backend", "containerPort": 8080}],
        "serviceRegistries": [], "status": "ACTIVE", "desiredCount": desired, "runningCount": running,
        "pendingCount": 0, "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        "platformVersion": "LATEST", "platformFamily": "Linux", "taskDefinition": TD,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200, "minimumHealthyPercent": 100, "strategy": "ROLLING", "bakeTimeInMinutes": 0},
        "deployments": deployments if deployments is not None else [deployment("ecs-svc/1", sc=sc_live())],
        "roleArn": "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "events": [{"id": "e1", "createdAt": NOW, "message": "(service x) has reached a steady state."}],
        "createdAt": NOW, "placementConstraints": [], "placementStrategy": [],
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0a", "subnet-0b"],
                                                         "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}},
        "healthCheckGracePeriodSeconds": 60, "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"}, "createdBy": "arn:aws:iam::123456789012:role/deployer",
        "enableECSManagedTags": False, "propagateTags": "SERVICE", "enableExecuteCommand": False,
        "availabilityZoneRebalancing": "DISABLED",
        "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()],
    }


def emulator_service():
    """What the local endpoint answers: no deploymentConfiguration, capacityProviderStrategy, SC, grace period."""
    service = aws_service(deployments=[deployment("ecs-svc/1")])
    for key in ("deploymentConfiguration", "capacityProviderStrategy", "healthCheckGracePeriodSeconds",
                "availabilityZoneRebalancing"):
        del service[key]
    service["launchType"] = "EC2"
    return service


# The rollout tests' revisions of one family.
FAMILY_ARN = "arn:aws:ecs:eu-west-1:123456789012:task-definition/bandup-prod-backend"
TASK_ARN = f"arn:aws:ecs:eu-west-1:123456789012:task/{CLUSTER}/"


def td(rev):
    return f"{FAMILY_ARN}:{rev}"


def dep(dep_id, rev, status="PRIMARY", rollout_state="COMPLETED", running=2):
    return dict(deployment(dep_id, status=status, rollout=rollout_state, running=running), taskDefinition=td(rev))


def service(deployments, tags=None):
    primary = next(d for d in deployments if d["status"] == "PRIMARY")
    return dict(aws_service(deployments, tags=tags), taskDefinition=primary["taskDefinition"])


# The ECS module tests' EC2 and failure-path answers.
SUBNETS_IN_A = {"Subnets": [
    {"SubnetId": s, "AvailabilityZone": "eu-west-1a", "VpcId": "vpc-1", "CidrBlock": c}
    for s, c in (("subnet-0a", "10.0.1.0/24"), ("subnet-0b", "10.0.2.0/24"))]}


def expect_stopped_task(clients, deployment_id, log_lines, name="bandup-prod-backend-a", task_definition=TD):
    """The failure path's reads: one stopped task of ``deployment_id`` (backend exited 1) and its awslogs stream."""
    task_arn = f"arn:aws:ecs:eu-west-1:123456789012:task/{CLUSTER}/0a1b2c3d4e5f"
    clients["ecs"].add_response("list_tasks", {"taskArns": [task_arn]}, {
        "cluster": CLUSTER, "serviceName": name, "desiredStatus": "STOPPED", "maxResults": 100})
    clients["ecs"].add_response("describe_tasks", {"tasks": [{
        "taskArn": task_arn, "taskDefinitionArn": task_definition, "startedBy": deployment_id, "lastStatus": "STOPPED",
        "stopCode": "EssentialContainerExited", "stoppedReason": "Essential container in task exited",
        "containers": [{"name": "backend", "exitCode": 1, "lastStatus": "STOPPED"}]}], "failures": []},
        {"cluster": CLUSTER, "tasks": [task_arn]})
    clients["ecs"].add_response("describe_task_definition", {"taskDefinition": {
        "taskDefinitionArn": task_definition, "family": "bandup-prod-backend",
        "revision": int(task_definition.rsplit(":", 1)[1]), "containerDefinitions": [{
            "name": "backend", "image": "backend@sha256:ab",
            "environment": [{"name": "SPRING_DATASOURCE_PASSWORD", "value": "hunter22"}],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": "/ecs/bandup-prod/backend", "awslogs-stream-prefix": "backend"}}}]}},
        {"taskDefinition": task_definition})
    clients["logs"].add_response("get_log_events", {"events": [
        {"timestamp": 1, "message": line, "ingestionTime": 2} for line in log_lines]}, {
        "logGroupName": "/ecs/bandup-prod/backend", "logStreamName": "backend/backend/0a1b2c3d4e5f", "limit": 5,
        "startFromHead": False})
