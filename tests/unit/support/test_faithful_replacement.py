"""The faithful endpoint replaces an unhealthy task as ECS has since October 2023: the replacement starts first
(within maximumPercent) and the unhealthy task stops only once the replacement is healthy.

One endpoint process for the module, reset before each test (conftest.py: ``aws``)."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, ROOT)

from tests.support import faithful  # noqa: E402  pylint: disable=wrong-import-position

from tests.unit.support.endpoint_account import CLUSTER  # noqa: E402  pylint: disable=wrong-import-position


def _status(aws, name="web"):
    """{task ARN: (lastStatus, AZ)} of the service's tasks, running or stopped."""
    return {t["taskArn"]: (t["lastStatus"], t["availabilityZone"]) for t in aws.tasks(name) + aws.tasks(name, "STOPPED")}


def test_outside_the_impaired_az_the_replacement_starts_turns_healthy_then_the_old_task_stops(aws):
    aws.create(subnets=(aws.subnet_a, aws.subnet_b))
    aws.poll_until_completed()
    deployment = aws.describe()["deployments"][0]["id"]
    old = next(arn for arn, (_, az) in _status(aws).items() if az == "us-east-1a")
    faithful.impair_az(aws.url, "us-east-1a")
    seen = []
    for _ in range(5):
        service = aws.describe()
        seen.append((service["runningCount"], _status(aws)))
    assert [s[1][old][0] for s in seen] == ["RUNNING", "RUNNING", "RUNNING", "DEACTIVATING", "STOPPED"]
    replacement = [arn for arn in seen[-1][1] if arn not in seen[0][1]]
    assert len(replacement) == 1 and seen[-1][1][replacement[0]] == ("RUNNING", "us-east-1b")
    assert [seen[i][1][replacement[0]][0] for i in (1, 2, 3)] == ["PENDING", "RUNNING", "RUNNING"]
    assert [s[0] for s in seen] == [2, 2, 3, 2, 2]  # never fewer than desired running
    stopped = next(t for t in aws.tasks(status="STOPPED") if t["taskArn"] == old)
    assert stopped["stoppedReason"] == f"Task failed ELB health checks in (target-group {aws.tg})"
    assert stopped["stopCode"] == "ServiceSchedulerInitiated"
    assert [(d["id"], d["rolloutState"]) for d in service["deployments"]] == [(deployment, "COMPLETED")]
    assert all(state == "healthy" for _, state in aws.targets())


def test_in_the_impaired_az_the_unhealthy_tasks_stay_running_and_the_service_looks_steady(aws):
    aws.create(subnets=(aws.subnet_a,))
    aws.poll_until_completed()
    faithful.impair_az(aws.url, "us-east-1a")
    for _ in range(6):
        service = aws.describe()
    assert (service["runningCount"], service["pendingCount"], service["desiredCount"]) == (2, 0, 2)
    assert [d["rolloutState"] for d in service["deployments"]] == ["COMPLETED"]
    assert service["deployments"][0]["runningCount"] == 2 and service["deployments"][0]["failedTasks"] == 0
    assert "was unable to place a task" in service["events"][0]["message"]
    assert all(t["lastStatus"] == "RUNNING" for t in aws.tasks()) and aws.tasks(status="STOPPED") == []
    assert [state for _, state in aws.targets()] == ["unhealthy", "unhealthy"]
    reach = faithful.reachability(aws.url)
    assert len(reach["tasks"]) == 2  # every target unhealthy: the ALB fails open to them
    faithful.restore_az(aws.url, "us-east-1a")
    service = aws.describe()
    assert service["events"][0]["message"] == "(service web) has reached a steady state."
    assert len(aws.tasks()) == 2 and aws.tasks(status="STOPPED") == []
    assert [state for _, state in aws.targets()] == ["healthy", "healthy"]


def test_without_room_for_a_replacement_unhealthy_tasks_stop_one_by_one_within_minimum_healthy_percent(aws):
    aws.create(subnets=(aws.subnet_a,),
               deploymentConfiguration={"maximumPercent": 100, "minimumHealthyPercent": 50})
    aws.poll_until_completed()
    faithful.impair_az(aws.url, "us-east-1a")
    running = []
    for _ in range(5):
        aws.describe()
        running.append(len([t for t in aws.tasks() if t["lastStatus"] == "RUNNING"]))
    assert running == [2, 1, 1, 1, 1]
    assert [t["stoppedReason"] for t in aws.tasks(status="STOPPED")] == [
        f"Task failed ELB health checks in (target-group {aws.tg})"]


def test_when_the_unhealthy_task_recovers_after_its_replacement_started_the_surplus_stops(aws):
    aws.create(subnets=(aws.subnet_a, aws.subnet_b))
    aws.poll_until_completed()
    faithful.impair_az(aws.url, "us-east-1a")
    aws.describe()
    assert aws.describe()["pendingCount"] == 1  # judged unhealthy: its replacement is placed in us-east-1b
    faithful.restore_az(aws.url, "us-east-1a")
    aws.poll_until_completed()
    for _ in range(2):
        service = aws.describe()
    assert (service["runningCount"], len(aws.tasks()), len(aws.tasks(status="STOPPED"))) == (2, 2, 1)
    assert [t["stoppedReason"] for t in aws.tasks(status="STOPPED")] == [
        f"Scaling activity initiated by (deployment {service['deployments'][0]['id']})"]
