"""bandup.ecs.ecs_service_info: Service Connect role from the PRIMARY deployment, else from the recorded tag."""
import os
import sys

from ansible_collections.bandup.ecs.plugins.module_utils._ecs.ecs_service import placement_state
from conftest import run_module  # the modules' conftest, bound at collection (tests/unit/support has one too)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, ROOT)
from tests.support import ecs_service_answers as _FIX  # noqa: E402  pylint: disable=wrong-import-position


def test_server_read_from_primary_deployment_over_the_tag():
    service = _FIX.aws_service([_FIX.deployment("ecs-svc/2", sc=_FIX.sc_live())],
                               tags={"bandup:standing": "active", "bandup:sc-role": "client"})
    state = placement_state(service)
    assert state["service_connect_server"] is True and state["standing"] == "active" and state["desired_count"] == 2


def test_client_on_primary_even_if_an_old_deployment_served():
    old = _FIX.deployment("ecs-svc/1", status="ACTIVE", sc=_FIX.sc_live())
    service = _FIX.aws_service([_FIX.deployment("ecs-svc/2", sc={"enabled": True, "namespace": _FIX.NS_ARN}), old])
    assert placement_state(service)["service_connect_server"] is False


def test_unreported_service_connect_falls_back_to_the_tag():
    service = dict(_FIX.emulator_service(), tags=[{"key": "bandup:sc-role", "value": "server"}])
    assert placement_state(service)["service_connect_server"] is True
    service["tags"] = []
    assert placement_state(service)["service_connect_server"] is False


def test_the_module_reads_once_and_fails_on_an_aws_error_through_the_one_failure_path(aws, capsys):
    from ansible_collections.bandup.ecs.plugins.modules import ecs_service_info

    service = dict(_FIX.aws_service([_FIX.deployment("ecs-svc/2", sc=_FIX.sc_live())]), serviceName="prod-a")
    aws["ecs"].add_response("describe_services", {"services": [service], "failures": []},
                            {"cluster": "prod", "services": ["prod-a", "prod-b"], "include": ["TAGS"]})
    out = run_module(ecs_service_info, dict(cluster="prod", names=["prod-a", "prod-b"], region="us-east-1"), capsys)
    assert (out["changed"], out["changes"]) == (False, [])
    assert out["services"]["prod-a"]["exists"] is True and out["services"]["prod-b"]["exists"] is False
    aws["ecs"].add_client_error("describe_services", "AccessDeniedException", "not allowed")
    out = run_module(ecs_service_info, dict(cluster="prod", names=["prod-a"], region="us-east-1"), capsys)
    assert out["failed"] is True and out["msg"].startswith("Failed to describe services ['prod-a'] of cluster prod")
    assert out["error"]["code"] == "AccessDeniedException"
