"""dockmod: lossless Dockerfile codemods.

Public API: :func:`parse`, :class:`Dockerfile`, :class:`ParseError`.
Everything is imported lazily so ``import dockmod`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from dockmod._parse import parse
    from dockmod.cst.module import Dockerfile
    from dockmod.errors import ConfigError, DockmodError, ParseError

__all__ = ["parse", "Dockerfile", "ParseError", "ConfigError", "DockmodError", "__version__"]

_LAZY = {
    "parse": ("dockmod._parse", "parse"),
    "Dockerfile": ("dockmod.cst.module", "Dockerfile"),
    "ParseError": ("dockmod.errors", "ParseError"),
    "ConfigError": ("dockmod.errors", "ConfigError"),
    "DockmodError": ("dockmod.errors", "DockmodError"),
}


def __getattr__(name: str) -> Any:
    try:
        mod, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'dockmod' has no attribute {name!r}") from None
    import importlib

    value = getattr(importlib.import_module(mod), attr)
    globals()[name] = value
    return value
