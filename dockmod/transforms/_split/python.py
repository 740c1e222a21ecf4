"""Python: pip installs move into a virtualenv the runtime copies.

Why a virtualenv and not wheels: the virtualenv at ``/opt/venv`` is the exact set of
packages the original build resolved and installed, console scripts and the project itself
(``pip install .``, ``-e .``) included, so the runtime needs neither pip nor the network,
resolves nothing a second time, and its ``pip freeze`` is the original's. Wheels
(``pip wheel --wheel-dir=/wheels``) need a second ``pip install --no-index`` in the runtime,
which re-resolves, and the wheels then sit in a ``COPY`` layer of the runtime (or in a
``RUN --mount=from=builder``, which buildah 1.28 mounts empty when the builder came from the
layer cache: containers/buildah#4375). One directory copied by name is the simpler artifact.

The builder is the original image with every instruction up to the last pip install,
minus what only shapes the shipped image (``USER``, ``EXPOSE``, ``CMD`` …), so installs run
as root into ``/opt/venv``. The runtime is the slim counterpart with every original
instruction in order, except that the pip installs become one
``COPY --from=builder /opt/venv /opt/venv`` and build-only system packages are dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockmod.cst import Onbuild, Run, User
from dockmod.ecosystems import Manager
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
    from dockmod.semantic import RunFacts

VENV = "/opt/venv"
_PYTHON_MANAGERS = frozenset({Manager.PIP, Manager.UV, Manager.POETRY, Manager.PIPENV})
# pip options that put packages somewhere else than the active environment.
_RELOCATING = ("--user", "--target", "-t", "--prefix", "--root")


def _pip_ids(facts: RunFacts) -> frozenset[int]:
    return frozenset(id(c.command) for c in facts.calls if c.manager in _PYTHON_MANAGERS)


def _pip_run(facts: RunFacts) -> str | bool:
    """True: the RUN installs with pip (alone, or between system-package commands, which
    :func:`~dockmod.transforms._split.common.system_run` then judges); False: no Python
    package manager; else the reason it cannot be split."""
    py = [c for c in facts.calls if c.manager in _PYTHON_MANAGERS]
    if not py:
        return False
    for call in py:
        if call.manager is not Manager.PIP:
            return f"`{call.manager.value}` installs are not split yet (only pip)"
        if call.action != "install":
            return f"`pip {call.action}` is not an install the split understands"
        if call.program and "/" in call.program[0].text:
            return f"`{call.program[0].text}` names a pip outside the virtualenv's PATH"
        for opt in _RELOCATING:
            if call.has_option(opt):
                return f"`pip install {opt}` installs outside the environment"
        if call.command.nested:
            return "a pip install inside a subshell, group or condition"
    if len(py) != len(facts.commands) and system_run(facts, _pip_ids(facts)) is None:
        return "a RUN runs pip together with commands other than system-package installs; split it first"
    return True


def plan(ctx: Ctx) -> Plan | Decline | None:
    stage = ctx.stage
    body = list(stage.instructions[1:])
    facts_of: dict[int, RunFacts] = {}
    pip_runs: list[Instruction] = []
    for ins in body:
        if isinstance(ins, Run):
            f = ctx.model.run(ins)
            facts_of[id(ins)] = f
            words = f.exec_form or ()
            if (words and any("pip" in w for w in words[:3])) or (not f.posix and "pip" in ins.code):
                return Decline("python", "a pip install in exec form or under a non-POSIX SHELL", ins)
            kind = _pip_run(f)
            if isinstance(kind, str):
                return Decline("python", kind, ins)
            if kind:
                pip_runs.append(ins)
    if not pip_runs:
        return None
    facts = stage.image_facts
    if any(isinstance(i, Onbuild) for i in body):
        return None
    if facts is None or facts.family != "python":
        return Decline("python", f"`{stage.image}` is not an official python image, so its runtime "
                       "counterpart and its venv module are unknown")
    written = stage.from_.image.text if stage.from_.image else ""
    if "$" in written:
        return Decline("python", "the base image is named through a variable")
    runtime = runtime_image(ctx, facts.slim)
    same_image = runtime is None
    if same_image:
        runtime = written  # already slim: the same image, digest and all

    # System-package RUNs: which ones the runtime keeps, and in what form.
    system: dict[int, SystemRun] = {}
    runtime_pkgs: set[str] = set()
    for ins in body:
        if not isinstance(ins, Run):
            continue
        f = facts_of[id(ins)]
        s = system_run(f, _pip_ids(f)) if ins in pip_runs else system_run(f)
        if isinstance(s, str):
            return Decline("python", s, ins)
        if s is not None:
            system[id(ins)] = s
            runtime_pkgs.update(s.runtime_packages)
    moved = [w for s in system.values() for _c, w in s.build]
    stage_build = frozenset(package_name(w.text) for w in moved)
    stage_virtuals = frozenset(v for s in system.values() for v in s.virtuals)
    if same_image and not moved:
        return Decline("python", f"`{written}` is already a runtime image and no build-only "
                       "package is installed: a split would not make it smaller")
    moved_names = set(stage_build)

    last = body.index(pip_runs[-1])
    builder: list[str] = [f"{ctx.kw('RUN')} python -m venv {VENV}{ctx.nl}",
                          f'{ctx.kw("ENV")} PATH="{VENV}/bin:$PATH"{ctx.nl}']
    out: list[str] = [f'{ctx.kw("ENV")} PATH="{VENV}/bin:$PATH"{ctx.nl}']
    copied = False
    for n, ins in enumerate(body):
        name = ins.name
        if n <= last and name not in RUNTIME_ONLY and not isinstance(ins, User):
            builder.append(ctx.text(ins))
        s = system.get(id(ins))
        if ins in pip_runs:
            reduced = ""
            if s is not None:
                reduced = reduce_run(ins, ctx.nl, _is_pip, stage_build, stage_virtuals)
                if reduced is None:
                    return Decline("python", "the pip install could not be cut out of this RUN exactly", ins)
            if not copied:
                copy = f"{ctx.kw('COPY')} --from={ctx.builder_name} {VENV} {VENV}{ctx.nl}"
                out.append((reduced or comments(ins)) + copy)
                copied = True
            else:
                out.append(reduced or comments(ins))
            continue
        if s is not None and (s.build or stage_build):
            reduced = reduce_run(ins, ctx.nl, _never, stage_build, stage_virtuals)
            if reduced is None:
                return Decline("python", "the build-only packages could not be removed from this RUN", ins)
            if not reduced and n > last:
                builder.append(ctx.text(ins))  # it removes what the builder installed: keep it there
            out.append(reduced or comments(ins))
            continue
        if isinstance(ins, Run) and s is None:
            f = facts_of[id(ins)]
            for cmd in f.commands:
                prog = cmd.name.rsplit("/", 1)[-1]
                if prog in moved_names:
                    return Decline("python", f"`{prog}` is needed after the install but moves to the builder", ins)
                if not same_image and prog in _full_only() and prog not in runtime_pkgs:
                    return Decline("python", f"`{prog}` is in `{written}` but not in `{runtime}`", ins)
        out.append(ctx.text(ins))
    notes = []
    note = implied_note([p for s in system.values() for p in s.implied])
    if note:
        notes.append(note)
    if not same_image and "@" in written:
        notes.append(f"the builder stays pinned; pin `{runtime}` too (DM101)")
    if not same_image:
        notes.append(f"packages built from source against libraries of `{written}` need them in `{runtime}`")
    return Plan("python", runtime, builder, out, notes)


def _full_only() -> frozenset[str]:
    from dockmod.ecosystems.images import FULL_ONLY_PROGRAMS

    return FULL_ONLY_PROGRAMS


def _is_pip(cmd: object, call: PackageManagerCall | None) -> bool:
    return call is not None and call.manager is Manager.PIP


def _never(cmd: object, call: PackageManagerCall | None) -> bool:
    return False
