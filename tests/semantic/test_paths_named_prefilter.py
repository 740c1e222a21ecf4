"""``effects.paths_named`` builds no words of a command whose raw text holds no ``/``, ``~``
or ``HOME`` (``_may_name_path``): such a command names no absolute path. The pre-filter
must never drop a path the full reading finds, on corpus scripts and generated ones (quotes,
escapes, ``$'…'``, ``~``, ``$HOME``, ``--opt=/x``); the last test shows a wrong one is caught."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockmod.semantic import effects
from dockmod.semantic.paths import absolute
from dockmod.shell.parse import _CACHE, ShellScript, parse_shell
from tests.test_shell_fast import _texts

COUNTS: Counter[str] = Counter()


def _full(script: ShellScript, home: str | None) -> tuple[tuple[str, str], ...]:
    """Every command's words read, none skipped."""
    return tuple((p, w.raw) for cmd in script.commands for w in cmd.argv[1:] if (p := absolute(
        w.text.split("=", 1)[1] if w.text.startswith("-") and "=" in w.text else w.text, home)))


def _check(script: ShellScript) -> None:
    for home in (None, "/root", "/home/app"):
        # Computed on a fresh parse each time: paths_named keeps its answer with the script.
        fast = effects.paths_named(script, home)
        assert fast == _full(script, home), (script.raw, home)
    COUNTS["skipped"] += sum(not effects._may_name_path(script.raw, *c.span) for c in script.commands)
    COUNTS["paths"] += bool(fast)


def test_corpus_scripts() -> None:
    COUNTS.clear()
    for raw, escape in _texts():
        script = parse_shell(raw, escape) if escape is not None else _CACHE.get(raw, None)  # a heredoc body
        _check(script)
    assert COUNTS["skipped"] > 1000 and COUNTS["paths"] > 1000, COUNTS


_WORDS = ["/usr/bin", '"/opt/x"', "'/etc'", "\\/tmp", "$'\\057x'", '$"/x"', "~", "~/.cache", "~app",
          "$HOME", "${HOME}/.npm", '"$HOME"', "--cache-dir=/tmp/c", "--prefix='/p'", "-o/x", "x", "HOME",
          "$X/y", "a/b", "''/x", '"~"/x', "\\~/x", "\\$HOME", "-", "--", "=/x"]


@st.composite
def _scripts(draw: st.DrawFn) -> str:
    commands = []
    for _ in range(draw(st.integers(1, 4))):
        words = draw(st.lists(st.sampled_from(_WORDS), max_size=5))
        commands.append(" ".join([draw(st.sampled_from(["cp", "echo", "rm -rf", "ls", "HOME=/h cd", "\\cp"])), *words]))
    return draw(st.sampled_from([" && ", "; ", " \\\n  && "])).join(commands)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_scripts())
def test_generated_scripts(raw: str) -> None:
    _check(parse_shell(raw))


def test_a_wrong_prefilter_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Looking for ``/`` alone misses ``cd $HOME`` and ``cd ~``."""
    monkeypatch.setattr(effects, "_may_name_path", lambda raw, start, end: raw.find("/", start, end) >= 0)
    with pytest.raises(AssertionError):
        _check(parse_shell("cd $HOME && ls  # 3c1e"))  # a text no other test parses: not kept yet
