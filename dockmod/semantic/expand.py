"""Variable expansion as BuildKit's dispatcher does it, over a scope's ARGs and ENV.

The lexer is :mod:`dockmod.lang.words` (a port of ``frontend/dockerfile/shell/lex.go``);
this module only decides what a name's value is. A value that cannot be known is
``UNKNOWN``, and any expansion that depends on it gives None.
"""

from __future__ import annotations

from collections.abc import Callable

from dockmod.lang.words import (
    UNKNOWN,
    LexError,
    Unknown,
    UnknownValue,
    expand_word,
    expand_words,
)

Lookup = Callable[[str], "str | Unknown | None"]

__all__ = ["UNKNOWN", "LexError", "Lookup", "Unknown", "expand", "expand_list"]


def expand(word: str, lookup: Lookup, escape: str = "\\") -> str | None:
    """``word`` with quotes removed and variables expanded; None if anything is unknown.

    A word BuildKit rejects (``${X:?}`` on an empty X, an unterminated quote) also gives
    None: there is no value to reason about.
    """
    if "$" not in word and "'" not in word and '"' not in word and escape not in word:
        return word
    try:
        return expand_word(word, lookup, escape)
    except (UnknownValue, LexError):
        return None


def expand_list(word: str, lookup: Lookup, escape: str = "\\") -> list[str] | None:
    """``ProcessWords``: the words after expansion and splitting; None if unknown."""
    try:
        return expand_words(word, lookup, escape)
    except (UnknownValue, LexError):
        return None
