# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Progress while M(bandup.ecs.ecs_app_services) waits.

The module first runs synchronously with ``handoff``: a converge with nothing to write or wait for (the no-op)
ends there, without the async wrapper and its status polls. A run that has something to write or wait for stops
before its first write (nothing written) and hands off; then the module runs again asynchronously on the target
(Ansible's own async wrapper) with ``progress_file`` in the task's remote temporary directory; this action plugin
polls the job (``async_status``) and reads the file (``slurp``) every few seconds, and shows each new progress line
through Ansible's display, so any stdout callback and any ansible.cfg show them. Nothing is written to the terminal
by the module. A task that sets ``async`` itself, ``wait: false``, or check mode (no waits) runs the module as
usual."""

from __future__ import annotations

import base64
import time

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()
POLL = 3  # seconds between reads of the job and the progress file, once the module has run a few seconds
FIRST_POLLS = (0.5, 1, 2)  # the first reads come sooner: a converge whose waits are short ends sooner
REPEAT = 30  # an unchanged line is shown again after this many seconds


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        # handoff: false in the task (a failover's switch): no synchronous first run, straight to the async one
        first_sync = boolean(args.pop("handoff", True), strict=False)
        if self._task.async_val or self._task.check_mode or str(args.get("wait", True)).lower() in ("false", "no", "0"):
            result.update(self._execute_module(module_args=args, task_vars=task_vars,
                                               wrap_async=bool(self._task.async_val)))
            return result
        if first_sync:
            first = self._execute_module(module_args=dict(args, handoff=True), task_vars=task_vars)
            if not first.get("handoff"):
                result.update(first)
                return result
        tmpdir = self._make_tmp_path()
        progress = self._connection._shell.join_path(tmpdir, "progress.log")
        args["progress_file"] = progress
        timeout = int(args.get("wait_timeout") or 900)
        # Each service's wait has its own deadline (and a switch waits per step): the async limit only stops a module
        # that outlived all of them.
        waits = 2 * len(args.get("apps") or []) + len(args.get("services") or [])
        # and the pre-deploy tasks, each with its own timeout
        pre_deploy = sum(int(app["pre_deploy"].get("timeout") or 600) for app in args.get("apps") or []
                         if isinstance(app, dict) and isinstance(app.get("pre_deploy"), dict))
        self._task.async_val = timeout * (2 * waits + 2) + pre_deploy + 300
        if args.get("release_strategy") == "canary":  # a canary waits again per app, and bakes each step
            options = args.get("canary") or {}
            self._task.async_val += timeout * 3 * len(args.get("apps") or []) + int(
                options.get("bake_time") or 300) * len(options.get("steps") or [10, 50])
        started = self._execute_module(module_args=args, task_vars=task_vars, wrap_async=True)
        jid = started.get("ansible_job_id")
        if not jid:
            self._task.async_val = 0
            result.update(started)
            return result
        seen, shown, polls = 0, {}, 0
        try:
            while True:
                time.sleep(FIRST_POLLS[polls] if polls < len(FIRST_POLLS) else POLL)
                polls += 1
                status = self._execute_module(module_name="ansible.legacy.async_status", task_vars=task_vars,
                                              module_args={"jid": jid, "mode": "status",
                                                           "_async_dir": self._async_dir()})
                seen = self._show(progress, task_vars, seen, shown)
                if status.get("finished") or status.get("failed") and not status.get("started", True):
                    break
        finally:
            self._execute_module(module_name="ansible.legacy.async_status", task_vars=task_vars,
                                 module_args={"jid": jid, "mode": "cleanup", "_async_dir": self._async_dir()})
            self._task.async_val = 0
            self._remove_tmp_path(tmpdir)
        for key in ("ansible_job_id", "started", "finished", "results_file", "stdout", "stderr", "stdout_lines",
                    "stderr_lines", "erased"):
            status.pop(key, None)
        result.update(status)
        return result

    def _async_dir(self):
        # Unexpanded: async_status's _async_dir is a path option, expanded on the target with the same $HOME the async
        # wrapper expanded it with. _remote_expand_user would expand ~ as the remote user's passwd home, which differs
        # where HOME does not match it (a container, a test's fresh HOME): "could not find job".
        return self.get_shell_option("async_dir", default="~/.ansible_async")

    def _show(self, path, task_vars, seen, shown):
        """Show the progress lines after the first ``seen`` ones (a service's unchanged line only every REPEAT
        seconds); returns how many lines there are."""
        read = self._execute_module(module_name="ansible.legacy.slurp", module_args={"src": path},
                                    task_vars=task_vars)
        if read.get("failed"):
            return seen  # no line yet
        lines = base64.b64decode(read.get("content", "")).decode("utf-8", "replace").splitlines()
        now = time.monotonic()
        if len(lines) == seen and lines:
            # No poll since (service_wait_delay above REPEAT): the newest line again, with its age.
            service, _sep, state = lines[-1].partition(": ")
            last = shown.get(service)
            if last and now - last[1] >= REPEAT:
                shown[service] = (state, now)
                display.display(f"  progress: {lines[-1]} (no newer poll yet)")
            return seen
        for line in lines[seen:]:
            service, _sep, state = line.partition(": ")
            last = shown.get(service)
            if last and last[0] == state and now - last[1] < REPEAT:
                continue
            shown[service] = (state, now)
            display.display(f"  progress: {line}")
        return len(lines)
