"""Transformer sentinels (remove, flatten) and the walk that skips unhandled subtrees."""

from __future__ import annotations

from typing import Any

import pytest

import dockmod
from dockmod import cst

TEXT = "FROM a\n# build it\nRUN --mount=type=cache,target=/c make\nENV A=1\nRUN make test\n"


class _Split(cst.Transformer):
    """Each RUN becomes two; each ENV disappears."""

    def leave_Run(self, original: cst.Run, updated: cst.Run) -> Any:
        return cst.FlattenSentinel([updated, cst.Run(command=cst.ShellCommand("true"))])

    def leave_Env(self, original: cst.Env, updated: cst.Env) -> Any:
        return cst.REMOVE


def test_flatten_and_remove_in_a_sequence() -> None:
    out = dockmod.parse(TEXT).visit(_Split())
    assert out.code == ("FROM a\n# build it\nRUN --mount=type=cache,target=/c make\nRUN true\n"
                        "RUN make test\nRUN true\n")
    assert dockmod.parse(out.code).deep_equals(out)


def test_flatten_to_nothing_removes() -> None:
    class Drop(cst.Transformer):
        def leave_Flag(self, original: cst.Flag, updated: cst.Flag) -> Any:
            return cst.FlattenSentinel([])

    out = dockmod.parse(TEXT).visit(Drop())
    assert "--mount" not in out.code and "RUN make\n" in out.code


def test_removal_sentinel_is_remove() -> None:
    assert cst.RemovalSentinel.REMOVE is cst.REMOVE


def test_flatten_into_a_single_field_is_an_error() -> None:
    class Bad(cst.Transformer):
        def leave_ShellCommand(self, original: cst.ShellCommand, updated: cst.ShellCommand) -> Any:
            return cst.FlattenSentinel([updated, updated])

    with pytest.raises(TypeError, match="holds one node"):
        dockmod.parse(TEXT).visit(Bad())


def test_remove_from_a_single_optional_field_sets_none() -> None:
    class NoCommand(cst.Transformer):
        def leave_ShellCommand(self, original: cst.ShellCommand, updated: cst.ShellCommand) -> Any:
            return cst.REMOVE

    out = dockmod.parse("FROM a\nCMD x\n").visit(NoCommand())
    assert out.body[1].command is None


class _Counter(cst.Visitor):
    def __init__(self) -> None:
        self.seen: list[str] = []

    def on_visit(self, node: cst.Node) -> bool:
        self.seen.append(type(node).__name__)
        return super().on_visit(node)


class _RunsOnly(_Counter):
    _generic_hooks = True

    def leave_Run(self, original: cst.Run) -> None:
        pass


class _FlagsOnly(_Counter):
    _generic_hooks = True

    def visit_Flag(self, node: cst.Flag) -> None:
        pass


def test_walk_enters_only_what_a_visitor_handles() -> None:
    df = dockmod.parse(TEXT)
    runs = _RunsOnly()
    df.visit(runs)
    assert runs.seen == ["Dockerfile", "Run", "Run"]
    flags = _FlagsOnly()
    df.visit(flags)
    # Every instruction may hold flags; nothing else (trivia, words, bodies) is entered.
    assert flags.seen == ["Dockerfile", "From", "Run", "Flag", "Env", "Run"]


def test_a_visitor_with_its_own_hooks_sees_every_node() -> None:
    every = _Counter()
    dockmod.parse(TEXT).visit(every)
    assert {"EmptyLine", "Flag", "ShellCommand", "TrailingWhitespace", "KeyValue"} <= set(every.seen)


def test_handlers_for_a_base_class_reach_its_subclasses() -> None:
    class Instr(cst.Visitor):
        def __init__(self) -> None:
            self.names: list[str] = []

        def visit_Instruction(self, node: cst.Instruction) -> None:
            self.names.append(node.name)

    v = Instr()
    dockmod.parse("FROM a\nONBUILD RUN x\n").visit(v)
    assert v.names == ["FROM", "ONBUILD", "RUN"]


def test_with_changes_is_dataclasses_replace_for_every_node_class() -> None:
    """``with_changes`` skips ``dataclasses.replace``'s per-field checks; that is only right
    while every node field is an ``__init__`` field, and it must copy every field."""
    import dataclasses

    import dockmod
    from dockmod.cst._base import Node

    def classes(cls: type) -> list[type]:
        out = []
        for sub in cls.__subclasses__():
            out.append(sub)
            out.extend(classes(sub))
        return out

    for cls in classes(Node):
        if dataclasses.is_dataclass(cls):
            assert all(f.init and f._field_type is dataclasses._FIELD for f in dataclasses.fields(cls)), cls  # type: ignore[attr-defined]
    df = dockmod.parse("# syntax=docker/dockerfile:1\nFROM a AS b\nRUN --mount=type=cache,target=/x echo \\\n  hi\nCOPY <<EOF /x\nbody\nEOF\n")
    run = df.body[1]
    copy = run.with_changes()
    assert copy is not run and copy.deep_equals(run) and copy.code == run.code
    assert df.with_changes(body=df.body[:1]).code == "# syntax=docker/dockerfile:1\nFROM a AS b\n"
