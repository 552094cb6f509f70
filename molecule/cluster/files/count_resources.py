#!/usr/bin/env python3
"""Count what the cluster and task_definition roles would create, straight from the endpoint (boto3):
`count_resources.py <deployment name>` prints {"clusters": n, "namespaces": n, "task_definitions": n,
"roles": n, "log_groups": n} for names starting with the deployment name."""
import json
import sys

import boto3


def main(name):
    ecs, iam, logs = boto3.client("ecs"), boto3.client("iam"), boto3.client("logs")
    sd = boto3.client("servicediscovery")
    clusters = [c for c in ecs.describe_clusters(clusters=[name])["clusters"] if c["status"] == "ACTIVE"]
    json.dump({
        "clusters": len(clusters),
        "namespaces": len([n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == name]),
        # familyPrefix takes a whole family name: list all and filter.
        "task_definitions": len([a for a in ecs.list_task_definitions()["taskDefinitionArns"]
                                 if a.rsplit("/", 1)[-1].startswith(name + "-")]),
        "roles": len([r for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(name)]),
        "log_groups": len(logs.describe_log_groups(logGroupNamePrefix=f"/ecs/{name}/")["logGroups"]),
    }, sys.stdout)


if __name__ == "__main__":
    main(*sys.argv[1:])
