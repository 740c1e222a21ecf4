"""Small helpers the table modules share to write rows tersely."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from dockmod.ecosystems._base import ActionRule, InstallKind, PackageManagerCall

if TYPE_CHECKING:
    from dockmod.shell.commands import Option
    from dockmod.shell.parse import ShellWord


def names(text: str) -> frozenset[str]:
    """``"-r --requirement"`` → ``{"-r", "--requirement"}``."""
    return frozenset(text.split())


def same(text: str) -> dict[str, str]:
    """Actions reported as written: ``"install add"`` → ``{"install": "install", …}``."""
    return {a: a for a in text.split()}


def prefixes(option: str, shortest: str) -> tuple[str, ...]:
    """``option`` and each abbreviation down to ``shortest`` that the tool accepts as
    unambiguous (optparse/argparse/clap allow unique prefixes of long options)."""
    return tuple(option[:n] for n in range(len(option), len(shortest) - 1, -1))


def unless_asking(options: str) -> ActionRule:
    """An action rule: the command is no call when it only asks the tool about itself
    (``options``: ``"--version -v --help -h"``), as ``yarn --version`` does, whose bare
    form (``yarn``) is an install."""
    asking = names(options)

    def rule(action: str, opts: tuple[Option, ...], operands: tuple[ShellWord, ...]) -> str | None:
        return None if any(o.name in asking for o in opts) else action

    return rule


def in_dir(directory: str, files: tuple[str, ...]) -> tuple[str, ...]:
    """``files`` inside a local project directory (``.`` keeps them bare)."""
    d = directory.removeprefix("file:")
    if d in (".", "./", ""):
        return files
    return tuple(posixpath.normpath(posixpath.join(d, f)) for f in files)


def operands_or(call: PackageManagerCall, empty: InstallKind | None) -> InstallKind | None:
    """PACKAGES when packages are named, else ``empty``."""
    return InstallKind.PACKAGES if call.operands else empty


ARCHIVES = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".egg", ".gem", ".nupkg", ".jar")


def is_archive(path: str) -> bool:
    return path.endswith(ARCHIVES)
