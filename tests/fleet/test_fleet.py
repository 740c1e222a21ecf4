"""Fleet mode's parts: the repos file, shards, patches next to secrets, the progress bar,
registry look-ups once per run, usage errors. The 50-repository flow is test_flow.py."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from dockmod import fleet
from dockmod.cli import _Progress, cli
from dockmod.discovery import excluder
from dockmod.report import _utf8
from dockmod.results import FileResult, Outcome
from tests.secrets.test_no_leak import DOCKERFILE as SECRET_DOCKERFILE
from tests.secrets.test_no_leak import PLANTED

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "dockmod" / "schemas" / "fleet-report.schema.json").read_text())
LEGACY = "from alpine:3.20 as base\nENV A b\n"


def _repo(path: Path, text: str = LEGACY, name: str = "Dockerfile") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / name).write_text(text)
    return path


def _invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout, r.stderr


def test_repos_file_comments_blank_lines_and_paths_relative_to_its_folder(tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "repos.txt").write_text("# fleet\n\n  ../a/  \n#../b\n/abs/c\n./d/../e\n")
    assert fleet.read_repos_file(str(lists / "repos.txt")) == [
        ("../a", str(tmp_path / "a")), ("/abs/c", "/abs/c"), ("e", str(lists / "e"))]
    with pytest.raises(fleet.FleetError, match="no-such.txt"):
        fleet.read_repos_file(str(tmp_path / "no-such.txt"))


def test_shard_keys_are_stable_values_across_machines() -> None:
    # SHA-256 of the normalised path as written: these values must never change, or a
    # running CI matrix would process a repository twice or not at all.
    assert [fleet.shard_of(k, 4) for k in ("api", "org/web", "repo00")] == [2, 3, 4]
    assert fleet.shard_of("api", 1000) == 326
    assert fleet.normalise("./api/") == fleet.normalise("org/../api") == "api"


def test_shard_spec_errors() -> None:
    assert fleet.parse_shard("2/5") == (2, 5)
    for bad in ("0/3", "4/3", "1/0", "a/b", "1"):
        with pytest.raises(fleet.FleetError):
            fleet.parse_shard(bad)
    code, _, err = _invoke("check", "--shard", "4/3", "x")
    assert code == 2 and "--shard 4/3: K must be between 1 and N" in err


def test_standard_input_is_refused_in_fleet_mode(tmp_path: Path) -> None:
    code, _, err = _invoke("check", "--report", str(tmp_path / "r.json"), "-")
    assert code == 2 and "standard input" in err


def test_several_folders_are_repositories_and_a_missing_one_is_an_error_line(tmp_path: Path) -> None:
    a = _repo(tmp_path / "a")
    b = _repo(tmp_path / "b" / "nested", name="api.Dockerfile").parent
    code, out, err = _invoke("fix", "--apply", str(b), str(tmp_path / "gone"), str(a))
    assert code == 2
    assert f"{tmp_path / 'gone'}: error: repository not found" in err
    assert "3 repositories: 2 changed, 1 with errors." in err
    # Repositories sorted, whatever the order given.
    assert out.index(f"Fixed {a / 'Dockerfile'}") < out.index(f"Fixed {b / 'nested' / 'api.Dockerfile'}")
    assert (a / "Dockerfile").read_text() == "FROM alpine:3.20 AS base\nENV A=b\n"
    # One file is not a fleet: the ordinary output, no repository line.
    code, _, err = _invoke("check", str(a / "Dockerfile"), str(b / "nested" / "api.Dockerfile"))
    assert "repositories" not in err


def test_secret_values_stay_out_of_patches_report_and_summary(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "svc", SECRET_DOCKERFILE)
    _repo(tmp_path / "plain")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    out_dir = tmp_path / "out"
    outputs = []
    for mode in (["fix"], ["fix", "--apply"]):
        (repo / "Dockerfile").write_text(SECRET_DOCKERFILE)
        code, out, err = _invoke(*mode, "--unsafe-fixes", "--patch-dir", str(out_dir / "p"),
                                 "--report", str(out_dir / "r.json"), "--summary", str(out_dir / "s.md"),
                                 str(repo), str(tmp_path / "plain"))
        assert code in (0, 1), err
        doc = json.loads((out_dir / "r.json").read_text())
        jsonschema.validate(doc, SCHEMA)
        svc = next(r for r in doc["repositories"] if r["name"].endswith("svc"))
        assert svc["files"]["changed"] == ["Dockerfile"]
        assert svc["patch"] is None and "secret value" in svc["patch_withheld"]
        if mode == ["fix"]:  # the dry run writes patches; the withheld one is said on stderr
            assert f"{svc['name']}: no patch written: Dockerfile: the change is next to a secret value" in err
        assert svc["build_notes"] and all(n.startswith("Dockerfile:") and "--secret" in n
                                          for n in svc["build_notes"])
        summary = (out_dir / "s.md").read_text()
        assert "- [ ] New build flag: Dockerfile:" in summary
        assert "- [ ] Unsafe fix applied (**DM301**" in summary
        plain = fleet.patch_name(str(tmp_path / "plain"))
        assert sorted(p.name for p in (out_dir / "p").iterdir()) == sorted([plain, plain[:-len(".patch")] + ".md"])
        outputs += [out, err, (out_dir / "r.json").read_text(), summary]
        outputs += [p.read_text() for p in (out_dir / "p").iterdir()]
    for text in outputs:
        for value in PLANTED:
            assert value not in text


def test_patch_names_are_unique_readable_file_names() -> None:
    from urllib.parse import unquote

    long = ["x" * 300, "x" * 299 + "y", "é" * 150, "é" * 149 + "e"]
    keys = ["api", "org/api", "org%2Fapi", "/abs/api", "..", ".", ".x", "a b", "caf\udce9", "caf\u00e9",
            "C:\\x", 'a*b?"<>|', "x.patch", "~a", "a\nb", "org\\api"] + long
    names = [fleet.patch_name(k) for k in keys]
    assert len(set(names)) == len(names)
    for key, name in zip(keys, names):
        assert name.endswith(".patch") and len(name.encode()) <= 255 and not name.startswith(".")
        assert not set(name) & set('/\\:*?"<>|\n ')
        if key not in long:
            assert unquote(name[:-len(".patch")], errors="surrogateescape") == key  # the key, back
    assert [fleet.patch_name(k) for k in ("api", "org/api", "café", "caf\udce9", "..")] == [
        "api.patch", "org%2Fapi.patch", "café.patch", "caf%E9.patch", "%2E..patch"]
    assert names[-4].startswith("x" * 100) and "~" in names[-4]


def test_registry_lookups_happen_once_for_the_whole_fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dockmod.pinning as pinning

    calls: list[list[str]] = []
    real = pinning.attach

    def spy(jobs, **kw):  # type: ignore[no-untyped-def]
        calls.append([j.path for j in jobs])
        return real(jobs, **kw)

    monkeypatch.setattr(pinning, "attach", spy)
    repos = [_repo(tmp_path / n, "FROM alpine:3.20@sha256:" + "a" * 64 + "\n") for n in ("a", "b", "c")]
    (tmp_path / "repos.txt").write_text("a\nb\nc\n")
    code, _, err = _invoke("check", "--repos", str(tmp_path / "repos.txt"), "--extend-select", "DM101",
                           "--offline", "-j", "1")
    assert code in (0, 1), err
    assert len(calls) == 1
    assert sorted(calls[0]) == sorted(str(r / "Dockerfile") for r in repos)


def test_progress_shows_files_changed_failed_and_rate() -> None:
    from rich.console import Console

    buf = io.StringIO()
    p = _Progress(4, True, console=Console(file=buf, force_terminal=True, width=120))
    p.DELAY = 0.0
    for outcome in (Outcome.CHANGED, Outcome.UNCHANGED, Outcome.FAILED, Outcome.CHANGED):
        p.advance(FileResult("x", outcome))
    p.stop()
    assert (p.done, p.changed, p.failed) == (4, 2, 1)
    text = buf.getvalue()
    assert "2 changed, 1 failed" in text and "files/s" in text and "4/4" in text


def test_progress_is_silent_off_a_terminal_and_in_ci() -> None:
    from dockmod.cli import _want_progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert _want_progress(Tty(), {}) is True
    assert _want_progress(Tty(), {"CI": "true"}) is False
    assert _want_progress(io.StringIO(), {}) is False
    p = _Progress(10, False)
    for _ in range(10):
        p.advance(FileResult("x", Outcome.CHANGED))
    assert p.bar is None and p.changed == 10


def test_report_lists_unreadable_files_as_errors_of_their_repository(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "r")
    (repo / "bad.Dockerfile").write_text("FROM alpine\nRUN <<EOF\nunterminated\n")
    os.symlink("nowhere", repo / "dangling.Dockerfile")
    code, _, err = _invoke("check", "--report", str(tmp_path / "r.json"), str(repo))
    assert code == 2
    doc = json.loads((tmp_path / "r.json").read_text())
    jsonschema.validate(doc, SCHEMA)
    errors = doc["repositories"][0]["errors"]
    assert sorted(e["path"] for e in errors) == ["bad.Dockerfile", "dangling.Dockerfile"]
    assert doc["repositories"][0]["files"]["failed"] == 2


def test_excluder_matches_the_nearest_config_per_folder_and_follows_links(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    for rel in ("Dockerfile", "vendor/x/Dockerfile", "gen.Dockerfile", "sub/gen.Dockerfile",
                "inner/vendor/Dockerfile"):
        _repo((repo / rel).parent, name=Path(rel).name)
    (repo / "dockmod.toml").write_text('exclude = ["vendor/**", "/gen.Dockerfile"]\n')
    (repo / "inner" / "dockmod.toml").write_text("select = ['DM5']\n")  # nearer: no exclude
    os.symlink("vendor/x/Dockerfile", repo / "link.Dockerfile")
    excluded = excluder(None)
    verdicts = {rel: excluded(repo / rel) for rel in (
        "Dockerfile", "vendor/x/Dockerfile", "gen.Dockerfile", "sub/gen.Dockerfile",
        "inner/vendor/Dockerfile", "link.Dockerfile")}
    assert verdicts == {"Dockerfile": False, "vendor/x/Dockerfile": True, "gen.Dockerfile": True,
                        "sub/gen.Dockerfile": False, "inner/vendor/Dockerfile": False,
                        "link.Dockerfile": True}
    # --config: one file's patterns for every folder, relative to that file's folder.
    only = tmp_path / "only.toml"
    only.write_text('exclude = ["r/sub/**"]\n')
    assert excluder(str(only))(repo / "sub" / "gen.Dockerfile") is True
    assert excluder(str(only))(repo / "gen.Dockerfile") is False


def test_a_repository_inside_another_owns_its_files(tmp_path: Path) -> None:
    outer = _repo(tmp_path / "outer")
    inner = _repo(outer / "vendor" / "inner")
    report = tmp_path / "r.json"
    code, _, err = _invoke("fix", "--report", str(report), "--patch-dir", str(tmp_path / "p"),
                           str(outer), str(inner), str(outer))
    assert code == 1, err
    doc = json.loads(report.read_text())
    jsonschema.validate(doc, SCHEMA)
    files = {r["name"]: r["files"]["changed"] for r in doc["repositories"]}
    assert files == {str(outer): ["Dockerfile"], str(inner): ["Dockerfile"]}
    assert "--- a/Dockerfile\n" in (tmp_path / "p" / fleet.patch_name(str(inner))).read_text()


def test_summary_asks_reviewers_to_check_pinned_digests(tmp_path: Path) -> None:
    digest = "sha256:" + "b" * 64
    lock = tmp_path / "dockmod.lock"
    lock.write_text(json.dumps({"version": 1, "images": {"docker.io/library/alpine:3.20": {
        "digest": digest, "platform": "index", "resolved": "2026-12-01T00:00:00Z"}}}))
    a = _repo(tmp_path / "a", "FROM alpine:3.20\n")
    b = _repo(tmp_path / "b", "FROM alpine:3.20 AS x\n")
    summary = tmp_path / "s.md"
    code, _, err = _invoke("fix", "--apply", "--select", "DM101", "--offline", "--lock-file", str(lock),
                           "--summary", str(summary), str(a), str(b))
    assert code == 0, err
    assert (a / "Dockerfile").read_text() == f"FROM alpine:3.20@{digest}\n"
    text = summary.read_text()
    assert text.count("- [ ] Pinned digests (DM101)") == 2
    assert "**DM101** [`pin-base-image-digest`]" in text


def test_a_repository_name_that_is_not_utf8(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9")
    repo = _repo(tmp_path / name)
    _repo(tmp_path / "plain")
    out = tmp_path / "out"
    code, _, err = _invoke("fix", "--report", str(out / "r.json"), "--summary", str(out / "s.md"),
                           "--patch-dir", str(out / "p"), str(repo), str(tmp_path / "plain"))
    assert code == 1, err
    doc = json.loads((out / "r.json").read_bytes().decode("utf-8"))
    jsonschema.validate(doc, SCHEMA)
    assert sorted(r["files"]["changed"] for r in doc["repositories"]) == [["Dockerfile"], ["Dockerfile"]]
    patch = out / "p" / fleet.patch_name(str(repo))
    assert patch.name.endswith("caf%E9.patch") and b"--- a/Dockerfile\n" in patch.read_bytes()
    # Markdown shows the name as the text output does (`caf\xe9`), not as U+FFFD.
    for md in (out / "s.md", patch.with_suffix(".md")):
        text = md.read_bytes().decode("utf-8")
        assert "\ufffd" not in text
    text = (out / "s.md").read_text()
    assert f"| {fleet._md(str(tmp_path))}/caf\\\\xe9 | 1 |" in text  # a table cell: `\` escaped
    assert f"## {fleet._md(str(tmp_path))}/caf\\\\xe9\n" in text
    (repo / "d\udce8v.Dockerfile").write_text(LEGACY)
    _invoke("fix", "--summary", str(out / "s.md"), str(repo))
    assert "`Dockerfile`, `d\\xe8v.Dockerfile`" in (out / "s.md").read_text()


def test_summary_shows_paths_as_written_in_code_spans(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "r", name="dev_x.Dockerfile")
    (repo / "a`b.Dockerfile").write_text(LEGACY)
    code, _, err = _invoke("fix", "--summary", str(tmp_path / "s.md"), "--report", str(tmp_path / "r.json"),
                           str(repo))
    assert code == 1, err
    text = (tmp_path / "s.md").read_text()
    assert "2 Dockerfiles to change: ``a`b.Dockerfile``, `dev_x.Dockerfile`." in text


def test_names_that_are_all_missing_are_not_a_fleet(tmp_path: Path) -> None:
    code, _, err = _invoke("check", str(tmp_path / "x.Dockerfile"), str(tmp_path / "y.Dockerfile"))
    assert code == 2 and "repositor" not in err
    assert f"{tmp_path / 'x.Dockerfile'}: error:" in err


def test_summary_names_only_the_fixes_that_were_unsafe(tmp_path: Path) -> None:
    """Safety is per fix: DM201 proven safe by the context is not an "unsafe fix applied";
    the same transform unproven, in another repository, is."""
    proven = _repo(tmp_path / "proven", "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
                   "RUN pip install -r requirements.txt\nCMD python app.py\n")
    (proven / "requirements.txt").write_text("flask==3.0.0\n")
    (proven / ".dockerignore").write_text(".venv\n")
    unproven = _repo(tmp_path / "unproven", "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
                     "RUN pip install -r requirements.txt\n")
    (unproven / "requirements.txt").write_text("-e ./lib\n")
    summary = tmp_path / "s.md"
    code, _, err = _invoke("fix", "--unsafe-fixes", "--select", "DM201,DM501", "--summary", str(summary),
                           str(proven), str(unproven))
    assert code == 1, err
    text = summary.read_text()
    cut = text.index("unproven\n\n### What changed")  # the second repository's heading
    proven_part, unproven_part = text[:cut], text[cut:]
    assert "- [ ] Unsafe fix applied (**DM501**" in proven_part
    assert "**DM201** [`reorder-dependency-copy`]" in proven_part  # it changed...
    assert "- [ ] Unsafe fix applied (**DM201**" not in proven_part  # ...safely
    assert "- [ ] Unsafe fix applied (**DM201**" in unproven_part


def test_one_repository_written_two_ways_runs_once(tmp_path: Path, monkeypatch) -> None:
    repo = _repo(tmp_path / "r1")
    _repo(tmp_path / "r2")
    monkeypatch.chdir(tmp_path)
    report = tmp_path / "r.json"
    code, _, err = _invoke("check", "--report", str(report), "r1", str(repo), "./r1/", "r2")
    assert code == 1, err
    doc = json.loads(report.read_text())
    assert len(doc["repositories"]) == 2 and doc["totals"]["files"] == 2
    assert doc["interrupted"] is False and doc["totals"]["not_started"] == 0


def test_a_long_fleet_summary_keeps_only_the_overview(tmp_path: Path, monkeypatch) -> None:
    """GitHub refuses a pull-request body over 65,536 characters."""
    monkeypatch.setattr(fleet, "SUMMARY_LIMIT", 3_000)
    roots = [str(_repo(tmp_path / f"repo{i:02d}")) for i in range(12)]
    summary = tmp_path / "s.md"
    code, _, err = _invoke("fix", "--summary", str(summary), *roots)
    assert code == 1, err
    text = summary.read_text()
    assert "| repository | files changed | fixes | to check |" in text
    assert text.count("\n| ") == 13  # the header and one row per repository
    assert "### What changed and why" not in text and "`<name>.md` in `--patch-dir`" in text
    assert len(text) < 3_000


def test_a_short_fleet_summary_has_the_overview_and_the_details(tmp_path: Path) -> None:
    roots = [str(_repo(tmp_path / f"repo{i}", LEGACY + "CMD python -m app\n")) for i in range(2)]
    summary = tmp_path / "s.md"
    code, _, err = _invoke("fix", "--summary", str(summary), *roots)
    assert code == 1, err
    text = summary.read_text()
    assert text.index("| repository |") < text.index("### What changed and why")
    assert text.count("### What reviewers must check") == 2
    assert "- [ ] Not applied" not in text  # held-back fixes are a note, not a box to tick
    assert "Not applied here (unsafe fixes, which need `--unsafe-fixes`): DM" in text


def test_held_back_is_one_test_that_marks_totals_runner_and_fleet_share(tmp_path: Path) -> None:
    """A finding is held back when it has a fix and this run's safety setting refuses it."""
    from dockmod.diagnostics import fix_mark
    from dockmod.report import totals
    from dockmod.transforms._base import Finding, FixSafety

    def finding(safety: FixSafety | None) -> Finding:
        return Finding("DM999", "x", "m", 1, 1, 1, 2, "fix" if safety else None, safety)

    table = {FixSafety.SAFE: (False, False), FixSafety.UNSAFE: (True, False),
             FixSafety.DISPLAY_ONLY: (False, False), None: (False, False)}
    for safety, (without, with_unsafe) in table.items():
        f = finding(safety)
        assert (f.held_back(False), f.held_back(True)) == (without, with_unsafe), safety
        assert (fix_mark(f, False) == "[-] ") == without
    results = [FileResult("D", Outcome.UNCHANGED, findings=tuple(finding(s) for s in table), unsafe_fixes=u)
               for u in (False, True)]
    assert [totals([r]).hidden_unsafe for r in results] == [1, 0]
    assert [len(fleet._held_back(r)) for r in results] == [1, 0]
    # The runner's count and the summary, on a real unsafe fix (DM505).
    from dockmod import runner

    repo = _repo(tmp_path / "r", "FROM alpine\nMAINTAINER me\n")
    for unsafe, hidden in ((False, 1), (True, 0)):
        job = runner.Job(str(repo / "Dockerfile"), "Dockerfile", str(repo), True, False, ("DM505",), (), (),
                         unsafe, None, None)
        assert runner.process(job).hidden_unsafe == hidden
    code, _, err = _invoke("fix", "--select", "DM505", str(repo / "Dockerfile"))
    assert code == 0 and "(1 more fix with --unsafe-fixes)" in err, err


def test_summary_explains_codes_as_dockmod_explain_does() -> None:
    from dockmod.explain import explain, lead

    text = fleet._explain("DM502")
    page = explain("DM502") or ""
    assert text.startswith("**DM502** [`use-key-value-format`](https://")
    first = lead("use-key-value-format")  # a name works too, as with `dockmod explain`
    assert first and first in text and text.endswith("(`dockmod explain DM502`)")
    assert first.split("`")[0] in page
    assert fleet._explain("DM999") == fleet._short("DM999") == "**DM999**"


def test_report_tallies_are_the_ordinary_runs_totals(tmp_path: Path) -> None:
    """The fleet report counts as `dockmod check` does (report.totals), per repository."""
    a = _repo(tmp_path / "a")
    (a / "broken.Dockerfile").write_text("FROM alpine\nRUN <<EOF\n")
    _repo(tmp_path / "b", "FROM alpine:3.20\n")
    report = tmp_path / "r.json"
    code, _, err = _invoke("fix", "--apply", "--report", str(report), str(a), str(tmp_path / "b"))
    assert code == 2, err
    doc = json.loads(report.read_text())
    ra, rb = doc["repositories"]
    assert ra["files"] == {"total": 2, "changed": ["Dockerfile"], "unchanged": 0, "skipped": 0, "failed": 1}
    assert ra["fixed_by_code"] == {"DM502": 1, "DM509": 1}
    assert rb["files"]["unchanged"] == 1 and rb["fixed_by_code"] == {}


def test_list_repos_prints_each_shards_plan_without_looking_at_the_repositories(tmp_path: Path) -> None:
    names = [f"org/svc-{i}" for i in range(9)] + [os.fsdecode(b"org/caf\xe9")]
    (tmp_path / "repos.txt").write_bytes(b"# the fleet\n" + b"".join(os.fsencode(n) + b"\n" for n in names)
                                         + b"./org/svc-0/\n")  # the same one, written another way
    _repo(tmp_path / "org" / "svc-3")  # one is cloned; the others are not there at all
    seen: list[bytes] = []
    for k in (1, 2, 3):
        r = CliRunner().invoke(cli, ["check", "--repos", str(tmp_path / "repos.txt"), "--shard", f"{k}/3",
                                     "--list-repos"])
        assert r.exit_code == 0 and r.stderr == "", r.stderr
        listed = r.stdout_bytes.splitlines()
        assert listed == sorted(listed) and all(fleet.shard_of(os.fsdecode(n), 3) == k for n in listed)
        seen += listed
        # The list is what a run of that shard processes (and names in its report).
        report = tmp_path / f"r{k}.json"
        _invoke("check", "--repos", str(tmp_path / "repos.txt"), "--shard", f"{k}/3", "--report", str(report))
        assert [x["name"] for x in json.loads(report.read_text())["repositories"]] == \
            [_utf8(os.fsdecode(n)) for n in listed]  # JSON: a byte that is not UTF-8 is U+FFFD
    assert sorted(seen) == sorted(os.fsencode(n) for n in names)  # every one, once, bytes as written


def test_list_repos_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    (tmp_path / "repos.txt").write_text("a\n")
    code, out, err = _invoke("fix", "--repos", str(tmp_path / "repos.txt"), "--list-repos", "--patch-dir",
                             str(tmp_path / "p"))
    assert code == 2 and "--list-repos only lists the repositories" in err and out == ""
    assert not (tmp_path / "p").exists()
    code, out, err = _invoke("check", "--list-repos", str(tmp_path / "a\nb"), str(tmp_path / "c"))
    assert code == 2 and "holds a line break" in err and out == ""
    code, _, err = _invoke("check", "--list-repos", "-")
    assert code == 2 and "--list-repos" in err


def test_github_format_makes_errors_annotations_and_a_missing_repository_names_no_file(tmp_path: Path) -> None:
    import re

    a = _repo(tmp_path / "a")
    (a / "bad\n::warning x.Dockerfile").write_text("FROM alpine\nRUN <<EOF\n")
    code, out, err = _invoke("check", "--format", "github", str(a), str(tmp_path / "gone"))
    assert code == 2
    command = re.compile(r"::(warning|error) (title=[^,:]+)(,file=[^,:]+)?(,line=\d+,col=\d+)?"
                         r"(,endLine=\d+,endColumn=\d+)?::[^\r\n]*")
    lines = out.splitlines()
    assert all(command.fullmatch(line) for line in lines), lines
    errors = [line for line in lines if line.startswith("::error")]
    assert errors == [
        f"::error title=dockmod error,file={tmp_path / 'a' / 'bad%0A%3A%3Awarning x.Dockerfile'},line=2,col=5::"
        f"{tmp_path / 'a' / 'bad'}\\n::warning x.Dockerfile:2:5: error: unterminated heredoc `EOF`"
        "%0A  |%0A2 | RUN <<EOF%0A  |     ^",
        f"::error title=dockmod error::{tmp_path / 'gone'}: error: repository not found",
    ]
    assert f"{tmp_path / 'gone'}: error: repository not found" in err  # the log keeps its line
