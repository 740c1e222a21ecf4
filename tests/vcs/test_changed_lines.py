"""``dockmod check --diff-only-changed-lines REF`` with real git."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dockmod import vcs
from tests.vcs.conftest import git, make_repo, run

OLD = "FROM alpine\nENV A a\nENV B b\n"  # DM502 on lines 2 and 3


def codes_lines(out: str) -> list[str]:
    """`path:line` of each finding printed in the text format."""
    return [":".join(ln.split(":")[:2]) for ln in out.splitlines()]


def check(repo: Path, ref: str = "HEAD", *extra: str) -> tuple[int, str, str]:
    return run("check", "--diff-only-changed-lines", ref, *extra, ".", cwd=repo)


def test_only_findings_on_changed_lines(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": OLD})
    assert codes_lines(run("check", ".", cwd=repo)[1]) == ["Dockerfile:2", "Dockerfile:3"]
    (repo / "Dockerfile").write_text("FROM alpine\nENV A a\nENV C c\nENV B b\n")
    code, out, _ = check(repo)
    assert code == 1
    assert codes_lines(out) == ["Dockerfile:3"]


def test_a_changed_line_counts_and_staged_changes_too(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": OLD})
    (repo / "Dockerfile").write_text("FROM alpine\nENV A z\nENV B b\n")
    git(repo, "add", "Dockerfile")
    assert codes_lines(check(repo)[1]) == ["Dockerfile:2"]


def test_unchanged_file_is_skipped_and_exit_0(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": OLD})
    code, out, err = check(repo, "HEAD", "-v")
    assert (code, out) == (0, "")
    assert "Dockerfile: skipped: no line changed since HEAD" in err


def test_changes_since_an_older_ref(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": OLD})
    (repo / "Dockerfile").write_text(OLD + "ENV D d\n")
    git(repo, "commit", "-q", "-am", "two")
    assert codes_lines(check(repo, "HEAD~1")[1]) == ["Dockerfile:4"]
    assert check(repo, "HEAD")[0] == 0


def test_untracked_file_is_all_changed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": OLD})
    (repo / "new.Dockerfile").write_text(OLD)
    assert codes_lines(check(repo)[1]) == ["new.Dockerfile:2", "new.Dockerfile:3"]


def test_ignored_file_is_not_changed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": OLD, ".gitignore": "gen.Dockerfile\n"})
    (repo / "gen.Dockerfile").write_text(OLD)
    assert run("check", "--diff-only-changed-lines", "HEAD", "gen.Dockerfile", cwd=repo)[0] == 0


def test_renamed_file_keeps_old_findings_hidden(tmp_path: Path) -> None:
    body = "FROM alpine\n" + "".join(f"RUN echo {i}\n" for i in range(10)) + "ENV A a\n"
    repo = make_repo(tmp_path / "r", {"Dockerfile": body})
    git(repo, "mv", "Dockerfile", "app.Dockerfile")
    assert check(repo)[0] == 0  # a pure rename adds no line
    (repo / "app.Dockerfile").write_text(body + "ENV B b\n")
    assert codes_lines(check(repo)[1]) == ["app.Dockerfile:13"]


def test_crlf_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": OLD.replace("\n", "\r\n").encode()})
    (repo / "Dockerfile").write_bytes(b"FROM alpine\r\nENV A a\r\nENV X x\r\nENV B b\r\n")
    assert codes_lines(check(repo)[1]) == ["Dockerfile:3"]


@pytest.mark.parametrize("name", ["dir with space/my app.Dockerfile", "ünï/cödé.Dockerfile",
                                  'we"ird\\/Dockerfile', "tab\there/Dockerfile"])
def test_paths_git_quotes(tmp_path: Path, name: str) -> None:
    repo = make_repo(tmp_path / "r", {name: OLD})
    (repo / name).write_text(OLD + "ENV C c\n")
    code, out, _ = check(repo, "HEAD", "--format", "json")
    assert code == 1
    found = [(f["path"], f["location"]["line"]) for f in json.loads(out)["findings"]]
    assert [(Path(p).as_posix(), row) for p, row in found] == [(name, 4)]


def test_invalid_ref_is_one_line_exit_2(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": OLD})
    code, out, err = check(repo, "no-such-ref")
    assert (code, out) == (2, "")
    errors = [ln for ln in err.splitlines() if "error" in ln]
    assert errors == [f"{repo}: error: --diff-only-changed-lines: unknown revision `no-such-ref`"]


def test_option_like_ref_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"Dockerfile": OLD})
    code, _, err = check(repo, "--output=/tmp/x")
    assert code == 2
    assert "`--output=/tmp/x` is not a git revision" in err


def test_file_outside_any_repository(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(OLD)
    code, _, err = run("check", "--diff-only-changed-lines", "HEAD", str(tmp_path / "Dockerfile"))
    assert code == 2
    assert err.splitlines()[0] == (f"{tmp_path / 'Dockerfile'}: error: not in a git repository "
                                   "(needed by --diff-only-changed-lines)")


def test_standard_input_is_refused(tmp_path: Path) -> None:
    code, _, err = run("check", "--diff-only-changed-lines", "HEAD", "-")
    assert code == 2 and "needs files, not standard input" in err


def test_several_repositories_each_against_its_own_ref(tmp_path: Path) -> None:
    a = make_repo(tmp_path / "a", {"Dockerfile": OLD})
    b = make_repo(tmp_path / "b", {"Dockerfile": OLD})
    (b / "Dockerfile").write_text(OLD + "ENV Z z\n")
    code, out, _ = run("check", "--diff-only-changed-lines", "HEAD", str(a), str(b))
    assert code == 1
    assert codes_lines(out) == [f"{b / 'Dockerfile'}:4"]


def test_parse_diff_headers() -> None:
    diff = (b'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1,2 @@\n-a\n+b\n+c\n'
            b'@@ -5,0 +7 @@\n+d\n@@ -9,2 +10,0 @@\n-e\n-f\n'
            b'--- a/a b\t\n+++ b/a b\t\n@@ -0,0 +1 @@\n+x\n'
            b'--- "a/\\303\\274\\"q"\n+++ "b/\\303\\274\\"q"\n@@ -1 +1 @@\n-x\n+y\n'
            b'--- a/gone\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n'
            b'--- a/bin\n+++ b/bin\nBinary files a/bin and b/bin differ\n')
    got = vcs.parse_diff(diff)
    assert got == {"x": frozenset({1, 2, 7}), "a b": frozenset({1}), 'ü"q': frozenset({1}), "bin": vcs.ALL}
