"""Runs that end before their commit (Ctrl-C, a hook that refuses it), and the re-run after."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.vcs.conftest import FIXED, LEGACY, ROOT, commits, fix_on, git, git_options, make_repo, run

GIT = git_options("dm")


def fix(*paths: Path, extra: tuple[str, ...] = ()) -> tuple[int, str, str]:
    return fix_on("dm", *paths, extra=extra)


def _refusing_hook(repo: Path) -> Path:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    return hook


def test_a_hook_refusing_the_commit_is_exit_2_and_a_rerun_commits(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY})
    hook = _refusing_hook(repo)
    code, _, err = fix(repo)
    assert code == 2, err
    errors = [ln for ln in err.splitlines() if "error" in ln]
    assert errors == [f"{repo}: error: git commit failed: hook says no (the fixed files are on branch dm, "
                      "not committed; once the cause is fixed, re-run with --allow-dirty to commit them)"]
    assert commits(repo) == ["init"] and (repo / "Dockerfile").read_text() == FIXED
    hook.unlink()
    code, _, err = fix(repo)  # still dirty: refused, as any dirty tree
    assert code == 2 and "uncommitted changes" in err
    code, _, err = fix(repo, extra=("--allow-dirty",))
    assert code == 0, err
    assert f"{repo}: committed " in err and "on branch dm (1 file)" in err
    assert commits(repo, "dm") == ["Apply dockmod fixes", "init"]
    assert git(repo, "show", "--name-only", "--format=", "dm").splitlines() == ["Dockerfile"]
    assert git(repo, "status", "--porcelain") == ""
    code, _, err = fix(repo, extra=("--allow-dirty",))  # and then nothing more
    assert code == 0 and commits(repo, "dm") == ["Apply dockmod fixes", "init"]


def test_rerun_commits_only_files_whose_difference_is_exactly_dockmods_fix(tmp_path: Path) -> None:
    """The state an interrupted run used to leave (fixed files on the base branch, no commit),
    next to a user's own edits: only the former is committed."""
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY, "b.Dockerfile": LEGACY,
                                      "c.Dockerfile": "FROM alpine\n", "skip/Dockerfile": LEGACY,
                                      "README": "x\n"})
    (repo / "Dockerfile").write_text(FIXED)  # dockmod's output of HEAD's version
    (repo / "b.Dockerfile").write_text("FROM alpine:3\nENV A=b\n")  # fixed and edited by hand
    (repo / "c.Dockerfile").write_text(FIXED)  # already dockmod's output, but a hand edit
    (repo / "skip/Dockerfile").write_text(FIXED)  # not processed by this run
    (repo / "README").write_text("y\n")
    paths = [repo / "Dockerfile", repo / "b.Dockerfile", repo / "c.Dockerfile"]
    code, _, err = fix(*paths, extra=("--allow-dirty",))
    assert code == 0, err
    assert git(repo, "show", "--name-only", "--format=", "dm").splitlines() == ["Dockerfile"]
    assert git(repo, "show", "dm:Dockerfile") == FIXED
    for name in ("b.Dockerfile", "c.Dockerfile"):
        assert (f"{repo / name}: note: not committed: it differs from HEAD by more than dockmod's fixes"
                in err.splitlines())
    assert sorted(git(repo, "status", "--porcelain").splitlines()) == [
        " M README", " M b.Dockerfile", " M c.Dockerfile", " M skip/Dockerfile"]


def test_rerun_respects_the_configuration_of_the_run(tmp_path: Path) -> None:
    """HEAD's version is fixed with this run's selection: a file fixed by a rule now ignored is
    not dockmod's output under these options, so it is not committed."""
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY})
    (repo / "Dockerfile").write_text(FIXED)
    code, _, err = fix(repo, extra=("--allow-dirty", "--ignore", "DM502"))
    assert code == 0, err
    assert commits(repo) == ["init"] and "note: not committed" in err


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_ctrl_c_commits_what_was_written_and_a_rerun_finishes(tmp_path: Path) -> None:
    body = "FROM alpine\n" + "".join(f"ENV A{i} b{i}\nRUN echo {i}\n" for i in range(300))
    repos = [make_repo(tmp_path / f"r{i:03}", {"Dockerfile": body}) for i in range(60)]
    proc = subprocess.Popen([sys.executable, "-m", "dockmod", "fix", "--apply", *GIT, "-j", "1",
                             *map(str, repos)], cwd=tmp_path, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and \
            all((r / "Dockerfile").read_text() == body for r in repos):
        time.sleep(0.005)
    assert proc.poll() is None, "the run ended before a file was written"
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    fixed = [r for r in repos if (r / "Dockerfile").read_text() != body]
    assert 0 < len(fixed) < len(repos), "the run did not stop"
    for r in repos:  # each repository is either untouched or committed on the branch: never dirty
        assert git(r, "status", "--porcelain") == "", r
        if r in fixed:
            assert commits(r, "HEAD") == ["Apply dockmod fixes", "init"]
            assert git(r, "branch", "--show-current").strip() == "dm"
        else:
            assert commits(r) == ["init"]
    assert err.decode().count(": committed ") == len(fixed)
    assert b"Traceback" not in err
    rerun = subprocess.run([sys.executable, "-m", "dockmod", "fix", "--apply", *GIT, *map(str, repos)],
                           cwd=tmp_path, env=_env(), capture_output=True)
    assert rerun.returncode == 0, rerun.stderr
    for r in repos:
        assert git(r, "status", "--porcelain") == "" and commits(r, "dm") == ["Apply dockmod fixes", "init"]
