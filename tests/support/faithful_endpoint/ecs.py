"""The faithful endpoint: ecs (see __init__.py)."""
import ipaddress
import json
import math
import uuid

from .core import (DEFAULT_DEPLOYMENT_CONFIGURATION, DEPLOYING_FIELDS, FARGATE_PLATFORM, LOCK, PLACEMENT_FAILURE, STEADY,
                   TICK_HOOKS, WORLD, _backend, _deep_merge, _deployment_id, _ecs_error, _iam, _namespace,
                   _sorted_network, checked, now, sc_endpoints, patcher)
from .elbv2 import forwarded_target_groups
from .iam import _create_ecs_slr


# ----------------------------------------------------------------------------------------------- the model

def write_awslogs(account, region, td, task_id, lines, containers=None):
    """Each container's awslogs stream (``<prefix>/<container>/<task id>``) of task definition ``td`` (moto's) gets
    ``lines`` (CloudWatch Logs backend), as the awslogs driver would; only ``containers`` when given."""
    if not lines:
        return
    logs = _backend("logs", account, region)
    for cdef in (td.container_definitions if td else []):
        conf = cdef.get("logConfiguration") or {}
        options = conf.get("options") or {}
        if conf.get("logDriver") != "awslogs" or "awslogs-group" not in options:
            continue
        if containers is not None and cdef["name"] not in containers:
            continue
        group = options["awslogs-group"]
        stream = f"{options.get('awslogs-stream-prefix', 'ecs')}/{cdef['name']}/{task_id}"
        if group not in logs.groups:
            if str(options.get("awslogs-create-group", "")).lower() != "true":
                continue
            logs.create_log_group(group, {})
        logs.ensure_log_stream(group, stream)
        stamp = int(now().timestamp() * 1000)
        logs.put_log_events(group, stream, [{"timestamp": stamp + i, "message": line}
                                            for i, line in enumerate(lines)])


class FxTask:
    def __init__(self, service, deployment, subnet, az, fail):
        self.service = service
        self.id = uuid.uuid4().hex
        self.arn = f"arn:aws:ecs:{service.region}:{service.account}:task/{service.cluster}/{self.id}"
        self.deployment_id = deployment.id
        self.task_definition_arn = deployment.config["taskDefinition"]
        self.capacity_provider = deployment.capacity_provider()
        self.subnet = subnet
        self.az = az
        self.fail = fail  # the fail spec it was started under, or None
        self.last_status = "PENDING"
        self.desired_status = "RUNNING"
        self.created_at = now()
        self.started_at = self.stopping_at = self.stopped_at = None
        self.ticks_running = 0
        self.running_tick = None  # WORLD.ticks when it turned RUNNING
        self.unhealthy_ticks = 0
        self.replacing = False  # ECS judged it unhealthy: it is replaced first, stopped once a replacement is healthy
        self.health = "UNKNOWN"
        self.stopped_reason = self.stop_code = None
        self.exit = {}  # container name -> (exit code, reason)
        self.load_balancers = list(deployment.config.get("loadBalancers") or [])
        self.ip, self.eni_id, self.mac, self.dns = self._eni(deployment)
        self.attachment_id = str(uuid.uuid4())
        # Service Connect: what this task serves ({(namespace ARN, discovery name)}, registered while it runs) and
        # the endpoints it resolved when it started ({"dnsName:port": discovery name}); later ones it never sees.
        sc = deployment.config.get("serviceConnectConfiguration") or {}
        self.sc_namespace = sc.get("namespace") if sc.get("enabled") else None
        self.sc_serves = {(self.sc_namespace, d) for d in service.sc_aliases(deployment.config).values()}
        self.sc_resolved = service.sc_view(self.sc_namespace) if self.sc_namespace else {}

    def _eni(self, deployment):
        ec2 = _backend("ec2", self.service.account, self.service.region)
        subnet = ec2.get_subnet(self.subnet)
        network = ipaddress.ip_network(subnet.cidr_block)
        index = WORLD.ip_counter.get(self.subnet, 10)
        WORLD.ip_counter[self.subnet] = index + 1
        ip = str(network.network_address + (index % (network.num_addresses - 5)) + 4)
        groups = ((deployment.config.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}).get(
            "securityGroups") or []
        try:
            eni = ec2.create_network_interface(subnet=self.subnet, private_ip_address=ip, group_ids=groups,
                                               description=f"arn:aws:ecs:{self.service.region}:"
                                                           f"{self.service.account}:attachment/{uuid.uuid4()}")
            eni.status = "in-use"
            return ip, eni.id, eni.mac_address, eni.private_dns_name
        except Exception:  # noqa: BLE001 - an ENI is decoration; the task works without one
            return ip, "eni-" + uuid.uuid4().hex[:17], "02:00:00:00:00:00", f"ip-{ip.replace('.', '-')}.ec2.internal"

    def _release_eni(self):
        try:
            _backend("ec2", self.service.account, self.service.region).delete_network_interface(self.eni_id)
        except Exception:  # noqa: BLE001
            pass

    @property
    def live(self):
        return self.last_status != "STOPPED"

    def healthy(self):
        """Counts as healthy for the deployment (running, targets healthy)."""
        if self.last_status != "RUNNING" or self.desired_status != "RUNNING":
            return False
        if self.fail and self.fail.get("health_check"):
            return False
        if self.load_balancers:
            return self.ticks_running >= 1 and self.az not in WORLD.impaired
        return True

    def target_state(self):
        """(state, reason, description) of this task's targets, or None when it has none."""
        if not self.load_balancers or self.last_status in ("PENDING", "STOPPED"):
            return None
        if self.last_status == "DEACTIVATING":
            return "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"
        if self.az in WORLD.impaired or (self.fail and self.fail.get("health_check") and self.ticks_running >= 1):
            return "unhealthy", "Target.Timeout", "Request timed out"
        if self.ticks_running < 1:
            return "initial", "Elb.RegistrationInProgress", "Target registration is in progress"
        return "healthy", None, None

    def stop(self, reason, code="ServiceSchedulerInitiated"):
        if self.desired_status == "STOPPED" and self.stopped_reason:
            return
        self.desired_status = "STOPPED"
        self.stopped_reason = reason
        self.stop_code = code
        self.stopping_at = now()
        if self.last_status == "RUNNING":
            self.last_status = "DEACTIVATING"
        else:
            self._stopped()

    def _stopped(self):
        self.last_status = "STOPPED"
        self.stopped_at = now()
        self._release_eni()

    def _exit_failed(self):
        """The fail spec's essential container exits: the task stops, its logs are written."""
        spec = self.fail
        essential = self.service.essential_container(self.task_definition_arn)
        self.exit[essential] = (int(spec.get("exit_code", 1)), spec.get("reason"))
        self.started_at = self.started_at or now()
        self.stop("Essential container in task exited", "EssentialContainerExited")
        self._stopped()
        self.service.write_logs(self, spec.get("log_lines") or [])

    def advance(self):
        """Step 1 of a tick for this task; returns 'failed' when it failed."""
        if self.last_status == "DEACTIVATING":
            self._stopped()
            return None
        if self.last_status == "PENDING":
            if self.fail and not self.fail.get("health_check"):
                self._exit_failed()
                return "failed"
            self.last_status = "RUNNING"
            self.running_tick = WORLD.ticks
            self.started_at = now()
            self.health = "UNKNOWN"
            return "started"
        if self.last_status == "RUNNING" and self.desired_status == "RUNNING":
            self.ticks_running += 1
            if self.fail and self.fail.get("health_check"):
                self.health = "UNHEALTHY"
                if self.ticks_running >= 2:
                    self.service.write_logs(self, self.fail.get("log_lines") or [])
                    self.stop("Task failed container health checks", "TaskFailedToStart")
                    return "failed"
                return None
            self.health = "HEALTHY" if self.service.has_health_check(self.task_definition_arn) else "UNKNOWN"
            if self.load_balancers and self.az in WORLD.impaired:
                self.unhealthy_ticks += 1
                if self.unhealthy_ticks >= 2 and not self.replacing:
                    self.replacing = True
                    return "unhealthy"
            else:
                self.unhealthy_ticks = 0
                self.replacing = False
        return None

    def render(self, include_tags=False):
        svc = self.service
        td = svc.task_definition(self.task_definition_arn)
        containers = []
        for cdef in (td.container_definitions if td else []):
            name = cdef["name"]
            container = {
                "containerArn": f"arn:aws:ecs:{svc.region}:{svc.account}:container/{svc.cluster}/{self.id}/"
                                f"{uuid.uuid5(uuid.NAMESPACE_URL, self.id + name)}",
                "taskArn": self.arn,
                "name": name,
                "image": cdef.get("image", ""),
                "lastStatus": {"DEACTIVATING": "RUNNING"}.get(self.last_status, self.last_status),
                "networkInterfaces": [{"attachmentId": self.attachment_id, "privateIpv4Address": self.ip}],
                "healthStatus": self.health if cdef.get("healthCheck") or (self.fail and self.fail.get(
                    "health_check")) else "UNKNOWN",
                "cpu": str(cdef.get("cpu", 0)),
                "networkBindings": [],
            }
            if cdef.get("memory"):
                container["memory"] = str(cdef["memory"])
            if self.last_status == "STOPPED":
                code, reason = self.exit.get(name, (0, None))
                container["exitCode"] = code
                if reason:
                    container["reason"] = reason
            containers.append(container)
        details = [{"name": "subnetId", "value": self.subnet},
                   {"name": "networkInterfaceId", "value": self.eni_id},
                   {"name": "macAddress", "value": self.mac},
                   {"name": "privateDnsName", "value": self.dns},
                   {"name": "privateIPv4Address", "value": self.ip}]
        task = {
            "attachments": [{"id": self.attachment_id, "type": "ElasticNetworkInterface",
                             "status": "DELETED" if self.last_status == "STOPPED" else "ATTACHED",
                             "details": details}],
            "attributes": [{"name": "ecs.cpu-architecture", "value": "x86_64"}],
            "availabilityZone": self.az,
            "clusterArn": svc.cluster_arn,
            "connectivity": "CONNECTED",
            "connectivityAt": self.created_at,
            "containers": containers,
            "cpu": str(td.cpu) if td and td.cpu else "256",
            "memory": str(td.memory) if td and td.memory else "512",
            "createdAt": self.created_at,
            "desiredStatus": self.desired_status,
            "enableExecuteCommand": False,
            "group": f"service:{svc.name}",
            "healthStatus": self.health,
            "lastStatus": self.last_status,
            "launchType": "FARGATE",
            "platformVersion": FARGATE_PLATFORM,
            "platformFamily": "Linux",
            "startedBy": self.deployment_id,
            "taskArn": self.arn,
            "taskDefinitionArn": self.task_definition_arn,
            "version": {"PENDING": 1, "RUNNING": 2, "DEACTIVATING": 3, "STOPPED": 4}[self.last_status],
            "ephemeralStorage": {"sizeInGiB": 20},
            "overrides": {"containerOverrides": [{"name": c["name"]} for c in containers], "inferenceAcceleratorOverrides": []},
        }
        if self.capacity_provider:
            task["capacityProviderName"] = self.capacity_provider
        for key, value in (("startedAt", self.started_at), ("stoppingAt", self.stopping_at),
                           ("stoppedAt", self.stopped_at), ("executionStoppedAt", self.stopped_at),
                           ("stoppedReason", self.stopped_reason), ("stopCode", self.stop_code)):
            if value:
                task[key] = value
        if self.started_at:
            task["pullStartedAt"] = task["pullStoppedAt"] = self.started_at
        if include_tags:
            task["tags"] = []
        return task


class FxDeployment:
    def __init__(self, config, desired, rollback_of=None):
        self.id = _deployment_id()
        self.status = "PRIMARY"
        self.config = config  # the deploying fields (DEPLOYING_FIELDS + capacityProviderStrategy)
        self.desired = desired
        self.failed = 0
        self.rollout = "IN_PROGRESS"
        self.reason = f"ECS deployment {self.id} in progress."
        self.created_at = self.updated_at = now()
        self.rollback_of = rollback_of
        self.fresh = False

    def capacity_provider(self):
        strategy = self.config.get("capacityProviderStrategy") or []
        if not strategy:
            return None
        based = [c for c in strategy if c.get("base")]
        return (based or sorted(strategy, key=lambda c: -c.get("weight", 0)))[0]["capacityProvider"]

    def render(self, tasks, sc_resources):
        mine = [t for t in tasks if t.deployment_id == self.id]
        out = {
            "id": self.id,
            "status": self.status,
            "taskDefinition": self.config["taskDefinition"],
            "desiredCount": self.desired if self.status == "PRIMARY" else sum(
                1 for t in mine if t.desired_status == "RUNNING"),
            "pendingCount": sum(1 for t in mine if t.last_status == "PENDING"),
            "runningCount": sum(1 for t in mine if t.last_status == "RUNNING"),
            "failedTasks": self.failed,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "platformVersion": FARGATE_PLATFORM,
            "platformFamily": "Linux",
            "rolloutState": self.rollout,
            "rolloutStateReason": self.reason,
        }
        if self.config.get("capacityProviderStrategy"):
            out["capacityProviderStrategy"] = self.config["capacityProviderStrategy"]
        else:
            out["launchType"] = self.config.get("launchType") or "FARGATE"
        if self.config.get("networkConfiguration"):
            out["networkConfiguration"] = self.config["networkConfiguration"]
        sc = self.config.get("serviceConnectConfiguration")
        if sc:
            out["serviceConnectConfiguration"] = sc
            resources = [r for r in sc_resources if r["discoveryName"] in {
                e.get("discoveryName") or e["portName"] for e in sc.get("services") or []}]
            if resources and sc.get("enabled"):
                out["serviceConnectResources"] = resources
        return out


class FxService:
    def __init__(self, account, region, moto_service, request):
        self.account = account
        self.region = region
        self.moto = moto_service
        self.cluster = moto_service.cluster_name
        self.cluster_arn = moto_service.cluster_arn
        self.name = moto_service.name
        self.arn = moto_service.arn
        self.status = "ACTIVE"
        self.desired = int(request.get("desiredCount") or 0)
        self.created_at = now()
        self.events = []
        self.tasks = []
        self.deployments = []
        self.last_completed = None
        self.sc_resources = []  # {"discoveryName", "discoveryArn"} Service Connect created for this service
        self.props = {
            "deploymentConfiguration": _deep_merge(DEFAULT_DEPLOYMENT_CONFIGURATION,
                                                   request.get("deploymentConfiguration")),
            "healthCheckGracePeriodSeconds": int(request.get("healthCheckGracePeriodSeconds") or 0),
            "availabilityZoneRebalancing": request.get("availabilityZoneRebalancing") or "ENABLED",
            "propagateTags": request.get("propagateTags") or "NONE",
            "enableECSManagedTags": bool(request.get("enableECSManagedTags", False)),
            "enableExecuteCommand": bool(request.get("enableExecuteCommand", False)),
            "schedulingStrategy": request.get("schedulingStrategy") or "REPLICA",
            "placementConstraints": request.get("placementConstraints") or [],
            "placementStrategy": request.get("placementStrategy") or [],
        }
        if request.get("role"):
            self.props["roleArn"] = request["role"]
        self.config = {}

    # ------------------------------------------------------------------ task definitions, logs
    def _ecs(self):
        return _backend("ecs", self.account, self.region)

    def task_definition(self, arn):
        try:
            return self._ecs().describe_task_definition(arn)
        except Exception:  # noqa: BLE001
            return None

    def essential_container(self, arn):
        td = self.task_definition(arn)
        defs = td.container_definitions if td else []
        for cdef in defs:
            if cdef.get("essential", True):
                return cdef["name"]
        return defs[0]["name"] if defs else "app"

    def container_port(self, arn, port_name):
        td = self.task_definition(arn)
        for cdef in (td.container_definitions if td else []):
            for mapping in cdef.get("portMappings") or []:
                if mapping.get("name") == port_name:
                    return mapping.get("containerPort")
        return None

    def has_health_check(self, arn):
        td = self.task_definition(arn)
        return bool(td and any(c.get("healthCheck") for c in td.container_definitions))

    def write_logs(self, task, lines):
        """The container's awslogs stream gets ``lines`` (CloudWatch Logs backend), as the awslogs driver would."""
        write_awslogs(self.account, self.region, self.task_definition(task.task_definition_arn), task.id, lines)

    # ------------------------------------------------------------------ events
    def event(self, message):
        self.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": now(), "message": f"(service {self.name}) {message}"})
        del self.events[100:]

    # ------------------------------------------------------------------ deployments
    @property
    def primary(self):
        return self.deployments[0] if self.deployments else None

    def deploy(self, config, rollback_of=None):
        for old in self.deployments:
            old.status = "ACTIVE"
            old.updated_at = now()
            old.fresh = True  # shown for at least one answer, even without tasks
        deployment = FxDeployment(dict(config), self.desired, rollback_of)
        if rollback_of:
            deployment.reason = f"ECS deployment circuit breaker: rolling back to deploymentId {rollback_of}."
        self.deployments.insert(0, deployment)
        return deployment

    def _threshold(self):
        return min(200, max(3, math.ceil(0.5 * self.desired)))

    def _subnet_azs(self, config):
        ec2 = _backend("ec2", self.account, self.region)
        subnets = ((config.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}).get("subnets") or []
        out = []
        for subnet_id in subnets:
            try:
                out.append((subnet_id, ec2.get_subnet(subnet_id).availability_zone))
            except Exception:  # noqa: BLE001
                continue
        return out

    def _place(self, deployment, count):
        """Start ``count`` tasks of ``deployment``; returns how many could not be placed."""
        places = [(s, az) for s, az in self._subnet_azs(deployment.config) if az not in WORLD.impaired]
        if not places:
            return count
        started = []
        per_az = {}
        for task in self.tasks:
            if task.live and task.desired_status == "RUNNING":
                per_az[task.az] = per_az.get(task.az, 0) + 1
        fail = WORLD.failing.get((self.cluster, self.name))
        for _ in range(count):
            subnet, az = min(places, key=lambda p: (per_az.get(p[1], 0), places.index(p)))
            per_az[az] = per_az.get(az, 0) + 1
            task = FxTask(self, deployment, subnet, az, None if deployment.rollback_of else fail)
            self.tasks.append(task)
            started.append(task)
        if started:
            self.event(f"has started {len(started)} tasks: " + " ".join(f"(task {t.id})" for t in started) + ".")
        return 0

    def tick(self):
        """One step (see the module docstring); then the tick hooks (reachability history) run."""
        WORLD.ticks += 1
        try:
            self._step()
        finally:
            for hook in TICK_HOOKS:
                hook()

    def _step(self):
        if self.status == "INACTIVE":
            return
        live_before = any(t.live for t in self.tasks)
        # 1. tasks move on
        registered, unhealthy = [], []
        for task in list(self.tasks):
            outcome = task.advance()
            deployment = self._deployment(task.deployment_id)
            if outcome == "failed" and deployment is not None:
                deployment.failed += 1
                deployment.updated_at = now()
            if outcome == "started" and task.load_balancers:
                registered.append(task)
            if outcome == "unhealthy":
                unhealthy.append(task)
        for arn in sorted({lb["targetGroupArn"] for t in registered for lb in t.load_balancers}):
            count = sum(1 for t in registered if any(lb["targetGroupArn"] == arn for lb in t.load_balancers))
            self.event(f"registered {count} targets in (target-group {arn})")
        for task in unhealthy:
            lb = task.load_balancers[0]
            self.event(f"(task {task.id}) (port {lb.get('containerPort')}) is unhealthy in (target-group "
                       f"{lb['targetGroupArn']}) due to (reason Request timed out).")
        primary = self.primary
        if self.status == "DRAINING":
            for task in self.tasks:
                if task.live:
                    task.stop("Scaling activity initiated by (deployment %s)" % task.deployment_id)
            if not live_before:
                self.status = "INACTIVE"
                self.deployments = [d for d in self.deployments if d.status == "PRIMARY"]
            return
        if primary is None:
            return
        dconf = self.props["deploymentConfiguration"]
        # 2. the circuit breaker
        breaker = dconf.get("deploymentCircuitBreaker") or {}
        if primary.rollout == "IN_PROGRESS" and breaker.get("enable") and primary.failed >= self._threshold():
            self.fail_primary("ECS deployment circuit breaker: tasks failed to start.", "tasks failed to start",
                              breaker.get("rollback"))
            primary = self.primary
        # 3. the PRIMARY deployment starts or stops tasks
        primary.desired = self.desired
        #    (since October 2023 an unhealthy task is replaced first, within maximumPercent, and stopped once a
        #    replacement is healthy: it does not count towards the tasks the deployment has)
        mine = [t for t in self.tasks if t.deployment_id == primary.id and t.live and t.desired_status == "RUNNING"]
        unhealthy = [t for t in mine if t.replacing]
        need = self.desired - (len(mine) - len(unhealthy))
        live_all = sum(1 for t in self.tasks if t.live and t.desired_status == "RUNNING")
        if primary.rollout != "FAILED" and need > 0:
            room = max(0, math.floor(self.desired * dconf.get("maximumPercent", 200) / 100) - live_all)
            count = min(need, room) if room else 0
            if count:
                unplaced = self._place(primary, count)
                if unplaced:
                    self.event(PLACEMENT_FAILURE)
                    if primary.rollout == "IN_PROGRESS":
                        primary.failed += unplaced
                        primary.updated_at = now()
        elif need < 0:
            surplus = sorted(mine, key=lambda t: (not t.replacing, t.last_status == "RUNNING",
                                                  t.created_at))[:-need]
            for task in surplus:
                task.stop(f"Scaling activity initiated by (deployment {primary.id})")
            if surplus:
                self.event(f"has stopped {len(surplus)} running tasks: " +
                           " ".join(f"(task {t.id})" for t in surplus) + ".")
        if unhealthy:
            self._stop_replaced(unhealthy, mine, live_all)
        # 4. older deployments' tasks stop as far as minimumHealthyPercent allows
        if primary.rollout != "FAILED":
            old = [t for t in self.tasks if t.deployment_id != primary.id and t.live and t.desired_status == "RUNNING"]
            healthy_primary = sum(1 for t in self.tasks if t.deployment_id == primary.id and t.healthy())
            old_running = [t for t in old if t.last_status == "RUNNING"]
            floor_count = math.ceil(self.desired * dconf.get("minimumHealthyPercent", 100) / 100)
            can_stop = len(old) - len(old_running) + max(0, healthy_primary + len(old_running) - floor_count)
            victims = sorted(old, key=lambda t: (t.last_status == "RUNNING", t.created_at))[:max(0, can_stop)]
            for task in victims:
                task.stop(f"Scaling activity initiated by (deployment {primary.id})")
            if victims:
                self.event(f"has stopped {len(victims)} running tasks: " +
                           " ".join(f"(task {t.id})" for t in victims) + ".")
                for lb in {lb["targetGroupArn"] for t in victims for lb in t.load_balancers}:
                    self.event(f"deregistered {sum(1 for t in victims if t.load_balancers)} targets in "
                               f"(target-group {lb})")
        for deployment in self.deployments[1:]:
            if not deployment.fresh and not any(t.live for t in self.tasks if t.deployment_id == deployment.id):
                self.deployments.remove(deployment)
            deployment.fresh = False
        # 5. steady state
        healthy = [t for t in self.tasks if t.deployment_id == primary.id and t.healthy()]
        pending = [t for t in self.tasks if t.deployment_id == primary.id and t.live and not t.healthy()
                   and t.desired_status == "RUNNING"]
        if len(self.deployments) == 1 and len(healthy) == self.desired and not pending:
            if primary.rollout == "IN_PROGRESS":
                primary.rollout = "COMPLETED"
                primary.reason = f"ECS deployment {primary.id} completed."
                primary.updated_at = now()
                self.last_completed = (primary.id, dict(primary.config))
                self.event(STEADY)
            elif primary.rollout == "COMPLETED" and not self.events[0]["message"].endswith(STEADY):
                self.event(STEADY)

    def fail_primary(self, reason, why, rollback, cause="ECS deployment circuit breaker"):
        """The PRIMARY deployment FAILED (``reason``: its rolloutStateReason; ``why``: the event's words); with
        ``rollback`` and a COMPLETED deployment to go back to (the failed one is no rollback itself), a new PRIMARY
        with that deployment's configuration (rolloutStateReason '<cause>: rolling back to deploymentId ...')."""
        primary = self.primary
        primary.rollout = "FAILED"
        primary.reason = reason
        primary.updated_at = now()
        self.event(f"(deployment {primary.id}) deployment failed: {why}.")
        if rollback and self.last_completed and not primary.rollback_of:
            target_id, config = self.last_completed
            self.config = dict(self.config, **config)
            self.event(f"(deployment {primary.id}) rolling back to deployment {target_id}.")
            self.deploy(config, rollback_of=target_id)
            self.primary.reason = f"{cause}: rolling back to deploymentId {target_id}."
            self.moto.task_definition = config["taskDefinition"]

    def _stop_replaced(self, unhealthy, mine, live_all):
        """Unhealthy PRIMARY tasks stop once as many replacements are healthy; when maximumPercent leaves no room
        for a replacement, one stops per tick as far as minimumHealthyPercent allows (botocore's
        DeploymentConfiguration documentation)."""
        dconf = self.props["deploymentConfiguration"]
        healthy = sum(1 for t in mine if not t.replacing and t.healthy())
        count = healthy + len(unhealthy) - self.desired
        if live_all >= math.floor(self.desired * dconf.get("maximumPercent", 200) / 100) and count <= 0:
            floor_count = math.ceil(self.desired * dconf.get("minimumHealthyPercent", 100) / 100)
            count = 1 if live_all - 1 >= floor_count else 0
        victims = [t for t in unhealthy if t.last_status == "RUNNING"][:max(0, count)]
        for task in victims:
            task.stop(f"Task failed ELB health checks in (target-group {task.load_balancers[0]['targetGroupArn']})")
        if victims:
            self.event(f"has stopped {len(victims)} running tasks: " + " ".join(f"(task {t.id})" for t in victims)
                       + ".")

    def _deployment(self, deployment_id):
        return next((d for d in self.deployments if d.id == deployment_id), None)

    # ------------------------------------------------------------------ Service Connect
    def sc_aliases(self, config):
        """{"dnsName:port": discovery name} the server entries of a deployment config offer to clients: each client
        alias (dnsName defaults to the discovery name), or discoveryName:containerPort when it has none."""
        sc = config.get("serviceConnectConfiguration") or {}
        if not sc.get("enabled"):
            return {}
        out = {}
        for entry in sc.get("services") or []:
            discovery = entry.get("discoveryName") or entry["portName"]
            for alias in entry.get("clientAliases") or []:
                out[f"{alias.get('dnsName') or discovery}:{alias['port']}"] = discovery
            if not entry.get("clientAliases"):
                port = self.container_port(config.get("taskDefinition"), entry["portName"])
                if port:
                    out[f"{discovery}:{port}"] = discovery
        return out

    def sc_view(self, namespace):
        """{"dnsName:port": discovery name}: the endpoints the OTHER live ECS services serve in ``namespace`` now
        (their PRIMARY deployment's server entries, and those of older deployments that still have running
        tasks): what a Service Connect task of this service resolves when it starts."""
        out = {}
        for key, other in WORLD.services.items():
            if key[:2] != (self.account, self.region) or other is self or other.status == "INACTIVE":
                continue
            for index, deployment in enumerate(other.deployments):
                sc = deployment.config.get("serviceConnectConfiguration") or {}
                if sc.get("namespace") != namespace:
                    continue
                if index and not any(t.last_status == "RUNNING" for t in other.tasks
                                     if t.deployment_id == deployment.id):
                    continue
                out.update(other.sc_aliases(deployment.config))
        return out

    def served(self):
        """Endpoints this service still serves: its PRIMARY config's, and draining deployments' with tasks."""
        if self.status == "INACTIVE" or not self.deployments:
            return set(), None
        primary = self.primary
        keys = set(sc_endpoints(primary.config.get("serviceConnectConfiguration")))
        namespace = (primary.config.get("serviceConnectConfiguration") or {}).get("namespace")
        for deployment in self.deployments[1:]:
            if any(t.live and t.last_status == "RUNNING" for t in self.tasks if t.deployment_id == deployment.id):
                keys |= sc_endpoints(deployment.config.get("serviceConnectConfiguration"))
        return keys, namespace

    # ------------------------------------------------------------------ rendering
    def render(self, include_tags=False):
        running = sum(1 for t in self.tasks if t.last_status == "RUNNING")
        pending = sum(1 for t in self.tasks if t.last_status == "PENDING")
        out = {
            "serviceArn": self.arn,
            "serviceName": self.name,
            "clusterArn": self.cluster_arn,
            "loadBalancers": self.config.get("loadBalancers") or [],
            "serviceRegistries": self.config.get("serviceRegistries") or [],
            "status": self.status,
            "desiredCount": self.desired,
            "runningCount": running,
            "pendingCount": pending,
            "platformFamily": "Linux",
            "taskDefinition": self.config.get("taskDefinition"),
            "deploymentConfiguration": self.props["deploymentConfiguration"],
            "deployments": [d.render(self.tasks, self.sc_resources) for d in self.deployments],
            "events": list(self.events),
            "createdAt": self.created_at,
            "placementConstraints": self.props["placementConstraints"],
            "placementStrategy": self.props["placementStrategy"],
            "healthCheckGracePeriodSeconds": self.props["healthCheckGracePeriodSeconds"],
            "schedulingStrategy": self.props["schedulingStrategy"],
            "deploymentController": {"type": "ECS"},
            "createdBy": f"arn:aws:iam::{self.account}:root",
            "enableECSManagedTags": self.props["enableECSManagedTags"],
            "propagateTags": self.props["propagateTags"],
            "enableExecuteCommand": self.props["enableExecuteCommand"],
            "availabilityZoneRebalancing": self.props["availabilityZoneRebalancing"],
        }
        if self.config.get("capacityProviderStrategy"):
            out["capacityProviderStrategy"] = self.config["capacityProviderStrategy"]
        else:
            out["launchType"] = self.config.get("launchType") or "FARGATE"
        out["platformVersion"] = self.config.get("platformVersion") or "LATEST"
        if self.config.get("networkConfiguration"):
            out["networkConfiguration"] = self.config["networkConfiguration"]
        if self.props.get("roleArn"):
            out["roleArn"] = self.props["roleArn"]
        if self.primary:
            out["currentServiceDeployment"] = (f"arn:aws:ecs:{self.region}:{self.account}:service-deployment/"
                                               f"{self.cluster}/{self.name}/{self.primary.id.split('/')[-1]}")
        if include_tags:
            out["tags"] = list(self.moto.tags or [])
        if out["taskDefinition"] is None:
            del out["taskDefinition"]
        return out

    def dump(self):
        return {
            "cluster": self.cluster, "name": self.name, "status": self.status, "desiredCount": self.desired,
            "deployments": [{"id": d.id, "status": d.status, "rolloutState": d.rollout, "failedTasks": d.failed,
                             "taskDefinition": d.config.get("taskDefinition"), "rollbackOf": d.rollback_of,
                             "serviceConnect": sorted(sc_endpoints(d.config.get("serviceConnectConfiguration")))}
                            for d in self.deployments],
            "tasks": [{"id": t.id, "deployment": t.deployment_id, "lastStatus": t.last_status,
                       "desiredStatus": t.desired_status, "az": t.az, "ip": t.ip, "target": (t.target_state() or
                                                                                        [None])[0],
                       "stoppedReason": t.stopped_reason} for t in self.tasks],
            "events": [e["message"] for e in self.events[:10]],
        }


# ----------------------------------------------------------------------------------------------- ECS handlers

def _key(account, region, cluster, name):
    return (account, region, cluster, name)


def _fx(account, region, moto_service):
    return WORLD.services.get(_key(account, region, moto_service.cluster_name, moto_service.name))


def _normalize_sc(account, region, cluster, sc):
    if sc is None:
        return None
    sc = json.loads(json.dumps(sc))
    if not sc.get("enabled"):
        return {"enabled": False}
    namespace = sc.get("namespace") or (cluster.service_connect_defaults or {}).get("namespace")
    if not namespace:
        raise _ecs_error("InvalidParameterException",
                         "Service Connect namespace must be specified when the cluster has no default namespace.")
    ns = _namespace(account, region, namespace)
    if ns is None:
        raise _ecs_error("NamespaceNotFoundException", f"Namespace {namespace} not found.")
    sc["namespace"] = ns.arn
    return sc


def _check_sc_free(account, region, sc, exclude=None):
    """AWS's error when another live ECS service still serves a name or alias of ``sc`` in its namespace."""
    wanted = sc_endpoints(sc)
    if not wanted:
        return
    for key, other in WORLD.services.items():
        if key[:2] != (account, region) or other is exclude:
            continue
        served, _ = other.served()
        namespaces = {(d.config.get("serviceConnectConfiguration") or {}).get("namespace") for d in other.deployments}
        clash = sorted(wanted & served) if sc["namespace"] in namespaces else []
        if clash:
            raise _ecs_error("InvalidParameterException",
                             f"SC service is already used by {sc['namespace']} "
                             f"(discovery name or alias {clash[0]!r} is served by service {other.name}).")


def _ensure_cloud_map(fx, sc):
    """Cloud Map services for the server entries of ``sc`` (created once, kept after the ECS service goes)."""
    if not sc or not sc.get("enabled"):
        return
    sd = _backend("servicediscovery", fx.account, fx.region)
    ns = _namespace(fx.account, fx.region, sc["namespace"])
    for entry in sc.get("services") or []:
        discovery = entry.get("discoveryName") or entry["portName"]
        existing = next((s for s in sd.services.values() if s.namespace_id == ns.id and s.name == discovery), None)
        if existing is None:
            existing = sd.create_service(name=discovery, namespace_id=ns.id, creator_request_id=str(uuid.uuid4()),
                                         description="Managed by arn:aws:ecs (Service Connect)", dns_config=None,
                                         health_check_config=None, health_check_custom_config=None, tags=[],
                                         service_type="HTTP")
        if not any(r["discoveryName"] == discovery for r in fx.sc_resources):
            fx.sc_resources.append({"discoveryName": discovery, "discoveryArn": existing.arn})


def _target_group_in_use(account, region, arn):
    """True when a listener (default action or rule) of some load balancer forwards to the target group."""
    return arn in forwarded_target_groups(account, region)


def _check_load_balancers(account, region, load_balancers):
    """ECS refuses a target group that no load balancer listener forwards to."""
    for entry in load_balancers or []:
        arn = entry.get("targetGroupArn")
        if arn and not _target_group_in_use(account, region, arn):
            raise _ecs_error("InvalidParameterException", f"The target group with targetGroupArn {arn} does not "
                                                          "have an associated load balancer.")


def _deploying_config(request, current=None):
    config = dict(current or {})
    for field in DEPLOYING_FIELDS + ("capacityProviderStrategy",):
        if request.get(field) is not None:
            config[field] = request[field]
    return config


@patcher
def patch_ecs():
    from moto.ecs.responses import EC2ContainerServiceResponse as R

    original_create_cluster = R.create_cluster
    original_create_service = R.create_service

    def create_cluster(self):
        if self._get_param("capacityProviders"):
            iam = _iam(self.current_account)
            if "AWSServiceRoleForECS" not in {r.name for r in iam.roles.values()}:
                _create_ecs_slr(iam)
                raise _ecs_error("InvalidParameterException", "Unable to assume the service linked role. Please "
                                 "verify that the ECS service linked role exists.")
        return original_create_cluster(self)

    def create_service(self):
        with LOCK:
            account, region = self.current_account, self.region
            request = self._get_params()
            backend = self.ecs_backend
            cluster = backend._get_cluster(request.get("cluster") or "default")
            if request.get("launchType") and request.get("capacityProviderStrategy"):
                raise _ecs_error("InvalidParameterException", "Specifying both a launch type and capacity provider "
                                 "strategy is not supported. Remove one and try again.")
            old = WORLD.services.get(_key(account, region, cluster.name, request.get("serviceName")))
            if old is not None and old.status == "DRAINING":
                raise _ecs_error("InvalidParameterException", "Unable to Start a service that is still Draining.")
            if old is not None and old.status == "ACTIVE":
                raise _ecs_error("InvalidParameterException", "Creation of service was not idempotent.")
            if not request.get("launchType") and not request.get("capacityProviderStrategy"):
                if cluster.default_capacity_provider_strategy:
                    request["capacityProviderStrategy"] = cluster.default_capacity_provider_strategy
            _check_load_balancers(account, region, request.get("loadBalancers"))
            sc = _normalize_sc(account, region, cluster, request.get("serviceConnectConfiguration"))
            if sc:
                _check_sc_free(account, region, sc)
            original_create_service(self)  # moto validates and stores; its answer is replaced below
            moto_service = backend._get_service(cluster.name, request["serviceName"])
            fx = FxService(account, region, moto_service, request)
            td = backend.describe_task_definition(request["taskDefinition"]) if request.get("taskDefinition") \
                else None
            config = _deploying_config(dict(request, serviceConnectConfiguration=sc,
                                            networkConfiguration=_sorted_network(
                                                request.get("networkConfiguration")),
                                            taskDefinition=td.arn if td else None))
            if not config.get("capacityProviderStrategy"):
                config["launchType"] = request.get("launchType") or "FARGATE"
            fx.config = config
            WORLD.services[_key(account, region, cluster.name, fx.name)] = fx
            _ensure_cloud_map(fx, sc)
            fx.deploy(config)
            return checked("ecs", "CreateService", {"service": fx.render()})

    def update_service(self):
        with LOCK:
            account, region = self.current_account, self.region
            request = self._get_params()
            backend = self.ecs_backend
            cluster = backend._get_cluster(request.get("cluster") or "default")
            moto_service = backend._get_service(cluster.name, request["service"].split("/")[-1])
            fx = _fx(account, region, moto_service)
            if fx is None:
                return R.__faithful_original_update_service__(self)
            if fx.status != "ACTIVE":
                raise _ecs_error("ServiceNotActiveException", "Service was not ACTIVE.")
            if request.get("launchType") and request.get("capacityProviderStrategy"):
                raise _ecs_error("InvalidParameterException", "Specifying both a launch type and capacity provider "
                                 "strategy is not supported. Remove one and try again.")
            _check_load_balancers(account, region, request.get("loadBalancers"))
            new = {}
            if request.get("taskDefinition"):
                new["taskDefinition"] = backend.describe_task_definition(request["taskDefinition"]).arn
            if request.get("networkConfiguration") is not None:
                moto_service._validate_network(request["networkConfiguration"])
                new["networkConfiguration"] = _sorted_network(request["networkConfiguration"])
            if request.get("serviceConnectConfiguration") is not None:
                new["serviceConnectConfiguration"] = _normalize_sc(account, region, cluster,
                                                                   request["serviceConnectConfiguration"])
                if new["serviceConnectConfiguration"].get("enabled"):
                    _check_sc_free(account, region, new["serviceConnectConfiguration"], exclude=fx)
            for field in ("loadBalancers", "platformVersion", "serviceRegistries", "capacityProviderStrategy",
                          "volumeConfigurations"):
                if request.get(field) is not None:
                    new[field] = request[field]
            if request.get("capacityProviderStrategy") is not None:
                fx.config.pop("launchType", None)
            before = {k: fx.primary.config.get(k) for k in DEPLOYING_FIELDS} if fx.primary else {}
            fx.config = _deploying_config(new, fx.config)
            props = fx.props
            if request.get("deploymentConfiguration") is not None:
                props["deploymentConfiguration"] = _deep_merge(DEFAULT_DEPLOYMENT_CONFIGURATION,
                                                               request["deploymentConfiguration"])
            for field in ("healthCheckGracePeriodSeconds", "availabilityZoneRebalancing", "propagateTags",
                          "enableECSManagedTags", "enableExecuteCommand", "placementConstraints",
                          "placementStrategy"):
                if request.get(field) is not None:
                    props[field] = request[field]
            if request.get("desiredCount") is not None:
                fx.desired = int(request["desiredCount"])
                moto_service.desired_count = fx.desired
            after = {k: fx.config.get(k) for k in DEPLOYING_FIELDS}
            if fx.primary is None or before != after or request.get("forceNewDeployment"):
                deploy_config = dict(fx.config)
                fx.deploy(deploy_config)
                moto_service.task_definition = fx.config.get("taskDefinition")
                _ensure_cloud_map(fx, fx.config.get("serviceConnectConfiguration"))
            else:
                fx.primary.desired = fx.desired
            return checked("ecs", "UpdateService", {"service": fx.render()})

    def describe_services(self):
        with LOCK:
            account, region = self.current_account, self.region
            names = self._get_param("services", [])
            include_tags = "TAGS" in (self._get_param("include") or [])
            services, failures = self.ecs_backend.describe_services(self._get_param("cluster", "default"), names)
            out = []
            for moto_service in services:
                fx = _fx(account, region, moto_service)
                if fx is None:
                    continue
                fx.tick()
                out.append(fx.render(include_tags))
            return checked("ecs", "DescribeServices", {"services": out, "failures": failures})

    def delete_service(self):
        with LOCK:
            account, region = self.current_account, self.region
            cluster = self._get_param("cluster", "default")
            moto_service = self.ecs_backend._get_service(cluster, self._get_param("service"))
            fx = _fx(account, region, moto_service)
            if fx is None or fx.status != "ACTIVE":
                if fx is not None and fx.status == "DRAINING":
                    return checked("ecs", "DeleteService", {"service": fx.render()})
                raise _ecs_error("ServiceNotActiveException", "Service was not ACTIVE.")
            if fx.desired > 0 and not self._get_param("force", False):
                raise _ecs_error("InvalidParameterException",
                                 "The service cannot be stopped while it is scaled above 0.")
            fx.desired = 0
            fx.status = "DRAINING"
            moto_service.desired_count = 0
            moto_service.status = "INACTIVE"  # moto's own view: gone from moto's bookkeeping
            for task in fx.tasks:
                if task.live:
                    task.stop(f"Scaling activity initiated by (deployment {task.deployment_id})")
            return checked("ecs", "DeleteService", {"service": fx.render()})

    def list_services(self):
        with LOCK:
            account, region = self.current_account, self.region
            arns = []
            for arn in self.ecs_backend.list_services(self._get_param("cluster", "default"),
                                                      self._get_param("schedulingStrategy"),
                                                      launch_type=self._get_param("launchType")):
                name = arn.split("/")[-1]
                cluster = arn.split("/")[-2] if arn.count("/") >= 2 else self._get_param("cluster", "default")
                fx = WORLD.services.get(_key(account, region, cluster.split("/")[-1], name))
                if fx is None or fx.status != "INACTIVE":
                    arns.append(arn)
            return checked("ecs", "ListServices", {"serviceArns": arns})

    def _fx_tasks(account, region, cluster_name):
        for key, fx in WORLD.services.items():
            if key[:3] == (account, region, cluster_name):
                yield from fx.tasks

    def list_tasks(self):
        with LOCK:
            account, region = self.current_account, self.region
            backend = self.ecs_backend
            cluster = backend._get_cluster(self._get_param("cluster", "default"))
            service = self._get_param("serviceName")
            desired = self._get_param("desiredStatus") or "RUNNING"
            started_by = self._get_param("startedBy")
            family = self._get_param("family")
            arns = []
            for task in _fx_tasks(account, region, cluster.name):
                if service and task.service.name != service.split("/")[-1]:
                    continue
                if task.desired_status != desired or (started_by and task.deployment_id != started_by):
                    continue
                if family and task.task_definition_arn.split("/")[-1].split(":")[0] != family:
                    continue
                arns.append(task.arn)
            if not service:
                arns += [t.task_arn for t in backend.list_tasks(cluster.name, self._get_param("containerInstance"),
                                                                family, started_by, None, desired)]
            return checked("ecs", "ListTasks", {"taskArns": arns})

    def describe_tasks(self):
        with LOCK:
            account, region = self.current_account, self.region
            backend = self.ecs_backend
            cluster = backend._get_cluster(self._get_param("cluster", "default"))
            wanted = self._get_param("tasks", [])
            if not wanted:
                raise _ecs_error("InvalidParameterException", "Tasks cannot be empty.")
            include_tags = "TAGS" in (self._get_param("include") or [])
            ours = {t.id: t for t in _fx_tasks(account, region, cluster.name)}
            found, failures = [], []
            rest = []
            for ref in wanted:
                task = ours.get(ref.split("/")[-1])
                if task is not None:
                    found.append(task.render(include_tags))
                else:
                    rest.append(ref)
            if rest:
                moto_tasks = backend.describe_tasks(cluster.name, rest)
                known = {t.id for t in moto_tasks}
                if moto_tasks:
                    return R.__faithful_mixed_describe_tasks__(self, found, moto_tasks)
                failures = [{"arn": ref, "reason": "MISSING"} for ref in rest if ref.split("/")[-1] not in known]
            return checked("ecs", "DescribeTasks", {"tasks": found, "failures": failures})

    def mixed_describe_tasks(self, found, moto_tasks):
        from moto.core.responses import ActionResult
        return ActionResult({"tasks": found + list(moto_tasks), "failures": []})

    def stop_task(self):
        with LOCK:
            account, region = self.current_account, self.region
            cluster = self.ecs_backend._get_cluster(self._get_param("cluster", "default"))
            ref = self._get_param("task").split("/")[-1]
            task = next((t for t in _fx_tasks(account, region, cluster.name) if t.id == ref), None)
            if task is None:
                return R.__faithful_original_stop_task__(self)
            task.stop(self._get_param("reason") or "Task stopped by user", "UserInitiated")
            return checked("ecs", "StopTask", {"task": task.render()})

    original_delete_cluster = R.delete_cluster

    def delete_cluster(self):
        with LOCK:
            cluster = self.ecs_backend._get_cluster(self._get_param("cluster"))
            mine = [fx for key, fx in WORLD.services.items()
                    if key[:3] == (self.current_account, self.region, cluster.name)]
            if any(fx.status != "INACTIVE" for fx in mine):
                raise _ecs_error("ClusterContainsServicesException",
                                 "The Cluster cannot be deleted while Services are active.")
            if any(t.live for fx in mine for t in fx.tasks):
                raise _ecs_error("ClusterContainsTasksException",
                                 "The Cluster cannot be deleted while Tasks are active.")
        return original_delete_cluster(self)

    R.__faithful_original_update_service__ = R.update_service
    R.delete_cluster = delete_cluster
    R.__faithful_original_stop_task__ = R.stop_task
    R.__faithful_mixed_describe_tasks__ = mixed_describe_tasks
    R.create_cluster = create_cluster
    R.create_service = create_service
    R.update_service = update_service
    R.describe_services = describe_services
    R.delete_service = delete_service
    R.list_services = list_services
    R.list_tasks = list_tasks
    R.describe_tasks = describe_tasks
    R.stop_task = stop_task


