"""Filesystem snapshots and comparisons of image trees.

Two builds of the same thing never agree on mtimes, so they are not compared unless
asked. ``*.pyc`` files also carry their source's mtime in the header (PEP 552,
bytes 8-11 when the flags word is 0); the comparison ignores that field by default,
so a byte-compiled tree rebuilt later still compares equal.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    """One path in an image, as ``ls -l`` would describe it."""

    path: str
    kind: str  # "file", "dir", "symlink" or "other"
    mode: int
    uid: int
    gid: int
    size: int
    mtime: int
    target: str | None = None

    @property
    def is_file(self) -> bool:
        return self.kind == "file"


def _kind(st: os.stat_result) -> str:
    if stat.S_ISREG(st.st_mode):
        return "file"
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    if stat.S_ISLNK(st.st_mode):
        return "symlink"
    return "other"


def snapshot(root: Path, under: str = "/") -> dict[str, Entry]:
    """Every path below ``under`` in the tree at ``root``, keyed by absolute path."""
    start = root / under.lstrip("/")
    entries: dict[str, Entry] = {}
    if not start.exists() and not start.is_symlink():
        return entries
    stack = [start]
    while stack:
        current = stack.pop()
        st = current.lstat()
        rel = "/" + str(current.relative_to(root)).lstrip(".").lstrip("/")
        kind = _kind(st)
        entries[rel] = Entry(
            rel,
            kind,
            stat.S_IMODE(st.st_mode),
            st.st_uid,
            st.st_gid,
            st.st_size if kind == "file" else 0,
            int(st.st_mtime),
            os.readlink(current) if kind == "symlink" else None,
        )
        if kind == "dir":
            stack.extend(current.iterdir())
    return dict(sorted(entries.items()))


def content_digest(path: Path, *, ignore_pyc_timestamp: bool = True) -> str:
    """sha256 of a file; for a timestamp-based ``.pyc``, with the source mtime zeroed."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        head = handle.read(16)
        if ignore_pyc_timestamp and path.name.endswith(".pyc") and len(head) == 16 and head[4:8] == b"\0\0\0\0":
            head = head[:8] + b"\0\0\0\0" + head[12:]
        digest.update(head)
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class FsDiff:
    """What differs between two trees: added/removed paths, and changed ones with why."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    #: path -> the attributes that differ, e.g. ``("content",)`` or ``("mode", "uid")``.
    changed: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    @property
    def paths(self) -> set[str]:
        return set(self.added) | set(self.removed) | set(self.changed)

    def summary(self, limit: int = 20) -> str:
        lines = [f"+ {p}" for p in self.added] + [f"- {p}" for p in self.removed]
        lines += [f"~ {p} ({', '.join(why)})" for p, why in self.changed.items()]
        more = f"\n… {len(lines) - limit} more" if len(lines) > limit else ""
        return "\n".join(lines[:limit]) + more if lines else "(no differences)"


def compare(
    root_a: Path,
    root_b: Path,
    *,
    under: str = "/",
    ignore: tuple[str, ...] = (),
    ignore_pyc_timestamps: bool = True,
    compare_mtime: bool = False,
) -> FsDiff:
    """Compare two trees; ``ignore`` holds fnmatch patterns of absolute paths to skip."""

    def keep(path: str) -> bool:
        return not any(fnmatch.fnmatch(path, pattern) for pattern in ignore)

    a = {p: e for p, e in snapshot(root_a, under).items() if keep(p)}
    b = {p: e for p, e in snapshot(root_b, under).items() if keep(p)}
    changed: dict[str, tuple[str, ...]] = {}
    for path in sorted(a.keys() & b.keys()):
        ea, eb = a[path], b[path]
        why = [name for name in ("kind", "mode", "uid", "gid", "target") if getattr(ea, name) != getattr(eb, name)]
        if ea.is_file and eb.is_file:
            if ea.size != eb.size:
                why.append("content")
            else:
                digests = {
                    content_digest(root / path.lstrip("/"), ignore_pyc_timestamp=ignore_pyc_timestamps)
                    for root in (root_a, root_b)
                }
                if len(digests) > 1:
                    why.append("content")
            if compare_mtime and ea.mtime != eb.mtime and not path.endswith(".pyc"):
                why.append("mtime")
        if why:
            changed[path] = tuple(why)
    return FsDiff(tuple(sorted(b.keys() - a.keys())), tuple(sorted(a.keys() - b.keys())), changed)
