"""Recognising package-manager calls among a script's commands, from the tables."""

from __future__ import annotations

from collections.abc import Iterable

from dockmod.ecosystems._base import CacheDir, CacheSetting, Manager, ManagerInfo, PackageManagerCall
from dockmod.shell.commands import WRAPPERS, split_call, unwrap
from dockmod.shell.parse import ShellScript, SimpleCommand


class Recogniser:
    """Program names → managers, built once from the table rows."""

    def __init__(self, rows: Iterable[ManagerInfo]) -> None:
        self.rows: dict[Manager, ManagerInfo] = {}
        self.programs: dict[str, Manager] = {}
        self.versioned: list[tuple[str, Manager]] = []
        self.modules: dict[str, Manager] = {}
        for row in rows:
            self.rows[row.manager] = row
            for p in row.programs:
                self.programs.setdefault(p, row.manager)
            for stem in row.versioned:
                self.versioned.append((stem, row.manager))
            for module in row.python_modules:
                self.modules.setdefault(module, row.manager)
        #: Program basename → whether it may run a manager (see _may_run); a memo.
        self._names: dict[str, bool] = {}
        #: Program basename → (config word prefix, manager, cache) that set a cache.
        self.config: dict[str, list[tuple[tuple[str, ...], Manager, CacheDir]]] = {}
        for row in self.rows.values():
            for cache in row.caches:
                for prefix in cache.config:
                    self.config.setdefault(prefix[0], []).append((prefix, row.manager, cache))

    def program(self, cmd: SimpleCommand) -> tuple[Manager, int] | None:
        """The manager and the index of the first word after its name, past wrappers."""
        if not self._may_run(cmd.name.rpartition("/")[2]):
            return None  # decided from the name alone: the other words are not built
        argv = cmd.argv
        i = unwrap(argv)
        if i >= len(argv):
            return None
        base = argv[i].text.rpartition("/")[2]
        found = self.programs.get(base)
        if found is not None:
            return found, i + 1
        for stem, manager in self.versioned:
            if _versioned(base, stem):
                return manager, i + 1
        if _versioned(base, "python"):
            j = i + 1
            while j < len(argv) and argv[j].text.startswith("-") and argv[j].text != "-m":
                j += 1
            if j + 1 < len(argv) and argv[j].text == "-m":
                module = argv[j + 1].text
                manager = self.modules.get(module)
                if manager is None and _versioned(module, "pip"):
                    manager = self.modules.get("pip")
                if manager is not None:
                    return manager, j + 2
        return None

    def _may_run(self, base: str) -> bool:
        """Whether a command named ``base`` may run a manager: it is one, a versioned one,
        a Python (``python3 -m pip``) or a wrapper (``sudo``, ``env``)."""
        known = self._names.get(base)
        if known is None:
            if len(self._names) > 4096:  # bounded: names come from arbitrary files
                self._names.clear()
            known = self._names[base] = (
                base in self.programs or base in WRAPPERS or _versioned(base, "python")
                or any(_versioned(base, stem) for stem, _ in self.versioned))
        return known

    def recognise(self, cmd: SimpleCommand) -> PackageManagerCall | None:
        found = self.program(cmd)
        if found is None:
            return None
        manager, start = found
        row = self.rows[manager]
        split = split_call(cmd, start, row.spec)
        if split is None:
            return None
        action: str | None = split.action
        if row.action_rule is not None:
            # The row decides from the words (code in ``julia -e``, ``clojure -P``).
            action = row.action_rule(split.action, split.options, split.operands)
            if action is None:
                return None
        manifest_key = "" if row.spec.actions is None and "" in row.action_manifests else action
        return PackageManagerCall(
            manager=manager,
            action=action,
            command=cmd,
            program=split.program,
            action_words=split.action_words,
            options=split.options,
            operands=split.operands,
            files=split.files,
            manifests=row.action_manifests.get(manifest_key, ()),
            _bundles=row.spec.bundles,
        )

    def calls(self, script: ShellScript) -> list[PackageManagerCall]:
        out = []
        names = self._names
        for cmd in script.commands:
            # program()'s first test, read from _may_run's memo: most commands are decided
            # by their name without the calls to recognise() and program().
            if names.get(cmd.name.rpartition("/")[2]) is False:
                continue
            call = self.recognise(cmd)
            if call is not None:
                out.append(call)
        return out


def cache_settings(recogniser: Recogniser, script: ShellScript) -> list[CacheSetting]:
    """Commands that move a cache through config, in source order.

    ``npm config set cache /x`` and ``npm config set cache=/x`` alike.
    """
    out = []
    config = recogniser.config
    for cmd in script.commands:
        base = cmd.name.rpartition("/")[2]
        if base not in config and base not in WRAPPERS:
            continue  # decided from the name alone: the other words are not built
        argv = cmd.argv
        i = unwrap(argv)
        if i >= len(argv):
            continue
        entries = recogniser.config.get(argv[i].text.rpartition("/")[2])
        if not entries:
            continue
        words = argv[i:]
        texts = [w.text for w in words]
        for prefix, manager, cache in entries:
            n = len(prefix)
            if len(texts) < n or texts[1 : n - 1] != list(prefix[1:-1]):
                continue
            key = prefix[-1]
            word = words[n - 1]
            if texts[n - 1] == key and len(words) > n:
                word = words[n]
                value = word.text
            elif texts[n - 1].startswith(key + "="):
                value = texts[n - 1][len(key) + 1 :]
            else:
                continue
            out.append(CacheSetting(manager, cache, value, word.static, cmd))
    return out


def _versioned(name: str, stem: str) -> bool:
    """``pip``, ``pip3``, ``pip3.12`` for stem ``pip``."""
    rest = name[len(stem) :]
    return name.startswith(stem) and all(c.isdigit() or c == "." for c in rest)
