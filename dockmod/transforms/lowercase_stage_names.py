"""Lower-case stage names and every reference to them.

## What it does
Finds stage names with upper-case letters (BuildKit check ``StageNameCasing``) and
lower-cases them together with their references in the file: ``FROM <stage>``,
``COPY --from=<stage>`` (also in ``ONBUILD`` triggers) and the ``from=`` field of
``RUN --mount=…`` (only that field is rewritten; the other fields keep their text).

## Why
Lower-case names tell stage names apart from instruction keywords at a glance, and they
are what BuildKit stores anyway: it lower-cases a name when it reads ``AS Name``.

## Example
``FROM golang:1.22 AS Builder`` … ``COPY --from=Builder /app /app`` becomes
``FROM golang:1.22 AS builder`` … ``COPY --from=builder /app /app``.

## Fix safety
Safe. BuildKit lower-cases the declared name, and looks up ``COPY --from``,
``--mount from=`` and ``--target`` case-insensitively (``dispatchStates.findStateByName``
in ``dockerfile2llb/convert.go`` lower-cases the name it is given), so build scripts that
pass ``--target Builder`` keep working.

One lookup is case-*sensitive*: ``FROM <stage>`` (``dispatchStates.addState`` looks up the
``FROM`` text as written among the lower-cased names). So ``FROM Builder`` after
``AS Builder`` does not name the stage today: BuildKit reads it as an image, and fails
because repository names must be lower-case. Lower-casing it makes it name the stage,
which is what it was written to do. A ``FROM`` only counts as a reference when an
*earlier* stage has that name, as in BuildKit.

A name or reference spread over several lines, or a ``--mount`` with quotes or escapes,
is reported without a fix. Fixing the rest anyway is harmless, since every lookup that
works today is case-insensitive.

## Options
None.
"""

from __future__ import annotations

import re

from dockmod.cst import Copy, Dockerfile, Flag, From, Run
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta


# instructions.parseBuildStageName: what BuildKit accepts as a name, once lower-cased. Names
# it rejects (``AS ${STAGE}``, which some builders expand) are left alone.
_VALID_STAGE_NAME = re.compile(r"^[a-z][a-z0-9-_.]*$")


def _needs(name: str | None) -> bool:
    """True for a valid stage name that has upper-case letters."""
    if not name:
        return False
    lower = name.lower()
    return name != lower and _VALID_STAGE_NAME.match(lower) is not None


class LowercaseStageNames(Transform):
    meta = TransformMeta(
        code="DM504",
        name="lowercase-stage-names",
        summary="{what} '{name}' should be lowercase",
        fix_title="Rename to `{fixed}`",
        safety=FixSafety.SAFE,
        reference="BuildKit check StageNameCasing",
        examples=(
            Example(before="FROM alpine AS Builder\nFROM Builder\n",
                    after="FROM alpine AS builder\nFROM builder\n"),
            Example(before="FROM alpine AS Build\nFROM scratch\nCOPY --from=Build /x /x\n",
                    after="FROM alpine AS build\nFROM scratch\nCOPY --from=build /x /x\n"),
            Example(before="FROM alpine AS build\n"),
        ),
    )

    def transform(self, df: Dockerfile) -> Dockerfile:
        # Every stage name in the file, lower-cased, and (for FROM) the ones declared so far.
        self._names = {s.name for s in df.stages if s.name}
        if not self._names:
            return df  # no stage name to write or to refer to
        self._earlier: set[str] = set()
        return self.walk(df)

    def leave_From(self, original: From, updated: From) -> From:
        image = updated.image
        if image is not None and not image.has_variables and image.text.lower() in self._earlier \
                and _needs(image.text):
            if "\n" in image.raw:
                self.report(original, loc=original.image, what="Reference to stage", name=image.text)
            else:
                fixed = image.raw.lower()
                updated = self.propose(original, updated.with_changes(image=image.with_changes(raw=fixed)),
                                       updated=updated, loc=original.image, what="Reference to stage",
                                       name=image.text, fixed=fixed)
        stage = updated.stage
        if stage is not None:
            self._earlier.add(stage.text.lower())
            if _needs(stage.text) and "\n" in stage.raw:
                self.report(original, loc=original.stage, what="Stage name", name=stage.text)
            elif _needs(stage.text):
                fixed = stage.text.lower()
                updated = self.propose(original, updated.with_changes(stage=stage.with_changes(raw=fixed)),
                                       updated=updated, loc=original.stage, what="Stage name",
                                       name=stage.text, fixed=fixed)
        return updated

    def _is_stage(self, value: str | None) -> bool:
        return value is not None and "$" not in value and value.lower() in self._names

    def leave_Copy(self, original: Copy, updated: Copy) -> Copy:
        for i, flag in enumerate(updated.flags):
            if flag.name == "from" and self._is_stage(flag.value) and _needs(flag.value):
                value = flag.value or ""
                if "\n" in flag.raw:
                    self.report(original, loc=original.flags[i], what="Reference to stage", name=value)
                    continue
                flags = (*updated.flags[:i], flag.with_changes(raw=flag.raw.lower()), *updated.flags[i + 1:])
                updated = self.propose(original, updated.with_changes(flags=flags), updated=updated,
                                       loc=original.flags[i], what="Reference to stage", name=value,
                                       fixed=value.lower())
        return updated

    def leave_Run(self, original: Run, updated: Run) -> Run:
        for i, flag in enumerate(updated.flags):
            mount = flag.mount
            if mount is None:
                continue
            value = mount.from_
            if not (self._is_stage(value) and _needs(value)):
                continue
            assert value is not None
            try:
                new_flag: Flag = flag.with_mount_field("from", value.lower())
            except ValueError:
                self.report(original, loc=original.flags[i], what="Reference to stage", name=value)
                continue
            flags = (*updated.flags[:i], new_flag, *updated.flags[i + 1:])
            updated = self.propose(original, updated.with_changes(flags=flags), updated=updated,
                                   loc=original.flags[i], what="Reference to stage", name=value,
                                   fixed=value.lower())
        return updated
