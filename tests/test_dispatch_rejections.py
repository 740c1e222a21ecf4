"""What ``dockerfile2llb`` rejects before building (dockmod/semantic/dispatch.py), and
what it accepts: a value a ``--build-arg`` can change is never a rejection."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import dockmod
from dockmod._parse import reject_dispatch, reject_unknown

REJECTED = [
    ("FROM ${X}\n", "1:6: base name (${X}) should not be blank"),
    ('FROM ""\n', '1:6: base name ("") should not be blank'),
    ("ARG Y=a\nFROM ${X}\n", "2:6: base name (${X}) should not be blank"),
    ("FROM --platform=$NOPE alpine\n", "1:6: empty platform value from expression $NOPE"),
    ("FROM --platform=foo alpine\n",
     'failed to parse platform foo: "foo": unknown operating system or architecture: invalid argument'),
    ("FROM --platform=linux/amd64/v2/x alpine\n",
     'failed to parse platform linux/amd64/v2/x: "linux/amd64/v2/x": cannot parse platform specifier: '
     "invalid argument"),
    ("FROM --platform=linux/* alpine\n",
     'failed to parse platform linux/*: "linux/*": wildcards not yet supported: invalid argument'),
    ("FROM alpine AS a\nARG S=a\nCOPY --from=$S /x /x\n",
     "3:6: variable expansion is not supported for --from, define a new stage with FROM using ARG from "
     "global scope as a workaround"),
    ("FROM alpine\nCOPY --from=3 /x /x\n", "2:6: invalid stage index 3"),
    ("FROM alpine\nCOPY --from=-1 /x /x\n", "2:6: invalid stage index -1"),
    ("FROM alpine AS a\nCOPY --from=A /x /x\n", "2:6: circular dependency detected on stage: a"),
    ("FROM alpine\nCOPY --from=0 /x /x\n", "2:6: circular dependency detected on stage: stage-0"),
    ("FROM alpine AS a\nCOPY --from=b /x /x\nFROM alpine AS b\nRUN --mount=from=a,target=/m true\n",
     "2:6: circular dependency detected on stage: a"),
    # detectRunMount: a mount without `from` reads "scratch", here a stage.
    ("FROM alpine AS scratch\nRUN --mount=type=cache,target=/c true\n",
     "2:1: circular dependency detected on stage: scratch"),
]

ACCEPTED = [
    "ARG X\nFROM ${X}\n",  # unknown
    "ARG X=\nFROM $X\n",  # empty by default, but `--build-arg X=alpine` builds it
    "ARG P=foo\nFROM --platform=$P alpine\n",  # overridable
    "FROM ${TARGETSTAGE:-alpine}\n",  # automatic ARGs (defaultArgs)
    "FROM --platform=$BUILDPLATFORM alpine\n",
    "FROM --platform=linux alpine\nFROM --platform=arm64 alpine\nFROM --platform=x86_64 alpine\n",
    "FROM --platform=windows(10.0.17763)/amd64 alpine\nFROM --platform=linux/arm/v7 alpine\n",
    "FROM alpine AS a\nFROM a AS b\nCOPY --from=a /x /x\nRUN --mount=type=cache,target=/c true\n"
    "FROM scratch\nCOPY --from=1 / /\nCOPY --from=alpine:3 / /\n",
    # each reference to no stage is one more state: index 2 is the image's
    "FROM alpine\nCOPY --from=busybox / /\nCOPY --from=1 / /\n",
    "# syntax=example.com/other/frontend\nFROM ${X}\n",  # another frontend: not Docker's rules
]


def _rejection(text: str) -> str | None:
    df = dockmod.parse(text)
    reject_unknown(df, "Dockerfile")  # the instruction layer accepts every case
    try:
        reject_dispatch(df, "Dockerfile")
    except dockmod.ParseError as e:
        assert e.path == "Dockerfile" and "\n" not in e.message
        return f"{e.line}:{e.column}: {e.message}"
    return None


@pytest.mark.parametrize("text,expected", REJECTED, ids=[t for t, _ in REJECTED])
def test_dockerfile2llb_rejects(text: str, expected: str) -> None:
    found = _rejection(text)
    assert found is not None and found.endswith(expected)


@pytest.mark.parametrize("text", ACCEPTED)
def test_dockerfile2llb_accepts(text: str) -> None:
    assert _rejection(text) is None


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parents[1]
    return subprocess.run([sys.executable, "-m", "dockmod", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"})


@pytest.mark.parametrize("command", [["check"], ["fix"], ["fix", "--apply"]])
def test_check_and_fix_stop_with_the_error(tmp_path: Path, command: list[str]) -> None:
    text = "FROM alpine AS a\nCOPY --from=A /x /x\n"
    (tmp_path / "Dockerfile").write_text(text)
    r = _cli(*command, "Dockerfile", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.splitlines()[:4] == [
        "Dockerfile:2:6: error: circular dependency detected on stage: a",
        "  |",
        "2 | COPY --from=A /x /x",
        "  |      ^",
    ]
    assert (tmp_path / "Dockerfile").read_text() == text
