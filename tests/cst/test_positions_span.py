"""``PositionProvider._span`` (one line table fetch, one bisection for a span on one line)
gives what ``_pos`` of each end gives, for every pair of offsets of a text: lines of any
length, a BOM, CRLF, a text without a final newline."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dockmod
from dockmod import engine
from dockmod.cst import positions
from dockmod.cst.positions import PositionProvider, Span
from dockmod.transforms import REGISTRY

_TEXTS = ["FROM a\n", "FROM a", "\ufeffFROM a\nRUN b\n\n# c", "FROM a\r\nRUN b \\\r\n  c\r\n\r\n",
          "FROM a\nRUN x \\\n y \\\n\n z\nCOPY . .\n"]


def _expected(p: PositionProvider, start: int, end: int) -> Span:
    sl, sc = p._pos(start)
    el, ec = p._pos(max(end, start))
    return Span(sl, sc, el, ec, start, end)


def test_every_pair_of_offsets() -> None:
    for text in _TEXTS:
        p = PositionProvider(dockmod.parse(text))
        n = len(p.text)
        for start in range(n + 1):
            for end in range(n + 1):
                assert p._span(start, end) == _expected(p, start, end), (text, start, end)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["RUN a", "RUN b \\", "  c", "", "# x", "ENV A=1"]), max_size=8),
       st.booleans(), st.data())
def test_generated_texts(lines: list[str], bom: bool, data: st.DataObject) -> None:
    text = ("\ufeff" if bom else "") + "\n".join(["FROM a", *lines, "CMD x"]) + "\n"
    p = PositionProvider(dockmod.parse(text))
    start = data.draw(st.integers(0, len(p.text)))
    end = data.draw(st.integers(0, len(p.text)))
    assert p._span(start, end) == _expected(p, start, end)


def test_findings_keep_their_spans() -> None:
    df = dockmod.parse("FROM a\n# c\nRUN x \\\n  y\nENV A 1\n")
    p = PositionProvider(df)
    run, env = df.body[1], df.body[2]
    assert p.span(run) == Span(3, 1, 4, 4, 11, 22)
    assert p.span(env) == Span(5, 1, 5, 8, 23, 30)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["RUN a", "RUN b \\", "", "\r", "# x", "RUN c \\\r"]), max_size=10), st.booleans())
def test_line_starts_follow_each_newline(lines: list[str], final: bool) -> None:
    text = "\n".join(["FROM a", *lines]) + ("\n" if final else "")
    p = PositionProvider(dockmod.parse(text))
    assert p._line_starts() == [0, *(i + 1 for i, c in enumerate(p.text) if c == "\n")]


def _table_first(text: str) -> PositionProvider:
    p = PositionProvider(dockmod.parse(text))
    p._line_starts()  # every offset from the line table
    return p


def test_counted_offsets_then_the_table() -> None:
    # The first offsets asked are located by counting newlines, the rest from the table
    # (built at the ninth): the same lines and columns either way (BOM, CRLF, no final newline).
    for text in _TEXTS:
        p, table = PositionProvider(dockmod.parse(text)), _table_first(text)
        offsets = list(range(len(p.text) + 1))
        for i, offset in enumerate(offsets):
            assert p._pos(offset) == table._pos(offset), (text, offset)
            assert (p._starts is None) == (i < positions._COUNTED), (text, i)
        p = PositionProvider(dockmod.parse(text))
        for start, end in zip(offsets, reversed(offsets)):
            assert p._span(start, end) == table._span(start, end), (text, start, end)


_MANY = "\ufeffFROM a\r\n" + "".join(f"MAINTAINER m{i}\r\nRUN x{i} \\\r\n  y\r\n" for i in range(12))


def test_findings_positions_before_and_after_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    # More findings than offsets counted: each finding's position is the one the line table gives.
    def check() -> list[tuple[str, int, int, int, int]]:
        result = engine.run(dockmod.parse(_MANY), list(REGISTRY), engine.EngineOptions())
        return [(f.code, f.line, f.column, f.end_line, f.end_column) for f in result.findings]

    counted = check()
    assert len(counted) > positions._COUNTED and {2, 35} < {f[1] for f in counted}
    monkeypatch.setattr(positions, "_COUNTED", 0)
    assert counted == check()
