"""``RUN --mount`` flags: add cache mounts beside the ones written, extend one in place,
and lay the new flags out as the instruction's own line breaks are.

Byte-exact: a flag that is not edited keeps its text and its separator.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from dockmod.cst.arguments import Flag
from dockmod.cst.instructions import Instruction
from dockmod.cst.trivia import EmptyLine


class MountError(ValueError):
    """The mounts cannot be written as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class CacheMount:
    """A wanted ``--mount=type=cache`` (``target`` normalised and absolute)."""

    target: str
    locked: bool = False
    uid: int | None = None
    gid: int | None = None
    #: The cache's ``id`` and ``sharing`` when another mount of the same target names them
    #: (``sharing`` only where ``locked`` is not needed).
    id: str | None = None
    sharing: str | None = None


def covered(target: str, mount_target: str | None) -> bool:
    """``target`` is a mount's target or lies inside it."""
    if mount_target is None:
        return False
    directory = posixpath.normpath(mount_target)
    return target == directory or target.startswith(directory.rstrip("/") + "/")


def mounts_path(flags: Sequence[Flag], target: str) -> bool:
    """Some ``--mount`` of ``flags`` covers ``target``."""
    return any(covered(target, f.mount.target) for f in flags if f.mount is not None)


def merge_cache_mounts(flags: Sequence[Flag], wanted: Sequence[CacheMount]) -> tuple[list[str], dict[int, Flag], list[int]]:
    """New ``--mount`` texts, rewritten existing flags (by index), and the indexes of
    ``wanted`` that got a new mount. An existing cache mount of exactly that target gets the
    ``sharing=locked`` and ``uid=`` it lacks; a target inside another mount, or holding a
    cache mount of its own, is left alone.
    Raises :class:`MountError`."""
    new: list[str] = []
    edited: dict[int, Flag] = {}
    added: list[int] = []
    existing = [f.mount for f in flags if f.mount is not None]
    for n, m in enumerate(wanted):
        exact = [(i, f, spec) for i, f in enumerate(flags)
                 for spec in [f.mount] if spec is not None and spec.target is not None
                 and posixpath.normpath(spec.target) == m.target]  # fmt: skip
        if exact:
            i, f, spec = exact[0]
            if spec.type == "cache":
                flag = edited.get(i, f)
                if m.locked and spec.get("sharing") != "locked":
                    flag = with_mount_field(flag, "sharing", "locked")
                if m.uid and spec.get("uid") is None:
                    flag = with_mount_field(flag, "uid", str(m.uid))
                if flag is not f:
                    edited[i] = flag
            continue
        if any(covered(m.target, spec.target) for spec in existing):
            continue
        # A cache mount the user put inside this target (``/go/pkg/mod/cache`` for
        # ``/go/pkg/mod``) is a narrower cache chosen on purpose: never nest a wider one over it.
        if any(spec.type == "cache" and spec.target is not None
               and covered(posixpath.normpath(spec.target), m.target) for spec in existing):
            continue
        added.append(n)
        parts = [f"type=cache,target={m.target}"]
        if m.id:
            parts.append(f"id={m.id}")
        if m.locked or m.sharing:
            # A tool that cannot share its cache gets ``locked`` whatever another mount says
            # (an existing mount of the target is given it too, above).
            parts.append(f"sharing={'locked' if m.locked else m.sharing}")
        if m.uid:
            parts.append(f"uid={m.uid}")
            if m.gid is not None:
                parts.append(f"gid={m.gid}")
        if any(c in m.target for c in ' ,"\'\\\t$'):
            raise MountError(f"`{m.target}` would need quoting in `--mount`")
        new.append(f"--mount={','.join(parts)}")
    return new, edited, added


def cache_names(instructions: Sequence[Instruction]) -> dict[str, tuple[str | None, str | None]]:
    """Normalised target → (``id``, ``sharing``) of the first cache mount of that target
    that sets either, among the ``--mount`` flags of ``instructions``: a new mount of the
    target shares that cache rather than starting one of its own."""
    out: dict[str, tuple[str | None, str | None]] = {}
    for ins in instructions:
        for f in getattr(ins, "flags", ()):
            spec = f.mount
            if spec is None or spec.type != "cache" or spec.target is None:
                continue
            target = posixpath.normpath(spec.target)
            names = (spec.get("id"), spec.get("sharing"))
            if target not in out and names != (None, None) and not any(
                    c in v for v in names if v is not None for c in ' ,"\'\\\t$=\n'):
                out[target] = names
    return out


def variable_cache_ids(instructions: Sequence[Instruction]) -> dict[str, str]:
    """Normalised target → the ``id`` of the first cache mount of that target whose ``id``
    reads a variable (``id=apt-cache-$TARGETARCH``): one cache per value of a build
    argument, which :func:`cache_names` does not copy (the variable may not be declared
    where a new mount goes)."""
    out: dict[str, str] = {}
    for ins in instructions:
        for f in getattr(ins, "flags", ()):
            spec = f.mount
            if spec is None or spec.type != "cache" or spec.target is None:
                continue
            ident = spec.get("id")
            target = posixpath.normpath(spec.target)
            if ident is not None and "$" in ident and target not in out:
                out[target] = ident
    return out


def with_mount_field(flag: Flag, key: str, value: str) -> Flag:
    """``flag`` with ``key=value`` set in its mount (appended when the flag is plain text)."""
    try:
        return flag.with_mount_field(key, value)
    except ValueError:
        pass
    raw = flag.raw
    if any(c in raw for c in ("\n", "'", '"', flag.escape)):
        raise MountError("an existing `--mount` is too complex to extend")
    return flag.with_changes(raw=f"{raw},{key}={value}")


def join_flags(flags: Sequence[Flag], new: list[str], edited: dict[int, Flag], continuation: str) -> tuple[Flag, ...]:
    """``flags`` (with ``edited`` in place) followed by ``new``: the last written flag keeps
    its separator for the last new one; the new ones are joined by the last written
    separator, or ``continuation`` when that holds a comment (or for several new flags on
    a RUN that had none)."""
    out = [edited.get(i, f) for i, f in enumerate(flags)]
    if not new:
        return tuple(out)
    if out:
        sep = out[-1].whitespace_after
        if "#" in sep:
            sep = continuation
    else:
        sep = " " if len(new) == 1 else continuation
    made = [Flag(raw=t, whitespace_after=sep) for t in new]
    if out:
        made[-1] = made[-1].with_changes(whitespace_after=out[-1].whitespace_after)
        out[-1] = out[-1].with_changes(whitespace_after=sep)
    return (*out, *made)


def first_indent(ins: Instruction) -> str | None:
    """The indentation of the instruction's first continuation line, if it has one."""
    code = ins.with_changes(leading_lines=(), heredocs=()).code if (ins.leading_lines or ins.heredocs) else ins.code
    if "\n" not in code.rstrip("\r\n"):
        return None
    for line in code.split("\n")[1:]:
        stripped = line.lstrip(" \t")
        if stripped.strip() and not stripped.startswith("#"):
            return line[: len(line) - len(stripped)]
    return None


def nested_indent(ins: Instruction) -> bool:
    """The instruction's command starts on its first line and its first continuation line is
    indented deeper than that start (``RUN if …; then`` and a block body below): the
    indentation of a nested shell block, not of the instruction's own continuation lines.
    Widths are counted in characters, so a tab indent is never deeper."""
    indent = first_indent(ins)
    command = getattr(ins, "command", None)
    raw = getattr(command, "raw", None)
    if indent is None or not isinstance(raw, str):
        return False
    head = raw.split("\n", 1)[0].rstrip("\r").rstrip(getattr(command, "escape", "\\")).strip()
    if not head:
        return False
    code = ins.with_changes(leading_lines=(), heredocs=()).code if (ins.leading_lines or ins.heredocs) else ins.code
    column = code.split("\n", 1)[0].rfind(head)
    return column >= 0 and len(indent) > column


def split_leading(lines: tuple[EmptyLine, ...]) -> tuple[tuple[EmptyLine, ...], tuple[EmptyLine, ...]]:
    """(lines above, the comment block directly above the instruction)."""
    i = len(lines)
    while i and lines[i - 1].is_comment:
        i -= 1
    return tuple(lines[:i]), tuple(lines[i:])


def common_indent(instructions: Sequence[Instruction], default: str = "    ") -> str:
    """The most common first-continuation-line indentation of ``instructions`` (deeper
    lines are argument lists; a :func:`nested_indent` is not counted), else ``default``."""
    indents: dict[str, int] = {}
    for ins in instructions:
        indent = first_indent(ins)
        if indent is not None and not nested_indent(ins):
            indents[indent] = indents.get(indent, 0) + 1
    return max(indents, key=lambda k: indents[k]) if indents else default
