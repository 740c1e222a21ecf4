"""``.dockerignore`` patterns with moby's semantics (``github.com/moby/patternmatcher``).

Not gitignore's: a pattern is anchored at the context root (``foo`` excludes ``./foo``
only, not ``a/foo``), ``*`` never crosses ``/``, ``**`` matches any number of directories
(including none), a pattern that matches a directory excludes everything under it, and
``!pattern`` re-includes; the last matching line wins. Lines are read as
``ignorefile.ReadAll`` reads them: a ``#`` in column 1 starts a comment, surrounding
spaces are trimmed, each pattern is cleaned like Go's ``filepath.Clean`` and a leading
``/`` is dropped.

Sources: https://github.com/moby/patternmatcher (``patternmatcher.go``,
``ignorefile/ignorefile.go``) and https://docs.docker.com/build/concepts/context/#dockerignore-files.
"""

from __future__ import annotations

import enum
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Characters regexp needs escaped that mean nothing special in a Go filepath pattern
# (patternmatcher's ``shouldEscape``).
_REGEX_SPECIAL = frozenset(".+()|{}$")


class PatternError(ValueError):
    """A pattern Go's ``filepath.Match`` rejects (``ErrBadPattern``), or a lone ``!``."""


class _Kind(enum.Enum):
    EXACT = "exact"
    PREFIX = "prefix"
    SUFFIX = "suffix"
    REGEXP = "regexp"


def clean(path: str) -> str:
    """Go's ``path.Clean``: the shortest equivalent path (``""`` → ``"."``)."""
    if not path:
        return "."
    rooted = path.startswith("/")
    out: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append("..")
            continue
        out.append(part)
    text = "/".join(out)
    if rooted:
        return "/" + text
    return text or "."


def _check_syntax(pattern: str) -> None:
    """Raise :class:`PatternError` where Go's ``filepath.Match`` returns ``ErrBadPattern``."""
    i, n = 0, len(pattern)

    def escaped(k: int) -> int:
        # One class character (``getEsc``): not empty, not ``-`` or ``]``; ``\x`` is x.
        if k >= n or pattern[k] in "-]":
            raise PatternError(f"syntax error in pattern `{pattern}`")
        if pattern[k] == "\\":
            k += 1
            if k >= n:
                raise PatternError(f"syntax error in pattern `{pattern}`")
        return k + 1

    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise PatternError(f"syntax error in pattern `{pattern}`")
            i += 2
        elif c == "[":
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            ranges = 0
            while True:
                if i < n and pattern[i] == "]" and ranges > 0:
                    i += 1
                    break
                i = escaped(i)
                if i < n and pattern[i] == "-":
                    i = escaped(i + 1)
                ranges += 1
        else:
            i += 1


@dataclass(frozen=True, slots=True)
class Pattern:
    """One cleaned pattern, compiled as patternmatcher's ``Pattern.compile`` does."""

    text: str
    exclusion: bool
    kind: _Kind
    regexp: re.Pattern[str] | None

    @classmethod
    def compile(cls, text: str, exclusion: bool) -> Pattern:
        _check_syntax(text)
        out = "^"
        kind = _Kind.EXACT
        i, n = 0, len(text)
        first = True
        while i < n:
            ch = text[i]
            i += 1
            if ch == "*":
                if i < n and text[i] == "*":
                    i += 1
                    if i < n and text[i] == "/":  # ``**/`` is ``**``
                        i += 1
                    if i >= n:  # ``**`` at the end: everything below
                        if kind is _Kind.EXACT:
                            kind = _Kind.PREFIX
                        else:
                            out += ".*"
                            kind = _Kind.REGEXP
                    else:
                        out += "(.*/)?"
                        kind = _Kind.REGEXP
                    if first:
                        kind = _Kind.SUFFIX
                else:
                    out += "[^/]*"
                    kind = _Kind.REGEXP
            elif ch == "?":
                out += "[^/]"
                kind = _Kind.REGEXP
            elif ch in _REGEX_SPECIAL:
                out += "\\" + ch
            elif ch == "\\":
                if i < n:
                    out += "\\" + text[i]
                    i += 1
                    kind = _Kind.REGEXP
                else:
                    out += "\\\\"
            elif ch in "[]":
                out += ch
                kind = _Kind.REGEXP
            else:
                out += ch
            first = False
        regexp = None
        if kind is _Kind.REGEXP:
            try:
                regexp = re.compile(out + r"\Z", re.DOTALL)
            except re.error as e:  # e.g. ``\q``, which Go's regexp rejects as well
                raise PatternError(f"syntax error in pattern `{text}`") from e
        return cls(text, exclusion, kind, regexp)

    def match(self, path: str) -> bool:
        if self.kind is _Kind.EXACT:
            return path == self.text
        if self.kind is _Kind.PREFIX:
            return path.startswith(self.text[:-2])
        if self.kind is _Kind.SUFFIX:
            suffix = self.text[2:]
            if path.endswith(suffix):
                return True
            # ``**/foo`` matches ``foo``
            return suffix.startswith("/") and path == suffix[1:]
        assert self.regexp is not None
        return self.regexp.match(path) is not None


class PatternMatcher:
    """patternmatcher's ``PatternMatcher``: patterns in order, the last match decides."""

    def __init__(self, patterns: Iterable[str]) -> None:
        compiled = []
        for p in patterns:
            p = p.strip()
            if not p:
                continue
            p = clean(p)
            exclusion = p.startswith("!")
            if exclusion:
                if len(p) == 1:
                    raise PatternError('illegal exclusion pattern: "!"')
                p = p[1:]
            compiled.append(Pattern.compile(p, exclusion))
        self.patterns: tuple[Pattern, ...] = tuple(compiled)
        #: Some pattern re-includes (``!``): an excluded folder may still send files.
        self.exclusions = any(p.exclusion for p in compiled)

    def matches(self, path: str) -> bool:
        """``MatchesOrParentMatches``: ``path`` or one of its parent folders is excluded.

        ``path`` is slash-separated and relative to the context root.
        """
        path = clean(path)
        if path == ".":
            return False
        matched = False
        parent = posixpath.dirname(path) or "."
        parents = parent.split("/")
        for pattern in self.patterns:
            # An inclusion can only flip an unmatched path; an exclusion a matched one.
            if pattern.exclusion != matched:
                continue
            hit = pattern.match(path)
            if not hit and parent != ".":
                hit = any(pattern.match("/".join(parents[:k + 1])) for k in range(len(parents)))
            if hit:
                matched = not pattern.exclusion
        return matched

    def matches_exact(self, path: str) -> bool:
        """``MatchesExact``: like :meth:`matches` without looking at parent folders."""
        matched = False
        for pattern in self.patterns:
            if pattern.exclusion != matched:
                continue
            if pattern.match(path):
                matched = not pattern.exclusion
        return matched


def read_ignore_file(data: bytes) -> list[str]:
    """The patterns of an ignore file, as ``ignorefile.ReadAll`` returns them."""
    out = []
    text = data.decode("utf-8", "surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    # bufio.ScanLines: split at "\n", drop one "\r" before it.
    for line in text.split("\n"):
        line = line.removesuffix("\r")
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = clean(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        out.append("!" + pattern if invert else pattern)
    return out


def matcher(patterns: Sequence[str]) -> PatternMatcher:
    return PatternMatcher(patterns)
