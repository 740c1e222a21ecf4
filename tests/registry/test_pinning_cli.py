"""The batch step and lock file through the CLI, against a fake registry on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dockmod.registry.lock import Lock
from dockmod.registry.model import Resolved
from tests.registry.fake_registry import FakeRegistry, pinning_setup

ROOT = Path(__file__).resolve().parents[2]


def dockmod(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DOCKER_CONFIG": str(cwd / ".docker")}
    return subprocess.run([sys.executable, "-m", "dockmod", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    with FakeRegistry() as reg:
        pinning_setup(reg, tmp_path)
        for name in ("a", "b"):
            d = tmp_path / name
            d.mkdir()
            (d / "Dockerfile").write_text("FROM python:3.11-slim AS build\nFROM nginx:1.27\n"
                                          "COPY --from=build /app /app\n")
        yield tmp_path, reg


def test_fix_apply_pins_every_file_with_one_request_per_reference(project) -> None:  # type: ignore[no-untyped-def]
    root, reg = project
    r = dockmod(root, "fix", "--apply", "-j", "1", ".")
    assert r.returncode == 0, r.stderr
    py = reg.repos["library/python"]["3.11-slim"][1]
    import hashlib

    digest = "sha256:" + hashlib.sha256(py).hexdigest()
    text = (root / "a" / "Dockerfile").read_text()
    assert f"FROM python:3.11-slim@{digest} AS build\n" in text
    assert (root / "b" / "Dockerfile").read_text() == text
    assert reg.requests["manifest"] == 2  # two unique references, four uses


def test_lock_then_offline_then_check(project) -> None:  # type: ignore[no-untyped-def]
    root, reg = project
    r = dockmod(root, "lock", ".")
    assert r.returncode == 0, r.stderr
    lock = json.loads((root / "dockmod.lock").read_text())
    assert list(lock["images"]) == ["docker.io/library/nginx:1.27", "docker.io/library/python:3.11-slim"]
    assert (root / "a" / "Dockerfile").read_text().startswith("FROM python:3.11-slim AS")  # untouched
    before = reg.requests["manifest"]
    r = dockmod(root, "fix", "--apply", "--offline", ".")
    assert r.returncode == 0, r.stderr
    assert reg.requests["manifest"] == before  # offline: no registry request
    assert lock["images"]["docker.io/library/python:3.11-slim"]["digest"] in (root / "a" / "Dockerfile").read_text()
    assert dockmod(root, "lock", "--check", ".").returncode == 0
    # The tag moves: --refresh updates the files and the lock; the stale file fails the check.
    (root / "b" / "Dockerfile").write_text((root / "a" / "Dockerfile").read_text())
    new = reg.push("library/python", "3.11-slim", seed="py-2")
    r = dockmod(root, "fix", "--apply", "--refresh", "--unsafe-fixes", "a")
    assert r.returncode == 0, r.stderr
    assert new in (root / "a" / "Dockerfile").read_text()
    assert json.loads((root / "dockmod.lock").read_text())["images"]["docker.io/library/python:3.11-slim"]["digest"] == new
    r = dockmod(root, "lock", "--check", ".")
    assert r.returncode == 1
    assert r.stdout.startswith("b/Dockerfile:1:6: `python:3.11-slim@sha256:") and new in r.stdout


def test_offline_without_lock_says_what_it_could_not_resolve(project) -> None:  # type: ignore[no-untyped-def]
    root, reg = project
    r = dockmod(root, "check", "--offline", "a")
    assert r.returncode == 1
    assert "a/Dockerfile:1:6: DM101 Image `python:3.11-slim` is not pinned to a digest and could not be " \
           "resolved: not in dockmod.lock, and --offline forbids asking the registry" in r.stdout
    assert reg.requests["manifest"] == 0


def test_registry_errors_name_image_and_registry(project) -> None:  # type: ignore[no-untyped-def]
    root, reg = project
    (root / "a" / "Dockerfile").write_text("FROM python:3.99\n")
    r = dockmod(root, "check", "a")
    assert f"Image `python:3.99` is not pinned to a digest and could not be resolved: registry `{reg.host}` " \
           "has no manifest `library/python:3.99` (404)" in r.stdout


def test_lock_file_is_stable(tmp_path: Path) -> None:
    lock = Lock(tmp_path / "dockmod.lock")
    assert lock.update([Resolved("docker.io/library/b:1", "sha256:" + "b" * 64, resolved_at="T1"),
                        Resolved("docker.io/library/a:1", "sha256:" + "a" * 64, "linux/arm64", resolved_at="T1"),
                        Resolved("docker.io/library/a:1", "sha256:" + "c" * 64, resolved_at="T1")])
    lock.save()
    text = (tmp_path / "dockmod.lock").read_text()
    assert [ln.split('"')[1] for ln in text.splitlines()[3:6]] == [
        "docker.io/library/a:1", "docker.io/library/a:1 linux/arm64", "docker.io/library/b:1"]
    again = Lock.load(tmp_path / "dockmod.lock")
    assert again.update([Resolved("docker.io/library/b:1", "sha256:" + "b" * 64, resolved_at="T2")]) == []
    again.save()
    assert (tmp_path / "dockmod.lock").read_text() == text  # same digest: not even the time changes
    assert again.get("docker.io/library/a:1", "linux/arm64").digest == "sha256:" + "a" * 64
