"""Shortcuts that read a tree's text without printing it, and must agree with printing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import dockmod
from dockmod.cst.arguments import KeyValue
from dockmod.cst.positions import Layout, _bounds_in, _printed
from dockmod.errors import ParseError
from dockmod.lang.words import logical_text, parse_words
from tests.conftest import corpus_files, read

_TEXT = "\ufeff# syntax=docker/dockerfile:1\nFROM alpine AS a\n\n# c\nRUN a \\\n  b\nENV A=1\n# end\n"


def test_a_parsed_tree_gives_its_text() -> None:
    df = dockmod.parse(_TEXT)
    assert df.source() == _TEXT == df.code
    layout = Layout(df)
    assert layout.text == _TEXT and Layout.text_of(df) == _TEXT
    assert [_TEXT[s:e] for s, e in zip(layout.starts, layout.ends)] == [i.code for i in df.body]


def test_a_changed_or_older_tree_is_printed() -> None:
    df = dockmod.parse(_TEXT)
    changed = df.with_changes(body=df.body[:2])
    assert changed.source() is None
    assert Layout(changed).text == changed.code == Layout.text_of(changed) != _TEXT
    older = dockmod.parse("FROM b\n")
    dockmod.parse("FROM c\n")
    assert older.source() is None and Layout(older).text == "FROM b\n"


def _slow_text(raw: str, escape: str) -> str:
    t = logical_text(raw, escape)
    words = parse_words(t, 0, len(t), escape)
    return words[0][2] if words else ""


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab=_-$/.:'\"\\` \t\u3000\u00a0\n#", max_size=12), st.sampled_from(("\\", "`")))
def test_key_value_text_is_parse_words(raw: str, escape: str) -> None:
    assert KeyValue(raw, "", escape).text == _slow_text(raw, escape)


def _same_layout(text: str) -> None:
    try:
        df = dockmod.parse(text)
    except ParseError:
        return
    fast = _bounds_in(df, text)
    printed_text, printed = _printed(df)
    assert printed_text == text and fast == printed, text


# Lines that end or continue instructions (either escape char, escaped escapes, trailing
# spaces and CRs), comments and blanks inside and between them, heredocs, ONBUILD.
_LINES = ("RUN a \\", "RUN a \\  ", "RUN a \\\r", "  b \\", "\\", "  c", "", " ", "# c", "  # c \\",
          "RUN <<EOF", "EOF", "RUN a `", "  b `", "ENV A=1 \\", "RUN a \\\\", "COPY <<-X /f", "\tX",
          "ONBUILD RUN <<E", "E", "FR\\", "OM b", "  RUN x", "LABEL a=\"b \\", "c\"")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_LINES), min_size=1, max_size=10), st.sampled_from(("\n", "\r\n")),
       st.booleans(), st.sampled_from(("", "# escape=`\n", "\ufeff", "# syntax=x\n")))
def test_bounds_read_from_the_text_are_the_printed_ones(lines: list[str], newline: str, last: bool,
                                                        head: str) -> None:
    _same_layout(head + "FROM alpine" + newline + newline.join(lines) + (newline if last else ""))


def test_bounds_of_corpus_files_are_the_printed_ones() -> None:
    for path in corpus_files():
        _same_layout(read(path))
