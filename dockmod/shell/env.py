"""How a script changes its variables before a command runs, as the shell does it.

``X=1 a; b`` sets ``X`` for ``a`` alone; ``export X=1; b`` and ``X=1; b`` (when ``X`` is
exported) set it for ``b``; ``if c; then export X=1; fi; b`` may or may not. This module
lists those changes (:class:`Step`) with whether each surely happened when a given
command runs; :mod:`dockmod.semantic.env` turns them into the value a command sees.
Only the shell's own rules are here: no Dockerfile scope, no package manager.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dockmod.shell.parse import kind_ids

if TYPE_CHECKING:
    from tree_sitter import Node as TSNode

    from dockmod.shell.parse import ShellScript, SimpleCommand, _Builder

#: A step that may have changed every variable (``. ./env.sh``, ``eval``, ``export $V``).
ANY = "*"

# Statement wrappers that keep their statement in the current shell.
_WRAPPERS = frozenset({"redirected_statement", "negated_command"})
# Commands that may set any variable of the current shell.
_OPAQUE = frozenset({".", "source", "eval"})
# Commands that set the variables named by their operands (with values read at run time).
_READERS = frozenset({"read", "getopts", "mapfile", "readarray", "printf"})
# What _steps reads in a compound statement: changes, and scopes whose changes stay there.
_CHANGES = frozenset({"variable_assignment", "declaration_command", "unset_command", "command"})
_SCOPES = frozenset({"command_substitution", "process_substitution", "heredoc_body"})


@dataclass(frozen=True, slots=True)
class Step:
    """One change to a variable, in source order."""

    #: The variable (``ANY``: every variable may have changed).
    name: str
    #: ``assign`` (``X=v``, ``readonly X=v``), ``export`` (``export X[=v]``,
    #: ``declare -x``), ``unset``, ``allexport`` (``set -a``: name "" on, "-" off, "?"
    #: unknown), or
    #: ``unknown`` (the variable may have changed, to an unknown value).
    kind: str
    #: The literal value; None when there is none (``export X``) or it is not literal.
    value: str | None
    #: A value was written (``X=…``), literal or not.
    has_value: bool


@dataclass(frozen=True, slots=True)
class _Element:
    """A statement of an and-or list (``a && b || c`` has three) and the changes in it."""

    start: int
    end: int
    #: The operator before it in its list (None for the first).
    op: str | None
    steps: tuple[tuple[int, Step], ...]


@dataclass(frozen=True, slots=True)
class _List:
    elements: tuple[_Element, ...]
    #: Run in the background (``… &``): in a subshell, so its changes stay there.
    background: bool


def steps_before(script: ShellScript, command: SimpleCommand) -> list[Step]:
    """The changes to variables the script makes before ``command`` runs, in order. A
    change that may not have happened by then (in an ``if``, a loop, a subshell, a
    pipeline, after ``||``, in the background) is a step of kind ``unknown``. Empty when
    ``command`` is not one of ``script``'s."""
    for c in script.commands:  # (a loop, not any() over a generator: cheaper)
        if c is command:
            break
    else:
        return []
    lists = script.derived(_lists, _lists)
    start = command._node.start_byte
    out: list[Step] = []
    for lst in lists:
        if lst.elements and lst.elements[0].start > start:
            break
        here = next((j for j, e in enumerate(lst.elements) if e.start <= start < e.end), None)
        # Every statement up to the command's has run when the command runs only if each
        # operator from the list's start up to it is ``&&``.
        and_chain = here is not None and all(e.op == "&&" for e in lst.elements[1:here + 1])
        for j, e in enumerate(lst.elements):
            if e.start > start:
                break
            sure = not lst.background and (j == 0 or and_chain)
            for at, step in e.steps:
                if at >= start:
                    break
                out.append(step if sure else _unsure(step))
        if here is not None:
            break
    return out


def _lists(script: ShellScript) -> tuple[_List, ...]:
    """The script's top-level and-or lists, with the changes in each statement."""
    if not script.commands:
        return ()
    b = script.commands[0]._b
    root = b.root  # the root above every command (kept by the builder: no climb)
    out: list[_List] = []
    children = root.children
    for i, c in enumerate(children):
        if not c.is_named or c.type == "comment":
            continue
        nxt = children[i + 1] if i + 1 < len(children) else None
        background = nxt is not None and nxt.type == "&"
        elements = tuple(_Element(n.start_byte, n.end_byte, op, tuple(_steps(n, b)))
                         for n, op in _flatten(c))
        out.append(_List(elements, background))
    return tuple(out)


def _flatten(n: TSNode) -> list[tuple[TSNode, str | None]]:
    """``a && b || c`` (a left-nested ``list``) as [(a, None), (b, "&&"), (c, "||")]."""
    if n.type == "list" and n.child_count == 3:
        left, op, right = n.children
        return [*_flatten(left), (right, op.type)]
    return [(n, None)]


def _steps(n: TSNode, b: _Builder) -> list[tuple[int, Step]]:
    """The changes a statement makes, each with its start byte: surely made when the
    statement is a plain one in the current shell, else as ``unknown`` steps."""
    t = n.type
    while t in _WRAPPERS:
        n = n.child_by_field_name("body") or next(c for c in n.children if c.is_named)
        t = n.type
    if t in _CHANGES or t == "variable_assignments":
        return _direct(n, b)
    # A compound statement, a pipeline, a function: what it changes may not be changed.
    # (Node types read by kind id: every node below is looked at.)
    changes, scopes = kind_ids(_CHANGES), kind_ids(_SCOPES)
    out: list[tuple[int, Step]] = []
    stack = [n]
    while stack:
        m = stack.pop()
        k = m.kind_id
        if k in scopes:
            continue
        if k in changes:
            # (a command's own ``X=1 cmd`` prefix and the commands in its words change
            # nothing after it)
            out.extend((at, _unsure(s)) for at, s in _direct(m, b))
            continue
        stack.extend(reversed(m.children))
    out.sort(key=lambda x: x[0])
    return out


def _direct(n: TSNode, b: _Builder) -> list[tuple[int, Step]]:
    t = n.type
    if t == "variable_assignments":
        return [s for c in n.named_children for s in _direct(c, b)]
    if t == "variable_assignment":
        return [(n.start_byte, _assignment(b, n, "assign"))]
    if t == "unset_command":
        words = [c for c in n.children[1:] if c.is_named]
        flags = "".join(b.slice(w) for w in words if b.slice(w).startswith("-"))
        if "f" in flags:
            return []
        return [(w.start_byte, _named(b, w, "unset")) for w in words if not b.slice(w).startswith("-")]
    if t == "declaration_command":
        keyword = b.slice(n.children[0])
        out: list[tuple[int, Step]] = []
        kind = "export" if keyword == "export" else "assign"
        for c in n.children[1:]:
            if not c.is_named or c.type == "comment":
                continue
            text = b.slice(c)
            if c.type == "word" and text[:1] in ("-", "+"):
                if keyword in ("declare", "typeset") and "x" in text:
                    kind = "export" if text[0] == "-" else "unknown"
                elif keyword == "export" and "n" in text:
                    kind = "unknown"  # export -n: no longer exported
                continue
            if c.type == "variable_assignment":
                out.append((c.start_byte, _assignment(b, c, kind)))
            else:
                out.append((c.start_byte, _named(b, c, kind)))
        return out
    if t == "command":
        c = n.child_by_field_id(b.name_field)
        if c is None:
            name = ""
        else:
            plain = b.plain(c)  # most names: no word built
            name = (plain if plain is not None else b.word(c).text).rsplit("/", 1)[-1]
        if name in _OPAQUE:
            return [(n.start_byte, Step(ANY, "unknown", None, True))]
        if name != "set" and name not in _READERS:
            return []  # most commands: their arguments are not listed (nor read)
        args = [c for i, c in enumerate(n.children) if n.field_name_for_child(i) == "argument"]
        if name == "set":
            out = []
            words = [b.word(a).text for a in args]
            for i, w in enumerate(words):
                on = w.startswith("-")
                if (w[:1] in "-+" and not w.startswith(("--", "-o", "+o")) and "a" in w) or (
                        w in ("-o", "+o") and words[i + 1:i + 2] == ["allexport"]):
                    out.append((n.start_byte, Step("" if on else "-", "allexport", None, False)))
            return out
        if name in _READERS and (name != "printf" or any(b.slice(a) == "-v" for a in args)):
            return [(n.start_byte, Step(ANY, "unknown", None, True))]
        return []
    return []


def _unsure(step: Step) -> Step:
    """``step`` when it may not have happened: its variable's value is unknown (for
    ``set -a``, whether later assignments export is unknown: name "?")."""
    if step.kind == "allexport":
        return Step("?", "allexport", None, False)
    return Step(step.name, "unknown", None, True)


def _assignment(b: _Builder, n: TSNode, kind: str) -> Step:
    word = b.word(n)
    key, _, value = word.text.partition("=")
    if key.endswith("+"):  # X+=v: appends to a value this module does not track
        return Step(key[:-1], "unknown", None, True)
    if kind == "unknown":
        return Step(key, "unknown", None, True)
    return Step(key, kind, value if word.static else None, True)


def _named(b: _Builder, n: TSNode, kind: str) -> Step:
    word = b.word(n)
    if not word.static or not word.text.replace("_", "a").isalnum() or word.text[:1].isdigit():
        return Step(ANY, "unknown", None, True)  # export $NAMES
    return Step(word.text, "unknown" if kind == "unknown" else kind, None, False)
