"""The Lark grammar and its parser, built once per process and escape character."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

GRAMMAR_PATH = Path(__file__).with_name("dockerfile.lark")


class _PassThroughLexer:
    """The scanner has already made the tokens; Lark only parses them."""

    def __init__(self, lexer_conf: Any) -> None:
        pass

    def lex(self, data: Any, *args: Any) -> Any:  # data is the token list
        return iter(data)


@cache
def get_parser(escape: str = "\\") -> Any:
    """The LALR parser whose callbacks build CST nodes for files using ``escape``."""
    from lark import Lark
    from lark.lexer import Lexer

    from dockmod.cst.build import CSTBuilder

    lexer_cls = type("PassThroughLexer", (_PassThroughLexer, Lexer), {})
    return Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        lexer=lexer_cls,
        transformer=CSTBuilder(escape),
        maybe_placeholders=False,
        propagate_positions=False,
        cache=False,
    )
