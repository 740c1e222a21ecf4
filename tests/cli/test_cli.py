"""What a user sees from ``dockmod parse``: exit codes, stdout and stderr."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from dockmod import __version__
from dockmod.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, input: bytes | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args), input=input)
    return r.exit_code, r.stdout, r.stderr


def test_version() -> None:
    assert run("--version") == (0, f"dockmod {__version__}\n", "")


def test_parse_tree_of_bundled_example() -> None:
    code, out, err = run("parse", str(ROOT / "examples" / "Dockerfile"))
    assert code == 0 and err == ""
    assert out.startswith("Dockerfile()\n  directives:\n    Directive(value='# syntax=docker/dockerfile:1\\n')")
    assert "Add(keyword='ADD'" in out and "legacy: LegacyKeyValue(key_raw='PORT'" in out


def test_parse_buildkit_format(tmp_path: Path) -> None:
    p = tmp_path / "Dockerfile"
    p.write_bytes(b"FROM alpine AS base\nRUN --mount=type=cache,target=/x echo hi\n")
    code, out, err = run("parse", "--format=buildkit", str(p))
    assert code == 0 and err == ""
    obj = json.loads(out)
    assert obj["path"] == str(p)
    assert obj["instructions"][1] == {
        "cmd": "RUN", "sub_cmd": None, "json": False,
        "original": "RUN --mount=type=cache,target=/x echo hi", "start_line": 2, "end_line": 2,
        "flags": ["--mount=type=cache,target=/x"], "value": ["echo hi"], "heredocs": [],
    }


def test_parse_error_is_located_with_caret_and_exit_2(tmp_path: Path) -> None:
    p = tmp_path / "Dockerfile"
    p.write_bytes(b"FROM alpine\nENV PATH\n")
    code, out, err = run("parse", str(p))
    assert code == 2 and out == ""
    assert err == (
        f"{p}:2:5: error: ENV must have two arguments\n"
        "  |\n"
        "2 | ENV PATH\n"
        "  |     ^\n"
    )


def test_parse_error_in_buildkit_format_is_json(tmp_path: Path) -> None:
    p = tmp_path / "Dockerfile"
    p.write_bytes(b"FROM a\nRUN <<EOF\n")
    code, out, _ = run("parse", "--format=buildkit", str(p))
    assert code == 2
    assert json.loads(out) == {"path": str(p), "error": {
        "line": 2, "column": 5, "message": "unterminated heredoc `EOF`"}}


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.write_bytes(b"FROM a\n")
    bad.write_bytes(b"")
    code, out, err = run("parse", "--format=dump", str(bad), str(good))
    assert code == 2
    assert out == '(from "a")\n'
    assert "file with no instructions" in err


def test_stdin_and_missing_file() -> None:
    code, out, _ = run("parse", "--format=dump", "-", input=b"FROM scratch\r\nCMD [\"x\"]")
    assert (code, out) == (0, '(from "scratch")\n(cmd "x")\n')
    code, out, err = run("parse", "/nonexistent/Dockerfile")
    assert code == 2 and "/nonexistent/Dockerfile: error:" in err
