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

from dockmod.cst import Add, Cmd, Copy, Entrypoint, Healthcheck, Onbuild, Run, User
from dockmod.ecosystems import Manager
from dockmod.transforms._split.common import (
    RUNTIME_ONLY,
    Ctx,
    Decline,
    Plan,
    comments,
    runtime_image,
    system_run,
)

if TYPE_CHECKING:
    from dockmod.cst import Instruction
    from dockmod.semantic import RunFacts

_KEPT = RUNTIME_ONLY | {"ARG", "ENV", "WORKDIR", "USER"}
_GO_SOURCES = frozenset({".", "./", "go.mod", "go.sum", "go.work", "go.work.sum", "vendor", "vendor/"})
_C_TOOLS = frozenset({"gcc", "g++", "build-essential", "build-base", "musl-dev", "clang"})


def _go_run(facts: RunFacts, workdir: str | None) -> list[str] | str | None:
    """Binaries built (absolute paths), None if not a Go RUN, or a reason."""
    go = [c for c in facts.calls if c.manager is Manager.GO]
    if not go:
        return None
    ids = {id(c.command) for c in go}
    if any(id(cmd) not in ids or cmd.nested for cmd in facts.commands):
        return "a RUN runs go together with other commands; split it first"
    if facts.cds:
        return "a go build after `cd`"
    outs: list[str] = []
    for call in go:
        if call.action == "mod download":
            continue
        if call.action != "build":
            return f"`go {call.action}` puts its result where the Dockerfile does not say"
        opt = call.option("-o")
        if opt is None or not opt.value:
            return "`go build` without `-o` names its binary after the package, which the Dockerfile does not say"
        out = opt.value
        if "$" in out or out.endswith("/"):
            return f"`go build -o {out}` names a directory or a variable"
        if not out.startswith("/"):
            if workdir is None:
                return "the working directory of `go build` is unknown"
            out = posixpath.normpath(posixpath.join(workdir, out))
        outs.append(out)
    return outs


def _cgo(ctx: Ctx, run: Run, facts: RunFacts, installed: set[str]) -> bool:
    env = ctx.model.scope_at(run).get("CGO_ENABLED")
    for cmd in facts.commands:
        for a in cmd.assignments:
            if a.text.startswith("CGO_ENABLED="):
                return a.text != "CGO_ENABLED=0"
    if env is not None:
        return env != "0"
    return bool(installed & _C_TOOLS) or any(p.endswith(("-dev", "-devel")) for p in installed)


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
        got = _go_run(f, ctx.model.scope_at(ins).workdir)
        if isinstance(got, str):
            return Decline("go", got, ins)
        if got is not None:
            builds.append((ins, got))
            cgo = cgo or _cgo(ctx, ins, f, installed)
            continue
        s = system_run(f)
        if isinstance(s, str):
            return Decline("go", s, ins)
        if s is not None:
            installed.update(s.runtime_packages)
            installed.update(w.text for _c, w in s.build)
    binaries = [b for _r, outs in builds for b in outs]
    if not binaries:
        return Decline("go", "no `go build -o <path>` names the binary the runtime needs")
    if any(isinstance(i, Onbuild) for i in body):
        return None
    facts = stage.image_facts
    if facts is None or facts.family != "golang":
        return Decline("go", f"`{stage.image}` is not an official golang image")
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
        runtime = runtime_image(ctx, facts.slim)
        if runtime is None:
            return Decline("go", f"no runtime image is known for `{written}`; set `runtime-images`")
    from dockmod.ecosystems.images import lookup

    rt = lookup(runtime)
    has_shell = rt.has_shell if rt is not None else False
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
            if values and "/" not in values[0] and not _on_path(ctx, ins, values[0], binaries, rt):
                return Decline("go", f"`{values[0]}` is found through the builder's PATH, not the runtime's", ins)
        if isinstance(ins, User) and ins.value is not None:
            user = ins.value.text.split(":")[0]
            if not user.isdigit() and (rt is None or user not in rt.users):
                return Decline("go", f"user `{user}` does not exist in `{runtime}`", ins)
        if n <= last and name not in RUNTIME_ONLY and not isinstance(ins, User):
            builder.append(ctx.text(ins))
        if ins is builds[-1][0]:
            lines = [f"{ctx.kw('COPY')} --from={ctx.builder_name} {b} {b}{ctx.nl}" for b in binaries]
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


def _on_path(ctx: Ctx, ins: Instruction, program: str, binaries: list[str], rt: object) -> bool:
    """``program`` is one of ``binaries`` and its directory is on the runtime's PATH (the
    Dockerfile's own ``ENV PATH`` when it sets one, else the runtime image's)."""
    from dockmod.ecosystems.images import DEFAULT_PATH

    dirs = [posixpath.dirname(b) for b in binaries if posixpath.basename(b) == program]
    if not dirs:
        return True  # not ours: a program of the runtime image, as in the original
    set_by_file = any(getattr(i, "name", "") == "ENV" and "PATH" in i.code for i in ctx.stage.instructions)
    if set_by_file:
        return False  # it may extend the builder image's PATH, which the runtime lacks
    env = getattr(rt, "env", None)
    path = env.get("PATH", DEFAULT_PATH) if env is not None else DEFAULT_PATH
    if not isinstance(path, str):
        return False
    return all(d in path.split(":") for d in dirs)
