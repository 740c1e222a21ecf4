"""The recipes in docs/recipes/: each runs, as written, against throwaway git repositories.

The pages quote the files under docs/recipes/ exactly (checked here), and the tests run
those files: scripts as they are, YAML workflows and batch specs step by step (``run:``
scripts, with ``${{ ... }}`` expressions filled in; ``uses:`` steps and the step that
installs dockmod are left out). ``dockmod`` on PATH is this checkout.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.vcs.conftest import ROOT, git, make_repo

import yaml  # PyYAML comes with pre-commit (the dev extra): CI must have it, never skip

DOCS = ROOT / "docs"
RECIPES = DOCS / "recipes"
LEGACY = "FROM alpine\nENV A b\n"
FIXED = "FROM alpine\nENV A=b\n"
BROKEN = "FROM alpine\nRUN <<EOF\necho\n"  # an unterminated heredoc: a parse error
#: Built by the `fleet` branch (issue 16, items 1, 2 and 4); until it is merged the recipes
#: that use them are expected to fail here.
FLEET_FLAGS = {"--repos", "--shard", "--report", "--patch-dir", "--summary"}
_BLOCK = re.compile(r"<!-- file: (?P<name>[^ ]+) -->\n```[a-z]*\n(?P<body>.*?)```\n", re.S)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a recipe: `dockmod` is this checkout."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "dockmod"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m dockmod "$@"\n')
    shim.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT),
            "CI": "true"}


def sh(script: str | Path, cwd: Path, env: dict[str, str], shell: tuple[str, ...] = ("sh",),
       args: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    cmd = [*shell, str(script), *args] if isinstance(script, Path) else [*shell, "-c", script]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def fill(script: str, values: dict[str, str]) -> str:
    """Fill in the ``${{ ... }}`` expressions of a workflow step."""
    out = re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: values[m.group(1)], script)
    assert "${{" not in out
    return out


@functools.cache
def _help(sub: str) -> str:
    return subprocess.run([sys.executable, "-m", "dockmod", sub, "--help"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


def flags_missing(sub: str, flags: set[str]) -> set[str]:
    help_text = _help(sub)
    return {f for f in flags if not re.search(rf"(^|[\s,]){re.escape(f)}([\s,=/]|$)", help_text, re.M)}


def fleet_merged() -> bool:
    """Once dockmod/fleet.py is here, a missing fleet flag is a failure, not an xfail."""
    return (ROOT / "dockmod" / "fleet.py").is_file()


def need_fleet() -> None:
    missing = flags_missing("fix", FLEET_FLAGS)
    if missing and not fleet_merged():
        pytest.xfail(f"{', '.join(sorted(missing))}: expected from the fleet branch, not merged yet")


# -- the docs quote the files -----------------------------------------------------------------


def test_pages_quote_the_recipe_files_exactly() -> None:
    quoted = set()
    for page in sorted(RECIPES.glob("*.md")):
        for m in _BLOCK.finditer(page.read_text()):
            assert (RECIPES / m["name"]).read_text() == m["body"], f"{page.name} quotes {m['name']} inexactly"
            quoted.add(m["name"])
    files = {p.name for p in RECIPES.iterdir() if p.suffix != ".md"}
    assert files == quoted


def test_index_links_every_recipe() -> None:
    index = (DOCS / "README.md").read_text()
    assert {p.name for p in RECIPES.glob("*.md")} == set(re.findall(r"\(recipes/([\w.-]+\.md)\)", index))


def _invocations() -> list[tuple[str, str, str]]:
    """(file, subcommand, flag) of every `dockmod check|fix` in the recipe files and the
    pages' shell blocks (continuation lines included)."""
    texts = [(p.name, p.read_text()) for p in sorted(RECIPES.iterdir()) if p.suffix != ".md"]
    for page in sorted([*DOCS.glob("*.md"), *RECIPES.glob("*.md")]):
        texts += [(page.name, b) for b in re.findall(r"```sh\n(.*?)```", page.read_text(), re.S)]
    out = set()
    for name, text in texts:
        for m in re.finditer(r"\bdockmod\s+(check|fix)\b((?:[^\n]*\\\n)*[^\n]*)", text):
            for flag in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", m.group(2)):
                out.add((name, m.group(1), flag))
    return sorted(out)


INVOCATIONS = _invocations()


def test_recipes_use_many_flags() -> None:
    assert len({flag for _, _, flag in INVOCATIONS}) >= 10


@pytest.mark.parametrize(("name", "sub", "flag"), INVOCATIONS)
def test_recipe_flags_exist(name: str, sub: str, flag: str) -> None:
    if flags_missing(sub, {flag}):
        if flag in FLEET_FLAGS and not fleet_merged():
            pytest.xfail(f"{flag}: expected from the fleet branch, not merged yet")
        pytest.fail(f"{name}: `dockmod {sub} {flag}` is not an option")


@pytest.mark.parametrize("name", sorted(p.name for p in RECIPES.iterdir() if p.suffix in (".yml", ".yaml")))
def test_yaml_parses(name: str) -> None:
    doc = yaml.safe_load((RECIPES / name).read_text())
    assert isinstance(doc, (dict, list)) and doc


def test_pre_commit_config_is_valid() -> None:
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config",
                           str(RECIPES / "pre-commit-config.yaml")], capture_output=True, text=True)
    if proc.returncode != 0 and "No module named pre_commit" in proc.stderr:
        if os.environ.get("CI") == "true":
            pytest.fail("pre-commit is not installed (pip install -e '.[dev]')")
        pytest.skip("pre-commit is not installed (pip install -e '.[dev]')")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hook_ids = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    config = yaml.safe_load((RECIPES / "pre-commit-config.yaml").read_text())
    assert {h["id"] for r in config["repos"] for h in r["hooks"]} <= hook_ids


# -- the recipes run ----------------------------------------------------------------------------


@pytest.fixture
def repos(tmp_path: Path) -> dict[str, Path]:
    return {
        "legacy": make_repo(tmp_path / "legacy", {"Dockerfile": LEGACY, "svc/api.Dockerfile": LEGACY}),
        "clean": make_repo(tmp_path / "clean", {"Dockerfile": FIXED}),
        "broken": make_repo(tmp_path / "broken", {"Dockerfile": BROKEN}),
    }


def _fixes_like_a_fleet_tool(run, repos: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    proc = run(repos["legacy"])
    assert proc.returncode == 0, proc.stderr
    assert (repos["legacy"] / "Dockerfile").read_text() == FIXED
    assert (repos["legacy"] / "svc" / "api.Dockerfile").read_text() == FIXED
    status = git(repos["legacy"], "status", "--porcelain")
    assert run(repos["legacy"]).returncode == 0
    assert git(repos["legacy"], "status", "--porcelain") == status  # idempotent
    assert run(repos["clean"]).returncode == 0
    assert git(repos["clean"], "status", "--porcelain") == ""
    broken = run(repos["broken"])
    assert broken.returncode != 0
    assert "Dockerfile:2:" in broken.stderr


def test_multi_gitter_script(repos: dict[str, Path], env: dict[str, str]) -> None:
    script = RECIPES / "dockmod-fix.sh"
    assert os.access(script, os.X_OK)
    _fixes_like_a_fleet_tool(lambda repo: sh(script, repo, {**env, "REPOSITORY": f"org/{repo.name}"}),
                             repos)


def test_turbolift_foreach(repos: dict[str, Path], env: dict[str, str]) -> None:
    lines = [ln for ln in (RECIPES / "turbolift.sh").read_text().splitlines()
             if ln.startswith("turbolift foreach -- ")]
    assert len(lines) == 1
    argv = shlex.split(lines[0].removeprefix("turbolift foreach -- "))  # turbolift runs it without a shell
    _fixes_like_a_fleet_tool(
        lambda repo: subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True), repos)


def test_sourcegraph_batch_spec(repos: dict[str, Path], env: dict[str, str]) -> None:
    spec = yaml.safe_load((RECIPES / "sourcegraph-batch-spec.yml").read_text())
    on = spec.get("on", spec.get(True))  # YAML 1.1 (PyYAML) reads the key `on` as true
    assert spec["version"] == 2 and on[0]["repositoriesMatchingQuery"]
    template = spec["changesetTemplate"]
    assert template["branch"] and template["commit"]["message"] and template["title"]
    [step] = spec["steps"]
    assert step["container"]
    script = "\n".join(ln for ln in step["run"].splitlines() if not ln.startswith("pip install"))
    assert "dockmod fix" in script
    _fixes_like_a_fleet_tool(lambda repo: sh(script, repo, env), repos)


def _pull_request(tmp_path: Path) -> Path:
    """A clone on a feature branch that adds one legacy line to an old legacy file."""
    origin = make_repo(tmp_path / "origin", {"Dockerfile": "FROM alpine\nENV OLD x\n"})
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    git(origin, "commit", "-q", "--allow-empty", "-m", "main moves on")
    git(clone, "fetch", "-q")
    git(clone, "switch", "-q", "-c", "feature")
    (clone / "Dockerfile").write_text("FROM alpine\nENV OLD x\nENV NEW y\n")
    git(clone, "commit", "-q", "-am", "feature")
    return clone


def test_github_actions_annotations(tmp_path: Path, env: dict[str, str]) -> None:
    workflow = yaml.safe_load((RECIPES / "github-actions-annotate.yml").read_text())
    [job] = workflow["jobs"].values()
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # the merge base needs the history
    step = next(s for s in job["steps"] if s.get("name") == "Annotate the diff")
    clone = _pull_request(tmp_path)
    proc = sh(fill(step["run"], {"github.base_ref": "main"}), clone, env, shell=("bash", "-eo", "pipefail"))
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("::warning title=DM502 ") and ",file=Dockerfile,line=3," in lines[0]


def test_gradual_adoption_script(tmp_path: Path, env: dict[str, str]) -> None:
    clone = _pull_request(tmp_path)
    proc = sh(RECIPES / "gradual-adoption.sh", clone, {**env, "BASE": "origin/main"})
    assert proc.returncode == 1, proc.stderr
    assert [ln.split(": ")[0] for ln in proc.stdout.splitlines()] == ["Dockerfile:3:1"]
    git(clone, "reset", "-q", "--hard", "origin/main")
    assert sh(RECIPES / "gradual-adoption.sh", clone, {**env, "BASE": "origin/main"}).returncode == 0


def test_recipes_stop_clearly_without_a_merge_base(tmp_path: Path, env: dict[str, str]) -> None:
    """No `origin/main`: the recipe stops on `git merge-base` with its own line, before dockmod."""
    clone = _pull_request(tmp_path)
    git(clone, "remote", "remove", "origin")
    proc = sh(RECIPES / "gradual-adoption.sh", clone, env)
    assert proc.returncode == 2, proc.stderr
    assert "no merge base of HEAD and origin/main" in proc.stderr
    assert "unknown revision" not in proc.stderr and proc.stdout == ""
    workflow = yaml.safe_load((RECIPES / "github-actions-annotate.yml").read_text())
    [job] = workflow["jobs"].values()
    step = next(s for s in job["steps"] if s.get("name") == "Annotate the diff")
    for shell in (("bash", "-eo", "pipefail"), ("bash",)):  # stops even without -e
        proc = sh(fill(step["run"], {"github.base_ref": "main"}), clone, env, shell=shell)
        assert proc.returncode == 2, proc.stderr
        assert proc.stdout.startswith("::error::no merge base with origin/main")
        assert "unknown revision" not in proc.stderr


def test_github_actions_matrix(tmp_path: Path, env: dict[str, str]) -> None:
    """Every shard of the matrix, as CI would run it: each repository fixed exactly once."""
    workflow = yaml.safe_load((RECIPES / "github-actions-matrix.yml").read_text())
    [job] = workflow["jobs"].values()
    shards = job["strategy"]["matrix"]["shard"]
    names = [f"org/svc-{i}" for i in range(12)]
    remotes = tmp_path / "remotes"
    for name in names:
        make_repo(remotes / name, {"Dockerfile": LEGACY, "deploy/worker.Dockerfile": LEGACY})
    need_fleet()
    seen: list[str] = []
    for k in shards:
        values = {"matrix.shard": str(k), "strategy.job-total": str(len(shards))}
        step_env = {**env, **{key: fill(str(v), values) for key, v in workflow.get("env", {}).items()},
                    **{key: fill(str(v), values) for key, v in job.get("env", {}).items()},
                    "CLONE_BASE": str(remotes)}
        work = tmp_path / f"job-{k}"
        work.mkdir()
        (work / "repos.txt").write_text("".join(n + "\n" for n in names))
        for step in job["steps"]:
            if "run" not in step or step.get("id") == "install":
                continue
            proc = sh(fill(step["run"], values), work, step_env, shell=("bash", "-eo", "pipefail"))
            assert proc.returncode == 0, f"shard {k}, step {step.get('name')}: {proc.stderr}"
        mine = (work / "shard.txt").read_text().split()
        seen += mine
        for name in mine:
            assert (work / name / "Dockerfile").read_text() == FIXED
            assert git(work / name, "log", "--format=%s", "dockmod/fixes").splitlines()[0] == "Apply dockmod fixes"
        upload = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
        if mine:
            for path in upload["with"]["path"].split():
                assert (work / path).exists(), path
    assert sorted(seen) == sorted(names)  # every repository in exactly one shard
