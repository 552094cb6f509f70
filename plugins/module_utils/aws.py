# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AnsibleAWSModule with one boto3 session per module run, and the failure path of AnsibleAWSError.

Why a workaround at all: AnsibleAWSModule.client() builds a new boto3 session for every client, and each session
loads botocore's endpoint and service data again; a module that talks to ECS, IAM and CloudWatch Logs pays that for
each client (what that costs and saves: docs/DEVELOPING.md, "amazon.aws internals"). amazon.aws has no public way to
share a session, so ``shared_session_client()`` - the one place that touches amazon.aws internals - lets amazon.aws's own ``client()``
run while the name ``boto3`` inside amazon.aws's botocore.py answers ``session.Session(profile_name=...)`` with the
run's session of that profile; everything else (connection settings, user agent, ``aws_config``, retries, errors) is
amazon.aws's code. It is fail-safe: any other use of the name is the real boto3, so if amazon.aws builds its clients
another way, the clients are stock (each its own session, slower, correct), and test_aws.py fails, saying so. With
amazon.aws's placebo recording or replay switched on, every client gets its own session, as in amazon.aws.
"""

from __future__ import annotations

import copy
import os

try:
    import boto3
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils import botocore as amazon_botocore
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.bandup.ecs.plugins.module_utils.once import NO_RETRY_CONFIG

PLACEBO = ("_ANSIBLE_PLACEBO_RECORD", "_ANSIBLE_PLACEBO_REPLAY")


class _Sessions:
    """Stands in for ``boto3.session``: ``Session(profile_name=...)`` answers the run's session of that profile;
    any other call or name is boto3's own."""

    def __init__(self, sessions):
        self._sessions = sessions

    def Session(self, profile_name=None, **kwargs):  # noqa: N802 (boto3's name) pylint: disable=invalid-name
        if kwargs:  # not the call this cache was written for
            return boto3.session.Session(profile_name=profile_name, **kwargs)
        if profile_name not in self._sessions:
            self._sessions[profile_name] = boto3.session.Session(profile_name=profile_name)
        return self._sessions[profile_name]

    def __getattr__(self, name):
        return getattr(boto3.session, name)


class _Boto3:
    """Stands in for the ``boto3`` module inside amazon.aws's botocore.py while a client is built."""

    def __init__(self, sessions):
        self.session = _Sessions(sessions)
        self.Session = self.session.Session  # pylint: disable=invalid-name

    def __getattr__(self, name):
        return getattr(boto3, name)


def shared_session_client(build, sessions):
    """``build()`` (amazon.aws's AnsibleAWSModule.client) with the name ``boto3`` of amazon.aws's botocore.py bound to
    the session cache of this run (``sessions``: profile -> boto3 session). The only code that touches amazon.aws
    internals (see the module docstring)."""
    if any(var in os.environ for var in PLACEBO) or getattr(amazon_botocore, "boto3", None) is not boto3:
        return build()
    amazon_botocore.boto3 = _Boto3(sessions)
    try:
        return build()
    finally:
        amazon_botocore.boto3 = boto3


class AWSModule(AnsibleAWSModule):
    """AnsibleAWSModule whose client() calls share one boto3 session (per profile), and whose
    fail_json_aws_error() also returns the error's extra values (``AnsibleAWSError(..., timed_out=True)``)."""

    def client(self, service, retry_decorator=None, **extra_params):
        return shared_session_client(
            lambda: super(AWSModule, self).client(service, retry_decorator=retry_decorator, **extra_params),
            self.__dict__.setdefault("_bandup_sessions", {}))

    def write_client(self, service):
        """The ``service`` client for writes that must not be sent twice blindly (module_utils/once.py): without
        botocore's retries. One per module run, made on first use, so a run that writes nothing does not build it."""
        clients = self.__dict__.setdefault("_bandup_write_clients", {})
        if service not in clients:
            # a copy: botocore adds its retry mode to the dict it is given
            clients[service] = self.client(service, config=copy.deepcopy(NO_RETRY_CONFIG))
        return clients[service]

    def fail_json_aws_error(self, exception):
        """The one failure path of the collection's modules: an AnsibleAWSError raised below the module, with the AWS
        error it wraps (if any) and its extra values."""
        if exception.exception is not None:
            self.fail_json_aws(exception.exception, msg=exception.message, **exception.kwargs)
        self.fail_json(msg=exception.message or str(exception), **exception.kwargs)


def run(module, changes, body):
    """``module.exit_json`` with ``changes.result(**body())``; an AnsibleAWSError raised by ``body`` fails the module
    (with the error's values, and changed/changes of the writes already sent)."""
    try:
        values = body()
    except AnsibleAWSError as err:
        err.kwargs = dict(err.kwargs, changed=changes.changed, changes=list(changes.changes))
        module.fail_json_aws_error(err)
    module.exit_json(**changes.result(**(values or {})))
