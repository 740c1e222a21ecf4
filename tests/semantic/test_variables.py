"""``semantic.expand.variables``: the names BuildKit's lexer looks up in a word."""

from __future__ import annotations

import pytest

from dockmod.semantic.expand import variables


@pytest.mark.parametrize(("word", "names"), [
    ("$A", {"A"}),
    ("${B}/x", {"B"}),
    ("${B:-$C}", {"B", "C"}),  # C is looked up when B is empty, as it is here
    ("https://${TOKEN}@github.com/", {"TOKEN"}),
    ("'$D'", set()),  # single quotes: no expansion
    ("x\\$E", set()),  # escaped dollar
    ("plain", set()),
])
def test_variables(word: str, names: set[str]) -> None:
    assert variables(word) == frozenset(names)


def test_a_word_the_lexer_rejects_has_no_answer() -> None:
    assert variables("${X") is None
