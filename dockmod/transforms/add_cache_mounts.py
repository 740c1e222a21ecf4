"""Add ``RUN --mount=type=cache`` for the package managers a ``RUN`` calls.

## What it does
Finds shell-form and heredoc ``RUN`` instructions that call a package manager or build
tool (pip, uv, poetry, pipenv, npm, yarn, pnpm, go, cargo, bundler, composer, Maven,
Gradle, apt-get/apt, apk, dnf, yum) and adds one ``--mount=type=cache,target=<dir>`` per
cache directory the tool uses, for the user and environment in effect at that ``RUN``:

* Where each manager keeps its caches, what moves them (``PIP_CACHE_DIR``, ``--cache-dir``,
  ``npm config set cache`` …), defeats or empties them is the package-manager table
  (``dockmod.ecosystems.MANAGERS``); the user, ``HOME``, ``ENV`` and stage graph at the
  ``RUN`` come from the semantic model (``dockmod.semantic.caches`` joins the two), as
  changed for each call by its script: ``PIP_CACHE_DIR=/tmp/pip pip …``, ``env HOME=… pip``,
  ``export npm_config_cache=…`` before it (a value set in an ``if``, a loop, or not literal:
  no fix, never the default directory). ``source``, ``.`` or ``eval`` before the call may
  set any variable (no fix, naming it), except ``. <dir>/bin/activate`` of a virtual
  environment the same ``RUN`` created (``python3 -m venv``, ``virtualenv``, ``uv venv``),
  which sets only ``VIRTUAL_ENV``, ``PATH`` and ``PS1``.
* For a non-root user the mount gets ``uid=`` (and ``gid=`` when ``USER`` names a
  numeric group): a cache mount is owned by root with mode 0755 unless told otherwise, so
  the tool could not write to it. BuildKit only accepts numeric ids, so a named user must
  resolve to a uid (``useradd``/``adduser`` earlier, or the image table, as a later
  ``usermod -u`` leaves it: ``usermod -u 1001 node``); otherwise (``usermod -u $UID``)
  the finding has no fix.
* ``sharing=locked`` where the tool cannot share its cache with a concurrent build:
  apt, apk, dnf, yum and Maven.
* What would defeat the cache goes in the same fix: ``pip --no-cache-dir``,
  ``uv``/``poetry --no-cache``, ``PIP_NO_CACHE_DIR=…``/``UV_NO_CACHE=…`` before the command,
  ``apk --no-cache``, and cleaning commands whose only effect is to empty a mounted
  directory (``apt-get clean``, ``apt-get dist-clean`` (Debian 13's apt: ``clean`` and the
  lists), ``rm -rf /var/lib/apt/lists/*``, ``npm cache clean``,
  ``yarn cache clean``, ``pip cache purge``, ``composer clear-cache``,
  an ``rm`` whose every operand lies inside a mounted directory, ``~`` and ``$HOME`` read
  as the ``HOME`` in effect).
* A comment line of the ``RUN``'s continuations that such a removal takes with it (the
  line above ``&& rm -rf /var/lib/apt/lists/*``) moves directly above the ``RUN``, as
  written and at the ``RUN``'s indentation, so it stays with its instruction. A cleaning
  command that shares its line with a command that stays (``&& apt-get clean && rm -rf
  /tmp/x``) goes with the operator after it instead, and the comment line above stays
  where it is. So does a comment line among the words of the command before, above the
  ``;`` that ends it (a commented-out package in an ``apt-get install`` list, then ``;``
  and ``rm -rf /var/lib/apt/lists/*``): the cut starts after that ``;``, and the list
  ends with it. (Before ``&& rm …`` such a line still moves: an ``&&`` cannot end the
  list.) In a heredoc body a comment line the removal would take blocks the fix, and so
  does a line that a tool reads above an instruction (``# hadolint ignore=…``,
  ``# dockmod: ignore=…``): above the ``RUN`` it would take effect.
* apt: besides the two mounts, Debian's and Ubuntu's images delete every downloaded
  ``.deb`` through ``/etc/apt/apt.conf.d/docker-clean``. Once per stage (unless the stage
  or a stage it builds on already does it), a ``RUN`` is inserted before the first apt
  ``RUN``, exactly as Docker's documentation shows::

      RUN rm -f /etc/apt/apt.conf.d/docker-clean; echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache

  It is an instruction of its own rather than a prefix of the apt ``RUN`` because it is
  configuration, done once per stage (a prefix would have to be repeated, or skipped, in
  every later apt ``RUN``), and its layer stays cached when the apt ``RUN`` changes.
* cargo's ``target/`` (after ``cd``, ``--target-dir`` or ``CARGO_TARGET_DIR``) is mounted
  too when the same ``RUN`` copies the artifact out of it and no later instruction names
  it or copies from it: the build cache stays out of the image, the binary does not.
* Go's module cache is not mounted for a call that reads the vendor folder in its place
  (``go build -mod=vendor``, ``-mod vendor``, ``go test``/``go install``… too, or
  ``GOFLAGS=-mod=vendor`` where it runs: the cache row's ``bypass_options``/``bypass_env``):
  "build commands like go build and go test load packages from the vendor directory instead
  of accessing the network or the local module cache" (https://go.dev/ref/mod#vendoring).
  Its build cache is mounted as for any build.
* Mounts already on the ``RUN`` are kept. A target that is already mounted (or lies
  inside a mounted directory) is never added again, nor one that holds a cache mount the
  user chose (``/go/pkg/mod/cache`` only: never ``/go/pkg/mod`` nested over it); an
  existing cache mount of that exact target gets the ``sharing=locked`` and ``uid=`` it lacks.
  When another ``RUN`` of the file mounts the same target with an ``id=`` (or ``sharing=``),
  the new mount uses the same ``id`` (and ``sharing``, unless the tool needs ``locked``), so
  one directory does not get two caches.
* Two or more new mounts on a ``RUN`` that had no flag go on continuation lines of their
  own, whether one finding or several (one per manager) add them; on a ``RUN`` with flags
  they follow the last flag's separator.
* New ``--mount`` lines are indented as the ``RUN``'s own first continuation line, unless
  that line is deeper than where the command starts (the body of an ``if`` block, an
  argument list): then as the file's other ``RUN``s (4 spaces when none tells).

Left alone: exec-form ``RUN`` (no shell parses it), ``ONBUILD``, files with
``# escape=``` and stages whose ``SHELL`` is not a POSIX shell or whose image is a
Windows image. In a heredoc ``RUN`` the body is read as the script (unless a ``#!``
line names another interpreter); the mounts go on the ``RUN`` line.

## Why
Without a cache mount every change to a ``RUN``'s layer downloads every package again,
and the tool's cache either bloats the layer or is turned off (``--no-cache-dir``). A
cache mount keeps the downloads on the build host, out of the image, across builds.

The fix needs ``docker/dockerfile:1.2`` (BuildKit's built-in frontend has it): the engine
raises a ``# syntax`` directive pinned lower, and adds one only with ``syntax-directive``.

## Fix safety
Each package manager of a ``RUN`` is a finding of its own (its mounts and the removal of
what defeats its cache), and so is the ``docker-clean`` ``RUN``: a safe pip mount is
applied by the default run even when the apt part of the same ``RUN`` is unsafe.

A cache mount changes the image by design: the mounted directory's content is no longer
in the layer, and the ``RUN`` starts from what earlier builds left there instead of from
what the image holds at that path. So the fix is:

* Safe when the directory is a pure cache, one the tool refills on demand and nothing
  else reads: pip's, uv's, poetry's ``cache``/``artifacts``, pipenv's, npm's, yarn's,
  pnpm's store (pnpm copies out of a store on another file system; a later ``pnpm install
  --offline`` reads it, which makes it unsafe), Go's build cache,
  bundler's gem cache, composer's cache, apt's package cache, and dnf's and yum's
  caches when each of their calls refreshes the repository metadata (see below). Dropping ``--no-cache-dir`` and the cleaning commands is part of the same
  argument: with the mount, what they would have removed never reaches the layer. A
  directory the tool turns out not to use only gains an empty mount point. Hiding a pure
  cache that an earlier ``RUN`` filled costs a download, not correctness.
* Unsafe when the directory is a *store* that steps read as data: Go's module
  cache (``GOMODCACHE``), cargo's ``registry`` and ``git/db``, Maven's local repository
  and Gradle's ``caches``/``wrapper``, **if** a later ``RUN`` in the stage (or in a stage
  built on it) does not mount it too and runs something other than plain file commands
  (``make`` may call ``go build`` and would find the modules gone), or ``CMD``/
  ``ENTRYPOINT`` runs that tool; or **if** an earlier ``RUN`` (in the stage or a stage it
  builds on) may have filled it: the same tool without the mount (or with a mount whose
  own fix is unsafe, or has no fix, so that the default run leaves it unmounted), or a
  command dockmod cannot see into (``make``, a script). The mount would hide those files.
* Unsafe when the call only reads what is stored (``cargo --offline``/``--frozen``,
  ``mvn -o``, ``npm``/``yarn``/``pnpm``/``gradle``/``uv --offline``, ``pip --no-index``,
  ``GOPROXY=off``, ``npm_config_offline=true``, ``PIP_NO_INDEX=1``,
  set by ``ENV`` or written before the command: ``GOPROXY=off go build``, which also
  overrides an ``ENV`` value): an empty or evicted mount breaks it. Likewise ``apt-get install``
  without ``apt-get update`` in the same ``RUN`` reads the lists an earlier ``RUN`` stored,
  and that earlier ``RUN``'s list mount is unsafe while a later one reads them.
* Unsafe for a store (the directories above) in a stage that can be shipped (see below;
  a stage that another is built ``FROM`` counts too) when neither it nor a stage of its
  ``FROM`` chain sets ``CMD`` or ``ENTRYPOINT``: it runs its base image's default (``golang``'s
  ``bash``), so it may be a toolbox run as ``docker run <image> go test``, which would find
  the store empty.
* apt's lists (``/var/lib/apt/lists``) in a stage that can be shipped, unless the same
  ``RUN`` removes them (``rm -rf /var/lib/apt/lists/*``, ``apt-get dist-clean``, which the
  fix then drops): the image would lose them, and a later ``apt-get install`` without
  ``apt-get update`` (in a child image or a container) fails. The lists mount is then a
  finding of its own (unsafe), so that the package cache mount (``/var/cache/apt``) stays
  a safe one where it keeps something: ``docker-clean`` deletes every ``.deb`` and
  ``*.bin`` in it after each install, so unless a ``RUN`` before disables it (or this
  ``RUN``'s ``docker-clean`` fix is safe) the cache mount alone would do nothing, and it
  stays in the unsafe fix with the lists mount.
* dnf/yum (``/var/cache/dnf``, ``/var/cache/libdnf5``, ``/var/cache/yum``): unsafe unless
  each call refreshes the repository metadata itself (``--refresh``,
  ``--setopt=metadata_expire=0``, or ``dnf clean expire-cache`` before it; ``dnf makecache``
  alone keeps metadata that has not expired). They keep no downloaded package by default
  (``keepcache=0``), so the mount holds mostly metadata, which they reuse without asking
  the mirror until ``metadata_expire`` (dnf.conf(5): 48 hours; yum 3: 6 hours): a cached
  copy can name packages a repository has since dropped, and the install fails.
* Unsafe when the directory comes from the command line (``--cache-dir``, ``--cache``,
  ``--store-dir``, ``-Dmaven.repo.local=``) or from ``pnpm config set store-dir``,
  ``npm config set cache``, ``yarn config set cache-folder``: the author chose it and may
  use it; when the ``RUN`` itself, an earlier ``COPY``/``ADD``/``RUN`` or a later
  ``COPY --from`` or ``RUN --mount=from=`` names a path inside the directory; for apk
  (apk-tools versions differ in when they keep packages); when the image's user, ``HOME`` and cache settings are not
  known (an image that is neither a Docker Hub official image nor in the table: it may
  set ``HOME`` or ``PIP_NO_CACHE_DIR``, as ``rayproject/ray`` and ``composer`` do).
* Unsafe for a mount with ``uid=`` when nothing before the ``RUN`` is known to create the
  user's ``HOME`` (for a target inside it; else the target's parent): BuildKit creates
  missing directories above a mount target owned by root, so the user could not write to
  its own ``HOME`` (``useradd`` without ``-m``, an ``ENV HOME`` nothing made,
  ``nobody``'s ``/nonexistent``). Known to exist: a home ``useradd -m``/``adduser``
  created or the base image has, a ``WORKDIR``, ``COPY`` or ``mkdir`` at or under it.
* Unsafe when the same ``RUN`` archives or copies the new mount's directory or one above
  it (``tar czf home.tgz /root``, ``cp -r /root/.cache …``, ``rsync -a /root/ …``,
  ``zip -r``): the copy would hold the cache (with what earlier builds left in it)
  instead of the image's files.
* Unsafe when a configuration file that can move the cache (``pip.conf``/``pip.ini``
  ``cache-dir``, ``.npmrc`` ``cache``/``store-dir``, ``.yarnrc`` ``cache-folder``,
  composer's ``config.json``, ``uv.toml``, ``poetry.toml``: ``CACHE_CONFIGS``) is written
  by a ``RUN`` or copied into the image before the call, or a variable names one
  (``PIP_CONFIG_FILE``, ``NPM_CONFIG_USERCONFIG`` other than ``/dev/null``): the mount
  may not be where the cache is. A copied file the build context shows without that
  setting does not count.
* Unsafe when the mount's ``uid`` or directory is only right for an ``ARG``'s default:
  ``USER ${UID}`` with ``ARG UID=1000`` (``--build-arg UID=…`` runs the tool as another
  user, who cannot write to a mount owned by 1000, and has another ``HOME``), or
  ``ARG PIP_CACHE_DIR=…`` / an ``ENV`` that expands an ARG (another value moves the cache
  out of the mount, into the layer, once ``--no-cache-dir`` is gone).
* Unsafe when a cache mount of the file on the new mount's directory, or on another
  directory of the same manager that the ``RUN`` uses, has an ``id`` that reads a variable
  (``id=apt-cache-$TARGETARCH``: one cache per platform) and the new mount gets no ``id``:
  it would have one cache for every platform, which builds for different platforms wait
  on (``sharing=locked``) or share. Such an ``id`` is not copied: its variable may not be
  declared where the new mount goes.
* The ``docker-clean`` ``RUN`` is unsafe in a stage that can be shipped (it changes
  ``/etc/apt`` there: later ``apt-get install`` runs in containers or child images keep
  their ``.deb`` files), and when the apt mounts it serves are unsafe. A stage can be
  shipped when ``--target`` can build it and it ends up in an image: every stage no other
  stage uses (by ``FROM``, ``COPY --from`` or ``--mount=from``), every earlier stage that a
  variable ``FROM ${BASE}`` may name, and every stage those are built ``FROM``. The
  ``targets`` option narrows this. It is inserted before the comment lines directly above
  the stage's first apt ``RUN`` (never directly after a heredoc body: hadolint cannot parse
  that), between ``USER root`` and ``USER <previous>`` when the stage runs as another user.
* No fix for ``yarn`` unless it is known to be Yarn classic (the official ``node`` images'
  1.22, ``npm install -g yarn``, ``apt-get``/``apk`` ``install yarn``): Yarn 2+ (berry)
  keeps its cache in the project's ``.yarn/cache`` or its global folder, never in
  classic's directory, so the mount would serve nothing. ``corepack enable``/``prepare``, ``yarn set version``, a
  ``COPY`` of ``.yarnrc.yml`` or ``.yarn/``, a ``.yarnrc.yml`` in the build context, or
  package.json's ``packageManager: yarn@2+`` tell berry; an image not in the table leaves
  the version unknown.
* No fix for Bundler when it installs into a path of its own (``BUNDLE_PATH``,
  ``BUNDLE_DEPLOYMENT``, ``bundle config set path``/``deployment``, ``--path``,
  ``--deployment``, a copied ``.bundle/config``): the gems and their downloads go to
  ``vendor/bundle`` (``<path>/ruby/<abi>/cache``), not to the mounted gem cache.
* No fix (reported only) when the user's uid or ``HOME`` is unknown (a ``RUN`` that already
  mounts every directory its calls use is not reported then: a missing ``uid=`` can only
  be told with a known uid), a directory depends
  on a variable dockmod cannot resolve, the ``RUN`` runs ``dnf clean``/``yum clean``
  (it would empty the mount, and hadolint's DL3040/DL3032 want it kept),
  ``ENV PIP_NO_CACHE_DIR``/``UV_NO_CACHE`` turns the cache off for the stage, a package
  manager runs under ``sudo``, a cleaning command cannot be removed without changing the
  rest of the script (or its comment lines, as above), or a command of the ``RUN`` removes
  or moves a new mount's directory or one above it (``rm -rf /var/cache/*``, ``rm -rf
  ~/.cache``, ``rm -rf "$DIR"`` with ``DIR`` not known, ``mv``, a ``find`` that deletes
  directories): a mount point cannot be removed, so the ``RUN`` would empty the cache and
  fail (device or resource busy); or one runs ``mkdir`` without ``-p`` of a new mount's
  directory or one above it (BuildKit creates them before the ``RUN`` starts: file exists),
  or of one inside it (a later build's cache holds it).

The apt mounts are ``/var/cache/apt`` and ``/var/lib/apt/lists``. Docker's example
mounts all of ``/var/lib/apt``, but that also captures ``/var/lib/apt/extended_states``
(which packages were installed automatically), so the image would lose that record.
yum on EL8 and later is dnf (``/var/cache/dnf``); dnf5 (Fedora 41 and later, or called as
``dnf5``) keeps packages in ``/var/cache/libdnf5``; both are mounted when neither the
program nor the image's tag tells. uv installs from a mounted cache get ``UV_LINK_MODE=copy`` (uv cannot
hard-link across file systems and warns without it).

## Off by default
Findings that gain little are not reported unless asked for:

* apk (``package-managers`` must name it): without ``/etc/apk/cache`` the mount only
  caches the index, and a cached index can name versions the mirror has dropped.
* A ``RUN`` whose call installs only local ``.whl`` files (built earlier), or one
  tool pinned to an exact version (``pip install uv==0.4.18``, ``npm install -g pnpm@9``,
  ``go install x@v1.2.3``): one download that repeats only when the pin changes. Option
  ``small-installs = true`` reports them.
* ``--version``/``--help`` calls.

## Options
``package-managers``: the names to handle (listed in the option's help); default all but
``apk``.
``apt-docker-clean``: insert the ``RUN`` that disables ``docker-clean`` (default true).
``targets``: the stages you build with ``--target`` (names or indexes); default every
stage that can be.
``small-installs``: also report local-wheel and single-pinned-tool installs (default false).
``context``: the build context folder, relative to the Dockerfile's (default: its folder),
read for ``.yarnrc.yml``, package.json's ``packageManager`` and the configuration files
the Dockerfile copies (``.npmrc``, ``pip.conf`` …).
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dockmod._parse import parse_instruction
from dockmod.cst import Dockerfile, EmptyLine, Flag, Instruction, Run, ShellCommand, Stage, Style
from dockmod.cst import mounts
from dockmod.ecosystems import Manager, PackageManagerCall
from dockmod.ecosystems import calls as pm_calls
from dockmod.ecosystems.images import is_windows_image
from dockmod.ecosystems.cache_use import CacheBlocked, CacheTarget, remove_run_defeaters, small_install
from dockmod.semantic import Scope, model_for
from dockmod.semantic import caches
from dockmod.semantic.runs import may_call_any, shell_script
from dockmod.transforms._base import Example, FixSafety, Option, Transform, TransformMeta
from dockmod.transforms._context import CONTEXT_OPTION, open_build_context

if TYPE_CHECKING:
    from dockmod.buildcontext import BuildContext
    from dockmod.shell.parse import ShellScript

DOCKER_CLEAN = ("rm -f /etc/apt/apt.conf.d/docker-clean; echo 'Binary::apt::APT::Keep-Downloaded-Packages "
                "\"true\";' > /etc/apt/apt.conf.d/keep-cache")
APT = frozenset({Manager.APT_GET, Manager.APT})
#: apt's package cache: what ``docker-clean`` empties after each install.
APT_CACHE = "/var/cache/apt"
# Option names → managers. apt covers apt-get and apt.
_NAMES: dict[str, tuple[Manager, ...]] = {
    n: (Manager.APT_GET, Manager.APT) if n == "apt" else (Manager(n),) for n in (
        "pip uv poetry pipenv npm yarn pnpm go cargo bundler composer maven gradle apt apk dnf yum dotnet").split()}
# apk is opt-in: its cache only holds the index unless /etc/apk/cache exists (see "Off by default").
_DEFAULT_NAMES = [n for n in _NAMES if n != "apk"]


class _AlreadyMounted(CacheBlocked):
    """The uid is not known, but every directory the calls use is mounted already: nothing
    to report (the message is the uid's reason, for callers that only know CacheBlocked)."""


@dataclass
class _Plan:
    """What the fix of one manager's calls in one RUN does, and how far it may be trusted."""

    calls: list[PackageManagerCall]
    mounts: list[CacheTarget] = field(default_factory=list)
    uid: int | None = None
    gid: int | None = None
    unsafe: list[str] = field(default_factory=list)
    #: The row's ``mount_env`` (``UV_LINK_MODE=copy``) that the scope does not set already.
    mount_env: tuple[tuple[str, str], ...] = ()
    #: Mounts unsafe on their own (an index in a stage that can be shipped): path → reason.
    held: dict[str, str] = field(default_factory=dict)


class AddCacheMounts(Transform):
    meta = TransformMeta(
        code="DM202",
        name="add-cache-mounts",
        summary="{tools} {problem}{note}",
        fix_title="{title}",
        safety=FixSafety.SAFE,
        safety_varies="unsafe when a mount changes what a stage that can be shipped keeps",
        min_syntax=(1, 2),
        reference="Docker docs: Optimize cache usage in builds (cache mounts)",
        options=(
            Option("package-managers", list, default=list(_DEFAULT_NAMES),
                   help="Package managers to handle: " + ", ".join(_NAMES) + " (apk is opt-in)"),
            Option("apt-docker-clean", bool, default=True,
                   help="Insert the RUN that disables Debian's docker-clean before the first apt RUN of a stage"),
            Option("targets", list, default=[],
                   help="Stages you build with --target (names or indexes); default: every stage that can be",
                   item=(str, int)),
            Option("small-installs", bool, default=False,
                   help="Also report RUNs that only install local wheels or one pinned tool"),
            CONTEXT_OPTION,
        ),  # fmt: skip
        examples=(
            Example(before="FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt\n",
                    after="FROM python:3.12-slim\n"
                          "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"),
            Example(before="FROM python:3.12-slim\nUSER app\nRUN pip install flask\n"),
            Example(before='FROM golang:1.22\nRUN ["go", "build", "."]\n'),
        ),
    )

    def transform(self, df: Dockerfile) -> Dockerfile:
        if df.escape != "\\":
            return df
        self._managers = _managers(tuple(map(str, self.option("package-managers"))))
        # Each RUN's text is read once: the RUNs found here are the ones the loop below parses.
        candidates = {id(ins) for stage in df.stages for ins in stage.instructions
                      if isinstance(ins, Run) and self._candidate(ins)}
        if not candidates:
            return df  # no RUN to read: the model is not asked for
        self._df = df
        targets = [str(x) for x in self.option("targets")]
        model = self._model = model_for(df, targets) if targets else self.context.model
        self._risks = caches.MountRisks.of_model(model, self._managers)
        self._cont: str | None = None
        self._run_cont: str | None = None
        self._names: dict[str, tuple[str | None, str | None]] | None = None
        self._variable_ids: dict[str, str] | None = None
        self._context: BuildContext | bool | None = None
        self._read: dict[str, bytes | None] = {}
        #: Stages whose docker-clean RUN was considered, and where this pass inserted it.
        self._clean_tried: set[int] = set()
        self._cleaned: set[int] = set()
        #: The fixes decided so far, for the RUNs after them (see caches.filled_before).
        self._decided: caches.Decided = {}
        # Replacements are built only when they can be used: by a fix, or to key a proposal.
        ctx = self.context
        self._edit = ctx.fix or ctx.track_keys or bool(ctx.rejected)
        replaced: dict[int, tuple[Instruction, ...]] = {}
        previous: Instruction | None = None
        for stage, info in zip(df.stages, model.stages):
            windows = is_windows_image(info.image_text or "")
            for ins in stage.instructions:
                # A RUN that names none of the managers is not parsed at all.
                if not windows and id(ins) in candidates:
                    scope = model.scope_at(ins)
                    out = self._run(stage, ins, scope, previous) if scope.posix_shell else None
                    if out is not None:
                        replaced[id(ins)] = out
                previous = ins
        if not replaced:
            return df
        return df.with_changes(body=tuple(x for ins in df.body for x in replaced.get(id(ins), (ins,))))

    def _candidate(self, ins: Instruction) -> bool:
        """A shell-form RUN whose text may call one of the managers (read before parsing)."""
        return isinstance(ins, Run) and isinstance(ins.command, ShellCommand) \
            and may_call_any(ins, self._managers) and caches.may_run_any(ins, self._managers)

    @functools.cached_property
    def _style(self) -> Style:
        return self.context.style  # detected on every access: read once per pass

    # -- one RUN ---------------------------------------------------------------------------
    def _run(self, stage: Stage, run: Run, scope: Scope,
             previous: Instruction | None) -> tuple[Instruction, ...] | None:
        self._uses_memo: dict[tuple[int, int], tuple[Run, list[PackageManagerCall], tuple]] = {}
        script = shell_script(run)
        if script is None or script.has_error:
            return None
        small = self.option("small-installs")
        calls = [c for c in pm_calls(script) if c.manager in self._managers and c.kind is not None
                 and (small or not small_install(c))]
        if not calls:
            return None
        groups: dict[str, list[PackageManagerCall]] = {}
        for c in calls:
            groups.setdefault("apt" if c.manager in APT else c.manager.value, []).append(c)
        current = run
        apt_fix: FixSafety | None = None
        apt_blocked = False
        for key, group in groups.items():
            plan = _Plan(group)
            try:
                fixed = self._fix(stage, run, current, scope, plan)
                parts: list[tuple[Run | None, _Plan]] = [(fixed, plan)]
                if fixed is not None and plan.held and set(plan.unsafe) == set(plan.held.values()) and any(
                        m.path not in plan.held for m in plan.mounts):
                    # Only a mount unsafe on its own (apt's lists in a stage that can be
                    # shipped) makes the fix unsafe: the others are a safe finding of their own.
                    safe = _Plan(group)
                    fixed = self._fix(stage, run, current, scope, safe, held=False)
                    parts = [(fixed, safe)]
                    if fixed is not None and not safe.unsafe:
                        parts.append((None, _Plan(group)))
                    else:
                        parts = [(self._fix(stage, run, current, scope, plan), plan)]
            except (CacheBlocked, mounts.MountError) as e:
                if isinstance(e, _AlreadyMounted):
                    continue
                self.report(run, tools=_tools(group), problem="without a cache mount", note=f"; no fix: {e}",
                            title="Add cache mounts for the package caches", no_fix_reason=str(e))
                apt_blocked |= key == "apt"
                continue
            for n, (fixed, plan) in enumerate(parts):
                if n:
                    # The held mounts, on the RUN as the safe part leaves it.
                    try:
                        fixed = self._fix(stage, run, current, scope, plan, held=True)
                    except (CacheBlocked, mounts.MountError):
                        fixed = None
                if fixed is None:
                    continue
                targets = ", ".join(f"`{m.path}`" for m in plan.mounts) or "the existing mounts"
                safety = FixSafety.UNSAFE if plan.unsafe else FixSafety.SAFE
                note = f"; unsafe: {'; '.join(dict.fromkeys(plan.unsafe))}" if plan.unsafe else ""
                if key == "apt" and not n:
                    apt_fix = safety
                lists = plan.mounts and all(m.path in plan.held for m in plan.mounts)
                out = self.propose(run, fixed, updated=current, safety=safety, tools=_tools(group),
                                   problem="without a package-list mount" if lists else "without a cache mount",
                                   note=note, title=f"Add cache mounts for {targets}")
                if out is fixed:
                    current = fixed
        if "apt" in groups and not apt_blocked:
            clean = self._docker_clean(stage, run, current, scope, apt_fix, groups["apt"], previous)
            if clean is not None:
                return clean
        return (current,) if current is not run else None

    def _fix(self, stage: Stage, original: Run, run: Run, scope: Scope, plan: _Plan,
             held: bool | None = None) -> Run | None:
        """``run`` (``original`` with the fixes of other managers) with ``plan``'s mounts and
        removals, or None when there is nothing to do. ``held``: only the mounts unsafe on
        their own (True), only the others (False), or all (None)."""
        calls = plan.calls
        script = shell_script(run)
        assert script is not None
        own = shell_script(original) or script
        plan.uid, plan.gid, found, plan.held = self._uses(original, run, script, scope, calls)
        plan.mounts = list(found)
        if held is not None:
            plan.mounts = [m for m in plan.mounts if (m.path in plan.held) is held]
        plan.mount_env = tuple(dict.fromkeys((k, v) for c in calls for k, v in c.info.mount_env
                                             if scope.run_get(k) is None))
        siblings = plan.mounts
        new_flags, edited = self._merge(run, plan)
        command, heredocs, removed, removers, moved = remove_run_defeaters(
            run, calls, plan.mount_env, [m.path for m in plan.mounts], caches.removal_home(script, scope))
        if not new_flags and not edited and not removed:
            return None
        fixed = run.with_changes(command=command, heredocs=heredocs) if removed else run
        # The edits only drop words and commands: a script with no remover keeps none, and
        # one whose removers the edits dropped (``removers``) has none left (then the edited
        # script, which nothing else may read in a check, is not parsed).
        targets = [m.path for m in plan.mounts]
        if not removed:
            busy = caches.removes_mount_point(script, targets, scope)
        elif removers:
            busy = caches.removes_mount_point_after(script, lambda: shell_script(fixed) or script, targets, scope)
        else:
            busy = None
        busy = busy or caches.creates_mount_point(script, targets, scope)
        if busy is not None:
            raise CacheBlocked(busy)
        plan.unsafe = self._risks.of(original, script, plan.mounts, calls, scope, edited=fixed if removed else None,
                                     decided=self._decided)
        plan.unsafe += [plan.held[m.path] for m in plan.mounts if m.path in plan.held]
        plan.unsafe += caches.arg_risks(scope, own, plan.mounts, calls, plan.uid)
        plan.unsafe += caches.missing_parents(self._model, original, scope, plan.mounts, plan.uid)
        plan.unsafe += caches.copies_mount(own, [m.path for m in plan.mounts], scope)
        plan.unsafe += self._id_scheme_risks(plan, siblings)
        plan.unsafe += self._emptied_by_docker_clean(stage, original, scope, plan)
        if any(m.how == "default" and not m.system for m in plan.mounts):
            plan.unsafe += caches.config_file_risks(self._model, original, calls, scope, self._context_file)
        if held is not True:
            decided = self._decided.setdefault(id(original), {})
            for c in calls:
                paths, safe = decided.get(c.manager, (frozenset(), True))
                decided[c.manager] = (paths | {m.path for m in plan.mounts}, safe and not plan.unsafe)
        if not self._edit:
            return fixed
        if moved:
            # Comment lines the edits took out of the continuations go directly above the
            # RUN, which owns them there (dockmod.cst.trivia), at its indentation (spaces
            # and tabs: an indentation that holds a continuation or other blanks is not
            # copied onto a line of its own).
            indent = "" if run.indent.strip(" \t") else run.indent
            fixed = fixed.with_changes(leading_lines=(*fixed.leading_lines,
                                                      *(EmptyLine(indent + line) for line in moved)))
        n = len(original.flags)
        if new_flags and len(run.flags) > n:
            # The mounts an earlier finding of this RUN added (another manager's, or the safe
            # part before the held mounts) join the new ones, laid out as one fix would: on
            # continuation lines of their own once there are two, never run together.
            new_flags = [edited.get(i, f).raw for i, f in enumerate(run.flags) if i >= n] + new_flags
            return fixed.with_changes(flags=mounts.join_flags(
                run.flags[:n], new_flags, {i: f for i, f in edited.items() if i < n}, self._continuation(original)))
        return fixed.with_changes(flags=mounts.join_flags(run.flags, new_flags, edited, self._continuation(run)))

    def _uses(self, original: Run, run: Run, script: ShellScript, scope: Scope, calls: list[PackageManagerCall],
              ) -> tuple[int | None, int | None, tuple[CacheTarget, ...], dict[str, str]]:
        """The mount owner (uid, gid), every directory ``calls`` of ``run`` (``original`` as
        the fixes so far leave it) would mount, and those held (see :meth:`MountRisks.
        shipped_index`); raises CacheBlocked. Kept for the RUN being read: a group whose
        fix is split (held mounts apart) asks again with the same ``run`` and ``calls``,
        and none of this depends on which mounts the fix keeps."""
        key = (id(run), id(calls))
        hit = self._uses_memo.get(key)
        if hit is not None and hit[0] is run and hit[1] is calls:
            return hit[2]
        for c in calls:
            why = caches.blocked(self._model, original, c, scope, self._context_file)
            if why is not None:
                raise CacheBlocked(why)
        try:
            uid, gid = caches.mount_owner(scope, calls)
        except CacheBlocked as e:
            if self._all_mounted(original, run, script, calls, scope):
                raise _AlreadyMounted(str(e)) from None
            raise
        found = caches.cache_uses(self._model, original, script, calls, scope, root=uid is None)
        # A build directory (cargo's target/) only where its own mount is safe.
        found += [b for b in caches.build_uses(script, calls, scope)
                  if not self._risks.of(original, script, [b], (), scope)]
        out = (uid, gid, tuple(found), self._risks.shipped_index(original, script, found, calls))
        # The RUN and calls are kept with the answer: their ids cannot be reused meanwhile.
        self._uses_memo[key] = (run, calls, out)
        return out

    def _all_mounted(self, original: Run, run: Run, script: ShellScript, calls: list[PackageManagerCall],
                     scope: Scope) -> bool:
        """Every directory ``calls`` use (as a user other than root) is already mounted on
        ``run``: with the uid not known, nothing can be added (a missing ``uid=`` can only be
        told with a known uid), so there is nothing to report."""
        try:
            found = caches.cache_uses(self._model, original, script, calls, scope, root=False)
        except CacheBlocked:
            return False
        wanted = [mounts.CacheMount(m.path) for m in found]
        return bool(wanted) and not mounts.merge_cache_mounts(run.flags, wanted)[2]

    def _emptied_by_docker_clean(self, stage: Stage, run: Run, scope: Scope, plan: _Plan) -> list[str]:
        """Why the mounts of ``plan`` that are safe on their own keep nothing: they are only
        apt's package cache, which ``docker-clean`` empties after each install, and nothing
        before ``run`` disables it (in the file or by this pass), nor can a safe fix of this
        ``RUN`` (the ``docker-clean`` one is not offered here, or is unsafe). A safe fix
        that does nothing is not offered: the mount goes with the unsafe ones."""
        own = [m for m in plan.mounts if m.path not in plan.held]
        if set(plan.unsafe) - set(plan.held.values()):
            return []  # unsafe already, for a reason of its own
        if not own or any(m.manager not in APT or m.path != APT_CACHE for m in own):
            return []
        model = self._model
        if any(i in self._cleaned for i in model.chain(stage.index)) or caches.docker_clean_disabled_before(
                model, run):
            return []
        offered = (self.option("apt-docker-clean") and stage.index not in self._clean_tried
                   and not caches.docker_clean_disabled(model, stage.index, run))
        if offered and not caches.etc_apt_risks(model, stage.index, scope, plan.calls):
            return []  # the docker-clean fix of this RUN is safe: both are applied
        until = "its unsafe fix disables it" if offered else "it is disabled"
        return [f"`docker-clean` deletes what `{APT_CACHE}` holds after each install: the mount keeps nothing "
                f"until {until}"]

    def _docker_clean(self, stage: Stage, run: Run, current: Run, scope: Scope, apt_fix: FixSafety | None,
                      calls: list[PackageManagerCall], previous: Instruction | None) -> tuple[Instruction, ...] | None:
        """The finding (and fix) that disables ``docker-clean`` before the stage's first apt RUN."""
        model = self._model
        if (not self.option("apt-docker-clean") or stage.index in self._clean_tried
                or any(i in self._cleaned for i in model.chain(stage.index))
                or caches.docker_clean_disabled(model, stage.index, run)):
            return None
        mounted = any(f.mount is not None and f.mount.type == "cache" and f.mount.target is not None
                      and posixpath.normpath(f.mount.target) == "/var/cache/apt" for f in current.flags)
        if apt_fix is None and not mounted:
            return None
        # Only before the stage's first apt RUN (whether or not this run applies it).
        self._clean_tried.add(stage.index)
        unsafe = ["the apt cache mounts are unsafe"] if apt_fix is FixSafety.UNSAFE else []
        unsafe += caches.etc_apt_risks(model, stage.index, scope, calls)
        u = scope.user
        user = model.user_as_written(stage.index) if u.uid != 0 and not u.inherited else None
        replacement: tuple[Instruction, ...] = (current,)
        if self._edit:
            style = self._style
            # (``current``'s: a fix may have moved comment lines above the RUN)
            keep_lines, own_lines = mounts.split_leading(current.leading_lines)
            if not keep_lines and previous is not None and previous.heredocs:
                keep_lines = (EmptyLine(),)
            text = [f"{style.keyword('RUN')} {DOCKER_CLEAN}{style.newline}"]
            if user is not None:
                text = [f"{style.keyword('USER')} root{style.newline}", *text,
                        f"{style.keyword('USER')} {user}{style.newline}"]
            new = [parse_instruction(t) for t in text]
            new[0] = new[0].with_changes(leading_lines=keep_lines)
            replacement = (*new, current.with_changes(leading_lines=own_lines))
        safety = FixSafety.UNSAFE if unsafe else FixSafety.SAFE
        note = f"; unsafe: {'; '.join(unsafe)}" if unsafe else ""
        out = self.propose(run, replacement, updated=(current,), safety=safety, tools=_tools(calls),
                           problem="keeps no downloaded packages (`docker-clean`)", note=note,
                           title="Disable `docker-clean` in this stage")
        if out is replacement:
            self._cleaned.add(stage.index)
            return replacement
        return (current,) if current is not run else None

    def _context_file(self, rel: str) -> bytes | None:
        """A file of the build context (the ``context`` option), None when absent or when
        there is no context to read (opened on first use)."""
        if self._context is None:
            self._context = open_build_context(self)[0] or False
        ctx = self._context
        if isinstance(ctx, bool):
            return None
        if rel not in self._read:
            self._read[rel] = ctx.read(rel)
        return self._read[rel]

    def _merge(self, run: Run, plan: _Plan) -> tuple[list[str], dict[int, Flag]]:
        """New ``--mount`` texts and rewritten flags; ``plan.mounts`` keeps the new ones."""
        if self._names is None:
            self._names = mounts.cache_names(self._df.body)
        wanted = [mounts.CacheMount(m.path, m.cache.locked, None if m.system else plan.uid,
                                    None if m.system or not plan.uid else plan.gid,
                                    *self._names.get(m.path, (None, None))) for m in plan.mounts]
        new, edited, added = mounts.merge_cache_mounts(run.flags, wanted)
        plan.mounts = [plan.mounts[i] for i in added]
        return new, edited

    def _id_scheme_risks(self, plan: _Plan, siblings: Sequence[CacheTarget]) -> list[str]:
        """Why a new mount of ``plan`` that gets no ``id`` would share a cache the file keeps
        apart: a cache mount of the file on the same directory of the same manager, or one
        of ``siblings`` (the RUN's other directories of that manager: apt's
        ``/var/cache/apt`` and ``/var/lib/apt/lists``), has an ``id`` that reads a variable
        (``id=apt-cache-$TARGETARCH``, one cache per platform). Such an id is not copied
        (:func:`mounts.cache_names`): its variable may not be declared where the mount goes."""
        if self._variable_ids is None:
            self._variable_ids = mounts.variable_cache_ids(self._df.body)
        if not self._variable_ids:
            return []
        assert self._names is not None  # set by _merge
        shared: dict[tuple[str, str], list[str]] = {}
        for m in plan.mounts:
            if (self._names.get(m.path) or (None, None))[0] is not None:
                continue
            scheme = next(((s.path, self._variable_ids[s.path]) for s in (m, *siblings)
                           if s.manager is m.manager and s.path in self._variable_ids), None)
            if scheme is not None:
                shared.setdefault(scheme, []).append(m.path)
        return [f"the file's cache mount on `{target}` has `id={ident}` (one cache per value of the variable); "
                f"the new mount{'s' if len(paths) > 1 else ''} on {', '.join(f'`{p}`' for p in paths)} would "
                f"have one cache for all of them" for (target, ident), paths in shared.items()]

    def _continuation(self, run: Run) -> str:
        """The line break inside an instruction: this RUN's own first continuation line's
        indentation, else the file's most common one (first continuation lines only: deeper
        lines are argument lists); when that line is deeper than where the command starts
        (a nested shell block, an argument list), the most common one of the file's RUNs."""
        style = self._style
        own = mounts.first_indent(run)
        if own is not None and mounts.nested_indent(run):
            # The RUNs' usual indentation (an ARG's or ENV's continuation lines may be the
            # inside of a quoted value).
            if self._run_cont is None:
                runs = [i for i in self._df.body if isinstance(i, Run)]
                self._run_cont = f" {style.escape}{style.newline}{mounts.common_indent(runs)}"
            return self._run_cont
        if own is not None:
            return f" {style.escape}{style.newline}{own}"
        if self._cont is None:
            self._cont = f" {style.escape}{style.newline}{mounts.common_indent(self._df.body)}"
        return self._cont


@functools.lru_cache(maxsize=64)
def _managers(names: tuple[str, ...]) -> frozenset[Manager]:
    """The managers the option's ``names`` (any case) name; kept by the option's value."""
    return frozenset(m for n in names for m in _NAMES.get(n.lower(), ()))


def _tools(calls: list[PackageManagerCall]) -> str:
    names = []
    for c in calls:  # the program as written (`bundle`, `pip3`, `./gradlew`), not the row's name
        program = c.program[-1].text.rpartition("/")[2] if c.program and c.program[-1].static else c.manager.value
        names.append(f"{program} {c.action}".strip())
    return ", ".join(f"`{n}`" for n in dict.fromkeys(names))


__all__ = ["AddCacheMounts"]
