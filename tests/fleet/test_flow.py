"""The whole fleet flow over 50 throwaway git repositories (issue 16, item 6).

One module-scoped fixture builds the repositories once (``tmp_path``, never committed):
each has Dockerfiles from a few templates here and two real ones read from
``../shared/corpus`` at test time (skipped with one line when the corpus is absent,
failing under CI=true), a configuration (``dockmod.toml`` or ``pyproject.toml``, with
different selections) and a ``.gitignore``, and everything is committed. The runs use the
real CLI in a subprocess: ``check``, ``fix`` with ``--patch-dir`` on one copy, ``fix
--apply`` on another, ``--report`` (validated against its schema), ``--summary``, a second
run (nothing changes), ``--shard`` coverage, and Ctrl-C in the middle of the fleet.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from dockmod import fleet
from tests.conftest import corpus_files, corpus_root

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "dockmod" / "schemas" / "fleet-report.schema.json").read_text())
pytestmark = pytest.mark.corpus
N_REPOS = 50

APP = """\
from python:3.12-slim as build
RUN apt-get update && apt-get install -y gcc
COPY requirements.txt .
RUN pip install -r requirements.txt
ENV APP_ENV prod{i}
MAINTAINER team{i}@example.com
CMD python app.py
"""
API = """\
FROM node:22-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
ENV PORT {port}
CMD ["node", "server.js"]
"""
CLEAN = """\
FROM alpine:3.20
RUN echo repo {i}
"""
# Even repositories: dockmod.toml ignores DM505; odd ones: pyproject.toml ignores DM502.
DOCKMOD_TOML = 'exclude = ["vendor/**"]\nignore = ["DM505"]\n'
PYPROJECT = '[project]\nname = "r{i}"\n\n[tool.dockmod]\nexclude = ["vendor/**"]\nignore = ["DM502"]\n'
FILES_PER_REPO = 5  # Dockerfile, services/api, services/web, docker/a, docker/b


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    env.update(PYTHONPATH=str(ROOT), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_GLOBAL=os.devnull)
    return env


def dockmod(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dockmod", *args], cwd=cwd, env=_env(),
                          capture_output=True, text=True, errors="replace", timeout=600)


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=_env(), capture_output=True, text=True,
                          check=True).stdout


def _corpus_picks(n: int) -> list[bytes]:
    """``n`` real corpus files that parse (and BuildKit would build), hold no secret value (a diff next to one is masked
    and gets no patch: tested in test_fleet.py) and are small, spread over the corpus."""
    from dockmod import parse
    from dockmod._parse import reject_unknown
    from dockmod.errors import ParseError
    from dockmod.io import decode
    from dockmod.secrets import secret_values

    root = corpus_root()
    picks: list[bytes] = []
    files = [p for p in corpus_files() if "buildkit-testfiles" not in str(p.relative_to(root))]
    step = max(1, len(files) // (n * 2))
    for p in files[::step]:
        data = p.read_bytes()
        if len(data) > 12_000:
            continue
        try:
            df = parse(decode(data))
            reject_unknown(df)  # `docker build` would stop at an unknown instruction
        except ParseError:
            continue
        if secret_values(df):
            continue
        picks.append(data)
        if len(picks) == n:
            break
    assert len(picks) == n, f"only {len(picks)} usable corpus files"
    return picks


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """50 repositories under ``src/`` (pristine), copies under ``patched/`` and ``applied/``,
    and the results of the runs every test reads."""
    base = tmp_path_factory.mktemp("fleet")
    src = base / "src"
    corpus = _corpus_picks(2 * N_REPOS)
    for i in range(N_REPOS):
        repo = src / f"repo{i:02d}"
        (repo / "services" / "api").mkdir(parents=True)
        (repo / "services" / "web").mkdir(parents=True)
        (repo / "docker").mkdir()
        (repo / "vendor").mkdir()
        (repo / "build").mkdir()
        (repo / "Dockerfile").write_text(APP.format(i=i))
        (repo / "services" / "api" / "Dockerfile").write_text(API.format(port=8000 + i))
        (repo / "services" / "web" / "Dockerfile").write_text(CLEAN.format(i=i))
        (repo / "docker" / "a.Dockerfile").write_bytes(corpus[2 * i])
        (repo / "docker" / "b.Dockerfile").write_bytes(corpus[2 * i + 1])
        (repo / "vendor" / "Dockerfile").write_text(APP.format(i=i))  # excluded by the config
        (repo / "build" / "Dockerfile").write_text(APP.format(i=i))  # ignored by .gitignore
        (repo / ".gitignore").write_text("build/\n")
        if i % 2 == 0:
            (repo / "dockmod.toml").write_text(DOCKMOD_TOML)
        else:
            (repo / "pyproject.toml").write_text(PYPROJECT.format(i=i))
        git("init", "-q", "-b", "main", cwd=repo)
        git("add", "-A", cwd=repo)
        git("commit", "-q", "-m", "initial", cwd=repo)
    # Listed in a shuffled order, with a comment, a blank line and a repository that is gone.
    names = [f"repo{i:02d}" for i in range(N_REPOS)]
    order = names[1::2] + names[::2]
    (src / "repos.txt").write_text("# the fleet\n\n" + "\n".join(order[:25]) + "\n  # more\n"
                                   + "\n".join(order[25:]) + "\ngone\n")
    patched = base / "patched"
    applied = base / "applied"
    shutil.copytree(src, patched, symlinks=True)
    shutil.copytree(src, applied, symlinks=True)
    out = base / "out"
    out.mkdir()

    runs = {
        "check": dockmod("check", "--repos", "repos.txt", "--report", str(out / "check.json"), "-j", "2",
                         cwd=src),
        "dry": dockmod("fix", "--repos", "repos.txt", "--patch-dir", str(out / "patches"),
                       "--report", str(out / "dry.json"), "-j", "2", cwd=patched),
        "apply": dockmod("fix", "--apply", "--repos", "repos.txt", "--report", str(out / "apply.json"),
                         "--summary", str(out / "summary.md"), "--patch-dir", str(out / "applied-patches"),
                         "-j", "2", cwd=applied),
    }
    applied_tree = _tree(applied)
    bodies = {p.name: p.read_text() for p in (out / "applied-patches").glob("*.md")}
    runs["again"] = dockmod("fix", "--apply", "--repos", "repos.txt", "--report", str(out / "again.json"),
                            "--patch-dir", str(out / "applied-patches"), "-j", "2", cwd=applied)
    return {"base": base, "src": src, "patched": patched, "applied": applied, "out": out, "runs": runs,
            "applied_tree": applied_tree, "names": names, "bodies": bodies}


def _report(fleet_dir: dict, name: str) -> dict:
    doc = json.loads((fleet_dir["out"] / f"{name}.json").read_text())
    jsonschema.validate(doc, SCHEMA)
    return doc


def test_check_discovers_each_repository_with_its_own_config_and_ignore_files(fleet_dir: dict) -> None:
    run = fleet_dir["runs"]["check"]
    assert run.returncode == 2, run.stderr  # findings, and the missing repository is an error
    assert "gone: error: repository not found" in run.stderr
    assert "Traceback" not in run.stderr
    doc = _report(fleet_dir, "check")
    repos = doc["repositories"]
    assert [r["name"] for r in repos] == sorted(fleet_dir["names"] + ["gone"])
    gone = next(r for r in repos if r["name"] == "gone")
    assert gone["errors"] == [{"path": None, "message": "gone: error: repository not found"}]
    for r in repos:
        if r["name"] == "gone":
            continue
        i = int(r["name"][4:])
        assert r["files"]["total"] == FILES_PER_REPO, r  # vendor/ (exclude) and build/ (.gitignore) left out
        by_code = r["findings_by_code"]
        # The same template holds both: each repository's own config decides.
        if i % 2 == 0:
            assert "DM505" not in by_code and by_code.get("DM502", 0) >= 2, (r["name"], by_code)
        else:
            assert "DM502" not in by_code and by_code.get("DM505", 0) >= 1, (r["name"], by_code)
    assert doc["totals"]["repositories"] == N_REPOS + 1
    assert doc["totals"]["with_errors"] >= 1
    assert re.search(rf"^{N_REPOS + 1} repositories: \d+ with findings, \d+ with errors\.$", run.stderr, re.M)


def test_output_order_is_repositories_sorted_then_files(fleet_dir: dict) -> None:
    lines = [line for line in fleet_dir["runs"]["check"].stdout.splitlines() if re.match(r"repo\d\d/", line)]
    assert len(lines) > N_REPOS
    seen: list[tuple[str, str]] = []
    for line in lines:
        repo, rest = line.split("/", 1)
        key = (repo, rest.split(":", 1)[0])
        if not seen or seen[-1] != key:
            seen.append(key)
    assert seen == sorted(seen), "output is not grouped by repository, then file"
    assert len({k for k in seen}) == len(seen), "a file's findings are split"


def test_patches_apply_with_git_and_give_the_same_tree_as_apply(fleet_dir: dict) -> None:
    dry = fleet_dir["runs"]["dry"]
    assert dry.returncode == 2, dry.stderr
    doc = _report(fleet_dir, "dry")
    patches = fleet_dir["out"] / "patches"
    changed = [r for r in doc["repositories"] if r["files"]["changed"]]
    assert len(changed) >= N_REPOS - 1  # the templates change in every repository
    assert sorted(p.name for p in patches.iterdir()) == sorted(fleet.patch_name(r["name"]) for r in changed)
    patched = fleet_dir["patched"]
    for r in changed:
        assert r["patch_withheld"] is None
        patch = Path(r["patch"])
        assert patch.parent == patches
        text = patch.read_text(errors="replace")
        # Paths relative to the repository root, with a/ and b/.
        headers = re.findall(r"^\+\+\+ (.*)$", text, re.M)
        assert sorted(h.rstrip("\t") for h in headers) == sorted(f"b/{f}" for f in r["files"]["changed"])
        repo = patched / r["path"]
        git("apply", "--check", str(patch), cwd=repo)
        git("apply", str(patch), cwd=repo)
    assert _tree(patched) == fleet_dir["applied_tree"]
    # The dry run wrote nothing.
    assert _tree(fleet_dir["src"]) != fleet_dir["applied_tree"]


def test_apply_report_summary_and_git_status(fleet_dir: dict) -> None:
    run = fleet_dir["runs"]["apply"]
    assert run.returncode == 2, run.stderr
    doc = _report(fleet_dir, "apply")
    assert doc["mode"] == "apply" and doc["shard"] is None
    changed = [r for r in doc["repositories"] if r["files"]["changed"]]
    assert doc["totals"]["changed"] == len(changed)
    assert doc["totals"]["files_changed"] == sum(len(r["files"]["changed"]) for r in changed)
    for r in changed:
        status = git("status", "--porcelain", cwd=fleet_dir["applied"] / r["path"])
        modified = sorted(line[3:] for line in status.splitlines())
        assert modified == sorted(r["files"]["changed"]), r["name"]
        assert r["fixed_by_code"], r["name"]
        # What --unsafe-fixes would add is listed, not applied.
        assert all(h["safety"] == "unsafe" for h in r["unsafe_held_back"])
    assert any(r["unsafe_held_back"] for r in changed)
    summary = (fleet_dir["out"] / "summary.md").read_text()
    assert summary.startswith("# dockmod: Dockerfile fixes\n")
    assert f"dockmod changes {len(changed)} of {N_REPOS + 1} repositories." in summary
    for r in changed:
        assert f"\n## {r['name']}\n" in summary
        for code in r["fixed_by_code"]:
            assert f"`dockmod explain {code}`" in summary
    assert summary.count("### What reviewers must check") == len(changed) + 1  # + the missing one
    assert "Error: gone: error: repository not found" in summary
    assert "](https://github.com/dockmod/dockmod/blob/main/docs/transforms/use-key-value-format.md)" in summary
    # With --patch-dir, each changed repository's own pull-request body sits next to its patch.
    assert len(fleet_dir["bodies"]) == len(changed)
    for r in changed:
        body = fleet_dir["bodies"][Path(fleet.patch_name(r["name"])).with_suffix(".md").name]
        assert body.startswith("# dockmod: Dockerfile fixes\n\n## What changed and why\n")
        assert "## What reviewers must check" in body and "### " not in body
        assert all(f"`dockmod explain {code}`" in body for code in r["fixed_by_code"])


def test_second_run_changes_nothing(fleet_dir: dict) -> None:
    again = fleet_dir["runs"]["again"]
    assert again.returncode == 2, again.stderr
    assert "Fixed " not in again.stdout
    doc = _report(fleet_dir, "again")
    assert doc["totals"]["files_changed"] == 0
    assert _tree(fleet_dir["applied"]) == fleet_dir["applied_tree"]
    # The patches (and bodies) of the first --apply run are removed: nothing is left to apply.
    assert list((fleet_dir["out"] / "applied-patches").iterdir()) == []


def test_shards_cover_every_repository_exactly_once(fleet_dir: dict) -> None:
    src = fleet_dir["src"]
    everything = [r.key for r in fleet.plan((), str(src / "repos.txt"), None)]
    for n in (1, 2, 3, 5, 8, 64):
        parts = [[r.key for r in fleet.plan((), str(src / "repos.txt"), f"{k}/{n}")] for k in range(1, n + 1)]
        assert sorted(sum(parts, [])) == sorted(everything), n
        if n <= 5:
            assert all(parts), f"an empty shard of {n}: {[len(p) for p in parts]}"
    # Through the CLI: three shards' reports hold every repository once.
    names: list[str] = []
    for k in (1, 2, 3):
        out = fleet_dir["out"] / f"shard{k}.json"
        run = dockmod("check", "--repos", "repos.txt", "--shard", f"{k}/3", "--report", str(out),
                      "--select", "DM509", "-q", cwd=src)
        assert run.returncode in (0, 1, 2), run.stderr
        doc = json.loads(out.read_text())
        jsonschema.validate(doc, SCHEMA)
        assert doc["shard"] == f"{k}/3"
        names += [r["name"] for r in doc["repositories"]]
    assert sorted(names) == sorted(everything)


def test_ctrl_c_across_repositories_leaves_whole_files_and_reports_them(fleet_dir: dict) -> None:
    tree = fleet_dir["base"] / "interrupted"
    if tree.exists():
        shutil.rmtree(tree)
    shutil.copytree(fleet_dir["src"], tree, symlinks=True)
    original = _tree(tree)
    fixed = fleet_dir["applied_tree"]
    report = fleet_dir["out"] / "interrupted.json"
    summary = fleet_dir["out"] / "interrupted.md"
    proc = subprocess.Popen([sys.executable, "-m", "dockmod", "fix", "--apply", "--repos", "repos.txt",
                             "--report", str(report), "--summary", str(summary), "-j", "2"], cwd=tree, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rels = [r for r in original if original[r] != fixed[r]]
    while proc.poll() is None and not any((tree / r).read_bytes() != original[r] for r in rels):
        time.sleep(0.01)
    assert proc.poll() is None, "the run ended before a file was written"
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    now = _tree(tree)
    written = sorted(r for r in rels if now[r] == fixed[r])
    assert all(now[r] in (original[r], fixed[r]) for r in original)
    assert 0 < len(written) < len(rels), "the run did not stop"
    assert re.search(rf"^Interrupted: {len(written)} files? written, [1-9][0-9]* not started\.$",
                     err.decode(), re.M), err
    doc = json.loads(report.read_text())
    jsonschema.validate(doc, SCHEMA)
    reported = sorted(f"{r['path']}/{f}" for r in doc["repositories"] for f in r["files"]["changed"])
    assert reported == written
    assert sum(r["files"]["skipped"] for r in doc["repositories"]) > 0
    # The report and the summary say the run is incomplete, not only stderr.
    assert doc["interrupted"] is True and doc["totals"]["not_started"] > 0
    assert f"files were not processed" in summary.read_text().split("\n\n")[1]
