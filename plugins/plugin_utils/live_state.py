# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only lookups the topology needs: the region's AZs and the cluster's active-AZ and namespace-AZ tags."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import ecs_cluster
from ansible_collections.bandup.ecs.plugins.module_utils.topology import ACTIVE_AZ_TAG, NAMESPACE_AZ_TAG
from ansible_collections.bandup.ecs.plugins.module_utils.topology import FIXED_RECORD_TAG

# The cluster tag recording the fingerprint of the settings AWS cannot change in place (fixed_settings.RECORD_TAG).
# The tag that says which deployment a resource belongs to (plugin_utils/ownership.py).
DEPLOYMENT_TAG = "bandup:deployment"


@AWSErrorHandler.common_error_handler("describe the availability zones")
@AWSRetry.jittered_backoff()
def _describe_azs(ec2):
    return ec2.describe_availability_zones(AllAvailabilityZones=False)["AvailabilityZones"]


def region_azs(ec2):
    """Names of the region's available AZs (zone type availability-zone, local zones included when opted in)."""
    return [az["ZoneName"] for az in _describe_azs(ec2)]


def live_facts(ec2, ecs, cluster, record=False):
    """The two reads of the topology, as build_topology's keyword arguments: the region's AZs and the cluster's
    active-AZ and namespace-AZ tags (None before the cluster exists). The preflight lookup calls
    this. AWS errors are raised as AnsibleAWSError.

    With ``record``, also ``cluster_exists``, ``cluster_deployment`` (its ``bandup:deployment`` tag: whether the
    cluster is this deployment's, plugin_utils/ownership.py), ``fixed_record`` (the cluster's ``bandup:fixed`` tag,
    the fingerprint of the settings AWS cannot change in place; plugins/plugin_utils/fixed_settings.py) and
    ``cluster`` (the DescribeClusters answer, or None, which the cluster role hands to the ecs_cluster module), from
    the same call."""
    azs = region_azs(ec2)
    found = ecs_cluster.describe_cluster(ecs, cluster)
    tags = ecs_cluster.tags(found) if found else {}
    facts = {"azs_in_region": azs, "live_active_az": tags.get(ACTIVE_AZ_TAG),
             "live_namespace_az": tags.get(NAMESPACE_AZ_TAG)}
    if record:
        facts.update(cluster_exists=found is not None, cluster_deployment=tags.get(DEPLOYMENT_TAG),
                     fixed_record=tags.get(FIXED_RECORD_TAG), cluster=found)
    return facts
