"""The build context: which files ``COPY``/``ADD`` can read, after ``.dockerignore``.

A leaf of the layer stack (it imports nothing from dockmod but itself); transforms ask
it whether a path is sent, read manifests through it, and summarise what a
whole-context copy sends.
"""

from dockmod.buildcontext.context import (
    BuildContext,
    ContextError,
    ContextSummary,
    Risky,
    open_context,
)
from dockmod.buildcontext.patterns import PatternError, PatternMatcher, read_ignore_file

__all__ = [
    "BuildContext",
    "ContextError",
    "ContextSummary",
    "PatternError",
    "PatternMatcher",
    "Risky",
    "open_context",
    "read_ignore_file",
]
