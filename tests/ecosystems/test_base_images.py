"""Base-image rows: openSUSE and SLE BCI, buildpack-deps on Ubuntu, nvidia/cuda, pytorch devel and
the dev container images built on another table image."""

from __future__ import annotations

import pytest

import dockmod
from dockmod.cst.instructions import Instruction
from dockmod.ecosystems.images import DEFAULT_PATH, lookup
from dockmod.lang.words import UNKNOWN
from dockmod.semantic import build_model

UBUNTU = (1000, 1000, "/home/ubuntu")
VSCODE = (1000, 1000, "/home/vscode")
OLD_CUDA_PATH = "/usr/local/nvidia/bin:/usr/local/cuda/bin:" + DEFAULT_PATH


def scope(text: str, needle: str):  # type: ignore[no-untyped-def]
    df = dockmod.parse(text)
    ins: Instruction = [i for i in df.body if needle in i.code][-1]
    return build_model(df).scope_at(ins)


@pytest.mark.parametrize(("ref", "family", "distro"), [
    ("opensuse/tumbleweed", "tumbleweed", "opensuse"),
    ("docker.io/opensuse/tumbleweed:20250101", "tumbleweed", "opensuse"),
    ("registry.opensuse.org/opensuse/tumbleweed:20250101.2", "tumbleweed", "opensuse"),
    ("registry.suse.com/bci/bci-base:15.6", "bci-base", "sles"),
    ("registry.suse.com/bci/bci-base:16.0", "bci-base", "sles"),
    ("registry.suse.com/bci/bci-base:15.6.47.11.1", "bci-base", "sles"),
    ("registry.suse.com/suse/sle15:15.5", "sle15", "sles"),
])
def test_suse_images(ref: str, family: str, distro: str) -> None:
    """zypper, root, HOME /root, no ENV of their own, only root among the accounts."""
    f = lookup(ref)
    assert f is not None and (f.family, f.distro, f.package_manager) == (family, distro, "zypper")
    assert (f.user, f.home, f.workdir, f.slim, f.has_shell) == ("", "/root", "/", None, True)
    assert dict(f.env) == {"PATH": DEFAULT_PATH} and dict(f.users) == {"root": (0, 0, "/root")}


@pytest.mark.parametrize("ref", ["opensuse/leap:15.6", "registry.opensuse.org/opensuse/leap:15.6",
                                 "opensuse/tumbleweed:nightly", "registry.suse.com/bci/bci-micro:15.6",
                                 "registry.suse.com/bci/bci-base:12"])
def test_suse_unknown(ref: str) -> None:
    assert lookup(ref) is None  # Leap's recipe was not read; bci-micro has no package manager


@pytest.mark.parametrize(("ref", "distro", "ubuntu"), [
    ("buildpack-deps:noble-curl", "ubuntu", True),
    ("buildpack-deps:noble-scm", "ubuntu", True),
    ("buildpack-deps:noble", "ubuntu", True),
    ("arm64v8/buildpack-deps:resolute-curl", "ubuntu", True),
    ("buildpack-deps:lunar-curl", "ubuntu", True),  # 23.04, the first release with the account
    ("buildpack-deps:mantic", "ubuntu", True),
    ("buildpack-deps:oracular-scm", "ubuntu", True),
    ("buildpack-deps:plucky", "ubuntu", True),
    ("buildpack-deps:questing-curl", "ubuntu", True),
    ("buildpack-deps:kinetic-curl", "ubuntu", False),  # 22.10
    ("buildpack-deps:jammy-curl", "ubuntu", False),
    ("buildpack-deps:focal", "ubuntu", False),
    ("buildpack-deps:bookworm-curl", "debian", False),
    ("buildpack-deps:latest", "debian", False),
    ("ubuntu:lunar", "ubuntu", True),
    ("ubuntu:mantic", "ubuntu", True),
    ("ubuntu:kinetic", "ubuntu", False),
])
def test_buildpack_deps_keeps_the_ubuntu_account(ref: str, distro: str, ubuntu: bool) -> None:
    f = lookup(ref)
    assert f is not None and (f.distro, f.package_manager, f.user, f.home) == (distro, "apt", "", "/root")
    assert f.users.get("ubuntu") == (UBUNTU if ubuntu else None)


def test_buildpack_deps_ubuntu_user_flows_into_the_model() -> None:
    s = scope("FROM buildpack-deps:noble-curl\nUSER ubuntu\nRUN pip install x\n", "pip")
    assert (s.user.uid, s.user.gid, s.home) == (1000, 1000, "/home/ubuntu")
    jammy = scope("FROM buildpack-deps:jammy-curl\nUSER ubuntu\nRUN pip install x\n", "pip")
    assert jammy.user.uid is None  # no such account before 23.04


def test_devcontainers_base_knows_only_the_ubuntu_variants_it_had() -> None:
    """The larger codename table does not reach the dev container base image (base-ubuntu had
    bionic, focal, jammy, noble, resolute)."""
    assert lookup("mcr.microsoft.com/devcontainers/base:lunar") is None
    assert lookup("mcr.microsoft.com/devcontainers/base:resolute") is not None


@pytest.mark.parametrize(("ref", "distro", "pm", "ubuntu"), [
    ("nvidia/cuda:12.4.1-devel-ubuntu22.04", "ubuntu", "apt", False),
    ("nvcr.io/nvidia/cuda:12.6.3-devel-ubuntu24.04", "ubuntu", "apt", True),
    ("nvidia/cuda:12.6.3-devel-ubuntu20.04", "ubuntu", "apt", False),
    ("nvidia/cuda:12.6.3-devel-ubi9", "ubi", "dnf", False),
    ("nvidia/cuda:12.4.1-devel-ubi8", "ubi", "dnf", False),
    ("nvidia/cuda:12.6.3-devel-rockylinux9", "rockylinux", "dnf", False),
    ("nvidia/cuda:12.9.1-devel-oraclelinux8", "oraclelinux", "dnf", False),
])
def test_cuda_devel(ref: str, distro: str, pm: str, ubuntu: bool) -> None:
    """devel is FROM runtime FROM base FROM the distro image: their ENV, and LIBRARY_PATH."""
    f = lookup(ref)
    assert f is not None and (f.family, f.distro, f.package_manager, f.user, f.home, f.workdir) == (
        "cuda", distro, pm, "", "/root", "/")
    assert f.env["LIBRARY_PATH"] == "/usr/local/cuda/lib64/stubs"
    assert f.env["NVIDIA_PRODUCT_NAME"] == "CUDA" and f.env["NVIDIA_VISIBLE_DEVICES"] == "all"
    assert f.env["NV_CUDA_LIB_VERSION"] is UNKNOWN and f.env["NV_LIBNPP_DEV_VERSION"] is UNKNOWN
    assert not any(k.startswith("NV_CUDNN") for k in f.env)
    assert f.slim == ref.replace("-devel-", "-runtime-")
    assert ("ubuntu" in f.users) is ubuntu and f.users["root"] == (0, 0, "/root")


def test_cuda_env_names_differ_on_the_rpm_distros() -> None:
    ubuntu = lookup("nvidia/cuda:12.6.3-runtime-ubuntu22.04")
    ubi = lookup("nvidia/cuda:12.6.3-runtime-ubi9")
    assert ubuntu is not None and ubi is not None
    assert "NV_LIBCUBLAS_PACKAGE" in ubuntu.env and "NV_LIBCUBLAS_PACKAGE" not in ubi.env
    assert "NV_LIBNCCL_VERSION" in ubi.env and "NV_LIBNCCL_VERSION" not in ubuntu.env
    assert "NV_CUDA_COMPAT_PACKAGE" in ubuntu.env and "PKG_CMD" in ubi.env
    assert ubi.env["container"] == "oci"  # the ubi image's own ENV stays
    assert "LIBRARY_PATH" not in ubuntu.env and ubuntu.slim is None


@pytest.mark.parametrize(("ref", "dev"), [
    ("nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04", True),
    ("nvidia/cuda:12.3.2-cudnn9-runtime-ubuntu22.04", False),
    ("nvidia/cuda:12.1.1-cudnn8-devel-ubuntu20.04", True),
    ("nvidia/cuda:12.6.3-cudnn-devel-rockylinux8", True),
    ("nvidia/cuda:12.6.3-cudnn-runtime-ubi8", False),
])
def test_cuda_cudnn(ref: str, dev: bool) -> None:
    f = lookup(ref)
    assert f is not None and f.env["NV_CUDNN_VERSION"] is UNKNOWN and f.env["NV_CUDNN_PACKAGE"] is UNKNOWN
    assert ("NV_CUDNN_PACKAGE_DEV" in f.env) is dev and ("LIBRARY_PATH" in f.env) is dev
    assert ("NV_CUDNN_PACKAGE_NAME" in f.env) is (f.distro == "ubuntu")
    assert f.slim == (ref.replace("-devel-", "-runtime-") if dev else None)


@pytest.mark.parametrize(("version", "path", "ld"), [
    ("12.0.1", OLD_CUDA_PATH, "/usr/local/nvidia/lib:/usr/local/nvidia/lib64"),
    ("12.8.0", OLD_CUDA_PATH, "/usr/local/nvidia/lib:/usr/local/nvidia/lib64"),
    ("12.8.1", "/usr/local/cuda/bin:" + DEFAULT_PATH, "/usr/local/cuda/lib64"),
    ("12.9.1", "/usr/local/cuda/bin:" + DEFAULT_PATH, "/usr/local/cuda/lib64"),
    ("12.8", UNKNOWN, UNKNOWN),
])
def test_cuda_path_moved_in_12_8_1(version: str, path: object, ld: object) -> None:
    f = lookup(f"nvidia/cuda:{version}-base-ubuntu22.04")
    assert f is not None and (f.env["PATH"], f.env["LD_LIBRARY_PATH"]) == (path, ld)


@pytest.mark.parametrize("ref", [
    "nvidia/cuda:12.4.1-cudnn-base-ubuntu22.04", "nvidia/cuda:13.0.0-devel-ubuntu24.04",
    "nvidia/cuda:11.8.0-devel-ubuntu22.04", "nvidia/cuda:12.6.3-devel-amzn2023", "nvidia/cuda:12.6.3-devel",
    "nvidia/cuda:12.6.3-devel-ubuntu22.04-windows", "pytorch/pytorch:2.10.0-cuda12.8-cudnn9-devel",
    "pytorch/pytorch:2.1.0-cuda11.8-cudnn8-devel", "pytorch/pytorch:latest",
])
def test_cuda_and_pytorch_unknown(ref: str) -> None:
    assert lookup(ref) is None


def test_pytorch_devel_builds_on_the_cuda_devel_image() -> None:
    f = lookup("pytorch/pytorch:2.5.1-cuda12.1-cudnn9-devel")
    assert f is not None and (f.family, f.distro, f.user, f.home, f.workdir) == ("pytorch", "ubuntu", "", "/root",
                                                                               "/workspace")
    assert f.env["LIBRARY_PATH"] == "/usr/local/cuda/lib64/stubs" and f.env["NV_CUDNN_VERSION"] is UNKNOWN
    assert f.env["LD_LIBRARY_PATH"] == "/usr/local/nvidia/lib:/usr/local/nvidia/lib64"  # pytorch's own
    assert f.env["PATH"] is UNKNOWN and f.env["PYTORCH_VERSION"] is UNKNOWN
    assert "ubuntu" not in f.users  # Ubuntu 22.04 or earlier
    runtime = lookup("pytorch/pytorch:2.5.1-cuda12.1-cudnn9-runtime")
    assert runtime is not None and "LIBRARY_PATH" not in runtime.env


@pytest.mark.parametrize(("ref", "lang"), [
    ("mcr.microsoft.com/devcontainers/java:21-bookworm", True),
    ("mcr.microsoft.com/devcontainers/java:1-21-bookworm", True),
    ("mcr.microsoft.com/devcontainers/java:17-jdk-bullseye", True),
    ("mcr.microsoft.com/devcontainers/java:3-trixie", True),  # release 3, not java 3
    ("mcr.microsoft.com/devcontainers/java:1-21", True),
    ("mcr.microsoft.com/devcontainers/java", True),
    ("mcr.microsoft.com/devcontainers/java:1-8-bookworm", False),
    ("mcr.microsoft.com/devcontainers/java:8-jdk-trixie", False),
])
def test_devcontainers_java(ref: str, lang: bool) -> None:
    f = lookup(ref)
    assert f is not None and (f.family, f.distro, f.user, f.home, f.workdir) == ("devcontainers", "debian", "", "/root",
                                                                               "/")
    assert f.users["vscode"] == VSCODE
    assert f.env["SDKMAN_DIR"] == "/usr/local/sdkman" and f.env["JAVA_HOME"] is UNKNOWN
    assert f.env["GRADLE_USER_HOME"] is UNKNOWN and f.env["NVM_DIR"] == "/usr/local/share/nvm"
    assert f.env.get("LANG") == ("en_US.UTF-8" if lang else None)


@pytest.mark.parametrize(("ref", "distro", "vscode"), [
    ("mcr.microsoft.com/vscode/devcontainers/dotnet:0-6.0-bullseye", "debian", True),
    ("mcr.microsoft.com/vscode/devcontainers/dotnet:0-3.1-focal", "ubuntu", True),
    ("mcr.microsoft.com/devcontainers/dotnet:1-8.0-bookworm", "debian", False),
    ("mcr.microsoft.com/devcontainers/dotnet:8.0-bookworm-slim", "debian", False),
    ("mcr.microsoft.com/devcontainers/dotnet:8.0", "debian", False),
    ("mcr.microsoft.com/devcontainers/dotnet:10.0-noble", "ubuntu", False),
    ("mcr.microsoft.com/devcontainers/dotnet:1-10.0", "ubuntu", False),
])
def test_devcontainers_dotnet(ref: str, distro: str, vscode: bool) -> None:
    """The sdk image plus node's ENV; vscode is 1000 only before .NET 8 (the sdk's app account
    took 1654 and common-utils the next uid until 2025-04), the ubuntu account deleted."""
    f = lookup(ref)
    assert f is not None and (f.family, f.distro, f.package_manager, f.user, f.home) == (
        "devcontainers", distro, "apt", "", "/root")
    assert ("vscode" in f.users) is vscode and "ubuntu" not in f.users
    assert f.env["NVM_DIR"] == "/usr/local/share/nvm" and f.env["NUGET_XMLDOC_MODE"] is UNKNOWN
    assert f.env["DOTNET_RUNNING_IN_CONTAINER"] == "true"  # the sdk image's
    assert f.slim is None


@pytest.mark.parametrize("ref", [
    "mcr.microsoft.com/devcontainers/php:8.2-apache-bookworm", "mcr.microsoft.com/devcontainers/php:1-8.2-bookworm",
    "mcr.microsoft.com/devcontainers/php:8", "mcr.microsoft.com/devcontainers/php",
    "mcr.microsoft.com/vscode/devcontainers/php:0-8-bullseye",
    "mcr.microsoft.com/vscode/devcontainers/php:7.4-apache-buster",
])
def test_devcontainers_php(ref: str) -> None:
    f = lookup(ref)
    assert f is not None and (f.distro, f.user, f.home, f.workdir) == ("debian", "", "/root", "/var/www/html")
    assert f.users["vscode"] == VSCODE and f.users["www-data"] == (33, 33, "/var/www")
    assert f.env["PHP_INI_DIR"] == "/usr/local/etc/php" and f.env["NVM_DIR"] == "/usr/local/share/nvm"


def test_devcontainers_jekyll() -> None:
    for ref in ("mcr.microsoft.com/devcontainers/jekyll:bookworm",
                "mcr.microsoft.com/devcontainers/jekyll:1-3.3-bullseye",
                "mcr.microsoft.com/vscode/devcontainers/jekyll:0-bullseye", "mcr.microsoft.com/devcontainers/jekyll"):
        f = lookup(ref)
        assert f is not None and (f.distro, f.user, f.home) == ("debian", "", "/root")
        assert f.users["vscode"] == VSCODE
        assert (f.env["LANG"], f.env["LANGUAGE"], f.env["TZ"], f.env["LC_ALL"]) == (
            "en_US.UTF-8", "en_US", "Etc/UTC", "en_US.UTF-8")
        assert f.env["BUNDLE_APP_CONFIG"] == "/usr/local/bundle" and f.env["GEM_HOME"] is UNKNOWN  # ruby's


@pytest.mark.parametrize("ref", [
    "mcr.microsoft.com/vscode/devcontainers/java:0-11",  # vscode-dev-containers: FROM openjdk until 2021-12
    "mcr.microsoft.com/vscode/devcontainers/php:0-7",  # a php:7-cli image in 2020
    "mcr.microsoft.com/devcontainers/dotnet:3.1", "mcr.microsoft.com/devcontainers/dotnet:10.0-preview",
    "mcr.microsoft.com/devcontainers/universal:2-linux", "mcr.microsoft.com/devcontainers/miniconda:1-3",
    "mcr.microsoft.com/devcontainers/anaconda:1-3", "mcr.microsoft.com/devcontainers/java:11-alpine",
])
def test_devcontainers_still_unknown(ref: str) -> None:
    assert lookup(ref) is None
