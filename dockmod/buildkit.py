"""BuildKit's view of a parsed Dockerfile, derived from the CST.

Two formats, both computed only from the tree's typed accessors, so that comparing them
with BuildKit checks dockmod's understanding and not a second parser:

* :func:`instructions`: one dict per instruction with the fields of the PyPI package
  ``dockerfile`` (bindings to BuildKit's Go parser): ``cmd``, ``sub_cmd``, ``json``,
  ``original``, ``start_line``, ``end_line``, ``flags``, ``value``, ``heredocs``. ENV and
  LABEL values are plain key/value pairs, as that package gives them.
* :func:`dump`: BuildKit's ``Node.Dump()`` text, as in its ``testfiles/*/result`` files,
  where current BuildKit adds each ENV/LABEL pair's separator (``""`` or ``"="``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from dockmod.cst import arguments as a
from dockmod.cst import instructions as ins
from dockmod.cst.module import Dockerfile
from dockmod.lang.words import _WS_NO_NL, go_quote, logical_text


@lru_cache(maxsize=4)
def _eol_gap_re(escape: str) -> re.Pattern[str]:
    e = re.escape(escape)
    ws = re.escape(_WS_NO_NL)
    return re.compile(rf"{e}[ \t]*\r*(?:\n(?:[{ws}]*(?:#[^\n]*)?(?:\n|\Z))*|\Z)")


@lru_cache(maxsize=4)
def _indent_gap_re(escape: str) -> re.Pattern[str]:
    e = re.escape(escape)
    ws = re.escape(_WS_NO_NL)
    # As the end-of-line gap, except that whitespace after the last newline is the next
    # line's indent, which BuildKit keeps; only a comment line may end at EOF.
    return re.compile(rf"{e}[ \t]*\r*(?:\n(?:[{ws}]*(?:#[^\n]*)?\n|[{ws}]*#[^\n]*\Z)*|\Z)")


def _trailing_logical(raw: str, escape: str) -> str:
    # The end-of-line token holds only whitespace and gaps, so every escape char in it
    # starts a gap; a gap there may also end at EOF without a newline.
    if escape not in raw:
        return raw
    return _eol_gap_re(escape).sub("", raw)


def _original(i: ins.Instruction, escape: str) -> str:
    """BuildKit's ``Node.Original``: the logical line, first line's indent stripped."""
    parts: list[str] = []
    indent = i.indent
    core = i.with_changes(leading_lines=(), indent="", trailing=ins.NO_TRAILING, heredocs=()).code
    if "\n" in indent:
        # Like the end of line, an indent holds only whitespace and continuation gaps. When
        # nothing follows it (a lone escape char continued to EOF), whitespace after its
        # last newline is an empty continuation line, which BuildKit skips, not an indent.
        cut = indent.find(escape)
        gap = _eol_gap_re(escape) if not core and not i.trailing.whitespace else _indent_gap_re(escape)
        parts.append(gap.sub("", indent[cut:]))
    parts.append(logical_text(core, escape))
    parts.append(_trailing_logical(i.trailing.whitespace, escape))
    return "".join(parts)


def _command_values(cmd: a.ShellCommand | a.JsonArray | None) -> tuple[list[str], bool]:
    if cmd is None:
        return [], False
    if isinstance(cmd, a.JsonArray):
        return cmd.values, True
    return [cmd.text], False


def _values(i: ins.Instruction, seps: bool) -> tuple[list[str], bool]:
    """The instruction's ``Next`` chain values and its ``json`` attribute."""
    if isinstance(i, ins._Command):
        return _command_values(i.command)
    if isinstance(i, ins._Paths):
        if i.json is not None:
            return i.json.values, True
        return [w.text for w in i.arguments], False
    if isinstance(i, ins.From):
        words = [i.image, i.as_keyword, i.stage, *i.extra]
        return [w.text for w in words if w is not None], False
    if isinstance(i, ins.Expose):
        return [w.text for w in i.arguments], False
    if isinstance(i, ins._Pairs):
        if i.legacy is not None:
            out = [i.legacy.key, i.legacy.value]
            return (out + [""]) if seps else out, False
        vals: list[str] = []
        for kv in i.pairs:
            key, _, value = kv.text.partition("=")  # .key and .value would each re-read the text
            vals.append(key)
            vals.append(value)
            if seps:
                vals.append("=")
        return vals, False
    if isinstance(i, ins.Arg):
        return [kv.text for kv in i.pairs], False
    if isinstance(i, ins._Single):
        return ([i.value.text] if i.value else []), False
    if isinstance(i, ins.Healthcheck):
        if i.type is None:
            return [], False
        rest, is_json = _command_values(i.command)
        return [i.type.text, *rest], is_json
    if isinstance(i, ins.Onbuild):
        return (_values(i.instruction, seps) if i.instruction else ([], False))
    return [""], False  # parseIgnore: unknown instructions keep no arguments


def node_args(i: ins.Instruction, escape: str) -> tuple[list[str], bool]:
    """``nodeArgs`` of BuildKit's ``instructions`` package and the ``json`` attribute: the
    arguments ``instructions.Parse`` checks. ENV and LABEL give key, value and separator
    triples; ONBUILD gives its trigger's keyword, then the trigger's arguments."""
    if isinstance(i, ins.Onbuild):
        if i.instruction is None:
            return [], False
        sub, _ = node_args(i.instruction, escape)
        return [_keyword(i.instruction, escape), *sub], False
    return _values(i, seps=True)


def _flags(i: ins.Instruction) -> list[str]:
    return [f.text for f in i.flags if not f.is_terminator]


def _keyword(i: ins.Instruction, escape: str) -> str:
    return logical_text(i.keyword, escape)


def _line_spans(df: Dockerfile) -> list[tuple[int, int]]:
    """(start_line, end_line) of each instruction, 1-based, as BuildKit counts them."""
    line = 1 + sum(d.value.count("\n") for d in df.directives)
    spans = []
    for i in df.body:
        for lead in i.leading_lines:
            line += lead.value.count("\n")
        text = i.with_changes(leading_lines=()).code if i.leading_lines else i.code
        n = text.count("\n")
        end = line + n - (1 if text.endswith("\n") else 0)
        spans.append((line, max(end, line)))
        line += n
    return spans


def instructions(df: Dockerfile) -> list[dict[str, Any]]:
    """The instructions as the ``dockerfile`` package reports them."""
    esc = df.escape
    out = []
    for i, (start, end) in zip(df.body, _line_spans(df)):
        sub_cmd = None
        if isinstance(i, ins.Onbuild) and i.instruction is not None:
            sub_cmd = _keyword(i.instruction, esc)
        values, is_json = _values(i, seps=False)
        original = _original(i, esc)
        heredocs = [{"name": h.name, "content": h.body} for h in i.heredocs]
        if heredocs:
            original += "\n" + "".join(h["content"] + h["name"] + "\n" for h in heredocs)
        out.append({
            "cmd": _keyword(i, esc),
            "sub_cmd": sub_cmd,
            "json": is_json,
            "original": original,
            "start_line": start,
            "end_line": end,
            "flags": _flags(i),
            "value": values,
            "heredocs": heredocs,
        })
    return out


def _dump_node(i: ins.Instruction, esc: str) -> str:
    parts = [_keyword(i, esc).lower()]
    flags = _flags(i)
    if flags:
        parts.append("[" + " ".join(go_quote(f) for f in flags) + "]")
    if isinstance(i, ins.Onbuild):
        if i.instruction is not None:
            parts.append("(" + _dump_node(i.instruction, esc) + ")")
        return " ".join(parts)
    values, _ = _values(i, seps=True)
    parts.extend(go_quote(v) for v in values)
    return " ".join(parts)


def dump(df: Dockerfile) -> str:
    """BuildKit's ``Node.Dump()`` of the whole file (its ``testfiles/*/result`` format)."""
    esc = df.escape
    return "\n".join("(" + _dump_node(i, esc) + ")" for i in df.body) + "\n"
