"""Write every instruction keyword in the file's majority case.

## What it does
Counts the instruction keywords written all upper-case and all lower-case, as BuildKit's
check ``ConsistentInstructionCasing`` does, and re-cases every keyword that differs from
the majority (ties go to upper case), ``ONBUILD`` trigger keywords included:
``From``/``run`` in a mostly upper-case file become ``FROM``/``RUN``.

## Why
Keywords are case-insensitive, but a file that mixes cases is harder to scan, and
mixed-case keywords (``EntryPoint``) look like typos.

## Example
``FROM alpine`` / ``run echo hi`` / ``CMD ["sh"]`` becomes ``FROM alpine`` /
``RUN echo hi`` / ``CMD ["sh"]``.

## Fix safety
Safe: BuildKit reads keywords case-insensitively. ``AS`` in ``FROM … AS name`` is left to
``match-from-as-casing``, which then follows the new ``FROM``. Keywords BuildKit does not
know are left alone.

## Options
None.
"""

from __future__ import annotations

from dockmod.cst import Dockerfile, Instruction, Onbuild, UnknownInstruction
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta


def _recase(ins: Instruction, upper: bool) -> Instruction:
    if isinstance(ins, UnknownInstruction):
        return ins
    keyword = ins.keyword.upper() if upper else ins.keyword.lower()
    if isinstance(ins, Onbuild) and ins.instruction is not None:
        trigger = _recase(ins.instruction, upper)
        if trigger is not ins.instruction:
            ins = ins.with_changes(instruction=trigger)
    return ins if keyword == ins.keyword else ins.with_changes(keyword=keyword)


class UseConsistentKeywordCasing(Transform):
    meta = TransformMeta(
        code="DM509",
        name="use-consistent-keyword-casing",
        summary="Command '{keyword}' should match the case of the command majority ({case})",
        fix_title="Write `{fixed}`",
        safety=FixSafety.SAFE,
        reference="BuildKit check ConsistentInstructionCasing",
        examples=(
            Example(before="FROM alpine\nrun echo hi\nCMD [\"sh\"]\n",
                    after="FROM alpine\nRUN echo hi\nCMD [\"sh\"]\n"),
            Example(before="from alpine\nRun echo hi\ncmd [\"sh\"]\n",
                    after="from alpine\nrun echo hi\ncmd [\"sh\"]\n"),
            Example(before="from alpine\nrun echo hi\n"),
        ),
    )

    def transform(self, df: Dockerfile) -> Dockerfile:
        # Most files: every keyword upper-case, no ONBUILD trigger to look into.
        if all(i.keyword.isupper() and not isinstance(i, Onbuild) or isinstance(i, UnknownInstruction)
               for i in df.body):
            return df
        lower = sum(1 for i in df.body if i.keyword.islower() and not isinstance(i, UnknownInstruction))
        upper = sum(1 for i in df.body if i.keyword.isupper() and not isinstance(i, UnknownInstruction))
        upper_wins = lower <= upper
        case = "uppercase" if upper_wins else "lowercase"
        body = []
        for ins in df.body:
            fixed = _recase(ins, upper_wins)
            if fixed is not ins:
                self._current = ins
                fixed = self.propose(ins, fixed, keyword=_keywords(ins), case=case, fixed=_keywords(fixed))
                self._current = None
            body.append(fixed)
        if all(a is b for a, b in zip(body, df.body)):
            return df
        return df.with_changes(body=tuple(body))


def _keywords(ins: Instruction) -> str:
    """The keyword, and an ONBUILD trigger's keyword after it."""
    if isinstance(ins, Onbuild) and ins.instruction is not None:
        return f"{ins.keyword} {ins.instruction.keyword}"
    return ins.keyword
