"""``caches.removes_mount_point_after`` given the edited command (a RUN without heredoc)
also answers None without parsing the edited script when the only words that are not
static name a new ``mktemp`` directory of the edited script (``rm -rf "$GNUPGHOME"``): the
edited script's ``mktemp`` variables and loops are read from the command's logical text.
Checked against the slow path (parse the edited script, :func:`caches.removes_mount_point`)
on corpus scripts and generated ones, edited by the same edits as DM202's fix
(``cache_use._remove_defeaters``); the last test shows that reading the unedited script's
text instead is caught."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockmod.cst import ShellCommand
from dockmod.ecosystems import Manager
from dockmod.ecosystems import cache_use
from dockmod.lang.words import logical_text
from dockmod.semantic import caches
from dockmod.shell.parse import parse_shell
from tests.test_shell_fast import _texts

COUNTS: Counter[str] = Counter()

#: (managers, mount_env, targets) as DM202 asks for them.
_PLANS = [
    ((Manager.APT_GET, Manager.APT), (), ("/var/cache/apt", "/var/lib/apt/lists")),
    ((Manager.PIP,), (), ("/root/.cache/pip",)),
    ((Manager.UV,), (("UV_LINK_MODE", "copy"),), ("/root/.cache/uv",)),
    ((Manager.NPM,), (), ("/root/.npm",)),
    ((Manager.GO,), (), ("/go/pkg/mod", "/root/.cache/go-build")),
]
_SCOPES = [SimpleNamespace(run_get={"HOME": "/root"}.get, workdir=None),
           SimpleNamespace(run_get={"HOME": "/root", "D": "/var/cache", "T": "/tmp/t"}.get, workdir="/var")]


def _check(raw: str, escape: str = "\\") -> None:
    script = parse_shell(raw, escape)
    if script.has_error:
        return
    for managers, mount_env, targets in _PLANS:
        new, removed, error, _ = cache_use._remove_defeaters(raw, escape, managers, mount_env, targets)
        if error is not None or not removed:
            continue  # DM202 asks removes_mount_point_after only about an edited script
        edited = parse_shell(new, escape)
        command = ShellCommand(raw=new, escape=escape)
        for scope in _SCOPES:
            fast = caches.removes_mount_point_after(script, lambda: edited, targets, scope, command)  # type: ignore[arg-type]
            slow = caches.removes_mount_point(edited, targets, scope)  # type: ignore[arg-type]
            assert fast == slow, (raw, targets, new)
            if caches.may_remove(script):
                COUNTS["by the edited text"] += (caches._removals_miss(script, targets, command)
                                                 and not caches._removals_miss(script, targets))
                COUNTS["busy"] += slow is not None


def test_logical_text_is_the_parsed_text() -> None:
    """The premise: a parsed script's text is its command's logical text."""
    n = 0
    for raw, escape in _texts():
        if escape is not None:
            assert logical_text(raw, escape) == parse_shell(raw, escape).text, raw
            n += 1
    assert n > 1000


def test_corpus_scripts() -> None:
    COUNTS.clear()
    for raw, escape in _texts():
        if escape is not None:
            _check(raw, escape)
    assert COUNTS["by the edited text"] > 20 and COUNTS["busy"] > 5, COUNTS


_COMMANDS = [
    "apt-get update", "apt-get install -y curl", "apt-get clean", "pip install --no-cache-dir x",
    "PIP_NO_CACHE_DIR=1 pip install x", "uv pip install x", "npm ci", "npm cache clean --force", "go build ./...",
    "rm -rf /var/lib/apt/lists/*", "rm -rf /var/lib/apt/lists/* /tmp/x", "rm -rf /var/cache/*", "rm -rf ~/.cache",
    'GNUPGHOME="$(mktemp -d)"', "G=`mktemp -d`", 'export GNUPGHOME="$(mktemp -d)"', "X=$(mktemp -d) apt-get clean",
    "X=$(mktemp -d) npm cache clean --force", 'rm -rf "$GNUPGHOME"', "rm -rf $GNUPGHOME/x", 'rm -rf "$G" /tmp/y',
    "rm -rf $X", "rm -rf ${X}", "rm -rf $D", "rm -rf $T", "rm -rf $D/$GNUPGHOME", "rm -rf $GNUPGHOME$D",
    "rm -rf /tmp/$GNUPGHOME", "rm -rf $(mktemp -d)", 'mv "$GNUPGHOME" /tmp/z', "find $GNUPGHOME -delete",
    "for d in $GNUPGHOME $X; do rm -rf $d; done", "for d in /var/cache /tmp; do rm -rf $d; done",
    "export D=/opt", "export PIP_NO_CACHE_DIR=1", "cd /var", "cd /tmp", "true", "rm -rf cache/$GNUPGHOME",
    "rm -rf ~/$GNUPGHOME",
]


#: Each generated script has one of each, so that the edits and the new shortcut meet.
_FRESH = ['GNUPGHOME="$(mktemp -d)"', "G=`mktemp -d`", 'export GNUPGHOME="$(mktemp -d)"', "X=$(mktemp -d) apt-get clean",
          "X=$(mktemp -d) npm cache clean --force", "for G in $(mktemp -d); do true; done"]
_CLEANERS = ["apt-get clean", "npm cache clean --force", "rm -rf /var/lib/apt/lists/*", "pip install --no-cache-dir x",
             "PIP_NO_CACHE_DIR=1 pip install x", "rm -rf /var/lib/apt/lists/* $X"]
_FRESH_REMOVALS = ['rm -rf "$GNUPGHOME"', 'rm -rf "$G" /tmp/y', "rm -rf $X", "rm -rf /tmp/$GNUPGHOME $G",
                   "for d in $GNUPGHOME $X; do rm -rf $d; done", 'rm -rf "$GNUPGHOME" cache/$G']


@st.composite
def _scripts(draw: st.DrawFn) -> str:
    commands = draw(st.lists(st.sampled_from(_COMMANDS), max_size=4))
    commands += [draw(st.sampled_from(_FRESH)), draw(st.sampled_from(_CLEANERS)), draw(st.sampled_from(_FRESH_REMOVALS))]
    commands = draw(st.permutations(commands))
    return draw(st.sampled_from([" && ", "; ", " \\\n  && ", "\n", " || "])).join(commands)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_scripts())
def test_generated_scripts(raw: str) -> None:
    _check(raw)


def test_reading_the_unedited_text_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fix drops ``X=$(mktemp -d) apt-get clean``: ``$X`` is then no new directory, and
    the ``rm`` may remove the mounts. Reading the unedited script's text misses it."""
    raw = "apt-get update && X=$(mktemp -d) apt-get clean && rm -rf $X /tmp/y"
    _check(raw)  # the right text: no error
    monkeypatch.setattr(caches, "logical_text", lambda _raw, escape: logical_text(raw, escape))
    with pytest.raises(AssertionError):
        _check(raw)
