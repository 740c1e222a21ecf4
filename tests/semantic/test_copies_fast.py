"""The copies' plain-word shortcut gives what the lexer gives (``process_word``)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dockmod.lang.words import LexError, process_word
from dockmod.semantic.copies import _word_value, plain_path

PIECES = ["a", ".", "/", "-", "_", " ", "\t", "*", "$", "$V", "${V}", "'", '"', "\\", "`", "<", "<<", "{", "}",
          "é"]


def _outcome(f, word: str, escape: str) -> object:  # type: ignore[no-untyped-def]
    try:
        return f(word, escape)
    except LexError:
        return LexError


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8), st.sampled_from(["\\", "`"]))
def test_shortcut_agrees_with_the_lexer(parts: list[str], escape: str) -> None:
    word = "".join(parts)
    assert _outcome(_word_value, word, escape) == _outcome(process_word, word, escape), (word, escape)


def test_shortcut_only_for_plain_words() -> None:
    # The slow path must run where the lexer changes the text.
    assert _word_value("'a b'", "\\") == "a b"
    assert _word_value("a\\ b", "\\") == "a b"
    assert _word_value("a` b", "`") == "a b"
    assert _word_value("./src/", "\\") == "./src/"


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="ab/.$`*?[]{}'\"\\ \t\n-_é", max_size=10))
def test_plain_path_is_the_character_rule(path: str) -> None:
    assert plain_path(path) == (bool(path) and not any(c in path for c in "$`*?[]{}'\"\\ \t"))
