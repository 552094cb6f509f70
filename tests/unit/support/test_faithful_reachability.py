"""The faithful endpoint's reachability probe and Service Connect client resolution (tests/support/faithful_endpoint/
reachability.py): which tasks get ALB traffic, and whether the endpoints they resolved at start are served.

One endpoint process for the module, reset before each test (conftest.py: ``aws``)."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, ROOT)

from tests.support import faithful  # noqa: E402  pylint: disable=wrong-import-position

from tests.unit.support.endpoint_account import CLUSTER  # noqa: E402  pylint: disable=wrong-import-position
CLIENT = {"enabled": True, "namespace": "local"}
TASK_KEYS = {"cluster", "service", "task", "az", "namespace", "aliases"}
UNREACHABLE_KEYS = {"cluster", "service", "task", "az", "alias"}


def _forward(aws, *weights):
    """The listener's default action: forward to (target group, weight) pairs."""
    aws.elbv2.modify_listener(ListenerArn=aws.listener, DefaultActions=[{"Type": "forward", "ForwardConfig": {
        "TargetGroups": [{"TargetGroupArn": arn, "Weight": weight} for arn, weight in weights]}}])


def _front(aws, name="front", tg=None, subnets=()):
    """A client service behind the load balancer (target group ``tg``, default the listener's)."""
    request = dict(cluster=CLUSTER, serviceName=name, taskDefinition=aws.td1, desiredCount=2,
                   networkConfiguration=aws.network(*subnets), serviceConnectConfiguration=CLIENT,
                   loadBalancers=[{"targetGroupArn": tg or aws.tg, "containerName": "app", "containerPort": 8080}])
    return aws.ecs.create_service(**request)["service"]


def _back(aws, name="back", subnets=(), sc=None):
    return aws.create(name=name, lb=False, count=1, subnets=subnets,
                      serviceConnectConfiguration=sc or aws.server_sc("backend"))


def _probe(aws):
    answer = faithful.reachability(aws.url)
    assert set(answer) == {"tick", "tasks", "unreachable"} and isinstance(answer["tick"], int)
    for task in answer["tasks"]:
        assert set(task) == TASK_KEYS
    for entry in answer["unreachable"]:
        assert set(entry) == UNREACHABLE_KEYS
    return answer


def _arns(aws, name):
    return sorted(t["taskArn"] for t in aws.tasks(name))


def _serving(answer):
    return sorted(t["task"] for t in answer["tasks"])


def test_tasks_of_a_target_group_forwarded_with_weight_get_traffic(aws):
    _forward(aws, (aws.tg, 1), (aws.lonely_tg, 0))
    _back(aws)
    _front(aws)
    _front(aws, "green", tg=aws.lonely_tg)
    for name in ("back", "front", "green"):
        aws.poll_until_completed(name)
    answer = _probe(aws)
    assert _serving(answer) == _arns(aws, "front")
    assert all(t["aliases"] == {"backend:8080": True} for t in answer["tasks"])
    assert {t["namespace"] for t in answer["tasks"]} == {aws.namespace["Arn"]}
    assert answer["unreachable"] == []
    _forward(aws, (aws.tg, 0), (aws.lonely_tg, 100))
    assert _serving(_probe(aws)) == _arns(aws, "green")
    _forward(aws, (aws.tg, 1), (aws.lonely_tg, 1))
    assert _serving(_probe(aws)) == sorted(_arns(aws, "front") + _arns(aws, "green"))
    aws.elbv2.modify_listener(ListenerArn=aws.listener, DefaultActions=[{"Type": "forward",
                                                                        "TargetGroupArn": aws.lonely_tg}])
    assert _serving(_probe(aws)) == _arns(aws, "green")  # a plain forward is weight 1


def test_a_listener_rule_forwards_too_and_only_healthy_targets_get_traffic(aws):
    _forward(aws, (aws.tg, 1))
    aws.elbv2.create_rule(ListenerArn=aws.listener, Priority=10, Conditions=[
        {"Field": "path-pattern", "Values": ["/green/*"]}], Actions=[{"Type": "forward",
                                                                     "TargetGroupArn": aws.lonely_tg}])
    _front(aws, "green", tg=aws.lonely_tg)
    aws.describe("green")
    assert _probe(aws)["tasks"] == []  # PENDING: no target
    aws.describe("green")
    assert _probe(aws)["tasks"] == []  # RUNNING, targets initial
    aws.describe("green")
    assert _serving(_probe(aws)) == _arns(aws, "green")


def test_an_endpoint_added_after_a_task_started_is_not_resolved_by_it(aws):
    _front(aws)
    aws.poll_until_completed("front")
    early = _arns(aws, "front")
    _back(aws)
    aws.poll_until_completed("back")
    answer = _probe(aws)
    assert [t["aliases"] for t in answer["tasks"]] == [{}, {}]  # started before `backend` existed
    aws.ecs.update_service(cluster=CLUSTER, service="front", forceNewDeployment=True)
    aws.poll_until_completed("front")
    answer = _probe(aws)
    assert not set(_serving(answer)) & set(early)
    assert [t["aliases"] for t in answer["tasks"]] == [{"backend:8080": True}] * 2


def test_a_server_entry_without_client_alias_resolves_as_discovery_name_and_container_port(aws):
    _back(aws, sc={"enabled": True, "namespace": "local", "services": [{"portName": "http",
                                                                       "discoveryName": "api"}]})
    _back(aws, name="other", sc={"enabled": True, "namespace": "local", "services": [
        {"portName": "http", "discoveryName": "db", "clientAliases": [{"port": 5432, "dnsName": "db.internal"}]}]})
    _front(aws)
    for name in ("back", "other", "front"):
        aws.poll_until_completed(name)
    assert [t["aliases"] for t in _probe(aws)["tasks"]] == [{"api:8080": True, "db.internal:5432": True}] * 2


def test_an_alias_whose_servers_are_gone_or_in_an_impaired_az_is_unreachable(aws):
    _back(aws, subnets=(aws.subnet_a,))
    _front(aws, subnets=(aws.subnet_b,))
    aws.poll_until_completed("back")
    aws.poll_until_completed("front")
    assert _probe(aws)["unreachable"] == []
    faithful.impair_az(aws.url, "us-east-1a")
    answer = _probe(aws)
    assert _serving(answer) == _arns(aws, "front")
    assert sorted((u["task"], u["alias"], u["az"], u["service"], u["cluster"]) for u in answer["unreachable"]) == [
        (arn, "backend:8080", "us-east-1b", "front", CLUSTER) for arn in _arns(aws, "front")]
    faithful.restore_az(aws.url, "us-east-1a")
    assert _probe(aws)["unreachable"] == []
    aws.ecs.update_service(cluster=CLUSTER, service="back", desiredCount=0)
    aws.describe("back")
    aws.describe("back")
    assert [u["alias"] for u in _probe(aws)["unreachable"]] == ["backend:8080"] * 2


def test_the_alb_fails_open_when_every_target_of_the_group_is_unhealthy(aws):
    _back(aws, subnets=(aws.subnet_b,))
    _front(aws, subnets=(aws.subnet_a, aws.subnet_b))
    aws.poll_until_completed("back")
    aws.poll_until_completed("front")
    by_az = {t["availabilityZone"]: t["taskArn"] for t in aws.tasks("front")}
    faithful.impair_az(aws.url, "us-east-1a")
    assert _serving(_probe(aws)) == [by_az["us-east-1b"]]  # one healthy target left: only it
    faithful.restore_az(aws.url, "us-east-1a")
    faithful.impair_az(aws.url, "us-east-1b")
    assert _serving(_probe(aws)) == [by_az["us-east-1a"]]
    faithful.impair_az(aws.url, "us-east-1a")
    answer = _probe(aws)
    assert _serving(answer) == sorted(by_az.values())  # all unhealthy: the ALB sends to all of them
    assert len(answer["unreachable"]) == 2  # and `backend` (in us-east-1b) answers nobody


def test_history_has_an_entry_after_every_tick(aws):
    _back(aws)
    _front(aws)
    faithful.reset_reachability(aws.url)
    assert faithful.reachability_history(aws.url) == {"history": []}
    start = _probe(aws)["tick"]
    aws.poll_until_completed("back")
    polls = aws.poll_until_completed("front")
    faithful.tick(aws.url, CLUSTER, "front", count=2)
    history = faithful.reachability_history(aws.url)["history"]
    assert [entry["tick"] for entry in history] == list(range(start + 1, _probe(aws)["tick"] + 1))
    assert len(history) >= polls + 2
    assert all(set(entry) == {"tick", "serving", "unreachable"} for entry in history)
    assert history[0]["serving"] == {"back": 0, "front": 0}
    assert history[-1] == {"tick": history[-1]["tick"], "serving": {"back": 0, "front": 2}, "unreachable": []}
    faithful.impair_az(aws.url, "us-east-1a")
    faithful.impair_az(aws.url, "us-east-1b")
    faithful.tick(aws.url, CLUSTER, "back")
    last = faithful.reachability_history(aws.url)["history"][-1]
    assert sorted(u["task"] for u in last["unreachable"]) == _arns(aws, "front")
    faithful.reset_reachability(aws.url)
    assert faithful.reachability_history(aws.url) == {"history": []}
    faithful.tick(aws.url, CLUSTER, "back")
    assert len(faithful.reachability_history(aws.url)["history"]) == 1
    faithful.reset(aws.url)
    assert faithful.reachability_history(aws.url) == {"history": []}
    assert faithful.reachability(aws.url) == {"tick": 0, "tasks": [], "unreachable": []}
