"""An edit verified from the parse before it (``edits._clean_cuts``) is one a re-parse accepts.

Every edit is made twice, with the structural verification and without it (the re-parse
alone), over corpus scripts and generated ones: the results must be the same text, or both
None. The generated scripts put tokens next to each cut that a wrong rule would join or
split (escapes, digits before redirections, operators, keywords, continuations, comments),
and the last test shows that a weaker rule is caught.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockmod.cst.arguments import ShellCommand
from dockmod.shell import edits
from dockmod.shell.edits import (
    insert_words,
    remove_command,
    remove_command_or_line,
    remove_words,
    remove_words_moving_comments,
)
from dockmod.shell.parse import parse_shell
from tests.test_shell_fast import _texts

COUNTS: Counter[str] = Counter()


@contextmanager
def _counting() -> Iterator[None]:
    clean = edits._clean_cuts

    def counted(*args: Any, **kwargs: Any) -> bool:
        ok = clean(*args, **kwargs)
        COUNTS["proven" if ok else "not proven"] += 1
        return ok

    edits._clean_cuts = counted  # type: ignore[assignment]
    try:
        yield
    finally:
        edits._clean_cuts = clean  # type: ignore[assignment]


def _both(edit: Callable[..., ShellCommand | None], *args: Any) -> None:
    """The edit with and without the structural verification: the same result."""
    assert edits._STRUCTURAL
    with _counting():
        fast = edit(*args)
    edits._STRUCTURAL = False
    try:
        slow = edit(*args)
    finally:
        edits._STRUCTURAL = True
    COUNTS["accepted" if slow is not None else "rejected"] += 1
    assert (fast.raw if fast else None) == (slow.raw if slow else None), (args[0].raw, args[1:])


def _moving(source: ShellCommand, words: tuple) -> ShellCommand | None:  # type: ignore[type-arg]
    out = remove_words_moving_comments(source, words)
    return None if out is None else out[0]


def _edits(source: ShellCommand, every: int = 1) -> None:
    """Each command removed, each argument word (and each pair of neighbours) removed (also
    cutting gaps with comment lines, when there are any), words inserted after each word."""
    script = parse_shell(source)
    for i, c in enumerate(script.commands):
        _both(remove_command_or_line if source.escape == "\0" else remove_command, source, c)
        if i % every:
            continue
        args = c.args
        for j, w in enumerate(args):
            _both(remove_words, source, (w,))
            if "#" in source.raw:
                _both(_moving, source, (w,))
            if j + 1 < len(args):
                _both(remove_words, source, (w, args[j + 1]))
        for j, w in enumerate(c.argv):
            _both(insert_words, source, [(w, ["--x"] if j % 3 else ["2"] if j % 2 else ["fi", "y"])])


def test_structural_verification_agrees_with_a_reparse_on_the_corpus() -> None:
    COUNTS.clear()
    for raw, escape in _texts()[::3]:  # a third of them (a re-parse per edit is slow)
        _edits(ShellCommand(raw=raw, escape="\0" if escape is None else escape), every=3)
    # Not vacuous: many edits proven without a re-parse, and re-parses that refused some.
    assert COUNTS["proven"] > 300 and COUNTS["not proven"] > 100 and COUNTS["rejected"] > 100, COUNTS


# Tokens that meet at the cuts of generated scripts.
WORDS = ["a", "b1", "2", "-x", "--y=1", "'q r'", '"$v"', "s\\ t", "\\", "x\\\\", "$(c d)", "fi",
         "then", "{", "}", "!", "=", "==", "=~", "[", "]]", "in", "done", "esac", "k=v", "#c", "é",
         "<(p)", "*.py", "2>&1", ">f", "<in", "2>", "&>o", "~/.c", "a*", "x,y", "@p", "%s", "1.2", "$v",
         "${V}", "${V:-x}", "do", "else"]
SEPARATORS = [" ", "  ", "\t", " \\\n  ", " \\\n# note\n  ", "\\\n", " \\\n\n "]
OPERATORS = ["&&", "||", ";", "|", "&", " && ", "; ", " ;", " | ", "&&\\\n ", " &&\\\n# c\n "]
WRAPPERS = [("", ""), ("(", ")"), ("{ ", "; }"), ("if t; then ", "; fi"), ("! ", ""), ("", " > log"),
            ("for i in 1; do ", "; done"), ("if ", "; then x; fi"), ("case $v in a) ", ";; esac"),
            ("while ", " ; do x; done"), ("f() { ", "; }"), ("x=$(", ")"), ("[[ -f a ]] && ", "")]


@st.composite
def scripts(draw: st.DrawFn) -> str:
    parts = []
    for i in range(draw(st.integers(1, 4))):
        if i:
            parts.append(draw(st.sampled_from(OPERATORS)))
        prefix, suffix = draw(st.sampled_from(WRAPPERS))
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))
        seps = [draw(st.sampled_from(SEPARATORS)) for _ in words]
        cmd = draw(st.sampled_from(["echo", "pip", "X=1 apt-get", "rm"]))
        parts.append(prefix + cmd + "".join(s + w for s, w in zip(seps, words)) + suffix)
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts(), st.booleans())
def test_structural_verification_agrees_with_a_reparse_on_generated_scripts(text: str, body: bool) -> None:
    if body:  # a heredoc body: newlines separate commands, no escape character
        text = text.replace("\\\n", "\n").replace(";", "\n")
    _edits(ShellCommand(raw=text, escape="\0" if body else "\\"))


def _failures(texts: list[str]) -> int:
    failures = 0
    for text in texts:
        source = ShellCommand(raw=text, escape="\\")
        for c in parse_shell(text).commands:
            for w in c.args:
                try:
                    _both(remove_words, source, (w,))
                except AssertionError:
                    failures += 1
    return failures


JUNCTIONS = ["echo 2 b>f", "echo a\\  b", "echo 1 b<f"]
TOKENS = ["echo == a", "x ==&&{ echo ]]; } && y", "echo =~ a"]


def test_a_weaker_rule_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # The comparison fails for rules weaker than _clean_cuts: without the junction rule
    # (tokens join: ``echo 2>f``) ...
    assert _failures(JUNCTIONS) == 0 and _failures(TOKENS) == 0
    monkeypatch.setattr(edits, "_no_regex", lambda text: True)
    with monkeypatch.context() as m:
        m.setattr(edits, "_clean_cuts", lambda script, *_, **__: not script.has_error)
        m.setattr(edits, "_blank_split", lambda cmd: True)
        assert _failures(JUNCTIONS) >= 3
    # ... and with it but without the token rules (``echo ==`` ends in a test operator);
    # (the ``==``/``=~`` rule is off throughout: it declines those texts before the others).
    monkeypatch.setattr(edits, "_blank_split", lambda cmd: True)
    monkeypatch.setattr(edits, "_ordinary", lambda token: True)
    assert _failures(TOKENS) >= 2


def test_a_cut_after_a_regex_token_is_re_parsed() -> None:
    # tree-sitter-bash reads `==&&X=1 apt-get` as one regex token while a stray `}` line
    # follows, and as words with an error once that line is cut: the cut is not proven
    # from the parse before it, and the re-parse declines it (Hypothesis found this).
    source = ShellCommand(raw="echo a ==&&X=1 apt-get \n  }", escape="\0")
    brace = parse_shell(source).commands[-1]
    assert brace.name == "}"
    _both(remove_command_or_line, source, brace)
    assert remove_command_or_line(source, brace) is None
