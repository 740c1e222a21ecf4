"""DM101 against real registries: digests equal skopeo's, auth, refresh, 429, offline, builds.

Everything runs against the session's ``docker-registry`` processes on 127.0.0.1 (plain,
and TLS + htpasswd); nothing reaches the internet. Images this module changes live under
``pinning/…`` so the shared ``docker.io`` look-alikes other modules use never move.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def dockmod(cwd: Path, *args: str, docker_config: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DOCKER_CONFIG": str(docker_config or cwd / ".no-docker")}
    return subprocess.run([sys.executable, "-m", "dockmod", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def write_config(root: Path, **options: object) -> None:
    lines = ['extend-select = ["DM101"]', "[transform.pin-base-image-digest]"]
    for key, value in options.items():
        lines.append(f"{key} = {json.dumps(value) if not isinstance(value, dict) else _inline(value)}")
    (root / "dockmod.toml").write_text("\n".join(lines) + "\n")


def _inline(table: dict) -> str:
    return "{ " + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in table.items()) + " }"


def skopeo_digest(builder, registry, name: str) -> str:
    args = registry.transport_args()
    return json.loads(builder.sandbox.skopeo("inspect", *args, f"docker://{registry.ref(name)}").stdout)["Digest"]


def copy_image(builder, src_registry, src: str, dst_registry, dst: str) -> None:
    builder.sandbox.skopeo("copy", "--quiet", "--all", "--preserve-digests",
                           *src_registry.transport_args(prefix="src-"), *dst_registry.transport_args(prefix="dest-"),
                           f"docker://{src_registry.ref(src)}", f"docker://{dst_registry.ref(dst)}")  # fmt: skip


@pytest.fixture(scope="module")
def app_image(builder, registry, base_images):
    """``pinning/app:1`` on the plain registry: a copy of busybox this module may move."""
    copy_image(builder, registry, "busybox", registry, "pinning/app:1")
    return registry.ref("pinning/app:1")


def test_pins_equal_skopeo_and_the_build_pulls_by_digest(builder, fresh_builder, registry, base_images,
                                                         app_image, tmp_path):
    write_config(tmp_path, mirrors={"docker.io": registry.host})
    (tmp_path / "Dockerfile").write_text(
        "ARG BASE=busybox\n"
        "FROM python:3.11-slim AS unused\n"
        "FROM ${BASE} AS base\n"
        "RUN echo built > /marker\n"
        f"FROM {app_image} AS final\n"
        "COPY --from=base /marker /marker\n"
        "COPY --from=busybox /bin/busybox /bin/busybox-copy\n"
    )
    r = dockmod(tmp_path, "fix", "--apply", ".")
    assert r.returncode == 0, r.stdout + r.stderr
    text = (tmp_path / "Dockerfile").read_text()
    busybox = skopeo_digest(builder, registry, "busybox")
    app = skopeo_digest(builder, registry, "pinning/app:1")
    python = skopeo_digest(builder, registry, "python:3.11-slim")
    assert text == (
        f"ARG BASE=busybox@{busybox}\n"
        f"FROM python:3.11-slim@{python} AS unused\n"
        "FROM ${BASE} AS base\n"
        "RUN echo built > /marker\n"
        f"FROM {app_image}@{app} AS final\n"
        "COPY --from=base /marker /marker\n"
        f"COPY --from=busybox@{busybox} /bin/busybox /bin/busybox-copy\n"
    )
    # The multi-platform python image is pinned by its index digest.
    assert registry.manifest("python:3.11-slim")[1] == "application/vnd.oci.image.index.v1+json"

    # Move the tag: a build of the pinned file still gets the pinned image.
    moved = builder.build(tmp_path, "FROM busybox\nRUN echo v2 > /v2\n", layers=False)
    new_digest = builder.push(moved.image, "pinning/app:1")
    assert new_digest != app
    built = fresh_builder.build(tmp_path, tmp_path / "Dockerfile", target="final", layers=False)
    assert fresh_builder.read_file(built.image, "/marker") == b"built\n"
    assert "/v2" not in fresh_builder.files(built.image, under="/")

    # --refresh picks up the moved tag (an unsafe fix: the build changes).
    r = dockmod(tmp_path, "fix", "--apply", "--refresh", "--unsafe-fixes", ".")
    assert r.returncode == 0, r.stdout + r.stderr
    refreshed = (tmp_path / "Dockerfile").read_text()
    assert f"FROM {app_image}@{skopeo_digest(builder, registry, 'pinning/app:1')} AS final\n" in refreshed, r.stdout + r.stderr
    assert f"@{new_digest}" in refreshed
    built = fresh_builder.build(tmp_path, tmp_path / "Dockerfile", target="final", layers=False)
    assert fresh_builder.read_file(built.image, "/v2") == b"v2\n"


def test_platform_manifest_of_a_multi_platform_index(registry, base_images, tmp_path):
    write_config(tmp_path, mirrors={"docker.io": registry.host}, platform="linux/arm64")
    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\n")
    r = dockmod(tmp_path, "fix", "--apply", "--unsafe-fixes", ".")
    assert r.returncode == 0, r.stdout + r.stderr
    index = json.loads(registry.manifest("python:3.11-slim")[2])
    arm = next(m["digest"] for m in index["manifests"] if m["platform"]["architecture"] == "arm64")
    assert (tmp_path / "Dockerfile").read_text() == f"FROM python:3.11-slim@{arm}\n"


def test_tls_registry_with_config_json_credentials(builder, registry, tls_registry, base_images, tmp_path):
    copy_image(builder, registry, "busybox", tls_registry, "pinning/busybox:1")
    ref = tls_registry.ref("pinning/busybox:1")
    write_config(tmp_path, **{"ca-bundle": str(tls_registry.tls.ca_cert)})
    (tmp_path / "Dockerfile").write_text(f"FROM {ref}\n")
    docker_config = tmp_path / "docker"
    docker_config.mkdir()

    def login(password: str) -> None:
        auth = base64.b64encode(f"{tls_registry.username}:{password}".encode()).decode()
        (docker_config / "config.json").write_text(json.dumps({"auths": {tls_registry.host: {"auth": auth}}}))

    login("wrong-password")
    r = dockmod(tmp_path, "check", ".", docker_config=docker_config)
    assert r.returncode == 1
    assert (f"Dockerfile:1:6: DM101 Image `{ref}` is not pinned to a digest and could not be resolved: "
            f"registry `{tls_registry.host}` rejected the credentials from config.json auths (401)") in r.stdout
    assert "wrong-password" not in r.stdout + r.stderr

    (docker_config / "config.json").unlink()
    r = dockmod(tmp_path, "check", ".", docker_config=docker_config)
    assert "authentication required and no credentials" in r.stdout

    login(tls_registry.password)
    r = dockmod(tmp_path, "fix", "--apply", ".", docker_config=docker_config)
    assert r.returncode == 0, r.stdout + r.stderr
    digest = json.loads(builder.sandbox.skopeo("inspect", *tls_registry.transport_args(), f"docker://{ref}").stdout)["Digest"]
    assert (tmp_path / "Dockerfile").read_text() == f"FROM {ref}@{digest}\n"
    assert tls_registry.password not in r.stdout + r.stderr


class _RateLimitingProxy:
    """A reverse proxy on 127.0.0.1 that answers the first ``limit`` manifest requests with
    429 + ``Retry-After: 1``, then forwards to the registry. Serves at most ``max_requests``
    and stops itself after ``lifetime`` seconds whatever happens."""

    def __init__(self, upstream: str, limit: int = 2, max_requests: int = 50, lifetime: float = 120) -> None:
        self.upstream, self.limit, self.max_requests = upstream, limit, max_requests
        self.seen: list[tuple[str, str, int]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _serve(self):
                if len(proxy.seen) >= proxy.max_requests:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if "/manifests/" in self.path and proxy.limit > 0:
                    proxy.limit -= 1
                    proxy.seen.append((self.command, self.path, 429))
                    self.send_response(429)
                    self.send_header("Retry-After", "1")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                req = urllib.request.Request(proxy.upstream + self.path, method=self.command,
                                             headers={k: v for k, v in self.headers.items() if k.lower() == "accept"})
                opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
                try:
                    with opener.open(req, timeout=30) as resp:
                        status, headers, body = resp.status, resp.headers, resp.read()
                except urllib.error.HTTPError as e:
                    status, headers, body = e.code, e.headers, e.read()
                proxy.seen.append((self.command, self.path, status))
                self.send_response(status)
                for k in ("Content-Type", "Docker-Content-Digest"):
                    if headers.get(k):
                        self.send_header(k, headers[k])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self._timer.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __exit__(self, *exc):
        self._timer.cancel()
        self.stop()


def test_rate_limited_registry_is_retried_after_retry_after(registry, base_images, tmp_path):
    with _RateLimitingProxy(registry.url) as proxy:
        write_config(tmp_path, mirrors={"docker.io": proxy.host})
        (tmp_path / "Dockerfile").write_text("FROM busybox\n")
        r = dockmod(tmp_path, "fix", "--apply", ".")
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "Dockerfile").read_text() == f"FROM busybox@{registry.digest('busybox')}\n"
    manifests = [s for s in proxy.seen if "/manifests/" in s[1]]
    assert [s[2] for s in manifests] == [429, 429, 200]


def test_offline_resolves_from_the_lock_only(registry, base_images, tmp_path):
    write_config(tmp_path, mirrors={"docker.io": registry.host})
    (tmp_path / "Dockerfile").write_text("FROM busybox\nFROM python:3.11-slim\n")
    r = dockmod(tmp_path, "lock", ".")
    assert r.returncode == 0, r.stderr
    lock = json.loads((tmp_path / "dockmod.lock").read_text())
    assert lock["images"]["docker.io/library/python:3.11-slim"]["digest"] == registry.digest("python:3.11-slim")
    # Point docker.io at a closed port: offline must not need it.
    write_config(tmp_path, mirrors={"docker.io": "127.0.0.1:9"})
    (tmp_path / "Dockerfile").write_text("FROM busybox\nFROM python:3.11-slim\nFROM alpine:3.20\n")
    r = dockmod(tmp_path, "fix", "--apply", "--offline", ".")
    assert (tmp_path / "Dockerfile").read_text() == (
        f"FROM busybox@{registry.digest('busybox')}\nFROM python:3.11-slim@{registry.digest('python:3.11-slim')}\n"
        "FROM alpine:3.20\n")
    r = dockmod(tmp_path, "check", "--offline", ".")
    assert "Image `alpine:3.20` is not pinned to a digest and could not be resolved: not in dockmod.lock" in r.stdout
    assert dockmod(tmp_path, "lock", "--check", ".").returncode == 0


def test_latest_offers_the_most_specific_tag_and_a_deleted_tag_is_dangling(builder, registry, base_images,
                                                                          tmp_path):
    for tag in ("latest", "1.36", "1.36.1"):
        copy_image(builder, registry, "busybox", registry, f"pinning/tools:{tag}")
    copy_image(builder, registry, "busybox", registry, "pinning/gone:1")
    tools, gone = registry.ref("pinning/tools").rsplit(":", 1)[0], registry.ref("pinning/gone:1")
    digest = registry.digest("busybox")
    write_config(tmp_path)
    (tmp_path / "Dockerfile").write_text(f"FROM {tools}\nFROM {gone}\n")
    r = dockmod(tmp_path, "fix", "--apply", ".")
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "Dockerfile").read_text() == f"FROM {tools}:1.36.1@{digest}\nFROM {gone}@{digest}\n"
    # Delete the tag's manifest from its repository: the pinned digest is now dangling.
    request = urllib.request.Request(f"{registry.url}/v2/pinning/gone/manifests/{digest}", method="DELETE")
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=30) as resp:
        assert resp.status == 202
    r = dockmod(tmp_path, "check", "--refresh", ".")
    assert r.returncode == 1
    assert f"Dockerfile:2:6: DM101 Image `{gone}@{digest}` has a dangling digest: tag `1` is gone from " \
           f"`{registry.host}`" in r.stdout
