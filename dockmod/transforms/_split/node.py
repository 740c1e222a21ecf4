"""Node (npm): the builder installs and builds, then prunes devDependencies; the runtime
copies the application directory.

dockmod cannot read ``package.json``, so it cannot know where a build script writes. What
it can know from the Dockerfile is the directory the installs and builds run in (their
``WORKDIR``): after ``npm prune --omit=dev`` that directory holds the sources, the build
output and the production ``node_modules``, and the runtime copies it whole, with the
``--chown`` the original's copies into it had. ``COPY``s into that directory before the
last npm step are therefore not repeated in the runtime; everything else is kept in order,
as for Python. ``npm prune --omit=dev`` needs npm 7 or later (Node 16 images and later);
native addons built in the builder run in the runtime because the slim counterpart is the
same distribution release.

Declined: yarn and pnpm (their prune differs by major version, which the Dockerfile does not
say), global installs (``npm install -g``), npm steps in different directories or after
``cd``, and a COPY into the directory whose ``--chown`` differs from another's.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from dockmod.cst import Add, Copy, Onbuild, Run, User
from dockmod.transforms._split.common import (
    RUNTIME_ONLY,
    Ctx,
    Decline,
    Plan,
    SystemRun,
    comments,
    implied_note,
    package_name,
    reduce_run,
    runtime_image,
    system_run,
)

if TYPE_CHECKING:
    from dockmod.cst import Instruction
    from dockmod.ecosystems import PackageManagerCall
    from dockmod.shell import SimpleCommand

_PROGRAMS = frozenset({"npm", "npx", "yarn", "pnpm", "corepack"})
_NPM_ACTIONS = frozenset({"ci", "install", "i", "run", "run-script", "prune", "cache", "rebuild", "test"})


def _prog(cmd: SimpleCommand) -> str:
    return cmd.name.rsplit("/", 1)[-1]


def _version(cmd: SimpleCommand) -> bool:
    """``npm --version`` and the like: a check, not a build step."""
    return bool(cmd.args) and all(w.text in ("-v", "--version") for w in cmd.args)


def plan(ctx: Ctx) -> Plan | Decline | None:
    stage = ctx.stage
    body = list(stage.instructions[1:])
    npm_runs: list[Instruction] = []
    workdir: str | None = None
    for ins in body:
        if not isinstance(ins, Run):
            continue
        f = ctx.model.run(ins)
        node_cmds = [cmd for cmd in f.commands if _prog(cmd) in _PROGRAMS and not _version(cmd)]
        if not node_cmds:
            continue
        by_cmd = {id(c.command): c for c in f.calls}
        for cmd in node_cmds:
            prog = _prog(cmd)
            if prog != "npm" and prog != "npx":
                return Decline("node", f"`{prog}` builds are not split yet (only npm)", ins)
            action = next((w.text for w in cmd.args if not w.text.startswith("-")), "")
            if prog == "npm" and action not in _NPM_ACTIONS:
                return Decline("node", f"`npm {action}` is not a step the split understands", ins)
            call = by_cmd.get(id(cmd))
            if action in ("install", "i") and (call is None or call.operands
                                               or call.has_option("-g", "--global")):
                return Decline("node", "`npm install` of named or global packages", ins)
            if cmd.nested:
                return Decline("node", "an npm step inside a subshell, group or condition", ins)
        ids = {id(cmd) for cmd in node_cmds}
        if len(ids) != len(f.commands) and system_run(f, frozenset(ids)) is None:
            return Decline("node", "a RUN runs npm together with other commands; split it first", ins)
        if f.cds or not f.posix:
            return Decline("node", "an npm step after `cd` or under a non-POSIX SHELL", ins)
        wd = ctx.model.scope_at(ins).workdir
        if wd is None or wd == "/" or (workdir is not None and wd != workdir):
            return Decline("node", "npm steps run in an unknown, root or changing directory", ins)
        workdir = wd
        npm_runs.append(ins)
    if not npm_runs or workdir is None:
        return None
    if any(isinstance(i, Onbuild) for i in body):
        return None
    facts = stage.image_facts
    if facts is None or facts.family != "node":
        return Decline("node", f"`{stage.image}` is not an official node image")
    written = stage.from_.image.text if stage.from_.image else ""
    if "$" in written:
        return Decline("node", "the base image is named through a variable")
    m = re.match(r"(\d+)", facts.reference.split(":", 1)[-1])
    if m and int(m.group(1)) < 16:
        return Decline("node", "`npm prune --omit=dev` needs npm 7 (Node 16 images) or later")
    runtime = runtime_image(ctx, facts.slim)
    if runtime is None:
        return Decline("node", f"`{written}` is already a runtime image: a split would not make it smaller")

    system: dict[int, SystemRun] = {}
    for ins in body:
        if isinstance(ins, Run):
            f = ctx.model.run(ins)
            ids = frozenset(id(cmd) for cmd in f.commands if _prog(cmd) in _PROGRAMS)
            s = system_run(f, ids) if ins in npm_runs else system_run(f)
            if isinstance(s, str):
                return Decline("node", s, ins)
            if s is not None:
                system[id(ins)] = s
    moved = {package_name(w.text) for s in system.values() for _c, w in s.build}
    virtuals = frozenset(v for s in system.values() for v in s.virtuals)
    installed = {p for s in system.values() for p in s.runtime_packages}

    last = body.index(npm_runs[-1])
    chowns: set[str] = set()
    builder: list[str] = []
    out: list[str] = []
    for n, ins in enumerate(body):
        if n <= last and ins.name not in RUNTIME_ONLY and not isinstance(ins, User):
            builder.append(ctx.text(ins))
        if isinstance(ins, (Copy, Add)) and n < last and not ins.flag("from"):
            dest = _destination(ctx, ins)
            if dest is None:
                return Decline("node", "the destination of this copy is not known", ins)
            if dest == workdir or dest.startswith(workdir.rstrip("/") + "/"):
                chown = ins.flag("chown")
                chowns.add(chown.text if chown is not None else "")
                out.append(comments(ins))
                continue
        s = system.get(id(ins))
        if ins in npm_runs:
            reduced = "" if s is None else reduce_run(ins, ctx.nl, _is_node, frozenset(moved), virtuals)
            if reduced is None:
                return Decline("node", "the npm steps could not be cut out of this RUN exactly", ins)
            if ins is npm_runs[-1]:
                if len(chowns) > 1:
                    return Decline("node", "copies into the app directory have different --chown", ins)
                chown = next(iter(chowns), "")
                flag = f"{chown} " if chown else ""
                copy = f"{ctx.kw('COPY')} --from={ctx.builder_name} {flag}{workdir} {workdir}{ctx.nl}"
                out.append((reduced or comments(ins)) + copy)
            else:
                out.append(reduced or comments(ins))
            continue
        if s is not None and (s.build or moved):
            reduced = reduce_run(ins, ctx.nl, _never, frozenset(moved), virtuals)
            if reduced is None:
                return Decline("node", "the build-only packages could not be removed from this RUN", ins)
            if not reduced and n > last:
                builder.append(ctx.text(ins))
            out.append(reduced or comments(ins))
            continue
        if isinstance(ins, Run) and s is None:
            from dockmod.ecosystems.images import FULL_ONLY_PROGRAMS

            for cmd in ctx.model.run(ins).commands:
                prog = cmd.name.rsplit("/", 1)[-1]
                if prog in moved or (prog in FULL_ONLY_PROGRAMS and prog not in installed):
                    return Decline("node", f"`{prog}` is in `{written}` but not in the runtime", ins)
        out.append(ctx.text(ins))
    builder.append(f"{ctx.kw('RUN')} npm prune --omit=dev{ctx.nl}")
    notes = [f"the runtime copies {workdir} (sources, build output, production node_modules); "
             "build output written elsewhere is not copied"]
    note = implied_note([p for s in system.values() for p in s.implied])
    if note:
        notes.append(note)
    if "@" in written:
        notes.append(f"the builder stays pinned; pin `{runtime}` too (DM101)")
    return Plan("node", runtime, builder, out, notes)


def _destination(ctx: Ctx, ins: Copy | Add) -> str | None:
    dest = ins.destination
    if dest is None or "$" in dest:
        return None
    if not dest.startswith("/"):
        wd = ctx.model.scope_at(ins).workdir
        if wd is None:
            return None
        dest = posixpath.join(wd, dest)
    return posixpath.normpath(dest)


def _is_node(cmd: SimpleCommand, call: PackageManagerCall | None) -> bool:
    return _prog(cmd) in _PROGRAMS


def _never(cmd: object, call: PackageManagerCall | None) -> bool:
    return False
