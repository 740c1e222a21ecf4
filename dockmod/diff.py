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


def unified_diff(before: str, after: str, path: str, context: int = 3) -> str:
    """:func:`unified_diff_bytes` as text (decoded with ``surrogateescape``), for tests and docs."""
    return unified_diff_bytes(before, after, path, context).decode("utf-8", "surrogateescape")


def unified_diff_bytes(before: str, after: str, path: str, context: int = 3) -> bytes:
    """The diff from ``before`` to ``after`` as bytes; ``b""`` when they are equal.

    ``before``/``after`` are text decoded with ``surrogateescape`` (see ``dockmod.io``);
    ``path`` is a file-system path (``os.fsencode`` gives back its bytes).
    """
    if before == after:
        return b""
    rel = os.fsencode(path.lstrip("/"))
    out = [b"--- " + _header(b"a/", rel) + b"\n", b"+++ " + _header(b"b/", rel) + b"\n"]
    lines = list(difflib.unified_diff(_lines(before), _lines(after), n=context, lineterm="\n"))
    for line in lines[2:]:  # the first two are difflib's own ---/+++ headers
        data = line.encode("utf-8", "surrogateescape")
        if data.endswith(b"\n"):
            out.append(data)
        else:
            out.append(data + b"\n\\ No newline at end of file\n")
    return b"".join(out)


def retarget(diff: bytes, path: str) -> bytes:
    """``diff`` (from :func:`unified_diff_bytes`) with its ``---``/``+++`` headers naming
    ``path`` instead: fleet patches name files relative to each repository's root."""
    rel = os.fsencode(path.lstrip("/"))
    body = diff.split(b"\n", 2)[2]
    return b"--- " + _header(b"a/", rel) + b"\n+++ " + _header(b"b/", rel) + b"\n" + body
