"""DM201 over a corpus of Dockerfiles: how many files get a fix (safe/unsafe), by manager,
and why the rest get none. Usage: python scripts/dm201_corpus_report.py [CORPUS_DIR]

Reads MANIFEST.tsv (column ``local_path``) when present, else every file named like a
Dockerfile. The corpus files have no build context, so no fix is proven safe from one;
safe fixes here are the ones that need none (named-package installs moved up).
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

import dockmod
from dockmod import engine
from dockmod.errors import DockmodError
from dockmod.ecosystems import calls
from dockmod.shell import parse_shell
from dockmod.transforms import by_code


def _generic(reason: str) -> str:
    return re.sub(r"`[^`]*`", "`…`", reason)


def _manager(message: str) -> str:
    install = message.split("`")[1] if "`" in message else ""
    found = calls(parse_shell(install))
    return str(found[0].manager) if found else "?"


def main(root: Path) -> None:
    manifest = root / "MANIFEST.tsv"
    if manifest.exists():
        with manifest.open(encoding="utf-8") as f:
            files = [root / r["local_path"] for r in csv.DictReader(f, delimiter="\t")]
    else:
        files = [p for p in root.rglob("*") if p.is_file() and "ockerfile" in p.name]
    cls = by_code()["DM201"]
    opts = engine.EngineOptions(fix=False)
    by_manager: Counter[tuple[str, str]] = Counter()
    files_by_kind: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    unsafe_why: Counter[str] = Counter()
    declined = Counter[str]()
    for path in files:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        try:
            df = dockmod.parse(text)
            result = engine.run(df, [cls], opts, path=None)
        except DockmodError:
            files_by_kind["unparsable"] += 1
            continue
        kinds = set()
        for f in result.findings:
            kind = f.safety.value if f.safety is not None else "no fix"
            kinds.add(kind)
            by_manager[(_manager(f.message), kind)] += 1
            if f.no_fix_reason:
                reasons[_generic(f.no_fix_reason)] += 1
            if "(unsafe: " in f.message:
                for r in f.message.split("(unsafe: ", 1)[1][:-1].split("; "):
                    unsafe_why[_generic(r)] += 1
        if "safe" in kinds:
            files_by_kind["safe fix"] += 1
        elif "unsafe" in kinds:
            files_by_kind["unsafe fix"] += 1
        elif kinds:
            files_by_kind["finding, no fix"] += 1
        else:
            whole = any(getattr(i, "sources", None) and len(i.sources) == 1 and i.sources[0] in (".", "./")
                        for i in df.body if i.name in ("COPY", "ADD"))
            declined["whole-context copy, no dependency install after it" if whole
                     else "no whole-context copy"] += 1
    print(f"{len(files)} files")
    for k, n in files_by_kind.most_common():
        print(f"  {k}: {n}")
    print("files without a finding:")
    for k, n in declined.most_common():
        print(f"  {k}: {n}")
    print("findings by manager and fix safety:")
    for (m, k), n in sorted(by_manager.items()):
        print(f"  {m:10} {k:8} {n}")
    print("why no fix (findings):")
    for k, n in reasons.most_common():
        print(f"  {n:4}  {k}")
    print("why unsafe (reasons, findings may have several):")
    for k, n in unsafe_why.most_common(12):
        print(f"  {n:4}  {k}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus"))
