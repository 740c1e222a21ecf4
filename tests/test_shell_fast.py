"""The shell layer's short cuts give what the general code gives.

* a plain word (no byte of ``_special``) is its own text, and static: the general
  ``_unquote`` agrees on every word of the corpus and of scripts that hold each special byte;
* a command's name read from its bytes is the text of its name word;
* a one-byte-per-character script's words are sliced from its text, not decoded from its
  bytes: both give the same string (surrogate-escaped bytes included);
* ``ShellWord`` is the immutable value the frozen dataclass was;
* the walk for commands classifies a node by its kind id as by its type name.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dockmod
from dockmod.cst.arguments import ShellCommand
from dockmod.cst.instructions import Run
from dockmod.errors import DockmodError
from dockmod.shell import parse
from dockmod.shell.parse import ShellWord, _unquote, parse_shell
from tests.conftest import corpus_files, read

# Each special byte of ``_special`` in a word, and words that hold none.
SCRIPTS = [
    "echo {a,b} x{1..3} <(ls) >(cat) $y ${z} `date` $(id) 'q' \"r\" s\\ t $'\\n' $\"m\"",
    "FOO=bar X='1 2' Y=$Z cmd -o=v --flag=\"$HOME\" a=b 2>&1 >/dev/null",
    "export A=1 B=\"2\" C; declare -x D=$E; local f=1; unset G",
    "café=1 écho é > /tmp/é && 'quoted name' x && \"$cmd\" y && p\\ ip install x",
    "a && b | c; (d e) && { f g; } && if h; then i j; fi && for k in 1 2; do l $k; done",
    "pip \\\n  install \\\n    -r requirements.txt \\\n  && rm -rf ~/.cache",
    "find . -name '*.pyc' -exec rm {} + && echo a(b",
]


@cache
def _texts() -> list[tuple[str, str | None]]:
    out = {(s, "\\") for s in SCRIPTS}
    for path in corpus_files():
        try:
            df = dockmod.parse(read(path))
        except DockmodError:
            continue
        stack = [df]
        while stack:
            node = stack.pop()
            if isinstance(node, Run):
                if isinstance(node.command, ShellCommand):
                    out.add((node.command.raw, node.command.escape))
                out.update((h.body, None) for h in node.heredocs)
            stack.extend(node.children)
    return sorted(out, key=repr)


def _word_nodes(cmd: parse.SimpleCommand) -> list[object]:
    """The nodes ``_build_words`` makes words of."""
    n = cmd._node  # type: ignore[attr-defined]
    out = []
    if n.type == "command":
        for i, c in enumerate(n.children):
            f = n.field_name_for_child(i)
            if f == "name":
                out.append(c.children[0] if c.child_count == 1 else c)
            elif f == "argument" or (f is None and c.type == "variable_assignment"):
                out.append(c)
    else:
        out = [c for c in n.children if not c.is_extra]
    return out


def test_plain_words_are_their_own_static_text() -> None:
    plain = special = 0
    for raw, escape in _texts():
        parse.clear_cache()
        script = parse_shell(raw, escape) if escape is not None else parse._CACHE.get(raw, None)
        for cmd in script.commands:
            b = cmd._b  # type: ignore[attr-defined]
            for n in _word_nodes(cmd):
                text = b.slice(n)
                if parse._special(b.src, n.start_byte, n.end_byte) is None:
                    plain += 1
                    assert _unquote(n, b) == (text, True), (raw, text)
                else:
                    special += 1
    # Both kinds are met (the check above is not vacuous); for SCRIPTS alone, words whose
    # _unquote differs from (text, True) are among the special ones.
    assert plain > 1000 and special > 100


def test_each_special_byte_matters() -> None:
    # Without any one of these bytes in _special, a word of SCRIPTS would be taken as plain
    # wrongly (``{`` is there for brace expansions, which tree-sitter now reads as static).
    script = parse_shell(" && ".join(SCRIPTS[:4]))
    words = [(n, c._b) for c in script.commands for n in _word_nodes(c)]  # type: ignore[attr-defined]
    assert words
    for byte in "\\'\"$`(":
        without = re.compile(b"[" + re.escape(b"\\'\"$`({".replace(byte.encode(), b"")) + b"]").search
        wrong = [b.slice(n) for n, b in words
                 if without(b.src, n.start_byte, n.end_byte) is None and _unquote(n, b) != (b.slice(n), True)]
        assert wrong, byte


def test_plain_names_are_the_name_words_text() -> None:
    fast = 0
    for raw, escape in _texts():
        parse.clear_cache()
        script = parse_shell(raw, escape) if escape is not None else parse._CACHE.get(raw, None)
        names = [c.name for c in script.commands]
        fast += sum(c._words is None for c in script.commands)  # type: ignore[attr-defined]
        assert names == [c.argv[0].text if c.argv else "" for c in script.commands], raw
    assert fast > 1000


@pytest.mark.parametrize("raw", [
    "echo a b 'c d' \"$e\" > f", "pip \\\n  install x \\\n  && echo 'y'",
    "echo a\udc80b 'q\udcff' \"\udc81$x\" >\udc82", "echo é 'ü' && ls",
])
def test_text_slices_are_the_decoded_bytes(raw: str) -> None:
    parse.clear_cache()
    script = parse_shell(raw)
    b = script.commands[0]._b  # type: ignore[attr-defined]
    assert b.ascii == (len(b.src) == len(b.text))
    nodes = [n for c in script.commands for n in _word_nodes(c)]
    assert nodes
    for n in nodes:
        decoded = b.src[n.start_byte : n.end_byte].decode("utf-8", "surrogateescape")
        assert b.slice(n) == decoded
        assert b.word(n).raw == decoded
    assert [c.name for c in script.commands] == [c.argv[0].text for c in script.commands]


def test_shell_word_is_an_immutable_value() -> None:
    w = ShellWord(raw="'a'", text="a", static=True, span=(0, 3), logical_span=(0, 3))
    (v,) = parse_shell("x 'a'").commands[0].args
    assert v == w._replace(span=(2, 5), logical_span=(2, 5)) and v != w
    assert repr(w) == "ShellWord(raw=\"'a'\", text='a', static=True, span=(0, 3), logical_span=(0, 3))"
    assert hash(w) == hash(("'a'", "a", True, (0, 3), (0, 3)))  # as the dataclass hashed
    with pytest.raises(AttributeError):
        w.text = "b"  # type: ignore[misc]


def _offsets_by_loop(raw: str, escape: str | None) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The offset map's segments as the loop before the one-scan build made them."""
    from dockmod.lang.words import _gap_re

    logical, raws = [0], [0]
    if escape is not None and "\n" in raw:
        logical.clear()
        raws.clear()
        pos = lpos = 0
        for m in _gap_re(escape).finditer(raw):
            logical.append(lpos)
            raws.append(pos)
            lpos += m.start() - pos
            pos = m.end()
        logical.append(lpos)
        raws.append(pos)
    return tuple(logical), tuple(raws)


def _same_offsets(raw: str, escape: str | None) -> None:
    from dockmod.lang.words import logical_text

    omap = parse._OffsetMap(raw, escape)
    assert omap.text == (raw if escape is None else logical_text(raw, escape))
    logical, raws = _offsets_by_loop(raw, escape)
    assert (omap._logical, omap._raw) == (logical, raws)  # type: ignore[attr-defined]
    assert omap._identity == (len(logical) == 1)  # type: ignore[attr-defined]
    assert omap._delta == tuple(r - lo for r, lo in zip(raws, logical))  # type: ignore[attr-defined]
    assert omap._limit == (*logical[1:], float("inf"))  # type: ignore[attr-defined]


def test_the_offset_map_and_logical_text_come_from_one_scan() -> None:
    gaps = 0
    for raw, escape in _texts():
        _same_offsets(raw, escape)
        gaps += len(parse._OffsetMap(raw, escape)._raw) - 1  # type: ignore[attr-defined]
    assert gaps > 1000  # the corpus has continuations to map


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", " ", "\\", "`", "\n", "\r", "\t", "#", "# c\n", "é", "\\\n", "`\n",
                                 "\\ \n", "\\\r\n", "\n\n", "  # x\n"]), max_size=12),
       st.sampled_from(["\\", "`", None]))
def test_the_offset_map_agrees_with_the_loop_on_generated_text(parts: list[str], escape: str | None) -> None:
    _same_offsets("".join(parts), escape)


def _by_type(t: str) -> str:
    if t in parse._COMMAND_TYPES:
        return parse._COMMAND
    if t in parse._WORD_SCOPES:
        return parse._SKIP
    if t in parse._NO_COMMANDS:
        return parse._NO_COMMAND
    if t in parse._CHAINS or t in parse._STATEMENT_WRAPPERS or t == "program":
        return parse._FLAT
    return parse._OTHER


def test_node_kinds_by_id_are_those_by_type() -> None:
    kinds = parse._walk_kinds()
    seen: set[str] = set()
    for raw in [*SCRIPTS, "echo $(( 1 +", "if then fi; (", "a |& b & c; ! d > e", "f() { g; }"]:
        parse.clear_cache()
        root = parse_shell(raw).commands[0]._node  # type: ignore[attr-defined]
        while root.parent is not None:
            root = root.parent
        for n in parse._walk(root):
            seen.add(n.type)
            assert kinds.get(n.kind_id, parse._OTHER) == _by_type(n.type), n.type
    assert {"ERROR", "command", "list", "word", "command_substitution"} <= seen
