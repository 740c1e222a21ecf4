"""Instruction arguments: flags, words, image references, key/value pairs, bodies.

Every leaf keeps its text exactly as written (``raw``), continuations included, and
offers typed views computed from it: ``text`` (what BuildKit sees), ``Flag.name``,
``ImageRef.tag``, ``KeyValue.key`` and so on. Leaves whose meaning depends on the file's
escape character carry it in ``escape``; the parser sets it, and
``Dockerfile.style`` hands it to nodes a transform builds.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from dockmod.cst._base import CSTValidationError, Node, node
from dockmod.lang.words import flag_value, logical_text, parse_words, process_word


@node
class _Leaf(Node):
    """A token kept as written, with the whitespace after it."""

    raw: str
    whitespace_after: str = ""
    escape: str = "\\"

    def _codegen(self, out: list[str]) -> None:
        out.append(self.raw)
        out.append(self.whitespace_after)

    @property
    def text(self) -> str:
        """The token as BuildKit sees it (continuations removed, quotes kept)."""
        return logical_text(self.raw, self.escape)


@node
class Word(_Leaf):
    """One whitespace-separated word, with the whitespace after it."""

    def _validate(self) -> None:
        if not self.raw:
            raise CSTValidationError("Word must not be empty")


@node
class Flag(_Leaf):
    """A ``--name=value`` flag, or the ``--`` that ends the flags."""

    whitespace_after: str = " "

    def _validate(self) -> None:
        # As BuildKit reads it: the logical text (``-\<newline>-from=a`` is ``--from=a``).
        # An empty name (``--=x``) is a flag to BuildKit's parser, like any unknown name:
        # only building rejects it.
        if not logical_text(self.raw, self.escape).startswith("--"):
            raise CSTValidationError(f"Flag must start with `--`, got {self.raw!r}")

    @property
    def text(self) -> str:
        """The flag as BuildKit stores it: ``--name=value`` with quotes and escapes removed."""
        return flag_value(logical_text(self.raw, self.escape), self.escape)

    @property
    def is_terminator(self) -> bool:
        return self.text == "--"

    @property
    def name(self) -> str:
        """The flag name without dashes, e.g. ``mount``."""
        return self.text[2:].split("=", 1)[0]

    @property
    def value(self) -> str | None:
        """The value after ``=`` (None for a bare ``--link``)."""
        parts = self.text.split("=", 1)
        return parts[1] if len(parts) == 2 else None

    @property
    def mount(self) -> MountSpec | None:
        """The parsed ``--mount`` spec, or None for other flags."""
        if self.name != "mount" or self.value is None:
            return None
        return MountSpec.parse(self.value)

    def with_mount_field(self, key: str, value: str) -> Flag:
        """A copy whose ``--mount`` field ``key`` reads ``key=value``; the other fields keep
        their text exactly as written.

        ``value`` is written as given: the caller makes sure it needs no CSV quoting. Only
        one-line flags without quotes or escape characters are rewritten (their fields are
        then plain comma-separated text); others raise ValueError, as does a missing field.
        """
        raw = self.raw
        if self.name != "mount" or "=" not in raw or any(c in raw for c in ("\n", "'", '"', self.escape)):
            raise ValueError(f"cannot rewrite mount field {key!r} in {raw!r}")
        head, _, spec = raw.partition("=")
        fields = spec.split(",")
        for i, f in enumerate(fields):
            name, sep, _ = f.partition("=")
            if sep and name.strip().lower() == key:
                fields[i] = f"{name}={value}"
                return self.with_changes(raw=f"{head}={','.join(fields)}")
        raise ValueError(f"no mount field {key!r} in {raw!r}")


@dataclass(frozen=True, slots=True)
class MountSpec:
    """A ``RUN --mount=`` value: comma-separated ``key=value`` fields (BuildKit reads CSV)."""

    fields: tuple[tuple[str, str | None], ...]

    @classmethod
    def parse(cls, value: str) -> MountSpec:
        row = next(csv.reader([value]), [])
        out = []
        for f in row:
            k, sep, v = f.partition("=")
            out.append((k.strip().lower(), v if sep else None))
        return cls(tuple(out))

    def get(self, *keys: str) -> str | None:
        for k, v in self.fields:
            if k in keys:
                return v if v is not None else "true"
        return None

    @property
    def type(self) -> str:
        return self.get("type") or "bind"

    @property
    def target(self) -> str | None:
        return self.get("target", "dst", "destination")

    @property
    def id(self) -> str | None:
        return self.get("id")

    @property
    def source(self) -> str | None:
        return self.get("source", "src")

    @property
    def from_(self) -> str | None:
        return self.get("from")

    def to_text(self) -> str:
        parts = []
        for k, v in self.fields:
            item = k if v is None else f"{k}={v}"
            if any(c in item for c in ',"\n'):
                item = '"' + item.replace('"', '""') + '"'
            parts.append(item)
        return ",".join(parts)


# Docker reference grammar (distribution/reference), loosely: enough to split the parts.
_DIGEST_RE = re.compile(r"@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})$")


@node
class ImageRef(_Leaf):
    """A ``FROM`` image reference such as ``docker.io/library/python:3.12-slim@sha256:…``."""

    @property
    def has_variables(self) -> bool:
        return "$" in self.text

    @property
    def is_scratch(self) -> bool:
        return self.text.lower() == "scratch"

    def _parts(self) -> tuple[str | None, str, str | None, str | None]:
        ref = self.text
        digest = None
        m = _DIGEST_RE.search(ref)
        if m:
            digest = m.group(1)
            ref = ref[: m.start()]
        name, tag = ref, None
        slash = name.rfind("/")
        colon = name.rfind(":")
        if colon > slash:
            name, tag = name[:colon], name[colon + 1 :]
        registry = None
        first, sep, rest = name.partition("/")
        if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
            registry, name = first, rest
        return registry, name, tag, digest

    @property
    def registry(self) -> str | None:
        """The registry host as written (None means Docker Hub)."""
        return self._parts()[0]

    @property
    def repository(self) -> str:
        """The repository path as written, without registry, tag or digest."""
        return self._parts()[1]

    @property
    def tag(self) -> str | None:
        return self._parts()[2]

    @property
    def digest(self) -> str | None:
        return self._parts()[3]

    def with_digest(self, digest: str, keep_tag: bool = True) -> ImageRef:
        registry, repo, tag, _ = self._parts()
        base = f"{registry}/{repo}" if registry else repo
        if tag and keep_tag:
            base += f":{tag}"
        return self.with_changes(raw=f"{base}@{digest}")


# A word without whitespace (a superset of Go's), quotes or escape chars: one word for
# ``parse_words``, its text unchanged.
_PLAIN_WORD = re.compile(r"[^\s'\"\\`]+")


@node
class KeyValue(_Leaf):
    """An ENV, LABEL or ARG word: ``key=value``, or a bare ``key`` (ARG only)."""

    @property
    def text(self) -> str:
        """The word as BuildKit's ``parseWords`` gives it (quotes and escapes kept)."""
        t = logical_text(self.raw, self.escape)
        if _PLAIN_WORD.fullmatch(t) is not None and self.escape not in t:
            return t  # what parse_words gives for it (one word, as is), without its loop
        words = parse_words(t, 0, len(t), self.escape)
        return words[0][2] if words else ""

    @property
    def key(self) -> str:
        return self.text.split("=", 1)[0]

    @property
    def has_value(self) -> bool:
        return "=" in self.text

    @property
    def value(self) -> str | None:
        """The value as written after ``=`` (quotes kept), or None for a bare key."""
        parts = self.text.split("=", 1)
        return parts[1] if len(parts) == 2 else None

    @property
    def unquoted_value(self) -> str | None:
        """The value with shell quoting removed, variables left as written."""
        v = self.value
        return None if v is None else process_word(v, self.escape)


@node
class LegacyKeyValue(Node):
    """The legacy ``ENV key value`` / ``LABEL key value`` form: one pair, value to EOL."""

    key_raw: str
    whitespace_after_key: str = " "
    value_raw: str = ""
    escape: str = "\\"

    def _codegen(self, out: list[str]) -> None:
        out.append(self.key_raw)
        out.append(self.whitespace_after_key)
        out.append(self.value_raw)

    @property
    def key(self) -> str:
        return logical_text(self.key_raw, self.escape)

    @property
    def value(self) -> str:
        return logical_text(self.value_raw, self.escape)


@node
class _Body(Node):
    """A body that runs to the end of the instruction's line (no whitespace after it)."""

    raw: str
    escape: str = "\\"

    def _codegen(self, out: list[str]) -> None:
        out.append(self.raw)

    @property
    def text(self) -> str:
        """The body as BuildKit sees it (continuations and their comment lines removed)."""
        return logical_text(self.raw, self.escape)


@node
class JsonArray(_Body):
    """An exec-form body: a JSON array of strings, as written."""

    @property
    def values(self) -> list[str]:
        from dockmod.lang.words import decode_json_array

        v = decode_json_array(self.text)
        return v if v is not None else []


@node
class ShellCommand(_Body):
    """A shell-form body, kept opaque; ``dockmod.shell`` understands its contents."""


@node
class Heredoc(Node):
    """A heredoc body and its terminator line, as they follow the instruction."""

    #: The body lines, newlines included, exactly as written.
    body: str
    #: The terminator line as written (leading tabs for ``<<-``), newline included.
    terminator: str

    def _validate(self) -> None:
        if not self.terminator.strip("\t\r\n"):
            raise CSTValidationError("Heredoc must end with its terminator line")

    def _codegen(self, out: list[str]) -> None:
        out.append(self.body)
        out.append(self.terminator)

    @property
    def name(self) -> str:
        t = self.terminator
        end = len(t)
        while end and t[end - 1] in "\r\n":
            end -= 1
        return t[:end].lstrip("\t")
