"""The faithful endpoint: one-off tasks (RunTask), which run their command and exit, with the exit codes and log
lines a test chooses.

moto's RunTask makes tasks that are RUNNING at once and never stop: no exit code, no logs, ``clientToken`` ignored.
Here a task of RunTask (awsvpc, Fargate) moves on one step per DescribeTasks that names it, as services move on per
DescribeServices (ecs.py):

    RunTask answer   PROVISIONING (desiredStatus RUNNING)
    poll 1           PENDING
    poll 2           RUNNING (connectivity, startedAt, an ENI address of its subnet)
    poll 2 + N       the essential container exits with the command's exit code: DEPROVISIONING, desiredStatus
                     STOPPED, stopCode EssentialContainerExited, "Essential container in task exited", the
                     container STOPPED with its exitCode; the log lines are in its awslogs stream
                     ``<prefix>/<container>/<task id>``
    next poll        STOPPED (stoppedAt, executionStoppedAt, the ENI attachment DELETED)

N is ``running_polls`` (default 1). What a command does is set by a test: ``POST /faithful-api/run-task/commands``
``{"command": [...] | null, "exit_code": 0, "log_lines": [...], "running_polls": 1, "start_failure": null}`` (the
command is the container override's, else the task definition's; ``null`` matches any command without a rule of its
own; a command without any rule exits 0 and logs nothing). With ``start_failure`` (e.g. "CannotPullContainerError:
...") the task never runs: on poll 2 it is STOPPED with stopCode TaskFailedToStart, that stoppedReason and the
container's ``reason``, and no exit code. ``POST /faithful-api/run-task/commands/clear`` forgets every rule;
``GET /faithful-api/run-task/runs`` lists every task RunTask started (cluster, task definition, command, client
token, subnets, security groups, startedBy, status, exit code).

AWS behaviour kept (botocore's ECS model and the ECS API reference):

* ``clientToken`` (RunTask, "Ensuring idempotency"): the same token with the same request answers the tasks the
  first request started, starting none; with another request it is ConflictException with ``resourceIds`` (the
  tasks of the first request).
* awsvpc task definitions need ``networkConfiguration`` ("Network Configuration must be provided when networkMode
  'awsvpc' is specified."), with subnets; ``launchType`` and ``capacityProviderStrategy`` are exclusive; a container
  override must name a container of the task definition; ``count`` is 1-10.
* Subnets all in impaired AZs (``/faithful-api/az/impair``): no task, ``failures`` with reason "Capacity is
  unavailable at this time. Please try again later or in a different availability zone" (the Fargate capacity
  failure of the ECS troubleshooting guide); otherwise the task is placed in the first subnet of an AZ that is not.
* StopTask: desiredStatus STOPPED, stopCode UserInitiated with the reason given; STOPPED on the next poll. No exit
  code is set (AWS reports the signal's, 137 or 143; the collection does not rely on it).
* ListTasks with ``startedBy``, ``family`` or ``desiredStatus`` lists them as ECS does; DescribeTasks answers them
  in botocore's Task shape (checked), with tags when ``include: [TAGS]``.

Not modelled: task placement strategies and constraints, EC2 launch type (those requests go to moto as before),
StartTask, ECS Exec, task protection, the time a task takes (only polls move it on).
"""
import json
import uuid

from .core import FARGATE_PLATFORM, LOCK, RESET_HOOKS, WORLD, _backend, _ecs_error, checked, now, patcher, route
from .ecs import write_awslogs

CAPACITY = ("Capacity is unavailable at this time. Please try again later or in a different availability zone")


class State:
    def __init__(self):
        self.tasks = {}  # task id -> OneOff
        self.tokens = {}  # (account, region, cluster, token) -> (request fingerprint, [task id])
        self.rules = {}  # json command (or "null") -> rule


STATE = State()
RESET_HOOKS.append(STATE.__init__)


class OneOff:
    """A task of RunTask."""

    def __init__(self, account, region, cluster, td, request, subnet, az, rule):
        self.account, self.region, self.cluster = account, region, cluster
        self.td, self.request, self.subnet, self.az, self.rule = td, request, subnet, az, rule
        self.id = uuid.uuid4().hex
        self.arn = f"arn:aws:ecs:{region}:{account}:task/{cluster.name}/{self.id}"
        self.last_status, self.desired_status = "PROVISIONING", "RUNNING"
        self.created_at = now()
        self.started_at = self.stopping_at = self.stopped_at = None
        self.stopped_reason = self.stop_code = None
        self.running_polls = 0
        self.exit_code = self.reason = None
        self.attachment_id = str(uuid.uuid4())
        index = WORLD.ip_counter.get(subnet["id"], 10)
        WORLD.ip_counter[subnet["id"]] = index + 1
        self.ip = subnet["ip"](index)

    @property
    def essential(self):
        defs = self.td.container_definitions
        return next((c["name"] for c in defs if c.get("essential", True)), defs[0]["name"] if defs else "app")

    def command(self):
        """The essential container's command: its override, else the task definition's."""
        for override in (self.request.get("overrides") or {}).get("containerOverrides") or []:
            if override.get("name") == self.essential and override.get("command") is not None:
                return list(override["command"])
        cdef = next((c for c in self.td.container_definitions if c["name"] == self.essential), {})
        return list(cdef["command"]) if cdef.get("command") else None

    def _stop(self, code, reason):
        self.desired_status, self.stop_code, self.stopped_reason = "STOPPED", code, reason
        self.stopping_at = now()

    def step(self):
        """One poll of DescribeTasks."""
        if self.last_status == "PROVISIONING":
            self.last_status = "PENDING"
        elif self.last_status == "PENDING":
            if self.rule.get("start_failure"):
                self.reason = self.rule["start_failure"]
                self._stop("TaskFailedToStart", self.rule["start_failure"])
                self.last_status, self.stopped_at = "STOPPED", now()
            else:
                self.last_status, self.started_at = "RUNNING", now()
        elif self.last_status == "RUNNING":
            self.running_polls += 1
            if self.running_polls >= int(self.rule.get("running_polls", 1)):
                self.exit_code = int(self.rule.get("exit_code", 0))
                self._stop("EssentialContainerExited", "Essential container in task exited")
                self.last_status = "DEPROVISIONING"
                write_awslogs(self.account, self.region, self.td, self.id, self.rule.get("log_lines") or [],
                              containers=[self.essential])
        elif self.last_status == "DEPROVISIONING":
            self.last_status, self.stopped_at = "STOPPED", now()

    def stop(self, reason):
        if self.desired_status == "STOPPED":
            return
        self._stop("UserInitiated", reason or "Task stopped by user")
        self.last_status = "STOPPED" if self.last_status in ("PROVISIONING", "PENDING") else "DEPROVISIONING"
        if self.last_status == "STOPPED":
            self.stopped_at = now()

    def render(self, include_tags=False):
        container_status = {"PROVISIONING": "PENDING", "DEPROVISIONING": "STOPPED"}.get(self.last_status,
                                                                                        self.last_status)
        if self.stop_code == "UserInitiated" and self.last_status == "DEPROVISIONING":
            container_status = "RUNNING"
        containers = []
        for cdef in self.td.container_definitions:
            container = {
                "containerArn": f"arn:aws:ecs:{self.region}:{self.account}:container/{self.cluster.name}/{self.id}/"
                                f"{uuid.uuid5(uuid.NAMESPACE_URL, self.id + cdef['name'])}",
                "taskArn": self.arn, "name": cdef["name"], "image": cdef.get("image", ""),
                "lastStatus": container_status, "healthStatus": "UNKNOWN", "cpu": str(cdef.get("cpu", 0)),
                "networkBindings": [],
                "networkInterfaces": [] if self.last_status in ("PROVISIONING", "PENDING") else [
                    {"attachmentId": self.attachment_id, "privateIpv4Address": self.ip}],
            }
            if cdef["name"] == self.essential:
                if self.exit_code is not None:
                    container["exitCode"] = self.exit_code
                if self.reason:
                    container["reason"] = self.reason
            containers.append(container)
        details = [{"name": "subnetId", "value": self.subnet["id"]}]
        if self.last_status not in ("PROVISIONING",):
            details += [{"name": "privateIPv4Address", "value": self.ip}]
        task = {
            "attachments": [{"id": self.attachment_id, "type": "ElasticNetworkInterface",
                             "status": {"PROVISIONING": "PRECREATED", "STOPPED": "DELETED"}.get(self.last_status,
                                                                                               "ATTACHED"),
                             "details": details}],
            "attributes": [{"name": "ecs.cpu-architecture", "value": "x86_64"}],
            "availabilityZone": self.az,
            "clusterArn": self.cluster.arn,
            "containers": containers,
            "cpu": str(self.td.cpu or "256"), "memory": str(self.td.memory or "512"),
            "createdAt": self.created_at,
            "desiredStatus": self.desired_status,
            "enableExecuteCommand": False,
            "group": self.request.get("group") or f"family:{self.td.family}",
            "healthStatus": "UNKNOWN",
            "lastStatus": self.last_status,
            "launchType": "FARGATE",
            "platformVersion": FARGATE_PLATFORM,
            "platformFamily": "Linux",
            "taskArn": self.arn,
            "taskDefinitionArn": self.td.arn,
            "version": {"PROVISIONING": 1, "PENDING": 2, "RUNNING": 3, "DEPROVISIONING": 4, "STOPPED": 5}[
                self.last_status],
            "ephemeralStorage": {"sizeInGiB": 20},
            "overrides": {"containerOverrides": [dict(o) for o in (self.request.get("overrides") or {}).get(
                "containerOverrides") or []], "inferenceAcceleratorOverrides": []},
        }
        strategy = self.request.get("capacityProviderStrategy")
        if strategy:
            task["capacityProviderName"] = strategy[0]["capacityProvider"]
        if self.request.get("startedBy"):
            task["startedBy"] = self.request["startedBy"]
        if self.last_status not in ("PROVISIONING", "PENDING"):
            task["connectivity"], task["connectivityAt"] = "CONNECTED", self.created_at
        for key, value in (("startedAt", self.started_at), ("pullStartedAt", self.started_at),
                           ("pullStoppedAt", self.started_at), ("stoppingAt", self.stopping_at),
                           ("stoppedAt", self.stopped_at), ("executionStoppedAt", self.stopped_at),
                           ("stoppedReason", self.stopped_reason), ("stopCode", self.stop_code)):
            if value:
                task[key] = value
        if include_tags:
            task["tags"] = list(self.request.get("tags") or [])
        return task

    def summary(self):
        return {"task_arn": self.arn, "cluster": self.cluster.name, "task_definition": self.td.arn,
                "command": self.command(), "client_token": self.request.get("clientToken"),
                "subnets": ((self.request.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}).get(
                    "subnets"),
                "security_groups": ((self.request.get("networkConfiguration") or {}).get(
                    "awsvpcConfiguration") or {}).get("securityGroups"),
                "started_by": self.request.get("startedBy"), "az": self.az, "last_status": self.last_status,
                "exit_code": self.exit_code, "stop_code": self.stop_code}


def _rule(command):
    key = json.dumps(command)
    return STATE.rules.get(key) or STATE.rules.get("null") or {"exit_code": 0}


def _subnet(account, region, subnet_ids):
    """(subnet {"id", "ip"}, AZ) of the first given subnet whose AZ is not impaired, or (None, None)."""
    import ipaddress
    ec2 = _backend("ec2", account, region)
    for subnet_id in subnet_ids:
        subnet = ec2.get_subnet(subnet_id)
        if subnet.availability_zone in WORLD.impaired:
            continue
        network = ipaddress.ip_network(subnet.cidr_block)
        return ({"id": subnet_id, "ip": lambda index, net=network: str(
            net.network_address + (index % (net.num_addresses - 5)) + 4)}, subnet.availability_zone)
    return None, None


def _ours(refs):
    return [STATE.tasks[ref.split("/")[-1]] for ref in refs if ref.split("/")[-1] in STATE.tasks]


@patcher
def patch_run_task():
    from moto.ecs.responses import EC2ContainerServiceResponse as R

    if not hasattr(R, "__faithful_original_stop_task__"):
        raise RuntimeError("run_task.py patches on top of ecs.py's DescribeTasks/ListTasks/StopTask: load ecs first")
    previous = {name: getattr(R, name) for name in ("run_task", "describe_tasks", "list_tasks", "stop_task")}

    def run_task(self):
        with LOCK:
            account, region = self.current_account, self.region
            request = self._get_params()
            backend = self.ecs_backend
            cluster = backend._get_cluster(request.get("cluster") or "default")
            td = backend.describe_task_definition(request["taskDefinition"])
            network = (request.get("networkConfiguration") or {}).get("awsvpcConfiguration")
            if td.network_mode != "awsvpc" or request.get("launchType") == "EC2":
                return previous["run_task"](self)
            if request.get("launchType") and request.get("capacityProviderStrategy"):
                raise _ecs_error("InvalidParameterException", "Specifying both a launch type and capacity provider "
                                 "strategy is not supported. Remove one and try again.")
            if not network:
                raise _ecs_error("InvalidParameterException", "Network Configuration must be provided when "
                                 "networkMode 'awsvpc' is specified.")
            if not network.get("subnets"):
                raise _ecs_error("InvalidParameterException", "subnets can not be empty.")
            count = int(request.get("count") or 1)
            if not 1 <= count <= 10:
                raise _ecs_error("InvalidParameterException", "count must be between 1 and 10.")
            names = {c["name"] for c in td.container_definitions}
            for override in (request.get("overrides") or {}).get("containerOverrides") or []:
                if override.get("name") not in names:
                    raise _ecs_error("InvalidParameterException", f"Override for container named "
                                     f"{override.get('name')} is not a container in the TaskDefinition.")
            token = request.get("clientToken")
            fingerprint = json.dumps(dict(request, clientToken=None), sort_keys=True, default=str)
            key = (account, region, cluster.name, token)
            if token and key in STATE.tokens:
                first, ids = STATE.tokens[key]
                if first != fingerprint:
                    err = _ecs_error("ConflictException", "The specified client token has already been used in "
                                     "another request with different parameters.")
                    err.resourceIds = [STATE.tasks[i].arn for i in ids]
                    raise err
                return checked("ecs", "RunTask", {"tasks": [STATE.tasks[i].render() for i in ids], "failures": []})
            subnet, az = _subnet(account, region, network["subnets"])
            if subnet is None:
                return checked("ecs", "RunTask", {"tasks": [], "failures": [
                    {"arn": cluster.arn, "reason": CAPACITY}] * count})
            started = []
            for _ in range(count):
                task = OneOff(account, region, cluster, td, request, subnet, az, {})
                task.rule = _rule(task.command())
                STATE.tasks[task.id] = task
                started.append(task)
            if token:
                STATE.tokens[key] = (fingerprint, [t.id for t in started])
            return checked("ecs", "RunTask", {"tasks": [t.render() for t in started], "failures": []})

    def describe_tasks(self):
        with LOCK:
            wanted = self._get_param("tasks", [])
            ours = _ours(wanted)
            if not ours:
                return previous["describe_tasks"](self)
            include_tags = "TAGS" in (self._get_param("include") or [])
            for task in ours:
                task.step()
            found = [t.render(include_tags) for t in ours]
            rest = [ref for ref in wanted if ref.split("/")[-1] not in STATE.tasks]
            if not rest:
                return checked("ecs", "DescribeTasks", {"tasks": found, "failures": []})
            get = self._get_param
            self._get_param = lambda name, default=None: rest if name == "tasks" else get(name, default)
            try:
                other = previous["describe_tasks"](self)
            finally:
                self._get_param = get
            from moto.core.responses import ActionResult
            return ActionResult({"tasks": found + list(other.result["tasks"]), "failures": other.result["failures"]})

    def list_tasks(self):
        with LOCK:
            answer = previous["list_tasks"](self)
            if self._get_param("serviceName"):
                return answer
            cluster = self._get_param("cluster", "default").split("/")[-1]
            desired = self._get_param("desiredStatus") or "RUNNING"
            started_by, family = self._get_param("startedBy"), self._get_param("family")
            mine = [t.arn for t in STATE.tasks.values()
                    if t.cluster.name == cluster and t.account == self.current_account and t.region == self.region
                    and t.desired_status == desired and (not started_by or t.request.get("startedBy") == started_by)
                    and (not family or t.td.family == family)]
            return checked("ecs", "ListTasks", {"taskArns": list(answer.result["taskArns"]) + mine})

    def stop_task(self):
        with LOCK:
            ours = _ours([self._get_param("task")])
            if not ours:
                return previous["stop_task"](self)
            ours[0].stop(self._get_param("reason"))
            return checked("ecs", "StopTask", {"task": ours[0].render()})

    R.run_task, R.describe_tasks, R.list_tasks, R.stop_task = run_task, describe_tasks, list_tasks, stop_task


@route("POST", "run-task/commands")
def set_command(body):
    """``{"command": [...] | null, "exit_code", "log_lines", "running_polls", "start_failure"}``: what tasks running
    that command do from now on."""
    command = body.get("command")
    if command is not None and (not isinstance(command, list) or not all(isinstance(c, str) for c in command)):
        return 400, {"error": "command: a list of strings, or null for any command"}
    rule = {"exit_code": int(body.get("exit_code", 0)), "log_lines": [str(x) for x in body.get("log_lines") or []],
            "running_polls": max(1, int(body.get("running_polls", 1))), "start_failure": body.get("start_failure")}
    STATE.rules[json.dumps(command)] = rule
    return 200, {"rules": [dict(r, command=json.loads(k)) for k, r in STATE.rules.items()]}


@route("POST", "run-task/commands/clear")
def clear_commands(_body):
    STATE.rules.clear()
    return 200, {"rules": []}


@route("GET", "run-task/runs")
def runs(_body):
    with LOCK:
        return 200, {"runs": [t.summary() for t in sorted(STATE.tasks.values(), key=lambda t: t.created_at)]}
