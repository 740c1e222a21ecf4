"""The CLI a ruff user expects (issue 11 item 9)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_check_fix import invoke, run

ROOT = Path(__file__).resolve().parents[2]
# DM502 is safe, DM505 unsafe, DM508 report only.
MIXED = "FROM alpine\nENV A b\nMAINTAINER Jane <j@example.com>\nWORKDIR app\n"


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text(MIXED)
    return tmp_path


def test_check_help_says_what_unsafe_fixes_does_there() -> None:
    out = invoke("check", "--help").stdout
    flat = " ".join(out.split())
    assert "Count fixes that may change build behaviour as fixable ([*]) in this report; nothing is written" in flat
    assert "Also apply fixes" not in flat
    assert "Also apply fixes that may change build behaviour." in " ".join(invoke("fix", "--help").stdout.split())


def test_marks_and_summary_explain_safe_unsafe_and_report_only(mixed: Path) -> None:
    code, out, err = run("check", cwd=mixed)
    assert code == 1
    assert out == (
        "Dockerfile:2:1: DM502 [*] Legacy `ENV key value` format for `A`\n"
        "Dockerfile:3:1: DM505 [-] `MAINTAINER` is deprecated\n"
        "Dockerfile:4:9: DM508 Relative workdir 'app' can have unexpected results if the base image changes\n"
    )
    assert err == ("Found 3 findings.\n"
                   "[*] 1 fixable with `dockmod fix --apply`.\n"
                   "[-] 1 fixable with `dockmod fix --apply --unsafe-fixes` (may change what the build does).\n"
                   "1 report only (no fix to apply).\n")
    help_text = " ".join(invoke("check", "--help").stdout.split())
    assert "[*] this run can fix it" in help_text and "[-] fixable with" in help_text


def test_check_unsafe_fixes_gives_the_exact_command(mixed: Path) -> None:
    code, out, err = run("check", "--unsafe-fixes", cwd=mixed)
    assert "Dockerfile:3:1: DM505 [*] `MAINTAINER` is deprecated" in out
    assert "[*] 2 fixable with `dockmod fix --apply --unsafe-fixes`.\n" in err
    # From the configuration, plain `fix --apply` applies them: the command says so.
    (mixed / "dockmod.toml").write_text("unsafe-fixes = true\n")
    code, out, err = run("check", cwd=mixed)
    assert "[*] 2 fixable with `dockmod fix --apply`.\n" in err


def test_fix_apply_lists_files_codes_and_counts_and_statistics(tmp_path: Path) -> None:
    (tmp_path / "a.Dockerfile").write_text("FROM --platform=$TARGETPLATFORM alpine\nENV A b\nENV B c\n")
    (tmp_path / "b.Dockerfile").write_text(MIXED)
    (tmp_path / "c.Dockerfile").write_text("FROM alpine\n")
    code, out, err = run("fix", "--apply", "--statistics", cwd=tmp_path)
    assert code == 1
    assert out == (
        "Fixed a.Dockerfile: DM502 (2), DM507 (1)\n"
        "Fixed b.Dockerfile: DM502 (1)\n"
        "b.Dockerfile:3:1: DM505 [-] `MAINTAINER` is deprecated\n"
        "b.Dockerfile:4:9: DM508 Relative workdir 'app' can have unexpected results if the base image changes\n"
        "3  DM502  [*] use-key-value-format\n"
        "1  DM505  [-] replace-maintainer-with-label\n"
        "1  DM507  [*] remove-redundant-target-platform\n"
        "1  DM508      use-absolute-workdir\n"
    )
    assert err == ("Found 6 findings (4 fixed, 2 remaining).\n"
                   "2 files changed, 1 unchanged (1 more fix with --unsafe-fixes)\n")


def test_check_verbose_does_not_call_files_with_findings_unchanged(mixed: Path) -> None:
    (mixed / "clean.Dockerfile").write_text("FROM alpine\n")
    code, out, err = run("check", "-v", cwd=mixed)
    assert "unchanged" not in err
    assert "clean.Dockerfile: no findings" in err.splitlines() and "Dockerfile: no findings" not in err.splitlines()
    code, out, err = run("fix", "-v", "--select", "DM508", cwd=mixed)
    assert "Dockerfile: unchanged (1 findings with no fix to apply)\n" in err


def test_report_only_is_the_one_name() -> None:
    code, out, _ = run("transforms")
    assert code == 0 and "display-only" not in out
    assert re.search(r"^DM508  use-absolute-workdir\s+report only", out, re.M)
    code, out, _ = run("transforms", "--format", "json")
    assert '"display-only"' not in out and '"safety": "report-only"' in out
    code, out, _ = run("explain", "DM508")
    assert "Fix safety: report only" in out


def test_stdin_filename_applies_config_and_per_file_ignores(tmp_path: Path) -> None:
    (tmp_path / "dockmod.toml").write_text('[per-file-ignores]\n"legacy/*" = ["DM502"]\n')
    (tmp_path / "legacy").mkdir()
    text = b"FROM alpine\nENV A b\n"
    r = invoke("check", "--stdin-filename", "legacy/Dockerfile", "-", input=text, cwd=tmp_path)
    assert (r.exit_code, r.stdout) == (0, "")
    r = invoke("check", "--stdin-filename", "app/Dockerfile", "-", input=text, cwd=tmp_path)
    assert r.exit_code == 1 and r.stdout.startswith("app/Dockerfile:2:1: DM502")
    r = invoke("fix", "--stdin-filename", "legacy/Dockerfile", "-", input=text, cwd=tmp_path)
    assert r.stdout_bytes == text
    r = invoke("check", "--stdin-filename", "x", "Dockerfile", cwd=tmp_path)
    assert r.exit_code == 2 and "--stdin-filename needs `-`" in r.stderr


@pytest.mark.parametrize("name,found", [
    ("Dockerfile", True), ("dockerfile", True), ("Containerfile", True),
    ("Dockerfile.dev", True), ("Dockerfile-alpine", True), ("Dockerfile_arm", True),
    ("Containerfile-hardlinks", True), ("Containerfile.ubi", True), ("Containerfile_x", True),
    ("api.Dockerfile", True), ("api.dockerfile", True), ("api.Containerfile", True),
    ("Dockerfile.md", False), ("Dockerfile-build.sh", False), ("Dockerfile.j2", False),
    ("Dockerfiles", False), ("MyDockerfile", False), ("README", False), ("Dockerfile.dockerignore", False),
    # A parser's own sources and tests (moby/buildkit, dockmod itself), data and archives.
    ("dockerfile_copy_test.go", False), ("dockerfile.go", False), ("dockerfile.lark", False),
    ("Dockerfile.tar.gz", False), ("dockerfile-parser.ts", False), ("Dockerfile.xml", False),
    ("Dockerfile.ubuntu-22.04", True), ("Dockerfile.python", True), ("Dockerfile.in", True),
])
def test_discovery_names(tmp_path: Path, name: str, found: bool) -> None:
    (tmp_path / name).write_text("FROM alpine\nENV A b\n")
    code, out, _ = run("check", cwd=tmp_path)
    assert (f"{name}:2:1: DM502" in out) is found


def test_help_names_what_discovery_finds() -> None:
    help_text = " ".join(invoke("check", "--help").stdout.split())
    for pattern in ("Dockerfile.*", "Dockerfile-*", "Dockerfile_*", "*.Dockerfile", "Containerfile"):
        assert pattern in help_text
    readme = (ROOT / "README.md").read_text()
    for pattern in ("`Dockerfile-*`", "`Dockerfile_*`", "`Containerfile-*`"):
        assert pattern in readme


def test_readme_documents_only_code_groups_that_exist() -> None:
    from dockmod.transforms import REGISTRY

    readme = (ROOT / "README.md").read_text()
    groups = set(re.findall(r"`DM(\d)xx`", readme))
    assert groups, "README names no code groups"
    for g in sorted(groups):
        assert any(t.meta.code.startswith(f"DM{g}") for t in REGISTRY), f"README documents DM{g}xx: none exist"
        assert run("check", "--select", f"DM{g}", str(ROOT / "examples"))[0] != 2


def test_progress_only_on_a_terminal_and_never_in_ci() -> None:
    from dockmod.cli import _want_progress

    class Tty:
        def isatty(self) -> bool:
            return True

    class Pipe:
        def isatty(self) -> bool:
            return False

    assert _want_progress(Tty(), {}) is True
    assert _want_progress(Tty(), {"CI": "true"}) is False
    assert _want_progress(Tty(), {"TERM": "dumb"}) is False
    assert _want_progress(Pipe(), {}) is False


def test_progress_is_drawn_on_a_tty_for_long_runs_and_rich_stays_unloaded_otherwise(tmp_path: Path) -> None:
    import pty

    for i in range(6):
        (tmp_path / f"{i}.Dockerfile").write_text("FROM alpine\nENV A b\n")
    code = ("import sys, atexit\n"
            "import dockmod.cli as c\n"
            "c._Progress.DELAY = float(sys.argv.pop(1))\n"
            "atexit.register(lambda: print('rich loaded:', 'rich' in sys.modules, file=sys.__stdout__))\n"
            "c.main()\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(ROOT)
    # stderr is a pseudo-terminal, stdout a pipe.
    primary, secondary = pty.openpty()
    p = subprocess.run([sys.executable, "-c", code, "0", "check", "-j", "1"], cwd=tmp_path, env=env,
                       stdout=subprocess.PIPE, stderr=secondary, timeout=120)
    os.close(secondary)
    drawn = b""
    try:
        while chunk := os.read(primary, 65536):
            drawn += chunk
    except OSError:
        pass
    os.close(primary)
    assert p.returncode == 1 and b"rich loaded: True" in p.stdout
    assert b"dockmod" in drawn and b"6/6" in drawn or b"/6" in drawn
    # Not a terminal (or a short run): no progress, and rich is never imported.
    p = subprocess.run([sys.executable, "-c", code, "0", "check", "-j", "1"], cwd=tmp_path, env=env,
                       capture_output=True, timeout=120)
    assert b"rich loaded: False" in p.stdout and b"/6" not in p.stderr
