"""The scanner's tokens are Lark tokens in every attribute (made without Lark's constructor)."""

from __future__ import annotations

from lark import Token

from dockmod.grammar.lexer import token
from dockmod.grammar.scanner import scan


def test_token_matches_lark_constructor() -> None:
    ours, lark = token("WS", " \\\n  ", 3), Token("WS", " \\\n  ", line=3)
    assert type(ours) is Token and ours == lark
    for slot in Token.__slots__:
        assert getattr(ours, slot) == getattr(lark, slot), slot


def test_scanned_tokens_join_to_the_input() -> None:
    text = "# syntax=docker/dockerfile:1\nFROM a AS b\n\nRUN x \\\n  # note\n  y\r\nCOPY <<EOF /f\nhi\nEOF\n"
    tokens, bom, escape = scan(text)
    assert "".join(tokens) == text and bom == "" and escape == "\\"
    assert [t.type for t in tokens][:3] == ["DIRECTIVE", "KW_FROM", "WS"]
    assert all(type(t) is Token and t.line >= 1 and t.start_pos is None for t in tokens)
