"""DM512 fixes every ``apt-get install`` of a RUN in one pass, with a bounded number of
shell parses (the fix loop's 10-pass cap once failed whole files with 10+ calls)."""

from __future__ import annotations

from dockmod.shell import parse as shell_parse
from dockmod.transforms.add_apt_install_flags import AddAptInstallFlags
from tests.transforms.harness import run_transform


def _chain(n: int, install: str) -> str:
    return "FROM debian:12\nRUN apt-get update" + "".join(
        f" \\\n && {install} pkg{i}" for i in range(n)) + "\n"


def test_thousand_calls_fixed_in_one_pass() -> None:
    n = 1000
    shell_parse.clear_cache()
    out = run_transform(_chain(n, "apt-get install -y"), AddAptInstallFlags, unsafe_fixes=True)
    assert out.output == _chain(n, "apt-get install -y --no-install-recommends")
    assert len(out.result.findings) == n
    assert out.result.remaining == []
    # One pass that fixes, one that finds nothing left.
    assert out.result.passes <= 2
    # The input, the edit of all insertions, and nothing per call.
    assert shell_parse.stats().parses <= 4


def test_more_calls_than_the_pass_cap() -> None:
    out = run_transform(_chain(12, "apt-get install --no-install-recommends"), AddAptInstallFlags)
    assert out.output == _chain(12, "apt-get install --no-install-recommends -y")
    assert out.result.passes <= 2


def test_safe_only_run_keeps_unsafe_insertions_out() -> None:
    out = run_transform(_chain(3, "apt-get install"), AddAptInstallFlags)
    assert out.output == _chain(3, "apt-get install -y")
    held = [f for f in out.result.remaining if "without `--no-install-recommends`" in f.message]
    assert len(held) == 3


def test_calls_verified_one_by_one_when_the_joint_edit_fails(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The edit of all insertions is verified first; should it fail, each insertion is
    # verified alone and the applied ones are joined again.
    from dockmod.shell import edits

    real = edits.insert_words
    calls: list[int] = []

    def flaky(command, insertions):  # type: ignore[no-untyped-def]
        insertions = list(insertions)
        calls.append(len(insertions))
        return None if len(calls) == 1 else real(command, insertions)

    monkeypatch.setattr(edits, "insert_words", flaky)
    out = run_transform(_chain(3, "apt-get install"), AddAptInstallFlags, unsafe_fixes=True)
    assert out.output == _chain(3, "apt-get install -y --no-install-recommends")
    assert calls[:1] == [6] and 1 in calls
