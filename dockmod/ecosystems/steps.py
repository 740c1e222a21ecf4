"""Which install step a package-manager call is, and what it needs to run before the
sources are copied: the manifest and lock files it reads, the folders it writes in its
working directory, the options that make it read elsewhere.

Used by DM201 (``reorder_dependency_copy``). Each manager's rows cite the manager's
documentation (see also the manager tables in this package).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from dockmod.ecosystems import dotnet, go, jvm, node, python, rust
from dockmod.ecosystems._base import ConfigFile, InstallKind, Manager, PackageManagerCall
from dockmod.shell import SimpleCommand


# Actions that install named packages.
NAMED_ACTIONS = frozenset({"install", "add", "pip install", "global add"})
# Project-level configuration files package managers read from their working directory.
TOOL_CONFIG = frozenset({"auth.json", "settings.xml", "gradle.properties", "pip.conf", "pip.ini",
                         "NuGet.Config", "nuget.config", "bunfig.toml", "uv.toml", "poetry.toml"})
# Operands that name a file rather than a package.
FILE_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tgz", ".deb", ".rpm", ".apk", ".gem", ".jar")
# npm/yarn/pnpm operands that name local files or folders (a scoped `@scope/name` and a
# `user/repo` shorthand do not): https://docs.npmjs.com/cli/v10/commands/npm-install
NODE_LOCAL = (".", "/", "~", "file:", "link:", "git+file:")
# Options that make a manager read its manifests somewhere else than the working directory.
RELOCATING = {
    Manager.PIP: frozenset({"-f", "--find-links"}),
    Manager.UV: frozenset({"--directory", "--project", "-f", "--find-links"}),
    Manager.POETRY: frozenset({"-C", "--directory", "-P", "--project"}),
    Manager.NPM: frozenset({"--prefix", "-w", "--workspace"}),
    Manager.YARN: frozenset({"--cwd"}),
    Manager.PNPM: frozenset({"--dir", "-C", "--filter", "-F"}),
    Manager.GO: frozenset({"-C", "-modfile"}),
    Manager.CARGO: frozenset({"--manifest-path"}),
    Manager.COMPOSER: frozenset({"-d", "--working-dir"}),
}
# Options naming the configuration file the install reads instead of the default one:
# bun's `-c`/`--config` (https://bun.sh/docs/runtime/bunfig).
CONFIG_OPTIONS = {
    Manager.BUN: frozenset({"-c", "--config"}),
    # pnpm's `--pnpmfile` (https://pnpm.io/settings#pnpmfile).
    Manager.PNPM: frozenset({"--pnpmfile"}),
}
# Where system and language package managers write (packages, caches, homes), after the
# Filesystem Hierarchy Standard (https://refspecs.linuxfoundation.org/FHS_3.0/fhs/index.html):
# a copy into, above or below one of them may overlay what an install wrote.
INSTALL_DIRS = ("/bin", "/sbin", "/lib", "/lib64", "/etc", "/opt", "/root", "/home", "/tmp", "/usr/bin",
                "/usr/sbin", "/usr/lib", "/usr/lib64", "/usr/share", "/usr/include", "/usr/local/bin",
                "/usr/local/lib", "/usr/local/share", "/usr/local/include", "/var/lib", "/var/cache")
# Top-level folders of a Linux image that installs write to (same source).
IMAGE_TOP_DIRS = ("bin", "etc", "home", "lib", "lib64", "opt", "root", "sbin", "srv", "tmp", "usr", "var")
# What installs of the other ecosystems write in their working directory (their docs).
OTHER_WRITES: dict[Manager, tuple[str, ...]] = {
    Manager.BUN: ("node_modules",),  # https://bun.sh/docs/cli/install
    Manager.MIX: ("deps", "_build"),  # https://hexdocs.pm/mix/Mix.Tasks.Deps.Get.html
    Manager.SWIFT: (".build",),  # https://www.swift.org/documentation/package-manager/
    Manager.DOTNET: ("obj",),  # https://learn.microsoft.com/dotnet/core/tools/dotnet-restore
    Manager.NUGET: ("packages",),  # https://learn.microsoft.com/nuget/reference/cli-reference/cli-ref-restore
    Manager.SHARDS: ("lib",),  # https://crystal-lang.org/reference/man/shards/
    Manager.CABAL: ("dist-newstyle",),  # https://cabal.readthedocs.io/en/stable/nix-local-build.html
    Manager.STACK: (".stack-work",),  # https://docs.haskellstack.org/en/stable/
    Manager.CONDA: (), Manager.MAMBA: (), Manager.MICROMAMBA: (),  # environments live under the prefix
    Manager.GRADLE: (".gradle", "build"),  # https://docs.gradle.org/current/userguide/directory_layout.html
}


class NoFix(Exception):
    """The finding stands but gets no fix; the message says why."""


@dataclass
class ContextInputs:
    """What the build context says one install reads (paths relative to the install's
    folder): found by the transform, which alone reads the context."""

    files: list[str] = field(default_factory=list)
    #: Cargo: (package name, has ``src/lib.rs``, has ``src/main.rs``).
    crate: tuple[str, bool, bool] | None = None
    #: dotnet: the properties of :data:`dotnet.PUBLISH_RID_PROPERTIES` its MSBuild files set to
    #: ``true`` (as written, under any condition).
    rid_properties: tuple[str, ...] = ()


#: The context's answer for a call: its inputs, why they cannot be listed, or None when
#: no context is at hand.
ContextLookup = Callable[[PackageManagerCall], "ContextInputs | str | None"]


@dataclass
class InstallNeeds:
    """What one install RUN needs: manifests (path → optional) and why moving it is unsafe."""

    text: str
    manifests: dict[str, bool] = field(default_factory=dict)
    #: Unsafe for a reason neither an option nor the context lifts.
    unsafe: list[str] = field(default_factory=list)
    #: Why the install may run the project's scripts, unless the context shows it does not.
    scripts: list[str] = field(default_factory=list)
    #: Folders the install writes, relative to its working directory.
    writes: list[str] = field(default_factory=list)
    #: Lock files the install may rewrite (its rows' ``lock_writes``), relative to its working
    #: directory, with the command that may: (lock file, command as written).
    lock_writes: list[tuple[str, str]] = field(default_factory=list)
    #: pip ``-r``/``-c`` files among the manifests.
    requirement_files: set[str] = field(default_factory=set)
    #: The copied context folder (``.`` for the whole context).
    src: str = "."
    #: The install's working directory, after any ``cd`` before it in its RUN.
    cwd: str | None = None
    #: A project install that also installs the dependencies: the deps-only step to add
    #: before the copy (words appended to the call, or a whole command), the RUN itself
    #: staying after the copy.
    extra_words: tuple[str, ...] = ()
    extra_command: str | None = None
    #: The variables set where the install runs (the RUN's scope): a name → whether it is set.
    env_set: Callable[[str], bool] = lambda name: False
    #: The environment a command of the RUN runs with: ``$NAME`` → a str, ``UNKNOWN``, or
    #: None when unset (the model's ``env_at``); None: not asked.
    env_at: Callable[[SimpleCommand], Callable[[str], object]] | None = None
    #: Absolute image paths of files a variable names (``PIP_CONFIG_FILE=/etc/pip.conf``),
    #: outside the install's folder: (variable, path). Inputs only when the copy brings them.
    env_paths: list[tuple[str, str]] = field(default_factory=list)
    #: The manager of the install found (before the RUN is split).
    manager: Manager | None = None
    #: Why the added step changes the image when its stage is shipped (Maven's ~/.m2).
    unsafe_if_shipped: str | None = None
    #: Where (relative to HOME) that step leaves its extra files: a stage that is not
    #: shipped still hands them on to a ``COPY --from`` reading there.
    leaves_in_home: str | None = None
    #: Asks the build context what a call reads (dotnet's projects, a crate's layout).
    lookup: ContextLookup | None = None
    #: The project configuration the install's managers read when present (their rows'
    #: ``project_config``), relative to its folder: the transform, which reads the
    #: context, copies those the context has.
    config: list[ConfigFile] = field(default_factory=list)
    #: The ``package.json`` tables naming patch files the install applies (the rows'
    #: ``patch_table``).
    patch_tables: list[tuple[str, ...]] = field(default_factory=list)
    #: Of the manifests, the configuration and patch files: copied, not read as manifests.
    config_paths: set[str] = field(default_factory=set)
    #: Configuration folders copied whole (``.mvn``), relative to the install's folder.
    folders: list[str] = field(default_factory=list)
    #: A Yarn install: the files ``.yarnrc.yml`` names (:data:`node.YARNRC_FILE_SETTINGS`) and
    #: the ``patch:`` files of package.json (:data:`node.YARN_PATCH_PROTOCOL`) are inputs, which
    #: the transform copies as the context has them.
    yarn_files: bool = False
    #: Files whose presence in the context makes the added deps-only step wrong (Go's
    #: ``vendor/modules.txt``: the build reads the vendored modules), relative to its folder.
    no_download_if: list[str] = field(default_factory=list)

    def from_context(self, call: PackageManagerCall, what: str) -> ContextInputs:
        """The context's inputs for ``call``; NoFix when it has none (``what`` says
        which facts only the context gives)."""
        found = self.lookup(call) if self.lookup is not None else None
        if found is None:
            raise NoFix(f"{what} only the build context shows, and it is not at hand")
        if isinstance(found, str):
            raise NoFix(found)
        return found

    def need(self, path: str, optional: bool = False) -> None:
        self.manifests[path] = self.manifests.get(path, True) and optional


def command_text(cmd: SimpleCommand) -> str:
    return " ".join(w.raw for w in cmd.argv)


def ignores_scripts(call: PackageManagerCall) -> bool:
    return call.has_option("--ignore-scripts")


def file_operands(call: PackageManagerCall) -> bool:
    return any(not w.static or "/" in w.text or w.text.endswith(FILE_SUFFIXES) for w in call.operands)


def global_node_install(call: PackageManagerCall) -> bool:
    """``npm install -g`` (or ``--location=global``), ``pnpm add -g``, ``yarn global add``:
    named packages installed into the global prefix, outside the project (the rows'
    ``global_options``; https://classic.yarnpkg.com/en/docs/cli/global for Yarn). Without
    a package, ``npm install -g`` installs the project folder itself ("In global mode … it
    installs the current package context": https://docs.npmjs.com/cli/v10/commands/npm-install),
    which is not this."""
    m, a = call.manager, call.action
    if m is Manager.YARN:
        return a == "global add"
    return m in (Manager.NPM, Manager.PNPM) and a in ("install", "add") and bool(call.operands) \
        and call.info.global_install(call)


def is_dependency_step(call: PackageManagerCall) -> bool:
    """A call that installs dependencies from manifests in the working directory: the
    ecosystem table's ``InstallKind.DEPENDENCIES`` (``npm ci``, ``pip install -r``,
    ``poetry install --no-root``, ``go mod download``, ``mix deps.get``, ``dotnet
    restore``…)."""
    if call.kind is not InstallKind.DEPENDENCIES:
        return False
    if call.manager in (Manager.PIP, Manager.UV) and call.action in ("install", "pip install"):
        return bool(call.files) and not call.local_paths and not file_operands(call)
    return not call.info.global_install(call)


def mixed_pip(call: PackageManagerCall) -> bool:
    """``pip install -r requirements.txt .``: requirement files and the local project."""
    return (call.manager in (Manager.PIP, Manager.UV) and call.action in ("install", "pip install")
            and bool(call.files) and bool(call.local_paths)
            and not any(not w.static or (w.text not in call.local_paths and ("/" in w.text or
                        w.text.endswith(FILE_SUFFIXES))) for w in call.operands))


def project_step(call: PackageManagerCall) -> bool:
    """A project install that also installs the dependencies, which a deps-only step can
    install first: ``poetry install`` (Poetry FAQ: ``--no-root``), ``uv sync`` (uv's Docker
    guide: ``--no-install-project``) and ``go build`` (Docker's Go guide: ``go mod
    download`` first). The table says it is a project install; this says how to split it.
    A build that reads only what is on disk (the row's ``offline_options``: ``mvn -o``,
    ``go build -mod=vendor``, ``dotnet build --no-restore``) has no download to split off."""
    if call.kind is not InstallKind.PROJECT:
        return False
    m, a = call.manager, call.action
    if m is Manager.POETRY:
        return a == "install" and not call.has_option("--no-root", "--only-root")
    if m is Manager.UV:
        return a == "sync" and not call.has_option("--no-install-project", "--only-install-project")
    if m is Manager.GO:
        return a == "build" and not call.info.offline(call)  # -mod=vendor
    if m is Manager.CARGO:
        return a == "build"
    if m is Manager.MAVEN:
        return not call.info.offline(call)
    if m is Manager.DOTNET:
        return a in ("build", "publish", "test", "pack", "run") and not call.info.offline(call)  # --no-restore
    return False


def check_options(call: PackageManagerCall) -> None:
    for opt in call.options:
        if opt.name in RELOCATING.get(call.manager, ()):
            raise NoFix(f"`{opt.name}` makes the install read another directory")
        if opt.value is not None and any(not w.static for w in opt.words):
            raise NoFix(f"`{opt.name}` has a variable")


def env_files(call: PackageManagerCall, env: Callable[[str], object]) -> list[tuple[str, str, str]]:
    """The files the row's ``file_env`` variables name where ``call`` runs (``env``: its
    environment): ``(variable, path as written, how)``; a ``links`` URL is no file.
    NoFix when a value is not known."""
    out = []
    for name, how in call.info.file_env:
        value = env(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise NoFix(f"`${name}` names a file the install reads, and its value is not known")
        for path in value.split():
            if how == "links" and "://" in path and not path.startswith("file:"):
                continue
            out.append((name, path, how))
    return out


def record_env_files(call: PackageManagerCall, install: InstallNeeds) -> None:
    """The files named by variables (``PIP_CONSTRAINT=constraints.txt pip install -r …``):
    one in the install's folder is an input like a ``-c`` file; a folder of packages is
    declined, as ``--find-links`` is; an absolute path elsewhere is an input when the copy
    brings it (:attr:`InstallNeeds.env_paths`)."""
    if install.env_at is None or not call.info.file_env:
        return
    for name, path, how in env_files(call, install.env_at(call.command)):
        if how == "links":
            raise NoFix(f"`{name}` makes the install read local packages at `{path}`")
        rel = path
        if path.startswith("/"):
            cwd = install.cwd
            if cwd is None or not cwd.startswith("/") or not path.startswith(cwd.rstrip("/") + "/"):
                install.env_paths.append((name, posixpath.normpath(path)))
                continue
            rel = posixpath.relpath(path, cwd)
        rel = posixpath.normpath(rel)
        if rel == ".." or rel.startswith("../"):
            raise NoFix(f"`{name}` names `{path}`, outside the install's folder")
        install.need(rel)
        if how == "requirements":
            install.requirement_files.add(rel)


def record_config(call: PackageManagerCall, install: InstallNeeds) -> None:
    """Record the project configuration ``call`` reads without naming it (its row's
    ``project_config`` and ``patch_table``), and a configuration file its options name."""
    env = install.env_at(call.command) if install.env_at is not None else None
    for cf in call.info.project_config:
        if not cf.read_by(call) or env is not None and _turned_off(cf, env):
            continue
        if cf not in install.config:
            install.config.append(cf)
    if call.info.patch_table and call.info.patch_table not in install.patch_tables:
        install.patch_tables.append(call.info.patch_table)
    for opt in call.options:
        if opt.name in CONFIG_OPTIONS.get(call.manager, ()) and opt.value:
            install.need(opt.value)


def record_lock_writes(call: PackageManagerCall, install: InstallNeeds) -> None:
    """Record the lock files ``call`` may rewrite where it runs (its row's ``lock_writes``:
    ``npm install``, ``yarn install`` without ``--frozen-lockfile``/``--immutable``, ``pipenv
    install`` without ``--deploy``…); a variable whose value is not known keeps them."""
    env = install.env_at(call.command) if install.env_at is not None else (lambda name: None)
    for lock in call.info.locks_written(call, env):
        entry = (lock, command_text(call.command))
        if entry not in install.lock_writes:
            install.lock_writes.append(entry)


def _turned_off(cf: ConfigFile, env: Callable[[str], object]) -> bool:
    """The variable of ``cf`` (its ``env``) turns the file off where the call runs
    (``GOWORK=off``). NoFix when it names another file, or its value is not known."""
    if cf.env is None:
        return False
    var, off = cf.env
    value = env(var)
    if value is None or value == "":
        return False
    if not isinstance(value, str):
        raise NoFix(f"`${var}` may name a file read in place of `{cf.path}`, and its value is not known")
    if value == off:
        return True
    raise NoFix(f"`{var}={value}` names the file read in place of `{cf.path}`, which dockmod does not copy")


def record_needs(call: PackageManagerCall, install: InstallNeeds) -> None:
    """Record the manifests ``call`` reads and what makes moving it unsafe."""
    check_options(call)
    record_env_files(call, install)
    record_config(call, install)
    record_lock_writes(call, install)
    m, a = call.manager, call.action
    scripts = f"`{command_text(call.command)}` may run the project's lifecycle scripts (no `--ignore-scripts`)"
    if m in (Manager.PIP, Manager.UV) and a in ("install", "pip install"):
        for f in call.files:
            install.need(f)
            install.requirement_files.add(f)
        for opt in call.options:
            if opt.name in python.PIP_LOCATION_OPTIONS and opt.value:
                install.writes.append(opt.value)
    elif m is Manager.UV:
        install.writes.append(".venv")
        install.need("pyproject.toml")
        install.need("uv.lock", optional=not call.has_option("--locked", "--frozen"))
        install.need(".python-version", optional=True)
    elif m is Manager.POETRY:
        install.writes.append(".venv")  # with virtualenvs.in-project
        install.need("pyproject.toml")
        install.need("poetry.lock", optional=True)
    elif m is Manager.PIPENV:
        install.writes.append(".venv")  # with PIPENV_VENV_IN_PROJECT
        install.need("Pipfile")
        install.need("Pipfile.lock", optional=not (a == "sync" or call.has_option("--deploy")))
    elif m is Manager.NPM:
        install.writes.append("node_modules")
        install.need("package.json")
        install.need("package-lock.json", optional=True)
        install.need("npm-shrinkwrap.json", optional=True)
        install.need(".npmrc", optional=True)
        if not ignores_scripts(call):
            install.scripts.append(scripts)
    elif m is Manager.YARN:
        install.writes.extend(node.YARN_WRITES)
        install.yarn_files = True
        install.need("package.json")
        install.need("yarn.lock", optional=not call.has_option("--frozen-lockfile", "--immutable"))
        install.need(".yarnrc", optional=True)
        install.need(".npmrc", optional=True)
        if not ignores_scripts(call):
            install.scripts.append(scripts)
    elif m is Manager.PNPM:
        install.writes.append("node_modules")
        if a != "fetch":
            install.need("package.json")
            install.need("pnpm-workspace.yaml", optional=True)
            if not ignores_scripts(call):
                install.scripts.append(scripts)
        install.need("pnpm-lock.yaml", optional=not (a == "fetch" or call.has_option("--frozen-lockfile")))
        install.need(".npmrc", optional=True)
    elif m is Manager.GO:
        install.need("go.mod")
        install.need("go.sum", optional=True)
    elif m is Manager.CARGO:
        raise NoFix("`cargo fetch` needs a target source file (`src/main.rs` or `src/lib.rs`)")
    elif m is Manager.BUNDLER:
        install.writes.append(".bundle")
        path = call.option("--path")
        if path is not None and path.value:
            install.writes.append(path.value)
        if call.has_option("--deployment"):
            install.writes.append("vendor/bundle")
        gemfile = call.files[0] if call.files else "Gemfile"
        install.need(gemfile)
        install.need(gemfile + ".lock", optional=True)
    elif m is Manager.COMPOSER:
        install.writes.append("vendor")
        install.need("composer.json")
        install.need("composer.lock", optional=True)
        if not call.has_option("--no-scripts"):
            install.scripts.append("`composer install` may run the project's scripts (no `--no-scripts`)")
        if not call.has_option("--no-autoloader") and call.has_option(
                "-o", "--optimize-autoloader", "-a", "--classmap-authoritative"):
            install.unsafe.append("an optimised autoloader is built before the sources are there")
    elif m is Manager.MAVEN:
        install.need(call.files[0] if call.files else "pom.xml")
        record_maven_wrapper(call, install)
    elif m is Manager.DOTNET:
        record_restore_needs(call, install)
    else:
        # The other ecosystems: manifests from the table; lock files may be absent. Those
        # that are also the row's project configuration are copied as the context has them
        # (Gradle's build files), and the wrapper's files only for the wrapper.
        present = {cf.path for cf in call.info.project_config} | set(jvm.GRADLE_WRAPPER_FILES)
        for f in call.info.manifests(call):
            if f in present and f not in call.files:
                continue
            install.need(f, optional=bool(re.search(r"lock|\.resolved$", f, re.IGNORECASE)))
        if m is Manager.GRADLE:
            record_gradle_wrapper(call, install)
        writes = OTHER_WRITES.get(m)
        if writes is None:
            install.unsafe.append(f"dockmod does not know what `{command_text(call.command)}` writes in its "
                                  "working directory")
        else:
            install.writes.extend(writes)
        if m is Manager.BUN and not ignores_scripts(call):
            install.scripts.append(scripts)


def record_project_needs(call: PackageManagerCall, install: InstallNeeds) -> None:
    """The manifests and the deps-only step of a project install (see :func:`project_step`)."""
    check_options(call)
    record_config(call, install)
    m = call.manager
    if m is Manager.GO:
        record_go_download(call, install)
        install.extra_command = "go mod download"
        install.need("go.mod")
        install.need("go.sum", optional=True)
        return
    if m is Manager.CARGO:
        record_cargo_prebuild(call, install)
        return
    if m is Manager.MAVEN:
        record_go_offline(call, install)
        return
    if m is Manager.DOTNET:
        found = record_restore_needs(call, install)
        operand = [w.raw for w in call.operands[:1]]
        carried = dotnet.restore_options(call, found.rid_properties if found is not None else ())
        if isinstance(carried, str):
            raise NoFix(carried)
        install.extra_command = " ".join(["dotnet", "restore", *operand, *carried])
        return
    if m is Manager.POETRY:
        install.extra_words = ("--no-root",)
    else:
        install.extra_words = ("--no-install-project",)
    record_needs(call, install)


def record_go_download(call: PackageManagerCall, install: InstallNeeds) -> None:
    """``go build`` gets ``go mod download`` first, unless the build reads only what is on
    disk: ``GOFLAGS=-mod=vendor`` or ``GOPROXY=off`` where it runs (the row's
    ``offline_env``; ``-mod=vendor`` on the command is no project step), or a vendor folder
    the context has (:data:`dockmod.ecosystems.go.VENDOR_MODULES`, checked by the
    transform). The download would need the network and fill the module cache the build
    does not read."""
    from dockmod.ecosystems.cache_use import offline

    if install.env_at is not None:
        env = install.env_at(call.command)
        for var, _ in call.info.offline_env:
            if env(var) is not None and not isinstance(env(var), str):
                raise NoFix(f"`${var}` is not known: it may make the build read only what is on disk, where an "
                            "added `go mod download` would download")
        found = offline(call, env)
        if found:
            raise NoFix(f"`{found[0]}`: the build reads only what is on disk, and an added `go mod download` "
                        "would need the network")
    install.no_download_if.append(go.VENDOR_MODULES)


def record_restore_needs(call: PackageManagerCall, install: InstallNeeds) -> ContextInputs | None:
    """``dotnet restore`` (or the restore of a build): the project, solution and NuGet
    files the context lists (dotnet's manifests are patterns, so only it can). Returns the
    context's answer; None without a context."""
    if len(call.operands) > 1 or (call.operands and not call.operands[0].static):
        raise NoFix("the project is named through a variable or several operands")
    named = call.operands[0].text if call.operands else None
    if install.lookup is not None and install.lookup(call) is None and named and named.endswith(
            dotnet.PROJECT_SUFFIXES):
        # No context, but the command names the project: copy it and what may lie beside
        # it; its references and the files in folders above stay unproven (unsafe).
        folder = posixpath.dirname(named)
        install.need(named)
        for name in dotnet.RESTORE_INPUTS:
            install.need(posixpath.join(folder, name), optional=True)
        install.writes.append(posixpath.join(folder, "obj"))
        install.unsafe.append(f"no build context shows which projects `{named}` references, nor the MSBuild/"
                              "NuGet files in the folders above it")
        return None
    found = install.from_context(call, "which project files `dotnet restore` reads")
    for path in found.files:
        install.need(path)
        if path.endswith(dotnet.PROJECT_SUFFIXES):
            install.writes.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), "obj")))
    return found


def record_cargo_prebuild(call: PackageManagerCall, install: InstallNeeds) -> None:
    """``cargo build``: the dependency-only pre-build of :mod:`dockmod.ecosystems.rust`."""
    for opt in call.options:
        if opt.name not in rust.PREBUILD_CARRIED:
            raise NoFix(f"`{opt.name}` is not repeated by a dependency pre-build")
    if call.operands:
        raise NoFix("`cargo build` has operands")
    inline = {w.text.split("=", 1)[0] for w in call.command.assignments}
    moved = [v for v in rust.PREBUILD_ENV if v in inline or install.env_set(v)]
    if moved:  # the placeholder's artefacts would not be where the pre-build removes them
        raise NoFix(f"`{moved[0]}` moves cargo's `target/`")
    found = install.from_context(call, "the crate's name, targets and build script")
    assert found.crate is not None
    package, lib, bin = found.crate
    install.extra_command = rust.prebuild_command(call, package, lib, bin)
    install.need("Cargo.toml")
    install.need("Cargo.lock", optional=not call.has_option("--locked", "--frozen"))
    for path in found.files:
        install.need(path)
    install.writes.append("target")
    install.unsafe.append("the pre-build compiles placeholder sources; dockmod removes their artefacts from "
                          "`target/` by name, but does not prove the real build then matches a clean one")


def record_maven_wrapper(call: PackageManagerCall, install: InstallNeeds) -> None:
    """``./mvnw``: the wrapper script and its properties are inputs of the install
    (https://maven.apache.org/wrapper/)."""
    program = call.program[-1].text if call.program else "mvn"
    if posixpath.basename(program) == "mvnw":
        if "/" in program and not program.startswith("./"):
            raise NoFix(f"the wrapper `{program}` lies in another folder")
        install.need("mvnw")
        install.need(jvm.MAVEN_WRAPPER)


def record_gradle_wrapper(call: PackageManagerCall, install: InstallNeeds) -> None:
    """``./gradlew``: the script and its ``gradle/wrapper/`` folder (the jar it runs and
    the properties naming the Gradle to fetch) are inputs of the install
    (https://docs.gradle.org/current/userguide/gradle_wrapper.html#sec:adding_wrapper)."""
    program = call.program[-1].text if call.program else "gradle"
    if posixpath.basename(program) != jvm.GRADLE_WRAPPER:
        return
    if "/" in program and not program.startswith("./"):
        raise NoFix(f"the wrapper `{program}` lies in another folder")
    for f in (jvm.GRADLE_WRAPPER, *jvm.GRADLE_WRAPPER_FILES):
        install.need(f)
        install.config_paths.add(f)
    if jvm.GRADLE_WRAPPER_DIR not in install.folders:
        install.folders.append(jvm.GRADLE_WRAPPER_DIR)


def record_go_offline(call: PackageManagerCall, install: InstallNeeds) -> None:
    """A Maven build: ``mvn dependency:go-offline`` first, with the build's POM,
    settings and profiles (:data:`dockmod.ecosystems.jvm.GO_OFFLINE_CARRIED`)."""
    for opt in call.options:
        if opt.name in jvm.MAVEN_REACTOR:
            raise NoFix(f"`{opt.name}` selects modules of a multi-module build")
    words = [w.raw for w in call.program]
    carried = [o for o in call.options if o.name in jvm.GO_OFFLINE_CARRIED or o.name.startswith("-D")]
    if not any(o.name in ("-B", "--batch-mode") for o in carried):
        words.append("-B")
    words += [w.raw for o in carried for w in o.words]
    install.extra_command = " ".join([*words, jvm.GO_OFFLINE])
    install.need(call.files[0] if call.files else "pom.xml")
    for o in call.options:
        if o.name in ("-s", "--settings", "-gs", "--global-settings") and o.value and not o.value.startswith("/"):
            install.need(o.value)
    record_maven_wrapper(call, install)
    # Without a context the step is still offered (unsafe: the POM may have modules).
    found = install.lookup(call) if install.lookup is not None else None
    if isinstance(found, str):
        raise NoFix(found)
    for path in found.files if found is not None else ():
        install.need(path)
    install.unsafe_if_shipped = (f"`{jvm.GO_OFFLINE}` leaves in `~/.m2` what it resolves beyond the build's "
                                 "needs, and the stage is shipped")
    install.leaves_in_home = ".m2"
