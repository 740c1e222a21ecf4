"""Report a relative ``WORKDIR`` that depends on the base image's working directory.

## What it does
Reports the first ``WORKDIR`` of a stage when its path is relative and no ``WORKDIR``
came before it in the stage or in the stages it builds on (``FROM <stage>``), as
BuildKit's check ``WorkdirRelativePath`` does. There is no fix: only the author knows
which absolute path was meant.

## Why
A relative ``WORKDIR`` is resolved against the base image's working directory. If the
base image changes it upstream, every path after it in the stage moves silently.

## Example
``FROM nginx`` / ``WORKDIR usr/share/nginx/html`` is reported; write
``WORKDIR /usr/share/nginx/html``.

## Fix safety
No fix (display only).

Like BuildKit, only the first ``WORKDIR`` of a stage is checked: once it is absolute,
later relative ones are relative to a path the file chose. A path that starts with a
variable (``$HOME/app``) is not reported, since its value is unknown here. Windows paths
with a drive letter (``C:\\app``, ``C:/app``) or a leading backslash count as absolute.
``ONBUILD WORKDIR`` is not checked: it runs in a child build whose working directory is
unknown here.

## Options
None.
"""

from __future__ import annotations

from dockmod.cst import Dockerfile, Workdir
from dockmod.lang.words import LexError, process_word
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta


def _is_relative(path: str) -> bool:
    if not path or path[0] in "/\\$":
        return False
    # A Windows drive letter: `C:\\app`, `c:/app` (and a bare `C:`).
    return not (len(path) >= 2 and path[0].isascii() and path[0].isalpha() and path[1] == ":")


class UseAbsoluteWorkdir(Transform):
    meta = TransformMeta(
        code="DM508",
        name="use-absolute-workdir",
        summary="Relative workdir '{path}' can have unexpected results if the base image changes",
        fix_title=None,
        safety=FixSafety.DISPLAY_ONLY,
        reference="BuildKit check WorkdirRelativePath",
        examples=(
            Example(before="FROM nginx\nWORKDIR usr/share/nginx/html\n"),
            Example(before="FROM nginx\nWORKDIR /usr/share/nginx\nWORKDIR html\n"),
        ),
    )

    @classmethod
    def idle_on(cls, kinds: frozenset[type]) -> bool:
        # Every finding is a top-level WORKDIR (the stages' instructions are the body's).
        return not any(issubclass(k, Workdir) for k in kinds)

    def transform(self, df: Dockerfile) -> Dockerfile:
        stages = df.stages
        workdir_set: list[bool] = []
        for stage in stages:
            base = df.base_stage(stage, stages)
            is_set = workdir_set[base.index] if base is not None else False
            for ins in stage.instructions:
                if not isinstance(ins, Workdir) or ins.value is None:
                    continue
                if not is_set:
                    try:
                        path = process_word(ins.value.text, ins.value.escape)
                    except LexError:
                        path = ""
                    if _is_relative(path):
                        self.report(ins, loc=ins.value, path=path)
                is_set = True
            workdir_set.append(is_set)
        return df
