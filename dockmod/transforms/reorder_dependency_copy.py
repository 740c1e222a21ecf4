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
dockmod cannot read the build context or its ``.dockerignore``, so no manifest can be
shown to be self-contained: a requirements file may include ``-r base.txt``, ``-c …``
or ``-e .``, a ``package.json`` may have ``file:`` dependencies, a ``go.mod`` a
``replace`` with a directory, a ``Gemfile`` a ``gemspec``. Those files are not copied
before the install any more, which then fails. So the fix is **unsafe** by default.
Teams whose manifests name no other local files can say so with the option
``self-contained-manifests = true``; the fix is then **safe** unless it is also unsafe
for one of these reasons, which no option lifts:

* the install may run project code: npm/yarn/pnpm lifecycle scripts (no
  ``--ignore-scripts``), composer scripts (no ``--no-scripts``) or an optimised
  autoloader (``-o`` without ``--no-autoloader``);
* the whole-context copy moves past a ``RUN`` that may need the sources (anything but
  system package installs, named-package installs and ``mkdir``/``rm``/… of absolute
  paths outside the destination) or past another ``COPY``/``ADD`` (their files may
  overlap).

No fix, only the finding, when: the install runs in another directory than the one the
context was copied to (``WORKDIR``, ``cd``, ``--prefix``, ``-C``…); it is conditional
(``if``, ``||``, a subshell); it uses a ``--mount=type=bind``; its manifests are named
through variables or lie outside the context copy; a source-needing command comes before
the install in the same ``RUN`` or the ``RUN`` cannot be split without losing a comment;
the copy has flags other than ``--chown``/``--chmod``/``--link``, or its destination has
variables or quotes and must cross ``WORKDIR``/``ENV``/``ARG``; ``cargo fetch`` (Cargo
needs a target source file to read its manifest). Installs that build the
project itself are not reported, since they need its sources: ``pip install .``,
``poetry install`` without ``--no-root``, ``uv sync`` without ``--no-install-project``,
``go build``, ``cargo build``.

## Options
``self-contained-manifests`` (bool, default false): the project's manifests name no
other local files, so fixes unsafe only for that reason are safe.
"""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass, field

from dockmod._parse import parse_instruction
from dockmod.cst import Add, Arg, Copy, Dockerfile, Env, Instruction, JsonArray, Run, Shell, Workdir
from dockmod.cst.module import Stage
from dockmod.cst.trivia import TrailingWhitespace
from dockmod.errors import ParseError
from dockmod.lang.words import LexError, process_word
from dockmod.ecosystems import Manager, PackageManagerCall
from dockmod.ecosystems import calls as pm_calls
from dockmod.shell import ShellScript, SimpleCommand, parse_shell, remove_command
from dockmod.transforms._base import Example, FixSafety, Option, Transform, TransformMeta

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
_PLAIN_COMMANDS = frozenset({"true", "echo", "useradd", "groupadd", "adduser", "addgroup", "corepack"})
_POSIX_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})
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
# Operands that name a file rather than a package.
_FILE_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tgz", ".deb", ".rpm", ".apk", ".gem", ".jar")


class _NoFix(Exception):
    """The finding stands but gets no fix; the message says why."""


@dataclass
class _Install:
    """What one install RUN needs: manifests (path → optional) and why moving it is unsafe."""

    text: str
    manifests: dict[str, bool] = field(default_factory=dict)
    #: Unsafe for a reason no option lifts.
    unsafe: list[str] = field(default_factory=list)

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
        summary="`{install}` runs after `{copy}`, so any change to the sources re-runs it",
        fix_title="Copy {manifests} first and install before `{copy}`",
        safety=FixSafety.UNSAFE,
        options=(
            Option("self-contained-manifests", bool, default=False,
                   help="Manifests name no other local files (no `-r base.txt`, `-e .`, "
                        "`file:` dependencies…): fixes unsafe only for that reason are safe"),
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
        workdirs = _workdirs(stage)
        posix = True
        for i, c in enumerate(ins):
            if isinstance(c, Shell):
                posix = _posix_shell(c)
            if not posix or not _whole_context(c):
                continue
            found = self._install_after(ins, i)
            if found is None:
                continue
            j, run, script, install = found
            if self._suppressed(c) or self._suppressed(run):
                continue
            msg = {"install": install.text, "copy": _copy_text(c)}
            try:
                plan = self._plan(df, stage, i, j, run, script, install, workdirs)
            except _NoFix as e:
                self.report(run, no_fix_reason=str(e), manifests=_manifest_list(install.manifests), **msg)
                continue
            (copies, rest), safety = plan
            if self.propose(run, True, updated=False, safety=safety,
                            manifests=_manifest_list(install.manifests), **msg):
                out[id(c)] = copies
                out[id(run)] = rest

    # -- finding the install ---------------------------------------------------------
    def _install_after(self, ins: list[Instruction], i: int):  # type: ignore[no-untyped-def]
        for j in range(i + 1, len(ins)):
            x = ins[j]
            if _whole_context(x):
                return None
            if not isinstance(x, Run) or x.is_exec_form or x.heredocs or x.command is None:
                continue
            script = parse_shell(x.command)
            if script.has_error:
                continue
            calls = _calls(script)
            deps = [c for c in script.commands if c.span in calls and _is_dependency_step(calls[c.span])]
            if deps:
                return j, x, script, _Install(text=_words(deps[0]))
        return None

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
        if any(f.name not in _CARRIED_FLAGS for f in c.flags):
            bad = next(f.text for f in c.flags if f.name not in _CARRIED_FLAGS)
            raise _NoFix(f"`{bad}` on the copy is not carried to a manifest copy")
        if any("\n" in f.raw for f in c.flags):
            raise _NoFix("a flag of the copy spans lines")
        if dest is None:
            raise _NoFix("the copy's destination has variables or quotes")
        # What the copy crosses on its way down.
        has_vars = any("$" in f.raw for f in c.flags)
        for x in ins[i + 1:j]:
            if isinstance(x, Workdir) and not dest.startswith("/"):
                raise _NoFix("a `WORKDIR` between them changes where the relative destination lands")
            if isinstance(x, (Env, Arg)) and has_vars:
                raise _NoFix(f"`{x.name}` between them may change the copy's variables")
            if isinstance(x, Run):
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
        head, tail = self._split(run, script, install, dest_dir)
        self._check_manifests(install, dest_dir, workdirs[j])
        copies = self._manifest_copies(df, stage, i, c, dest, dest_dir, install, workdirs)
        # Every manifest may name other local files, unless the option says otherwise.
        opaque = not self.option("self-contained-manifests")
        safety = FixSafety.UNSAFE if (opaque or install.unsafe) else FixSafety.SAFE
        return (copies, [head, c, *tail]), safety

    def _split(self, run: Run, script: ShellScript, install: _Install,
               dest_dir: str | None) -> tuple[Run, list[Run]]:
        commands = script.commands
        calls = _calls(script)
        kinds = []
        for cmd in commands:
            call = calls.get(cmd.span)
            if call is not None and _is_dependency_step(call):
                if cmd.nested or cmd.operator not in (None, *_AND) or cmd.previous_operator not in (None, *_AND):
                    raise _NoFix("the install is conditional or part of a pipeline")
                _needs(call, install)
                kinds.append("dep")
            elif _needs_no_sources(cmd, call, dest_dir):
                kinds.append("neutral")
            else:
                kinds.append("source")
        first_source = kinds.index("source") if "source" in kinds else len(kinds)
        if "dep" in kinds[first_source:]:
            raise _NoFix(f"`{_words(commands[first_source])}` runs before the install in the same `RUN`")
        if first_source == len(kinds):
            return run, []
        for cmd in commands:
            if cmd.nested or cmd.operator not in (None, *_AND) or cmd.previous_operator not in (None, *_AND):
                raise _NoFix("the `RUN` is not one `&&` chain, so it cannot be split")
        assert run.command is not None and not isinstance(run.command, str)
        head_cmd = run.command
        for _ in range(len(commands) - first_source):
            script = parse_shell(head_cmd)
            head_cmd = remove_command(head_cmd, script.commands[-1])  # type: ignore[arg-type,assignment]
            if head_cmd is None:
                raise _NoFix("the `RUN` cannot be split without losing a comment")
        tail_cmd = run.command
        for _ in range(first_source):
            script = parse_shell(tail_cmd)
            tail_cmd = remove_command(tail_cmd, script.commands[0])  # type: ignore[arg-type,assignment]
            if tail_cmd is None:
                raise _NoFix("the `RUN` cannot be split without losing a comment")
        head = run.with_changes(command=head_cmd)
        tail = run.with_changes(command=tail_cmd, leading_lines=())
        return head, [tail]

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
            text = f"{keyword} {flags}{' '.join(names)} {target}{style.newline}"
            try:
                node = parse_instruction(text, df.escape)
            except ParseError as e:  # pragma: no cover - names are checked plain above
                raise _NoFix("the manifest copy would not parse") from e
            copies.append(node.with_changes(leading_lines=tuple(blank) if not copies else (),
                                            indent=c.indent))
        return copies


_AND = ("&&",)


# -- helpers: instructions ---------------------------------------------------------------


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


def _posix_shell(shell: Shell) -> bool:
    values = shell.command.values if isinstance(shell.command, JsonArray) else []
    return bool(values) and posixpath.basename(values[0]) in _POSIX_SHELLS


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


def _workdirs(stage: Stage) -> list[str]:
    """The working directory in effect at each instruction of ``stage``.

    The base image's directory is unknown: paths are then relative to ``~``. A WORKDIR
    with a variable starts a new unknown root, so two paths only compare equal when the
    same instructions set them.
    """
    out = []
    cwd = "~"
    for n, ins in enumerate(stage.instructions):
        if isinstance(ins, Workdir) and ins.value is not None:
            text = ins.value.text
            try:
                path = process_word(text, ins.value.escape)
            except LexError:
                path = "$"
            if "$" in path:
                cwd = f"~{n}"
            else:
                cwd = _resolve(cwd, path)
        out.append(cwd)
    return out


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
    """A call that installs dependencies from manifests in the working directory."""
    m, a = call.manager, call.action
    if m in (Manager.PIP, Manager.UV) and a in ("install", "pip install"):
        return bool(call.files) and not call.local_paths and not _file_operands(call)
    # Without these options, `uv sync` and `poetry install` also install the project
    # itself, which needs its sources: like `pip install .`, they stay after the copy.
    if m is Manager.UV:
        return a == "sync" and call.has_option("--no-install-project")
    if m is Manager.POETRY:
        return a == "install" and call.has_option("--no-root")
    if m is Manager.PIPENV:
        return a in ("install", "sync") and not call.operands
    if m is Manager.NPM:
        return a in ("ci", "install") and not call.operands and not call.has_option("-g", "--global")
    if m in (Manager.YARN, Manager.PNPM):
        return a in ("install", "fetch") and not call.operands
    if m is Manager.GO:
        return a == "mod download"
    if m is Manager.CARGO:
        return a == "fetch"
    if m is Manager.BUNDLER:
        return a == "install"
    if m is Manager.COMPOSER:
        return a == "install" and not call.operands
    if m is Manager.MAVEN:
        goals = [w.text for w in (*call.action_words, *call.operands)]
        return bool(goals) and all(g.startswith("dependency:") for g in goals)
    return False


def _file_operands(call: PackageManagerCall) -> bool:
    return any(not w.static or "/" in w.text or w.text.endswith(_FILE_SUFFIXES) for w in call.operands)


def _needs(call: PackageManagerCall, install: _Install) -> None:
    """Record the manifests ``call`` reads and what makes moving it unsafe."""
    for opt in call.options:
        if opt.name in _RELOCATING.get(call.manager, ()):
            raise _NoFix(f"`{opt.name}` makes the install read another directory")
        if opt.value is not None and any(not w.static for w in opt.words):
            raise _NoFix(f"`{opt.name}` has a variable")
    m, a = call.manager, call.action
    scripts = f"`{_words(call.command)}` may run the project's lifecycle scripts (no `--ignore-scripts`)"
    if m in (Manager.PIP, Manager.UV) and a in ("install", "pip install"):
        for f in call.files:
            install.need(f)
    elif m is Manager.UV:
        install.need("pyproject.toml")
        install.need("uv.lock", optional=not call.has_option("--locked", "--frozen"))
        install.need(".python-version", optional=True)
    elif m is Manager.POETRY:
        install.need("pyproject.toml")
        install.need("poetry.lock", optional=True)
    elif m is Manager.PIPENV:
        install.need("Pipfile")
        install.need("Pipfile.lock", optional=not (a == "sync" or call.has_option("--deploy")))
    elif m is Manager.NPM:
        install.need("package.json")
        install.need("package-lock.json", optional=True)
        install.need("npm-shrinkwrap.json", optional=True)
        install.need(".npmrc", optional=True)
        if not _ignores_scripts(call):
            install.unsafe.append(scripts)
    elif m is Manager.YARN:
        install.need("package.json")
        install.need("yarn.lock", optional=not call.has_option("--frozen-lockfile", "--immutable"))
        install.need(".yarnrc", optional=True)
        install.need(".npmrc", optional=True)
        if not _ignores_scripts(call):
            install.unsafe.append(scripts)
    elif m is Manager.PNPM:
        if a != "fetch":
            install.need("package.json")
            install.need("pnpm-workspace.yaml", optional=True)
            if not _ignores_scripts(call):
                install.unsafe.append(scripts)
        install.need("pnpm-lock.yaml", optional=not (a == "fetch" or call.has_option("--frozen-lockfile")))
        install.need(".npmrc", optional=True)
    elif m is Manager.GO:
        install.need("go.mod")
        install.need("go.sum", optional=True)
    elif m is Manager.CARGO:
        raise _NoFix("`cargo fetch` needs a target source file (`src/main.rs` or `src/lib.rs`)")
    elif m is Manager.BUNDLER:
        gemfile = call.files[0] if call.files else "Gemfile"
        install.need(gemfile)
        install.need(gemfile + ".lock", optional=True)
    elif m is Manager.COMPOSER:
        install.need("composer.json")
        install.need("composer.lock", optional=True)
        if not call.has_option("--no-scripts"):
            install.unsafe.append("`composer install` runs the project's scripts (no `--no-scripts`)")
        if not call.has_option("--no-autoloader") and call.has_option(
                "-o", "--optimize-autoloader", "-a", "--classmap-authoritative"):
            install.unsafe.append("an optimised autoloader is built before the sources are there")
    elif m is Manager.MAVEN:
        install.need(call.files[0] if call.files else "pom.xml")


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
        if call.manager is Manager.NPM and call.action == "install":
            return call.has_option("-g", "--global") and not _file_operands(call)
        return False
    name = posixpath.basename(cmd.name)
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
