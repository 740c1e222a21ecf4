"""Go: the builder compiles; the runtime holds the binaries and nothing else.

A build that shows no sign of cgo (no ``CGO_ENABLED=1``, no C toolchain or ``-dev``
package installed) gets ``ENV CGO_ENABLED=0`` in the builder, so the binary is static and
runs on a base without libc: the table's runtime for the builder image
(``gcr.io/distroless/static-debian12``; ``alpine`` for an alpine builder), or the
``runtime-images`` option. A program that does need cgo then fails to *build*, loudly,
instead of shipping. A build that uses cgo keeps glibc and gets a Debian slim runtime of
the same release, which only a tag naming the release (``golang:1.22-bookworm``) tells.

The runtime cannot run a shell (distroless has none), so the split declines files with
RUNs besides the Go and system-package ones, shell-form ``CMD``/``ENTRYPOINT``/
``HEALTHCHECK``, a ``USER`` the runtime image does not have, or ``COPY``s of anything but
Go sources (those might be files the program reads at run time).
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from dockmod.buildcontext.manifests import go_module_path, go_package_clause
from dockmod.cst import Add, Cmd, Copy, Entrypoint, Healthcheck, Onbuild, Run, User
from dockmod.ecosystems import Manager
from dockmod.ecosystems.go import binary_name
from dockmod.ecosystems.system import C_TOOLCHAIN, HEADER_SUFFIXES
from dockmod.transforms._split.common import (
    RUNTIME_ONLY,
    Ctx,
    Decline,
    Plan,
    comments,
    runtime_image,
    system_run,
    unmapped,
)

if TYPE_CHECKING:
    from dockmod.cst import Instruction
    from dockmod.semantic import RunFacts

_KEPT = RUNTIME_ONLY | {"ARG", "ENV", "WORKDIR", "USER"}
_GO_SOURCES = frozenset({".", "./", "go.mod", "go.sum", "go.work", "go.work.sum", "vendor", "vendor/"})


def _go_run(ctx: Ctx, run: Instruction, facts: RunFacts) -> list[str] | str | None:
    """Binaries built (absolute paths), None if not a Go RUN, or a reason."""
    go = [c for c in facts.calls if c.manager is Manager.GO]
    if not go:
        return None
    ids = {id(c.command) for c in go}
    if any(id(cmd) not in ids or cmd.nested for cmd in facts.commands):
        return "a RUN runs go together with other commands; split it first"
    if facts.cds:
        return "a go build after `cd`"
    scope = ctx.model.scope_at(run)
    workdir = scope.workdir
    outs: list[str] = []
    for call in go:
        if call.action == "mod download":
            continue
        if call.action not in ("build", "install"):
            return f"`go {call.action}` puts its result where the Dockerfile does not say"
        if workdir is None:
            return f"the working directory of `go {call.action}` is unknown"
        opt = call.option("-o") if call.action == "build" else None
        if opt is not None and opt.value and not opt.value.endswith("/"):
            out = opt.value
            if "$" in out:
                return f"`go build -o {out}` names a variable"
            outs.append(posixpath.normpath(posixpath.join(workdir, out)))
            continue
        if opt is not None and (not opt.value or "$" in opt.value):
            return "`go build -o` names a variable"
        if call.action == "build":
            where = posixpath.join(workdir, opt.value) if opt is not None and opt.value else workdir
        else:
            where = _bin_dir(scope)
            if where is None:
                return "`go install` writes to $GOBIN or $GOPATH/bin, which are not known here"
        names = _names(ctx, run, call, workdir)
        if isinstance(names, str):
            return names
        if call.action == "build" and len(names) > 1 and opt is None:
            return "`go build` of several packages without `-o DIR/` writes no binary"
        outs.extend(posixpath.normpath(posixpath.join(where, n)) for n in names)
    return outs


def _bin_dir(scope: object) -> str | None:
    """Where ``go install`` puts binaries (``INSTALL_DIR_VARS``: ``$GOBIN``, else ``$GOPATH/bin``)."""
    from dockmod.ecosystems.go import INSTALL_DIR_VARS

    for name, suffix in INSTALL_DIR_VARS:
        value = scope.get(name)  # type: ignore[attr-defined]
        if isinstance(value, str) and value and "$" not in value and ":" not in value:
            return value.rstrip("/") + suffix
        if value is not None:
            return None
    return None


def _names(ctx: Ctx, run: Instruction, call: object, workdir: str) -> list[str] | str:
    """The binaries' names: "the last non-major-version component of the package import
    path" (``go help build``). A remote ``pkg@version`` is a build tool (not copied); ``.``
    needs the module path from go.mod in the build context; ``./...`` is declined."""
    names: list[str] = []
    pkgs = [w.text for w in call.operands] or ["."]  # type: ignore[attr-defined]
    for pkg in pkgs:
        if "@" in pkg:
            continue  # `go install tool@version`: a tool for the builder
        if pkg in ("./...", "...") and call.action == "install":  # type: ignore[attr-defined]
            found = _main_packages(ctx, run, workdir)
            if found is None:
                return f"`go install {pkg}` installs the main packages of the build context, which is not at hand"
            names.extend(found)
            continue
        if "..." in pkg or "$" in pkg:
            return f"`go {call.action} {pkg}` builds packages the Dockerfile does not name"  # type: ignore[attr-defined]
        if pkg.startswith(".") or pkg.startswith("/"):
            rel = posixpath.normpath(pkg)
            if rel == ".":
                module = _module_path(ctx, run, workdir)
                if module is None:
                    return (f"`go {call.action}` names its binary after go.mod's module path, which the "  # type: ignore[attr-defined]
                            "build context does not show")
                pkg = module
            else:
                pkg = rel
        name = binary_name(pkg)
        if name is None:
            return f"`go {call.action} {pkg}` names no package"  # type: ignore[attr-defined]
        names.append(name)
    return names


def _main_packages(ctx: Ctx, run: Instruction, workdir: str) -> list[str] | None:
    """The binaries ``go install ./...`` writes: one per folder of the build context whose
    Go files say ``package main`` (test files, ``//go:build ignore`` files, ``testdata``,
    ``vendor`` and folders starting with ``.`` or ``_`` excluded, as ``go`` does). None when
    the context is not the working directory's or go.mod is missing."""
    import os

    module = _module_path(ctx, run, workdir)
    bc = ctx.build_context
    if module is None or bc is None or not _copies_root(ctx, run, workdir, whole=True):
        return None
    root = bc.root  # type: ignore[attr-defined]
    names: list[str] = []
    seen = 0
    for here, dirs, files in os.walk(root):
        rel = os.path.relpath(here, root).replace(os.sep, "/")
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")) and d not in ("testdata", "vendor")
                         and not bc.excluded(posixpath.join(rel, d) if rel != "." else d))  # type: ignore[attr-defined]
        for name in sorted(files):
            if not name.endswith(".go") or name.endswith("_test.go"):
                continue
            seen += 1
            if seen > 5000:
                return None
            raw = bc.read(name if rel == "." else f"{rel}/{name}")  # type: ignore[attr-defined]
            if raw is not None and go_package_clause(raw) == "main":
                name = binary_name(module if rel == "." else f"{module}/{rel}")
                if name is not None:
                    names.append(name)
                break
    return names or None


def _copies_root(ctx: Ctx, run: Instruction, workdir: str, *, whole: bool = False) -> bool:
    """A COPY before ``run`` puts the context root (or, unless ``whole``, go.mod) in ``workdir``."""
    for ins in ctx.stage.instructions:
        if ins is run:
            break
        if isinstance(ins, Copy) and ins.flag("from") is None and ins.destination is not None:
            dest = ins.destination
            if not dest.startswith("/"):
                wd = ctx.model.scope_at(ins).workdir
                dest = posixpath.join(wd, dest) if wd else ""
            ok = (".", "") if whole else (".", "", "go.mod")
            if posixpath.normpath(dest) == posixpath.normpath(workdir) and any(
                    s.rstrip("/") in ok for s in ins.sources):
                return True
    return False


def _module_path(ctx: Ctx, run: Instruction, workdir: str) -> str | None:
    """``module`` of the build context's go.mod, when the stage copies the context root (or
    go.mod) into ``workdir``."""
    copied = _copies_root(ctx, run, workdir)
    raw = ctx.read("go.mod") if copied else None
    return go_module_path(raw) if raw is not None else None


def _cgo(ctx: Ctx, run: Run, installed: set[str]) -> bool:
    """A build uses cgo: ``CGO_ENABLED`` where ``go build``/``go install`` runs says so,
    else a C toolchain or header package is installed (cgo is on by default where a C
    compiler is found: ``C_TOOLCHAIN``)."""
    toolchain = bool(installed & C_TOOLCHAIN) or any(p.endswith(HEADER_SUFFIXES) for p in installed)
    for call in ctx.model.run(run).calls:
        if call.manager is Manager.GO and call.action in ("build", "install"):
            value = ctx.env(run, call.command, "CGO_ENABLED")
            if toolchain if value is None else value != "0":
                return True
    return False


def plan(ctx: Ctx) -> Plan | Decline | None:
    stage = ctx.stage
    body = list(stage.instructions[1:])
    builds: list[tuple[Instruction, list[str]]] = []
    installed: set[str] = set()
    cgo = False
    if not any(isinstance(ins, Run) and any(c.manager is Manager.GO for c in ctx.model.run(ins).calls)
               for ins in body):
        return None
    for ins in body:
        if not isinstance(ins, Run):
            continue
        f = ctx.model.run(ins)
        got = _go_run(ctx, ins, f)
        if isinstance(got, str):
            return Decline("go", got, ins)
        if got is not None:
            builds.append((ins, got))
            cgo = cgo or _cgo(ctx, ins, installed)
            continue
        s = system_run(f)
        if isinstance(s, str):
            return Decline("go", s, ins)
        if s is not None:
            installed.update(s.runtime_packages)
            installed.update(w.text for _c, w in s.build)
    binaries = [b for _r, outs in builds for b in outs]
    if not binaries:
        return Decline("go", "no `go build` or `go install` names a binary the runtime needs")
    if any(isinstance(i, Onbuild) for i in body):
        return None
    facts = stage.image_facts
    official = facts is not None and facts.family == "golang"
    written = stage.from_.image.text if stage.from_.image else ""
    if "$" in written:
        return Decline("go", "the base image is named through a variable")
    if cgo:
        from dockmod.ecosystems.images import glibc_runtime

        runtime = runtime_image(ctx, glibc_runtime(written))
        if runtime is None:
            return Decline("go", "the build uses cgo, and the tag does not name the Debian release "
                           "whose glibc the runtime needs; set `runtime-images`")
    else:
        runtime = runtime_image(ctx, facts.slim if official and facts is not None else None)
        if runtime is None:
            if not official:
                return unmapped(ctx, "go", "an official golang image")
            return Decline("go", f"no runtime image is known for `{written}`; set `runtime-images`")
    from dockmod.ecosystems.images import lookup

    rt = lookup(runtime)
    has_shell = rt.has_shell if rt is not None else False
    # `go install` binaries sit in a folder on the builder image's PATH (/go/bin): a CMD
    # naming one bare finds it in the runtime once that folder is on its PATH too.
    path_dirs = _path_dirs(body, binaries, facts, rt)
    last = body.index(builds[-1][0])
    build_runs = {id(r) for r, _o in builds}
    builder: list[str] = []
    if not cgo and ctx.model.scope_at(builds[0][0]).get("CGO_ENABLED") is None:
        builder.append(f"{ctx.kw('ENV')} CGO_ENABLED=0{ctx.nl}")
    out: list[str] = []
    for n, ins in enumerate(body):
        name = ins.name
        if isinstance(ins, Run):
            if n > last:
                return Decline("go", "a RUN after the build would need a shell in the runtime", ins)
            if id(ins) not in build_runs and system_run(ctx.model.run(ins)) is None:
                return Decline("go", "this RUN may prepare files the runtime needs, and the runtime "
                               "image has no shell to repeat it", ins)
        if isinstance(ins, Add) or (isinstance(ins, Copy) and (ins.flag("from") or not all(
                s in _GO_SOURCES or s.endswith(".go") for s in ins.sources))):
            return Decline("go", "this copies files that may be needed at run time; the runtime "
                           "would hold only the binaries", ins)
        if isinstance(ins, (Cmd, Entrypoint, Healthcheck)) and not has_shell and _shell_form(ins):
            return Decline("go", f"shell-form {name} needs a shell, which `{runtime}` lacks", ins)
        if isinstance(ins, (Cmd, Entrypoint)) and ins.is_exec_form and ins.command is not None:
            values = ins.command.values  # type: ignore[union-attr]
            if values and "/" not in values[0] and not _on_path(ctx, ins, values[0], binaries, rt, path_dirs):
                return Decline("go", f"`{values[0]}` is found through the builder's PATH, not the runtime's", ins)
        if isinstance(ins, User) and ins.value is not None:
            user = ins.value.text.split(":")[0]
            if not user.isdigit() and (rt is None or user not in rt.users):
                return Decline("go", f"user `{user}` does not exist in `{runtime}`", ins)
        if n <= last and name not in RUNTIME_ONLY and not isinstance(ins, User):
            builder.append(ctx.text(ins))
        if ins is builds[-1][0]:
            lines = [f"{ctx.kw('COPY')} --from={ctx.builder_name} {b} {b}{ctx.nl}" for b in binaries]
            if path_dirs:
                lines.append(f'{ctx.kw("ENV")} PATH="{":".join(path_dirs)}:$PATH"{ctx.nl}')
            out.append(comments(ins) + "".join(lines))
        elif name in _KEPT:
            out.append(ctx.text(ins))
        else:
            out.append(comments(ins))
    notes = [f"the runtime holds only {', '.join(binaries)}; files the program reads at run time "
             "must be copied too"]
    if not cgo:
        notes.append("built with CGO_ENABLED=0")
    if "@" in written:
        notes.append(f"the builder stays pinned; pin `{runtime}` too (DM101)")
    return Plan("go", runtime, builder, out, notes)


def _shell_form(ins: Instruction) -> bool:
    from dockmod.cst import JsonArray

    if isinstance(ins, Healthcheck):
        kind = ins.type.text.upper() if ins.type is not None else ""
        return kind == "CMD" and not isinstance(ins.command, JsonArray)
    return ins.command is not None and not ins.is_exec_form  # type: ignore[attr-defined]


def _path_dirs(body: list[Instruction], binaries: list[str], facts: object, rt: object) -> list[str]:
    """Folders of ``binaries`` that a CMD/ENTRYPOINT finds through the builder image's PATH
    and that the runtime image's PATH lacks (none when the file sets PATH itself)."""
    from dockmod.ecosystems.images import DEFAULT_PATH

    if any(getattr(i, "name", "") == "ENV" and "PATH" in i.code for i in body):
        return []
    env = getattr(facts, "env", None)
    builder_path = env.get("PATH") if env is not None else None
    rt_env = getattr(rt, "env", None)
    rt_path = rt_env.get("PATH", DEFAULT_PATH) if rt_env is not None else DEFAULT_PATH
    if not isinstance(builder_path, str) or not isinstance(rt_path, str):
        return []
    dirs: list[str] = []
    for ins in body:
        if isinstance(ins, (Cmd, Entrypoint)) and ins.is_exec_form and ins.command is not None:
            values = ins.command.values  # type: ignore[union-attr]
            for b in binaries:
                d = posixpath.dirname(b)
                if (values and posixpath.basename(b) == values[0] and d in builder_path.split(":")
                        and d not in rt_path.split(":") and d not in dirs):
                    dirs.append(d)
    return dirs


def _on_path(ctx: Ctx, ins: Instruction, program: str, binaries: list[str], rt: object,
             added: list[str]) -> bool:
    """``program`` is one of ``binaries`` and its directory is on the runtime's PATH (the
    Dockerfile's own ``ENV PATH`` when it sets one, else the runtime image's)."""
    from dockmod.ecosystems.images import DEFAULT_PATH

    dirs = [posixpath.dirname(b) for b in binaries if posixpath.basename(b) == program]
    if not dirs:
        return True  # not ours: a program of the runtime image, as in the original
    if all(d in added for d in dirs):
        return True
    set_by_file = any(getattr(i, "name", "") == "ENV" and "PATH" in i.code for i in ctx.stage.instructions)
    if set_by_file:
        return False  # it may extend the builder image's PATH, which the runtime lacks
    env = getattr(rt, "env", None)
    path = env.get("PATH", DEFAULT_PATH) if env is not None else DEFAULT_PATH
    if not isinstance(path, str):
        return False
    return all(d in path.split(":") for d in dirs)
