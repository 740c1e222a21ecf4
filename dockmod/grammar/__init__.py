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
    lark = Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        lexer=PassThroughLexer,
        transformer=transformer,
        maybe_placeholders=False,
        propagate_positions=False,
        cache=True,
    )
    _share_rules(lark)
    return lark


def _share_rules(lark: Any) -> None:
    """Give the parse table's rules identity equality and hashing, and key the callbacks by
    the very rule objects the table holds.

    Each reduce in Lark's LALR loop runs ``assert arg != end_state`` (``Rule.__eq__``
    through the default ``__ne__``: a Python call) and ``callbacks[rule]`` (``Rule.__hash__``,
    another; loaded from the cache, the table's rules are equal to the callbacks' keys but
    distinct objects, so a look-up also compared them). With one object per rule, whose
    class compares and hashes by identity in C, both cost nothing: about a tenth of a parse.
    A rule is only ever compared with the table's own rules here, so identity is its
    equality. Lark's objects are touched once per parser; a Lark whose insides differ is
    left as it is.
    """
    try:
        inner = lark.parser.parser.parser  # Lark → ParsingFrontend → LALR_Parser → _Parser
        callbacks, states = inner.callbacks, inner.parse_table.states
    except AttributeError:
        return
    from lark.grammar import Rule

    class _Rule(Rule):  # same slots: an instance may change class
        __slots__ = ()
        __eq__ = object.__eq__
        __ne__ = object.__ne__
        __hash__ = object.__hash__

    rules = {rule: rule for rule in callbacks if isinstance(rule, Rule)}
    reduces = [(actions, name, action, arg) for actions in states.values()
               for name, (action, arg) in actions.items() if isinstance(arg, Rule)]
    if any(arg not in rules for *_, arg in reduces):
        return  # not the Lark this was written for: leave it as it is
    for actions, name, action, arg in reduces:  # while rules still compare by value
        actions[name] = (action, rules[arg])
    try:
        for rule in rules:
            rule.__class__ = _Rule
    except TypeError:  # a Rule laid out otherwise fails on the first rule (all share one class): none swapped
        return
    inner.callbacks = {k: v for k, v in callbacks.items()}  # re-hashed (dict() would keep the old hashes)
