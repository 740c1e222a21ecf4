"""The Dockerfile root node, its detected style, and the derived view of stages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from dockmod.cst._base import CSTValidationError, Node, node
from dockmod.cst.instructions import Arg, From, Instruction
from dockmod.cst.trivia import Directive, EmptyLine


T = TypeVar("T")
# id(tree) -> (tree, {view name: value}), for the newest tree only: a check reads one tree
# per file and a fix pass one tree at a time (the corpus's check and fix compute no view more
# often than with 8 trees kept), and dropping the last tree's views when the next tree asks
# frees that tree while its memory is still warm, not 8 files later.
_MEMO: dict[int, tuple[Any, dict[str, Any]]] = {}
_MEMO_SIZE = 1
# The last tree :func:`dockmod.parse` returned and the text it parsed it from (see
# :meth:`Dockerfile.source`). One slot: the tree a caller checks is the one it just parsed.
_PARSED: tuple[Any, str] = (None, "")


def remember_source(tree: Dockerfile, text: str) -> None:
    """Record that ``tree`` was parsed from ``text`` (``dockmod.parse`` calls this, and the
    runner again before it checks a tree parsed earlier in a batch)."""
    global _PARSED
    _PARSED = (tree, text)


def _source(df: Dockerfile) -> str | None:
    tree, text = _PARSED
    return text if tree is df else None


@node
class Dockerfile(Node):
    """A whole Dockerfile. ``code`` reproduces the input byte for byte."""

    _kw_only: ClassVar[bool] = True

    #: ``"\ufeff"`` when the file starts with a UTF-8 byte-order mark.
    bom: str = ""
    #: Parser directive lines at the top (``# syntax=``, ``# escape=``, ``# check=``).
    directives: tuple[Directive, ...] = ()
    #: The instructions, each owning the blank/comment lines above it.
    body: tuple[Instruction, ...] = ()
    #: Blank and comment lines after the last instruction.
    footer: tuple[EmptyLine, ...] = ()

    def _validate(self) -> None:
        if self.bom not in ("", "\ufeff"):
            raise CSTValidationError(f"Dockerfile bom must be '' or '\\ufeff', got {self.bom!r}")

    def _codegen(self, out: list[str]) -> None:
        out.append(self.bom)
        for d in self.directives:
            d._emit(out)
        for i in self.body:
            i._emit(out)
        for f in self.footer:
            f._emit(out)

    # -- directives ------------------------------------------------------------------
    def directive(self, name: str) -> str | None:
        """The value of directive ``name`` (``syntax``, ``escape``, ``check``), if set."""
        for d in self.directives:
            if d.name == name:
                return d.directive_value
        return None

    @property
    def escape(self) -> str:
        """The escape character in force: ``\\`` or a backtick."""
        return self.directive("escape") or "\\"

    # -- derived views ---------------------------------------------------------------
    def memo(self, key: str, compute: Callable[[Dockerfile], T]) -> T:
        """``compute(self)``, cached per tree for a derived view that depends only on it.

        The tree is immutable, so a view computed once stays right; a fix makes a new tree
        and so a new entry. The cache is small and holds its trees, so an ``id`` is never
        reused while cached.
        """
        entry = _MEMO.get(id(self))
        if entry is None or entry[0] is not self:
            entry = (self, {})
            _MEMO[id(self)] = entry
            if len(_MEMO) > _MEMO_SIZE:
                del _MEMO[next(iter(_MEMO))]
        views = entry[1]
        try:
            return views[key]  # type: ignore[no-any-return]
        except KeyError:
            value = views[key] = compute(self)
            return value

    def source(self) -> str | None:
        """The text :func:`dockmod.parse` built this tree from, if it was the last tree parsed
        when first asked (else None). It equals ``code`` (``parse(text).code == text``, which the
        round-trip tests check on ``code``), without a codegen pass. Exact for any tree: the slot
        holds the tree itself, so ``is`` never matches another one, and a tree a transform
        builds or changes is a new object that was never parsed."""
        return self.memo("source", _source)

    @property
    def style(self) -> Style:
        """Conventions detected once from the file, for nodes a transform creates."""
        return self.memo("style", Style.detect)

    @property
    def stages(self) -> list[Stage]:
        """The build stages: each FROM and the instructions up to the next one."""
        return list(self.memo("stages", Dockerfile._stages))

    def _stages(self) -> tuple[Stage, ...]:
        stages: list[Stage] = []
        current: list[Instruction] | None = None
        for ins in self.body:
            if isinstance(ins, From):
                current = [ins]
                stages.append(Stage(index=len(stages), instructions=current))
            elif current is not None:
                current.append(ins)
        return tuple(stages)

    def base_stage(self, stage: Stage, stages: list[Stage] | None = None) -> Stage | None:
        """The earlier stage that ``stage``'s ``FROM`` builds on, or None for an image.

        Matched as BuildKit's ``dispatchStates.addState`` does: the image text must equal an
        earlier stage's lower-cased name exactly (``FROM Builder`` names an image, not the
        stage ``builder``). An image with variables is never resolved.
        """
        stages = self.stages if stages is None else stages
        image = stage.image
        if image is None or "$" in image:
            return None
        for s in reversed(stages[: stage.index]):
            if s.name == image:
                return s
        return None

    @property
    def global_args(self) -> list[Arg]:
        """ARGs before the first FROM: in scope for every FROM line."""
        out = []
        for ins in self.body:
            if isinstance(ins, From):
                break
            if isinstance(ins, Arg):
                out.append(ins)
        return out


@dataclass(slots=True)
class Stage:
    """One build stage (a derived view; the tree is the source of truth)."""

    index: int
    instructions: list[Instruction]

    @property
    def from_(self) -> From:
        return self.instructions[0]  # type: ignore[return-value]

    @property
    def name(self) -> str | None:
        """The stage name as BuildKit matches it (lower-cased), or None."""
        n = self.from_.stage_name
        return n.lower() if n else None

    @property
    def image(self) -> str | None:
        img = self.from_.image
        return img.text if img else None

    @property
    def platform(self) -> str | None:
        return self.from_.platform

    @property
    def args(self) -> list[Arg]:
        """ARGs declared in this stage; each is in scope from its line to the stage's end."""
        return [i for i in self.instructions if isinstance(i, Arg)]


@dataclass(frozen=True, slots=True)
class Style:
    """How this file writes things, so that new nodes blend in."""

    uppercase_keywords: bool = True
    newline: str = "\n"
    escape: str = "\\"
    #: Whitespace at the start of a continuation line, e.g. ``"    "``.
    continuation_indent: str = "    "

    @classmethod
    def detect(cls, df: Dockerfile) -> Style:
        upper = lower = 0
        newlines: Counter[str] = Counter()
        indents: Counter[str] = Counter()
        for ins in df.body:
            kw = ins.keyword
            if kw.isupper():
                upper += 1
            elif kw.islower():
                lower += 1
            # Only "\n" ends a line for BuildKit (a bare "\r" does not), so a new line
            # written with a bare "\r" would join the next one.
            if ins.trailing.newline.endswith("\n"):
                newlines[ins.trailing.newline] += 1
            # Only the instruction's own continuation lines: not the comment lines above
            # it, nor heredoc bodies.
            code = ins.code
            if ins.leading_lines or ins.heredocs:
                # The text between them (they print first and last), without a copy of the node.
                head = sum(len(line.code) for line in ins.leading_lines)
                tail = sum(len(h.code) for h in ins.heredocs)
                code = code[head:len(code) - tail]
            if "\n" in code.rstrip("\r\n"):
                for line in code.split("\n")[1:]:
                    stripped = line.lstrip(" \t")
                    if stripped and not stripped.startswith("#"):
                        indents[line[: len(line) - len(stripped)]] += 1
        return cls(
            uppercase_keywords=upper >= lower,
            newline=newlines.most_common(1)[0][0] if newlines else "\n",
            escape=df.escape,
            continuation_indent=indents.most_common(1)[0][0] if indents else "    ",
        )

    def keyword(self, name: str) -> str:
        return name.upper() if self.uppercase_keywords else name.lower()

    @property
    def continuation(self) -> str:
        """The text that breaks a line: ``" \\\\\\n    "`` in the file's style."""
        return f" {self.escape}{self.newline}{self.continuation_indent}"
