# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The execution role's inline policy for a task's container secrets. No AWS call and no boto3 import: the
C(bandup.ecs.secrets_policy) filter runs it on the controller, the task role modules in the module."""

from __future__ import annotations

SECRET_SIDS = {"ssm:GetParameters": "ReadSsmParameters", "secretsmanager:GetSecretValue": "ReadSecrets"}


def _secret_resource(arn):
    """(action, resource ARN) for a container secret's valueFrom ARN.

    Secrets Manager valueFrom may carry ``:json-key:version-stage:version-id`` after the secret ARN; the policy
    names the secret itself (the first seven ARN fields).
    """
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        raise ValueError(f"'{arn}' is not an ARN")
    service = parts[2]
    if service == "ssm" and parts[5].startswith("parameter/"):
        return "ssm:GetParameters", arn
    if service == "secretsmanager" and parts[5] == "secret" and len(parts) >= 7:
        return "secretsmanager:GetSecretValue", ":".join(parts[:7])
    raise ValueError(f"'{arn}' is neither an SSM parameter nor a Secrets Manager secret ARN")


def secrets_policy(arns):
    """The execution role's inline policy reading exactly ``arns``; None when there are none."""
    by_action = {}
    for arn in arns:
        action, resource = _secret_resource(arn)
        by_action.setdefault(action, set()).add(resource)
    if not by_action:
        return None
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": SECRET_SIDS[action], "Effect": "Allow", "Action": [action], "Resource": sorted(resources)}
        for action, resources in sorted(by_action.items())
    ]}
