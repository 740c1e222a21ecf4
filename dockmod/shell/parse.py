"""Shell text inside ``RUN``, parsed with tree-sitter-bash, with exact spans.

The *logical* command (continuations and the comment lines after them removed, as
BuildKit hands it to the shell) is parsed, and every position maps back onto the *raw*
text of the :class:`~dockmod.cst.ShellCommand`, so an edit keeps every other byte.

Limits, by design:

* The text is parsed as bash. Callers decide whether a RUN is POSIX shell at all
  (``# escape=``` files and ``SHELL ["powershell", …]`` usually are not).
* Commands inside command substitutions (``$(…)``, backticks, ``<(…)``) and inside
  ``sh -c '…'`` strings are not listed; they are part of an argument.
* ``ShellWord.text`` removes quotes and backslashes where bash would. Expansions
  (``$HOME``, ``$(cmd)``) stay as written and make the word non-``static``.
"""

from __future__ import annotations

import bisect
import enum
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import FrozenInstanceError, dataclass, field
from functools import cache
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from dockmod.cst.arguments import Heredoc, ShellCommand
from dockmod.lang.words import _gap_re, logical_text

if TYPE_CHECKING:
    from tree_sitter import Node as TSNode
    from tree_sitter import Parser, Tree


_T = TypeVar("_T")


# --- parser ----------------------------------------------------------------------------


@cache
def _parser() -> Parser:
    # Imported here so that ``import dockmod`` never loads the native grammar.
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


class Operator(enum.StrEnum):
    """What joins a command to the next one."""

    AND = "&&"
    OR = "||"
    SEMICOLON = ";"
    PIPE = "|"
    PIPE_STDERR = "|&"
    BACKGROUND = "&"
    #: Only in heredoc bodies: logical RUN text never holds a newline.
    NEWLINE = "\n"


# Operator token -> Operator (a dict lookup: ``Operator(token)`` goes through EnumMeta).
_OPERATOR = {o.value: o for o in Operator if o is not Operator.NEWLINE}
# Node types that are one command with words; ``test_command`` (``[ … ]``) has an
# expression tree instead of words and is left out.
_COMMAND_TYPES = frozenset({"command", "declaration_command", "unset_command"})
# Wrappers around a statement that belong to it when it is removed.
_STATEMENT_WRAPPERS = frozenset({"redirected_statement", "negated_command"})
# Commands in these are part of a word, not of the script's command list.
_WORD_SCOPES = frozenset(
    {"command_substitution", "process_substitution", "heredoc_body", "arithmetic_expansion"}
)
_CHAINS = frozenset({"list", "pipeline"})
# Nodes that hold no command outside a word scope: the walk for commands does not enter
# them (unless tree-sitter recovered an error inside, which may hold anything).
_NO_COMMANDS = frozenset(
    {
        "word", "string", "raw_string", "ansi_c_string", "translated_string", "number",
        "concatenation", "simple_expansion", "expansion", "variable_assignment",
        "variable_name", "string_content", "file_redirect", "herestring_redirect", "comment",
        "test_command", "brace_expression", "extglob_pattern", "regex",
    }
)  # fmt: skip


# --- offsets ---------------------------------------------------------------------------


class _OffsetMap:
    """Logical text offsets → raw text offsets (the gaps ``logical_text`` removes).

    Immutable once built (parsed scripts are shared through the cache).
    """

    __slots__ = ("_logical", "_raw", "_identity", "_delta", "_limit", "text")

    def __init__(self, raw: str, escape: str | None) -> None:
        #: The logical text (``logical_text(raw, escape)``; ``raw`` for heredoc bodies).
        self.text = raw
        if escape is not None and "\n" in raw:
            # One pass over the gaps (the matches ``logical_text`` removes): segment k starts
            # after k gaps, at raw offset ends[k-1], minus the gaps' length so far.
            raws, delta, logical, d = [0], [0], [0], 0
            for m in _gap_re(escape).finditer(raw):
                s, e = m.span()
                d += e - s
                raws.append(e)
                delta.append(d)
                logical.append(e - d)
            if d:  # (every gap holds a newline: none is empty)
                # The same text as the segments joined (the same matches removed), and
                # shared with logical_text's other callers through its memo.
                self.text = logical_text(raw, escape)
                self._logical: tuple[int, ...] = tuple(logical)
                self._raw: tuple[int, ...] = tuple(raws)
                #: No gap before any text: offsets are the same in both.
                self._identity = False
                #: Per segment: raw minus logical offset, and the logical offset where it ends.
                self._delta: tuple[int, ...] = tuple(delta)
                self._limit: tuple[float, ...] = (*logical[1:], float("inf"))
                return
        self._logical = (0,)
        self._raw = (0,)
        self._identity = True
        self._delta = (0,)
        self._limit = (float("inf"),)

    def start(self, offset: int) -> int:
        """Raw offset of the logical character at ``offset``."""
        if self._identity:
            return offset
        i = bisect.bisect_right(self._logical, offset) - 1
        return self._raw[i] + offset - self._logical[i]

    def end(self, offset: int) -> int:
        """Raw offset just past the logical character before ``offset``."""
        return self.start(offset - 1) + 1 if offset > 0 else self.start(0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        # start() and end() inlined: this runs for every word and command.
        if self._identity:
            return (start, end) if end > start else (start, start)
        logical = self._logical
        i = bisect.bisect_right(logical, start) - 1
        d = self._delta[i]
        if end <= start:
            return (start + d, start + d)
        if end <= self._limit[i]:  # in the same segment (no gap inside): most spans
            return (start + d, end + d)
        j = bisect.bisect_right(logical, end - 1) - 1
        return (start + d, end + self._delta[j])


def _encode(text: str) -> bytes:
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that did not come from a file
        return text.encode("utf-8", "surrogatepass")


class _ByteMap:
    """tree-sitter byte offsets → str offsets."""

    __slots__ = ("data", "_chars")

    def __init__(self, text: str) -> None:
        self.data = _encode(text)
        self._chars: list[int] | None = None
        if len(self.data) != len(text):
            chars = []
            for i, ch in enumerate(text):
                chars.extend([i] * len(_encode(ch)))
            chars.append(len(text))
            self._chars = chars

    def __call__(self, byte: int) -> int:
        return byte if self._chars is None else self._chars[byte]


# --- results ---------------------------------------------------------------------------


class ShellWord(NamedTuple):
    """One word of a command (a name, an argument or an assignment).

    An immutable value, as the frozen dataclass it was (same fields, repr, equality and
    hash), but a tuple: built in one call, for every word of every command read.
    """

    #: The word as written in the logical text, quotes and expansions included.
    raw: str
    #: The word as the program receives it where that is known statically: quotes and
    #: backslashes removed. Expansions stay as written (``"$HOME/x"`` → ``$HOME/x``).
    text: str
    #: False when the word holds an expansion or substitution, so ``text`` is not final.
    static: bool
    #: (start, end) in the raw text of the parsed command (or heredoc body).
    span: tuple[int, int]
    #: (start, end) in the logical text.
    logical_span: tuple[int, int]


# ShellWord(...) is _tuple_new(ShellWord, (...)): without NamedTuple's __new__ (a Python
# frame and a generator).
_tuple_new = tuple.__new__


class SimpleCommand:
    """A command with words: ``[assignments] name args…`` (``export``/``unset`` too).

    Immutable, like everything in a :class:`ShellScript`. Built lazily: a command keeps
    its tree-sitter node and builds its words, redirections and neighbours the first
    time one of them is read (most commands of most RUNs are only ever asked their
    :attr:`name`). Scripts are shared between threads through the parse cache; two
    threads may build the same part at once, and both build equal values.
    """

    __slots__ = ("span", "nested", "_b", "_node", "_name", "_name_word", "_words", "_stmt", "_links")

    #: (start, end) of the command in the raw text, assignments included.
    span: tuple[int, int]
    #: Nested in a subshell, ``{ }`` group, ``if``/``for``/``while``/``case`` or function.
    nested: bool

    def __init__(self, builder: _Builder, node: TSNode, nested: bool) -> None:
        _set = object.__setattr__
        sb, eb = node.start_byte, node.end_byte
        # (builder.b is the identity for an ASCII script: no call to it then)
        _set(self, "span", (sb, eb) if builder.direct else builder.o.span(sb, eb) if builder.ascii
             else builder.o.span(builder.b(sb), builder.b(eb)))
        _set(self, "nested", nested)
        _set(self, "_b", builder)
        _set(self, "_node", node)
        _set(self, "_name", None)
        # The name's word, when built before the others (reused by _build_words).
        _set(self, "_name_word", None)
        # (argv, assignments, the command's own redirections), built by _build_words.
        _set(self, "_words", None)
        # The statement node around the command, its end and its redirections (_statement).
        _set(self, "_stmt", None)
        # (statement_span, operator, previous_operator, _statement, _previous_end, _next),
        # built by _build_links.
        _set(self, "_links", None)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    # -- words -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The program name with quotes removed: ``apt-get``, ``/usr/bin/pip3``, ``export``."""
        name = self._name
        if name is None:
            name = self._plain_name()
            if name is None:
                word = self._build_name()
                name = word.text if word is not None else ""
            object.__setattr__(self, "_name", name)
        return name

    @property
    def argv(self) -> tuple[ShellWord, ...]:
        """Every word from the name on: ``argv[0]`` is the name word, as in ``execve``."""
        return (self._words or self._build_words())[0]

    @property
    def assignments(self) -> tuple[ShellWord, ...]:
        """``NAME=value`` words before the name (``DEBIAN_FRONTEND=noninteractive``)."""
        words = self._words
        if words is None:
            n = self._node
            b = self._b
            if n.kind_id not in b.command_kinds:  # n.type != "command"
                return ()
            name = n.child_by_field_id(b.name_field)
            if name is not None and b"=" not in self._b.src[n.start_byte : name.start_byte]:
                return ()  # no assignment before the name: no need to build the words
            words = self._build_words()
        return words[1]

    @property
    def redirects(self) -> tuple[str, ...]:
        """Raw text of redirections (``> /dev/null``, ``2>&1``), in source order."""
        b = self._b
        if not b.redirects:  # no ``<`` or ``>`` in the script: none anywhere
            return ()
        n = self._node
        sb, eb = n.start_byte, n.end_byte
        src = b.src
        # The command's own (in its node), then those of the statements around it.
        own = (self._words or self._build_words())[2] if (
            src.find(b">", sb, eb) >= 0 or src.find(b"<", sb, eb) >= 0) else ()
        more = (self._stmt or self._build_stmt())[2]
        return own + tuple(b.slice(r) for r in more) if more else own

    @property
    def args(self) -> tuple[ShellWord, ...]:
        """The arguments: ``argv[1:]``."""
        return self.argv[1:]

    @property
    def words(self) -> list[str]:
        """``argv`` as texts."""
        return [w.text for w in self.argv]

    # -- the statement and its neighbours ----------------------------------------------
    @property
    def statement_span(self) -> tuple[int, int]:
        """(start, end) of the whole statement: with its redirections and a leading ``!``."""
        return (self._links or self._build_links())[0]

    @property
    def operator(self) -> Operator | None:
        """The operator joining this command to the next one, or None."""
        return (self._links or self._build_links())[1]

    @property
    def previous_operator(self) -> Operator | None:
        """The operator joining the previous command to this one, or None."""
        return (self._links or self._build_links())[2]

    @property
    def compound(self) -> str | None:
        """The keyword of the outermost compound command around it, for messages: ``for``,
        ``while``, ``until``, ``if``, ``case``, ``(`` (a subshell), ``{`` (a group) or
        ``function``; None when it is not :attr:`nested`. Climbs the tree at each read."""
        if not self.nested:
            return None
        flat = kind_ids(_CHAINS | _STATEMENT_WRAPPERS | {"program"})
        outer = None
        n = self._node.parent
        while n is not None:
            if n.kind_id not in flat:
                outer = n
            n = n.parent
        if outer is None or not outer.children:
            return None
        if outer.type == "function_definition":
            return "function"
        return outer.children[0].type  # the keyword token (`for`, `until`…), `(` or `{`

    # Logical offsets used by remove_command: this statement, the previous statement's
    # end, and (operator end, next statement start).
    @property
    def _statement(self) -> tuple[int, int]:
        return (self._links or self._build_links())[3]  # type: ignore[no-any-return]

    @property
    def _previous_end(self) -> int | None:
        return (self._links or self._build_links())[4]  # type: ignore[no-any-return]

    @property
    def _next(self) -> tuple[int, int | None] | None:
        return (self._links or self._build_links())[5]  # type: ignore[no-any-return]

    # -- building ----------------------------------------------------------------------
    def _plain_name(self) -> str | None:
        """The name's text read from its bytes when it is plain (see ``_special``), without
        building its word; else None."""
        if self._words is not None:
            return None
        n = self._node
        b = self._b
        if n.kind_id not in b.command_kinds:  # n.type != "command"
            return None
        c = n.child_by_field_id(b.name_field)
        return b.plain(c) if c is not None else None

    def _build_name(self) -> ShellWord | None:
        n = self._node
        if n.kind_id in self._b.command_kinds and self._words is None:
            c = n.child_by_field_id(self._b.name_field)
            if c is not None:
                word = self._b.word(c.children[0] if c.child_count == 1 else c)
                object.__setattr__(self, "_name_word", word)
                return word
        argv = self.argv
        return argv[0] if argv else None

    def _build_words(self) -> tuple[tuple[ShellWord, ...], tuple[ShellWord, ...], tuple[str, ...]]:
        n = self._node
        b = self._b
        assignments: list[ShellWord] = []
        argv: list[ShellWord] = []
        redirects: list[str] = []
        if n.kind_id in b.command_kinds:  # n.type == "command"
            # One cursor pass over the children, reading each one's field at the cursor:
            # ``field_name_for_child(i)`` scans the children before i at each call
            # (quadratic in the command's length). Same children, same fields, same order.
            word = b.word
            # Fields compared by id (``field_name`` is the name of ``field_id``: a new str
            # at each read otherwise).
            argument, name, redirect = field_ids("argument", "name", "redirect")
            cur = n.walk()
            more = cur.goto_first_child()
            while more:
                f = cur.field_id
                if f == argument:
                    argv.append(word(cur.node))
                elif f == name:
                    c = cur.node
                    argv.insert(0, self._name_word or word(c.children[0] if c.child_count == 1 else c))
                elif f == redirect:
                    redirects.append(b.slice(cur.node))
                else:
                    c = cur.node
                    if c.kind_id in b.assignment_kinds:  # c.type == "variable_assignment"
                        assignments.append(word(c))
                more = cur.goto_next_sibling()
        else:  # export/declare/local/readonly/typeset/unset: keyword then words
            for c in n.children:
                if c.is_extra:
                    continue
                argv.append(b.word(c))
        words = (tuple(argv), tuple(assignments), tuple(redirects))
        object.__setattr__(self, "_words", words)
        return words

    def _build_stmt(self) -> tuple[TSNode, int, list[TSNode]]:
        stmt = _statement(self._node)
        object.__setattr__(self, "_stmt", stmt)
        return stmt

    def _build_links(self) -> tuple[object, ...]:
        b = self._b
        stmt, end, _ = self._stmt or self._build_stmt()
        prev_op, prev_end = b._previous(stmt)
        next_op, nxt = b._following(stmt)
        lstmt = (b.b(stmt.start_byte), b.b(end))
        links = (b.o.span(*lstmt), next_op, prev_op, lstmt, prev_end, nxt)
        object.__setattr__(self, "_links", links)
        return links

    # -- value semantics (as the frozen dataclass this was) -----------------------------
    def _key(self) -> tuple[object, ...]:
        return (self.name, self.argv, self.assignments, self.redirects, self.span,
                self.statement_span, self.operator, self.previous_operator, self.nested)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self is other or self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        fields = ("name", "argv", "assignments", "redirects", "span", "statement_span",
                  "operator", "previous_operator", "nested")
        return "SimpleCommand(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in fields) + ")"


@dataclass(frozen=True, slots=True)
class ShellScript:
    """A parsed shell command: its logical text, commands and the map back to raw text."""

    #: The text as given (``ShellCommand.raw`` or a heredoc body).
    raw: str
    #: The escape character whose continuations were removed, or None for heredoc bodies.
    escape: str | None
    #: The text handed to the shell.
    text: str
    #: Every command with words, in source order.
    commands: tuple[SimpleCommand, ...]
    #: tree-sitter-bash reported a syntax error (recovered; commands may be incomplete).
    has_error: bool
    _map: _OffsetMap = field(repr=False, compare=False)
    #: Facts derived from this script by the layers above (see :meth:`derived`).
    _derived: dict[object, object] = field(default_factory=dict, repr=False, compare=False)

    def derived(self, key: object, compute: Callable[[ShellScript], _T]) -> _T:
        """``compute(self)``, computed once per script and kept with it.

        Scripts are shared through the parse cache, so a fact derived here (the
        package-manager calls, say) is derived once per distinct text too. ``compute``
        must be a pure function of the script and return an immutable value.
        """
        # A get, not a try/except KeyError: each first ask (thousands per corpus check)
        # raised and caught an exception.
        value = self._derived.get(key, _MISSING)
        if value is _MISSING:
            value = self._derived[key] = compute(self)
        return value  # type: ignore[return-value]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw span of the logical span ``[start, end)``."""
        return self._map.span(start, end)


#: No value yet (:meth:`ShellScript.derived`; a derived value may be None).
_MISSING = object()


# --- parsing ---------------------------------------------------------------------------


def parse_shell(command: ShellCommand | str, escape: str = "\\") -> ShellScript:
    """Parse a shell-form command; spans refer to ``command.raw`` (or the given str).

    ``escape`` is only read for a str; a ShellCommand carries its own. Results are cached
    by content (see :func:`stats`): the same text is parsed once per process, however many
    transforms, fix passes and files ask for it.
    """
    if isinstance(command, ShellCommand):
        raw, escape = command.raw, command.escape
    else:
        raw = command
    return _CACHE.get(raw, escape)


def parse_heredoc_body(heredoc: Heredoc) -> ShellScript:
    """Parse a heredoc body as a script (``RUN <<EOF``); spans refer to ``heredoc.body``.

    BuildKit does not join continuations in heredoc bodies (the shell does), so the body
    is parsed as written. Cached like :func:`parse_shell`.
    """
    return _CACHE.get(heredoc.body, None)


# --- the content cache -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParseStats:
    """Counters of the shell parse cache since the process started (or :func:`clear_cache`)."""

    #: ``parse_shell`` / ``parse_heredoc_body`` calls.
    calls: int
    #: Texts actually parsed with tree-sitter (cache misses).
    parses: int
    #: Entries held now, and the most it holds.
    size: int
    maxsize: int


class _ParseCache:
    """A bounded LRU of parsed scripts keyed by (raw text, escape; None for heredoc bodies).

    Sharing is safe because a :class:`ShellScript` and everything in it is immutable.
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.data: OrderedDict[tuple[str, str | None], ShellScript] = OrderedDict()
        self.calls = 0
        self.parses = 0
        #: When a list, each parsed key is appended (see :func:`trace`).
        self.trace: list[tuple[str, str | None]] | None = None
        self.lock = threading.Lock()

    def get(self, raw: str, escape: str | None) -> ShellScript:
        key = (raw, escape)
        with self.lock:
            self.calls += 1
            script = self.data.get(key)
            if script is not None:
                self.data.move_to_end(key)
                return script
            self.parses += 1
            if self.trace is not None:
                self.trace.append(key)
        # Parsed outside the lock: two threads may parse one text at once; both results
        # are equal and either may stay.
        script = _parse(raw, escape)
        with self.lock:
            self.data[key] = script
            if len(self.data) > self.maxsize:
                self.data.popitem(last=False)
        return script


#: 512 RUN texts: far more than one file and its fix passes produce (41 texts at most in a
#: corpus file's check), and about 11 MB at most (45 MB for the 2,048 largest corpus RUN
#: texts with every part of every command built). Across files, few texts repeat: 2,048
#: saved 14 of 2,131 parses in a corpus check, and cost more in the garbage collector
#: (which walks every cached command and word) than the parses: 1% more instructions.
_CACHE = _ParseCache(512)


def stats() -> ParseStats:
    """How many parses were asked for and how many tree-sitter actually ran."""
    return ParseStats(_CACHE.calls, _CACHE.parses, len(_CACHE.data), _CACHE.maxsize)


def clear_cache() -> None:
    """Empty the cache and reset the counters."""
    with _CACHE.lock:
        _CACHE.data.clear()
        _CACHE.calls = _CACHE.parses = 0


@contextmanager
def trace() -> Iterator[list[tuple[str, str | None]]]:
    """Record the (text, escape) of every tree-sitter parse inside the ``with`` block."""
    previous = _CACHE.trace
    log: list[tuple[str, str | None]] = []
    _CACHE.trace = log
    try:
        yield log
    finally:
        _CACHE.trace = previous


def _parse(raw: str, escape: str | None) -> ShellScript:
    omap = _OffsetMap(raw, escape)
    text = omap.text
    bmap = _ByteMap(text)
    parser = _parser()
    tree = parser.parse(bmap.data)
    if b"<<" in bmap.data:
        tree = _without_heredoc_markers(parser, tree, bmap.data)
    b = _Builder(bmap, omap, tree.root_node)
    return ShellScript(
        raw=raw,
        escape=escape,
        text=text,
        commands=tuple(b.command(n, nested) for n, nested in _command_nodes(tree.root_node)),
        has_error=tree.root_node.has_error,
        _map=omap,
    )


def _without_heredoc_markers(parser: Parser, tree: Tree, data: bytes) -> Tree:
    # A RUN's heredoc bodies follow the instruction, not its shell text, and
    # tree-sitter-bash reads ``<<EOF`` without a body as a syntax error (and nests the rest
    # of its line oddly even with one). Reparse with each ``<<``/``<<-`` turned into ``<``
    # plus spaces: the same bytes, offsets and commands, with stdin still redirected.
    # Error recovery splits some markers (``<<EOF`` first on a line, a second ``6<<F``)
    # into ``<`` and an ERROR ``<``; that one is blanked. A few passes reach them all.
    buf = bytearray(data)
    for _ in range(4):
        marks = 0
        for n in _walk(tree.root_node):
            if n.type in ("<<", "<<-") and not n.is_named:
                buf[n.start_byte + 1 : n.end_byte] = b" " * (n.end_byte - n.start_byte - 1)
                marks += 1
            elif n.is_error and n.child_count == 1 and n.children[0].type == "<":
                if b"<" in (buf[n.start_byte - 1 : n.start_byte], buf[n.end_byte : n.end_byte + 1]):
                    buf[n.start_byte] = ord(" ")
                    marks += 1
        if not marks:
            break
        tree = parser.parse(bytes(buf))
    return tree


def _walk(root: TSNode) -> Iterator[TSNode]:
    stack = [root]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(n.children)


def _command_nodes(root: TSNode) -> Iterator[tuple[TSNode, bool]]:
    """The commands in source order, each with whether it is nested: whether a node above
    it is other than the program, a list or pipeline, or a statement wrapper (the wrappers
    between a command and its statement are such wrappers, so this is
    :attr:`SimpleCommand.nested`, found on the way down instead of by climbing up)."""
    kinds = _walk_kinds()
    stack = [(root, False)]
    while stack:
        n, nested = stack.pop()
        k = kinds.get(n.kind_id, _OTHER)
        if k is _COMMAND:
            yield n, nested
            continue
        if k is _SKIP or (k is _NO_COMMAND and not n.has_error):
            continue
        below = nested or k is not _FLAT
        # Named children only: the others are tokens (operators, keywords, quotes).
        stack.extend([(c, below) for c in reversed(n.named_children)])


# What _command_nodes does with a node, by its type: yield it, skip it, skip it unless it
# holds an error, or enter it (a chain, a statement wrapper or the program: the commands
# in it are as nested as it is; any other node: they are nested).
_COMMAND, _SKIP, _NO_COMMAND, _FLAT, _OTHER = "command", "skip", "no-command", "flat", "other"


@cache
def _walk_kinds() -> dict[int, str]:
    """Node kind id → what _command_nodes does with it (_OTHER when absent). Read by id:
    ``Node.type`` makes a new str at each read; ``kind_id`` is the symbol whose name
    ``type`` is (``node_kind_for_id``), so each id gets what its type name gets."""
    language = _parser().language
    out = {}
    for i in range(language.node_kind_count):
        t = language.node_kind_for_id(i)
        if t in _COMMAND_TYPES:
            out[i] = _COMMAND
        elif t in _WORD_SCOPES:
            out[i] = _SKIP
        elif t in _NO_COMMANDS:
            out[i] = _NO_COMMAND
        elif t in _CHAINS or t in _STATEMENT_WRAPPERS or t == "program":
            out[i] = _FLAT
    return out


@cache
def kind_ids(names: frozenset[str]) -> frozenset[int]:
    """The node kind ids whose type name is in ``names``: ``n.kind_id in kind_ids(names)``
    is ``n.type in names`` without making the str ``n.type`` is (``kind_id`` is the symbol
    whose name ``type`` is; see :func:`_walk_kinds`)."""
    language = _parser().language
    return frozenset(i for i in range(language.node_kind_count) if language.node_kind_for_id(i) in names)


@cache
def field_ids(*names: str) -> tuple[int, ...]:
    """The ids of the fields ``names``: ``child_by_field_id`` and ``TreeCursor.field_id``
    read them without looking a name up among the grammar's field names (or making the
    str ``field_name`` is)."""
    language = _parser().language
    ids = tuple(language.field_id_for_name(f) for f in names)
    assert None not in ids
    return ids  # type: ignore[return-value]


_COMMAND_KIND = frozenset({"command"})
_ASSIGNMENT_KIND = frozenset({"variable_assignment"})


class _Builder:
    def __init__(self, bmap: _ByteMap, omap: _OffsetMap, root: TSNode) -> None:
        self.b = bmap
        self.o = omap
        #: The tree's root (the ``program`` node): climbing to it with ``Node.parent`` costs
        #: a descent from the root at each step.
        self.root = root
        self.src = bmap.data
        #: The logical text (``src`` decoded).
        self.text = omap.text
        #: One byte per character: byte offsets are str offsets.
        self.ascii = bmap._chars is None
        #: Every redirection holds a ``<`` or ``>``: without them, there is none to find.
        self.redirects = b"<" in self.src or b">" in self.src
        #: Byte offsets are raw offsets too (one byte per character, no continuation gap).
        self.direct = self.ascii and omap._identity
        #: Node kinds and a field read by id (see :func:`kind_ids`, :func:`field_ids`).
        self.command_kinds = kind_ids(_COMMAND_KIND)
        self.assignment_kinds = kind_ids(_ASSIGNMENT_KIND)
        (self.name_field,) = field_ids("name")

    def lspan(self, n: TSNode) -> tuple[int, int]:
        return self.b(n.start_byte), self.b(n.end_byte)

    def slice(self, n: TSNode) -> str:
        if self.ascii:  # byte offsets are offsets in the text: no bytes copy to decode
            return self.text[n.start_byte : n.end_byte]
        return self.src[n.start_byte : n.end_byte].decode("utf-8", "surrogateescape")

    def plain(self, n: TSNode) -> str | None:
        """The text of the word ``n`` when it is plain (no byte of ``_special``: its
        slice, what :meth:`word` makes its text), read without building the word; else None."""
        if _special(self.src, n.start_byte, n.end_byte) is not None:
            return None
        return self.slice(n)

    def word(self, n: TSNode) -> ShellWord:
        sb, eb = n.start_byte, n.end_byte
        src = self.src
        # One byte per character: the logical text's own slice (no bytes copy to decode).
        raw = self.text[sb:eb] if self.ascii else src[sb:eb].decode("utf-8", "surrogateescape")
        if _special(src, sb, eb) is None:  # most words: what _unquote does for them
            text, static = raw, True
        elif n.type == "word" and n.named_child_count == 0:
            text, static = (_unescape(raw, False) if "\\" in raw else raw), True
        else:
            text, static = _unquote(n, self)
        if self.direct:
            ls = (sb, eb)
            return _tuple_new(ShellWord, (raw, text, static, ls, ls))  # type: ignore[no-any-return]
        ls = (sb, eb) if self.ascii else (self.b(sb), self.b(eb))
        return _tuple_new(ShellWord, (raw, text, static, self.o.span(*ls), ls))  # type: ignore[no-any-return]

    def command(self, n: TSNode, nested: bool) -> SimpleCommand:
        return SimpleCommand(self, n, nested)

    def _following(self, stmt: TSNode) -> tuple[Operator | None, tuple[int, int | None] | None]:
        n = stmt
        while True:
            sib = _sibling(n, forward=True)
            if sib is None or _is_body(n):
                if _climbs(n):
                    n = n.parent
                    continue
                return None, None
            if sib.is_named:  # newline-separated statements (heredoc bodies)
                return Operator.NEWLINE, (self.b(n.end_byte), self.b(sib.start_byte))
            op = _OPERATOR.get(sib.type)
            if op is None:
                return None, None
            after = _sibling(sib, forward=True)
            start = self.b(after.start_byte) if after is not None and after.is_named else None
            return op, (self.b(sib.end_byte), start)

    def _previous(self, stmt: TSNode) -> tuple[Operator | None, int | None]:
        n = stmt
        while True:
            sib = _sibling(n, forward=False)
            if sib is None:
                if _climbs(n):
                    n = n.parent
                    continue
                return None, None
            if sib.is_named:
                return Operator.NEWLINE, self.b(sib.end_byte)
            op = _OPERATOR.get(sib.type)
            if op is None:
                return None, None
            before = _sibling(sib, forward=False)
            if before is None or not before.is_named:
                return None, None
            return op, self.b(before.end_byte)


def operators(script: ShellScript) -> tuple[Operator | None, ...]:
    """Each command's :attr:`~SimpleCommand.operator`, in the order of ``script.commands``.

    Found in one walk down the tree, memoised with the script: asking each command climbs
    ``Node.parent`` from it (a descent from the root at each step), which the edits'
    whole-script checks did for every command of the script and of its re-parse. A script
    with a syntax error asks each command.
    """
    return script.derived(operators, _operators)


def _operators(script: ShellScript) -> tuple[Operator | None, ...]:
    commands = script.commands
    if script.has_error or not commands:
        return tuple(c.operator for c in commands)
    kinds = _walk_kinds()
    out: list[Operator | None] = []
    # (node, the operator after it, the operator after its statement: what _following
    # finds from the statement _statement climbs to), popped in source order as
    # _command_nodes yields the commands (an error-free tree: no skipped node holds one).
    stack: list[tuple[TSNode, Operator | None, Operator | None]] = [(commands[0]._b.root, None, None)]
    while stack:
        n, after, stmt_after = stack.pop()
        k = kinds.get(n.kind_id, _OTHER)
        if k is _COMMAND:
            out.append(stmt_after)
            continue
        if k is _SKIP or k is _NO_COMMAND:
            continue
        t = n.type
        chain = t in _CHAINS
        body = n.child_by_field_name("body") if t == "redirected_statement" else None
        wraps = t == "negated_command"
        children = [c for c in n.children if not c.is_extra]
        below = []
        for i, c in enumerate(children):
            if not c.is_named:
                continue
            is_body = body is not None and c == body
            sib = children[i + 1] if i + 1 < len(children) else None
            if sib is None or is_body:
                op = after if chain or is_body else None
            elif sib.is_named:
                op = Operator.NEWLINE
            else:
                op = _OPERATOR.get(sib.type)
            below.append((c, op, stmt_after if wraps or is_body else op))
        stack.extend(reversed(below))
    if len(out) != len(commands):  # (not expected: then as each command finds it)
        return tuple(c.operator for c in commands)
    return tuple(out)


def _is_body(n: TSNode) -> bool:
    p = n.parent
    return p is not None and p.type == "redirected_statement" and p.child_by_field_name("body") == n


def _climbs(n: TSNode) -> bool:
    """Whether ``n``'s neighbours in a chain are its parent's neighbours."""
    p = n.parent
    return p is not None and (p.type in _CHAINS or _is_body(n))


def _redirects(p: TSNode) -> list[TSNode]:
    return [c for i, c in enumerate(p.children) if p.field_name_for_child(i) == "redirect"]


def _statement(cmd: TSNode) -> tuple[TSNode, int, list[TSNode]]:
    """The statement around a command, where it ends, and its redirections.

    tree-sitter-bash hangs a redirection after the last command of a list or pipeline on
    the whole list (``a && b > f`` as ``(a && b) > f``); bash binds it to that last
    command, so it is counted as part of that command's statement.
    """
    stmt = cmd
    redirects: list[TSNode] = []
    while stmt.parent is not None and (stmt.parent.type == "negated_command" or _is_body(stmt)):
        stmt = stmt.parent
        if stmt.type == "redirected_statement":
            redirects += _redirects(stmt)
    end = stmt.end_byte
    n = stmt
    while n.parent is not None and n.parent.type in _CHAINS and _sibling(n, forward=True) is None:
        n = n.parent
        if _is_body(n):
            n = n.parent
            end = n.end_byte
            redirects += _redirects(n)
    return stmt, end, redirects


def _sibling(n: TSNode, forward: bool) -> TSNode | None:
    s = n.next_sibling if forward else n.prev_sibling
    while s is not None and s.is_extra:  # comments
        s = s.next_sibling if forward else s.prev_sibling
    return s


# A word without these bytes is its own text, and static: no quote or backslash to remove,
# no expansion or substitution (``$``, backquotes, ``<(…)``), no brace expansion. Every
# branch of _unquote returns (the bytes as written, True) for such a word
# (tests/test_shell_fast.py checks it against _unquote on the corpus).
_special = re.compile(rb"[\\'\"$`({]").search

# Inside double quotes a backslash only escapes these (POSIX 2.2.3).
_DQ_ESCAPABLE = frozenset('$`"\\\n')
# Word parts whose value is only known at run time.
_DYNAMIC = frozenset(
    {
        "simple_expansion",
        "expansion",
        "command_substitution",
        "process_substitution",
        "arithmetic_expansion",
    }
)


def _unescape(s: str, in_double_quotes: bool) -> str:
    if "\\" not in s:
        return s
    out = []
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if ch == "\\" and i + 1 < n and (not in_double_quotes or s[i + 1] in _DQ_ESCAPABLE):
            out.append(s[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _unquote(n: TSNode, b: _Builder) -> tuple[str, bool]:
    """The word's text with quotes removed, and whether it is fully static."""
    t = n.type
    if t == "raw_string":
        return b.slice(n)[1:-1], True
    if t == "ansi_c_string":
        inner = b.slice(n)[2:-1]
        return inner, "\\" not in inner
    if t in _DYNAMIC:
        return b.slice(n), False
    if t == "string" or t == "translated_string":
        return _join_parts(n, b, in_double_quotes=True)
    if t in ("concatenation", "variable_assignment"):
        return _join_parts(n, b, in_double_quotes=False)
    if t in ("word", "number", "command_name", "brace_expression") and n.named_child_count == 0:
        return _unescape(b.slice(n), in_double_quotes=False), t != "brace_expression"
    return _join_parts(n, b, in_double_quotes=False)


def _join_parts(n: TSNode, b: _Builder, in_double_quotes: bool) -> tuple[str, bool]:
    # Walk the node's bytes: named children by their rule, the text between them as
    # literal (unquoted or double-quoted) text; the quote tokens themselves are dropped.
    out: list[str] = []
    static = True
    pos = n.start_byte
    src = b.src
    for c in n.children:
        if c.start_byte > pos:
            gap = src[pos : c.start_byte].decode("utf-8", "surrogateescape")
            out.append(_unescape(gap, in_double_quotes))
        pos = c.end_byte
        if not c.is_named:
            if c.type in ('"', '$"'):
                continue
            out.append(b.slice(c))
        elif c.type == "string_content":
            out.append(_unescape(b.slice(c), in_double_quotes=True))
        elif c.type == "variable_name":
            out.append(b.slice(c))
        else:
            text, s = _unquote(c, b)
            out.append(text)
            static = static and s
    if n.end_byte > pos:
        gap = src[pos : n.end_byte].decode("utf-8", "surrogateescape")
        out.append(_unescape(gap, in_double_quotes))
    return "".join(out), static


