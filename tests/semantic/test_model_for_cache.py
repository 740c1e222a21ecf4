"""``model_for`` and ``Dockerfile.memo`` keep only the newest tree (so an older tree is
freed soon after its pass): a tree asked again gets its own model and views, never another
tree's, and the same tree keeps one model for every transform of its pass."""

from __future__ import annotations

import dockmod
from dockmod.cst import module
from dockmod.semantic import Model, model_for
import dockmod.semantic as semantic


A = "FROM alpine AS a\nRUN echo a\n"
B = "FROM debian AS b\nCOPY --from=a / /\nRUN echo b\n"


def test_same_tree_one_model() -> None:
    df = dockmod.parse(A)
    m = model_for(df)
    assert model_for(df) is m
    assert isinstance(m, Model) and m.dockerfile is df


def test_new_tree_drops_the_last_ones_model() -> None:
    a, b = dockmod.parse(A), dockmod.parse(B)
    ma = model_for(a)
    mb = model_for(b)
    assert mb.dockerfile is b and mb is not ma
    assert all(tree is b for tree, _ in semantic._MODELS.values())
    # Asked again, the older tree gets a model of its own (rebuilt), not the newer one's.
    ma2 = model_for(a)
    assert ma2.dockerfile is a and ma2 is not mb
    assert [s.name for s in ma2.stages] == ["a"]
    assert [s.name for s in model_for(b).stages] == ["b"]


def test_targets_share_the_tree() -> None:
    b = dockmod.parse(B)
    m_all = model_for(b)
    m_b = model_for(b, ["b"])
    assert m_b is not m_all
    assert model_for(b) is m_all and model_for(b, ["b"]) is m_b


def test_memo_holds_the_newest_tree_only() -> None:
    a, b = dockmod.parse(A), dockmod.parse(B)
    assert a.memo("t", lambda d: d.code) == A
    assert b.memo("t", lambda d: d.code) == B
    assert all(entry[0] is b for entry in module._MEMO.values())
    # Alternating trees never read each other's views.
    for _ in range(3):
        assert a.memo("t", lambda d: d.code) == A
        assert b.memo("t", lambda d: d.code) == B
        assert [s.name for s in a.stages] == ["a"] and [s.name for s in b.stages] == ["b"]
