"""An OCI distribution API client: manifests by tag or digest, config labels (urllib3).

Decides nothing: callers ask for a manifest, an existence check or a label set and
get facts back. It speaks the distribution API directly (``/v2/<name>/manifests/…``
and ``/blobs/…``), answers a ``401`` Bearer challenge by fetching a token from the
realm it names (anonymously, or with ``RELEASE_TOOL_REGISTRY_USER`` /
``RELEASE_TOOL_REGISTRY_TOKEN`` when the realm is on the registry's own host) and
redirects registries given as mirrors.

Retries are bounded like the GitHub adapter's: a few attempts per request with
exponential backoff, only for dropped connections, 429 and 5xx, on GET and HEAD
(nothing here writes), every request under a connect and a read timeout.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import urllib3
from urllib3.exceptions import HTTPError, MaxRetryError
from urllib3.util import Retry, Timeout

from release_tool.core import oci
from release_tool.core.github_context import Secret
from release_tool.errors import InputRejected, OperationalError

USER_VARIABLE = "RELEASE_TOOL_REGISTRY_USER"
TOKEN_VARIABLE = "RELEASE_TOOL_REGISTRY_TOKEN"  # noqa: S105 - a variable name, no secret


@dataclass(frozen=True)
class RegistryPolicy:
    """How hard to try: attempts per request, backoff, timeouts (seconds)."""

    attempts: int = 4
    backoff_factor: float = 1.0
    backoff_max: float = 10.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0


# The policy every command uses (tests swap in one that does not wait).
POLICY = RegistryPolicy()


@dataclass(frozen=True)
class Manifest:
    digest: str  # sha256 of ``raw``, exactly as served
    media_type: str
    raw: bytes


def _retry(policy: RegistryPolicy) -> Retry:
    return Retry(
        total=policy.attempts - 1,
        connect=policy.attempts - 1,
        read=policy.attempts - 1,
        status=policy.attempts - 1,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD"}),
        backoff_factor=policy.backoff_factor,
        backoff_max=policy.backoff_max,
        respect_retry_after_header=True,
        raise_on_status=False,
        redirect=5,
    )


class RegistryClient:
    """Read-only access to the registries image references name."""

    def __init__(
        self,
        mirrors: Mapping[str, str] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        policy: RegistryPolicy | None = None,
    ) -> None:
        policy = policy or POLICY
        self.mirrors = dict(mirrors or {})
        self._pool = urllib3.PoolManager(
            retries=_retry(policy),
            timeout=Timeout(connect=policy.connect_timeout, read=policy.read_timeout),
        )
        env = env or {}
        user, token = env.get(USER_VARIABLE, ""), env.get(TOKEN_VARIABLE, "")
        self._basic = (user, Secret(token)) if user and token else None
        self._tokens: dict[tuple[str, str], Secret] = {}

    # -- what callers ask ------------------------------------------------------------
    def manifest(self, reference: oci.Reference) -> Manifest | None:
        """The manifest (or index) a tag or digest names; None when the registry has none."""
        response = self._call("GET", reference, f"manifests/{_selector(reference)}")
        if response.status == 404:
            return None
        self._expect_ok(response, reference)
        raw = response.data
        digest = oci.digest_of(raw)
        served = response.headers.get("Docker-Content-Digest")
        if served and served != digest:
            raise OperationalError(
                f"{reference}: the registry says {served} but the manifest it sent hashes to "
                f"{digest}"
            )
        media = oci.media_type_of(raw, response.headers.get("Content-Type"))
        return Manifest(digest, media, raw)

    def exists(self, reference: oci.Reference) -> bool:
        """Whether the registry still serves ``reference``'s digest (a HEAD request)."""
        if reference.digest is None:
            raise ValueError("exists() needs a reference with a digest")
        response = self._call("HEAD", reference, f"manifests/{reference.digest}")
        if response.status == 404:
            return False
        self._expect_ok(response, reference)
        return True

    def index_digest(self, reference: oci.Reference) -> str:
        """The digest of the index a tag names; it must list linux/amd64."""
        found = self.manifest(reference)
        if found is None:
            raise InputRejected(f"{reference} was not found in its registry")
        if found.media_type not in oci.INDEX_TYPES:
            raise InputRejected(
                f"{reference} is a single-platform image ({found.media_type or 'unknown type'}),"
                " not an index; pin a tag that publishes an index"
            )
        oci.platform_manifest(found.raw, what=str(reference))
        return found.digest

    def labels(self, reference: oci.Reference) -> dict[str, str] | None:
        """The linux/amd64 image's config labels; None when the tag does not exist."""
        found = self.manifest(reference)
        if found is None:
            return None
        if found.media_type in oci.INDEX_TYPES:
            digest = oci.platform_manifest(found.raw, what=str(reference))
            found = self.manifest(reference.with_digest(digest))
            if found is None:
                raise OperationalError(f"{reference}: its index names {digest}, which is missing")
        config = _json(found.raw, str(reference)).get("config") or {}
        blob = str(config.get("digest", ""))
        if not oci.is_digest(blob):
            raise OperationalError(f"{reference}: the manifest names no config blob")
        response = self._call("GET", reference, f"blobs/{blob}")
        self._expect_ok(response, reference)
        if oci.digest_of(response.data) != blob:
            raise OperationalError(f"{reference}: the config blob does not match {blob}")
        labels = (_json(response.data, str(reference)).get("config") or {}).get("Labels") or {}
        return {str(k): str(v) for k, v in labels.items()}

    # -- the protocol ----------------------------------------------------------------
    def _call(self, method: str, reference: oci.Reference, path: str) -> urllib3.BaseHTTPResponse:
        base = oci.endpoint(reference.registry, self.mirrors)
        url = f"{base}/v2/{reference.repository}/{path}"
        key = (base, reference.repository)
        response = self._send(method, url, self._headers(key), reference.registry)
        if response.status != 401:
            return response
        challenge = oci.parse_challenge(response.headers.get("WWW-Authenticate", ""))
        if challenge is None:
            raise OperationalError(
                f"the registry {reference.registry} asks for credentials this tool cannot give "
                "(no Bearer challenge)"
            )
        self._tokens[key] = self._token(challenge, reference)
        response = self._send(method, url, self._headers(key), reference.registry)
        if response.status == 401:
            raise OperationalError(
                f"the registry {reference.registry} refused the token it issued for "
                f"{reference.repository}; set {USER_VARIABLE} and {TOKEN_VARIABLE} for a "
                "private image"
            )
        return response

    def _headers(self, key: tuple[str, str]) -> dict[str, str]:
        headers = {"Accept": oci.ACCEPT}
        token = self._tokens.get(key)
        if token is not None:
            headers["Authorization"] = f"Bearer {token.reveal()}"
        return headers

    def _token(self, challenge: oci.Challenge, reference: oci.Reference) -> Secret:
        query = {"scope": challenge.scope or f"repository:{reference.repository}:pull"}
        if challenge.service:
            query["service"] = challenge.service
        separator = "&" if urlsplit(challenge.realm).query else "?"
        headers: dict[str, str] = {}
        # Credentials go only to a token service on the registry's own host.
        base = oci.endpoint(reference.registry, self.mirrors)
        if self._basic is not None and urlsplit(challenge.realm).netloc == urlsplit(base).netloc:
            user, secret = self._basic
            headers = urllib3.make_headers(basic_auth=f"{user}:{secret.reveal()}")
        url = f"{challenge.realm}{separator}{urlencode(query)}"
        response = self._send("GET", url, headers, urlsplit(challenge.realm).netloc)
        if response.status != 200:
            raise OperationalError(
                f"the token service of {reference.registry} answered HTTP {response.status} "
                f"for {reference.repository}"
            )
        data = _json(response.data, f"the token service of {reference.registry}")
        token = data.get("token") or data.get("access_token")
        if not isinstance(token, str) or not token:
            raise OperationalError(f"the token service of {reference.registry} sent no token")
        return Secret(token)

    def _send(
        self, method: str, url: str, headers: Mapping[str, str], host: str
    ) -> urllib3.BaseHTTPResponse:
        try:
            return self._pool.request(method, url, headers=dict(headers), redirect=True)
        except MaxRetryError as exc:
            raise OperationalError(
                f"the registry {host} cannot be reached at {urlsplit(url).netloc}: "
                f"{_reason(exc.reason)}"
            ) from None
        except HTTPError as exc:
            raise OperationalError(
                f"the registry {host} cannot be reached at {urlsplit(url).netloc}: {_reason(exc)}"
            ) from None

    @staticmethod
    def _expect_ok(response: urllib3.BaseHTTPResponse, reference: oci.Reference) -> None:
        if response.status != 200:
            raise OperationalError(
                f"the registry {reference.registry} answered HTTP {response.status} for {reference}"
            )


def _selector(reference: oci.Reference) -> str:
    return reference.digest or reference.tag or ""


def _json(raw: bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError:
        raise OperationalError(f"{what} sent something that is not JSON") from None
    if not isinstance(data, dict):
        raise OperationalError(f"{what} sent JSON that is not an object")
    return data


def _reason(error: BaseException | None) -> str:
    """urllib3's reason without the connection object's repr in front."""
    text = str(error or "no answer").strip()
    if text.startswith(("HTTPConnection(", "HTTPSConnection(")) and "): " in text:
        text = text.split("): ", 1)[1]
    return text.rstrip(".") or "no answer"
