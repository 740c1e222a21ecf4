"""Parser directives (``# syntax=``, ``# escape=``, ``# check=``) with BuildKit's rules.

BuildKit (``parser.DirectiveParser``) looks at lines only until the first line that is not
a directive: an instruction, a blank line or any other comment ends the search. A key may
appear once; a repeat is an error. ``escape`` must be ``\\`` or a backtick.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# parser.directiveRegexp, applied after the leading "#" and whitespace. Go's \s is ASCII
# [\t\n\f\r ]; written out because Python's \s is Unicode-aware.
_DIRECTIVE_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z", re.S)
VALID = ("syntax", "escape", "check")


class DirectiveError(ValueError):
    """A directive BuildKit rejects; ``column`` is 0-based within the line."""

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.column = column


@dataclass(slots=True)
class DirectiveParser:
    """Stateful, line by line, like BuildKit's; ``done`` once a non-directive is seen."""

    done: bool = False
    seen: set[str] | None = None

    def parse_line(self, stripped: str) -> tuple[str, str] | None:
        """``stripped`` is the line without newline and leading whitespace."""
        if self.done:
            return None
        if not stripped.startswith("#"):
            self.done = True
            return None
        from dockmod.lang.words import lstrip_len

        body = stripped[lstrip_len(stripped, 1):]
        m = _DIRECTIVE_RE.match(body)
        if not m:
            self.done = True
            return None
        key = m.group(1).lower()
        if key not in VALID:
            self.done = True
            return None
        if self.seen is None:
            self.seen = set()
        if key in self.seen:
            raise DirectiveError(f"only one {key} parser directive can be used")
        self.seen.add(key)
        value = m.group(2)
        if key == "escape" and value not in ("\\", "`"):
            raise DirectiveError(f"invalid escape token '{value}' does not match ` or \\")
        return key, value
