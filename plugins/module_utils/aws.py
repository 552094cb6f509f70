# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AnsibleAWSModule with one boto3 session per module run.

AnsibleAWSModule.client() builds a new boto3 session for every client, and each session loads botocore's
endpoint and configuration data again (about 50 ms per client on a small machine). A module that talks to ECS,
IAM and CloudWatch Logs pays that three times. Here the clients of one module run come from one session, with
the same connection settings (region, endpoint_url, credentials, profile, aws_config) and error handling.
"""

from __future__ import annotations

try:
    import boto3
    import botocore.config
    import botocore.exceptions
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION

from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.common import get_collection_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper


def user_agent():
    """The user agent AnsibleAWSModule.client() sends (amazon.aws's collection name and version)."""
    info = get_collection_info()
    agent = f"APN/1.0 Ansible/{ANSIBLE_VERSION}"
    if info["name"]:
        agent += f" {info['name']}" + (f"/{info['version']}" if info["version"] is not None else "")
    return agent


def _config(extra):
    """The client config AnsibleAWSModule.client() builds: its user agent, merged with config and aws_config."""
    config = botocore.config.Config(user_agent=user_agent())
    for more in extra:
        if more:
            config = config.merge(more if isinstance(more, botocore.config.Config) else botocore.config.Config(**more))
    return config


class AWSModule(AnsibleAWSModule):
    """AnsibleAWSModule whose client() calls share one boto3 session (per profile)."""

    def client(self, service, retry_decorator=None, **extra_params):
        region, endpoint_url, params = get_aws_connection_info(self)
        params.update(extra_params)
        profile = params.pop("profile_name", None)
        config = _config([params.pop("config", None), params.pop("aws_config", None)])
        sessions = self.__dict__.setdefault("_bandup_sessions", {})
        try:
            if profile not in sessions:
                sessions[profile] = boto3.session.Session(profile_name=profile)
            conn = sessions[profile].client(service, config=config, region_name=region, endpoint_url=endpoint_url,
                                            **params)
        except botocore.exceptions.NoRegionError:
            self.fail_json(msg=f"The {self._name} module requires a region and none was found in configuration, "
                               "environment variables or module parameters")
        except (ValueError, botocore.exceptions.BotoCoreError) as err:
            self.fail_json_aws(err, msg="Couldn't connect to AWS")
        return conn if retry_decorator is None else RetryingBotoClientWrapper(conn, retry_decorator)
