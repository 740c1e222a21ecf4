"""What processing one file produced: a typed outcome and a frozen, picklable result.

The runner makes these (in worker processes, so they must pickle), the report counts and
prints them. Neither needs the other: ``report`` imports this module, not ``runner``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from dockmod.transforms._base import Finding


class Outcome(enum.Enum):
    """What happened to one file."""

    #: Fixes changed the text (written with ``--apply``, else shown as a diff).
    CHANGED = "changed"
    #: Nothing to change (there may still be findings without an applicable fix).
    UNCHANGED = "unchanged"
    #: Not processed on purpose: ``# dockmod: skip-file``, not a regular file, an
    #: out-of-tree symlink, or a run interrupted before the file was started.
    SKIPPED = "skipped"
    #: Could not be read, parsed, configured or written, or an internal error.
    FAILED = "failed"


@dataclass(frozen=True)
class FileResult:
    #: The path as shown to the user (``-`` or ``--stdin-filename`` for standard input).
    path: str
    outcome: Outcome
    findings: tuple[Finding, ...] = ()
    remaining: tuple[Finding, ...] = ()
    #: The unified diff, as bytes exactly as ``git apply`` needs them ("" when unchanged).
    diff: bytes = b""
    #: The fixed text, for standard input only.
    output: str | None = None
    #: Why the file failed or was skipped (a rendered, possibly multi-line message).
    error: str | None = None
    unsafe_fixes: bool = False
    #: Findings whose fix needs --unsafe-fixes and was not applied.
    hidden_unsafe: int = 0
    applied: int = 0
    #: Codes of the fixes applied, with how many findings each fixed.
    fixed: tuple[tuple[str, int], ...] = ()
    #: True when the fixed text was written to the file.
    written: bool = False
    source_lines: dict[int, str] = field(default_factory=dict)
    #: A traceback, shown only with ``--debug``.
    debug: str | None = None

