"""Go: the go command's module downloads and build cache."""

from __future__ import annotations

from dockmod.ecosystems._base import (
    CacheDir, ConfigFile, Ecosystem, InstallKind, Manager, ManagerInfo, PackageManagerCall,
)
from dockmod.ecosystems._rows import names, same
from dockmod.shell.commands import CommandSpec

_GO_MOD = ("go.mod", "go.sum")


def _go_kind(call: PackageManagerCall) -> InstallKind | None:
    a = call.action
    if a == "mod download":
        return InstallKind.DEPENDENCIES
    if a in ("install", "get") and any("@" in w.text for w in call.operands):
        # `go install pkg@version` builds outside the main module:
        # https://go.dev/ref/mod#go-install
        return InstallKind.PACKAGES
    if a in ("build", "install", "test", "run", "generate", "get"):
        return InstallKind.PROJECT
    return None


# Vendoring: "When vendoring is enabled, build commands like go build and go test load packages
# from the vendor directory instead of accessing the network or the local module cache"
# (https://go.dev/ref/mod#vendoring). `-mod=vendor` enables it, on the command line or in
# GOFLAGS ("A space-separated list of -flag=value settings to apply to go commands by default":
# https://pkg.go.dev/cmd/go#hdr-Environment_variables); "One or two dashes may be used"
# (https://pkg.go.dev/flag#hdr-Command_line_flag_syntax). Such a call reads only what is on disk
# (no download, DM201), and never the module cache (no mount of it, DM202). Not modelled:
# `-mod=mod` or `-mod=readonly` on the command line, which overrides GOFLAGS ("Flags listed on
# the command line are applied after this list"); such a call is taken as vendored, so it misses
# a module-cache mount (never a wrong mount) and DM201 adds no `go mod download` for it.
VENDOR_OPTIONS = ("-mod=vendor", "--mod=vendor")
VENDOR_ENV = (("GOFLAGS", "-mod=vendor"),)

MANAGERS = (
    # https://pkg.go.dev/cmd/go
    # module cache: https://go.dev/ref/mod#module-cache (GOMODCACHE, default $GOPATH/pkg/mod,
    # GOPATH default $HOME/go: https://pkg.go.dev/cmd/go#hdr-GOPATH_environment_variable)
    # build cache: https://pkg.go.dev/cmd/go#hdr-Build_and_test_caching (GOCACHE, default
    # os.UserCacheDir()/go-build, i.e. $XDG_CACHE_HOME or $HOME/.cache)
    # offline: https://go.dev/ref/mod#environment-variables (GOPROXY=off, GOFLAGS=-mod=vendor)
    ManagerInfo(
        manager=Manager.GO,
        programs=("go",),
        ecosystem="go",
        source="https://pkg.go.dev/cmd/go",
        spec=CommandSpec(
            {"mod download": "mod download", **same("build install get test run generate")},
            names("-o -ldflags -gcflags -asmflags -tags -mod -C -p -modfile -overlay -pkgdir"),
            attached_values=False,
        ),
        install_actions=frozenset({"mod download", "build", "install", "get", "test", "run"}),
        action_manifests={"mod download": _GO_MOD, "build": _GO_MOD},
        caches=(
            CacheDir(
                "{HOME}/go/pkg/mod",
                env=("GOMODCACHE",),
                overrides=(("GOPATH", "{GOPATH}/pkg/mod"),),
                kind="store",
                source="https://go.dev/ref/mod#module-cache",
                bypass_options=VENDOR_OPTIONS,
                bypass_env=VENDOR_ENV,
            ),
            CacheDir(
                "{XDG_CACHE_HOME:-{HOME}/.cache}/go-build",
                env=("GOCACHE",),
                actions=frozenset({"build", "install", "get", "test", "run"}),
                source="https://pkg.go.dev/cmd/go#hdr-Build_and_test_caching",
            ),
        ),
        # https://pkg.go.dev/cmd/go#hdr-Clean_build_and_test_caches_and_module_cache
        cleaners=(("go", "clean", "-modcache"), ("go", "clean", "-cache")),
        offline_options=VENDOR_OPTIONS,
        offline_env=(("GOPROXY", "off"), *VENDOR_ENV),
        # https://go.dev/ref/mod#go-install (``go install pkg@v1.2.3``)
        tool_actions=frozenset({"install"}), pin=r"[^@]*@v\d",
        kind_rule=_go_kind,
        # A workspace: `go.work` (and its checksums, `go.work.sum`) in the module's folder or
        # above it makes the go command read the modules it `use`s: https://go.dev/ref/mod#workspaces
        # "If GOWORK is set to off, the go command disables workspace mode"; a path to a file
        # ending in .work is read instead (same page).
        project_config=(ConfigFile("go.work", "https://go.dev/ref/mod#workspaces", manifest=True, unknown="skip",
                                   env=("GOWORK", "off")),
                        ConfigFile("go.work.sum", "https://go.dev/ref/mod#workspaces", manifest=True,
                                   unknown="skip", env=("GOWORK", "off"))),
    ),
)

ECOSYSTEMS = (
    # https://go.dev/ref/mod#go-mod-file
    Ecosystem("go", "Go", (Manager.GO,), ("go.mod", "go.sum", "go.work", "go.work.sum", "vendor/modules.txt"),
              "https://go.dev/ref/mod#go-mod-file"),
)

# Where `go install` writes binaries, first set wins: "to the directory named by the GOBIN
# environment variable, which defaults to $GOPATH/bin" (https://pkg.go.dev/cmd/go#hdr-Compile_and_install_packages_and_dependencies).
INSTALL_DIR_VARS: tuple[tuple[str, str], ...] = (("GOBIN", ""), ("GOPATH", "/bin"))


def binary_name(import_path: str) -> str | None:
    """The executable ``go build``/``go install`` writes for a main package: "named after
    the last non-major-version component of the package import path" (``go help build``:
    ``example.com/tool/v2`` → ``tool``)."""
    import re

    parts = [p for p in import_path.split("/") if p not in ("", ".", "..")]
    while len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]):
        parts.pop()
    return parts[-1] if parts else None

# The files a module build reads besides its .go sources: go.mod and go.sum
# (https://go.dev/ref/mod#go-mod-file, #go-sum-files), the workspace files
# (https://go.dev/ref/mod#workspaces) and the vendor folder (https://go.dev/ref/mod#vendoring).
BUILD_INPUTS: frozenset[str] = frozenset({"go.mod", "go.sum", "go.work", "go.work.sum", "vendor", "vendor/"})

#: A module's vendor folder: with it (and go 1.14 or later in go.mod) the go command builds
#: from the vendored copies and not the module cache, as with ``-mod=vendor``
#: (https://go.dev/ref/mod#vendoring). DM201 adds no ``go mod download`` to such a build.
VENDOR_MODULES = "vendor/modules.txt"
