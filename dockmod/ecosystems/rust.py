"""Rust: cargo."""

from __future__ import annotations

from dockmod.ecosystems._base import CacheDir, Ecosystem, InstallKind, Manager, ManagerInfo, PackageManagerCall
from dockmod.ecosystems._rows import names, same
from dockmod.shell.commands import CommandSpec

_CARGO = ("Cargo.toml", "Cargo.lock")


def _cargo_kind(call: PackageManagerCall) -> InstallKind | None:
    a = call.action
    if a in ("fetch", "vendor"):
        return InstallKind.DEPENDENCIES
    if a == "install":
        # https://doc.rust-lang.org/cargo/commands/cargo-install.html (--path: a local crate)
        return InstallKind.PROJECT if call.has_option("--path") else InstallKind.PACKAGES
    if a in ("build", "test", "check", "run"):
        return InstallKind.PROJECT
    return None


MANAGERS = (
    # https://doc.rust-lang.org/cargo/commands/cargo.html
    # home: https://doc.rust-lang.org/cargo/guide/cargo-home.html (registry/ and git/db/
    # are the caches to keep; CARGO_HOME default $HOME/.cargo)
    # offline: https://doc.rust-lang.org/cargo/commands/cargo-build.html#manifest-options
    ManagerInfo(
        manager=Manager.CARGO,
        programs=("cargo",),
        ecosystem="rust",
        source="https://doc.rust-lang.org/cargo/commands/cargo.html",
        spec=CommandSpec(
            same("build fetch install test check run vendor"),
            names(
                "--target -F --features -p --package --bin --example --manifest-path --target-dir"
                " -j --jobs --profile --config --root --version --git --branch --tag --rev --path"
            ),
        ),
        install_actions=frozenset({"build", "fetch", "install", "test", "check", "run", "vendor"}),
        action_manifests={"build": _CARGO, "fetch": _CARGO},
        caches=(
            CacheDir(
                "{HOME}/.cargo/registry",
                overrides=(("CARGO_HOME", "{CARGO_HOME}/registry"),),
                kind="store",
                source="https://doc.rust-lang.org/cargo/guide/cargo-home.html#caching-the-cargo-home-in-ci",
            ),
            CacheDir(
                "{HOME}/.cargo/git/db",
                overrides=(("CARGO_HOME", "{CARGO_HOME}/git/db"),),
                kind="store",
                source="https://doc.rust-lang.org/cargo/guide/cargo-home.html#caching-the-cargo-home-in-ci",
            ),
        ),
        # https://doc.rust-lang.org/cargo/reference/build-cache.html (``target/`` of the
        # workspace; CARGO_TARGET_DIR, ``--target-dir``; cargo locks it between builds)
        build_dirs=(
            CacheDir("target", env=("CARGO_TARGET_DIR",), options=("--target-dir",), actions=frozenset({"build"}),
                     source="https://doc.rust-lang.org/cargo/reference/build-cache.html"),
        ),
        offline_options=("--offline", "--frozen"),
        offline_env=(("CARGO_NET_OFFLINE", "true"),),
        kind_rule=_cargo_kind,
    ),
)

ECOSYSTEMS = (
    # https://doc.rust-lang.org/cargo/reference/manifest.html
    Ecosystem("rust", "Rust", (Manager.CARGO,), ("Cargo.toml", "Cargo.lock", "rust-toolchain.toml"),
              "https://doc.rust-lang.org/cargo/reference/manifest.html"),
)
