"""The environment of one command of a RUN: dockmod.semantic.env_at."""

from __future__ import annotations

import pytest

from dockmod import parse
from dockmod.cst import Run
from dockmod.semantic import UNKNOWN, build_model, env_at

U = UNKNOWN


def value(src: str, program: str, name: str, base: str = "FROM debian:12\n") -> object:
    df = parse(base + src)
    model = build_model(df)
    run = [i for i in df.body if isinstance(i, Run)][-1]
    command = next(c for c in model.run(run).commands if c.name == program)
    return env_at(model, run, command)(name)


@pytest.mark.parametrize(("src", "program", "expected"), [
    # the command's own prefix, and only for that command
    ("RUN X=1 a; b\n", "a", "1"),
    ("RUN X=1 a; b\n", "b", None),
    ("RUN X=1 a && b\n", "b", None),
    ("ENV X=0\nRUN X=1 a; b\n", "b", "0"),
    # the `env` wrapper
    ("RUN env X=2 b\n", "env", "2"),
    ("ENV X=0\nRUN env -u X b\n", "env", None),
    ("ENV X=0\nRUN env -i Y=1 b\n", "env", None),
    ("RUN env -i X=3 b\n", "env", "3"),
    ("RUN env --chdir=/ X=3 b\n", "env", U),
    # export before, in the same script at top level
    ("RUN export X=3; b\n", "b", "3"),
    ("RUN export X=3 && b\n", "b", "3"),
    ("RUN a && export X=3 && b\n", "b", "3"),
    ("RUN declare -x X=3; b\n", "b", "3"),
    ("RUN X=3; export X; b\n", "b", "3"),
    ("RUN <<EOF\nexport X=7\nb\nEOF\n", "b", "7"),
    # a plain assignment reaches the environment only when the name is exported
    ("RUN X=3; b\n", "b", None),
    ("ENV X=0\nRUN X=3; b\n", "b", "3"),
    ("RUN set -a; X=3; b\n", "b", "3"),
    ("ENV X=0\nRUN unset X; b\n", "b", None),
    # may or may not have happened: unknown, never guessed
    ("RUN if c; then export X=1; fi; b\n", "b", U),
    ("RUN for i in 1; do export X=1; done; b\n", "b", U),
    ("RUN (export X=1); b\n", "b", U),
    ("RUN a || export X=1 && b\n", "b", U),
    ("RUN a && export X=1; b\n", "b", U),
    ("RUN export X=1 | cat; b\n", "b", U),
    ("RUN export X=1 & b\n", "b", U),
    ("RUN . ./env.sh; b\n", "b", U),
    # not literal
    ("RUN export X=$(c); b\n", "b", U),
    ("RUN X=\"$Y\" b\n", "b", U),
    ("RUN env X=$Y b\n", "env", U),
    # a later change does not reach back
    ("RUN b; export X=1\n", "b", None),
    ("RUN export Y=1; b\n", "b", None),
])
def test_env_at(src: str, program: str, expected: object) -> None:
    assert value(src, program, "X") == expected


def test_scope_value_when_script_is_silent() -> None:
    assert value("ENV X=0\nRUN b\n", "b", "X") == "0"
    assert value("ARG X=5\nRUN b\n", "b", "X") == "5"


def test_unknown_base_image_leaves_a_plain_assignment_unknown() -> None:
    # The image may export X; then X=3 reaches b, else it does not.
    assert value("RUN X=3; b\n", "b", "X", base="FROM example.com/unknown\n") is UNKNOWN


def test_offline_reads_the_command_environment() -> None:
    """DM202 asks ``cache_use.offline`` with the command's environment: a GOFLAGS export
    before ``go build`` counts, one after it does not."""
    from dockmod.ecosystems.cache_use import offline

    def reads(src: str) -> list[str]:
        df = parse("FROM golang:1.22\n" + src)
        model = build_model(df)
        run = [i for i in df.body if isinstance(i, Run)][-1]
        call = next(c for c in model.run(run).calls if c.action == "build")
        return offline(call, env_at(model, run, call.command))

    assert reads("RUN export GOFLAGS=-mod=vendor; go build ./...\n") == ["GOFLAGS=-mod=vendor"]
    assert reads("RUN GOFLAGS=-mod=vendor go build ./...\n") == ["GOFLAGS=-mod=vendor"]
    assert reads("RUN env GOFLAGS=-mod=vendor go build ./...\n") == ["GOFLAGS=-mod=vendor"]
    assert reads("RUN go build ./...; export GOFLAGS=-mod=vendor\n") == []
    assert reads("RUN GOFLAGS=-mod=vendor go vet; go build ./...\n") == []
