"""Instruction tokenizer: one logical instruction line in, Lark tokens out.

BuildKit decides an instruction's shape in Go code, not in a grammar (``splitCommand``,
``extractBuilderFlags`` and the per-keyword ``line_parsers``): whether a body is JSON is
decided by trying to decode it, and ENV's legacy form by whether the first word holds an
``=``. Those decisions are made here, with the ported rules in ``words.py``; the Lark
grammar then checks and assembles the token sequence. Token *values* are the physical
text, continuations and interleaved comment lines included, so joining the tokens gives
back the input.
"""

from __future__ import annotations

from bisect import bisect_right

from lark import Token

from dockmod.lang.words import (
    ASCII_WS,
    NotStringArray,
    decode_json_array,
    go_quote,
    _BYTE_SPACE,
    extract_flags,
    flag_value,
    lstrip_len,
    parse_words,
    rstrip_len,
)

KEYWORDS = {
    "from": "FROM", "run": "RUN", "cmd": "CMD", "label": "LABEL", "maintainer": "MAINTAINER",
    "expose": "EXPOSE", "env": "ENV", "add": "ADD", "copy": "COPY", "entrypoint": "ENTRYPOINT",
    "volume": "VOLUME", "user": "USER", "workdir": "WORKDIR", "arg": "ARG", "onbuild": "ONBUILD",
    "stopsignal": "STOPSIGNAL", "healthcheck": "HEALTHCHECK", "shell": "SHELL",
}
_MAYBE_JSON = frozenset(("RUN", "CMD", "ENTRYPOINT", "SHELL"))
_JSON_OR_LIST = frozenset(("ADD", "COPY", "VOLUME"))
_LIST = frozenset(("FROM", "EXPOSE"))
_STRING = frozenset(("MAINTAINER", "STOPSIGNAL", "USER", "WORKDIR"))
_HEREDOC = frozenset(("RUN", "COPY", "ADD"))
# Token types whose physical text absorbs a continuation that sits at their boundary.
_SPACE_TYPES = frozenset(("WS", "EOL"))
# Emitted even when empty: the end of line, and the keyword, which is empty when a line
# holding only the escape char is continued to EOF (BuildKit then has an instruction
# whose command is "").
_ALWAYS = frozenset(["EOL"] + ["KW_" + k for k in (*KEYWORDS.values(), "UNKNOWN")])


_str_new = str.__new__


def token(type_: str, value: str, line: int) -> Token:
    """``Token(type_, value, line=line)``, made without Lark's constructor (which checks
    its arguments for deprecated names on every call: a fifth of the scanner's time, for
    the ~60 tokens of a file). Every slot is set as Lark sets it."""
    t = _str_new(Token, value)
    t.type = type_
    t.value = value
    t.line = line
    t.start_pos = t.column = t.end_line = t.end_column = t.end_pos = None
    return t


class LexFailure(ValueError):
    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


_NOT_STRINGS = "when using JSON array syntax, arrays must be comprised of strings only"


def _json_or(kind_tok: str, line: str, a: int, b: int, out: list) -> bool:
    """Emit JSON or the fallback token for [a, b); True when it was JSON."""
    try:
        is_json = decode_json_array(line[a:b]) is not None
    except NotStringArray:
        raise LexFailure(_NOT_STRINGS, a) from None
    out.append(("JSON" if is_json else kind_tok, a, b))
    return is_json


def _words(line: str, a: int, b: int, out: list, typ: str = "WORD") -> list[tuple[int, int]]:
    spans = []
    i = a
    while i < b:
        j = i
        while j < b and line[j] not in ASCII_WS:
            j += 1
        spans.append((i, j))
        while j < b and line[j] in ASCII_WS:
            j += 1
        i = j
    for s, e in spans:
        out.append((typ, s, e))
    return spans


def _tokenize(line: str, a: int, b: int, escape: str, out: list) -> tuple[str, bool]:
    """Typed spans for ``line[a:b]`` (already trimmed). Returns (kind, is_json) for heredocs."""
    k = a
    while k < b and line[k] not in ASCII_WS:
        k += 1
    kind = KEYWORDS.get(line[a:k].lower(), "UNKNOWN")
    out.append(("KW_" + kind, a, k))
    if k == b:
        return kind, False
    k2 = k
    while k2 < b and line[k2] in ASCII_WS:
        k2 += 1
    sub = line[:b] if b != len(line) else line
    flags, term, args_start = extract_flags(sub, k2, escape)
    for s, e in flags:
        out.append(("FLAG", s, e))
    if term is not None:
        out.append(("FLAG_END", *term))
    a2 = lstrip_len(line, args_start) if args_start < b else b
    if a2 >= b:
        return kind, False

    if kind in _MAYBE_JSON:
        return kind, _json_or("SHELL", line, a2, b, out)
    if kind in _JSON_OR_LIST:
        try:
            is_json = decode_json_array(line[a2:b]) is not None
        except NotStringArray:
            raise LexFailure(_NOT_STRINGS, a2) from None
        if is_json:
            out.append(("JSON", a2, b))
        else:
            _words(line, a2, b, out)
        return kind, is_json
    if kind in _STRING:
        out.append(("STRING", a2, b))
        return kind, False
    if kind == "FROM":
        tmp: list = []
        spans = _words(line, a2, b, tmp)
        if len(spans) == 3 and line[spans[1][0] : spans[1][1]].lower() == "as":
            out.append(("IMAGE", *spans[0]))
            out.append(("AS", *spans[1]))
            out.append(("STAGE", *spans[2]))
        else:
            out.append(("IMAGE", *spans[0]))
            out.extend(tmp[1:])
        return kind, False
    if kind == "EXPOSE":
        _words(line, a2, b, out)
        return kind, False
    if kind == "ENV" or kind == "LABEL":
        words = parse_words(line, a2, b, escape)
        if not words:
            return kind, False
        if "=" not in words[0][2]:
            j = a2
            while j < b and line[j] not in ASCII_WS:
                j += 1
            if j == b:
                raise LexFailure(f"{kind} must have two arguments", a2)
            j2 = j
            while j2 < b and line[j2] in ASCII_WS:
                j2 += 1
            out.append(("KEY", a2, j))
            out.append(("VALUE", j2, b))
            return kind, False
        for s, e, text in words:
            if "=" not in text:
                raise LexFailure(
                    f"Syntax error - can't find = in {go_quote(text)}. Must be of the form: name=value", s
                )
            out.append(("KV", s, e))
        return kind, False
    if kind == "ARG":
        for s, e, _text in parse_words(line, a2, b, escape):
            out.append(("KV", s, e))
        return kind, False
    if kind == "HEALTHCHECK":
        sep = a2
        while sep < b and line[sep] not in _BYTE_SPACE:
            sep += 1
        out.append(("HC_TYPE", a2, sep))
        nxt = sep
        while nxt < b and line[nxt] in _BYTE_SPACE:
            nxt += 1
        if nxt < b:
            return kind, _json_or("SHELL", line, nxt, b, out)
        return kind, False
    if kind == "ONBUILD":
        sub_kind, sub_json = _tokenize(line, a2, b, escape, out)
        return sub_kind, sub_json
    out.append(("ARGS", a2, b))
    return kind, False


def tokenize_instruction(
    pieces: list[tuple[str, bool]], logical: str, escape: str, line_no: int
) -> tuple[list[Token], bool]:
    """Tokens for one instruction and whether BuildKit would look for heredocs on it.

    ``pieces`` are the physical pieces (text, is_logical) whose logical ones join into
    ``logical``. The last token is always ``EOL`` (trailing whitespace; the scanner adds
    the newline).
    """
    a = lstrip_len(logical)
    b = rstrip_len(logical, None, a)
    spans: list[tuple[str, int, int]] = [("INDENT", 0, a)]
    try:
        kind, is_json = _tokenize(logical, a, b, escape, spans)
    except LexFailure as e:
        raise LexFailure(e.message, _phys_column(pieces, e.column)) from None
    heredoc_ok = kind in _HEREDOC and not is_json

    # Fill the gaps between typed spans with whitespace tokens.
    typed = spans
    spans = []
    pos = 0
    for typ, s, e in typed:
        if s > pos:
            spans.append(("WS", pos, s))
        spans.append((typ, s, e))
        pos = e
    spans.append(("EOL", pos, len(logical)))

    if len(pieces) == 1:
        return [token(t, logical[s:e], line_no) for t, s, e in spans if e > s or t in _ALWAYS], heredoc_ok

    phys = "".join(p for p, _ in pieces)
    log_starts: list[int] = []
    phys_starts: list[int] = []
    lpos = ppos = 0
    for text, is_log in pieces:
        if is_log and text:
            log_starts.append(lpos)
            phys_starts.append(ppos)
            lpos += len(text)
        ppos += len(text)

    def start_of(p: int) -> int:
        if p >= lpos:
            return len(phys)
        k = bisect_right(log_starts, p) - 1
        return phys_starts[k] + (p - log_starts[k])

    def end_of(p: int) -> int:
        if p <= 0:
            return 0
        return start_of(p - 1) + 1

    tokens = []
    cut = 0
    last = len(spans) - 1
    for idx, (typ, s, e) in enumerate(spans):
        if idx == last:
            nxt = len(phys)
        else:
            ntyp = spans[idx + 1][0]
            nxt = end_of(e) if ntyp in _SPACE_TYPES else start_of(e)
            nxt = max(nxt, cut)
        if nxt > cut or typ in _ALWAYS:
            tokens.append(token(typ, phys[cut:nxt], line_no))
        cut = nxt
    return tokens, heredoc_ok


def _phys_column(pieces: list[tuple[str, bool]], logical_pos: int) -> int:
    """0-based column of a logical position, when it lies on the first physical line."""
    first = pieces[0][0]
    return logical_pos if logical_pos <= len(first) else 0


__all__ = ["tokenize_instruction", "LexFailure", "decode_json_array", "go_quote", "KEYWORDS", "flag_value"]


from lark.lexer import Lexer as _LarkLexer  # noqa: E402


class PassThroughLexer(_LarkLexer):
    """The scanner has already made the tokens; Lark only parses them."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, data, *args):  # type: ignore[no-untyped-def, override]
        return iter(data)
