"""Why installing dependencies before the whole-context copy may change the image.

DM201 (``reorder_dependency_copy``) rates a reorder safe when the build context proves
three conditions (see its docstring); :func:`unproven` lists those it cannot show.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from dockmod.buildcontext.manifests import go_local_replacements, read_manifests
from dockmod.cst import Add, Copy
from dockmod.ecosystems.steps import IMAGE_TOP_DIRS, InstallNeeds
from dockmod.semantic.copies import copy_landing, copy_text

if TYPE_CHECKING:
    from dockmod.buildcontext import BuildContext


def unproven(install: InstallNeeds, dest_dir: str | None, ctx: BuildContext | None, *, ctx_error: str | None = None,
             self_contained: bool = False, escape: str = "\\", ctx_paths: dict[str, str] | None = None,
             moved: Copy | Add | None = None, moved_cwd: str | None = None) -> list[str]:
    """Why the reorder may change the image; empty when the context proves it does not.

    The three conditions: the manifests are self-contained, the install runs no project
    script, and the copy lays nothing over what the install wrote. ``ctx``: the build
    context (None: not at hand, ``ctx_error`` says why); ``self_contained``: the user
    vouches for the first condition. For a source copy moved below the install
    (``moved``), ``ctx_paths`` maps each manifest to the context file it was copied from.
    Pip includes the context shows are added to ``install.manifests``.
    """
    reasons = list(install.unsafe)
    for name, path in install.env_paths:
        # A file a variable names outside the install's folder: an input the install
        # would miss only when the copy brings it.
        if moved is not None:
            brings = ctx is None or _lands(moved, moved_cwd, escape, ctx, path)
        else:
            brings = dest_dir is None or not dest_dir.startswith("/") or path == dest_dir or \
                path.startswith(dest_dir.rstrip("/") + "/")
        if brings:
            reasons.append(f"`{name}` names `{path}`, which the copy may bring")
    if ctx is None and moved is not None:
        if not self_contained:
            reasons.append("no build context shows that the manifests do not name the moved files")
        reasons.extend(install.scripts)
        if install.writes or install.lock_writes:
            reasons.append(f"no build context shows that `{copy_text(moved)}` lays nothing over what "
                           "the install wrote")
        return reasons
    if ctx is None:
        where = f" ({ctx_error})" if ctx_error else ""
        if not self_contained:
            reasons.append(f"no build context{where} shows that the manifests name no other local files")
        reasons.extend(install.scripts)
        if install.writes:
            written = ", ".join(f"`{w}`" for w in install.writes)
            written = f"none of {written}" if len(install.writes) > 1 else f"no {written}"
            reasons.append(f"no build context{where} shows that the copy lays {written} over the install's")
        locks: dict[str, list[str]] = {}
        for lock, cmd in install.lock_writes:
            locks.setdefault(cmd, []).append(f"`{lock}`")
        for cmd, names in locks.items():
            reasons.append(f"no build context{where} shows that the copy brings no {' or '.join(names)} back over "
                           f"what `{cmd}` may rewrite")
        if dest_dir == "/":
            reasons.append("the sources are copied to `/`, over every folder the install writes")
        return reasons
    src = install.src

    def in_ctx(path: str) -> str:
        if ctx_paths is not None:
            return ctx_paths.get(path, path)
        return path if src == "." else posixpath.join(src, path)

    found, missing = read_manifests({in_ctx(p): o for p, o in install.manifests.items()}, ctx.read,
                                    requirement_files=frozenset(map(in_ctx, install.requirement_files)),
                                    inert=frozenset(map(in_ctx, install.config_paths)), missing=ctx.missing)
    for path in missing:
        reasons.append(ctx.missing(path))
    reasons.extend(found.not_self_contained)
    for name, target in found.folders:
        # A copy that already brings the folder before the install is a manifest copy
        # (see replaced_folders); only the moved copy can take it away.
        if moved is None or _lands(moved, moved_cwd, escape, ctx, posixpath.join(
                dest_dir or "/", folder_in_image(name, target, ctx_paths))):
            reasons.append(f"`{name}` replaces a module with the folder `{target}`")
    for inc in found.includes:
        if ctx_paths is not None:
            if inc not in ctx_paths.values():
                reasons.append(f"a manifest includes `{inc}`, which no manifest copy brings first")
            continue
        rel = inc if src == "." else posixpath.relpath(inc, src)
        if rel.startswith("../"):
            reasons.append(f"`{inc}` is included from outside the copied folder")
        else:
            install.manifests.setdefault(rel, False)
    if install.scripts:
        # The context shows whether the project has scripts the install would run.
        if any(posixpath.basename(p) in ("package.json", "composer.json") for p in install.manifests):
            reasons.extend(found.scripts)
        else:
            reasons.extend(install.scripts)
    if moved is not None:
        # Only the moved copy can lay files over what the install wrote.
        landing = copy_landing(moved, moved_cwd or "/", escape, ctx) or []
        for w in install.writes:
            target = posixpath.join(dest_dir or "/", w)
            for path, from_, tree in landing:
                under = target == path or target.startswith(path.rstrip("/") + "/")
                if under and (from_ is None or ctx.may_send(posixpath.join(from_, posixpath.relpath(target, path)))):
                    reasons.append(f"`{copy_text(moved)}` may lay a `{w}` over what the install wrote")
        for lock, cmd in install.lock_writes:
            target = posixpath.join(dest_dir or "/", lock)
            for path, from_, tree in landing:
                under = target == path or target.startswith(path.rstrip("/") + "/")
                if under and (from_ is None or ctx.may_send(posixpath.join(from_, posixpath.relpath(target, path)))):
                    reasons.append(f"`{cmd}` may rewrite `{lock}`, and `{copy_text(moved)}` would put the "
                                   "context's back over it")
        return reasons
    for w in install.writes:
        if ctx.sends(in_ctx(w)):
            reasons.append(f"the context sends `{w}`, which the copy would lay over what the install "
                           "wrote (exclude it in `.dockerignore`)")
        elif ctx.host_generated(in_ctx(w)):
            reasons.append(f"`.gitignore` lists `{w}`: where it exists on the host, the context sends it and the "
                           "copy would lay it over what the install wrote (exclude it in `.dockerignore`)")
    for lock, cmd in install.lock_writes:
        # Condition 3 for the lock file: the install may rewrite it (out of date with the
        # manifest, an older format), and the copy would put the context's back over it.
        if ctx.sends(in_ctx(lock)):
            reasons.append(f"`{cmd}` may rewrite `{lock}`, and the copy would put the context's back over it")
    if dest_dir == "/":
        for top in IMAGE_TOP_DIRS:
            if ctx.sends(top):
                reasons.append(f"the sources are copied to `/` and the context sends `{top}`")
    return reasons


def replaced_folders(install: InstallNeeds, ctx: BuildContext | None, *,
                     ctx_paths: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    """The local folders the install's go.mod replaces modules with: ``(manifest, target as
    written, folder relative to the install's folder)``. They are inputs of the install
    like its manifests: a copy bringing one before the install must stay there, and a
    manifest copy without them makes the install fail. Empty without a build context.

    ``ctx_paths`` maps a manifest (relative to the install's folder) to the context file
    it was copied from; without it a manifest is read from ``install.src``.
    """
    if ctx is None:
        return []
    out = []
    for path in install.manifests:
        if posixpath.basename(path) != "go.mod":
            continue
        if ctx_paths is not None:
            where = ctx_paths.get(path)
        else:
            where = path if install.src == "." else posixpath.join(install.src, path)
        data = ctx.read(where) if where is not None else None
        if data is None:
            continue
        for target in go_local_replacements(data):
            out.append((where, target, posixpath.normpath(posixpath.join(posixpath.dirname(path), target))))
    return out


def folder_in_image(name: str, target: str, ctx_paths: dict[str, str] | None) -> str:
    """The replaced folder relative to the install's folder (``name``: the context path
    of the go.mod naming it)."""
    manifest = name
    if ctx_paths is not None:
        manifest = next((m for m, p in ctx_paths.items() if p == name), name)
    return posixpath.normpath(posixpath.join(posixpath.dirname(manifest), target))


def _lands(copy: Copy | Add, cwd: str | None, escape: str, ctx: BuildContext, folder: str) -> bool:
    """Whether ``copy`` (run in ``cwd``) may lay files in ``folder`` (an image path)."""
    landing = copy_landing(copy, cwd or "/", escape, ctx)
    if landing is None:
        return True
    target = posixpath.normpath(folder)
    for path, _src, tree in landing:
        if path == target or path.startswith(target.rstrip("/") + "/") or \
                (tree and target.startswith(path.rstrip("/") + "/")):
            return True
    return False
