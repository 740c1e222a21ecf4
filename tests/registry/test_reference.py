"""Reference normalisation follows distribution/reference's ParseNormalizedNamed."""

from __future__ import annotations

import pytest

from dockmod.registry.reference import ReferenceError, parse

D = "sha256:" + "a" * 64


@pytest.mark.parametrize("text,domain,path,tag,key,api_host", [
    ("python", "docker.io", "library/python", None, "docker.io/library/python:latest", "registry-1.docker.io"),
    ("python:3.11-slim", "docker.io", "library/python", "3.11-slim", "docker.io/library/python:3.11-slim",
     "registry-1.docker.io"),
    ("docker.io/python:3", "docker.io", "library/python", "3", "docker.io/library/python:3", "registry-1.docker.io"),
    ("index.docker.io/library/python:3", "docker.io", "library/python", "3", "docker.io/library/python:3",
     "registry-1.docker.io"),
    # Docker Hub's other host names (DOCKER_HUB_ALIASES): one key, one look-up, one lock entry
    ("registry-1.docker.io/library/python:3", "docker.io", "library/python", "3", "docker.io/library/python:3",
     "registry-1.docker.io"),
    ("registry-1.docker.io/python:3", "docker.io", "library/python", "3", "docker.io/library/python:3",
     "registry-1.docker.io"),
    ("registry.docker.com/bitnami/redis:7", "docker.io", "bitnami/redis", "7", "docker.io/bitnami/redis:7",
     "registry-1.docker.io"),
    ("bitnami/redis:7", "docker.io", "bitnami/redis", "7", "docker.io/bitnami/redis:7", "registry-1.docker.io"),
    ("ghcr.io/org/app/sub:v1", "ghcr.io", "org/app/sub", "v1", "ghcr.io/org/app/sub:v1", "ghcr.io"),
    ("localhost/app", "localhost", "app", None, "localhost/app:latest", "localhost"),
    ("localhost:5000/app:1", "localhost:5000", "app", "1", "localhost:5000/app:1", "localhost:5000"),
    ("127.0.0.1:5000/team/app:1", "127.0.0.1:5000", "team/app", "1", "127.0.0.1:5000/team/app:1", "127.0.0.1:5000"),
    ("[::1]:5000/app:2", "[::1]:5000", "app", "2", "[::1]:5000/app:2", "[::1]:5000"),
    ("[fe80::1]/app", "[fe80::1]", "app", None, "[fe80::1]/app:latest", "[fe80::1]"),
    ("Registry/app", "Registry", "app", None, "Registry/app:latest", "Registry"),
])
def test_normalisation(text, domain, path, tag, key, api_host) -> None:  # type: ignore[no-untyped-def]
    ref = parse(text)
    assert (ref.domain, ref.path, ref.tag, ref.key, ref.api_host) == (domain, path, tag, key, api_host)


def test_digest_and_tag_together() -> None:
    ref = parse(f"python:3.11@{D}")
    assert (ref.tag, ref.digest, str(ref)) == ("3.11", D, f"docker.io/library/python:3.11@{D}")
    assert parse(f"python@{D}").tag is None


@pytest.mark.parametrize("text,loopback", [
    ("localhost:5000/a", True), ("127.0.0.1:5000/a", True), ("127.3.4.5/a", True), ("[::1]:5000/a", True),
    ("python", False), ("ghcr.io/a/b", False), ("10.0.0.1:5000/a", False),
])
def test_loopback(text, loopback) -> None:  # type: ignore[no-untyped-def]
    assert parse(text).is_loopback is loopback


@pytest.mark.parametrize("text,why", [
    ("Python:3", "lower-case"), ("python:-bad", "invalid tag"), ("python@sha256:zz", "invalid digest"),
    ("[1::2::3]:5000/app", "IPv6"), ("[::g]:5000/app", "registry host"), ("", "empty"), ("ghcr.io/a//b", "repository"),
])
def test_invalid_references_say_why(text, why) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ReferenceError, match=why):
        parse(text)


def test_resolver_stubs() -> None:
    from dockmod.registry.model import Failed, FailureKind, Resolutions, Resolved

    r = Resolutions.from_stubs({
        "python:3.11": "sha256:" + "a" * 64,
        "python:3.11 linux/arm64": "sha256:" + "b" * 64,
        "python": {"digest": "sha256:" + "c" * 64, "tags": ["3.12.1"]},
        "ghcr.io/x/y:1": {"error": "not found"},
    })
    assert r[("docker.io/library/python:3.11", None)].digest.endswith("a")
    assert r[("docker.io/library/python:3.11", "linux/arm64")].digest.endswith("b")
    latest = r[("docker.io/library/python:latest", None)]
    assert isinstance(latest, Resolved) and latest.similar_tags == ("3.12.1",)
    failed = r[("ghcr.io/x/y:1", None)]
    assert isinstance(failed, Failed) and failed.kind is FailureKind.NOT_FOUND
    assert failed.describe() == "cannot resolve `ghcr.io/x/y:1`: not found"
    with pytest.raises(ValueError, match="resolver stub 'Bad:1'"):
        Resolutions.from_stubs({"Bad:1": "sha256:" + "a" * 64})
