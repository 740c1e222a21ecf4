"""DM202's removal of what defeats a cache stops without parsing its last edit when no
later command is a cleaner (``cache_use._remove_defeaters``), and tells whether the edited
script still runs a remover without parsing it. Both must agree with the slow way (parse
every edited text, look again, read the removers from the last parse) on corpus scripts
and generated ones; the last test shows that a wrong shortcut is caught."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockmod.cst.arguments import ShellCommand
from dockmod.ecosystems import Manager, calls
from dockmod.ecosystems import cache_use
from dockmod.ecosystems.cache_use import (
    _DIRECTIVE,
    _all_kept,
    _in_order,
    _next_cleaner,
    _next_defeater,
    _remove_defeaters,
    runs_remover,
)
from dockmod.shell.edits import comment_lines
from dockmod.shell.parse import parse_shell
from tests.ecosystems.strategies import joined_scripts
from tests.test_shell_fast import _texts

#: Directories a fix may mount (``/tmp`` too, so that ``rm`` operands inside mounts occur).
TARGETS = ("/var/cache/apt", "/var/lib/apt/lists", "/root/.cache/pip", "/root/.npm", "/tmp",
           "/var/cache/apk", "/root/.cache/uv")
MOUNT_ENV = (("UV_LINK_MODE", "copy"),)
COUNTS: Counter[str] = Counter()


def _slow(raw: str, escape: str, managers: tuple[Manager, ...], mount_env: tuple[tuple[str, str], ...],
          targets: tuple[str, ...]) -> tuple[str, tuple[str, ...], str | None, bool, tuple[str, ...]]:
    """The loop as it was: every edited text parsed, the removers read from the last parse
    (comment lines taken out by an edit are checked and kept as the loop does)."""
    source = ShellCommand(raw=raw, escape=escape)
    in_mounts = (lambda p: any(p == t or p.startswith(t.rstrip("/") + "/") for t in targets)) if targets else None
    removed: list[str] = []
    cleaning = False
    kept: set[str] = set()
    alive: list[int] = []
    moved: dict[int, str] = {}
    for _ in range(32):
        script = parse_shell(source)
        step = None if cleaning else _next_defeater(script, managers, mount_env)
        if step is None:
            cleaning = True
            step = _next_cleaner(script, managers, in_mounts, kept)
        if step is None:
            break
        what, edit = step
        out = edit(source)
        if out is None:
            return raw, (), "refused", True, ()
        new, taken = out
        comments = comment_lines(source.raw)
        if not _all_kept(comments, comment_lines(new.raw), taken) or any(_DIRECTIVE.match(t) for _, t in taken):
            return raw, (), "refused", True, ()
        if taken and not moved:
            alive = list(range(len(comments)))
        moved.update((alive[i], line) for i, line in taken)
        alive = [n for i, n in enumerate(alive) if i not in {i for i, _ in taken}]
        source = new
        removed.append(what)
    return source.raw, tuple(removed), None, runs_remover(parse_shell(source)), _in_order(moved)


def _check(raw: str, escape: str, managers: tuple[Manager, ...], targets: tuple[str, ...] = TARGETS) -> None:
    fast = _remove_defeaters.__wrapped__(raw, escape, managers, MOUNT_ENV, targets)
    slow = _slow(raw, escape, managers, MOUNT_ENV, targets)
    if fast[2] is not None:  # an error (its wording is not compared): the removers are not read
        fast, slow = (*fast[:2], "refused"), slow[:3]
    assert fast == slow, raw
    COUNTS["removed" if slow[1] else "kept"] += 1
    COUNTS["several"] += len(slow[1]) > 1


@contextmanager
def _wrong_rule() -> Iterator[None]:
    """A shortcut that stops after the first cleaner without looking at the commands after it."""
    find = cache_use._find_cleaner

    def no_more(script, managers, in_mounts, kept, start=0, home=None):  # type: ignore[no-untyped-def]
        return None if start else find(script, managers, in_mounts, kept, start, home)

    cache_use._find_cleaner = no_more  # type: ignore[assignment]
    try:
        yield
    finally:
        cache_use._find_cleaner = find  # type: ignore[assignment]


def test_corpus_scripts() -> None:
    """Every corpus RUN script with a package-manager call, for the managers it calls."""
    COUNTS.clear()
    for raw, escape in _texts():
        esc = escape if escape is not None else "\0"  # a heredoc body, edited as DM202 does
        script = parse_shell(ShellCommand(raw=raw, escape=esc))
        managers = tuple(dict.fromkeys(c.manager for c in calls(script)))
        if managers:
            _check(raw, esc, managers)
    # The corpus has scripts the edits change, several times in many.
    assert COUNTS["removed"] > 300 and COUNTS["several"] > 30, COUNTS


_COMMANDS = [
    "apt-get update", "apt-get install -y curl", "apt-get clean", "apt-get dist-clean",
    "rm -rf /var/lib/apt/lists/*", "rm -rf /var/cache/apt/archives/*.deb", "rm -rf /tmp/a /etc/b",
    "rm -f /tmp/x", "rm -rf /var/tmp/*", "rm -rf /tmp/* /var/lib/apt/lists/* /usr/share/doc",
    "pip install --no-cache-dir flask", "pip cache purge", "PIP_NO_CACHE_DIR=1 pip install x",
    "npm ci", "npm cache clean --force", "uv pip install x", "UV_NO_CACHE=1 uv sync",
    "export PIP_NO_CACHE_DIR=1", "echo done", "mv /tmp/a /opt/a", "cd /tmp", "find /tmp -delete",
    "rmdir /tmp/d", "true",
]
_JOINERS = [" && ", "; ", " \\\n    && ", " \\\n && ", " || ", " | "]


def _scripts() -> st.SearchStrategy[str]:
    return joined_scripts(_COMMANDS, _JOINERS, max_size=7)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_scripts())
def test_generated_scripts(raw: str) -> None:
    script = parse_shell(raw)
    managers = tuple(dict.fromkeys(c.manager for c in calls(script))) or (Manager.APT_GET,)
    _check(raw, "\\", managers)


def test_a_wrong_shortcut_is_caught() -> None:
    """Stopping after the first cleaner without looking at the commands after it leaves
    the second of two cleaners in place: the comparison fails."""
    raw = "apt-get install -y curl && apt-get clean && rm -rf /var/lib/apt/lists/*"
    managers = (Manager.APT_GET,)
    _check(raw, "\\", managers)
    with _wrong_rule(), pytest.raises(AssertionError):
        _check(raw, "\\", managers)
