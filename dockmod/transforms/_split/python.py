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

poetry and pipenv: the builder also sets ``VIRTUAL_ENV=/opt/venv`` (and so does the
runtime, for ``poetry run``/``pipenv run``). Both install into an activated virtualenv
instead of creating their own: poetry "will detect and respect an existing virtual
environment that has been externally activated"
(https://python-poetry.org/docs/managing-environments/), whatever ``virtualenvs.create``
and ``virtualenvs.in-project`` say; pipenv uses the virtualenv it runs in
(https://pipenv.pypa.io/en/latest/virtualenv.html, ``PIPENV_IGNORE_VIRTUALENVS`` unset), and
``--system`` takes the first ``python`` on ``PATH``, the venv's. So ``poetry export`` +
pip is not needed: the lock file is installed as the original installed it, with the same
tool, into one directory the runtime copies. pip-installed poetry/pipenv land in the venv
too, as pip-installed packages do, so ``pip freeze`` stays equal to the original's.

uv (``uv sync``): as uv's Docker guide does (https://docs.astral.sh/uv/guides/integration/docker/,
"Intermediate layers" and the multistage example), the project environment stays where uv
puts it (``$UV_PROJECT_ENVIRONMENT``, else ``<WORKDIR>/.venv``) and the runtime copies that
directory; the builder sets ``UV_PYTHON_DOWNLOADS=0`` (unless the file sets it) so the
environment is built on the image's interpreter, which the slim runtime has at the same
path: a uv-downloaded Python would live outside the copied directory. The sync flags stay as
written: ``--no-dev`` and ``--no-editable`` are the guide's advice, named in the finding when
absent, not added (they change what is installed; an editable install still works because
the runtime keeps every COPY of the sources at its path).
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from dockmod.cst import Onbuild, Run, User
from dockmod.ecosystems import MANAGERS, Manager
from dockmod.ecosystems.python import (
    PIP_OUTSIDE_ENVIRONMENT,
    POETRY_CREATE,
    POETRY_FALSE,
    POETRY_IN_PROJECT,
    POETRY_TRUE,
    PROJECT_ENVIRONMENT,
    UV_SYNC_ENVIRONMENT_OPTIONS,
    poetry_setting,
    poetry_setup,
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

if TYPE_CHECKING:
    from dockmod.cst import Instruction
    from dockmod.ecosystems import PackageManagerCall
    from dockmod.semantic import RunFacts
    from dockmod.shell import SimpleCommand

VENV = "/opt/venv"
_PYTHON_MANAGERS = frozenset({Manager.PIP, Manager.UV, Manager.POETRY, Manager.PIPENV})


def _poetry_words(cmd: SimpleCommand) -> list[str]:
    return [cmd.name.rsplit("/", 1)[-1], *(w.text for w in cmd.args if not w.text.startswith("-"))]


def _pip_ids(facts: RunFacts) -> frozenset[int]:
    """The commands that are Python installs, and ``poetry config``/``poetry export`` (settings
    and a requirements file for the install: builder-only steps)."""
    return frozenset(id(c.command) for c in facts.calls if c.manager in _PYTHON_MANAGERS) | frozenset(
        id(cmd) for cmd in facts.commands if poetry_setup(_poetry_words(cmd)))


def _poetry_in_project(ctx: Ctx, body: list[Instruction], at: Instruction, command: SimpleCommand) -> bool:
    """poetry puts its environment in ``<project>/.venv`` (and not in an activated one)
    only when ``virtualenvs.in-project`` is true and ``virtualenvs.create`` is not false
    (https://python-poetry.org/docs/configuration/): the variable, else ``poetry config``."""
    def setting(env: str, key: str) -> str | None:
        value = ctx.env(at, command, env)
        if isinstance(value, str):
            return value.lower()
        for ins in body[: body.index(at) + 1]:
            if isinstance(ins, Run):
                for cmd in ctx.model.run(ins).commands:
                    got = poetry_setting(_poetry_words(cmd))
                    if got is not None and got[0] == key:
                        value = got[1]
        return value if isinstance(value, str) else None

    create = setting(*POETRY_CREATE)
    return create not in POETRY_FALSE and setting(*POETRY_IN_PROJECT) in POETRY_TRUE


#: (manager, action) steps the split understands; others are declined.
_STEPS = frozenset({(Manager.PIP, "install"), (Manager.PIP, "uninstall"), (Manager.POETRY, "install"), (Manager.POETRY, "config"),
                    (Manager.POETRY, "export"), (Manager.PIPENV, "install"), (Manager.PIPENV, "sync"),
                    (Manager.UV, "sync")})


def _pip_run(facts: RunFacts) -> str | bool:
    """True: the RUN installs with pip, poetry, pipenv or ``uv sync`` (alone, or between
    system-package commands, which :func:`~dockmod.transforms._split.common.system_run` then
    judges); False: no Python package manager; else the reason it cannot be split."""
    py = [c for c in facts.calls if c.manager in _PYTHON_MANAGERS]
    if not py:
        return False
    for call in py:
        tool = call.manager.value
        if (call.manager, call.action) not in _STEPS:
            return f"`{tool} {call.action}` is not an install the split understands"
        if call.program and "/" in call.program[0].text:
            return f"`{call.program[0].text}` names a {tool} outside the virtualenv's PATH"
        if call.manager is Manager.PIP:
            for opt in PIP_OUTSIDE_ENVIRONMENT:
                if call.has_option(opt):
                    return f"`pip install {opt}` installs outside the environment"
        if call.manager is Manager.UV:
            for opt in UV_SYNC_ENVIRONMENT_OPTIONS:
                if call.has_option(opt):
                    return f"`uv sync {opt}` puts the environment where the Dockerfile does not say"
        if call.command.nested:
            return f"a {tool} install inside a subshell, group or condition"
    if len(py) != len(facts.commands) and system_run(facts, _pip_ids(facts)) is None:
        return "a RUN runs pip together with commands other than system-package installs; split it first"
    return True


def _project_env(ctx: Ctx, body: list[Instruction], run: Instruction, facts: RunFacts) -> str | Decline | None:
    """The project environment ``uv sync`` (or an in-project ``poetry install``) in ``run``
    writes: ``$UV_PROJECT_ENVIRONMENT`` or ``<WORKDIR>/.venv``; None if neither runs."""
    uv = next((c for c in facts.calls if c.manager is Manager.UV), None)
    poetry = next((c for c in facts.calls if c.manager is Manager.POETRY and c.action == "install"), None)
    if uv is None and (poetry is None or not _poetry_in_project(ctx, body, run, poetry.command)):
        return None
    call = uv or poetry
    assert call is not None
    tool = "uv sync" if uv else "poetry install"
    if facts.cds:
        return Decline("python", f"`{tool}` after `cd`: the project environment's directory is unknown", run)
    var, default, _source = PROJECT_ENVIRONMENT[Manager.UV if uv else Manager.POETRY]
    env = ctx.env(run, call.command, var) if var else None
    if env is not None and (not isinstance(env, str) or "$" in env or not env):
        return Decline("python", f"`{var}` is not known here", run)
    wd = ctx.model.scope_at(run).workdir
    if env is None or not env.startswith("/"):
        if wd is None:
            return Decline("python", f"the working directory of `{tool}` is unknown", run)
        env = posixpath.join(wd, env or default)
    env = posixpath.normpath(env)
    if env in ("/", VENV):
        return Decline("python", f"`{tool}` writes its environment to `{env}`", run)
    return env


def plan(ctx: Ctx) -> Plan | Decline | None:
    stage = ctx.stage
    body = list(stage.instructions[1:])
    facts_of: dict[int, RunFacts] = {}
    pip_runs: list[Instruction] = []
    managers: set[Manager] = set()
    uv_envs: dict[int, str] = {}
    for ins in body:
        if isinstance(ins, Run):
            f = ctx.model.run(ins)
            facts_of[id(ins)] = f
            words = f.exec_form or ()
            if (words and any(w.rsplit("/", 1)[-1] in _TOOL_NAMES or "pip" in w for w in words[:3])) or (
                    not f.posix and any(t in ins.code for t in _TOOL_NAMES)):
                return Decline("python", "a Python install in exec form or under a non-POSIX SHELL", ins)
            kind = _pip_run(f)
            if isinstance(kind, str):
                return Decline(_label(managers | {c.manager for c in f.calls}), kind, ins)
            if kind:
                pip_runs.append(ins)
                managers.update(c.manager for c in f.calls if c.manager in _PYTHON_MANAGERS)
                env = _project_env(ctx, body, ins, f)
                if isinstance(env, Decline):
                    env.ecosystem = _label(managers)
                    return env
                if env is not None:
                    uv_envs[id(ins)] = env
    if not pip_runs:
        return None
    eco = _label(managers)
    facts = stage.image_facts
    if any(isinstance(i, Onbuild) for i in body):
        return None
    written = stage.from_.image.text if stage.from_.image else ""
    if "$" in written:
        return Decline(eco, "the base image is named through a variable")
    official = facts is not None and facts.family == "python"
    runtime = runtime_image(ctx, facts.slim if official and facts is not None else None)
    if not official and runtime is None:
        return unmapped(ctx, eco, "an official python image")
    same_image = runtime is None
    if runtime is None:
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
            return Decline(eco, s, ins)
        if s is not None:
            system[id(ins)] = s
            runtime_pkgs.update(s.runtime_packages)
    moved = [w for s in system.values() for _c, w in s.build]
    stage_build = frozenset(package_name(w.text) for w in moved)
    stage_virtuals = frozenset(v for s in system.values() for v in s.virtuals)
    if same_image and not moved:
        return Decline(eco, f"`{written}` is already a runtime image and no build-only "
                       "package is installed: a split would not make it smaller")
    moved_names = set(stage_build)

    last = body.index(pip_runs[-1])
    in_project = {id(r) for r in pip_runs if id(r) in uv_envs and not any(
        c.manager is Manager.UV for c in facts_of[id(r)].calls)}
    uses_venv = any(c.manager is not Manager.UV and not (c.manager is Manager.POETRY and id(r) in in_project)
                    for r in pip_runs for c in facts_of[id(r)].calls if c.manager in _PYTHON_MANAGERS)
    activate = Manager.PIPENV in managers or (Manager.POETRY in managers and not in_project)
    env_line = (f'{ctx.kw("ENV")} VIRTUAL_ENV={VENV} PATH="{VENV}/bin:$PATH"{ctx.nl}' if activate
                else f'{ctx.kw("ENV")} PATH="{VENV}/bin:$PATH"{ctx.nl}')
    python = "python" if official else "python3"
    builder: list[str] = []
    out: list[str] = []
    venv = [f"{ctx.kw('RUN')} {python} -m venv {VENV}{ctx.nl}", env_line] if uses_venv else []
    if uses_venv:
        out.append(env_line)
    if official:
        # The official images have python from the start; another base may install it
        # in a RUN of its own, so there the venv comes right before the first install.
        builder += venv
    if Manager.UV in managers and _unset(ctx, pip_runs[0], "UV_PYTHON_DOWNLOADS"):
        builder.append(f"{ctx.kw('ENV')} UV_PYTHON_DOWNLOADS=0{ctx.nl}")
    copied: set[str] = set()
    for n, ins in enumerate(body):
        name = ins.name
        if not official and ins is pip_runs[0]:
            builder += venv
        if n <= last and name not in RUNTIME_ONLY and not isinstance(ins, User):
            builder.append(ctx.text(ins))
        s = system.get(id(ins))
        if ins in pip_runs:
            reduced = ""
            if s is not None:
                reduced = reduce_run(ins, ctx.nl, _is_python, stage_build, stage_virtuals)
                if reduced is None:
                    return Decline(eco, "the install could not be cut out of this RUN exactly", ins)
            f = facts_of[id(ins)]
            dirs = [VENV] if any(c.manager is not Manager.UV and not (c.manager is Manager.POETRY and id(ins) in in_project)
                                 for c in f.calls if c.manager in _PYTHON_MANAGERS) else []
            if id(ins) in uv_envs:
                dirs.append(uv_envs[id(ins)])
            copy = "".join(f"{ctx.kw('COPY')} --from={ctx.builder_name} {d} {d}{ctx.nl}"
                           for d in dirs if d not in copied)
            copied.update(dirs)
            out.append((reduced or comments(ins)) + copy)
            continue
        if s is not None and (s.build or stage_build):
            reduced = reduce_run(ins, ctx.nl, _never, stage_build, stage_virtuals)
            if reduced is None:
                return Decline(eco, "the build-only packages could not be removed from this RUN", ins)
            if not reduced and n > last:
                builder.append(ctx.text(ins))  # it removes what the builder installed: keep it there
            out.append(reduced or comments(ins))
            continue
        if isinstance(ins, Run) and s is None:
            f = facts_of[id(ins)]
            for cmd in f.commands:
                prog = cmd.name.rsplit("/", 1)[-1]
                if prog in moved_names:
                    return Decline(eco, f"`{prog}` is needed after the install but moves to the builder", ins)
                if official and not same_image and prog in _full_only() and prog not in runtime_pkgs:
                    return Decline(eco, f"`{prog}` is in `{written}` but not in `{runtime}`", ins)
        out.append(ctx.text(ins))
    notes = []
    note = implied_note([p for s in system.values() for p in s.implied])
    if note:
        notes.append(note)
    if not same_image and "@" in written:
        notes.append(f"the builder stays pinned; pin `{runtime}` too (DM101)")
    if not same_image:
        notes.append(f"packages built from source against libraries of `{written}` need them in `{runtime}`")
    if not official:
        notes.append(f"`{runtime}` (from `runtime-images`) must have `python3` at the builder's path, and "
                     "the programs later RUNs call")
    for env in dict.fromkeys(uv_envs.values()):
        notes.append(f"a `{posixpath.basename(env)}` folder in the build context would mix into "
                     f"{env}: keep it out with .dockerignore")
    syncs = [c for r in pip_runs for c in facts_of[id(r)].calls if c.manager is Manager.UV]
    if syncs:  # the last sync decides what the environment holds
        missing = [o for o in ("--no-dev", "--no-editable") if not syncs[-1].has_option(o)]
        if missing:
            notes.append("uv's Docker guide also syncs with " + " ".join(f"`{o}`" for o in missing))
    return Plan(eco, runtime, builder, out, notes)


#: The programs of the Python managers' rows (``pip``, ``uv``, ``poetry``, ``pipenv``).
_TOOL_NAMES = tuple(p for m in sorted(_PYTHON_MANAGERS) for p in MANAGERS[m].programs)


def _label(managers: set[Manager]) -> str:
    """The strategy's name: ``python`` (pip), ``python (uv)``, ``python (poetry)`` …"""
    for m in (Manager.UV, Manager.POETRY, Manager.PIPENV):
        if m in managers:
            return f"python ({m.value})"
    return "python"


def _unset(ctx: Ctx, ins: Instruction, name: str) -> bool:
    return ctx.model.scope_at(ins).get(name) is None


def _full_only() -> frozenset[str]:
    from dockmod.ecosystems.images import FULL_ONLY_PROGRAMS

    return FULL_ONLY_PROGRAMS


def _is_python(cmd: SimpleCommand, call: PackageManagerCall | None) -> bool:
    return (call is not None and call.manager in _PYTHON_MANAGERS) or poetry_setup(_poetry_words(cmd))


def _never(cmd: object, call: PackageManagerCall | None) -> bool:
    return False
