"""The registry client against a real HTTP server on 127.0.0.1 (tests/registry/fake_registry.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
from pathlib import Path

import pytest

from dockmod.registry.auth import DockerConfig
from dockmod.registry.client import ClientSettings, RegistryClient, tag_specificity
from dockmod.registry.model import Failed, FailureKind, Request, Resolved
from tests.registry.fake_registry import FakeRegistry


def resolve(reg: FakeRegistry, *requests: Request, config: DockerConfig | None = None, **settings):  # type: ignore[no-untyped-def]
    client = RegistryClient(ClientSettings(backoff=0.01, **settings), config=config or DockerConfig())
    return client.resolve_all(requests), client


def test_head_digest_and_get_fallback() -> None:
    with FakeRegistry() as reg:
        digest = reg.push("library/python", "3.11-slim")
        (r,), client = resolve(reg, Request(f"{reg.host}/library/python:3.11-slim"))
        assert isinstance(r, Resolved) and r.digest == digest
        assert reg.log[-1] == ("HEAD", "/v2/library/python/manifests/3.11-slim")
        reg.send_digest_header = False
        (r2,), _ = resolve(reg, Request(f"{reg.host}/library/python:3.11-slim"))
        body = reg.repos["library/python"]["3.11-slim"][1]
        assert r2.digest == "sha256:" + hashlib.sha256(body).hexdigest() == digest
        assert reg.log[-1] == ("GET", "/v2/library/python/manifests/3.11-slim")


def test_one_request_per_unique_reference() -> None:
    with FakeRegistry() as reg:
        for i in range(5):
            reg.push("team/app", f"v{i}")
        reqs = [Request(f"{reg.host}/team/app:v{i % 5}") for i in range(50)]
        results, client = resolve(reg, *reqs)
        assert len(results) == 5 and all(isinstance(r, Resolved) for r in results)
        assert reg.requests["manifest"] == 5 == client.stats["manifest"]


def test_bearer_token_anonymous_and_with_config_credentials(tmp_path: Path) -> None:
    with FakeRegistry(bearer=True) as reg:
        reg.push("team/app", "1")
        (r,), _ = resolve(reg, Request(f"{reg.host}/team/app:1"))
        assert isinstance(r, Resolved)
        reg.token_auth = ("alice", "right-password")
        reg._token = "fresh"  # old tokens are no longer accepted
        cfg_file = tmp_path / "config.json"
        auth = base64.b64encode(b"alice:right-password").decode()
        cfg_file.write_text(json.dumps({"auths": {reg.host: {"auth": auth}}}))
        (r, r2), client = resolve(reg, Request(f"{reg.host}/team/app:1"),
                                  Request(f"{reg.host}/team/app:1", "linux/amd64"), config=DockerConfig.load(cfg_file))
        assert isinstance(r, Resolved) and isinstance(r2, Resolved)
        assert client.stats["token"] == 1  # one token per repository, shared
        assert reg.scopes[-1] == "repository:team/app:pull"


def test_wrong_or_missing_credentials_say_so_without_the_secret(tmp_path: Path) -> None:
    with FakeRegistry(bearer=True, token_auth=("alice", "right-password")) as reg:
        reg.push("team/app", "1")
        (r,), _ = resolve(reg, Request(f"{reg.host}/team/app:1"))
        assert isinstance(r, Failed) and r.kind is FailureKind.AUTH
        assert "no credentials" in r.message and reg.host in r.message
        cfg_file = tmp_path / "config.json"
        auth = base64.b64encode(b"alice:WRONG-pw").decode()
        cfg_file.write_text(json.dumps({"auths": {reg.host: {"auth": auth}}}))
        (r,), _ = resolve(reg, Request(f"{reg.host}/team/app:1"), config=DockerConfig.load(cfg_file))
        assert isinstance(r, Failed) and r.kind is FailureKind.AUTH
        assert "rejected the credentials from config.json auths" in r.message
        assert "WRONG-pw" not in r.describe() and auth not in r.describe()
        assert "team/app:1" in r.describe()


def test_429_is_retried_honouring_retry_after() -> None:
    with FakeRegistry(throttle=2, retry_after="0") as reg:
        digest = reg.push("team/app", "1")
        (r,), client = resolve(reg, Request(f"{reg.host}/team/app:1"))
        assert isinstance(r, Resolved) and r.digest == digest
        assert reg.requests["manifest"] == 3  # two 429s, then the answer


def test_429_with_a_long_retry_after_fails_as_rate_limited() -> None:
    with FakeRegistry(throttle=10, retry_after="3600") as reg:
        reg.push("team/app", "1")
        (r,), _ = resolve(reg, Request(f"{reg.host}/team/app:1"))
        assert isinstance(r, Failed) and r.kind is FailureKind.RATE_LIMITED
        assert "3600s" in r.message and reg.requests["manifest"] == 1


def test_429_forever_gives_up_after_the_retries() -> None:
    with FakeRegistry(throttle=100, retry_after="0") as reg:
        reg.push("team/app", "1")
        (r,), _ = resolve(reg, Request(f"{reg.host}/team/app:1"), retries=2)
        assert isinstance(r, Failed) and r.kind is FailureKind.RATE_LIMITED
        assert reg.requests["manifest"] == 3


def test_not_found_and_unreachable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    with FakeRegistry() as reg:
        (nf, down), _ = resolve(reg, Request(f"{reg.host}/team/none:1"), Request(f"127.0.0.1:{closed}/a:1"), retries=1)
        assert nf.kind is FailureKind.NOT_FOUND and "team/none:1" in nf.message and "404" in nf.message
        assert down.kind is FailureKind.NETWORK and f"127.0.0.1:{closed}" in down.message


def test_platform_manifest_from_an_index() -> None:
    with FakeRegistry() as reg:
        index, per = reg.push_index("team/multi", "1", [("linux", "amd64"), ("linux", "arm64")])
        (i, arm, bad), _ = resolve(reg, Request(f"{reg.host}/team/multi:1"), Request(f"{reg.host}/team/multi:1", "linux/arm64"),
                                   Request(f"{reg.host}/team/multi:1", "linux/s390x"))
        assert i.digest == index and "index" in i.media_type
        assert arm.digest == per["linux/arm64"]
        assert bad.kind is FailureKind.PLATFORM and "linux/amd64, linux/arm64" in bad.message


def test_mirror_serves_docker_hub_names() -> None:
    with FakeRegistry() as reg:
        digest = reg.push("library/python", "3.11-slim")
        (r,), _ = resolve(reg, Request("docker.io/library/python:3.11-slim"), mirrors={"docker.io": reg.host})
        assert r.key == "docker.io/library/python:3.11-slim" and r.digest == digest


def test_similar_tags_most_specific_first() -> None:
    with FakeRegistry() as reg:
        for tag in ("latest", "3", "3.12", "3.12.1"):
            reg.push("library/python", tag, seed="current")
        reg.push("library/python", "3.11.9", seed="older")
        (r,), _ = resolve(reg, Request(f"{reg.host}/library/python:latest", similar_tags=True))
        assert r.similar_tags == ("3.12.1", "3.12", "3")


def test_tag_specificity() -> None:
    assert sorted(["3", "3.12.1", "latest", "3.12"], key=tag_specificity, reverse=True) == ["3.12.1", "3.12", "3", "latest"]


def test_untrusted_tls_is_named(tmp_path: Path) -> None:
    import ssl
    import subprocess
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=x",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    server = HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    t = threading.Thread(target=server.handle_request, daemon=True)
    t.start()
    try:
        client = RegistryClient(ClientSettings(retries=0), config=DockerConfig())
        (r,) = client.resolve_all([Request(f"127.0.0.1:{server.server_address[1]}/a:1")])
        assert r.kind is FailureKind.TLS and "ca-bundle" in r.message
    finally:
        server.server_close()


def test_ipv6_loopback_registry() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this host")
    try:
        reg = FakeRegistry(address="::1").start()
    except OSError as e:
        pytest.skip(f"cannot listen on ::1: {e}")
    try:
        digest = reg.push("team/app", "2")
        assert reg.host.startswith("[::1]:")
        (r,), _ = resolve(reg, Request(f"{reg.host}/team/app:2"))
        assert isinstance(r, Resolved) and r.digest == digest
    finally:
        reg.stop()


def test_credentials_are_not_sent_to_a_plain_http_token_service_elsewhere() -> None:
    from dockmod.registry.auth import Credentials

    with FakeRegistry(bearer=True) as reg:
        reg.push("team/app", "1")
        client = RegistryClient(ClientSettings(backoff=0.01), config=DockerConfig())
        import asyncio

        from dockmod.registry.client import _Fail
        from dockmod.registry.reference import parse as parse_ref

        async def go():  # type: ignore[no-untyped-def]
            client._sem = asyncio.Semaphore(1)
            try:
                await client._token(parse_ref(f"{reg.host}/team/app"), {"realm": "http://auth.example/token"},
                                    Credentials("alice", "pw", "test"))
            finally:
                await client.aclose()

        with pytest.raises(_Fail, match="does not send credentials"):
            asyncio.run(go())
        assert reg.requests["token"] == 0


def test_dedupe_merges_similar_tag_requests() -> None:
    from dockmod.registry.client import dedupe

    out = dedupe([Request("a:1"), Request("a:1", similar_tags=True), Request("a:1", "linux/arm64"), Request("b:1")])
    assert out == [Request("a:1", None, True), Request("a:1", "linux/arm64"), Request("b:1")]
