"""The shell inside ``RUN``: commands, words and package-manager calls, with exact spans.

This is the one module that understands shell text. It parses the *logical* command
(continuations and the comment lines after them removed, as BuildKit hands it to the
shell) with tree-sitter-bash, and maps every position back onto the *raw* text of the
:class:`~dockmod.cst.ShellCommand`, so an edit keeps every other byte (continuations,
indentation, comment lines) as written::

    script = parse_shell(run.command)
    for call in script.package_managers():
        opt = call.option("--no-cache-dir")
        if opt is not None:
            run = run.with_changes(command=remove_words(run.command, opt.words))

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
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from dockmod.cst.arguments import Heredoc, ShellCommand
from dockmod.grammar.words import _gap_re, logical_text

if TYPE_CHECKING:
    from tree_sitter import Node as TSNode
    from tree_sitter import Parser, Tree

__all__ = [
    "Manager",
    "Operator",
    "Option",
    "PackageManagerCall",
    "ShellScript",
    "ShellWord",
    "SimpleCommand",
    "parse_heredoc_body",
    "parse_shell",
    "remove_command",
    "remove_word",
    "remove_words",
]


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


_OPERATORS = frozenset(o.value for o in Operator if o is not Operator.NEWLINE)
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


# --- offsets ---------------------------------------------------------------------------


class _OffsetMap:
    """Logical text offsets → raw text offsets (the gaps ``logical_text`` removes)."""

    __slots__ = ("_logical", "_raw")

    def __init__(self, raw: str, escape: str | None) -> None:
        self._logical = [0]
        self._raw = [0]
        if escape is None or "\n" not in raw:
            return
        self._logical.clear()
        self._raw.clear()
        pos = lpos = 0
        for m in _gap_re(escape).finditer(raw):
            self._logical.append(lpos)
            self._raw.append(pos)
            lpos += m.start() - pos
            pos = m.end()
        self._logical.append(lpos)
        self._raw.append(pos)

    def start(self, offset: int) -> int:
        """Raw offset of the logical character at ``offset``."""
        i = bisect.bisect_right(self._logical, offset) - 1
        return self._raw[i] + offset - self._logical[i]

    def end(self, offset: int) -> int:
        """Raw offset just past the logical character before ``offset``."""
        return self.start(offset - 1) + 1 if offset > 0 else self.start(0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        return (self.start(start), self.end(end) if end > start else self.start(start))


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


@dataclass(frozen=True, slots=True)
class ShellWord:
    """One word of a command (a name, an argument or an assignment)."""

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


@dataclass(frozen=True, slots=True)
class SimpleCommand:
    """A command with words: ``[assignments] name args…`` (``export``/``unset`` too)."""

    #: The program name with quotes removed: ``apt-get``, ``/usr/bin/pip3``, ``export``.
    name: str
    #: Every word from the name on: ``argv[0]`` is the name word, as in ``execve``.
    argv: tuple[ShellWord, ...]
    #: ``NAME=value`` words before the name (``DEBIAN_FRONTEND=noninteractive``).
    assignments: tuple[ShellWord, ...]
    #: Raw text of redirections (``> /dev/null``, ``2>&1``), in source order.
    redirects: tuple[str, ...]
    #: (start, end) of the command in the raw text, assignments included.
    span: tuple[int, int]
    #: (start, end) of the whole statement: with its redirections and a leading ``!``.
    statement_span: tuple[int, int]
    #: The operator joining this command to the next one, or None.
    operator: Operator | None
    #: The operator joining the previous command to this one, or None.
    previous_operator: Operator | None
    #: Nested in a subshell, ``{ }`` group, ``if``/``for``/``while``/``case`` or function.
    nested: bool
    # Logical offsets used by remove_command: this statement, the previous statement's
    # end, and (operator end, next statement start).
    _statement: tuple[int, int] = field(repr=False, compare=False)
    _previous_end: int | None = field(repr=False, compare=False)
    _next: tuple[int, int | None] | None = field(repr=False, compare=False)

    @property
    def args(self) -> tuple[ShellWord, ...]:
        """The arguments: ``argv[1:]``."""
        return self.argv[1:]

    @property
    def words(self) -> list[str]:
        """``argv`` as texts."""
        return [w.text for w in self.argv]


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

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw span of the logical span ``[start, end)``."""
        return self._map.span(start, end)

    def package_managers(self) -> list[PackageManagerCall]:
        """Every recognised package-manager call, in source order."""
        out = []
        for cmd in self.commands:
            call = _recognise(cmd)
            if call is not None:
                out.append(call)
        return out


# --- parsing ---------------------------------------------------------------------------


def parse_shell(command: ShellCommand | str, escape: str = "\\") -> ShellScript:
    """Parse a shell-form command; spans refer to ``command.raw`` (or the given str).

    ``escape`` is only read for a str; a ShellCommand carries its own.
    """
    if isinstance(command, ShellCommand):
        raw, escape = command.raw, command.escape
    else:
        raw = command
    return _parse(raw, escape, logical_text(raw, escape))


def parse_heredoc_body(heredoc: Heredoc) -> ShellScript:
    """Parse a heredoc body as a script (``RUN <<EOF``); spans refer to ``heredoc.body``.

    BuildKit does not join continuations in heredoc bodies (the shell does), so the body
    is parsed as written.
    """
    return _parse(heredoc.body, None, heredoc.body)


def _parse(raw: str, escape: str | None, text: str) -> ShellScript:
    bmap = _ByteMap(text)
    parser = _parser()
    tree = parser.parse(bmap.data)
    if b"<<" in bmap.data:
        tree = _without_heredoc_markers(parser, tree, bmap.data)
    omap = _OffsetMap(raw, escape)
    b = _Builder(bmap, omap)
    return ShellScript(
        raw=raw,
        escape=escape,
        text=text,
        commands=tuple(b.command(n) for n in _command_nodes(tree.root_node)),
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


def _command_nodes(root: TSNode) -> Iterator[TSNode]:
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type in _COMMAND_TYPES:
            yield n
            continue
        if n.type in _WORD_SCOPES:
            continue
        stack.extend(reversed(n.children))


class _Builder:
    def __init__(self, bmap: _ByteMap, omap: _OffsetMap) -> None:
        self.b = bmap
        self.o = omap
        self.src = bmap.data

    def lspan(self, n: TSNode) -> tuple[int, int]:
        return self.b(n.start_byte), self.b(n.end_byte)

    def slice(self, n: TSNode) -> str:
        return self.src[n.start_byte : n.end_byte].decode("utf-8", "surrogateescape")

    def word(self, n: TSNode) -> ShellWord:
        text, static = _unquote(n, self)
        ls = self.lspan(n)
        return ShellWord(self.slice(n), text, static, self.o.span(*ls), ls)

    def command(self, n: TSNode) -> SimpleCommand:
        assignments: list[ShellWord] = []
        argv: list[ShellWord] = []
        redirects: list[str] = []
        if n.type == "command":
            for i, c in enumerate(n.children):
                f = n.field_name_for_child(i)
                if f == "name":
                    argv.insert(0, self.word(c.children[0] if c.child_count == 1 else c))
                elif f == "argument":
                    argv.append(self.word(c))
                elif f == "redirect":
                    redirects.append(self.slice(c))
                elif c.type == "variable_assignment":
                    assignments.append(self.word(c))
        else:  # export/declare/local/readonly/typeset/unset: keyword then words
            for c in n.children:
                if c.is_extra:
                    continue
                argv.append(self.word(c))
        stmt, end, more = _statement(n)
        redirects += (self.slice(r) for r in more)
        prev_op, prev_end = self._previous(stmt)
        next_op, nxt = self._following(stmt)
        nested = False
        p = stmt.parent
        while p is not None:
            if p.type not in _CHAINS and p.type not in _STATEMENT_WRAPPERS and p.type != "program":
                nested = True
                break
            p = p.parent
        lstmt = (self.b(stmt.start_byte), self.b(end))
        return SimpleCommand(
            name=argv[0].text if argv else "",
            argv=tuple(argv),
            assignments=tuple(assignments),
            redirects=tuple(redirects),
            span=self.o.span(*self.lspan(n)),
            statement_span=self.o.span(*lstmt),
            operator=next_op,
            previous_operator=prev_op,
            nested=nested,
            _statement=lstmt,
            _previous_end=prev_end,
            _next=nxt,
        )

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
            if sib.type not in _OPERATORS:
                return None, None
            after = _sibling(sib, forward=True)
            start = self.b(after.start_byte) if after is not None and after.is_named else None
            return Operator(sib.type), (self.b(sib.end_byte), start)

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
            if sib.type not in _OPERATORS:
                return None, None
            before = _sibling(sib, forward=False)
            if before is None or not before.is_named:
                return None, None
            return Operator(sib.type), self.b(before.end_byte)


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


# --- package managers ------------------------------------------------------------------


class Manager(enum.StrEnum):
    """A package manager or build tool whose calls transforms care about."""

    PIP = "pip"
    UV = "uv"
    POETRY = "poetry"
    PIPENV = "pipenv"
    NPM = "npm"
    YARN = "yarn"
    PNPM = "pnpm"
    GO = "go"
    CARGO = "cargo"
    BUNDLER = "bundler"
    COMPOSER = "composer"
    MAVEN = "maven"
    GRADLE = "gradle"
    APT_GET = "apt-get"
    APT = "apt"
    APK = "apk"
    DNF = "dnf"
    YUM = "yum"
    MICRODNF = "microdnf"


@dataclass(frozen=True, slots=True)
class _Spec:
    #: Subcommand words (space-joined) → action reported; "" is the bare command.
    #: None: any first operand is the action (Maven goals, Gradle tasks).
    actions: dict[str, str] | None
    #: Options that take the next word as value when not written ``--opt=value``.
    takes_value: frozenset[str] = frozenset()
    #: Options whose value is a requirements / constraints / manifest file.
    file_options: frozenset[str] = frozenset()
    #: Single-dash letters may be bundled (``-yqq``).
    bundles: bool = False
    #: Files read without being named, per action.
    manifests: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _same(text: str) -> dict[str, str]:
    return {a: a for a in text.split()}


_PIP_VALUE = _names(
    "-r --requirement -c --constraint -e --editable -i --index-url --extra-index-url -f"
    " --find-links -t --target --prefix --root --src --upgrade-strategy --progress-bar"
    " --platform --python-version --implementation --abi --only-binary --no-binary"
    " --cache-dir --log --proxy --retries --timeout --exists-action --trusted-host --cert"
    " --client-cert --global-option -C --config-settings --python --report"
    " --root-user-action -d --dest -w --wheel-dir"
)
_APT_VALUE = _names("-o --option -t --target-release --default-release -c --config-file")
_DNF_VALUE = _names(
    "-c --config --installroot --releasever -x --exclude --enablerepo --disablerepo --repo"
    " --repoid --setopt --forcearch --disableplugin --enableplugin"
)
_JS_LOCK = ("package.json", "package-lock.json")

_SPECS: dict[Manager, _Spec] = {
    Manager.PIP: _Spec(
        _same("install download wheel uninstall"),
        _PIP_VALUE,
        _names("-r --requirement -c --constraint"),
        bundles=True,
    ),
    Manager.UV: _Spec(
        {"pip install": "pip install", "pip sync": "pip sync", "sync": "sync", "add": "add"},
        _PIP_VALUE
        | _names(
            "-p --python --group --only-group --no-group --extra --package --directory"
            " --project -o --output-file --index --default-index"
        ),
        _names("-r --requirement -c --constraint --constraints"),
        manifests={"sync": ("pyproject.toml", "uv.lock")},
    ),
    Manager.POETRY: _Spec(
        _same("install add"),
        _names("--only --with --without -E --extras -C --directory -P --project"),
        manifests={"install": ("pyproject.toml", "poetry.lock")},
    ),
    Manager.PIPENV: _Spec(
        _same("install sync"),
        _names("--python --categories --extra-pip-args -r --requirements"),
        _names("-r --requirements"),
        manifests={"install": ("Pipfile", "Pipfile.lock"), "sync": ("Pipfile", "Pipfile.lock")},
    ),
    Manager.NPM: _Spec(
        {"ci": "ci", "clean-install": "ci", "install": "install", "i": "install", "add": "install"},
        _names("--prefix -w --workspace --registry --cache --omit --include --only --loglevel"),
        manifests={"ci": _JS_LOCK, "install": _JS_LOCK},
    ),
    Manager.YARN: _Spec(
        {"": "install", "install": "install", "add": "add"},
        _names("--cwd --modules-folder --cache-folder --network-timeout --mutex --registry"),
        manifests={"install": ("package.json", "yarn.lock")},
    ),
    Manager.PNPM: _Spec(
        {"install": "install", "i": "install", "add": "add", "fetch": "fetch"},
        _names("--filter -F --dir -C --store-dir --reporter"),
        manifests={"install": ("package.json", "pnpm-lock.yaml"), "fetch": ("pnpm-lock.yaml",)},
    ),
    Manager.GO: _Spec(
        {"mod download": "mod download", **_same("build install get test run generate")},
        _names("-o -ldflags -gcflags -asmflags -tags -mod -C -p -modfile -overlay -pkgdir"),
        manifests={"mod download": ("go.mod", "go.sum"), "build": ("go.mod", "go.sum")},
    ),
    Manager.CARGO: _Spec(
        _same("build fetch install test check run"),
        _names(
            "--target -F --features -p --package --bin --example --manifest-path --target-dir"
            " -j --jobs --profile --config --root --version --git --branch --tag --rev --path"
        ),
        manifests={"build": ("Cargo.toml", "Cargo.lock"), "fetch": ("Cargo.toml", "Cargo.lock")},
    ),
    Manager.BUNDLER: _Spec(
        {"install": "install", "": "install"},
        _names("-j --jobs --retry --path --without --with --gemfile --binstubs"),
        _names("--gemfile"),
        manifests={"install": ("Gemfile", "Gemfile.lock")},
    ),
    Manager.COMPOSER: _Spec(
        _same("install update require"),
        _names("-d --working-dir"),
        manifests={"install": ("composer.json", "composer.lock")},
    ),
    Manager.MAVEN: _Spec(
        None,
        _names(
            "-f --file -s --settings -gs --global-settings -P --activate-profiles -pl"
            " --projects -T --threads -rf -l --log-file"
        ),
        _names("-f --file"),
        manifests={"": ("pom.xml",)},
    ),
    Manager.GRADLE: _Spec(
        None,
        _names(
            "-p --project-dir -x --exclude-task -g --gradle-user-home -b --build-file -c"
            " --settings-file --init-script -I"
        ),
        _names("-b --build-file -c --settings-file"),
    ),
    Manager.APT_GET: _Spec(
        _same(
            "update install upgrade dist-upgrade full-upgrade remove purge autoremove clean"
            " autoclean build-dep source download"
        ),
        _APT_VALUE,
        bundles=True,
    ),
    Manager.APK: _Spec(
        _same("add del update upgrade fix cache"),
        _names(
            "-X --repository -p --root --arch --cache-dir --keys-dir -t --virtual"
            " --repositories-file"
        ),
        bundles=True,
    ),
    Manager.DNF: _Spec(
        _same(
            "install update upgrade remove erase clean makecache reinstall distro-sync builddep"
            " groupinstall"
        ),
        _DNF_VALUE,
        bundles=True,
    ),
}
_SPECS[Manager.APT] = _SPECS[Manager.APT_GET]
_SPECS[Manager.YUM] = _SPECS[Manager.DNF]
_SPECS[Manager.MICRODNF] = _SPECS[Manager.DNF]

# Program basenames; pip and python versions (pip3.12, python3.12) are matched apart.
_PROGRAMS = {
    "uv": Manager.UV,
    "poetry": Manager.POETRY,
    "pipenv": Manager.PIPENV,
    "npm": Manager.NPM,
    "yarn": Manager.YARN,
    "yarnpkg": Manager.YARN,
    "pnpm": Manager.PNPM,
    "go": Manager.GO,
    "cargo": Manager.CARGO,
    "bundle": Manager.BUNDLER,
    "bundler": Manager.BUNDLER,
    "composer": Manager.COMPOSER,
    "composer.phar": Manager.COMPOSER,
    "mvn": Manager.MAVEN,
    "mvnw": Manager.MAVEN,
    "gradle": Manager.GRADLE,
    "gradlew": Manager.GRADLE,
    "apt-get": Manager.APT_GET,
    "apt": Manager.APT,
    "apk": Manager.APK,
    "dnf": Manager.DNF,
    "yum": Manager.YUM,
    "microdnf": Manager.MICRODNF,
}
# Wrappers that run the rest of their words as a command, with the options of each
# that take a value.
_WRAPPERS = {
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
class Option:
    """An option word, and its value word when written apart (``-r requirements.txt``)."""

    #: As written, before any ``=``: ``--no-cache-dir``, ``-r``, ``-yqq``.
    name: str
    #: The value (after ``=``, attached, or the next word), or None for a switch.
    value: str | None
    #: The words to remove to drop the option: one, or two when the value is apart.
    words: tuple[ShellWord, ...]


@dataclass(frozen=True, slots=True)
class PackageManagerCall:
    """One call of a package manager or build tool, e.g. ``pip install -r req.txt``."""

    manager: Manager
    #: What it does, normalised: ``install`` (also for ``npm i`` and bare ``yarn``),
    #: ``ci``, ``update``, ``mod download``, ``pip install`` (uv), a Maven goal…
    action: str
    #: The command it is in.
    command: SimpleCommand
    #: The words naming the program: ``pip3``, ``python3 -m pip``, ``./gradlew``.
    program: tuple[ShellWord, ...]
    #: The subcommand words (``install``, ``mod download``); empty for bare ``yarn``.
    action_words: tuple[ShellWord, ...]
    #: Options anywhere after the program, in source order.
    options: tuple[Option, ...]
    #: Other words after the action: packages, paths, goals.
    operands: tuple[ShellWord, ...]
    #: Requirements/constraints/manifest files named by options (``-r``, ``-c``, ``--gemfile``).
    files: tuple[str, ...]
    #: Files the action reads without naming them (``package-lock.json`` for ``npm ci``).
    manifests: tuple[str, ...]
    _bundles: bool = field(repr=False, compare=False, default=False)

    @property
    def span(self) -> tuple[int, int]:
        return self.command.span

    def option(self, *names: str) -> Option | None:
        """The first option spelled as one of ``names`` (``-y`` also matches ``-yqq``)."""
        for opt in self.options:
            for name in names:
                if opt.name == name:
                    return opt
                if (
                    self._bundles
                    and len(name) == 2
                    and not opt.name.startswith("--")
                    and name[1] in opt.name[1:]
                ):
                    return opt
        return None

    def has_option(self, *names: str) -> bool:
        return self.option(*names) is not None

    @property
    def assume_yes(self) -> bool:
        """apt/dnf/yum: runs without prompting (``-y``, ``--yes``, ``-qq``, ``-q=2``)."""
        if self.has_option("-y", "--yes", "--assume-yes"):
            return True
        if self.manager in (Manager.APT_GET, Manager.APT):
            # apt-get(8): quiet level 2 implies -y.
            q = sum(o.name.count("q") for o in self.options if not o.name.startswith("--"))
            q += sum(1 for o in self.options if o.name in ("--quiet", "--silent"))
            q2 = any(o.name in ("-q", "--quiet") and o.value == "2" for o in self.options)
            return q >= 2 or q2
        return self.manager is Manager.APK

    @property
    def local_paths(self) -> tuple[str, ...]:
        """pip/uv: local project paths installed (``.``, ``-e .``, ``./pkg``, ``/src``)."""
        if self.manager not in (Manager.PIP, Manager.UV):
            return ()
        vals = [w.text for w in self.operands]
        vals += [o.value for o in self.options if o.name in ("-e", "--editable") and o.value]
        local = (".", "..")
        return tuple(v for v in vals if v in local or v.startswith(("./", "../", "/", "file:")))


def _program(cmd: SimpleCommand) -> tuple[Manager, int] | None:
    """The manager and the index of the first word after its name, past wrappers."""
    argv = cmd.argv
    i = 0
    while i < len(argv):
        base = os.path.basename(argv[i].text)
        if base in _WRAPPERS:
            takes = _WRAPPERS[base]
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
            continue
        break
    if i >= len(argv):
        return None
    base = os.path.basename(argv[i].text)
    if base in _PROGRAMS:
        return _PROGRAMS[base], i + 1
    if _versioned(base, "pip"):
        return Manager.PIP, i + 1
    if _versioned(base, "python"):
        j = i + 1
        while j < len(argv) and argv[j].text.startswith("-") and argv[j].text != "-m":
            j += 1
        if j + 1 < len(argv) and argv[j].text == "-m" and _versioned(argv[j + 1].text, "pip"):
            return Manager.PIP, j + 2
    return None


def _versioned(name: str, stem: str) -> bool:
    """``pip``, ``pip3``, ``pip3.12`` for stem ``pip``."""
    rest = name[len(stem) :]
    return name.startswith(stem) and all(c.isdigit() or c == "." for c in rest)


def _recognise(cmd: SimpleCommand) -> PackageManagerCall | None:
    found = _program(cmd)
    if found is None:
        return None
    manager, start = found
    spec = _SPECS[manager]
    words = cmd.argv[start:]
    options: list[Option] = []
    positional: list[ShellWord] = []
    i = 0
    while i < len(words):
        w = words[i]
        t = w.text
        if t == "--":
            positional.extend(words[i + 1 :])
            break
        if not (t.startswith("-") and len(t) > 1):
            positional.append(w)
            i += 1
            continue
        if "=" in t and t.startswith("--"):
            name, value = t.split("=", 1)
            options.append(Option(name, value, (w,)))
        elif t in spec.takes_value and i + 1 < len(words):
            options.append(Option(t, words[i + 1].text, (w, words[i + 1])))
            i += 1
        elif t[1] != "-" and t[:2] in spec.takes_value and len(t) > 2 and manager is not Manager.GO:
            # An attached short value, ``-rreq.txt``; Go's single-dash names are whole words.
            options.append(Option(t[:2], t[2:].removeprefix("="), (w,)))
        else:
            options.append(Option(t, None, (w,)))
        i += 1
    if spec.actions is None:
        action_words = tuple(positional[:1])
        action = action_words[0].text if action_words else ""
    else:
        action_words = ()
        action = ""
        texts = [w.text for w in positional]
        for key in sorted(spec.actions, key=lambda k: -len(k.split())):
            n = len(key.split()) if key else 0
            # A bare command (``yarn``) only when nothing follows: ``yarn build`` runs a script.
            if (" ".join(texts[:n]) == key) if key else not texts:
                action_words = tuple(positional[:n])
                action = spec.actions[key]
                break
        else:
            return None
    files = tuple(o.value for o in options if o.name in spec.file_options and o.value is not None)
    manifest_key = "" if spec.actions is None else action
    manifests = spec.manifests.get(manifest_key, ())
    return PackageManagerCall(
        manager=manager,
        action=action,
        command=cmd,
        program=cmd.argv[:start],
        action_words=action_words,
        options=tuple(options),
        operands=tuple(positional[len(action_words) :]),
        files=files,
        manifests=manifests,
        _bundles=spec.bundles,
    )


# --- edits -----------------------------------------------------------------------------


_HSPACE = " \t"


def remove_words(command: ShellCommand, words: Iterable[ShellWord]) -> ShellCommand | None:
    """Remove argument words, each with one separating whitespace run; None if unsafe.

    Every other byte stays as written. A word alone on a continuation line takes that
    line's continuation with it. None when a word is a command name or an assignment,
    holds a continuation itself, or when removing it would drop a comment line or change
    how bash splits the remaining words.
    """
    script = parse_shell(command)
    if script.has_error:
        return None
    targets = sorted({w.span: w for w in words}.values(), key=lambda w: w.span, reverse=True)
    args = {(a.span, a.raw) for c in script.commands for a in c.args}
    if not targets or any((w.span, w.raw) not in args for w in targets):
        return None
    raw = command.raw
    text = script.text
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
        # continuation above it; a gap with a comment line is never cut.
        before = raw[script._map.end(a) : s] if a < ls else ""
        after = raw[e : script._map.start(z)] if le < z < len(text) else ""
        if before and "#" not in before:
            cut = (s - len(before), e)
        elif after and "#" not in after:
            cut = (s, e + len(after))
        else:
            return None
        raw = raw[: cut[0]] + raw[cut[1] :]
    new = command.with_changes(raw=raw)
    removed = {w.span for w in targets}
    expected = [
        (c.name, [a.text for a in c.argv if a.span not in removed], c.operator)
        for c in script.commands
    ]
    if _shape(parse_shell(new)) != expected:
        return None
    return new


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
    if backward and forward and cmd.previous_operator != cmd.operator:
        # Drop the ``&&`` and keep the ``;``: in ``a; b && c`` it is ``b &&`` that goes
        # (``a; c``), in ``a && b; c`` it is ``&& b`` (``a; c``).
        backward = cmd.previous_operator is Operator.AND
    if backward and cmd._previous_end is not None:
        cut = (m.end(cmd._previous_end), m.end(le))
    elif forward and cmd._next is not None and cmd._next[1] is not None:
        op_end, next_start = cmd._next
        cut = (m.start(ls), m.start(next_start))
        if "#" in command.raw[m.end(op_end) : cut[1]]:
            return None
    else:
        return None
    new = command.with_changes(raw=command.raw[: cut[0]] + command.raw[cut[1] :])
    # The command before takes over the removed one's operator; all else must re-parse
    # the same.
    expected: list[tuple[str, list[str], Operator | None]] = []
    for i, c in enumerate(script.commands):
        if i != index:
            expected.append((c.name, c.words, cmd.operator if i == index - 1 else c.operator))
    got = _shape(parse_shell(new))
    if got is None or len(got) != len(expected):
        return None
    if index > 0:  # a command nested before may keep its own operator (`(a) && b`)
        got[index - 1] = (got[index - 1][0], got[index - 1][1], expected[index - 1][2])
    if got != expected:
        return None
    return new


def _shape(script: ShellScript) -> list[tuple[str, list[str], Operator | None]] | None:
    if script.has_error:
        return None
    return [(c.name, c.words, c.operator) for c in script.commands]


def insert_words_after(command: ShellCommand, word: ShellWord, new_words: list[str]) -> ShellCommand | None:
    """Insert plain words right after ``word``, each preceded by one space; None if unsafe.

    ``new_words`` must be plain (no quoting needed). Every other byte stays as written.
    The result is re-parsed: the command must gain exactly those words there, and every
    other command must keep its name, words and operator.
    """
    if any(not w or any(c.isspace() or c in "\"'\\$`;&|<>()#*?[]{}~" for c in w) for w in new_words):
        return None
    script = parse_shell(command)
    if script.has_error:
        return None
    target = next((c for c in script.commands for a in c.argv if a.span == word.span and a.raw == word.raw), None)
    if target is None or command.raw[word.span[0]:word.span[1]] != word.raw:
        return None
    e = word.span[1]
    raw = command.raw[:e] + "".join(" " + w for w in new_words) + command.raw[e:]
    new = command.with_changes(raw=raw)
    expected = []
    for c in script.commands:
        words = []
        for a in c.argv:
            words.append(a.text)
            if c is target and a.span == word.span:
                words.extend(new_words)
        expected.append((c.name, words, c.operator))
    if _shape(parse_shell(new)) != expected:
        return None
    return new
