"""Expansion follows BuildKit's shell lexer: its own tables, read from the shared corpus."""

from __future__ import annotations

import pytest

from dockmod.lang.words import UNKNOWN, LexError, expand_word, expand_words
from dockmod.semantic.expand import expand
from tests.conftest import corpus_root

pytestmark = pytest.mark.corpus


def _shell_dir():  # type: ignore[no-untyped-def]
    return corpus_root() / "buildkit-testfiles" / "shell"


def test_envvartest_table_linux_rows() -> None:
    """lex_test.go TestShellParser4EnvVars: every row tagged A (all) or U (Unix)."""
    env = {"PWD": "/home", "SHELL": "bash", "KOREAN": "한국어", "NULL": ""}
    rows = 0
    failures = []
    for n, line in enumerate((_shell_dir() / "envVarTest").read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#"):
            continue
        line = line.lstrip(" \t")
        if not line:
            continue
        platform, source, expected = (x.strip() for x in line.split("|"))
        if platform not in ("A", "U"):
            continue
        rows += 1
        try:
            got = expand_word(source, env.get)
        except LexError:
            got = "error"
        if got != expected:
            failures.append((n, source, expected, got))
    assert rows > 200
    assert not failures


def test_wordstest_table() -> None:
    """lex_test.go TestShellParser4Words: ENV lines accumulate, each row splits into words."""
    env: dict[str, str] = {}
    rows = 0
    failures = []
    for n, line in enumerate((_shell_dir() / "wordsTest").read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#"):
            continue
        if line.startswith("ENV "):
            key, _, value = line[3:].lstrip(" ").partition("=")
            env[key] = value
            continue
        test, expected_text = line.split("|")
        expected = expected_text.lstrip(" ").split(",")
        rows += 1
        try:
            got = expand_words(test.strip(), env.get)
        except LexError:
            got = ["error"]
        if got != expected:
            failures.append((n, test, expected, got))
    assert rows > 20
    assert not failures


@pytest.mark.parametrize(("word", "expected"), [
    ("${X#*/}", "b/c"), ("${X##*/}", "c"), ("${X%/*}", "a/b"), ("${X%%/*}", "a"),
    ("${X/b/B}", "a/B/c"), ("${X//\\//_}", "a_b_c"), ("${X/z/y}", "a/b/c"), ("${NOPE#a}", ""),
])
def test_pattern_modifiers(word: str, expected: str) -> None:
    assert expand(word, {"X": "a/b/c"}.get) == expected


def test_unknown_values_make_the_result_unknown() -> None:
    env = {"V": UNKNOWN, "K": "k"}
    assert expand("$K/x", env.get) == "k/x"
    assert expand("$V/x", env.get) is None
    assert expand("${V:-d}", env.get) is None
    assert expand("${V:+d}", env.get) is None
    # Single quotes do not expand, so an unknown value inside them does not matter.
    assert expand("'$V'", env.get) == "$V"
    assert expand("${UNSET:-$K}", env.get) == "k"


def test_parser_mode_keeps_unset_variables() -> None:
    """The parser's SkipUnsetEnv mode (process_word) is unchanged."""
    from dockmod.lang.words import process_word

    assert process_word("${A}-$B", env={"A": "a"}) == "a-$B"


@pytest.mark.parametrize(("word", "expected"), [
    ("${REPO}#${REF}", ["https://github.com/o/r.git#v1"]),  # all known: the value
    ("$SRC", ["", ""]),  # unknown: anything
    ("./${SRC}/x", ["./", "/x"]),
    ("https://${HOST}/${REPO}", ["https://", "/https://github.com/o/r.git"]),
    ("a-${REF:+x}-b", ["a-", "-b"]),  # a modifier's result is taken as unknown,
    ("${REF:-x}", ["", ""]),  # even on a known variable (known_parts is for unknown words)
    ('"$SRC"', None),  # quotes: nothing said
    ("${SRC", None),  # braces that do not pair
])
def test_known_parts(word: str, expected: list[str] | None) -> None:
    from dockmod.semantic.expand import known_parts

    values = {"REPO": "https://github.com/o/r.git", "REF": "v1", "SRC": UNKNOWN, "HOST": UNKNOWN}
    assert known_parts(word, values.get) == expected
