"""Harness pieces that need no root or buildah: log parsing, tree comparison, config text.

Not marked e2e, so they run everywhere and keep the instruments honest cheaply.
"""

from __future__ import annotations

import importlib.util
import os
import py_compile
import tomllib

import pytest

import harness
from harness.builder import parse_steps
from harness.fs import compare, content_digest
from harness.registry import Registry, bcrypt_hash
from harness.sandbox import registries_conf

MULTI_STAGE_LOG = """\
[1/2] STEP 1/3: FROM python:3.11-slim AS builder
[1/2] STEP 2/3: COPY requirements.txt .
--> Using cache 1f2e3d
--> 1f2e3d
[1/2] STEP 3/3: RUN pip install -r requirements.txt
--> 4a5b6c
[2/2] STEP 1/2: FROM busybox
[2/2] STEP 2/2: COPY --from=builder /app /app
--> Using cache 7d8e9f
COMMIT
"""


def test_parse_steps_reads_stages_and_cache_hits():
    steps = parse_steps(MULTI_STAGE_LOG)
    assert [(s.stage, s.number, s.keyword, s.cached) for s in steps] == [
        (1, 1, "FROM", None),
        (1, 2, "COPY", True),
        (1, 3, "RUN", False),
        (2, 1, "FROM", None),
        (2, 2, "COPY", True),
    ]
    result = harness.BuildResult(0, "abc", None, steps, MULTI_STAGE_LOG)
    assert result.cache_pattern() == "CRC"
    assert result.step("pip install").cached is False
    assert result.step("COPY", stage=2).instruction == "COPY --from=builder /app /app"
    with pytest.raises(KeyError, match="no step matching"):
        result.step("ADD")


def test_parse_steps_single_stage():
    log = "STEP 1/2: FROM busybox\nSTEP 2/2: RUN true\n--> Using cache 0a1b\n"
    assert [(s.stage, s.cached) for s in parse_steps(log)] == [(1, None), (1, True)]


def _pyc(directory, mtime: int) -> bytes:
    """mod.py compiled at a given source mtime (same path, so only the header differs)."""
    source = directory / "mod.py"
    source.write_text("VALUE = 42\n")
    os.utime(source, (mtime, mtime))
    out = directory / "mod.pyc"
    py_compile.compile(str(source), cfile=str(out), dfile="/app/mod.py",
                       invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP)  # fmt: skip
    return out.read_bytes()


def test_compare_reports_planted_difference_and_ignores_pyc_timestamps(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root, plant, mtime in ((a, "a", 1_000_000_000), (b, "b", 1_100_000_000)):
        (root / "app/__pycache__").mkdir(parents=True)
        (root / "app/planted.txt").write_text(plant)
        (root / "app/same.txt").write_text("same")
        (root / "src").mkdir()
        (root / "app/__pycache__/mod.pyc").write_bytes(_pyc(root / "src", mtime))
    assert (a / "app/__pycache__/mod.pyc").read_bytes() != (b / "app/__pycache__/mod.pyc").read_bytes()

    diff = compare(a, b, under="/app")
    assert diff.paths == {"/app/planted.txt"}
    assert diff.changed["/app/planted.txt"] == ("content",)
    strict = compare(a, b, under="/app", ignore_pyc_timestamps=False)
    assert strict.paths == {"/app/planted.txt", "/app/__pycache__/mod.pyc"}
    assert not compare(a, b, ignore=("/app/planted.txt", "/src/*"))


def test_compare_reports_added_removed_mode_and_symlink_target(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        root.mkdir()
        (root / "script").write_text("#!/bin/sh\n")
    (a / "only-a").write_text("x")
    (b / "only-b").write_text("x")
    (b / "script").chmod(0o755)
    (a / "link").symlink_to("script")
    (b / "link").symlink_to("only-b")
    diff = compare(a, b)
    assert diff.added == ("/only-b",) and diff.removed == ("/only-a",)
    assert diff.changed == {"/script": ("mode",), "/link": ("target",)}
    assert "+ /only-b" in diff.summary()


def test_content_digest_only_normalises_timestamp_pycs(tmp_path):
    hashed = tmp_path / "x.pyc"
    hashed.write_bytes(b"\x00" * 4 + b"\x01\x00\x00\x00" + b"\xff" * 8 + b"body")  # flags=1: hash-based
    other = tmp_path / "y.pyc"
    other.write_bytes(b"\x00" * 4 + b"\x01\x00\x00\x00" + b"\xee" * 8 + b"body")
    assert content_digest(hashed) != content_digest(other)


def test_registries_conf_rewrites_docker_io_to_the_local_registry():
    conf = tomllib.loads(registries_conf("127.0.0.1:5000"))
    assert conf["unqualified-search-registries"] == ["docker.io"]
    docker_io = next(r for r in conf["registry"] if r.get("prefix") == "docker.io")
    assert docker_io["location"] == "127.0.0.1:5000" and docker_io["insecure"] is True
    assert "mirror" not in docker_io  # a mirror would fall back to the real Docker Hub


def test_registry_ref_adds_library_and_latest():
    registry = Registry.__new__(Registry)
    registry.port = 5000
    assert registry.ref("busybox") == "127.0.0.1:5000/library/busybox:latest"
    assert registry.ref("python:3.11-slim") == "127.0.0.1:5000/library/python:3.11-slim"
    assert registry.ref("team/app@sha256:ab") == "127.0.0.1:5000/team/app@sha256:ab"


def test_bcrypt_hash_is_bcrypt():
    try:
        hashed = bcrypt_hash("pw")
    except RuntimeError as err:
        pytest.skip(str(err))
    assert hashed.startswith(("$2a$", "$2b$", "$2y$")) and len(hashed) == 60


def test_apps_are_complete(tmp_path):
    apps = harness.load_apps()
    assert sorted(apps) == ["go", "node", "node-pnpm", "python-cext", "python-pure", "python-uv"]
    for app in apps.values():
        assert app.dockerfile.is_file() and app.selftest and app.expected
        copy = app.copy(tmp_path)
        assert (copy / "Dockerfile").read_text() == app.dockerfile.read_text()


def test_module_imports_without_pytest_plugins():
    assert importlib.util.find_spec("harness.builder") is not None
