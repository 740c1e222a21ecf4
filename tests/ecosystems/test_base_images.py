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
