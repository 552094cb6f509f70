# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Settings AWS cannot change on an existing resource, refused up front with what to do instead.

The VPC's and the subnets' CIDRs, the ECR repositories' encryption and the target groups' protocol and port cannot
change in place. ``settings()`` lists what the inventory wants for them; its ``fingerprint()`` is recorded on the
ECS cluster (tag ``bandup:fixed``, written by the cluster role). The validation compares the inventory's fingerprint
with the record it already read (the ``bandup.ecs.preflight`` lookup describes the cluster with its tags): equal,
nothing is read; different or absent (a change, or a deployment older than the record), ``problems()`` reads the
live resources and names every variable whose change AWS cannot make, before any write.
"""

from __future__ import annotations

import hashlib
import json

from ansible_collections.bandup.ecs.plugins.module_utils.topology import FIXED_RECORD_TAG

# The readers (module_utils/_ec2, _ecr, _elbv2, which import boto3) are imported by the functions that read: the
# fingerprint alone, on every converge of an unchanged deployment, runs in its worker without boto3
# (plugin_utils/lazy_aws.py).

RECORD_TAG = FIXED_RECORD_TAG
TG_PROTOCOL = "HTTP"


def settings(topology, values, indexes):
    """What the inventory wants for the settings AWS cannot change in place.

    ``values``: network_vpc_id, network_vpc_cidr, network_public_subnet_cidrs, network_private_subnet_cidrs,
    ecr_encryption_type, ecr_kms_key (the role variables, defaults applied); ``indexes``: service name -> its index
    in bandup_services (the topology lists services in dependency order)."""
    out = {"network": None, "ecr": {}, "target_groups": {}}
    azs = sorted([topology["active_az"], topology["standby_az"]])
    if not values.get("network_vpc_id"):
        out["network"] = {"vpc": values["network_vpc_cidr"],
                          "public": dict(zip(azs, values["network_public_subnet_cidrs"])),
                          "private": dict(zip(azs, values["network_private_subnet_cidrs"]))}
    for svc in topology["services"]:
        idx = indexes.get(svc["name"], 0)
        out["ecr"][svc["repository"]] = {"type": values["ecr_encryption_type"], "kms": values.get("ecr_kms_key") or None}
        if svc["alb"]["enabled"]:
            for placement in svc["placements"]:
                out["target_groups"][placement["target_group_name"]] = {"port": svc["port"], "protocol": TG_PROTOCOL,
                                                                        "index": idx}
    return out


def fingerprint(wanted):
    return hashlib.sha256(json.dumps(wanted, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]


def _network_problems(ec2, topology, wanted):
    from ansible_collections.bandup.ecs.plugins.module_utils._ec2 import network as net_api

    lookup_tags = {"bandup:deployment": topology["name"], "bandup:managed-by": topology["tags"]["bandup:managed-by"]}
    vpcs = net_api.describe_vpcs(ec2, tags=lookup_tags)
    if len(vpcs) != 1:
        return []  # none yet (created with the inventory's CIDRs), or several (the network module says so)
    vpc = vpcs[0]
    out = []
    if vpc["CidrBlock"] != wanted["vpc"]:
        out.append(f"network_vpc_cidr: {wanted['vpc']} differs from {vpc['CidrBlock']}, the CIDR of the deployment's "
                   f"VPC {vpc['VpcId']}; AWS cannot change the CIDR of a VPC. Keep {vpc['CidrBlock']}, or tear the "
                   "deployment down (playbooks/teardown.yml) and deploy it anew with the new CIDR")
    subnets = net_api.describe_subnets(ec2, vpc_id=vpc["VpcId"])
    for tier in ("public", "private"):
        for pos, (az, cidr) in enumerate(sorted(wanted[tier].items())):
            live = net_api.tier_subnets(subnets, az, tier)
            if live and live[0]["CidrBlock"] != cidr:
                out.append(f"network_{tier}_subnet_cidrs[{pos}]: {cidr} differs from {live[0]['CidrBlock']}, the CIDR "
                           f"of the deployment's {tier} subnet {live[0]['SubnetId']} in {az}; AWS cannot change the "
                           f"CIDR of a subnet and its load balancer, NAT gateway and tasks live in it. Keep "
                           f"{live[0]['CidrBlock']}, or tear the deployment down and deploy it anew")
    return out


def _ecr_problems(ecr, wanted):
    from ansible_collections.bandup.ecs.plugins.module_utils._ecr import ecr as ecr_api

    out = []
    for name, repo in sorted(ecr_api.describe_repositories(ecr, list(wanted)).items()):
        live = repo.get("encryptionConfiguration") or {"encryptionType": "AES256"}
        want = wanted[name]
        if live.get("encryptionType") != want["type"]:
            out.append(f"ecr_encryption_type: {want['type']} differs from {live.get('encryptionType')}, the encryption "
                       f"of the existing repository {name}; ECR cannot change the encryption of a repository. Keep "
                       f"{live.get('encryptionType')}, or delete the repository (its images with it) and converge again")
        elif want["kms"] and live.get("kmsKey") and want["kms"] not in (live["kmsKey"], live["kmsKey"].split("/")[-1]):
            out.append(f"ecr_kms_key: {want['kms']} differs from {live['kmsKey']}, the key of the existing repository "
                       f"{name}; ECR cannot change the key of a repository. Keep it, or delete the repository and "
                       "converge again")
    return out


def _target_group_problems(elbv2, wanted):
    from ansible_collections.bandup.ecs.plugins.module_utils._elbv2 import load_balancer as lb_api

    out, seen = [], set()
    for name, group in sorted(lb_api.find_target_groups(elbv2, sorted(wanted)).items()):
        want = wanted[name]
        if group.get("Port") != want["port"] and want["index"] not in seen:
            seen.add(want["index"])
            out.append(f"bandup_services[{want['index']}].port: {want['port']} differs from {group.get('Port')}, the "
                       f"port of the existing target group {name}; AWS cannot change the port of a target group. Keep "
                       f"port {group.get('Port')}, or deploy the application under a new service name (new target "
                       "groups) and remove the old one")
        if group.get("Protocol") != want["protocol"]:
            out.append(f"target group {name}: protocol {group.get('Protocol')} differs from {want['protocol']}; AWS "
                       "cannot change the protocol of a target group. Delete it and converge again")
    return out


def problems(clients, topology, wanted):
    """Every setting of ``wanted`` that the live resources contradict and AWS cannot change in place.

    ``clients``: a callable service name -> boto3 client. Reads only the services ``wanted`` has entries for."""
    out = []
    if wanted["network"]:
        out += _network_problems(clients("ec2"), topology, wanted["network"])
    if wanted["ecr"]:
        out += _ecr_problems(clients("ecr"), wanted["ecr"])
    if wanted["target_groups"]:
        out += _target_group_problems(clients("elbv2"), wanted["target_groups"])
    return out
