"""The physical-line scanner in front of the Lark grammar.

It follows BuildKit's ``parser.Parse`` loop line by line, but keeps every byte:

* strips and remembers a UTF-8 BOM;
* reads parser directives until the first line that is not one (``directives.py``);
* skips blank and comment lines between instructions, emitting them as tokens;
* joins an instruction's continuation lines the way BuildKit does (the escape char plus
  trailing spaces/tabs at the end of a line; comment lines and whitespace-only lines inside
  a continuation are dropped from the logical line, and only EOF ends a continuation);
* reads heredoc bodies after the line that opens them.

Each instruction's *logical* line is handed to ``lexer.tokenize_instruction``, whose
tokens carry the *physical* text (continuations included), so the tokens joined in order
are the input, byte for byte.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lark import Token

from dockmod.lang.directives import DirectiveError, DirectiveParser
from dockmod.grammar.lexer import LexFailure, token, tokenize_instruction
from dockmod.lang.words import GO_SPACE, HeredocError, heredocs_from_line, lstrip_len

_GO_SPACE_CHARS = "".join(sorted(GO_SPACE))


def _lead(s: str) -> int:
    """``lstrip_len(s)``, with ``str.lstrip`` (one call in C instead of a loop per char)."""
    return len(s) - len(s.lstrip(_GO_SPACE_CHARS))

BOM = "\ufeff"


class ScanError(ValueError):
    """Input BuildKit rejects. ``line`` is 1-based, ``column`` 0-based (a raw offset)."""

    def __init__(self, message: str, line: int, column: int = 0, end_line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.end_line = end_line if end_line is not None else line


@lru_cache(maxsize=2)
def _continuation_re(escape: str) -> re.Pattern[str]:
    # parser.setEscapeToken: `([^E])E[ \t]*$|^E[ \t]*$`. Go's regexp has no look-behind,
    # so a line ending in an escaped escape char plus one more (`foo \\\`) is *not* a
    # continuation in BuildKit; this keeps that quirk.
    e = re.escape(escape)
    return re.compile(rf"(?:(?<=[^{e}])|^){e}[ \t]*\Z", re.S)


def _split_newline(line: str) -> tuple[str, str]:
    """Go's ``bytes.TrimRight(line, "\\r\\n")``: content and the newline bytes after it."""
    content = line.rstrip("\r\n")
    return content, line[len(content):]


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    last = parts.pop()
    out = [p + "\n" for p in parts]
    if last:
        out.append(last)
    return out


def scan(text: str) -> tuple[list[Token], str, str]:
    """Tokens for the whole file, the BOM (``""`` if none) and the escape char.

    Raises :class:`ScanError` for input BuildKit's parser rejects.
    """
    bom = ""
    if text.startswith(BOM):
        bom = BOM
        text = text[1:]
    lines = _lines(text)
    n = len(lines)
    escape = "\\"
    cont_re = _continuation_re(escape)
    directives = DirectiveParser()
    tokens: list[Token] = []
    append = tokens.append
    saw_instruction = False
    i = 0
    while i < n:
        raw = lines[i]
        content, _nl = _split_newline(raw)
        lead = _lead(content)
        stripped = content[lead:] if lead else content
        if not directives.done:
            try:
                found = directives.parse_line(stripped)
            except DirectiveError as e:
                raise ScanError(str(e), i + 1, lead) from None
            if found is not None:
                if found[0] == "escape":
                    escape = found[1]
                    cont_re = _continuation_re(escape)
                append(token("DIRECTIVE", raw, i + 1))
                i += 1
                continue
        if not stripped:
            append(token("BLANK", raw, i + 1))
            i += 1
            continue
        if stripped[0] == "#":
            append(token("COMMENT", raw, i + 1))
            i += 1
            continue

        # An instruction starts here. pieces: (physical text, is_logical)
        start_line = i + 1
        pieces: list[tuple[str, bool]] = []
        m = cont_re.search(stripped) if stripped[-1] in " \t" or stripped[-1] == escape else None
        if m is None:
            pieces.append((content, True))
            newline = _nl
            i += 1
        else:
            cut = lead + m.start()
            pieces.append((content[:cut], True))
            pieces.append((content[cut:] + _nl, False))
            newline = ""
            i += 1
            while i < n:
                raw = lines[i]
                content, _nl = _split_newline(raw)
                i += 1
                lead = _lead(content)
                if lead == len(content) or content[lead] == "#":
                    # Comment and whitespace-only lines inside a continuation are dropped.
                    pieces.append((raw, False))
                    continue
                last = content[-1]
                m = cont_re.search(content) if (last == escape or last in " \t") else None
                if m is None:
                    pieces.append((content, True))
                    newline = _nl
                    break
                pieces.append((content[: m.start()], True))
                pieces.append((content[m.start():] + _nl, False))

        logical = pieces[0][0] if len(pieces) == 1 else "".join([p for p, is_log in pieces if is_log])
        try:
            itoks, heredoc_ok = tokenize_instruction(pieces, logical, escape, start_line)
        except LexFailure as e:
            raise ScanError(e.message, start_line, e.column, i) from None
        tokens.extend(itoks)
        # The instruction's end of line: trailing whitespace was emitted by the lexer as EOL.
        eol = tokens[-1]
        tokens[-1] = token("EOL", eol.value + newline, eol.line)
        saw_instruction = True

        if heredoc_ok and "<<" in logical:
            try:
                docs = heredocs_from_line(logical[lstrip_len(logical):])
            except HeredocError as e:
                raise ScanError(str(e), start_line, 0, i) from None
            for name, _fd, chomp, _expand in docs:
                body_start = i
                terminated = False
                while i < n:
                    raw = lines[i]
                    i += 1
                    cand, _ = _split_newline(raw)
                    if chomp:
                        cand = cand.lstrip("\t")
                    if cand == name:
                        terminated = True
                        break
                if not terminated:
                    first = lines[start_line - 1]
                    col = first.find("<<")
                    raise ScanError(f"unterminated heredoc `{name}`", start_line, max(col, 0), i)
                append(token("HEREDOC_BODY", "".join(lines[body_start : i - 1]), body_start + 1))
                append(token("HEREDOC_END", lines[i - 1], i))

    if not saw_instruction:
        raise ScanError("file with no instructions", max(n, 1), 0)
    return tokens, bom, escape


__all__ = ["scan", "ScanError", "BOM"]
