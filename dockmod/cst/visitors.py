"""Visitor (read-only) and Transformer (``leave_X(original, updated)``), dispatched by name.

``visit_From(node) -> bool`` decides whether to descend into a node's children;
``leave_From(original, updated)`` returns the replacement (``updated`` when nothing
changes, :data:`dockmod.cst.REMOVE` to delete it, ``FlattenSentinel([...])`` for several
nodes in its place). Dispatch follows the
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
    """Read-only traversal: override ``visit_<Class>`` and ``leave_<Class>``.

    The walk enters only nodes that are handled, or that can contain a handled node
    (by the node classes' field annotations). A subclass that overrides ``on_visit`` or
    ``on_leave`` sees every node, unless it sets ``_generic_hooks = True`` to say its hooks
    need no node of their own.
    """

    _dispatch: ClassVar[dict[tuple[type, str], str | None]]
    #: Set on a class whose on_visit/on_leave only wrap the name-based dispatch.
    _generic_hooks: ClassVar[bool] = True
    _walks_all_nodes: ClassVar[bool] = False
    _enter_cache: ClassVar[dict[type, bool]]
    _fields_plan: ClassVar[dict[type, tuple[str, ...]]]

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls._dispatch = {}
        cls._enter_cache = {}
        cls._fields_plan = {}
        own = cls.__dict__
        if own.get("_generic_hooks", False):
            cls._walks_all_nodes = False
        elif "on_visit" in own or "on_leave" in own:
            cls._walks_all_nodes = True

    @classmethod
    def handler(cls, node_cls: type, prefix: str) -> str | None:
        """The name of the method handling a node of ``node_cls`` (``prefix`` is ``visit_``
        or ``leave_``), by the class hierarchy, or None."""
        return _handler(cls._dispatch, cls, node_cls, prefix)

    @classmethod
    def _handles(cls, node_cls: type) -> bool:
        return (_handler(cls._dispatch, cls, node_cls, "visit_") is not None
                or _handler(cls._dispatch, cls, node_cls, "leave_") is not None)

    @classmethod
    def enters(cls, node_cls: type) -> bool:
        """Whether the walk must enter a node of this class (it, or a node below, is handled)."""
        try:
            return cls._enter_cache[node_cls]
        except KeyError:
            pass
        if cls._walks_all_nodes:
            cls._enter_cache[node_cls] = True
            return True
        seen: set[type] = set()
        stack = [node_cls]
        found = False
        while stack and not found:
            c = stack.pop()
            if c in seen:
                continue
            seen.add(c)
            if cls._handles(c):
                found = True
                break
            for types_ in c.child_types().values():
                stack.extend(t for t in types_ if t not in seen)
        cls._enter_cache[node_cls] = found
        return found

    @classmethod
    def fields_to_enter(cls, node_cls: type) -> tuple[str, ...]:
        """The fields of a node of this class that can hold a node the walk must enter."""
        try:
            return cls._fields_plan[node_cls]
        except KeyError:
            pass
        plan = tuple(name for name, types_ in node_cls.child_types().items()
                     if any(cls.enters(t) for t in types_))
        cls._fields_plan[node_cls] = plan
        return plan

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
Visitor._enter_cache = {}
Visitor._fields_plan = {}


class Transformer(Visitor):
    """Rewriting traversal: ``leave_<Class>(original, updated)`` returns the new node.

    ``leave_X`` may return ``REMOVE`` or a ``FlattenSentinel`` (see :mod:`dockmod.cst._base`).
    """

    _generic_hooks = True

    def on_leave(self, original: Node, updated: Node) -> Any:
        name = _handler(self._dispatch, type(self), type(original), "leave_")
        if name is not None:
            return getattr(self, name)(original, updated)
        return updated
