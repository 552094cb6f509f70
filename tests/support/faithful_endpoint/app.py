"""The faithful endpoint: app (see __init__.py)."""
import argparse
import json
import os
import signal
import sys

import importlib
import pkgutil
import re

from .core import LOCK, PATCHES, ROUTES, SERVICES, WORLD, patcher

SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def load_modules():
    """Import every module of this package: each registers its patches and routes (core.patcher, core.route)."""
    for info in pkgutil.iter_modules([os.path.dirname(__file__)]):
        if info.name not in ("app", "__main__"):
            importlib.import_module(f"{__package__}.{info.name}")


@patcher
def patch_reset():
    from moto.moto_api._internal.models import MotoAPIBackend

    original = MotoAPIBackend.reset

    def reset(self):
        with LOCK:
            WORLD.reset()
            return original(self)

    MotoAPIBackend.reset = reset


def patch_all():
    load_modules()
    for patch in PATCHES:
        patch()


# ----------------------------------------------------------------------------------------------- control API

def state():
    return {
        "impaired_azs": sorted(WORLD.impaired),
        "failing": [{"cluster": c, "service": s, **spec} for (c, s), spec in WORLD.failing.items()],
        "services": [fx.dump() for fx in WORLD.services.values()],
    }


def _find(body):
    cluster = (body.get("cluster") or "default").split("/")[-1]
    service = body["service"].split("/")[-1]
    matches = [fx for key, fx in WORLD.services.items() if key[2:] == (cluster, service)]
    return cluster, service, matches


def control(method, path, body):
    """(status, JSON-able answer) of a /faithful-api/ call."""
    with LOCK:
        if method == "GET" and path == "state":
            return 200, state()
        if (method, path) in ROUTES:
            return ROUTES[(method, path)](body)
        if method != "POST":
            return 404, {"error": f"no {method} /faithful-api/{path}"}
        if path in ("az/impair", "az/restore"):
            if not body.get("az"):
                return 400, {"error": "az: required"}
            (WORLD.impaired.add if path == "az/impair" else WORLD.impaired.discard)(body["az"])
            return 200, {"impaired_azs": sorted(WORLD.impaired)}
        if path in ("tasks/fail", "tasks/heal", "tick"):
            if not body.get("service"):
                return 400, {"error": "service: required"}
            cluster, service, matches = _find(body)
            if path == "tasks/fail":
                WORLD.failing[(cluster, service)] = {
                    "exit_code": int(body.get("exit_code", 1)), "reason": body.get("reason"),
                    "log_lines": list(body.get("log_lines") or []), "health_check": bool(body.get("health_check"))}
                return 200, {"failing": sorted(f"{c}/{s}" for c, s in WORLD.failing)}
            if path == "tasks/heal":
                WORLD.failing.pop((cluster, service), None)
                return 200, {"failing": sorted(f"{c}/{s}" for c, s in WORLD.failing)}
            if not matches:
                return 404, {"error": f"no service {service} in cluster {cluster}"}
            for _ in range(int(body.get("count", 1))):
                for fx in matches:
                    fx.tick()
            return 200, {"services": [fx.dump() for fx in matches]}
        return 404, {"error": f"no POST /faithful-api/{path}"}


class ControlApp:
    """WSGI: /faithful-api/... here, everything else to moto's app."""

    def __init__(self, moto_app):
        self.moto_app = moto_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/faithful-api/"):
            scope = SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
            if scope and scope.group(1) in SERVICES:
                return SERVICES[scope.group(1)](environ, start_response)
            return self.moto_app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
            status, answer = control(environ["REQUEST_METHOD"], path[len("/faithful-api/"):].strip("/"), body)
        except (ValueError, TypeError, KeyError) as exc:
            status, answer = 400, {"error": str(exc)}
        data = json.dumps(answer, default=str).encode()
        start_response(f"{status} {'OK' if status == 200 else 'Error'}",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]


def make_app():
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    patch_all()
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    return ControlApp(app)


def main(argv=None):
    parser = argparse.ArgumentParser(description="moto server that answers like AWS ECS (see the module docstring)")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_PORT", str(args.port))
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import run_simple
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    run_simple(args.host, args.port, make_app(), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
