"""Rendering of errors and findings: the one place that formats them for people."""

from __future__ import annotations

from dockmod.errors import ParseError


def render_parse_error(e: ParseError, path: str | None = None) -> str:
    """``path:line:col: error: message`` plus the source line and a caret."""
    where = path or e.path or "<stdin>"
    head = f"{where}:{e.line}:{e.column}: error: {e.message}"
    if not e.source_line and e.line <= 0:
        return head
    num = str(e.line)
    pad = " " * len(num)
    src = e.source_line.expandtabs(1)
    caret_col = min(e.raw_column, len(src))
    return "\n".join([
        head,
        f"{pad} |",
        f"{num} | {src}",
        f"{pad} | {' ' * caret_col}^",
    ])
