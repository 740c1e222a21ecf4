"""Property tests: lossless round trip, and agreement with BuildKit's own parser.

Two families:

* Generated Dockerfiles, composed from realistic pieces (directives, comments, every
  instruction keyword in random case, flags, continuations with comment and blank lines
  inside, JSON forms, ENV/LABEL/ARG pairs, heredocs, CRLF/mixed line endings, BOM, missing
  final newline, trailing whitespace). ``parse(t).code == t``, and
  ``buildkit.instructions`` equals what the ``dockerfile`` package (bindings to BuildKit's
  Go parser) returns; when one side rejects the text, so must the other.
* Arbitrary text: it either parses and round-trips or raises ``dockmod.ParseError``,
  never anything else; and it parses iff BuildKit parses it.

The oracle is not called on text holding NUL (its C bindings cut the string there) or
lone surrogates (undecodable bytes under ``surrogateescape``; the bindings crash the
interpreter on those).
"""

from __future__ import annotations

import json
import re
import string

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis.control import currently_in_test_context
from hypothesis import strategies as st

import dockmod
from tests.oracle import KNOWN_DIFFERENCES
from dockmod import buildkit

dockerfile = pytest.importorskip("dockerfile")

SLOW_OK = [HealthCheck.too_slow]


# --------------------------------------------------------------------------- the oracle


def _oracle_can_take(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return True


def _buildkit(text: str) -> list[dict] | Exception:
    try:
        cmds = dockerfile.parse_string(text)
    except dockerfile.GoParseError as e:
        return e
    # The bindings turn an empty cmd/sub_cmd/original into None (stringToPyOrNone);
    # `_normalize` maps None to "" on both sides.
    return [
        {
            "cmd": c.cmd,
            "sub_cmd": c.sub_cmd,
            "json": c.json,
            "original": c.original,
            "start_line": c.start_line,
            "end_line": c.end_line,
            "flags": list(c.flags),
            "value": list(c.value),
            "heredocs": [{"name": h.name, "content": h.content} for h in c.heredocs],
        }
        for c in cmds
    ]


def _normalize(cmds: list[dict]) -> list[dict]:
    return [{**c, **{k: c[k] or "" for k in ("cmd", "sub_cmd", "original")}} for c in cmds]


def _dockmod(text: str) -> list[dict] | dockmod.ParseError:
    try:
        df = dockmod.parse(text)
    except dockmod.ParseError as e:
        return e
    assert df.code == text
    return buildkit.instructions(df)


def assert_roundtrip_or_parse_error(text: str) -> None:
    try:
        df = dockmod.parse(text)
    except dockmod.ParseError as e:
        assert e.line >= 1 and e.column >= 1 and e.column == e.raw_column + 1
        return
    assert df.code == text


# ---- known differences between the oracle and current BuildKit, which dockmod follows.
#
# The `dockerfile` package (3.4.0) wraps BuildKit v0.12.5. Where BuildKit changed since, a
# disagreement is attributed to the change by the narrow predicates below and counted as a
# Hypothesis event instead of failing; any other disagreement fails.

# BuildKit >= v0.13 lexes `<< EOF` (whitespace after `<<`) as a heredoc; v0.12.5 does not.
_HEREDOC_SPACE_RE = re.compile(r"<<-?[ \t]")
_JSON = json.JSONDecoder()


def _json_with_trailing_data(entry: dict) -> bool:
    """A shell-form value that starts with a JSON array followed by more text.

    v0.12.5 decoded JSON forms with ``json.Decoder.Decode``, which ignores what follows the
    array (`RUN ["a"] b` is JSON ``["a"]``); current BuildKit uses ``json.Unmarshal`` and
    the instruction is shell form.
    """
    if entry["json"]:
        return False
    values = entry["value"]
    for cand in (" ".join(values), " ".join(values[1:])):
        cand = cand.lstrip()
        if not cand.startswith("["):
            continue
        try:
            _, end = _JSON.raw_decode(cand)
        except ValueError:
            continue
        if cand[end:].strip():
            return True
    return False


def _event(label: str) -> None:
    if currently_in_test_context():
        event(label)


def _backtick_file_with_escapes_in_flags(text: str) -> bool:
    try:
        df = dockmod.parse(text)
    except dockmod.ParseError:
        return False
    if df.escape != "`":
        return False
    for ins in df.body:
        nested = getattr(ins, "instruction", None)
        for f in (*ins.flags, *(nested.flags if nested is not None else ())):
            if "\\" in f.raw or "`" in f.raw:
                return True
    return False


def _known_difference(text: str, ours: list[dict] | Exception, theirs: list[dict] | Exception) -> str | None:
    """The key in ``tests.oracle.KNOWN_DIFFERENCES`` that explains a disagreement, if any."""
    # Look at the logical lines, as BuildKit joined them (its `original`), or failing that
    # at the text with plain continuations joined.
    logical = [c["original"] or "" for c in theirs] if isinstance(theirs, list) else []
    logical.append(re.sub(r"[\\`][ \t]*\r?\n", "", text))
    if any(_HEREDOC_SPACE_RE.search(line) for line in logical):
        return "heredoc-space"
    if isinstance(ours, list) and any(_json_with_trailing_data(e) for e in ours):
        return "json-trailing"
    if _backtick_file_with_escapes_in_flags(text):
        return "flag-escape"
    return None


def _like_the_bindings(cmds: list[dict]) -> list[dict]:
    """The package reads an ONBUILD's heredocs from its sub-node, which has none (BuildKit
    keeps them on the ONBUILD node): it reports no heredocs and a one-line ``original``."""
    out = []
    for c in cmds:
        if (c["cmd"] or "").upper() == "ONBUILD" and c["heredocs"]:
            c = {**c, "heredocs": [], "original": c["original"].split("\n", 1)[0]}
        out.append(c)
    return out


def assert_agrees_with_buildkit(text: str, *, compare_values: bool = True) -> None:
    ours = _dockmod(text)
    if not _oracle_can_take(text):
        return
    theirs = _buildkit(text)
    agree = (isinstance(ours, Exception) and isinstance(theirs, Exception)) or (
        isinstance(ours, list) and isinstance(theirs, list)
        and (not compare_values or _normalize(_like_the_bindings(ours)) == _normalize(theirs)))
    if not agree:
        why = _known_difference(text, ours, theirs)
        if why is not None:
            assert why in KNOWN_DIFFERENCES
            _event(f"known difference: {why}")
            return
    if isinstance(theirs, Exception) or isinstance(ours, Exception):
        assert isinstance(ours, Exception) == isinstance(theirs, Exception), (
            f"text {text!r}: dockmod {'rejects' if isinstance(ours, Exception) else 'accepts'}, "
            f"BuildKit {'rejects' if isinstance(theirs, Exception) else 'accepts'}\n"
            f"  dockmod:  {ours!r}\n  buildkit: {theirs!r}"
        )
        return
    if compare_values:
        assert _normalize(_like_the_bindings(ours)) == _normalize(theirs), f"text {text!r}"


# --------------------------------------------------------------------------- generated Dockerfiles


KEYWORDS = (
    "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY",
    "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL",
    "HEALTHCHECK", "SHELL",
)

SHELL_WORDS = (
    "apt-get", "install", "-y", "--no-install-recommends", "curl", "&&", "||", "|", ";",
    "echo", '"hello world"', "'single quoted'", "$HOME", "${VAR:-default}", "a=b",
    "#notacomment", "/usr/local/bin", "make", "-j$(nproc)", ">", "/dev/null", "2>&1",
    "x\\y", "C:\\\\path", "`cmd`", "[", "]", "[\"not\",", "<", "<<", "<<<", "{", "}",
    "=", "--", "-", "é", "日本", "\\$", "\"a\\\"b\"",
)

IMAGES = ("alpine", "ubuntu:22.04", "python:3.12-slim@sha256:" + "a" * 64,
          "${BASE}", "$BASE:latest", "scratch", "ghcr.io/o/r:tag")

FLAGS = (
    "--mount=type=cache,target=/x", "--mount=type=secret,id=tok",
    "--mount=type=bind,from=build,source=/src,target=/dst", "--from=build", "--chmod=755",
    "--chown=1000:1000", "--chown=\"app user\"", "--link", "--network=none",
    "--platform=$BUILDPLATFORM", "--mount=type=cache,target=\"/root/.cache\"",
    "--security=insecure", "--exclude='*.md'", "--keep-git-dir=true", "--interval=30s",
    "--", "--bad",
)

ws = st.sampled_from([" ", " ", " ", "  ", "\t", " \t"])
opt_ws = st.sampled_from(["", "", "", " ", "\t", "  "])


@st.composite
def random_case(draw: st.DrawFn, word: str) -> str:
    style = draw(st.sampled_from(["upper", "upper", "lower", "title", "mixed"]))
    if style == "upper":
        return word.upper()
    if style == "lower":
        return word.lower()
    if style == "title":
        return word.title()
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.lower() if f else c.upper() for c, f in zip(word, flips))


def json_string() -> st.SearchStrategy[str]:
    plain = st.text(alphabet=string.ascii_letters + string.digits + " -_./$:=,[]'", max_size=8)
    escaped = st.sampled_from(['\\"', "\\\\", "\\n", "\\t", "\\u00e9", "\\/", "é", "日"])
    return st.lists(st.one_of(plain, escaped), max_size=3).map(lambda ps: '"' + "".join(ps) + '"')


class Ctx:
    """What a generated file needs while it is being drawn."""

    def __init__(self, draw: st.DrawFn, escape: str, newline_mode: str) -> None:
        self.draw = draw
        self.escape = escape
        self.newline_mode = newline_mode

    def nl(self) -> str:
        if self.newline_mode == "lf":
            return "\n"
        if self.newline_mode == "crlf":
            return "\r\n"
        return self.draw(st.sampled_from(["\n", "\r\n", "\r\r\n"]))

    def trailing(self) -> str:
        return self.draw(st.sampled_from(["", "", "", "", " ", "\t", "  "]))

    def sep(self) -> str:
        """A separator between words: spaces, or a line continuation."""
        d = self.draw
        if not d(st.integers(0, 4)) == 0:
            return d(ws)
        parts = [d(opt_ws), self.escape, d(st.sampled_from(["", "", " ", "\t", "  "])), self.nl()]
        for _ in range(d(st.integers(0, 2))):
            kind = d(st.sampled_from(["comment", "blank", "blank_ws", "indented_comment"]))
            if kind == "comment":
                parts.append("#" + d(st.sampled_from(["", " a comment", " RUN x \\", "#"])) + self.nl())
            elif kind == "indented_comment":
                parts.append(d(ws) + "# inside" + self.nl())
            elif kind == "blank":
                parts.append(self.nl())
            else:
                parts.append(d(ws) + self.nl())
        parts.append(d(st.sampled_from(["", " ", "    ", "\t"])))
        return "".join(parts)

    def words(self, pool: tuple[str, ...] | st.SearchStrategy[str], min_size: int = 1, max_size: int = 6) -> str:
        strat = st.sampled_from(pool) if isinstance(pool, tuple) else pool
        items = self.draw(st.lists(strat, min_size=min_size, max_size=max_size))
        out = ""
        for i, w in enumerate(items):
            out += (self.sep() if i else "") + w
        return out

    def json_array(self) -> str:
        d = self.draw
        items = d(st.lists(json_string(), max_size=4))
        inner = ""
        for i, s in enumerate(items):
            inner += ("," + d(opt_ws) if i else d(opt_ws)) + s
        return "[" + inner + d(opt_ws) + "]"

    def command(self) -> str:
        if self.draw(st.integers(0, 2)) == 0:
            return self.json_array()
        return self.words(SHELL_WORDS)

    def flags(self, pool: tuple[str, ...] = FLAGS) -> str:
        fl = self.draw(st.lists(st.sampled_from(pool), max_size=2))
        return "".join(f + self.sep() for f in fl)

    def pairs(self, legacy_ok: bool) -> str:
        d = self.draw
        if legacy_ok and d(st.integers(0, 4)) == 0:
            return d(st.sampled_from(["a", "PATH", "k"])) + d(ws) + self.words(SHELL_WORDS, max_size=3)
        key = st.sampled_from(["a", "PATH", "org.opencontainers.image.title", "_x1", "\"q k\"", "k"])
        val = st.sampled_from(["", "b", "\"two words\"", "'single'", "$PATH:/x", "a\\ b",
                               "\"multi\\\"q\"", "${A:-b}", "é"])
        items = d(st.lists(st.tuples(key, val), min_size=1, max_size=3))
        out = ""
        for i, (k, v) in enumerate(items):
            out += (self.sep() if i else "") + f"{k}={v}"
        return out

    def heredoc_line(self) -> tuple[str, list[tuple[str, bool]]]:
        """``<<EOF``-style words and the (name, strip_tabs) they open."""
        d = self.draw
        opened = []
        words = []
        for _ in range(d(st.integers(1, 2))):
            name = d(st.sampled_from(["EOF", "END", "FILE1", "eot", "A-B"]))
            dash = d(st.booleans())
            quote = d(st.sampled_from(["", "", "'", '"']))
            words.append("<<" + ("-" if dash else "") + quote + name + quote)
            opened.append((name, dash))
        return " ".join(words), opened

    def heredoc_bodies(self, opened: list[tuple[str, bool]]) -> str:
        d = self.draw
        out = ""
        body_line = st.sampled_from(["echo hi", "set -e", "", "  indented", "\tTAB", "#!/bin/sh",
                                     "RUN not an instruction", "x \\", "EOF2", "$VAR", "é"])
        for name, dash in opened:
            for line in d(st.lists(body_line, max_size=3)):
                if line.lstrip("\t") == name:
                    continue
                out += line + self.trailing() + self.nl()
            term = (d(st.sampled_from(["", "\t", "\t\t"])) if dash else "") + name
            out += term + self.nl()
        return out

    def instruction(self, keyword: str, depth: int = 0) -> str:
        """The instruction's text from its keyword to the end of its line(s), without the
        final newline; heredoc bodies, if any, follow after a newline marker ``\\0H``."""
        d = self.draw
        kw = d(random_case(keyword))
        sp = d(ws)
        k = keyword
        if k == "FROM":
            body = self.flags(("--platform=linux/amd64", "--platform=$BUILDPLATFORM")) + d(st.sampled_from(IMAGES))
            if d(st.booleans()):
                body += d(ws) + d(random_case("AS")) + d(ws) + d(st.sampled_from(["build", "Base", "s-1"]))
        elif k in ("RUN", "COPY", "ADD") and d(st.integers(0, 3)) == 0:
            hd, opened = self.heredoc_line()
            flags = self.flags()
            if k == "RUN":
                rest = d(st.sampled_from(["", " && echo done", " | sh", " python3"]))
                body = flags + hd + rest
            else:
                body = flags + hd + d(ws) + d(st.sampled_from(["/dst/", "/app/file", "."]))
            return kw + sp + body + self.trailing() + "\0H" + self.heredoc_bodies(opened)
        elif k in ("RUN", "CMD", "ENTRYPOINT", "SHELL"):
            body = (self.flags() if k == "RUN" else "") + self.command()
        elif k in ("COPY", "ADD"):
            body = self.flags()
            if d(st.integers(0, 3)) == 0:
                body += self.json_array()
            else:
                body += self.words(("src", "a b", "*.txt", "./", "/dst/", "\"q w\"", "$SRC", "."), 1, 4)
        elif k in ("ENV", "LABEL"):
            body = self.pairs(legacy_ok=(k == "ENV"))
        elif k == "ARG":
            body = self.words(("VERSION", "A=1", "B=\"x y\"", "C=", "D=$A", "E='q'"), 1, 3)
        elif k == "EXPOSE":
            body = self.words(("80", "443/tcp", "$PORT", "53/udp"), 1, 3)
        elif k == "VOLUME":
            body = self.json_array() if d(st.booleans()) else self.words(("/data", "/var/log", "$V"), 1, 3)
        elif k in ("USER", "WORKDIR", "STOPSIGNAL", "MAINTAINER"):
            body = self.words(("app", "1000:1000", "/app", "SIGTERM", "Jane Doe <j@x.org>", "$U"), 1, 2)
        elif k == "HEALTHCHECK":
            if d(st.integers(0, 3)) == 0:
                body = d(random_case("NONE"))
            else:
                body = self.flags(("--interval=30s", "--timeout=3s", "--retries=3")) + d(random_case("CMD")) + d(ws) + self.command()
        elif k == "ONBUILD":
            if depth:
                body = "RUN true"
            else:
                sub = d(st.sampled_from([kk for kk in KEYWORDS if kk not in ("ONBUILD", "FROM", "MAINTAINER")]))
                body = self.instruction(sub, depth + 1)
                if "\0H" in body:
                    return kw + sp + body
        else:  # pragma: no cover
            raise AssertionError(k)
        if d(st.integers(0, 9)) == 0:  # a trailing continuation right before the newline
            body += self.escape
        return kw + sp + body + self.trailing()


@st.composite
def dockerfiles(draw: st.DrawFn, check_directive: bool = True) -> str:
    """A Dockerfile built from realistic pieces.

    ``check_directive``: may emit ``# check=skip=all``. The ``dockerfile`` package wraps
    BuildKit v0.12.5, which predates that directive (v0.14): there it ends the directive
    block, so a later ``# escape=`` is a comment. dockmod follows current BuildKit, so the
    differential tests leave it out.
    """
    escape = draw(st.sampled_from(["\\", "\\", "`"]))
    ctx = Ctx(draw, escape, draw(st.sampled_from(["lf", "lf", "crlf", "mixed"])))
    out = draw(st.sampled_from(["", "", "", "\ufeff"]))

    directives = []
    if draw(st.booleans()):
        directives.append(draw(st.sampled_from(["# syntax=docker/dockerfile:1", "#syntax = docker/dockerfile:1.7",
                                                "# SYNTAX=docker/dockerfile:1"])))
    if escape == "`" or draw(st.integers(0, 5)) == 0:
        directives.append(draw(st.sampled_from([f"# escape={escape}", f"#escape = {escape}", f"# Escape={escape}"])))
    if check_directive and draw(st.integers(0, 6)) == 0:
        directives.append("# check=skip=all")
    draw(st.randoms()).shuffle(directives)
    for dline in directives:
        out += dline + ctx.trailing() + ctx.nl()

    n = draw(st.integers(1, 8))
    keywords = [draw(st.sampled_from(KEYWORDS)) for _ in range(n)]
    if draw(st.integers(0, 4)):
        keywords[0] = "FROM"
    for kw in keywords:
        for _ in range(draw(st.integers(0, 2))):
            kind = draw(st.sampled_from(["comment", "blank", "ws"]))
            if kind == "comment":
                out += draw(opt_ws) + "#" + draw(st.sampled_from(["", " comment", " RUN echo", " escape is set above"])) + ctx.trailing() + ctx.nl()
            elif kind == "blank":
                out += ctx.nl()
            else:
                out += draw(ws) + ctx.nl()
        text = draw(st.sampled_from(["", "", "", " ", "\t"])) + ctx.instruction(kw)
        line, _, bodies = text.partition("\0H")
        out += line + ctx.nl() + bodies

    ending = draw(st.sampled_from(["keep", "keep", "strip", "extra"]))
    if ending == "strip":
        out = out.rstrip("\r\n")
    elif ending == "extra":
        out += ctx.nl()
    return out


EXAMPLES = [
    "FROM a\nRUN echo \\\n  # comment\n\n  hi\n",
    "# escape=`\nFROM a\nRUN echo `\n  hi\n",
    "FROM a\r\nCOPY <<A <<\"B\" /dst/\r\na\r\nA\r\nb\r\nB\r\n",
    "\ufeffFROM a\nRUN <<-EOF\n\techo\n\tEOF\n",
    "FROM a\nENV a b c\nLABEL \"q k\"=\"two words\"",
    "from a\nonbuild run [\"a\", \"b\"]\n",
]


@settings(max_examples=400, deadline=None, suppress_health_check=SLOW_OK)
@given(dockerfiles())
def test_generated_dockerfiles_roundtrip(text: str) -> None:
    assert_roundtrip_or_parse_error(text)


@settings(max_examples=400, deadline=None, suppress_health_check=SLOW_OK)
@given(dockerfiles(check_directive=False))
def test_generated_dockerfiles_match_buildkit(text: str) -> None:
    assert_agrees_with_buildkit(text)


@pytest.mark.parametrize("text", EXAMPLES)
def test_examples_match_buildkit(text: str) -> None:
    assert dockmod.parse(text).code == text
    assert_agrees_with_buildkit(text)


# Found by these properties and fixed: a line holding only the escape char, continued
# to EOF, is an instruction whose command is "" (BuildKit's value: ['']).
FIXED_DISAGREEMENTS = ["\\", "FROM a\n\\ \n\n", "FROM a\n\\\n", " \\"]


@pytest.mark.parametrize("text", FIXED_DISAGREEMENTS)
def test_fixed_disagreements(text: str) -> None:
    assert dockmod.parse(text).code == text
    assert_agrees_with_buildkit(text)


# Where the package's parser predates current BuildKit, dockmod follows current BuildKit.
@pytest.mark.parametrize("text,flags", [
    ("# escape=`\nFROM a\nRUN --x=a\\ b\n", ["--x=a\\"]),
    ("# escape=`\nFROM a\nRUN --x=a` b c\n", ["--x=a b"]),
])
def test_flags_unescape_with_the_files_escape_char(text: str, flags: list[str]) -> None:
    from dockmod import buildkit

    assert buildkit.instructions(dockmod.parse(text))[1]["flags"] == flags
    assert _known_difference(text, [], []) == "flag-escape"


# --------------------------------------------------------------------------- arbitrary text


DOCKERFILE_ALPHABET = "RUNFROMCOPY \\\n\t#=<-\"'[],`"
dockerfile_ish = st.text(alphabet=DOCKERFILE_ALPHABET + "\rEOF\ufeffa:", max_size=80)
binary_text = st.binary(max_size=80).map(lambda b: b.decode("utf-8", "surrogateescape"))


@settings(max_examples=400, deadline=None, suppress_health_check=SLOW_OK)
@given(st.one_of(st.text(max_size=80), binary_text, dockerfile_ish))
def test_arbitrary_text_roundtrips_or_raises_parse_error(text: str) -> None:
    assert_roundtrip_or_parse_error(text)


@settings(max_examples=400, deadline=None, suppress_health_check=SLOW_OK)
@given(st.one_of(st.text(max_size=80), dockerfile_ish))
def test_arbitrary_text_accepted_iff_buildkit_accepts(text: str) -> None:
    assert_agrees_with_buildkit(text, compare_values=False)


@settings(max_examples=400, deadline=None, suppress_health_check=SLOW_OK)
@given(dockerfile_ish)
# Found by this test: a lone escape char continued by a whitespace-only last line.
@example("\\\n ")
@example("\\\n \t")
def test_dockerfile_ish_text_matches_buildkit(text: str) -> None:
    assert_agrees_with_buildkit(text)


@settings(max_examples=300, deadline=None, suppress_health_check=SLOW_OK)
@given(st.one_of(st.text(max_size=80), binary_text, dockerfile_ish))
def test_no_internal_errors(text: str) -> None:
    try:
        dockmod.parse(text)
    except dockmod.ParseError as e:
        assert not e.message.startswith("internal error"), f"{text!r}: {e}"
