# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A lookup that imports boto3 only when it calls AWS.

amazon.aws's ``AWSLookupBase`` imports boto3 when the plugin is loaded. A lookup runs in a forked ansible worker, which
starts without boto3 (~0.25 s to import on 2 cores), so a lookup that usually makes no call (``fixed_settings`` when
the inventory's fingerprint equals the cluster's record, ``ownership`` on the converge of an existing deployment)
would pay for a library it does not use on every run. ``LazyAWSLookupBase`` offers what those lookups take from
``AWSLookupBase``, through amazon.aws's public plugin_utils functions, with the import in ``client``:

- the connection options (the plugin documents them with the ``amazon.aws.boto3``, ``amazon.aws.common.plugins`` and
  ``amazon.aws.region.plugins`` fragments, as an ``AWSLookupBase`` lookup does), set by ``run``;
- ``client(service)``: a boto3 client as ``AWSLookupBase.client`` makes it (``get_aws_connection_info`` and
  ``boto3_conn``), after the SDK version check ``AWSLookupBase.run`` makes;
- ``fail_aws``, which those functions call on a connection error.

tests/unit/plugins/test_controller_imports.py runs the lookups' no-call paths and checks that boto3 stays unloaded.
"""

from __future__ import annotations

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display


class LazyAWSLookupBase(LookupBase):
    def run(self, terms, variables, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)

    def fail_aws(self, message, exception=None):
        raise AnsibleLookupError(f"{message}: {exception}" if exception else message)

    def client(self, service):
        """A boto3 client for ``service`` with the lookup's connection options (boto3 is imported here)."""
        from ansible_collections.amazon.aws.plugins.module_utils.botocore import check_sdk_version_supported
        from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleBotocoreError
        from ansible_collections.amazon.aws.plugins.plugin_utils.botocore import boto3_conn, get_aws_connection_info

        try:
            check_sdk_version_supported(warn=Display().warning)
        except AnsibleBotocoreError as err:
            self.fail_aws(str(err))
        region, endpoint, params = get_aws_connection_info(self)
        return boto3_conn(self, conn_type="client", resource=service, region=region, endpoint=endpoint, **params)
