"""Resolve image references to digests over the OCI distribution API (httpx, asyncio).

One :class:`RegistryClient` serves a whole run: every unique ``(reference, platform)`` is
asked once, all of them concurrently up to ``concurrency`` requests in flight, and tokens
are reused per registry and repository. What it does, per the OCI distribution spec
(https://github.com/opencontainers/distribution-spec/blob/main/spec.md):

- ``HEAD /v2/<name>/manifests/<tag>`` with an ``Accept`` for the OCI index, the Docker
  manifest list, the OCI manifest and the Docker v2 manifest, reading
  ``Docker-Content-Digest``; without that header, ``GET`` and sha256 of the body;
- one platform's manifest: ``GET`` the index and pick the entry for ``os/arch[/variant]``;
- ``401`` with ``WWW-Authenticate: Bearer …``: a token from the realm (anonymous, or with
  basic credentials, or an identity token as OAuth2 refresh token), then the request
  again; ``WWW-Authenticate: Basic``: basic credentials;
- ``429`` and ``5xx``: a bounded number of retries, waiting ``Retry-After`` (capped) or an
  exponential backoff;
- HTTPS with verification (optionally a CA bundle); plain HTTP only for hosts listed as
  insecure and for loopback, after HTTPS failed to connect, as the docker engine does;
- mirrors: ``{"docker.io": "mirror:5000"}`` asks the mirror for ``docker.io`` images.

httpx is imported when a client is made, never at ``import dockmod``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import re
import ssl
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockmod.registry.auth import (CredentialError, Credentials, DockerConfig, parse_challenge,
                                   retry_after_seconds)
from dockmod.registry.model import Failed, FailureKind, Request, Resolved, Result
from dockmod.registry.reference import Reference, ReferenceError, parse

MANIFEST_ACCEPT = ", ".join((
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
))
_INDEX_TYPES = ("application/vnd.oci.image.index.v1+json",
                "application/vnd.docker.distribution.manifest.list.v2+json")
_RETRY_STATUS = (429, 500, 502, 503, 504)
_VERSION_TAG = re.compile(r"^v?(\d+)(?:\.(\d+))*$")
# What dockmod writes into a Dockerfile must be a digest BuildKit accepts (OCI image-spec
# descriptor.md: registered algorithms sha256/sha512 in lower-case hex).
_DIGEST = re.compile(r"^(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$")


@dataclass(frozen=True)
class ClientSettings:
    insecure_registries: frozenset[str] = frozenset()
    mirrors: dict[str, str] = field(default_factory=dict)
    ca_bundle: str | None = None
    concurrency: int = 8
    timeout: float = 15.0
    #: Attempts after the first, for 429/5xx and connection errors.
    retries: int = 3
    #: Longest wait for one ``Retry-After``; a longer one fails the look-up as rate limited.
    max_retry_after: float = 30.0
    backoff: float = 0.5
    docker_config: Path | None = None
    #: Tags checked for "same digest as latest" (newest versions first).
    max_similar_tags: int = 40


class _Fail(Exception):
    def __init__(self, kind: FailureKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class _Response:
    status: int
    headers: Any
    body: bytes


def now_utc() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _is_cert_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _platform_matches(entry: dict, platform: str) -> bool:
    """``os/arch[/variant]`` against an index entry; without a variant any variant matches."""
    want = platform.split("/")
    p = entry.get("platform") or {}
    if [p.get("os"), p.get("architecture")] != want[:2]:
        return False
    return len(want) < 3 or p.get("variant") == want[2]


def tag_specificity(tag: str) -> tuple[int, tuple[int, ...]]:
    """How specific a version tag is: ``3.12.1`` > ``3.12`` > ``3``; non-versions rank lowest."""
    if not _VERSION_TAG.match(tag):
        return (0, ())
    parts = tuple(int(x) for x in tag.lstrip("v").split("."))
    return (len(parts), parts)


class RegistryClient:
    """Resolves :class:`Request` s. Use :meth:`resolve_all` (or :func:`resolve_all`)."""

    def __init__(self, settings: ClientSettings | None = None, config: DockerConfig | None = None) -> None:
        self.settings = settings or ClientSettings()
        self._config = config
        self._config_error: str | None = None
        #: HTTP requests sent, by kind (``manifest``, ``token``, ``tags``, ``blob``).
        self.stats: Counter[str] = Counter()
        self._clients: dict[tuple[str, bool], Any] = {}
        self._scheme: dict[str, str] = {}
        self._auth: dict[tuple[str, str], str] = {}
        self._creds: dict[str, Credentials | None] = {}
        self._sem: asyncio.Semaphore | None = None
        self._challenge: dict[str, str] = {}
        self._locks: dict[tuple[str, ...], asyncio.Lock] = {}

    # -- plumbing ------------------------------------------------------------------
    def _client(self, host_ref: Reference, verify: bool) -> Any:
        import httpx

        direct = host_ref.is_loopback
        key = ("verify" if verify else "noverify", direct)
        client = self._clients.get(key)
        if client is None:
            s = self.settings
            if not verify:
                verify_arg: Any = False
            elif s.ca_bundle:
                verify_arg = ssl.create_default_context(cafile=s.ca_bundle)
            else:
                verify_arg = True
            limits = httpx.Limits(max_connections=max(1, s.concurrency))
            # Loopback never goes through a proxy from the environment.
            client = httpx.AsyncClient(verify=verify_arg, timeout=s.timeout, limits=limits,
                                       trust_env=not direct, follow_redirects=True)
            self._clients[key] = client
        return client

    async def aclose(self) -> None:
        for c in self._clients.values():
            await c.aclose()
        self._clients.clear()

    def _insecure(self, ref: Reference) -> bool:
        return ref.domain in self.settings.insecure_registries or ref.api_host in self.settings.insecure_registries

    def _credentials(self, ref: Reference) -> Credentials | None:
        if ref.domain in self._creds:
            return self._creds[ref.domain]
        creds = None
        try:
            if self._config is None:
                self._config = DockerConfig.load(self.settings.docker_config)
            creds = self._config.credentials(ref.domain)
        except CredentialError as e:
            self._config_error = str(e)
        self._creds[ref.domain] = creds
        return creds

    async def _ping(self, ref: Reference) -> None:
        """Find the scheme (and the auth challenge) of a host once: ``GET /v2/``, as docker does.

        HTTPS first; plain HTTP only for insecure-listed and loopback hosts, after HTTPS
        could not connect. Every later request reuses the answer.
        """
        host = ref.api_host
        lock = self._locks.setdefault(("ping", host), asyncio.Lock())
        async with lock:
            if host in self._scheme:
                return
            r, scheme = await self._send_any("GET", ref, "/v2/", {}, "ping")
            self._scheme[host] = scheme
            if r.status == 401:
                self._challenge[host] = r.headers.get("www-authenticate", "")

    async def _send_any(self, method: str, ref: Reference, url_path: str, headers: dict[str, str],
                        kind: str) -> tuple[_Response, str]:
        import httpx

        insecure = self._insecure(ref)
        schemes = ["https", "http"] if insecure or ref.is_loopback else ["https"]
        last: BaseException | None = None
        for scheme in schemes:
            try:
                r = await self._send(method, ref, scheme, url_path, headers, kind)
            except httpx.TransportError as e:
                last = e
                if _is_cert_error(e) and not insecure:
                    raise _Fail(FailureKind.TLS, f"registry `{ref.api_host}`: TLS certificate not trusted "
                                                 "(give its CA with the `ca-bundle` option)") from None
                continue
            if scheme == "https" and r.status == 400 and b"HTTP request to an HTTPS server" in r.body:
                continue
            return r, scheme
        raise self._unreachable(ref, last)

    def _unreachable(self, ref: Reference, exc: BaseException | None) -> _Fail:
        why = type(exc).__name__ if exc else "no answer"
        detail = str(exc).split("\n")[0] if exc and str(exc) else ""
        return _Fail(FailureKind.NETWORK, f"registry `{ref.api_host}` could not be reached ({why}"
                                          f"{': ' + detail if detail else ''})")

    async def _send(self, method: str, ref: Reference, scheme: str, url_path: str,
                    headers: dict[str, str], kind: str) -> _Response:
        client = self._client(ref, verify=not self._insecure(ref))
        assert self._sem is not None
        async with self._sem:
            self.stats[kind] += 1
            self.stats["total"] += 1
            r = await client.request(method, f"{scheme}://{ref.api_host}{url_path}", headers=headers)
            body = await r.aread()
        return _Response(r.status_code, r.headers, body)

    async def _request(self, method: str, ref: Reference, url_path: str, headers: dict[str, str],
                       kind: str) -> _Response:
        """A request with auth and retries. Returns any non-retryable response."""
        import httpx

        s = self.settings
        attempt = 0
        auth_tried = False
        scope_key = (ref.api_host, ref.path)
        while True:
            try:
                await self._ping(ref)
                if scope_key not in self._auth and self._challenge.get(ref.api_host):
                    await self._login(ref, scope_key, None)
                h = dict(headers)
                if self._auth.get(scope_key):
                    h["Authorization"] = self._auth[scope_key]
                try:
                    r = await self._send(method, ref, self._scheme[ref.api_host], url_path, h, kind)
                except httpx.TransportError as e:
                    raise self._unreachable(ref, e) from None
            except _Fail as f:
                if f.kind is FailureKind.NETWORK and attempt < s.retries:
                    attempt += 1
                    await asyncio.sleep(self._backoff(attempt))
                    continue
                raise
            if r.status == 401 and auth_tried:
                creds = self._credentials(ref)
                if creds is None:
                    raise _Fail(FailureKind.AUTH, self._no_creds(ref))
                raise _Fail(FailureKind.AUTH, f"registry `{ref.api_host}` rejected the credentials from "
                                              f"{creds.source} (401)")
            if r.status == 401:
                auth_tried = True
                self._challenge[ref.api_host] = r.headers.get("www-authenticate", "")
                await self._login(ref, scope_key, h.get("Authorization"))
                continue
            if r.status in _RETRY_STATUS and attempt < s.retries:
                attempt += 1
                wait = retry_after_seconds(r.headers.get("retry-after"))
                if wait is not None and wait > s.max_retry_after:
                    raise _Fail(FailureKind.RATE_LIMITED,
                                f"registry `{ref.api_host}` answered {r.status} and asks to wait "
                                f"{wait:.0f}s, longer than the {s.max_retry_after:.0f}s dockmod waits")
                await asyncio.sleep(self._backoff(attempt) if wait is None else wait)
                continue
            return r

    async def _login(self, ref: Reference, scope_key: tuple[str, str], used: str | None) -> None:
        """Get an Authorization header for ``scope_key`` once, however many requests wait for it."""
        lock = self._locks.setdefault(("auth",) + scope_key, asyncio.Lock())
        async with lock:
            current = self._auth.get(scope_key)
            if current is not None and current != used:
                return  # another request logged in meanwhile
            self._auth[scope_key] = await self._authorize(ref, self._challenge.get(ref.api_host, ""))

    def _backoff(self, attempt: int) -> float:
        base = self.settings.backoff * (2 ** (attempt - 1))
        return base + random.uniform(0, base / 2)

    async def _authorize(self, ref: Reference, challenge: str) -> str:
        scheme, params = parse_challenge(challenge) if challenge else ("", {})
        creds = self._credentials(ref)
        if scheme == "basic":
            if creds is None:
                raise _Fail(FailureKind.AUTH, self._no_creds(ref))
            return creds.basic_header()
        if scheme != "bearer" or "realm" not in params:
            raise _Fail(FailureKind.AUTH, f"registry `{ref.api_host}` answered 401 with no usable "
                                          "`WWW-Authenticate` challenge")
        return "Bearer " + await self._token(ref, params, creds)

    def _no_creds(self, ref: Reference) -> str:
        note = f"; {self._config_error}" if self._config_error else ""
        return (f"registry `{ref.api_host}` answered 401: authentication required and no credentials "
                f"for `{ref.domain}` were found (docker config.json, $DOCKER_CONFIG){note}")

    async def _token(self, ref: Reference, params: dict[str, str], creds: Credentials | None) -> str:
        import httpx

        realm = params["realm"]
        realm_ref = _realm_host(realm)
        if creds is not None and realm.startswith("http://") and not (
                realm_ref is not None and (realm_ref.is_loopback or self._insecure(realm_ref))):
            # Basic credentials in clear text to a host nobody listed as insecure: refuse.
            raise _Fail(FailureKind.AUTH, f"registry `{ref.api_host}` sends clients to a plain-HTTP token "
                                          "service; dockmod does not send credentials there (list its host "
                                          "in `insecure-registries` to allow it)")
        # Our own pull scope: a cached challenge may have named another repository's.
        scope = f"repository:{ref.path}:pull"
        query = {"scope": scope}
        if params.get("service"):
            query["service"] = params["service"]
        headers = {}
        client = self._client(realm_ref, verify=not self._insecure(realm_ref)) if realm_ref else self._client(ref, True)
        assert self._sem is not None
        try:
            async with self._sem:
                self.stats["token"] += 1
                self.stats["total"] += 1
                if creds is not None and creds.identity_token:
                    form = {"grant_type": "refresh_token", "refresh_token": creds.secret,
                            "client_id": "dockmod", **query}
                    r = await client.post(realm, data=form)
                else:
                    if creds is not None:
                        headers["Authorization"] = creds.basic_header()
                    r = await client.get(realm, params=query, headers=headers)
        except httpx.TransportError as e:
            raise _Fail(FailureKind.NETWORK, f"token service of `{ref.api_host}` could not be reached "
                                             f"({type(e).__name__})") from None
        if r.status_code in (401, 403):
            if creds is None:
                raise _Fail(FailureKind.AUTH, self._no_creds(ref))
            raise _Fail(FailureKind.AUTH, f"registry `{ref.api_host}` rejected the credentials from "
                                          f"{creds.source} ({r.status_code} from its token service)")
        if r.status_code != 200:
            raise _Fail(FailureKind.AUTH, f"token service of `{ref.api_host}` answered {r.status_code}")
        try:
            data = r.json()
            return data.get("token") or data["access_token"]
        except (ValueError, KeyError, AttributeError):
            raise _Fail(FailureKind.PROTOCOL, f"token service of `{ref.api_host}` sent no token") from None

    # -- look-ups ------------------------------------------------------------------
    def _target(self, key: str) -> tuple[Reference, Reference]:
        """(the reference as named, the reference to ask: its mirror if one is set)."""
        ref = parse(key)
        mirror = self.settings.mirrors.get(ref.domain)
        return ref, (ref.with_domain(mirror) if mirror else ref)

    async def _manifest_digest(self, ref: Reference, tag: str) -> tuple[str, str]:
        path = f"/v2/{ref.path}/manifests/{tag}"
        headers = {"Accept": MANIFEST_ACCEPT}
        r = await self._request("HEAD", ref, path, headers, "manifest")
        self._check(r, ref, tag)
        digest = r.headers.get("docker-content-digest")
        media = (r.headers.get("content-type") or "").split(";")[0].strip()
        if digest:
            return digest, media
        r = await self._request("GET", ref, path, headers, "manifest")
        self._check(r, ref, tag)
        return "sha256:" + hashlib.sha256(r.body).hexdigest(), media

    def _check(self, r: _Response, ref: Reference, tag: str) -> None:
        if r.status == 200:
            return
        where = f"registry `{ref.api_host}`"
        if r.status == 404:
            raise _Fail(FailureKind.NOT_FOUND, f"{where} has no manifest `{ref.path}:{tag}` (404)")
        if r.status == 401:
            raise _Fail(FailureKind.AUTH, f"{where} answered 401 after authenticating: the credentials "
                                          "do not allow pulling this repository")
        if r.status == 403:
            raise _Fail(FailureKind.AUTH, f"{where} denied access to `{ref.path}` (403)")
        if r.status == 429:
            raise _Fail(FailureKind.RATE_LIMITED, f"{where} is rate limiting (429) and kept doing so after "
                                                  f"{self.settings.retries} retries")
        raise _Fail(FailureKind.PROTOCOL, f"{where} answered {r.status} for `{ref.path}:{tag}`")

    async def _platform_digest(self, ref: Reference, tag: str, platform: str) -> tuple[str, str]:
        path = f"/v2/{ref.path}/manifests/{tag}"
        r = await self._request("GET", ref, path, {"Accept": MANIFEST_ACCEPT}, "manifest")
        self._check(r, ref, tag)
        media = (r.headers.get("content-type") or "").split(";")[0].strip()
        try:
            doc = json.loads(r.body)
        except ValueError:
            raise _Fail(FailureKind.PROTOCOL, f"registry `{ref.api_host}` sent a manifest that is not JSON") from None
        media = doc.get("mediaType") or media
        if media in _INDEX_TYPES or "manifests" in doc:
            for entry in doc.get("manifests") or []:
                if _platform_matches(entry, platform):
                    return entry["digest"], entry.get("mediaType", "")
            have = sorted({"/".join(x for x in (e.get("platform", {}).get("os"), e.get("platform", {}).get(
                "architecture"), e.get("platform", {}).get("variant")) if x) for e in doc.get("manifests") or []})
            raise _Fail(FailureKind.PLATFORM, f"`{ref.path}:{tag}` on `{ref.api_host}` has no {platform} "
                                              f"manifest (it has: {', '.join(have) or 'none'})")
        # A single-platform manifest: its config says which platform it is for.
        digest = r.headers.get("docker-content-digest") or "sha256:" + hashlib.sha256(r.body).hexdigest()
        config = (doc.get("config") or {}).get("digest")
        if config:
            rb = await self._request("GET", ref, f"/v2/{ref.path}/blobs/{config}", {}, "blob")
            if rb.status == 200:
                try:
                    cfg = json.loads(rb.body)
                except ValueError:
                    cfg = {}
                got = "/".join(x for x in (cfg.get("os"), cfg.get("architecture"), cfg.get("variant")) if x)
                if got and not _platform_matches({"platform": {"os": cfg.get("os"), "architecture": cfg.get(
                        "architecture"), "variant": cfg.get("variant")}}, platform):
                    raise _Fail(FailureKind.PLATFORM, f"`{ref.path}:{tag}` on `{ref.api_host}` is a "
                                                      f"single-platform image for {got}, not {platform}")
        return digest, media

    async def _tags(self, ref: Reference) -> list[str] | None:
        tags: list[str] = []
        path: str | None = f"/v2/{ref.path}/tags/list"
        for _ in range(10):  # pages; a registry that paginates forever is cut off
            if path is None:
                break
            r = await self._request("GET", ref, path, {"Accept": "application/json"}, "tags")
            if r.status != 200:
                return None
            try:
                tags.extend(json.loads(r.body).get("tags") or [])
            except (ValueError, AttributeError):
                return None
            link = r.headers.get("link", "")
            m = re.match(r"\s*<([^>]+)>\s*;\s*rel=\"?next\"?", link)
            path = m.group(1) if m else None
        return tags

    async def _similar_tags(self, ref: Reference, tag: str, digest: str) -> tuple[str, ...] | None:
        tags = await self._tags(ref)
        if tags is None:
            return None
        candidates = sorted((t for t in tags if t != tag and _VERSION_TAG.match(t)),
                            key=lambda t: tag_specificity(t)[1], reverse=True)[: self.settings.max_similar_tags]

        async def same(t: str) -> str | None:
            try:
                d, _ = await self._manifest_digest(ref, t)
            except _Fail:
                return None
            return t if d == digest else None

        found = [t for t in await asyncio.gather(*(same(t) for t in candidates)) if t]
        return tuple(sorted(found, key=tag_specificity, reverse=True))

    async def resolve(self, request: Request) -> Result:
        try:
            return await self._resolve(request)
        except Exception as e:  # a client bug or an odd answer must not end the run with a traceback
            first = str(e).split("\n")[0][:200]
            return Failed(request.key, request.platform, FailureKind.PROTOCOL,
                          f"unexpected {type(e).__name__} while asking the registry{': ' + first if first else ''}")

    async def _resolve(self, request: Request) -> Result:
        try:
            named, ask = self._target(request.key)
        except ReferenceError as e:
            return Failed(request.key, request.platform, FailureKind.PROTOCOL, str(e))
        tag = named.tag_or_latest
        try:
            if request.platform:
                digest, media = await self._platform_digest(ask, tag, request.platform)
            else:
                digest, media = await self._manifest_digest(ask, tag)
            similar = None
            if request.similar_tags:
                similar = await self._similar_tags(ask, tag, digest)
        except _Fail as f:
            return Failed(request.key, request.platform, f.kind, f.message)
        if not _DIGEST.match(digest):
            return Failed(request.key, request.platform, FailureKind.PROTOCOL,
                          f"registry `{ask.api_host}` sent a digest that is not a sha256/sha512 digest")
        return Resolved(request.key, digest, request.platform, media, similar, now_utc())

    async def resolve_all_async(self, requests: Iterable[Request]) -> list[Result]:
        self._sem = asyncio.Semaphore(max(1, self.settings.concurrency))
        try:
            unique = dedupe(requests)
            return list(await asyncio.gather(*(self.resolve(r) for r in unique)))
        finally:
            await self.aclose()

    def resolve_all(self, requests: Iterable[Request]) -> list[Result]:
        """Resolve every unique request once, concurrently. Never raises for a registry problem."""
        return asyncio.run(self.resolve_all_async(requests))


def _realm_host(realm: str) -> Reference | None:
    m = re.match(r"^https?://([^/]+)", realm)
    if not m:
        return None
    return Reference(m.group(1), "x")


def dedupe(requests: Iterable[Request]) -> Sequence[Request]:
    """One request per ``(key, platform)``; ``similar_tags`` if any asker wanted them."""
    merged: dict[tuple[str, str | None], Request] = {}
    for r in requests:
        k = (r.key, r.platform)
        prev = merged.get(k)
        merged[k] = r if prev is None else Request(r.key, r.platform, prev.similar_tags or r.similar_tags)
    return list(merged.values())
