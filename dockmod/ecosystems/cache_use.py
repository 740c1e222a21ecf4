"""How a script uses a package manager's cache, read from the rows of ``MANAGERS``: calls
that only read what is stored, settings that turn the cache off, commands that only empty
it (and the byte-exact edits that take those out), small installs, and where dnf/yum keep
packages for an image.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from dockmod.cst.arguments import Heredoc, JsonArray, ShellCommand
from dockmod.cst.instructions import Run
from dockmod.ecosystems import (
    MANAGERS,
    CacheDir,
    Manager,
    PackageManagerCall,
    cache_settings,
    calls,
    names_pattern,
)
from dockmod.ecosystems._base import template_vars
from dockmod.ecosystems.images import repository_and_tag
from dockmod.shell.commands import RESERVED_WORDS, WRAPPERS
from dockmod.shell.edits import (
    Moved,
    comment_lines,
    insert_assignment,
    remove_assignment,
    remove_command_moving_comments,
    remove_command_or_line,
    remove_words,
    remove_words_moving_comments,
)
from dockmod.shell.parse import ShellScript, ShellWord, SimpleCommand, parse_shell


class CacheBlocked(ValueError):
    """A cache mount cannot be added as asked; the message says why."""


#: A variable lookup: a value, something not a str when unknown, None when unset.
Getter = Callable[[str], object]
#: Whether an absolute, normalised path lies inside a mounted cache directory.
InMounts = Callable[[str], bool]
#: (what is removed, the edit); the edit returns the result and the comment lines its cut
#: took out (see :func:`_drop_words`), or None when it cannot be made exactly.
Removal = tuple[str, Callable[[ShellCommand], Moved | None]]


def offline(call: PackageManagerCall, get: Getter) -> list[str]:
    """How ``call`` reads only what is already stored (``--offline``, ``GOPROXY=off``, as
    ``ENV`` or written before the command). ``get``: the variables in the environment of
    ``call``'s command (:func:`dockmod.semantic.env.env_at`), so ``GOPROXY=off go build``
    and ``export GOFLAGS=-mod=vendor; go build`` count."""
    return [shown for shown, _ in _offline(call, get)]


def _offline(call: PackageManagerCall, get: Getter) -> list[tuple[str, str | tuple[str, str]]]:
    """:func:`offline`, each as written and as the row's entry that matched it (an
    ``offline_options`` spelling, an ``offline_env`` pair)."""
    info = call.info
    names = info.offline_options
    out: list[tuple[str, str | tuple[str, str]]] = []
    # Most rows (apt's) have no offline option: their options are not looked through.
    for o in call.options if names else ():
        spelled = o.name if o.name in names else f"{o.name}={o.value}"
        if spelled in names:
            out.append((o.name, spelled))
    for var, value in info.offline_env:
        got = get(var)
        if isinstance(got, str) and (value == "*" or value in got.split()):
            out.append((f"{var}={got}", (var, value)))
    return out


def bypassed(cache: CacheDir, call: PackageManagerCall, get: Getter) -> str | None:
    """How ``call`` reads something else in place of ``cache`` (its ``bypass_options`` and
    ``bypass_env``: ``go build -mod=vendor`` reads the vendor folder, not the module cache),
    as written; None when it may use it."""
    if not (cache.bypass_options or cache.bypass_env):
        return None
    return next((shown for shown, entry in _offline(call, get)
                 if entry in cache.bypass_options or entry in cache.bypass_env), None)


def reads_stored(call: PackageManagerCall, get: Getter) -> list[str]:
    """:func:`offline` without what only makes ``call`` read something else in place of a
    cache of its row (:func:`bypassed`): how it reads what an earlier step stored."""
    found = _offline(call, get)
    if not found:
        return []
    caches = call.info.caches
    return [shown for shown, entry in found
            if not any(entry in cd.bypass_options or entry in cd.bypass_env for cd in caches)]


def defeats(key: str, value: str | None) -> bool:
    """Setting ``key`` to ``value`` turns a cache off: any value for the rows'
    ``defeating_env_any`` (``PIP_NO_CACHE_DIR``), a true one otherwise (``UV_NO_CACHE``)."""
    if key in _DEFEAT_ANY:
        return True
    return (value or "").strip().lower() in ("1", "true", "yes", "on", "y", "t")


_DEFEAT_ANY = frozenset(k for row in MANAGERS.values() for k in row.defeating_env_any)


def config_sets(script: ShellScript, before: int | None) -> dict[CacheDir, str | None]:
    """Caches moved by a config command (``pnpm config set store-dir X``), in commands
    starting before offset ``before`` (or all): cache → directory (None: not known)."""
    out: dict[CacheDir, str | None] = {}
    for s in cache_settings(script):
        if before is not None and s.command.span[0] >= before:
            break
        out[s.cache] = posixpath.normpath(s.value) if s.static and s.value.startswith("/") else None
    return out


def may_run(text: str, managers: frozenset[Manager]) -> bool:
    """Cheap pre-filter before parsing, stricter than :func:`dockmod.ecosystems.may_call`:
    ``text`` (shell source as the shell gets it: a RUN's text without its continuations and
    their comment lines, a heredoc body whose backslash-newlines keep their newline; quotes
    kept) may hold a command that runs one of ``managers``. A call's program (or ``python
    -m`` module) is where :func:`~dockmod.ecosystems.may_call` finds it, with at most a
    version after its name (``pip3.12``) before the word may end: so False when each name
    appears only inside other words (``google``, ``go.tgz``, ``/usr/local/go/``,
    ``dotnet-install.sh``, ``chmod -R``), or only as the last part of a path that is an
    argument (``ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet``, see :func:`_argument_path`;
    read so in a script that tree-sitter-bash parses without error, the only kind whose calls
    DM202 reads). tests/ecosystems/test_may_run.py checks that no recognised call is rejected."""
    return _may_run(text, managers)


@functools.lru_cache(maxsize=4096)
def _may_run(text: str, managers: frozenset[Manager]) -> bool:
    pattern = names_pattern(managers, _AFTER_NAME)
    searched, cuts = text, []
    if "\\" in text:
        # Names are searched without the backslashes (``p\\ip`` runs ``pip``), and looked at in
        # ``text`` as written: where the j-th backslash was cut, later positions move by j + 1.
        searched = text.replace("\\", "")
        cuts = [m.start() - j for j, m in enumerate(_ONE_BACKSLASH.finditer(text))]
    # Each place a name is found (overlapping ones too), until one may be a program.
    m = pattern.search(searched)
    while m is not None:
        start, end = m.start(), m.end()
        if cuts:
            start, end = start + bisect_right(cuts, start), end + bisect_right(cuts, end - 1)
        if not _argument_path(text, start, end):
            return True
        m = pattern.search(searched, m.start() + 1)
    return False


_ONE_BACKSLASH = re.compile(r"\\")


# A word of plain characters: no quote, bracket, glob, operator, escape or ``=``; after the
# first word, a ``$NAME`` too (it opens nothing).
_PLAIN = r"[A-Za-z0-9_.,:+@%/-]"
_ARG = r"[A-Za-z0-9_.,:+@%/$-]"
# From a command's start to the ``/`` before a name: blanks, its first word (the command's
# name), then blanks and plain words, the last one a path up to its last ``/``.
_SEGMENT = re.compile(rf"[ \t]*({_PLAIN}+)[ \t]+(?:{_ARG}+[ \t]+)*{_ARG}*/")
# A name with at most a version (``pip3.12``), nothing that would continue its word.
_BARE_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def _argument_path(text: str, start: int, end: int) -> bool:
    """The name at ``text[start:end]`` is the last part of an argument's path, in a command
    whose name is no wrapper or keyword (``ln -s /x/dotnet``): it is not run (:func:`may_run`),
    in a script parsed without error.

    Why exact: the name ends its word (a blank, ``;``, ``&``, ``|``, a newline or the end
    follows; were it in quotes, that character would be in the word, and no program's name
    holds one). Before it, back to the last ``;``, ``&`` or ``|`` (not of a redirection:
    ``>&``, ``>|``, ``<&``; not escaped), there are only plain words and blanks (no
    backslash either): no quote or bracket can open or close there, so that operator ends
    a command (were it quoted, commented or in a heredoc line, the name would be too). The
    first word then is the next command's name (not a keyword: a parse without error has
    none elsewhere), and no wrapper: the recogniser reads its program there (``unwrap``
    returns 0), never at the path after it."""
    if text[start - 1 : start] != "/" or (end < len(text) and text[end] not in " \t\n;&|") or \
            _BARE_NAME.fullmatch(text, start, end) is None:
        return False
    q = max(text.rfind(";", 0, start), text.rfind("&", 0, start), text.rfind("|", 0, start))
    if q > 0 and text[q - 1] in "<>\\":
        return False
    seg = _SEGMENT.fullmatch(text, q + 1, start)
    if seg is None:
        return False
    first = seg.group(1).rpartition("/")[2]
    return first not in WRAPPERS and first not in RESERVED_WORDS


# After the name: a version (any character but a letter, ``_``, ``-`` or ``/``, to be wide:
# digits and dots, a quote of ``pip'3'``), then what may end the word: white space, an
# operator, a quote (error recovery may end a word there), or the end.
_AFTER_NAME = r"[^\s;&|(){}<>`/A-Za-z_-]*(?![^\s;&|(){}<>`'\"])"


def runs_program(name: str, program: str, info: object) -> bool:
    """``name`` runs ``program`` (``pip3`` runs ``pip`` when the manager is versioned)."""
    if name == program:
        return True
    rest = name[len(program):]
    return program in getattr(info, "versioned", ()) and name.startswith(program) and all(
        c.isdigit() or c == "." for c in rest)


def small_install(call: PackageManagerCall) -> bool:
    """``call`` installs only local built files (``.whl``), or one tool pinned to an exact
    version (the row's ``tool_actions`` and ``pin``): nothing is downloaded, or one download
    that only repeats when the pin changes."""
    info = call.info
    if call.files or call.action not in info.tool_actions or call.has_option(*info.tool_excludes):
        return False
    operands = [w.text for w in call.operands]
    if operands and info.local_artifacts and all(o.endswith(info.local_artifacts) for o in operands):
        return True
    return (len(operands) == 1 and re.match(info.pin, operands[0]) is not None
            and (not info.tool_options or call.has_option(*info.tool_options)))


# Which dnf or yum an image ships, by its name and the major version its tag starts with:
# (names, first version of the newer one, older variant, newer variant). The variants are
# the cache rows' (``CacheDir.variant``); an image not in this table may use any of them.
RPM_IMAGES = (
    # dnf5 from Fedora 41: https://fedoraproject.org/wiki/Changes/SwitchToDnf5
    (("fedora",), 41, "dnf4", "dnf5"),
    # Amazon Linux 2 has yum 3, 2023 dnf: https://docs.aws.amazon.com/linux/al2023/ug/package-management.html
    (("amazonlinux",), 3, "yum3", "dnf4"),
    # EL8 and later: yum is dnf (https://dnf.readthedocs.io/en/latest/cli_vs_yum.html)
    (("centos", "rockylinux", "almalinux", "oraclelinux", "redhat/ubi", "registry.access.redhat.com/ubi",
      "quay.io/centos/centos"), 8, "yum3", "dnf4"),
)  # fmt: skip


_RPM_VARIANTS = frozenset(v for row in RPM_IMAGES for v in row[2:])
#: The managers whose rows have a cache of one of those variants (``call.info`` is the
#: row of ``call.manager``, so this is what cache_targets asked of each call's caches).
_RPM_MANAGERS = frozenset(m for m, row in MANAGERS.items() if any(c.variant in _RPM_VARIANTS for c in row.caches))


def rpm_variant(image: str) -> str | None:
    """The dnf/yum variant ``image`` (its reference as written) ships; None: not known.
    Docker Hub's names are read as :func:`dockmod.ecosystems.images.repository_and_tag`
    reads them (every host of ``registry.reference.DOCKER_HUB_ALIASES``, ``library/``)."""
    parts = repository_and_tag(image)
    if parts is None:
        return None
    name, tag = parts
    major = tag.split(".")[0].split("-")[0]
    if not major.isdigit():
        return None
    for names, newer, old, new in RPM_IMAGES:
        if any(name.startswith(n) or name.endswith("/" + n.rsplit("/", 1)[-1]) for n in names):
            return new if int(major) >= newer else old
    return None


# -- what defeats or empties a cache, and its removal --------------------------------------


def cleaner(cmd: SimpleCommand, managers: Iterable[Manager], in_mounts: InMounts | None,
            home: str | None = None) -> str | None:
    """A description when ``cmd`` only empties a cache: a manager's cleaning command, or an
    ``rm`` whose every operand lies in a mounted directory (``in_mounts``; None: no mounts;
    ``~`` and ``$HOME`` read as ``home``, the ``HOME`` in effect, when known)."""
    name = cmd.name.rpartition("/")[2]
    # The name first: most commands are no cleaner, and their words are not built.
    for prefix in _cleaners_run_by(name, tuple(managers)):  # (a tuple is its own tuple())
        if tuple(w.text for w in cmd.args[: len(prefix) - 1]) == prefix[1:]:
            return " ".join([name, *prefix[1:]])
    if name == "rm" and in_mounts is not None:
        operands = [w for w in cmd.args if not w.text.startswith("-")]
        flags = [w.text for w in cmd.args if w.text.startswith("-")]
        if not operands or any(set(f) - set("-rRfv") for f in flags if not f.startswith("--")) \
                or any(f not in ("--recursive", "--force", "--verbose") for f in flags if f.startswith("--")):
            return None
        if all(_rm_inside(w, in_mounts, home) for w in operands):
            return "rm"
    return None


@functools.lru_cache(maxsize=1024)
def _cleaners_run_by(name: str, managers: tuple[Manager, ...]) -> tuple[tuple[str, ...], ...]:
    """The cleaning commands (``info.cleaners``) of ``managers`` whose program a command
    named ``name`` runs, in the order :func:`cleaner` tries them (by manager, then row).
    A memo of :func:`runs_program` (a pure function of the name and the rows) over every
    row, which cleaner() asked again for each command."""
    return tuple(prefix for m in managers for prefix in MANAGERS[m].cleaners
                 if runs_program(name, prefix[0], MANAGERS[m]))


def _rm_inside(word: ShellWord, in_mounts: InMounts, home: str | None = None) -> bool:
    text = _home_path(word, home) if home is not None else None
    if text is None:
        if not word.static:
            # ``rm -rf /var/lib/apt/lists/*`` is a glob (static text keeps the ``*``).
            return False
        text = word.text
    path = text[:-2] if text.endswith("/*") else text
    if "*" in path or "?" in path or "[" in path:
        return False
    path = posixpath.normpath(path) if path.startswith("/") else ""
    return bool(path) and in_mounts(path)


def _home_path(word: ShellWord, home: str) -> str | None:
    """``word`` with a leading unquoted ``~`` or a leading ``$HOME``/``${HOME}`` (quoted or
    not) read as ``home``; None when it starts with neither, or holds another expansion."""
    text, raw = word.text, word.raw
    if word.static:
        return home + text[1:] if (text == "~" or text.startswith("~/")) and raw.startswith("~") else None
    for var in ("$HOME", "${HOME}"):
        if (text == var or text.startswith(var + "/")) and raw.lstrip('"').startswith(var):
            rest = text[len(var):]
            return None if "$" in rest or "`" in rest else home + rest
    return None


#: Commands that remove or move the paths they are given. A mount point cannot be removed
#: or moved (rmdir(2), rename(2): EBUSY), so ``rm -rf /var/cache/*`` over a mount on
#: ``/var/cache/apt`` empties the cache and then fails, and the ``RUN`` with it
#: (https://man7.org/linux/man-pages/man2/rmdir.2.html, .../rename.2.html).
REMOVERS = frozenset({"rm", "rmdir", "mv", "find"})
#: ``find`` actions that delete or run a command on what is found.
_FIND_ACTIONS = frozenset({"-delete", "-exec", "-execdir", "-ok", "-okdir"})
#: A part of a path that is not known (a variable, a command substitution): any text.
ANY_PART = "\0"


def removed_operands(cmd: SimpleCommand) -> list[ShellWord]:
    """The operands ``cmd`` removes or moves away: ``rm``'s and ``rmdir``'s, the sources of
    ``mv``, the start points of a ``find`` that deletes (or runs a command on) what it finds."""
    name = cmd.name.rpartition("/")[2]
    if name not in REMOVERS:
        return []
    args = cmd.args
    if name == "find":
        texts = [w.text for w in args]
        deletes = any(t == "-delete" or t in _FIND_ACTIONS and i + 1 < len(texts)
                      and texts[i + 1].rpartition("/")[2] in REMOVERS for i, t in enumerate(texts))
        files_only = any(t == "-type" and i + 1 < len(texts) and "d" not in texts[i + 1]
                         for i, t in enumerate(texts)) and not any(t in ("-o", "-or", ",") for t in texts)
        if not deletes or files_only:
            return []  # ``find /usr/local -type f -name '*.pyc' -delete`` removes no directory
        words = list(args)
        while words and words[0].text in ("-H", "-L", "-P"):
            words.pop(0)
        starts = []
        for w in words:
            if w.text.startswith("-") or w.text in ("(", "!", ")"):
                break
            starts.append(w)
        return starts
    operands: list[ShellWord] = []
    ended = False
    for w in args:
        if not ended and w.text == "--":
            ended = True
        elif ended or not w.text.startswith("-") or w.text == "-":
            operands.append(w)
    if name == "mv" and not any(w.text.startswith(("-t", "--target-directory")) for w in args):
        operands = operands[:-1]
    return operands


def may_name(pattern: str, path: str) -> bool:
    """``pattern`` (an absolute path that may hold globs, and :data:`ANY_PART` for text not
    known) may name ``path`` or a directory above it (never ``/`` itself). A ``*`` or ``?``
    that starts a name does not match a leading dot (POSIX shells' pathname expansion)."""
    regex = _pattern_regex(pattern)
    while path not in ("/", ""):
        if regex.fullmatch(path):
            return True
        path = posixpath.dirname(path)
    return False


@functools.lru_cache(maxsize=512)
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        start = i == 0 or pattern[i - 1] == "/"
        if c == ANY_PART:
            out.append(".*")
        elif c in "*?":
            out.append(("(?!\\.)" if start else "") + ("[^/]*" if c == "*" else "[^/]"))
        elif c == "[" and "]" in pattern[i + 2:]:
            i = pattern.index("]", i + 2)
            out.append("[^/]")
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out))


def empties_index(cmd: SimpleCommand, directory: str, managers: Iterable[Manager]) -> bool:
    """``cmd`` removes what ``directory`` (a package index: apt's lists) holds: an ``rm``
    of it, its content (``/var/lib/apt/lists/*``) or a directory above it, or a manager's
    ``index_cleaners`` (``apt-get dist-clean``)."""
    name = cmd.name.rpartition("/")[2]
    if name != "rm":
        return any(runs_program(name, p[0], MANAGERS[m]) and tuple(w.text for w in cmd.args[: len(p) - 1]) == p[1:]
                   for m in managers for p in MANAGERS[m].index_cleaners)
    for w in cmd.args:
        text = w.text.removesuffix("/*")
        if w.static and text.startswith("/") and not any(c in text for c in "*?["):
            path = posixpath.normpath(text)
            if directory == path or directory.startswith(path.rstrip("/") + "/"):
                return True
    return False


def rm_operands_inside(cmd: SimpleCommand, in_mounts: InMounts | None, home: str | None = None) -> list[ShellWord]:
    """``rm -rf /var/lib/apt/lists/* /tmp/x``: the operands inside mounts, when others remain
    (``home`` as for :func:`cleaner`)."""
    if cmd.name.rpartition("/")[2] != "rm" or in_mounts is None:
        return []
    operands = [w for w in cmd.args if not w.text.startswith("-")]
    within = [w for w in operands if _rm_inside(w, in_mounts, home)]
    return within if within and len(within) < len(operands) else []


def next_removal(script: ShellScript, managers: Collection[Manager], mount_env: Sequence[tuple[str, str]],
                 in_mounts: InMounts | None) -> Removal | None:
    """The first edit that keeps the cache of ``managers`` in use: drop a defeating option
    or variable, add a ``mount_env`` assignment, drop a cleaning command."""
    return _next_defeater(script, managers, mount_env) or _next_cleaner(script, managers, in_mounts)


def _next_defeater(script: ShellScript, managers: Collection[Manager],
                   mount_env: Sequence[tuple[str, str]]) -> Removal | None:
    """:func:`next_removal` before the cleaning commands: a defeating option or variable to
    drop, a ``mount_env`` assignment to add."""
    defeating_env = {k for m in managers for k in MANAGERS[m].defeating_env}
    for call in calls(script):
        if call.manager not in managers:
            continue
        names = call.info.defeating_options
        for opt in call.options:
            if opt.name in names:
                return opt.name, lambda src, w=opt.words: _drop_words(src, w)
        for w in call.command.assignments:
            key, _, value = w.text.partition("=")
            if key in defeating_env and defeats(key, value):
                return key, lambda src, word=w, cmd=call.command: _kept(remove_assignment(src, cmd, word))
        for w in call.program:
            key, eq, value = w.text.partition("=")
            if eq and key in defeating_env and defeats(key, value):
                return key, lambda src, word=w: _drop_words(src, (word,))
    for cmd in script.commands:
        # ``export UV_NO_CACHE=1`` in the same script.
        if cmd.name != "export":
            continue
        hits = [w for w in cmd.args if w.text.partition("=")[0] in defeating_env
                and w.text.partition("=")[1] and defeats(*w.text.split("=", 1))]
        if hits and len(hits) == len(cmd.args):
            return hits[0].text.partition("=")[0], lambda src, c=cmd: _drop_command(src, c)
        if hits:
            return hits[0].text.partition("=")[0], lambda src, ws=hits: _drop_words(src, ws)
    for call in calls(script):
        for key, value in mount_env:
            if call.manager in managers and call.kind is not None and not any(
                    w.text.startswith(f"{key}=") for w in (*call.command.assignments, *call.program)) and not any(
                    o.name == opt for k, opt in call.info.mount_env_options if k == key for o in call.options):
                return key, lambda src, c=call.command, kv=f"{key}={value}": _kept(insert_assignment(src, c, kv))
    return None


def _next_cleaner(script: ShellScript, managers: Collection[Manager], in_mounts: InMounts | None,
                  kept: set[str] | None = None) -> Removal | None:
    """:func:`next_removal`'s cleaning commands (and ``rm`` operands) to drop. ``kept``:
    the texts of commands found to be neither in an earlier step on the same script (an
    edit keeps every other command's text, so its words): skipped, and added to."""
    found = _find_cleaner(script, managers, in_mounts, kept)
    return None if found is None else found[1]


def _find_cleaner(script: ShellScript, managers: Collection[Manager], in_mounts: InMounts | None,
                  kept: set[str] | None, start: int = 0, home: str | None = None) -> tuple[int, Removal, bool] | None:
    """:func:`_next_cleaner` from the command at index ``start`` on: the index of the
    command, the removal, and whether it removes the whole command (else ``rm`` operands);
    ``home`` as for :func:`cleaner`."""
    raw = script.raw
    seen = kept if kept is not None else set()
    firsts = _cleaner_programs(managers if isinstance(managers, tuple) else tuple(managers))
    commands = script.commands
    for i in range(start, len(commands)):
        cmd = commands[i]
        text = raw[cmd.span[0]:cmd.span[1]]
        if text in seen:
            continue
        # A cleaning command's name starts with its program (``pip3``), or it is ``rm``.
        name = cmd.name.rpartition("/")[2]
        what = cleaner(cmd, managers, in_mounts, home) if name == "rm" or name.startswith(firsts) else None
        if what is not None:
            return i, (what, lambda src, c=cmd: _drop_command(src, c)), True
        within = rm_operands_inside(cmd, in_mounts, home) if name == "rm" else []  # (its own first test)
        if within:
            return i, (within[0].text, lambda src, ws=within: _drop_words(src, ws)), False
        seen.add(text)
    return None


def _drop_command(source: ShellCommand, cmd: SimpleCommand) -> Moved | None:
    """:func:`~dockmod.shell.edits.remove_command_moving_comments`: the comment lines of
    the RUN's continuation that the cut takes are returned, to go above the ``RUN``. A
    heredoc body (``escape == "\\0"``) moves none: there they are shell comments, and
    :func:`_remove_defeaters` refuses an edit that drops one."""
    if source.escape == "\0":
        return _kept(remove_command_or_line(source, cmd))
    return remove_command_moving_comments(source, cmd)


def _drop_words(source: ShellCommand, words: Sequence[ShellWord]) -> Moved | None:
    """:func:`~dockmod.shell.edits.remove_words_moving_comments`, as :func:`_drop_command`."""
    if source.escape == "\0":
        return _kept(remove_words(source, words))
    return remove_words_moving_comments(source, words)


def _kept(new: ShellCommand | None) -> Moved | None:
    """An edit that moves no comment line, as a :data:`Removal`'s edit returns it."""
    return None if new is None else (new, ())


@functools.lru_cache(maxsize=256)
def _cleaner_programs(managers: tuple[Manager, ...]) -> tuple[str, ...]:
    """The programs of the cleaning commands of ``managers`` (see :func:`cleaner`)."""
    return tuple(dict.fromkeys(p[0] for m in managers for p in MANAGERS[m].cleaners))


def remove_defeaters(source: ShellCommand, managers: Sequence[Manager], mount_env: Sequence[tuple[str, str]],
                     targets: Sequence[str], home: str | None = None,
                     ) -> tuple[ShellCommand, list[str], tuple[str, ...]]:
    """``source`` after every :func:`next_removal` edit, what was removed, and the comment
    lines of its continuations that the edits took out (the caller keeps them: DM202 puts
    them above the ``RUN``), in source order, each as written from its ``#`` through its
    line break. An ``rm`` is removed when it only empties ``targets`` (the mounted
    directories; ``~`` and ``$HOME`` read as ``home``, the ``HOME`` in effect at every ``rm``
    when known). Raises CacheBlocked (the reason) when an edit cannot be made exactly,
    would drop a comment line (in a heredoc body, where they are the script's), or would
    move one that tools read above an instruction (``# hadolint ignore=…``,
    ``# dockmod: …``). Cached by text: a fix's check, fix pass and re-check ask the same
    question."""
    source, removed, _, moved = _removed_defeaters(source, managers, mount_env, targets, home)
    return source, removed, moved


def _removed_defeaters(source: ShellCommand, managers: Sequence[Manager], mount_env: Sequence[tuple[str, str]],
                       targets: Sequence[str], home: str | None,
                       ) -> tuple[ShellCommand, list[str], bool, tuple[str, ...]]:
    """:func:`remove_defeaters`, with whether the result still runs a command of
    :data:`REMOVERS` (read without parsing it) before the moved comment lines."""
    raw, removed, error, removers, moved = _remove_defeaters(source.raw, source.escape, tuple(managers),
                                                             tuple(mount_env), tuple(targets), home)
    if error is not None:
        raise CacheBlocked(error)
    new = source if raw == source.raw else ShellCommand(raw=raw, escape=source.escape)
    return new, list(removed), removers, moved


def remove_run_defeaters(run: Run, of: Sequence[PackageManagerCall], mount_env: Sequence[tuple[str, str]],
                         targets: Sequence[str], home: str | None = None,
                         ) -> tuple[ShellCommand | JsonArray | None, tuple[Heredoc, ...], list[str], bool,
                                    tuple[str, ...]]:
    """:func:`remove_defeaters` for the managers of ``of`` on a RUN's script: its command
    and heredocs after the edits, what was removed, whether the edited script still runs a
    command that removes or moves paths (:data:`REMOVERS`; read without parsing it), and
    the comment lines the edits took out of the command's continuations (for the caller
    to put above the ``RUN``; none from a heredoc body). ``home``: see :func:`remove_defeaters`."""
    heredoc = bool(run.heredocs)
    # A heredoc body is edited as a ShellCommand whose escape character never occurs, so
    # nothing is joined and its spans equal the body's (the shell joins lines itself).
    source = ShellCommand(raw=run.heredocs[0].body, escape="\0") if heredoc else run.command
    assert isinstance(source, ShellCommand)
    source, removed, removers, moved = _removed_defeaters(source, tuple(dict.fromkeys(c.manager for c in of)),
                                                          mount_env, targets, home)
    if heredoc:
        return (run.command, (run.heredocs[0].with_changes(body=source.raw), *run.heredocs[1:]), removed, removers,
                moved)
    return source, tuple(run.heredocs), removed, removers, moved


@functools.lru_cache(maxsize=1024)
def _remove_defeaters(raw: str, escape: str, managers: tuple[Manager, ...], mount_env: tuple[tuple[str, str], ...],
                      targets: tuple[str, ...], home: str | None = None,
                      ) -> tuple[str, tuple[str, ...], str | None, bool, tuple[str, ...]]:
    source = ShellCommand(raw=raw, escape=escape)
    # A path in a mounted directory (both absolute and normalised).
    in_mounts = (lambda p: any(p == t or p.startswith(t.rstrip("/") + "/") for t in targets)) if targets else None
    removed: list[str] = []
    cleaning = False
    kept: set[str] = set()
    # The comment lines of ``source``: those of the last edit's result (not split again).
    comments: list[str] | None = None
    # Once an edit took comment lines out: the index of each line of ``comments`` among
    # the script's before the edits, and the lines taken, by that index.
    alive: list[int] = []
    moved: dict[int, str] = {}
    for _ in range(32):
        script = parse_shell(source)
        found = None
        # Once no defeater is left, dropping a cleaning command (or rm operands) brings
        # none back: calls are recognised command by command, and the edit keeps every
        # other command's words. So the calls of the edited scripts need not be recognised.
        step = None if cleaning else _next_defeater(script, managers, mount_env)
        if step is None:
            cleaning = True
            found = _find_cleaner(script, managers, in_mounts, kept, home=home)
            step = found[1] if found is not None else None
        if step is None:
            return source.raw, tuple(removed), None, runs_remover(script), _in_order(moved)
        what, edit = step
        out = edit(source)
        if out is None:
            return raw, (), f"`{what}` cannot be removed without changing the rest of the script", True, ()
        new, taken = out
        if comments is None:
            comments = comment_lines(source.raw)
        new_comments = comment_lines(new.raw)
        if new_comments != comments or taken:
            if not _all_kept(comments, new_comments, taken):
                return raw, (), f"removing `{what}` would drop a comment line", True, ()
            directive = next((line for _, line in taken if _DIRECTIVE.match(line)), None)
            if directive is not None:
                return raw, (), (f"removing `{what}` would move `{directive.strip()}` above the `RUN`, where it "
                                 "would be read as a directive"), True, ()
            if not moved:
                alive = list(range(len(comments)))
            moved.update((alive[i], line) for i, line in taken)
            gone = {i for i, _ in taken}
            alive = [n for i, n in enumerate(alive) if i not in gone]
        source, comments = new, new_comments
        removed.append(what)
        if found is not None and _find_cleaner(script, managers, in_mounts, kept, found[0] + 1, home) is None:
            # The edited text is not parsed to find no further step (one shell parse of
            # the whole script saved). Exact: each edit leaves every other command with
            # its name and words (it verifies that, see dockmod.shell.edits), so the next
            # pass would see the commands before this one (in ``kept``), those after it
            # (none a cleaner: just read), and this one with its in-mount ``rm`` operands
            # gone, whose other operands are still outside every mount (no cleaner, none
            # to drop). Its removers are this script's but the one dropped whole.
            i, whole = found[0], found[2]
            return source.raw, tuple(removed), None, any(
                c.name.rpartition("/")[2] in REMOVERS for n, c in enumerate(script.commands) if n != i or not whole
            ), _in_order(moved)
    return source.raw, tuple(removed), None, runs_remover(parse_shell(source)), _in_order(moved)


#: A comment line that a tool reads when it stands above an instruction: dockmod's own
#: suppressions (:mod:`dockmod.suppressions`) and hadolint's pragmas (``# hadolint
#: ignore=DL3008``, ``global``, ``shell=``). Inside a continuation neither reads it, so
#: moving one above the ``RUN`` would turn it on.
_DIRECTIVE = re.compile(r"#\s*(?:dockmod\s*:|hadolint\s)", re.IGNORECASE)


def _all_kept(comments: list[str], kept: list[str], taken: Sequence[tuple[int, str]]) -> bool:
    """An edit keeps every comment line: those of the script before it (``comments``,
    stripped) are those left after it (``kept``) and those it took out (``taken``: each
    one's index in ``comments`` and its text), in order."""
    gone = {i for i, _ in taken}
    return (len(gone) == len(taken) and all(i < len(comments) and comments[i] == line.strip() for i, line in taken)
            and [c for i, c in enumerate(comments) if i not in gone] == kept)


def _in_order(moved: dict[int, str]) -> tuple[str, ...]:
    """The lines taken, in source order (an edit of a defeater may take a line after one a
    later edit of a cleaner takes)."""
    return tuple(moved[i] for i in sorted(moved)) if moved else ()


def runs_remover(script: ShellScript) -> bool:
    """``script`` runs a command of :data:`REMOVERS` (by its name)."""
    return any(c.name.rpartition("/")[2] in REMOVERS for c in script.commands)


# -- configuration files that move a cache ------------------------------------------------


@dataclass(frozen=True, slots=True)
class CacheConfig:
    """Configuration files a manager reads without the command naming them, where a
    setting can move its cache directory: a mount on the default directory would then be
    at the wrong place."""

    managers: tuple[Manager, ...]
    #: File names, wherever they are (the system's, the user's, the project's).
    names: tuple[str, ...]
    #: Full paths, as templates of variables (``{HOME}/.config/pypoetry/config.toml``).
    paths: tuple[str, ...]
    #: Variables that name another configuration file.
    env: tuple[str, ...]
    #: The setting that moves the cache.
    setting: str
    source: str


CACHE_CONFIGS = (
    # /etc/pip.conf, /etc/xdg/pip/pip.conf, ~/.config/pip/pip.conf, ~/.pip/pip.conf,
    # $VIRTUAL_ENV/pip.conf (pip.ini on Windows); PIP_CONFIG_FILE.
    CacheConfig((Manager.PIP,), ("pip.conf", "pip.ini"), (), ("PIP_CONFIG_FILE",), "cache-dir",
                "https://pip.pypa.io/en/stable/topics/configuration/"),
    # the project's .npmrc, ~/.npmrc, $PREFIX/etc/npmrc; userconfig, globalconfig.
    CacheConfig((Manager.NPM,), (".npmrc", "npmrc"), (),
                ("NPM_CONFIG_USERCONFIG", "npm_config_userconfig", "NPM_CONFIG_GLOBALCONFIG",
                 "npm_config_globalconfig"), "cache",
                "https://docs.npmjs.com/cli/v10/configuring-npm/npmrc"),
    # pnpm reads the same .npmrc files, and ~/.config/pnpm/rc.
    CacheConfig((Manager.PNPM,), (".npmrc", "npmrc"), ("{HOME}/.config/pnpm/rc",),
                ("NPM_CONFIG_USERCONFIG", "npm_config_userconfig"), "store-dir", "https://pnpm.io/npmrc#store-dir"),
    # Yarn classic: the project's and the home's .yarnrc.
    CacheConfig((Manager.YARN,), (".yarnrc",), (), (), "cache-folder", "https://classic.yarnpkg.com/en/docs/yarnrc"),
    # $COMPOSER_HOME/config.json (~/.composer or ~/.config/composer by default).
    CacheConfig((Manager.COMPOSER,), (),
                ("{COMPOSER_HOME}/config.json", "{HOME}/.composer/config.json", "{HOME}/.config/composer/config.json"),
                (), "cache-dir", "https://getcomposer.org/doc/06-config.md#cache-dir"),
    # the project's uv.toml, ~/.config/uv/uv.toml, /etc/uv/uv.toml; UV_CONFIG_FILE.
    CacheConfig((Manager.UV,), ("uv.toml",), (), ("UV_CONFIG_FILE",), "cache-dir",
                "https://docs.astral.sh/uv/concepts/configuration-files/"),
    # the project's poetry.toml, ~/.config/pypoetry/config.toml.
    CacheConfig((Manager.POETRY,), ("poetry.toml",), ("{HOME}/.config/pypoetry/config.toml",), (), "cache-dir",
                "https://python-poetry.org/docs/configuration/"),
)  # fmt: skip


# -- where a call's caches are -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CacheTarget:
    """A cache directory of a call, resolved: ``how`` is "option" (the command line),
    "config" (``<tool> config set``) or "default" (the row's path in the environment)."""

    path: str
    cache: CacheDir
    how: str
    manager: Manager | None = None

    @property
    def kind(self) -> str:
        """``cache``, ``store`` or ``index`` (see :attr:`CacheDir.kind`)."""
        return self.cache.kind

    @property
    def system(self) -> bool:
        """Written as root whatever ``USER`` says (a system manager's default directory)."""
        return self.how == "default" and self.cache.system


def cache_targets(call: PackageManagerCall, get: Getter, *, root: bool, config: Mapping[CacheDir, str | None],
                  image: str, user: str = "") -> list[CacheTarget]:
    """The cache directories of ``call`` for variables ``get`` (run as root or not), the
    directories moved by ``config`` and the image's text. Raises CacheBlocked (the reason) when
    one cannot be resolved to a known absolute path; ``user`` names the user in that reason."""
    caches = call.info.caches
    variant = None
    if call.manager in _RPM_MANAGERS:  # any(c.variant in _RPM_VARIANTS for c in caches)
        variant = call.info.program_variants.get(os.path.basename(call.program[-1].text)) or rpm_variant(image)
    if variant is not None:
        caches = tuple(c for c in caches if c.variant in ("", variant))
    out = []
    # ``config`` is most often empty: a row (a dataclass of many fields) is hashed to look
    # it up only when it is not.
    moved = bool(config)
    for cd in caches:
        if not cd.applies(call.action) or bypassed(cd, call, get) is not None:
            continue
        if cd.explicit and not (moved and cd in config) and not any(
                isinstance(get(v), str) for v in (*cd.env, *(o for o, _ in cd.overrides))):
            continue
        # (most rows name no option for their cache: no generator to find none)
        opt = next((o for o in call.options for name in cd.options
                    if o.name == name or name.endswith("=") and o.name.startswith(name)), None) \
            if cd.options and call.options else None
        if opt is not None:
            value = opt.value if opt.value is not None else opt.name.split("=", 1)[-1]
            if not value or not value.startswith("/") or "$" in value:
                raise CacheBlocked(f"`{opt.name.split('=')[0]}` is not an absolute path")
            out.append(CacheTarget(posixpath.normpath(value), cd, "option", call.manager))
            continue
        if moved and cd in config:
            value = config[cd]
            if value is None:
                raise CacheBlocked(f"`{' '.join(cd.config[0])}` names a directory that is not a known absolute path")
            out.append(CacheTarget(posixpath.normpath(value), cd, "config", call.manager))
            continue
        path = _resolve(cd, get, root)
        if path is None:
            raise CacheBlocked(_unresolved(cd, get, user))
        out.append(CacheTarget(path, cd, "default", call.manager))
    return out


def _resolve(cd: CacheDir, get: Getter, root: bool) -> str | None:
    """:meth:`CacheDir.resolve`, kept by the values of the variables it may read (most
    RUNs of a corpus resolve a row in the same few environments). Both tables are keyed
    by the row's identity, not its value (a dataclass of many fields, hashed field by
    field): each entry holds its row, so no other row can take its id meanwhile."""
    hit = _VARIABLES.get(id(cd))
    if hit is None or hit[0] is not cd:
        # Every name resolve() may read: the row's variables and its override templates'.
        hit = _VARIABLES[id(cd)] = (cd, tuple(dict.fromkeys(
            (*cd.variables, *(v for _, t in cd.overrides for v in template_vars(t))))))
    names = hit[1]
    values = tuple(get(n) for n in names)
    key = (id(cd), root, values)
    try:
        found = _RESOLVED[key]
    except KeyError:
        pass
    except TypeError:  # a value that cannot be hashed: not kept
        return cd.resolve(get, root=root)
    else:
        if found[0] is cd:
            return found[1]
    if len(_RESOLVED) >= 4096:
        _RESOLVED.clear()
    known = dict(zip(names, values))
    path = cd.resolve(known.get, root=root)
    _RESOLVED[key] = (cd, path)
    return path


#: :func:`_resolve`'s memo tables, by the row's id (each entry holds its row): the row's
#: variables, and (row, root, their values) → path.
_VARIABLES: dict[int, tuple[CacheDir, tuple[str, ...]]] = {}
_RESOLVED: dict[tuple[int, bool, tuple[object, ...]], tuple[CacheDir, str | None]] = {}


def _unresolved(cd: CacheDir, get: Getter, user: str) -> str:
    """Why ``cd`` cannot be resolved."""
    for v in cd.variables:
        value = get(v)
        if v == "HOME" and value is not None and not isinstance(value, str):
            return f"`HOME` of user `{user or '?'}` is unknown; set `ENV HOME`"
        if value is not None and (not isinstance(value, str) or value and not value.startswith("/")):
            return f"`{v}` is not a known absolute path"
    unset = [v for v in cd.variables if get(v) is None]
    return f"the cache directory depends on `{unset[0] if unset else cd.path}`, which is not set"


#: Debian's and Ubuntu's images delete every downloaded ``.deb`` through this apt
#: configuration file (https://github.com/debuerreotype/debuerreotype, ``docker-clean``).
DOCKER_CLEAN_FILE = "/etc/apt/apt.conf.d/docker-clean"


def disables_docker_clean(cmd: SimpleCommand) -> bool:
    """``cmd`` removes :data:`DOCKER_CLEAN_FILE` (apt then keeps the downloaded packages)."""
    return cmd.name.rpartition("/")[2] == "rm" and any(w.text == DOCKER_CLEAN_FILE for w in cmd.args)


def reads_stored_index(call: PackageManagerCall, among: Iterable[PackageManagerCall]) -> bool:
    """``call`` reads its package index (the row's ``reads_index``) without a refresh of
    that index before it among ``among`` (the calls of its script): it reads what an
    earlier RUN stored."""
    if call.action not in call.info.reads_index:
        return False
    # The rows compared by ``==`` (as a set would after hashing each): no row is hashed.
    index = [c for c in call.info.caches if c.kind == "index"]
    return not any(
        c.span[0] < call.span[0] and c.action in c.info.index_actions and any(i in c.info.caches for i in index)
        for c in among)


def refreshes_metadata(call: PackageManagerCall, script: ShellScript) -> bool:
    """``call`` fetches its repository metadata anew (the row's ``metadata_refresh``
    options on it, ``metadata_refreshers`` before it: ``dnf --refresh install``,
    ``dnf clean expire-cache && dnf install``), rather than reusing what a cache holds
    until it expires. An earlier ``dnf --refresh`` call does not count: a repository
    added since (``dnf install epel-release``) was not refreshed."""
    info = call.info
    if not info.metadata_refresh and not info.metadata_refreshers:
        return True
    if any(o.name in info.metadata_refresh or f"{o.name}={o.value}" in info.metadata_refresh for o in call.options):
        return True
    for cmd in script.commands:
        if cmd.span[0] >= call.span[0]:
            break
        name = cmd.name.rpartition("/")[2]
        if any(name == p[0] and tuple(w.text for w in cmd.args[:len(p) - 1]) == p[1:]
               for p in info.metadata_refreshers):
            return True
    return False


def linted_cleaner(script: ShellScript, of: Iterable[PackageManagerCall]) -> str | None:
    """Why a cache mount cannot be added: the script runs a cleaning command of the
    managers of ``of`` that a linter wants kept (``dnf clean``; the row's ``linted_cleaners``)."""
    rows = {c.manager: c.info for c in of if c.info.linted_cleaners}
    if not rows:
        return None
    for cmd in script.commands:
        name = cmd.name.rpartition("/")[2]
        for info in rows.values():
            for prefix, rule in info.linted_cleaners:
                if name == prefix[0] and cmd.words[1:len(prefix)] == list(prefix[1:]):
                    return f"`{' '.join(prefix)}` would empty the cache mount ({rule} wants it kept)"
    return None
