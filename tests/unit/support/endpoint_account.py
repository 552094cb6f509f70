"""What the faithful endpoint's tests share besides their fixtures (those are in conftest.py here): ``start`` (one
endpoint process, started like scripts/local_endpoint.py starts it) and ``Account`` (boto3 clients on it and a small
world). Test modules import ``CLUSTER`` and ``Account`` from here, never a fixture."""
import os
import socket
import subprocess
import sys
import time
import urllib.error

import boto3
import botocore.exceptions
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, ROOT)

from tests.support import faithful  # noqa: E402  pylint: disable=wrong-import-position

CLUSTER = "c1"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(tmp_path_factory):
    """Yields the URL of a new endpoint process; stops it afterwards."""
    port = _free_port()
    log = tmp_path_factory.mktemp("faithful") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "support", "faithful_endpoint"),
                                 "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                env=dict(os.environ, MOTO_RECORDER_FILEPATH=str(log) + ".recording"))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            faithful.state(base)
            break
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("faithful endpoint did not start:\n" + log.read_text())
            time.sleep(0.2)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class Account:
    """boto3 clients against the endpoint, a VPC with a subnet in each of two AZs, a cluster, a target group,
    a Cloud Map namespace `local`, a log group, and task definitions app:1 and app:2."""

    def __init__(self, url):
        faithful.reset(url)
        self.url = url
        self.raw = {}
        for name in ("ec2", "ecs", "elbv2", "servicediscovery", "iam", "logs", "arc-zonal-shift"):
            client = boto3.client(name, endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                                  aws_secret_access_key="testing")
            client.meta.events.register("after-call", self._keep_raw)
            setattr(self, {"arc-zonal-shift": "arc"}.get(name, name), client)
        vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.subnet_a = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24",
                                               AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        self.subnet_b = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24",
                                               AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
        self.sg = self.ec2.create_security_group(GroupName="svc", Description="svc", VpcId=vpc)["GroupId"]
        self.ecs.create_cluster(clusterName=CLUSTER)
        self.tg = self.elbv2.create_target_group(Name="tg1", Protocol="HTTP", Port=8080, VpcId=vpc,
                                                 TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
        self.lonely_tg = self.elbv2.create_target_group(Name="tg2", Protocol="HTTP", Port=8080, VpcId=vpc,
                                                        TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
        self.alb = self.elbv2.create_load_balancer(Name="alb", Subnets=[self.subnet_a, self.subnet_b],
                                                   Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
        self.listener = self.elbv2.create_listener(LoadBalancerArn=self.alb, Protocol="HTTP", Port=80, DefaultActions=[
            {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": self.tg, "Weight": 1}]}}]
        )["Listeners"][0]["ListenerArn"]
        self.servicediscovery.create_http_namespace(Name="local")
        self.namespace = self.servicediscovery.list_namespaces()["Namespaces"][0]
        self.logs.create_log_group(logGroupName="/app")
        self.td1 = self._task_definition("app:1")
        self.td2 = self._task_definition("app:2")

    def _keep_raw(self, http_response, model, **_):
        self.raw[model.name] = (model, http_response.content)

    def _task_definition(self, image):
        return self.ecs.register_task_definition(
            family="app", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
            containerDefinitions=[{
                "name": "app", "image": image, "essential": True,
                "portMappings": [{"containerPort": 8080, "name": "http"}],
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": "/app", "awslogs-stream-prefix": "web", "awslogs-region": "us-east-1"}},
            }])["taskDefinition"]["taskDefinitionArn"]

    def network(self, *subnets):
        return {"awsvpcConfiguration": {"subnets": list(subnets or [self.subnet_a, self.subnet_b]),
                                        "securityGroups": [self.sg]}}

    def create(self, name="web", count=2, lb=True, subnets=(), **extra):
        request = dict(cluster=CLUSTER, serviceName=name, taskDefinition=self.td1, desiredCount=count,
                       networkConfiguration=self.network(*subnets), **extra)
        if lb:
            request["loadBalancers"] = [{"targetGroupArn": self.tg, "containerName": "app", "containerPort": 8080}]
        return self.ecs.create_service(**request)["service"]

    def describe(self, name="web"):
        return self.ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0]

    def poll_until_completed(self, name="web", limit=10):
        """The number of DescribeServices polls until the PRIMARY deployment is COMPLETED and alone."""
        for polls in range(1, limit + 1):
            service = self.describe(name)
            primary = service["deployments"][0]
            if primary["rolloutState"] == "COMPLETED" and len(service["deployments"]) == 1:
                return polls
        raise AssertionError(f"not completed after {limit} polls: {service['deployments']}")

    def targets(self):
        return sorted((t["Target"]["Id"], t["TargetHealth"]["State"])
                      for t in self.elbv2.describe_target_health(TargetGroupArn=self.tg)["TargetHealthDescriptions"])

    @staticmethod
    def server_sc(discovery="web", namespace="local"):
        """A Service Connect server config: discovery name ``discovery``, alias ``discovery:8080``."""
        return {"enabled": True, "namespace": namespace,
                "services": [{"portName": "http", "discoveryName": discovery, "clientAliases": [{"port": 8080}]}]}

    def error(self, call, **kwargs):
        """The error of a call that must fail (``last_error``: the whole parsed error response, with the members
        of a modelled error shape, such as ``reason``)."""
        with pytest.raises(botocore.exceptions.ClientError) as info:
            call(**kwargs)
        self.last_error = info.value.response
        return info.value.response["Error"]

    def tasks(self, name="web", status="RUNNING"):
        arns = self.ecs.list_tasks(cluster=CLUSTER, serviceName=name, desiredStatus=status)["taskArns"]
        return self.ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []
