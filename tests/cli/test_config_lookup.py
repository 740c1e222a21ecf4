"""Configuration lookup answers as an uncached walk would, with folders looked at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockmod import config


@pytest.fixture(autouse=True)
def _fresh() -> None:
    config.find.cache_clear()
    config.load_cached.cache_clear()


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "repo" / "svc" / "api").mkdir(parents=True)
    (tmp_path / "repo" / "other").mkdir()
    (tmp_path / "repo" / "dockmod.toml").write_text('ignore = ["DM502"]\n')
    (tmp_path / "repo" / "svc" / "pyproject.toml").write_text('[tool.dockmod]\nignore = ["DM503"]\n')
    (tmp_path / "repo" / "other" / "pyproject.toml").write_text('[tool.black]\n')  # not ours
    (tmp_path / "link").symlink_to(tmp_path / "repo" / "svc" / "api")
    return tmp_path


def test_nearest_config_per_folder(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    api = config.for_file(root / "repo" / "svc" / "api" / "Dockerfile")
    assert api.ignore == ("DM503",)
    # a sibling walked after: the answers cached for the shared parents stay right
    assert config.for_file(root / "repo" / "other" / "Dockerfile").ignore == ("DM502",)
    assert config.for_file(root / "repo" / "Dockerfile").ignore == ("DM502",)
    assert config.for_file(root / "Dockerfile").ignore == ()


def test_links_resolve_as_path_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(tmp_path)
    monkeypatch.chdir(root)
    (root / "repo" / "Dockerfile").write_text("FROM a\n")
    (root / "repo" / "svc" / "Dockerfile.link").symlink_to(root / "repo" / "Dockerfile")
    for name in ["link/Dockerfile", "link/../Dockerfile", "repo/svc/Dockerfile.link",
                 "./repo//svc/api/Dockerfile", "repo/svc/../other/Dockerfile"]:
        assert config.find.resolved_folder(Path(name)) == str(Path(name).resolve().parent), name
    # through the link, the config of the folder linked to applies
    assert config.for_file(Path("link/Dockerfile")).ignore == ("DM503",)
    # a file that is a link: the config of its target's folder
    assert config.for_file(Path("repo/svc/Dockerfile.link")).ignore == ("DM502",)


def test_cache_clear_sees_new_files(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    f = root / "repo" / "other" / "Dockerfile"
    assert config.for_file(f).ignore == ("DM502",)
    (root / "repo" / "other" / "dockmod.toml").write_text('ignore = ["DM504"]\n')
    config.find.cache_clear()
    config.load_cached.cache_clear()
    assert config.for_file(f).ignore == ("DM504",)


def test_find_answers_as_for_file_for_relative_absolute_and_linked_folders(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`find(folder)` has one path: the cached look-up of the resolved folder (a relative
    start once walked its own uncached, unresolved way; nothing in dockmod called it)."""
    root = _tree(tmp_path).resolve()
    monkeypatch.chdir(root / "repo")
    svc = root / "repo" / "svc" / "pyproject.toml"
    assert config.find(Path("svc/api")) == svc
    assert config.find(root / "repo" / "svc" / "api") == svc
    # `link/..` goes through the link, as Path.resolve() and for_file do: the parent of the
    # folder linked to (svc), not `root` (where a textual `..` would lead).
    monkeypatch.chdir(root)
    assert config.find(Path("link/..")) == svc
    assert config.find(Path("repo/other")) == root / "repo" / "dockmod.toml"
    for folder in ("link", "link/..", "repo", "repo/other", "."):
        want = config.for_file(Path(folder) / "Dockerfile").path
        assert config.find(Path(folder)) == want, folder

