"""The frontend fact (``semantic.frontend``) and what it does to fixes that need docker/dockerfile."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dockmod import parse
from dockmod.cli import cli
from dockmod.semantic import build_model
from dockmod.semantic.frontend import frontend_of, repository_path


@pytest.mark.parametrize("directive", [
    None,
    "docker/dockerfile:1",
    "docker/dockerfile:1.7-labs",
    "docker.io/docker/dockerfile:1.4",
    "docker.io/docker/dockerfile-upstream:master",
    "docker/dockerfile-upstream:1.17.1",
    "mirror.gcr.io/docker/dockerfile:1.9-labs",
    "docker/dockerfile:1@sha256:" + "a" * 64,
    "registry.example.com:5000/docker/dockerfile:1.4",
])
def test_docker_frontends(directive: str | None) -> None:
    head = f"# syntax={directive}\n" if directive else ""
    fe = frontend_of(parse(head + "FROM alpine\n"))
    assert fe.docker
    assert fe.unsafe_reason is None


@pytest.mark.parametrize("directive", [
    "tonistiigi/dockerfile:runmount20180618",
    "ghcr.io/example/dockerfile:1.4",
    "jacoblincool/dockerfile:latest",
    "docker/dockerfile-copy:v0.1.9",
    "example.com/docker/dockerfiles:1",
])
def test_other_frontends(directive: str) -> None:
    fe = build_model(parse(f"# syntax={directive}\nFROM alpine\n")).frontend
    assert not fe.docker
    assert fe.reference == directive
    assert fe.unsafe_reason == (f"the file uses frontend `{directive}`; "
                                "dockmod can only prove this for docker/dockerfile")


def test_repository_path() -> None:
    assert repository_path("localhost:5000/docker/dockerfile:1@sha256:" + "0" * 64) == "docker/dockerfile"
    assert repository_path("localhost/docker/dockerfile") == "docker/dockerfile"
    assert repository_path("Docker/Dockerfile:1") == "docker/dockerfile"


_FILE = """\
# syntax=tonistiigi/dockerfile:runmount20180618
FROM debian:bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc
FROM debian:bookworm-slim
COPY --from=build /usr/bin/gcc /usr/bin/gcc
"""


def test_check_shows_why_the_fix_is_unsafe(tmp_path) -> None:
    (tmp_path / "Dockerfile").write_text(_FILE)
    path = str(tmp_path / "Dockerfile")
    r = CliRunner().invoke(cli, ["check", "--select", "DM202", "--format", "full", path])
    assert "DM202 [-]" in r.output and "DM202 [*]" not in r.output
    assert ("(unsafe: the file uses frontend `tonistiigi/dockerfile:runmount20180618`; dockmod can only "
            "prove this for docker/dockerfile; needs --unsafe-fixes)") in r.output
    r = CliRunner().invoke(cli, ["check", "--select", "DM202", "--format", "json", path])
    fixes = [f["fix"] for f in json.loads(r.stdout)["findings"]]
    assert fixes and all(f["safety"] == "unsafe" and "tonistiigi/dockerfile" in f["reason"] for f in fixes)
