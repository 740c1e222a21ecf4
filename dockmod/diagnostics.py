"""Rendering of errors and findings: the one place that formats them for people.

Everything taken from a file or a file name is passed through :func:`escape` before it is
shown: C0 and C1 control characters (except TAB), DEL and bytes that are not UTF-8 become
visible escapes, so a name or a source line cannot start a new line (a forged
``::error`` workflow command), move the cursor or send an OSC/CSI sequence to a terminal.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dockmod.errors import ConfigError, ParseError

if TYPE_CHECKING:
    from dockmod.transforms._base import Finding

_NAMED = {"\n": "\\n", "\r": "\\r", "\x1b": "\\e"}
_CONTROL_RE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape_one(m: re.Match[str]) -> str:
    c = m.group()
    if c in _NAMED:
        return _NAMED[c]
    o = ord(c)
    if 0xDC80 <= o <= 0xDCFF:  # a byte that is not UTF-8 (surrogateescape)
        return f"\\x{o - 0xDC00:02x}"
    if o > 0xFF:
        return f"\\u{o:04x}"
    return f"\\x{o:02x}"


def escape(text: str) -> str:
    """``text`` with control characters (except TAB) and undecodable bytes made visible."""
    if _CONTROL_RE.search(text) is None:
        return text
    return _CONTROL_RE.sub(_escape_one, text)


#: How much of an error's message, and of the source line under it, is shown: a binary
#: file's first "line" (and the unknown keyword the message names) can be kilobytes.
_SHOWN = 200


def _clip(raw: str, width: int) -> str:
    """``escape(raw)``, cut to at most ``width`` characters plus ``…`` when longer; never
    inside an escape such as ``\\xf0``."""
    shown = escape(raw)
    if len(shown) <= width:
        return shown
    out: list[str] = []
    size = 0
    for ch in raw:
        piece = escape(ch)
        if size + len(piece) > width:
            break
        out.append(piece)
        size += len(piece)
    return "".join(out) + "…"


def render_parse_error(e: ParseError, path: str | None = None) -> str:
    """``path:line:col: error: message`` plus the source line and a caret.

    The message and the source line are escaped and clipped the same way (:func:`_clip`);
    the source line keeps at least some text after the caret."""
    where = escape(path or e.path or "<stdin>")
    head = f"{where}:{e.line}:{e.column}: error: {_clip(e.message, _SHOWN)}"
    if not e.source_line and e.line <= 0:
        return head
    num = str(e.line)
    pad = " " * len(num)
    raw = e.source_line.expandtabs(1)
    caret_col = len(escape(raw[:min(e.raw_column, len(raw))]))
    src = _clip(raw, max(_SHOWN, caret_col + 40))
    return "\n".join([
        head,
        f"{pad} |",
        f"{num} | {src}",
        f"{pad} | {' ' * caret_col}^",
    ])


def fix_mark(f: Finding, unsafe_fixes: bool) -> str:
    """``[*]``: this run can fix it; ``[-]``: fixable with ``--unsafe-fixes``; "": report only."""
    if f.safety is not None and f.safety.applies(unsafe_fixes):
        return "[*] "
    if f.held_back(unsafe_fixes):
        return "[-] "
    return ""


def render_finding(path: str, f: Finding, *, unsafe_fixes: bool = False) -> str:
    """``path:line:col: CODE [*] message`` (see :func:`fix_mark`)."""
    return f"{escape(path)}:{f.line}:{f.column}: {f.code} {fix_mark(f, unsafe_fixes)}{escape(f.message)}"


def render_finding_full(path: str, f: Finding, source_line: str, *, unsafe_fixes: bool = False) -> str:
    """The concise line plus the source line, a caret run and a ``help:`` line."""
    head = render_finding(path, f, unsafe_fixes=unsafe_fixes)
    num = str(f.line)
    pad = " " * len(num)
    raw = source_line.expandtabs(1)
    src = escape(raw)
    start = len(escape(raw[:max(f.column - 1, 0)]))
    end_col = (f.end_column - 1) if f.end_line == f.line else len(raw)
    width = max(1, len(escape(raw[:max(end_col, 0)])) - start)
    lines = [head, f"{pad} |", f"{num} | {src}", f"{pad} | {' ' * start}{'^' * width}"]
    if f.fix_title:
        note = ""
        if f.no_fix_reason:
            note = f" (not applied: {escape(f.no_fix_reason)})"
        elif f.held_back(unsafe_fixes) and f.unsafe_reason:
            note = f" (unsafe: {escape(f.unsafe_reason)}; needs --unsafe-fixes)"
        elif f.held_back(unsafe_fixes):
            note = " (unsafe: needs --unsafe-fixes)"
        elif not f.fixable:
            note = " (report only)"
        lines.append(f"{pad} = help: {escape(f.fix_title)}{note}")
    return "\n".join(lines)


def render_config_error(e: ConfigError) -> str:
    """``file: error: message``, the file relative to the current folder when inside it."""
    if not e.path:
        return f"error: {escape(e.message)}"
    import os

    where = e.path
    try:
        rel = os.path.relpath(where)
        if not rel.startswith(".."):
            where = rel
    except ValueError:
        pass
    return f"{escape(where)}: error: {escape(e.message)}"
