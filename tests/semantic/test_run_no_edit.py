"""``RunFacts.no_edit``: why a transform cannot edit a RUN's commands in place."""

from __future__ import annotations

from tests.semantic.test_runs import facts


def test_a_heredoc_run_says_why_it_cannot_be_edited() -> None:
    f = facts("# syntax=docker/dockerfile:1\nFROM python:3.12\nRUN <<EOF\npip install -r req.txt\nEOF\n")
    assert f.no_edit is not None and "heredoc" in f.no_edit
    # The body is still read as the script.
    assert [(str(c.manager), c.action) for c in f.calls] == [("pip", "install")]


def test_shell_and_exec_form_runs_can_be_edited() -> None:
    assert facts("FROM python:3.12\nRUN pip install -r req.txt\n").no_edit is None
    assert facts('FROM python:3.12\nRUN ["pip", "install", "flask"]\n').no_edit is None
