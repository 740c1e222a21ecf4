"""What a ``RUN`` does, read from its shell text: commands, calls, variables, writes, users.

The shell is parsed once per distinct text: the content-level facts are cached by the
RUN's text (a bounded cache shared across files and fix passes), and only the parts that
depend on the scope (relative paths, ``$HOME``) are resolved per instruction.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dockmod.cst.arguments import JsonArray, ShellCommand
from dockmod.ecosystems import Manager, may_call, unquoted
from dockmod.lang.words import logical_text
from dockmod.semantic.users import CreatedGroup, CreatedUser, parse_user_command
from dockmod.shell.parse import (
    ShellScript,
    SimpleCommand,
    parse_heredoc_body,
    parse_shell,
)

if TYPE_CHECKING:
    from dockmod.cst.instructions import Run
    from dockmod.ecosystems import PackageManagerCall
    from dockmod.semantic.scope import Scope

_POSIX = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"})
_USER_WORDS = ("useradd", "adduser", "groupadd", "addgroup", "usermod", "groupmod")


@dataclass(frozen=True, slots=True)
class RunContent:
    """The facts that depend on the RUN's text only (shared by equal RUNs)."""

    scripts: tuple[ShellScript, ...]
    commands: tuple[SimpleCommand, ...]
    calls: tuple[PackageManagerCall, ...]
    reads: frozenset[str]
    assigns: frozenset[str]
    cds: tuple[str, ...]
    #: (path text, static, directory) for every write found; the directory is "" for the
    #: WORKDIR, an absolute path after ``cd /dir``, None when a ``cd`` made it unknown.
    raw_writes: tuple[tuple[str, bool, str | None], ...]
    users_created: tuple[CreatedUser, ...]
    groups_created: tuple[CreatedGroup, ...]
    #: The heredoc body is the script (``RUN <<EOF``), not data.
    heredoc_script: bool


@dataclass(frozen=True, slots=True)
class RunFacts:
    """What a ``RUN`` instruction does, as far as its shell text tells."""

    run: Run
    #: The parsed shell: the command line, then heredoc bodies that are scripts.
    scripts: tuple[ShellScript, ...]
    #: The RUN is shell form run by a POSIX shell (so ``scripts`` mean what they say).
    posix: bool
    commands: tuple[SimpleCommand, ...]
    calls: tuple[PackageManagerCall, ...]
    #: Variables the script reads (``$X``, ``${X…}``), outside single quotes.
    reads: frozenset[str]
    #: Variables the script assigns or exports.
    assigns: frozenset[str]
    #: ``cd`` targets in order (as written when not static).
    cds: tuple[str, ...]
    #: Absolute paths written (redirections, ``tee``, ``cp``/``mv``/``ln``/``install``
    #: targets, ``touch``/``mkdir`` operands), where they are known.
    writes: tuple[str, ...]
    users_created: tuple[CreatedUser, ...]
    groups_created: tuple[CreatedGroup, ...]
    #: The RUN is exec form: its JSON words, else None.
    exec_form: tuple[str, ...] | None = None
    #: Why a transform cannot edit the RUN's commands in place, else None: they are in
    #: a heredoc (``RUN <<EOF``), whose body dockmod does not split.
    no_edit: str | None = None


_CACHE: OrderedDict[tuple[object, ...], RunContent] = OrderedDict()
# Each entry keeps its parsed scripts alive: no larger than the shell parse cache.
_CACHE_SIZE = 512
_EMPTY = RunContent((), (), (), frozenset(), frozenset(), (), (), (), (), False)


def content(run: Run, posix: bool = True) -> RunContent:
    """The text-level facts of ``run``, cached by its text."""
    cmd = run.command
    if not isinstance(cmd, ShellCommand) or not posix:
        return _EMPTY
    key = (cmd.raw, cmd.escape, tuple(h.body for h in run.heredocs))
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    facts = _analyse(run, cmd)
    _CACHE[key] = facts
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return facts


def clear_cache() -> None:
    """Forget every RUN's text-level facts (the shell parse cache is apart:
    :func:`dockmod.shell.parse.clear_cache`)."""
    _CACHE.clear()


def creates_users(run: Run) -> bool:
    """Cheap pre-filter: the RUN's text names a user or group creating command."""
    cmd = run.command
    if not isinstance(cmd, ShellCommand):
        return False
    return _creates_users(cmd.raw, cmd.escape, _bodies(run))


@functools.lru_cache(maxsize=4096)  # asked of every RUN each model's scope walk passes
def _creates_users(raw: str, escape: str, bodies: tuple[str, ...]) -> bool:
    texts = (logical_text(raw, escape), *bodies)  # as the parse reads it
    # Every one of _USER_WORDS holds "add" or "mod": most RUNs are decided by those searches.
    return any(("add" in t or "mod" in t) and any(w in t for w in _USER_WORDS) for t in texts)


def _bodies(run: Run) -> tuple[str, ...]:
    """The RUN's heredoc bodies: a key of the caches by text (most RUNs have none)."""
    return tuple(h.body for h in run.heredocs) if run.heredocs else ()


def _heredoc_is_script(run: Run, cmd: ShellCommand) -> bool:
    """``RUN <<EOF`` (or ``bash -e <<EOF``) with one body that a POSIX shell runs."""
    if len(run.heredocs) != 1:
        return False
    words = cmd.text.split()
    markers = [w for w in words if w.startswith("<<")]
    rest = [w for w in words if not w.startswith(("<<", "-"))]
    if len(markers) != 1 or len(rest) > 1:
        return False
    if rest and posixpath.basename(rest[0]) not in _POSIX:
        return False
    body = run.heredocs[0].body
    if body.startswith("#!"):
        interp = body[2:].split("\n", 1)[0].split()
        name = posixpath.basename(interp[0]) if interp else ""
        if name == "env" and len(interp) > 1:
            name = interp[1]
        return name in _POSIX
    return True


def _calls(script: ShellScript) -> list[PackageManagerCall]:
    from dockmod.ecosystems import calls

    return calls(script)


def _analyse(run: Run, cmd: ShellCommand) -> RunContent:
    scripts = [parse_shell(cmd)]
    heredoc_script = bool(run.heredocs) and _heredoc_is_script(run, cmd)
    if heredoc_script:
        scripts.append(parse_heredoc_body(run.heredocs[0]))
    commands: list[SimpleCommand] = []
    calls: list[PackageManagerCall] = []
    reads: set[str] = set()
    assigns: set[str] = set()
    cds: list[str] = []
    writes: list[tuple[str, bool, str | None]] = []
    users: list[CreatedUser] = []
    groups: list[CreatedGroup] = []
    for script in scripts:
        commands.extend(script.commands)
        calls.extend(_calls(script))
        reads.update(variables_read(script.text))
        if "=" in script.text:
            assigns.update(m.group(1) for m in _ASSIGN_RE.finditer(script.text))
        cwd: str | None = ""  # "": the WORKDIR; an absolute path after ``cd /x``; None unknown
        # Decided from the text once per script: an assignment holds a ``=``, a redirection
        # that writes a ``>``.
        equals = "=" in script.text
        writes_out = ">" in script.text
        for c in script.commands:
            name = c.name.rpartition("/")[2]  # posixpath.basename
            if equals:
                for w in c.assignments:
                    assigns.add(w.text.split("=", 1)[0].lstrip("+"))
            if name in ("export", "declare", "local", "readonly", "typeset", "read"):
                for w in c.args:
                    t = w.text
                    if not t.startswith("-"):
                        n = t.split("=", 1)[0]
                        if n.isidentifier():
                            assigns.add(n)
            if name == "cd":
                target = next((w for w in c.args if not w.text.startswith("-")), None)
                cds.append(target.text if target is not None and target.static else
                           (target.raw if target is not None else "~"))
                if c.nested or target is None or not target.static:
                    cwd = None
                elif target.text.startswith("/"):
                    cwd = posixpath.normpath(target.text)
                elif cwd:
                    cwd = posixpath.normpath(posixpath.join(cwd, target.text))
                else:
                    cwd = None
            if writes_out or name in _WRITERS:
                writes.extend((p, s, cwd) for p, s in _written(c, name))
            made = parse_user_command(c)
            if isinstance(made, CreatedUser):
                users.append(made)
            elif isinstance(made, CreatedGroup):
                groups.append(made)
    return RunContent(
        scripts=tuple(scripts), commands=tuple(commands), calls=tuple(calls),
        reads=frozenset(reads), assigns=frozenset(assigns), cds=tuple(cds),
        raw_writes=tuple(writes), users_created=tuple(users), groups_created=tuple(groups),
        heredoc_script=heredoc_script,
    )


# A statement-level ``NAME=value`` (tree-sitter lists it as an assignment, not a command).
# The lookahead only repeats what the alternatives need first: it makes most positions
# fail at once.
_ASSIGN_RE = re.compile(
    r"(?:^|(?=[;&|({\ntde])(?:[;&|({\n]|\bthen|\bdo|\belse))\s*([A-Za-z_][A-Za-z0-9_]*)\+?="
)
_REDIRECT_RE = re.compile(r"^\s*(?:\d*|&)(>>?|>\||&>>?)\s*(.+?)\s*$", re.DOTALL)


# Options whose value is the next word (GNU coreutils and busybox).
_VALUE_OPTIONS = {
    "mkdir": frozenset({"-m", "--mode", "-Z"}),
    "install": frozenset({"-m", "--mode", "-o", "--owner", "-g", "--group", "-t", "-S", "--suffix"}),
    "cp": frozenset({"-t", "-S", "--suffix"}),
    "mv": frozenset({"-t", "-S", "--suffix"}),
    "ln": frozenset({"-t", "-S", "--suffix"}),
    "touch": frozenset({"-d", "-r", "-t", "--reference", "--date"}),
}

#: Commands whose operands ``_written`` reads.
_WRITERS = frozenset({"tee", "cp", "mv", "ln", "install", "touch", "mkdir"})


def _written(c: SimpleCommand, name: str) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for r in c.redirects:
        m = _REDIRECT_RE.match(r)
        if m and not m.group(2).startswith("&"):
            target = m.group(2).strip("'\"")
            out.append((target, "$" not in target and "`" not in target))
    if name not in _WRITERS:  # the words of other commands are not read (nor built)
        return [(p, s) for p, s in out if p and not p.startswith("/dev/")]
    args = list(c.args)
    takes = _VALUE_OPTIONS.get(name, frozenset())
    operands = []
    skip = False
    for w in args:
        if skip:
            skip = False
        elif w.static and w.text.startswith("-") and w.text != "-":
            skip = w.text in takes
        else:
            operands.append(w)
    if name == "tee":
        out.extend((w.text, w.static) for w in operands)
    elif name in ("cp", "mv", "ln", "install"):
        t = next((i for i, w in enumerate(args) if w.text in ("-t", "--target-directory")), None)
        if t is not None and t + 1 < len(args):
            out.append((args[t + 1].text, args[t + 1].static))
        elif len(operands) >= 2 or (name == "install" and operands and any(w.text == "-d" for w in args)):
            if name == "install" and any(w.text == "-d" for w in args):
                out.extend((w.text, w.static) for w in operands)
            else:
                out.append((operands[-1].text, operands[-1].static))
    elif name in ("touch", "mkdir"):
        out.extend((w.text, w.static) for w in operands)
    return [(p, s) for p, s in out if p and not p.startswith("/dev/")]


# The characters variables_read() stops at; it jumps over everything else.
_READ_STOPS = re.compile(r"[\\'\"$]")
_NAME_CHARS = re.compile(r"\w*")  # str.isalnum() or "_", as the shell's name rule here


def variables_read(text: str) -> set[str]:
    """Names read as ``$NAME`` or ``${NAME…}`` in shell text, outside single quotes."""
    out: set[str] = set()
    if "$" not in text:
        return out
    n = len(text)
    in_double = False
    search = _READ_STOPS.search
    m = search(text, 0)
    while m is not None:
        i = m.start()
        ch = text[i]
        if ch == "\\":
            i += 2
        elif ch == "'":
            if in_double:
                i += 1
            else:
                end = text.find("'", i + 1)
                i = n if end < 0 else end + 1
        elif ch == '"':
            in_double = not in_double
            i += 1
        elif i + 1 < n:  # "$"
            j = i + 1
            if text[j] in "$!?#@*-0123456789":  # special and positional parameters
                i += 2
            else:
                if text[j] == "{":
                    j += 1
                    if j < n and text[j] in "#!":
                        j += 1
                k = _NAME_CHARS.match(text, j).end()  # type: ignore[union-attr]
                name = text[j:k]
                if name and not name[0].isdigit():
                    out.add(name)
                i = max(k, i + 1)
        else:
            i += 1
        m = search(text, i) if i < n else None
    return out


def resolve(run: Run, facts: RunContent, scope: Scope, posix: bool) -> RunFacts:
    """The RunFacts of ``run`` in ``scope``: writes made absolute where known."""
    exec_form = None
    if not isinstance(run.command, ShellCommand) and run.command is not None:
        exec_form = tuple(run.command.values)  # type: ignore[union-attr]
    writes: list[str] = []
    for path, static, cwd in facts.raw_writes:
        p = _absolute(path, static, cwd, facts, scope)
        if p is not None and p not in writes:
            writes.append(p)
    return RunFacts(
        run=run, scripts=facts.scripts, posix=posix and exec_form is None and bool(facts.scripts),
        commands=facts.commands, calls=facts.calls, reads=facts.reads, assigns=facts.assigns,
        cds=facts.cds, writes=tuple(writes), users_created=facts.users_created,
        groups_created=facts.groups_created, exec_form=exec_form,
        no_edit=_HEREDOC_NO_EDIT if run.heredocs else None,
    )


_HEREDOC_NO_EDIT = "the commands are in a heredoc, which dockmod does not split"


def _absolute(path: str, static: bool, cwd: str | None, facts: RunContent, scope: Scope) -> str | None:
    if path.startswith("~"):
        home = scope.home
        if home is None or not (path == "~" or path.startswith("~/")):
            return None
        path = home + path[1:]
    elif not static:
        # ``$HOME/x``: the variables must be the image's or the Dockerfile's, not the script's.
        if "`" in path or "$(" in path or any(v in facts.assigns for v in variables_read(path)):
            return None
        from dockmod.semantic.expand import expand

        value = expand(path, scope.run_get, "\\")
        if value is None:
            return None
        path = value
    if not path.startswith("/"):
        base = scope.workdir if cwd == "" else cwd
        if base is None:
            return None
        path = posixpath.join(base, path)
    return posixpath.normpath(path)


def shell_script(run: Run) -> ShellScript | None:
    """The RUN's one shell script: its command, or its heredoc body when that is the script
    (``RUN <<EOF``); None when it has none (cached by text)."""
    # The parse alone (cached by text), not the RUN's other facts: callers that only read
    # the script (a later RUN looked at by DM202) need no analysis of its words.
    cmd = run.command
    if not isinstance(cmd, ShellCommand):
        return None
    if run.heredocs:
        return parse_heredoc_body(run.heredocs[0]) if _heredoc_is_script(run, cmd) else None
    return parse_shell(cmd)


# -- cheap pre-filters on the RUN's text (before any parse) --------------------------------


def run_text(run: Run) -> str:
    """The RUN's shell text and heredoc bodies, :func:`unquoted` (cached by text): what
    the cheap pre-filters search. Empty for exec form."""
    cmd = run.command
    if not isinstance(cmd, ShellCommand):
        return ""
    return _unquoted(cmd.raw, cmd.escape, _bodies(run))


@functools.lru_cache(maxsize=4096)
def _unquoted(raw: str, escape: str, bodies: tuple[str, ...]) -> str:
    # The logical text: BuildKit's continuations (spaces after the escape char, and the
    # blank and comment lines after it) join a word that the raw text splits.
    return unquoted("\n".join((logical_text(raw, escape), *bodies)))


def shell_source(run: Run) -> str:
    """The RUN's shell text and heredoc bodies as the parse reads them (cached by text),
    quotes kept: the text as BuildKit hands it to the shell (its continuations and the
    comment lines after them dropped: ``pip \\``, ``# c``, ``install x`` is ``pip install
    x``), then each body as written but for the backslash of a backslash-newline, where
    tree-sitter-bash ends a word (``pip\\<newline>install`` is two words). Empty for exec
    form."""
    cmd = run.command
    if not isinstance(cmd, ShellCommand):
        return ""
    return _source(cmd.raw, cmd.escape, _bodies(run))


@functools.lru_cache(maxsize=4096)
def _source(raw: str, escape: str, bodies: tuple[str, ...]) -> str:
    return "\n".join((logical_text(raw, escape), *(_BODY_BREAK.sub("", b) for b in bodies)))


#: Every package manager the tables know (the widest pre-filter).
ALL_MANAGERS = frozenset(Manager)


def may_call_any(run: Run, managers: frozenset[Manager]) -> bool:
    """:func:`may_call` on the RUN's shell text and heredoc bodies, or its exec-form words
    (cached by text): False only when no program of ``managers`` is named, so the RUN need
    not be parsed."""
    cmd = run.command
    if isinstance(cmd, JsonArray):
        return may_call(" ".join(cmd.values), managers)
    if not isinstance(cmd, ShellCommand):
        return False
    return _may_call(cmd.raw, cmd.escape, _bodies(run), managers)


@functools.lru_cache(maxsize=4096)
def _may_call(raw: str, escape: str, bodies: tuple[str, ...], managers: frozenset[Manager]) -> bool:
    # The logical text, as the parse reads it (see _unquoted).
    raw = logical_text(raw, escape)
    if not bodies:
        return may_call(raw, managers)
    # A heredoc body is parsed as written, and tree-sitter-bash ends a word at its
    # backslash-newlines (``pip\<newline>install`` is two words), where a RUN's text (parsed
    # without its continuations) joins them: there, keep the body's newline, so that
    # may_call sees a word's end where the parse does.
    return may_call("\n".join((raw, *(_BODY_BREAK.sub("", b) for b in bodies))), managers)


_BODY_BREAK = re.compile(r"\\(?=\r?\n)")


# A shell word's text is the RUN's logical text with quotes, backslashes and the `$` of
# `$'…'`/`$"…"` taken out (see dockmod.shell): so what is in a word is in that text too.
_SQUEEZE = str.maketrans("", "", "\"'\\$")


def may_mention(run: Run, needles: tuple[str, ...], *, heredocs: bool = True) -> bool:
    """Cheap pre-filter before reading a RUN's shell facts: False when no word of its
    shell text (and heredoc bodies) can contain one of ``needles`` (lower case), in any
    case and however quoted. Most RUNs then need no shell parse at all."""
    cmd = run.command
    if not isinstance(cmd, ShellCommand):
        return False
    if heredocs and run.heredocs:
        text = "\n".join([_squeezed(cmd.raw, cmd.escape),
                          *(h.body.translate(_SQUEEZE).lower() for h in run.heredocs)])
        return _holds_any(text, needles)
    return _mentions(cmd.raw, cmd.escape, needles)


@functools.lru_cache(maxsize=4096)  # half the questions repeat one (RUN text, needles) pair
def _mentions(raw: str, escape: str, needles: tuple[str, ...]) -> bool:
    return _holds_any(_squeezed(raw, escape), needles)


def _holds_any(text: str, needles: tuple[str, ...]) -> bool:
    # A loop, not any() over a generator (half the time on corpus RUNs), nor one regex
    # alternation of the needles (slower than 14 substring searches for DM301's needles).
    for n in needles:
        if n in text:
            return True
    return False


@functools.lru_cache(maxsize=1024)  # several transforms ask about the same RUN
def _squeezed(raw: str, escape: str) -> str:
    return logical_text(raw, escape).translate(_SQUEEZE).lower()
