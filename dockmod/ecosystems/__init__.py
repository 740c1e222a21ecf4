"""Package managers and language ecosystems, as data.

One module per ecosystem holds its rows (:class:`ManagerInfo`, :class:`Ecosystem`), each
citing the documentation it was read from. This package reads shell commands through
:mod:`dockmod.shell` (the layer below) and is read by the semantic model and the transforms::

    from dockmod.ecosystems import MANAGERS, Manager, calls

    for call in calls(script):
        info = MANAGERS[call.manager]
        info.project_install(call), info.manifests(call), info.caches

``images.py`` (base-image families) lives here too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from types import MappingProxyType

from dockmod.ecosystems import _base, conda, dotnet, go, jvm, node, other, php, python, ruby, rust, system
from dockmod.ecosystems._base import (
    CacheDir,
    CacheSetting,
    Ecosystem,
    InstallKind,
    Manager,
    ManagerInfo,
    PackageManagerCall,
    expand_template,
)
from dockmod.ecosystems._calls import Recogniser
from dockmod.ecosystems._calls import cache_settings as _cache_settings
from dockmod.shell.commands import CommandSpec, Option
from dockmod.shell.parse import ShellScript, SimpleCommand

_MODULES = (python, conda, node, go, rust, ruby, php, jvm, dotnet, system, other)

#: Every manager's row, by manager.
_base._ROWS.update({row.manager: row for module in _MODULES for row in module.MANAGERS})
MANAGERS: Mapping[Manager, ManagerInfo] = MappingProxyType(_base._ROWS)
#: Every ecosystem's row, by name (``"python"``, ``"node"``, …).
ECOSYSTEMS: Mapping[str, Ecosystem] = MappingProxyType(
    {row.name: row for module in _MODULES for row in module.ECOSYSTEMS}
)

_RECOGNISER = Recogniser(MANAGERS.values())


def calls(script: ShellScript) -> list[PackageManagerCall]:
    """Every recognised package-manager call of ``script``, in source order.

    Recognised once per distinct script text (kept with the shared parsed script).
    """
    return list(script.derived(calls, _recognise_all))


def cache_settings(script: ShellScript) -> list[CacheSetting]:
    """Commands of ``script`` that move a cache through a tool's config, in source order
    (``pnpm config set store-dir /x``, ``npm config set cache=/x``, ``yarn config set
    cache-folder /x``)."""
    return list(script.derived(cache_settings, _settings_all))


def _settings_all(script: ShellScript) -> tuple[CacheSetting, ...]:
    return tuple(_cache_settings(_RECOGNISER, script))


def _recognise_all(script: ShellScript) -> tuple[PackageManagerCall, ...]:
    return tuple(_RECOGNISER.calls(script))


# A name the recogniser takes for a program is a whole word's basename, or a ``python -m``
# module word (:class:`~dockmod.ecosystems._calls.Recogniser`). In the shell text without its
# backslashes and continuations (quotes kept), it is then not right after a letter, digit or
# ``_`` (which would begin the same word: ``cargo``, ``django``). Anything else may stand
# before it: a separator, a quote, a ``/`` of its path, and where tree-sitter-bash recovers
# from a syntax error, it may start a word after about any other character (``;-pip``,
# ``[pip``). Quotes may stand inside it (``p'i'p``). The character after it cannot be a
# letter, ``_``, ``-`` or ``/``: those continue the same word (``pipenv``, ``/usr/local/go/bin``,
# ``dotnet-install.sh``; ``go.tgz`` is let through). Anything else may follow: a version
# (``pip3.12``), a separator, a quote (error recovery may end a word there: ``pip'x``), or
# what a continuation leaves in this text (white space, a ``#`` comment line).
# tests/ecosystems/test_may_call.py checks that no recognised call is rejected.
_NOT_BEFORE_NAME = r"A-Za-z0-9_"
_NOT_AFTER_NAME = r"A-Za-z_/-"
_IN_NAME = "['\"]*"


@functools.cache
def _names_pattern(managers: frozenset[Manager]) -> re.Pattern[str]:
    return names_pattern(managers, f"(?![{_NOT_AFTER_NAME}])")


@functools.cache
def names_pattern(managers: frozenset[Manager], after: str) -> re.Pattern[str]:
    """A pattern for a program (or ``python -m`` module) name of ``managers`` where the
    recogniser may take it for one (see above), followed by ``after`` (a regex): for
    :func:`may_call`, and for stricter pre-filters that must let through what it does."""
    names = {n for m in managers for n in (*MANAGERS[m].programs, *MANAGERS[m].versioned,
                                            *MANAGERS[m].python_modules)}
    if not names:
        return re.compile("(?!)")
    # ``(?<![A-Za-z0-9_])(?:name|name…)`` (longest first), written so that each alternative
    # starts with its first letter: re then skips to the places that hold one (a set of
    # first letters), instead of trying every name at every place (3-10 times faster on
    # corpus RUNs). The same matches, in the same order: the names are grouped by first
    # letter, each group in the longest-first order (at a place only the group of its
    # letter can match), and the look-behind moves past that letter (``c(?<![…]c)`` holds
    # where ``(?<![…])c`` does). tests/ecosystems/test_names_pattern.py compares the two.
    groups: dict[str, list[str]] = {}
    for n in sorted(names, key=len, reverse=True):
        groups.setdefault(n[0], []).append(n)
    alternatives = []
    for first, group in groups.items():
        f = re.escape(first)
        rests = "|".join(_IN_NAME.join(map(re.escape, n))[len(f):] for n in group)
        alternatives.append(f"{f}(?<![{_NOT_BEFORE_NAME}]{f})(?:{rests})")
    return re.compile(f"(?:{'|'.join(alternatives)}){after}")


# Each backslash, with the newline right after it (a continuation). A pattern that starts
# with one literal is searched for fast, unlike one that starts with a choice.
_BACKSLASH = re.compile(r"\\(?:\r?\n)?")


def unquoted(text: str) -> str:
    """Shell source without quotes, backslashes and line continuations: every word's text
    (as the shell sees it) is a substring of it, for cheap pre-filters before parsing."""
    if "\\" in text:
        text = _BACKSLASH.sub("", text)
    return text.replace("'", "").replace('"', "")


def may_call(text: str, managers: frozenset[Manager]) -> bool:
    """Cheap pre-filter before parsing: ``text`` (shell source) may hold a call of one of
    ``managers``. False only when no program name of theirs appears in it (:func:`unquoted`)
    as a word or a path's last part (``go`` in ``dl.google.com/golang/x.tgz`` is no call)."""
    if "\\" in text:
        text = _BACKSLASH.sub("", text)
    return _names_pattern(managers).search(text) is not None


def recognise(command: SimpleCommand) -> PackageManagerCall | None:
    """The package-manager call ``command`` is, or None."""
    return _RECOGNISER.recognise(command)


__all__ = [
    "ECOSYSTEMS",
    "MANAGERS",
    "CacheDir",
    "CacheSetting",
    "CommandSpec",
    "Ecosystem",
    "InstallKind",
    "Manager",
    "ManagerInfo",
    "Option",
    "PackageManagerCall",
    "cache_settings",
    "calls",
    "expand_template",
    "may_call",
    "names_pattern",
    "unquoted",
    "recognise",
]
