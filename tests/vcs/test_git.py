"""``dockmod fix --apply --git-branch NAME --git-commit MSG`` with real git."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.vcs.conftest import FIXED, LEGACY, ROOT, commits, fix_on, git, git_options, make_repo, run

GIT = git_options("dockmod/fix")


def fix(*paths: Path, extra: tuple[str, ...] = ()) -> tuple[int, str, str]:
    return fix_on("dockmod/fix", *paths, extra=extra)


def test_commits_only_the_written_files_on_a_new_branch(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY, "ok.Dockerfile": FIXED, "README": "x\n"})
    code, out, err = fix(repo)
    assert code == 0, err
    assert (repo / "Dockerfile").read_text() == FIXED
    assert git(repo, "branch", "--show-current").strip() == "dockmod/fix"
    assert commits(repo, "HEAD") == ["Apply dockmod fixes", "init"]
    assert git(repo, "show", "--name-only", "--format=", "HEAD").splitlines() == ["Dockerfile"]
    assert git(repo, "status", "--porcelain") == ""
    assert f"{repo}: committed " in err and "on branch dockmod/fix (1 file)" in err
    assert git(repo, "log", "-1", "--format=%an <%ae>").strip() == "Test User <test@example.com>"


def test_rerun_makes_no_new_commit_on_the_branch_or_from_the_base(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY})
    assert fix(repo)[0] == 0
    tip = git(repo, "rev-parse", "dockmod/fix")
    assert fix(repo)[0] == 0  # on the branch already
    assert git(repo, "rev-parse", "dockmod/fix") == tip
    git(repo, "switch", "-q", "main")  # the branch exists: switched to, nothing left to fix
    code, _, err = fix(repo, extra=("-v",))
    assert code == 0
    assert git(repo, "rev-parse", "dockmod/fix") == tip
    assert git(repo, "branch", "--show-current").strip() == "dockmod/fix"
    assert "nothing to commit on branch dockmod/fix" in err
    assert len(commits(repo)) == 2


def test_existing_branch_gets_one_more_commit_for_new_work(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY})
    assert fix(repo)[0] == 0
    (repo / "b.Dockerfile").write_text(LEGACY)
    git(repo, "add", "b.Dockerfile")
    git(repo, "commit", "-q", "-m", "more")
    git(repo, "switch", "-q", "main")
    assert fix(repo)[0] == 0
    assert commits(repo, "dockmod/fix") == ["Apply dockmod fixes", "more", "Apply dockmod fixes", "init"]


def test_nothing_to_fix_creates_no_branch(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": FIXED})
    assert fix(repo)[0] == 0
    assert git(repo, "branch", "--list", "dockmod/fix") == ""
    assert git(repo, "branch", "--show-current").strip() == "main"


def test_dirty_tree_is_refused_before_any_write(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY, "README": "x\n"})
    (repo / "README").write_text("changed\n")
    code, out, err = fix(repo)
    assert code == 2
    assert (repo / "Dockerfile").read_text() == LEGACY
    lines = [ln for ln in err.splitlines() if "error" in ln]
    assert lines == [f"{repo}: error: the work tree has uncommitted changes (1 path, e.g. README); "
                     "commit or stash them, or pass --allow-dirty"]
    assert len(commits(repo)) == 1 and git(repo, "branch", "--list", "dockmod/fix") == ""


def test_untracked_file_counts_as_dirty(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY})
    (repo / "notes.txt").write_text("x\n")
    assert fix(repo)[0] == 2
    assert (repo / "Dockerfile").read_text() == LEGACY


def test_allow_dirty_commits_only_what_dockmod_wrote(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY, "README": "x\n", "src.txt": "a\n"})
    (repo / "README").write_text("changed\n")
    (repo / "src.txt").write_text("staged\n")
    git(repo, "add", "src.txt")
    (repo / "new.txt").write_text("untracked\n")
    code, _, err = fix(repo, extra=("--allow-dirty",))
    assert code == 0, err
    assert git(repo, "show", "--name-only", "--format=", "HEAD").splitlines() == ["Dockerfile"]
    status = git(repo, "status", "--porcelain").splitlines()
    assert sorted(status) == [" M README", "?? new.txt", "M  src.txt"]


def test_several_repositories_a_dirty_one_is_skipped(tmp_path: Path) -> None:
    a = make_repo(tmp_path / "a", {"Dockerfile": LEGACY})
    b = make_repo(tmp_path / "b", {"Dockerfile": LEGACY, "x": "1\n"})
    c = make_repo(tmp_path / "c", {"Dockerfile": LEGACY})
    (b / "x").write_text("2\n")
    code, _, err = fix(a, b, c)
    assert code == 2
    assert (a / "Dockerfile").read_text() == FIXED and (c / "Dockerfile").read_text() == FIXED
    assert (b / "Dockerfile").read_text() == LEGACY
    assert commits(a, "HEAD")[0] == commits(c, "HEAD")[0] == "Apply dockmod fixes"
    assert len(commits(b)) == 1
    assert sum(": error:" in ln for ln in err.splitlines()) == 1


def test_files_in_one_repository_make_one_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY, "svc/a b.Dockerfile": LEGACY,
                                      "svc/é.Dockerfile": LEGACY})
    code, _, err = fix(repo / "svc", repo / "Dockerfile")
    assert code == 0, err
    assert commits(repo, "HEAD") == ["Apply dockmod fixes", "init"]
    names = git(repo, "-c", "core.quotePath=false", "show", "--name-only", "--format=", "HEAD").splitlines()
    assert sorted(names) == ["Dockerfile", "svc/a b.Dockerfile", "svc/é.Dockerfile"]


def test_never_pushes(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY})
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    assert fix(repo)[0] == 0
    assert git(remote, "for-each-ref", "--format=%(refname)").split() == ["refs/heads/main"]


def test_no_identity_is_one_line_and_nothing_written(tmp_path: Path, git_env: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY})
    git_env.write_text("[init]\n\tdefaultBranch = main\n")
    code, _, err = fix(repo)
    assert code == 2
    assert (repo / "Dockerfile").read_text() == LEGACY
    assert f"{repo}: error: no git identity configured; set one with `git config --global user.email" in err


def test_identity_from_environment_is_enough(tmp_path: Path, git_env: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY})
    git_env.write_text("")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Bot")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "bot@example.com")
    assert fix(repo)[0] == 0
    assert git(repo, "log", "-1", "--format=%ae").strip() == "bot@example.com"


def test_file_outside_any_repository(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(LEGACY)
    code, _, err = fix(tmp_path / "Dockerfile")
    assert code == 2
    assert f"{tmp_path / 'Dockerfile'}: error: not in a git repository (needed by --git-branch)" in err
    assert (tmp_path / "Dockerfile").read_text() == LEGACY


def test_repository_without_commits(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY}, commit=False)
    assert fix(repo)[0] == 2  # untracked Dockerfile: dirty
    code, _, err = fix(repo, extra=("--allow-dirty",))
    assert code == 0, err
    assert commits(repo, "dockmod/fix") == ["Apply dockmod fixes"]


def test_symlinked_dockerfile_commits_the_target(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"real/Dockerfile": LEGACY})
    os.symlink("real/Dockerfile", repo / "Dockerfile")
    git(repo, "add", "Dockerfile")
    git(repo, "commit", "-q", "-m", "link")
    code, _, err = fix(repo / "Dockerfile")
    assert code == 0, err
    assert git(repo, "show", "--name-only", "--format=", "HEAD").splitlines() == ["real/Dockerfile"]


@pytest.mark.parametrize(("args", "message"), [
    (("fix", "--apply", "--git-branch", "x"), "--git-branch and --git-commit go together"),
    (("fix", "--apply", "--git-commit", "m"), "--git-branch and --git-commit go together"),
    (("fix", *GIT), "--git-branch and --git-commit only apply with --apply"),
    (("fix", "--diff", *GIT), "--git-branch and --git-commit only apply with --apply"),
    (("fix", "--apply", "--allow-dirty"), "--allow-dirty only applies with --git-branch"),
    (("fix", "--apply", "--git-branch", "a..b", "--git-commit", "m"), "`a..b` is not a valid branch name"),
    (("fix", "--apply", "--git-branch", "-x", "--git-commit", "m"), "`-x` is not a valid branch name"),
    (("fix", "--apply", "--git-branch", "x", "--git-commit", " "), "--git-commit: the message is empty"),
    (("fix", "--diff-only-changed-lines", "HEAD"), "--diff-only-changed-lines is for `dockmod check`"),
    (("check", "--git-branch", "x"), "No such option '--git-branch'"),
])
def test_usage_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY})
    code, _, err = run(*args, str(repo))
    assert code == 2
    assert message in err
    assert (repo / "Dockerfile").read_text() == LEGACY


@pytest.mark.parametrize("args", [("fix", "--apply", *GIT), ("check", "--diff-only-changed-lines", "HEAD")])
def test_entry_point_errors_are_one_line_without_git(tmp_path: Path, args: tuple[str, ...]) -> None:
    """The real process: git missing from PATH is one line and exit 2, never a traceback."""
    repo = make_repo(tmp_path / "r", {"Dockerfile": LEGACY})
    env = {**os.environ, "PATH": str(tmp_path / "empty")}
    proc = subprocess.run([sys.executable, "-m", "dockmod", *args, str(repo)],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "error: git is not installed (needed for --git-branch and --diff-only-changed-lines)\n"
    assert (repo / "Dockerfile").read_text() == LEGACY


def test_link_into_another_repository_is_written_not_committed(tmp_path: Path) -> None:
    a = make_repo(tmp_path / "a", {"README": "a\n"})
    b = make_repo(tmp_path / "b", {"Dockerfile": LEGACY})
    os.symlink("../b/Dockerfile", a / "Dockerfile")
    git(a, "add", "Dockerfile")
    git(a, "commit", "-q", "-m", "link")
    code, _, err = run("fix", "--apply", "-j", "1", *GIT, str(tmp_path))  # finds a/Dockerfile first
    assert code == 0, err
    assert (b / "Dockerfile").read_text() == FIXED
    assert commits(b, "HEAD") == ["Apply dockmod fixes", "init"]
    assert git(b, "status", "--porcelain") == "" and git(a, "status", "--porcelain") == ""
    assert commits(a) == ["link", "init"]
