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
Safe when no earlier stage sets ``--platform``: without such a default, BuildKit resolves
both spellings to the same platform.

Unsafe when an earlier ``FROM`` of the file sets ``--platform`` to anything else
(``$BUILDPLATFORM``, ``linux/amd64``): podman and buildah carry that platform over to a
later ``FROM`` without the flag, and pull its base image for the earlier stage's
platform, so the stage (and the image, when it is the one shipped) gets the wrong
architecture (containers/buildah#4742, still open; #5968, whose fix, buildah#5971, resets
the platform per stage only in newer releases). There the flag is the known workaround.

No fix, only the finding, when a comment line directly above the ``FROM`` (in the comment
block that touches it) speaks of the platform: the author wrote down why the flag is
there, which dockmod cannot weigh, and removing the flag would leave that comment
describing a flag that is gone. Remove both by hand, or keep the flag and suppress the
finding (``# dockmod: ignore=DM507``).

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
        summary="`--platform={value}` is the default for `FROM`{note}",
        fix_title="Remove `--platform={value}`",
        safety=FixSafety.SAFE,
        safety_varies="unsafe after an earlier `FROM --platform`",
        reference="BuildKit check RedundantTargetPlatform",
        examples=(
            Example(before="FROM --platform=$TARGETPLATFORM alpine\n", after="FROM alpine\n"),
            Example(before="FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"),
            Example(before="FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
                           "FROM --platform=$TARGETPLATFORM alpine\n",
                    after="FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM alpine\n",
                    unsafe_fixes=True),
        ),
    )

    def leave_From(self, original: From, updated: From) -> From:
        for i, flag in enumerate(updated.flags):
            if flag.name == "platform" and flag.value in _REDUNDANT:
                if self.context.model.global_scope.get("TARGETPLATFORM") is not UNKNOWN:
                    return updated  # a global `ARG TARGETPLATFORM=…` default is the platform
                loc = original.flags[i] if i < len(original.flags) else None
                if _comment_on_platform(original):
                    reason = "the comment above the `FROM` explains the flag"
                    self.report(original, loc=loc, no_fix_reason=reason, value=flag.value,
                                note=f"; no fix: {reason}")
                    return updated
                earlier = self._earlier_platform(original)
                note = safety = None
                if earlier is not None:
                    safety = FixSafety.UNSAFE
                    note = (f"; unsafe: podman and buildah may carry an earlier stage's `--platform={earlier}` "
                            "over to a `FROM` without the flag (containers/buildah#4742)")
                flags = updated.flags[:i] + updated.flags[i + 1:]
                return self.propose(original, updated.with_changes(flags=flags), updated=updated,
                                    safety=safety, loc=loc, value=flag.value, note=note or "")
        return updated

    def _earlier_platform(self, original: From) -> str | None:
        """The ``--platform`` value, other than the target, of the first earlier ``FROM``
        that sets one; None when no earlier ``FROM`` does."""
        for stage in self.context.dockerfile.stages:
            if stage.from_ is original:
                break
            for f in stage.from_.flags:
                if f.name == "platform" and f.value not in _REDUNDANT:
                    return f.value
        return None


def _comment_on_platform(node: From) -> bool:
    """A comment line of the block directly above ``node`` (no blank line between) speaks
    of the platform (``# podman needs --platform here``)."""
    for line in reversed(node.leading_lines):
        if not line.is_comment:
            return False
        if "platform" in (line.comment or "").lower():
            return True
    return False
