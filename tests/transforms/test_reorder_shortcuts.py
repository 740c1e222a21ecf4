"""DM201's shortcuts agree with what they stand for: ``may_call_manager`` with
``may_call_any(run, ALL_MANAGERS)`` (on corpus RUNs, every table's program, generated
scripts), and ``idle_on`` with a run that finds nothing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dockmod
from dockmod import engine
from dockmod.cst import Add, Copy, Run
from dockmod.semantic.installs import STEP_MANAGERS, SYSTEM_MANAGERS, may_call_manager
from dockmod.semantic.runs import ALL_MANAGERS, may_call_any
from dockmod.transforms.reorder_dependency_copy import ReorderDependencyCopy
from tests.ecosystems.test_may_call import _NAMES, _PIECES, _PROGRAMS, _corpus_runs, generated_runs, program_runs


def _findings(text: str) -> list[object]:
    """DM201's findings on ``text``, its ``transform`` called whatever ``idle_on`` says."""
    df = dockmod.parse(text)
    t = ReorderDependencyCopy(engine._context(df, ReorderDependencyCopy, engine.EngineOptions(), None,
                                              fix=False, rejected={}))
    t.transform(df)
    return list(t.findings)


def _agrees(run: Run) -> bool:
    wide = may_call_any(run, ALL_MANAGERS)
    assert may_call_manager(run) == wide, run.code
    return wide


def test_the_two_sets_are_every_row() -> None:
    assert STEP_MANAGERS | SYSTEM_MANAGERS == ALL_MANAGERS
    assert not STEP_MANAGERS & SYSTEM_MANAGERS


def test_corpus_runs_agree() -> None:
    runs = _corpus_runs()
    named = sum(map(_agrees, runs))
    assert named > 2000 and len(runs) - named > 1000  # both answers are seen


@pytest.mark.parametrize(("manager", "program"), _PROGRAMS)
def test_table_programs_agree(manager, program) -> None:  # type: ignore[no-untyped-def]
    assert sum(map(_agrees, program_runs(manager, program)))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_NAMES), st.sampled_from(_PIECES)), min_size=1, max_size=10),
       st.booleans())
def test_generated_scripts_agree(parts: list[str], heredoc: bool) -> None:
    for run in generated_runs(parts, heredoc):
        _agrees(run)


@pytest.mark.parametrize("text", [
    "FROM python\nWORKDIR /app\nRUN pip install -r requirements.txt\n",
    "FROM python\nWORKDIR /app\nCOPY . .\nCMD [\"python\"]\nONBUILD RUN pip install -r requirements.txt\n",
    "FROM python\nWORKDIR /app\nADD . .\nONBUILD RUN pip install -r requirements.txt\n",
])
def test_idle_without_a_run_or_a_copy(text: str) -> None:
    df = dockmod.parse(text)
    assert ReorderDependencyCopy.idle_on(frozenset(map(type, df.body)))
    assert not _findings(text)


@pytest.mark.parametrize("copy", ["COPY", "ADD"])
def test_not_idle_with_a_copy_and_a_run(copy: str) -> None:
    text = f"FROM python\nWORKDIR /app\n{copy} . .\nRUN pip install -r requirements.txt\n"
    kinds = frozenset(map(type, dockmod.parse(text).body))
    assert {Run, Copy if copy == "COPY" else Add} <= kinds
    assert not ReorderDependencyCopy.idle_on(kinds)
    assert _findings(text)


def test_white_space_in_a_pattern_is_str_isspace() -> None:
    # semantic.copies.plain_destination finds white space with `\s` in one scan.
    import re
    import sys

    space = re.compile(r"\s")
    assert all(bool(space.match(chr(i))) == chr(i).isspace() for i in range(sys.maxunicode + 1))
