"""A first deploy survives AWS's eventual consistency (issue P, item 2), on the faithful endpoint's lag switch.

1. The network, with the first answer of every write lost (tests/support/faultproxy.py) and the new VPC, subnets,
   route tables, security groups, internet gateway and Elastic IPs missing from describes for longer than the one
   look-up once.py made before (1-2 s): the look-up goes on over its window (once.LOOKUP_WINDOW) and nothing is
   made twice. Before the window, the resend after one look made a second resource or failed ("The CIDR ...
   conflicts with another subnet").
2. The rest of site.yml with the first DescribeServices after each CreateService/UpdateService answering as before
   the write (no service): the deployment waits treat it as "not yet". Before, the first poll failed the run
   ("service ... disappeared").
One endpoint for the module: the second test deploys onto the first one's network.
"""
import pytest

from conftest import fault_proxy, proxy_report
from tests.support import faithful
from tests.support.census import LOCAL_DEPLOYMENT

LAG_SECONDS = 3  # longer than the one look-up once.py made before its window (1-2 s after the lost answer)
NETWORK = ("vpcs", "subnets", "internet_gateways", "route_tables", "security_groups", "nat_gateways", "elastic_ips")


def test_lost_creates_hidden_from_describes_are_found_not_made_twice(endpoint):
    faithful.set_lag(endpoint.url, seconds=LAG_SECONDS,
                     kinds=["vpc", "subnet", "route-table", "security-group", "internet-gateway", "address"])
    try:
        with fault_proxy(endpoint, "--rate", "0", "--lose-first-writes") as proxy:
            # the default look-up window, not fault_proxy's short one
            endpoint.env = {k: v for k, v in endpoint.env.items() if k != "BANDUP_LOOKUP_WINDOW"}
            result = endpoint.playbook("site.yml", "--tags", "network")
            lost = proxy_report(proxy, "lost")
        hidden = faithful.lag(endpoint.url)["hidden"]
    finally:
        faithful.set_lag(endpoint.url)
    assert result.returncode == 0, result.stdout[-6000:]
    assert {"CreateVpc", "CreateRouteTable", "AllocateAddress", "CreateInternetGateway"} <= set(lost), lost
    assert hidden > 0  # the look-ups really missed the new resources at first
    census = endpoint.census()
    assert {kind: census[kind] for kind in NETWORK} == {kind: LOCAL_DEPLOYMENT[kind] for kind in NETWORK}, lost


@pytest.mark.usefixtures("apps")
def test_first_polls_that_have_not_caught_up_are_not_a_failure(endpoint):
    faithful.set_lag(endpoint.url, stale_polls=1)
    try:
        result = endpoint.playbook("site.yml")
        stale = faithful.lag(endpoint.url)["stale"]
    finally:
        faithful.set_lag(endpoint.url)
    assert result.returncode == 0, result.stdout[-6000:]
    assert stale >= 4  # each of the four services was first answered as missing
    assert endpoint.census() == LOCAL_DEPLOYMENT
