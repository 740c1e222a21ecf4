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

from collections.abc import Mapping
from types import MappingProxyType

from dockmod.ecosystems import conda, dotnet, go, jvm, node, other, php, python, ruby, rust, system
from dockmod.ecosystems._base import (
    CacheDir,
    Ecosystem,
    InstallKind,
    Manager,
    ManagerInfo,
    PackageManagerCall,
    expand_template,
)
from dockmod.ecosystems._calls import Recogniser
from dockmod.shell.commands import CommandSpec, Option
from dockmod.shell.parse import ShellScript, SimpleCommand

_MODULES = (python, conda, node, go, rust, ruby, php, jvm, dotnet, system, other)

#: Every manager's row, by manager.
MANAGERS: Mapping[Manager, ManagerInfo] = MappingProxyType(
    {row.manager: row for module in _MODULES for row in module.MANAGERS}
)
#: Every ecosystem's row, by name (``"python"``, ``"node"``, …).
ECOSYSTEMS: Mapping[str, Ecosystem] = MappingProxyType(
    {row.name: row for module in _MODULES for row in module.ECOSYSTEMS}
)

_RECOGNISER = Recogniser(MANAGERS.values())


def calls(script: ShellScript) -> list[PackageManagerCall]:
    """Every recognised package-manager call of ``script``, in source order."""
    return _RECOGNISER.calls(script)


def recognise(command: SimpleCommand) -> PackageManagerCall | None:
    """The package-manager call ``command`` is, or None."""
    return _RECOGNISER.recognise(command)


__all__ = [
    "ECOSYSTEMS",
    "MANAGERS",
    "CacheDir",
    "CommandSpec",
    "Ecosystem",
    "InstallKind",
    "Manager",
    "ManagerInfo",
    "Option",
    "PackageManagerCall",
    "calls",
    "expand_template",
    "recognise",
]
