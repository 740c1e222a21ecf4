"""``runner.process_batch``: files read and parsed a batch at a time, then checked or fixed;
the same results as one ``runner.process`` per file, and a stop leaves nothing half done."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockmod import runner

FILES = {
    "a/Dockerfile": "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\n",
    "b/Dockerfile": "FROM alpine\nRUN echo hi\n",
    "c/Dockerfile": "FROM alpine\nONBUILD\n",  # a parse error: done in the first phase
    "d/Dockerfile": "FROM debian:12\r\nMAINTAINER me\r\nRUN apt-get update && apt-get install -y curl\r\n",
    "e/Dockerfile": "\x00\x01\x02 binary",
    "f/Dockerfile": "from alpine as Build\nfrom alpine\nCOPY --from=Build / /\n",  # (a stage reading itself: rejected, a cycle)
}


def _jobs(tmp_path: Path, apply: bool = False) -> list[runner.Job]:
    jobs = []
    for name, text in FILES.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode())
        jobs.append(runner.Job(path=str(p), display=name, root=str(tmp_path), fix=True, apply=apply,
                               select=None, extend_select=(), ignore=(), unsafe_fixes=None,
                               target_syntax=None, config=None))
    jobs.append(runner.Job(path=str(tmp_path / "missing"), display="missing", root=str(tmp_path), fix=True,
                           apply=apply, select=None, extend_select=(), ignore=(), unsafe_fixes=None,
                           target_syntax=None, config=None))
    return jobs


@pytest.mark.parametrize("files", [1, 2, 3, 256])
def test_batches_give_the_results_of_one_file_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         files: int) -> None:
    jobs = _jobs(tmp_path)
    one_by_one = [runner.process(j) for j in jobs]
    assert {r.outcome for r in one_by_one} == {runner.Outcome.CHANGED, runner.Outcome.UNCHANGED,
                                               runner.Outcome.FAILED}
    monkeypatch.setattr(runner, "BATCH_FILES", files)
    assert list(runner.process_batch(jobs)) == one_by_one


def test_a_batch_ends_at_its_text_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = _jobs(tmp_path)
    monkeypatch.setattr(runner, "BATCH_TEXT", 1)  # every parsed file fills a batch
    assert list(runner.process_batch(jobs)) == [runner.process(j) for j in jobs]


def _steps(tmp_path: Path) -> int:
    """How many times a whole run asks whether to stop (once before each read, parse, check)."""
    asked = 0

    def never() -> bool:
        nonlocal asked
        asked += 1
        return False

    list(runner.process_batch(_jobs(tmp_path, apply=True), never))
    return asked


def test_a_stop_between_steps_writes_no_file_it_gives_no_result(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "BATCH_FILES", 4)
    total = _steps(tmp_path / "count")
    assert total > len(FILES)
    for steps in range(total):
        root = tmp_path / str(steps)
        jobs = _jobs(root, apply=True)
        asked = 0

        def stopped() -> bool:
            nonlocal asked
            asked += 1
            return asked > steps

        done = list(runner.process_batch(jobs, stopped))
        assert len(done) < len(jobs), steps
        assert [r.path for r in done] == [j.display for j in jobs[:len(done)]]
        for job in jobs:
            p = Path(job.path)
            written = p.exists() and p.read_bytes() != FILES.get(job.display, "").encode()
            assert written == any(r.path == job.display and r.written for r in done), (steps, job.display)
    assert any(r.written for r in runner.process_batch(_jobs(tmp_path / "all", apply=True)))


def test_each_tree_is_checked_with_the_text_it_was_parsed_from(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Positions and pragmas read a tree's text rather than print the tree again: the text
    ``dockmod.parse`` recorded for the last tree it parsed is recorded again for each tree
    of a batch when its check starts."""
    from dockmod import engine

    seen: list[bool] = []
    run = engine.run

    def spy(df, *args, **kw):  # type: ignore[no-untyped-def]
        seen.append(df.source() == df.code)
        return run(df, *args, **kw)

    monkeypatch.setattr(engine, "run", spy)
    results = list(runner.process_batch(_jobs(tmp_path)))
    assert len(seen) == sum(r.outcome is not runner.Outcome.FAILED for r in results) == 4
    assert all(seen)
