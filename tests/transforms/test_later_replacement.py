"""``propose(original, Later(build))``: the replacement is built only when the run reads it
(to apply the fix, or for the proposal's key), and then at most once; findings are those of
an eager replacement."""

from __future__ import annotations

from typing import Any

import pytest

import dockmod
from dockmod import cst
from dockmod.transforms._base import Context, FixSafety, Later, Transform, TransformMeta

_META = TransformMeta("DM999", "lowercase-run", "found `{what}`", "fix `{what}`", FixSafety.SAFE)
TEXT = "FROM alpine\nRUN a\nRUN b\n"


class _Lazy(Transform):
    meta = _META
    builds = 0

    def leave_Run(self, original: cst.Run, updated: cst.Run) -> Any:
        def fixed() -> cst.Run:
            type(self).builds += 1
            return updated.with_changes(keyword="run")

        return self.propose(original, Later(fixed), updated=updated, what="RUN")


class _Eager(Transform):
    meta = _META

    def leave_Run(self, original: cst.Run, updated: cst.Run) -> Any:
        return self.propose(original, updated.with_changes(keyword="run"), updated=updated, what="RUN")


def _run(cls: type[Transform], **ctx: Any) -> tuple[Transform, cst.Dockerfile]:
    df = dockmod.parse(TEXT)
    t = cls(Context(dockerfile=df, **ctx))
    return t, t.transform(df)


@pytest.fixture(autouse=True)
def _count() -> None:
    _Lazy.builds = 0


def test_a_check_builds_nothing() -> None:
    lazy, out = _run(_Lazy)
    eager, _ = _run(_Eager)
    assert _Lazy.builds == 0
    assert out.code == TEXT
    assert lazy.findings == eager.findings and len(lazy.findings) == 2


def test_a_fix_builds_each_once() -> None:
    lazy, out = _run(_Lazy, fix=True)
    eager, expected = _run(_Eager, fix=True)
    assert _Lazy.builds == 2 and lazy.applied == 2
    assert out.code == expected.code == "FROM alpine\nrun a\nrun b\n"


def test_keys_are_the_eager_ones() -> None:
    df = dockmod.parse(TEXT)
    keys = []
    for cls in (_Lazy, _Eager):
        ctx = Context(dockerfile=df, fix=True, track_keys=True)
        t = cls(ctx)
        t.transform(df)
        keys.append(t.proposal_keys)
    assert keys[0] == keys[1] and len(keys[0]) == 2
    assert _Lazy.builds == 2  # one build serves the key and the fix


def test_a_rejected_key_is_found() -> None:
    df = dockmod.parse(TEXT)
    rejected = {("DM999", "RUN a\n", "run a\n"): "does not parse"}
    t = _Lazy(Context(dockerfile=df, rejected=rejected))
    out = t.transform(df)
    assert [f.no_fix_reason for f in t.findings] == ["does not parse", None]
    assert out.code == TEXT
