"""``dockmod.parse``: scanner → Lark → CST."""

from __future__ import annotations

from dockmod.cst.instructions import Instruction
from dockmod.cst.module import Dockerfile, remember_source
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
    remember_source(tree, text)  # positions and pragmas read the text without printing the tree
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


#: Instruction keywords BuildKit's dispatcher knows (``instructions.ParseInstruction``).
_KEYWORDS = ("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
             "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR")


def reject_unknown(df: Dockerfile, path: str | None = None) -> None:
    """Raise :class:`ParseError` where ``docker build`` would stop before building anything.

    BuildKit's parser keeps a line whose first word is no instruction (so :func:`parse` does
    too: the tree is still exact), but its dispatcher then fails the build with ``unknown
    instruction: RUNN (did you mean RUN?)``. ``check`` and ``fix`` reject such a file the same
    way, at the keyword: a merge-conflict marker, a template tag (``{%``), a continuation line
    that lost its backslash, or a UTF-16 file (read as bytes, its first word is no keyword).
    """
    from dockmod.cst.instructions import UnknownInstruction

    unknown = next((i for i in df.body if isinstance(i, UnknownInstruction)), None)
    if unknown is None:
        return
    import difflib

    from dockmod.cst.positions import PositionProvider

    positions = PositionProvider(df)
    span = positions.span(unknown)
    line = span.start_line
    source = positions.line_text(line)
    column = len(source) - len(source.lstrip(" \t"))
    keyword = unknown.keyword
    if df.code.startswith(("\udcff\udcfe", "\udcfe\udcff")):
        message = "the file is UTF-16 (it starts with a UTF-16 byte-order mark); BuildKit reads UTF-8"
        line, column, source = 1, 0, ""
    else:
        shown = keyword.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        message = f"unknown instruction: {shown}"
        near = difflib.get_close_matches(keyword.upper(), _KEYWORDS, n=1, cutoff=0.75)
        if near:
            message += f" (did you mean {near[0]}?)"
    raise ParseError(message, path=path, line=line, raw_column=column, source_line=source)
