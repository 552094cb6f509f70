#!/usr/bin/env python3
"""Print, as JSON, what the endpoint holds for the given repositories: ECR settings and the registry's tags.

Independent of the collection's code: boto3 for ECR, urllib for the OCI distribution API. The password is
never printed.
"""
import base64
import json
import os
import sys
import urllib.request

import boto3

ACCEPT = ", ".join([
    "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
])


def main(names):
    ecr = boto3.client("ecr")
    token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    auth = "Basic " + token  # the token is base64("AWS:<password>"), exactly a basic auth credential
    registry = os.environ["BANDUP_REGISTRY"]
    out = {}
    for name in names:
        repo = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
        entry = {
            "image_tag_mutability": repo["imageTagMutability"],
            "scan_on_push": repo["imageScanningConfiguration"]["scanOnPush"],
            "encryption_type": repo["encryptionConfiguration"]["encryptionType"],
            "lifecycle_policy": json.loads(ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"]),
            "tags": {t["Key"]: t["Value"] for t in ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"]},
            "registry_tags": {},
        }
        request = urllib.request.Request(f"http://{registry}/v2/{name}/tags/list", headers={"Authorization": auth})
        with urllib.request.urlopen(request) as response:
            tags = json.load(response).get("tags") or []
        for tag in tags:
            request = urllib.request.Request(f"http://{registry}/v2/{name}/manifests/{tag}", method="HEAD",
                                             headers={"Authorization": auth, "Accept": ACCEPT})
            with urllib.request.urlopen(request) as response:
                entry["registry_tags"][tag] = response.headers["Docker-Content-Digest"]
        out[name] = entry
    assert base64.b64decode(token)  # keep the token out of the output, just check it decodes
    json.dump(out, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
