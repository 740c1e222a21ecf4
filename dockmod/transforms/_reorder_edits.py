"""The edits of DM201 (``reorder_dependency_copy``): a RUN split into its dependency
install and the rest, the deps-only step of a project install, and the manifest COPYs.

Each function raises :class:`~dockmod.ecosystems.steps.NoFix` with the reason when the
edit cannot be written without changing what the build does.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Sequence

from dockmod._parse import parse_instruction
from dockmod.cst import Add, Copy, Dockerfile, Instruction, JsonArray, Run
from dockmod.cst.module import Stage
from dockmod.cst.trivia import TrailingWhitespace
from dockmod.ecosystems import Manager, PackageManagerCall
from dockmod.ecosystems.cache_use import cleaner
from dockmod.ecosystems.steps import (
    InstallNeeds,
    NoFix,
    command_text,
    is_dependency_step,
    mixed_pip,
    project_step,
    record_needs,
    record_project_needs,
)
from dockmod.errors import ParseError
from dockmod.semantic.copies import copied_before, resolve_path
from dockmod.semantic.installs import calls_by_span, cd_target, needs_no_sources
from dockmod.shell import ShellScript, SimpleCommand, insert_words_after, parse_shell, remove_command, remove_words

# Operators a RUN may be split at (`;` with a caveat, see `split_run`).
SEQ = ("&&", ";")


def fix_final_newlines(body: list[Instruction], newline: str) -> list[Instruction]:
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


def split_run(run: Run, script: ShellScript, install: InstallNeeds, dest_dir: str | None, workdir: str,
              df: Dockerfile, whole_only: bool = False) -> tuple[Run, list[Run]]:
    """``run`` cut into the install part (before the copy) and the rest (after it).

    Records in ``install`` the manifests each install reads (``record_needs``). With
    ``whole_only`` (the caller only wants a RUN that needs no cut), a RUN that would be cut
    comes back as ``(run, [run])``, without making the cut.
    """
    commands = script.commands
    calls = calls_by_span(script)
    kinds = []
    managers: list[Manager] = []
    cwd = workdir
    for cmd in commands:
        call = calls.get(cmd.span)
        target = cd_target(cmd)
        project = call is not None and "dep" not in kinds and "project" not in kinds and project_step(call)
        installing = call is not None and (is_dependency_step(call) or project or mixed_pip(call))
        if installing and (where := _placement(cmd)) is not None:
            if any(k in kinds for k in ("dep", "project", "mixed")):
                # Another install, in a loop or an `if` after the one found (`&& for d in
                # plugins/*; do pip install -r "$d/requirements.txt"; done`): part of the
                # rest of the RUN, which cannot be cut off there (`_check_one_list` says so).
                kinds.append("source")
                continue
            raise NoFix(_install_placement(cmd, where, install))
        if call is not None and "mixed" not in kinds and mixed_pip(call):
            # `pip install -r requirements.txt .`: the `-r` part goes first, the
            # project install stays after the copy.
            if "source" in kinds:
                kinds.append("source")
                continue
            install.cwd = install.cwd or cwd
            record_needs(call, install)
            kinds.append("mixed")
            continue
        if call is not None and (is_dependency_step(call) or project):
            if install.cwd is None:
                install.cwd = cwd
            elif install.cwd != cwd:
                raise NoFix("the installs of the `RUN` run in different directories")
            if project:
                record_project_needs(call, install)
                kinds.append("project")
                continue
            record_needs(call, install)
            managers.append(call.manager)
            kinds.append("dep")
        elif target is not None and "source" not in kinds:
            # `cd` into a folder needs no sources: the manifest copy creates it.
            cwd = resolve_path(cwd, target)
            kinds.append("cd")
        elif managers and cleaner(cmd, managers, None) is not None:
            # `npm cache clean --force` after `npm ci`: the install's own cleaning, kept in
            # its RUN so that its layer holds no cache (see below).
            kinds.append("clean")
        elif needs_no_sources(cmd, call, dest_dir):
            kinds.append("neutral")
        else:
            kinds.append("source")
    if "project" in kinds:
        if whole_only:
            return run, [run]
        return deps_only_step(run, script, kinds, install, df), [run]
    if "mixed" in kinds:
        return split_mixed(run, script, kinds, calls)
    first_source = kinds.index("source") if "source" in kinds else len(kinds)
    if "dep" in kinds[first_source:]:
        raise NoFix(f"`{command_text(commands[first_source])}` runs before the install in the same `RUN`")
    if first_source == len(kinds):
        return run, []
    if whole_only:
        return run, [run]
    if isinstance(run.command, JsonArray):
        raise NoFix("an exec-form `RUN` cannot be split")
    _check_one_list(commands, kinds, kinds.index("dep") if "dep" in kinds else 0)
    if commands[first_source].previous_operator == ";":
        install.unsafe.append("the `RUN` is split at a `;`: a command before it that fails now stops the build")
    assert run.command is not None and not isinstance(run.command, str)
    head_cmd = run.command
    # The install's cleaning commands after the first source command stay in both parts:
    # each layer then drops what its own commands left in the cache.
    for k in reversed(range(first_source, len(kinds))):
        if kinds[k] == "clean":
            continue
        script = parse_shell(head_cmd)
        head_cmd = remove_command(head_cmd, script.commands[k])  # type: ignore[arg-type,assignment]
        if head_cmd is None:
            raise NoFix("the `RUN` cannot be split without losing a comment")
    tail_cmd = run.command
    # The rest keeps the `cd`s before it, so it runs where it ran.
    for k in reversed(range(first_source)):
        if kinds[k] == "cd":
            continue
        script = parse_shell(tail_cmd)
        tail_cmd = remove_command(tail_cmd, script.commands[k])  # type: ignore[arg-type,assignment]
        if tail_cmd is None:
            raise NoFix("the `RUN` cannot be split without losing a comment")
    head = run.with_changes(command=head_cmd)
    tail = run.with_changes(command=tail_cmd, leading_lines=())
    return head, [tail]


# Compound commands as a message names them, by their keyword (`SimpleCommand.compound`).
_COMPOUNDS = {"for": "a `for` loop", "while": "a `while` loop", "until": "an `until` loop", "if": "an `if`",
              "case": "a `case`", "(": "a subshell", "{": "a `{ }` group", "function": "a function"}


def _placement(cmd: SimpleCommand) -> str | None:
    """Where ``cmd`` stands when it is not a command of the RUN's top-level ``&&``/``;``
    list, for a message: ``in a `for` loop``, ``part of a pipeline``…; None when it is one."""
    if cmd.nested:
        return "in " + _compound(cmd)
    ops = [op for op in (cmd.previous_operator, cmd.operator) if op not in (None, *SEQ)]
    if not ops:
        return None
    if any(op in ("|", "|&") for op in ops):
        return "part of a pipeline"
    if "||" in ops:
        return "joined by `||`"
    if "&" in ops:
        return "run in the background (`&`)"
    return f"joined by `{ops[0]}`"


def _compound(cmd: SimpleCommand) -> str:
    """The compound command around the nested ``cmd``, as a message names it."""
    return _COMPOUNDS.get(cmd.compound or "", "a compound command")


def _install_placement(cmd: SimpleCommand, where: str, install: InstallNeeds) -> str:
    """Why the install ``cmd`` (standing ``where``, see :func:`_placement`) cannot be moved."""
    text = command_text(cmd)
    what = "the install" if text == install.text else f"`{text}`"
    if where in ("in an `if`", "in a `case`", "joined by `||`"):
        return f"{what} is conditional ({where})"
    return f"{what} is {where}"


def _check_one_list(commands: Sequence[SimpleCommand], kinds: list[str], at: int) -> None:
    """NoFix, naming it, when a command of a RUN to be split (``kinds``: what each is; ``at``:
    the install) is not one of its top-level ``&&``/``;`` list: the split cuts only there."""
    for k, cmd in enumerate(commands):
        where = _placement(cmd)
        if where is None:
            continue
        side = "before" if k < at else "after"
        if cmd.nested:
            subject = f"{_compound(cmd)} {side} the install in the same `RUN` (with `{command_text(cmd)}`)"
        else:
            subject = f"`{command_text(cmd)}` {side} the install in the same `RUN`, {where},"
        needs = "may need the sources, " if side == "after" and kinds[k] == "source" else "cannot be split off, "
        raise NoFix(f"{subject} {needs}and a `RUN` is only split between its top-level `&&`/`;` commands")


def split_mixed(run: Run, script: ShellScript, kinds: list[str],
                calls: dict[tuple[int, int], PackageManagerCall]) -> tuple[Run, list[Run]]:
    """``pip install -r req.txt .`` → ``pip install -r req.txt`` before the copy, and
    ``pip install .`` (with the other options, and what followed) after it."""
    at = kinds.index("mixed")
    if "dep" in kinds or "project" in kinds:
        raise NoFix("the `RUN` installs dependencies in more than one command")
    if isinstance(run.command, JsonArray) or run.command is None:
        raise NoFix("an exec-form `RUN` cannot be split")
    _check_one_list(script.commands, kinds, at)
    head_cmd = run.command
    for _ in range(len(script.commands) - at - 1):
        head_cmd = remove_command(head_cmd, parse_shell(head_cmd).commands[-1])  # type: ignore[arg-type,assignment]
        if head_cmd is None:
            raise NoFix("the `RUN` cannot be split without losing a comment")
    call = calls_by_span(parse_shell(head_cmd))[parse_shell(head_cmd).commands[at].span]
    local = [w for w in call.operands if w.text in call.local_paths]
    local += [w for o in call.options if o.name in ("-e", "--editable") for w in o.words]
    head_cmd = remove_words(head_cmd, local)  # type: ignore[assignment]
    tail_cmd = run.command
    for k in reversed(range(at)):
        if kinds[k] == "cd":
            continue
        tail_cmd = remove_command(tail_cmd, parse_shell(tail_cmd).commands[k])  # type: ignore[arg-type,assignment]
        if tail_cmd is None:
            raise NoFix("the `RUN` cannot be split without losing a comment")
    tail_script = parse_shell(tail_cmd)
    at_tail = [k for k in range(at) if kinds[k] == "cd"].__len__()
    tcall = calls_by_span(tail_script)[tail_script.commands[at_tail].span]
    reqs = [w for o in tcall.options if o.name in ("-r", "--requirement", "-c", "--constraint") for w in o.words]
    tail_cmd = remove_words(tail_cmd, reqs)  # type: ignore[assignment]
    if head_cmd is None or tail_cmd is None:
        raise NoFix("the install cannot be split into its `-r` part and the project install")
    return run.with_changes(command=head_cmd), [run.with_changes(command=tail_cmd, leading_lines=())]


def deps_only_step(run: Run, script: ShellScript, kinds: list[str], install: InstallNeeds,
                   df: Dockerfile) -> Run:
    """The RUN that installs only the dependencies, before the copy; ``run`` stays after it.

    It keeps ``run``'s flags (cache mounts) and the commands before the project
    install that need no sources (``pip install poetry``, ``cd``); it is the project
    install with ``--no-root``/``--no-install-project`` added, or ``go mod download``.
    """
    at = kinds.index("project")
    if "source" in kinds[:at]:
        first = kinds.index("source")
        raise NoFix(f"`{command_text(script.commands[first])}` runs before the install in the same `RUN`")
    if isinstance(run.command, JsonArray) or run.command is None:
        raise NoFix("the `RUN` is not in shell form, so no dependency step is derived from it")
    for cmd in script.commands[:at + 1]:
        if cmd.previous_operator not in (None, "&&"):
            raise NoFix("the `RUN` is not one `&&` chain")
    head_cmd = run.command
    for _ in range(len(script.commands) - at - 1):
        head_cmd = remove_command(head_cmd, parse_shell(head_cmd).commands[-1])  # type: ignore[arg-type,assignment]
        if head_cmd is None:
            raise NoFix("the `RUN` cannot be split without losing a comment")
    if install.extra_words:
        last = parse_shell(head_cmd).commands[at]
        head_cmd = insert_words_after(head_cmd, last.argv[-1], list(install.extra_words))  # type: ignore[assignment]
        if head_cmd is None:
            raise NoFix("the dependency step cannot be written from the install")
        return run.with_changes(command=head_cmd)
    # A new command replaces the project install: rebuild the RUN from its text.
    assert install.extra_command is not None
    before = head_cmd.raw[:parse_shell(head_cmd).commands[at].span[0]] if at else ""
    flags = "".join(f.raw + " " for f in run.flags)
    newline = df.style.newline
    text = f"{run.keyword} {flags}{before}{install.extra_command}{newline}"
    try:
        node = parse_instruction(text, df.escape)
    except ParseError as e:
        raise NoFix("the dependency step would not parse") from e
    return node.with_changes(leading_lines=run.leading_lines, indent=run.indent)


def manifest_copies(df: Dockerfile, stage: Stage, i: int, c: Copy | Add, dest: str,
                     dest_dir: str | None, install: InstallNeeds, workdirs: Sequence[str]) -> list[Instruction]:
    already = copied_before(stage, i, dest_dir, workdirs, df.escape)
    by_dir: dict[str, list[str]] = {}
    required: dict[str, str] = {}
    for path, optional in install.manifests.items():
        if any(path.startswith(f + "/") for f in install.folders):
            continue  # the folder's own copy brings it
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
            raise NoFix("the manifest copy would not parse") from e
        copies.append(node.with_changes(leading_lines=tuple(blank) if not copies else (),
                                        indent=c.indent))
    # A configuration folder (`.mvn`) is copied whole, into the same folder.
    for f in install.folders:
        if any(fnmatch.fnmatchcase(f, pat) for pat in already):
            continue
        text = f"{keyword} {flags}{prefix}{f}/ {base}{f}/{style.newline}"
        try:
            node = parse_instruction(text, df.escape)
        except ParseError as e:  # pragma: no cover - the folder names are plain
            raise NoFix("the configuration folder copy would not parse") from e
        copies.append(node.with_changes(leading_lines=tuple(blank) if not copies else (), indent=c.indent))
    return copies
