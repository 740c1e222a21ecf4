"""``dockmod.parse``: scanner → Lark → CST."""

from __future__ import annotations

from dockmod.cst.instructions import Instruction
from dockmod.cst.module import Dockerfile
from dockmod.errors import ParseError


def _source_line(text: str, line: int) -> str:
    lines = text.split("\n")
    if 1 <= line <= len(lines):
        return lines[line - 1].rstrip("\r")
    return ""


def parse(text: str, path: str | None = None) -> Dockerfile:
    """Parse Dockerfile text into a lossless tree; ``parse(text).code == text``.

    Raises :class:`dockmod.ParseError` (with path, line and column) for input BuildKit's
    parser rejects. Bytes that are not UTF-8 should be decoded with ``surrogateescape``
    (``dockmod.io.read_text`` does), so they survive the round trip.
    """
    from dockmod.cst.build import get_parser
    from dockmod.grammar.scanner import BOM, ScanError, scan

    try:
        tokens, bom, escape = scan(text)
    except ScanError as e:
        src = text[1:] if text.startswith(BOM) else text
        raise ParseError(e.message, path=path, line=e.line, raw_column=e.column,
                         source_line=_source_line(src, e.line), end_line=e.end_line) from None
    from lark.exceptions import UnexpectedInput

    try:
        tree: Dockerfile = get_parser(escape).parse(tokens)
    except UnexpectedInput as e:  # a lexer/grammar mismatch: a dockmod bug, reported as such
        tok = getattr(e, "token", None)
        line = getattr(tok, "line", None) or 1
        raise ParseError(f"internal error: unexpected token {getattr(tok, 'type', '?')} ({e.__class__.__name__})",
                         path=path, line=line, source_line=_source_line(text, line)) from None
    if bom:
        tree = tree.with_changes(bom=bom)
    return tree


def parse_instruction(text: str, escape: str = "\\") -> Instruction:
    """Parse the text of one instruction (with its heredoc bodies, if any) on its own.

    For transforms that rebuild an instruction's text and want BuildKit's tokenization of
    the result. Raises :class:`dockmod.ParseError` unless ``text`` is exactly one
    instruction with no blank or comment lines around it.
    """
    prefix = "" if escape == "\\" else f"# escape={escape}\n"
    df = parse(prefix + text)
    if len(df.body) != 1 or df.body[0].leading_lines or df.footer:
        raise ParseError("expected exactly one instruction", line=1, source_line=_source_line(text, 1))
    return df.body[0]
