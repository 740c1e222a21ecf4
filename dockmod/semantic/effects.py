"""What a RUN's script may touch, as far as its commands tell: the absolute paths it
names, whether it only moves files around, whether it runs something that may write
anywhere (``make``, a script).
"""

from __future__ import annotations

from collections.abc import Collection

from dockmod.ecosystems import Manager, calls
from dockmod.semantic.paths import absolute
from dockmod.shell.parse import ShellScript

#: Commands that only move files around: a RUN made of these cannot need a package store
#: (a path it names is checked apart).
FILE_COMMANDS = frozenset(
    "chmod chown chgrp mkdir rmdir cp mv ln rm echo printf touch true false test [ ls cat"
    " useradd adduser groupadd addgroup usermod set export cd install setcap strip sed"
    " apt-get apt apk dnf yum pip pip3 npm".split()
)  # fmt: skip
#: Commands that cannot fill a package store: a RUN made of these (and of package-manager
#: calls) hides nothing under a store mount.
PLAIN_COMMANDS = FILE_COMMANDS | frozenset(
    "curl wget tar unzip gzip gunzip xz bzip2 git grep awk sort uniq head tail tee env which"
    " sha256sum sha512sum md5sum gpg dpkg dpkg-reconfigure update-ca-certificates ldconfig"
    " locale-gen localedef ln groupmod passwd chpasswd id whoami date sleep exit unset"
    " find xargs readlink dirname basename wc cut tr rpm".split()
)  # fmt: skip
#: Programs whose ``<program> config set`` only writes the tool's configuration.
CONFIG_PROGRAMS = frozenset({"pnpm", "npm", "yarn", "yarnpkg", "pip", "pip3"})


def paths_named(script: ShellScript, home: str | None) -> tuple[tuple[str, str], ...]:
    """Absolute paths the script's arguments name (``--opt=/path`` too; ``~`` and ``$HOME``
    read as ``home``), each with the word that names it as written; kept with the (shared)
    parsed script."""
    def compute(s: ShellScript) -> tuple[tuple[str, str], ...]:
        raw = s.raw
        return tuple((p, w.raw) for cmd in s.commands if _may_name_path(raw, *cmd.span) for w in cmd.argv[1:]
                     if (p := absolute(w.text.split("=", 1)[1] if w.text.startswith("-") and "=" in w.text
                                       else w.text, home)))

    return script.derived((paths_named, home), compute)


def _may_name_path(raw: str, start: int, end: int) -> bool:
    """Cheap pre-filter of :func:`paths_named` on a command's raw text ``raw[start:end]``
    (its words are not built when it fails): a word that :func:`absolute` reads as a path
    starts with ``/``, ``~`` or ``$HOME``, and a word's text only drops quotes, backslashes
    and the ``$`` of ``$'…'`` from the raw text it lies in, so that text holds one of them."""
    return raw.find("/", start, end) >= 0 or raw.find("~", start, end) >= 0 or raw.find("HOME", start, end) >= 0


def file_commands_only(script: ShellScript | None, managers: Collection[Manager]) -> bool:
    """The script runs only file commands and calls of ``managers``."""
    if script is None or script.has_error:
        return False
    same = {c.command.span for c in calls(script) if c.manager in managers}
    return all(c.name.rpartition("/")[2] in FILE_COMMANDS or c.span in same for c in script.commands)


def runs_opaque(script: ShellScript) -> bool:
    """The script runs a command that may write anywhere: not a plain command, not a
    package-manager call, not ``<tool> config set``."""
    spans = {c.command.span for c in calls(script)}
    return any(c.name.rpartition("/")[2] not in PLAIN_COMMANDS and c.span not in spans
               and not (c.name.rpartition("/")[2] in CONFIG_PROGRAMS and c.words[1:3] == ["config", "set"])
               for c in script.commands)
