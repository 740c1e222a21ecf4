"""``Transform.walk`` (the per-class dispatch table) makes the same calls as ``df.visit``."""

from __future__ import annotations

from typing import Any

import pytest

import dockmod
from dockmod import cst
from dockmod.transforms._base import Context, FixSafety, Transform, TransformMeta

TEXT = (
    "# syntax=docker/dockerfile:1\n"
    "ARG V=1\n"
    "FROM alpine AS build\n"
    "# the tools\n"
    "RUN apk add make\n"
    "ENV A=1\n"
    "ONBUILD RUN make\n"
    "COPY --from=x /a /b\n"
    "RUN make test\n"
    "# end\n"
)
_META = TransformMeta("DM999", "record-calls", "found `{what}`", "fix `{what}`", FixSafety.SAFE)


class _Record(Transform):
    """Records each handler call with the instruction ``report`` anchors it to."""

    meta = _META

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.calls: list[tuple[str, str, str | None]] = []

    def _note(self, name: str, node: cst.Node) -> None:
        self.calls.append((name, node.code, self._current.code if self._current else None))


class _LeaveOnly(_Record):
    def leave_Run(self, original: cst.Run, updated: cst.Run) -> Any:
        self._note("leave_Run", original)
        return self.propose(original, updated.with_changes(keyword="run"), what="RUN")

    def leave_Env(self, original: cst.Env, updated: cst.Env) -> Any:
        self._note("leave_Env", original)
        return cst.REMOVE

    def leave_Copy(self, original: cst.Copy, updated: cst.Copy) -> Any:
        self._note("leave_Copy", original)
        return cst.FlattenSentinel([updated, cst.Run(command=cst.ShellCommand("true"))])


class _Mixed(_Record):
    """A visit_X, a handler below the instructions and a generic one: full visits."""

    def visit_From(self, node: cst.From) -> bool:
        self._note("visit_From", node)
        return True

    def leave_Flag(self, original: cst.Flag, updated: cst.Flag) -> Any:
        self._note("leave_Flag", original)
        self.report(original, what="flag")
        return updated

    def leave_Instruction(self, original: cst.Instruction, updated: cst.Instruction) -> Any:
        self._note("leave_Instruction", original)
        return updated


class _VisitOnly(_Record):
    """Only ``visit_X`` for some instructions (as DM512): called directly, whatever it answers."""

    def visit_From(self, node: cst.From) -> bool:
        self._note("visit_From", node)
        self.report(node, what="FROM")
        return False

    def visit_Env(self, node: cst.Env) -> bool:
        self._note("visit_Env", node)
        return True  # nothing below is handled: nothing to enter either way

    def leave_Run(self, original: cst.Run, updated: cst.Run) -> Any:
        self._note("leave_Run", original)
        return self.propose(original, updated.with_changes(keyword="run"), what="RUN")


class _Footer(_Record):
    """Handles a node outside the body: walked in full."""

    def leave_EmptyLine(self, original: cst.EmptyLine, updated: cst.EmptyLine) -> Any:
        self._note("leave_EmptyLine", original)
        return updated


@pytest.mark.parametrize("cls", [_LeaveOnly, _Mixed, _VisitOnly, _Footer])
@pytest.mark.parametrize("fix", [False, True])
def test_walk_makes_the_calls_of_visit(cls: type[_Record], fix: bool) -> None:
    df = dockmod.parse(TEXT)
    walked, visited = cls(Context(df, fix=fix)), cls(Context(df, fix=fix))
    out_walk = walked.walk(df)
    out_visit = df.visit(visited)
    assert walked.calls == visited.calls and walked.calls
    assert out_walk.code == out_visit.code
    assert walked.findings == visited.findings and walked.applied == visited.applied
    assert (out_walk is df) == (out_visit is df)


def test_walk_edits_as_visit_does() -> None:
    df = dockmod.parse(TEXT)
    out = _LeaveOnly(Context(df, fix=True)).walk(df)
    assert "ENV" not in out.code
    assert "COPY --from=x /a /b\nRUN true\n" in out.code
    assert "run make test\n" in out.code and "ONBUILD run make\n" in out.code


def test_walk_tables_are_per_class() -> None:
    assert _LeaveOnly._plan() is not None and _Mixed._plan() is not None
    assert _Footer._plan() is None  # a handler outside the body
    assert _LeaveOnly._how(cst.Maintainer) == "skip"
    assert _LeaveOnly._how(cst.Run) == "leave_Run"
    assert _LeaveOnly._how(cst.Onbuild) == "full"  # holds a RUN
    assert _Mixed._how(cst.Run) == "full"  # its flags are handled
    assert _Mixed._how(cst.From) == "full"  # visit_From and leave_Instruction
    assert _VisitOnly._how(cst.From) == "visit_From" and _VisitOnly._how(cst.Env) == "visit_Env"
    assert _VisitOnly._how(cst.Run) == "leave_Run"


def test_visit_only_sees_its_instruction_as_current() -> None:
    df = dockmod.parse(TEXT)
    t = _VisitOnly(Context(df))
    t.walk(df)
    assert ("visit_From", "FROM alpine AS build\n", "FROM alpine AS build\n") in t.calls
    assert ("visit_Env", "ENV A=1\n", "ENV A=1\n") in t.calls
    assert [f.message for f in t.findings].count("found `FROM`") == 1
