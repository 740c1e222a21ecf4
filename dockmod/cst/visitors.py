"""Visitor (read-only) and Transformer (``leave_X(original, updated)``), dispatched by name.

``visit_From(node) -> bool`` decides whether to descend into a node's children;
``leave_From(original, updated)`` returns the replacement (``updated`` when nothing
changes, :data:`dockmod.cst.REMOVE` to delete it from a sequence).
"""

from __future__ import annotations

from typing import Any

from dockmod.cst._base import Node


class Visitor:
    """Read-only traversal: override ``visit_<Class>`` and ``leave_<Class>``."""

    def on_visit(self, node: Node) -> bool:
        fn = getattr(self, "visit_" + type(node).__name__, None)
        if fn is not None:
            r = fn(node)
            return True if r is None else bool(r)
        return True

    def on_leave(self, original: Node, updated: Node) -> Node:
        fn = getattr(self, "leave_" + type(original).__name__, None)
        if fn is not None:
            fn(original)
        return updated


class Transformer(Visitor):
    """Rewriting traversal: ``leave_<Class>(original, updated)`` returns the new node."""

    def on_leave(self, original: Node, updated: Node) -> Any:
        fn = getattr(self, "leave_" + type(original).__name__, None)
        if fn is not None:
            return fn(original, updated)
        return updated
