"""The base-image table: families, distro from the tag, users, ENV, slim counterparts."""

from __future__ import annotations

import pytest

from dockmod.ecosystems.images import DEFAULT_PATH, lookup
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


@pytest.mark.parametrize(("ref", "distro", "pm", "has_shell"), [
    ("mcr.microsoft.com/azurelinux/base/core:3.0", "azurelinux", "tdnf", True),
    ("mcr.microsoft.com/azurelinux/base/core:3.0.20240101", "azurelinux", "tdnf", True),
    ("mcr.microsoft.com/cbl-mariner/base/core:2.0", "azurelinux", "tdnf", True),
    ("mcr.microsoft.com/azurelinux-beta/base/core:4.0", "azurelinux", "dnf", True),
    ("mcr.microsoft.com/azurelinux/distroless/minimal:3.0", "azurelinux", None, False),
    ("mcr.microsoft.com/azurelinux-beta/distroless/minimal:4.0", "azurelinux", None, False),
    ("mcr.microsoft.com/azurelinux/distroless/debug:3.0", "azurelinux", None, True),
])
def test_azurelinux(ref: str, distro: str, pm: str | None, has_shell: bool) -> None:
    """Azure Linux base images run as root with only root in the table (the nonroot account of
    newer base/core builds depends on the build date)."""
    f = lookup(ref)
    assert f is not None
    assert (f.family, f.distro, f.package_manager, f.has_shell) == ("azurelinux", distro, pm, has_shell)
    assert (f.user, f.home, dict(f.users), f.workdir) == ("", "/root", {"root": (0, 0, "/root")}, "/")


@pytest.mark.parametrize(("ref", "pm", "nobody"), [
    ("centos:7", "yum", False),
    ("centos:centos7.6.1810", "yum", False),
    ("centos:6", "yum", False),
    ("centos:8", "dnf", True),
    ("centos", "dnf", True),  # latest is centos8
    ("quay.io/libpod/centos:7", None, False),  # another repository: unknown
    ("rockylinux:8.9", "dnf", True),
    ("rockylinux:9-minimal", "microdnf", True),
    ("almalinux:9", "dnf", True),
    ("almalinux:minimal", "microdnf", True),
    ("amazonlinux:2", "yum", False),
    ("amazonlinux:2018.03", "yum", False),
    ("amazonlinux:2023", "dnf", True),
    ("oraclelinux:7-slim", "yum", False),
    ("oraclelinux:8", "dnf", True),
    ("oraclelinux:9-slim", "microdnf", True),
])
def test_rpm_distros(ref: str, pm: str | None, nobody: bool) -> None:
    f = lookup(ref)
    if pm is None:
        assert f is None
        return
    assert f is not None and f.distro == ref.split(":")[0] and f.package_manager == pm
    assert (f.user, f.home, f.workdir, dict(f.env)) == ("", "/root", "/", {"PATH": DEFAULT_PATH})
    assert ("nobody" in f.users) is nobody


@pytest.mark.parametrize("ref", ["amazonlinux", "amazonlinux:with-sources", "rockylinux:latest", "oraclelinux",
                                 "rockylinux:9-ubi", "centos:7-minimal", "mcr.microsoft.com/azurelinux/base/core:3.0-nonroot",
                                 "mcr.microsoft.com/azurelinux/base/core", "mcr.microsoft.com/azurelinux/other:3.0"])
def test_rpm_and_azurelinux_unknown_tags(ref: str) -> None:
    assert lookup(ref) is None


def test_archlinux() -> None:
    f = lookup("archlinux:base-devel")
    assert f is not None and (f.distro, f.package_manager, f.user) == ("archlinux", "pacman", "")
    assert f.env["LANG"] is UNKNOWN


@pytest.mark.parametrize(("ref", "distro", "nginx"), [
    ("nginx", "debian", (101, 101, "/nonexistent")),
    ("nginx:1.21.6", "debian", (101, 101, "/nonexistent")),
    ("nginx:1", "debian", (101, 101, "/nonexistent")),
    ("nginx:1.27-bookworm-perl", "debian", (101, 101, "/nonexistent")),
    ("nginx:alpine", "alpine", (101, 101, "/var/cache/nginx")),
    ("docker.io/nginx:1.31.3-alpine", "alpine", (101, 101, "/var/cache/nginx")),
    ("nginx:1.16-alpine", "alpine", (101, 101, "/var/cache/nginx")),
    ("nginx:1.13-alpine", "alpine", None),  # before the fixed uid: the package chose it
    ("nginx:1.15.12", "debian", None),
])
def test_nginx(ref: str, distro: str, nginx: tuple[int, int, str] | None) -> None:
    f = lookup(ref)
    assert f is not None and (f.family, f.distro, f.user, f.home, f.workdir) == ("nginx", distro, "", "/root", "/")
    assert f.users.get("nginx") == nginx
    assert f.env["NGINX_VERSION"] is UNKNOWN


def test_httpd() -> None:
    f = lookup("httpd:2.4")
    assert f is not None and (f.distro, f.package_manager, f.user, f.workdir) == ("debian", "apt", "", "/usr/local/apache2")
    assert f.env["PATH"].startswith("/usr/local/apache2/bin:")  # type: ignore[union-attr]
    assert f.users["www-data"] == (33, 33, "/var/www")
    alpine = lookup("httpd:2.4-alpine")
    assert alpine is not None and alpine.distro == "alpine" and alpine.users["www-data"] == (82, 82, "/home/www-data")
    assert lookup("httpd:2.4-windowsservercore") is None


@pytest.mark.parametrize(("ref", "distro", "vscode"), [
    ("mcr.microsoft.com/vscode/devcontainers/base:0-bullseye", "debian", True),
    ("mcr.microsoft.com/vscode/devcontainers/base:buster", "debian", True),
    ("mcr.microsoft.com/vscode/devcontainers/base:0-debian-11", "debian", True),
    ("mcr.microsoft.com/devcontainers/base:debian13", "debian", True),
    ("mcr.microsoft.com/devcontainers/base:2-trixie", "debian", True),
    ("mcr.microsoft.com/devcontainers/base:1", "debian", True),
    ("mcr.microsoft.com/vscode/devcontainers/base@sha256:" + "b" * 64, "debian", True),  # latest: Debian
    ("mcr.microsoft.com/vscode/devcontainers/base:0-focal", "ubuntu", True),
    ("devcon.azurecr.io/public/vscode/devcontainers/base:0.45.1-ubuntu-18.04", "ubuntu", True),
    ("mcr.microsoft.com/devcontainers/base:ubuntu22.04", "ubuntu", True),
    ("mcr.microsoft.com/devcontainers/base:noble", "ubuntu", False),  # uid 1000 was the ubuntu user's
    ("mcr.microsoft.com/devcontainers/base:ubuntu", "ubuntu", False),
    ("mcr.microsoft.com/vscode/devcontainers/base:0-alpine-3.16", "alpine", True),
    ("mcr.microsoft.com/devcontainers/base:alpine3.23", "alpine", True),
])
def test_devcontainers_base(ref: str, distro: str, vscode: bool) -> None:
    """The dev container images leave USER root; ``vscode`` (1000) exists for remoteUser."""
    f = lookup(ref)
    assert f is not None
    assert (f.family, f.distro, f.user, f.home, f.workdir, dict(f.env)) == (
        "devcontainers", distro, "", "/root", "/", {"PATH": DEFAULT_PATH})
    assert f.users.get("vscode") == ((1000, 1000, "/home/vscode") if vscode else None)
    assert "ubuntu" not in f.users


def test_devcontainers_languages() -> None:
    node = lookup("mcr.microsoft.com/vscode/devcontainers/javascript-node:0-16-bullseye")
    assert node is not None and (node.user, node.distro) == ("", "debian")
    assert node.users["node"] == (1000, 1000, "/home/node") and "vscode" not in node.users
    assert node.env["NVM_DIR"] == "/usr/local/share/nvm" and node.env["NODE_VERSION"] is UNKNOWN
    assert node.family == "devcontainers"  # not the official node image: its Yarn is not known
    for ref in ("mcr.microsoft.com/devcontainers/javascript-node:16", "mcr.microsoft.com/devcontainers/javascript-node:4-24-trixie",
                "mcr.microsoft.com/vscode/devcontainers/javascript-node@sha256:" + "c" * 64):
        assert lookup(ref) is not None
    for ref in ("mcr.microsoft.com/vscode/devcontainers/python:3-bullseye", "mcr.microsoft.com/vscode/devcontainers/python:0.109.0-3.7",
                "mcr.microsoft.com/devcontainers/python:3.12", "mcr.microsoft.com/devcontainers/python:1-3.12-bookworm"):
        py = lookup(ref)
        assert py is not None and (py.user, py.home, py.distro) == ("", "/root", "debian")
        assert py.users["vscode"] == (1000, 1000, "/home/vscode") and py.env["PIPX_HOME"] == "/usr/local/py-utils"
        assert py.env["PYTHON_VERSION"] is UNKNOWN and py.env["PATH"] is UNKNOWN


@pytest.mark.parametrize("ref", [
    "mcr.microsoft.com/vscode/devcontainers/universal:2-linux", "mcr.microsoft.com/vscode/devcontainers/php:8",
    "mcr.microsoft.com/vscode/devcontainers/dotnet:0-6.0", "mcr.microsoft.com/devcontainers/rust:alpine",
    "mcr.microsoft.com/devcontainers/base:fedora", "mcr.microsoft.com/devcontainers/python:3-alpine",
    "mcr.microsoft.com/devcontainers/python:3-windowsservercore", "mcr.microsoft.com/devcontainers/javascript-node:bullseye",
    "mcr.microsoft.com/devcontainers/javascript-node:alpine", "mcr.microsoft.com/devcontainers/python:3-alpine3.20",
    "mcr.microsoft.com/vscode/devcontainers/repos/microsoft/vscode:latest",
])
def test_devcontainers_unknown(ref: str) -> None:
    assert lookup(ref) is None


@pytest.mark.parametrize(("ref", "distro"), [
    ("continuumio/miniconda3", "debian"),
    ("continuumio/miniconda3:24.5.0-0", "debian"),
    ("continuumio/anaconda3:2024.06-1", "debian"),
    ("condaforge/miniforge3:24.3.0-0", "ubuntu"),
])
def test_conda_images(ref: str, distro: str) -> None:
    f = lookup(ref)
    assert f is not None and (f.family, f.distro, f.user, f.home, f.workdir) == ("conda", distro, "", "/root", "/")
    assert f.env["PATH"] == "/opt/conda/bin:" + DEFAULT_PATH and f.env["LANG"] == "C.UTF-8"
    assert "ubuntu" not in f.users  # miniforge's Ubuntu release (focal … noble) is not in the tag


def test_uvicorn_gunicorn_cuda_pytorch() -> None:
    fastapi = lookup("tiangolo/uvicorn-gunicorn-fastapi:python3.9-slim")
    assert fastapi is not None and (fastapi.distro, fastapi.user, fastapi.workdir) == ("debian", "", "/app")
    assert fastapi.env["PYTHONPATH"] == "/app" and fastapi.env["PYTHON_VERSION"] is UNKNOWN
    assert fastapi.family == "uvicorn-gunicorn" and fastapi.slim is None  # not the official python image
    alpine = lookup("tiangolo/uvicorn-gunicorn:python3.7-alpine3.8")
    assert alpine is not None and alpine.distro == "alpine"
    cuda = lookup("nvidia/cuda:12.9.1-runtime-ubuntu22.04")
    assert cuda is not None and (cuda.distro, cuda.user, cuda.home) == ("ubuntu", "", "/root")
    assert cuda.env["NVIDIA_VISIBLE_DEVICES"] == "all" and cuda.env["NCCL_VERSION"] is UNKNOWN
    assert "ubuntu" not in cuda.users
    noble = lookup("nvcr.io/nvidia/cuda:12.6.3-base-ubuntu24.04")
    assert noble is not None and noble.users["ubuntu"] == (1000, 1000, "/home/ubuntu") and "NCCL_VERSION" not in noble.env
    torch = lookup("pytorch/pytorch:2.8.0-cuda12.6-cudnn9-runtime")
    assert torch is not None and (torch.distro, torch.user, torch.home, torch.workdir) == ("ubuntu", "", "/root", "/workspace")
    assert torch.env["PATH"] is UNKNOWN and torch.env["PYTORCH_VERSION"] is UNKNOWN


@pytest.mark.parametrize("ref", [
    "continuumio/miniconda3:4.10.3-alpine", "condaforge/miniforge3:windows", "tiangolo/uvicorn-gunicorn-fastapi",
    "tiangolo/uvicorn-gunicorn-fastapi:python3.9-windowsservercore", "nvidia/cuda:12.9.1-cudnn-base-ubuntu22.04",
    "nvidia/cuda:13.0.0-devel-ubuntu22.04", "nvidia/cuda:11.8.0-runtime-ubuntu22.04", "nvidia/cuda:12.6.3-runtime-cm2",
    "pytorch/pytorch", "pytorch/pytorch:2.10.0-cuda12.8-cudnn9-devel",
])
def test_derived_unknown_tags(ref: str) -> None:
    assert lookup(ref) is None


@pytest.mark.parametrize(("ref", "base", "user"), [
    ("mcr.microsoft.com/vscode/devcontainers/typescript-node:16-bullseye", "node", "node"),
    ("mcr.microsoft.com/vscode/devcontainers/rust:1-bullseye", "rust", "vscode"),
    ("mcr.microsoft.com/devcontainers/rust:trixie", "rust", "vscode"),
    ("mcr.microsoft.com/vscode/devcontainers/rust@sha256:" + "d" * 64, "rust", "vscode"),
    ("mcr.microsoft.com/vscode/devcontainers/go:0-1-bullseye", "golang", "vscode"),
    ("mcr.microsoft.com/devcontainers/go:1.26-trixie", "golang", "vscode"),
    ("mcr.microsoft.com/vscode/devcontainers/ruby:2.7-bullseye", "ruby", "vscode"),
    ("mcr.microsoft.com/vscode/devcontainers/ruby:2.5", "ruby", "vscode"),
    ("mcr.microsoft.com/devcontainers/ruby:3.4-bookworm", "ruby", "vscode"),
    ("mcr.microsoft.com/vscode/devcontainers/cpp:0-debian-11", None, "vscode"),
    ("mcr.microsoft.com/devcontainers/cpp:noble", None, None),
])
def test_devcontainers_more_languages(ref: str, base: str | None, user: str | None) -> None:
    """Root by default; the official image's ENV where the Features keep it, UNKNOWN where
    releases moved it (the go Feature's GOPATH, the ruby Feature's GEM_HOME)."""
    f = lookup(ref)
    assert f is not None and (f.family, f.distro, f.user, f.home) == ("devcontainers", f.distro, "", "/root")
    assert f.distro in ("debian", "ubuntu")
    if user is not None:
        assert f.users[user] == (1000, 1000, f"/home/{user}")
    else:
        assert "vscode" not in f.users and "ubuntu" not in f.users
    if base == "rust":
        assert (f.env["CARGO_HOME"], f.env["RUSTUP_HOME"]) == ("/usr/local/cargo", "/usr/local/rustup")
    if base == "golang":
        assert f.env["GOPATH"] is UNKNOWN and f.workdir == "/go"
    if base == "ruby":
        assert f.env["GEM_HOME"] is UNKNOWN and f.env["BUNDLE_APP_CONFIG"] == "/usr/local/bundle"
    if base is None:
        assert f.env["VCPKG_ROOT"] is UNKNOWN


def test_dotnet_before_8_has_no_app_user() -> None:
    # .NET 8 added the `app` account (1654), APP_UID and port 8080; 6.0 and 7.0 run as root
    # with ASPNETCORE_URLS=http://+:80, and their distroless users differ per flavour.
    old = lookup("mcr.microsoft.com/dotnet/aspnet:6.0-bookworm-slim")
    assert old is not None and "app" not in old.users and "APP_UID" not in old.env
    assert old.env["ASPNETCORE_URLS"] == "http://+:80" and old.user == ""
    assert lookup("mcr.microsoft.com/dotnet/runtime-deps:7.0-cbl-mariner2.0-distroless") is None
    new = lookup("mcr.microsoft.com/dotnet/aspnet:8.0")
    assert new is not None and new.users["app"] == (1654, 1654, "/home/app") and new.env["APP_UID"] == "1654"
