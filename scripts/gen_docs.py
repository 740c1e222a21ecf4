#!/usr/bin/env python3
"""Write docs/transforms/*.md from the transforms' own documentation (``dockmod explain``).

    .venv/bin/python scripts/gen_docs.py          # write the pages
    .venv/bin/python scripts/gen_docs.py --check  # exit 1 if a page is missing or stale

``tests/test_docs.py`` runs the check, so a transform's docs and its page cannot drift.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dockmod.explain import pages  # noqa: E402


def main(argv: list[str]) -> int:
    folder = ROOT / "docs" / "transforms"
    want = pages()
    check = "--check" in argv
    stale = [name for name, text in want.items()
             if not (folder / name).is_file() or (folder / name).read_bytes() != text.encode()]
    extra = sorted(p.name for p in folder.glob("*.md") if p.name not in want) if folder.is_dir() else []
    if check:
        for name in stale:
            print(f"docs/transforms/{name}: stale or missing (run scripts/gen_docs.py)")
        for name in extra:
            print(f"docs/transforms/{name}: no transform has this name")
        return 1 if stale or extra else 0
    folder.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (folder / name).write_bytes(want[name].encode())
    for name in extra:
        (folder / name).unlink()
    print(f"{len(stale)} written, {len(extra)} removed, {len(want) - len(stale)} up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
