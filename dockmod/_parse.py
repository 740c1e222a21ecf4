"""``dockmod.parse``: scanner → Lark → CST."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from dockmod.cst.instructions import Cmd, Entrypoint, Instruction, Run
from dockmod.cst.module import Dockerfile, remember_source
from dockmod.errors import ParseError

if TYPE_CHECKING:
    from dockmod.cst._base import Node
    from dockmod.cst.positions import PositionProvider
    from dockmod.lang.instructions import Rejection


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


#: Instructions whose arguments ``instructions.Parse`` never checks: only their flags.
_FLAGS_ONLY = (Run, Cmd, Entrypoint)

#: Instruction keywords BuildKit's dispatcher knows (``instructions.ParseInstruction``).
_KEYWORDS = ("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
             "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR")


def reject_unknown(df: Dockerfile, path: str | None = None) -> None:
    """Raise :class:`ParseError` where ``docker build`` would stop before building anything.

    BuildKit's parser keeps lines that its instruction layer (``instructions.Parse``) then
    rejects, so :func:`parse` keeps them too (the tree is still exact); ``check`` and ``fix``
    reject such a file the way ``docker build`` does, at its first such instruction:

    * a line whose first word is no instruction (``unknown instruction: RUNN (did you mean
      RUN?)``): a merge-conflict marker, a template tag (``{%``), a continuation line that
      lost its backslash, or a UTF-16 file (read as bytes, its first word is no keyword);
    * an instruction with the wrong arguments or flags (``FROM requires either one or three
      arguments``, ``unknown flag: --form``; see :mod:`dockmod.lang.instructions`);
    * an instruction other than ``ARG`` before the first ``FROM`` (``no build stage in
      current context``), or no ``FROM`` at all.
    """
    from dockmod.buildkit import node_args
    from dockmod.cst.instructions import Arg, From, UnknownInstruction
    from dockmod.lang.instructions import Rejection, check

    escape = df.escape
    staged = False
    for ins in df.body:
        if isinstance(ins, UnknownInstruction):
            _reject_unknown_keyword(df, ins, path)
        flags = [f for f in ins.flags if not f.is_terminator]
        if flags or not isinstance(ins, _FLAGS_ONLY):  # RUN, CMD, ENTRYPOINT: only flags are checked
            args, is_json = node_args(ins, escape)
            found = check(ins.name, [f.text for f in flags], args, is_json)
            if found is not None:
                _reject_at(df, ins, found, path)
        if isinstance(ins, From):
            staged = True
        elif not staged and not isinstance(ins, Arg):
            # instructions.Parse: a command needs a stage (CurrentStage).
            _reject_at(df, ins, Rejection("no build stage in current context"), path)
    if not staged and df.body:
        # dockerfile2llb, right after instructions.Parse.
        _reject_at(df, df.body[0], Rejection("dockerfile contains no stages to build"), path)


def _reject_unknown_keyword(df: Dockerfile, unknown: Instruction, path: str | None) -> NoReturn:
    import difflib

    from dockmod.cst.positions import PositionProvider

    positions = PositionProvider(df)
    span = positions.span(unknown)
    line = span.start_line
    source = _display_line(df, positions, line)
    column = len(source) - len(source.lstrip(" \t"))
    keyword = unknown.keyword
    if df.code.startswith(("\udcff\udcfe", "\udcfe\udcff")):
        message = "the file is UTF-16 (it starts with a UTF-16 byte-order mark); BuildKit reads UTF-8"
        line, column, source = 1, 0, ""
    else:
        # The keyword as written: undecodable bytes stay surrogates, which the renderer shows
        # escaped (``\\xf0``), as it shows the source line.
        message = f"unknown instruction: {keyword}"
        near = difflib.get_close_matches(keyword.upper(), _KEYWORDS, n=1, cutoff=0.75)
        if near:
            message += f" (did you mean {near[0]}?)"
    raise ParseError(message, path=path, line=line, raw_column=column, source_line=source)


def reject_dispatch(df: Dockerfile, path: str | None = None) -> None:
    """Raise :class:`ParseError` where ``dockerfile2llb`` stops before building anything
    (:mod:`dockmod.semantic.dispatch`: blank base name, bad ``--platform``, ``COPY --from``
    with a variable or a bad index, circular stage dependencies). Call after
    :func:`reject_unknown`: it reads the semantic model, which needs a file that passes it."""
    from dockmod.semantic import model_for
    from dockmod.semantic.dispatch import first_rejection

    found = first_rejection(model_for(df))
    if found is not None:
        _reject_at(df, found[0], found[1], path)


def _reject_at(df: Dockerfile, ins: Instruction, found: Rejection, path: str | None) -> NoReturn:
    """Raise the :class:`ParseError` of ``found`` (a ``Rejection``), located at the flag or
    argument it names, else at the instruction's keyword."""
    from dockmod.cst.positions import PositionProvider

    positions = PositionProvider(df)
    node = _rejected_node(ins, found) or ins
    span = positions.locate(node, within=ins) or positions.span(ins)
    source = _display_line(df, positions, span.start_line)
    raise ParseError(found.message, path=path, line=span.start_line,
                     raw_column=span.start_column - 1, source_line=source)


def _rejected_node(ins: Instruction, found: Rejection) -> Node | None:
    """The node a rejection's ``flag`` or ``arg`` index names (see ``buildkit.node_args``)."""
    from dockmod.cst import instructions as i

    flag, arg = found.flag, found.arg
    if flag is not None:
        flags = [f for f in ins.flags if not f.is_terminator]
        return flags[flag] if flag < len(flags) else None
    if arg is None:
        return None
    if isinstance(ins, i.Onbuild):
        return ins.instruction if arg == 0 else None
    if isinstance(ins, i.From):
        words = [w for w in (ins.image, ins.as_keyword, ins.stage, *ins.extra) if w is not None]
        return words[arg] if arg < len(words) else None
    if isinstance(ins, i._Paths):
        if ins.json is not None:
            return ins.json
        return ins.arguments[arg] if arg < len(ins.arguments) else None
    if isinstance(ins, i._Pairs):
        if ins.legacy is not None:
            return ins.legacy
        return ins.pairs[arg // 3] if arg // 3 < len(ins.pairs) else None
    if isinstance(ins, i.Arg):
        return ins.pairs[arg] if arg < len(ins.pairs) else None
    if isinstance(ins, i.Healthcheck):
        return ins.type if arg == 0 else ins.command
    return None


def _display_line(df: Dockerfile, positions: PositionProvider, line: int) -> str:
    """The text of ``line`` as an error shows it (without the BOM, which is no column)."""
    source = positions.line_text(line)
    if line == 1 and df.bom and source.startswith(df.bom):
        source = source[len(df.bom):]
    return source
