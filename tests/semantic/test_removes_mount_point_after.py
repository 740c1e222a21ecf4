"""``caches.removes_mount_point_after`` answers None without parsing the script as DM202's
fix edits it when no operand a remover of the unedited script removes may name a target,
whatever the variables and directories (``_removals_miss``: static absolute paths, and
relative ones under any directory). The edited script must then give None too: checked on
corpus scripts and generated ones, edited by the same edits (``cache_use._remove_defeaters``);
the last test shows a wrong shortcut is caught."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockmod.ecosystems import Manager
from dockmod.ecosystems import cache_use
from dockmod.semantic import caches
from dockmod.shell.parse import _CACHE, ShellScript, parse_shell
from tests.test_shell_fast import _texts

COUNTS: Counter[str] = Counter()

#: (managers, mount_env, targets) as DM202 asks for them.
_PLANS = [
    ((Manager.APT_GET, Manager.APT), (), ("/var/cache/apt", "/var/lib/apt/lists")),
    ((Manager.PIP,), (), ("/root/.cache/pip",)),
    ((Manager.UV,), (("UV_LINK_MODE", "copy"),), ("/root/.cache/uv",)),
    ((Manager.NPM,), (), ("/root/.npm",)),
    ((Manager.APK,), (), ("/var/cache/apk",)),
    ((Manager.GO,), (), ("/go/pkg/mod", "/root/.cache/go-build")),
]
_SCOPES = [SimpleNamespace(run_get={"HOME": "/root"}.get, workdir=None),
           SimpleNamespace(run_get={"HOME": "/root", "D": "/var/cache"}.get, workdir="/var")]


def _parse(raw: str, escape: str | None) -> ShellScript:
    return parse_shell(raw, escape) if escape is not None else _CACHE.get(raw, None)  # a heredoc body


def _check(raw: str, escape: str | None) -> None:
    script = _parse(raw, escape)
    if script.has_error:
        return
    for managers, mount_env, targets in _PLANS:
        # The edits as remove_run_defeaters makes them (a heredoc body as text without escapes).
        new, removed, error, _, _ = cache_use._remove_defeaters(raw, escape or "\0", managers, mount_env, targets)
        edited = _parse(new, escape) if error is None else script
        for scope in _SCOPES:
            fast = caches.removes_mount_point_after(script, lambda: edited, targets, scope)  # type: ignore[arg-type]
            slow = caches.removes_mount_point(edited, targets, scope)  # type: ignore[arg-type]
            assert fast == slow, (raw, targets, new)
            if caches.may_remove(script):
                shortcut = caches._removals_miss(script, targets)
                COUNTS["shortcut"] += shortcut
                COUNTS["shortcut after edits"] += shortcut and bool(removed)
                COUNTS["busy"] += slow is not None


def test_corpus_scripts() -> None:
    COUNTS.clear()
    for raw, escape in _texts():
        _check(raw, escape)
    assert COUNTS["shortcut"] > 1000 and COUNTS["shortcut after edits"] > 50 and COUNTS["busy"] > 20, COUNTS


_COMMANDS = [
    "apt-get update", "apt-get install -y curl", "apt-get clean", "apt-get dist-clean", "pip install --no-cache-dir x",
    "PIP_NO_CACHE_DIR=1 pip install x", "uv pip install x", "npm ci", "npm cache clean --force", "go build ./...",
    "rm -rf /var/lib/apt/lists/*", "rm -rf /var/lib/apt/lists/* /tmp/x", "rm -rf /var/lib/apt/lists",
    "rm -rf /var/cache/apt/archives/*.deb /var/cache", "rm -rf /var/cache/*", "rm -rf ~/.cache",
    "rm -rf /root/.cache/pip", "rm -rf $D", "rm -rf $D/apt", "rm -rf cache", "rm -f -- /var/cache/apt",
    "rm -rf /tmp/* /root/.npm/_cacache", 'rm -rf "$GNUPGHOME"', "rm -rf /var/./cache/apt/..", "rm -rf /var//cache",
    "mv /var/cache/apt /tmp/apt", "mv /tmp/a /tmp/b", "find /var/cache -type f -delete", "find /tmp -delete",
    "find . -name '*.pyc' -delete", "rmdir /var/cache/apt", "cd /var", "cd /opt", 'GNUPGHOME="$(mktemp -d)"',
    "export D=/var", "export PIP_NO_CACHE_DIR=1", "for d in /var/cache /tmp; do rm -rf $d; done",
    "rm -rf /var/cache/apk/*", "apk add --no-cache curl", "true", "cd /var/cache", "cd cache", "rm -rf apt/*",
    "rm -rf cache/apt", "rm -rf ./cache", "rm -rf lib/../cache", "rm -rf apt/", "find cache -delete",
    "rm -rf .cache/pip", "cd ~", "cd /root", "mv .npm /tmp",
]


@st.composite
def _scripts(draw: st.DrawFn) -> str:
    commands = draw(st.lists(st.sampled_from(_COMMANDS), min_size=1, max_size=6))
    return draw(st.sampled_from([" && ", "; ", " \\\n  && ", "\n"])).join(commands)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_scripts())
def test_generated_scripts(raw: str) -> None:
    _check(raw, "\\")


def test_a_wrong_shortcut_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skipping the words that are not static absolute paths misses ``rm -rf ~/.cache``."""
    def wrong(script: ShellScript, targets: tuple[str, ...]) -> bool:
        return not any(w.static and w.text.startswith("/") and any(cache_use.may_name(w.text, t) for t in targets)
                       for _, words in caches._removals(script) for w in words)

    monkeypatch.setattr(caches, "_removals_miss", wrong)
    with pytest.raises(AssertionError):
        _check("pip install x && rm -rf ~/.cache  # 5d2e", "\\")
