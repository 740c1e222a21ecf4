"""``dockmod parse --format model`` (snapshot) and ``--format model-json`` (schema)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from dockmod.cli import cli
from tests.conftest import UPDATE

HERE = Path(__file__).parent
SCHEMA = Path(__file__).resolve().parents[2] / "dockmod" / "schemas" / "model.schema.json"

DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG PY=3.12
FROM python:${PY}-slim AS base
ENV APP=/app
WORKDIR $APP
RUN useradd --uid 1001 --create-home app
USER app
COPY requirements.txt .
RUN pip install -r requirements.txt
FROM base AS test
RUN pytest
FROM golang:1.22 AS build
RUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/app .
FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/app /app
"""


def run(fmt: str, tmp_path: Path) -> str:
    f = tmp_path / "Dockerfile"
    f.write_text(DOCKERFILE)
    result = CliRunner().invoke(cli, ["parse", "--format", fmt, str(f)])
    assert result.exit_code == 0, result.output
    return result.output.replace(str(f), "Dockerfile")


def test_model_text_snapshot(tmp_path: Path) -> None:
    out = run("model", tmp_path)
    snap = HERE / "snapshots" / "model.txt"
    if UPDATE:
        snap.parent.mkdir(exist_ok=True)
        snap.write_text(out)
    assert snap.exists(), "regenerate with DOCKMOD_UPDATE_SNAPSHOTS=1"
    assert out == snap.read_text()


def test_model_json_matches_schema(tmp_path: Path) -> None:
    doc = json.loads(run("model-json", tmp_path))
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    stages = doc["stages"]
    assert [s["shipped"] for s in stages] == [True, True, False, True]
    assert [s["reachable"] for s in stages] == [False, False, True, True]
    pip = next(i for i in doc["instructions"] if i["line"] == 9)
    assert pip["user"]["uid"] == 1001 and pip["workdir"] == "/app" and pip["home"] == "/home/app"
    assert pip["run"]["calls"] == [{"manager": "pip", "action": "install", "files": ["requirements.txt"],
                                    "manifests": []}]
    assert pip["env"]["APP"] == "/app" and pip["env"]["PYTHON_VERSION"] is None


def test_model_json_parse_error(tmp_path: Path) -> None:
    f = tmp_path / "Dockerfile"
    f.write_text("FROM alpine\nENV PATH\n")
    result = CliRunner().invoke(cli, ["parse", "--format", "model-json", str(f)])
    assert result.exit_code == 2
    assert json.loads(result.output.splitlines()[0])["error"]["line"] == 2


def test_version_and_help_of_yarn_and_bundle_are_no_install(tmp_path: Path) -> None:
    f = tmp_path / "Dockerfile"
    f.write_text("FROM node:22-bookworm-slim\nRUN yarn --version\nRUN yarn -v\nRUN yarnpkg --version\n"
                 "RUN bundle --version\nRUN yarn\nRUN bundle\n")
    result = CliRunner().invoke(cli, ["parse", "--format", "model", str(f)])
    assert result.exit_code == 0, result.output
    calls = [line.strip() for line in result.output.splitlines() if line.strip().startswith("call ")]
    assert calls == ["call yarn install reads package.json, yarn.lock",
                     "call bundler install reads Gemfile, Gemfile.lock"]


USER_FROM_ARGS = """\
FROM debian:bookworm-slim
ARG UID=1000
ARG GID=1000
USER ${UID}:${GID}
RUN id
USER root
RUN id
"""


def test_model_marks_a_user_from_arg_defaults(tmp_path: Path) -> None:
    """`USER ${UID}` takes the ARG's default, which `--build-arg` can change: both dumps say so."""
    f = tmp_path / "Dockerfile"
    f.write_text(USER_FROM_ARGS)
    text = CliRunner().invoke(cli, ["parse", "--format", "model", str(f)])
    assert text.exit_code == 0, text.output
    out = text.output.replace(str(f), "Dockerfile")
    snap = HERE / "snapshots" / "model_user_args.txt"
    if UPDATE or not snap.exists():
        snap.write_text(out)
    assert out == snap.read_text()
    assert "user 1000:1000(1000:1000) [from ARG GID, UID]" in out
    doc = json.loads(CliRunner().invoke(cli, ["parse", "--format", "model-json", str(f)]).output)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    users = {i["line"]: i["user"] for i in doc["instructions"]}
    assert users[5]["from_args"] == ["GID", "UID"] and users[5]["uid"] == 1000
    assert users[7]["from_args"] == [] and users[7]["uid"] == 0
