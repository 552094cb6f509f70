"""The bandup.ecs.ownership lookup against botocore Stubbers: no call for an existing deployment; on a first deploy,
one refusal per resource found by name without the deployment's tag, unless adopted by name or kind."""
import pytest

from ansible_collections.bandup.ecs.plugins.plugin_utils.lazy_aws import LazyAWSLookupBase
from ansible_collections.bandup.ecs.plugins.lookup.ownership import LookupModule
from ansible_collections.bandup.ecs.plugins.plugin_utils.ownership import foreign, wanted_names
from ansible_collections.bandup.ecs.plugins.module_utils.topology import build_topology

NAME = "bandup-test"
ROLES = ["network", "alb", "ecr", "image", "cluster", "task_definition", "service"]
SERVICES = [{"name": "web", "port": 80, "health_path": "/", "cpu": 256, "memory": 512, "image": "nginx:1.27",
             "alb": {"default_route": True}}]
TOPOLOGY = build_topology(NAME, "us-east-1", "us-east-1a", "us-east-1b", SERVICES, ecr_prefix="x-")
OURS = {"bandup:deployment": NAME, "bandup:managed-by": "bandup.ecs"}
ACCOUNT = "123456789012"
LB_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/{NAME}/0123456789abcdef"
REPO_ARN = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/x-{NAME}-web"


@pytest.fixture(name="aws")
def fixture_aws(monkeypatch, stub_clients):
    monkeypatch.setattr(LazyAWSLookupBase, "run", lambda self, terms, variables, **kwargs: None)
    stubs = stub_clients(LookupModule)
    options = {}
    monkeypatch.setattr(LookupModule, "get_option", lambda self, key: options[key])
    return stubs, options


def run(aws, live, adopt=(), roles=ROLES):
    _, options = aws
    options.update(topology=TOPOLOGY, roles=list(roles), adopt=list(adopt), live=live)
    return LookupModule().run([], {})


def tag_list(tags, key="Key", value="Value"):
    return [{key: k, value: v} for k, v in tags.items()]


def stub_first_deploy(stubs, lb_tags, repo_tags):
    """Every read of a first deploy: the load balancer and the repository exist (with the given tags), nothing else."""
    elbv2, ecr = stubs["elbv2"], stubs["ecr"]
    elbv2.add_response("describe_load_balancers", {"LoadBalancers": [
        {"LoadBalancerArn": LB_ARN, "LoadBalancerName": NAME}]}, {"Names": [NAME]})
    elbv2.add_client_error("describe_target_groups", "TargetGroupNotFound", "none",
                           expected_params={"Names": [f"{NAME}-web-a", f"{NAME}-web-b"]})
    for suffix in "ab":
        elbv2.add_client_error("describe_target_groups", "TargetGroupNotFound", "none",
                               expected_params={"Names": [f"{NAME}-web-{suffix}"]})
    elbv2.add_response("describe_tags", {"TagDescriptions": [{"ResourceArn": LB_ARN, "Tags": tag_list(lb_tags)}]},
                       {"ResourceArns": [LB_ARN]})
    ecr.add_response("describe_repositories", {"repositories": [
        {"repositoryName": f"x-{NAME}-web", "repositoryArn": REPO_ARN}]}, {"repositoryNames": [f"x-{NAME}-web"]})
    ecr.add_response("list_tags_for_resource", {"tags": tag_list(repo_tags)}, {"resourceArn": REPO_ARN})
    stubs["logs"].add_response("describe_log_groups", {"logGroups": []}, {"logGroupNamePrefix": f"/ecs/{NAME}/web"})
    for role in (f"{NAME}-web-execution", f"{NAME}-web-task"):
        stubs["iam"].add_client_error("get_role", "NoSuchEntity", "none", expected_params={"RoleName": role})
    stubs["servicediscovery"].add_response("list_namespaces", {"Namespaces": []})


def test_an_existing_deployment_costs_no_call(aws):
    assert run(aws, {"cluster_exists": True, "cluster_deployment": NAME}) == []
    assert not aws[0]  # no client was even made


def test_a_first_deploy_refuses_what_is_not_ours(aws):
    stub_first_deploy(aws[0], {"team": "web"}, OURS)
    found = run(aws, {"cluster_exists": False, "cluster_deployment": None})
    assert len(found) == 1, found  # the repository carries the deployment's tag: an earlier run of ours made it
    assert found[0].startswith(f"bandup_adopt_existing: the load balancer '{NAME}' exists but was not created by the "
                               f"deployment '{NAME}' (it has no bandup:deployment tag)")
    assert f"bandup_adopt_existing: ['{NAME}'] (or the kind 'load_balancer')" in found[0]


def test_adopted_by_name_or_kind(aws):
    stub_first_deploy(aws[0], {"bandup:deployment": "other"}, {})
    found = run(aws, {"cluster_exists": False}, adopt=[NAME])
    assert [f.split("'")[1] for f in found] == [f"x-{NAME}-web"]


def test_a_foreign_cluster(aws):
    stubs = aws[0]
    stubs["ecr"].add_response("describe_repositories", {"repositories": []}, {"repositoryNames": [f"x-{NAME}-web"]})
    stubs["servicediscovery"].add_response("list_namespaces", {"Namespaces": []})
    found = run(aws, {"cluster_exists": True, "cluster_deployment": "someone"}, roles=["ecr", "cluster"])
    assert len(found) == 1 and f"ECS cluster '{NAME}' exists but was not created" in found[0], found
    assert "(it carries bandup:deployment=someone)" in found[0]


def test_the_kinds_follow_the_selected_roles():
    kinds = {kind for kind, _ in wanted_names(TOPOLOGY, ["ecr"])}
    assert kinds == {"ecr_repository"}
    assert {kind for kind, _ in wanted_names(TOPOLOGY, ROLES)} == {
        "cluster", "namespace", "load_balancer", "target_group", "ecr_repository", "log_group", "iam_role"}


def test_foreign_checks_the_deployment_tag_only():
    found = {("log_group", "/ecs/a/web"): {"bandup:deployment": "a"}, ("iam_role", "a-web-task"): {"team": "x"}}
    assert [f.split("'")[1] for f in foreign(found, "a", [])] == ["a-web-task"]
    assert foreign(found, "a", ["iam_role"]) == []


def test_an_existing_deployment_with_new_names_reads_them(aws):
    """A new service (its repository and target group names change the fixed-settings fingerprint) on a deployment of
    ours: the names are read, and a foreign resource among them is refused."""
    stub_first_deploy(aws[0], {"team": "x"}, OURS)
    found = run(aws, {"cluster_exists": True, "cluster_deployment": NAME, "names_changed": True})
    assert [f.split("'")[1] for f in found] == [NAME]


def test_the_variable_names_the_same_kinds():
    """bandup_adopt_existing's rule (constraints.py, pure Python) and plugin_utils/ownership.py name the same kinds."""
    from ansible_collections.bandup.ecs.plugins.plugin_utils.constraint_table import TABLE
    from ansible_collections.bandup.ecs.plugins.plugin_utils.ownership import KINDS

    assert TABLE["bandup_adopt_existing"].kinds == tuple(KINDS)
