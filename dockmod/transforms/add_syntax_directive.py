"""Add ``# syntax=docker/dockerfile:1`` to files without a syntax directive.

## What it does
Adds the directive as the first line of a file that has none.

## Why
Without it, the file is built by whatever Dockerfile frontend the builder bundles, so
newer syntax (heredocs, ``--mount``, ``--parents``) depends on the builder's age. With
it, BuildKit fetches the latest 1.x frontend and the file behaves the same everywhere.

## Fix safety
Safe for the file's meaning, but **off by default**: the directive makes every build
pull the ``docker/dockerfile`` frontend image, which fails on air-gapped builders and in
registries that mirror only approved images. Enable it with
``--extend-select add-syntax-directive`` (or ``DM001``). Transforms whose fixes need a
newer frontend add or raise the directive themselves, whether or not this is enabled.

## Options
None.
"""

from __future__ import annotations

from dockmod.cst import Dockerfile
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta


class AddSyntaxDirective(Transform):
    meta = TransformMeta(
        code="DM001",
        name="add-syntax-directive",
        summary="No `# syntax=` directive: the frontend version depends on the builder",
        fix_title="Add `# syntax=docker/dockerfile:1`",
        safety=FixSafety.SAFE,
        default_enabled=False,
        examples=(
            Example(before="FROM alpine\n", after="# syntax=docker/dockerfile:1\nFROM alpine\n"),
            Example(before="# syntax=docker/dockerfile:1.7\nFROM alpine\n"),
        ),
    )

    def transform(self, df: Dockerfile) -> Dockerfile:
        if df.directive("syntax") is not None or not df.body:
            return df
        from dockmod.cst import Directive

        line = Directive(f"# syntax=docker/dockerfile:1{df.style.newline}")
        return self.propose(df.body[0], df.with_changes(directives=(line, *df.directives)), updated=df)
