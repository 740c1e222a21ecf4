"""Facts about the install a RUN performs: its shell scripts, the package-manager call
of each command, where the first dependency install runs, and whether a RUN reads
anything a context copy brings.

Built on the shell parse (``dockmod.shell``) and the package-manager rows
(``dockmod.ecosystems``, ``dockmod.ecosystems.steps``).
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dockmod.cst import Instruction, Run, ShellCommand
from dockmod.ecosystems import MANAGERS, InstallKind, Manager, PackageManagerCall
from dockmod.ecosystems import calls as pm_calls
from dockmod.ecosystems.node import FETCH_THEN_OFFLINE
from dockmod.ecosystems.project_code import CodeKind, CodeRun, code_run
from dockmod.ecosystems.steps import (
    FILE_SUFFIXES,
    InstallNeeds,
    NoFix,
    NODE_LOCAL,
    RELOCATING,
    command_text,
    file_operands,
    global_node_install,
    is_dependency_step,
    project_step,
)
from dockmod.semantic.copies import plain_path, resolve_path
from dockmod.semantic.runs import may_call_any
from dockmod.shell import ShellScript, SimpleCommand, parse_shell

if TYPE_CHECKING:
    from dockmod.buildcontext import BuildContext
    from dockmod.semantic.model import Model
    from dockmod.semantic.runs import RunFacts
    from dockmod.ecosystems.steps import ContextInputs

# Package managers of the system (distribution packages, the rows marked `system`): they
# read no project file.
SYSTEM_MANAGERS = frozenset(m for m, row in MANAGERS.items() if row.system)
#: The managers a dependency or project step (``is_dependency_step``, ``mixed_pip``,
#: ``project_step``) can call: every row but the system package managers' (``system``),
#: whose installs name their packages. A RUN that names none of them
#: (:func:`~dockmod.semantic.runs.may_call_any`) has no such step, and needs no parse to
#: tell (most RUNs with a step to find are ``apt-get``/``apk`` lines).
STEP_MANAGERS = frozenset(m for m, row in MANAGERS.items() if not row.system)
# Commands that need no sources when every operand is an absolute path outside the copy.
PATH_COMMANDS = frozenset({"rm", "mkdir", "ln", "chmod", "chown", "touch"})
# Commands that read no project file when every word is static.
PLAIN_COMMANDS = frozenset({"true", ":", "echo", "set", "umask", "useradd", "groupadd", "adduser", "addgroup",
                             "corepack"})


def calls_by_span(script: ShellScript) -> dict[tuple[int, int], PackageManagerCall]:
    """The package-manager call of each command, by the command's span."""
    return {call.command.span: call for call in pm_calls(script)}


def run_scripts(facts: RunFacts) -> list[tuple[ShellScript, str | None]]:
    """The shell scripts of a RUN (from the model's :class:`RunFacts`), each with why it
    gets no fix (None: it may get one): a heredoc body that is the script, with
    ``RunFacts.no_edit``; an exec-form RUN as one command (it can move whole, not be split)."""
    if facts.exec_form is not None:
        return [(parse_shell(shlex.join(facts.exec_form)), None)] if facts.exec_form else []
    if facts.run.heredocs:
        return [(script, facts.no_edit) for script in facts.scripts[1:]]
    return [(script, None) for script in facts.scripts[:1]]


def scripts_of(model: Model, run: Run) -> list[tuple[ShellScript, str | None]]:
    """:func:`run_scripts` of ``run``; for a shell-form RUN without heredocs (most), its
    parsed script alone (cached by text), without building the RUN's other facts."""
    cmd = run.command
    if isinstance(cmd, ShellCommand) and not run.heredocs:
        return [(parse_shell(cmd), None)] if model.scope_at(run).posix_shell else []
    return run_scripts(model.run(run))


def may_call_manager(run: Run) -> bool:
    """``may_call_any(run, ALL_MANAGERS)``, asked of STEP_MANAGERS then SYSTEM_MANAGERS: a
    pattern of names matches where one of its names does, so the answer is the same, and
    the first pattern is compiled anyway (compiling one of all 45 rows' names costs more
    than the searches)."""
    return may_call_any(run, STEP_MANAGERS) or may_call_any(run, SYSTEM_MANAGERS)


def cd_target(cmd: SimpleCommand) -> str | None:
    """The folder of a plain ``cd DIR`` (static, no options), else None."""
    if cmd.nested:
        return None
    return cd_target_nested(cmd)


def cd_target_nested(cmd: SimpleCommand) -> str | None:
    """:func:`cd_target`, also for a ``cd`` nested in a group, subshell or condition."""
    if cmd.name != "cd" or len(cmd.args) != 1 or cmd.assignments or cmd.redirects:
        return None
    word = cmd.args[0]
    if not word.static or word.text.startswith("-") or not plain_path(word.text.rstrip("/") or "/"):
        return None
    return word.text


def install_cwd(script: ShellScript, workdir: str) -> str:
    """Where the first dependency install of ``script`` runs: ``workdir`` after leading ``cd``s."""
    calls = calls_by_span(script)
    cwd = workdir
    for cmd in script.commands:
        call = calls.get(cmd.span)
        if call is not None and is_dependency_step(call):
            return cwd
        target = cd_target(cmd)
        if target is not None:
            cwd = resolve_path(cwd, target)
    return cwd


def builds_project(facts: RunFacts) -> str | None:
    """The first command of the RUN that installs, builds or runs the project itself, as
    written (``pip install .``, ``go build``, ``go generate``, ``cargo run``, ``gradle
    build``: the ecosystem table's ``InstallKind.PROJECT``), or a local path with pip/uv;
    None when there is none."""
    for script, _ in run_scripts(facts):
        for call in calls_by_span(script).values():
            if call.kind is InstallKind.PROJECT or (call.manager in (Manager.PIP, Manager.UV) and call.local_paths):
                return command_text(call.command)
    return None


@dataclass(frozen=True, slots=True)
class SourceRun:
    """A command of a RUN that runs code from files
    (:func:`~dockmod.ecosystems.project_code.code_run`), with where in the image."""

    #: The command as written.
    text: str
    run: CodeRun
    #: For each working directory the command may run in (see :func:`code_runs`): the file
    #: it runs (``SCRIPT``, ``PROGRAM``), or the folder its build file or module is looked
    #: for in (``BUILD``, ``MODULE``), then for ``BUILD`` the build file an option names.
    paths: tuple[str, ...]


def code_runs(scripts: Iterable[tuple[ShellScript, str | None]], workdir: str) -> list[SourceRun]:
    """The commands of a RUN's scripts (:func:`scripts_of`) that run code from files: build
    tools, interpreters running a file, programs run by their path (package-manager calls
    excepted: the table says what they do).

    The working directory starts at ``workdir`` and follows ``cd``: a plain ``cd`` at the
    top level moves every place a command may run in; one nested in a group, a subshell or
    a condition adds a place (it may or may not have run); a ``cd`` to a folder that is
    not plain adds an unknown place, which lists nothing. A script with a syntax error
    lists nothing."""
    out: list[SourceRun] = []
    for script, _ in scripts:
        if script.has_error:
            continue
        calls = calls_by_span(script)
        cwds: list[str | None] = [workdir]
        for cmd in script.commands:
            if cmd.name == "cd":
                plain = cd_target(cmd) if not cmd.nested else cd_target_nested(cmd)
                moved = [resolve_path(c, plain) if c is not None and plain is not None else None for c in cwds]
                cwds = list(dict.fromkeys(moved if not cmd.nested else [*cwds, *moved]))
                continue
            if cmd.span in calls:
                continue
            found = code_run(cmd)
            if found is None:
                continue
            paths = []
            for cwd in cwds:
                if cwd is None:
                    continue
                base = resolve_path(cwd, found.path)
                paths.append(base)
                if found.kind is CodeKind.BUILD and found.file is not None:
                    paths.append(resolve_path(base, found.file))
            if paths:
                out.append(SourceRun(command_text(cmd), found, tuple(dict.fromkeys(paths))))
    return out


def deps_step_before(model: Model, ins: list[Instruction], i: int, manager: Manager) -> bool:
    """A RUN before ``ins[i]`` already installs ``manager``'s dependencies: a dependency
    step, or a build before the sources are copied (a cargo pre-build)."""
    # A wider filter than ``{manager}``, the same for every manager a step calls
    # (STEP_MANAGERS): its pattern is compiled anyway, not one per manager.
    named = STEP_MANAGERS | {manager}
    for x in ins[:i]:
        if isinstance(x, Run) and may_call_any(x, named):
            for script, _ in run_scripts(model.run(x)):
                if any(c.manager is manager and (is_dependency_step(c) or project_step(c))
                       for c in calls_by_span(script).values()):
                    return True
    return False


def fetched_before(model: Model, ins: list[Instruction], i: int, script: ShellScript, cwd: str,
                   workdirs: Sequence[str]) -> bool:
    """The first dependency install of ``script`` (run in ``cwd``) reads only what a fetch
    of the same lock file stored in a RUN above ``ins[i]`` (the ecosystem table's
    ``FETCH_THEN_OFFLINE``: ``pnpm fetch`` … ``pnpm install --offline``), in the same folder
    and without an option that moves it elsewhere. ``workdirs``: each instruction's working
    directory."""
    calls = calls_by_span(script)
    install = next((calls[c.span] for c in script.commands if c.span in calls and is_dependency_step(calls[c.span])),
                   None)
    rule = FETCH_THEN_OFFLINE.get(install.manager) if install is not None else None
    if install is None or rule is None or not install.has_option(*rule[1]):
        return False
    fetch, _ = rule
    where = install_cwd(script, cwd)
    moving = RELOCATING.get(install.manager, frozenset())
    for k in range(i):
        x = ins[k]
        if not isinstance(x, Run) or not may_call_any(x, frozenset({install.manager})):
            continue
        for s, _ in run_scripts(model.run(x)):
            found = [c for c in calls_by_span(s).values() if c.manager is install.manager and c.action == fetch]
            if found and not any(o.name in moving for c in found for o in c.options) \
                    and install_cwd(s, workdirs[k]) == where:
                return True
    return False


def needs_no_sources(cmd: SimpleCommand, call: PackageManagerCall | None, dest_dir: str | None) -> bool:
    """Whether ``cmd`` (whose package-manager call is ``call``) reads nothing the copy brings."""
    if cmd.nested:
        return False
    if call is not None:
        if call.manager in SYSTEM_MANAGERS:
            return not file_operands(call) and not any(o.value and "/" in o.value for o in call.options
                                                         if o.name not in ("-o", "--option"))
        if call.manager in (Manager.PIP, Manager.UV) and call.action in ("install", "pip install"):
            return not call.files and not call.local_paths and not file_operands(call) \
                and not any(o.name in ("-e", "--editable", "--find-links", "-f") for o in call.options)
        if global_node_install(call):
            return not any(not w.static or w.text.startswith(NODE_LOCAL) or w.text.endswith(FILE_SUFFIXES)
                           for w in call.operands)
        return False
    name = posixpath.basename(cmd.name)
    if name == "poetry" and cmd.args and cmd.args[0].text == "config":
        return all(w.static for w in cmd.args)
    if name in PLAIN_COMMANDS:
        return all(w.static for w in cmd.args)
    if name in PATH_COMMANDS:
        paths = [w for w in cmd.args if not w.text.startswith("-")]
        if dest_dir is None or not dest_dir.startswith("/"):
            return False
        inside = dest_dir.rstrip("/") + "/"
        return all(w.static and w.text.startswith("/") and not (w.text + "/").startswith(inside)
                   and not inside.startswith(w.text.rstrip("/") + "/") for w in paths)
    if name.startswith("python") and [w.text for w in cmd.args[:2]] == ["-m", "venv"]:
        return all(w.static and w.text.startswith("/") for w in cmd.args[2:] if not w.text.startswith("-"))
    return False


def run_needs_no_sources(facts: RunFacts, dest_dir: str | None) -> bool:
    run = facts.run
    if run.is_exec_form or run.heredocs or not facts.scripts:
        return False
    script = facts.scripts[0]
    calls = calls_by_span(script)
    return not script.has_error and all(needs_no_sources(c, calls.get(c.span), dest_dir)
                                        for c in script.commands)


def context_inputs(ctx: BuildContext, call: PackageManagerCall, folder: str) -> ContextInputs | str | None:
    """What the build context says ``call``, run in context folder ``folder``, reads
    beyond its fixed manifests (paths relative to ``folder``), or why that cannot be
    listed; None when the call needs nothing from it.

    dotnet: the project/solution files and NuGet/MSBuild files beside them; cargo: the
    crate's layout (for the dependency pre-build); Maven: a POM with modules is declined
    (its ``.mvn/`` folder is the row's ``project_config``, copied whole).
    """
    from dockmod.buildcontext.manifests import dotnet_inputs, msbuild_true_properties, read_crate
    from dockmod.ecosystems import dotnet
    from dockmod.ecosystems.steps import ContextInputs

    def at(rel: str) -> str:
        return rel if folder == "." else posixpath.join(folder, rel)

    if call.manager is Manager.DOTNET:
        start = call.operands[0].text if call.operands else None
        found = dotnet_inputs(folder, start, ctx.entries(folder), ctx.read, ctx.has_file,
                              projects=dotnet.PROJECT_SUFFIXES, solutions=dotnet.SOLUTION_SUFFIXES,
                              beside=dotnet.RESTORE_INPUTS, missing=ctx.missing)
        if isinstance(found, str):
            return found
        # Only `dotnet publish` picks a runtime identifier for them (dotnet.PUBLISH_RID_PROPERTIES).
        rid = [p for f in found if f.endswith((*dotnet.PROJECT_SUFFIXES, ".props", ".targets"))
               and (data := ctx.read(at(f))) is not None
               for p in msbuild_true_properties(data, dotnet.PUBLISH_RID_PROPERTIES)]
        return ContextInputs(files=found, rid_properties=tuple(rid))
    if call.manager is Manager.CARGO:
        crate = read_crate(folder, ctx.read, ctx.has_file, ctx.missing)
        if isinstance(crate, str):
            return crate
        return ContextInputs(files=crate.files, crate=(crate.package, crate.lib, crate.bin))
    if call.manager is Manager.MAVEN:
        pom = call.files[0] if call.files else "pom.xml"
        data = ctx.read(at(pom))
        if data is not None and b"<modules>" in data:
            return f"`{pom}` has modules: a multi-module build needs every module's POM first"
        return ContextInputs()
    return None


def manifests_in_copy(install: InstallNeeds, dest_dir: str | None, cwd: str) -> None:
    """Rewrite ``install.manifests`` relative to the copy's destination ``dest_dir``;
    NoFix when one is named through a variable or pattern, or lies outside the copy."""
    out: dict[str, bool] = {}
    for path, optional in install.manifests.items():
        if not plain_path(path):
            raise NoFix(f"the manifest `{path}` is named through a variable or pattern")
        if path.startswith("/"):
            if dest_dir is None or not dest_dir.startswith("/") or not path.startswith(dest_dir.rstrip("/") + "/"):
                raise NoFix(f"`{path}` is not part of the copied sources")
            path = path[len(dest_dir.rstrip("/")) + 1:]
        elif cwd != dest_dir:
            raise NoFix("the install runs in another directory than the one the sources are copied to")
        norm = posixpath.normpath(path)
        if norm.startswith("..") or norm == ".":
            raise NoFix(f"`{path}` is not part of the copied sources")
        out[norm] = out.get(norm, True) and optional
    install.manifests = out


def names_manifest(facts: RunFacts, manifests: Iterable[str], cwd: str | None) -> str | None:
    """The first of ``manifests`` (paths relative to ``cwd``, the install's folder) a
    command of the RUN names, as an argument (``-o requirements.txt``,
    ``--output=requirements.txt``) or a redirection target (``> requirements.txt``); None
    if none. A RUN between the whole-context copy and the install that names a manifest
    may generate it from the sources."""
    wanted: dict[str, str] = {}
    for m in manifests:
        norm = posixpath.normpath(m)
        for key in (norm, posixpath.basename(norm)) + ((posixpath.join(cwd, norm),) if cwd else ()):
            wanted.setdefault(key, m)

    def hit(text: str) -> str | None:
        text = text.strip().strip("\"'")
        if not text:
            return None
        if "=" in text and text.startswith("-"):
            text = text.split("=", 1)[1]
        return wanted.get(posixpath.normpath(text))

    for script, _ in run_scripts(facts):
        for cmd in script.commands:
            for word in cmd.argv[1:]:
                if (found := hit(word.text)) is not None:
                    return found
            for redirect in cmd.redirects:
                target = redirect.lstrip("0123456789&").lstrip("<>|&")
                if (found := hit(target)) is not None:
                    return found
    return None
