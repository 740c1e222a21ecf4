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


# --- expand's shortcut for words with only $NAME / ${NAME} (semantic.expand._expand_simple) ---

_SIMPLE_PIECES = ["$A", "${A}", "$A_1", "${B}", "$B", "$C", "${C}", "$1", "$@", "$-", "${A:-x}",
                  "${A#a}", "$", "{", "}", "$$", "$é", "é", "<", "a", "/", "-", " ", "\t", "9", "_",
                  ".", "'", '"', "\\", "`"]


def _lexer_only(word: str, lookup: object, escape: str) -> str | None:
    """expand() as it was before the shortcut: always BuildKit's lexer."""
    from dockmod.lang.words import UnknownValue

    try:
        return expand_word(word, lookup, escape)
    except (UnknownValue, LexError):
        return None


def _agree(word: str, escape: str = "\\") -> None:
    env = {"A": "a $B 'q'", "A_1": "", "B": UNKNOWN}
    for table in (env, {"A": "x", "B": "y", "C": "z"}):
        fast_seen: list[str] = []
        slow_seen: list[str] = []

        def fast_lookup(name: str, table=table, seen=fast_seen):  # type: ignore[no-untyped-def]
            seen.append(name)
            return table.get(name)

        def slow_lookup(name: str, table=table, seen=slow_seen):  # type: ignore[no-untyped-def]
            seen.append(name)
            return table.get(name)

        assert expand(word, fast_lookup, escape) == _lexer_only(word, slow_lookup, escape), word
        assert fast_seen == slow_seen, word  # the same look-ups, in the same order


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_SIMPLE_PIECES), max_size=8), st.sampled_from(["\\", "`"]))
def test_the_simple_word_shortcut_agrees_with_the_lexer(parts: list[str], escape: str) -> None:
    _agree("".join(parts), escape)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="$A{}_1b -é<'\"\\", max_size=12))
def test_the_simple_word_shortcut_agrees_with_the_lexer_on_any_text(word: str) -> None:
    _agree(word)


def test_the_simple_word_shortcut_agrees_with_the_lexer_on_corpus_words() -> None:
    from tests.conftest import corpus_files, read

    words = {w for path in corpus_files() for w in read(path).split() if "$" in w or '"' in w}
    assert len(words) > 1000
    for word in words:
        _agree(word)


def test_the_simple_word_shortcut_is_taken() -> None:
    """The shortcut's own answers (a shortcut that always declined would pass the above)."""
    from dockmod.semantic.expand import _NOT_SIMPLE, _expand_simple

    lookup = {"HOME": "/root", "X": UNKNOWN}.get
    assert _expand_simple("$HOME/.cache/${HOME}x$UNSET-", lookup) == "/root/.cache//rootx-"
    assert _expand_simple("a$X", lookup) is None
    assert _expand_simple("${HOME:-x}", lookup) is _NOT_SIMPLE
    assert _expand_simple("$HOME$", lookup) is _NOT_SIMPLE
    assert _expand_simple('"$HOME/x":"y z"', lookup) == "/root/x:y z"
    assert _expand_simple('"/opt/app"', lookup) == "/opt/app"
    assert _expand_simple('"a$X"', lookup) is None
    assert _expand_simple('"$HOME', lookup) is _NOT_SIMPLE  # unpaired: the lexer's error
