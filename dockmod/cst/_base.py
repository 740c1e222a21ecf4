"""Node base: frozen, slotted dataclasses; identity equality; structural ``deep_equals``.

As in LibCST, ``==`` is identity (so ``original is node`` bookkeeping works and hashing is
cheap), ``with_changes`` is ``dataclasses.replace``, and a visit returns the same object
when nothing changed. Every construction (``with_changes`` included) runs ``_validate()``,
which raises :class:`CSTValidationError` for a node that cannot print as a Dockerfile.

A ``leave_X`` may return, for a node held in a sequence (``body``, ``flags``, …),
:data:`REMOVE` (LibCST's ``RemovalSentinel.REMOVE``) to delete it, or
``FlattenSentinel([a, b])`` to put several nodes in its place. For a single optional
child, ``REMOVE`` sets the field to None.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable
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


class CSTValidationError(ValueError):
    """A node whose fields cannot print as valid Dockerfile text."""


def splice(new: list[Any] | None, items: tuple[Any, ...], i: int, replacement: Any) -> list[Any]:
    """Rebuild a sequence while visiting it: ``items[i]`` became ``replacement`` (itself, a
    node, ``REMOVE`` or a ``FlattenSentinel``). ``new`` is the rebuilt list so far, None while
    nothing has changed (call this only once something has, or ``new`` exists)."""
    if new is None:
        new = list(items[:i])
    if replacement is REMOVE:
        return new
    if isinstance(replacement, FlattenSentinel):
        new.extend(replacement.nodes)
    else:
        new.append(replacement)
    return new


class Node:
    """Base of every CST node."""

    __slots__ = ()
    _field_names: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        self._validate()

    def _validate(self) -> None:
        """Raise :class:`CSTValidationError` if the fields are impossible together."""

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
        """A copy with the given fields replaced (``dataclasses.replace``, validation included)."""
        return _replace(self, changes)

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
        """Visit this node and its children; a Transformer's return replaces the node.

        Only the children that can hold a node the visitor handles are entered (see
        :meth:`Visitor.fields_to_enter`): a transform with only ``leave_Run`` never walks
        flags, words or trivia.
        """
        if visitor.on_visit(self):
            enters = visitor.enters
            changes: dict[str, Any] | None = None
            for name in visitor.fields_to_enter(type(self)):
                v = getattr(self, name)
                if isinstance(v, Node):
                    if not enters(type(v)):
                        continue
                    nv = v.visit(visitor)
                    if nv is not v:
                        if nv is REMOVE:
                            nv = None
                        elif isinstance(nv, FlattenSentinel):
                            raise TypeError(f"`{type(self).__name__}.{name}` holds one node; "
                                            "a FlattenSentinel can only replace a node in a sequence")
                        changes = changes or {}
                        changes[name] = nv
                elif isinstance(v, tuple) and v:
                    new_items: list[Any] | None = None
                    for i, x in enumerate(v):
                        nx = x.visit(visitor) if isinstance(x, Node) and enters(type(x)) else x
                        if nx is not x or new_items is not None:
                            new_items = splice(new_items, v, i, nx)
                    if new_items is not None:
                        changes = changes or {}
                        changes[name] = tuple(new_items)
            updated = _replace(self, changes) if changes else self
        else:
            updated = self
        return visitor.on_leave(self, updated)

    @classmethod
    def child_types(cls) -> dict[str, frozenset[type[Node]]]:
        """For each field that can hold nodes: the node classes it may hold.

        Read from the field annotations (subclasses included); a field annotated with
        anything that is not a node class, ``None`` or ``str``-like data may hold any node.
        """
        cached = _CHILD_TYPES.get(cls)
        if cached is None:
            cached = _CHILD_TYPES[cls] = _child_types(cls)
        return cached

    def __repr__(self) -> str:
        parts = []
        for name in self._field_names:
            v = getattr(self, name)
            if v in ("", (), None) and name != "value":
                continue
            parts.append(f"{name}={v!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _replace(obj: N, changes: dict[str, Any]) -> N:
    """``dataclasses.replace`` for nodes, without its per-field checks: every node field is
    an ``__init__`` field (no ``InitVar``, no ``init=False``; a test checks), so the copy is the class
    called with every field, ``changes`` applied (an unknown name is a ``TypeError`` from
    ``__init__``, as with ``replace``). ``__post_init__`` runs ``_validate()`` as before."""
    cls = type(obj)
    names = _INIT_FIELDS.get(cls)
    if names is None:
        names = _INIT_FIELDS[cls] = tuple(f.name for f in dataclasses.fields(obj))  # type: ignore[arg-type]
    kwargs = {name: getattr(obj, name) for name in names}
    kwargs.update(changes)
    return cls(**kwargs)


_INIT_FIELDS: dict[type, tuple[str, ...]] = {}


class RemovalSentinel:
    """Returned from ``leave_X`` to delete the node from its parent (LibCST's name)."""

    __slots__ = ()
    REMOVE: ClassVar[RemovalSentinel]

    def __repr__(self) -> str:
        return "REMOVE"


RemovalSentinel.REMOVE = RemovalSentinel()
#: Return this from ``leave_X`` to delete the node from its parent.
REMOVE: Any = RemovalSentinel.REMOVE


class FlattenSentinel:
    """Returned from ``leave_X`` to put several nodes (or none) where one was, in a sequence."""

    __slots__ = ("nodes",)

    def __init__(self, nodes: Iterable[Node]) -> None:
        self.nodes = tuple(nodes)
        for n in self.nodes:
            if not isinstance(n, Node):
                raise TypeError(f"FlattenSentinel holds nodes, got {type(n).__name__}")

    def __repr__(self) -> str:
        return f"FlattenSentinel({list(self.nodes)!r})"


_CHILD_TYPES: dict[type, dict[str, frozenset[type[Node]]]] = {}
_DATA = (str, int, bool, float, type(None))


def _subclasses(cls: type[Node]) -> set[type[Node]]:
    out = {cls}
    stack = [cls]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in out:
                out.add(sub)
                stack.append(sub)
    return out


def _annotation_types(ann: Any) -> set[type[Node]] | None:
    """Node classes an annotation admits; None for "any node" (unknown annotation)."""
    if isinstance(ann, type):
        if issubclass(ann, Node):
            return _subclasses(ann)
        return set() if issubclass(ann, _DATA) else None
    origin = typing.get_origin(ann)
    if origin in (typing.Union, types.UnionType, tuple):
        out: set[type[Node]] = set()
        for arg in typing.get_args(ann):
            if arg is Ellipsis:
                continue
            got = _annotation_types(arg)
            if got is None:
                return None
            out |= got
        return out
    return None


def _child_types(cls: type[Node]) -> dict[str, frozenset[type[Node]]]:
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # unresolvable annotation: any field may hold any node
        hints = {}
    out: dict[str, frozenset[type[Node]]] = {}
    for name in cls._field_names:
        got = _annotation_types(hints[name]) if name in hints else None
        if got is None:
            got = _subclasses(Node)
        if got:
            out[name] = frozenset(got)
    return out
