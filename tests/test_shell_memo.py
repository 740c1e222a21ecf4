"""The memos and short cuts of the h_shell speed round give what the code before them gave.

* ``logical_text``'s memo: the regex's result, for each escape character apart (one raw
  text, two escapes, two results), and bounded;
* ``_OffsetMap``'s text (now read from that memo) is the raw text with the gaps its offset
  tables skip removed, and its tables map each logical character onto the same raw one;
* ``cleaner``'s memo of the cleaning commands a name runs gives the rows' first match, as
  the loop over every row did;
* ``split_call`` reads only the first words for the action, as many as the longest key:
  the action found is the one the full list of texts gives.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dockmod.ecosystems import MANAGERS, Manager
from dockmod.ecosystems import cache_use
from dockmod.lang import words
from dockmod.lang.words import _gap_re, logical_text
from dockmod.shell.commands import CommandSpec, split_call, split_options
from dockmod.shell.parse import _OffsetMap, parse_shell

# Escape characters, blanks, newlines, comment starts and word bytes: every part of a gap.
_TEXT = st.text(alphabet="\\` \t\r\n#ab", max_size=40)


def test_logical_text_memo_keys_the_escape() -> None:
    raw = "a \\\n b `\n c"
    for _ in range(2):  # the second time from the memo
        assert logical_text(raw, "\\") == "a  b `\n c"
        assert logical_text(raw, "`") == "a \\\n b  c"


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from(["\\", "`"]))
def test_logical_text_is_the_regex_sub(raw: str, escape: str) -> None:
    expected = _gap_re(escape).sub("", raw)
    assert logical_text(raw, escape) == expected
    assert logical_text(raw, escape) == expected  # from the memo


def test_logical_text_memo_is_bounded() -> None:
    for i in range(words._LOGICAL_SIZE + 10):
        raw = f"x{i} \\\n y"
        assert logical_text(raw) == f"x{i}  y"
        assert len(words._LOGICAL) <= words._LOGICAL_SIZE


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from(["\\", "`", None]), st.booleans())
def test_offset_map_text_and_tables(raw: str, escape: str | None, cold: bool) -> None:
    if cold:
        words._LOGICAL.clear()
    omap = _OffsetMap(raw, escape)
    gaps = [m.span() for m in _gap_re(escape).finditer(raw)] if escape is not None and "\n" in raw else []
    kept = [i for i in range(len(raw)) if not any(s <= i < e for s, e in gaps)]
    assert omap.text == "".join(raw[i] for i in kept)
    assert omap.text == (logical_text(raw, escape) if escape is not None else raw)
    for logical, i in enumerate(kept):
        assert omap.start(logical) == i
        assert omap.span(logical, logical + 1) == (i, i + 1)


def _cleaner_by_rows(name: str, managers: tuple[Manager, ...], args: list[str]) -> str | None:
    # The loop cleaner() ran before its memo.
    for manager in managers:
        info = MANAGERS[manager]
        for prefix in info.cleaners:
            if cache_use.runs_program(name, prefix[0], info) and tuple(args[: len(prefix) - 1]) == prefix[1:]:
                return " ".join([name, *prefix[1:]])
    return None


_CLEANING = sorted({p for row in MANAGERS.values() for p in row.cleaners})
_WITH_CLEANERS = [m for m, row in MANAGERS.items() if row.cleaners]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_CLEANING), st.sampled_from(["", "3", "3.12", "x", "-x"]),
       st.lists(st.sampled_from(_WITH_CLEANERS), min_size=1, max_size=4, unique=True),
       st.lists(st.sampled_from(["clean", "cache", "clear", "--all", "purge", "-f", "x"]), max_size=3))
def test_cleaner_memo_matches_the_rows(prefix: tuple[str, ...], suffix: str, managers: list[Manager],
                                       extra: list[str]) -> None:
    name = prefix[0] + suffix
    args = [*prefix[1:], *extra]
    cmd = parse_shell(" ".join([name, *args])).commands[0]
    assert cache_use.cleaner(cmd, tuple(managers), None) == _cleaner_by_rows(name, tuple(managers), args)


_SPECS = [row.spec for _, row in sorted(MANAGERS.items()) if row.spec.actions]


def _action_by_all_texts(words_: list[str], spec: CommandSpec) -> str | None:
    # split_call's loop over the texts of every positional word, as before.
    texts = tuple(words_)
    for n, table in spec._tables:
        found = table.get(texts[:n]) if n else ("" if not texts else None)
        if found is not None:
            return spec.actions[found]  # type: ignore[index]
    return None


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_split_call_reads_the_first_words(data: st.DataObject) -> None:
    spec = data.draw(st.sampled_from(_SPECS))
    keys = sorted(spec.actions or ())
    parts = data.draw(st.lists(st.one_of(st.sampled_from(keys), st.sampled_from(["x", "y", "install", "-q"])),
                               max_size=4))
    cmd = parse_shell(" ".join(["prog", *(p for p in parts if p)])).commands[0]
    split = split_call(cmd, 1, spec)
    _, positional = split_options(cmd.argv[1:], spec)
    expected = _action_by_all_texts([w.text for w in positional], spec)
    assert (split.action if split is not None else None) == expected
