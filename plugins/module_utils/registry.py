# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A minimal OCI distribution API client: does a tag exist, and what is its manifest digest.

Works with ECR (basic auth with the ``AWS`` user and the token's password) and with any registry
that accepts basic auth on ``/v2/``.
"""

from __future__ import annotations

import base64
import hashlib
import ssl
import threading
import urllib.error

from ansible.module_utils.urls import Request, make_context

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)


class RegistryError(AnsibleAWSError):
    """The registry refused or did not answer. An AnsibleAWSError: the module's one failure path
    (module_utils/changes.py run()) reports it."""


class Registry:
    """``host`` is ``name[:port]``. ``tls_verify=False`` tries HTTPS without verification, then plain HTTP
    (like buildah's and docker's insecure registries)."""

    def __init__(self, host, user, password, tls_verify=True, timeout=30):
        self.host = host
        self.tls_verify = tls_verify
        self.timeout = timeout
        self._auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self._scheme = None if not tls_verify else "https"
        # One TLS context for every request (Request.open would build one per request, loading the CA store each
        # time); plain HTTP gets a bare one, since Request.open always wants a context and HTTP never uses it.
        self._contexts = {}
        self._lock = threading.Lock()

    def _context(self, scheme):
        with self._lock:
            if scheme not in self._contexts:
                self._contexts[scheme] = (make_context(validate_certs=self.tls_verify) if scheme == "https"
                                          else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
            return self._contexts[scheme]

    def _open(self, scheme, method, path, data=None, content_type=None):
        headers = {"Authorization": self._auth, "Accept": ", ".join(MANIFEST_TYPES)}
        if content_type:
            headers["Content-Type"] = content_type
        return Request().open(method, f"{scheme}://{self.host}{path}", timeout=self.timeout, data=data,
                              validate_certs=self.tls_verify, follow_redirects="safe", headers=headers,
                              context=self._context(scheme))

    def request(self, method, path, data=None, content_type=None):
        """(status, headers, body); 404 is a status, not an error."""
        schemes = [self._scheme] if self._scheme else ["https", "http"]
        last = None
        for scheme in schemes:
            try:
                with self._open(scheme, method, path, data, content_type) as response:
                    self._scheme = scheme
                    return response.status, response.headers, response.read()
            except urllib.error.HTTPError as err:
                self._scheme = scheme
                if err.code == 404:
                    return 404, err.headers, b""
                if err.code in (401, 403):
                    raise RegistryError(f"{self.host}: {method} {path} refused ({err.code}): check the "
                                        "registry credentials (ecr:GetAuthorizationToken)") from None
                raise RegistryError(f"{self.host}: {method} {path} failed with HTTP {err.code}") from None
            except (urllib.error.URLError, OSError) as err:
                last = err
        raise RegistryError(f"{self.host}: {method} {path} unreachable: {getattr(last, 'reason', last)}")

    def manifest_digest(self, repository, reference):
        """The digest (``sha256:...``) of the manifest ``repository:reference``, or None when it does not exist."""
        path = f"/v2/{repository}/manifests/{reference}"
        status, headers, _body = self.request("HEAD", path)
        if status == 404:
            return None
        digest = headers.get("Docker-Content-Digest")
        if digest:
            return digest
        status, headers, body = self.request("GET", path)
        if status == 404:
            return None
        return headers.get("Docker-Content-Digest") or "sha256:" + hashlib.sha256(body).hexdigest()

    def copy_tag(self, repository, source, tag):
        """Tag the manifest ``repository:source`` as ``tag`` too (no layer moves); returns its digest."""
        path = f"/v2/{repository}/manifests/"
        status, headers, body = self.request("GET", path + source)
        if status == 404:
            raise RegistryError(f"{self.host}: {repository}:{source} does not exist")
        self.request("PUT", path + tag, data=body, content_type=headers.get("Content-Type"))
        return "sha256:" + hashlib.sha256(body).hexdigest()
