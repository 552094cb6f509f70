# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which image tags a registry has, their manifest digests, and a tag added to an existing manifest.

An ECR registry (``<account>.dkr.ecr[-fips].<region>.amazonaws.com``) is read and tagged through the ECR API
(``EcrImages``: BatchGetImage, PutImage), with the module's boto3 client. Any other registry through a minimal OCI
distribution API client (``Registry``: basic auth on ``/v2/``), the one thing no library the collection may depend
on does (docs/DEVELOPING.md, "The registry client").

Credentials never go over plain HTTP unless the user allowed it (``insecure_http``): ``open_registry`` refuses
``tls_verify=False`` without it, since every builder's ``--tls-verify=false`` (and a Docker engine's insecure
registry) falls back to plain HTTP and sends the credentials there.
"""

from __future__ import annotations

import base64
import hashlib
import re
import ssl
import threading
import urllib.error

from ansible.module_utils.urls import Request, make_context

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.bandup.ecs.plugins.module_utils._ecr import ecr

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)


class RegistryError(AnsibleAWSError):
    """The registry refused or did not answer. An AnsibleAWSError: the module's one failure path
    (module_utils/changes.py run()) reports it."""


# The host of an ECR private registry, as AWS names it (ECR user guide, "Private registry concepts"; FIPS endpoints
# and the China partition's amazonaws.com.cn included).
ECR_HOST = re.compile(r"^(?P<account>[0-9]{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")


def ecr_host(host):
    """(account, region) of an ECR registry host (``name`` or ``name:443``), else None."""
    name, _sep, port = host.partition(":")
    found = ECR_HOST.match(name.lower())
    return (found["account"], found["region"]) if found and port in ("", "443") else None


def check_transport(host, tls_verify, insecure_http):
    """The refusals made before any request: credentials over plain HTTP only when the user said so, never to ECR."""
    if insecure_http and ecr_host(host):
        raise RegistryError(f"insecure_http (image_registry_insecure_http): {host} is an ECR registry, which serves "
                            "HTTPS only; unset it")
    if not tls_verify and not insecure_http:
        raise RegistryError(
            f"tls_verify (image_registry_tls_verify) is false for {host}: buildah, podman and the Docker engine then "
            "fall back to plain HTTP and would send the registry credentials unencrypted. Give the registry a "
            "certificate the controller trusts and keep it true, or set insecure_http "
            "(image_registry_insecure_http: true) to allow plain HTTP on purpose (a registry on loopback or a "
            "trusted network only)")


class EcrImages:
    """``manifest_digest`` and ``copy_tag`` of an ECR registry through the ECR API (``client``: boto3 ``ecr``)."""

    def __init__(self, client, account):
        self.client, self.account = client, account

    def manifest_digest(self, repository, reference):
        image = ecr.get_image(self.client, self.account, repository, reference, MANIFEST_TYPES)
        return image["imageId"]["imageDigest"] if image else None

    def copy_tag(self, repository, source, tag):
        image = ecr.get_image(self.client, self.account, repository, source, MANIFEST_TYPES)
        if image is None:
            raise RegistryError(f"{repository}:{source} does not exist")
        return ecr.put_image_tag(self.client, self.account, repository, image, tag)


def open_registry(host, client, region, user, password, tls_verify=True, insecure_http=False):
    """The reader/tagger of ``host``: ``EcrImages`` for an ECR registry (in ``region``, the ``client``'s), else
    ``Registry``. Refuses what check_transport refuses."""
    check_transport(host, tls_verify, insecure_http)
    found = ecr_host(host)
    if found:
        if region and found[1] != region:
            raise RegistryError(f"registry (image_registry): {host} is the ECR registry of region {found[1]}; the "
                                f"repositories are in {region}")
        return EcrImages(client, found[0])
    return Registry(host, user, password, tls_verify=tls_verify, insecure_http=insecure_http)


class Registry:
    """``host`` is ``name[:port]``. HTTPS (``tls_verify=False``: without verifying the certificate); with
    ``insecure_http`` plain HTTP after HTTPS fails (like buildah's and docker's insecure registries)."""

    def __init__(self, host, user, password, tls_verify=True, timeout=30, insecure_http=False):
        self.host = host
        self.tls_verify = tls_verify
        self.timeout = timeout
        self._auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.insecure_http = insecure_http
        self._scheme = None if insecure_http else "https"
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
        if scheme != "https" and not self.insecure_http:
            raise RegistryError(f"{self.host}: refusing to send the registry credentials over plain HTTP "
                                "(image_registry_insecure_http is not set)")
        headers = {"Authorization": self._auth, "Accept": ", ".join(MANIFEST_TYPES)}
        if content_type:
            headers["Content-Type"] = content_type
        return Request().open(method, f"{scheme}://{self.host}{path}", timeout=self.timeout, data=data,
                              validate_certs=self.tls_verify, follow_redirects="none", headers=headers,
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
