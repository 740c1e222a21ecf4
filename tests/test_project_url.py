"""dockmod's repository address is named in one place (dockmod/_project.py): every other
mention of it in the package, the docs and the README is that address, and every link into
it names a file this checkout has."""

from __future__ import annotations

import re
from pathlib import Path

from dockmod._project import REPOSITORY_URL, blob_url
from dockmod.report import docs_url

ROOT = Path(__file__).resolve().parents[1]
_MENTION = re.compile(r"https?://github\.com/dockmod[\w./-]*")


def _mentions() -> list[tuple[str, str]]:
    files = [*ROOT.joinpath("dockmod").rglob("*"), *ROOT.joinpath("docs").rglob("*"), ROOT / "README.md",
             ROOT / ".pre-commit-hooks.yaml", ROOT / "pyproject.toml"]
    out = []
    for f in files:
        if f.is_file() and f.suffix in (".py", ".json", ".md", ".yml", ".yaml", ".toml", ".sh"):
            out += [(str(f.relative_to(ROOT)), m.group().rstrip(".")) for m in _MENTION.finditer(f.read_text())]
    return out


def test_every_mention_is_the_one_address_and_links_an_existing_file() -> None:
    mentions = _mentions()
    assert any(where.startswith("dockmod/schemas/") for where, _ in mentions)  # the scan sees them
    assert any(where == "docs/recipes/pre-commit-config.yaml" for where, _ in mentions)
    for where, url in mentions:
        assert url == REPOSITORY_URL or url.startswith(REPOSITORY_URL + "/"), (where, url)
        rest = url[len(REPOSITORY_URL):]
        if rest:
            assert rest.startswith("/blob/main/"), (where, url)
            target = rest[len("/blob/main/"):]
            if "{" not in target:
                assert (ROOT / target).is_file(), (where, url)


def test_the_code_builds_its_links_from_the_constant() -> None:
    assert docs_url("use-key-value-format") == blob_url("docs/transforms/use-key-value-format.md")
    assert (ROOT / "docs" / "transforms" / "use-key-value-format.md").is_file()
    code = [p for p in ROOT.joinpath("dockmod").rglob("*.py") if p.name != "_project.py"]
    assert [str(p) for p in code if "github.com/dockmod" in p.read_text()] == []
