"""Read-back of the local deployment (site.yml on the local endpoint, inventories/local) by the integration tests:
its names, and what the endpoint holds (services, ALB weights, cluster tags, scalable targets, ECS requests)."""
import base64
import json
import os
import urllib.request

import boto3
import yaml

NAME = "bandup-local"
AZ1, AZ2 = "us-east-1a", "us-east-1b"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVICES = [f"{NAME}-{app}-{suffix}" for app in ("backend", "frontend") for suffix in ("a", "b")]


def client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def services(endpoint):
    found = client(endpoint, "ecs").describe_services(cluster=NAME, services=SERVICES, include=["TAGS"])["services"]
    return {s["serviceName"]: s for s in found}


def primary(service):
    return next(d for d in service["deployments"] if d["status"] == "PRIMARY")


def sc_servers(endpoint):
    """{endpoint: [services serving it]} from every service's PRIMARY deployment (what AWS reports)."""
    out = {}
    for name, service in services(endpoint).items():
        for entry in (primary(service).get("serviceConnectConfiguration") or {}).get("services") or []:
            for alias in entry.get("clientAliases") or []:
                out.setdefault(f"{alias['dnsName']}:{alias['port']}", []).append(name)
    return out


def weights(endpoint):
    """{target group name: weight} of every forward action of the ALB's listeners and rules."""
    elbv2 = client(endpoint, "elbv2")
    lb = elbv2.describe_load_balancers(Names=[NAME])["LoadBalancers"][0]
    names = {tg["TargetGroupArn"]: tg["TargetGroupName"]
             for tg in elbv2.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"]}
    out = {}
    for listener in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]:
        for rule in elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]:
            for action in rule["Actions"]:
                for tg in (action.get("ForwardConfig") or {}).get("TargetGroups", []):
                    out[names[tg["TargetGroupArn"]]] = tg["Weight"]
    return out


def cluster_tags(endpoint):
    cluster = client(endpoint, "ecs").describe_clusters(clusters=[NAME], include=["TAGS"])["clusters"][0]
    return {t["key"]: t["value"] for t in cluster.get("tags", [])}


def scalable(endpoint):
    targets = client(endpoint, "application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs")["ScalableTargets"]
    return sorted(t["ResourceId"].rsplit("/", 1)[-1] for t in targets)


def recorded(endpoint):
    """The requests of the current record, in order: (the record's entry, its body as text)."""
    url = endpoint.url + "/moto-api/recorder/download-recording"
    with urllib.request.urlopen(url, timeout=60) as response:
        lines = response.read().decode().splitlines()
    for line in filter(None, lines):
        entry = json.loads(line)
        body = entry.get("body") or ""
        if entry.get("body_encoded"):
            body = base64.b64decode(body).decode()
        yield entry, body if isinstance(body, str) else ""


def requests(endpoint):
    """The ECS requests of the current record, in order: (action, body as a dict)."""
    out = []
    for entry, body in recorded(endpoint):
        target = {k.lower(): v for k, v in entry.get("headers", {}).items()}.get("x-amz-target", "")
        if target.startswith("AmazonEC2ContainerServiceV20141113."):
            out.append((target.rsplit(".", 1)[-1], json.loads(body or "{}")))
    return out


def ecs_used_before(endpoint):
    """An account that has used ECS before: its service-linked role exists (the first-use case is not the test's)."""
    iam = client(endpoint, "iam")
    try:
        iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    except iam.exceptions.InvalidInputException:
        pass


def names_of(body):
    return [s.rsplit("/", 1)[-1] for s in body.get("services", [])] + (
        [body["service"].rsplit("/", 1)[-1]] if "service" in body else [])


def services_with(**env_by_app):
    """bandup_services of the local inventory, with extra environment per app (a new task definition revision)."""
    with open(os.path.join(ROOT, "inventories", "local", "group_vars", "all", "main.yml")) as handle:
        services = yaml.safe_load(handle)["bandup_services"]
    for svc in services:
        svc["environment"] = dict(svc["environment"], **env_by_app.get(svc["name"], {}))
    return services
