"""The value of ``$NAME`` in the environment of one command of a ``RUN``.

One fact, read by every transform that asks what a program sees (``GOFLAGS`` for
``go build``, ``CGO_ENABLED``, ``UV_PROJECT_ENVIRONMENT``): the scope's value (``ENV``,
``ARG``, the base image), then what the script did before the command at its top level
(``export X=1``; ``X=1`` when ``X`` is exported; ``unset X``), then the command's own
``X=1 cmd`` prefix and ``env X=1 cmd`` wrapper. What may or may not have happened (a
change in an ``if``, a loop, a subshell, after ``||``) or a value that is not literal is
``UNKNOWN``, never guessed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from dockmod.lang.words import UNKNOWN
from dockmod.shell.env import ANY, Step, steps_before

if TYPE_CHECKING:
    from dockmod.cst.instructions import Run
    from dockmod.semantic.model import Model
    from dockmod.shell.parse import ShellScript, SimpleCommand

#: A variable lookup: a str, ``UNKNOWN``, or None when unset.
Getter = Callable[[str], object]


def env_at(model: Model, run: Run, command: SimpleCommand) -> Getter:
    """``$NAME`` in the environment ``command`` (a command of ``run``) runs with."""
    base = model.scope_at(run).run_get
    for script in model.run(run).scripts:
        if any(c is command for c in script.commands):
            return command_env(base, script, command)
    return command_env(base, None, command)


def command_env(base: Getter, script: ShellScript | None, command: SimpleCommand) -> Getter:
    """``base`` (the values the shell starts with) as changed for ``command`` by
    ``script`` (the script it is in; None: nothing before it) and its own words. The
    script is read on the first lookup."""
    memo: list[tuple[Sequence[Step], Sequence[tuple[str, object]]]] = []

    def get(name: str) -> object:
        if not memo:
            memo.append(_changes(script, command))
        steps, own = memo[0]
        value = _replay(name, base, steps)
        for key, v in own:
            if key == name or key == ANY:
                value = v
        return value

    return get


def _changes(script: ShellScript | None,
             command: SimpleCommand) -> tuple[Sequence[Step], Sequence[tuple[str, object]]]:
    """:func:`steps_before` and :func:`_own` for ``command``; for a command of ``script``,
    kept with the script (shared through the parse cache: the getters of one command, in
    one file or in another file with the same RUN text, read them once). Keyed by the
    command's identity, exact: a script's commands are a tuple it holds, so no other
    object can take that identity while the script (and so the entry) lives."""
    if script is None or not any(c is command for c in script.commands):
        return (), tuple(_own(command))  # steps_before is empty for a command not of the script
    return script.derived((_changes, id(command)),
                          lambda s: (tuple(steps_before(s, command)), tuple(_own(command))))


def _replay(name: str, base: Getter, steps: Sequence[Step]) -> object:
    """The exported value of ``name`` after ``steps``."""
    env = shell = base(name)
    exported: bool | None = None if env is UNKNOWN else env is not None
    allexport: bool | None = False
    for s in steps:
        if s.kind == "allexport":
            allexport = True if s.name == "" else False if s.name == "-" else None
            continue
        if s.name != name and s.name != ANY:
            continue
        value = s.value if s.value is not None else UNKNOWN
        if s.kind == "unknown":
            env = shell = UNKNOWN
            exported = None
        elif s.kind == "unset":
            env = shell = None
            exported = False
        elif s.kind == "export":
            if s.has_value:
                shell = value
            exported = True
            env = shell
        else:  # assign: reaches the environment only when exported
            shell = value
            if exported or allexport:
                exported = True
                env = shell
            elif exported is None or allexport is None:
                env = UNKNOWN
    return env


def _own(command: SimpleCommand) -> list[tuple[str, object]]:
    """What ``command`` sets for itself: ``X=1 cmd``, then ``env [-i] [-u X] X=1 cmd``
    (key ``ANY``: every variable, for ``env -i`` (None) or an option not read (UNKNOWN))."""
    out: list[tuple[str, object]] = []
    for w in command.assignments:
        key, _, value = w.text.partition("=")
        if key.endswith("+"):
            out.append((key[:-1], UNKNOWN))
        else:
            out.append((key, value if w.static else UNKNOWN))
    if posixpath.basename(command.name) != "env":
        return out
    args = command.args
    i = 0
    while i < len(args):
        w = args[i]
        t = w.text
        i += 1
        if not w.static:
            out.append((ANY, UNKNOWN))  # env "$OPTS" cmd
            break
        if t in ("-i", "-", "--ignore-environment"):
            out.append((ANY, None))
        elif t in ("-u", "--unset") and i < len(args):
            out.append((args[i].text, None))
            i += 1
        elif t.startswith("--unset="):
            out.append((t[len("--unset="):], None))
        elif t.startswith("-u") and len(t) > 2:
            out.append((t[2:], None))
        elif t == "--":
            continue
        elif t.startswith("-"):
            out.append((ANY, UNKNOWN))
            break
        else:
            key, eq, value = t.partition("=")
            if not eq or not key.isidentifier():
                break  # the program
            out.append((key, value))
    return out
