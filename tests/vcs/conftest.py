"""Real git in tmp_path, hermetic: a temporary global config with an identity, no system config."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dockmod.cli import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def git_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    cfg = tmp_path_factory.mktemp("gitconfig") / "config"
    cfg.write_text("[user]\n\tname = Test User\n\temail = test@example.com\n"
                   "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgSign = false\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(cfg))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
                "EMAIL", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(var, raising=False)
    return cfg


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def make_repo(path: Path, files: dict[str, str | bytes], commit: bool = True) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    for name, content in files.items():
        f = path / name
        f.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            f.write_bytes(content)
        else:
            f.write_text(content)
    if commit:
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", "init")
    return path


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """The CLI in-process (fast); see test_entry_point for the real process."""
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        r = CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(old)
    return r.exit_code, r.stdout, r.stderr


def commits(repo: Path, ref: str = "--all") -> list[str]:
    return git(repo, "log", "--format=%s", ref).splitlines()


LEGACY = "FROM alpine\nENV A b\n"
FIXED = "FROM alpine\nENV A=b\n"


def git_options(branch: str) -> tuple[str, ...]:
    return ("--git-branch", branch, "--git-commit", "Apply dockmod fixes")


def fix_on(branch: str, *paths: Path, extra: tuple[str, ...] = ()) -> tuple[int, str, str]:
    """``dockmod fix --apply`` committing on ``branch``."""
    return run("fix", "--apply", *git_options(branch), *extra, *map(str, paths))
