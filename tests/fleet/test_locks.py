"""Fleet mode and ``dockmod.lock``: each repository reads (and `dockmod lock` writes) its own
lock; ``--lock-file`` names one lock for all; ``./dockmod.lock`` is the fallback. Against
the fake registry of tests/registry (a real HTTP server on 127.0.0.1) and real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dockmod.cli import cli
from tests.registry.fake_registry import FakeRegistry, pinning_setup
from tests.vcs.conftest import git_env  # noqa: F401  (a fixture: real git with an identity)

PY, NGINX = "docker.io/library/python:3.11-slim", "docker.io/library/nginx:1.27"


def _digest(c: str) -> str:
    return "sha256:" + c * 64


def _lock(path: Path, images: dict[str, str]) -> Path:
    path.write_text(json.dumps({"version": 1, "images": {
        k: {"digest": d, "platform": "index", "resolved": "2026-12-01T00:00:00Z"} for k, d in images.items()}}))
    return path


def _images(path: Path) -> dict[str, str]:
    return {k: v["digest"] for k, v in json.loads(path.read_text())["images"].items()}


def _invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def fleet_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Repositories a, b, c (python) and web (nginx) under one folder whose dockmod.toml turns
    DM101 on and sends docker.io to the fake registry; the current folder is that folder."""
    with FakeRegistry() as reg:
        pinning_setup(reg, tmp_path)
        for name in ("a", "b", "c"):
            (tmp_path / name).mkdir()
            (tmp_path / name / "Dockerfile").write_text("FROM python:3.11-slim\n")
        (tmp_path / "web").mkdir()
        (tmp_path / "web" / "Dockerfile").write_text("FROM nginx:1.27\n")
        (tmp_path / "none").mkdir()
        (tmp_path / "none" / "Dockerfile").write_text("FROM scratch\n")
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / ".docker"))
        yield tmp_path, reg


def test_each_repository_reads_its_own_lock_then_the_shared_one_and_lock_file_wins(fleet_root) -> None:  # type: ignore[no-untyped-def]
    root, reg = fleet_root
    _lock(root / "a" / "dockmod.lock", {PY: _digest("a")})
    _lock(root / "c" / "dockmod.lock", {PY: _digest("c")})
    _lock(root / "dockmod.lock", {PY: _digest("5")})  # the current folder's: for b
    code, out, err = _invoke("fix", "--offline", "--select", "DM101", "a", "b", "c")
    assert code == 1, err
    assert [line.split("@")[1] for line in out.splitlines() if line.startswith("+FROM")] == [
        _digest("a"), _digest("5"), _digest("c")]  # a, b, c: output is in repository order
    assert reg.requests["manifest"] == 0
    # --lock-file names the lock of every repository, theirs are not read.
    code, out, err = _invoke("fix", "--offline", "--select", "DM101", "--lock-file", "dockmod.lock", "a", "b", "c")
    assert code == 1, err
    assert [line.split("@")[1] for line in out.splitlines() if line.startswith("+FROM")] == [_digest("5")] * 3
    # An ordinary run (one folder) is not a fleet: ./dockmod.lock, as always.
    code, out, err = _invoke("fix", "--offline", "--select", "DM101", "a")
    assert [line.split("@")[1] for line in out.splitlines() if line.startswith("+FROM")] == [_digest("5")]


def test_offline_reports_what_a_repositorys_own_lock_lacks(fleet_root) -> None:  # type: ignore[no-untyped-def]
    root, reg = fleet_root
    _lock(root / "a" / "dockmod.lock", {NGINX: _digest("a")})  # not python
    _lock(root / "dockmod.lock", {PY: _digest("5")})
    code, out, err = _invoke("check", "--offline", "--select", "DM101", "a", "b")
    assert code == 1, err
    assert "a/Dockerfile:1:6: DM101 Image `python:3.11-slim` is not pinned to a digest and could not be " \
           "resolved: not in dockmod.lock" in out
    assert "b/Dockerfile:1:6: DM101 [*]" in out


def test_apply_updates_each_repositorys_own_lock_with_one_request_per_reference(fleet_root) -> None:  # type: ignore[no-untyped-def]
    root, reg = fleet_root
    _lock(root / "a" / "dockmod.lock", {})
    _lock(root / "web" / "dockmod.lock", {NGINX: _digest("e")})  # kept: the lock wins without --refresh
    code, out, err = _invoke("fix", "--apply", "--select", "DM101", "a", "b", "c", "web")
    assert code == 0, err
    py = _images(root / "a" / "dockmod.lock")[PY]
    assert _images(root / "a" / "dockmod.lock") == {PY: py}
    assert _images(root / "web" / "dockmod.lock") == {NGINX: _digest("e")}
    assert (root / "web" / "Dockerfile").read_text() == f"FROM nginx:1.27@{_digest('e')}\n"
    for name in "abc":
        assert (root / name / "Dockerfile").read_text() == f"FROM python:3.11-slim@{py}\n"
    assert not (root / "b" / "dockmod.lock").exists() and not (root / "dockmod.lock").exists()
    assert reg.requests["manifest"] == 1  # python once for a, b and c; nginx from web's lock
    assert f"{root / 'a' / 'dockmod.lock'}: 1 entry updated" in err


def test_dockmod_lock_writes_each_repositorys_own_lock_and_check_reads_them(fleet_root) -> None:  # type: ignore[no-untyped-def]
    root, reg = fleet_root
    (root / "repos.txt").write_text("a\nweb\nnone\n")
    code, out, err = _invoke("lock", "--repos", "repos.txt")
    assert code == 0, err
    assert set(_images(root / "a" / "dockmod.lock")) == {PY}
    assert set(_images(root / "web" / "dockmod.lock")) == {NGINX}
    assert not (root / "none" / "dockmod.lock").exists()  # no image to record: no lock made
    assert not (root / "dockmod.lock").exists()
    assert reg.requests["manifest"] == 2
    assert out.splitlines() == [f"a/dockmod.lock: {PY}: (new) -> {_images(root / 'a' / 'dockmod.lock')[PY]}",
                                f"web/dockmod.lock: {NGINX}: (new) -> {_images(root / 'web' / 'dockmod.lock')[NGINX]}"]
    # DM101 then pins from each repository's lock, asking nothing.
    code, _, err = _invoke("fix", "--apply", "--offline", "--repos", "repos.txt")
    assert code == 0, err
    assert reg.requests["manifest"] == 2
    assert _invoke("lock", "--check", "--repos", "repos.txt")[0] == 0
    # A repository's lock that disagrees with its Dockerfile fails the check, by name.
    _lock(root / "web" / "dockmod.lock", {NGINX: _digest("0")})
    code, out, err = _invoke("lock", "--check", "--repos", "repos.txt")
    assert code == 1
    assert out.startswith("web/Dockerfile:1:6: `nginx:1.27@sha256:") and \
        f"but web/dockmod.lock has `{_digest('0')}`" in out
    assert "1 pinned reference(s) disagree with their lock files" in err
    # With --lock-file, one lock for every repository, as before.
    code, _, err = _invoke("lock", "--lock-file", "all.lock", "a", "web")
    assert code == 0, err
    assert set(_images(root / "all.lock")) == {PY, NGINX}


def test_a_missing_repository_is_an_error_line_of_dockmod_lock(fleet_root) -> None:  # type: ignore[no-untyped-def]
    root, _ = fleet_root
    code, _, err = _invoke("lock", "a", "gone")
    assert code == 2
    assert "gone: error: repository not found" in err
    assert (root / "a" / "dockmod.lock").exists()  # the others ran


def test_git_branch_commits_the_repositorys_own_lock_with_its_files(fleet_root, git_env) -> None:  # type: ignore[no-untyped-def]
    from tests.vcs.conftest import git, make_repo

    root, _ = fleet_root
    for name in ("a", "b"):
        _lock(root / name / "dockmod.lock", {})
        make_repo(root / name, {})
    code, _, err = _invoke("fix", "--apply", "--select", "DM101", "--git-branch", "pins", "--git-commit", "Pin",
                           "a", "b")
    assert code == 0, err
    for name in ("a", "b"):
        assert git(root / name, "show", "--name-only", "--format=", "pins").split() == ["Dockerfile", "dockmod.lock"]
        assert git(root / name, "status", "--porcelain") == ""


def test_a_lock_reached_two_ways_is_one_lock(fleet_root, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Run from inside repository a: its own lock is also ./dockmod.lock, web's fallback."""
    root, reg = fleet_root
    _lock(root / "a" / "dockmod.lock", {})
    monkeypatch.chdir(root / "a")
    code, _, err = _invoke("fix", "--apply", "--select", "DM101", ".", "../web")
    assert code == 0, err
    assert set(_images(root / "a" / "dockmod.lock")) == {PY, NGINX}  # both saved, none lost
    assert err.count("entries updated") + err.count("entry updated") == 1
