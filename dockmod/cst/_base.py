"""Node base: frozen, slotted dataclasses; identity equality; structural ``deep_equals``.

As in LibCST, ``==`` is identity (so ``original is node`` bookkeeping works and hashing is
cheap), ``with_changes`` is ``dataclasses.replace``, and a visit returns the same object
when nothing changed.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from dockmod.cst.visitors import Visitor

N = TypeVar("N", bound="Node")


def node(cls: type[N]) -> type[N]:
    """Class decorator for node classes: frozen, slotted, identity-equal dataclass."""
    kw_only = bool(getattr(cls, "_kw_only", False))
    cls = dataclasses.dataclass(frozen=True, slots=True, eq=False, repr=False, kw_only=kw_only)(cls)
    kids = []
    for f in dataclasses.fields(cls):
        kids.append(f.name)
    cls._field_names = tuple(kids)  # type: ignore[attr-defined]
    return cls


class Node:
    """Base of every CST node."""

    __slots__ = ()
    _field_names: ClassVar[tuple[str, ...]] = ()

    # -- text ------------------------------------------------------------------------
    def _codegen(self, out: list[str]) -> None:
        raise NotImplementedError

    def _emit(self, out: list[str]) -> None:
        """Codegen a child; records its span when ``out`` is a position recorder."""
        rec = getattr(out, "spans", None)
        if rec is None:
            self._codegen(out)
            return
        start = out.size  # type: ignore[attr-defined]
        self._codegen(out)
        rec[id(self)] = (start, out.size)  # type: ignore[attr-defined]

    @property
    def code(self) -> str:
        """The exact source text of this node."""
        out: list[str] = []
        self._codegen(out)
        return "".join(out)

    # -- structure -------------------------------------------------------------------
    @property
    def children(self) -> tuple[Node, ...]:
        """Child nodes in source order."""
        out: list[Node] = []
        for name in self._field_names:
            v = getattr(self, name)
            if isinstance(v, Node):
                out.append(v)
            elif isinstance(v, tuple):
                out.extend(x for x in v if isinstance(x, Node))
        return tuple(out)

    def with_changes(self: N, **changes: Any) -> N:
        """A copy with the given fields replaced."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def deep_equals(self, other: object) -> bool:
        """Structural equality (``==`` is identity)."""
        if type(self) is not type(other):
            return False
        for name in self._field_names:
            a, b = getattr(self, name), getattr(other, name)
            if isinstance(a, Node):
                if not a.deep_equals(b):
                    return False
            elif isinstance(a, tuple):
                if not isinstance(b, tuple) or len(a) != len(b):
                    return False
                for x, y in zip(a, b):
                    if isinstance(x, Node):
                        if not x.deep_equals(y):
                            return False
                    elif x != y:
                        return False
            elif a != b:
                return False
        return True

    def visit(self: N, visitor: Visitor) -> Any:
        """Visit this node and its children; a Transformer's return replaces the node."""
        if visitor.on_visit(self):
            changes: dict[str, Any] | None = None
            for name in self._field_names:
                v = getattr(self, name)
                if isinstance(v, Node):
                    nv = v.visit(visitor)
                    if nv is not v:
                        changes = changes or {}
                        changes[name] = nv
                elif isinstance(v, tuple) and v and isinstance(v[0], Node):
                    new_items = []
                    changed = False
                    for x in v:
                        nx = x.visit(visitor)
                        if nx is not x:
                            changed = True
                        if nx is REMOVE:
                            continue
                        new_items.append(nx)
                    if changed:
                        changes = changes or {}
                        changes[name] = tuple(new_items)
            updated = dataclasses.replace(self, **changes) if changes else self  # type: ignore[type-var]
        else:
            updated = self
        return visitor.on_leave(self, updated)

    def __repr__(self) -> str:
        parts = []
        for name in self._field_names:
            v = getattr(self, name)
            if v in ("", (), None) and name != "value":
                continue
            parts.append(f"{name}={v!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


class _Remove:
    """Sentinel a Transformer returns from ``leave_X`` to delete the node from its parent."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "REMOVE"


REMOVE: Any = _Remove()
