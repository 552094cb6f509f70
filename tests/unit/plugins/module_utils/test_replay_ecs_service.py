"""ecs_service.plan_present on recorded DescribeServices answers (tests/unit/fixtures/aws/ecs/DescribeServices.*).

For each fixture the options the service role passes for that service (replay_services.CASES): planning them against
the fixture writes nothing, against every variant of the fixture that another AWS-compatible endpoint could give (an
optional member left out or given empty, the namespace or task definition named another way) writes nothing, and
each managed field changed alone is detected.
"""
import copy

import pytest

import aws_shapes
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import rollout
from replay_services import ARN, CASES, NS_ARN, NS_NAME, SERVER, record, recorded, response


def plan(params, service):
    return svc.plan_present(params, service, autoscaled=lambda: False)


def is_noop(result):
    return (result["action"], result["fields"], result["add_tags"], result["remove_tags"]) == ("none", [], {}, [])


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_op_plan_on_the_recorded_answer_is_empty(case):
    params = CASES[case]
    result = plan(params, recorded(response(case)["services"][0], params))
    assert is_noop(result), result["diff"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_op_plan_stays_empty_on_every_variant_of_the_answer(case):
    params = CASES[case]
    failed = []
    for label, variant in aws_shapes.variants("ecs", "DescribeServices", response(case)):
        result = plan(params, recorded(variant["services"][0], params))
        if not is_noop(result):
            failed.append((label, result["fields"]))
    assert failed == []


UNREPORTED = [("services", 0, key) for key in svc.SPEC_FIELDS if key != "serviceConnectConfiguration"] + [
    ("services", 0, "deployments", 0, "serviceConnectConfiguration")]


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("path", UNREPORTED, ids=[path[-1] for path in UNREPORTED])
def test_a_field_the_endpoint_does_not_report_is_compared_with_the_record(case, path):
    """An endpoint that does not model a field leaves it out: no-op while the record matches, sent once it does not."""
    unreported = aws_shapes.without(response(case), [path])["services"][0]  # the fixtures report every field
    params = CASES[case]
    assert is_noop(plan(params, recorded(unreported, params)))
    changed = dict(params, health_check_grace_period=params["health_check_grace_period"] + 1)
    assert path[-1] in plan(changed, recorded(unreported, params))["fields"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_namespace_given_by_name_matches_the_arn_aws_reports(case):
    params = copy.deepcopy(CASES[case])
    params["service_connect"]["namespace"] = NS_NAME
    assert is_noop(plan(params, recorded(response(case)["services"][0], params)))


@pytest.mark.parametrize("case", sorted(CASES))
def test_task_definition_named_by_family_and_revision(case):
    params = CASES[case]
    service = recorded(response(case)["services"][0], params)
    by_name = dict(params, task_definition=params["task_definition"].rsplit("/", 1)[1])
    assert is_noop(plan(by_name, recorded(service, by_name)))
    # An endpoint that answers with family:revision where AWS gives the ARN.
    short = dict(service, taskDefinition=service["taskDefinition"].rsplit("/", 1)[1])
    assert is_noop(plan(params, short))


def change(case, **changes):
    """The options of ``case`` with nested values replaced: ``deployment__maximum_percent=150``."""
    params = copy.deepcopy(CASES[case])
    for key, value in changes.items():
        *path, last = [int(step) if step.isdigit() else step for step in key.split("__")]
        target = params
        for step in path:
            target = target[step]
        target[last] = value
    return params


SC_NO_ALIAS = {"enabled": True, "namespace": NS_ARN,
               "services": [{"port_name": "backend", "discovery_name": "backend"}]}
# (case, what changes, the changed options, the UpdateService fields that must be sent)
SINGLE_CHANGES = [
    ("server-mid-rollout", "task definition", dict(task_definition=f"{ARN}:task-definition/bandup-prod-backend:9"),
     ["taskDefinition"]),
    ("server-mid-rollout", "capacity provider", dict(capacity_provider_strategy=[
        {"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 0}]),
     ["capacityProviderStrategy", "forceNewDeployment"]),
    ("server-mid-rollout", "capacity provider base", dict(capacity_provider_strategy__0__base=1),
     ["capacityProviderStrategy", "forceNewDeployment"]),
    ("capacity-provider", "capacity provider weight", dict(capacity_provider_strategy__0__weight=2),
     ["capacityProviderStrategy", "forceNewDeployment"]),
    ("server-mid-rollout", "subnets", dict(network__subnets=["subnet-0b2e3d4c5b6a7f802"]), ["networkConfiguration"]),
    ("client", "security groups", dict(network__security_groups=["sg-0c1d2e3f4a5b6c7d8"]), ["networkConfiguration"]),
    ("client", "public IP", dict(network__assign_public_ip=True), ["networkConfiguration"]),
    ("server-mid-rollout", "container port", dict(load_balancers__0__container_port=8081), ["loadBalancers"]),
    ("capacity-provider", "no load balancer", dict(load_balancers=[]), ["loadBalancers"]),
    ("server-mid-rollout", "discovery name", dict(service_connect__services__0__discovery_name="api"),
     ["serviceConnectConfiguration"]),
    ("server-mid-rollout", "alias port", dict(service_connect__services__0__client_aliases__0__port=9090),
     ["serviceConnectConfiguration"]),
    ("server-mid-rollout", "alias dns name", dict(service_connect__services__0__client_aliases__0__dns_name="api"),
     ["serviceConnectConfiguration"]),
    ("server-mid-rollout", "no client alias", dict(service_connect=SC_NO_ALIAS), ["serviceConnectConfiguration"]),
    ("server-mid-rollout", "server to client", dict(service_connect={"enabled": True, "namespace": NS_ARN,
                                                                     "services": None}),
     ["serviceConnectConfiguration"]),
    ("capacity-provider", "client to server", dict(service_connect=SERVER), ["serviceConnectConfiguration"]),
    ("client", "Service Connect off", dict(service_connect__enabled=False), ["serviceConnectConfiguration"]),
    ("client", "other namespace", dict(service_connect__namespace=NS_ARN[:-4] + "zzzz"),
     ["serviceConnectConfiguration"]),
    ("server-mid-rollout", "maximum percent", dict(deployment__maximum_percent=150), ["deploymentConfiguration"]),
    ("server-mid-rollout", "minimum healthy percent", dict(deployment__minimum_healthy_percent=50),
     ["deploymentConfiguration"]),
    ("server-mid-rollout", "circuit breaker off", dict(deployment__circuit_breaker=False), ["deploymentConfiguration"]),
    ("capacity-provider", "circuit breaker on", dict(deployment__circuit_breaker=True), ["deploymentConfiguration"]),
    ("capacity-provider", "rollback on", dict(deployment__rollback=True), ["deploymentConfiguration"]),
    ("client", "grace period", dict(health_check_grace_period=30), ["healthCheckGracePeriodSeconds"]),
    ("capacity-provider", "grace period zero", dict(health_check_grace_period=0), ["healthCheckGracePeriodSeconds"]),
    ("client", "AZ rebalancing", dict(availability_zone_rebalancing="ENABLED"), ["availabilityZoneRebalancing"]),
    ("client", "propagate tags", dict(propagate_tags="TASK_DEFINITION"), ["propagateTags"]),
    ("client", "managed tags", dict(enable_ecs_managed_tags=False), ["enableECSManagedTags"]),
    ("capacity-provider", "platform version", dict(platform_version="LATEST"), ["platformVersion"]),
    ("server-mid-rollout", "desired count", dict(desired_count=3), ["desiredCount"]),
    ("client", "force new deployment", dict(force_new_deployment=True), ["forceNewDeployment"]),
]


@pytest.mark.parametrize("case, what, changes, fields", SINGLE_CHANGES, ids=[c[1] for c in SINGLE_CHANGES])
def test_a_single_changed_field_is_sent(case, what, changes, fields):
    params = change(case, **changes)
    # The service as this code left it (the record of the fixture's options): the record differs as well.
    result = plan(params, recorded(response(case)["services"][0], CASES[case]))
    assert result["action"] == "update"
    assert set(fields) <= set(result["fields"]), what
    # The record already says the new options were applied but the answer shows the old value: drift, found
    # from the answer alone, and nothing else is sent.
    result = plan(params, recorded(response(case)["services"][0], params))
    assert result["fields"] == fields, what


def test_a_new_deployment_token_redeploys():
    params = change("client", deployment_token="backend=bandup-prod-backend-b")
    service = recorded(response("client")["services"][0], CASES["client"])
    result = plan(params, service)
    assert result["fields"] == ["forceNewDeployment"] and result["update"] == {}
    # the revisions that completed on the service ride along with the record (rollout.good_record)
    assert result["add_tags"] == dict({svc.LAST_APPLIED_TAG: record(params)}, **good_record(service))


def test_a_changed_tag_is_written():
    params = change("client", tags=dict(CASES["client"]["tags"], team="web"))
    service = recorded(response("client")["services"][0], params)
    result = plan(params, service)
    assert result["action"] == "update" and result["update"] == {}
    assert result["add_tags"] == dict({"team": "web"}, **good_record(service))


def test_server_mid_rollout_reads_service_connect_from_the_primary_deployment():
    service = recorded(response("server-mid-rollout")["services"][0], CASES["server-mid-rollout"])
    # The ACTIVE (old) deployment still carries the old config; only the PRIMARY one counts.
    service["deployments"][1]["serviceConnectConfiguration"]["services"][0]["discoveryName"] = "backend-old"
    assert is_noop(plan(CASES["server-mid-rollout"], service))
    assert svc.placement_state(service)["service_connect_server"] is True
    client = recorded(response("client")["services"][0], CASES["client"])
    assert svc.placement_state(client)["service_connect_server"] is False


def test_a_capacity_provider_change_is_sent_with_a_new_deployment(stub_clients):
    """UpdateService with only capacityProviderStrategy starts no deployment on AWS: the tasks would stay on
    FARGATE_SPOT until something else redeployed them."""
    service = recorded(response("capacity-provider")["services"][0], CASES["capacity-provider"])
    params = change("capacity-provider", capacity_provider_strategy=[{"capacity_provider": "FARGATE", "weight": 1,
                                                                      "base": 0}])
    result = plan(params, service)
    ecs = stub_clients(FakeOwner)["ecs"]
    ecs.add_response("update_service", {"service": service}, {
        "cluster": "bandup-prod", "service": "bandup-prod-backend-b", "forceNewDeployment": True,
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]})
    tags = dict({svc.LAST_APPLIED_TAG: record(params)}, **good_record(service))
    ecs.add_response("tag_resource", {}, {"resourceArn": service["serviceArn"],
                                          "tags": [{"key": k, "value": v} for k, v in sorted(tags.items())]})
    changes = ChangeSet()
    svc.apply_plan(FakeOwner().client("ecs"), "bandup-prod", result, changes)
    assert changes.changes == [
        {"resource": "service bandup-prod-backend-b", "action": "update",
         "fields": ["capacityProviderStrategy", "forceNewDeployment"]},
        {"resource": "service bandup-prod-backend-b", "action": "tag", "fields": sorted(tags)}]


def test_a_deployment_configuration_change_alone_starts_no_deployment():
    """It applies to the next deployment (documented on the module and the role variables)."""
    params = change("server-mid-rollout", deployment__maximum_percent=150)
    result = plan(params, recorded(response("server-mid-rollout")["services"][0], params))
    assert result["fields"] == ["deploymentConfiguration"] and result["redeploy"] is False


def good_record(service):
    """The bandup:last-good tag the module sends with its record: the revisions that completed on the service."""
    return rollout.good_record(service, svc.tag_dict(service))


class FakeOwner:
    """Something with a client() for stub_clients to patch."""

    def client(self, service):
        raise AssertionError("not patched")
