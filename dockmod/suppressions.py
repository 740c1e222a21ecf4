"""Suppression comments, as hadolint has them.

* ``# dockmod: ignore=DM101,DM202`` (codes or names, optionally followed by ``# reason``)
  in the comment lines directly above an instruction: those transforms neither report
  nor fix that instruction. ``ignore=ALL`` silences every transform there.
* ``# dockmod: skip-file`` on a comment line of its own anywhere: the file is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dockmod.cst.instructions import Instruction
from dockmod.cst.module import Dockerfile

# A comment line's text after '#'. Only comment text is matched, never instruction text.
_IGNORE_RE = re.compile(r"^\s*dockmod:\s*ignore\s*=\s*([A-Za-z0-9_,\s-]+?)\s*(?:#.*)?$")
_SKIP_RE = re.compile(r"^\s*dockmod:\s*skip-file\s*(?:#.*)?$")


def _comments(lines: tuple) -> list[str]:
    return [c for c in (line.comment for line in lines) if c is not None]


def is_skip_file(df: Dockerfile) -> bool:
    for ins in df.body:
        if any(_SKIP_RE.match(c) for c in _comments(ins.leading_lines)):
            return True
    return any(_SKIP_RE.match(c) for c in _comments(df.footer))


def suppressed_codes(df: Dockerfile, resolve: Callable[[str], str | None]) -> dict[int, frozenset[str]]:
    """Codes suppressed per top-level instruction, keyed by ``id(instruction)``.

    ``resolve`` maps a code or name to a code (None for unknown ones, which are ignored).
    Only the comment block directly above the instruction counts (after its last blank line).
    """
    out: dict[int, frozenset[str]] = {}
    for ins in df.body:
        block = _block_above(ins)
        codes: set[str] = set()
        for c in block:
            m = _IGNORE_RE.match(c)
            if not m:
                continue
            for item in m.group(1).split(","):
                item = item.strip()
                if item.upper() == "ALL":
                    codes.add("ALL")
                elif item:
                    code = resolve(item)
                    if code:
                        codes.add(code)
        if codes:
            out[id(ins)] = frozenset(codes)
    return out


def _block_above(ins: Instruction) -> list[str]:
    block: list[str] = []
    for line in ins.leading_lines:
        c = line.comment
        if c is None:
            block = []
        else:
            block.append(c)
    return block
