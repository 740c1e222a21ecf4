"""``PositionProvider._span`` (one line table fetch, one bisection for a span on one line)
gives what ``_pos`` of each end gives, for every pair of offsets of a text: lines of any
length, a BOM, CRLF, a text without a final newline."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import dockmod
from dockmod.cst.positions import PositionProvider, Span

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
