"""Add ``RUN --mount=type=cache`` for the package managers a ``RUN`` calls.

## What it does
Finds shell-form and heredoc ``RUN`` instructions that call a package manager or build
tool (pip, uv, poetry, pipenv, npm, yarn, pnpm, go, cargo, bundler, composer, Maven,
Gradle, apt-get/apt, apk, dnf, yum) and adds one ``--mount=type=cache,target=<dir>`` per
cache directory the tool uses, for the user and environment in effect at that ``RUN``:

* The facts come from the semantic model (``context.model``): the ``USER``, uid, ``HOME``
  and ``ENV`` in effect at the ``RUN`` (inherited through ``FROM <stage>``, plus what the
  base-image table says the image sets), the stage graph (which stages can be shipped,
  which stages build on this one, which ``COPY --from`` read it) and what each ``RUN``
  writes. Where each manager keeps its caches, what moves them (``PIP_CACHE_DIR``,
  ``npm_config_cache``, ``GOMODCACHE``, ``--cache-dir``, ``npm config set cache`` …), what
  defeats them and what empties them is the package-manager table,
  ``dockmod.ecosystems.MANAGERS``. The transform reads both and makes the edit.
* For a non-root user the mount gets ``uid=`` (and ``gid=`` when ``USER`` names a
  numeric group): a cache mount is owned by root with mode 0755 unless told otherwise, so
  the tool could not write to it. BuildKit only accepts numeric ids, so a named user must
  resolve to a uid (``useradd``/``adduser`` earlier, or the image table); otherwise the
  finding has no fix.
* ``sharing=locked`` where the tool cannot share its cache with a concurrent build:
  apt, apk, dnf, yum and Maven.
* What would defeat the cache goes in the same fix: ``pip --no-cache-dir``,
  ``uv``/``poetry --no-cache``, ``PIP_NO_CACHE_DIR=…``/``UV_NO_CACHE=…`` before the command,
  ``apk --no-cache``, and cleaning commands whose only effect is to empty a mounted
  directory (``apt-get clean``, ``rm -rf /var/lib/apt/lists/*``, ``npm cache clean``,
  ``yarn cache clean``, ``pip cache purge``, ``composer clear-cache``,
  an ``rm`` whose every operand lies inside a mounted directory).
* apt: besides the two mounts, Debian's and Ubuntu's images delete every downloaded
  ``.deb`` through ``/etc/apt/apt.conf.d/docker-clean``. Once per stage (unless the stage
  or a stage it builds on already does it), a ``RUN`` is inserted before the first apt
  ``RUN``, exactly as Docker's documentation shows::

      RUN rm -f /etc/apt/apt.conf.d/docker-clean; echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache

  It is an instruction of its own rather than a prefix of the apt ``RUN`` because it is
  configuration, done once per stage (a prefix would have to be repeated, or skipped, in
  every later apt ``RUN``), and its layer stays cached when the apt ``RUN`` changes.
* Mounts already on the ``RUN`` are kept. A target that is already mounted (or lies
  inside a mounted directory) is never added again; an existing cache mount of that
  exact target gets the ``sharing=locked`` and ``uid=`` it lacks.

Left alone: exec-form ``RUN`` (no shell parses it), ``ONBUILD``, files with
``# escape=``` and stages whose ``SHELL`` is not a POSIX shell or whose image is a
Windows image. In a heredoc ``RUN`` the body is read as the script (unless a ``#!``
line names another interpreter); the mounts go on the ``RUN`` line.

## Why
Without a cache mount every change to a ``RUN``'s layer downloads every package again,
and the tool's cache either bloats the layer or is turned off (``--no-cache-dir``). A
cache mount keeps the downloads on the build host, out of the image, across builds.

## Example
``RUN pip install -r requirements.txt`` becomes
``RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt``.
The fix needs ``docker/dockerfile:1.2``: BuildKit's built-in frontend has it. The engine
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
  pnpm's store (pnpm copies out of a store on another file system), Go's build cache,
  bundler's gem cache, composer's cache, and apt's, dnf's and yum's package
  caches. Dropping ``--no-cache-dir`` and the cleaning commands is part of the same
  argument: with the mount, what they would have removed never reaches the layer. A
  directory the tool turns out not to use only gains an empty mount point. Hiding a pure
  cache that an earlier ``RUN`` filled costs a download, not correctness.
* Unsafe when the directory is a *store* that steps read as data: Go's module
  cache (``GOMODCACHE``), cargo's ``registry`` and ``git/db``, Maven's local repository
  and Gradle's ``caches``/``wrapper``, **if** a later ``RUN`` in the stage (or in a stage
  built on it) does not mount it too and runs something other than plain file commands
  (``make`` may call ``go build`` and would find the modules gone), or ``CMD``/
  ``ENTRYPOINT`` runs that tool; or **if** an earlier ``RUN`` (in the stage or a stage it
  builds on) may have filled it: the same tool without the mount, or a command dockmod
  cannot see into (``make``, a script). The mount would hide those files.
* Unsafe when the call only reads what is stored (``cargo --offline``/``--frozen``,
  ``mvn -o``, ``npm``/``yarn``/``pnpm``/``gradle``/``uv --offline``, ``pip --no-index``,
  ``GOPROXY=off``): an empty or evicted mount breaks it. Likewise ``apt-get install``
  without ``apt-get update`` in the same ``RUN`` reads the lists an earlier ``RUN`` stored,
  and that earlier ``RUN``'s list mount is unsafe while a later one reads them.
* Unsafe when the directory comes from the command line (``--cache-dir``, ``--cache``,
  ``--store-dir``, ``-Dmaven.repo.local=``) or from ``pnpm config set store-dir``,
  ``npm config set cache``, ``yarn config set cache-folder``: the author chose it and may
  use it; when the ``RUN`` itself, an earlier ``COPY``/``ADD``/``RUN`` or a later
  ``COPY --from`` names a path inside the directory; for apk (apk-tools versions differ in
  when they keep packages); when the image's user, ``HOME`` and cache settings are not
  known (an image that is neither a Docker Hub official image nor in the table: it may
  set ``HOME`` or ``PIP_NO_CACHE_DIR``, as ``rayproject/ray`` and ``composer`` do).
* The ``docker-clean`` ``RUN`` is unsafe in a stage that can be shipped (it changes
  ``/etc/apt`` there: later ``apt-get install`` runs in containers or child images keep
  their ``.deb`` files), and when the apt mounts it serves are unsafe. A stage can be
  shipped when ``--target`` can build it and it ends up in an image: every stage no other
  stage uses (by ``FROM``, ``COPY --from`` or ``--mount=from``), every earlier stage that a
  variable ``FROM ${BASE}`` may name, and every stage those are built ``FROM``. The
  ``targets`` option narrows this. It is inserted before the comment lines directly above
  the stage's first apt ``RUN`` (never directly after a heredoc body: hadolint cannot parse
  that), between ``USER root`` and ``USER <previous>`` when the stage runs as another user.
* No fix (reported only) when the user's uid or ``HOME`` is unknown, a directory depends
  on a variable dockmod cannot resolve, the ``RUN`` runs ``dnf clean``/``yum clean``
  (it would empty the mount, and hadolint's DL3040/DL3032 want it kept),
  ``ENV PIP_NO_CACHE_DIR``/``UV_NO_CACHE`` turns the cache off for the stage, a package
  manager runs under ``sudo``, or a cleaning command cannot be removed without changing the
  rest of the script.

The apt mounts are ``/var/cache/apt`` and ``/var/lib/apt/lists``. Docker's example
mounts all of ``/var/lib/apt``, but that also captures ``/var/lib/apt/extended_states``
(which packages were installed automatically), so the image would lose that record.
yum on EL8 and later is dnf (``/var/cache/dnf``); dnf5 (Fedora 41 and later) keeps
packages in ``/var/cache/libdnf5``; both dnf directories are mounted when the image's tag
does not tell. uv installs from a mounted cache get ``UV_LINK_MODE=copy`` (uv cannot
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
``package-managers``: names to handle (``pip``, ``uv``, ``poetry``, ``pipenv``, ``npm``,
``yarn``, ``pnpm``, ``go``, ``cargo``, ``bundler``, ``composer``, ``maven``, ``gradle``,
``apt``, ``apk``, ``dnf``, ``yum``); default all but ``apk``.
``apt-docker-clean``: insert the ``RUN`` that disables ``docker-clean`` (default true).
``targets``: the stages you build with ``--target`` (names or indexes); default every
stage that can be.
``small-installs``: also report local-wheel and single-pinned-tool installs (default false).
"""

from __future__ import annotations

import enum
import os
import posixpath
from dataclasses import dataclass, field, replace

from dockmod._parse import parse_instruction
from dockmod.cst import (
    Cmd,
    Dockerfile,
    EmptyLine,
    Entrypoint,
    Flag,
    Instruction,
    JsonArray,
    Run,
    ShellCommand,
    Stage,
    Style,
)
from dockmod.cst.mounts import (
    CacheMount,
    MountError,
    common_indent,
    first_indent,
    join_flags,
    merge_cache_mounts,
    mounts_path,
    split_leading,
)
from dockmod.ecosystems import CacheDir, Manager, PackageManagerCall, may_call
from dockmod.ecosystems.cache_use import (
    APT,
    cache_targets,
    config_sets,
    defeats,
    disables_docker_clean,
    offline,
    reads_stored_lists,
    remove_defeaters,
    small_install,
)
from dockmod.ecosystems import calls as pm_calls
from dockmod.shell import ShellScript
from dockmod.semantic import Scope, model_for
from dockmod.semantic.effects import file_commands_only, names_path, paths_named, runs_opaque
from dockmod.semantic.paths import inside
from dockmod.semantic.runs import shell_script
from dockmod.transforms._base import Example, FixSafety, Option, Transform, TransformMeta

DOCKER_CLEAN = ("rm -f /etc/apt/apt.conf.d/docker-clean; echo 'Binary::apt::APT::Keep-Downloaded-Packages "
                "\"true\";' > /etc/apt/apt.conf.d/keep-cache")

# Option names → managers. apt covers apt-get and apt.
_NAMES: dict[str, tuple[Manager, ...]] = {
    "pip": (Manager.PIP,), "uv": (Manager.UV,), "poetry": (Manager.POETRY,),
    "pipenv": (Manager.PIPENV,), "npm": (Manager.NPM,), "yarn": (Manager.YARN,),
    "pnpm": (Manager.PNPM,), "go": (Manager.GO,), "cargo": (Manager.CARGO,),
    "bundler": (Manager.BUNDLER,), "composer": (Manager.COMPOSER,), "maven": (Manager.MAVEN,),
    "gradle": (Manager.GRADLE,), "apt": (Manager.APT_GET, Manager.APT), "apk": (Manager.APK,),
    "dnf": (Manager.DNF,), "yum": (Manager.YUM,), "dotnet": (Manager.DOTNET,),
}  # fmt: skip
# apk is opt-in: its cache only holds the index unless /etc/apk/cache exists (see "Why off").
_DEFAULT_NAMES = [n for n in _NAMES if n != "apk"]



class _Kind(enum.Enum):
    #: Refilled on demand and read by nothing else.
    CACHE = "cache"
    #: Later steps read it as data (Go modules, cargo sources, a Maven repository).
    STORE = "store"
    #: apt's package lists: written by ``apt-get update``, read by ``apt-get install``.
    LISTS = "lists"


@dataclass(frozen=True, slots=True)
class _Mount:
    target: str
    kind: _Kind = _Kind.CACHE
    locked: bool = False
    #: Taken from the command line rather than a default or ``ENV``.
    custom: bool = False
    #: Taken from ``<tool> config set`` in this or an earlier RUN.
    configured: bool = False
    #: Runs as root whatever ``USER`` says (system package managers).
    system: bool = False
    manager: Manager | None = None


@dataclass
class _Plan:
    """What the fix of one manager's calls in one RUN does, and how far it may be trusted."""

    calls: list[PackageManagerCall]
    mounts: list[_Mount] = field(default_factory=list)
    uid: int | None = None
    gid: int | None = None
    unsafe: list[str] = field(default_factory=list)
    #: Variables the manager wants beside a mounted cache (``mount_env`` in the table, e.g.
    #: ``UV_LINK_MODE=copy``) that the scope does not set already.
    mount_env: tuple[tuple[str, str], ...] = ()


class _Blocked(Exception):
    """No fix for this RUN; the message says why."""


class AddCacheMounts(Transform):
    meta = TransformMeta(
        code="DM202",
        name="add-cache-mounts",
        summary="{tools} {problem}{note}",
        fix_title="{title}",
        safety=FixSafety.SAFE,
        min_syntax=(1, 2),
        reference="Docker docs: Optimize cache usage in builds (cache mounts)",
        options=(
            Option("package-managers", list, default=list(_DEFAULT_NAMES),
                   help="Package managers to handle: " + ", ".join(_NAMES) + " (apk is opt-in)"),
            Option("apt-docker-clean", bool, default=True,
                   help="Insert the RUN that disables Debian's docker-clean before the first apt RUN of a stage"),
            Option("targets", list, default=[],
                   help="Stages you build with --target (names or indexes); default: every stage that can be"),
            Option("small-installs", bool, default=False,
                   help="Also report RUNs that only install local wheels or one pinned tool"),
        ),  # fmt: skip
        examples=(
            Example(before="FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt\n",
                    after="FROM python:3.12-slim\n"
                          "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"),
            Example(before="FROM python:3.12-slim\nUSER app\nRUN pip install flask\n"),
            Example(before='FROM golang:1.22\nRUN ["go", "build", "."]\n'),
        ),
    )

    # -- whole file ------------------------------------------------------------------------
    def transform(self, df: Dockerfile) -> Dockerfile:
        if df.escape != "\\":
            return df
        self._managers = self._selected()
        self._df = df
        stages = df.stages
        self._stages = stages
        targets = [str(x) for x in self.option("targets")]
        self._model = model_for(df, targets) if targets else self.context.model
        self._later_cache: dict[tuple, list[str]] = {}
        self._cont: str | None = None
        self._clean_tried: set[int] = set()
        #: Stages where this pass inserted the docker-clean RUN (stages built on them have it).
        self._cleaned: set[int] = set()
        # ``Dockerfile.style`` is detected on every access: read it once per pass.
        self._style_cache: Style | None = None
        # Replacements are built only when they can be used: by a fix, or to key a proposal.
        ctx = self.context
        self._edit = ctx.fix or ctx.track_keys or bool(ctx.rejected)
        model = self._model
        replaced: dict[int, tuple[Instruction, ...]] = {}
        previous: Instruction | None = None
        for stage, info in zip(stages, model.stages):
            windows = any(p in (info.image_text or "").lower() for p in ("windows", "nanoserver", "servercore"))
            for pos, ins in enumerate(stage.instructions):
                if isinstance(ins, Run) and not windows and isinstance(ins.command, ShellCommand) and may_call(
                        "".join((ins.command.raw, *(h.body for h in ins.heredocs))), self._managers):
                    scope = model.scope_at(ins)
                    if scope.posix_shell:
                        out = self._run(stage, pos, ins, scope, previous)
                        if out is not None:
                            replaced[id(ins)] = out
                previous = ins
        if not replaced:
            return df
        body: list[Instruction] = []
        for ins in df.body:
            body.extend(replaced.get(id(ins), (ins,)))
        return df.with_changes(body=tuple(body))

    @property
    def _style(self) -> Style:
        if self._style_cache is None:
            self._style_cache = self.context.style
        return self._style_cache

    def _selected(self) -> frozenset[Manager]:
        names = self.option("package-managers")
        out: set[Manager] = set()
        for n in names:
            out.update(_NAMES.get(str(n).lower(), ()))
        return frozenset(out)

    # -- one RUN ---------------------------------------------------------------------------
    def _run(self, stage: Stage, pos: int, run: Run, scope: Scope,
             previous: Instruction | None) -> tuple[Instruction, ...] | None:
        script = shell_script(run)
        if script is None or script.has_error:
            return None
        calls = [c for c in pm_calls(script) if c.manager in self._managers and c.kind is not None]
        if not self.option("small-installs"):
            calls = [c for c in calls if not small_install(c)]
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
            fixed = None
            try:
                fixed = self._fix(stage, pos, current, scope, plan)
            except _Blocked as e:
                self.report(run, tools=_tools(group), problem="without a cache mount", note=f"; no fix: {e}",
                            title="Add cache mounts for the package caches", no_fix_reason=str(e))
                apt_blocked |= key == "apt"
                continue
            if fixed is None:
                continue
            targets = ", ".join(f"`{m.target}`" for m in plan.mounts) or "the existing mounts"
            safety = FixSafety.UNSAFE if plan.unsafe else FixSafety.SAFE
            note = f"; unsafe: {'; '.join(dict.fromkeys(plan.unsafe))}" if plan.unsafe else ""
            if key == "apt":
                apt_fix = safety
            out = self.propose(run, fixed, updated=current, safety=safety, tools=_tools(group),
                               problem="without a cache mount", note=note, title=f"Add cache mounts for {targets}")
            if out is fixed:
                current = fixed
        if "apt" in groups and not apt_blocked:
            clean = self._docker_clean(stage, run, current, scope, apt_fix, groups["apt"], previous)
            if clean is not None:
                return clean
        return (current,) if current is not run else None

    def _fix(self, stage: Stage, pos: int, run: Run, scope: Scope, plan: _Plan) -> Run | None:
        """``run`` with ``plan``'s mounts and removals, or None when there is nothing to do."""
        calls = plan.calls
        script = shell_script(run)
        assert script is not None
        self._plan_user(plan, scope, calls)
        config = self._configured_before(stage.instructions[pos])
        config.update(config_sets(script, before=calls[0].command.span[0]))
        plan.mount_env = tuple(dict.fromkeys((k, v) for c in calls for k, v in c.info.mount_env
                                             if scope.run_get(k) is None))
        for call in calls:
            for m in _targets(call, scope, plan, config, self._model.stages[stage.index].image_text or ""):
                if all(m.target != x.target for x in plan.mounts):
                    plan.mounts.append(replace(m, manager=call.manager))
        for key in dict.fromkeys(k for c in calls for k in c.info.defeating_env):
            value = scope.env.get(key) if key in scope.env else None
            if isinstance(value, str) and defeats(key, value) and not _prefixed(calls, key):
                raise _Blocked(f"`ENV {key}` turns the cache off for the stage")
        for cmd in script.commands:
            name = os.path.basename(cmd.name)
            if name in ("dnf", "yum") and cmd.words[1:2] == ["clean"] and any(c.manager.value == name for c in calls):
                # Removing it would make hadolint report DL3040 (dnf) / DL3032 (yum);
                # keeping it empties the cache mount on every run.
                rule = "DL3040" if name == "dnf" else "DL3032"
                raise _Blocked(f"`{name} clean` would empty the cache mount (hadolint {rule} wants it kept)")
        new_flags, edited = self._merge(run, plan)
        command, heredocs, removed = _remove_defeaters(run, plan)
        if not new_flags and not edited and not removed:
            return None
        fixed = run.with_changes(command=command, heredocs=heredocs) if removed else run
        self._check_safety(stage, pos, shell_script(fixed) or script, plan, scope)
        if not self._edit:
            return fixed
        return fixed.with_changes(flags=join_flags(run.flags, new_flags, edited, self._continuation(run)))

    def _docker_clean(self, stage: Stage, run: Run, current: Run, scope: Scope, apt_fix: FixSafety | None,
                      calls: list[PackageManagerCall], previous: Instruction | None) -> tuple[Instruction, ...] | None:
        """The finding (and fix) that disables ``docker-clean`` before the stage's first apt RUN."""
        if not self.option("apt-docker-clean") or stage.index in self._clean_tried or self._clean_disabled(stage, run):
            return None
        mounted = any(f.mount is not None and f.mount.type == "cache" and f.mount.target is not None
                      and posixpath.normpath(f.mount.target) == "/var/cache/apt" for f in current.flags)
        if apt_fix is None and not mounted:
            return None
        # Only before the stage's first apt RUN (whether or not this run applies it).
        self._clean_tried.add(stage.index)
        unsafe = []
        if apt_fix is FixSafety.UNSAFE:
            unsafe.append("the apt cache mounts are unsafe")
        if stage.index in self._model.shipped:
            unsafe.append("it changes `/etc/apt` in a stage that can be shipped")
        elif any(inside("/etc/apt", src) or inside(src, "/etc/apt") and src != "/"
                 for src in self._copied_from(stage)):
            unsafe.append("a `COPY --from` reads `/etc/apt`")
        new: list[Instruction] = []
        u = scope.user
        user = None
        if u.uid != 0 and not u.inherited:
            user = self._model.user_as_written(stage.index)
        elif u.uid is None and u.inherited and any(
                os.path.basename(w.text) == "sudo" for c in calls for w in c.program):
            # ``sudo apt-get`` in an image whose default user is not known: the inserted
            # RUN may run as that user, and there is no USER to restore after ``USER root``.
            unsafe.append(f"the user of image `{self._model.stages[stage.index].image_text or '?'}` is not known")
        replacement: tuple[Instruction, ...] = (current,)
        if self._edit:
            style = self._style
            keep_lines, own_lines = split_leading(run.leading_lines)
            if not keep_lines and previous is not None and previous.heredocs:
                keep_lines = (EmptyLine(),)
            text = [f"{style.keyword('RUN')} {DOCKER_CLEAN}{style.newline}"]
            if user is not None:
                text = [f"{style.keyword('USER')} root{style.newline}", *text,
                        f"{style.keyword('USER')} {user}{style.newline}"]
            for t in text:
                new.append(parse_instruction(t))
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

    def _merge(self, run: Run, plan: _Plan) -> tuple[list[str], dict[int, Flag]]:
        """New ``--mount`` texts and rewritten flags; ``plan.mounts`` keeps the new ones."""
        wanted = [CacheMount(m.target, m.locked, None if m.system else plan.uid,
                             None if m.system or not plan.uid else plan.gid) for m in plan.mounts]
        try:
            new, edited, added = merge_cache_mounts(run.flags, wanted)
        except MountError as e:
            raise _Blocked(str(e)) from None
        plan.mounts = [plan.mounts[i] for i in added]
        return new, edited

    def _continuation(self, run: Run) -> str:
        """The line break inside an instruction: this RUN's own first continuation line's
        indentation, else the file's most common one (first continuation lines only: deeper
        lines are argument lists)."""
        style = self._style
        own = first_indent(run)
        if own is not None:
            return f" {style.escape}{style.newline}{own}"
        if self._cont is None:
            self._cont = f" {style.escape}{style.newline}{common_indent(self._df.body)}"
        return self._cont

    def _plan_user(self, plan: _Plan, scope: Scope, calls: list[PackageManagerCall]) -> None:
        if all(c.info.system for c in calls):
            return
        for c in calls:
            if not c.info.system and any(os.path.basename(w.text) == "sudo" for w in c.program):
                raise _Blocked(f"`{c.manager}` runs through `sudo`")
        u = scope.user
        if u.uid is None:
            raise _Blocked(u.reason or f"the uid of user `{u.spec}` is unknown (BuildKit needs a numeric `uid`)")
        plan.uid = u.uid or None
        # A gid only where USER names a numeric group: otherwise the mount's group (0) and
        # mode 0755 already let the uid write.
        group = u.spec.partition(":")[2]
        plan.gid = int(group) if group.isdigit() else None

    def _check_safety(self, stage: Stage, pos: int, script: ShellScript, plan: _Plan, scope: Scope) -> None:
        """Record why the fix is unsafe, if it is; ``script`` is the fixed RUN's."""
        run = stage.instructions[pos]
        home = scope.home
        copied = self._copied_from(stage)
        for call in plan.calls:
            reads = offline(call, scope.run_get)
            if reads:
                plan.unsafe.append(f"`{reads[0]}` reads only what an earlier step stored")
            if reads_stored_lists(call, plan.calls):
                plan.unsafe.append(f"`{call.manager} {call.action}` reads package lists an earlier `RUN` stored")
        for m in plan.mounts:
            if m.custom:
                plan.unsafe.append(f"`{m.target}` is set on the command line")
            if m.configured:
                plan.unsafe.append(f"`{m.target}` is set by `config set`: the author chose it and may use it")
            if m.system and m.target == "/var/cache/apk":
                plan.unsafe.append("apk's use of `/var/cache/apk` depends on its version")
            if not (m.custom or m.configured) and names_path(script, m.target, home):
                plan.unsafe.append(f"the `RUN` itself uses `{m.target}`")
            if self._model.wrote_under(run, m.target, copies_from_stages=False):
                plan.unsafe.append(f"the mount hides files written to `{m.target}` earlier")
            elif m.kind is _Kind.STORE and self._filled_before(run, m):
                plan.unsafe.append(f"an earlier `RUN` may have filled `{m.target}`, which the mount would hide")
            plan.unsafe.extend(self._later(stage, pos, m, plan, home))
            for src in copied:
                if inside(src, m.target) or inside(m.target, src) and src != "/":
                    plan.unsafe.append(f"a `COPY --from` reads `{m.target}`")

    def _later(self, stage: Stage, pos: int, m: _Mount, plan: _Plan, home: str | None) -> list[str]:
        """Why instructions after ``pos`` (the model's ``after``: the rest of the stage and
        the stages built on it) make ``m`` unsafe; each instruction's answer is kept."""
        managers = frozenset(c.manager for c in plan.calls)
        progs = frozenset(os.path.basename(w.text) for c in plan.calls for w in c.program)
        out: list[str] = []
        for ins in self._model.after(stage.instructions[pos]):
            key = (id(ins), m, managers, progs, home)
            hit = self._later_cache.get(key)
            if hit is None:
                hit = self._later_cache[key] = self._later_one(ins, m, managers, progs, home)
            out.extend(hit)
        return list(dict.fromkeys(out))

    def _later_one(self, ins: Instruction, m: _Mount, managers: frozenset[Manager], progs: frozenset[str],
                   home: str | None) -> list[str]:
        if isinstance(ins, Run) and m.kind is _Kind.LISTS:
            # A later ``apt-get install`` without its own ``update`` reads the lists this
            # RUN stores; that RUN's own mount is unsafe too, so it may stay unmounted.
            script = shell_script(ins)
            if script is None or mounts_path(ins.flags, m.target):
                return []
            calls = pm_calls(script)
            if any(reads_stored_lists(c, calls) for c in calls):
                return [f"a later `RUN` reads the package lists in `{m.target}`"]
            return []
        if isinstance(ins, Run):
            if mounts_path(ins.flags, m.target) or self._will_mount(ins, m):
                return []
            words = paths_named(shell_script(ins), home)
            if any(inside(w, m.target) or inside(m.target, w) and w != "/" for w in words):
                return [f"a later `RUN` uses `{m.target}`"]
            script = shell_script(ins)
            if m.kind is _Kind.STORE and any(c.manager in managers and offline(c, self._model.scope_at(ins).run_get)
                                             for c in (pm_calls(script) if script else [])):
                return [f"a later `RUN` reads `{m.target}` offline (it cannot be mounted safely)"]
            if m.kind is _Kind.STORE and not file_commands_only(shell_script(ins), managers):
                return [f"a later `RUN` may need `{m.target}`"]
        elif isinstance(ins, (Cmd, Entrypoint)) and m.kind is _Kind.STORE:
            text = ins.command.text if ins.command is not None else ""
            if any(p in text.replace('"', " ").split() for p in progs):
                return [f"`{ins.name}` runs the tool that needs `{m.target}`"]
        return []

    def _will_mount(self, run: Run, mount: _Mount) -> bool:
        """A later RUN that gets the same mount from this transform (same tool, same user),
        as a fix that can be applied with this one: not one held back because the call
        only reads what is stored (then this RUN's store must stay in the layer)."""
        script = shell_script(run)
        if script is None or script.has_error:
            return False
        calls = [c for c in pm_calls(script) if c.manager is mount.manager]
        if not any(c.kind is not None and c.manager in self._managers for c in calls):
            return False
        scope = self._model.scope_at(run)
        return not any(offline(c, scope.run_get) for c in calls)

    # -- what earlier instructions did (the model's ``before``) ---------------------------------
    def _configured_before(self, ins: Instruction) -> dict[CacheDir, str | None]:
        """Cache directories set by ``<tool> config set`` in earlier RUNs (None: unknown)."""
        config: dict[CacheDir, str | None] = {}
        for x in self._model.before(ins):
            script = shell_script(x) if isinstance(x, Run) else None
            if script is not None and not script.has_error:
                config.update(config_sets(script, before=None))
        return config

    def _clean_disabled(self, stage: Stage, run: Run) -> bool:
        """docker-clean is already disabled: by a RUN before ``run`` (in the stage or a stage
        it builds on), anywhere in the stage, or by this pass in a stage it builds on."""
        model = self._model
        return (any(i in self._cleaned for i in model.chain(stage.index))
                or any(isinstance(x, Run) and any(map(disables_docker_clean, model.run(x).commands))
                       for x in model.before(run))
                or any(any(map(disables_docker_clean, sc.commands)) for x in stage.instructions
                       if isinstance(x, Run) and (sc := shell_script(x)) is not None))

    def _filled_before(self, run: Run, m: _Mount) -> bool:
        """An earlier RUN without a mount covering ``m`` may have filled it: it runs what
        dockmod cannot see into (``make``, a script) or ``m``'s tool unmounted."""
        for x in self._model.before(run):
            if not isinstance(x, Run) or any(inside(m.target, posixpath.normpath(f.mount.target))
                                             for f in x.flags if f.mount is not None and f.mount.target):
                continue
            script = shell_script(x)
            if script is None or script.has_error:
                if not isinstance(x.command, JsonArray) or x.command.values:
                    return True
                continue
            calls = pm_calls(script)
            if any(c.manager is m.manager and not (c.manager in self._managers and c.kind is not None)
                   for c in calls):
                return True
            if runs_opaque(script):
                return True
        return False

    def _copied_from(self, stage: Stage) -> list[str]:
        """Sources that ``COPY --from``/``--mount=from`` read in this stage or one built on it."""
        return [src for e in self._model.copies_from(stage.index) for src in e.sources]


def _tools(calls: list[PackageManagerCall]) -> str:
    names = []
    for c in calls:
        if c.manager in (Manager.MAVEN, Manager.GRADLE):
            names.append(f"{os.path.basename(c.program[-1].text)} {c.action}".strip())
        else:
            names.append(f"{c.manager.value} {c.action}".strip())
    return ", ".join(f"`{n}`" for n in dict.fromkeys(names))


def _targets(call: PackageManagerCall, scope: Scope, plan: _Plan, config: dict[CacheDir, str | None],
             image: str) -> list[_Mount]:
    """The cache directories of ``call`` (``ecosystems.MANAGERS``), resolved in ``scope``."""
    try:
        found = cache_targets(call, scope.run_get, root=plan.uid is None, config=config, image=image,
                              user=scope.user.spec)
    except ValueError as e:
        raise _Blocked(str(e)) from None
    out = []
    for t in found:
        kind = _Kind.LISTS if t.cache.path == "/var/lib/apt/lists" else \
            _Kind.STORE if t.cache.kind == "store" else _Kind.CACHE
        out.append(_Mount(t.path, kind=kind, locked=t.cache.locked, custom=t.how == "option",
                          configured=t.how == "config", system=t.how == "default" and t.cache.system))
    return out


def _prefixed(calls: list[PackageManagerCall], key: str) -> bool:
    return any(w.text.split("=", 1)[0] == key for c in calls for w in c.command.assignments)


def _remove_defeaters(run: Run, plan: _Plan) -> tuple[ShellCommand | None, tuple, list[str]]:
    """The RUN's command and heredocs without what defeats the cache; what was removed."""
    heredoc = bool(run.heredocs)
    # A heredoc body is edited as a ShellCommand whose escape character never occurs, so
    # nothing is joined and its spans equal the body's (the shell joins lines itself).
    source = ShellCommand(raw=run.heredocs[0].body, escape="\0") if heredoc else run.command
    assert isinstance(source, ShellCommand)
    try:
        source, removed = remove_defeaters(source, tuple(dict.fromkeys(c.manager for c in plan.calls)),
                                           plan.mount_env, [m.target for m in plan.mounts])
    except ValueError as e:
        raise _Blocked(str(e)) from None
    if heredoc:
        body = run.heredocs[0].with_changes(body=source.raw)
        return run.command, (body, *run.heredocs[1:]), removed  # type: ignore[return-value]
    return source, run.heredocs, removed


__all__ = ["AddCacheMounts"]
