"""The stage graph: bases, COPY --from and mount edges, needs, shipped, unreachable."""

from __future__ import annotations

import dockmod
from dockmod.cst.instructions import Copy, Run
from dockmod.semantic import build_model


def model(text: str, **kw):  # type: ignore[no-untyped-def]
    return build_model(dockmod.parse(text), **kw)


def test_copy_from_by_name_index_and_image() -> None:
    m = model(
        "FROM golang:1.22 AS Build\nRUN go build -o /out/app .\n"
        "FROM alpine\nCOPY --from=build /out/app /app\nCOPY --from=0 out/x /x\n"
        "COPY --from=nginx:1 /etc/nginx /etc/nginx\n"
    )
    s0, s1 = m.stages
    assert s0.name == "build" and s0.base_kind == "image" and s0.image == "golang:1.22"
    copies = [e for e in s1.edges if e.kind == "copy"]
    assert [(e.stage, e.image) for e in copies] == [(0, None), (0, None), (None, "nginx:1")]
    assert m.needs(1) == {0, 1}
    assert m.unreachable == frozenset()
    edges = m.copies_from(0)
    assert [e.sources for e in edges] == [("/out/app",), ("/out/x",)]
    assert edges[0].destination == "/app" and edges[0].reader == 1


def test_mount_from_and_descendants() -> None:
    m = model(
        "FROM node:20 AS deps\nRUN npm ci\nFROM deps AS build\nRUN npm run build\n"
        "FROM node:20-slim\nRUN --mount=type=bind,from=build,source=/app/dist,target=/d cp -r /d /srv\n"
    )
    assert m.stages[1].base_kind == "stage" and m.stages[1].base_stage == 0
    assert m.descendants(0) == (1,)
    (edge,) = m.copies_from(0)  # read through the descendant `build`
    assert edge.kind == "mount" and edge.stage == 1 and edge.sources == ("/app/dist",)
    assert edge.destination == "/d"
    assert m.needs(2) == {0, 1, 2}


def test_from_variable_global_arg() -> None:
    m = model("ARG BASE=python:3.12-slim\nFROM ${BASE} AS app\nFROM $NOPE\n")
    assert m.stages[0].base_kind == "image" and m.stages[0].image == "python:3.12-slim"
    assert m.stages[0].image_facts is not None and m.stages[0].image_facts.family == "python"
    # An undeclared variable is empty in BuildKit: FROM "" is an error, so it stays unknown.
    assert m.stages[1].base_kind == "unknown" and m.stages[1].base_candidates == (0,)


def test_from_arg_without_default_is_unknown_and_shipped() -> None:
    m = model("ARG BASE\nFROM alpine AS a\nFROM debian AS b\nFROM ${BASE} AS c\nRUN true\n"
              "FROM scratch AS final\nCOPY --from=c /x /x\n")
    c = m.stages[2]
    assert c.base_kind == "unknown" and c.base_candidates == (0, 1)
    # A stage reached through a variable FROM is shipped, and so is every stage it could name.
    assert {0, 1, 2} <= m.shipped
    assert m.descendants(0) == (2,)


def test_build_args_resolve_a_variable_from() -> None:
    m = model("ARG BASE\nFROM alpine AS a\nFROM ${BASE}\n", build_args={"BASE": "a"})
    assert m.stages[1].base_kind == "stage" and m.stages[1].base_stage == 0


def test_unreachable_and_shipped_test_stage_after_prod() -> None:
    m = model(
        "FROM python:3.12 AS base\nRUN pip install -r requirements.txt\n"
        "FROM base AS prod\nCMD [\"app\"]\n"
        "FROM base AS test\nRUN pytest\n"
        "FROM alpine AS tools\n"
    )
    # The default target is the last stage: prod and test are not needed by it...
    assert m.unreachable == {0, 1, 2}
    # ...but prod and test can be shipped with --target, and base with them.
    assert m.shipped == {0, 1, 2, 3}
    assert m.targets_needing(0) == {0, 1, 2}
    narrowed = model(
        "FROM python:3.12 AS base\nFROM base AS prod\nFROM base AS test\n", targets=["prod"]
    )
    assert narrowed.shipped == {0, 1}


def test_stage_used_only_by_copy_is_not_shipped() -> None:
    m = model("FROM golang:1.22 AS build\nRUN go build\nFROM scratch\nCOPY --from=build /a /a\n")
    assert m.shipped == {1}
    assert m.targets_needing(0) == {1}


def test_stage_name_matching_is_exact_on_lowercase_text() -> None:
    m = model("FROM alpine AS builder\nFROM builder\nFROM Builder\n")
    assert m.stages[1].base_kind == "stage"
    assert m.stages[2].base_kind == "image"


def test_stage_of_and_instructions() -> None:
    df = dockmod.parse("ARG V=1\nFROM alpine\nRUN true\nCOPY a b\n")
    m = build_model(df)
    run = next(i for i in df.body if isinstance(i, Run))
    copy = next(i for i in df.body if isinstance(i, Copy))
    assert m.stage_of(run) is m.stages[0] and m.stage_of(copy) is m.stages[0]
    assert m.stage_of(df.body[0]) is None
    assert m.stages[0].instructions == df.body[1:]


def test_copy_from_variable_uses_stage_args() -> None:
    m = model("FROM alpine AS a\nFROM alpine AS b\nARG SRC=a\nCOPY --from=${SRC} /x /x\n")
    copy = next(e for e in m.stages[1].edges if e.kind == "copy")
    assert copy.stage == 0


def test_before_after_and_writes_before() -> None:
    df = dockmod.parse(
        "FROM python:3.12 AS base\nWORKDIR /app\nCOPY req.txt .\nRUN pip install -r req.txt > /var/log/pip\n"
        "FROM base AS app\nCOPY --from=base /app /srv/\nRUN touch done\nFROM app AS test\nRUN pytest\n"
    )
    m = build_model(df)
    runs = [i for i in df.body if isinstance(i, Run)]
    touch = runs[1]
    # A COPY's write is its destination (files or a directory's contents land under it).
    assert [w.path for w in m.writes_before(touch)] == ["/app", "/var/log/pip", "/srv"]
    assert m.before(touch)[0] is df.body[1]  # WORKDIR of the base stage
    assert m.after(runs[0]) == (*m.stages[1].instructions[1:], *m.stages[2].instructions[1:])
    assert m.chain(2) == (0, 1, 2)


def test_unresolved_copy_from_may_read_any_other_stage() -> None:
    m = model("ARG SRC\nFROM alpine AS a\nFROM alpine AS b\nFROM scratch\nARG SRC\nCOPY --from=${SRC} /x /x\n")
    (edge,) = [e for e in m.stages[2].edges if e.kind == "copy"]
    assert edge.stage is None and edge.image is None and edge.candidates == (0, 1)
    assert m.needs(2) == {0, 1, 2}
    assert [e.reader for e in m.copies_from(0)] == [2]
    # Unresolved, so it does not count as a use: a and b stay shippable.
    assert m.shipped == {0, 1, 2}


def test_wrote_under_and_user_as_written() -> None:
    df = dockmod.parse(
        'FROM python:3.12 AS base\nARG D=/cache\nUSER ${APP_USER:-app}\nCOPY ["req.txt", "$D/req.txt"]\n'
        "FROM base AS app\nCOPY --from=base /etc /root/.m2\nRUN echo hi > ~/.npm/log\nRUN true\n"
    )
    m = build_model(df)
    last = df.body[-1]
    # A JSON-form COPY destination is expanded, as BuildKit does; inherited through FROM base.
    assert m.wrote_under(last, "/cache")
    assert not m.wrote_under(last, "/cache/other")
    # COPY --from counts unless left out.
    assert m.wrote_under(last, "/root/.m2")
    assert not m.wrote_under(last, "/root/.m2", copies_from_stages=False)
    assert not m.wrote_under(df.body[2], "/cache")  # nothing before the USER wrote there
    assert m.user_as_written(1) == "${APP_USER:-app}"


def test_variable_from_may_name_only_stages_its_known_parts_match() -> None:
    # ollama's `FROM base-${TARGETARCH}`: base-amd64 or base-arm64, never `tools`.
    m = model("FROM debian AS tools\nFROM debian AS Base-amd64\nFROM debian AS base-arm64\n"
              "FROM base-${TARGETARCH} AS final\nCOPY --from=tools /usr/bin/curl /usr/bin/curl\n")
    final = m.stages[3]
    assert final.base_kind == "unknown" and final.base_candidates == (1, 2)
    assert 0 not in m.shipped  # only a COPY --from source
    # No stage matches: it names an image; a modifier or quotes keep every stage possible.
    m = model("FROM debian AS a\nFROM img-${TARGETARCH}\nFROM ${TARGETARCH:-a}\nFROM \"a${TARGETOS}\"\n")
    assert [s.base_candidates for s in m.stages[1:]] == [(), (0,), (0,)]  # unnamed stages cannot be named


def test_variable_copy_from_may_name_stages_by_name_or_index() -> None:
    m = model("FROM alpine AS tool-a\nFROM alpine AS other\nFROM scratch\nARG T\n"
              "COPY --from=tool-${T} /x /x\nCOPY --from=${T} /y /y\nCOPY --from=x${T} /z /z\n")
    edges = [e for e in m.stages[2].edges if e.kind == "copy"]
    assert [e.candidates for e in edges] == [(0,), (0, 1), ()]


def test_variable_from_with_modifiers_is_narrowed_by_its_literal_parts() -> None:
    # qdrant's `FROM qdrant-${GPU:+gpu-}${GPU:-cpu}`: a modified variable may be anything
    # (``${GPU:+gpu}`` is "gpu" or ""), but the literal prefix still rules out `builder`.
    m = model("ARG GPU\nFROM debian AS builder\nFROM debian AS runtime-cpu\nFROM debian AS runtime-gpu\n"
              "FROM runtime-${GPU:+gpu}${GPU:-cpu}\nCOPY --from=builder /v /v\n")
    assert m.stages[3].base_candidates == (1, 2)
    assert 0 not in m.shipped
    # Nested modifiers, and one whose braces do not pair (every stage then).
    m = model("ARG X Y\nFROM debian AS a-x\nFROM debian AS b\nFROM a-${X:-${Y:+y}}\nFROM ${X:-a\n")
    assert [s.base_candidates for s in m.stages[2:]] == [(0,), (0, 1)]
