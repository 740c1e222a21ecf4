"""Unified diffs that ``git apply`` accepts: ``a/`` and ``b/`` headers, 3 lines of context.

A diff is bytes: the file's own bytes (CRLF, escape sequences, bytes that are not UTF-8)
pass through unchanged, so the patch applies to the file. Names in the headers are quoted
the way git quotes them (``core.quotePath``): a name holding a control character, a byte
that is not ASCII, ``"`` or ``\\`` is written in double quotes with C escapes, so no name can
forge a header line or a terminal control sequence.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterator

_C_ESCAPES = {7: b"\\a", 8: b"\\b", 9: b"\\t", 10: b"\\n", 11: b"\\v", 12: b"\\f", 13: b"\\r",
              34: b'\\"', 92: b"\\\\"}


def git_quote(name: bytes) -> bytes:
    """``name`` as git writes it in a diff header (quote_c_style with quotePath on)."""
    if not any(b < 0x20 or b >= 0x7F or b in (34, 92) for b in name):
        return name
    out = bytearray(b'"')
    for b in name:
        if b in _C_ESCAPES:
            out += _C_ESCAPES[b]
        elif b < 0x20 or b >= 0x7F:
            out += b"\\%03o" % b
        else:
            out.append(b)
    out += b'"'
    return bytes(out)


def _header(prefix: bytes, path: bytes) -> bytes:
    name = git_quote(prefix + path)
    # git ends the line with a TAB when the (unquoted) name holds a space, for patch(1).
    return name + (b"\t" if name[:1] != b'"' and b" " in path else b"")


def _lines(text: str) -> list[str]:
    # Split on "\n" only: str.splitlines would also split on "\r", "\x0b", "\x1c"...,
    # which are ordinary bytes inside a Dockerfile line.
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def unified_diff(before: str, after: str, path: str, context: int = 3,
                 hide: Callable[[str], bool] | None = None) -> str:
    """:func:`unified_diff_bytes` as text (decoded with ``surrogateescape``)."""
    return unified_diff_bytes(before, after, path, context, hide).decode("utf-8", "surrogateescape")


def unified_diff_bytes(before: str, after: str, path: str, context: int = 3,
                       hide: Callable[[str], bool] | None = None) -> bytes:
    """The diff from ``before`` to ``after`` as bytes; ``b""`` when they are equal.

    ``before``/``after`` are text decoded with ``surrogateescape`` (see ``dockmod.io``);
    ``path`` is a file-system path (``os.fsencode`` gives back its bytes).

    ``hide``: lines (as in ``before``, with their line break) not to show as context
    where ``git apply`` lets a hunk do without them (:func:`_hunks`). A hidden line that
    changes is still shown, and so is one directly after a hunk's last change, unless the
    hunk ends the file: a hunk without a context line after it must end the file.
    """
    if before == after:
        return b""
    rel = os.fsencode(path.lstrip("/"))
    out = [b"--- " + _header(b"a/", rel) + b"\n", b"+++ " + _header(b"b/", rel) + b"\n"]
    a, b = _lines(before), _lines(after)
    if hide is None:
        lines = list(difflib.unified_diff(a, b, n=context, lineterm="\n"))[2:]  # without difflib's ---/+++
    else:
        lines = list(_hunks(a, b, context, hide))
    for line in lines:
        data = line.encode("utf-8", "surrogateescape")
        if data.endswith(b"\n"):
            out.append(data)
        else:
            out.append(data + b"\n\\ No newline at end of file\n")
    return b"".join(out)


def _hunks(a: list[str], b: list[str], n: int, hide: Callable[[str], bool]) -> Iterator[str]:
    """``difflib.unified_diff``'s hunks (without its header lines) where no line of ``a``
    that ``hide`` names is context that ``git apply`` can do without.

    git apply (apply.c, ``apply_one_fragment``) places a hunk by its context: a hunk may
    have fewer context lines before its first change than after its last one, or none,
    but one with no line after its last change must end the file, and one that starts at
    the first line must start it. So the context before a change stops above a hidden
    line, the context after one stops below it unless that leaves none (then the hidden
    line stays), and two changes whose context would meet or hold a hidden line between
    them make one hunk only when nothing else is possible. A hunk of inserted lines only
    keeps one line of context before them. With nothing hidden, the hunks are difflib's.
    """
    hidden: dict[int, bool] = {}

    def is_hidden(i: int) -> bool:
        h = hidden.get(i)
        if h is None:
            h = hidden[i] = hide(a[i])
        return h

    codes = difflib.SequenceMatcher(None, a, b).get_opcodes()
    groups: list[list[tuple[str, int, int, int, int]]] = []
    group: list[tuple[str, int, int, int, int]] = []
    last = len(codes) - 1
    for k, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag != "equal":
            group.append((tag, i1, i2, j1, j2))
            continue
        t = i1  # the context after the change before (group), up to t
        if group:
            while t < min(i2, i1 + n) and not is_hidden(t):
                t += 1
            if t == i1:
                t += 1  # none left: the hidden line stays (the hunk does not end the file)
        s = i2  # the context before the next change, from s
        if k != last:
            while s > max(i1, i2 - n) and not is_hidden(s - 1):
                s -= 1
        if group and k != last and t >= s:
            group.append((tag, i1, i2, j1, j2))  # the contexts meet: one hunk
            continue
        if group:
            group.append((tag, i1, t, j1, j1 + t - i1))
            groups.append(group)
            group = []
        if k != last and s < i2:
            group = [(tag, s, i2, j2 - (i2 - s), j2)]
    if group:
        groups.append(group)
    for group in groups:
        i1, j1 = group[0][1], group[0][3]
        if i1 > 0 and all(g[1] == g[2] for g in group):  # inserted lines only: see the docstring
            group.insert(0, ("equal", i1 - 1, i1, j1 - 1, j1))
        first, final = group[0], group[-1]
        yield f"@@ -{_range(first[1], final[2])} +{_range(first[3], final[4])} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from (" " + line for line in a[i1:i2])
                continue
            if tag in ("replace", "delete"):
                yield from ("-" + line for line in a[i1:i2])
            if tag in ("replace", "insert"):
                yield from ("+" + line for line in b[j1:j2])


def _range(start: int, stop: int) -> str:
    """A hunk's range as ``unified_diff`` writes it (an empty one names the line before)."""
    length = stop - start
    if length == 1:
        return f"{start + 1}"
    return f"{start if not length else start + 1},{length}"


def retarget(diff: bytes, path: str) -> bytes:
    """``diff`` (from :func:`unified_diff_bytes`) with its ``---``/``+++`` headers naming
    ``path`` instead: fleet patches name files relative to each repository's root."""
    rel = os.fsencode(path.lstrip("/"))
    body = diff.split(b"\n", 2)[2]
    return b"--- " + _header(b"a/", rel) + b"\n+++ " + _header(b"b/", rel) + b"\n" + body
