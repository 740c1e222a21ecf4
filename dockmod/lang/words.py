"""BuildKit's word-level rules, ported so that dockmod splits text exactly as BuildKit does.

Each function names the Go function it mirrors (moby/buildkit, ``frontend/dockerfile``).
They work on the *logical* line (continuations already joined) and return spans into it,
so the scanner can map them back onto the physical bytes.

Known, documented differences from Go, all in input that Go itself mangles:

* ``extractBuilderFlags`` walks bytes, so a flag holding a multi-byte character whose
  UTF-8 form contains the byte 0x85 or 0xA0 (e.g. ``à``) is split inside that character
  by Go. dockmod splits at character boundaries only. The flag's *value* still matches
  Go's, Latin-1 reinterpretation included (see :func:`flag_value`).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

# Go's unicode.IsSpace: the Unicode White_Space property. Python's str.isspace() also
# accepts U+001C..U+001F, which Go does not, so the set is spelled out.
GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# extractBuilderFlags tests single bytes with unicode.IsSpace(rune(b)). Decoded with
# surrogateescape, a lone 0x85 or 0xA0 byte is the char U+DC85 or U+DCA0.
_BYTE_SPACE = frozenset("\t\n\v\f\r \udc85\udca0")
# parser.reWhitespace: ASCII only, no newline.
ASCII_WS = frozenset("\t\v\f\r ")
ASCII_WS_RE = re.compile(r"[\t\v\f\r ]+")


def lstrip_len(s: str, start: int = 0) -> int:
    """Index of the first non-space character at or after ``start`` (Go TrimLeftFunc)."""
    n = len(s)
    while start < n and s[start] in GO_SPACE:
        start += 1
    return start


def rstrip_len(s: str, end: int | None = None, start: int = 0) -> int:
    """Index just past the last non-space character before ``end`` (Go TrimRightFunc)."""
    if end is None:
        end = len(s)
    while end > start and s[end - 1] in GO_SPACE:
        end -= 1
    return end


def go_trim(s: str) -> str:
    """strings.TrimSpace."""
    a = lstrip_len(s)
    return s[a : rstrip_len(s, None, a)]


# --- splitCommand / extractBuilderFlags ------------------------------------------------


def extract_flags(
    line: str, start: int, escape: str
) -> tuple[list[tuple[int, int]], tuple[int, int] | None, int]:
    """Mirror of ``extractBuilderFlags`` on ``line[start:]``.

    Returns ``(flag_spans, terminator_span, args_start)``: the raw spans of the flag words,
    the span of a ``--`` terminator word (or None), and where the arguments begin
    (len(line) when none remain). A ``--`` word that ends the line is dropped, as in Go.
    """
    flags: list[tuple[int, int]] = []
    n = len(line)
    pos = start
    while True:
        while pos < n and line[pos] in _BYTE_SPACE:
            pos += 1
        if pos >= n:
            return flags, None, n
        if not line.startswith("--", pos):
            return flags, None, pos
        wstart = pos
        quote = ""
        while pos < n:
            ch = line[pos]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == escape:
                    pos += 1  # the escaped char (or nothing at end of line)
            elif ch in _BYTE_SPACE:
                break
            elif ch == "'" or ch == '"':
                quote = ch
            elif ch == escape:
                pos += 1
            pos += 1
        pos = min(pos, n)
        if flag_value(line[wstart:pos], escape) == "--":  # Go compares the unquoted word
            return flags, (wstart, pos), pos
        flags.append((wstart, pos))


def flag_value(raw: str, escape: str) -> str:
    """The flag word as BuildKit stores it: quotes and escapes removed.

    Go builds it byte by byte with ``WriteRune(rune(b))``, so every non-ASCII byte is
    reinterpreted as Latin-1; this does the same, to match BuildKit's output exactly.
    """
    if raw.isascii() and "'" not in raw and '"' not in raw and escape not in raw:
        return raw
    data = raw.encode("utf-8", "surrogateescape")
    esc = ord(escape)
    out: list[str] = []
    quote = 0
    i = 0
    n = len(data)
    while i < n:
        b = data[i]
        if quote:
            if b == quote:
                quote = 0
                i += 1
                continue
            if b == esc:
                if i + 1 == n:
                    break
                i += 1
                b = data[i]
        else:
            if b in (0x27, 0x22):
                quote = b
                i += 1
                continue
            if b == esc:
                if i + 1 == n:
                    break
                i += 1
                b = data[i]
        out.append(chr(b))
        i += 1
    return "".join(out)


# --- line_parsers.parseWords -----------------------------------------------------------


def parse_words(rest: str, start: int, end: int, escape: str) -> list[tuple[int, int, str]]:
    """Mirror of ``parseWords``: word spans with their text (quotes and escapes kept).

    The text differs from the raw span only when an escape char ends the input; Go drops it.
    """
    words: list[tuple[int, int, str]] = []
    pos = start
    while pos < end:
        if rest[pos] in GO_SPACE:
            pos += 1
            continue
        wstart = pos
        quote = ""
        dropped = False
        while pos < end:
            ch = rest[pos]
            if not quote:
                if ch in GO_SPACE:
                    break
                if ch == "'" or ch == '"':
                    quote = ch
                elif ch == escape:
                    if pos + 1 == end:
                        dropped = True
                        pos += 1
                        break
                    pos += 1
            else:
                if ch == quote:
                    quote = ""
                elif ch == escape and quote != "'":
                    if pos + 1 == end:
                        dropped = True
                        pos += 1
                        break
                    pos += 1
            pos += 1
        text = rest[wstart : pos - 1] if dropped else rest[wstart:pos]
        words.append((wstart, pos, text))
    return words


# --- shell.Lex.ProcessWords ------------------------------------------------------------


class LexError(ValueError):
    """The shell lexer rejected the text (unterminated quote, bad substitution, ...)."""


_SPECIAL_PARAMS = frozenset("@*#?-$!0")


class Unknown:
    """The one value that stands for "cannot be known statically" (``UNKNOWN``).

    A build argument without a default, a platform argument, a variable set by a base
    image dockmod does not know: each is ``UNKNOWN``, never guessed. Falsy, so
    ``if value:`` never mistakes it for a real string.
    """

    __slots__ = ()
    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:  # noqa: PYI034 - a singleton
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Unknown = Unknown()


class UnknownValue(Exception):
    """Raised by :func:`expand_word` when a variable it needs has an ``UNKNOWN`` value."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class _Lex:
    """Port of BuildKit's ``shell.Lex`` (``frontend/dockerfile/shell/lex.go``).

    Two modes. With ``lookup`` None it is ``SkipUnsetEnv``: variables missing from ``env``
    are kept verbatim (heredoc detection, image expansion in the parser). With ``lookup``
    (a function name → str, None for unset, or ``UNKNOWN``) it expands as BuildKit's
    dispatcher does: unset is empty, ``${X#p}``/``${X%p}``/``${X/p/r}`` are applied, and a
    variable whose value is ``UNKNOWN`` raises :class:`UnknownValue`.
    """

    __slots__ = ("env", "escape", "i", "lookup", "n", "raw_escapes", "raw_quotes", "s")

    def __init__(self, s: str, escape: str, raw_quotes: bool, raw_escapes: bool,
                 env: dict[str, str] | None, lookup: Any = None) -> None:
        self.s = s
        self.i = 0
        self.n = len(s)
        self.escape = escape
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes
        self.env = env or {}
        self.lookup = lookup

    def _get(self, name: str) -> str | None:
        """The value of ``name``, None when unset; raises UnknownValue."""
        if self.lookup is None:
            return self.env.get(name)
        if not name or name[0].isdigit() or name in _SPECIAL_PARAMS:
            return None  # positional and special parameters are never set in a Dockerfile
        v = self.lookup(name)
        if v is UNKNOWN:
            raise UnknownValue(name)
        return v

    def peek(self) -> str:
        return self.s[self.i] if self.i < self.n else ""

    def next(self) -> str:
        if self.i < self.n:
            ch = self.s[self.i]
            self.i += 1
            return ch
        return ""

    def process_stop_on(self, stop: str, raw_escapes: bool, words: bool = True) -> tuple[str, list[str]]:
        """Process up to ``stop``; ``words=False`` skips the word splitting (the text only)."""
        saved = self.raw_escapes
        self.raw_escapes = raw_escapes
        try:
            return self._process_stop_on(stop) if words else (self._text_stop_on(stop), [])
        finally:
            self.raw_escapes = saved

    def _text_stop_on(self, stop: str) -> str:
        # ``_process_stop_on`` without the words: the same result string, much cheaper.
        s, n, esc = self.s, self.n, self.escape
        result: list[str] = []
        while self.i < n:
            ch = s[self.i]
            if stop and ch == stop:
                self.i += 1
                return "".join(result)
            if ch == "$":
                result.append(self.process_dollar())
                continue
            if ch == "<":
                result.append(self.process_possible_heredoc())
                continue
            if ch == "'":
                result.append(self.process_single_quote())
                continue
            if ch == '"':
                result.append(self.process_double_quote())
                continue
            self.i += 1
            if ch == esc:
                if self.raw_escapes:
                    result.append(ch)
                ch = self.next()
                if ch == "":
                    break
            result.append(ch)
        if stop:
            raise LexError(f"unexpected end of statement while looking for matching {stop}")
        return "".join(result)

    def _process_stop_on(self, stop: str) -> tuple[str, list[str]]:
        result: list[str] = []
        words: list[str] = []
        buf: list[str] = []
        in_word = False

        def add_char(ch: str) -> None:
            nonlocal in_word
            if ch in GO_SPACE:
                if in_word and buf:
                    words.append("".join(buf))
                    buf.clear()
                    in_word = False
            else:
                buf.append(ch)
                in_word = True

        while self.i < self.n:
            ch = self.s[self.i]
            if stop and ch == stop:
                self.i += 1
                if buf:
                    words.append("".join(buf))
                return "".join(result), words
            if ch == "$" or ch == "<" or ch == "'" or ch == '"':
                if ch == "$":
                    tmp = self.process_dollar()
                    result.append(tmp)
                    for c in tmp:
                        add_char(c)
                    continue
                if ch == "<":
                    tmp = self.process_possible_heredoc()
                elif ch == "'":
                    tmp = self.process_single_quote()
                else:
                    tmp = self.process_double_quote()
                result.append(tmp)
                buf.append(tmp)
                in_word = True
                continue
            self.i += 1
            if ch == self.escape:
                if self.raw_escapes:
                    buf.append(ch)
                    in_word = True
                    result.append(ch)
                ch = self.next()
                if ch == "":
                    break
                buf.append(ch)
                in_word = True
            else:
                add_char(ch)
            result.append(ch)
        if stop:
            raise LexError(f"unexpected end of statement while looking for matching {stop}")
        if buf:
            words.append("".join(buf))
        return "".join(result), words

    def process_single_quote(self) -> str:
        out: list[str] = []
        ch = self.next()
        if self.raw_quotes:
            out.append(ch)
        while True:
            ch = self.next()
            if ch == "":
                raise LexError("unexpected end of statement while looking for matching single-quote")
            if ch == "'":
                if self.raw_quotes:
                    out.append(ch)
                return "".join(out)
            out.append(ch)

    def process_double_quote(self) -> str:
        out: list[str] = []
        ch = self.next()
        if self.raw_quotes:
            out.append(ch)
        while True:
            p = self.peek()
            if p == "":
                raise LexError("unexpected end of statement while looking for matching double-quote")
            if p == '"':
                ch = self.next()
                if self.raw_quotes:
                    out.append(ch)
                return "".join(out)
            if p == "$":
                out.append(self.process_dollar())
                continue
            ch = self.next()
            if ch == self.escape:
                if self.raw_escapes:
                    out.append(ch)
                p = self.peek()
                if p == "":
                    continue
                if p in ('"', "$", self.escape):
                    ch = self.next()
            out.append(ch)

    def process_name(self) -> str:
        name: list[str] = []
        while self.i < self.n:
            ch = self.s[self.i]
            if not name and ch.isdigit():
                while self.i < self.n and self.s[self.i].isdigit():
                    name.append(self.s[self.i])
                    self.i += 1
                return "".join(name)
            if not name and ch in _SPECIAL_PARAMS:
                self.i += 1
                return ch
            if not (ch.isalpha() or ch.isdigit() or ch == "_"):
                break
            name.append(ch)
            self.i += 1
        return "".join(name)

    def process_dollar(self) -> str:
        self.next()
        skip = self.lookup is None
        if self.peek() != "{":
            name = self.process_name()
            if not name:
                return "$"
            value = self._get(name)
            if value is None:
                return "$" + name if skip else ""
            return value
        self.next()
        p = self.peek()
        if p == "":
            raise LexError("syntax error: missing '}'")
        if p in "{}:":
            raise LexError("syntax error: bad substitution")
        name = self.process_name()
        ch = self.next()
        chs = ch
        null_is_unset = False
        if ch == "}":
            value = self._get(name)
            if value is None:
                return "${" + name + "}" if skip else ""
            return value
        if ch == ":":
            null_is_unset = True
            ch = self.next()
            chs += ch
        if null_is_unset or (ch != "" and ch in "+-?#%"):
            # Go falls through from ':' into this branch whatever char follows it.
            raw = ch != "" and ch in "#%"
            if null_is_unset and raw:
                raise LexError(f"unsupported modifier ({chs}) in substitution")
            try:
                word, _ = self.process_stop_on("}", raw, words=False)
            except LexError:
                if self.peek() == "":
                    raise LexError("syntax error: missing '}'") from None
                raise
            value = self._get(name)
            if value is None and skip:
                return "${" + name + chs + word + "}"
            is_set = value is not None
            value = value or ""
            if ch == "-":
                return word if (not is_set or (null_is_unset and value == "")) else value
            if ch == "+":
                return "" if (not is_set or (null_is_unset and value == "")) else word
            if ch == "?":
                if not is_set:
                    raise LexError(f"{name}: {word or 'is not allowed to be unset'}")
                if null_is_unset and value == "":
                    raise LexError(f"{name}: {word or 'is not allowed to be empty'}")
                return value
            if ch != "" and ch in "#%":
                if skip:
                    # The parser's callers never need trimming; not guessed at.
                    return value
                greedy = word.startswith(ch)
                if greedy:
                    word = word[1:]
                if ch == "%":
                    return _trim_suffix(word, value, greedy)
                return _trim_prefix(word, value, greedy)
            raise LexError(f"unsupported modifier ({chs}) in substitution")
        if ch == "/":
            replace_all = self.peek() == "/"
            if replace_all:
                self.next()
            pattern, _ = self.process_stop_on("/", True, words=False)
            replacement, _ = self.process_stop_on("}", True, words=False)
            value = self._get(name)
            if value is None and skip:
                return "${" + name + "/" + pattern + "/" + replacement + "}"
            if skip:
                return value or ""
            rx = _shell_pattern(pattern, greedy=True, anchored=False)
            value = value or ""
            if replace_all:
                return rx.sub(lambda _m: replacement, value)
            m = rx.search(value)
            return value if m is None else value[: m.start()] + replacement + value[m.end():]
        raise LexError(f"unsupported modifier ({chs}) in substitution")

    def process_possible_heredoc(self) -> str:
        self.next()
        if self.peek() != "<":
            return "<"
        self.next()
        space: list[str] = []
        while self.peek() in ("\t", "\r", " ") and self.peek() != "":
            space.append(self.next())
        return "<<" + "".join(space)


def process_words(s: str, escape: str = "\\", *, raw_quotes: bool = False,
                  raw_escapes: bool = False, env: dict[str, str] | None = None) -> list[str]:
    """``shell.Lex.ProcessWords`` with SkipUnsetEnv. Raises :class:`LexError`."""
    return _Lex(s, escape, raw_quotes, raw_escapes, env).process_stop_on("", raw_escapes)[1]


def process_word(s: str, escape: str = "\\", env: dict[str, str] | None = None) -> str:
    """``shell.Lex.ProcessWord``: quotes removed, variables from ``env`` expanded."""
    return _Lex(s, escape, False, False, env).process_stop_on("", False, words=False)[0]


def expand_word(s: str, lookup: Any, escape: str = "\\") -> str:
    """``ProcessWord`` as the dispatcher runs it: unset variables expand to nothing.

    ``lookup(name)`` returns the value, None when unset, or ``UNKNOWN``. Raises
    :class:`LexError` where BuildKit fails and :class:`UnknownValue` where the result
    depends on an ``UNKNOWN`` value.
    """
    return _Lex(s, escape, False, False, None, lookup).process_stop_on("", False, words=False)[0]


def expand_words(s: str, lookup: Any, escape: str = "\\") -> list[str]:
    """``ProcessWords`` with expansion as in :func:`expand_word`: the words after splitting."""
    return _Lex(s, escape, False, False, None, lookup).process_stop_on("", False)[1]


def _shell_pattern(pattern: str, greedy: bool, anchored: bool) -> re.Pattern[str]:
    """``convertShellPatternToRegex``: ``*`` and ``?`` wildcards, ``\\`` escapes them."""
    out = ["^"] if anchored else []
    star = ".*" if greedy else ".*?"
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        i += 1
        if ch == "*":
            out.append(star)
        elif ch == "?":
            out.append(".")
        elif ch == "\\":
            nxt = pattern[i] if i < n else ""
            if nxt in ("}", "/"):
                continue
            i += 1
            if nxt not in ("*", "?", "\\"):
                raise LexError(f"invalid pattern ({pattern}) in substitution: invalid escape '\\{nxt}'")
            out.append(re.escape(nxt))
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.DOTALL)


def _trim_prefix(pattern: str, value: str, greedy: bool) -> str:
    m = _shell_pattern(pattern, greedy, anchored=True).search(value)
    return value[m.end():] if m else value


def _reverse_pattern(pattern: str) -> str:
    # Reverse, keeping each ``\x`` escape in front of its character.
    units: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        if pattern[i] == "\\" and i + 1 < n:
            units.append(pattern[i : i + 2])
            i += 2
        else:
            units.append(pattern[i])
            i += 1
    return "".join(reversed(units))


def _trim_suffix(pattern: str, value: str, greedy: bool) -> str:
    # As BuildKit: reverse pattern and value, so the shortest suffix is a leftmost match.
    return _trim_prefix(_reverse_pattern(pattern), value[::-1], greedy)[::-1]


# --- parser.heredocsFromLine -----------------------------------------------------------

_HEREDOC_RE = re.compile(r"([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)\Z", re.DOTALL)


def heredocs_from_line(line: str) -> list[tuple[str, int, bool, bool]]:
    """Heredoc markers on a logical line: ``(name, fd, chomp, expand)`` each, in order.

    Mirrors ``heredocsFromLine``: the line is split with the shell lexer (raw quotes and
    escapes; a lexer error means no heredocs), and each word is matched as ``[n]<<[-]WORD``.
    The lexer always uses ``\\`` here, whatever the file's escape character, as in Go.
    """
    try:
        words = process_words(line, "\\", raw_quotes=True, raw_escapes=True)
    except LexError:
        return []
    docs = []
    for word in words:
        doc = parse_heredoc(word)
        if doc is not None:
            docs.append(doc)
    return docs


def parse_heredoc(word: str) -> tuple[str, int, bool, bool] | None:
    """``ParseHeredoc``: ``word`` as a heredoc marker ``(name, fd, chomp, expand)``, or None.

    Raises :class:`HeredocError` where Go returns an error (``MustParseHeredoc`` ignores it).
    """
    m = _HEREDOC_RE.match(word)
    if not m or not m.group(3):
        return None
    rest = m.group(3)
    try:
        plain = process_words(rest, "\\")
    except LexError as e:
        raise HeredocError(str(e)) from None
    if len(plain) != 1:
        return None
    raw = process_words(rest, "\\", raw_quotes=True)
    if len(raw) != len(plain):
        raise HeredocError(f"internal lexing of heredoc produced inconsistent results: {rest}")
    name = plain[0]
    expand = (name.count("'") + name.count('"')) == (raw[0].count("'") + raw[0].count('"'))
    return name, int(m.group(1) or 0), m.group(2) == "-", expand


class HeredocError(ValueError):
    """A heredoc marker that BuildKit rejects."""


# --- continuations inside a token's physical text --------------------------------------

_WS_NO_NL = "".join(sorted(GO_SPACE - {"\n"}))


@lru_cache(maxsize=None)  # one pattern per escape character (2): not rebuilt per call
def _gap_re(escape: str) -> re.Pattern[str]:
    # A continuation gap as the scanner cuts it: the escape char, spaces/tabs, the newline,
    # then any whole comment or whitespace-only lines that BuildKit skips. Logical text
    # never holds a newline, so every newline inside a token belongs to such a gap.
    e = re.escape(escape)
    ws = re.escape(_WS_NO_NL)
    return re.compile(rf"{e}[ \t]*\r*\n(?:[{ws}]*(?:#[^\n]*)?\n)*")


def logical_text(raw: str, escape: str = "\\") -> str:
    """A token's text as BuildKit sees it: line continuations removed.

    Not for the end-of-line token, whose gap may end at EOF without a newline.
    """
    if "\n" not in raw:
        return raw
    # One memo for every caller (the semantic model's pre-filters, the edits, arguments):
    # a RUN's text is asked for by several of them, each a regex pass over the whole text
    # before. Exact: the result is a pure function of (raw, escape).
    key = (raw, escape)
    text = _LOGICAL.get(key)
    if text is None:
        if len(_LOGICAL) >= _LOGICAL_SIZE:  # bounded: texts come from arbitrary files
            _LOGICAL.clear()
        text = _LOGICAL[key] = _gap_re(escape).sub("", raw)
    return text


#: :func:`logical_text`'s memo, (raw, escape) → logical text, for texts with a newline.
_LOGICAL: dict[tuple[str, str], str] = {}
#: Far more than one file's texts (a corpus check asks for ~1,800 distinct ones in all).
_LOGICAL_SIZE = 1024


# --- JSON arrays (BuildKit's parseJSON) and Go quoting for its messages ---------------


class NotStringArray(ValueError):
    pass


def _reject_constant(name: str) -> None:
    raise ValueError(name)  # Go's encoding/json has no NaN/Infinity


def decode_json_array(text: str) -> list[str] | None:
    """``parseJSON``: the strings of a JSON array, or None when ``text`` is not one.

    Raises :class:`NotStringArray` for a valid array holding a non-string, which BuildKit
    rejects outright instead of falling back to shell form.
    """
    t = text[lstrip_len(text):]
    if not t.startswith("["):
        return None
    try:
        value = json.loads(t, parse_constant=_reject_constant)
    except ValueError:
        return None
    except RecursionError:
        raise NotStringArray() from None
    if not isinstance(value, list):
        return None
    for item in value:
        if not isinstance(item, str):
            raise NotStringArray()
    return value


def go_quote(s: str) -> str:
    """Go's ``strconv.Quote`` (``%q``, ``%#v``) for the messages BuildKit formats with it.

    An undecodable byte (a surrogate, from ``surrogateescape``) is ``\\xNN``, as Go quotes a
    byte that is not UTF-8.
    """
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch in _SHORT:
            out.append(_SHORT[ch])
        elif 0xDC80 <= o <= 0xDCFF:
            out.append(f"\\x{o - 0xDC00:02x}")
        elif ch == " " or (ch.isprintable() and o != 0xFEFF):
            out.append(ch)
        elif o < 0x80:
            out.append(f"\\x{o:02x}")
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


_SHORT = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
