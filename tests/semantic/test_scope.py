"""Scopes: ARG, ENV, USER, WORKDIR, HOME, SHELL through stages and base images."""

from __future__ import annotations

import dockmod
from dockmod.cst.instructions import Instruction
from dockmod.semantic import UNKNOWN, build_model


def at(text: str, needle: str, **kw):  # type: ignore[no-untyped-def]
    """The scope of the last instruction whose text contains ``needle``."""
    df = dockmod.parse(text)
    m = build_model(df, **kw)
    ins: Instruction = [i for i in df.body if needle in i.code][-1]
    return m.scope_at(ins)


def test_global_arg_redeclared_in_stage_takes_the_global_default() -> None:
    text = "ARG V=1.2\nARG W\nFROM alpine\nRUN echo $V\nARG V\nARG W\nRUN echo $V $W\n"
    assert at(text, "echo $V\n").get("V") is None  # not declared in the stage yet
    s = at(text, "echo $V $W")
    assert s.get("V") == "1.2"
    assert s.get("W") is UNKNOWN  # no default: comes from --build-arg
    assert s.expand("v$V") == "v1.2"
    assert s.expand("$W") is None


def test_platform_args_are_unknown_even_with_from_platform() -> None:
    s = at("FROM --platform=linux/amd64 alpine\nARG TARGETARCH\nRUN echo $TARGETARCH\n", "RUN")
    assert s.get("TARGETARCH") is UNKNOWN


def test_env_wins_over_arg_and_pairs_expand_against_the_previous_scope() -> None:
    s = at("FROM scratch\nARG A=arg\nENV A=env B=$A\nENV C=$A\nRUN x\n", "RUN")
    assert s.get("A") == "env"
    assert s.get("B") == "arg"  # one ENV expands all pairs before it applies
    assert s.get("C") == "env"


def test_env_and_user_inherited_through_from_stage_but_not_args() -> None:
    text = ("FROM debian:bookworm AS base\nARG X=1\nENV APP=/srv\nWORKDIR $APP\n"
            "RUN useradd --uid 1234 --create-home app\nUSER app\n"
            "FROM base\nRUN echo\n")
    s = at(text, "echo")
    assert s.get("APP") == "/srv"
    assert s.get("X") is None
    assert s.workdir == "/srv"
    assert (s.user.name, s.user.uid, s.user.home) == ("app", 1234, "/home/app")
    assert s.home == "/home/app"


def test_relative_workdir_joins_the_previous_one() -> None:
    text = "FROM scratch\nWORKDIR /a\nWORKDIR b/../c\nWORKDIR d\nRUN x\n"
    assert at(text, "RUN").workdir == "/a/c/d"
    assert at("FROM scratch\nRUN x\n", "RUN").workdir == "/"
    assert at("FROM mycorp/base\nWORKDIR rel\nRUN x\n", "RUN").workdir is None


def test_base_image_env_and_defaults() -> None:
    s = at("FROM golang:1.22-alpine\nRUN go build\n", "RUN")
    assert s.get("GOPATH") == "/go"
    assert s.get("GOLANG_VERSION") is UNKNOWN
    assert s.workdir == "/go"
    assert s.expand("$GOPATH/pkg/mod") == "/go/pkg/mod"
    node = at("FROM node:20-slim\nUSER node\nRUN npm ci\n", "npm")
    assert (node.user.uid, node.user.gid, node.home) == (1000, 1000, "/home/node")


def test_image_that_moves_home() -> None:
    s = at("FROM rayproject/ray:2.9.0\nRUN pip install x\n", "pip")
    assert s.home == "/home/ray" and s.user.uid == 1000
    c = at("FROM composer:2\nRUN composer install\n", "composer install")
    assert c.get("COMPOSER_HOME") == "/tmp"


def test_unknown_image_leaves_user_env_and_home_unknown() -> None:
    s = at("FROM mycorp/python:3\nENV A=1\nRUN pip install x\n", "pip")
    assert s.get("A") == "1"
    assert s.get("PIP_CACHE_DIR") is UNKNOWN  # the image may set it
    assert s.user.uid is None and s.user.inherited and s.user.reason
    assert s.home is None
    assert s.expand("$A") == "1"
    assert s.expand("$PIP_CACHE_DIR") is None


def test_env_home_overrides_the_users_home() -> None:
    s = at("FROM python:3.12\nENV HOME=/data\nRUN x\n", "RUN")
    assert s.home == "/data" and s.user.home == "/root"


def test_shell_and_escape() -> None:
    s = at('FROM debian\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN x\n', "RUN")
    assert s.shell == ("/bin/bash", "-o", "pipefail", "-c") and s.posix_shell
    p = at('FROM debian\nSHELL ["pwsh", "-Command"]\nRUN x\n', "RUN")
    assert not p.posix_shell
    e = at("# escape=`\nFROM debian\nENV A=x`$y\nRUN x\n", "RUN")
    assert e.escape == "`" and e.get("A") == "x$y"


def test_default_shell_shortcut_agrees_with_the_name_rule() -> None:
    """posix_shell answers the default shell without reading its name: the rule agrees."""
    import posixpath

    from dockmod.semantic.scope import DEFAULT_SHELL, POSIX_SHELLS

    s = at("FROM debian\nRUN x\n", "RUN")
    assert s.shell is DEFAULT_SHELL and s.posix_shell
    assert posixpath.basename(DEFAULT_SHELL[0]).lower() in POSIX_SHELLS
    assert not at('FROM debian\nSHELL ["cmd", "/S", "/C"]\nRUN x\n', "RUN").posix_shell


def test_run_env_sees_proxy_args_and_home() -> None:
    s = at("FROM debian\nRUN x\n", "RUN")
    assert s.get("HTTP_PROXY") is None
    assert s.run_get("HTTP_PROXY") is UNKNOWN
    assert s.run_get("HOME") == "/root"


def test_scopes_are_shared_between_instructions_that_change_nothing() -> None:
    df = dockmod.parse("FROM debian\nRUN a\nCOPY x y\nRUN b\nENV A=1\nRUN c\n")
    m = build_model(df)
    scopes = [m.scope_at(i) for i in df.body[1:]]
    assert scopes[0] is scopes[1] is scopes[2] is scopes[3]
    assert scopes[4] is not scopes[3]
    assert m.scope_after(0) is scopes[4]


def test_volumes_from_the_image_and_the_dockerfile() -> None:
    s = at("FROM gradle:8-jdk21\nARG D=/data\nVOLUME $D [\"/x\"]\nVOLUME [\"/logs\"]\nRUN gradle build\n", "RUN")
    # A word that is not a JSON array is expanded like any other (quotes removed).
    assert s.volumes == ("/home/gradle/.gradle", "/data", "[/x]", "/logs")


def test_cache_templates_expand_against_the_run_environment() -> None:
    """ecosystems' cache templates read a scope through ``run_get`` (HOME included)."""
    from dockmod.ecosystems import MANAGERS, Manager
    from dockmod.ecosystems._base import expand_template

    template = next(c.path for c in MANAGERS[Manager.PIP].caches if "pip" in c.path)
    node = at("FROM node:20\nUSER node\nRUN pip install x\n", "pip")
    assert expand_template(template, node.run_get) == "/home/node/.cache/pip"
    moved = at("FROM python:3.12\nENV XDG_CACHE_HOME=/c\nRUN pip install x\n", "pip")
    assert expand_template(template, moved.run_get) == "/c/pip"
    unknown = at("FROM mycorp/python\nRUN pip install x\n", "pip")
    assert expand_template(template, unknown.run_get) is None


def test_values_from_arg_defaults_are_known_as_such() -> None:
    text = ("FROM debian:bookworm AS base\nARG UID=1000\nARG ROOT=/c\nENV A=$ROOT/x B=/lit\nENV C=$A D=$PATH\n"
            "ARG B\nUSER ${UID}\nRUN echo\nFROM base\nRUN child\n")
    s = at(text, "echo")
    assert s.from_args("UID") == {"UID"}
    assert s.from_args("A") == {"ROOT"}
    assert s.from_args("C") == {"ROOT"}  # through another ENV
    assert s.from_args("B") == frozenset()  # ENV wins over the later ARG
    assert s.from_args("D") == frozenset()
    assert s.user_args == {"UID"}
    assert s.from_args("HOME") == {"UID"}  # the user's home
    child = at(text, "child")
    assert child.from_args("A") == {"ROOT"} and child.from_args("UID") == frozenset()
    assert child.user_args == {"UID"}
    # given as build arguments, the values are facts
    assert at(text, "echo", build_args={"UID": "5", "ROOT": "/r"}).from_args("A") == frozenset()
    assert at("FROM debian\nARG U=app\nENV U=app\nUSER $U\nRUN x\n", "RUN").user_args == frozenset()


def test_a_user_created_across_a_continuation_is_known() -> None:
    # BuildKit joins `user\<space>⏎add` (spaces after the escape char) and skips the comment
    # line after a continuation: the shell runs `useradd`, and the pre-filter must see it.
    for split in ("user\\ \nadd", "user\\\n# c\nadd"):
        text = f"FROM debian:bookworm\nRUN {split} --uid 1234 --create-home app\nUSER app\nRUN echo\n"
        s = at(text, "echo")
        assert (s.user.name, s.user.uid, s.user.home) == ("app", 1234, "/home/app"), split


def test_replace_copies_every_field() -> None:
    """Scope._replace copies the slots one by one: every parameter of __init__ has its slot
    in _SLOT_OF, and a copy reads as the original but for what it changes."""
    import inspect

    from dockmod.semantic.scope import _SLOT_OF, Scope

    params = [p for p in inspect.signature(Scope.__init__).parameters if p != "self"]
    assert sorted(params) == sorted(_SLOT_OF)
    assert {*_SLOT_OF.values(), "_user"} == set(Scope.__slots__)
    s = at("FROM python:3.12\nARG V=1\nENV A=$V\nUSER nobody\nWORKDIR /app\nRUN x\n", "RUN")
    copy = s._replace(workdir="/srv")
    assert copy.workdir == "/srv" and s.workdir == "/app"
    for slot in Scope.__slots__:
        if slot not in ("workdir", "_user"):
            assert getattr(copy, slot) is getattr(s, slot), slot
    assert copy.user.name == "nobody" and copy.get("A") == "1"
