#!/usr/bin/env python3
"""Print the JSON bodies of the recorded calls to one JSON API action, e.g. ECS CreateService.

    recorded_requests.py ENDPOINT ACTION      # -> JSON list of request bodies, in call order

Test support for the service scenario: reads moto's request recording (GET /moto-api/recorder/download-recording).
"""
import base64
import json
import sys
import urllib.request


def main():
    endpoint, action = sys.argv[1].rstrip("/"), sys.argv[2]
    with urllib.request.urlopen(endpoint + "/moto-api/recorder/download-recording", timeout=60) as response:
        lines = response.read().decode().splitlines()
    bodies = []
    for line in lines:
        if not line.strip():
            continue
        entry = json.loads(line)
        target = {k.lower(): v for k, v in entry.get("headers", {}).items()}.get("x-amz-target", "")
        if target.rsplit(".", 1)[-1] != action:
            continue
        body = entry.get("body") or "{}"
        if entry.get("body_encoded"):
            body = base64.b64decode(body).decode()
        bodies.append(json.loads(body))
    json.dump(bodies, sys.stdout)


if __name__ == "__main__":
    main()
