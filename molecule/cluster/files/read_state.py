#!/usr/bin/env python3
"""Read back what the cluster and task_definition roles created, straight from the endpoint (boto3, no
collection code): `read_state.py <cluster> <namespace> <family>...` prints one JSON document."""
import json
import sys

import boto3


def main(cluster_name, namespace_name, *families):
    ecs, iam, logs = boto3.client("ecs"), boto3.client("iam"), boto3.client("logs")
    sd = boto3.client("servicediscovery")
    clusters = ecs.describe_clusters(clusters=[cluster_name], include=["TAGS", "SETTINGS"])["clusters"]
    cluster = clusters[0] if clusters else {}
    cluster["tags"] = {t["key"]: t["value"] for t in cluster.get("tags", [])}
    cluster["settings"] = {s["name"]: s["value"] for s in cluster.get("settings", [])}
    listed = sd.list_namespaces()["Namespaces"]
    namespaces = [n for n in listed if n["Name"] == namespace_name]
    # the other cells' namespaces: <namespace>.cell-<az suffix>
    cells = [n for n in listed if n["Name"].startswith(namespace_name + ".cell-")]
    for namespace in namespaces + cells:
        namespace["tags"] = {t["Key"]: t["Value"] for t in
                             sd.list_tags_for_resource(ResourceARN=namespace["Arn"])["Tags"]}
    out = {"cluster": cluster, "namespaces": namespaces, "cell_namespaces": cells, "families": {}, "roles": {},
           "log_groups": {}}
    for family in families:
        described = ecs.describe_task_definition(taskDefinition=family, include=["TAGS"])
        active = ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
        out["families"][family] = {
            "latest": described["taskDefinition"],
            "tags": {t["key"]: t["value"] for t in described.get("tags", [])},
            "active": [arn for arn in active if arn.rsplit("/", 1)[-1].rsplit(":", 1)[0] == family],
        }
        for key in ("executionRoleArn", "taskRoleArn"):
            name = described["taskDefinition"][key].rsplit("/", 1)[-1]
            role = iam.get_role(RoleName=name)["Role"]
            inline = iam.list_role_policies(RoleName=name)["PolicyNames"]
            out["roles"][name] = {
                "trust": role["AssumeRolePolicyDocument"],
                "managed": [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]],
                "inline": {p: iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"] for p in inline},
            }
        group = described["taskDefinition"]["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-group"]
        found = [g for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] if g["logGroupName"] == group]
        out["log_groups"][group] = found[0] if found else None
    json.dump(out, sys.stdout, default=str)


if __name__ == "__main__":
    main(*sys.argv[1:])
