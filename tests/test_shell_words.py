"""A command's words built from one cursor pass over its children are those the former
per-child ``field_name_for_child`` loop built: same argv, assignments and redirections,
on every command of the corpus and of scripts with each kind of child."""

from __future__ import annotations

from dockmod.shell import parse
from dockmod.shell.parse import ShellWord, parse_shell
from tests.test_shell_fast import _texts

SCRIPTS = [
    "A=1 B+=2 >out cmd x == y =~ z 'q' \"$r\" 2>&1 <in && X=1 && >f",
    "FOO=bar cmd <<< here a && env A=1 cmd b=c",
    "export A=1 B; unset C; local D=2; declare -x E",
    "a $(b c=1 d) `e f` <(g h) | { i=1 j k; } && (l m >n)",
]


def _by_field_loop(cmd: parse.SimpleCommand) -> tuple[tuple[ShellWord, ...], ...]:
    """What _build_words built before the cursor pass (its loop, kept as the reference)."""
    n = cmd._node  # type: ignore[attr-defined]
    b = cmd._b  # type: ignore[attr-defined]
    assignments, argv, redirects = [], [], []
    if n.type == "command":
        for i, c in enumerate(n.children):
            f = n.field_name_for_child(i)
            if f == "name":
                argv.insert(0, b.word(c.children[0] if c.child_count == 1 else c))
            elif f == "argument":
                argv.append(b.word(c))
            elif f == "redirect":
                redirects.append(b.slice(c))
            elif c.type == "variable_assignment":
                assignments.append(b.word(c))
    else:
        argv = [b.word(c) for c in n.children if not c.is_extra]
    return tuple(argv), tuple(assignments), tuple(redirects)


def _check(raw: str, escape: str | None) -> int:
    script = parse._parse(raw, escape)
    for cmd in script.commands:
        assert cmd._build_words() == _by_field_loop(cmd), (raw, cmd)  # type: ignore[attr-defined]
    return len(script.commands)


def test_scripts_words_are_the_loops() -> None:
    for s in SCRIPTS:
        assert _check(s, "\\") > 0
    cmd = parse_shell(SCRIPTS[0]).commands[0]
    assert [w.text for w in cmd.argv] == ["cmd", "x", "==", "y", "=~", "z", "q", "$r"]
    assert [w.text for w in cmd.assignments] == ["A=1", "B+=2"]
    assert cmd.redirects == (">out", "2>&1", "<in")


def test_corpus_words_are_the_loops() -> None:
    assert sum(_check(raw, escape) for raw, escape in _texts()) > 5000


def test_kinds_and_name_field_by_id_are_those_by_name() -> None:
    """``kind_ids``/``field_ids``: a node's kind id is among the ``command`` / ``variable_assignment`` ids
    exactly when its type is that name; the ``name`` field by id is the one by name."""
    seen = {"command": 0, "variable_assignment": 0}
    for raw, escape in [(s, "\\") for s in SCRIPTS] + _texts():
        script = parse._parse(raw, escape)
        commands = parse.kind_ids(frozenset({"command"}))
        assignments = parse.kind_ids(frozenset({"variable_assignment"}))
        (name_field,) = parse.field_ids("name")
        if not script.commands:
            continue
        root = script.commands[0]._node  # type: ignore[attr-defined]
        while root.parent is not None:
            root = root.parent
        stack = [root]
        while stack:
            n = stack.pop()
            assert (n.kind_id in commands) == (n.type == "command")
            assert (n.kind_id in assignments) == (n.type == "variable_assignment")
            assert n.child_by_field_id(name_field) == n.child_by_field_name("name")
            seen[n.type] = seen.get(n.type, 0) + 1
            stack.extend(n.children)
    assert seen["command"] > 5000 and seen["variable_assignment"] > 100
