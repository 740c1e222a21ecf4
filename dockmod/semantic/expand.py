"""Variable expansion as BuildKit's dispatcher does it, over a scope's ARGs and ENV.

The lexer is :mod:`dockmod.lang.words` (a port of ``frontend/dockerfile/shell/lex.go``);
this module only decides what a name's value is. A value that cannot be known is
``UNKNOWN``, and any expansion that depends on it gives None.
"""

from __future__ import annotations

import re
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

__all__ = ["UNKNOWN", "LexError", "Lookup", "Unknown", "expand", "expand_list", "known_parts", "variables"]


def expand(word: str, lookup: Lookup, escape: str = "\\") -> str | None:
    """``word`` with quotes removed and variables expanded; None if anything is unknown.

    A word BuildKit rejects (``${X:?}`` on an empty X, an unterminated quote) also gives
    None: there is no value to reason about.
    """
    if "$" not in word and "'" not in word and '"' not in word and escape not in word:
        return word
    if "'" not in word and escape not in word and "<" not in word and word.isascii():
        simple = _expand_simple(word, lookup)
        if simple is not _NOT_SIMPLE:
            return simple  # type: ignore[return-value]
    try:
        return expand_word(word, lookup, escape)
    except (UnknownValue, LexError):
        return None


# ``$NAME`` and ``${NAME}`` with an ASCII name. In an ASCII word, the lexer's name is the
# longest run of ``[A-Za-z0-9_]`` after ``$`` (``process_name``), exactly what ``\w*``
# takes here (re.ASCII), and a letter or ``_`` first is neither positional nor special.
_SIMPLE_VAR = re.compile(r"\$(?:([A-Za-z_]\w*)|\{([A-Za-z_]\w*)\})", re.ASCII)
_NOT_SIMPLE = object()


def _expand_simple(word: str, lookup: Lookup) -> str | None | object:
    """:func:`expand` of a word whose only lexer syntax is ``$NAME``/``${NAME}`` and pairs
    of double quotes (no single quote, escape, ``<``, modifier or other ``$``), without the
    lexer; ``_NOT_SIMPLE`` for another word. Saves the lexer's character loop for most
    words the model expands (``$HOME/x``, ``"/opt/app"``, ``"$PATH:/x"``). Exact: for such
    a word the lexer drops each double quote (inside a pair it copies every character but
    ``$``, the escape character and the closing quote, and reads ``$NAME`` as outside),
    copies every other character and replaces each variable by its value (unset: empty;
    UNKNOWN: no result), as done here; an unpaired quote is left to the lexer (its error
    comes after the look-ups before it). tests/semantic/test_expand_properties.py compares
    both on corpus and generated words."""
    parts = _SIMPLE_VAR.split(word)  # literal, name, braced name, literal, ...
    literals = parts[::3]
    if any("$" in literal for literal in literals):
        return _NOT_SIMPLE  # checked before any look-up: the lexer then looks each up once
    if '"' in word:
        if word.count('"') % 2:
            return _NOT_SIMPLE
        parts[::3] = [literal.replace('"', "") for literal in literals]
        literals = parts[::3]
    out = [literals[0]]
    for i in range(1, len(parts), 3):
        value = lookup(parts[i] or parts[i + 1])
        if value is UNKNOWN:
            return None
        if value is not None:
            out.append(value)  # type: ignore[arg-type]
        out.append(parts[i + 2])
    return "".join(out)


def expand_list(word: str, lookup: Lookup, escape: str = "\\") -> list[str] | None:
    """``ProcessWords``: the words after expansion and splitting; None if unknown."""
    try:
        return expand_words(word, lookup, escape)
    except (UnknownValue, LexError):
        return None


def variables(word: str, escape: str = "\\") -> frozenset[str] | None:
    """The names BuildKit's lexer looks up when it expands ``word`` (``$A``, ``${B:-x}``).

    For "which instructions expand variable X" (DM301: a secret used outside a RUN).
    Names inside single quotes or escaped ``\\$`` are not looked up. None when the lexer
    rejects the word (then it cannot be said).
    """
    if "$" not in word:
        return frozenset()
    seen: set[str] = set()

    def lookup(name: str) -> str | Unknown | None:
        seen.add(name)
        return ""

    try:
        expand_word(word, lookup, escape)
    except (UnknownValue, LexError):
        return None
    return frozenset(seen)


def known_parts(word: str, lookup: Lookup, escape: str = "\\") -> list[str] | None:
    """What is known of ``word``'s value: its text split where an unknown value goes, so
    ``base-${TARGETARCH}`` gives ``["base-", ""]`` and a word whose value is known gives
    that one value. An unknown variable may be anything, and so may a variable with a
    modifier (``${X:+a}`` is "a" or "", and more may depend on the value): never narrower
    than what BuildKit may produce. None when nothing can be said: the word uses quotes
    or the escape character, its braces do not pair, or the lexer rejects it."""
    if any(c in word for c in ("'", '"', escape)):
        return None
    if _MODIFIED.search(word):
        holed = _holes(word)
        if holed is None:
            return None
        word = holed

    def hole(name: str) -> str | Unknown | None:
        value = _HOLE if name == _HOLE_NAME else lookup(name)
        return _HOLE if value is UNKNOWN else value

    value = expand(word, hole, escape)
    return None if value is None else value.split(_HOLE)


#: ``${NAME`` followed by a modifier (``:-``, ``+``, ``#``, …): its value is not the variable's.
_MODIFIED = re.compile(r"\$\{\w+[^\w}]")
_HOLE = "\x00"
#: The variable :func:`_holes` puts in place of a modified one, read as unknown. Should a
#: Dockerfile declare an ARG of that name, its value is taken as unknown too: wider, still sound.
_HOLE_NAME = "_dockmod_hole_"


def _holes(word: str) -> str | None:
    """``word`` with each ``${…}`` that holds a modifier (nested ones included) replaced by
    ``${_HOLE_NAME}``; None when its braces do not pair."""
    out: list[str] = []
    i = 0
    while True:
        j = word.find("${", i)
        if j < 0:
            out.append(word[i:])
            return "".join(out)
        depth, k = 0, j
        while k < len(word):
            if word.startswith("${", k):
                depth += 1
                k += 2
                continue
            if word[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        else:
            return None
        ref = word[j:k + 1]
        out.append(word[i:j])
        out.append("${" + _HOLE_NAME + "}" if _MODIFIED.search(ref) else ref)
        i = k + 1
