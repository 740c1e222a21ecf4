"""Remove empty lines inside a line continuation.

## What it does
Finds whitespace-only lines inside an instruction that is continued over several lines
(BuildKit check ``NoEmptyContinuation``) and removes them. Comment lines inside the
continuation stay. Heredoc bodies are never touched.

## Why
BuildKit skips such lines today but warns that a future release will reject them, so the
file will stop building. They also hide where an instruction ends: a reader takes the
blank line for the end of the ``RUN``.

## Example
``RUN apk add \\`` / (empty line) / ``    curl`` becomes ``RUN apk add \\`` /
``    curl``.

## Fix safety
Safe: BuildKit drops these lines before it reads the instruction, so the instruction is
the same without them.

## Options
None.
"""

from __future__ import annotations

import re

from dockmod._parse import parse_instruction
from dockmod.cst import Dockerfile, Instruction
from dockmod.cst.positions import Layout
from dockmod.lang.words import GO_SPACE
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta


# A newline followed by a blank line (the match ends where the blank line starts).
_BLANK_LINE = re.compile("\n(?=[%s]*\n)" % re.escape("".join(sorted(GO_SPACE - {"\n"}))))
# What any blank line inside a continuation follows: a line ending in an escape char (either
# one: ``\`` or a backtick), then comment lines only (the scanner's rule, loosened: any
# whitespace where it allows spaces, tabs and ``\r``). A file without it, and without ``<<``
# (a heredoc body), has no blank line after the first line of any instruction. One pattern
# per escape char: a literal first char is searched for several times faster than a class.
_BLANK_AFTER_CONTINUATION = tuple(re.compile(re.escape(e) + r"[^\S\n]*\n(?:[^\S\n]*#[^\n]*\n)*[^\S\n]*\n")
                                  for e in ("\\", "`"))


def _may_have_blank_inside(text: str) -> bool:
    """False only for a file whose instructions have no blank line after their first line
    (then :func:`_blank_inside` finds none): such a line is in a heredoc body or follows a
    continuation (see _BLANK_AFTER_CONTINUATION)."""
    backslash, backtick = _BLANK_AFTER_CONTINUATION
    return "<<" in text or backslash.search(text) is not None or (
        "`" in text and backtick.search(text) is not None)


def _blank_inside(df: Dockerfile) -> set[int]:
    """Indexes in ``df.body`` of the instructions with a blank line after their first line."""
    # Only instructions with a blank line after their first line can have one inside a
    # continuation: found with one search over the file's text (shared with positions)
    # instead of printing every instruction.
    layout = Layout.of(df)
    todo: set[int] = set()
    # Where each instruction's own lines start (past the lines above it), once per
    # instruction: most blank lines are lines above an instruction, several per one.
    own: dict[int, int] = {}
    for m in _BLANK_LINE.finditer(layout.text):
        end = m.end()
        i = layout.instruction_at(end)
        if i is None or i in todo:
            continue
        start = own.get(i)
        if start is None:
            start = own[i] = layout.starts[i] + sum(len(line.value) for line in df.body[i].leading_lines)
        if end > start:
            todo.add(i)
    return todo


def _is_blank(line: str) -> bool:
    return all(ch in GO_SPACE for ch in line)


class RemoveEmptyContinuations(Transform):
    meta = TransformMeta(
        code="DM506",
        name="remove-empty-continuations",
        summary="Empty continuation line in `{keyword}`",
        fix_title="Remove {count} empty line{s}",
        safety=FixSafety.SAFE,
        reference="BuildKit check NoEmptyContinuation",
        examples=(
            Example(before="FROM alpine\nRUN apk add \\\n\n    curl\n",
                    after="FROM alpine\nRUN apk add \\\n    curl\n"),
            Example(before="FROM alpine\nRUN apk add \\\n    # the client\n    curl\n"),
        ),
    )

    def transform(self, df: Dockerfile) -> Dockerfile:
        # Most files have no blank line after the first line of any instruction: a search of
        # the parsed text says so without a layout (see _may_have_blank_inside).
        todo = _blank_inside(df) if _may_have_blank_inside(Layout.text_of(df)) else set()
        if not todo:
            return df
        body = list(df.body)
        for i in sorted(todo):
            self._current = ins = body[i]
            body[i] = self._fix(ins, ins)
        self._current = None
        if all(a is b for a, b in zip(body, df.body)):
            return df
        return df.with_changes(body=tuple(body))

    def _fix(self, original: Instruction, updated: Instruction) -> Instruction:
        # The instruction's own lines: no comment lines above it, no heredoc bodies below.
        # (Cut from the whole text rather than from a copy without them: same bytes, no copy.)
        full = updated.code
        lead = sum(len(line.code) for line in updated.leading_lines)
        head = full[lead : len(full) - sum(len(h.code) for h in updated.heredocs)]
        if head.count("\n", 0, -1) < 2:  # no line between the first and the last
            return updated
        lines = [line + "\n" for line in head.split("\n")]
        lines[-1] = lines[-1][:-1]
        if not lines[-1]:
            lines.pop()
        # The first line holds the keyword; a last blank line can only be one that ends the
        # file inside a continuation, and removing it would leave a dangling escape.
        kept = [lines[0]]
        kept += [line for line in lines[1:-1] if not _is_blank(line)]
        kept += lines[-1:] if len(lines) > 1 else []
        removed = len(lines) - len(kept)
        if not removed:
            return updated
        text = "".join(kept) + "".join(h.code for h in updated.heredocs)
        fixed = parse_instruction(text, self.context.dockerfile.escape)
        fixed = fixed.with_changes(leading_lines=updated.leading_lines)
        return self.propose(original, fixed, updated=updated, keyword=original.keyword.upper(),
                            count=removed, s="" if removed == 1 else "s")
