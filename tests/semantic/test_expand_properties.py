"""Unknown tracking is sound: a word that expands despite an UNKNOWN value never depends on it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dockmod.lang.words import UNKNOWN, LexError, expand_word
from dockmod.semantic.expand import expand

PIECES = ["$V", "${V}", "${V:-d}", "${V:+p}", "${V-d}", "${V+p}", "${V#a}", "${V%a}", "${V/a/b}",
          "${V##*a}", "$W", "${W:-$V}", "'", '"', "\\", "a", " ", "$", "{", "}", "x"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8))
def test_known_result_does_not_depend_on_the_unknown_value(parts: list[str]) -> None:
    word = "".join(parts)
    result = expand(word, {"V": UNKNOWN, "W": "w"}.get)
    if result is None:
        return
    for value in ("", "a", "ab a", "/x/a"):
        try:
            concrete = expand_word(word, {"V": value, "W": "w"}.get)
        except LexError:
            concrete = None
        assert concrete == result, (word, value)
