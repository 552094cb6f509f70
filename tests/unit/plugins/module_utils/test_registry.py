"""The OCI distribution client against a small registry served on loopback (real HTTP, basic auth)."""
import base64
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.bandup.ecs.plugins.module_utils.registry import MANIFEST_TYPES, Registry, RegistryError

MANIFEST = b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}'
DIGEST = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()
AUTH = "Basic " + base64.b64encode(b"AWS:pw").decode()


class Handler(BaseHTTPRequestHandler):
    seen = []
    send_digest = True

    def log_message(self, *args):
        pass

    def _answer(self, body):
        Handler.seen.append((self.command, self.path, self.headers.get("Accept")))
        if self.headers.get("Authorization") != AUTH:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.end_headers()
            return
        if self.path != "/v2/ielts-backend/manifests/ctx-1":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        self.send_header("Content-Length", str(len(MANIFEST)))
        if Handler.send_digest:
            self.send_header("Docker-Content-Digest", DIGEST)
        self.end_headers()
        if body:
            self.wfile.write(MANIFEST)

    def do_HEAD(self):  # noqa: N802
        self._answer(False)

    def do_GET(self):  # noqa: N802
        self._answer(True)

    def do_PUT(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Handler.seen.append(("PUT", self.path, self.headers.get("Content-Type"), body))
        self.send_response(201 if self.headers.get("Authorization") == AUTH else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def server():
    Handler.seen, Handler.send_digest = [], True
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_existing_tag_returns_the_served_digest_with_one_head(server):
    registry = Registry(server, "AWS", "pw", tls_verify=False)
    assert registry.manifest_digest("ielts-backend", "ctx-1") == DIGEST
    heads = [entry for entry in Handler.seen if entry[0] == "HEAD"]
    assert len(heads) == 1 and not [entry for entry in Handler.seen if entry[0] == "GET"]
    for media_type in MANIFEST_TYPES:
        assert media_type in heads[0][2]


def test_missing_tag_is_none(server):
    registry = Registry(server, "AWS", "pw", tls_verify=False)
    assert registry.manifest_digest("ielts-backend", "ctx-2") is None
    assert registry.manifest_digest("ielts-other", "ctx-1") is None


def test_digest_computed_from_the_body_without_the_header(server):
    Handler.send_digest = False
    assert Registry(server, "AWS", "pw", tls_verify=False).manifest_digest("ielts-backend", "ctx-1") == DIGEST
    assert [entry[0] for entry in Handler.seen] == ["HEAD", "GET"]


def test_bad_credentials_fail_without_the_password(server):
    with pytest.raises(RegistryError) as err:
        Registry(server, "AWS", "wrong-secret", tls_verify=False).manifest_digest("ielts-backend", "ctx-1")
    assert "401" in str(err.value) and "wrong-secret" not in str(err.value)


def test_tls_verify_refuses_plain_http(server):
    with pytest.raises(RegistryError, match="unreachable"):
        Registry(server, "AWS", "pw", tls_verify=True, timeout=5).manifest_digest("ielts-backend", "ctx-1")
    assert Handler.seen == []  # no plain HTTP request was made


def test_unreachable_registry():
    with pytest.raises(RegistryError, match="unreachable"):
        Registry("127.0.0.1:9", "AWS", "pw", tls_verify=False, timeout=2).manifest_digest("x", "y")


def test_copy_tag_puts_the_same_manifest_under_the_new_tag(server):
    registry = Registry(server, "AWS", "pw", tls_verify=False)
    assert registry.copy_tag("ielts-backend", "ctx-1", "git-abc") == DIGEST
    puts = [entry for entry in Handler.seen if entry[0] == "PUT"]
    assert puts == [("PUT", "/v2/ielts-backend/manifests/git-abc", "application/vnd.oci.image.manifest.v1+json",
                     MANIFEST)]
    with pytest.raises(RegistryError, match="does not exist"):
        registry.copy_tag("ielts-backend", "ctx-missing", "git-abc")
