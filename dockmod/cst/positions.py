"""Positions as metadata (LibCST's PositionProvider): computed on demand, never stored on nodes."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from dockmod.cst._base import Node
from dockmod.cst.instructions import Instruction
from dockmod.cst.module import Dockerfile


class _Recorder(list):  # type: ignore[type-arg]
    """A codegen sink that counts characters, so nodes can record their spans."""

    __slots__ = ("size", "spans")

    def __init__(self) -> None:
        super().__init__()
        self.size = 0
        self.spans: dict[int, tuple[int, int]] = {}

    def append(self, s: str) -> None:  # type: ignore[override]
        list.append(self, s)
        self.size += len(s)


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
        rec = _Recorder()
        df._emit(rec)
        self._spans = rec.spans
        self.text = "".join(rec)
        starts = [0]
        text = self.text
        i = text.find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = text.find("\n", i + 1)
        self._line_starts = starts
        # A BOM is not a column anyone counts.
        self._bom = len(df.bom)

    def _pos(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._line_starts, offset) - 1
        col = offset - self._line_starts[line]
        if line == 0:
            col = max(col - self._bom, 0)
        return line + 1, col + 1

    def __contains__(self, node: Node) -> bool:
        return id(node) in self._spans

    def span(self, node: Node) -> Span:
        """The node's span; an instruction's starts at its keyword, not its comments."""
        start, end = self._spans[id(node)]
        if isinstance(node, Instruction):
            start += sum(len(x.value) for x in node.leading_lines) + len(node.indent)
            # End at the end of the instruction's own line(s), before heredoc bodies' newline.
            end -= sum(len(h.body) + len(h.terminator) for h in node.heredocs)
            end -= len(node.trailing.newline)
        sl, sc = self._pos(start)
        el, ec = self._pos(max(end, start))
        return Span(sl, sc, el, ec, start, end)

    def sub_span(self, node: Node, start: int, end: int) -> Span:
        """The span of ``node.code[start:end]``."""
        base = self._spans[id(node)][0]
        sl, sc = self._pos(base + start)
        el, ec = self._pos(base + max(end, start))
        return Span(sl, sc, el, ec, base + start, base + end)

    def line_text(self, line: int) -> str:
        """The text of 1-based ``line`` without its newline."""
        s = self._line_starts[line - 1]
        e = self._line_starts[line] if line < len(self._line_starts) else len(self.text)
        return self.text[s:e].rstrip("\r\n")


class LazyPositions:
    """A :class:`PositionProvider` built on first use, once per tree (``Dockerfile.memo``).

    Most transforms find nothing in most files; they then never pay for positions.
    """

    __slots__ = ("_df",)

    def __init__(self, df: Dockerfile) -> None:
        self._df = df

    @property
    def provider(self) -> PositionProvider:
        return self._df.memo("positions", PositionProvider)

    @property
    def text(self) -> str:
        return self.provider.text

    def __contains__(self, node: Node) -> bool:
        return node in self.provider

    def span(self, node: Node) -> Span:
        return self.provider.span(node)

    def sub_span(self, node: Node, start: int, end: int) -> Span:
        return self.provider.sub_span(node, start, end)

    def line_text(self, line: int) -> str:
        return self.provider.line_text(line)
