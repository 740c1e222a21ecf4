"""Report a stage name used twice.

## What it does
Reports every ``FROM … AS name`` whose name an earlier stage already uses (BuildKit
check ``DuplicateStageName``). Names are compared case-insensitively, as BuildKit
lower-cases them. The finding points at the later declaration.

## Why
``COPY --from=name``, ``--mount from=name`` and ``--target name`` can only mean one stage.
BuildKit does not reject the file: it silently resolves each reference to one of the
duplicates, so a reader cannot tell which stage a reference uses.

## Example
``FROM debian AS builder`` … ``FROM golang AS builder`` is reported at the second line;
give the stages distinct names (``deb-builder``, ``go-builder``).

## Fix safety
No fix (display only): renaming means choosing which references follow the new name,
and build scripts may pass the name to ``--target``.

## Options
None.
"""

from __future__ import annotations

from dockmod.cst import Dockerfile, Node
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta


class RenameDuplicateStage(Transform):
    meta = TransformMeta(
        code="DM510",
        name="rename-duplicate-stage",
        summary="Duplicate stage name '{name}', stage names should be unique (first declared on line {line})",
        fix_title=None,
        safety=FixSafety.DISPLAY_ONLY,
        reference="BuildKit check DuplicateStageName",
        examples=(
            Example(before="FROM debian AS builder\nFROM golang AS builder\n"),
            Example(before="FROM debian AS deb-builder\nFROM golang AS go-builder\n"),
        ),
    )

    def transform(self, df: Dockerfile) -> Dockerfile:
        first: dict[str, tuple[Node, Node]] = {}  # name -> (its FROM, its name word)
        pos = self.context.positions
        for stage in df.stages:
            name = stage.name
            word = stage.from_.stage
            if name is None or word is None:
                continue
            if name in first:
                # The first stage's line, looked up only now: positions cost a printing.
                span = pos.locate(first[name][1], first[name][0]) if pos is not None else None
                line = span.start_line if span is not None else 0
                self.report(stage.from_, loc=word, name=word.text, line=line or "?")
            else:
                first[name] = (stage.from_, word)
        return df
