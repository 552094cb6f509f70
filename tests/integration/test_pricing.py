"""status.yml's cost estimate falls back to the shipped price table (issue O, item 4): with pricing:GetProducts
denied, or the pricing endpoint unreachable, the summary names the shipped table, its date and why, still counts
the public IPv4 addresses, and status.yml succeeds. (With the Price List API answering, the summary names it and
its dates: tests/integration/test_lifecycle.py test_status_shows_both_apps_in_both_azs, on the converged
deployment; the local endpoint answers it from tests/support/faithful_endpoint/pricing.py.)

No deployment is needed: the estimate prices the inventory's topology (desired counts where no service runs), so
these runs cost one status.yml each on an empty account.
"""
import json
import socket

import pytest

from conftest import recap
from tests.support import faithful

TABLE_DATE = "2026-11-29"  # roles/status/vars/prices.yml status_prices.checked


def status(endpoint, tmp_path, **env):
    out = tmp_path / "status"
    saved = endpoint.env
    endpoint.env = dict(saved, **env)
    try:
        result = endpoint.playbook("playbooks/status.yml", extra_vars={"status_output_dir": str(out)})
    finally:
        endpoint.env = saved
    assert result.returncode == 0 and recap(result.stdout)["failed"] == 0, result.stdout[-3000:]
    return (out / "summary.txt").read_text(), json.loads((out / "status.json").read_text())["cost"]


def test_status_says_it_used_the_shipped_table_when_pricing_is_denied(endpoint, tmp_path):
    faithful.deny_pricing(endpoint.url)
    try:
        summary, cost = status(endpoint, tmp_path)
    finally:
        faithful.deny_pricing(endpoint.url, False)
    assert (f"at us-east-1 list prices recorded {TABLE_DATE} (the shipped table: pricing:GetProducts was denied "
            "(AccessDeniedException)") in summary, summary
    assert "Price List API (" not in summary and "public IPv4 addresses (4)" in summary
    assert cost["prices_source"] == "table" and cost["prices_checked"] == TABLE_DATE


@pytest.fixture(name="closed_port")
def fixture_closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_status_says_it_used_the_shipped_table_when_pricing_is_unreachable(endpoint, tmp_path, closed_port):
    # botocore's per-service endpoint variable: only the pricing client goes to a port where nothing listens
    summary, cost = status(endpoint, tmp_path, AWS_ENDPOINT_URL_PRICING=f"http://127.0.0.1:{closed_port}")
    assert (f"at us-east-1 list prices recorded {TABLE_DATE} (the shipped table: the Price List API in us-east-1 "
            "could not be reached (EndpointConnectionError))") in summary, summary
    assert cost["prices_source"] == "table"
