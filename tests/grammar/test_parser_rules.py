"""The LALR table's rules compare and hash by identity and key the callbacks themselves
(``dockmod.grammar._share_rules``): each reduce then costs no Python-level ``Rule.__eq__``
or ``__hash__``."""

from __future__ import annotations

from lark.grammar import Rule

import dockmod
from dockmod.cst.build import get_parser


def _inner(escape: str):
    return get_parser(escape).parser.parser.parser


def test_every_reduce_rule_keys_the_callbacks_and_compares_by_identity() -> None:
    for escape in ("\\", "`"):
        inner = _inner(escape)
        keys = {id(k) for k in inner.callbacks}
        reduces = [arg for actions in inner.parse_table.states.values()
                   for _, arg in actions.values() if isinstance(arg, Rule)]
        assert reduces
        assert all(id(rule) in keys for rule in reduces)
        assert all(type(rule).__eq__ is object.__eq__ and type(rule).__hash__ is object.__hash__
                   for rule in reduces)


def test_no_rule_comparison_in_a_parse(monkeypatch) -> None:
    text = "# escape=\\\nARG V=1\nFROM alpine:${V} AS a\nRUN echo hi \\\n  && true\nCOPY --from=a / /\n"
    calls = []
    real = Rule.__eq__

    def counting(self, other):
        calls.append(other)
        return real(self, other)

    monkeypatch.setattr(Rule, "__eq__", counting)
    assert dockmod.parse(text).code == text
    assert calls == []
