"""The base-image table: families, distro from the tag, users, ENV, slim counterparts."""

from __future__ import annotations

import pytest

from dockmod.ecosystems.images import lookup
from dockmod.lang.words import UNKNOWN


@pytest.mark.parametrize(("ref", "family", "distro", "pm"), [
    ("python:3.12", "python", "debian", "apt"),
    ("docker.io/library/python:3.12-alpine", "python", "alpine", "apk"),
    ("python:3.11-slim-bookworm@sha256:" + "a" * 64, "python", "debian", "apt"),
    ("node:20", "node", "debian", "apt"),
    ("golang:1.22-alpine3.19", "golang", "alpine", "apk"),
    ("eclipse-temurin:21-jdk", "eclipse-temurin", "ubuntu", "apt"),
    ("eclipse-temurin:21-jdk-ubi9-minimal", "eclipse-temurin", "ubi", "microdnf"),
    ("mcr.microsoft.com/dotnet/sdk:8.0", "dotnet", "debian", "apt"),
    ("mcr.microsoft.com/dotnet/sdk:10.0", "dotnet", "ubuntu", "apt"),
    ("mcr.microsoft.com/dotnet/aspnet:8.0-alpine", "dotnet", "alpine", "apk"),
    ("registry.access.redhat.com/ubi9/ubi-minimal", "ubi", "ubi", "microdnf"),
    ("registry.access.redhat.com/ubi8", "ubi", "ubi", "dnf"),
    ("gcr.io/distroless/static-debian12:nonroot", "distroless", "distroless", None),
    ("busybox:1.36", "busybox", "busybox", None),
    ("ubuntu:24.04", "ubuntu", "ubuntu", "apt"),
])
def test_families(ref: str, family: str, distro: str, pm: str | None) -> None:
    f = lookup(ref)
    assert f is not None and (f.family, f.distro, f.package_manager) == (family, distro, pm)
    assert f.source.startswith("https://")


@pytest.mark.parametrize("ref", [
    "mycorp/python:3", "python:${V}", "ghcr.io/org/app:1", "python:3.12-windowsservercore",
    "mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022", "gcr.io/distroless/unknownthing",
    "scratch", "",
])
def test_unknown_is_none(ref: str) -> None:
    assert lookup(ref) is None


def test_env_users_and_slim() -> None:
    go = lookup("golang:1.22")
    assert go is not None and go.env["GOPATH"] == "/go" and go.env["GOLANG_VERSION"] is UNKNOWN
    assert go.slim == "gcr.io/distroless/static-debian12"
    rust = lookup("rust:1.77")
    assert rust is not None and rust.env["CARGO_HOME"] == "/usr/local/cargo"
    ruby = lookup("ruby:3.3")
    assert ruby is not None and ruby.env["GEM_HOME"] == "/usr/local/bundle"
    node = lookup("node:20")
    assert node is not None and node.users["node"] == (1000, 1000, "/home/node")
    assert node.slim == "node:20-slim"
    assert lookup("python:3.11").slim == "python:3.11-slim"  # type: ignore[union-attr]
    assert lookup("python:3.11-bookworm").slim == "python:3.11-slim-bookworm"  # type: ignore[union-attr]
    assert lookup("python:3.11-slim").slim is None  # type: ignore[union-attr]
    assert lookup("maven:3.9-eclipse-temurin-21").slim == "eclipse-temurin:21-jre"  # type: ignore[union-attr]
    assert lookup("mcr.microsoft.com/dotnet/sdk:8.0").slim == "mcr.microsoft.com/dotnet/aspnet:8.0"  # type: ignore[union-attr]
    ray = lookup("rayproject/ray:2.9.0-py310")
    assert ray is not None and ray.env["HOME"] == "/home/ray" and ray.user == "1000"
    assert lookup("composer:2").env["COMPOSER_HOME"] == "/tmp"  # type: ignore[union-attr]
    assert lookup("gcr.io/distroless/base").user == ""  # type: ignore[union-attr]


@pytest.mark.parametrize(("ref", "family", "distro"), [
    ("mirror.gcr.io/busybox", "busybox", "busybox"),
    ("arm64v8/alpine:3.20", "alpine", "alpine"),
    ("public.ecr.aws/docker/library/python:3.12-slim", "python", "debian"),
    ("buildpack-deps:jammy-curl", "buildpack-deps", "ubuntu"),
    ("buildpack-deps:bookworm", "buildpack-deps", "debian"),
    ("fedora:40", "fedora", "fedora"),
])
def test_mirrors_architectures_and_more_families(ref: str, family: str, distro: str) -> None:
    f = lookup(ref)
    assert f is not None and (f.family, f.distro) == (family, distro)


def test_windows_architecture_namespace_is_unknown() -> None:
    assert lookup("windows-amd64/python:3.12") is None


@pytest.mark.parametrize("ref", [
    "registry-1.docker.io/library/python:3.12-slim",
    "registry-1.docker.io/python:3.12-slim",
    "registry.docker.com/library/python:3.12-slim",
    "index.docker.io/library/python:3.12-slim",
    "docker.io/python:3.12-slim",
])
def test_docker_hub_host_names(ref: str) -> None:
    """Every host name of Docker Hub is Docker Hub, as pinning reads it (registry.reference)."""
    from dockmod.registry.reference import parse

    f = lookup(ref)
    assert f is not None and (f.family, f.distro, f.reference) == ("python", "debian", "python:3.12-slim")
    assert parse(ref).key == "docker.io/library/python:3.12-slim"


@pytest.mark.parametrize(("ref", "distro", "pm", "python"), [
    ("ghcr.io/astral-sh/uv:alpine", "alpine", "apk", False),
    ("ghcr.io/astral-sh/uv:0.6.16-alpine3.20", "alpine", "apk", False),
    ("ghcr.io/astral-sh/uv:debian-slim", "debian", "apt", False),
    ("ghcr.io/astral-sh/uv:bookworm-slim", "debian", "apt", False),
    ("ghcr.io/astral-sh/uv:trixie", "debian", "apt", False),
    ("ghcr.io/astral-sh/uv:debian", "debian", "apt", False),
    ("ghcr.io/astral-sh/uv:python3.12-bookworm-slim", "debian", "apt", True),
    ("ghcr.io/astral-sh/uv:0.11.32-python3.12-trixie-slim", "debian", "apt", True),
    ("ghcr.io/astral-sh/uv:0.6-python3.13-bookworm", "debian", "apt", True),
    ("ghcr.io/astral-sh/uv:python3.14-alpine3.23", "alpine", "apk", True),
    ("astral/uv:python3.12-bookworm-slim", "debian", "apt", True),
    ("docker.io/astral/uv:alpine", "alpine", "apk", False),
])
def test_uv_derived_images(ref: str, distro: str, pm: str, python: bool) -> None:
    """uv's derived images: a base image plus /usr/local/bin/uv, root, the base's users and ENV."""
    f = lookup(ref)
    assert f is not None
    assert (f.family, f.distro, f.package_manager, f.user, f.home, f.workdir) == ("uv", distro, pm, "", "/root", "/")
    assert f.has_shell and f.users["root"] == (0, 0, "/root")
    assert ("PYTHON_VERSION" in f.env) is python
    assert f.env["UV_TOOL_BIN_DIR"] is UNKNOWN  # set by newer releases only
    assert f.slim is None


@pytest.mark.parametrize("ref", ["ghcr.io/astral-sh/uv:latest", "ghcr.io/astral-sh/uv", "ghcr.io/astral-sh/uv:0.6.16",
                                 "ghcr.io/astral-sh/uv:0.6", "astral/uv:0.9.10", "ghcr.io/astral-sh/uv:0.12.1@sha256:" + "c" * 64])
def test_uv_distroless_image(ref: str) -> None:
    f = lookup(ref)
    assert f is not None
    assert (f.family, f.distro, f.package_manager, f.has_shell) == ("uv", None, None, False)


@pytest.mark.parametrize("ref", ["ghcr.io/astral-sh/uv:python3.12-alpine-slim", "ghcr.io/astral-sh/uv:latest-alpine",
                                 "ghcr.io/astral-sh/uv:0.6.16x", "ghcr.io/astral-sh/uv:python3.12-windowsservercore",
                                 "ghcr.io/astral-sh/uv:nightly", "ghcr.io/other/uv:alpine"])
def test_uv_unknown_tags(ref: str) -> None:
    assert lookup(ref) is None
