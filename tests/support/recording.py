#!/usr/bin/env python3
"""What the collection asked the local AWS endpoint: moto's request recorder, as (service, action) calls.

    recording.py start              # POST /moto-api/recorder/start-recording (clears the old record)
    recording.py calls              # JSON: {"calls": [{"service", "action"}...], "writes": [...], "reads": n}
    recording.py stop

The endpoint is $AWS_ENDPOINT_URL. Test support only; nothing in the collection uses it.
"""
import base64
import json
import os
import re
import sys
import urllib.parse
import urllib.request

READ_PREFIXES = ("Describe", "List", "Get", "BatchGet", "Head", "Lookup", "Search")
# Calls whose names look like writes but write nothing.
READ_ACTIONS = {"GetAuthorizationToken", "BatchCheckLayerAvailability", "DiscoverInstances"}
SCOPE_RE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def _endpoint():
    return os.environ["AWS_ENDPOINT_URL"].rstrip("/")


def _post(path):
    request = urllib.request.Request(_endpoint() + path, method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def start():
    _post("/moto-api/recorder/reset-recording")
    _post("/moto-api/recorder/start-recording")


def stop():
    _post("/moto-api/recorder/stop-recording")


def rest_action(service, method, path):
    """The operation of a REST protocol request (e.g. arc-zonal-shift's ``GET /zonalshifts``) from botocore's model
    of the service ``service`` (its SigV4 signing name, here also its model name): the operation whose method and
    requestUri match."""
    import botocore.exceptions
    import botocore.session
    try:
        model = botocore.session.get_session().get_service_model(service)
    except botocore.exceptions.UnknownServiceError:
        return None
    for op_name in model.operation_names:
        http = model.operation_model(op_name).http
        uri = http["requestUri"].split("?", 1)[0]
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(uri)) + "/?$"
        if http["method"] == method and re.match(pattern, path):
            return op_name
    return None


def action(entry):
    """The API action of a recorded request: X-Amz-Target (JSON protocols), the Action field (query protocol), or
    the operation botocore's model maps the method and path to (REST protocols)."""
    headers = {k.lower(): v for k, v in entry.get("headers", {}).items()}
    if "x-amz-target" in headers:
        return headers["x-amz-target"].rsplit(".", 1)[-1]
    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(entry.get("url", "")).query)
    form = urllib.parse.parse_qs(body) if "=" in body else {}
    for source in (form, query):
        if "Action" in source:
            return source["Action"][0]
    path = urllib.parse.urlparse(entry.get("url", "")).path
    auth = {k.lower(): v for k, v in entry.get("headers", {}).items()}.get("authorization", "")
    match = SCOPE_RE.search(auth)
    found = rest_action(match.group(1), entry.get("method"), path) if match else None
    return found or f"{entry.get('method')} {path}"


def is_read(action):
    return action in READ_ACTIONS or action.startswith(READ_PREFIXES)


def calls():
    with urllib.request.urlopen(_endpoint() + "/moto-api/recorder/download-recording", timeout=60) as response:
        lines = response.read().decode().splitlines()
    out = []
    for line in lines:
        if not line.strip():
            continue
        entry = json.loads(line)
        if urllib.parse.urlparse(entry.get("url", "")).path.startswith("/moto-api"):
            continue
        auth = {k.lower(): v for k, v in entry.get("headers", {}).items()}.get("authorization", "")
        match = SCOPE_RE.search(auth)
        out.append({"service": match.group(1) if match else "?", "action": action(entry)})
    return out


def summary():
    recorded = calls()
    writes = [c for c in recorded if not is_read(c["action"])]
    return {"calls": recorded, "writes": writes, "reads": len(recorded) - len(writes)}


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else "calls"
    if command == "start":
        start()
    elif command == "stop":
        stop()
    elif command == "calls":
        json.dump(summary(), sys.stdout)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
