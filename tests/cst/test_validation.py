"""``_validate()`` rejects impossible nodes with the documented message, on construction
and on ``with_changes``; every node the parser builds passes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

import dockmod
from dockmod import cst
from dockmod.cst import CSTValidationError

CASES: list[tuple[Callable[[], Any], str]] = [
    (lambda: cst.Run(keyword="FROM"), "`Run` keyword must be `RUN` in any case, got 'FROM'"),
    (lambda: cst.Run(keyword="RUN", whitespace_after_keyword="", command=cst.ShellCommand("x")),
     "Instruction keyword must be followed by whitespace"),
    (lambda: cst.Copy(whitespace_after_keyword="", flags=(cst.Flag("--link"),)),
     "Instruction keyword must be followed by whitespace"),
    (lambda: cst.Flag("-link"), "Flag must start with `--`, got '-link'"),
    (lambda: cst.Word(""), "Word must not be empty"),
    (lambda: cst.Heredoc("echo hi\n", ""), "Heredoc must end with its terminator line"),
    (lambda: cst.Heredoc("echo hi\n", "\t\n"), "Heredoc must end with its terminator line"),
    (lambda: cst.EmptyLine("RUN x\n"), "EmptyLine must be blank or a comment, got 'RUN x\\n'"),
    (lambda: cst.EmptyLine("# a\n# b\n"), "EmptyLine must be exactly one line, got '# a\\n# b\\n'"),
    (lambda: cst.EmptyLine("\n\n"), "EmptyLine must be exactly one line, got '\\n\\n'"),
    (lambda: cst.Directive("syntax=docker/dockerfile:1\n"),
     "Directive must be one `# key=value` line, got 'syntax=docker/dockerfile:1\\n'"),
    (lambda: cst.Directive("# just a comment\n"),
     "Directive must be one `# key=value` line, got '# just a comment\\n'"),
    (lambda: cst.TrailingWhitespace(newline="x\n"),
     "TrailingWhitespace newline must hold only line ends, got 'x\\n'"),
    (lambda: cst.Dockerfile(bom="\ufffe"), "Dockerfile bom must be '' or '\\ufeff', got '\\ufffe'"),
]


@pytest.mark.parametrize("build,message", CASES, ids=[m[:40] for _, m in CASES])
def test_invalid_node_is_rejected_with_its_message(build: Callable[[], Any], message: str) -> None:
    with pytest.raises(CSTValidationError, match=f"^{re.escape(message)}$"):
        build()


def test_with_changes_validates_too() -> None:
    run = dockmod.parse("FROM a\nRUN x\n").body[1]
    with pytest.raises(CSTValidationError, match="^`Run` keyword must be `RUN` in any case, got 'COPY'$"):
        run.with_changes(keyword="COPY")
    assert run.with_changes(keyword="run").code == "run x\n"


@pytest.mark.parametrize("node", [
    cst.Run(keyword="run", command=cst.ShellCommand("x")), cst.Cmd(whitespace_after_keyword=""),
    cst.Flag("--"), cst.Flag("--link"), cst.EmptyLine("  # note\r\n"), cst.EmptyLine(""),
    cst.EmptyLine("\r\r\n"), cst.Directive("#escape=`\n"), cst.TrailingWhitespace(newline="\r"),
    cst.Heredoc("", "EOF"), cst.UnknownInstruction(keyword="FOO"),
])
def test_valid_nodes_pass(node: cst.Node) -> None:
    assert node.code is not None


@pytest.mark.parametrize("text", [
    "FR\\\nOM alpine\n",                  # a continuation inside the keyword
    "FROM a\nR\\\n# comment\nUN true\n",  # and a comment line inside that continuation
    "# escape=`\nFR`\nOM alpine\n",       # with the backtick escape
    "\u00a0\nFROM a\n",                   # a line of Go whitespace is blank
    "\u00a0# escape=`\nFROM a\n",         # Go whitespace before a directive
])
def test_valid_buildkit_input_passes_validation(text: str) -> None:
    # Found by the mutation fuzz: BuildKit accepts these, so validation must too.
    assert dockmod.parse(text).code == text


@pytest.mark.parametrize("text", [
    "FROM x\nRUN -\\\n-x y\n",
    "FROM x\nCOPY -\\\n-from=a b c\n",
    "FROM x\nCOPY -\\\n# a comment line\n-from=a b c\n",
    "# escape=`\nFROM x\nCOPY -`\n-from=a b c\n",
    "FROM x\nCOPY --= a b\n",  # an empty name: a flag to BuildKit's parser (only a build rejects it)
    "FROM x\nCOPY -\\\n-= a b\n",
])
def test_a_flag_split_between_its_dashes_is_a_flag_as_buildkit_reads_it(text: str) -> None:
    # BuildKit reads the logical line (`COPY --from=a b c`); the lexer did too, but Flag's
    # check read the raw text and raised (an internal error in the CLI).
    from dockmod import buildkit
    from tests.oracle import oracle_instructions

    df = dockmod.parse(text)
    assert df.code == text
    expected = oracle_instructions(text)
    if expected is None:
        pytest.skip("the `dockerfile` package (BuildKit's parser) is not installed")
    assert buildkit.instructions(df) == expected
