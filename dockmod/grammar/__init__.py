"""The Lark grammar and its parser, built once per process and escape character."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

GRAMMAR_PATH = Path(__file__).with_name("dockerfile.lark")


@cache
def get_parser(escape: str = "\\") -> Any:
    """The LALR parser whose callbacks build CST nodes for files using ``escape``."""
    from lark import Lark

    from dockmod.cst.build import CSTBuilder
    from dockmod.grammar.lexer import PassThroughLexer

    # cache=True keeps the analysed LALR tables in the temp dir (keyed by a hash of the
    # grammar and options): a cold start then loads them instead of rebuilding (~40 ms).
    return Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        lexer=PassThroughLexer,
        transformer=CSTBuilder(escape),
        maybe_placeholders=False,
        propagate_positions=False,
        cache=True,
    )
