"""A first deploy survives the races AWS has (issue P, item 1), on the faithful endpoint's race switches.

Each switch (tests/support/faithful_endpoint/races.py) makes the endpoint refuse a call the way AWS does while a
new resource propagates: CreateService/UpdateService right after the listener rule ("does not have an associated
load balancer") and right after a new IAM role ("verify that the ECS service role ... proper permissions"), the
first RegisterScalableTarget of the account ("Unable to assume IAM role"), and the first tasks started with a new
task role (they fail to start). site.yml on a fresh account with all of them on must finish and create each thing
once; the endpoint's counters prove every race was really hit. (Before propagation.py the run failed on each of the
first three.)
"""
import pytest

from tests.support import faithful
from tests.support.census import LOCAL_DEPLOYMENT

RACES = {"target-group": 1, "service-role": 1, "scaling-role": 2, "task-role": 1}


@pytest.mark.usefixtures("apps")
def test_first_deploy_survives_every_race(endpoint):
    for name, count in RACES.items():
        faithful.race(endpoint.url, name, count=count)
    endpoint.start_recording()
    result = endpoint.playbook("site.yml")
    assert result.returncode == 0, result.stdout[-6000:]
    refused = faithful.races(endpoint.url)["refused"]
    # Every race was hit: the calls were really refused, and retried past it.
    assert set(refused) == set(RACES) and all(refused.values()), refused
    actions = [c["action"] for c in endpoint.all_calls()]
    assert actions.count("CreateService") == 4 + refused["target-group"] + refused["service-role"], refused
    assert actions.count("RegisterScalableTarget") == 2 + refused["scaling-role"], refused
    assert endpoint.census() == LOCAL_DEPLOYMENT  # each thing once, nothing left half made
