"""The engine's own behaviour: syntax raising, target-syntax caps, convergence, suppressions."""

from __future__ import annotations

from typing import Any

import pytest

import dockmod
from dockmod import engine
from dockmod.cst import Flag, Run, ShellCommand
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


class _NeedsMount(Transform):
    """Test double: rewrites `RUN pip x` to `RUN --mount=type=cache,... pip x` (needs 1.2)."""

    meta = TransformMeta(code="DM989", name="test-needs-mount", summary="no mount", fix_title="Mount",
                         safety=FixSafety.SAFE, min_syntax=(1, 2))

    def leave_Run(self, original: Run, updated: Run) -> Run:
        if isinstance(updated.command, ShellCommand) and updated.command.text == "pip x" and not updated.flags:
            return self.propose(original, updated.with_changes(flags=(Flag("--mount=type=cache,target=/c"),)))
        return updated


P = engine.SyntaxPolicy


@pytest.mark.parametrize("policy,before,after", [
    # No directive: none by default; `floating` adds `:1`; `minimum` the lowest the output needs.
    (P.NONE, "FROM a\nRUN true\n", "FROM a\nRUN :\n"),
    (P.FLOATING, "FROM a\nRUN true\n", "# syntax=docker/dockerfile:1\nFROM a\nRUN :\n"),
    (P.MINIMUM, "FROM a\nRUN true\n", "# syntax=docker/dockerfile:1.4\nFROM a\nRUN :\n"),
    (P.MINIMUM, "FROM a\nRUN --network=none true\nCOPY --exclude=*.md . .\n",
     "# syntax=docker/dockerfile:1.19\nFROM a\nRUN --network=none :\nCOPY --exclude=*.md . .\n"),
    (P.MINIMUM, "# escape=`\nFROM a\nRUN true\n", "# syntax=docker/dockerfile:1.4\n# escape=`\nFROM a\nRUN :\n"),
    (P.MINIMUM, "\ufeff# a comment\nFROM a\nRUN true\n",
     "\ufeff# syntax=docker/dockerfile:1.4\n# a comment\nFROM a\nRUN :\n"),
    # A pinned directive is raised as far as the output needs, whatever the policy.
    (P.NONE, "# syntax=docker/dockerfile:1.2\nFROM a\nRUN true\n", "# syntax=docker/dockerfile:1.4\nFROM a\nRUN :\n"),
    (P.NONE, "# syntax = docker/dockerfile:1.3.1-labs\r\nFROM a\r\nRUN true\r\n",
     "# syntax = docker/dockerfile:1.4-labs\r\nFROM a\r\nRUN :\r\n"),
    (P.NONE, "# syntax=docker/dockerfile:1.2\nFROM a\nRUN true\nADD --checksum=sha256:00 https://x/y /y\n",
     "# syntax=docker/dockerfile:1.6\nFROM a\nRUN :\nADD --checksum=sha256:00 https://x/y /y\n"),
    # ... and never lowered; floating, custom and digest-pinned frontends are left alone.
    (P.MINIMUM, "# syntax=docker/dockerfile:1\nFROM a\nRUN true\n", "# syntax=docker/dockerfile:1\nFROM a\nRUN :\n"),
    (P.MINIMUM, "# syntax=docker/dockerfile:latest\nFROM a\nRUN true\n",
     "# syntax=docker/dockerfile:latest\nFROM a\nRUN :\n"),
    (P.MINIMUM, "# syntax=docker/dockerfile:1.7\nFROM a\nRUN true\n", "# syntax=docker/dockerfile:1.7\nFROM a\nRUN :\n"),
])
def test_syntax_directive_policy(policy: engine.SyntaxPolicy, before: str, after: str) -> None:
    out = fix(before, _NeedsHeredocs, syntax_directive=policy).output.code
    assert out == after
    assert fix(out, _NeedsHeredocs, syntax_directive=policy).output.code == out


def test_a_custom_frontend_makes_the_fix_unsafe_and_keeps_its_directive() -> None:
    """Another frontend than docker/dockerfile may read the fix's syntax its own way: the
    safe fix becomes unsafe (with the reason), and when applied the directive stays."""
    before = "# syntax=example.com/custom:2\nFROM a\nRUN true\n"
    result = fix(before, _NeedsHeredocs, syntax_directive=P.MINIMUM)
    assert not result.changed
    (finding,) = result.findings
    assert finding.safety is FixSafety.UNSAFE
    assert finding.unsafe_reason == ("the file uses frontend `example.com/custom:2`; "
                                     "dockmod can only prove this for docker/dockerfile")
    out = fix(before, _NeedsHeredocs, syntax_directive=P.MINIMUM, unsafe_fixes=True).output.code
    assert out == "# syntax=example.com/custom:2\nFROM a\nRUN :\n"


@pytest.mark.parametrize("policy,before,after", [
    # A 1.2 file that gains a mount but already uses heredocs: raised to 1.4, not left at 1.2.
    (P.NONE, "# syntax=docker/dockerfile:1.2\nFROM a\nRUN <<EOF\ntrue\nEOF\nRUN pip x\n",
     "# syntax=docker/dockerfile:1.4\nFROM a\nRUN <<EOF\ntrue\nEOF\nRUN --mount=type=cache,target=/c pip x\n"),
    # Heredocs and COPY --link without a directive: none added by default ...
    (P.NONE, "FROM a\nCOPY --link . .\nRUN pip x\n", "FROM a\nCOPY --link . .\nRUN --mount=type=cache,target=/c pip x\n"),
    # ... and with `minimum`, never one below what the file uses (not 1.2).
    (P.MINIMUM, "FROM a\nCOPY --link . .\nRUN pip x\n",
     "# syntax=docker/dockerfile:1.4\nFROM a\nCOPY --link . .\nRUN --mount=type=cache,target=/c pip x\n"),
    (P.MINIMUM, "FROM a\nCOPY <<EOF /x\nhi\nEOF\nRUN pip x\n",
     "# syntax=docker/dockerfile:1.4\nFROM a\nCOPY <<EOF /x\nhi\nEOF\nRUN --mount=type=cache,target=/c pip x\n"),
    (P.MINIMUM, "FROM a\nRUN --mount=type=secret,id=t,env=T pip x\nRUN pip x\n",
     "# syntax=docker/dockerfile:1.10\nFROM a\nRUN --mount=type=secret,id=t,env=T pip x\n"
     "RUN --mount=type=cache,target=/c pip x\n"),
    (P.MINIMUM, "FROM a\nCOPY --parents a/*.txt /b/\nRUN pip x\n",
     "# syntax=docker/dockerfile:1.20\nFROM a\nCOPY --parents a/*.txt /b/\nRUN --mount=type=cache,target=/c pip x\n"),
    (P.NONE, "# syntax=docker/dockerfile:1.1-labs\nFROM a\nCOPY --parents a/*.txt /b/\nRUN pip x\n",
     "# syntax=docker/dockerfile:1.7-labs\nFROM a\nCOPY --parents a/*.txt /b/\nRUN --mount=type=cache,target=/c pip x\n"),
    # `:1` already admits everything.
    (P.MINIMUM, "# syntax=docker/dockerfile:1\nFROM a\nRUN <<EOF\ntrue\nEOF\nRUN pip x\n",
     "# syntax=docker/dockerfile:1\nFROM a\nRUN <<EOF\ntrue\nEOF\nRUN --mount=type=cache,target=/c pip x\n"),
])
def test_syntax_directive_reads_the_whole_output(policy: engine.SyntaxPolicy, before: str, after: str) -> None:
    assert fix(before, _NeedsMount, syntax_directive=policy).output.code == after


def test_no_directive_change_for_fixes_that_need_no_frontend() -> None:
    text = "# syntax=docker/dockerfile:1.2\nFROM a\nRUN <<EOF\ntrue\nEOF\nENV A 1\n"
    from dockmod.transforms.use_key_value_format import UseKeyValueFormat

    out = fix(text, UseKeyValueFormat).output.code
    assert out == text.replace("ENV A 1", "ENV A=1")


def test_frontend_needed_reads_onbuild_and_healthcheck() -> None:
    df = dockmod.parse("FROM a\nONBUILD RUN --network=host x\nHEALTHCHECK --start-interval=1s CMD x\n")
    assert engine.frontend_needed(df) == (1, 6)
    assert engine.frontend_needed(dockmod.parse("FROM a\nADD git@github.com:a/b.git /b\n")) == (1, 6)
    assert engine.frontend_needed(dockmod.parse("FROM a\nADD https://x/y.tar /b\n")) is None


def test_no_syntax_change_without_a_fix() -> None:
    text = "FROM a\nRUN false\n"
    assert fix(text, _NeedsHeredocs).output.code == text


def test_target_syntax_cap_reports_without_fix() -> None:
    result = fix("FROM a\nRUN true\n", _NeedsHeredocs, target_syntax=(1, 3))
    assert not result.changed
    (finding,) = result.findings
    assert finding.safety is None and not finding.fixable
    assert finding.no_fix_reason == "the fix needs docker/dockerfile:1.4, above target-syntax 1.3"


D = "sha256:" + "ab" * 32


@pytest.mark.parametrize("directive,capped", [
    (f"docker/dockerfile:1.3@{D}", True),  # pinned by digest: dockmod will not raise it
    ("docker/dockerfile-upstream:1.3", True),  # another image: not raised either
    ("mirror.gcr.io/docker/dockerfile:1.3", True),
    ("registry.corp.example/docker/dockerfile:1.3-labs", True),
    ("docker/dockerfile:1.3", False),  # raised to what the fix needs
    (f"docker/dockerfile:1@{D}", False),  # floating 1.x
    ("docker/dockerfile:1.4@" + D, False),  # pinned high enough
    ("example.com/my/frontend:latest", False),  # no version to compare: left alone
    ("example.com/my/frontend:1.0", False),  # another frontend: its 1.0 is not Docker's 1.0
])
def test_a_syntax_directive_dockmod_cannot_raise_caps_the_fixes(directive: str, capped: bool) -> None:
    """A fix that needs a newer frontend than a pinned directive that stays pinned would break
    the build: it is reported without a fix, naming the directive."""
    # (--unsafe-fixes: under a custom frontend the fix is unsafe, see the test above)
    result = fix(f"# syntax={directive}\nFROM a\nRUN true\n", _NeedsHeredocs, unsafe_fixes=True)
    (finding,) = result.findings
    assert finding.fixable is not capped and result.changed is not capped
    if capped:
        assert finding.no_fix_reason == (f"the fix needs docker/dockerfile:1.4, above `# syntax={directive}`, "
                                         "which dockmod does not raise")


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


class _BreaksSome(Transform):
    """Test double: `RUN bad` becomes `RUN x` + an unparsable `ENV A`; `RUN good` becomes `RUN ok`."""

    meta = TransformMeta(code="DM988", name="test-breaks-some", summary="`{text}` found",
                         fix_title="Rewrite `{text}`", safety=FixSafety.SAFE)

    def leave_Run(self, original: Run, updated: Run) -> Any:
        text = updated.command.text if isinstance(updated.command, ShellCommand) else ""
        if text == "bad":
            return self.propose(original, updated.with_changes(command=ShellCommand("x\nENV A")), text=text)
        if text == "good":
            return self.propose(original, updated.with_changes(command=ShellCommand("ok")), text=text)
        return updated


def test_a_fix_whose_output_does_not_parse_is_dropped_and_the_rest_applied() -> None:
    from dockmod.transforms.use_key_value_format import UseKeyValueFormat

    result = fix("FROM a\nRUN bad\nRUN good\nENV B 1\n", _BreaksSome, UseKeyValueFormat)
    assert result.output.code == "FROM a\nRUN bad\nRUN ok\nENV B=1\n"
    bad = [f for f in result.findings if f.line == 2]
    assert len(bad) == 1 and bad[0].safety is None and not bad[0].fixable
    assert bad[0].no_fix_reason is not None
    assert bad[0].no_fix_reason.startswith("the fix was dropped: its output does not parse (")
    good = [f for f in result.findings if f.line == 3]
    assert good[0].fixable
    (left,) = result.remaining
    assert (left.line, left.code, left.fixable) == (2, "DM988", False)


def test_check_reports_the_dropped_fix_only_in_fix_mode() -> None:
    df = dockmod.parse("FROM a\nRUN bad\n")
    (finding,) = engine.run(df, [_BreaksSome], engine.EngineOptions()).findings
    assert finding.fixable  # `check` does not run fixes, so it cannot know


@pytest.mark.parametrize("space", ["\u00a0", "\u0085", "\u2003", "\u3000"])
def test_dm502_keeps_every_space_buildkit_splits_on(space: str) -> None:
    # Quoted (or, with a quote in the value, escaped): BuildKit must read one pair.
    from dockmod.transforms.use_key_value_format import UseKeyValueFormat
    from tests.oracle import oracle_instructions

    for value, written in ((f"$CATAL{space}INA_HOME/bin", f'"$CATAL{space}INA_HOME/bin"'),
                           (f"'a'{space}b", f"'a'\\{space}b")):
        text = f"FROM a\nENV PATH {value}\n"
        result = fix(text, UseKeyValueFormat)
        out = result.output.code
        assert out == f"FROM a\nENV PATH={written}\n"
        assert result.findings[0].fixable
        env = oracle_instructions(out)[1]
        assert env["value"] == ["PATH", written]


def test_dm001_on_bare_cr_line_ends_writes_a_line_of_its_own() -> None:
    from dockmod.transforms.add_syntax_directive import AddSyntaxDirective

    text = "FROM alpine\rRUN echo hi\r"
    out = fix(text, AddSyntaxDirective).output.code
    assert out == "# syntax=docker/dockerfile:1\n" + text
    assert dockmod.parse(out).directive("syntax") == "docker/dockerfile:1"


PIP = "FROM python:3.12-slim\nRUN pip install flask\n"
PIP_FIXED = "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n"


@pytest.mark.parametrize("args,config,first_line", [
    ([], None, "FROM python:3.12-slim"),
    (["--syntax-directive", "floating"], None, "# syntax=docker/dockerfile:1"),
    ([], 'syntax-directive = "minimum"\n', "# syntax=docker/dockerfile:1.2"),
    (["--syntax-directive", "none"], 'syntax-directive = "minimum"\n', "FROM python:3.12-slim"),
])
def test_syntax_directive_from_cli_and_config(tmp_path, args, config, first_line) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from dockmod.cli import cli

    (tmp_path / "Dockerfile").write_text(PIP)
    if config:
        (tmp_path / "dockmod.toml").write_text(config)
    r = CliRunner().invoke(cli, ["fix", "--apply", "--select", "DM202", *args, str(tmp_path / "Dockerfile")])
    assert r.exit_code == 0, r.output
    out = (tmp_path / "Dockerfile").read_text()
    assert out.splitlines()[0] == first_line
    assert out.endswith(PIP_FIXED)


def test_syntax_directive_config_is_validated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dockmod.config import load
    from dockmod.errors import ConfigError

    (tmp_path / "dockmod.toml").write_text('syntax-directive = "pinned"\n')
    with pytest.raises(ConfigError, match="`syntax-directive` must be one of 'none', 'floating', 'minimum', got 'pinned'"):
        load(tmp_path / "dockmod.toml")


@pytest.mark.parametrize("safety,unsafe_fixes,applies", [
    (FixSafety.SAFE, False, True), (FixSafety.SAFE, True, True),
    (FixSafety.UNSAFE, False, False), (FixSafety.UNSAFE, True, True),
    (FixSafety.DISPLAY_ONLY, False, False), (FixSafety.DISPLAY_ONLY, True, False),
])
def test_fix_safety_applies(safety: FixSafety, unsafe_fixes: bool, applies: bool) -> None:
    assert safety.applies(unsafe_fixes) is applies


class _Wraps(Transform):
    """Edits a flag in leave_Flag, then proposes (and is held back) at the RUN."""

    meta = TransformMeta(code="DM987", name="test-wraps", summary="x", fix_title="y", safety=FixSafety.UNSAFE)

    def leave_Flag(self, original: Flag, updated: Flag) -> Flag:
        return self.propose(original, updated.with_changes(raw="--network=none"), safety=FixSafety.SAFE)

    def leave_Run(self, original: Run, updated: Run) -> Run:
        return self.propose(original, updated.with_changes(command=ShellCommand("changed")))


def test_propose_keeps_updated_when_the_fix_is_not_applied() -> None:
    # The RUN's own (unsafe) fix is held back, but its flag's safe fix must survive: the
    # RUN kept is `updated`, not `original`.
    out = fix("FROM a\nRUN --network=host x\n", _Wraps).output.code
    assert out == "FROM a\nRUN --network=none x\n"


def test_a_checked_file_leaves_no_reference_cycles() -> None:
    """A file's tree, model and findings are freed as soon as they are dropped, without the
    garbage collector: a cycle (a scope holding its model, a transform its helpers) kept
    every file alive until a collection, which cost a bulk run ~10% of its time."""
    import gc

    from dockmod.transforms import select

    text = ("ARG BASE=python:3.12-slim\nFROM ${BASE} AS build\nRUN useradd -u 1000 -m app\nUSER app\n"
            "WORKDIR /src\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\n"
            "FROM debian:12\nRUN apt-get update && apt-get install curl\nENV A b\n"
            "COPY --from=build /src /app\nCMD python -m app\n")
    opts = engine.EngineOptions(fix=True, unsafe_fixes=True)
    engine.run(dockmod.parse(text), select(), opts)  # warm every lazy import and table
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            result = engine.run(dockmod.parse(text), select(), opts)
            assert result.changed and result.findings
        del result
        gc.set_debug(gc.DEBUG_SAVEALL)
        found = gc.collect()
        kinds = sorted({type(o).__name__ for o in gc.garbage})[:10]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert found == 0, kinds


class _LeaveMaintainer(Transform):
    meta = TransformMeta(code="DM997", name="leave-maintainer", summary="MAINTAINER", fix_title=None,
                         safety=FixSafety.SAFE)

    def leave_Maintainer(self, original: Any, updated: Any) -> Any:
        self.report(original)
        return updated


class _OwnTransform(_LeaveMaintainer):
    def transform(self, df: Any) -> Any:
        return self.walk(df)


def test_a_transform_that_would_call_no_handler_is_not_run() -> None:
    """The engine skips a walk-only transform when the tree has no instruction it handles;
    a tree that has one, or a transform with its own ``transform``, is run as before."""
    without = dockmod.parse("FROM alpine\nRUN true\n")
    with_it = dockmod.parse("FROM alpine\nMAINTAINER me\nRUN true\n")
    kinds = frozenset(map(type, without.body))
    assert _LeaveMaintainer.idle_on(kinds)
    assert not _OwnTransform.idle_on(kinds)
    assert not _LeaveMaintainer.idle_on(frozenset(map(type, with_it.body)))
    opts = engine.EngineOptions()
    for cls in (_LeaveMaintainer, _OwnTransform):
        assert engine.run(without, [cls], opts).findings == []
        (found,) = engine.run(with_it, [cls], opts).findings
        assert (found.code, found.line) == ("DM997", 2)


def test_finding_pickles_with_every_field() -> None:
    # Bulk runs send findings from workers to the parent: Finding pickles as its arguments.
    import pickle

    from dockmod.transforms import Finding

    f = Finding("DM999", "name", "message", 1, 2, 3, 4, "title", FixSafety.UNSAFE, "reason")
    back = pickle.loads(pickle.dumps(f, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == f and back.no_fix_reason == "reason" and back.safety is FixSafety.UNSAFE


@pytest.mark.parametrize("text", ["FROM a\n", "FROM a", "FROM a\r\nRUN b\r\n\r\n", "\ufeffFROM a\nRUN b\n\n# c"])
def test_line_starts_are_after_each_newline(text: str) -> None:
    from dockmod.cst.positions import PositionProvider

    assert PositionProvider(dockmod.parse(text))._line_starts() == [0, *(i + 1 for i, c in enumerate(text) if c == "\n")]


def test_idle_transforms_are_decided_per_set_of_instruction_classes() -> None:
    # The answer of idle_on is cached per set of instruction classes: another set, in a
    # later file, gets its own answer.
    transforms: list[type[Transform]] = [_LeaveMaintainer, _NeedsHeredocs]
    opts = engine.EngineOptions()
    engine._ACTIVE.clear()
    assert engine.run(dockmod.parse("FROM a\nWORKDIR /x\n"), transforms, opts).findings == []
    assert engine._active(transforms, frozenset(map(type, dockmod.parse("FROM a\nWORKDIR /y\n").body))) == ()
    found = engine.run(dockmod.parse("FROM a\nMAINTAINER me\nRUN true\n"), transforms, opts).findings
    assert sorted(f.code for f in found) == ["DM990", "DM997"]
    assert engine.run(dockmod.parse("FROM a\nWORKDIR /x\n"), transforms, opts).findings == []
