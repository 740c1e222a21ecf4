"""The documentation pages are generated from the code and every link in docs/ resolves."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_transform_pages_match_the_code() -> None:
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_docs_url_of_every_transform_is_a_page() -> None:
    from dockmod.report import docs_url
    from dockmod.transforms import REGISTRY

    for t in REGISTRY:
        url = docs_url(t.meta.name)
        rel = url.split("/blob/main/", 1)[1]
        assert (ROOT / rel).is_file(), f"{t.meta.code}: {url} has no page"


def test_explain_prints_the_page_text() -> None:
    """`dockmod explain` and the page are one text: only the example fences differ."""
    from dockmod.explain import explain

    term = explain("DM201") or ""
    page = (ROOT / "docs" / "transforms" / "reorder-dependency-copy.md").read_text()
    strip = re.compile(r"^```\w*\n|^\\$", re.M)
    assert term.startswith("# DM201 reorder-dependency-copy\n")
    assert strip.sub("", page).replace("\\\n", "\n") == term


def test_relative_links_in_docs_resolve() -> None:
    link = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    broken = []
    for page in pages:
        for target in link.findall(page.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, broken
