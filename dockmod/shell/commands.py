"""Generic call splitting: wrappers, options, operands and subcommands of one command.

Which programs are package managers, and what their options mean, is ecosystem knowledge
and lives one layer up, in :mod:`dockmod.ecosystems`; it hands a :class:`CommandSpec`
to :func:`split_call`. This module knows only how shells and command-line parsers
(getopt, argparse, picocli…) lay out words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dockmod.shell.parse import ShellWord, SimpleCommand

# Bash's reserved words and grouping tokens (bash(1), RESERVED WORDS): never a command's
# name; after most of them a command starts (``then /x/pip``).
RESERVED_WORDS = frozenset(
    "if then else elif fi case esac for select while until do done in function time coproc "
    "! [[ ]] { }".split()
)

# Wrappers that run the rest of their words as a command, with the options of each that
# take a value (sudo(8), env(1), nice(1), nohup(1), time(1), bash ``command``/``exec``,
# eatmydata(1)).
WRAPPERS: Mapping[str, frozenset[str]] = {
    "sudo": frozenset("-u -g -h -p -C -D -r -t -U".split()),
    "env": frozenset("-u --unset -C --chdir -S --split-string".split()),
    "nice": frozenset("-n --adjustment".split()),
    "nohup": frozenset(),
    "time": frozenset(),
    "command": frozenset(),
    "exec": frozenset(),
    "eatmydata": frozenset(),
}


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """How one program's words split into options, a subcommand and operands."""

    #: Subcommand words (space-joined) → action reported; ``""`` is the bare command
    #: (matched only when no operand follows). None: any first operand is the action
    #: (Maven goals, Gradle tasks).
    actions: Mapping[str, str] | None
    #: Options that take the next word as value when not written ``--opt=value``.
    takes_value: frozenset[str] = frozenset()
    #: Options whose value is a requirements / constraints / manifest file.
    file_options: frozenset[str] = frozenset()
    #: Single-dash letters may be bundled (``-yqq``).
    bundles: bool = False
    #: A two-letter option in ``takes_value`` may carry its value attached (``-rreq.txt``);
    #: False for Go-style parsers whose single-dash names are whole words (``-ldflags``).
    attached_values: bool = True
    #: False for programs without subcommands (``cpanm``, ``julia``): every positional
    #: word is an operand and the action is ``""`` (a row's action rule may name it).
    subcommands: bool = True
    #: Switches that may be written with a slash (MSBuild's ``/p:Name=Value``, ``/v:m``,
    #: ``/bl``), by name in lower case (the name ends at the first ``:``; MSBuild reads
    #: switches in any case): such a word is an option named up to its ``=``, not an
    #: operand. A slash word with another name is an operand (``/src/App.csproj``).
    slash_switches: frozenset[str] = frozenset()
    #: Options that take the next word as value only when it is ``true`` or ``false``
    #: (the dotnet CLI's ``--sc [true|false]``); else they are switches.
    bool_values: frozenset[str] = frozenset()
    #: Action keys longest first (``pip install`` before ``pip``), with their word counts.
    _order: tuple[tuple[str, int], ...] = field(init=False, repr=False, compare=False)
    #: The same, as one table per word count, longest first: (count, words → key); the
    #: first key in ``_order`` wins where two split alike.
    _tables: tuple[tuple[int, Mapping[tuple[str, ...], str]], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        keys = sorted(self.actions or (), key=lambda k: -len(k.split()))
        order = tuple((k, len(k.split())) for k in keys)
        object.__setattr__(self, "_order", order)
        tables: dict[int, dict[tuple[str, ...], str]] = {}
        for key, n in order:
            tables.setdefault(n, {}).setdefault(tuple(key.split()), key)
        object.__setattr__(self, "_tables", tuple(tables.items()))


@dataclass(frozen=True, slots=True)
class Option:
    """An option word, and its value word when written apart (``-r requirements.txt``)."""

    #: As written, before any ``=``: ``--no-cache-dir``, ``-r``, ``-yqq``.
    name: str
    #: The value (after ``=``, attached, or the next word), or None for a switch.
    value: str | None
    #: The words to remove to drop the option: one, or two when the value is apart.
    words: tuple[ShellWord, ...]


@dataclass(frozen=True, slots=True)
class SplitCall:
    """One command split by a :class:`CommandSpec` (see :func:`split_call`)."""

    action: str
    program: tuple[ShellWord, ...]
    action_words: tuple[ShellWord, ...]
    options: tuple[Option, ...]
    operands: tuple[ShellWord, ...]
    #: Values of the spec's ``file_options``, in source order.
    files: tuple[str, ...]


def unwrap(argv: Sequence[ShellWord]) -> int:
    """The index of the word naming the program run, past ``sudo``/``env``/… wrappers.

    ``len(argv)`` when the wrappers run nothing.
    """
    i = 0
    while i < len(argv):
        base = argv[i].text.rpartition("/")[2]
        takes = WRAPPERS.get(base)
        if takes is None:
            return i
        i += 1
        while i < len(argv):
            t = argv[i].text
            if t == "--":
                i += 1
                break
            if t.startswith("-") and len(t) > 1:
                i += 2 if t in takes else 1
            elif base == "env" and "=" in t:
                i += 1
            else:
                break
    return i


def split_options(
    words: Sequence[ShellWord], spec: CommandSpec
) -> tuple[list[Option], list[ShellWord]]:
    """Options (anywhere, getopt_long-style) and positional words, in source order."""
    options: list[Option] = []
    positional: list[ShellWord] = []
    takes = spec.takes_value
    i = 0
    n = len(words)
    while i < n:
        w = words[i]
        t = w.text
        if t == "--":
            positional.extend(words[i + 1 :])
            break
        if len(t) < 2 or t[0] != "-":
            if spec.slash_switches and t[:1] == "/" and t[1:].partition(":")[0].lower() in spec.slash_switches:
                name, eq, value = t.partition("=")
                options.append(Option(name, value if eq else None, (w,)))
            else:
                positional.append(w)
            i += 1
            continue
        if t[1] == "-" and "=" in t:
            name, value = t.split("=", 1)
            options.append(Option(name, value, (w,)))
        elif t in spec.bool_values and i + 1 < n and words[i + 1].text.lower() in ("true", "false"):
            options.append(Option(t, words[i + 1].text, (w, words[i + 1])))
            i += 1
        elif t in takes and i + 1 < n:
            options.append(Option(t, words[i + 1].text, (w, words[i + 1])))
            i += 1
        elif spec.attached_values and t[1] != "-" and len(t) > 2 and t[:2] in takes:
            # An attached short value, ``-rreq.txt``.
            options.append(Option(t[:2], t[2:].removeprefix("="), (w,)))
        else:
            options.append(Option(t, None, (w,)))
        i += 1
    return options, positional


def split_call(cmd: SimpleCommand, start: int, spec: CommandSpec) -> SplitCall | None:
    """Split ``cmd.argv[start:]`` (the words after the program name) by ``spec``.

    None when the words name no action of ``spec`` (``npm run build``, ``cargo --version``).
    """
    options, positional = split_options(cmd.argv[start:], spec)
    if not spec.subcommands:
        action_words: tuple[ShellWord, ...] = ()
        action = ""
    elif spec.actions is None:
        action_words = tuple(positional[:1])
        action = action_words[0].text if action_words else ""
    else:
        # Only the first words can name the action (``_tables`` starts with the longest
        # key): the texts of the others are not gathered (``apt-get install`` of 40 packages).
        tables = spec._tables
        texts = tuple([w.text for w in positional[: tables[0][0]]]) if tables else ()
        for n, table in tables:
            # A bare command (``yarn``) only when nothing follows: ``yarn build`` runs a script.
            found = table.get(texts[:n]) if n else ("" if not positional else None)
            if found is not None:
                action_words = tuple(positional[:n])
                action = spec.actions[found]
                break
        else:
            return None
    file_options = spec.file_options
    files = tuple([o.value for o in options if o.name in file_options and o.value is not None]) \
        if file_options and options else ()
    return SplitCall(
        action=action,
        program=cmd.argv[:start],
        action_words=action_words,
        options=tuple(options),
        operands=tuple(positional[len(action_words) :]),
        files=files,
    )

