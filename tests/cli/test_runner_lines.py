"""The runner fills ``FileResult.source_lines`` only for a run that prints them."""

from __future__ import annotations

from pathlib import Path

from dockmod import runner


def _job(path: Path, **kw: object) -> runner.Job:
    return runner.Job(path=str(path), display=str(path), root=str(path.parent), fix=False, apply=False,
                      select=None, extend_select=(), ignore=(), unsafe_fixes=None, target_syntax=None,
                      config=None, **kw)  # type: ignore[arg-type]


def test_source_lines_only_when_asked(tmp_path: Path) -> None:
    p = tmp_path / "Dockerfile"
    p.write_text("FROM alpine\r\nARG API_TOKEN=ghp_" + "a1B2" * 9 + "\r\n")
    shown = runner.process(_job(p))
    assert shown.findings and shown.source_lines == {2: "ARG API_TOKEN=****"}  # masked, no CR
    quiet = runner.process(_job(p, source_lines=False))
    assert quiet.findings == shown.findings and quiet.source_lines == {}
