# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole-stack canary through the standby cell (``release_strategy: canary``).

With cells (module_utils/_ecs/switch.py) the standby AZ runs the whole stack, frontend and backend, in its own Service
Connect namespace: a canary of that cell canaries every app of a release together, with real ALB traffic. A release is
there when an app's active entry names a task definition other than the one its live active service runs (the
DescribeServices answer the converge already read: deciding costs no call, so a no-op converge is unchanged). Then:

1. **stage**: the standby cell takes the new revisions at its apps' active counts (every app, in dependency order,
   each waited for until its targets are healthy); its deployments are gated by its own alarms as any rollout;
2. **steps**: the ALB weights of every app move to ``steps`` percent on the standby cell (default 10, then 50), each
   held for ``bake_seconds``; the standby cell's alarms (each standby entry's ``deployment.alarms``: the cell's alarms
   and the app's own) are read when a step is set and then every ``poll`` seconds of its bake;
3. **promote**: the active cell takes the new revisions (rolling, gated by its deployment alarms, as without a
   canary), the weights return to 100/0, the standby cell to its standby counts.

Any failure - an alarm in ALARM at a step or during its bake, a standby or active deployment that fails - **undoes**
the release: the weights go back to the active cell in one step, the standby cell returns to the last good revisions
(what the live active services ran when this run read them: no stored state) at its standby counts, its deployment
alarms off for that one deployment (the alarm that stopped the canary must not fail the way back; the next converge
turns them on again), and the error names the alarm, the step and the service.

An interrupted canary is **restarted** by a rerun: the active cell still runs the old revisions, so the release is
still there; staging what is already staged writes nothing, and the steps are taken again from the first, so the new
revisions never reach the active cell without a full set of bakes. A canary interrupted after the active cell took
the new revisions is no release any more: the rerun's steady converge finishes it (weights 100/0, standby counts).
A run with ``release_strategy: rolling`` after an interrupted canary finishes the release by rolling instead (the
steady converge puts the weights and counts back). A switch (failover) comes before any canary: while the live
standings differ, the run switches and converges rolling (the cell being left may be dead); see docs/rollouts.md.

Check mode writes nothing and reads no alarm: the run's diff carries the canary plan and the steady converge records
the writes the end of the release takes.
"""

from __future__ import annotations

import time

from ansible_collections.bandup.ecs.plugins.module_utils._cloudwatch import alarms
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.ecs_service import ServiceError
from ansible_collections.bandup.ecs.plugins.module_utils.topology import ACTIVE_WEIGHT, canary_steps_problem

STRATEGIES = ("rolling", "canary")
DEFAULT_STEPS = (10, 50)
DEFAULT_BAKE_SECONDS = 300
FULL = ACTIVE_WEIGHT


class CanaryError(ServiceError):
    """A canary that was stopped (and undone); the message names the alarm, the step and the service."""


def check(steps, bake_seconds, where="service_canary"):
    """Problems of the canary settings (messages naming the variable), before any call."""
    problems = []
    steps_wrong = canary_steps_problem(steps)
    if steps_wrong:
        problems.append(f"{where}_steps: {steps_wrong}")
    if isinstance(bake_seconds, bool) or not isinstance(bake_seconds, int) or not 0 <= bake_seconds <= 86400:
        problems.append(f"{where}_bake_time: {bake_seconds!r} must be a number of seconds from 0 to 86400")
    return problems


def _revision(arn):
    return (arn or "").rsplit("/", 1)[-1]


def releasing(apps, live):
    """The names of the apps with a release to canary: both services exist and the active entry's task definition
    (an ARN) is not the one the live active service runs. Only what was read already is used."""
    out = []
    for app in apps:
        active, standby = live.get(app["active"]["name"]), live.get(app["standby"]["name"])
        wanted = app["active"]["task_definition"]
        if active and standby and wanted.startswith("arn:") and active.get("taskDefinition") != wanted:
            out.append(app["name"])
    return out


def weights_at(apps, percent):
    """{target group ARN: weight} with ``percent`` on the standby cell and the rest on the active cell."""
    out = {}
    for app in apps:
        for entry, weight in ((app["active"], FULL - percent), (app["standby"], percent)):
            out.update({lb["target_group_arn"]: weight for lb in entry["load_balancers"]})
    return out


def watched(apps):
    """{alarm name: standby service name}: the alarms of the standby cell (each standby entry's deployment alarms)."""
    out = {}
    for app in apps:
        for name in (app["standby"].get("deployment") or {}).get("alarms") or []:
            out.setdefault(name, app["standby"]["name"])
    return out


def staged(app):
    """The standby entry during a canary: the new revision at the app's active count, autoscaling left alone."""
    return dict(app["standby"], desired_count=app["active"]["desired_count"], force_desired_count=True,
                autoscaling=None, wait=True, wait_if_written=False)


def restored(app, last_good):
    """The standby entry of the undo: the last good revision at the standby count, deployment alarms off (the alarm
    that stopped the canary must not fail the way back)."""
    deployment = dict(app["standby"].get("deployment") or {}, alarms=[])
    return dict(app["standby"], task_definition=last_good, deployment=deployment, wait=True, wait_if_written=False)


def step_label(index, steps, percent=None):
    if index is None:
        return "staging the standby cell (before any traffic)"
    return f"step {index + 1}/{len(steps)} ({percent}% to the standby cell)"


def progress_line(label, percent, states, elapsed=None, bake=None):
    """One progress line of the canary (the action plugin groups lines by what precedes the first ': ')."""
    held = f", bake {int(elapsed)}/{bake} s" if bake is not None else ""
    shown = ", ".join(f"{name} {state}" for name, state in sorted(states.items())) or "none"
    return f"canary: {label}, weights active {FULL - percent} / standby {percent}{held}, alarms: {shown}"


class Release:
    """The release strategy of one converge; ``report`` is what the module returns as ``canary`` (None when no
    canary ran)."""

    def __init__(self, strategy="rolling", steps=DEFAULT_STEPS, bake_seconds=DEFAULT_BAKE_SECONDS, poll=15,
                 sleep=time.sleep, clock=time.monotonic):
        problems = check(list(steps), bake_seconds, "canary") if strategy == "canary" else []
        if strategy not in STRATEGIES:
            problems.insert(0, f"release_strategy: {strategy!r} must be one of {', '.join(STRATEGIES)}")
        if problems:
            raise ServiceError("; ".join(problems))
        self.strategy, self.steps, self.bake_seconds = strategy, list(steps), bake_seconds
        self.poll = max(1, min(poll, bake_seconds or 1))
        self.sleep, self.clock = sleep, clock
        self.report = None

    def wanted(self, apps, live, switching):
        """The apps to canary in this run: none unless the strategy is canary and no switch runs."""
        if self.strategy != "canary" or switching:
            return []
        return releasing(apps, live)

    # ------------------------------------------------------------ the run

    def run(self, batch, apps, live, listener_arns, set_weights, steady_weights):
        """Canary ``apps`` (all of them, the whole cell: [app entries with standings]); returns the report.
        ``set_weights(batch, listener_arns, wanted)`` is the one writer of the weights (switch.set_weights)."""
        last_good = {app["name"]: live[app["active"]["name"]]["taskDefinition"] for app in apps}
        new = {app["name"]: app["active"]["task_definition"] for app in apps}
        names = watched(apps)
        self.report = dict(apps=[a["name"] for a in apps], steps=self.steps, bake_seconds=self.bake_seconds,
                           revisions={a: _revision(r) for a, r in new.items()},
                           last_good={a: _revision(r) for a, r in last_good.items()}, outcome="planned",
                           alarms=sorted(names))
        batch.changes.diff("canary", {"revisions": self.report["last_good"], "weights": {"standby": 0}},
                           {"revisions": self.report["revisions"], "steps": self.steps,
                            "bake_seconds": self.bake_seconds, "alarms": sorted(names)})
        if batch.changes.check_mode:
            return self.report  # the steady converge records what the end of the release writes
        labels = [f"apps[{idx}].standby (canary)" for idx in range(len(apps))]
        label = step_label(None, self.steps)
        try:
            batch.run([staged(app) for app in apps], live, labels, target_health="always")
            self._watch(batch, names, label, 0, None)
            for index, percent in enumerate(self.steps):
                label = step_label(index, self.steps, percent)
                set_weights(batch, listener_arns, weights_at(apps, percent))
                self._watch(batch, names, label, percent, self.bake_seconds)
            label = "promoting (the active cell takes the new revisions)"
            batch.run([app["active"] for app in apps], batch.read([a["active"]["name"] for a in apps]),
                      [f"apps[{idx}].active" for idx in range(len(apps))], target_health="always")
        except ServiceError as err:
            self.report["outcome"] = "undone"
            raise self._undone(batch, apps, listener_arns, set_weights, last_good, label, err) from err
        set_weights(batch, listener_arns, steady_weights)
        standby = [dict(app["standby"], wait_if_written=True) for app in apps]
        batch.run(standby, batch.read([e["name"] for e in standby]),
                  [f"apps[{idx}].standby" for idx in range(len(apps))])
        self.report["outcome"] = "released"
        return self.report

    def _watch(self, batch, names, label, percent, bake):
        """Read the standby cell's alarms now and, with a ``bake``, every ``poll`` seconds until it is over; raises
        CanaryError naming the alarm in ALARM, its service and the step."""
        start = self.clock()
        while True:
            states = alarms.states(batch.client("cloudwatch"), list(names)) if names else {}
            elapsed = self.clock() - start
            if batch.progress:
                batch.progress(progress_line(label, percent, states, elapsed if bake is not None else None, bake))
            firing = sorted(name for name, state in states.items() if state == "ALARM")
            if firing:
                where = ", ".join(f"{name} (service {names[name]})" for name in firing)
                raise CanaryError(f"canary stopped at {label}: alarm {where} in ALARM",
                                  canary_step=label, alarms_in_alarm=firing)
            if bake is None or elapsed >= bake:
                return
            self.sleep(min(self.poll, bake - elapsed))

    def _undone(self, batch, apps, listener_arns, set_weights, last_good, label, err):
        """Undo the release (weights to the active cell in one step, the standby cell to the last good revisions at
        its standby counts); returns the error to raise, naming what stopped the canary and what was undone."""
        message = err.message if isinstance(err, CanaryError) else f"canary stopped at {label}: {err.message}"
        back = ", ".join(sorted({_revision(r) for r in last_good.values()}))
        try:
            set_weights(batch, listener_arns, weights_at(apps, 0))
            batch.run([restored(app, last_good[app["name"]]) for app in apps],
                      batch.read([app["standby"]["name"] for app in apps]),
                      [f"apps[{idx}].standby (canary undo)" for idx in range(len(apps))])
        except ServiceError as undo:
            return CanaryError(f"{message}. Undoing the canary failed too: {undo.message}; a rerun with "
                               "release_strategy rolling or canary finishes it", canary_step=label,
                               **{k: v for k, v in err.kwargs.items() if k != "canary_step"})
        active = sorted({app["active"]["availability_zone"] for app in apps})
        return CanaryError(f"{message}. All traffic is back on the active cell ({', '.join(active)}); the standby "
                           f"cell is back on {back} at its standby counts", canary_step=label,
                           **{k: v for k, v in err.kwargs.items() if k != "canary_step"})
