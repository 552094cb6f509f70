# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Several ECS services of one cluster converged in order, with their autoscaling, from batched reads.

``Batch.run(entries)`` reads every service once (one DescribeServices per 10), the scalable targets and scaling
policies when an entry needs them, plans every entry before anything is written (bad input or a refused change fails
naming the entry before the first write), then converges the entries in order (a Service Connect server before its
clients), each as ``ecs_service`` converges one service (``plan_present``, ``apply_plan``, ``settle``), then its
autoscaling. Entries that are independent of each other (an app's two cells) can be converged as a group: each is
written, then all are waited for together, so the group takes as long as its slowest service, not the sum. Every
write goes through the run's ChangeSet; failures are raised as AnsibleAWSError.
"""

from __future__ import annotations

import time

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_scaling as scaling
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.module_utils._ecs import rollout
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.ecs_service import ServiceError

# The options of one entry: one service's (ecs_service's from name to purge_tags) plus its autoscaling and wait.
ENTRY_OPTIONS = dict(
    svc.SERVICE_OPTIONS,
    task_definition=dict(type="str", required=True),
    availability_zone=dict(type="str", required=True),
    network=dict(svc.SERVICE_OPTIONS["network"], required=True),
    autoscaling=dict(type="dict", options=scaling.SCALING_OPTIONS, required_if=scaling.SCALING_REQUIRED_IF),
    wait=dict(type="bool"),
)


class Handoff(Exception):
    """Raised instead of the run's first write or first pause of a wait when ``Batch.handoff`` is set: nothing has
    been written; the caller runs the converge again where its waits can show progress (the module's action plugin
    runs it asynchronously). A converge with nothing to write or wait for never raises it."""


def check_unique(entries, where="services"):
    """Names are unique; raises ServiceError naming the repeated ones."""
    names = [e["name"] for e in entries]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ServiceError(f"{where}: {', '.join(repeated)} given more than once")


def needs_targets(entries, live):
    """Whether the scalable targets must be read: autoscaling managed, or a desired count that it may own."""
    return any(e["autoscaling"] or (live[e["name"]] and e["desired_count"] is not None and not e["force_desired_count"])
               for e in entries)


def plan_scaling(entry, target, live_policies):
    """What the entry's autoscaling takes (register, put, delete, deregister); None when unmanaged."""
    auto = entry["autoscaling"]
    if auto is None:
        return None
    if auto["state"] == "absent":
        return dict(register=False, put={}, delete=[], deregister=target is not None, target=target, wanted={},
                    live={})
    wanted = scaling.wanted_policies(auto)
    register, put, delete = scaling.plan(target, live_policies, auto["min_capacity"], auto["max_capacity"], wanted)
    return dict(register=register, put=put, delete=delete, deregister=False, target=target, wanted=wanted,
                live=live_policies)


def scaling_changed(splan):
    return bool(splan and (splan["register"] or splan["put"] or splan["delete"] or splan["deregister"]))


def scaling_diff(entry, splan):
    """(before, after) of the entry's autoscaling, for the diff."""
    target = splan["target"]
    before = {"target": target and [target["MinCapacity"], target["MaxCapacity"]]}
    after = {"target": None} if splan["deregister"] else {
        "target": [entry["autoscaling"]["min_capacity"], entry["autoscaling"]["max_capacity"]],
        "policies": sorted(splan["wanted"])}
    return before, after


class Batch:
    """The services of one cluster, converged by one module run.

    ``client(name)`` returns the boto3 client of a service (made when first needed); ``changes`` is the run's
    ChangeSet. ``results`` holds, per service converged so far, what the module returns for it.
    """

    def __init__(self, client, cluster, changes, wait=True, wait_timeout=900, wait_delay=15, failure_log_lines=20,
                 target_health="always"):
        self._client, self._clients = client, {}
        self.cluster, self.changes = cluster, changes
        self.wait, self.wait_timeout, self.wait_delay = wait, wait_timeout, wait_delay
        self.failure_log_lines, self.target_health = failure_log_lines, target_health
        self.results = {}
        self.single = False  # one service (ecs_service): its errors are not prefixed with the entry
        self.progress = None  # called with a line per poll of a wait (module option progress_file)
        self.handoff = False  # raise Handoff before the first write or pause (module option handoff)

    def before_writes(self):
        """Called before the run's first write: raises Handoff when the caller asked for it."""
        if self.handoff:
            raise Handoff()

    def sleep(self, seconds):
        """The pause between two polls of a wait (a Handoff instead, when the caller asked for it)."""
        self.before_writes()
        time.sleep(seconds)

    def client(self, name):
        if name not in self._clients:
            self._clients[name] = self._client(name)
        return self._clients[name]

    def read(self, names):
        """{name: live service or None} (one DescribeServices per 10 names)."""
        found = svc.describe_many(self.client("ecs"), self.cluster, list(names))
        return {name: found.get(name) for name in names}

    def plan(self, entries, live, labels):
        """Plans for every entry, from the reads made up front; raises ServiceError naming the entry (unless
        ``single``). Without autoscaling in any entry the scalable targets are read only when a plan asks."""
        rids = {e["name"]: scaling.resource_id(self.cluster, e["name"]) for e in entries}
        targets = {}

        def read_targets():
            if "read" not in targets:
                targets["read"] = scaling.scalable_targets(self.client("application-autoscaling"),
                                                           list(rids.values()))
            return targets["read"]

        if any(e["autoscaling"] for e in entries) and needs_targets(entries, live):
            read_targets()
        plans = []
        for label, entry in zip(labels, entries):
            name = entry["name"]
            try:
                svc.check_options(entry)
                if not entry["task_definition"].startswith("arn:"):
                    entry = dict(entry, task_definition=svc.resolve_task_definition(self.client("ecs"),
                                                                                    entry["task_definition"]))
                plan = svc.plan_present(entry, live[name], lambda rid=rids[name]: rid in read_targets())
                if entry["autoscaling"] and entry["autoscaling"]["state"] == "present":
                    scaling.wanted_policies(entry["autoscaling"])
            except (ServiceError, scaling.ScalingError) as err:
                if self.single:
                    raise
                raise ServiceError(f"{label} ({name}): {err.message}", **err.kwargs) from err
            plans.append((entry, plan))
        targets = targets.get("read", {})
        with_policies = [rids[e["name"]] for e, _plan in plans if e["autoscaling"]
                         and e["autoscaling"]["state"] == "present" and rids[e["name"]] in targets]
        policies = scaling.policies_of(self.client("application-autoscaling"), with_policies) if with_policies else {}
        checked = [e for e, plan in plans if svc.sets_network(plan)]
        if checked:
            try:
                svc.check_subnets(self.client("ec2"), checked)
            except ServiceError as err:
                if self.single:
                    raise
                raise ServiceError(f"services ({err.result.get('service_name', 'subnets')}): {err.message}") from err
        return [(entry, plan, rids[entry["name"]],
                 plan_scaling(entry, targets.get(rids[entry["name"]]), policies.get(rids[entry["name"]], {})))
                for entry, plan in plans]

    def converge(self, items, target_health):
        """Write every service of ``items`` ([(entry, plan, rid, splan)], an app's cells: independent services), then
        wait for them together (one DescribeServices per poll for all of them), then write their autoscaling and
        record them. Raises AnsibleAWSError when a deployment fails or times out; the others roll on (each service
        has its own circuit breaker and alarms)."""
        if any(plan["action"] != "none" or scaling_changed(splan) for _entry, plan, _rid, splan in items):
            self.before_writes()
        deadline = time.monotonic() + self.wait_timeout
        started = []
        try:
            for entry, plan, rid, splan in items:
                started.append(self._write(entry, plan, splan, deadline))
            if not self.changes.check_mode:
                settled = svc.settle_many(
                    self.client("ecs"), lambda: self.client("elbv2"), self.cluster,
                    [(one["service"], one["wrote"], one["wait"]) for one in started], deadline, self.wait_delay,
                    steady_targets=target_health == "always", progress=self.progress, sleep=self.sleep)
                for one, (service, deployment_id) in zip(started, settled):
                    one["service"], one["result"]["deployment_id"] = service, deployment_id
        except ServiceError as err:
            self._record(started)
            name = items[min(len(started), len(items) - 1)][0]["name"]  # the one being written
            prefix = "" if self.single else f"{name}: "
            raise ServiceError(prefix + err.message, services=self.results, **err.kwargs) from err
        except svc.WaitError as err:
            self._record(started)
            msg, details = rollout.failure(err, self.client("ecs"), lambda: self.client("logs"), self.cluster,
                                           err.name, self.failure_log_lines)
            msg, details = rollout.alarm_failure(msg, details, lambda: self.client("cloudwatch"), err.name)
            raise ServiceError(msg, timed_out=err.timed_out, services=self.results, **details) from err
        for one, (entry, plan, rid, splan) in zip(started, items):
            if scaling_changed(splan):
                before = len(self.changes.changes)
                auto, client = entry["autoscaling"], self.client("application-autoscaling")
                if splan["deregister"]:
                    scaling.deregister(client, rid, self.changes)
                else:
                    scaling.apply(client, rid, auto["min_capacity"], auto["max_capacity"], splan["register"],
                                  splan["put"], splan["delete"], self.changes, live=splan["live"])
                one["wrote_any"] = one["wrote_any"] or len(self.changes.changes) > before
        self._record(started)

    def _write(self, entry, plan, splan, deadline):
        """The service's writes (none when the plan is ``none``); returns what converge follows it by."""
        name, wrote = entry["name"], plan["action"] != "none"
        wait = self.wait if entry["wait"] is None else entry["wait"]
        if entry.get("wait_if_written") and not wrote:
            wait = False
        before = len(self.changes.changes)
        one = dict(name=name, wrote=wrote, wait=wait, wrote_any=False, service=plan["existing"],
                   result=dict(desired_count_owner=plan["owner"],
                               deployment_id=(svc.primary_deployment(plan["existing"] or {}) or {}).get("id")))
        diff_before, diff_after = dict(plan["diff"]["before"]), dict(plan["diff"]["after"])
        if scaling_changed(splan):
            diff_before["autoscaling"], diff_after["autoscaling"] = scaling_diff(entry, splan)
        self.changes.diff(name, diff_before, diff_after)
        if wrote:
            # without wait, a Service Connect name still served elsewhere fails at once (options' docs)
            one["service"] = svc.apply_plan(self.client("ecs"), self.cluster, plan, self.changes,
                                            deadline if wait else None, self.wait_delay) or one["service"]
            one["wrote_any"] = len(self.changes.changes) > before
        return one

    def _record(self, started):
        for one in started:
            self.record(one["name"], one["result"], one["service"], one["wrote_any"])

    def record(self, name, result, service, wrote_any):
        """The service's result: changed when this run wrote anything for it (here or in an earlier step)."""
        changed = wrote_any or self.results.get(name, {}).get("changed", False)
        self.results[name] = dict(result, changed=changed, service=svc.result_of(service))

    def delete(self, name, existing):
        """Delete the service ``name`` (``existing``: its DescribeServices entry or None), waiting with ``wait`` until
        it is INACTIVE; the result values."""
        if existing is not None:
            svc.remove(self.client("ecs"), self.cluster, existing, self.changes,
                       time.monotonic() + self.wait_timeout if self.wait else None, self.wait_delay)
        return dict(service={})

    def run(self, entries, live=None, labels=None, target_health=None, together=None):
        """Converge ``entries`` in order (their live state read here unless given); labels name them in errors.

        ``together`` splits the entries, in order, into groups of that many (an app's two cells: ``[2, 2]``): a
        group's services are written one after the other, then waited for together; the next group starts when the
        group is done. Unset, every entry is its own group."""
        labels = labels or [f"services[{idx}]" for idx in range(len(entries))]
        if live is None:
            live = self.read([e["name"] for e in entries])
        planned = self.plan(entries, live, labels)
        for size in together or [1] * len(planned):
            group, planned = planned[:size], planned[size:]
            self.converge(group, target_health or self.target_health)
