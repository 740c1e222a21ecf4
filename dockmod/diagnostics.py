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


def render_finding(path: str, f: "Finding", *, unsafe_fixes: bool = False) -> str:  # noqa: F821
    """``path:line:col: CODE [*] message``; ``[*]`` marks a fix this run can apply."""
    from dockmod.transforms._base import FixSafety

    mark = ""
    if f.safety is FixSafety.SAFE or (f.safety is FixSafety.UNSAFE and unsafe_fixes):
        mark = "[*] "
    return f"{path}:{f.line}:{f.column}: {f.code} {mark}{f.message}"


def render_finding_full(path: str, f: "Finding", source_line: str, *,  # noqa: F821
                        unsafe_fixes: bool = False) -> str:
    """The concise line plus the source line, a caret run and a ``help:`` line."""
    head = render_finding(path, f, unsafe_fixes=unsafe_fixes)
    num = str(f.line)
    pad = " " * len(num)
    src = source_line.expandtabs(1)
    width = max(1, (f.end_column - f.column) if f.end_line == f.line else len(src) - f.column + 1)
    lines = [head, f"{pad} |", f"{num} | {src}", f"{pad} | {' ' * (f.column - 1)}{'^' * width}"]
    if f.fix_title:
        note = ""
        if f.no_fix_reason:
            note = f" (not applied: {f.no_fix_reason})"
        elif f.safety is not None and f.safety.value == "unsafe" and not unsafe_fixes:
            note = " (unsafe: needs --unsafe-fixes)"
        lines.append(f"{pad} = help: {f.fix_title}{note}")
    return "\n".join(lines)
