"""``Model.writes_before`` does not analyse a RUN whose text cannot write a path
(``model._may_write``: no ``>``, no writer command's name). The pre-filter must never
reject a RUN whose analysis finds a write, on corpus RUNs and generated ones; the last test
shows that a wrong one is caught."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dockmod
from dockmod.cst import Run
from dockmod.errors import DockmodError
from dockmod.semantic import model as semantic_model
from dockmod.semantic import model_for
from tests.conftest import corpus_files

COUNTS: Counter[str] = Counter()


def _check(text: str) -> None:
    df = dockmod.parse(text)
    model = model_for(df)
    for stage in df.stages:
        for ins in stage.instructions:
            if isinstance(ins, Run):
                writes = model.run(ins).writes
                COUNTS["writes" if writes else "none"] += 1
                COUNTS["skipped"] += not semantic_model._may_write(ins)
                assert semantic_model._may_write(ins) or not writes, ins.code


def test_corpus_runs() -> None:
    COUNTS.clear()
    for path in corpus_files():
        try:
            _check(path.read_text(encoding="utf-8", errors="surrogateescape"))
        except DockmodError:
            continue
    assert COUNTS["writes"] > 1000 and COUNTS["skipped"] > 1000, COUNTS


_COMMANDS = ["echo hi > /etc/x", "echo hi >>/etc/x", "printf x 1>&2", "c\\p a /opt/b", "'cp' a /b", '"mk"dir /x',
             "/bin/mkdir -p ~/y", "tee -a /etc/z", "\\install -d /w", "ln -s a /l", "touch $HOME/t", "mv a b",
             "command cp a /c", "apt-get install -y x", "echo hi", "ls /", "X=1 cp a /d"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_COMMANDS), min_size=1, max_size=4),
       st.sampled_from([" && ", "; ", " \\\n  && ", "heredoc"]))
def test_generated_runs(commands: list[str], joiner: str) -> None:
    run = ("<<EOF\n" + "\n".join(commands) + "\nEOF") if joiner == "heredoc" else joiner.join(commands)
    _check("FROM debian:12\nWORKDIR /app\nRUN " + run + "\n")


def test_a_wrong_prefilter_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Looking for ``>`` alone misses ``mkdir``."""
    monkeypatch.setattr(semantic_model, "_may_write", lambda run: ">" in run.command.raw)
    with pytest.raises(AssertionError):
        _check("FROM debian:12\nRUN mkdir -p /opt/app\n")
