"""What a run asks the registry and what it learns: plain data, no I/O.

The transform (``DM101``) reads a :class:`Resolutions` from ``context.resolver``; the
batch step in :mod:`dockmod.pinning` fills it before any transform runs, from the
registry client, the lock file, or (in tests) stubs. Keys are ``(reference key,
platform)``: the key is :attr:`Reference.key` (``docker.io/library/python:3.11-slim``),
and platform is None for "whatever the tag points at" (the index of a multi-platform
image) or ``os/arch[/variant]`` for one platform's manifest.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dockmod.registry.reference import ReferenceError, parse


class FailureKind(enum.Enum):
    NOT_FOUND = "not found"
    AUTH = "authentication failed"
    RATE_LIMITED = "rate limited"
    NETWORK = "network error"
    TLS = "TLS error"
    PROTOCOL = "unexpected answer"
    OFFLINE = "not in the lock file"
    PLATFORM = "platform not found"


@dataclass(frozen=True, slots=True)
class Request:
    """One lookup. ``similar_tags``: also list the tags sharing the digest (for ``latest``)."""

    key: str
    platform: str | None = None
    similar_tags: bool = False


@dataclass(frozen=True, slots=True)
class Resolved:
    key: str
    digest: str
    platform: str | None = None
    media_type: str = ""
    #: Other tags of the repository serving the same digest, most specific first;
    #: None when not asked for or the registry does not list tags.
    similar_tags: tuple[str, ...] | None = None
    #: ``YYYY-MM-DDTHH:MM:SSZ`` of the lookup (or of the lock entry it came from).
    resolved_at: str = ""


@dataclass(frozen=True, slots=True)
class Failed:
    key: str
    platform: str | None
    kind: FailureKind
    #: Which registry and why (the finding names the image); never holds credentials.
    message: str

    def describe(self) -> str:
        """A message that stands alone: which image, which registry, why."""
        where = f" for {self.platform}" if self.platform else ""
        return f"cannot resolve `{self.key}`{where}: {self.message}"


Result = Resolved | Failed


class Resolutions(Mapping[tuple[str, str | None], Result]):
    """A read-only ``(key, platform) -> Resolved | Failed`` mapping: what ``context.resolver`` is."""

    def __init__(self, results: Iterable[Result] = ()) -> None:
        self._data: dict[tuple[str, str | None], Result] = {(r.key, r.platform): r for r in results}

    def __getitem__(self, item: tuple[str, str | None]) -> Result:
        return self._data[item]

    def __iter__(self) -> Iterator[tuple[str, str | None]]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Resolutions({len(self._data)} results)"

    @classmethod
    def from_stubs(cls, table: Mapping[str, Any]) -> Resolutions:
        """Stubs as fixture ``.toml`` files write them (``[resolver]``)::

            "python:3.11-slim" = "sha256:…"                      # a digest
            "python:3.11-slim linux/arm64" = "sha256:…"          # one platform's manifest
            "python" = { digest = "sha256:…", tags = ["3.12.1", "3.12"] }
            "ghcr.io/x/y:1" = { error = "not found" }            # a FailureKind value
        """
        out: list[Result] = []
        for raw_key, value in table.items():
            text, _, platform = raw_key.partition(" ")
            try:
                key = parse(text).key
            except ReferenceError as e:
                raise ValueError(f"resolver stub {raw_key!r}: {e}") from None
            plat = platform or None
            if isinstance(value, str):
                out.append(Resolved(key, value, plat))
            elif "error" in value:
                kind = FailureKind(value["error"])
                out.append(Failed(key, plat, kind, value.get("message", kind.value)))
            else:
                tags = value.get("tags")
                out.append(Resolved(key, value["digest"], plat,
                                    similar_tags=tuple(tags) if tags is not None else None))
        return cls(out)
