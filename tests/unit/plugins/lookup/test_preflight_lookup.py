"""The bandup.ecs.preflight lookup against botocore Stubbers (STS, EC2, ECS): the identity, then, for a deployment,
the two reads of the live state in the same lookup; what it returns; each failure as problem lines. (The messages of
each STS failure: tests/unit/plugins/plugin_utils/test_preflight.py.)"""
import pytest

from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase
from ansible_collections.bandup.ecs.plugins.lookup.preflight import LookupModule
from ansible_collections.bandup.ecs.plugins.filter.topology import FilterModule

AZS = {"AvailabilityZones": [{"ZoneName": "us-east-1a", "State": "available"},
                             {"ZoneName": "us-east-1b", "State": "available"}]}
IDENTITY = {"UserId": "AIDAEXAMPLE", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/deployer"}


@pytest.fixture(name="aws")
def fixture_aws(monkeypatch, stub_clients):
    # the options (region, credentials) are ansible's and amazon.aws's: site.yml exercises them end to end
    options = {"expect_local": True, "deployment": "bandup-test"}
    monkeypatch.setattr(AWSLookupBase, "run", lambda self, terms, variables, **kwargs: None)
    monkeypatch.setattr(AWSLookupBase, "region", "us-east-1")
    monkeypatch.setattr(LookupModule, "get_option", lambda self, key: options[key])
    stubs = stub_clients(LookupModule)
    return stubs, options


def cluster(tags):
    return {"clusters": [{"clusterName": "bandup-test", "status": "ACTIVE",
                          "tags": [{"key": k, "value": v} for k, v in tags.items()]}], "failures": []}


def lookup():
    return LookupModule().run([], {})[0]


def test_reads_the_identity_the_azs_and_the_active_az_tag(aws):
    stubs, _ = aws
    stubs["sts"].add_response("get_caller_identity", IDENTITY, {})
    stubs["ec2"].add_response("describe_availability_zones", AZS, {"AllAvailabilityZones": False})
    stubs["ecs"].add_response("describe_clusters", cluster({"bandup:active-az": "us-east-1b", "bandup:fixed": "0a1b",
                                                            "bandup:namespace-az": "us-east-1a"}),
                              {"clusters": ["bandup-test"], "include": ["TAGS", "SETTINGS"]})
    found = lookup()
    assert (found["account"], found["arn"], found["problem"]) == ("123456789012", IDENTITY["Arn"], [])
    described = cluster({"bandup:active-az": "us-east-1b", "bandup:fixed": "0a1b",
                         "bandup:namespace-az": "us-east-1a"})["clusters"][0]
    # the cluster itself too, for the cluster role's ecs_cluster (live_cluster): one DescribeClusters per run
    assert found["live"] == {"azs_in_region": ["us-east-1a", "us-east-1b"], "live_active_az": "us-east-1b",
                             "live_namespace_az": "us-east-1a", "cluster_exists": True, "cluster_deployment": None,
                             "fixed_record": "0a1b", "cluster": described}
    # what the filter makes of it: the standby AZ of the inventory is active after a failover
    services = [{"name": "web", "port": 80, "health_path": "/", "cpu": 256, "memory": 512, "image": "nginx",
                 "alb": {"default_route": True}}]
    topo = FilterModule().filters()["topology"](services, name="bandup-test", region="us-east-1",
                                                active_az="us-east-1a", standby_az="us-east-1b", live=found["live"])
    assert (topo["active_az"], topo["active_az_source"]) == ("us-east-1b", "cluster tag")
    assert topo["namespace_az"] == "us-east-1a"
    assert [p["namespace"] for p in topo["services"][0]["placements"]] == ["bandup-test.cell-b", "bandup-test"]


def test_no_cluster_yet(aws):
    stubs, _ = aws
    stubs["sts"].add_response("get_caller_identity", IDENTITY, {})
    stubs["ec2"].add_response("describe_availability_zones", AZS, {"AllAvailabilityZones": False})
    stubs["ecs"].add_response("describe_clusters", {"clusters": [], "failures": [
        {"arn": "arn:aws:ecs:us-east-1:123456789012:cluster/bandup-test", "reason": "MISSING"}]})
    live = lookup()["live"]
    assert (live["live_active_az"], live["cluster_exists"], live["fixed_record"]) == (None, False, None)


def test_no_deployment_reads_no_live_state(aws):
    """--tags ecr / --tags image: the identity only (the Stubbers fail on an unexpected call)."""
    stubs, options = aws
    options["deployment"] = ""
    stubs["sts"].add_response("get_caller_identity", IDENTITY, {})
    found = lookup()
    assert (found["account"], found["live"], found["problem"]) == ("123456789012", None, [])


def test_no_credentials_reads_nothing_more(aws):
    stubs, _ = aws
    stubs["sts"].add_client_error("get_caller_identity", "ExpiredToken", "The security token included in the "
                                  "request is expired")
    found = lookup()
    assert found["live"] is None and found["problem"] and "expired" in " ".join(found["problem"]).lower()


def test_a_live_read_error_is_a_problem(aws):
    stubs, _ = aws
    stubs["sts"].add_response("get_caller_identity", IDENTITY, {})
    stubs["ec2"].add_client_error("describe_availability_zones", "UnauthorizedOperation", "not allowed")
    found = lookup()
    assert found["live"] is None
    assert len(found["problem"]) == 1
    assert found["problem"][0].startswith("bandup_region: could not read the availability zones of region "
                                          "'us-east-1'")
    assert "UnauthorizedOperation" in found["problem"][0]


def test_a_programming_error_is_not_reported_as_an_aws_error(aws, monkeypatch):
    """Only AWS's errors become the lookup's "could not read" problem; a bug surfaces as itself."""
    from ansible_collections.bandup.ecs.plugins.lookup import preflight

    def broken(*_args, **_kwargs):
        raise KeyError("AvailabilityZones")

    stubs, _ = aws
    stubs["sts"].add_response("get_caller_identity", IDENTITY, {})
    monkeypatch.setattr(preflight, "live_facts", broken)
    with pytest.raises(KeyError, match="AvailabilityZones"):
        lookup()
