"""A readable, indented dump of a tree, for ``dockmod parse FILE`` and debugging."""

from __future__ import annotations

from dockmod.cst._base import Node


def format_tree(node: Node, indent: str = "") -> str:
    lines: list[str] = []
    _fmt(node, indent, lines, None)
    return "\n".join(lines) + "\n"


def _fmt(node: Node, indent: str, lines: list[str], label: str | None) -> None:
    scalars = []
    kids: list[tuple[str, Node | tuple]] = []
    for name in node._field_names:
        v = getattr(node, name)
        if isinstance(v, Node):
            kids.append((name, v))
        elif isinstance(v, tuple):
            if v:
                kids.append((name, v))
        elif v not in ("", None) and name != "escape" or (name == "escape" and v != "\\"):
            scalars.append(f"{name}={v!r}")
    head = f"{label}: " if label else ""
    lines.append(f"{indent}{head}{type(node).__name__}({', '.join(scalars)})")
    for name, v in kids:
        if isinstance(v, Node):
            _fmt(v, indent + "  ", lines, name)
        else:
            lines.append(f"{indent}  {name}:")
            for x in v:
                _fmt(x, indent + "    ", lines, None)
