"""Rollouts that fail, and rollback, on the faithful endpoint (issue 15, deliverables 2 and 3).

The endpoint's control API (tests/support/faithful.py) makes the tasks a service starts from now on fail: the
essential container exits with a code after writing lines to its awslogs stream, or fails its container health
check. Deployments advance per DescribeServices poll; the circuit breaker (on in the service role) fails a
deployment after 3 failed tasks and rolls back to the last COMPLETED one.

Scenario (one endpoint for the module, in order): good v1 (site.yml), bad v2 of the backend (its tasks exit 1: the
error shows the exit code and the last log line; the circuit breaker rolls back), good v3, bad v4 (rolled back),
rollback.yml: both backend services land on v3, not on v2 ("deployed - 1") or v4. Then a frontend whose container
health check fails, and bad input to rollback.yml (no write).
"""

import boto3
import pytest

from conftest import recap
from tests.support import faithful
from tests.support.local_deployment import ecs_used_before, services_with

NAME = "bandup-local"
BACKEND_A, BACKEND_B = f"{NAME}-backend-a", f"{NAME}-backend-b"
FRONTEND_A = f"{NAME}-frontend-a"
FAILURE_READS = {"ListTasks", "DescribeTasks", "GetLogEvents"}


def ecs(endpoint):
    return boto3.client("ecs", endpoint_url=endpoint.url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def revisions(endpoint, *names):
    answer = ecs(endpoint).describe_services(cluster=NAME, services=list(names))["services"]
    return {s["serviceName"]: int(s["taskDefinition"].rsplit(":", 1)[1]) for s in answer}


def deploy(endpoint, version, fail=None, health_check=False, app="backend"):
    """deploy.yml with a new revision of ``app``; with ``fail`` (log lines) its new tasks fail first."""
    names = [f"{NAME}-{app}-a", f"{NAME}-{app}-b"]
    for name in names:
        if fail is None:
            faithful.heal_tasks(endpoint.url, NAME, name)
        else:
            faithful.fail_tasks(endpoint.url, NAME, name, exit_code=0 if health_check else 1, log_lines=fail,
                                health_check=health_check)
    endpoint.start_recording()
    result = endpoint.playbook("playbooks/deploy.yml", extra_vars={"bandup_services": services_with(
        **{app: {"RELEASE": version}})})
    return result, {call["action"] for call in endpoint.recorded()["calls"]}


@pytest.fixture(scope="module")
def converged(endpoint, apps):
    ecs_used_before(endpoint)
    result = endpoint.playbook("site.yml")
    assert result.returncode == 0, result.stdout[-5000:]
    assert revisions(endpoint, BACKEND_A, BACKEND_B) == {BACKEND_A: 1, BACKEND_B: 1}
    return endpoint


@pytest.fixture(scope="module")
def history(converged):
    """good v1, bad v2, good v3, bad v4 of the backend; returns the failed deploys' output."""
    out = {}
    result, calls = deploy(converged, "v2", fail=["Starting backend v2", "ERROR relation \"users\" does not exist",
                                                  "password=hunter22 rejected"])
    assert result.returncode != 0, result.stdout[-3000:]
    out["v2"] = result.stdout
    # both cells got v2 at the same time; each cell's circuit breaker rolled it back (the wait follows both)
    assert revisions(converged, BACKEND_A, BACKEND_B) == {BACKEND_A: 1, BACKEND_B: 1}
    result, calls = deploy(converged, "v3")
    assert result.returncode == 0, result.stdout[-5000:]
    out["v3_calls"] = calls
    assert revisions(converged, BACKEND_A, BACKEND_B) == {BACKEND_A: 3, BACKEND_B: 3}
    result, calls = deploy(converged, "v4", fail=["Starting backend v4", "Killed: out of memory"])
    assert result.returncode != 0, result.stdout[-3000:]
    out["v4"] = result.stdout
    assert revisions(converged, BACKEND_A, BACKEND_B) == {BACKEND_A: 3, BACKEND_B: 3}
    faithful.heal_tasks(converged.url, NAME, BACKEND_A)
    faithful.heal_tasks(converged.url, NAME, BACKEND_B)
    return out


def test_failed_rollout_error_shows_exit_code_and_last_log_line_without_secrets(history):
    out = history["v2"]
    assert "it FAILED (ECS deployment circuit breaker: tasks failed to start.) and ECS rolled back" in out, out[-3000:]
    assert "Essential container in task exited; container backend: exit code 1" in out, out[-3000:]
    assert "rejected" in out and "log lines of backend" in out, out[-3000:]
    assert "hunter22" not in out


def test_a_successful_deploy_reads_no_stopped_tasks_or_logs(history):
    assert not FAILURE_READS & history["v3_calls"]


def test_rollback_lands_on_the_last_good_revision_of_both_services(history, converged):
    converged.start_recording()
    result = converged.playbook("playbooks/rollback.yml", extra_vars={
        "bandup_services": services_with(backend={"RELEASE": "v4"}), "rollback_services": ["backend"]})
    assert result.returncode == 0, result.stdout[-5000:]
    assert revisions(converged, BACKEND_A, BACKEND_B) == {BACKEND_A: 3, BACKEND_B: 3}
    assert (f"{BACKEND_A}: revision 3 -> 3 (last-good); {BACKEND_B}: revision 3 -> 3 (last-good)"
            in " ".join(result.stdout.split())), result.stdout[-5000:]
    # The chosen revisions were read from the live services, not computed as "deployed - 1".
    assert "bandup:last-good" in str(ecs(converged).list_tags_for_resource(resourceArn=ecs(converged).describe_services(
        cluster=NAME, services=[BACKEND_A])["services"][0]["serviceArn"])["tags"])
    converged.start_recording()
    again = converged.playbook("playbooks/rollback.yml", extra_vars={
        "bandup_services": services_with(backend={"RELEASE": "v4"}), "rollback_services": ["backend"]})
    assert again.returncode == 0 and recap(again.stdout)["changed"] == 0, again.stdout[-3000:]
    assert converged.recorded()["writes"] == []


def test_rollback_bad_input_fails_before_any_write_naming_the_variable(history, converged):
    cases = [({"rollback_services": ["backend"], "rollback_revision": 99}, "rollback_revision: bandup-local-backend-a:"
              " bandup-local-backend:99 does not exist"),
             ({"rollback_services": ["nope"]}, "rollback_services: ['nope'] must name services of bandup_services"),
             ({"rollback_services": ["frontend"]}, "rollback_revision: bandup-local-frontend-a: no revision older "
                                                   "than 1 completed a deployment on it")]
    for extra, message in cases:
        converged.start_recording()
        result = converged.playbook("playbooks/rollback.yml", extra_vars=dict(extra, bandup_services=services_with()))
        assert result.returncode != 0 and message in result.stdout, result.stdout[-3000:]
        assert converged.recorded()["writes"] == []


def test_failing_container_health_check_is_named_with_the_log_line(history, converged):
    result, _calls = deploy(converged, "hc", fail=["GET /api/health 503 Service Unavailable"], health_check=True,
                            app="frontend")
    assert result.returncode != 0
    out = result.stdout
    assert "Task failed container health checks" in out, out[-3000:]
    assert "health check wget -q -O /dev/null http://localhost:3000/api/health || exit 1" in out, out[-3000:]
    assert "UNHEALTHY" in out and "GET /api/health 503 Service Unavailable" in out, out[-3000:]
    for name in (FRONTEND_A, f"{NAME}-frontend-b"):  # deploy() made both cells' new frontend tasks fail
        faithful.heal_tasks(converged.url, NAME, name)


def test_an_alarm_during_a_rolling_deployment_is_rolled_back_by_ecs_and_named(converged):
    """issue N: the backend's 5xx rate alarm of cell a (made by the alb role, listed in the service's
    deploymentConfiguration.alarms) goes into ALARM while a new revision rolls out: ECS fails the deployment and rolls
    back to the last COMPLETED revision; the play fails naming the alarm, the service and that revision."""
    cloudwatch = boto3.client("cloudwatch", endpoint_url=converged.url, region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
    alarm = f"{BACKEND_A}-5xx-rate"
    service = ecs(converged).describe_services(cluster=NAME, services=[BACKEND_A])["services"][0]
    assert service["deploymentConfiguration"]["alarms"] == {
        "alarmNames": [alarm, f"{BACKEND_A}-p95-latency"], "enable": True, "rollback": True}
    before = revisions(converged, BACKEND_A)[BACKEND_A]
    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="5xx rate above 5% (test)")
    try:
        result, _calls = deploy(converged, "alarmed")
    finally:
        cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="test over")
    out = " ".join(result.stdout.split())
    assert result.returncode != 0, out[-3000:]
    assert (f"service {BACKEND_A}: deployment alarm {alarm} in ALARM during the rollout; ECS rolled it back to "
            f"{NAME}-backend:{before}" in out), out[-3000:]
    assert revisions(converged, BACKEND_A)[BACKEND_A] == before
    answer = ecs(converged).describe_services(cluster=NAME, services=[BACKEND_A])["services"][0]
    failed = [d for d in answer["deployments"] if d["rolloutState"] == "FAILED"]
    assert not failed or alarm in failed[0]["rolloutStateReason"]
    assert any("deployment failed: alarm detected" in e["message"] for e in answer["events"][:10])


def test_progress_lines_appear_during_a_wait(converged):
    """issue N item 4: while the service role waits, every poll's news is shown per service (running/desired, the
    rollout state, the latest ECS event) through Ansible's display (the collection's action plugin), before the task's
    own result line."""
    result, _calls = deploy(converged, "progress")
    assert result.returncode == 0, result.stdout[-3000:]
    task = result.stdout.split("Switch the apps whose live standings differ", 1)[1].split("TASK [", 1)[0]
    lines = [line.strip() for line in task.splitlines() if line.strip().startswith("progress: ")]
    assert any(line.startswith(f"progress: {BACKEND_A}: running ") and "rollout IN_PROGRESS, latest event: (service "
               in line for line in lines), task
    assert f"progress: {BACKEND_A}: running 2/2, rollout COMPLETED, latest event: (service {BACKEND_A}) has reached a " \
           "steady state." in lines, task
    assert task.index("progress: ") < task.index("changed: [localhost]"), task


def test_an_apps_two_cells_roll_together_and_the_apps_in_dependency_order(converged):
    """issue Q item 7: both apps changed; each app's two cells are updated before either is waited for (no
    DescribeServices between the two UpdateService calls of an app), both are waited for together, and the backend
    is done before the frontend's first UpdateService. The number of polls (DescribeServices while the rollouts run)
    is the one docs/deploy-time.md gives for the local endpoint."""
    converged.start_recording()
    result = converged.playbook("playbooks/deploy.yml", extra_vars={"bandup_services": services_with(
        backend={"RELEASE": "together"}, frontend={"RELEASE": "together"})})
    assert result.returncode == 0, result.stdout[-3000:]
    ecs_calls = [call["action"] for call in converged.recorded()["calls"] if call["service"] == "ecs"]
    updates = [idx for idx, action in enumerate(ecs_calls) if action == "UpdateService"]
    assert len(updates) == 4, ecs_calls

    def polls(start, end):
        return ecs_calls[start:end].count("DescribeServices")

    assert polls(updates[0], updates[1]) == 0, ecs_calls  # backend-b updated before backend-a is waited for
    assert polls(updates[2], updates[3]) == 0, ecs_calls  # the same for the frontend's cells
    backend_polls, frontend_polls = polls(updates[1], updates[2]), polls(updates[3], len(ecs_calls))
    assert backend_polls > 0, ecs_calls  # the backend is waited for before the frontend starts
    # One DescribeServices per poll for both cells: the faithful endpoint completes a rollout in 4 polls of its
    # service (docs/deploy-time.md), so together the two cells take 4 polls, not 8.
    assert (backend_polls, frontend_polls) == (4, 4), (backend_polls, frontend_polls, ecs_calls)
    assert revisions(converged, BACKEND_A, BACKEND_B) == dict.fromkeys((BACKEND_A, BACKEND_B),
                                                                       revisions(converged, BACKEND_A)[BACKEND_A])


# ---------------------------------------------------------------- issue N item 3: a one-off task gating the rollout

MIGRATE = ["./migrate", "up"]
FRONTEND_B = f"{NAME}-frontend-b"
ALL = (BACKEND_A, BACKEND_B, FRONTEND_A, FRONTEND_B)


def with_pre_deploy(version):
    """bandup_services with a new revision of both apps and the backend's migration as its pre-deploy task."""
    services = services_with(backend={"RELEASE": version}, frontend={"RELEASE": version})
    for svc in services:
        if svc["name"] == "backend":
            svc["pre_deploy"] = {"command": MIGRATE, "timeout": 300}
    return services


def migrations(endpoint):
    return [run for run in faithful.run_task_runs(endpoint.url)["runs"] if run["command"] == MIGRATE]


def latest_backend_revision(endpoint):
    return ecs(endpoint).describe_task_definition(taskDefinition=f"{NAME}-backend")["taskDefinition"]["revision"]


def test_failing_pre_deploy_task_blocks_the_rollout_and_updates_nothing(converged):
    """The backend's migration exits 1: the play fails naming it, with its exit code and log tail (secrets
    redacted); the new revisions are registered but every service of both apps stays on its old one."""
    faithful.run_task_command(converged.url, MIGRATE, exit_code=1, log_lines=[
        "Flyway 10.10.0: migrating schema to V7", "jdbc:postgresql://db.internal/bandup password=hunter22",
        'ERROR: Migration V7__users.sql failed: relation "users" does not exist'])
    before, runs = revisions(converged, *ALL), len(migrations(converged))
    converged.start_recording()
    result = converged.playbook("playbooks/deploy.yml", extra_vars={"bandup_services": with_pre_deploy("m1")})
    out = " ".join(result.stdout.split())
    assert result.returncode != 0, out[-3000:]
    new = latest_backend_revision(converged)
    assert new > before[BACKEND_A]
    assert (f"apps[0].pre_deploy (backend): the pre-deploy task of {NAME}-backend:{new} exited with code 1; no "
            "service was updated." in out), out[-3000:]
    assert "container backend: exit code 1" in out and 'relation "users" does not exist' in out, out[-3000:]
    assert "hunter22" not in out and "password=***" in out, out[-3000:]
    assert revisions(converged, *ALL) == before
    assert not {c["action"] for c in converged.recorded()["writes"]} & {"UpdateService", "CreateService"}
    ran = migrations(converged)[runs:]
    assert len(ran) == 1, ran
    live = ecs(converged).describe_services(cluster=NAME, services=[BACKEND_A])["services"][0]
    network = live["networkConfiguration"]["awsvpcConfiguration"]
    assert ran[0]["task_definition"].endswith(f"{NAME}-backend:{new}")
    assert (ran[0]["subnets"], ran[0]["security_groups"]) == (network["subnets"], network["securityGroups"])
    assert ran[0]["started_by"] == "bandup-pre-deploy" and ran[0]["client_token"]


def test_passing_pre_deploy_task_runs_once_per_revision(converged):
    """The same release again once the migration passes: it runs again (its revision is registered, but no service
    runs it yet), shows progress, then both apps roll out; a rerun runs nothing and changes nothing."""
    faithful.run_task_command(converged.url, MIGRATE, exit_code=0, log_lines=["migrated to V7"], running_polls=2)
    runs = len(migrations(converged))
    new = latest_backend_revision(converged)
    converged.start_recording()
    result = converged.playbook("playbooks/deploy.yml", extra_vars={"bandup_services": with_pre_deploy("m1")})
    assert result.returncode == 0, result.stdout[-5000:]
    assert latest_backend_revision(converged) == new  # the failed run's registration is reused
    ran = migrations(converged)[runs:]
    assert [(r["exit_code"], r["last_status"]) for r in ran] == [(0, "STOPPED")]
    after = revisions(converged, *ALL)
    assert after[BACKEND_A] == after[BACKEND_B] == new, after
    task = result.stdout.split("Switch the apps whose live standings differ", 1)[1].split("TASK [", 1)[0]
    task_id = ran[0]["task_arn"].rsplit("/", 1)[-1]
    assert f"progress: backend pre-deploy: task {task_id} RUNNING (timeout 300s)" in task, task
    assert task.index("pre-deploy: task") < task.index(f"progress: {BACKEND_A}: running"), task
    actions = [c["action"] for c in converged.recorded()["calls"]]
    assert actions.index("RunTask") < actions.index("UpdateService"), actions

    converged.start_recording()
    again = converged.playbook("playbooks/deploy.yml", extra_vars={"bandup_services": with_pre_deploy("m1")})
    assert again.returncode == 0 and recap(again.stdout)["changed"] == 0, again.stdout[-3000:]
    assert len(migrations(converged)) == runs + 1
    assert "RunTask" not in {c["action"] for c in converged.recorded()["calls"]}
    assert converged.recorded()["writes"] == []
