"""``runs.may_mention`` caches its answer for a RUN without heredocs by (text, escape,
needles): it must give what a search of the RUN's squeezed text (and heredoc bodies, when
asked) gives, on corpus RUNs, asked twice (the second answer from the cache), and on
generated ones."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import dockmod
from dockmod.cst import Run
from dockmod.cst.arguments import ShellCommand
from dockmod.errors import DockmodError
from dockmod.lang.words import logical_text
from dockmod.semantic import runs
from tests.conftest import corpus_files

_NEEDLE_SETS = [("apt",), (">", "cp", "mkdir", "tee"), ("_auth", ".npmrc", "insteadof", "pip.conf"), ("zzz-none",)]


def _reference(run: Run, needles: tuple[str, ...], heredocs: bool) -> bool:
    cmd = run.command
    if not isinstance(cmd, ShellCommand):
        return False
    squeeze = str.maketrans("", "", "\"'\\$")
    text = logical_text(cmd.raw, cmd.escape).translate(squeeze).lower()
    if heredocs:
        text = "\n".join([text, *(h.body.translate(squeeze).lower() for h in run.heredocs)])
    return any(n in text for n in needles)


def _check(text: str) -> int:
    seen = 0
    for ins in dockmod.parse(text).body:
        if isinstance(ins, Run):
            for needles in _NEEDLE_SETS:
                for heredocs in (True, False):
                    for _ in range(2):
                        assert runs.may_mention(ins, needles, heredocs=heredocs) == _reference(ins, needles, heredocs)
                        seen += 1
    return seen


def test_corpus_runs() -> None:
    seen = 0
    for path in corpus_files():
        try:
            seen += _check(path.read_text(encoding="utf-8", errors="surrogateescape"))
        except DockmodError:
            continue
    assert seen > 10_000


_PARTS = ["apt-get install x", "c\\\n p a /b", "echo '_AUTH'", "mk\"dir\" /x", "echo hi > /f", "true"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PARTS), min_size=1, max_size=3), st.booleans())
def test_generated_runs(parts: list[str], heredoc: bool) -> None:
    body = " && ".join(parts)
    run = f"<<EOF\n{body}\nEOF" if heredoc else body
    _check(f"FROM debian\nRUN {run}\n")
