"""Recognising package-manager calls among a script's commands, from the tables."""

from __future__ import annotations

import os
from collections.abc import Iterable

from dockmod.ecosystems._base import Manager, ManagerInfo, PackageManagerCall
from dockmod.shell.commands import split_call, unwrap
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

    def program(self, cmd: SimpleCommand) -> tuple[Manager, int] | None:
        """The manager and the index of the first word after its name, past wrappers."""
        argv = cmd.argv
        i = unwrap(argv)
        if i >= len(argv):
            return None
        base = os.path.basename(argv[i].text)
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
        for cmd in script.commands:
            call = self.recognise(cmd)
            if call is not None:
                out.append(call)
        return out


def _versioned(name: str, stem: str) -> bool:
    """``pip``, ``pip3``, ``pip3.12`` for stem ``pip``."""
    rest = name[len(stem) :]
    return name.startswith(stem) and all(c.isdigit() or c == "." for c in rest)
