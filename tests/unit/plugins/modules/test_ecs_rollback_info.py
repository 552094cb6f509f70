"""bandup.ecs.ecs_rollback_info: per service the last good revision, or the one asked for; problems named by option."""
import os
import sys
from unittest import mock

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule
from ansible_collections.bandup.ecs.plugins.modules import ecs_rollback_info

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, ROOT)
from tests.support import ecs_service_answers as _FIX  # noqa: E402  pylint: disable=wrong-import-position
CLUSTER, dep, service, td = _FIX.CLUSTER, _FIX.dep, _FIX.service, _FIX.td
A, B = "bandup-prod-backend-a", "bandup-prod-backend-b"
FAMILY = "bandup-prod-backend"


def named(svc_dict, name):
    return dict(svc_dict, serviceName=name, serviceArn=svc_dict["serviceArn"].rsplit("/", 1)[0] + "/" + name)


def revision(rev, status="ACTIVE"):
    return {"taskDefinition": {"taskDefinitionArn": td(rev), "family": FAMILY, "revision": rev, "status": status,
                               "containerDefinitions": [{"name": "backend", "image": f"backend@sha256:{rev:064d}"}]}}


def run(stubs_of, args, services, task_definitions):
    """Run the module with DescribeServices answering ``services`` and DescribeTaskDefinition ``task_definitions``
    ({'family' or 'family:rev': revision(...) or None for 'does not exist'}, in call order)."""
    stubs = stubs_of(AWSModule)
    stubs["ecs"].add_response("describe_services", {"services": services, "failures": []},
                              {"cluster": CLUSTER, "services": args["services"], "include": ["TAGS"]})
    for name, answer in task_definitions:
        if answer is None:
            stubs["ecs"].add_client_error("describe_task_definition", "ClientException",
                                          "Unable to describe task definition.", expected_params={"taskDefinition": name})
        else:
            stubs["ecs"].add_response("describe_task_definition", answer, {"taskDefinition": name})
    with patch_module_args(dict(args, region="eu-west-1", cluster=CLUSTER)), \
            mock.patch.object(AWSModule, "exit_json", side_effect=SystemExit) as exit_json, \
            mock.patch.object(AWSModule, "fail_json", side_effect=SystemExit) as fail_json:
        with pytest.raises(SystemExit):
            ecs_rollback_info.main()
    return (fail_json if fail_json.called else exit_json).call_args.kwargs, fail_json.called


def rolled_back_v4():
    """After good v1, bad v2 (rolled back), good v3, bad v4 (rolled back to v3): what the services show."""
    tags = {"bandup:last-good": "3 1"}
    return [named(service([dep("ecs-svc/6", 3)], tags=tags), A),
            named(service([dep("ecs-svc/7", 3), dep("ecs-svc/5", 4, status="ACTIVE", rollout_state="FAILED",
                                                     running=0)], tags={"bandup:last-good": "1"}), B)]


def test_both_placements_go_to_their_last_good_revision_not_the_previous_number(stub_clients):
    result, failed = run(stub_clients, {"services": [A, B]}, rolled_back_v4(),
                         [(FAMILY, revision(4)), (f"{FAMILY}:3", revision(3))])
    assert not failed and result["problems"] == []
    assert result["services"][A]["revision"] == 3 and result["services"][A]["good_revisions"] == [3, 1]
    assert result["services"][B]["revision"] == 3 and result["services"][B]["current_revision"] == 3
    assert result["services"][A]["task_definition_arn"] == td(3) and result["services"][A]["source"] == "last-good"


def test_a_deregistered_good_revision_is_skipped(stub_clients):
    services = rolled_back_v4()[:1]
    result, _failed = run(stub_clients, {"services": [A]}, services,
                          [(FAMILY, revision(4)), (f"{FAMILY}:3", revision(3, "INACTIVE")), (f"{FAMILY}:1", revision(1))])
    assert result["services"][A]["revision"] == 1 and result["problems"] == []


def test_no_earlier_good_revision_is_a_problem_naming_revision(stub_clients):
    only = [named(service([dep("ecs-svc/1", 1)]), A)]
    result, failed = run(stub_clients, {"services": [A]}, only, [(FAMILY, revision(1))])
    assert not failed and result["services"][A]["revision"] is None
    assert result["problems"] == [f"revision: {A}: no revision older than 1 completed a deployment on it "
                                  "(completed: 1; running: 1); name one with revision"]


def test_requested_revision_must_exist_and_be_active(stub_clients):
    result, _failed = run(stub_clients, {"services": [A], "revision": 9}, rolled_back_v4()[:1],
                          [(FAMILY, revision(4)), (f"{FAMILY}:9", None)])
    assert result["problems"] == [f"revision: {A}: {FAMILY}:9 does not exist"]


def test_requested_inactive_revision_is_refused_and_an_active_one_taken(stub_clients):
    result, _failed = run(stub_clients, {"services": [A, B], "revision": 2}, rolled_back_v4(),
                          [(FAMILY, revision(4)), (f"{FAMILY}:2", revision(2, "INACTIVE"))])
    assert result["problems"] == [f"revision: {A}: {FAMILY}:2 is INACTIVE (deregistered)",
                                  f"revision: {B}: {FAMILY}:2 is INACTIVE (deregistered)"]


def test_unknown_service_is_a_problem_naming_services(stub_clients):
    result, _failed = run(stub_clients, {"services": [A, "nope"], "revision": 1}, rolled_back_v4()[:1],
                          [(FAMILY, revision(4)), (f"{FAMILY}:1", revision(1))])
    assert result["services"][A]["revision"] == 1 and result["services"][A]["source"] == "requested"
    assert result["problems"] == [f"services: nope does not exist in cluster {CLUSTER}"]
