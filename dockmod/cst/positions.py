"""Positions as metadata (LibCST's PositionProvider): computed on demand, never stored on nodes.

Most findings sit on a top-level instruction, whose offsets one plain codegen pass gives
(:class:`Layout`). A node inside an instruction is located by printing only that
instruction with a span recorder; the whole tree is recorded only for a node that is in
no instruction (a directive, a footer line) or when no instruction is named.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from dockmod.cst._base import Node
from dockmod.cst.instructions import Instruction
from dockmod.cst.module import Dockerfile


class _Recorder(list):  # type: ignore[type-arg]
    """A codegen sink that counts characters, so nodes can record their spans."""

    __slots__ = ("size", "spans")

    def __init__(self, size: int = 0, spans: dict[int, tuple[int, int]] | None = None) -> None:
        super().__init__()
        self.size = size
        self.spans: dict[int, tuple[int, int]] = {} if spans is None else spans

    def append(self, s: str) -> None:  # type: ignore[override]
        list.append(self, s)
        self.size += len(s)


class Layout:
    """The tree's text and where each top-level instruction starts and ends in it.

    For a tree as parsed, read from the text it was parsed from (printing only the
    instructions that may span lines); else one plain codegen pass, without a span per node.
    It answers what most users of positions ask (an instruction's line, a line's text), and
    gives a transform that reads instructions' text that text without printing each
    instruction again. Shared per tree: use :meth:`of`.
    """

    __slots__ = ("text", "starts", "ends", "index")

    def __init__(self, df: Dockerfile) -> None:
        text = df.source()
        bounds = None if text is None else _bounds_in(df, text)
        if bounds is None:
            text, bounds = _printed(df)
        #: The tree's text (``df.code``).
        self.text = text
        #: Offset of ``df.body[i]`` (its leading lines included), and of its end.
        self.starts, self.ends = bounds
        #: ``id(instruction)`` -> its index in ``df.body``.
        self.index = {id(ins): i for i, ins in enumerate(df.body)}

    @classmethod
    def of(cls, df: Dockerfile) -> Layout:
        """The layout of ``df``, computed once per tree."""
        return df.memo("layout", cls)

    @staticmethod
    def text_of(df: Dockerfile) -> str:
        """``df.code``: the text it was parsed from, else the layout's (one codegen pass,
        shared with positions)."""
        text = df.source()
        return Layout.of(df).text if text is None else text

    def instruction_at(self, offset: int) -> int | None:
        """Index in ``df.body`` of the instruction whose text holds ``offset``, or None."""
        i = bisect_right(self.starts, offset) - 1
        return i if i >= 0 and offset < self.ends[i] else None


def _printed(df: Dockerfile) -> tuple[str, tuple[list[int], list[int]]]:
    """The tree's text and its instructions' bounds, from one codegen pass."""
    out: list[str] = [df.bom]
    for d in df.directives:
        d._codegen(out)
    marks = []
    for ins in df.body:
        marks.append(len(out))
        ins._codegen(out)
    marks.append(len(out))
    for f in df.footer:
        f._codegen(out)
    offsets = [0, *accumulate(map(len, out))]
    return "".join(out), ([offsets[m] for m in marks[:-1]], [offsets[m] for m in marks[1:]])


def _bounds_in(df: Dockerfile, text: str) -> tuple[list[int], list[int]] | None:
    """The instructions' bounds in ``text``, the text ``df`` was parsed from, mostly without
    printing them (None if the lengths do not add up: then print).

    The scanner ends an instruction's own lines at its first line unless that line ends in
    the escape char and spaces or tabs (its continuation rule, loosened here to either escape
    char and any of `` \t\r\n``): such an instruction is its leading lines, that one line, and
    its heredocs. One that may continue is printed.
    """
    pos = len(df.bom)
    for d in df.directives:
        pos += len(d.value)
    starts: list[int] = []
    ends: list[int] = []
    find = text.find
    size = len(text)
    for ins in df.body:
        starts.append(pos)
        own = pos
        for line in ins.leading_lines:
            own += len(line.value)
        nl = find("\n", own)
        end = size if nl < 0 else nl + 1
        if text[own:end].rstrip(" \t\r\n").endswith(_ESCAPES):
            pos += len(ins.code)
        else:
            pos = end
            for h in ins.heredocs:
                pos += len(h.body) + len(h.terminator)
        ends.append(pos)
    for f in df.footer:
        pos += len(f.value)
    return (starts, ends) if pos == size else None


_ESCAPES = ("\\", "`")
_NEWLINE = re.compile("\n")
#: The first offsets asked of a tree are located by counting newlines before them; the line
#: table is built at the next (most files get a few findings: no table for them).
_COUNTED = 8


@dataclass(frozen=True, slots=True)
class Span:
    """1-based lines and columns; ``end`` is exclusive."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int
    start_offset: int
    end_offset: int


class PositionProvider:
    """Where each node of one tree sits in that tree's text."""

    def __init__(self, df: Dockerfile) -> None:
        self._df = df
        self._layout = Layout.of(df)
        self.text = self._layout.text
        # Spans of nodes below the top level, filled per instruction as asked for.
        self._spans: dict[int, tuple[int, int]] = {}
        self._recorded: set[int] = set()
        self._all = False
        self._starts: list[int] | None = None
        # Offsets located without the table so far (see _COUNTED).
        self._counted = 0
        # A BOM is not a column anyone counts.
        self._bom = len(df.bom)

    # -- finding a node --------------------------------------------------------------
    def _record(self, i: int) -> None:
        self._recorded.add(i)
        rec = _Recorder(self._layout.starts[i], self._spans)
        self._df.body[i]._emit(rec)

    def _record_all(self) -> None:
        # The whole tree, as one recorder pass: a node printed in several places keeps
        # its last span.
        self._all = True
        rec = _Recorder(0, self._spans)
        self._df._emit(rec)

    def _find(self, node: Node, within: Node | None = None) -> tuple[int, int] | None:
        """The node's (start, end) offsets; ``within``: the top-level instruction holding it."""
        key = id(node)
        index = self._layout.index
        i = index.get(key)
        if i is not None:
            return self._layout.starts[i], self._layout.ends[i]
        hit = self._spans.get(key)
        if hit is not None or self._all:
            return hit
        if within is not None:
            j = index.get(id(within))
            if j is not None and j not in self._recorded:
                self._record(j)
                hit = self._spans.get(key)
                if hit is not None:
                    return hit
        self._record_all()
        return self._spans.get(key)

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            # Line k > 0 starts after the k-th newline: read from the matches' ends (no copy of
            # each line, as splitting the text would make).
            self._starts = [0, *[m.end() for m in _NEWLINE.finditer(self.text)]]
        return self._starts

    def _line(self, offset: int) -> tuple[int, int]:
        """The 0-based line of ``offset`` and the offset where that line starts: by counting
        the newlines before it for the first :data:`_COUNTED` offsets asked, then from the
        line table (built once)."""
        starts = self._starts
        if starts is None:
            if self._counted < _COUNTED:
                self._counted += 1
                text = self.text
                return text.count("\n", 0, offset), text.rfind("\n", 0, offset) + 1
            starts = self._line_starts()
        line = bisect_right(starts, offset) - 1
        return line, starts[line]

    def _pos(self, offset: int) -> tuple[int, int]:
        line, first = self._line(offset)
        if line == 0:
            first += self._bom  # (a BOM is not a column: as _span counts columns)
        return line + 1, max(offset - first, 0) + 1

    # -- queries ---------------------------------------------------------------------
    def __contains__(self, node: Node) -> bool:
        return self._find(node) is not None

    def locate(self, node: Node, within: Node | None = None) -> Span | None:
        """:meth:`span`, or None for a node not in this tree. ``within``: a hint, the
        top-level instruction that holds ``node``."""
        found = self._find(node, within)
        if found is None:
            return None
        start, end = found
        if isinstance(node, Instruction):
            # (Loops only over what is there: most instructions have no lines above, no heredocs.)
            for x in node.leading_lines:
                start += len(x.value)
            start += len(node.indent)
            # End at the end of the instruction's own line(s), before heredoc bodies' newline.
            for h in node.heredocs:
                end -= len(h.body) + len(h.terminator)
            end -= len(node.trailing.newline)
        return self._span(start, end)

    def _span(self, start: int, end: int) -> Span:
        """The span of offsets ``start``..``end``: :meth:`_pos` of each end, with one
        :meth:`_line` when both are on the line of ``start`` (most findings: a one-line
        instruction)."""
        stop = max(end, start)
        if self.text.find("\n", start, stop) >= 0:  # ends on a later line
            (sl, sc), (el, ec) = self._pos(start), self._pos(stop)
            return Span(sl, sc, el, ec, start, end)
        line, first = self._line(start)
        if line == 0:
            first += self._bom  # as _pos counts columns
        return Span(line + 1, max(start - first, 0) + 1, line + 1, max(stop - first, 0) + 1, start, end)

    def span(self, node: Node) -> Span:
        """The node's span; an instruction's starts at its keyword, not its comments."""
        found = self.locate(node)
        if found is None:
            raise KeyError(node)
        return found

    def locate_sub(self, node: Node, start: int, end: int, within: Node | None = None) -> Span | None:
        """:meth:`sub_span`, or None for a node not in this tree (``within`` as in :meth:`locate`)."""
        found = self._find(node, within)
        if found is None:
            return None
        base = found[0]
        return self._span(base + start, base + end)

    def sub_span(self, node: Node, start: int, end: int) -> Span:
        """The span of ``node.code[start:end]``."""
        found = self.locate_sub(node, start, end)
        if found is None:
            raise KeyError(node)
        return found

    def line_text(self, line: int) -> str:
        """The text of 1-based ``line`` without its newline."""
        starts = self._line_starts()
        s = starts[line - 1]
        e = starts[line] if line < len(starts) else len(self.text)
        return self.text[s:e].rstrip("\r\n")


class LazyPositions:
    """A :class:`PositionProvider` built on first use, once per tree (``Dockerfile.memo``).

    Most transforms find nothing in most files; they then never pay for positions.
    """

    __slots__ = ("_df", "_provider")

    def __init__(self, df: Dockerfile) -> None:
        self._df = df
        self._provider: PositionProvider | None = None

    @property
    def provider(self) -> PositionProvider:
        provider = self._provider
        if provider is None:  # asked at every finding: the memo looked up once per tree
            provider = self._provider = self._df.memo("positions", PositionProvider)
        return provider

    @property
    def text(self) -> str:
        return self.provider.text

    def __contains__(self, node: Node) -> bool:
        return node in self.provider

    def span(self, node: Node) -> Span:
        return self.provider.span(node)

    def locate(self, node: Node, within: Node | None = None) -> Span | None:
        return self.provider.locate(node, within)

    def sub_span(self, node: Node, start: int, end: int) -> Span:
        return self.provider.sub_span(node, start, end)

    def locate_sub(self, node: Node, start: int, end: int, within: Node | None = None) -> Span | None:
        return self.provider.locate_sub(node, start, end, within)

    def line_text(self, line: int) -> str:
        return self.provider.line_text(line)
