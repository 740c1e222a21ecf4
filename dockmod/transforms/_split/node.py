"""Node (npm, Yarn classic and berry, pnpm): the builder installs and builds, then prunes
devDependencies; the runtime copies the application directory.

dockmod does not know where a build script writes. What it can know from the Dockerfile
is the directory the installs and builds run in (their ``WORKDIR``): after the prune that
directory holds the sources, the build output and the production ``node_modules``, and the
runtime copies it whole, with the ``--chown`` the original's copies into it had. ``COPY``s
into that directory before the last install/build step are therefore not repeated in the
runtime; everything else is kept in order, as for Python. Native addons built in the
builder run in the runtime because the slim counterpart is the same distribution release.

The prune is the package manager's own (``PRUNE_PRODUCTION`` in
:mod:`dockmod.ecosystems.node`): ``npm prune --omit=dev`` (npm 7+: Node 16 images and
later), ``yarn install --production`` (Yarn classic, which the node images ship:
``NODE_IMAGE_YARN``), ``yarn workspaces focus --all --production`` (Yarn 4+, with
``nodeLinker: node-modules`` in ``.yarnrc.yml``; Plug'n'Play keeps packages in a cache
outside the app directory), ``pnpm prune --prod``. Yarn's version comes from the
Dockerfile (``corepack prepare yarn@4``, ``yarn set version``, ``npm i -g yarn@…``), else,
with ``corepack enable``, from ``packageManager`` in the build context's ``package.json``,
else it is the image's Yarn classic, unless the project may run Yarn 2+ (a ``.yarnrc.yml``
or ``.yarn/``, whose ``yarnPath`` Yarn classic follows, or a ``packageManager`` naming Yarn
2+: declined, the release is not named; :func:`dockmod.semantic.yarn.which_yarn`). ``npm install -g pnpm`` (or yarn, corepack) and
``corepack enable`` set the builder up only: a ``CMD`` that runs pnpm, corepack or a
corepack-managed yarn is declined (run ``node`` directly).

Declined: installs with two package managers, Yarn 2/3, global installs of other packages,
steps in different directories or after ``cd``, and a COPY into the directory whose
``--chown`` differs from another's.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from dockmod.buildcontext.manifests import yarnrc_setting
from dockmod.cst import Add, Cmd, Copy, Entrypoint, Onbuild, Run, User
from dockmod.ecosystems.node import (
    NODE_BUILDER_TOOLS,
    NODE_SETUP_ONLY,
    NODE_SPLIT_ACTIONS,
    PRUNE_MIN_NODE,
    PRUNE_PRODUCTION,
)
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
    unmapped,
)
from dockmod.semantic.yarn import which_yarn

if TYPE_CHECKING:
    from dockmod.cst import Instruction
    from dockmod.ecosystems import PackageManagerCall
    from dockmod.shell import SimpleCommand

_PROGRAMS = frozenset(NODE_SPLIT_ACTIONS)
#: The Yarn switches the split does not read (yet): Yarn 1's ``policies set-version``
#: (as before the Yarn fact moved to :mod:`dockmod.semantic.yarn`; the split then keeps
#: the image's Yarn classic, DM202 does not).
_NOT_READ = frozenset({("yarn", "policies", "set-version")})


def _prog(cmd: SimpleCommand) -> str:
    return cmd.name.rsplit("/", 1)[-1]


def _version(cmd: SimpleCommand) -> bool:
    """``npm --version`` and the like: a check, not a build step."""
    return bool(cmd.args) and all(w.text in ("-v", "--version") for w in cmd.args)


def _words(cmd: SimpleCommand) -> list[str]:
    return [w.text for w in cmd.args if not w.text.startswith("-")]


def _step(cmd: SimpleCommand, call: PackageManagerCall | None, seen: _Seen) -> str | None:
    """Record what one npm/yarn/pnpm/corepack command tells (its row of
    ``NODE_SPLIT_ACTIONS``); the reason it cannot be split."""
    prog = _prog(cmd)
    rule = NODE_SPLIT_ACTIONS[prog]
    words = _words(cmd)
    action = words[0] if words else ""
    if rule.known is not None and action not in rule.known:
        return f"`{prog} {action}` is not a step the split understands"
    if action in rule.changes:
        return f"`{prog} {action}` changes the dependencies the split would copy"
    if action not in rule.install:
        return None
    if rule.named_declined and call is not None and call.info.global_install(call):
        tools = {w.text.split("@", 1)[0]: w.text for w in call.operands}
        if not tools or not set(tools) <= NODE_BUILDER_TOOLS:
            return f"`{prog} install` of named or global packages"
        seen.builder_tools.update(tools)  # a package manager for the builder only
        return None
    if rule.named_declined and (call is None or call.operands):
        return f"`{prog} install` of named or global packages"
    seen.managers.add(prog)
    return None


class _Seen:
    def __init__(self) -> None:
        self.managers: set[str] = set()
        self.builder_tools: dict[str, str] = {}


def _flavour(ctx: Ctx, seen: _Seen, official: bool) -> str | Decline:
    """``npm``, ``pnpm``, ``yarn-classic`` or ``yarn-berry`` (a key of PRUNE_PRODUCTION)."""
    if len(seen.managers) > 1:
        return Decline("node", "dependencies are installed with " + " and ".join(sorted(seen.managers)))
    pm = next(iter(seen.managers), "npm")
    if pm != "yarn":
        return pm
    yarn = which_yarn(ctx.stage, ctx.stage.instructions[1:], ctx.read, programs=_PROGRAMS,
                      ignore=_NOT_READ)
    version = yarn.version
    if version is None and yarn.corepack:
        version = yarn.package_manager
        if version is None:
            return Decline("node (yarn)", "corepack picks Yarn's version from package.json's "
                           "`packageManager`, which the build context does not show")
    if version is None and yarn.generation == "berry":
        # A `.yarnrc.yml` or `.yarn/` (Yarn classic runs the release its `yarnPath` names),
        # or package.json's `packageManager` naming Yarn 2+: which release runs is not named.
        return Decline("node (yarn)", "the project may run Yarn 2+ (" + yarn.reason.split(" (")[0]
                       + "), whose version the Dockerfile does not name")
    if version is None:
        if not official:
            return Decline("node (yarn)", "the Yarn of a non-official image is of unknown version")
        from dockmod.ecosystems.images import NODE_IMAGE_YARN

        return NODE_IMAGE_YARN
    if version == "classic" or version.startswith("1"):
        return "yarn-classic"
    m = re.match(r"(\d+)", version)
    if m is None and version not in ("stable", "berry", "latest"):
        return Decline("node (yarn)", f"Yarn version `{version}` is not known")
    if m is not None and int(m.group(1)) < 4:
        return Decline("node (yarn)", "Yarn 2 and 3 need a plugin for `yarn workspaces focus --production`")
    rc = ctx.read(".yarnrc.yml")
    if rc is None or yarnrc_setting(rc, "nodeLinker") != "node-modules":
        return Decline("node (yarn)", "Yarn Plug'n'Play (the default; `.yarnrc.yml` does not set "
                       "`nodeLinker: node-modules`) loads packages from a cache outside the app directory")
    return "yarn-berry"


def plan(ctx: Ctx) -> Plan | Decline | None:
    stage = ctx.stage
    body = list(stage.instructions[1:])
    npm_runs: list[Instruction] = []
    workdir: str | None = None
    seen = _Seen()
    for ins in body:
        if not isinstance(ins, Run):
            continue
        f = ctx.model.run(ins)
        node_cmds = [cmd for cmd in f.commands if _prog(cmd) in _PROGRAMS and not _version(cmd)]
        if not node_cmds:
            continue
        by_cmd = {id(c.command): c for c in f.calls}
        for cmd in node_cmds:
            reason = _step(cmd, by_cmd.get(id(cmd)), seen)
            if reason is not None:
                return Decline("node", reason, ins)
            if cmd.nested:
                return Decline("node", f"a {_prog(cmd)} step inside a subshell, group or condition", ins)
        ids = {id(cmd) for cmd in node_cmds}
        if len(ids) != len(f.commands) and system_run(f, frozenset(ids)) is None:
            return Decline("node", "a RUN runs npm together with other commands; split it first", ins)
        if f.cds or not f.posix:
            return Decline("node", "an npm step after `cd` or under a non-POSIX SHELL", ins)
        wd = ctx.model.scope_at(ins).workdir
        only_tools = all(_prog(c) == "corepack" or (_prog(c) == "npm" and by_cmd.get(id(c)) is not None
                                                    and by_cmd[id(c)].info.global_install(by_cmd[id(c)]))
                         for c in node_cmds)
        if only_tools and workdir is None:
            npm_runs.append(ins)  # tool set-up before the app directory exists
            continue
        if wd is None or wd == "/" or (workdir is not None and wd != workdir):
            return Decline("node", "npm steps run in an unknown, root or changing directory", ins)
        workdir = wd
        npm_runs.append(ins)
    if not npm_runs or workdir is None:
        return None
    if any(isinstance(i, Onbuild) for i in body):
        return None
    facts = stage.image_facts
    official = facts is not None and facts.family == "node"
    flavour = _flavour(ctx, seen, official)
    if isinstance(flavour, Decline):
        return flavour
    eco = "node" if flavour == "npm" else f"node ({flavour})"
    written = stage.from_.image.text if stage.from_.image else ""
    if "$" in written:
        return Decline(eco, "the base image is named through a variable")
    if official and facts is not None:
        m = re.match(r"(\d+)", facts.reference.split(":", 1)[-1])
        limit = PRUNE_MIN_NODE.get(flavour)
        if limit is not None and m and int(m.group(1)) < limit[0]:
            return Decline(eco, f"`{PRUNE_PRODUCTION[flavour][0]}` needs {limit[1]} (Node {limit[0]} images) or later")
    runtime = runtime_image(ctx, facts.slim if official and facts is not None else None)
    if runtime is None:
        if not official:
            return unmapped(ctx, eco, "an official node image")
        return Decline(eco, f"`{written}` is already a runtime image: a split would not make it smaller")
    for ins in body:
        if isinstance(ins, (Cmd, Entrypoint)) and ins.is_exec_form and ins.command is not None:
            values = ins.command.values  # type: ignore[union-attr]
            prog = values[0].rsplit("/", 1)[-1] if values else ""
        elif isinstance(ins, (Cmd, Entrypoint)):
            prog = ins.code.split()[1] if len(ins.code.split()) > 1 else ""
        else:
            continue
        if prog in NODE_SETUP_ONLY or (prog == "yarn" and flavour != "yarn-classic") or (
                prog in seen.builder_tools):
            return Decline(eco, f"`{prog}` runs the app, and the runtime does not set it up "
                           "(only the builder does): run `node` directly", ins)

    system: dict[int, SystemRun] = {}
    for ins in body:
        if isinstance(ins, Run):
            f = ctx.model.run(ins)
            ids = frozenset(id(cmd) for cmd in f.commands if _prog(cmd) in _PROGRAMS)
            s = system_run(f, ids) if ins in npm_runs else system_run(f)
            if isinstance(s, str):
                return Decline(eco, s, ins)
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
                return Decline(eco, "the destination of this copy is not known", ins)
            if dest == workdir or dest.startswith(workdir.rstrip("/") + "/"):
                chown = ins.flag("chown")
                chowns.add(chown.text if chown is not None else "")
                out.append(comments(ins))
                continue
        s = system.get(id(ins))
        if ins in npm_runs:
            reduced = "" if s is None else reduce_run(ins, ctx.nl, _is_node, frozenset(moved), virtuals)
            if reduced is None:
                return Decline(eco, "the npm steps could not be cut out of this RUN exactly", ins)
            if ins is npm_runs[-1]:
                if len(chowns) > 1:
                    return Decline(eco, "copies into the app directory have different --chown", ins)
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
                return Decline(eco, "the build-only packages could not be removed from this RUN", ins)
            if not reduced and n > last:
                builder.append(ctx.text(ins))
            out.append(reduced or comments(ins))
            continue
        if isinstance(ins, Run) and s is None:
            from dockmod.ecosystems.images import FULL_ONLY_PROGRAMS

            for cmd in ctx.model.run(ins).commands:
                prog = cmd.name.rsplit("/", 1)[-1]
                if prog in moved or (prog in FULL_ONLY_PROGRAMS and prog not in installed):
                    return Decline(eco, f"`{prog}` is in `{written}` but not in the runtime", ins)
        out.append(ctx.text(ins))
    builder.append(f"{ctx.kw('RUN')} {PRUNE_PRODUCTION[flavour][0]}{ctx.nl}")
    notes = [f"the runtime copies {workdir} (sources, build output, production node_modules); "
             "build output written elsewhere is not copied"]
    note = implied_note([p for s in system.values() for p in s.implied])
    if note:
        notes.append(note)
    if "@" in written:
        notes.append(f"the builder stays pinned; pin `{runtime}` too (DM101)")
    return Plan(eco, runtime, builder, out, notes)


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
