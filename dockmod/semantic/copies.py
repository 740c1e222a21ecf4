"""Facts about a context ``COPY``/``ADD``: which one copies the whole context or one
folder of it, and where its sources land (resolved against the working directory).

Pure functions of the instruction and the working directory the model resolved
(``Model.scope_at(ins).workdir``); nothing here is guessed: a source or destination
with variables, quotes or globs is not plain and gives None.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from dockmod.cst import Add, Copy, Instruction, Workdir
from dockmod.cst.module import Stage
from dockmod.ecosystems.steps import TOOL_CONFIG
from dockmod.lang.words import LexError, process_word

if TYPE_CHECKING:
    from dockmod.buildcontext import BuildContext
    from dockmod.semantic.model import Model


_NOT_PLAIN = re.compile(r"[$`*?\[\]{}'\"\\ \t]")  # one scan instead of one per character


def plain_path(path: str) -> bool:
    """No variables, quotes, escapes, spaces or glob characters."""
    return bool(path) and _NOT_PLAIN.search(path) is None


def plain_variables(dest: str) -> bool:
    """Only ``$NAME``/``${NAME}`` expansions besides plain path characters."""
    rest = re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*", "", dest)
    return not rest or plain_path(rest)


# A variable, a quote or white space (``\s`` is what ``str.isspace`` calls white space).
_NOT_PLAIN_DEST = re.compile(r"[$'\"\s]")


def plain_destination(c: Copy | Add, escape: str) -> str | None:
    dest = c.destination
    if dest is None:
        return None
    if _NOT_PLAIN_DEST.search(dest) is not None or (escape if c.json is None else "\\") in dest:
        return None
    return dest


def resolve_path(cwd: str, path: str) -> str:
    if path.startswith("/"):
        return posixpath.normpath(path)
    return posixpath.normpath(posixpath.join(cwd, path))


def _word_value(src: str, escape: str) -> str:
    """``process_word`` of a source; raises :class:`LexError` as it does."""
    # Most sources are plain: the lexer appends every character but `$`, quotes, `<` and the
    # escape character unchanged, so without them the word is its own value (saves the lexer).
    if "$" in src or "'" in src or '"' in src or "<" in src or escape in src:
        return process_word(src, escape)
    return src


def folder_copy(ins: Instruction) -> str | None:
    """The context folder a one-source ``COPY``/``ADD`` copies (``.``: the whole context).

    ``ADD`` counts only for ``.`` or a source ending in ``/`` (anything else may be an
    archive it extracts or a URL).
    """
    if not isinstance(ins, (Copy, Add)) or ins.heredocs or ins.flag("from") is not None:
        return None
    if ins.json is None and len(ins.arguments) != 2:
        return None  # not one source and a destination: no word's text is needed
    sources = ins.sources
    if len(sources) != 1:
        return None
    src = sources[0]
    if ins.json is None:
        try:
            src = _word_value(src, ins.arguments[0].escape)
        except LexError:
            return None
    norm = posixpath.normpath(src) if src else ""
    if norm == ".":
        return "."
    if isinstance(ins, Add) and not src.endswith("/"):
        return None
    if not plain_path(src) or norm.startswith("..") or norm.startswith("/") or "://" in src:
        return None
    return norm


def whole_context(ins: Instruction) -> bool:
    """``COPY . .``/``ADD ./ /app``: one source that is the context root, from the context."""
    if not isinstance(ins, (Copy, Add)) or ins.heredocs or ins.flag("from") is not None:
        return False
    sources = ins.sources
    if len(sources) != 1:
        return False
    src = sources[0]
    if ins.json is None:
        try:
            src = _word_value(src, ins.arguments[0].escape)
        except LexError:
            return False
    return posixpath.normpath(src) == "."


def copy_landing(c: Copy | Add, cwd: str, escape: str,
             ctx: BuildContext | None) -> list[tuple[str, str | None, bool]] | None:
    """Where a context copy's sources land: (absolute path, context source, whole tree).

    ``tree``: everything below the path may come from the copy (a folder's contents).
    None when a source or the destination is not plain.
    """
    dest = plain_destination(c, escape)
    if dest is None:
        return None
    target = resolve_path(cwd, dest)
    sources = c.sources
    into_dir = dest.endswith("/") or len(sources) > 1 or posixpath.normpath(dest) in (".", "..")
    out: list[tuple[str, str | None, bool]] = []
    for raw in sources:
        if not plain_path(raw) or "://" in raw:
            return None
        src = posixpath.normpath(raw)
        if src.startswith("..") or src.startswith("/"):
            return None
        if ctx is not None:
            folder = ctx.is_dir(src)
        else:
            folder = raw.endswith("/") or "." not in posixpath.basename(src)
        if folder:
            # A folder's contents land in the destination itself.
            out.append((target, src, True))
        elif into_dir:
            out.append((posixpath.join(target, posixpath.basename(src)), src, False))
        else:
            # `COPY a.txt /app`: /app/a.txt when /app is a folder already, else /app.
            out.append((target, src, False))
            out.append((posixpath.join(target, posixpath.basename(src)), src, False))
    return out


def copied_before(stage: Stage, i: int, dest_dir: str | None, workdirs: list[str], escape: str) -> list[str]:
    """Source patterns earlier plain COPYs put into ``dest_dir`` (relative to it)."""
    out = []
    for k, x in enumerate(stage.instructions[:i]):
        if not isinstance(x, Copy) or x.flag("from") is not None or x.heredocs or whole_context(x):
            continue
        dest = plain_destination(x, escape)
        if dest is None or len(x.paths) < 2:
            continue
        target = resolve_path(workdirs[k], dest)
        for src in x.sources:
            if not plain_path(src.replace("*", "").replace("?", "")):
                continue
            into_dir = dest.endswith("/") or posixpath.normpath(dest) in (".", "..") \
                or len(x.sources) > 1 or "*" in src or "?" in src
            # Into a directory the file keeps its name; ``COPY a.txt /x/b.txt`` writes b.txt.
            landed = posixpath.join(target, posixpath.basename(posixpath.normpath(src))) if into_dir else target
            rel = posixpath.relpath(landed, dest_dir) if dest_dir is not None else None
            if rel is not None and not rel.startswith(".."):
                out.append(rel)
    return out


def project_files(landing: list[tuple[str, str | None, bool]], cwd: str) -> bool:
    """Every path lands inside the project folder ``cwd`` (not ``/``), and none is a dot
    file at its top, where tools look for their configuration (``.npmrc``, ``.mvn/``,
    ``.bundle/``…); nor a named config file (``auth.json``, ``settings.xml``…)."""
    if cwd == "/" or not cwd.startswith("/"):
        return False
    inside = cwd.rstrip("/") + "/"
    for path, _, _ in landing:
        if not path.startswith(inside):
            return False
        top = path[len(inside):].split("/")[0]
        if top.startswith(".") or top in TOOL_CONFIG:
            return False
    return True


# Copy flags that mean the same on an inserted COPY of some of the same sources.
CARRIED_COPY_FLAGS = frozenset({"chown", "chmod", "link"})
# Instructions a COPY may cross unconditionally: they change nothing a COPY reads
# (WORKDIR, ENV and ARG change a relative destination or variables, so they are not here).
COPY_NEUTRAL = frozenset({"USER", "LABEL", "EXPOSE", "CMD", "ENTRYPOINT", "STOPSIGNAL", "HEALTHCHECK",
                          "MAINTAINER", "SHELL", "ONBUILD", "VOLUME"})
# Instructions a RUN may move across without a change to what it runs with.
RUN_NEUTRAL = frozenset({"LABEL", "EXPOSE", "CMD", "ENTRYPOINT", "STOPSIGNAL", "HEALTHCHECK", "MAINTAINER"})


def copy_text(c: Instruction) -> str:
    """``COPY src dst`` as a finding shows a COPY/ADD (keyword and paths, no flags)."""
    assert isinstance(c, (Copy, Add))
    return " ".join([c.name, *c.paths])


def stage_workdirs(model: Model, stage: Stage) -> list[str]:
    """The working directory at each instruction of ``stage``, from the model.

    Where the model does not know it (a base image's WORKDIR, a variable), it stands for
    "whatever the last WORKDIR before it (or the base) set": ``~`` plus that
    instruction's index, so two paths only compare equal when the same instructions set
    them.
    """
    out = []
    root = "~"
    for n, ins in enumerate(stage.instructions):
        if isinstance(ins, Workdir):
            root = f"~{n}"
        known = model.scope_at(ins).workdir
        out.append(known if known is not None else root)
    return out
