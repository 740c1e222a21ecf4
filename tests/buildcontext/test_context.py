"""The build context on disk: ignore-file choice, what is sent, the whole-context summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockmod.buildcontext import ContextError, open_context


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def test_context_is_the_dockerfile_folder_and_dockerignore_applies(tmp_path: Path) -> None:
    _tree(tmp_path, {"Dockerfile": "FROM x\n", ".dockerignore": "node_modules\n*.log\n",
                     "package.json": "{}", "node_modules/a/index.js": "", "debug.log": "x"})
    ctx = open_context(tmp_path / "Dockerfile")
    assert ctx is not None and ctx.root == str(tmp_path)
    assert ctx.has_file("package.json")
    assert not ctx.sends("node_modules") and not ctx.sends("node_modules/a/index.js")
    assert not ctx.has_file("debug.log")
    assert ctx.read("package.json") == b"{}" and ctx.read("debug.log") is None
    assert not ctx.sends(".venv")  # absent


def test_dockerfile_specific_ignore_file_wins(tmp_path: Path) -> None:
    _tree(tmp_path, {"app.Dockerfile": "", "app.Dockerfile.dockerignore": "secret\n",
                     ".dockerignore": "public\n", "secret": "s", "public": "p"})
    ctx = open_context(tmp_path / "app.Dockerfile")
    assert ctx is not None and ctx.ignore_file == str(tmp_path / "app.Dockerfile.dockerignore")
    assert not ctx.sends("secret") and ctx.sends("public")
    plain = open_context(tmp_path / "Dockerfile")
    assert plain is not None and plain.ignore_file == str(tmp_path / ".dockerignore")
    assert plain.sends("secret") and not plain.sends("public")


def test_context_option_is_relative_to_the_dockerfile_folder(tmp_path: Path) -> None:
    _tree(tmp_path, {"docker/Dockerfile": "", "requirements.txt": "flask\n", ".dockerignore": ".git\n"})
    ctx = open_context(tmp_path / "docker" / "Dockerfile", "..")
    assert ctx is not None and ctx.root == str(tmp_path) and ctx.has_file("requirements.txt")
    assert open_context(tmp_path / "docker" / "Dockerfile", "missing") is None


def test_no_dockerfile_on_disk_means_no_context(tmp_path: Path) -> None:
    assert open_context(None) is None
    assert open_context("-") is None
    assert open_context(tmp_path / "nope" / "Dockerfile") is None
    assert open_context(tmp_path / "Dockerfile") is not None  # the file itself need not exist
    assert open_context(None, str(tmp_path)) is not None  # an absolute context still works


def test_excluded_folder_with_reincluded_file_is_sent(tmp_path: Path) -> None:
    _tree(tmp_path, {"Dockerfile": "", ".dockerignore": "docs\n!docs/README.md\n",
                     "docs/README.md": "r", "docs/other.md": "o"})
    ctx = open_context(tmp_path / "Dockerfile")
    assert ctx is not None
    assert ctx.sends("docs") and ctx.has_file("docs/README.md") and not ctx.has_file("docs/other.md")
    assert [rel for rel, _ in ctx.walk()] == [".dockerignore", "Dockerfile", "docs/README.md"]


def test_summary_counts_files_bytes_and_risky_paths(tmp_path: Path) -> None:
    _tree(tmp_path, {"Dockerfile": "FROM x\n", "app.py": "print(1)\n", ".env": "TOKEN=x\n",
                     ".git/HEAD": "ref\n", ".git/objects/aa": "zz", "certs/server.key": "k",
                     "node_modules/x/i.js": "", ".env.example": "A=\n"})
    ctx = open_context(tmp_path / "Dockerfile")
    assert ctx is not None
    s = ctx.summary()
    assert s.files == 8
    assert s.bytes == sum(len(v) for v in ["FROM x\n", "print(1)\n", "TOKEN=x\n", "ref\n", "zz", "k", "", "A=\n"])
    # `.env.example` is a template (review F14): not reported.
    assert [r.path for r in s.risky] == [".env", ".git/", "certs/server.key", "node_modules/"]
    assert not s.truncated
    assert ctx.summary(limit=3).truncated


def test_bad_ignore_pattern_is_a_context_error(tmp_path: Path) -> None:
    _tree(tmp_path, {"Dockerfile": "", ".dockerignore": "[\n"})
    with pytest.raises(ContextError, match="syntax error in pattern"):
        open_context(tmp_path / "Dockerfile")


def test_paths_outside_the_context_are_never_sent(tmp_path: Path) -> None:
    _tree(tmp_path, {"ctx/Dockerfile": "", "outside.txt": "x"})
    ctx = open_context(tmp_path / "ctx" / "Dockerfile")
    assert ctx is not None
    assert not ctx.sends("../outside.txt") and ctx.read("../outside.txt") is None


def test_is_dir(tmp_path: Path) -> None:
    _tree(tmp_path, {"Dockerfile": "", ".dockerignore": "build\n", "src/a.py": "", "build/x": ""})
    ctx = open_context(tmp_path / "Dockerfile")
    assert ctx is not None
    assert ctx.is_dir("src") and not ctx.is_dir("build") and not ctx.is_dir("src/a.py") and not ctx.is_dir("nope")


def test_a_gitignored_path_absent_here_may_be_sent_elsewhere(tmp_path: Path) -> None:
    """`node_modules` missing from a fresh clone proves nothing: `.gitignore` lists it because
    it exists wherever dependencies were installed, and there the context sends it."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".gitignore").write_text("/build/\n*.pyc\n")
    app = repo / "app"
    (app / "sub").mkdir(parents=True)
    (app / ".gitignore").write_text("node_modules/\n")
    (app / "sub" / ".gitignore").write_text(".venv\n")
    (app / "Dockerfile").write_text("FROM alpine\n")
    ctx = open_context(app / "Dockerfile")
    assert ctx is not None
    assert not ctx.sends("node_modules") and ctx.host_generated("node_modules") and ctx.may_send("node_modules")
    assert ctx.host_generated("x.pyc")  # the repository root's .gitignore counts
    assert ctx.host_generated("sub/.venv") and not ctx.host_generated(".venv")  # nested ones where they apply
    assert not ctx.host_generated("src") and not ctx.may_send("src")  # absent and not ignored: absent
    (app / ".dockerignore").write_text("node_modules\n")
    ctx = open_context(app / "Dockerfile")
    assert ctx is not None and not ctx.may_send("node_modules")  # excluded wherever it exists
    (app / "node_modules").mkdir()
    (app / ".dockerignore").unlink()
    ctx = open_context(app / "Dockerfile")
    assert ctx is not None and ctx.sends("node_modules") and not ctx.host_generated("node_modules")
