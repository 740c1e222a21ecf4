"""The RUN pre-filters share one memo of the logical text (``runs._logical``) instead of
each substituting the continuations again. It must give ``logical_text`` exactly, for
either escape char, with and without newlines; and ``creates_users``, now cached by
text, must answer as its search over the logical text and bodies does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import dockmod
from dockmod.cst import Run
from dockmod.lang.words import logical_text
from dockmod.semantic import runs

_PIECES = ["\\", "`", "\n", " ", "\t", "\r", "# c\n", "useradd", "a", "&&", "'", '"']


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12), st.sampled_from(["\\", "`"]))
def test_logical_is_logical_text(pieces: list[str], escape: str) -> None:
    raw = "".join(pieces)
    assert runs._logical(raw, escape) == logical_text(raw, escape)


def test_logical_joins_continuations() -> None:
    assert runs._logical("apt-get \\\n  install x", "\\") == "apt-get   install x"
    assert runs._logical("user`\n# c\nadd x", "`") == "useradd x"


def test_creates_users_reads_the_logical_text() -> None:
    df = dockmod.parse("FROM debian:12\nRUN user\\\nadd bob\nRUN echo user \\\n add\nRUN <<EOF\ngroupadd g\nEOF\n")
    found = [runs.creates_users(ins) for ins in df.body if isinstance(ins, Run)]
    assert found == [True, False, True]
