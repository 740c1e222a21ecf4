"""Unified diffs that ``git apply`` accepts: ``a/`` and ``b/`` headers, 3 lines of context."""

from __future__ import annotations

import difflib


def _lines(text: str) -> list[str]:
    # Split on "\n" only: str.splitlines would also split on "\r", "\x0b", "\x1c"...,
    # which are ordinary bytes inside a Dockerfile line.
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def unified_diff(before: str, after: str, path: str, context: int = 3) -> str:
    """The diff from ``before`` to ``after``; ``""`` when they are equal."""
    if before == after:
        return ""
    rel = path.lstrip("/")
    out = []
    for line in difflib.unified_diff(_lines(before), _lines(after), f"a/{rel}", f"b/{rel}", n=context):
        if line.startswith(("---", "+++")):
            out.append(line.rstrip("\n") + "\n")
        elif line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)
