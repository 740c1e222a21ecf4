"""Finding Dockerfiles under the paths a user names.

A named file is always taken. Folders are searched recursively for ``Dockerfile``,
``Dockerfile.*``, ``*.Dockerfile``, ``*.dockerfile``, ``Containerfile`` and
``Containerfile.*``, skipping what ``.gitignore`` files ignore, ``.git`` itself, and the
configuration's ``exclude`` patterns (gitignore syntax, relative to the config's folder).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TEXT_SUFFIXES = (".md", ".txt", ".sh", ".py", ".yml", ".yaml", ".json", ".orig", ".rej",
                  ".bak", ".swp", ".j2", ".tmpl", ".template", ".dockerignore")


def is_dockerfile_name(name: str) -> bool:
    low = name.lower()
    if low in ("dockerfile", "containerfile"):
        return True
    if low.endswith((".dockerfile", ".containerfile")):
        return True
    if low.startswith(("dockerfile.", "containerfile.")):
        return not low.endswith(_TEXT_SUFFIXES)
    return False


@dataclass(frozen=True)
class Candidate:
    path: Path
    #: The root the user named (a symlink may only write inside it).
    root: Path
    #: Why the file is skipped, or None.
    skip: str | None = None


def _gitignore_spec(directory: Path):  # type: ignore[no-untyped-def]
    gi = directory / ".gitignore"
    if not gi.is_file():
        return None
    import pathspec

    try:
        lines = gi.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def discover(paths: list[str], exclude_for: "callable | None" = None) -> list[Candidate]:  # noqa: F821
    """Candidates in a stable order (sorted by path), without duplicates.

    ``exclude_for(path) -> bool`` answers whether config excludes a file found in a folder.
    """
    out: dict[Path, Candidate] = {}
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            root = p.resolve()
            for c in _walk(p, root, exclude_for):
                out.setdefault(c.path, c)
        else:
            root = p.parent.resolve()
            out.setdefault(p, Candidate(p, root))
    return [out[k] for k in sorted(out, key=lambda q: str(q))]


def _walk(top: Path, root: Path, exclude_for) -> list[Candidate]:  # type: ignore[no-untyped-def]
    found: list[Candidate] = []
    specs: list[tuple[Path, object]] = []
    for dirpath, dirnames, filenames in os.walk(top):
        d = Path(dirpath)
        spec = _gitignore_spec(d)
        specs = [(base, s) for base, s in specs if base == d or base in d.parents]
        if spec is not None:
            specs.append((d, spec))

        def ignored(path: Path, is_dir: bool) -> bool:
            for base, s in specs:
                rel = path.relative_to(base).as_posix() + ("/" if is_dir else "")
                if s.match_file(rel):  # type: ignore[attr-defined]
                    return True
            return False

        dirnames[:] = sorted(x for x in dirnames if x != ".git" and not ignored(d / x, True))
        for name in sorted(filenames):
            if not is_dockerfile_name(name):
                continue
            path = d / name
            if ignored(path, False) or (exclude_for is not None and exclude_for(path)):
                continue
            found.append(Candidate(path, root))
    return found
