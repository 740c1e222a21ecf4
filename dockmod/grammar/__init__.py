"""The Lark grammar and its LALR parser. Knows nothing of the CST: ``cst/build.py``
passes in the callbacks that build nodes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

GRAMMAR_PATH = Path(__file__).with_name("dockerfile.lark")


def build_parser(transformer: Any) -> Any:
    """An LALR parser over the scanner's tokens whose rule callbacks are ``transformer``."""
    from lark import Lark

    from dockmod.grammar.lexer import PassThroughLexer

    # cache=True keeps the analysed LALR tables in the temp dir (keyed by a hash of the
    # grammar and options): a cold start then loads them instead of rebuilding (~40 ms).
    return Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        lexer=PassThroughLexer,
        transformer=transformer,
        maybe_placeholders=False,
        propagate_positions=False,
        cache=True,
    )
