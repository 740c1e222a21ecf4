"""code_runs: the commands of a RUN that run code from files, and where in the image."""

from __future__ import annotations

import dockmod
from dockmod.cst.instructions import Run
from dockmod.ecosystems.project_code import CodeKind
from dockmod.semantic import build_model
from dockmod.semantic.installs import builds_project, code_runs, scripts_of


def _runs(command: str, workdir: str = "/app") -> list[tuple[str, CodeKind, tuple[str, ...]]]:
    df = dockmod.parse(f"FROM python:3.12\nWORKDIR {workdir}\nRUN {command}\n")
    run = next(i for i in df.body if isinstance(i, Run))
    return [(f.text, f.run.kind, f.paths) for f in code_runs(scripts_of(build_model(df), run), workdir)]


def test_paths_resolved_against_the_working_directory() -> None:
    assert _runs("make -C sub && python tools/gen.py && ./configure") == [
        ("make -C sub", CodeKind.BUILD, ("/app/sub",)),
        ("python tools/gen.py", CodeKind.SCRIPT, ("/app/tools/gen.py",)),
        ("./configure", CodeKind.PROGRAM, ("/app/configure",)),
    ]


def test_a_named_build_file_is_listed_after_the_folder() -> None:
    assert _runs("make -f /usr/share/x.mk") == [("make -f /usr/share/x.mk", CodeKind.BUILD, ("/app", "/usr/share/x.mk"))]


def test_cd_moves_the_working_directory() -> None:
    assert _runs("cd /tmp/libfoo && ./configure && make") == [
        ("./configure", CodeKind.PROGRAM, ("/tmp/libfoo/configure",)),
        ("make", CodeKind.BUILD, ("/tmp/libfoo",)),
    ]


def test_a_nested_cd_adds_a_place() -> None:
    # The second make runs in /app, the first in /app/docs; both are listed for each.
    assert _runs("(cd docs && make html) && make") == [
        ("make html", CodeKind.BUILD, ("/app", "/app/docs")),
        ("make", CodeKind.BUILD, ("/app", "/app/docs")),
    ]


def test_a_cd_that_is_not_plain_lists_nothing_after_it() -> None:
    assert _runs('cd "$SRC" && make') == []


def test_package_manager_calls_are_not_listed() -> None:
    assert _runs("python -m pip install -r requirements.txt && ./gradlew build") == []


def test_project_builds_of_the_table_are_named() -> None:
    def built(command: str) -> str | None:
        df = dockmod.parse(f"FROM golang:1.22\nWORKDIR /src\nRUN {command}\n")
        run = next(i for i in df.body if isinstance(i, Run))
        return builds_project(build_model(df).run(run))

    assert built("go generate ./... && echo done") == "go generate ./..."
    assert built("cargo run --bin gen") == "cargo run --bin gen"
    assert built("pip install -e .") == "pip install -e ."
    assert built("go mod download") is None
