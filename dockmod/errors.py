"""Error types. They carry structured fields; ``dockmod.diagnostics`` renders them."""

from __future__ import annotations


class DockmodError(Exception):
    """Base of dockmod's own errors."""


class ParseError(DockmodError):
    """Input that BuildKit's parser rejects.

    ``line`` and ``column`` are 1-based; ``raw_column`` is the 0-based offset in the line.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int = 1,
                 raw_column: int = 0, source_line: str = "", end_line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.raw_column = raw_column
        self.source_line = source_line
        self.end_line = end_line if end_line is not None else line

    @property
    def column(self) -> int:
        return self.raw_column + 1

    def __str__(self) -> str:
        return f"{self.path or '<string>'}:{self.line}:{self.column}: {self.message}"


class ConfigError(DockmodError):
    """An invalid configuration file or option."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class TransformError(DockmodError):
    """A transform failed or did not converge."""
