"""Absolute POSIX paths as the model and transforms compare them."""

from __future__ import annotations

import posixpath


def inside(path: str, directory: str) -> bool:
    """``path`` is ``directory`` or lies below it (both normalised, absolute)."""
    if not path or not directory:
        return False
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def absolute(text: str, home: str | None) -> str | None:
    """``text`` as a normalised absolute path, with ``~``, ``$HOME`` and ``${HOME}`` read
    as ``home`` and a trailing ``*`` or ``/`` dropped; None when it is relative or still
    holds a variable."""
    if home and (text == "~" or text.startswith("~/")):
        text = home + text[1:]
    for var in ("$HOME", "${HOME}"):
        if home and text.startswith(var):
            text = home + text[len(var):]
    if not text.startswith("/") or "$" in text:
        return None
    return posixpath.normpath(text.rstrip("*").rstrip("/") or "/")
