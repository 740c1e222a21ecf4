"""Reading and writing Dockerfiles as bytes, with no silent re-encoding.

Text is decoded as UTF-8 with ``surrogateescape``: bytes that are not UTF-8 become lone
surrogates and are encoded back to the very same bytes. A BOM stays in the text (the
parser keeps it on the tree), and line endings are never translated.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def read_text(path: str | os.PathLike[str]) -> str:
    return decode(Path(path).read_bytes())


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write via a temp file in the same folder, then rename; keeps the file's mode."""
    path = Path(path)
    data = encode(text)
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".dockmod", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
