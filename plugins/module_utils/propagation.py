# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors AWS answers while something this run just created is still propagating, retried for exactly them.

AWS is a set of services that learn of each other's new resources with a delay. On a first deploy a call can be
refused for a moment with an error that names the delay's effect, not a mistake, and succeed seconds later
(terraform-provider-aws retries each of these; docs/reliability.md lists the bounds):

- ECS CreateService/UpdateService right after the listener rule forwarding to the target group was created:
  ``InvalidParameterException`` "The target group with targetGroupArn ... does not have an associated load
  balancer." (terraform's ``retryServiceCreate``/UpdateService, 2 minutes);
- the same calls right after a new IAM role: ``InvalidParameterException`` "... Please verify that the ECS service
  role being passed has the proper permissions." (same place);
- the first CreateCluster (or PutClusterCapacityProviders) with capacity providers of an account, while ECS creates
  its service-linked role: ``InvalidParameterException`` "Unable to assume the service linked role. Please verify
  that the ECS service linked role exists." (aws-facts.md; issue 14);
- the first RegisterScalableTarget of an account, while Application Auto Scaling creates its service-linked role:
  ``ValidationException`` "Unable to assume IAM role" (terraform's ``aws_appautoscaling_target``, 1 minute).

The same codes with another message are user errors and fail at once: a retry matches the code AND a fragment of
the message. amazon.aws's ``AWSRetry`` matches codes only, so ``MessageRetry`` is AWSRetry whose "status code" is
the pair (code, message); it still retries what AWSRetry retries (throttling, 5xx). The sleeps are
``exponential_backoff``'s (no jitter): the bound of each decorator below is their sum, a fixed number. A call that
succeeds at once costs nothing more.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# (error code, a fragment of its message) of each race; the fragments are terraform-provider-aws's.
TARGET_GROUP_NOT_ATTACHED = ("InvalidParameterException", "does not have an associated load balancer")
SERVICE_ROLE_NOT_READY = ("InvalidParameterException",
                          "verify that the ECS service role being passed has the proper permissions")
SCALING_ROLE_NOT_READY = ("ValidationException", "Unable to assume IAM role")
ECS_SERVICE_LINKED_ROLE_NOT_READY = ("InvalidParameterException", "Unable to assume the service linked role")


class MessageRetry(AWSRetry):
    """AWSRetry for errors told apart by their message: ``catch_extra_error_codes`` are (code, message fragment)
    pairs; the codes AWSRetry retries by itself are retried as well."""

    @staticmethod
    def status_code_from_exception(error):
        detail = error.response.get("Error", {})
        return detail.get("Code"), detail.get("Message") or ""

    @staticmethod
    def found(response_code, catch_extra_error_codes=None):
        code, message = response_code
        return AWSRetry.found(code) or any(code == want and fragment in message
                                           for want, fragment in catch_extra_error_codes or ())


def sleeps(retries, delay, max_delay, backoff=2):
    """The sleeps of ``MessageRetry.exponential_backoff(retries, delay, backoff, max_delay)``, in seconds."""
    return [min(delay * backoff ** attempt, max_delay) for attempt in range(retries - 1)]


# ECS CreateService/UpdateService: 10 attempts over 2+4+8+16+20x5 = 130 seconds at most (terraform: 2 minutes).
ECS_SERVICE = dict(retries=10, delay=2, max_delay=20)
# RegisterScalableTarget: 8 attempts over 2+4+8+15x4 = 74 seconds at most (terraform: 1 minute).
SCALABLE_TARGET = dict(retries=8, delay=2, max_delay=15)
# CreateCluster/PutClusterCapacityProviders: 8 attempts over 2+4+8+16+30x3 = 120 seconds at most.
CLUSTER = dict(retries=8, delay=2, max_delay=30)

ECS_SERVICE_RETRY = MessageRetry.exponential_backoff(
    catch_extra_error_codes=[TARGET_GROUP_NOT_ATTACHED, SERVICE_ROLE_NOT_READY], **ECS_SERVICE)
SERVICE_LINKED_ROLE_RETRY = MessageRetry.exponential_backoff(
    catch_extra_error_codes=[ECS_SERVICE_LINKED_ROLE_NOT_READY], **CLUSTER)
SCALABLE_TARGET_RETRY = MessageRetry.exponential_backoff(
    catch_extra_error_codes=[SCALING_ROLE_NOT_READY], **SCALABLE_TARGET)
