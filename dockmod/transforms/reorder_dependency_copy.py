"""Copy dependency manifests and install them before copying the whole build context.

## What it does
Finds a stage that copies the whole context (``COPY . .``, ``COPY ./ /app``, ``ADD . …``)
and *then* installs dependencies from manifests (``pip install -r requirements.txt``,
``npm ci``, ``go mod download``, ``poetry install --no-root``, ``bundle install``…). The fix
inserts a ``COPY`` of exactly those manifests where the whole-context copy was, with the
same destination text and the same ``--chown``/``--chmod``/``--link`` flags, and moves
the whole-context copy down to just after the install step::

    COPY . .                                COPY requirements.txt ./
    RUN pip install -r requirements.txt  →  RUN pip install -r requirements.txt
                                            COPY . .

Manifests per install command (``*``: optional, copied through a glob so a missing file
is no error):

* pip / ``uv pip install``: the ``-r``/``-c`` files named on the command line (a file in
  a subdirectory is copied into the same subdirectory of the destination);
* ``uv sync --no-install-project``: ``pyproject.toml``, ``uv.lock`` (``*`` unless
  ``--locked``/``--frozen``), ``.python-version*``;
* ``poetry install --no-root``: ``pyproject.toml``, ``poetry.lock*``;
* ``pipenv install``/``sync``: ``Pipfile``, ``Pipfile.lock`` (``*`` for ``install``
  without ``--deploy``);
* ``npm ci``/``npm install``: ``package.json``, ``package-lock.json*``,
  ``npm-shrinkwrap.json*`` (``npm ci`` needs one of the two; which one is unknown),
  ``.npmrc*``;
* ``yarn``/``yarn install``: ``package.json``, ``yarn.lock`` (``*`` unless
  ``--frozen-lockfile``/``--immutable``), ``.yarnrc*`` (also matches ``.yarnrc.yml``), ``.npmrc*``;
* ``pnpm install``: ``package.json``, ``pnpm-lock.yaml`` (``*`` unless
  ``--frozen-lockfile``), ``pnpm-workspace.yaml*``, ``.npmrc*``; ``pnpm fetch``: the
  lock file and ``.npmrc*``;
* ``go mod download``: ``go.mod``, ``go.sum*`` (a module without dependencies has none);
* ``bundle install``: ``Gemfile`` (or ``--gemfile``), ``Gemfile.lock*``;
* ``composer install``: ``composer.json``, ``composer.lock*``;
* ``mvn dependency:go-offline`` (or ``dependency:resolve``): ``pom.xml`` (or ``-f``).

Every inserted ``COPY`` names at least one file that must exist and ends its destination
with ``/``, so it works with BuildKit (which allows a wildcard source that matches
nothing: ``AllowEmptyWildcard`` in ``dockerfile2llb``), the classic builder (which
rejects a ``COPY`` only when *no* source matches) and buildah.

Why the whole-context copy moves down instead of the install moving up: an instruction
between the two (``WORKDIR``, ``USER``, ``ENV``, ``ARG``) changes the environment the
install runs in, but a ``COPY`` reads none of it, except that ``WORKDIR`` places a
relative destination and ``ENV``/``ARG`` expand variables in its own arguments. So the
install keeps its place and environment, and the copy crosses those instructions when
its destination is absolute (for ``WORKDIR``) and it has no variables (for ``ENV``/
``ARG``); otherwise the finding has no fix.

An install ``RUN`` that also runs other commands is split when the commands form one
``&&`` chain, with the dependency install and commands that need no sources
(``apt-get install …``, ``pip install --upgrade pip``, ``rm -rf /var/lib/apt/lists/*``)
before everything else: that head runs before the whole-context copy and the rest
(``pip install .``, ``npm run build``, ``go build``…) in a second ``RUN`` right after
it, with the same flags. ``pip install .``/``-e .`` is therefore left after the copy
and installs the project once its sources are there.

Also handled, each with the same safety rules:

* a **project subfolder** copied whole (``ADD app/ .``, ``COPY ./src-ui /src/src-ui``)
  when the install runs in its destination: the manifests are copied from that folder;
* ``cd DIR && <install>`` where ``DIR`` is the copy's destination, and ``;`` lists (a
  split at a ``;`` is unsafe: a failing command before it would now stop the build);
* a **source or asset copy between the manifest copy and the install** (``COPY
  requirements.txt .`` / ``COPY src ./src`` / ``RUN pip install -r …``) moves below it;
* a RUN of **named-package installs only** right after the whole-context copy
  (``pip install flask``, ``apt-get install …``, ``npm install -g …``) moves above it;
* a **project install that also installs the dependencies** gets the deps-only step
  its tool's guide gives, before the copy, and stays after it: ``poetry install``
  (``--no-root``, Poetry FAQ), ``uv sync`` (``--no-install-project``, uv's Docker guide),
  ``go build`` (``go mod download``, Docker's Go guide);
* ``pip install -r requirements.txt .`` is split into the ``-r`` step and ``pip install .``;
* exec-form RUNs are moved whole; heredoc RUNs are reported without a fix;
* ``COPY . $APP_HOME``: a destination the semantic model expands to the same absolute
  path at the copy and at the install;
* the other ecosystems of the ecosystems table (``mix deps.get``, ``bun install``,
  ``swift package resolve``, ``conda``/``micromamba`` environment files…): the install
  kind and manifests come from the table (lock files optional); manifests named by
  patterns (``dotnet restore``'s ``*.csproj``) are reported without a fix.

Working directories, the shell and variable values come from the semantic model
(``context.model.scope_at``); install kinds and manifests from :mod:`dockmod.ecosystems`.

Only the first install after each whole-context copy is handled per pass; the fix loop
then handles the next. Each stage is handled on its own.

## Why
A layer is rebuilt when anything it copies changes. Installing after ``COPY . .`` means
every source edit downloads and builds all dependencies again; copying the manifests
first lets the builder reuse the install layer until a manifest changes.

## Example
See above; ``npm install`` after ``COPY . .`` becomes ``COPY package.json
package-lock.json* npm-shrinkwrap.json* .npmrc* ./`` + ``RUN npm install`` + ``COPY . .``.

## Fix safety
The reorder keeps the final image when three conditions hold, and the fix is **safe**
(applied by ``fix --apply``) when the build context proves all three; otherwise it is
**unsafe** and the finding says which condition could not be shown:

1. the manifests are self-contained: no ``-r``/``-c`` to a file that is not copied (those
   the context has are followed and copied too), no ``-e``/local paths, no ``file:``/
   ``link:``/path dependencies or workspaces, no ``replace => ./dir`` in ``go.mod``, no
   ``gemspec``/``path:`` in a Gemfile, no Maven modules (see ``buildcontext/manifests.py``);
2. the install runs no script of the project: ``package.json`` has no install lifecycle
   script (or ``--ignore-scripts`` is given), ``composer.json`` no install/autoload hook
   (or ``--no-scripts``);
3. nothing the install writes in the working directory (``node_modules``, ``.yarn``,
   ``.venv``, ``vendor``, pip ``--target``/``--prefix`` folders, ``.bundle``) is sent by
   the context, which the copy would lay over the fresh install: ``.dockerignore``
   excludes it, or the context has no such path.

The build context is the Dockerfile's folder unless the option ``context`` names
another (relative to the Dockerfile's folder), filtered by ``<Dockerfile>.dockerignore``
or ``.dockerignore`` (:mod:`dockmod.buildcontext`). Without a context on disk (stdin),
no condition can be proven; ``self-contained-manifests = true`` then stands for the first
one only. These keep a fix unsafe whatever the context: the whole-context copy moves past
a ``RUN`` that may need the sources or past another ``COPY``/``ADD``; a split at ``;``;
an optimised composer autoloader built before the sources are there.

No fix, only the finding, when: the install runs in another directory than the one the
context was copied to (``WORKDIR``, ``--prefix``, ``-C``…); it is conditional (``if``,
``||``, a subshell); it uses a ``--mount=type=bind``; its manifests are named through
variables or lie outside the context copy; a source-needing command comes before the
install in the same ``RUN`` or the ``RUN`` cannot be split without losing a comment; a
``RUN`` between them builds the project; the copy has flags other than
``--chown``/``--chmod``/``--link``, or its destination has variables or quotes and must
cross ``WORKDIR``/``ENV``/``ARG``; ``cargo fetch`` (Cargo needs a target source file to
read its manifest). ``pip install .`` alone is not reported: it needs its sources.

## Options
``context`` (string, default: the Dockerfile's folder): the build context folder,
relative to the Dockerfile's folder.
``self-contained-manifests`` (bool, default false): without a build context, take the
project's manifests as naming no other local files (condition 1 only).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import shlex
from dataclasses import dataclass, field

from dockmod._parse import parse_instruction
from dockmod.buildcontext import BuildContext, ContextError, open_context
from dockmod.cst import Add, Arg, Copy, Dockerfile, Env, Instruction, JsonArray, Run, Workdir
from dockmod.cst.module import Stage
from dockmod.cst.trivia import TrailingWhitespace
from dockmod.errors import ParseError
from dockmod.lang.words import LexError, process_word
from dockmod.ecosystems import InstallKind, Manager, PackageManagerCall
from dockmod.ecosystems import calls as pm_calls
from dockmod.shell import (
    ShellScript,
    SimpleCommand,
    insert_words_after,
    parse_heredoc_body,
    parse_shell,
    remove_command,
    remove_words,
)
from dockmod.transforms._base import Example, FixSafety, Option, Transform, TransformMeta
from dockmod.buildcontext.manifests import read_manifests

# Copy flags that mean the same on the inserted manifest COPY.
_CARRIED_FLAGS = frozenset({"chown", "chmod", "link"})
# Instructions a COPY may cross unconditionally: they change nothing a COPY reads.
_NEUTRAL_INSTRUCTIONS = frozenset(
    {"USER", "LABEL", "EXPOSE", "CMD", "ENTRYPOINT", "STOPSIGNAL", "HEALTHCHECK",
     "MAINTAINER", "SHELL", "ONBUILD", "VOLUME"}
)
_SYSTEM_MANAGERS = frozenset(
    {Manager.APT_GET, Manager.APT, Manager.APK, Manager.DNF, Manager.YUM, Manager.MICRODNF}
)
# Commands that need no sources when every operand is an absolute path outside the copy.
_PATH_COMMANDS = frozenset({"rm", "mkdir", "ln", "chmod", "chown", "touch"})
_PLAIN_COMMANDS = frozenset({"true", ":", "echo", "set", "umask", "useradd", "groupadd", "adduser", "addgroup",
                             "corepack"})
# Options that make a manager read its manifests somewhere else than the working directory.
_RELOCATING = {
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
# Instructions a RUN may move across without a change to what it runs with.
_RUN_NEUTRAL = frozenset({"LABEL", "EXPOSE", "CMD", "ENTRYPOINT", "STOPSIGNAL", "HEALTHCHECK", "MAINTAINER"})
# Actions that install named packages.
_NAMED_ACTIONS = frozenset({"install", "add", "pip install", "global add"})
# Where system and language package managers write (packages, caches, homes); a copy
# into, above or below one of them may overlay what an install wrote.
_SYSTEM_DIRS = ("/bin", "/sbin", "/lib", "/lib64", "/etc", "/opt", "/root", "/home", "/tmp", "/usr/bin",
                "/usr/sbin", "/usr/lib", "/usr/lib64", "/usr/share", "/usr/include", "/usr/local/bin",
                "/usr/local/lib", "/usr/local/share", "/usr/local/include", "/var/lib", "/var/cache")
# What installs of the other ecosystems write in their working directory (their docs).
_OTHER_WRITES: dict[Manager, tuple[str, ...]] = {
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
# Project-level configuration files package managers read from their working directory.
_TOOL_CONFIG = frozenset({"auth.json", "settings.xml", "gradle.properties", "pip.conf", "pip.ini",
                          "NuGet.Config", "nuget.config", "bunfig.toml", "uv.toml", "poetry.toml"})
# Top-level folders of a Linux image that installs write to.
_SYSTEM_TOP = ("bin", "etc", "home", "lib", "lib64", "opt", "root", "sbin", "srv", "tmp", "usr", "var")
# Operands that name a file rather than a package.
_FILE_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tgz", ".deb", ".rpm", ".apk", ".gem", ".jar")


class _NoFix(Exception):
    """The finding stands but gets no fix; the message says why."""


@dataclass
class _Install:
    """What one install RUN needs: manifests (path → optional) and why moving it is unsafe."""

    text: str
    manifests: dict[str, bool] = field(default_factory=dict)
    #: Unsafe for a reason neither an option nor the context lifts.
    unsafe: list[str] = field(default_factory=list)
    #: Why the install may run the project's scripts, unless the context shows it does not.
    scripts: list[str] = field(default_factory=list)
    #: Folders the install writes, relative to its working directory.
    writes: list[str] = field(default_factory=list)
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

    def need(self, path: str, optional: bool = False) -> None:
        self.manifests[path] = self.manifests.get(path, True) and optional


def _plain_path(path: str) -> bool:
    """No variables, quotes, escapes, spaces or glob characters."""
    return bool(path) and not any(c in path for c in "$`*?[]{}'\"\\ \t")


def _words(cmd: SimpleCommand) -> str:
    return " ".join(w.raw for w in cmd.argv)


class ReorderDependencyCopy(Transform):
    meta = TransformMeta(
        code="DM201",
        name="reorder-dependency-copy",
        summary="`{install}` runs after `{copy}`, so any change to the sources re-runs it{why}",
        fix_title="Install before `{copy}`{first}",
        safety=FixSafety.UNSAFE,
        options=(
            Option("context", str, default=None,
                   help="The build context folder, relative to the Dockerfile's folder "
                        "(default: the Dockerfile's folder)"),
            Option("self-contained-manifests", bool, default=False,
                   help="Without a build context: manifests name no other local files (no "
                        "`-r base.txt`, `-e .`, `file:` dependencies…)"),
        ),
        examples=(
            Example(
                before="FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n",
                after="FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\n"
                      "RUN pip install -r requirements.txt\nCOPY . .\n",
                unsafe_fixes=True,
            ),
            Example(
                before="FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go mod download && go build -o /app .\n",
                after="FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum* ./\nRUN go mod download\n"
                      "COPY . .\nRUN go build -o /app .\n",
                unsafe_fixes=True,
            ),
            Example(before="FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\nCOPY . .\n"),
        ),
    )

    # -- whole file ------------------------------------------------------------------
    def transform(self, df: Dockerfile) -> Dockerfile:
        self._load_context()
        self._reasons: list[str] = []
        replacements: dict[int, list[Instruction]] = {}
        for stage in df.stages:
            self._stage(df, stage, replacements)
        if not replacements:
            return df
        body: list[Instruction] = []
        for ins in df.body:
            body.extend(replacements.get(id(ins), [ins]))
        body = _fix_final_newlines(body, df.style.newline)
        return df.with_changes(body=tuple(body))

    def _stage(self, df: Dockerfile, stage: Stage, out: dict[int, list[Instruction]]) -> None:
        ins = stage.instructions
        workdirs = self._workdirs(stage)
        model = self.context.model
        posix = True
        for i, c in enumerate(ins):
            posix = model.scope_at(c).posix_shell
            src = _folder_copy(c) if posix else None
            if src is None:
                continue
            found = self._install_after(ins, i)
            if found is None:
                if src == ".":
                    self._named_install(df, ins, i, workdirs[i], out)
                continue
            j, run, script, install, opaque = found
            if self._suppressed(c) or self._suppressed(run):
                continue
            install.src = src
            if src != "." and not self._subfolder_feeds(c, src, run, script, workdirs[i], workdirs[j], df.escape):
                continue
            msg = {"install": install.text, "copy": _copy_text(c)}
            if opaque is not None:
                self.report(run, no_fix_reason=opaque, manifests="the manifests", why="", first="", **msg)
                continue
            try:
                plan = self._plan(df, stage, i, j, run, script, install, workdirs)
            except _NoFix as e:
                self.report(run, no_fix_reason=str(e), manifests=_manifest_list(install.manifests), why="",
                            first=f", copying {_manifest_list(install.manifests)} first", **msg)
                continue
            (copies, rest), safety = plan
            why = f" (unsafe: {'; '.join(self._reasons)})" if self._reasons else ""
            first = f", copying {_manifest_list(install.manifests)} first"
            if self.propose(run, True, updated=False, safety=safety, why=why, first=first,
                            manifests=_manifest_list(install.manifests), **msg):
                out[id(c)] = copies
                out[id(run)] = rest
        for j, x in enumerate(ins):
            if isinstance(x, Run) and id(x) not in out and posix:
                self._copy_between(df, ins, j, workdirs, out)

    def _copy_between(self, df: Dockerfile, ins: list[Instruction], j: int, workdirs: list[str],
                      out: dict[int, list[Instruction]]) -> None:
        """A source or asset copy between the manifest copy and the install moves below it.

        ``COPY requirements.txt .`` / ``COPY src ./src`` / ``RUN pip install -r
        requirements.txt``: the install reads only its manifests, so ``COPY src`` goes
        right after it. Only COPY/ADD and instructions that change nothing a COPY reads
        may stand between; the install RUN must not need splitting.
        """
        run = ins[j]
        assert isinstance(run, Run)
        for script, opaque in _scripts(run):
            if opaque is not None or script.has_error:
                return
            calls = _calls(script)
            deps = [c for c in script.commands if c.span in calls and _is_dependency_step(calls[c.span])]
            if deps:
                break
        else:
            return
        install = _Install(text=_words(deps[0]))
        cwd = workdirs[j]
        try:
            head, tail = self._split(run, script, install, cwd, cwd)
            if tail or not cwd.startswith("/"):
                return
            self._check_manifests(install, install.cwd, install.cwd or cwd)
        except _NoFix:
            return
        cwd = install.cwd or cwd
        manifests = {posixpath.join(cwd, m): m for m in install.manifests}
        ctx_paths: dict[str, str] = {}
        candidate = None
        for k in range(j - 1, -1, -1):
            x = ins[k]
            if isinstance(x, (Copy, Add)):
                if x.heredocs or x.flag("from") is not None or _whole_context(x) or id(x) in out:
                    return
                landing = _landing(x, workdirs[k], df.escape, self._ctx)
                if landing is None:
                    return
                brought = {m: src for m in manifests for (path, src, tree) in landing
                           if m == path or (tree and m.startswith(path.rstrip("/") + "/"))}
                if brought:
                    for m, src in brought.items():
                        if src is not None:
                            ctx_paths[manifests[m]] = src if m in {p for p, _, _ in landing} else posixpath.join(
                                src, posixpath.relpath(m, next(p for p, s_, _ in landing if s_ == src)))
                    continue
                if candidate is None and _project_files(landing, cwd):
                    candidate = k
                continue
            if x.name in _NEUTRAL_INSTRUCTIONS - {"SHELL", "ONBUILD"} or isinstance(x, (Workdir, Env, Arg)):
                continue
            break
        if candidate is None or not ctx_paths:
            return
        c = ins[candidate]
        assert isinstance(c, (Copy, Add))
        between = ins[candidate + 1:j]
        dest = _plain_destination(c, df.escape)
        if dest is None or any(f.name not in _CARRIED_FLAGS for f in c.flags):
            return
        if any(isinstance(y, Workdir) for y in between) and not dest.startswith("/"):
            return
        if any(isinstance(y, (Env, Arg)) for y in between) and "$" in c.code:
            return
        if self._suppressed(c) or self._suppressed(run):
            return
        install.src = "."
        reasons = self._prove(install, cwd, ctx_paths=ctx_paths, moved=c, moved_cwd=workdirs[candidate])
        why = f" (unsafe: {'; '.join(reasons)})" if reasons else ""
        safety = FixSafety.UNSAFE if reasons else FixSafety.SAFE
        if self.propose(run, True, updated=False, safety=safety, why=why,
                        first=f", moving `{_copy_text(c)}` below it", install=install.text,
                        copy=_copy_text(c), manifests=_manifest_list(install.manifests)):
            out[id(c)] = []
            out[id(run)] = [run, c.with_changes(leading_lines=())] if not c.leading_lines else [run, c]

    def _workdirs(self, stage: Stage) -> list[str]:
        """The working directory at each instruction of ``stage``, from the model.

        Where the model does not know it (a base image's WORKDIR, a variable), it stands
        for "whatever the last WORKDIR before it (or the base) set": ``~`` plus that
        instruction's index, so two paths only compare equal when the same instructions
        set them.
        """
        model = self.context.model
        out = []
        root = "~"
        for n, ins in enumerate(stage.instructions):
            if isinstance(ins, Workdir):
                root = f"~{n}"
            known = model.scope_at(ins).workdir
            out.append(known if known is not None else root)
        return out

    def _named_install(self, df: Dockerfile, ins: list[Instruction], i: int, cwd: str,
                       out: dict[int, list[Instruction]]) -> None:
        """A RUN right after the whole-context copy that installs named packages only.

        ``pip install flask gunicorn``, ``apt-get install …``, ``npm install -g …`` read
        nothing the copy brings, so the RUN moves above the copy, where a source edit no
        longer re-runs it. Only instructions that do not change a RUN's environment may
        stand between (LABEL, EXPOSE, CMD…); the next such RUN moves in the next pass.
        """
        c = ins[i]
        assert isinstance(c, (Copy, Add))
        dest = _plain_destination(c, df.escape)
        dest_dir = _resolve(cwd, dest) if dest is not None else None
        for j in range(i + 1, len(ins)):
            x = ins[j]
            if isinstance(x, Run):
                break
            if x.name not in _RUN_NEUTRAL:
                return
        else:
            return
        run = ins[j]
        assert isinstance(run, Run)
        if run.heredocs or isinstance(run.command, JsonArray) or run.command is None:
            return
        if any(f.mount is not None and f.mount.type == "bind" and f.mount.from_ is None for f in run.flags):
            return
        script = parse_shell(run.command)
        calls = _calls(script)
        installs = [call for call in calls.values() if call.action in _NAMED_ACTIONS]
        if script.has_error or not installs or not _run_needs_no_sources(run, dest_dir):
            return
        if self._suppressed(c) or self._suppressed(run):
            return
        reasons = []
        if dest_dir is None or not dest_dir.startswith("/"):
            reasons.append("the copy's destination is not known")
        elif dest_dir == "/" or any(dest_dir == d or d.startswith(dest_dir + "/") or dest_dir.startswith(d + "/")
                                    for d in _SYSTEM_DIRS):
            reasons.append(f"the copy's destination `{dest_dir}` may hold what the install writes")
        why = f" (unsafe: {'; '.join(reasons)})" if reasons else ""
        safety = FixSafety.UNSAFE if reasons else FixSafety.SAFE
        # Each keeps the comment lines above it.
        moved, copy = run, c
        if self.propose(run, True, updated=False, safety=safety, why=why, first="",
                        install=_words(installs[0].command), copy=_copy_text(c), manifests="no manifest"):
            out[id(c)] = [moved]
            out[id(run)] = [copy]

    # -- finding the install ---------------------------------------------------------
    def _install_after(self, ins: list[Instruction], i: int):  # type: ignore[no-untyped-def]
        """The first dependency install after ``ins[i]``: (index, run, script, install, why-no-fix).

        Exec-form and heredoc RUNs are recognised too, and reported without a fix.
        """
        for j in range(i + 1, len(ins)):
            x = ins[j]
            if _whole_context(x):
                return None
            if not isinstance(x, Run):
                continue
            for script, opaque in _scripts(x):
                if script.has_error:
                    continue
                calls = _calls(script)
                deps = [c for c in script.commands if c.span in calls and (
                    _is_dependency_step(calls[c.span]) or _mixed_pip(calls[c.span]))]
                if deps:
                    return j, x, script, _Install(text=_words(deps[0])), opaque
                projects = [c for c in script.commands if c.span in calls and _project_step(calls[c.span])]
                if projects:
                    if _deps_step_before(ins, i, calls[projects[0].span].manager):
                        return None  # already deps-first; the project install needs the sources
                    return j, x, script, _Install(text=_words(projects[0])), opaque
        return None

    def _subfolder_feeds(self, c: Copy | Add, src: str, run: Run, script: ShellScript, copy_cwd: str,
                         run_cwd: str, escape: str) -> bool:
        """A copy of one context folder (not the root) is the sources the install reads.

        That is so when the install runs in the copy's destination; the source is then a
        folder (a file copied there could not be a working directory), which the context,
        when at hand, must confirm.
        """
        dest = _plain_destination(c, escape)
        if dest is None:
            return False
        dest_dir = _resolve(copy_cwd, dest)
        if _install_cwd(script, run_cwd) != dest_dir:
            return False
        ctx = self._ctx
        if ctx is not None:
            return ctx.is_dir(src)
        # Without the context: `app/` names a folder; so does a source copied to a path
        # (not into a folder) that did not exist before (no earlier WORKDIR there) and
        # that the install then uses as its working directory. `COPY package.json /app`
        # after `WORKDIR /app` copies a file into the folder.
        raw = c.sources[0]
        if raw.endswith("/"):
            return True
        if dest.endswith("/") or posixpath.normpath(dest) in (".", "..") or "." in posixpath.basename(src):
            return False
        return copy_cwd != dest_dir and not copy_cwd.startswith(dest_dir.rstrip("/") + "/")

    # -- planning --------------------------------------------------------------------
    def _plan(self, df: Dockerfile, stage: Stage, i: int, j: int, run: Run,
              script: ShellScript, install: _Install,
              workdirs: list[str]) -> tuple[tuple[list[Instruction], list[Instruction]], FixSafety]:
        ins = stage.instructions
        c = ins[i]
        assert isinstance(c, (Copy, Add))
        escape = df.escape
        dest = _plain_destination(c, escape)
        dest_dir = _resolve(workdirs[i], dest) if dest is not None else None
        expanded = False
        if dest is None and c.destination is not None and "$" in c.destination:
            # `COPY . $APP_HOME`: the model expands it; the manifest copy keeps the text,
            # which means the same where it is inserted (the copy's own position).
            model = self.context.model
            value = model.scope_at(c).expand(c.destination)
            if value is not None and value.startswith("/") and _plain_path(value) and \
                    model.scope_at(run).expand(c.destination) == value and _plain_variables(c.destination):
                dest, dest_dir, expanded = c.destination, posixpath.normpath(value), True
        if any(f.name not in _CARRIED_FLAGS for f in c.flags):
            bad = next(f.text for f in c.flags if f.name not in _CARRIED_FLAGS)
            raise _NoFix(f"`{bad}` on the copy is not carried to a manifest copy")
        if any("\n" in f.raw for f in c.flags):
            raise _NoFix("a flag of the copy spans lines")
        if dest is None:
            raise _NoFix("the copy's destination has variables or quotes")
        # What the copy crosses on its way down.
        has_vars = any("$" in f.raw for f in c.flags) or (expanded and any(
            self.context.model.scope_at(x).expand(c.destination or "") != dest_dir  # type: ignore[attr-defined]
            for x in ins[i + 1:j + 1]))
        for x in ins[i + 1:j]:
            if isinstance(x, Workdir) and not dest.startswith("/"):
                raise _NoFix("a `WORKDIR` between them changes where the relative destination lands")
            if isinstance(x, (Env, Arg)) and has_vars:
                raise _NoFix(f"`{x.name}` between them may change the copy's variables")
            if isinstance(x, Run):
                if _builds_project(x):
                    raise _NoFix("a `RUN` between them builds the project from the sources")
                if not _run_needs_no_sources(x, dest_dir):
                    install.unsafe.append("a `RUN` between them may need the sources")
            elif isinstance(x, (Copy, Add)):
                install.unsafe.append(f"`{x.name}` between them may overlap the sources")
            elif not isinstance(x, (Workdir, Env, Arg)) and x.name not in _NEUTRAL_INSTRUCTIONS:
                raise _NoFix(f"`{x.name}` between them")
        for f in run.flags:
            m = f.mount
            if m is not None and m.type == "bind" and m.from_ is None:
                raise _NoFix("the install mounts the build context")
        head, tail = self._split(run, script, install, dest_dir, workdirs[j])
        self._check_manifests(install, dest_dir, install.cwd or workdirs[j])
        reasons = self._prove(install, dest_dir)
        copies = self._manifest_copies(df, stage, i, c, dest, dest_dir, install, workdirs)
        self._reasons = reasons
        safety = FixSafety.UNSAFE if reasons else FixSafety.SAFE
        return (copies, [head, c, *tail]), safety

    # -- proving it safe ---------------------------------------------------------------
    def _load_context(self) -> None:
        self._ctx: BuildContext | None = None
        self._ctx_error: str | None = None
        try:
            self._ctx = open_context(self.context.path, self.option("context"))
        except ContextError as e:
            self._ctx_error = str(e)

    def _prove(self, install: _Install, dest_dir: str | None, *, ctx_paths: dict[str, str] | None = None,
               moved: Copy | Add | None = None, moved_cwd: str | None = None) -> list[str]:
        """Why the reorder may change the image; empty when the context proves it does not.

        The three conditions: the manifests are self-contained, the install runs no
        project script, and the copy lays nothing over what the install wrote.
        """
        reasons = list(install.unsafe)
        ctx = self._ctx
        if ctx is None and moved is not None:
            if not self.option("self-contained-manifests"):
                reasons.append("no build context shows that the manifests do not name the moved files")
            reasons.extend(install.scripts)
            if install.writes:
                reasons.append(f"no build context shows that `{_copy_text(moved)}` lays nothing over what "
                               "the install wrote")
            return reasons
        if ctx is None:
            where = f" ({self._ctx_error})" if self._ctx_error else ""
            if not self.option("self-contained-manifests"):
                reasons.append(f"no build context{where} shows that the manifests name no other local files")
            reasons.extend(install.scripts)
            for w in install.writes:
                reasons.append(f"no build context{where} shows that the copy lays no `{w}` over the install's")
            if dest_dir == "/":
                reasons.append("the sources are copied to `/`, over every folder the install writes")
            return reasons
        src = install.src

        def in_ctx(path: str) -> str:
            if ctx_paths is not None:
                return ctx_paths.get(path, path)
            return path if src == "." else posixpath.join(src, path)

        found, missing = read_manifests({in_ctx(p): o for p, o in install.manifests.items()}, ctx.read,
                                        requirement_files=frozenset(map(in_ctx, install.requirement_files)))
        for path in missing:
            reasons.append(f"the context does not send `{path}`")
        reasons.extend(found.not_self_contained)
        for inc in found.includes:
            if ctx_paths is not None:
                if inc not in ctx_paths.values():
                    reasons.append(f"a manifest includes `{inc}`, which no manifest copy brings first")
                continue
            rel = inc if src == "." else posixpath.relpath(inc, src)
            if rel.startswith("../"):
                reasons.append(f"`{inc}` is included from outside the copied folder")
            else:
                install.manifests.setdefault(rel, False)
        if install.scripts:
            # The context shows whether the project has scripts the install would run.
            if any(posixpath.basename(p) in ("package.json", "composer.json") for p in install.manifests):
                reasons.extend(found.scripts)
            else:
                reasons.extend(install.scripts)
        if moved is not None:
            # Only the moved copy can lay files over what the install wrote.
            landing = _landing(moved, moved_cwd or "/", self.context.dockerfile.escape, ctx) or []
            for w in install.writes:
                target = posixpath.join(dest_dir or "/", w)
                for path, from_, tree in landing:
                    under = target == path or target.startswith(path.rstrip("/") + "/")
                    if under and (from_ is None or ctx.sends(posixpath.join(from_, posixpath.relpath(target, path)))):
                        reasons.append(f"`{_copy_text(moved)}` may lay a `{w}` over what the install wrote")
            return reasons
        for w in install.writes:
            if ctx.sends(in_ctx(w)):
                reasons.append(f"the context sends `{w}`, which the copy would lay over what the install "
                               "wrote (exclude it in `.dockerignore`)")
        if dest_dir == "/":
            for top in _SYSTEM_TOP:
                if ctx.sends(top):
                    reasons.append(f"the sources are copied to `/` and the context sends `{top}`")
        return reasons

    def _split(self, run: Run, script: ShellScript, install: _Install,
               dest_dir: str | None, workdir: str) -> tuple[Run, list[Run]]:
        commands = script.commands
        calls = _calls(script)
        kinds = []
        cwd = workdir
        for cmd in commands:
            call = calls.get(cmd.span)
            target = _cd_target(cmd)
            project = call is not None and "dep" not in kinds and "project" not in kinds and _project_step(call)
            if call is not None and "mixed" not in kinds and _mixed_pip(call):
                # `pip install -r requirements.txt .`: the `-r` part goes first, the
                # project install stays after the copy.
                if cmd.nested or cmd.operator not in (None, *_SEQ) or cmd.previous_operator not in (None, *_SEQ):
                    raise _NoFix("the install is conditional or part of a pipeline")
                if "source" in kinds:
                    kinds.append("source")
                    continue
                install.cwd = install.cwd or cwd
                _needs(call, install)
                kinds.append("mixed")
                continue
            if call is not None and (_is_dependency_step(call) or project):
                if cmd.nested or cmd.operator not in (None, *_SEQ) or cmd.previous_operator not in (None, *_SEQ):
                    raise _NoFix("the install is conditional or part of a pipeline")
                if install.cwd is None:
                    install.cwd = cwd
                elif install.cwd != cwd:
                    raise _NoFix("the installs of the `RUN` run in different directories")
                if project:
                    _project_needs(call, install)
                    kinds.append("project")
                    continue
                _needs(call, install)
                kinds.append("dep")
            elif target is not None and "source" not in kinds:
                # `cd` into a folder needs no sources: the manifest copy creates it.
                cwd = _resolve(cwd, target)
                kinds.append("cd")
            elif _needs_no_sources(cmd, call, dest_dir):
                kinds.append("neutral")
            else:
                kinds.append("source")
        if "project" in kinds:
            return self._deps_only_step(run, script, kinds, install), [run]
        if "mixed" in kinds:
            return self._split_mixed(run, script, kinds, calls)
        first_source = kinds.index("source") if "source" in kinds else len(kinds)
        if "dep" in kinds[first_source:]:
            raise _NoFix(f"`{_words(commands[first_source])}` runs before the install in the same `RUN`")
        if first_source == len(kinds):
            return run, []
        if isinstance(run.command, JsonArray):
            raise _NoFix("an exec-form `RUN` cannot be split")
        for cmd in commands:
            if cmd.nested or cmd.operator not in (None, *_SEQ) or cmd.previous_operator not in (None, *_SEQ):
                raise _NoFix("the `RUN` is not one `&&`/`;` list, so it cannot be split")
        if commands[first_source].previous_operator == ";":
            install.unsafe.append("the `RUN` is split at a `;`: a command before it that fails now stops the build")
        assert run.command is not None and not isinstance(run.command, str)
        head_cmd = run.command
        for _ in range(len(commands) - first_source):
            script = parse_shell(head_cmd)
            head_cmd = remove_command(head_cmd, script.commands[-1])  # type: ignore[arg-type,assignment]
            if head_cmd is None:
                raise _NoFix("the `RUN` cannot be split without losing a comment")
        tail_cmd = run.command
        # The rest keeps the `cd`s before it, so it runs where it ran.
        for k in reversed(range(first_source)):
            if kinds[k] == "cd":
                continue
            script = parse_shell(tail_cmd)
            tail_cmd = remove_command(tail_cmd, script.commands[k])  # type: ignore[arg-type,assignment]
            if tail_cmd is None:
                raise _NoFix("the `RUN` cannot be split without losing a comment")
        head = run.with_changes(command=head_cmd)
        tail = run.with_changes(command=tail_cmd, leading_lines=())
        return head, [tail]

    def _split_mixed(self, run: Run, script: ShellScript, kinds: list[str],
                     calls: dict[tuple[int, int], PackageManagerCall]) -> tuple[Run, list[Run]]:
        """``pip install -r req.txt .`` → ``pip install -r req.txt`` before the copy, and
        ``pip install .`` (with the other options, and what followed) after it."""
        at = kinds.index("mixed")
        if "dep" in kinds or "project" in kinds:
            raise _NoFix("the `RUN` installs dependencies in more than one command")
        if isinstance(run.command, JsonArray) or run.command is None:
            raise _NoFix("an exec-form `RUN` cannot be split")
        for cmd in script.commands:
            if cmd.nested or cmd.operator not in (None, *_SEQ) or cmd.previous_operator not in (None, *_SEQ):
                raise _NoFix("the `RUN` is not one `&&`/`;` list, so it cannot be split")
        head_cmd = run.command
        for _ in range(len(script.commands) - at - 1):
            head_cmd = remove_command(head_cmd, parse_shell(head_cmd).commands[-1])  # type: ignore[arg-type,assignment]
            if head_cmd is None:
                raise _NoFix("the `RUN` cannot be split without losing a comment")
        call = _calls(parse_shell(head_cmd))[parse_shell(head_cmd).commands[at].span]
        local = [w for w in call.operands if w.text in call.local_paths]
        local += [w for o in call.options if o.name in ("-e", "--editable") for w in o.words]
        head_cmd = remove_words(head_cmd, local)  # type: ignore[assignment]
        tail_cmd = run.command
        for k in reversed(range(at)):
            if kinds[k] == "cd":
                continue
            tail_cmd = remove_command(tail_cmd, parse_shell(tail_cmd).commands[k])  # type: ignore[arg-type,assignment]
            if tail_cmd is None:
                raise _NoFix("the `RUN` cannot be split without losing a comment")
        tail_script = parse_shell(tail_cmd)
        at_tail = [k for k in range(at) if kinds[k] == "cd"].__len__()
        tcall = _calls(tail_script)[tail_script.commands[at_tail].span]
        reqs = [w for o in tcall.options if o.name in ("-r", "--requirement", "-c", "--constraint") for w in o.words]
        tail_cmd = remove_words(tail_cmd, reqs)  # type: ignore[assignment]
        if head_cmd is None or tail_cmd is None:
            raise _NoFix("the install cannot be split into its `-r` part and the project install")
        return run.with_changes(command=head_cmd), [run.with_changes(command=tail_cmd, leading_lines=())]

    def _deps_only_step(self, run: Run, script: ShellScript, kinds: list[str], install: _Install) -> Run:
        """The RUN that installs only the dependencies, before the copy; ``run`` stays after it.

        It keeps ``run``'s flags (cache mounts) and the commands before the project
        install that need no sources (``pip install poetry``, ``cd``); it is the project
        install with ``--no-root``/``--no-install-project`` added, or ``go mod download``.
        """
        at = kinds.index("project")
        if "source" in kinds[:at]:
            first = kinds.index("source")
            raise _NoFix(f"`{_words(script.commands[first])}` runs before the install in the same `RUN`")
        if isinstance(run.command, JsonArray) or run.command is None:
            raise _NoFix("the `RUN` is not in shell form, so no dependency step is derived from it")
        for cmd in script.commands[:at + 1]:
            if cmd.previous_operator not in (None, "&&"):
                raise _NoFix("the `RUN` is not one `&&` chain")
        head_cmd = run.command
        for _ in range(len(script.commands) - at - 1):
            head_cmd = remove_command(head_cmd, parse_shell(head_cmd).commands[-1])  # type: ignore[arg-type,assignment]
            if head_cmd is None:
                raise _NoFix("the `RUN` cannot be split without losing a comment")
        if install.extra_words:
            last = parse_shell(head_cmd).commands[at]
            head_cmd = insert_words_after(head_cmd, last.argv[-1], list(install.extra_words))  # type: ignore[assignment]
            if head_cmd is None:
                raise _NoFix("the dependency step cannot be written from the install")
            return run.with_changes(command=head_cmd)
        # A new command replaces the project install: rebuild the RUN from its text.
        assert install.extra_command is not None
        before = head_cmd.raw[:parse_shell(head_cmd).commands[at].span[0]] if at else ""
        flags = "".join(f.raw + " " for f in run.flags)
        newline = self.context.dockerfile.style.newline
        text = f"{run.keyword} {flags}{before}{install.extra_command}{newline}"
        try:
            node = parse_instruction(text, self.context.dockerfile.escape)
        except ParseError as e:
            raise _NoFix("the dependency step would not parse") from e
        return node.with_changes(leading_lines=run.leading_lines, indent=run.indent)

    def _check_manifests(self, install: _Install, dest_dir: str | None, cwd: str) -> None:
        out: dict[str, bool] = {}
        for path, optional in install.manifests.items():
            if not _plain_path(path):
                raise _NoFix(f"the manifest `{path}` is named through a variable or pattern")
            if path.startswith("/"):
                if dest_dir is None or not dest_dir.startswith("/") or not path.startswith(dest_dir.rstrip("/") + "/"):
                    raise _NoFix(f"`{path}` is not part of the copied sources")
                path = path[len(dest_dir.rstrip("/")) + 1:]
            elif cwd != dest_dir:
                raise _NoFix("the install runs in another directory than the one the sources are copied to")
            norm = posixpath.normpath(path)
            if norm.startswith("..") or norm == ".":
                raise _NoFix(f"`{path}` is not part of the copied sources")
            out[norm] = out.get(norm, True) and optional
        install.manifests = out

    def _manifest_copies(self, df: Dockerfile, stage: Stage, i: int, c: Copy | Add, dest: str,
                         dest_dir: str | None, install: _Install, workdirs: list[str]) -> list[Instruction]:
        already = _copied_before(stage, i, dest_dir, workdirs, df.escape)
        by_dir: dict[str, list[str]] = {}
        required: dict[str, str] = {}
        for path, optional in install.manifests.items():
            d = posixpath.dirname(path)
            if not optional:
                required.setdefault(d, path)
            if any(fnmatch.fnmatchcase(path, pat) for pat in already):
                continue
            by_dir.setdefault(d, []).append(path + ("*" if optional else ""))
        style = df.style
        keyword = style.keyword("COPY")
        flags = "".join(f.raw + " " for f in c.flags)
        base = dest if dest.endswith("/") else dest + "/"
        blank = []
        for line in c.leading_lines:
            if line.is_comment:
                break
            blank.append(line)
        copies: list[Instruction] = []
        prefix = "" if install.src == "." else c.sources[0].rstrip("/") + "/"
        for d in sorted(by_dir):
            names = by_dir[d]
            if all(n.endswith("*") for n in names):
                # The classic builder needs one source to match. Copy a required manifest
                # again (an earlier COPY brought it, so it exists), else name the first.
                if d in required:
                    names.insert(0, required[d])
                else:
                    names[0] = names[0].rstrip("*")
            target = base + (d + "/" if d else "")
            text = f"{keyword} {flags}{' '.join(prefix + n for n in names)} {target}{style.newline}"
            try:
                node = parse_instruction(text, df.escape)
            except ParseError as e:  # pragma: no cover - names are checked plain above
                raise _NoFix("the manifest copy would not parse") from e
            copies.append(node.with_changes(leading_lines=tuple(blank) if not copies else (),
                                            indent=c.indent))
        return copies


# Operators a RUN may be split at (`;` with a caveat, see `_split`).
_SEQ = ("&&", ";")


# -- helpers: instructions ---------------------------------------------------------------


def _folder_copy(ins: Instruction) -> str | None:
    """The context folder a one-source ``COPY``/``ADD`` copies (``.``: the whole context).

    ``ADD`` counts only for ``.`` or a source ending in ``/`` (anything else may be an
    archive it extracts or a URL).
    """
    if not isinstance(ins, (Copy, Add)) or ins.heredocs or ins.flag("from") is not None:
        return None
    sources = ins.sources
    if len(sources) != 1:
        return None
    src = sources[0]
    if ins.json is None:
        try:
            src = process_word(src, ins.arguments[0].escape)
        except LexError:
            return None
    norm = posixpath.normpath(src) if src else ""
    if norm == ".":
        return "."
    if isinstance(ins, Add) and not src.endswith("/"):
        return None
    if not _plain_path(src) or norm.startswith("..") or norm.startswith("/") or "://" in src:
        return None
    return norm


def _landing(c: Copy | Add, cwd: str, escape: str,
             ctx: BuildContext | None) -> list[tuple[str, str | None, bool]] | None:
    """Where a context copy's sources land: (absolute path, context source, whole tree).

    ``tree``: everything below the path may come from the copy (a folder's contents).
    None when a source or the destination is not plain.
    """
    dest = _plain_destination(c, escape)
    if dest is None:
        return None
    target = _resolve(cwd, dest)
    sources = c.sources
    into_dir = dest.endswith("/") or len(sources) > 1 or posixpath.normpath(dest) in (".", "..")
    out: list[tuple[str, str | None, bool]] = []
    for raw in sources:
        if not _plain_path(raw) or "://" in raw:
            return None
        src = posixpath.normpath(raw)
        if src.startswith("..") or src.startswith("/"):
            return None
        if ctx is not None:
            folder = ctx.is_dir(src)
        else:
            folder = raw.endswith("/") or "." not in posixpath.basename(src)
        if folder:
            # A folder's contents land in the destination itself.
            out.append((target, src, True))
        elif into_dir:
            out.append((posixpath.join(target, posixpath.basename(src)), src, False))
        else:
            # `COPY a.txt /app`: /app/a.txt when /app is a folder already, else /app.
            out.append((target, src, False))
            out.append((posixpath.join(target, posixpath.basename(src)), src, False))
    return out


def _project_files(landing: list[tuple[str, str | None, bool]], cwd: str) -> bool:
    """Every path lands inside the project folder ``cwd`` (not ``/``), and none is a dot
    file at its top, where tools look for their configuration (``.npmrc``, ``.mvn/``,
    ``.bundle/``…); nor a named config file (``auth.json``, ``settings.xml``…)."""
    if cwd == "/" or not cwd.startswith("/"):
        return False
    inside = cwd.rstrip("/") + "/"
    for path, _, _ in landing:
        if not path.startswith(inside):
            return False
        top = path[len(inside):].split("/")[0]
        if top.startswith(".") or top in _TOOL_CONFIG:
            return False
    return True


def _scripts(run: Run) -> list[tuple[ShellScript, str | None]]:
    """The shell scripts of a RUN, each with why it gets no fix (None: it may get one)."""
    if run.heredocs:
        return [(parse_heredoc_body(h), "the install is in a heredoc, which dockmod does not split")
                for h in run.heredocs]
    if isinstance(run.command, JsonArray):
        values = run.command.values
        if not values:
            return []
        # One command, no shell: the RUN can move whole, but not be split.
        return [(parse_shell(shlex.join(values)), None)]
    if run.command is None:
        return []
    return [(parse_shell(run.command), None)]


def _cd_target(cmd: SimpleCommand) -> str | None:
    """The folder of a plain ``cd DIR`` (static, no options), else None."""
    if cmd.name != "cd" or cmd.nested or len(cmd.args) != 1 or cmd.assignments or cmd.redirects:
        return None
    word = cmd.args[0]
    if not word.static or word.text.startswith("-") or not _plain_path(word.text.rstrip("/") or "/"):
        return None
    return word.text


def _install_cwd(script: ShellScript, workdir: str) -> str:
    """Where the first dependency install of ``script`` runs: ``workdir`` after leading ``cd``s."""
    calls = _calls(script)
    cwd = workdir
    for cmd in script.commands:
        call = calls.get(cmd.span)
        if call is not None and _is_dependency_step(call):
            return cwd
        target = _cd_target(cmd)
        if target is not None:
            cwd = _resolve(cwd, target)
    return cwd


def _whole_context(ins: Instruction) -> bool:
    """``COPY . .``/``ADD ./ /app``: one source that is the context root, from the context."""
    if not isinstance(ins, (Copy, Add)) or ins.heredocs or ins.flag("from") is not None:
        return False
    sources = ins.sources
    if len(sources) != 1:
        return False
    src = sources[0]
    if ins.json is None:
        try:
            src = process_word(src, ins.arguments[0].escape)
        except LexError:
            return False
    return posixpath.normpath(src) == "."


def _copy_text(c: Instruction) -> str:
    assert isinstance(c, (Copy, Add))
    return " ".join([c.name, *c.paths])


def _plain_variables(dest: str) -> bool:
    """Only ``$NAME``/``${NAME}`` expansions besides plain path characters."""
    rest = re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*", "", dest)
    return not rest or _plain_path(rest)


def _plain_destination(c: Copy | Add, escape: str) -> str | None:
    dest = c.destination
    if dest is None:
        return None
    if c.json is None:
        if any(ch in dest for ch in "$'\"" + escape) or any(ch.isspace() for ch in dest):
            return None
    elif any(ch in dest for ch in "$'\"\\") or any(ch.isspace() for ch in dest):
        return None
    return dest


def _resolve(cwd: str, path: str) -> str:
    if path.startswith("/"):
        return posixpath.normpath(path)
    return posixpath.normpath(posixpath.join(cwd, path))


def _copied_before(stage: Stage, i: int, dest_dir: str | None, workdirs: list[str], escape: str) -> list[str]:
    """Source patterns earlier plain COPYs put into ``dest_dir`` (relative to it)."""
    out = []
    for k, x in enumerate(stage.instructions[:i]):
        if not isinstance(x, Copy) or x.flag("from") is not None or x.heredocs or _whole_context(x):
            continue
        dest = _plain_destination(x, escape)
        if dest is None or len(x.paths) < 2:
            continue
        target = _resolve(workdirs[k], dest)
        for src in x.sources:
            if not _plain_path(src.replace("*", "").replace("?", "")):
                continue
            into_dir = dest.endswith("/") or posixpath.normpath(dest) in (".", "..") \
                or len(x.sources) > 1 or "*" in src or "?" in src
            # Into a directory the file keeps its name; ``COPY a.txt /x/b.txt`` writes b.txt.
            landed = posixpath.join(target, posixpath.basename(posixpath.normpath(src))) if into_dir else target
            rel = posixpath.relpath(landed, dest_dir) if dest_dir is not None else None
            if rel is not None and not rel.startswith(".."):
                out.append(rel)
    return out


def _fix_final_newlines(body: list[Instruction], newline: str) -> list[Instruction]:
    """Every instruction but the last ends its line.

    An install that was last in a file without a final newline gains one; the moved copy
    keeps its own, so the file then ends with a newline (the copy stays byte-identical).
    """
    out = []
    for n, ins in enumerate(body):
        if n < len(body) - 1 and not ins.heredocs and not ins.trailing.newline:
            ins = ins.with_changes(trailing=TrailingWhitespace(ins.trailing.whitespace, newline))
        out.append(ins)
    return out


def _manifest_list(manifests: dict[str, bool]) -> str:
    return ", ".join(f"`{p}`" for p in manifests) or "the manifests"


# -- helpers: shell ----------------------------------------------------------------------


def _calls(script: ShellScript) -> dict[tuple[int, int], PackageManagerCall]:
    """The package-manager call of each command, by the command's span."""
    return {call.command.span: call for call in pm_calls(script)}


def _ignores_scripts(call: PackageManagerCall) -> bool:
    return call.has_option("--ignore-scripts")


def _is_dependency_step(call: PackageManagerCall) -> bool:
    """A call that installs dependencies from manifests in the working directory: the
    ecosystem table's ``InstallKind.DEPENDENCIES`` (``npm ci``, ``pip install -r``,
    ``poetry install --no-root``, ``go mod download``, ``mix deps.get``, ``dotnet
    restore``…)."""
    if call.kind is not InstallKind.DEPENDENCIES:
        return False
    if call.manager in (Manager.PIP, Manager.UV) and call.action in ("install", "pip install"):
        return bool(call.files) and not call.local_paths and not _file_operands(call)
    return not call.has_option("-g", "--global")


def _builds_project(run: Run) -> bool:
    """The RUN installs or builds the project itself (``pip install .``, ``go build``…)."""
    for script, _ in _scripts(run):
        for call in _calls(script).values():
            if _project_step(call) or (call.manager in (Manager.PIP, Manager.UV) and call.local_paths):
                return True
    return False


def _mixed_pip(call: PackageManagerCall) -> bool:
    """``pip install -r requirements.txt .``: requirement files and the local project."""
    return (call.manager in (Manager.PIP, Manager.UV) and call.action in ("install", "pip install")
            and bool(call.files) and bool(call.local_paths)
            and not any(not w.static or (w.text not in call.local_paths and ("/" in w.text or
                        w.text.endswith(_FILE_SUFFIXES))) for w in call.operands))


def _project_step(call: PackageManagerCall) -> bool:
    """A project install that also installs the dependencies, which a deps-only step can
    install first: ``poetry install`` (Poetry FAQ: ``--no-root``), ``uv sync`` (uv's Docker
    guide: ``--no-install-project``) and ``go build`` (Docker's Go guide: ``go mod
    download`` first). The table says it is a project install; this says how to split it."""
    if call.kind is not InstallKind.PROJECT:
        return False
    m, a = call.manager, call.action
    if m is Manager.POETRY:
        return a == "install" and not call.has_option("--no-root", "--only-root")
    if m is Manager.UV:
        return a == "sync" and not call.has_option("--no-install-project", "--only-install-project")
    if m is Manager.GO:
        mod = call.option("-mod")
        vendor = (mod is not None and mod.value == "vendor") or call.has_option("-mod=vendor", "--mod=vendor")
        return a == "build" and not vendor
    return False


def _deps_step_before(ins: list[Instruction], i: int, manager: Manager) -> bool:
    """A RUN before ``ins[i]`` already installs ``manager``'s dependencies only."""
    for x in ins[:i]:
        if isinstance(x, Run):
            for script, _ in _scripts(x):
                if any(c.manager is manager and _is_dependency_step(c) for c in _calls(script).values()):
                    return True
    return False


def _project_needs(call: PackageManagerCall, install: _Install) -> None:
    """The manifests and the deps-only step of a project install (see :func:`_project_step`)."""
    _check_options(call)
    m = call.manager
    if m is Manager.GO:
        install.extra_command = "go mod download"
        install.need("go.mod")
        install.need("go.sum", optional=True)
        return
    if m is Manager.POETRY:
        install.extra_words = ("--no-root",)
    else:
        install.extra_words = ("--no-install-project",)
    _needs(call, install)


def _check_options(call: PackageManagerCall) -> None:
    for opt in call.options:
        if opt.name in _RELOCATING.get(call.manager, ()):
            raise _NoFix(f"`{opt.name}` makes the install read another directory")
        if opt.value is not None and any(not w.static for w in opt.words):
            raise _NoFix(f"`{opt.name}` has a variable")


def _file_operands(call: PackageManagerCall) -> bool:
    return any(not w.static or "/" in w.text or w.text.endswith(_FILE_SUFFIXES) for w in call.operands)


def _needs(call: PackageManagerCall, install: _Install) -> None:
    """Record the manifests ``call`` reads and what makes moving it unsafe."""
    _check_options(call)
    m, a = call.manager, call.action
    scripts = f"`{_words(call.command)}` may run the project's lifecycle scripts (no `--ignore-scripts`)"
    if m in (Manager.PIP, Manager.UV) and a in ("install", "pip install"):
        for f in call.files:
            install.need(f)
            install.requirement_files.add(f)
        for opt in call.options:
            if opt.name in ("-t", "--target", "--prefix", "--root", "--src") and opt.value:
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
        if not _ignores_scripts(call):
            install.scripts.append(scripts)
    elif m is Manager.YARN:
        install.writes.extend(("node_modules", ".yarn", ".pnp.cjs", ".pnp.loader.mjs"))
        install.need("package.json")
        install.need("yarn.lock", optional=not call.has_option("--frozen-lockfile", "--immutable"))
        install.need(".yarnrc", optional=True)
        install.need(".npmrc", optional=True)
        if not _ignores_scripts(call):
            install.scripts.append(scripts)
    elif m is Manager.PNPM:
        install.writes.append("node_modules")
        if a != "fetch":
            install.need("package.json")
            install.need("pnpm-workspace.yaml", optional=True)
            if not _ignores_scripts(call):
                install.scripts.append(scripts)
        install.need("pnpm-lock.yaml", optional=not (a == "fetch" or call.has_option("--frozen-lockfile")))
        install.need(".npmrc", optional=True)
    elif m is Manager.GO:
        install.need("go.mod")
        install.need("go.sum", optional=True)
    elif m is Manager.CARGO:
        raise _NoFix("`cargo fetch` needs a target source file (`src/main.rs` or `src/lib.rs`)")
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
        if a == "update":  # re-resolves and rewrites the lock file
            install.writes.append("composer.lock")
        install.need("composer.json")
        install.need("composer.lock", optional=True)
        if not call.has_option("--no-scripts"):
            install.scripts.append("`composer install` may run the project's scripts (no `--no-scripts`)")
        if not call.has_option("--no-autoloader") and call.has_option(
                "-o", "--optimize-autoloader", "-a", "--classmap-authoritative"):
            install.unsafe.append("an optimised autoloader is built before the sources are there")
    elif m is Manager.MAVEN:
        install.need(call.files[0] if call.files else "pom.xml")
    else:
        # The other ecosystems: manifests from the table; lock files may be absent.
        for f in call.info.manifests(call):
            install.need(f, optional=bool(re.search(r"lock|\.resolved$", f, re.IGNORECASE)))
        writes = _OTHER_WRITES.get(m)
        if writes is None:
            install.unsafe.append(f"dockmod does not know what `{_words(call.command)}` writes in its "
                                  "working directory")
        else:
            install.writes.extend(writes)
        if m is Manager.BUN and not _ignores_scripts(call):
            install.scripts.append(scripts)


def _needs_no_sources(cmd: SimpleCommand, call: PackageManagerCall | None, dest_dir: str | None) -> bool:
    """Whether ``cmd`` (whose package-manager call is ``call``) reads nothing the copy brings."""
    if cmd.nested:
        return False
    if call is not None:
        if call.manager in _SYSTEM_MANAGERS:
            return not _file_operands(call) and not any(o.value and "/" in o.value for o in call.options
                                                         if o.name not in ("-o", "--option"))
        if call.manager in (Manager.PIP, Manager.UV) and call.action in ("install", "pip install"):
            return not call.files and not call.local_paths and not _file_operands(call) \
                and not any(o.name in ("-e", "--editable", "--find-links", "-f") for o in call.options)
        if (call.manager is Manager.NPM and call.action == "install") or (
                call.manager is Manager.PNPM and call.action == "add"):
            return call.has_option("-g", "--global") and not _file_operands(call)
        return False
    name = posixpath.basename(cmd.name)
    if name == "poetry" and cmd.args and cmd.args[0].text == "config":
        return all(w.static for w in cmd.args)
    if name in _PLAIN_COMMANDS:
        return all(w.static for w in cmd.args)
    if name in _PATH_COMMANDS:
        paths = [w for w in cmd.args if not w.text.startswith("-")]
        if dest_dir is None or not dest_dir.startswith("/"):
            return False
        inside = dest_dir.rstrip("/") + "/"
        return all(w.static and w.text.startswith("/") and not (w.text + "/").startswith(inside)
                   and not inside.startswith(w.text.rstrip("/") + "/") for w in paths)
    if name.startswith("python") and [w.text for w in cmd.args[:2]] == ["-m", "venv"]:
        return all(w.static and w.text.startswith("/") for w in cmd.args[2:] if not w.text.startswith("-"))
    return False


def _run_needs_no_sources(run: Run, dest_dir: str | None) -> bool:
    if run.is_exec_form or run.heredocs or run.command is None:
        return False
    script = parse_shell(run.command)
    calls = _calls(script)
    return not script.has_error and all(_needs_no_sources(c, calls.get(c.span), dest_dir)
                                        for c in script.commands)
