"""Several deployments in one account (issue J): inventories/staging and inventories/prod converge side by side
on one endpoint, staging is torn down, and prod is left exactly as it was: its repositories and images, services,
task definitions, roles, log groups, namespace, load balancer and network, and a converge of prod changes nothing
and writes nothing.
"""
import json
import os
import subprocess
import urllib.error
import urllib.request

import boto3
import pytest

from conftest import ROOT, VENV_BIN, recap

DEPLOYMENTS = {"staging": "bandup-staging", "prod": "bandup-prod"}
# Two cold converges, a teardown and a third converge: about 5 minutes, so `make test-slow`.
pytestmark = pytest.mark.slow


def playbook(endpoint, inventory, *args):
    command = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", os.path.join("inventories", inventory), *args]
    result = subprocess.run(command, cwd=ROOT, env=endpoint.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, timeout=900, check=False)
    assert result.returncode == 0, " ".join(command) + "\n" + result.stdout[-5000:]
    return result.stdout


def client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def registry_tags(endpoint, repository):
    """{tag: digest} the registry serves for ``repository``."""
    token = client(endpoint, "ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
    base = f"http://{endpoint.env['BANDUP_REGISTRY']}/v2/{repository}"
    headers = {"Authorization": "Basic " + token}
    try:
        with urllib.request.urlopen(urllib.request.Request(base + "/tags/list", headers=headers)) as response:
            tags = json.load(response).get("tags") or []
    except urllib.error.HTTPError as err:
        assert err.code == 404
        return {}
    out = {}
    for tag in tags:
        request = urllib.request.Request(base + "/manifests/" + tag, method="HEAD", headers=dict(headers, Accept=(
            "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json")))
        with urllib.request.urlopen(request) as response:
            out[tag] = response.headers["Docker-Content-Digest"]
    return out


def served(endpoint, image):
    """Whether the registry serves ``image`` (``host/repository@sha256:...``), as a task would pull it."""
    host, rest = image.split("/", 1)
    repository, digest = rest.split("@", 1)
    assert host == endpoint.env["BANDUP_REGISTRY"], image
    token = client(endpoint, "ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
    request = urllib.request.Request(f"http://{host}/v2/{repository}/manifests/{digest}", method="HEAD", headers={
        "Authorization": "Basic " + token, "Accept": "application/vnd.oci.image.manifest.v1+json, "
                                                   "application/vnd.docker.distribution.manifest.v2+json"})
    try:
        with urllib.request.urlopen(request):
            return True
    except urllib.error.HTTPError as err:
        assert err.code == 404, err
        return False


def holdings(endpoint, name):
    """Everything of the deployment ``name`` the endpoint holds, with the state that matters (empty when gone)."""
    tags = [{"Name": "tag:bandup:deployment", "Values": [name]}]
    ec2, elb, ecs, ecr = (client(endpoint, s) for s in ("ec2", "elbv2", "ecs", "ecr"))
    repositories = {r["repositoryName"]: registry_tags(endpoint, r["repositoryName"])
                    for r in ecr.describe_repositories()["repositories"]
                    if r["repositoryName"].startswith(f"ielts-{name}-")}
    vpcs = [v["VpcId"] for v in ec2.describe_vpcs(Filters=tags)["Vpcs"]]
    services = {}
    if ecs.describe_clusters(clusters=[name])["clusters"][:1] and \
            ecs.describe_clusters(clusters=[name])["clusters"][0]["status"] == "ACTIVE":
        arns = ecs.list_services(cluster=name)["serviceArns"]
        for svc in ecs.describe_services(cluster=name, services=arns)["services"] if arns else []:
            if svc["status"] == "ACTIVE":
                services[svc["serviceName"]] = (svc["taskDefinition"], svc["desiredCount"])
    task_definitions = sorted(arn for arn in ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"]
                              if f":task-definition/{name}-" in arn)
    # The images the deployment's task definitions run: does ECR still have the repository, does the registry
    # serve the image (the local registry is not ECR: deleting a repository in ECR leaves its blobs there).
    ecr_names = {r["repositoryName"] for r in ecr.describe_repositories()["repositories"]}
    images = {container["image"]: (container["image"].split("/", 1)[1].split("@")[0] in ecr_names,
                                   served(endpoint, container["image"]))
              for arn in task_definitions
              for container in ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]["containerDefinitions"]}
    found = {
        "repositories": repositories,
        "images": images,
        "services": services,
        "task_definitions": task_definitions,
        "log_groups": [g["logGroupName"] for g in client(endpoint, "logs").describe_log_groups(
            logGroupNamePrefix=f"/ecs/{name}/")["logGroups"]],
        "roles": sorted(r["RoleName"] for r in client(endpoint, "iam").list_roles()["Roles"]
                        if r["RoleName"].startswith(name + "-")),
        "namespaces": [n["Arn"] for n in client(endpoint, "servicediscovery").list_namespaces()["Namespaces"]
                       if n["Name"] == name],
        "load_balancers": [lb["LoadBalancerArn"] for lb in elb.describe_load_balancers()["LoadBalancers"]
                           if lb["LoadBalancerName"] == name],
        "target_groups": sorted(tg["TargetGroupArn"] for tg in elb.describe_target_groups()["TargetGroups"]
                                if tg["TargetGroupName"].startswith(name + "-")),
        "vpcs": vpcs,
        "nat_gateways": sorted(n["NatGatewayId"] for n in ec2.describe_nat_gateways()["NatGateways"]
                               if n["VpcId"] in vpcs and n["State"] not in ("deleted", "deleting")),
    }
    return {key: value for key, value in found.items() if value}


@pytest.fixture(scope="module")
def both(endpoint, apps):
    # prod first, then staging: the last converge is the one that would have tagged a shared repository.
    for inventory in ("prod", "staging"):
        out = playbook(endpoint, inventory, "site.yml")
        assert recap(out)["failed"] == 0
    return endpoint


def test_each_deployment_has_its_own_resources(both):
    staging, prod = (holdings(both, name) for name in DEPLOYMENTS.values())
    kinds = {"repositories", "images", "services", "task_definitions", "log_groups", "roles", "namespaces", "load_balancers",
             "target_groups", "vpcs", "nat_gateways"}
    assert set(staging) == kinds and set(prod) == kinds, (staging, prod)
    assert sorted(prod["repositories"]) == ["ielts-bandup-prod-backend", "ielts-bandup-prod-frontend"]
    assert sorted(staging["repositories"]) == ["ielts-bandup-staging-backend", "ielts-bandup-staging-frontend"]
    assert all(len(tags) == 1 for tags in list(staging["repositories"].values()) + list(prod["repositories"].values()))
    # Sizes and counts differ, nothing else: prod runs 2 active tasks per app, staging 1.
    assert prod["services"]["bandup-prod-backend-a"][1] == 2 and staging["services"]["bandup-staging-backend-a"][1] == 1


def test_status_estimates_each_deployment_with_its_nat_gateways(both, tmp_path):
    out = playbook(both, "prod", "playbooks/status.yml", "-e", f"status_output_dir={tmp_path}")
    assert recap(out)["failed"] == 0
    summary = (tmp_path / "summary.txt").read_text()
    assert "estimate ~" in summary and "us-east-1 list prices from the AWS Price List API" in summary, summary
    assert "NAT gateways (2)" in summary and "2 NAT gateways processing 100 GB/month" in summary, summary
    report = json.loads((tmp_path / "status.json").read_text())
    assert report["cost"]["assumptions"]["nat_gateways"] == 2


def test_tearing_staging_down_leaves_prod_untouched(both):
    prod_before = holdings(both, "bandup-prod")
    assert len(prod_before["images"]) == 2 and all(all(state) for state in prod_before["images"].values()), \
        prod_before["images"]
    out = playbook(both, "staging", "playbooks/teardown.yml", "-e", "confirm=bandup-staging")
    assert recap(out)["failed"] == 0
    assert holdings(both, "bandup-staging") == {}
    assert holdings(both, "bandup-prod") == prod_before
    both.start_recording()
    out = playbook(both, "prod", "site.yml")
    assert recap(out)["changed"] == 0, out[-4000:]
    assert both.recorded()["writes"] == []
    assert holdings(both, "bandup-prod") == prod_before
