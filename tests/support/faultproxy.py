#!/usr/bin/env python3
"""A fault-injecting HTTP proxy between boto3 and the local AWS endpoint (test support).

    faultproxy.py --upstream http://127.0.0.1:5000 --rate 0.2 [--kinds throttle,5xx,drop] [--lose-first-writes]
                  [--spare CreateVpc,...] [--error-first ACTION=CODE:MESSAGE ...] [--seed 7] [--port 0]
                  [--state-file F]

Each request, with probability --rate, gets one of the --kinds (in equal shares):
  - throttle: a 400 ThrottlingException in the shape of the request's protocol (JSON or query/XML),
  - 5xx: a 500 InternalError / 503 ServiceUnavailable,
  - drop: a dropped connection (closed without a response),
  - lost (not in the default kinds): the request IS forwarded, then the connection is closed before the response
    is returned, as when a response is lost on the way back: the write happened, the client does not know;
the first three never reach the upstream; otherwise the request is forwarded unchanged.
With --error-first ACTION=CODE:MESSAGE (repeatable), the first call of ACTION is answered with a 400 CODE error
carrying MESSAGE and does not reach the upstream, as AWS answers CreateCluster in an account whose ECS
service-linked role is brand new.
With --lose-first-writes, besides, the response of the first call of each distinct write action (CreateVpc,
RegisterTaskDefinition...) is lost, except for the actions --spare names: which creates does a client's retry (or
the next run) duplicate?
Calls to /moto-api pass untouched; GET /faultproxy/counts answers the counters so far, GET /faultproxy/lost the
actions whose response was lost (in order).
It prints "listening on PORT" and, when --state-file is given, writes counters there on exit (SIGTERM).
"""
import argparse
import http.client
import http.server
import json
import os
import random
import signal
import socketserver
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recording  # noqa: E402  pylint: disable=wrong-import-position  (this directory's, run as a script)

KINDS = ("throttle", "5xx", "drop", "lost")
DEFAULT_KINDS = ("throttle", "5xx", "drop")
COUNTS = dict({"forwarded": 0}, **{kind: 0 for kind in KINDS})
LOST = []
LOCK = threading.Lock()


def _error_body(json_protocol, code, message):
    if json_protocol:
        return "application/x-amz-json-1.1", json.dumps({"__type": code, "message": message}).encode()
    xml = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
           f"<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>")
    return "text/xml", xml.encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = None
    rate = 0.0
    kinds = DEFAULT_KINDS
    lose_first_writes = False
    rng = random.Random()
    seen_writes = set()
    error_first = {}  # action -> (code, message), until answered once

    def log_message(self, *args):  # quiet
        pass

    def _roll(self):
        with LOCK:
            roll = self.rng.random()
            kind = self.rng.choice(self.kinds) if roll < self.rate else None
            if kind:
                COUNTS[kind] += 1
        return kind

    def _drop(self):
        self.close_connection = True
        self.connection.close()

    def _fault(self, kind, json_protocol):
        """Answer an injected fault that does not reach the upstream; False when the request must be forwarded."""
        if kind == "drop":
            self._drop()
            return True
        if kind == "throttle":
            ctype, body = _error_body(json_protocol, "ThrottlingException", "Rate exceeded")
            status = 400
        elif kind == "5xx":
            status = self.rng.choice([500, 503])
            code = "InternalError" if status == 500 else "ServiceUnavailable"
            ctype, body = _error_body(json_protocol, code, "injected fault")
        else:  # none, or lost (forwarded first)
            return False
        self._send_error(status, ctype, body)
        return True

    def _send_error(self, status, ctype, body):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        self.end_headers()
        self.wfile.write(body)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path in ("/faultproxy/counts", "/faultproxy/lost"):
            with LOCK:
                payload = json.dumps(COUNTS if self.path.endswith("counts") else LOST).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        json_protocol = "json" in (self.headers.get("Content-Type") or "") or "X-Amz-Target" in self.headers
        kind = None if self.path.startswith("/moto-api") else self._roll()
        action = recording.action({"headers": dict(self.headers.items()), "url": self.path,
                                   "body": body.decode("utf-8", "replace")})
        if kind is None and self.lose_first_writes and not self.path.startswith("/moto-api") \
                and not recording.is_read(action):
            with LOCK:
                if action not in self.seen_writes:
                    self.seen_writes.add(action)
                    COUNTS["lost"] += 1
                    kind = "lost"
        with LOCK:
            error = self.error_first.pop(action, None)
        if error:
            with LOCK:
                COUNTS["error_first"] = COUNTS.get("error_first", 0) + 1
            self._send_error(400, *_error_body(json_protocol, *error))
            return
        if self._fault(kind, json_protocol):
            return
        target = urllib.parse.urlparse(self.upstream)
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        conn.request(self.command, self.path, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        conn.close()
        if kind == "lost":
            with LOCK:
                LOST.append(action)
            self._drop()
            return
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        with LOCK:
            COUNTS["forwarded"] += 1

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--kinds", default=",".join(DEFAULT_KINDS),
                        help=f"comma-separated fault kinds among {', '.join(KINDS)}")
    parser.add_argument("--lose-first-writes", action="store_true")
    parser.add_argument("--spare", default="", help="with --lose-first-writes: comma-separated actions left alone")
    parser.add_argument("--error-first", action="append", default=[], metavar="ACTION=CODE:MESSAGE",
                        help="answer the first call of ACTION with a 400 CODE error (repeatable)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state-file")
    args = parser.parse_args()
    kinds = tuple(args.kinds.split(","))
    if not kinds or set(kinds) - set(KINDS):
        parser.error(f"--kinds: choose among {', '.join(KINDS)}")
    Handler.upstream, Handler.rate, Handler.rng = args.upstream, args.rate, random.Random(args.seed)
    Handler.kinds, Handler.lose_first_writes = kinds, args.lose_first_writes
    Handler.seen_writes = set(filter(None, args.spare.split(",")))
    for spec in args.error_first:
        action, _, error = spec.partition("=")
        code, _, message = error.partition(":")
        if not action or not code:
            parser.error("--error-first: ACTION=CODE:MESSAGE")
        Handler.error_first[action] = (code, message)
    server = Server(("127.0.0.1", args.port), Handler)

    def finish(*_):
        if args.state_file:
            with open(args.state_file, "w") as handle:
                json.dump(COUNTS, handle)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, finish)
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()
    finish()
    sys.exit(0)


if __name__ == "__main__":
    main()
