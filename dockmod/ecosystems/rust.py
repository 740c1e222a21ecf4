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


# -- the dependency-only pre-build (cargo-chef's idea, without the tool) ---------------
# https://github.com/LukeMathWalker/cargo-chef#how-does-it-work: build the dependencies
# against placeholder sources, then build the project once its sources are copied.
# Cargo decides what to rebuild from fingerprints, not from source mtimes alone: a
# source file copied from the context keeps its (older) mtime, so the placeholder's
# artefacts would look fresh. The pre-build therefore removes the placeholder's
# fingerprint folder and its compiled files, by name:
#   target/<profile>/.fingerprint/<package name>-<hash>   (the package name, `-` kept)
#   target/<profile>/deps/<crate name>-<hash>[.d]          (the crate name: `-` → `_`)
#   target/<profile>/deps/lib<crate name>-<hash>.rlib|.rmeta (a library)
# https://doc.rust-lang.org/cargo/reference/build-cache.html (layout) and cargo's
# `CompilationFiles::pkg_dir` (`{name}-{hash}` from `unit.pkg.name()`) /
# `Target::crate_name` (`name.replace("-", "_")`); checked with cargo 1.95.
#: `cargo build` options the pre-build repeats (they change what the dependencies are
#: compiled with): https://doc.rust-lang.org/cargo/commands/cargo-build.html
PREBUILD_CARRIED = frozenset({
    "-r", "--release", "--profile", "--target", "--locked", "--frozen", "--offline", "-F", "--features",
    "--all-features", "--no-default-features", "-j", "--jobs", "-q", "--quiet", "-v", "--verbose",
    "--keep-going", "--timings", "--color",
})  # not `--config`: it can move `target/` (build.target-dir), so it declines the fix
#: Environment variables that move `target/` or its layout (cargo's environment page):
#: https://doc.rust-lang.org/cargo/reference/environment-variables.html#configuration-environment-variables
PREBUILD_ENV = ("CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR", "CARGO_BUILD_TARGET", "CARGO_BUILD_BUILD_DIR")
#: The profile folder of a named profile: https://doc.rust-lang.org/cargo/reference/profiles.html#custom-profiles
PROFILE_DIRS = {"dev": "debug", "test": "debug", "release": "release", "bench": "release"}


def prebuild_profile_dir(call: PackageManagerCall) -> str:
    """``target/<triple>/<profile>`` of a ``cargo build`` call, relative to the crate."""
    profile = call.option("--profile")
    if profile is not None and profile.value:
        name = PROFILE_DIRS.get(profile.value, profile.value)
    else:
        name = "release" if call.has_option("-r", "--release") else "debug"
    target = call.option("--target")
    return f"target/{target.value}/{name}" if target is not None and target.value else f"target/{name}"


def prebuild_command(call: PackageManagerCall, package: str, lib: bool, bin: bool) -> str:
    """The dependency-only pre-build of ``call`` for package ``package`` (shell text)."""
    crate = package.replace("-", "_")
    out = prebuild_profile_dir(call)
    placeholders = []
    if bin:
        placeholders.append("echo 'fn main() {}' > src/main.rs")
    if lib:
        placeholders.append("touch src/lib.rs")
    build = " ".join(w.raw for w in (*call.program, *call.action_words))
    build += "".join(" " + w.raw for o in call.options for w in o.words)
    leftovers = [f"{out}/.fingerprint/{package}-*", f"{out}/deps/{crate}-*"]
    if lib:
        leftovers.append(f"{out}/deps/lib{crate}-*")
    return " && ".join(["mkdir -p src", *placeholders, build, "rm -rf src " + " ".join(leftovers)])
