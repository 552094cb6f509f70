#!/usr/bin/env python3
"""Print, as JSON, what the endpoint holds for a canary's check, independent of the collection's code (boto3):
{"services": {name: [task definition revision, desired count]}, "weights": {target group name: weight}}."""
import json
import sys

import boto3


def main(name):
    ecs, elbv2 = boto3.client("ecs"), boto3.client("elbv2")
    names = [f"{name}-{app}-{cell}" for app in ("backend", "frontend") for cell in "ab"]
    services = {s["serviceName"]: [int(s["taskDefinition"].rsplit(":", 1)[1]), s["desiredCount"]]
                for s in ecs.describe_services(cluster=name, services=names)["services"]}
    lb = elbv2.describe_load_balancers(Names=[name])["LoadBalancers"][0]["LoadBalancerArn"]
    groups = {g["TargetGroupArn"]: g["TargetGroupName"]
              for g in elbv2.describe_target_groups(LoadBalancerArn=lb)["TargetGroups"]}
    weights = {}
    for listener in elbv2.describe_listeners(LoadBalancerArn=lb)["Listeners"]:
        for rule in elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]:
            for action in rule["Actions"]:
                for group in (action.get("ForwardConfig") or {}).get("TargetGroups", []):
                    weights[groups[group["TargetGroupArn"]]] = group["Weight"]
    print(json.dumps({"services": services, "weights": weights}))


if __name__ == "__main__":
    main(sys.argv[1])
