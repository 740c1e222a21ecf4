"""Rewrite legacy ``ENV key value`` / ``LABEL key value`` as ``key=value``.

## What it does
Finds ENV and LABEL instructions in the legacy whitespace-separated form (BuildKit check
``LegacyKeyValueFormat``) and writes them as ``key=value``.

## Why
The legacy form allows one pair per instruction and is ambiguous to read: in
``ENV A B C`` the value is ``B C``. BuildKit warns about it and may drop it.

## Example
``ENV PORT 8000`` becomes ``ENV PORT=8000``; ``ENV DEPS curl git make`` becomes
``ENV DEPS="curl git make"``, as Docker's own guidance writes it; a legacy value over
several lines (``ENV DEPS \\`` / ``autoconf \\`` / ``dpkg-dev``) becomes
``ENV DEPS="autoconf \\`` / ``dpkg-dev"``, its line breaks kept.

## Fix safety
Safe. In both forms BuildKit processes the value as one shell word (quotes removed,
variables expanded); the only difference is that ``key=value`` splits on unquoted
whitespace. A value with whitespace is wrapped in double quotes when that keeps the
value exactly (checked with BuildKit's word splitting and lexer: inside double quotes
``'`` is literal and the escape character only escapes ``"``, ``$`` and itself); else
each unquoted whitespace character is escaped with the file's escape character
(``ENV QUOTED "a b" c`` becomes ``ENV QUOTED="a b"\\ c``). A value over several lines
takes that form too (``LABEL RUN 'docker run \\`` / ``-v …'`` becomes ``LABEL RUN='docker
run \\`` / ``-v …'``) when it is checked the same way; otherwise it is reported without a
fix, as is a key over several lines.

## Options
None.
"""

from __future__ import annotations

import functools
import re

from dockmod.cst import Env, KeyValue, Label
from dockmod.lang.words import GO_SPACE, LexError, expand_word, logical_text, parse_words
from dockmod.transforms._base import Example, FixSafety, Later, Transform, TransformMeta


_SPACE = re.compile("[%s]" % re.escape("".join(sorted(GO_SPACE))))


def _escape_unquoted_whitespace(value: str, escape: str) -> str:
    """``value`` with every whitespace char outside quotes preceded by ``escape``.

    Whitespace as BuildKit's ``parseWords`` splits on (Go's ``unicode.IsSpace``): NBSP
    (U+00A0) and NEL (U+0085) too, which the legacy form keeps inside the value.
    """
    if _SPACE.search(value) is None:
        return value  # no whitespace: every other char is kept as it is
    out = []
    quote = ""
    i = 0
    n = len(value)
    while i < n:
        ch = value[i]
        if quote:
            out.append(ch)
            if ch == quote:
                quote = ""
            elif ch == escape and quote != "'" and i + 1 < n:
                i += 1
                out.append(value[i])
        elif ch == escape and i + 1 < n:
            out.append(ch)
            out.append(value[i + 1])
            i += 1
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch in GO_SPACE:
            out.append(escape + ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _quoted(key_raw: str, raw: str, escape: str) -> str | None:
    """The legacy value in double quotes (``"curl git"``, as Docker's guide writes it), or
    None when it has no unquoted whitespace (nothing to quote) or quoting would change
    what BuildKit makes of it.

    The raw value is wrapped as written, line continuations included: BuildKit joins the
    lines first, then lexes the value. Kept only when ``KEY="…"`` is one word (BuildKit's
    ``parseWords``) and its value, quotes removed and variables expanded (``ProcessWord``),
    equals the legacy value's: inside double quotes ``'`` is literal and the escape char
    only escapes ``"``, ``$`` and itself, so a value with quotes or escapes mostly keeps
    the escaped form. A value with a ``"`` of its own (not escaped) is not wrapped either:
    ``"a "b""`` keeps the value but reads as if it held quotes.
    """
    if _escape_unquoted_whitespace(raw, escape) == raw and "\n" not in raw:
        return None
    i = 0
    while i < len(raw):  # a quote of the value's own would pair with ours: hard to read
        if raw[i] == escape:
            i += 1
        elif raw[i] == '"':
            return None
        i += 1
    quoted = f'"{raw}"'
    return quoted if _same_value(key_raw, raw, escape, quoted) else None


def _same_value(key_raw: str, value_raw: str, escape: str, value: str) -> bool:
    """Whether ``KEY=value`` (raw, continuations allowed) is one word whose value, quotes
    removed and variables expanded, is the legacy value's (``value_raw``)."""
    pair = logical_text(f"{key_raw}={value}", escape)
    words = parse_words(pair, 0, len(pair), escape)
    if len(words) != 1 or words[0][2] != pair:
        return False

    def seen(name: str) -> str:
        return f"\0{name}\0"

    try:
        return expand_word(logical_text(value_raw, escape), seen, escape) == \
            expand_word(pair.split("=", 1)[1], seen, escape)
    except (LexError, ValueError):
        return False


@functools.lru_cache(maxsize=1024)  # the same legacy pairs (`ENV LANG C.UTF-8`) recur across files
def _new_value(key_raw: str, value_raw: str, escape: str) -> str | None:
    """The raw value of ``key=value`` for the legacy pair ``key_raw value_raw``, or None
    when neither double quotes nor escapes keep a value over several lines (a function of
    its arguments only)."""
    value = _quoted(key_raw, value_raw, escape)
    if value is None:
        value = _escape_unquoted_whitespace(value_raw, escape)
        if "\n" in value_raw and not _same_value(key_raw, value_raw, escape, value):
            return None
    return value


class UseKeyValueFormat(Transform):
    meta = TransformMeta(
        code="DM502",
        name="use-key-value-format",
        summary="Legacy `{keyword} key value` format for `{key}`",
        fix_title="Write `{key}={value}`",
        safety=FixSafety.SAFE,
        reference="BuildKit check LegacyKeyValueFormat",
        examples=(
            Example(before="FROM alpine\nENV PORT 8000\n", after="FROM alpine\nENV PORT=8000\n"),
            Example(before="FROM alpine\nLABEL owner platform team\n",
                    after="FROM alpine\nLABEL owner=\"platform team\"\n"),
            Example(before="FROM alpine\nENV PORT=8000\n"),
        ),
    )

    def _fix(self, original: Env | Label, updated: Env | Label) -> Env | Label:
        legacy = updated.legacy
        if legacy is None:
            return updated
        msg = {"keyword": original.keyword.upper(), "key": legacy.key}
        if "\n" in legacy.key_raw:
            self.report(original, no_fix_reason="the key spans lines", value=legacy.value, **msg)
            return updated
        value = _new_value(legacy.key_raw, legacy.value_raw, legacy.escape)
        if value is None:
            self.report(original, value=legacy.value, **msg,
                        no_fix_reason="the value spans lines and neither double quotes nor escapes keep it")
            return updated
        pair, escape = f"{legacy.key_raw}={value}", legacy.escape

        def fixed() -> Env | Label:  # built only when the run reads it: a check builds none
            return updated.with_changes(legacy=None, pairs=(KeyValue(pair, "", escape),))

        return self.propose(original, Later(fixed), updated=updated,
                            value=logical_text(value, escape), **msg)

    def leave_Env(self, original: Env, updated: Env) -> Env:
        return self._fix(original, updated)

    def leave_Label(self, original: Label, updated: Label) -> Label:
        return self._fix(original, updated)
