"""Lark parse results → CST nodes. The only module that knows Lark's rule and terminal names.

The callbacks run inline during the LALR parse (``Lark(transformer=…)``), so no
intermediate ``lark.Tree`` is built. Instruction rules return a partial ``(class, fields)``
and ``start`` creates each node once, with the blank and comment lines above it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from lark import Token, Transformer

from dockmod.cst import arguments as a
from dockmod.cst import instructions as ins
from dockmod.cst.module import Dockerfile
from dockmod.cst.trivia import Directive, EmptyLine, TrailingWhitespace

Partial = tuple[type, dict[str, Any]]


class _Spliced:
    """What a rule with no callback here gives its parent, which takes in its children:
    only ``_``-named rules (``_item``, ``_words``…) and Lark's own ``__x_star_n`` ones
    (a ``lark.Tree`` in their place would be built only to be taken apart)."""

    __slots__ = ("children",)

    def __init__(self, children: list[Any]) -> None:
        self.children = children


class CSTBuilder(Transformer):
    """Inline Lark transformer for one escape character."""

    def __init__(self, escape: str) -> None:
        super().__init__(visit_tokens=False)
        self.escape = escape

    def __default__(self, data: Any, children: list[Any], meta: Any) -> _Spliced:
        return _Spliced(children)

    # -- lines -----------------------------------------------------------------------
    def directive(self, c: list[Token]) -> Directive:
        return Directive(str(c[0]))

    def blank(self, c: list[Token]) -> EmptyLine:
        return EmptyLine(str(c[0]))

    comment = blank

    def heredoc(self, c: list[Token]) -> a.Heredoc:
        return a.Heredoc(str(c[0]), str(c[1]))

    def flags(self, c: list[Token]) -> list[a.Flag]:
        out: list[a.Flag] = []
        esc = self.escape
        for t in c:
            if t.type == "WS":
                out[-1] = a.Flag(out[-1].raw, str(t), esc)
            else:
                out.append(a.Flag(str(t), "", esc))
        return out

    def instruction(self, c: list[Any]) -> Partial:
        i = 0
        indent = ""
        if isinstance(c[0], Token) and c[0].type == "INDENT":
            indent = str(c[0])
            i = 1
        cls, fields = c[i]
        eol = str(c[i + 1])
        end = len(eol)
        while end and eol[end - 1] in "\r\n":
            end -= 1
        fields["indent"] = indent
        fields["trailing"] = TrailingWhitespace(whitespace=eol[:end], newline=eol[end:])
        if len(c) > i + 2:
            fields["heredocs"] = tuple(c[i + 2 :])
        return cls, fields

    def start(self, c: list[Any]) -> Dockerfile:
        directives = []
        body = []
        pending: list[EmptyLine] = []
        for item in c:
            if isinstance(item, tuple):
                cls, fields = item
                if pending:
                    fields["leading_lines"] = tuple(pending)
                    pending = []
                body.append(cls(**fields))
            elif isinstance(item, Directive):
                directives.append(item)
            else:
                pending.append(item)
        return Dockerfile(directives=tuple(directives), body=tuple(body), footer=tuple(pending))

    # -- instruction bodies ----------------------------------------------------------
    def _split(self, c: list[Any]) -> tuple[dict[str, Any], list[list[str]]]:
        """Keyword, its whitespace and flags into fields; the rest as [type, raw, ws_after]."""
        fields: dict[str, Any] = {"keyword": str(c[0])}
        i = 1
        n = len(c)
        if i < n and isinstance(c[i], Token) and c[i].type == "WS":
            fields["whitespace_after_keyword"] = str(c[i])
            i += 1
        else:
            fields["whitespace_after_keyword"] = ""
        if i < n and isinstance(c[i], list):
            if c[i]:
                fields["flags"] = tuple(c[i])
            i += 1
        items: list[list[Any]] = []
        for t in c[i:]:
            if isinstance(t, Token):
                if t.type == "WS":
                    items[-1][2] = str(t)
                else:
                    items.append([t.type, str(t), ""])
            else:
                items.append(["NODE", t, ""])
        return fields, items

    def _mk_command(self, cls: type, c: list[Any]) -> Partial:
        fields, items = self._split(c)
        if items:
            typ, raw, _ = items[0]
            node = a.JsonArray(raw, self.escape) if typ == "JSON" else a.ShellCommand(raw, self.escape)
            fields["command"] = node
        return cls, fields

    def run(self, c: list[Any]) -> Partial:
        return self._mk_command(ins.Run, c)

    def cmd(self, c: list[Any]) -> Partial:
        return self._mk_command(ins.Cmd, c)

    def entrypoint(self, c: list[Any]) -> Partial:
        return self._mk_command(ins.Entrypoint, c)

    def shell(self, c: list[Any]) -> Partial:
        return self._mk_command(ins.Shell, c)

    def _mk_paths(self, cls: type, c: list[Any]) -> Partial:
        fields, items = self._split(c)
        esc = self.escape
        if items and items[0][0] == "JSON":
            fields["json"] = a.JsonArray(items[0][1], esc)
        elif items:
            fields["arguments"] = tuple(a.Word(raw, ws, esc) for _, raw, ws in items)
        return cls, fields

    def copy(self, c: list[Any]) -> Partial:
        return self._mk_paths(ins.Copy, c)

    def add(self, c: list[Any]) -> Partial:
        return self._mk_paths(ins.Add, c)

    def volume(self, c: list[Any]) -> Partial:
        return self._mk_paths(ins.Volume, c)

    def expose(self, c: list[Any]) -> Partial:
        fields, items = self._split(c)
        if items:
            fields["arguments"] = tuple(a.Word(raw, ws, self.escape) for _, raw, ws in items)
        return ins.Expose, fields

    def from_(self, c: list[Any]) -> Partial:
        fields, items = self._split(c)
        esc = self.escape
        extra = []
        for typ, raw, ws in items:
            if typ == "IMAGE":
                fields["image"] = a.ImageRef(raw, ws, esc)
            elif typ == "AS":
                fields["as_keyword"] = a.Word(raw, ws, esc)
            elif typ == "STAGE":
                fields["stage"] = a.Word(raw, ws, esc)
            else:
                extra.append(a.Word(raw, ws, esc))
        if extra:
            fields["extra"] = tuple(extra)
        return ins.From, fields

    def _mk_pairs(self, cls: type, c: list[Any]) -> Partial:
        fields, items = self._split(c)
        esc = self.escape
        if items and items[0][0] == "KEY":
            fields["legacy"] = a.LegacyKeyValue(items[0][1], items[0][2], items[1][1], esc)
        elif items:
            fields["pairs"] = tuple(a.KeyValue(raw, ws, esc) for _, raw, ws in items)
        return cls, fields

    def env(self, c: list[Any]) -> Partial:
        return self._mk_pairs(ins.Env, c)

    def label(self, c: list[Any]) -> Partial:
        return self._mk_pairs(ins.Label, c)

    def arg(self, c: list[Any]) -> Partial:
        fields, items = self._split(c)
        if items:
            fields["pairs"] = tuple(a.KeyValue(raw, ws, self.escape) for _, raw, ws in items)
        return ins.Arg, fields

    def _mk_single(self, cls: type, c: list[Any]) -> Partial:
        fields, items = self._split(c)
        if items:
            fields["value"] = a.Word(items[0][1], items[0][2], self.escape)
        return cls, fields

    def maintainer(self, c: list[Any]) -> Partial:
        return self._mk_single(ins.Maintainer, c)

    def stopsignal(self, c: list[Any]) -> Partial:
        return self._mk_single(ins.Stopsignal, c)

    def user(self, c: list[Any]) -> Partial:
        return self._mk_single(ins.User, c)

    def workdir(self, c: list[Any]) -> Partial:
        return self._mk_single(ins.Workdir, c)

    def unknown(self, c: list[Any]) -> Partial:
        fields, items = self._split(c)
        if items:
            fields["arguments"] = a.Word(items[0][1], items[0][2], self.escape)
        return ins.UnknownInstruction, fields

    def healthcheck(self, c: list[Any]) -> Partial:
        fields, items = self._split(c)
        esc = self.escape
        if items:
            fields["type"] = a.Word(items[0][1], items[0][2], esc)
        if len(items) > 1:
            typ, raw, _ = items[1]
            fields["command"] = a.JsonArray(raw, esc) if typ == "JSON" else a.ShellCommand(raw, esc)
        return ins.Healthcheck, fields

    def onbuild(self, c: list[Any]) -> Partial:
        fields, items = self._split(c)
        if items:
            sub_cls, sub_fields = items[0][1]
            sub_fields["trailing"] = ins.NO_TRAILING
            fields["instruction"] = sub_cls(**sub_fields)
        return ins.Onbuild, fields


@cache
def get_parser(escape: str = "\\") -> Any:
    """The parser whose callbacks build CST nodes for files using ``escape`` (once per process)."""
    from dockmod.grammar import build_parser

    return build_parser(CSTBuilder(escape))
