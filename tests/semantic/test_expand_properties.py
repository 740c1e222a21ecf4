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


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*PIECES, "\\$", "<<", "<", "\t", "`", "é"]), max_size=10),
       st.sampled_from(["\\", "`"]))
def test_text_only_lexing_matches_the_word_splitting_lexer(parts: list[str], escape: str) -> None:
    """The fast path (no word split) gives the same text as BuildKit's full processStopOn."""
    from dockmod.lang.words import _Lex

    word = "".join(parts)
    env = {"V": "v a", "W": ""}
    for lookup in (None, env.get):
        outcomes = []
        for words in (True, False):
            try:
                outcomes.append(_Lex(word, escape, False, False, env, lookup).process_stop_on("", False, words)[0])
            except LexError as e:
                outcomes.append(f"error: {e}")
        assert outcomes[0] == outcomes[1], word
