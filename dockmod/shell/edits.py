"""Byte-exact edits of shell text: remove words or commands, insert words.

Each edit keeps every other byte as written and verifies itself: the result must have
exactly the commands and words the edit promised, or the edit returns None. Where the
cuts provably join or split no token (see :func:`_clean_cuts`) that follows from the
parse before the edit; anything else is re-parsed and compared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from dockmod.cst.arguments import ShellCommand
from dockmod.lang.words import logical_text
from dockmod.shell.commands import RESERVED_WORDS
from dockmod.shell.parse import Operator, ShellScript, ShellWord, SimpleCommand, operators, parse_shell


# --- structural verification -------------------------------------------------------------

#: Off only in tests, which compare every structural verdict with a re-parse.
_STRUCTURAL = True

_HSPACE = " \t"
# Blanks between tokens; in a heredoc body a newline separates commands as ``;`` does.
_BLANKS = " \t\n"
# Bytes that are tokens (or start one) of their own, next to a word.
_OPERATOR_BYTES = ";&|"
_META = " \t\n\\;&|<>(){}"


# A token that means the same wherever it stands next to a cut: a word of ordinary bytes
# (not starting with ``=``, which tree-sitter reads as a test operator before the end of a
# command), a plain ``$NAME`` or ``${NAME}``, or ``&&``, ``||``, ``;``. Anything else next
# to a cut is re-parsed.
_ORDINARY = re.compile(r"(?:[\w./:,@%+*?~^-][\w./:,@%+*?~^=-]*|\$\{?[A-Za-z_]\w*\}?|&&|\|\||;)\Z")


def _ordinary(token: str) -> bool:
    # Not a reserved word either: tree-sitter's keyword rules are not bash's.
    return not token or (len(token) < 48 and token not in RESERVED_WORDS and _ORDINARY.match(token) is not None)


def _no_regex(text: str) -> bool:
    """No ``==`` or ``=~`` in ``text``. tree-sitter-bash may lex what follows one as a
    single regex token (blanks and operators included), and whether it does depends on
    text far after it (a stray ``}`` line): a cut anywhere can change how it is read."""
    return "==" not in text and "=~" not in text


def _blank_split(cmd: SimpleCommand) -> bool:
    """Whether the command's words are its text split at blanks, as far as the cut rules
    look: no word holds a blank outside quotes at its start (tree-sitter reads some text
    after ``==`` or ``=~`` as one word, blanks and operators included), or starts with
    ``=`` or a bracket."""
    for w in cmd.argv:
        raw = w.raw
        if raw[:1] in "=[]" or (raw[:1] not in "'\"" and (" " in raw or "\t" in raw)):
            return False
    return True


def _clean_cuts(script: ShellScript, cuts: list[tuple[int, int, str]], commands: Iterable[SimpleCommand],
                new: ShellCommand, words: bool = False) -> bool:
    """Whether the edit's result provably parses as ``script`` with each logical range
    ``[x, y)`` of ``cuts`` (sorted, disjoint) removed, or its text (plain words, each after
    a blank) inserted at ``x == y``, and no other change: so that its commands, names and
    words are the script's minus what was cut, plus what was inserted.

    That holds when (1) the script parsed without error and holds no heredoc marker (whose
    bodies are parsed apart) and no ``==`` or ``=~`` (:func:`_no_regex`), (2) every command
    removed is at the top level (not in a subshell, group or compound statement, whose
    keywords would meet), or only ``words``
    are cut or inserted (no word moves into or out of a command's first place, and the
    tokens next to each cut are no keywords), (3) the new logical text is the old one with
    exactly those cuts, (4) the tokens next to each cut are ordinary (see ``_ORDINARY``),
    and (5) no two tokens meet at a cut: one side of it is an unescaped blank or the end
    of the text, or a word meets an operator (``a`` then ``;`` or ``&&``, ``;`` then
    ``c``). False means "not proven": the caller re-parses.
    """
    text = script.text
    if script.has_error or "<<" in text or (not words and any(c.nested for c in commands)):
        return False
    if not _no_regex(text):
        return False
    merged: list[tuple[int, int, str]] = []
    for x, y, inserted in cuts:
        if merged and x < merged[-1][1]:
            return False  # overlapping cuts
        if merged and x == merged[-1][1] and not inserted and not merged[-1][2]:
            merged[-1] = (merged[-1][0], y, "")  # adjacent removals meet as one cut
        else:
            merged.append((x, y, inserted))
    expected: list[str] = []
    last = 0
    for x, y, inserted in merged:
        expected.append(text[last:x])
        last = y
        # The tokens on each side (whole ones: a window holding one token may cut it).
        before = text[max(0, x - 48) : x].split()
        after = text[y : y + 48].split()
        if (x > 48 and len(before) < 2) or (y + 48 < len(text) and len(after) < 2):
            return False
        if not (_ordinary(before[-1] if before else "") and _ordinary(after[0] if after else "")):
            return False
        right = text[y] if y < len(text) else ""
        if inserted:  # a blank before each word, the last word then ``right``
            expected.append(inserted)
            if right in _BLANKS:  # "" (the end) included
                continue
            return False
        left = text[x - 1] if x > 0 else ""
        if left == "\\" or text[y - 1] == "\\":
            return False
        if left and left in _BLANKS and (x < 2 or text[x - 2] != "\\"):
            continue
        if right in _BLANKS or left == "":  # "" (the end) included
            continue
        # A word then an operator, or ``;`` then a word (a removed command's neighbours).
        if right in _OPERATOR_BYTES and left not in _META and not left.isdigit():
            continue
        if left == ";" and right not in _META:
            continue
        return False
    expected.append(text[last:])
    escape = new.escape
    return logical_text(new.raw, escape) == "".join(expected)


# --- edits -----------------------------------------------------------------------------


#: An edit's result and the comment lines its cut took out of the text (for the caller to
#: keep elsewhere), in order: each line's index in :func:`comment_lines` of the text before
#: the edit, and the line as written from its ``#`` through its line break.
Moved = tuple[ShellCommand, tuple[tuple[int, str], ...]]


def remove_words(command: ShellCommand, words: Iterable[ShellWord]) -> ShellCommand | None:
    """Remove argument words, each with one separating whitespace run; None if unsafe.

    Every other byte stays as written. A word alone on a continuation line takes that
    line's continuation with it. None when a word is a command name or an assignment,
    holds a continuation itself, or when removing it would drop a comment line or change
    how bash splits the remaining words.
    """
    out = _remove_words(command, words, False)
    return None if out is None else out[0]


def remove_words_moving_comments(command: ShellCommand, words: Iterable[ShellWord]) -> Moved | None:
    """:func:`remove_words`, where a word whose separators on both sides hold comment lines
    takes the one before it (and a word with one separator, that one), comment lines
    included: they are returned, for the caller to keep elsewhere. A separator free of
    them is still preferred. Verified as :func:`remove_words` is."""
    return _remove_words(command, words, True)


def _remove_words(command: ShellCommand, words: Iterable[ShellWord], move: bool) -> Moved | None:
    script = parse_shell(command)
    if script.has_error:
        return None
    targets = sorted({w.span: w for w in words}.values(), key=lambda w: w.span, reverse=True)
    if not targets:
        return None
    # Each word must be an argument of its command (only those commands' words are built).
    owners: dict[tuple[int, int], SimpleCommand] = {}
    for w in targets:
        c = _owner(script, w.span)
        if c is None or (w.span, w.raw) not in {(a.span, a.raw) for a in c.args}:
            return None
        owners[c.span] = c
    raw = command.raw
    text = script.text
    cuts: list[tuple[int, int, str]] = []
    moved: list[tuple[tuple[int, str], ...]] = []
    for w in targets:
        s, e = w.span
        ls, le = w.logical_span
        if raw[s:e] != w.raw:  # the word holds a continuation
            return None
        a = ls
        while a > 0 and text[a - 1] in _HSPACE:
            a -= 1
        z = le
        while z < len(text) and text[z] in _HSPACE:
            z += 1
        # The separator as written: spaces plus any continuation gaps inside them. The one
        # before the word is preferred, so a word alone on its line takes the
        # continuation above it; a gap with a comment line is cut only when moving them
        # (and no other gap is free of them).
        before = raw[script._map.end(a) : s] if a < ls else ""
        after = raw[e : script._map.start(z)] if le < z < len(text) else ""
        if before and ("#" not in before or move and (not after or "#" in after)):
            cut = (s - len(before), e)
            cuts.append((a, le, ""))
        elif after and ("#" not in after or move):
            cut = (s, e + len(after))
            cuts.append((ls, z, ""))
        else:
            return None
        if move:
            moved.append(_comment_lines_in(raw, *cut))
        raw = raw[: cut[0]] + raw[cut[1] :]
    new = command.with_changes(raw=raw)
    taken = tuple(line for lines in reversed(moved) for line in lines)
    if (_STRUCTURAL and all(_blank_split(c) for c in owners.values())
            and _clean_cuts(script, cuts[::-1], owners.values(), new, words=True)):
        return new, taken
    removed = {w.span for w in targets}
    expected = [
        (c.name, [a.text for a in c.argv if a.span not in removed], op)
        for c, op in zip(script.commands, operators(script))
    ]
    if _shape(parse_shell(new)) != expected:
        return None
    return new, taken


def _comment_lines_in(raw: str, start: int, end: int) -> tuple[tuple[int, str], ...]:
    """The whole lines of ``raw[start:end]`` (a cut that starts and ends inside lines) that
    are comment lines: each one's index in ``comment_lines(raw)``, and the line from its
    ``#`` through its line break."""
    if "#" not in raw[start:end]:
        return ()
    out = []
    at = raw.find("\n", start, end) + 1
    while at:
        nl = raw.find("\n", at, end)
        if nl < 0:
            break
        line = raw[at:nl + 1]
        if line.lstrip().startswith("#"):
            out.append((len(comment_lines(raw[:at])), line[line.index("#"):]))
        at = nl + 1
    return tuple(out)


def _owner(script: ShellScript, span: tuple[int, int]) -> SimpleCommand | None:
    """The command whose text holds ``span`` (commands never overlap)."""
    s, e = span
    for c in script.commands:
        cs, ce = c.span
        if cs <= s and e <= ce:
            return c
    return None


def remove_word(command: ShellCommand, word: ShellWord) -> ShellCommand | None:
    """Remove one argument word; see :func:`remove_words`."""
    return remove_words(command, (word,))


def remove_command(command: ShellCommand, target: SimpleCommand) -> ShellCommand | None:
    """Remove one command of an ``&&``/``;`` chain with the operator joining it.

    ``a && b && c`` minus ``b`` is ``a && c``: the text from the end of ``a`` to the end of
    ``b`` goes, so a comment line above ``b`` goes with it and the rest keeps its layout. The
    first command, and one joined by ``;`` before and ``&&`` after, takes the operator
    after it instead. None when the command is alone in its list, sits next to ``||``,
    ``|`` or ``&``, or when the cut would drop a comment line that belongs to the next
    command. Every other byte stays as written; since the cut runs from one command to
    the next, it never leaves a continuation-only line behind.
    """
    out = _remove_command(command, target)
    return None if out is None else out[0]


def remove_command_moving_comments(command: ShellCommand, target: SimpleCommand) -> Moved | None:
    """:func:`remove_command`, and the comment lines its cut takes (``# curl is for the
    health check`` above ``&& rm -rf /var/lib/apt/lists/*``), for the caller to keep
    elsewhere. A command that shares its line with the next one (``# clean up`` then
    ``&& apt-get clean && rm -rf /tmp/x``) goes with the operator after it instead, when it
    may: the comment line above is the line's, and stays above what is left of it."""
    out = _remove_command(command, target, line_first=True)
    if out is None:
        return None
    return out[0], _comment_lines_in(command.raw, *out[1])


def _remove_command(command: ShellCommand, target: SimpleCommand,
                    line_first: bool = False) -> tuple[ShellCommand, tuple[int, int]] | None:
    """:func:`remove_command`, and its cut (raw offsets into ``command``). ``line_first``: see
    :func:`remove_command_moving_comments`."""
    script = parse_shell(command)
    if script.has_error:
        return None
    index = next((i for i, c in enumerate(script.commands) if c.span == target.span), None)
    if index is None:
        return None
    cmd = script.commands[index]
    joins = {Operator.AND, Operator.SEMICOLON}
    if cmd.operator not in joins | {None} or cmd.previous_operator not in joins | {None}:
        return None
    m = script._map
    ls, le = cmd._statement
    backward = cmd.previous_operator is not None and cmd._previous_end is not None
    forward = cmd._next is not None and cmd._next[1] is not None
    # A comment line between the previous command and the ``;`` after it sits among that
    # command's words (nextcloud's ``#  libreoffice \`` in an ``apt-get install`` list,
    # ``;`` on the line below): it stays there, so the cut starts after that ``;``
    # (``a ;`` is ``a``), or takes the next operator instead.
    kept_semicolon = _comment_before_semicolon(command.raw, script.text, m, cmd._previous_end, ls) \
        if backward and cmd._previous_end is not None else 0
    if backward and forward and cmd.previous_operator != cmd.operator:
        # Drop the ``&&`` and keep the ``;``: in ``a; b && c`` it is ``b &&`` that goes
        # (``a; c``), in ``a && b; c`` it is ``&& b`` (``a; c``).
        backward = cmd.previous_operator is Operator.AND
    elif kept_semicolon and forward:
        backward = False  # ``a ; b ; c``: ``b ;`` goes
    elif line_first and backward and forward and cmd._previous_end is not None and cmd._next is not None:
        # (``forward``: the next command's start is known)
        gap_above = command.raw[m.end(cmd._previous_end):m.start(ls)]
        backward = "#" not in gap_above or "\n" in command.raw[m.end(le):m.start(cmd._next[1] or 0)]
    if backward and kept_semicolon:
        op_end = kept_semicolon
        cut = (m.end(op_end), m.end(le))
        logical = (op_end, le)
    elif backward and cmd._previous_end is not None:
        cut = (m.end(cmd._previous_end), m.end(le))
        logical = (cmd._previous_end, le)
    elif forward and cmd._next is not None and cmd._next[1] is not None:
        op_end, next_start = cmd._next
        cut = (m.start(ls), m.start(next_start))
        logical = (ls, next_start)
        if "#" in command.raw[m.end(op_end) : cut[1]]:
            return None
    else:
        return None
    new = command.with_changes(raw=command.raw[: cut[0]] + command.raw[cut[1] :])
    commands = script.commands
    if (_STRUCTURAL and (index == 0 or commands[index - 1].span[1] <= cut[0])
            and (index + 1 == len(commands) or commands[index + 1].span[0] >= cut[1])
            and _clean_cuts(script, [(*logical, "")], (cmd,), new)):
        return new, cut
    # The command before takes over the removed one's operator; all else must re-parse
    # the same: each command's text, as written, unchanged (so are its name and words; this
    # is stricter than comparing words, and builds none).
    raw = command.raw
    expected: list[tuple[str, str, Operator | None]] = []
    for i, (c, op) in enumerate(zip(script.commands, operators(script))):
        if i != index:
            expected.append((c.name, raw[c.span[0]:c.span[1]], cmd.operator if i == index - 1 else op))
    got = _text_shape(parse_shell(new))
    if got is None or len(got) != len(expected):
        return None
    if index > 0:  # a command nested before may keep its own operator (`(a) && b`)
        got[index - 1] = (got[index - 1][0], got[index - 1][1], expected[index - 1][2])
    if got != expected:
        return None
    return new, cut


def _comment_before_semicolon(raw: str, text: str, m: Any, previous_end: int, start: int) -> int:
    """The logical end of the ``;`` between a command ending at ``previous_end`` and the
    next one starting at ``start`` when a comment line stands between that command and the
    ``;`` (as written); else 0."""
    at = previous_end
    while at < start and text[at] in _HSPACE:
        at += 1
    if text[at:at + 1] != ";" or text[at + 1:at + 2] == ";":
        return 0
    return at + 1 if "#" in raw[m.end(previous_end):m.start(at)] else 0


def _text_shape(script: ShellScript) -> list[tuple[str, str, Operator | None]] | None:
    if script.has_error:
        return None
    raw = script.raw
    return [(c.name, raw[c.span[0]:c.span[1]], op) for c, op in zip(script.commands, operators(script))]


def _shape(script: ShellScript) -> list[tuple[str, list[str], Operator | None]] | None:
    # The operators from one walk of the tree (see ``operators``), not one climb per command.
    if script.has_error:
        return None
    return [(c.name, c.words, op) for c, op in zip(script.commands, operators(script))]


def insert_words_after(command: ShellCommand, word: ShellWord, new_words: list[str]) -> ShellCommand | None:
    """Insert plain words right after ``word``, each preceded by one space; None if unsafe.

    ``new_words`` must be plain (no quoting needed). Every other byte stays as written.
    The result is re-parsed: the command must gain exactly those words there, and every
    other command must keep its name, words and operator. See :func:`insert_words`.
    """
    return insert_words(command, [(word, new_words)])


def _plain(word: str) -> bool:
    return bool(word) and not any(c.isspace() or c in "\"'\\$`;&|<>()#*?[]{}~" for c in word)


def insert_words(command: ShellCommand,
                 insertions: Iterable[tuple[ShellWord, list[str]]]) -> ShellCommand | None:
    """Several :func:`insert_words_after` edits at once, verified by one re-parse.

    Each ``(word, new_words)`` inserts plain words right after an argument word (the
    words at one anchor in the order given). None if any insertion is unsafe; every
    command must re-parse with exactly the promised words and its operator. Linear in
    the size of the script, however many insertions.
    """
    after: dict[tuple[int, int], list[str]] = {}
    for word, new_words in insertions:
        if not new_words or not all(_plain(w) for w in new_words):
            return None
        after.setdefault(word.span, []).extend(new_words)
    if not after:
        return None
    script = parse_shell(command)
    if script.has_error:
        return None
    raw = command.raw
    # The anchors must be words of their commands (only those commands' words are built).
    found: dict[tuple[int, int], ShellWord] = {}
    owners: dict[tuple[int, int], SimpleCommand] = {}
    for span in after:
        c = _owner(script, span)
        word = next((a for a in c.argv if a.span == span), None) if c is not None else None
        if c is None or word is None:
            return None
        found[span] = word
        owners[c.span] = c
    if any(raw[s:e] != found[(s, e)].raw for s, e in after):
        return None
    parts = []
    last = 0
    cuts: list[tuple[int, int, str]] = []
    for (s, e) in sorted(after):
        parts.append(raw[last:e])
        inserted = "".join(" " + w for w in after[(s, e)])
        parts.append(inserted)
        le = found[(s, e)].logical_span[1]
        cuts.append((le, le, inserted))
        last = e
    parts.append(raw[last:])
    new = command.with_changes(raw="".join(parts))
    if (_STRUCTURAL and all(_ordinary(w) for ws in after.values() for w in ws)
            and all(_blank_split(c) for c in owners.values())
            and _clean_cuts(script, cuts, owners.values(), new, words=True)):
        return new
    expected = []
    for c, op in zip(script.commands, operators(script)):
        words = []
        for a in c.argv:
            words.append(a.text)
            extra = after.get(a.span)
            if extra is not None:
                words.extend(extra)
        expected.append((c.name, words, op))
    if _shape(parse_shell(new)) != expected:
        return None
    return new


def comment_lines(raw: str) -> list[str]:
    """The comment lines of shell text, stripped (an edit must keep them all)."""
    if "#" not in raw:  # every comment line holds one: none (no split of the whole text)
        return []
    return [line.strip() for line in raw.splitlines() if line.lstrip().startswith("#")]


def remove_command_or_line(command: ShellCommand, target: SimpleCommand) -> ShellCommand | None:
    """:func:`remove_command`; in a heredoc body (``escape == "\\0"``, edited as shell text
    whose escape never occurs) a command alone on its line also goes with its line. The
    result must re-parse to the other commands, unchanged."""
    out = remove_command(command, target)
    if out is not None or command.escape != "\0":
        return out
    raw = command.raw
    start, end = target.statement_span
    line_start = raw.rfind("\n", 0, start) + 1
    line_end = raw.find("\n", end)
    line_end = len(raw) if line_end < 0 else line_end + 1
    if raw[line_start:start].strip() or raw[end:line_end].strip():
        return None
    new = command.with_changes(raw=raw[:line_start] + raw[line_end:])
    script = parse_shell(command)
    # No escape character in the text: logical offsets are raw offsets.
    cmd = next((c for c in script.commands if c.span == target.span), None)
    if _STRUCTURAL and cmd is not None and "\0" not in raw and _clean_cuts(script, [(line_start, line_end, "")], (cmd,), new):
        return new
    before = [(c.name, c.words) for c in script.commands if c.span != target.span]
    after = parse_shell(new)
    if after.has_error or [(c.name, c.words) for c in after.commands] != before:
        return None
    return new


def remove_assignment(command: ShellCommand, target: SimpleCommand, word: ShellWord) -> ShellCommand | None:
    """Drop ``NAME=value`` before ``target``, with the blanks after it (one line only).
    Every command must re-parse with its name, words and other assignments."""
    raw = command.raw
    s, e = word.span
    if raw[s:e] != word.raw:
        return None
    z = e
    while z < len(raw) and raw[z] in _HSPACE:
        z += 1
    if z == e:
        return None
    new = command.with_changes(raw=raw[:s] + raw[z:])
    script = parse_shell(new)
    old = parse_shell(command)
    expect = [(c.name, c.words, [a.text for a in c.assignments if a.span != word.span or c.span != target.span])
              for c in old.commands]
    got = [(c.name, c.words, [a.text for a in c.assignments]) for c in script.commands]
    if script.has_error or got != expect:
        return None
    return new


def insert_assignment(command: ShellCommand, target: SimpleCommand, text: str) -> ShellCommand | None:
    """``NAME=value `` inserted before ``target`` (before its assignments). Every command
    must re-parse with its name and words, and ``target`` with exactly one more assignment."""
    raw = command.raw
    s = target.span[0]
    new = command.with_changes(raw=raw[:s] + text + " " + raw[s:])
    old = parse_shell(command)
    got = parse_shell(new)
    expect = [(c.name, c.words, sorted([a.text for a in c.assignments] + ([text] if c.span == target.span else [])))
              for c in old.commands]
    have = [(c.name, c.words, sorted(a.text for a in c.assignments)) for c in got.commands]
    if got.has_error or have != expect:
        return None
    return new
