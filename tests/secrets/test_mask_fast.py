"""The masking path's shortcuts agree with the plain definitions they replace."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dockmod
from dockmod.secrets import _lines_with, secret_values
from tests.conftest import corpus_files, read


def _lines_with_plain(text: str, *needles: str) -> str:
    """The definition: every line holding all needles, in order, joined by ``\n``."""
    return "\n".join(line for line in text.split("\n") if all(n in line for n in needles))


_NEEDLES = [("=",), ("://", "@"), ("@", "://")]


@pytest.mark.corpus
def test_lines_with_matches_the_definition_on_the_corpus() -> None:
    seen = 0
    for path in corpus_files():
        text = read(path)
        for needles in _NEEDLES:
            got = _lines_with(text, *needles)
            assert got == _lines_with_plain(text, *needles), (path, needles)
            seen += bool(got)
    assert seen > 1000


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab=:/@\n\r ", max_size=60), st.sampled_from(_NEEDLES))
def test_lines_with_matches_the_definition(text: str, needles: tuple[str, ...]) -> None:
    assert _lines_with(text, *needles) == _lines_with_plain(text, *needles)


def test_lines_with_edges() -> None:
    assert _lines_with("", "=") == ""
    assert _lines_with("a=b", "=") == "a=b"
    assert _lines_with("=\n\n=", "=") == "=\n="
    assert _lines_with("x\na=b\n", "=") == "a=b"
    assert _lines_with("s://u:p@h\nq@r\nt://", "://", "@") == "s://u:p@h"


def test_declared_values_cached_per_allow_and_deny_list() -> None:
    """The same pair answers by the lists it is asked with, whatever was asked before."""
    df = dockmod.parse("FROM alpine\nARG MY_TOKEN=hunter22\nENV HINT=abcdefgh\n")
    declared = lambda **kw: [v.key for v in secret_values(df, **kw) if v.key]  # noqa: E731
    assert declared() == ["MY_TOKEN"]
    assert declared(allow=("my",)) == []
    assert declared(deny=("hint",)) == ["MY_TOKEN", "HINT"]
    assert declared() == ["MY_TOKEN"]
