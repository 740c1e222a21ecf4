"""A small OCI-distribution server on 127.0.0.1 for tests and the benchmark.

It serves real manifests (JSON bytes whose sha256 is the digest), answers HEAD with
``Docker-Content-Digest`` (or leaves it out), lists tags, and can demand a bearer token
from its own token endpoint (with basic credentials checked there), answer 429 with
``Retry-After`` for the first N requests, and delay answers. It counts every request.
Threads, bounded: it serves until ``stop()`` and never opens an outside connection.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections import Counter
from pathlib import Path
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def manifest_bytes(seed: str, platform: tuple[str, str] = ("linux", "amd64")) -> bytes:
    return json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": "sha256:" + hashlib.sha256(seed.encode()).hexdigest(), "size": 2},
        "layers": [], "annotations": {"seed": seed, "platform": "/".join(platform)},
    }, sort_keys=True).encode()


def digest_of(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


@dataclass
class FakeRegistry:
    #: repository -> tag -> (media type, body)
    repos: dict[str, dict[str, tuple[str, bytes]]] = field(default_factory=dict)
    #: Extra blobs by digest (image configs).
    blobs: dict[str, bytes] = field(default_factory=dict)
    send_digest_header: bool = True
    #: (username, password) the token endpoint requires; None: anonymous tokens.
    token_auth: tuple[str, str] | None = None
    #: Demand a bearer token at all.
    bearer: bool = False
    #: Answer this many manifest requests with 429 first.
    throttle: int = 0
    retry_after: str = "0"
    delay: float = 0.0
    requests: Counter = field(default_factory=Counter)
    log: list[tuple[str, str]] = field(default_factory=list)
    #: The ``scope`` of every token request.
    scopes: list[str] = field(default_factory=list)
    #: Most requests being answered at the same moment (shows client concurrency).
    max_in_flight: int = 0
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _token: str = field(default_factory=lambda: secrets.token_hex(8))
    #: ``127.0.0.1`` or ``::1``.
    address: str = "127.0.0.1"

    # -- content -------------------------------------------------------------------
    def push(self, repo: str, tag: str, seed: str | None = None) -> str:
        body = manifest_bytes(seed or f"{repo}:{tag}:{secrets.token_hex(4)}")
        self.repos.setdefault(repo, {})[tag] = (OCI_MANIFEST, body)
        return digest_of(body)

    def push_index(self, repo: str, tag: str, platforms: list[tuple[str, str]]) -> tuple[str, dict[str, str]]:
        entries, per = [], {}
        for os_, arch in platforms:
            body = manifest_bytes(f"{repo}:{tag}:{os_}/{arch}", (os_, arch))
            d = digest_of(body)
            self.repos.setdefault(repo, {})[d] = (OCI_MANIFEST, body)
            per[f"{os_}/{arch}"] = d
            entries.append({"mediaType": OCI_MANIFEST, "digest": d, "size": len(body),
                            "platform": {"os": os_, "architecture": arch}})
        body = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}).encode()
        self.repos[repo][tag] = (OCI_INDEX, body)
        return digest_of(body), per

    # -- serving -------------------------------------------------------------------
    def start(self) -> FakeRegistry:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):  # quiet
                pass

            def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_HEAD(self):
                self._handle()

            def do_GET(self):
                self._handle()

            def do_POST(self):
                self._handle()

            def _handle(self):
                with registry._lock:
                    registry._in_flight += 1
                    registry.max_in_flight = max(registry.max_in_flight, registry._in_flight)
                try:
                    self._answer()
                finally:
                    with registry._lock:
                        registry._in_flight -= 1

            def _answer(self):
                url = urlparse(self.path)
                registry.log.append((self.command, url.path))
                if registry.delay:
                    time.sleep(registry.delay)
                if url.path == "/token":
                    registry.requests["token"] += 1
                    registry.scopes.append(parse_qs(url.query).get("scope", [""])[0])
                    if registry.token_auth:
                        want = "Basic " + base64.b64encode(":".join(registry.token_auth).encode()).decode()
                        if self.headers.get("Authorization") != want:
                            return self._send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
                    return self._send(200, json.dumps({"token": registry._token}).encode(),
                                      {"Content-Type": "application/json"})
                if registry.bearer and self.headers.get("Authorization") != f"Bearer {registry._token}":
                    registry.requests["challenge"] += 1
                    host = self.headers.get("Host")
                    return self._send(401, b"{}", {"WWW-Authenticate":
                                      f'Bearer realm="http://{host}/token",service="fake",'
                                      f'scope="repository:x:pull"'})
                parts = url.path.split("/")
                if url.path == "/v2/":
                    return self._send(200, b"{}")
                if len(parts) >= 5 and parts[-2] == "manifests":
                    registry.requests["manifest"] += 1
                    if registry.throttle > 0:
                        registry.throttle -= 1
                        return self._send(429, b"{}", {"Retry-After": registry.retry_after})
                    repo, ref = "/".join(parts[2:-2]), parts[-1]
                    item = registry.repos.get(repo, {}).get(ref)
                    if item is None:
                        for media, body in registry.repos.get(repo, {}).values():
                            if digest_of(body) == ref:
                                item = (media, body)
                    if item is None:
                        return self._send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
                    media, body = item
                    headers = {"Content-Type": media}
                    if registry.send_digest_header:
                        headers["Docker-Content-Digest"] = digest_of(body)
                    return self._send(200, body, headers)
                if len(parts) >= 5 and parts[-2] == "tags" and parts[-1] == "list":
                    registry.requests["tags"] += 1
                    repo = "/".join(parts[2:-2])
                    tags = sorted(t for t in registry.repos.get(repo, {}) if not t.startswith("sha256:"))
                    return self._send(200, json.dumps({"name": repo, "tags": tags}).encode())
                if len(parts) >= 5 and parts[-2] == "blobs":
                    blob = registry.blobs.get(parts[-1])
                    return self._send(200, blob) if blob else self._send(404)
                return self._send(404)

        server_class = ThreadingHTTPServer
        if self.address == "::1":
            import socket

            class V6(ThreadingHTTPServer):
                address_family = socket.AF_INET6

            server_class = V6
        self._server = server_class((self.address, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def host(self) -> str:
        port = self._server.server_address[1]
        return f"[{self.address}]:{port}" if ":" in self.address else f"{self.address}:{port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeRegistry:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def pinning_setup(reg: FakeRegistry, root: Path) -> None:
    """The images pinning tests ask for (python:3.11-slim, nginx:1.27) pushed to ``reg``, and a
    ``root/dockmod.toml`` that turns DM101 on and sends docker.io to ``reg``."""
    reg.push("library/python", "3.11-slim", seed="py-1")
    reg.push("library/nginx", "1.27", seed="nginx-1")
    (root / "dockmod.toml").write_text(
        'extend-select = ["DM101"]\n[transform.pin-base-image-digest]\n'
        f'mirrors = {{ "docker.io" = "{reg.host}" }}\n')
