# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only lookups the topology needs: the region's AZs and the cluster's active-AZ tag."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.bandup.ecs.plugins.module_utils import ecs_cluster


@AWSRetry.jittered_backoff()
def _describe_azs(ec2):
    return ec2.describe_availability_zones(AllAvailabilityZones=False)["AvailabilityZones"]


def region_azs(ec2):
    """Names of the region's available AZs (zone type availability-zone, local zones included when opted in)."""
    return [az["ZoneName"] for az in _describe_azs(ec2)]


def cluster_tag(ecs, cluster, key):
    """Value of tag ``key`` on the cluster, or None when the cluster or the tag does not exist."""
    found = ecs_cluster.describe_cluster(ecs, cluster)
    return ecs_cluster.tags(found).get(key) if found else None
