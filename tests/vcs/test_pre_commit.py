"""``.pre-commit-hooks.yaml``: its file rule is discovery's, and the real pre-commit runs it.

The pre-commit run pip-installs this checkout into a fresh virtualenv (about 20 s), once
per module. It skips with one line when pre-commit is not installed or the package index
cannot be reached, and fails instead under CI=true.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dockmod.discovery import _TEXT_SUFFIXES, is_dockerfile_name
from tests.vcs.conftest import ROOT

import yaml  # PyYAML comes with pre-commit (the dev extra): CI must have it, never skip

LEGACY = "FROM alpine\nENV A b\n"


def hooks() -> dict[str, dict]:  # type: ignore[type-arg]
    return {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def test_hooks_are_defined() -> None:
    h = hooks()
    assert sorted(h) == ["dockmod-check", "dockmod-fix"]
    assert h["dockmod-check"]["entry"] == "dockmod check"
    assert h["dockmod-fix"]["entry"] == "dockmod fix --apply"
    for hook in h.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is True


def test_files_regex_lists_discoverys_text_suffixes() -> None:
    files = hooks()["dockmod-check"]["files"]
    listed = re.search(r"\\\.\(([a-z0-9|]+)\)\$\)", files)
    assert listed is not None
    assert sorted(listed.group(1).split("|")) == sorted(s[1:] for s in _TEXT_SUFFIXES)


def _names() -> list[str]:
    stems = ["Dockerfile", "dockerfile", "DOCKERFILE", "Containerfile", "containerfile", "Dockerfilex",
             "api", "my app", "x.Dockerfile", "Dockerfile.dev", ".", ""]
    joins = ["", ".", "-", "_", ".x.", " "]
    tails = ["", "Dockerfile", "dockerfile", "Containerfile", "dev", "alpine"] + \
            [s[1:] for s in _TEXT_SUFFIXES] + [s[1:].upper() for s in _TEXT_SUFFIXES[:5]]
    return sorted({a + j + t for a, j, t in itertools.product(stems, joins, tails) if a + j + t})


@pytest.mark.parametrize("folder", ["", "sub/", "Dockerfile.md/", "a/b.dockerfile/"])
def test_files_regex_is_discoverys_name_rule(folder: str) -> None:
    """pre-commit matches `files` with re.search on the path from the repository root."""
    files = re.compile(hooks()["dockmod-check"]["files"])
    names = _names()
    wrong = [n for n in names if bool(files.search(folder + n)) != is_dockerfile_name(n)]
    assert wrong == []
    assert sum(map(is_dockerfile_name, names)) > 50  # the sample holds both kinds


def _skip_or_fail(msg: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(msg)
    pytest.skip(msg)


def _pre_commit(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def try_repo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One `pre-commit try-repo <this checkout>` with both hooks over a throwaway repository."""
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        _skip_or_fail("pre-commit is not installed (pip install -e '.[dev]')")
    tmp = tmp_path_factory.mktemp("pre-commit")
    gitconfig = tmp / "gitconfig"
    gitconfig.write_text("[user]\n\tname = T\n\temail = t@example.com\n[init]\n\tdefaultBranch = main\n")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1",
           "PRE_COMMIT_HOME": str(tmp / "home"), "PRE_COMMIT_COLOR": "never"}
    probe = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                            "--disable-pip-version-check", "-d", str(tmp / "probe"), "hatchling"],
                           capture_output=True, text=True, env=env, timeout=120)
    if probe.returncode != 0:
        _skip_or_fail("pre-commit test: the package index is not reachable (pre-commit pip-installs dockmod)")
    repo = tmp / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, env=env, check=True)
    (repo / "Dockerfile").write_text(LEGACY)
    (repo / "svc").mkdir()
    (repo / "svc" / "api.dockerfile").write_text(LEGACY)
    (repo / "Dockerfile.md").write_text("# not a Dockerfile\nENV\n")  # a parse error if passed
    subprocess.run(["git", "add", "-A"], cwd=repo, env=env, check=True)
    first = _pre_commit(["try-repo", str(ROOT), "--all-files"], repo, env)
    subprocess.run(["git", "add", "-A"], cwd=repo, env=env, check=True)
    second = _pre_commit(["try-repo", str(ROOT), "dockmod-check", "--all-files"], repo, env)
    return repo, first, second


def test_pre_commit_runs_check_then_fix(try_repo) -> None:  # type: ignore[no-untyped-def]
    repo, first, _ = try_repo
    out = first.stdout + first.stderr
    assert first.returncode == 1, out
    assert re.search(r"^dockmod check\.+Failed$", out, re.M), out
    assert "Dockerfile:2:1: DM502 [*] Legacy `ENV key value` format for `A`" in out
    assert "svc/api.dockerfile:2:1: DM502" in out
    assert "Dockerfile.md" not in out  # not passed: the files rule left it out
    assert re.search(r"^dockmod fix\.+Failed$", out, re.M) and "files were modified by this hook" in out
    assert (repo / "Dockerfile").read_text() == "FROM alpine\nENV A=b\n"
    assert (repo / "svc" / "api.dockerfile").read_text() == "FROM alpine\nENV A=b\n"


def test_pre_commit_passes_once_fixed(try_repo) -> None:  # type: ignore[no-untyped-def]
    _, _, second = try_repo
    out = second.stdout + second.stderr
    assert second.returncode == 0, out
    assert re.search(r"^dockmod check\.+Passed$", out, re.M), out

