"""The row types of the ecosystem tables, and the call a recognised command becomes."""

from __future__ import annotations

import enum
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from dockmod.shell.commands import CommandSpec, Option
from dockmod.shell.parse import ShellWord, SimpleCommand


class Manager(enum.StrEnum):
    """A package manager or build tool whose calls transforms care about."""

    # python.py
    PIP = "pip"
    UV = "uv"
    POETRY = "poetry"
    PIPENV = "pipenv"
    # conda.py
    CONDA = "conda"
    MAMBA = "mamba"
    MICROMAMBA = "micromamba"
    # node.py
    NPM = "npm"
    YARN = "yarn"
    PNPM = "pnpm"
    BUN = "bun"
    # go.py, rust.py
    GO = "go"
    CARGO = "cargo"
    # ruby.py, php.py
    BUNDLER = "bundler"
    GEM = "gem"
    COMPOSER = "composer"
    # jvm.py
    MAVEN = "maven"
    GRADLE = "gradle"
    SBT = "sbt"
    LEIN = "lein"
    CLOJURE = "clojure"
    # dotnet.py
    DOTNET = "dotnet"
    NUGET = "nuget"
    # system.py
    APT_GET = "apt-get"
    APT = "apt"
    APK = "apk"
    DNF = "dnf"
    YUM = "yum"
    MICRODNF = "microdnf"
    ZYPPER = "zypper"
    # other.py
    MIX = "mix"
    PUB = "pub"
    SWIFT = "swift"
    SHARDS = "shards"
    JULIA = "julia"
    CPANM = "cpanm"
    CABAL = "cabal"
    STACK = "stack"
    RSCRIPT = "rscript"
    NIMBLE = "nimble"
    GLEAM = "gleam"
    OPAM = "opam"
    REBAR3 = "rebar3"
    CONAN = "conan"
    VCPKG = "vcpkg"


class InstallKind(enum.Enum):
    """What an install call puts in place, and so what it needs from the build context."""

    #: The dependencies named by manifests or lock files (``npm ci``, ``pip install -r``,
    #: ``go mod download``): needs only those files.
    DEPENDENCIES = "dependencies"
    #: The project itself, usually with its dependencies (``pip install .``, ``poetry
    #: install`` without ``--no-root``, ``go build``, ``mvn package``): needs the sources.
    PROJECT = "project"
    #: Packages named on the command line (``pip install flask``, ``apt-get install curl``,
    #: ``npm install -g pnpm``): needs nothing from the context.
    PACKAGES = "packages"
    #: Refreshes an index only (``apt-get update``, ``cabal update``).
    INDEX = "index"


@dataclass(frozen=True, slots=True)
class CacheDir:
    """A directory a manager reuses between runs, and what moves it.

    Resolution order: the first variable of ``env`` that is set (its value *is* the
    directory), then the first of ``overrides`` whose variable is set (its template), then
    ``path``. Templates: ``{NAME}`` is the value of a variable (unknown when unset),
    ``{NAME:-default}`` the value when set and not empty, else ``default`` (which may hold
    templates itself). ``HOME`` is the home of the user the RUN runs as. A ``:``-separated
    list (``GOPATH``) is refused rather than guessed.
    """

    #: The default location, as a template.
    path: str
    #: Variables whose value is the directory itself, most specific first.
    env: tuple[str, ...] = ()
    #: ``cache``: refilled on demand, read by nothing else. ``store``: later steps read it
    #: as data (Go modules, a Maven repository), so an empty mount can break them.
    #: ``index``: the package index, written by the manager's ``index_actions`` and read
    #: by its ``reads_index`` actions (apt's lists).
    kind: Literal["cache", "store", "index"] = "cache"
    #: A cache that the manager's offline mode reads as data (pnpm's store after ``pnpm
    #: fetch``): a later offline call makes its mount unsafe, as for a ``store``.
    read_offline: bool = False
    #: Needs ``sharing=locked``: the tool does not support concurrent writers.
    locked: bool = False
    #: Written as root whatever ``USER`` says (system package managers).
    system: bool = False
    #: The documentation page that states the location.
    source: str = ""
    #: (variable, template) pairs: when the variable is set, the directory is the template
    #: (``("GOPATH", "{GOPATH}/pkg/mod")``).
    overrides: tuple[tuple[str, str], ...] = ()
    #: Command-line options whose value replaces the path (``--cache-dir``), and option
    #: prefixes carrying it (``-Dmaven.repo.local=``).
    options: tuple[str, ...] = ()
    #: Config commands that set it, as word prefixes (``npm config set cache``).
    config: tuple[tuple[str, ...], ...] = ()
    #: The tool version or distribution release the row applies to (``"dnf5"``, ``"el7"``,
    #: ``"berry"``); ``""`` when it applies to all. Which one runs is the base image's to say.
    variant: str = ""
    #: The default when the RUN runs as root, where the tool treats root apart
    #: (Yarn 1 uses ``/usr/local/share`` as root's home).
    root_path: str | None = None
    #: The actions that use it; empty: every install action (``go mod download`` compiles
    #: nothing, so it does not use the build cache).
    actions: frozenset[str] = frozenset()
    #: Only some versions of the tool use it (Yarn 2+'s global cache, bundler's global gem
    #: cache): it applies when the Dockerfile sets its location (``env``, ``overrides``,
    #: ``config``), not by default.
    explicit: bool = False
    #: It holds repository metadata that the manager reuses without asking the mirror
    #: until it expires (dnf's ``metadata_expire``): a cached copy can name packages the
    #: mirror has dropped, unless the call refreshes it (``ManagerInfo.metadata_refresh``).
    #: The text says how long, for the reason given.
    expiring_metadata: str = ""
    #: Offline settings of the row (spelled as ``ManagerInfo.offline_options`` and
    #: ``offline_env``) with which a call reads something else in its place, never this
    #: directory (Go's ``-mod=vendor``: the vendor folder, not the module cache): such a call
    #: gets no mount of it, and reading what is on disk puts none of its mounts at risk.
    bypass_options: tuple[str, ...] = ()
    bypass_env: tuple[tuple[str, str], ...] = ()

    def applies(self, action: str) -> bool:
        """The cache is used by a call with ``action``."""
        return not self.actions or action in self.actions

    @property
    def variables(self) -> tuple[str, ...]:
        """Every variable that can move it."""
        names = [*self.env, *(v for v, _ in self.overrides), *template_vars(self.path)]
        if self.root_path:
            names += template_vars(self.root_path)
        return tuple(dict.fromkeys(names))

    def resolve(self, get: Callable[[str], object], root: bool = False) -> str | None:
        """The directory, with ``get(name)`` giving a variable's value: a str, None when
        unset, anything else when unknown. None when a value it needs is not known."""
        for name in self.env:
            value = get(name)
            if isinstance(value, str):
                if value:
                    return posixpath.normpath(value) if value.startswith("/") else None
            elif value is not None:
                return None
        for name, template in self.overrides:
            value = get(name)
            if isinstance(value, str):
                if value:
                    return expand_template(template, get)
            elif value is not None:
                return None
        template = self.root_path if root and self.root_path is not None else self.path
        return expand_template(template, get)


_VAR = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(:-)?")


def expand_template(template: str, get: Callable[[str], object]) -> str | None:
    """Expand a :class:`CacheDir` template; None when a needed value is unknown or unset."""
    out, _ = _expand(template, 0, get, top=True)
    if out is None or not out.startswith("/"):
        return None
    return posixpath.normpath(out)


def _expand(t: str, i: int, get: Callable[[str], object], top: bool) -> tuple[str | None, int]:
    out: list[str] = []
    ok = True
    while i < len(t):
        ch = t[i]
        if ch == "}" and not top:
            return ("".join(out) if ok else None), i + 1
        if ch != "{":
            out.append(ch)
            i += 1
            continue
        m = _VAR.match(t, i)
        if m is None:
            raise ValueError(f"bad cache template {t!r}")
        name = m.group(1)
        value = get(name)
        if m.group(2):  # {NAME:-default}
            default, i = _expand(t, m.end(), get, top=False)
            if isinstance(value, str) and value:
                ok = ok and _single(name, value)
                out.append(value)
            elif value is None or value == "":
                if default is None:
                    ok = False
                else:
                    out.append(default)
            else:
                ok = False
        else:
            if t[m.end() : m.end() + 1] != "}":
                raise ValueError(f"bad cache template {t!r}")
            i = m.end() + 1
            if isinstance(value, str) and value:
                ok = ok and _single(name, value)
                out.append(value)
            else:
                ok = False
    if not top:
        raise ValueError(f"unclosed cache template {t!r}")
    return ("".join(out) if ok else None), i


def _single(name: str, value: str) -> bool:
    """False for a list variable holding several entries (``GOPATH=/a:/b``)."""
    return not (name.endswith("PATH") and ":" in value)


def template_vars(template: str) -> tuple[str, ...]:
    """The variables a template reads, in order."""
    return tuple(dict.fromkeys(m.group(1) for m in _VAR.finditer(template)))


@dataclass(frozen=True, slots=True)
class PackageManagerCall:
    """One call of a package manager or build tool, e.g. ``pip install -r req.txt``."""

    manager: Manager
    #: What it does, normalised: ``install`` (also for ``npm i`` and bare ``yarn``),
    #: ``ci``, ``update``, ``mod download``, ``pip install`` (uv), a Maven goal…
    action: str
    #: The command it is in.
    command: SimpleCommand
    #: The words naming the program: ``pip3``, ``python3 -m pip``, ``./gradlew``.
    program: tuple[ShellWord, ...]
    #: The subcommand words (``install``, ``mod download``); empty for bare ``yarn``.
    action_words: tuple[ShellWord, ...]
    #: Options anywhere after the program, in source order.
    options: tuple[Option, ...]
    #: Other words after the action: packages, paths, goals.
    operands: tuple[ShellWord, ...]
    #: Requirements/constraints/manifest files named by options (``-r``, ``-c``, ``--gemfile``).
    files: tuple[str, ...]
    #: Files the action reads without naming them (``package-lock.json`` for ``npm ci``).
    manifests: tuple[str, ...]
    _bundles: bool = field(repr=False, compare=False, default=False)

    @property
    def span(self) -> tuple[int, int]:
        return self.command.span

    @property
    def info(self) -> ManagerInfo:
        """This manager's row in :data:`dockmod.ecosystems.MANAGERS`."""
        return _ROWS[self.manager]

    @property
    def kind(self) -> InstallKind | None:
        """What the call installs; None when it installs nothing (``apt-get clean``)."""
        return self.info.install_kind(self)

    def option(self, *names: str) -> Option | None:
        """The first option spelled as one of ``names`` (``-y`` also matches ``-yqq``)."""
        for opt in self.options:
            for name in names:
                if opt.name == name:
                    return opt
                if (
                    self._bundles
                    and len(name) == 2
                    and not opt.name.startswith("--")
                    and name[1] in opt.name[1:]
                ):
                    return opt
        return None

    def has_option(self, *names: str) -> bool:
        return self.option(*names) is not None

    @property
    def assume_yes(self) -> bool:
        """apt/dnf/yum: runs without prompting (``-y``, ``--yes``, ``-qq``, ``-q=2``)."""
        if self.has_option("-y", "--yes", "--assume-yes"):
            return True
        if self.manager in (Manager.APT_GET, Manager.APT):
            # apt-get(8): quiet level 2 implies -y.
            q = sum(o.name.count("q") for o in self.options if not o.name.startswith("--"))
            q += sum(1 for o in self.options if o.name in ("--quiet", "--silent"))
            q2 = any(o.name in ("-q", "--quiet") and o.value == "2" for o in self.options)
            return q >= 2 or q2
        if self.manager is Manager.ZYPPER:
            return self.has_option("-n", "--non-interactive")
        return self.manager is Manager.APK

    @property
    def local_paths(self) -> tuple[str, ...]:
        """pip/uv: local project paths installed (``.``, ``-e .``, ``./pkg``, ``/src``)."""
        if self.manager not in (Manager.PIP, Manager.UV):
            return ()
        vals = [w.text for w in self.operands]
        vals += [o.value for o in self.options if o.name in ("-e", "--editable") and o.value]
        local = (".", "..")
        return tuple(v for v in vals if v in local or v.startswith(("./", "../", "/", "file:")))


#: Every manager's row: the dict behind :data:`dockmod.ecosystems.MANAGERS`, which fills it
#: on import (before any call can exist). Read by ``PackageManagerCall.info`` (36k times in a
#: corpus check) without an import statement per read.
_ROWS: dict[Manager, ManagerInfo] = {}

#: ``kind(call)`` of a manager: what one of its calls installs.
KindRule = Callable[[PackageManagerCall], "InstallKind | None"]
#: ``manifests(call)`` of a manager: the manifest and lock files one of its calls reads.
ManifestRule = Callable[[PackageManagerCall], tuple[str, ...]]
#: Decides the action from the split words (code in ``julia -e``, ``clojure -P``); None: not a call.
ActionRule = Callable[[str, tuple[Option, ...], tuple[ShellWord, ...]], "str | None"]


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """A project configuration file (or folder) a manager reads from its working directory
    without the command line naming it (``poetry.toml``, ``.mvn/``): an install moved
    before the whole-context copy must have it copied first (DM201)."""

    #: Relative to the working directory; a folder ends with ``/``.
    path: str
    #: The documentation page that says the manager reads it.
    source: str
    #: A TOML table the file counts by only when it has it (``pyproject.toml`` for uv:
    #: ``tool.uv``); None: the file counts by being there.
    table: str | None = None
    #: The file is code that may load other local files (``.pnpmfile.cjs``): a reorder
    #: that cannot bring those is declined.
    script: bool = False
    #: A build file read like a manifest, which a project may lack (Gradle's ``build.gradle``
    #: or ``build.gradle.kts``, ``go.work``): copied when the build context has it, and read
    #: as a manifest (it may name other local files), not through a glob.
    manifest: bool = False
    #: Such a file without a build context: ``decline`` the reorder (which of Gradle's build
    #: files exist decides what the copy must name), or ``skip`` it (a ``go.work`` is rare,
    #: and the unproven manifests already make the fix unsafe).
    unknown: Literal["decline", "skip"] = "decline"
    #: Settings that name the file to read instead, as ``(settings file, key)`` pairs
    #: (pnpm's ``pnpmfile`` in ``.npmrc`` or ``pnpm-workspace.yaml``): the file a setting in
    #: the build context names is copied, and read, in its place.
    settings: tuple[tuple[str, str], ...] = ()
    #: A variable that names the file to read in place of it, and the value with which the
    #: manager reads none (Go's ``GOWORK``, ``off``): that value leaves the file out; another
    #: (or one not known) declines the reorder, as dockmod does not copy the file it names.
    env: tuple[str, str] | None = None
    #: Only calls that run one of these actions read it (mix's compile-time ``config/``:
    #: ``deps.compile``, not ``deps.get``); empty: every call. A tool that runs several tasks
    #: in one call names them as operands (``mix do deps.get, deps.compile``): those count.
    actions: frozenset[str] = frozenset()

    def read_by(self, call: PackageManagerCall) -> bool:
        """``call`` reads it (see :attr:`actions`)."""
        if not self.actions:
            return True
        return call.action in self.actions or any(w.text.rstrip(",") in self.actions for w in call.operands)


@dataclass(frozen=True, slots=True)
class LockWrite:
    """A lock file some calls of a manager may rewrite in their working directory (re-resolved
    when it is out of date with the manifest, or converted to a newer format), and what
    keeps it as it is. A whole-context copy after such a call puts the context's lock back
    over the rewritten one (DM201)."""

    #: The actions that may write it (``install``; never ``ci``).
    actions: frozenset[str]
    #: The lock files, relative to the working directory.
    files: tuple[str, ...]
    #: The documentation page that says the call writes it, and what keeps it.
    source: str
    #: Options that keep the lock as it is, spelled as ``ManagerInfo.offline_options``
    #: (a name as written, or ``--name=value``).
    unless: tuple[str, ...] = ()
    #: Variables that do the same, with the value that does it.
    unless_env: tuple[tuple[str, str], ...] = ()

    def written(self, call: PackageManagerCall, env: Callable[[str], object]) -> bool:
        """``call`` (with the environment ``env``) may write the lock."""
        if call.action not in self.actions or _any_option(call, self.unless):
            return False
        return not any(env(name) == value for name, value in self.unless_env)


@dataclass(frozen=True, slots=True)
class ManagerInfo:
    """Everything dockmod knows about one package manager, as data.

    Each table row cites the documentation it was read from in ``source`` (and in a
    comment above it).
    """

    manager: Manager
    #: Program basenames that run it (``pip3`` and ``pip3.12`` come from ``versioned``).
    programs: tuple[str, ...]
    #: The language ecosystem (a key of :data:`dockmod.ecosystems.ECOSYSTEMS`).
    ecosystem: str
    #: The documentation page of its command line.
    source: str
    #: How its words split into options, a subcommand and operands.
    spec: CommandSpec
    #: Actions that download or install (and so may use a cache); ``*``: any action
    #: (Maven goals, Gradle tasks). See :meth:`installs`.
    install_actions: frozenset[str] = frozenset()
    #: Files each action reads without naming them (``""``: any action).
    action_manifests: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    caches: tuple[CacheDir, ...] = ()
    #: Build output directories that are also caches (cargo's ``target/``), relative to the
    #: project: mounted only where the RUN copies what it needs out of them itself.
    build_dirs: tuple[CacheDir, ...] = ()
    #: Options that turn its cache off (each spelling the tool accepts).
    defeating_options: tuple[str, ...] = ()
    #: Variables that turn its cache off when set (to any non-false value).
    defeating_env: tuple[str, ...] = ()
    #: Of those, variables that turn it off whatever their value (pip reads any value of
    #: ``PIP_NO_CACHE_DIR`` as "off", for backwards compatibility); the others only when true.
    defeating_env_any: tuple[str, ...] = ()
    #: Commands that empty its cache, as word prefixes (``("npm", "cache", "clean")``).
    cleaners: tuple[tuple[str, ...], ...] = ()
    #: Of those, the ones that also empty its package index (``apt-get dist-clean``: the
    #: lists), as :meth:`CacheDir.kind` ``index`` says.
    index_cleaners: tuple[tuple[str, ...], ...] = ()
    #: Cleaning commands (word prefixes) a linter wants kept, with its rule (``dnf clean``:
    #: hadolint DL3040): a cache mount cannot be added while they empty it.
    linted_cleaners: tuple[tuple[tuple[str, ...], str], ...] = ()
    #: Actions that refresh its package index (``apt-get update``), and actions that read
    #: the index an earlier refresh stored (``apt-get install``): see ``CacheDir.kind``.
    index_actions: frozenset[str] = frozenset()
    reads_index: frozenset[str] = frozenset()
    #: Where a cache keeps repository metadata the manager reuses until it expires
    #: (:attr:`CacheDir.expiring_metadata`): options that make a call fetch it anew
    #: (``--refresh``), and commands, as word prefixes, that do so for the calls after them
    #: (``dnf clean expire-cache``).
    metadata_refresh: tuple[str, ...] = ()
    metadata_refreshers: tuple[tuple[str, ...], ...] = ()
    #: Small installs (reported only on request): actions whose one operand pinned to an
    #: exact version (``pin``, a regular expression) is one tool (``pip install uv==0.4``),
    #: with the options they need (``npm install -g``) and options that rule it out (``-e``).
    tool_actions: frozenset[str] = frozenset()
    tool_options: tuple[str, ...] = ()
    tool_excludes: tuple[str, ...] = ()
    pin: str = ""
    #: Operand suffixes of built files that such an action installs without a download.
    local_artifacts: tuple[str, ...] = ()
    #: Options that make it read only what is already on disk (``--offline``); a
    #: ``--name=value`` entry matches that value however it is written.
    offline_options: tuple[str, ...] = ()
    #: Options that install into the tool's global prefix instead of the project
    #: (``npm install -g``, ``--location=global``), spelled as ``offline_options`` are.
    global_options: tuple[str, ...] = ()
    #: Variables that do the same, with the value that does it (``("GOPROXY", "off")``);
    #: a value of ``*`` means any value.
    offline_env: tuple[tuple[str, str], ...] = ()
    #: Variables the tool wants set when its cache sits on a mount, with their value
    #: (uv warns "Failed to hardlink" across file systems without ``UV_LINK_MODE=copy``).
    mount_env: tuple[tuple[str, str], ...] = ()
    #: Options that set what a ``mount_env`` variable sets, by variable (``("UV_LINK_MODE",
    #: "--link-mode")``): a call that passes one chose for itself and gets no assignment.
    mount_env_options: tuple[tuple[str, str], ...] = ()
    #: Variables that name a file the install reads, with how: ``requirements`` (read like
    #: a ``-r``/``-c`` file), ``file`` (another input, a configuration file), ``links`` (a
    #: folder of packages, or a URL, which is no file). Several names may be given,
    #: separated by white space. A file they name in the project is an input like a manifest.
    file_env: tuple[tuple[str, str], ...] = ()
    #: Installs OS packages: runs as root, its caches are system directories.
    system: bool = False
    #: Programs that are one variant of the tool (``dnf5``): the caches of that
    #: ``CacheDir.variant`` apply, whatever the image.
    program_variants: Mapping[str, str] = field(default_factory=dict)
    #: Program stems also matched with a version suffix (``pip`` → ``pip3``, ``pip3.12``).
    versioned: tuple[str, ...] = ()
    #: ``python -m <module>`` runs it.
    python_modules: tuple[str, ...] = ()
    #: Build-only packages → the runtime package each implies (None: nothing at run time).
    build_packages: Mapping[str, str | None] = field(default_factory=dict)
    #: Decides the action from the split words; None there means "not a call".
    action_rule: ActionRule | None = field(default=None, compare=False)
    kind_rule: KindRule | None = field(default=None, compare=False)
    manifest_rule: ManifestRule | None = field(default=None, compare=False)
    #: Project configuration it reads from its working directory when present, unnamed.
    project_config: tuple[ConfigFile, ...] = ()
    #: The key path in ``package.json`` of the table naming patch files its install
    #: applies (``("pnpm", "patchedDependencies")``): they are inputs of the install.
    patch_table: tuple[str, ...] = ()
    #: Lock files its calls may rewrite (``npm install``, not ``npm ci``).
    lock_writes: tuple[LockWrite, ...] = ()

    def installs(self, call: PackageManagerCall) -> bool:
        """``call`` downloads or installs (``*`` in ``install_actions``: any action does)."""
        if "*" in self.install_actions:
            return call.action != ""  # `mvn --version`, `./gradlew --help`: no goal, no download
        return call.action in self.install_actions

    def install_kind(self, call: PackageManagerCall) -> InstallKind | None:
        """What ``call`` installs (None: nothing, e.g. ``pip uninstall``)."""
        if self.kind_rule is not None:
            return self.kind_rule(call)
        if not self.installs(call):
            return None
        return InstallKind.PACKAGES if call.operands else InstallKind.DEPENDENCIES

    def project_install(self, call: PackageManagerCall) -> bool:
        """``call`` installs (or builds) the project itself, not only its dependencies."""
        return self.install_kind(call) is InstallKind.PROJECT

    def manifests(self, call: PackageManagerCall) -> tuple[str, ...]:
        """The manifest and lock files ``call`` reads: named by options and implied."""
        if self.manifest_rule is not None:
            return self.manifest_rule(call)
        return tuple(dict.fromkeys((*call.files, *call.manifests)))

    def defeats_cache(self, call: PackageManagerCall) -> tuple[Option, ...]:
        """The options of ``call`` that turn the cache off."""
        return tuple(o for o in call.options if o.name in self.defeating_options)

    def offline(self, call: PackageManagerCall) -> bool:
        """``call`` reads only what an earlier step stored (``cargo build --offline``)."""
        return _any_option(call, self.offline_options)

    def global_install(self, call: PackageManagerCall) -> bool:
        """``call`` installs into the global prefix (``npm install --location=global``)."""
        return _any_option(call, self.global_options)

    def locks_written(self, call: PackageManagerCall, env: Callable[[str], object]) -> tuple[str, ...]:
        """The lock files ``call`` may rewrite where it runs (``env``: its environment)."""
        return tuple(f for w in self.lock_writes if w.written(call, env) for f in w.files)


def _any_option(call: PackageManagerCall, spellings: tuple[str, ...]) -> bool:
    """An option of ``call`` is one of ``spellings``: a name as written (``-g``), or
    ``name=value`` (``--location=global``, also written ``--location global``)."""
    return bool(spellings) and any(
        o.name in spellings or f"{o.name}={o.value}" in spellings for o in call.options)


@dataclass(frozen=True, slots=True)
class CacheSetting:
    """A command that moves a cache through the tool's config (``pnpm config set store-dir X``)."""

    manager: Manager
    cache: CacheDir
    #: The directory as the word gives it (quotes removed; may hold ``$VAR`` when not static).
    value: str
    #: The value word has no expansion.
    static: bool
    command: SimpleCommand


@dataclass(frozen=True, slots=True)
class Ecosystem:
    """A language ecosystem: its managers and the files that describe a project."""

    name: str
    title: str
    managers: tuple[Manager, ...]
    #: Files that mark a project of this ecosystem (manifests and lock files; globs allowed).
    manifests: tuple[str, ...]
    source: str
