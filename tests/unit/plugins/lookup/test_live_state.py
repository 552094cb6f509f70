"""The bandup.ecs.live_state lookup against botocore Stubbers (EC2, ECS): its two reads and what it returns."""
import pytest
from ansible.errors import AnsibleLookupError

from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase
from ansible_collections.bandup.ecs.plugins.lookup.live_state import LookupModule
from ansible_collections.bandup.ecs.plugins.filter.topology import FilterModule

AZS = {"AvailabilityZones": [{"ZoneName": "us-east-1a", "State": "available"},
                             {"ZoneName": "us-east-1b", "State": "available"}]}


@pytest.fixture(name="aws")
def fixture_aws(monkeypatch, stub_clients):
    # the options (region, credentials) are ansible's and amazon.aws's: site.yml exercises them end to end
    monkeypatch.setattr(AWSLookupBase, "run", lambda self, terms, variables, **kwargs: None)
    monkeypatch.setattr(AWSLookupBase, "region", "us-east-1")
    return stub_clients(LookupModule)


def cluster(tags):
    return {"clusters": [{"clusterName": "bandup-test", "status": "ACTIVE",
                          "tags": [{"key": k, "value": v} for k, v in tags.items()]}], "failures": []}


def lookup(name="bandup-test"):
    return LookupModule().run([name], {})


def test_reads_the_azs_and_the_active_az_tag(aws):
    aws["ec2"].add_response("describe_availability_zones", AZS, {"AllAvailabilityZones": False})
    aws["ecs"].add_response("describe_clusters", cluster({"bandup:active-az": "us-east-1b", "bandup:fixed": "0a1b",
                                                          "bandup:namespace-az": "us-east-1a"}),
                            {"clusters": ["bandup-test"], "include": ["TAGS", "SETTINGS"]})
    live = lookup()
    described = cluster({"bandup:active-az": "us-east-1b", "bandup:fixed": "0a1b",
                         "bandup:namespace-az": "us-east-1a"})["clusters"][0]
    # the cluster itself too, for the cluster role's ecs_cluster (live_cluster): one DescribeClusters per run
    assert live == [{"azs_in_region": ["us-east-1a", "us-east-1b"], "live_active_az": "us-east-1b",
                     "live_namespace_az": "us-east-1a", "cluster_exists": True, "cluster_deployment": None,
                     "fixed_record": "0a1b", "cluster": described}]
    # what the filter makes of it: the standby AZ of the inventory is active after a failover
    services = [{"name": "web", "port": 80, "health_path": "/", "cpu": 256, "memory": 512, "image": "nginx",
                 "alb": {"default_route": True}}]
    topo = FilterModule().filters()["topology"](services, name="bandup-test", region="us-east-1",
                                                active_az="us-east-1a", standby_az="us-east-1b", live=live[0])
    assert (topo["active_az"], topo["active_az_source"]) == ("us-east-1b", "cluster tag")
    assert topo["namespace_az"] == "us-east-1a"
    assert [p["namespace"] for p in topo["services"][0]["placements"]] == ["bandup-test.cell-b", "bandup-test"]


def test_no_cluster_yet(aws):
    aws["ec2"].add_response("describe_availability_zones", AZS, {"AllAvailabilityZones": False})
    aws["ecs"].add_response("describe_clusters", {"clusters": [], "failures": [
        {"arn": "arn:aws:ecs:us-east-1:123456789012:cluster/bandup-test", "reason": "MISSING"}]})
    live = lookup()[0]
    assert (live["live_active_az"], live["cluster_exists"], live["fixed_record"]) == (None, False, None)


def test_an_aws_error_is_a_lookup_error(aws):
    aws["ec2"].add_client_error("describe_availability_zones", "UnauthorizedOperation", "not allowed")
    with pytest.raises(AnsibleLookupError, match="bandup_region: could not read the availability zones of region 'us-east-1'.*UnauthorizedOperation"):
        lookup()


def test_a_programming_error_is_not_reported_as_an_aws_error(aws, monkeypatch):
    """Only AWS's errors become the lookup's "could not read" error; a bug surfaces as itself."""
    from ansible_collections.bandup.ecs.plugins.lookup import live_state

    def broken(*_args, **_kwargs):
        raise KeyError("AvailabilityZones")

    monkeypatch.setattr(live_state, "live_facts", broken)
    with pytest.raises(KeyError, match="AvailabilityZones"):
        lookup()
