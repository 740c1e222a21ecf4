"""``dockmod.lock``: for each image reference, the digest it resolved to, the platform
choice and when. Stable and diffable: JSON, one entry per line, sorted by reference then
platform; an entry's time changes only when its digest does.

.. code-block:: json

    {
      "version": 1,
      "images": {
        "docker.io/library/python:3.11-slim": {"digest": "sha256:…", "platform": "index", "resolved": "2026-12-02T01:46:26Z"},
        "docker.io/library/python:3.11-slim linux/arm64": {"digest": "sha256:…", "platform": "linux/arm64", "resolved": "…"}
      }
    }

``platform`` is ``index`` for the digest the tag points at (a multi-platform index or a
single manifest), or the ``os/arch[/variant]`` whose manifest was pinned.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dockmod.registry.model import Failed, FailureKind, Request, Resolved, Result

VERSION = 1
DEFAULT_NAME = "dockmod.lock"


class LockError(Exception):
    """The lock file cannot be read; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class LockEntry:
    digest: str
    platform: str | None
    resolved: str


def _entry_key(key: str, platform: str | None) -> str:
    return f"{key} {platform}" if platform else key


class Lock:
    def __init__(self, path: Path, entries: dict[tuple[str, str | None], LockEntry] | None = None) -> None:
        self.path = path
        self.entries: dict[tuple[str, str | None], LockEntry] = dict(entries or {})

    @classmethod
    def load(cls, path: Path) -> Lock:
        """The lock at ``path``, or an empty one when the file does not exist."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise LockError(f"{path}: cannot read lock file: {e}") from None
        if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("images"), dict):
            raise LockError(f"{path}: not a version {VERSION} dockmod lock file")
        entries = {}
        for raw_key, e in data["images"].items():
            key, _, plat = raw_key.partition(" ")
            try:
                platform = None if e.get("platform", "index") == "index" else e["platform"]
                entries[(key, plat or platform)] = LockEntry(e["digest"], platform, e.get("resolved", ""))
            except (AttributeError, KeyError, TypeError):
                raise LockError(f"{path}: entry {raw_key!r} lacks a digest") from None
        return cls(path, entries)

    def get(self, key: str, platform: str | None) -> LockEntry | None:
        return self.entries.get((key, platform))

    def result(self, request: Request) -> Result:
        """What the lock says for ``request`` (offline mode)."""
        e = self.get(request.key, request.platform)
        if e is None:
            where = f" for {request.platform}" if request.platform else ""
            return Failed(request.key, request.platform, FailureKind.OFFLINE,
                          f"not in {self.path.name}{where}, and --offline forbids asking the registry")
        return Resolved(request.key, e.digest, request.platform, resolved_at=e.resolved)

    def update(self, results: list[Result]) -> list[str]:
        """Record resolved results; return ``key: old -> new`` lines for entries that changed."""
        changes = []
        for r in results:
            if not isinstance(r, Resolved):
                continue
            old = self.get(r.key, r.platform)
            if old is not None and old.digest == r.digest:
                continue
            self.entries[(r.key, r.platform)] = LockEntry(r.digest, r.platform, r.resolved_at)
            changes.append(f"{_entry_key(r.key, r.platform)}: {old.digest if old else '(new)'} -> {r.digest}")
        return changes

    def dumps(self) -> str:
        lines = []
        for (key, platform), e in sorted(self.entries.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            entry = {"digest": e.digest, "platform": platform or "index", "resolved": e.resolved}
            lines.append(f"    {json.dumps(_entry_key(key, platform))}: {json.dumps(entry)}")
        body = ",\n".join(lines)
        return f'{{\n  "version": {VERSION},\n  "images": {{\n{body}{chr(10) if body else ""}  }}\n}}\n'

    def save(self) -> None:
        """Write atomically (a temp file in the same folder, then rename)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".dockmod.lock.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(self.dumps())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
