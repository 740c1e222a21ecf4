"""``creates_users``, cached by text, answers as its search over the RUN's logical text and
heredoc bodies does. (The pre-filters' logical text is ``logical_text``'s own memo, tested
in ``tests/test_shell_memo.py``.)"""

from __future__ import annotations

import dockmod
from dockmod.cst import Run
from dockmod.semantic import runs


def test_creates_users_reads_the_logical_text() -> None:
    df = dockmod.parse("FROM debian:12\nRUN user\\\nadd bob\nRUN echo user \\\n add\nRUN <<EOF\ngroupadd g\nEOF\n")
    found = [runs.creates_users(ins) for ins in df.body if isinstance(ins, Run)]
    assert found == [True, False, True]
