"""Replace the deprecated ``MAINTAINER`` with the OCI ``authors`` label.

## What it does
Finds ``MAINTAINER`` instructions (BuildKit check ``MaintainerDeprecated``) and writes
them as ``LABEL org.opencontainers.image.authors="…"``, keeping the comments above them
and the keyword's case (``maintainer`` becomes ``label``).

## Why
``MAINTAINER`` has been deprecated since Docker 1.13. The
``org.opencontainers.image.authors`` annotation is where registries, scanners and
``docker inspect`` users look for an image's authors today.

## Example
``MAINTAINER Jane Doe <jane@example.com>`` becomes
``LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"``.

## Fix safety
Unsafe: the image config's ``Author`` field, which only ``MAINTAINER`` sets, is no longer
set (it keeps the base image's value, usually empty), and anything that reads it sees a
difference. The label's value is the ``MAINTAINER`` text exactly: unlike ``MAINTAINER``,
``LABEL`` expands variables and removes quotes, so the value is written in double quotes
with ``"``, ``$`` and the escape character escaped. A ``MAINTAINER`` spread over several
lines is reported without a fix.

## Options
None.
"""

from __future__ import annotations

from dockmod.cst import KeyValue, Label, Maintainer
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta

AUTHORS = "org.opencontainers.image.authors"


def _quoted(value: str, escape: str) -> str:
    """``value`` in double quotes that BuildKit's shell lexer reads back as ``value``."""
    out = []
    for ch in value:
        if ch in ('"', "$", escape):
            out.append(escape)
        out.append(ch)
    return '"' + "".join(out) + '"'


class ReplaceMaintainerWithLabel(Transform):
    meta = TransformMeta(
        code="DM505",
        name="replace-maintainer-with-label",
        summary="`MAINTAINER` is deprecated",
        fix_title="Write `LABEL {pair}`",
        safety=FixSafety.UNSAFE,
        reference="BuildKit check MaintainerDeprecated",
        examples=(
            Example(before="FROM alpine\nMAINTAINER moby@example.com\n",
                    after=f'FROM alpine\nLABEL {AUTHORS}="moby@example.com"\n', unsafe_fixes=True),
            Example(before="FROM alpine\nMAINTAINER moby@example.com\n"),
        ),
    )

    def leave_Maintainer(self, original: Maintainer, updated: Maintainer) -> Maintainer | Label:
        word = updated.value
        if word is None:
            return updated
        if "\n" in word.raw:
            self.report(original)
            return updated
        escape = word.escape
        pair = f"{AUTHORS}={_quoted(word.text, escape)}"
        kw = updated.keyword
        if kw.islower() or kw.isupper():
            keyword = "label" if kw.islower() else "LABEL"
        else:
            keyword = self.context.style.keyword("LABEL")
        label = Label(
            leading_lines=updated.leading_lines,
            indent=updated.indent,
            keyword=keyword,
            whitespace_after_keyword=updated.whitespace_after_keyword,
            pairs=(KeyValue(pair, "", escape),),
            trailing=updated.trailing,
        )
        return self.propose(original, label, updated=updated, pair=pair)
