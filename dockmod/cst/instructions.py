"""One class per Dockerfile instruction.

Every instruction shares the fields of :class:`Instruction` (leading lines, indent,
keyword, flags, trailing whitespace, heredoc bodies) and adds its own body fields, listed
in ``_body`` in source order. Fields are keyword-only: ``Run(command=ShellCommand("make"))``.
"""

from __future__ import annotations

from typing import ClassVar

from dockmod.cst._base import CSTValidationError, Node, node
from dockmod.cst.arguments import (
    Flag,
    Heredoc,
    ImageRef,
    JsonArray,
    KeyValue,
    LegacyKeyValue,
    ShellCommand,
    Word,
)
from dockmod.cst.trivia import EmptyLine, TrailingWhitespace
from dockmod.lang.words import logical_text

_NO_TRAILING = TrailingWhitespace(whitespace="", newline="")


@node
class Instruction(Node):
    """Fields every instruction has. Not instantiated itself."""

    _kw_only: ClassVar[bool] = True
    _body: ClassVar[tuple[str, ...]] = ()
    #: The instruction name in upper case, e.g. ``"RUN"``.
    NAME: ClassVar[str] = ""

    #: Blank and comment lines directly above the instruction.
    leading_lines: tuple[EmptyLine, ...] = ()
    #: Whitespace before the keyword.
    indent: str = ""
    #: The keyword exactly as written (``RUN``, ``run``); codegen never re-cases it.
    keyword: str = ""
    whitespace_after_keyword: str = " "
    #: Flags such as ``--mount=…`` or ``--from=…`` in source order.
    flags: tuple[Flag, ...] = ()
    #: Trailing spaces and the newline of the instruction's last line.
    trailing: TrailingWhitespace = TrailingWhitespace()
    #: Heredoc bodies that follow the instruction, in marker order.
    heredocs: tuple[Heredoc, ...] = ()

    def __post_init__(self) -> None:
        if not self.keyword:
            object.__setattr__(self, "keyword", self.NAME)
        self._validate()

    def _validate(self) -> None:
        # A keyword may hold line continuations (``FR\\<newline>OM``): BuildKit reads the
        # logical line. The node does not know the escape char, so either one may join it.
        if self.NAME and self.keyword.upper() != self.NAME and all(
                logical_text(self.keyword, e).upper() != self.NAME for e in ("\\", "`")):
            raise CSTValidationError(
                f"`{type(self).__name__}` keyword must be `{self.NAME}` in any case, got {self.keyword!r}")
        if not self.whitespace_after_keyword and (self.flags or any(
                getattr(self, name) not in (None, ()) for name in self._body)):
            raise CSTValidationError("Instruction keyword must be followed by whitespace")

    def _codegen(self, out: list[str]) -> None:
        for line in self.leading_lines:
            line._emit(out)
        out.append(self.indent)
        out.append(self.keyword)
        out.append(self.whitespace_after_keyword)
        for f in self.flags:
            f._emit(out)
        for name in self._body:
            v = getattr(self, name)
            if v is None:
                continue
            if isinstance(v, tuple):
                for x in v:
                    x._emit(out)
            else:
                v._emit(out)
        self.trailing._emit(out)
        for h in self.heredocs:
            h._emit(out)

    @property
    def name(self) -> str:
        """Upper-case instruction name (the keyword as written for unknown ones)."""
        return self.NAME or self.keyword.upper()

    def flag(self, name: str) -> Flag | None:
        """The first flag called ``name`` (without dashes), if any."""
        for f in self.flags:
            if f.name == name:
                return f
        return None


@node
class From(Instruction):
    """``FROM [--platform=…] image [AS name]``."""

    NAME = "FROM"
    _body = ("image", "as_keyword", "stage", "extra")
    image: ImageRef | None = None
    #: The ``AS`` word as written, with the whitespace after it.
    as_keyword: Word | None = None
    stage: Word | None = None
    #: Words BuildKit's parser accepts but its instruction layer rejects (``FROM a b``).
    extra: tuple[Word, ...] = ()

    @property
    def stage_name(self) -> str | None:
        """The stage name as written, or None."""
        return self.stage.text if self.stage else None

    @property
    def platform(self) -> str | None:
        f = self.flag("platform")
        return f.value if f else None


@node
class _Command(Instruction):
    _body = ("command",)
    #: Shell form (opaque text) or exec form (a JSON array), or None when empty.
    command: ShellCommand | JsonArray | None = None

    @property
    def is_exec_form(self) -> bool:
        return isinstance(self.command, JsonArray)


@node
class Run(_Command):
    """``RUN``: shell form, exec form, or with heredocs."""

    NAME = "RUN"


@node
class Cmd(_Command):
    NAME = "CMD"


@node
class Entrypoint(_Command):
    NAME = "ENTRYPOINT"


@node
class Shell(_Command):
    NAME = "SHELL"


@node
class _Paths(Instruction):
    _body = ("json", "arguments")
    #: Exec-style JSON form, if used.
    json: JsonArray | None = None
    #: Whitespace-separated words, if not JSON.
    arguments: tuple[Word, ...] = ()

    @property
    def paths(self) -> list[str]:
        """Sources then destination, as BuildKit splits them (quotes kept in word form)."""
        if self.json is not None:
            return self.json.values
        return [w.text for w in self.arguments]

    @property
    def sources(self) -> list[str]:
        return self.paths[:-1]

    @property
    def destination(self) -> str | None:
        p = self.paths
        return p[-1] if p else None


@node
class Copy(_Paths):
    NAME = "COPY"


@node
class Add(_Paths):
    NAME = "ADD"


@node
class Volume(_Paths):
    NAME = "VOLUME"


@node
class Expose(Instruction):
    NAME = "EXPOSE"
    _body = ("arguments",)
    arguments: tuple[Word, ...] = ()


@node
class _Pairs(Instruction):
    _body = ("pairs", "legacy")
    pairs: tuple[KeyValue, ...] = ()
    #: The legacy ``KEY value`` form (then ``pairs`` is empty).
    legacy: LegacyKeyValue | None = None


@node
class Env(_Pairs):
    NAME = "ENV"


@node
class Label(_Pairs):
    NAME = "LABEL"


@node
class Arg(Instruction):
    NAME = "ARG"
    _body = ("pairs",)
    pairs: tuple[KeyValue, ...] = ()


@node
class _Single(Instruction):
    _body = ("value",)
    #: The rest of the line, as one piece.
    value: Word | None = None


@node
class Maintainer(_Single):
    NAME = "MAINTAINER"


@node
class Stopsignal(_Single):
    NAME = "STOPSIGNAL"


@node
class User(_Single):
    NAME = "USER"


@node
class Workdir(_Single):
    NAME = "WORKDIR"


@node
class Healthcheck(Instruction):
    NAME = "HEALTHCHECK"
    _body = ("type", "command")
    #: ``CMD`` or ``NONE`` as written.
    type: Word | None = None
    command: ShellCommand | JsonArray | None = None


@node
class Onbuild(Instruction):
    NAME = "ONBUILD"
    _body = ("instruction",)
    #: The trigger instruction (its own leading lines and trailing are empty).
    instruction: Instruction | None = None


@node
class UnknownInstruction(Instruction):
    """A keyword BuildKit's parser accepts but does not know; kept verbatim."""

    _body = ("arguments",)
    arguments: Word | None = None


INSTRUCTION_CLASSES: dict[str, type[Instruction]] = {
    c.NAME: c
    for c in (From, Run, Cmd, Entrypoint, Shell, Copy, Add, Volume, Expose, Env, Label, Arg,
              Maintainer, Stopsignal, User, Workdir, Healthcheck, Onbuild)
}
NO_TRAILING = _NO_TRAILING
