"""``ecosystems.names_pattern`` (the pre-filters' pattern, written with each alternative
starting with its first letter) finds the same matches, overlapping ones included and in
the same order, as the plain pattern ``(?<![A-Za-z0-9_])(?:name|name…)`` it replaces: on
every corpus RUN text, for each manager alone and for wide sets, with ``may_call``'s and
``may_run``'s tails, and on generated text."""

from __future__ import annotations

import re
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

import dockmod
from dockmod.cst.arguments import ShellCommand
from dockmod.cst.instructions import Run
from dockmod.ecosystems import _IN_NAME, _NOT_AFTER_NAME, _NOT_BEFORE_NAME, MANAGERS, Manager, names_pattern
from dockmod.ecosystems.cache_use import _AFTER_NAME
from dockmod.errors import DockmodError
from dockmod.lang.words import logical_text
from tests.conftest import corpus_files, read

_AFTERS = (f"(?![{_NOT_AFTER_NAME}])", _AFTER_NAME)
_WIDE = (frozenset(Manager), frozenset(m for m, row in MANAGERS.items() if not row.system),
         frozenset({Manager.APT_GET, Manager.APT}), frozenset({Manager.PIP, Manager.UV, Manager.POETRY}))
_SETS = (*_WIDE, *(frozenset({m}) for m in Manager))


@cache
def _plain(managers: frozenset[Manager], after: str) -> re.Pattern[str]:
    # The pattern as it was written before (one alternation, the look-behind first).
    names = {n for m in managers for n in (*MANAGERS[m].programs, *MANAGERS[m].versioned,
                                            *MANAGERS[m].python_modules)}
    if not names:
        return re.compile("(?!)")
    spelled = (_IN_NAME.join(map(re.escape, n)) for n in sorted(names, key=len, reverse=True))
    return re.compile(f"(?<![{_NOT_BEFORE_NAME}])(?:{'|'.join(spelled)}){after}")


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    # Every match from each place one was found, as may_run looks (overlapping ones too).
    out = []
    m = pattern.search(text)
    while m is not None:
        out.append(m.span())
        m = pattern.search(text, m.start() + 1)
    return out


def _same(text: str, sets: tuple[frozenset[Manager], ...] = _SETS) -> int:
    found = 0
    for managers in sets:
        for after in _AFTERS:
            expected = _matches(_plain(managers, after), text)
            assert _matches(names_pattern(managers, after), text) == expected, (sorted(managers), after, text)
            found += len(expected)
    return found


def test_names_pattern_on_the_tables_spelled_every_way() -> None:
    names = sorted({n for row in MANAGERS.values() for n in (*row.programs, *row.versioned, *row.python_modules)})
    for n in names:
        quoted = "'".join(n)
        for text in (n, f"x{n}", f"{n}x", f"/usr/bin/{n}3.12 -m", f"a && {quoted}", f"_{n}-", f"{n}/", f"{n}\n{n}"):
            _same(text)


def test_names_pattern_on_corpus_runs() -> None:
    texts: set[str] = set()
    for path in corpus_files():
        try:
            df = dockmod.parse(read(path))
        except DockmodError:
            continue
        for ins in df.body:
            if isinstance(ins, Run) and isinstance(ins.command, ShellCommand):
                texts.add(logical_text(ins.command.raw, ins.command.escape))
                texts.update(h.body for h in ins.heredocs)
    found = sum(_same(t, _WIDE) for t in sorted(texts))
    assert found > 1000  # the corpus names managers: the comparison saw matches


_PIECES = st.sampled_from(["pip", "p'i'p", "apt-get", "apt", "go", "npm", "R", "Rscript", "uv", "python3 -m pip",
                           "yarn", "mvnw", "./gradlew", "composer.phar", "3.12", "x", "_", "-", "/", " ", "&&",
                           ";", "'", '"', "\n", "$", "(", "é"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_names_pattern_on_generated_text(text: str) -> None:
    _same(text)
