"""Visitor (read-only) and Transformer (``leave_X(original, updated)``), dispatched by name.

``visit_From(node) -> bool`` decides whether to descend into a node's children;
``leave_From(original, updated)`` returns the replacement (``updated`` when nothing
changes, :data:`dockmod.cst.REMOVE` to delete it from a sequence). Dispatch follows the
class hierarchy: ``leave_Instruction`` sees every instruction that has no more specific
handler, ``leave_Node`` every node.
"""

from __future__ import annotations

from typing import Any, ClassVar

from dockmod.cst._base import Node


def _handler(cache: dict[tuple[type, str], str | None], owner: type, node_cls: type, prefix: str) -> str | None:
    key = (node_cls, prefix)
    try:
        return cache[key]
    except KeyError:
        pass
    found = None
    for klass in node_cls.__mro__:
        name = prefix + klass.__name__
        if hasattr(owner, name):
            found = name
            break
    cache[key] = found
    return found


class Visitor:
    """Read-only traversal: override ``visit_<Class>`` and ``leave_<Class>``."""

    _dispatch: ClassVar[dict[tuple[type, str], str | None]]

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls._dispatch = {}

    def on_visit(self, node: Node) -> bool:
        name = _handler(self._dispatch, type(self), type(node), "visit_")
        if name is not None:
            r = getattr(self, name)(node)
            return True if r is None else bool(r)
        return True

    def on_leave(self, original: Node, updated: Node) -> Node:
        name = _handler(self._dispatch, type(self), type(original), "leave_")
        if name is not None:
            getattr(self, name)(original)
        return updated


Visitor._dispatch = {}


class Transformer(Visitor):
    """Rewriting traversal: ``leave_<Class>(original, updated)`` returns the new node."""

    def on_leave(self, original: Node, updated: Node) -> Any:
        name = _handler(self._dispatch, type(self), type(original), "leave_")
        if name is not None:
            return getattr(self, name)(original, updated)
        return updated
