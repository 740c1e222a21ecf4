"""Whitespace, comments and line endings.

Ownership rule (the one every transform relies on):

* An instruction owns the blank and comment lines directly *above* it
  (``Instruction.leading_lines``), so moving an instruction moves its comments with it.
* The :class:`~dockmod.cst.module.Dockerfile` root owns the BOM, the parser directives at
  the top, and the lines after the last instruction (``footer``).
* Within an instruction, each token owns the whitespace *after* it (a plain ``str`` field
  named ``whitespace_after...``). Such whitespace may hold line continuations: the escape
  char, the newline, and any comment or blank lines BuildKit skips inside a continuation.
* The end of an instruction's last line (trailing spaces and the newline) is its
  :class:`TrailingWhitespace`; heredoc bodies follow it.
"""

from __future__ import annotations

from dockmod.cst._base import CSTValidationError, Node, node
from dockmod.lang.words import GO_SPACE


# Go's unicode.IsSpace, which BuildKit trims before it looks for a comment's "#".
_SPACE = "".join(sorted(GO_SPACE))


def _split_nl(value: str) -> tuple[str, str]:
    end = len(value)
    while end and value[end - 1] in "\r\n":
        end -= 1
    return value[:end], value[end:]


@node
class EmptyLine(Node):
    """A blank line or a comment line, newline included (``""`` newline at EOF)."""

    #: The whole line as written, newline included.
    value: str = "\n"

    def _validate(self) -> None:
        body, newline = _split_nl(self.value)
        if "\n" in body or newline.count("\n") > 1:
            raise CSTValidationError(f"EmptyLine must be exactly one line, got {self.value!r}")
        rest = body.lstrip(_SPACE)
        if rest and not rest.startswith("#"):
            raise CSTValidationError(f"EmptyLine must be blank or a comment, got {self.value!r}")

    def _codegen(self, out: list[str]) -> None:
        out.append(self.value)

    @property
    def is_comment(self) -> bool:
        return self.value.lstrip().startswith("#")

    @property
    def comment(self) -> str | None:
        """The comment text after ``#`` (not stripped), or None for a blank line."""
        body = _split_nl(self.value)[0].lstrip()
        return body[1:] if body.startswith("#") else None

    @property
    def newline(self) -> str:
        return _split_nl(self.value)[1]


@node
class Directive(Node):
    """A parser directive line such as ``# syntax=docker/dockerfile:1``."""

    #: The whole line as written, newline included.
    value: str = "# syntax=docker/dockerfile:1\n"

    def _validate(self) -> None:
        body, newline = _split_nl(self.value)
        if "\n" in body or newline.count("\n") > 1 or not body.lstrip(_SPACE).startswith("#") or "=" not in body:
            raise CSTValidationError(f"Directive must be one `# key=value` line, got {self.value!r}")

    def _codegen(self, out: list[str]) -> None:
        out.append(self.value)

    @property
    def name(self) -> str:
        body = _split_nl(self.value)[0].strip()[1:]
        return body.split("=", 1)[0].strip().lower()

    @property
    def directive_value(self) -> str:
        body = _split_nl(self.value)[0].strip()[1:]
        return body.split("=", 1)[1].strip() if "=" in body else ""


@node
class TrailingWhitespace(Node):
    """The end of an instruction's last line: spaces (and any continuation) plus newline."""

    whitespace: str = ""
    #: ``"\n"``, ``"\r\n"``, or ``""`` when the file ends without a newline.
    newline: str = "\n"

    def _validate(self) -> None:
        if self.newline.strip("\r\n"):
            raise CSTValidationError(f"TrailingWhitespace newline must hold only line ends, got {self.newline!r}")

    def _codegen(self, out: list[str]) -> None:
        out.append(self.whitespace)
        out.append(self.newline)
