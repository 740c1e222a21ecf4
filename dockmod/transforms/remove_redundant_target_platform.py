"""Remove ``--platform=$TARGETPLATFORM`` from FROM: it is the default.

## What it does
Drops a ``--platform`` flag on ``FROM`` whose value is exactly ``$TARGETPLATFORM`` or
``${TARGETPLATFORM}`` (BuildKit check ``RedundantTargetPlatform``).

## Why
A stage is built for the target platform unless told otherwise; the flag adds noise and
suggests a choice that was never made.

A global ``ARG TARGETPLATFORM=<default>`` before the ``FROM`` replaces the automatic
value (BuildKit appends the global ``ARG`` lines after the platform ones, and the later one
wins), so the flag then picks that default: it is not redundant and is left alone.

## Fix safety
Safe: without such a default, BuildKit resolves both spellings to the same platform.

## Options
None.
"""

from __future__ import annotations

from dockmod.cst import From
from dockmod.lang.words import UNKNOWN
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta

_REDUNDANT = ("$TARGETPLATFORM", "${TARGETPLATFORM}")


class RemoveRedundantTargetPlatform(Transform):
    meta = TransformMeta(
        code="DM507",
        name="remove-redundant-target-platform",
        summary="`--platform={value}` is the default for `FROM`",
        fix_title="Remove `--platform={value}`",
        safety=FixSafety.SAFE,
        reference="BuildKit check RedundantTargetPlatform",
        examples=(
            Example(before="FROM --platform=$TARGETPLATFORM alpine\n", after="FROM alpine\n"),
            Example(before="FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"),
        ),
    )

    def leave_From(self, original: From, updated: From) -> From:
        for i, flag in enumerate(updated.flags):
            if flag.name == "platform" and flag.value in _REDUNDANT:
                if self.context.model.global_scope.get("TARGETPLATFORM") is not UNKNOWN:
                    return updated  # a global `ARG TARGETPLATFORM=…` default is the platform
                flags = updated.flags[:i] + updated.flags[i + 1:]
                return self.propose(original, updated.with_changes(flags=flags),
                                    updated=updated, loc=original.flags[i] if i < len(original.flags) else None,
                                    value=flag.value)
        return updated
