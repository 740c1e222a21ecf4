"""The engine's own behaviour: syntax raising, target-syntax caps, convergence, suppressions."""

from __future__ import annotations

import pytest

import dockmod
from dockmod import engine
from dockmod.cst import Run, ShellCommand
from dockmod.errors import TransformError
from dockmod.transforms import Example, FixSafety, Transform, TransformMeta


class _NeedsHeredocs(Transform):
    """Test double: rewrites `RUN true` to `RUN :`, claiming it needs frontend 1.4."""

    meta = TransformMeta(code="DM990", name="test-needs-heredocs", summary="`true` found",
                         fix_title="Use `:`", safety=FixSafety.SAFE, min_syntax=(1, 4),
                         examples=(Example("FROM a\nRUN true\n", "FROM a\nRUN :\n"),))

    def leave_Run(self, original: Run, updated: Run) -> Run:
        if isinstance(updated.command, ShellCommand) and updated.command.text == "true":
            return self.propose(original, updated.with_changes(command=ShellCommand(":")), updated=updated)
        return updated


class _FlipFlop(Transform):
    meta = TransformMeta(code="DM991", name="test-flip-flop", summary="flip", fix_title="flop",
                         safety=FixSafety.SAFE)

    def leave_Run(self, original: Run, updated: Run) -> Run:
        text = updated.command.text if isinstance(updated.command, ShellCommand) else ""
        new = "b" if text == "a" else "a"
        return self.propose(original, updated.with_changes(command=ShellCommand(new)), updated=updated)


def fix(text: str, *transforms: type[Transform], **kw) -> engine.EngineResult:  # type: ignore[no-untyped-def]
    return engine.run(dockmod.parse(text), list(transforms), engine.EngineOptions(fix=True, **kw))


@pytest.mark.parametrize("before,after", [
    ("FROM a\nRUN true\n", "# syntax=docker/dockerfile:1.4\nFROM a\nRUN :\n"),
    ("# syntax=docker/dockerfile:1.2\nFROM a\nRUN true\n", "# syntax=docker/dockerfile:1.4\nFROM a\nRUN :\n"),
    ("# syntax = docker/dockerfile:1.3.1-labs\r\nFROM a\r\nRUN true\r\n",
     "# syntax = docker/dockerfile:1.4-labs\r\nFROM a\r\nRUN :\r\n"),
    ("# syntax=docker/dockerfile:1\nFROM a\nRUN true\n", "# syntax=docker/dockerfile:1\nFROM a\nRUN :\n"),
    ("# syntax=docker/dockerfile:1.7\nFROM a\nRUN true\n", "# syntax=docker/dockerfile:1.7\nFROM a\nRUN :\n"),
    ("# syntax=example.com/custom:2\nFROM a\nRUN true\n", "# syntax=example.com/custom:2\nFROM a\nRUN :\n"),
    ("# escape=`\nFROM a\nRUN true\n", "# syntax=docker/dockerfile:1.4\n# escape=`\nFROM a\nRUN :\n"),
    ("\ufeff# a comment\nFROM a\nRUN true\n", "\ufeff# syntax=docker/dockerfile:1.4\n# a comment\nFROM a\nRUN :\n"),
])
def test_syntax_directive_is_added_or_raised_once(before: str, after: str) -> None:
    out = fix(before, _NeedsHeredocs).output.code
    assert out == after
    assert dockmod.parse(out).directive("syntax") is not None
    assert fix(out, _NeedsHeredocs).output.code == out


def test_no_syntax_change_without_a_fix() -> None:
    text = "FROM a\nRUN false\n"
    assert fix(text, _NeedsHeredocs).output.code == text


def test_target_syntax_cap_reports_without_fix() -> None:
    result = fix("FROM a\nRUN true\n", _NeedsHeredocs, target_syntax=(1, 3))
    assert not result.changed
    (finding,) = result.findings
    assert finding.safety is None and not finding.fixable
    assert finding.no_fix_reason == "the fix needs docker/dockerfile:1.4, above target-syntax 1.3"


def test_non_convergence_names_the_transforms() -> None:
    with pytest.raises(TransformError, match=r"did not converge after 10 passes: DM991"):
        fix("FROM a\nRUN a\n", _FlipFlop)


def test_findings_are_located_in_the_original() -> None:
    result = fix("FROM a\n\n# comment\n  RUN true\n", _NeedsHeredocs)
    (finding,) = result.findings
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (4, 3, 4, 11)
    assert result.remaining == []


def test_check_mode_changes_nothing() -> None:
    df = dockmod.parse("FROM a\nRUN true\n")
    result = engine.run(df, [_NeedsHeredocs], engine.EngineOptions(fix=False))
    assert result.output is df and len(result.findings) == 1
