"""DM502 writes a value with whitespace in double quotes only where BuildKit's value stays
exactly the same; otherwise it escapes the whitespace, or (over several lines) gives no fix."""

from __future__ import annotations

import pytest

from dockmod.transforms.use_key_value_format import UseKeyValueFormat
from tests.transforms.harness import run_transform


@pytest.mark.parametrize(("before", "after"), [
    ("ENV DEPS curl git make", 'ENV DEPS="curl git make"'),
    ("ENV DEPS \\\n    autoconf \\\n    dpkg-dev", 'ENV DEPS="autoconf \\\n    dpkg-dev"'),
    ('ENV Q "a b" c', 'ENV Q="a b"\\ c'),           # quotes inside: escaped form
    ("ENV E a\\ b c", "ENV E=a\\ b\\ c"),            # `\ ` is not an escape in "…"
    ("ENV D a\\$x b", 'ENV D="a\\$x b"'),            # `\$` is one in "…" too
    ("ENV V $HOME/bin:${PATH} x", 'ENV V="$HOME/bin:${PATH} x"'),
    ("ENV S 'a b' c", "ENV S='a b'\\ c"),
    ('LABEL m James T "j@x.org"', 'LABEL m=James\\ T\\ "j@x.org"'),
    ('LABEL m Erik \\\\H <e@x.org>\\"', 'LABEL m="Erik \\\\H <e@x.org>\\""'),
    ("ENV P 8000", "ENV P=8000"),
    # Over several lines: quoted, else escaped, each checked against BuildKit's value.
    ("LABEL R 'a $X \\\n  b'", "LABEL R='a $X \\\n  b'"),
    ('ENV N "x \\\n  y" z', 'ENV N="x \\\n  y"\\ z'),
])
def test_quoting(before: str, after: str) -> None:
    out = run_transform(f"FROM alpine\n{before}\n", UseKeyValueFormat)
    assert out.output == f"FROM alpine\n{after}\n"


def test_multiline_value_no_form_keeps_has_a_reason() -> None:
    text = "FROM alpine\nENV S it's \\\n  here\n"  # BuildKit rejects it: unmatched quote
    out = run_transform(text, UseKeyValueFormat)
    assert out.output == text
    assert [f.no_fix_reason for f in out.result.findings] == [
        "the value spans lines and neither double quotes nor escapes keep it"]
