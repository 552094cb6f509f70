"""The registry readers: the OCI distribution client against a small registry served on loopback (real HTTP, basic
auth), the ECR API reader against botocore's Stubber, and the refusals that keep credentials off plain HTTP."""
import base64
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import boto3
from botocore.stub import Stubber

from ansible_collections.bandup.ecs.plugins.module_utils._ecr.registry import MANIFEST_TYPES, EcrImages, Registry
from ansible_collections.bandup.ecs.plugins.module_utils._ecr.registry import RegistryError, ecr_host, open_registry

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
    registry = Registry(server, "AWS", "pw", tls_verify=False, insecure_http=True)
    assert registry.manifest_digest("ielts-backend", "ctx-1") == DIGEST
    heads = [entry for entry in Handler.seen if entry[0] == "HEAD"]
    assert len(heads) == 1 and not [entry for entry in Handler.seen if entry[0] == "GET"]
    for media_type in MANIFEST_TYPES:
        assert media_type in heads[0][2]


def test_missing_tag_is_none(server):
    registry = Registry(server, "AWS", "pw", tls_verify=False, insecure_http=True)
    assert registry.manifest_digest("ielts-backend", "ctx-2") is None
    assert registry.manifest_digest("ielts-other", "ctx-1") is None


def test_digest_computed_from_the_body_without_the_header(server):
    Handler.send_digest = False
    assert Registry(server, "AWS", "pw", tls_verify=False, insecure_http=True).manifest_digest("ielts-backend", "ctx-1") == DIGEST
    assert [entry[0] for entry in Handler.seen] == ["HEAD", "GET"]


def test_bad_credentials_fail_without_the_password(server):
    with pytest.raises(RegistryError) as err:
        Registry(server, "AWS", "wrong-secret", tls_verify=False, insecure_http=True).manifest_digest("ielts-backend", "ctx-1")
    assert "401" in str(err.value) and "wrong-secret" not in str(err.value)


def test_tls_verify_refuses_plain_http(server):
    with pytest.raises(RegistryError, match="unreachable"):
        Registry(server, "AWS", "pw", tls_verify=True, timeout=5).manifest_digest("ielts-backend", "ctx-1")
    assert Handler.seen == []  # no plain HTTP request was made


def test_unreachable_registry():
    with pytest.raises(RegistryError, match="unreachable"):
        Registry("127.0.0.1:9", "AWS", "pw", tls_verify=False, timeout=2, insecure_http=True).manifest_digest("x", "y")


def test_copy_tag_puts_the_same_manifest_under_the_new_tag(server):
    registry = Registry(server, "AWS", "pw", tls_verify=False, insecure_http=True)
    assert registry.copy_tag("ielts-backend", "ctx-1", "git-abc") == DIGEST
    puts = [entry for entry in Handler.seen if entry[0] == "PUT"]
    assert puts == [("PUT", "/v2/ielts-backend/manifests/git-abc", "application/vnd.oci.image.manifest.v1+json",
                     MANIFEST)]
    with pytest.raises(RegistryError, match="does not exist"):
        registry.copy_tag("ielts-backend", "ctx-missing", "git-abc")


def test_without_insecure_http_nothing_goes_over_plain_http(server):
    """tls_verify false alone is HTTPS without verification: the plain HTTP registry never sees a request, so never
    the credentials (the client used to fall back to HTTP here)."""
    with pytest.raises(RegistryError, match="unreachable"):
        Registry(server, "AWS", "pw", tls_verify=False, timeout=5).manifest_digest("ielts-backend", "ctx-1")
    assert Handler.seen == []


def test_open_registry_refuses_credentials_over_plain_http_naming_the_settings(server):
    with pytest.raises(RegistryError) as err:
        open_registry(server, None, "us-east-1", "AWS", "pw", tls_verify=False, insecure_http=False)
    assert "image_registry_tls_verify" in str(err.value) and "image_registry_insecure_http: true" in str(err.value)
    assert "pw" not in str(err.value)
    assert Handler.seen == []
    # allowed on purpose: the local test registry
    allowed = open_registry(server, None, "us-east-1", "AWS", "pw", tls_verify=False, insecure_http=True)
    assert isinstance(allowed, Registry) and allowed.manifest_digest("ielts-backend", "ctx-1") == DIGEST


ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"


@pytest.mark.parametrize("host, expected", [
    (ECR, ("123456789012", "eu-west-1")),
    (ECR + ":443", ("123456789012", "eu-west-1")),
    ("123456789012.dkr.ecr-fips.us-east-1.amazonaws.com", ("123456789012", "us-east-1")),
    ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", ("123456789012", "cn-north-1")),
    ("127.0.0.1:5000", None), ("localhost:5000", None), ("registry.example.com", None),
    ("123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example", None), (ECR + ":5000", None),
])
def test_ecr_hosts_are_known_by_the_form_aws_gives_them(host, expected):
    assert ecr_host(host) == expected


def test_insecure_http_is_refused_for_ecr():
    with pytest.raises(RegistryError, match="is an ECR registry, which serves HTTPS only"):
        open_registry(ECR, None, "eu-west-1", "AWS", "pw", tls_verify=True, insecure_http=True)


def test_an_ecr_registry_of_another_region_is_refused():
    with pytest.raises(RegistryError, match="registry \\(image_registry\\): .* region eu-west-1; the repositories are in us-east-1"):
        open_registry(ECR, None, "us-east-1", "AWS", "pw")


@pytest.fixture(name="ecr")
def fixture_ecr():
    client = boto3.client("ecr", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def image(tag):
    return {"registryId": "123456789012", "repositoryName": "ielts-backend",
            "imageId": {"imageDigest": DIGEST, "imageTag": tag}, "imageManifest": MANIFEST.decode(),
            "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json"}


def expect_get(stubber, tag, found=True):
    answer = {"images": [image(tag)], "failures": []} if found else {"images": [], "failures": [
        {"imageId": {"imageTag": tag}, "failureCode": "ImageNotFound", "failureReason": "Requested image not found"}]}
    stubber.add_response("batch_get_image", answer, {
        "registryId": "123456789012", "repositoryName": "ielts-backend", "imageIds": [{"imageTag": tag}],
        "acceptedMediaTypes": list(MANIFEST_TYPES)})


def test_an_ecr_registry_is_read_through_the_ecr_api(ecr):
    client, stubber = ecr
    registry = open_registry(ECR, client, "eu-west-1", "AWS", "pw")
    assert isinstance(registry, EcrImages)
    expect_get(stubber, "ctx-1")
    expect_get(stubber, "ctx-2", found=False)
    assert registry.manifest_digest("ielts-backend", "ctx-1") == DIGEST
    assert registry.manifest_digest("ielts-backend", "ctx-2") is None


def test_an_ecr_tag_is_added_with_put_image_of_the_same_manifest(ecr):
    client, stubber = ecr
    expect_get(stubber, "ctx-1")
    stubber.add_response("put_image", {"image": image("git-abc")}, {
        "registryId": "123456789012", "repositoryName": "ielts-backend", "imageTag": "git-abc",
        "imageManifest": MANIFEST.decode(), "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json"})
    assert EcrImages(client, "123456789012").copy_tag("ielts-backend", "ctx-1", "git-abc") == DIGEST
    # the tag is there already (a rerun after a lost answer): not an error
    expect_get(stubber, "ctx-1")
    stubber.add_client_error("put_image", "ImageAlreadyExistsException", "Image with digest ... already exists")
    assert EcrImages(client, "123456789012").copy_tag("ielts-backend", "ctx-1", "git-abc") == DIGEST
    expect_get(stubber, "ctx-missing", found=False)
    with pytest.raises(RegistryError, match="does not exist"):
        EcrImages(client, "123456789012").copy_tag("ielts-backend", "ctx-missing", "git-abc")


def test_an_ecr_read_failure_other_than_not_found_fails_with_its_reason(ecr):
    client, stubber = ecr
    stubber.add_response("batch_get_image", {"images": [], "failures": [
        {"imageId": {"imageTag": "ctx-1"}, "failureCode": "KmsError", "failureReason": "key disabled"}]})
    with pytest.raises(Exception, match="KmsError: key disabled"):
        EcrImages(client, "123456789012").manifest_digest("ielts-backend", "ctx-1")
