#!/usr/bin/env python3
"""A fault-injecting HTTP proxy between boto3 and the local AWS endpoint (test support).

    faultproxy.py --upstream http://127.0.0.1:5000 --rate 0.2 [--seed 7] [--port 0] [--state-file F]

Each request, with probability --rate, gets one of (in equal shares):
  - a 400 ThrottlingException in the shape of the request's protocol (JSON or query/XML),
  - a 500 InternalError / 503 ServiceUnavailable,
  - a dropped connection (closed without a response),
none of which reaches the upstream; otherwise it is forwarded unchanged. Calls to /moto-api pass untouched;
GET /faultproxy/counts answers the counters so far.
It prints "listening on PORT" and, when --state-file is given, writes counters there on exit (SIGTERM).
"""
import argparse
import http.client
import http.server
import json
import random
import signal
import socketserver
import sys
import threading
import urllib.parse

COUNTS = {"forwarded": 0, "throttle": 0, "5xx": 0, "drop": 0}
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
    rng = random.Random()

    def log_message(self, *args):  # quiet
        pass

    def _fault(self, json_protocol):
        with LOCK:
            roll = self.rng.random()
            kind = self.rng.choice(["throttle", "5xx", "drop"]) if roll < self.rate else None
            if kind:
                COUNTS[kind] += 1
        if kind == "drop":
            self.close_connection = True
            self.connection.close()
            return True
        if kind == "throttle":
            ctype, body = _error_body(json_protocol, "ThrottlingException", "Rate exceeded")
            status = 400
        elif kind == "5xx":
            status = self.rng.choice([500, 503])
            code = "InternalError" if status == 500 else "ServiceUnavailable"
            ctype, body = _error_body(json_protocol, code, "injected fault")
        else:
            return False
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        self.end_headers()
        self.wfile.write(body)
        return True

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/faultproxy/counts":
            with LOCK:
                payload = json.dumps(COUNTS).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        json_protocol = "json" in (self.headers.get("Content-Type") or "") or "X-Amz-Target" in self.headers
        if not self.path.startswith("/moto-api") and self._fault(json_protocol):
            return
        target = urllib.parse.urlparse(self.upstream)
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        conn.request(self.command, self.path, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        conn.close()
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
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state-file")
    args = parser.parse_args()
    Handler.upstream, Handler.rate, Handler.rng = args.upstream, args.rate, random.Random(args.seed)
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
