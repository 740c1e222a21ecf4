"""Rewrite legacy ``ENV key value`` / ``LABEL key value`` as ``key=value``.

## What it does
Finds ENV and LABEL instructions in the legacy whitespace-separated form (BuildKit check
``LegacyKeyValueFormat``) and writes them as ``key=value``.

## Why
The legacy form allows one pair per instruction and is ambiguous to read: in
``ENV A B C`` the value is ``B C``. BuildKit warns about it and may drop it.

## Example
``ENV PORT 8000`` becomes ``ENV PORT=8000``; ``ENV MSG hello  world`` becomes
``ENV MSG=hello\\ \\ world``.

## Fix safety
Safe. In both forms BuildKit processes the value as one shell word (quotes removed,
variables expanded); the only difference is that ``key=value`` splits on unquoted
whitespace. The fix therefore escapes each unquoted whitespace character with the file's
escape character, so the value is exactly the same. A legacy value that spans a line
continuation is reported without a fix.

## Options
None.
"""

from __future__ import annotations

from dockmod.cst import Env, KeyValue, Label
from dockmod.lang.words import GO_SPACE
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta


def _escape_unquoted_whitespace(value: str, escape: str) -> str:
    """``value`` with every whitespace char outside quotes preceded by ``escape``.

    Whitespace as BuildKit's ``parseWords`` splits on (Go's ``unicode.IsSpace``): NBSP
    (U+00A0) and NEL (U+0085) too, which the legacy form keeps inside the value.
    """
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
                    after="FROM alpine\nLABEL owner=platform\\ team\n"),
            Example(before="FROM alpine\nENV PORT=8000\n"),
        ),
    )

    def _fix(self, original: Env | Label, updated: Env | Label) -> Env | Label:
        legacy = updated.legacy
        if legacy is None:
            return updated
        msg = {"keyword": original.keyword.upper(), "key": legacy.key}
        if "\n" in legacy.value_raw or "\n" in legacy.key_raw:
            self.report(original, **msg)
            return updated
        value = _escape_unquoted_whitespace(legacy.value_raw, legacy.escape)
        pair = KeyValue(f"{legacy.key_raw}={value}", "", legacy.escape)
        return self.propose(original, updated.with_changes(legacy=None, pairs=(pair,)),
                            updated=updated, value=value, **msg)

    def leave_Env(self, original: Env, updated: Env) -> Env:
        return self._fix(original, updated)

    def leave_Label(self, original: Label, updated: Label) -> Label:
        return self._fix(original, updated)
