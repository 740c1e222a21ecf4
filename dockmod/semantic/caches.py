"""Package caches across instructions: which directories a RUN's calls use, and what the
other instructions of the image do with a directory (filled it, read it, copy it out).

Where a manager keeps its caches and what defeats them is the package-manager table
(:mod:`dockmod.ecosystems`, read through :mod:`dockmod.ecosystems.cache_use`); this module
resolves those rows against the model: the scope at a RUN, the RUNs before and after it
(:meth:`Model.before`, :meth:`Model.after`), and the ``COPY --from`` edges.
"""

from __future__ import annotations

import os
import posixpath
import re
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import MappingProxyType

from dockmod.cst import Add, Cmd, Copy, Entrypoint, Instruction, JsonArray, Run, ShellCommand, Workdir
from dockmod.cst.mounts import mounts_path
from dockmod.ecosystems import MANAGERS, CacheDir, Manager, PackageManagerCall
from dockmod.ecosystems._base import expand_template, template_vars
from dockmod.ecosystems.images import BASE_DIRS
from dockmod.ecosystems.ruby import (
    BUNDLER_CONFIG_DIR,
    BUNDLER_VENDOR_ENV,
    BUNDLER_VENDOR_OPTIONS,
    BUNDLER_VENDOR_SETTINGS,
)
from dockmod.ecosystems import calls as pm_calls
from dockmod.ecosystems.cache_use import (
    ANY_PART,
    CACHE_CONFIGS,
    DOCKER_CLEAN_FILE,
    REMOVERS,
    CacheBlocked,
    CacheTarget,
    cache_targets,
    config_sets,
    defeats,
    disables_docker_clean,
    empties_index,
    linted_cleaner,
    may_name,
    may_run,
    offline,
    reads_stored,
    reads_stored_index,
    refreshes_metadata,
    removed_operands,
    runs_remover,
)
from dockmod.semantic.effects import file_commands_only, paths_named, runs_opaque
from dockmod.semantic.env import Getter, command_env
from dockmod.semantic.model import Model
from dockmod.semantic.paths import inside
from dockmod.semantic.runs import may_call_any, run_text, shell_script, shell_source
from dockmod.semantic.scope import Scope, join_workdir
from dockmod.semantic.yarn import which_yarn
from dockmod.lang.words import UNKNOWN
from dockmod.shell.env import ANY, steps_before
from dockmod.shell.parse import ShellScript, ShellWord, SimpleCommand

#: A call whose caches get a mount (by the transform asking).
Handled = Callable[[PackageManagerCall], bool]
#: The managers whose calls may read a package index that an earlier RUN stored.
_INDEX_READERS = frozenset(m for m, row in MANAGERS.items() if row.reads_index)


def _mentions(run: Run, *words: str) -> bool:
    """Cheap pre-filter before parsing: the RUN's shell text may hold one of ``words``."""
    if not isinstance(run.command, ShellCommand):
        return False
    text = run_text(run)
    return any(w in text for w in words)


def may_run_any(run: Run, managers: frozenset[Manager]) -> bool:
    """:func:`may_run` on the RUN's shell text and heredoc bodies as the parse reads them
    (:func:`shell_source`): False when no command of ``run`` can run one of ``managers``,
    so it need not be parsed."""
    return isinstance(run.command, ShellCommand) and may_run(shell_source(run), managers)


def configured_before(model: Model, ins: Instruction) -> dict[CacheDir, str | None]:
    """Cache directories set by ``<tool> config set`` in RUNs before ``ins`` (None: unknown)."""
    config: dict[CacheDir, str | None] = {}
    for x in model.before(ins):
        # Every row's ``config`` prefix is ``<tool> config …``.
        script = shell_script(x) if isinstance(x, Run) and _mentions(x, "config") else None
        if script is not None and not script.has_error:
            config.update(config_sets(script, before=None))
    return config


def docker_clean_disabled(model: Model, stage_index: int, run: Run) -> bool:
    """Debian's ``docker-clean`` is removed by a RUN before ``run`` (in its stage or a stage
    it builds on) or anywhere in its stage."""
    return docker_clean_disabled_before(model, run) or any(
        any(map(disables_docker_clean, sc.commands)) for x in model.stages[stage_index].instructions
        if _removes_docker_clean(x) and (sc := shell_script(x)) is not None)


def docker_clean_disabled_before(model: Model, run: Run) -> bool:
    """Debian's ``docker-clean`` is removed by a RUN before ``run`` (in its stage or a stage
    it builds on): an apt call of ``run`` keeps its downloaded packages."""
    return any(_removes_docker_clean(x) and any(map(disables_docker_clean, model.run(x).commands))
               for x in model.before(run))


def _removes_docker_clean(x: Instruction) -> bool:
    """Cheap pre-filter: ``x`` is a RUN whose text names ``docker-clean``'s file."""
    return isinstance(x, Run) and _mentions(x, DOCKER_CLEAN_FILE)


def copied_paths(model: Model, stage_index: int) -> list[tuple[str, str]]:
    """Sources that ``COPY --from``/``--mount=from`` read in this stage or one built on it,
    each with its reader as a reason names it (``a `COPY --from```)."""
    return [(src, _READERS[e.kind]) for e in model.copies_from(stage_index) for src in e.sources]


#: How a reason names the reader of a :class:`~dockmod.semantic.model.CopyEdge`, by its kind.
_READERS = {"copy": "a `COPY --from`", "mount": "a `RUN --mount=from=`"}


#: What the transform decided for the RUNs it has read so far (in file order): id of a
#: RUN → manager → (the paths its fix mounts, whether that fix is safe).
Decided = dict[int, dict[Manager, tuple[frozenset[str], bool]]]


def filled_before(model: Model, run: Run, use: CacheTarget, handled: Handled,
                  decided: Decided | None = None) -> bool:
    """A RUN before ``run`` without a mount covering ``use`` may have filled it: it runs what
    dockmod cannot see into (``make``, a script) or ``use``'s manager unmounted. With
    ``decided``, a call of ``use``'s manager counts as mounted only where the fix of its
    RUN mounts ``use`` and is safe (the default run applies it), or mounts other paths
    (it filled those); a RUN with no fix (no mount can be added, or none is asked for)
    may have filled ``use``."""
    for x in model.before(run):
        if not isinstance(x, Run) or any(inside(use.path, posixpath.normpath(f.mount.target))
                                         for f in x.flags if f.mount is not None and f.mount.target):
            continue
        script = shell_script(x)
        if script is None or script.has_error:
            if not isinstance(x.command, JsonArray) or x.command.values:
                return True
            continue
        if runs_opaque(script):
            return True
        for c in pm_calls(script):
            if c.manager is not use.manager:
                continue
            if not handled(c):
                return True
            if decided is not None:
                paths, safe = decided.get(id(x), {}).get(use.manager, (frozenset(), False))
                if (use.path in paths and not safe) or not paths:
                    return True
    return False


#: Commands that may set any variable of the shell they run in.
_SOURCING = frozenset({".", "source", "eval"})
#: What the ``activate`` script of a virtual environment (``python -m venv``,
#: ``virtualenv``, ``uv venv``) sets or unsets: nothing else changes for the commands after it.
_ACTIVATE_SETS = frozenset({"VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "PATH", "PS1", "PYTHONHOME",
                            "_OLD_VIRTUAL_PATH", "_OLD_VIRTUAL_PS1", "_OLD_VIRTUAL_PYTHONHOME"})


def call_env(base: Getter, script: ShellScript | None, command: SimpleCommand) -> Getter:
    """:func:`command_env`, with the ``activate`` of a virtual environment that ``script``
    itself created before it (``python3 -m venv /venv && . /venv/bin/activate``) read as
    what that script sets (:data:`_ACTIVATE_SETS`), not as a command that may set any
    variable. Only when every step before ``command`` that may set any variable is such an
    ``activate``, and none names the variable asked for."""
    get = command_env(base, script, command)
    if script is None or "activate" not in script.text:
        return get
    sourced = [c for c in script.commands if c.span[0] < command.span[0] and c.name in _SOURCING]
    if not sourced or not all(_activates_venv(script, c, base) for c in sourced):
        return get
    steps = steps_before(script, command)
    if sum(s.name == ANY for s in steps) != len(sourced):
        return get  # another command may set any variable (``export $V``, ``read``)
    named = frozenset(s.name for s in steps)
    own = command_env(base, None, command)

    def past_activate(name: str) -> object:
        value = get(name)
        if value is UNKNOWN and name not in _ACTIVATE_SETS and name not in named:
            return own(name)
        return value

    return past_activate


def _activates_venv(script: ShellScript, cmd: SimpleCommand, base: Getter) -> bool:
    """``cmd`` is ``. <dir>/bin/activate`` (or ``source``) of a virtual environment that a
    command of ``script`` before it created at ``<dir>`` (``python3 -m venv``,
    ``virtualenv``, ``uv venv``), and no command between them names an ``activate``."""
    if cmd.name not in (".", "source") or len(cmd.args) != 1 or not cmd.args[0].static:
        return False
    cwds = _cwds(script, _SOME_CWD)
    path = _static_path(cmd.args[0].text, cwds.get(cmd.span[0]))
    if path is None or not path.endswith("/bin/activate"):
        return False
    home = path[:-len("/bin/activate")]
    for c in reversed(script.commands):
        if c.span[0] >= cmd.span[0]:
            continue
        made = _venv_made(c)
        if made is not None and made.static and _static_path(made.text, cwds.get(c.span[0])) == home:
            return True
        if any("activate" in w.text for w in c.args):
            return False
    return False


#: The working directory the script starts in, for :func:`_activates_venv`, which only
#: compares two paths: relative ones from the same start compare equal, and no ``..``
#: climbs out of it to a known directory.
_SOME_CWD = "/" + "/".join(["\0"] * 32)


def _static_path(text: str, cwd: str | None) -> str | None:
    """``text`` as a normalised absolute path (relative to ``cwd``); None when not known."""
    if text.startswith(("~", "-")) or not text.startswith("/") and cwd is None:
        return None
    return posixpath.normpath(posixpath.join(cwd or "/", text))


def _venv_made(cmd: SimpleCommand) -> ShellWord | None:
    """The directory a command creates a virtual environment in: the last word of
    ``python… -m venv …``, ``virtualenv …`` or ``uv venv …``; None for another command."""
    name = cmd.name.rpartition("/")[2]
    texts = [w.text for w in cmd.args]
    if name.startswith("python") and texts[:2] == ["-m", "venv"] or name == "virtualenv" or (
            name == "uv" and texts[:1] == ["venv"]):
        last = cmd.args[-1] if len(cmd.args) > (2 if name.startswith("python") else 1 if name == "uv" else 0) else None
        return None if last is None or last.text.startswith("-") else last
    return None


def _sourced_reason(script: ShellScript, call: PackageManagerCall, base: Getter, get: Getter) -> str | None:
    """Why ``call``'s cache directory is not known when a command before it that may set
    any variable (``source``, ``.``, ``eval``; not a known ``activate``) is the cause: a
    variable of its rows that ``get`` (the call's environment) does not know and the
    call's own words and ``base`` would tell."""
    sourced = next((c for c in script.commands if c.span[0] < call.command.span[0] and c.name in _SOURCING
                    and not _activates_venv(script, c, base)), None)
    if sourced is None:
        return None
    own = command_env(base, None, call.command)
    for cd in call.info.caches:
        for v in cd.variables:
            if get(v) is UNKNOWN and own(v) is not UNKNOWN:
                shown = " ".join([sourced.name, *(w.raw for w in sourced.args)])
                return f"`{shown}` may set `{v}`"
    return None


def cache_uses(model: Model, run: Run, script: ShellScript, calls: Sequence[PackageManagerCall], scope: Scope, *,
               root: bool) -> list[CacheTarget]:
    """The cache directories ``calls`` of ``run`` use (``script``: its script as it stands)
    in the environment of each call (``scope``, then what the script sets before it: see
    :func:`command_env`), as root or not, with those moved by ``config set`` before them. Raises
    CacheBlocked (the reason) when one is not known, when ``ENV`` turns the cache off for
    the stage, or when the script runs a cleaning command a linter wants kept."""
    # cache_targets looks a cache up in ``config`` only when a config command can move it
    # (``CacheDir.config``: the keys config_sets gives): for calls with none (apt, go …),
    # the RUNs before are not read for it.
    config: dict[CacheDir, str | None] = {}
    if any(cd.config for c in calls for cd in c.info.caches):
        config = configured_before(model, run)
        config.update(config_sets(script, before=calls[0].command.span[0]))
    stage = model.stage_of(run)
    image = (stage.image_text if stage is not None else None) or ""
    out: list[CacheTarget] = []
    # The environment of each call: ``PIP_CACHE_DIR=/tmp/pip pip …``, ``export HOME=…``
    # before it (the RUN's own script: the calls are its commands).
    own = shell_script(run) or script
    for call in calls:
        get = call_env(scope.run_get, own, call.command)
        try:
            found = cache_targets(call, get, root=root, config=config, image=image, user=scope.user.spec)
        except CacheBlocked as e:
            raise CacheBlocked(_sourced_reason(own, call, scope.run_get, get) or str(e)) from None
        out.extend(t for t in found if all(t.path != x.path for x in out))
    for key in dict.fromkeys(k for c in calls for k in c.info.defeating_env):
        value = scope.env.get(key) if key in scope.env else None
        if isinstance(value, str) and defeats(key, value) and not any(
                w.text.split("=", 1)[0] == key for c in calls for w in c.command.assignments):
            raise CacheBlocked(f"`ENV {key}` turns the cache off for the stage")
    lint = linted_cleaner(script, calls)
    if lint is not None:
        raise CacheBlocked(lint)
    return out


def build_uses(script: ShellScript, calls: Sequence[PackageManagerCall], scope: Scope) -> list[CacheTarget]:
    """Build output directories of ``calls`` (the rows' ``build_dirs``: cargo's ``target/``)
    that the script itself copies out of after the build (``cp target/release/app /usr/
    local/bin/``): only then does a mount keep what the image needs while the directory
    stays out of the layer. ``how`` is "build"."""
    out: list[CacheTarget] = []
    for call in calls:
        for cd in call.info.build_dirs:
            if (not cd.applies(call.action) or call.has_option("--manifest-path")
                    or any(v in script.text for v in cd.env)):
                continue
            opt = next((o for o in call.options for n in cd.options if o.name == n or o.name.startswith(n + "=")), None)
            value: object = cd.path
            if opt is not None:
                value = opt.value if opt.value is not None and all(w.static for w in opt.words) else None
            elif any(scope.run_get(v) is not None for v in cd.env):
                value = next(scope.run_get(v) for v in cd.env if scope.run_get(v) is not None)
            # (Read here, not for every RUN: most calls have no build directory.)
            cwds = _cwds(script, scope.workdir)
            cwd = cwds.get(call.span[0])
            if not isinstance(value, str) or not value or not value.startswith("/") and cwd is None:
                continue
            path = posixpath.normpath(posixpath.join(cwd or "/", value))
            if _copied_out(script, call, path, cwds) and all(path != x.path for x in out):
                out.append(CacheTarget(path, cd, "build", call.manager))
    return out


def _cwds(script: ShellScript, workdir: str | None) -> dict[int, str | None]:
    """The working directory at each command of ``script`` (by start offset), after ``cd``s
    (None: not known). Kept with the script (read only)."""
    return script.derived((_cwds, workdir), lambda s: _cwds_of(s, workdir))


def _cwds_of(script: ShellScript, workdir: str | None) -> dict[int, str | None]:
    out: dict[int, str | None] = {}
    cwd = workdir
    for c in script.commands:
        out[c.span[0]] = cwd
        if c.name.rpartition("/")[2] == "cd":
            to = next((w for w in c.args if not w.text.startswith("-")), None)
            known = not c.nested and to is not None and to.static and (cwd is not None or to.text.startswith("/"))
            cwd = posixpath.normpath(posixpath.join(cwd or "/", to.text)) if known and to is not None else None
    return out


def _copied_out(script: ShellScript, call: PackageManagerCall, directory: str, cwds: dict[int, str | None]) -> bool:
    """A ``cp``/``mv``/``install`` after ``call`` copies a file out of ``directory``."""
    for c in script.commands:
        if c.span[0] <= call.span[0] or c.name.rpartition("/")[2] not in ("cp", "mv", "install"):
            continue
        operands = [w for w in c.args if not w.text.startswith("-")]
        if any(w.text.startswith(("-t", "--target-directory")) for w in c.args):
            continue
        cwd = cwds.get(c.span[0])
        for w in operands[:-1]:
            if w.static and (w.text.startswith("/") or cwd is not None) and inside(
                    posixpath.normpath(posixpath.join(cwd or "/", w.text)), directory):
                return True
    return False


def removes_mount_point(script: ShellScript, targets: Sequence[str], scope: Scope) -> str | None:
    """Why new cache mounts on ``targets`` would break ``script`` (the RUN as the fix
    leaves it): a command removes or moves a target or a directory above it (``rm -rf
    /var/cache/*`` over ``/var/cache/apt``, ``rm -rf ~/.cache``), which empties the cache
    and then fails on the mount point (EBUSY). An operand that is not known (a variable,
    a relative path where the directory is not known) counts when it could be one; a
    variable set from ``mktemp`` in the script is a new directory. None: no such command."""
    if not targets or not may_remove(script):
        return None
    removals = _removals(script)
    if not removals:
        return None
    fresh = _mktemp_variables(script)
    loops = _loop_values(script)
    cwds = _cwds(script, scope.workdir)
    for cmd, words in removals:
        get = call_env(scope.run_get, script, cmd)
        for w in words:
            for pattern in _operand_patterns(w, get, fresh, loops, cwds.get(cmd.span[0])):
                hit = next((t for t in targets if may_name(pattern, t)), None)
                if hit is None:
                    continue
                name = cmd.name.rpartition("/")[2]
                verb = ("may " if ANY_PART in pattern else "") + ("move" if name == "mv" else "remove")
                verb = verb if verb.startswith("may") else verb + "s"
                shown = " ".join([name, *(a.raw for a in cmd.args[:cmd.args.index(w)] if a.text.startswith("-")),
                                  w.raw])
                return (f"`{shown}` {verb} the mount point `{hit}` or a directory above it: the `RUN` "
                        f"would fail (device or resource busy)")
    return None


def creates_mount_point(script: ShellScript, targets: Sequence[str], scope: Scope) -> str | None:
    """Why new cache mounts on ``targets`` would break ``script``: a ``mkdir`` without
    ``-p`` of a target or a directory above it fails (file exists), since BuildKit creates
    the mount point and the directories above it before the ``RUN`` starts; one of a
    directory inside a target fails on a later build, whose cache still holds it. Operands
    are read as :func:`removes_mount_point` reads them (an unknown one counts when it could
    be one). The fix's edits never drop a ``mkdir``: ``script`` as written is read."""
    if not targets or "mkdir" not in script.text:
        return None
    fresh = _mktemp_variables(script)
    loops = _loop_values(script)
    cwds = _cwds(script, scope.workdir)
    for cmd in script.commands:
        words = _mkdir_operands(cmd)
        if not words:
            continue
        get = call_env(scope.run_get, script, cmd)
        for w in words:
            for pattern in _operand_patterns(w, get, fresh, loops, cwds.get(cmd.span[0])):
                shown = " ".join([cmd.name.rpartition("/")[2], *(a.raw for a in cmd.args[:cmd.args.index(w) + 1])])
                hit = next((t for t in targets if may_name(pattern, t)), None)
                if hit is not None and ANY_PART in pattern:
                    return (f"`{shown}` may name the mount point `{hit}` or a directory above it, which the "
                            f"mount creates: it would fail (file exists)")
                if hit is not None:
                    mount = "the cache mount" if pattern == hit else f"the cache mount on `{hit}`"
                    return f"`{shown}` would fail (file exists): {mount} creates it"
                hit = next((t for t in targets if ANY_PART not in pattern and inside(pattern, t)), None)
                if hit is not None:
                    return (f"`{shown}` would fail (file exists) on a later build: the cache mount on `{hit}` "
                            f"keeps what this build creates in it")
    return None


def _mkdir_operands(cmd: SimpleCommand) -> list[ShellWord]:
    """The directories a ``mkdir`` without ``-p``/``--parents`` creates (none for another
    command, or with ``-p``: it accepts a directory that exists)."""
    if cmd.name.rpartition("/")[2] != "mkdir":
        return []
    out: list[ShellWord] = []
    args = list(cmd.args)
    i = 0
    while i < len(args):
        t = args[i].text
        if t == "--":
            out.extend(args[i + 1:])
            break
        if t == "--parents" or t.startswith("-") and not t.startswith("--") and "p" in t.partition("m")[0]:
            return []
        if t in ("-m", "--mode") or t.startswith("-") and not t.startswith("--") and t.endswith("m"):
            i += 1  # the mode is the next word
        elif not t.startswith("-") or t == "-":
            out.append(args[i])
        i += 1
    return out


def removal_home(script: ShellScript, scope: Scope) -> str | None:
    """The ``HOME`` in effect (``scope``, then what the script sets before each) at every
    ``rm`` of ``script`` that may name it (``~``, ``$HOME``), when that is one known value:
    how :func:`dockmod.ecosystems.cache_use.remove_run_defeaters` reads those operands, as
    :func:`removes_mount_point` does. None: no such ``rm``, or not one known value."""
    text = script.text
    if "~" not in text and "HOME" not in text:
        return None
    homes = {call_env(scope.run_get, script, cmd)("HOME") for cmd, words in _removals(script)
             if cmd.name.rpartition("/")[2] == "rm" and any(w.raw.lstrip('"').startswith(("~", "$HOME", "${HOME}"))
                                                            for w in words)}
    home = homes.pop() if len(homes) == 1 else None
    return home if isinstance(home, str) and home.startswith("/") else None


def removes_mount_point_after(script: ShellScript, edited: Callable[[], ShellScript], targets: Sequence[str],
                              scope: Scope) -> str | None:
    """:func:`removes_mount_point` for ``edited()``: ``script`` after the fix's edits
    (:func:`dockmod.ecosystems.cache_use.remove_run_defeaters`). When no word that a
    remover of ``script`` removes may name a target, whatever the variables, loops and
    working directory (:func:`_removals_miss`), none of the edited script's can: None
    without parsing the edited script (one shell parse saved)."""
    if not targets or not may_remove(script):
        return None
    if _removals_miss(script, targets):
        return None
    return removes_mount_point(edited(), targets, scope)


def _removals_miss(script: ShellScript, targets: Sequence[str]) -> bool:
    """No operand of :func:`_removals` of ``script`` may name one of ``targets`` or a
    directory above it, for any values of the variables, loops and directories
    :func:`_operand_patterns` reads. Then the same holds for ``script`` after the fix's
    edits, whose removals are a part of these: the edits keep every other command's name
    and words (:mod:`dockmod.shell.edits` verifies it), and they drop only whole commands
    (cleaners), words of package-manager calls and ``export`` (no remover: their names are
    a manager's program, a wrapper or a Python) and operands of an ``rm`` inside the mounts
    (static absolute paths, so never ``--``: its other operands stay operands)."""
    for _, words in _removals(script):
        for w in words:
            if not w.static:
                return False  # a variable, ``mktemp``, a loop: read in the edited script
            text = w.text
            if text.startswith("/"):
                pattern = posixpath.normpath(text)  # :func:`_operand_pattern`, whatever the rest
            elif text.startswith("~") or any(part in ("", ".", "..") for part in text.split("/")):
                return False  # HOME, or a name that normalising may drop
            else:
                # Relative: the working directory (absolute and normalised, or not known:
                # ANY_PART) joined to ``text``, whose names all stay: ``<anything>/text``
                # matches every path either does.
                pattern = f"{ANY_PART}/{text}"
            if any(may_name(pattern, t) for t in targets):
                return False
    return True


def copies_mount(script: ShellScript, targets: Sequence[str], scope: Scope) -> list[str]:
    """Why new cache mounts on ``targets`` change what ``script`` (the RUN) archives or
    copies: a ``tar`` that creates an archive, a recursive ``cp``, ``rsync`` or ``zip -r``
    whose source is a target or a directory above it (``tar czf home.tgz /root`` over
    ``/root/.cache/pip``): with the mount it holds the cache of earlier builds, not what
    the image had, and what the tool writes there after the copy is not in it either. An
    operand that is not known counts when it could be one (as :func:`removes_mount_point`)."""
    copies = _copies(script) if targets else ()
    if not copies:
        return []
    fresh = _mktemp_variables(script)
    loops = _loop_values(script)
    cwds = _cwds(script, scope.workdir)
    out: list[str] = []
    for cmd, (words, chdir) in copies:
        get = call_env(scope.run_get, script, cmd)
        cwd = cwds.get(cmd.span[0])
        if chdir is not None:
            cwd = posixpath.normpath(posixpath.join(cwd or "/", chdir)) if chdir.startswith("/") or cwd else None
        for w in words:
            for pattern in _operand_patterns(w, get, fresh, loops, cwd):
                hit = next((t for t in targets if may_name(pattern, t)
                            or ANY_PART not in pattern and inside(pattern, t)), None)
                if hit is not None:
                    name = cmd.name.rpartition("/")[2]
                    where = (f"`{pattern}`, which holds the mount on `{hit}`" if ANY_PART not in pattern
                             and inside(hit, pattern) and hit != pattern else f"the mount on `{hit}`")
                    out.append(f"`{name} … {w.raw}` in the same `RUN` copies {where}: it would copy the cache "
                               f"(with what earlier builds left in it) instead of the image's files")
                    break
    return list(dict.fromkeys(out))


def _copies(script: ShellScript) -> tuple[tuple[SimpleCommand, tuple[tuple[ShellWord, ...], str | None]], ...]:
    """The commands of ``script`` that archive or copy directories, with what
    :func:`_copied_sources` finds in each; kept with the script (each group of calls of a
    RUN asks, and most scripts have none)."""
    return script.derived(_copies, lambda s: tuple(
        (c, (tuple(found[0]), found[1])) for c in s.commands if (found := _copied_sources(c)) is not None))


#: Commands that copy or archive directories (see :func:`copies_mount`).
_COPIERS = frozenset({"tar", "cp", "rsync", "zip"})
#: Options of those commands that take the next word as their value.
_COPIER_VALUES = {
    "tar": frozenset({"-f", "--file", "-C", "--directory", "-T", "--files-from", "-X", "--exclude-from",
                      "-b", "--blocking-factor", "-H", "--format", "-I", "--use-compress-program", "-V", "--label",
                      "-g", "--listed-incremental", "-N", "--newer", "--exclude", "--owner", "--group", "--mode",
                      "--transform", "--mtime"}),
    "cp": frozenset({"-t", "--target-directory", "-S", "--suffix"}),
    "rsync": frozenset({"-e", "--rsh", "--exclude", "--include", "--exclude-from", "--include-from", "-f",
                        "--filter", "--files-from", "--chmod", "--chown", "-B", "--block-size", "-T", "--temp-dir",
                        "--log-file", "--password-file", "--bwlimit", "--timeout", "-M", "--remote-option"}),
    "zip": frozenset({"-x", "-i", "-b", "-n", "-t", "-tt", "-P", "--password"}),
}


def _copied_sources(cmd: SimpleCommand) -> tuple[list[ShellWord], str | None] | None:
    """The source operands of ``cmd`` when it archives or recursively copies them, and the
    directory ``tar -C`` reads them from; None: not such a command."""
    name = cmd.name.rpartition("/")[2]
    if name not in _COPIERS:
        return None
    takes = _COPIER_VALUES[name]
    args = list(cmd.args)
    operands: list[ShellWord] = []
    flags: list[str] = []
    chdir: str | None = None
    i = 0
    if name == "tar" and args and not args[0].text.startswith("-"):
        # Old style: ``tar czf out.tgz dir`` (the letters' values follow in order).
        letters = args[0].text
        flags.append("-" + letters)
        i = 1 + sum(1 for c in letters if f"-{c}" in takes)
    while i < len(args):
        t = args[i].text
        if t == "--":
            operands.extend(args[i + 1:])
            break
        if t.startswith("-") and t != "-":
            key = t.split("=", 1)[0]
            flags.append(t)
            if key in ("-C", "--directory"):
                chdir = t.split("=", 1)[1] if "=" in t else (args[i + 1].text if i + 1 < len(args) else None)
            if key in takes and "=" not in t:
                i += 1
            i += 1
            continue
        operands.append(args[i])
        i += 1
    letters = "".join(f[1:] for f in flags if not f.startswith("--"))
    if name == "tar":
        return (operands, chdir) if "c" in letters or "--create" in flags else None
    if name == "cp":
        recursive = bool(set(letters) & set("rRa")) or any(f in ("--recursive", "--archive") for f in flags)
        into = any(f.split("=", 1)[0] in ("-t", "--target-directory") for f in flags)
        return (operands if into else operands[:-1], None) if recursive else None
    if name == "rsync":
        return operands[:-1], None
    return (operands[1:], None) if "r" in letters or "--recurse-paths" in flags else None


_MKTEMP = re.compile(r"""(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]*)=["']?(?:\$\(|`)\s*mktemp\b""")
_FOR = re.compile(r"""\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\s+([^;&|`$()]*(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?[^;&|`$()]*)*);\s*do\b""")


def may_remove(script: ShellScript) -> bool:
    """``script`` runs a command that removes or moves paths (see :func:`removes_mount_point`)."""
    return script.derived(may_remove, _may_remove)


def _removals(script: ShellScript) -> tuple[tuple[SimpleCommand, tuple[ShellWord, ...]], ...]:
    """The commands of ``script`` that remove or move operands, with those operands (see
    :func:`removed_operands`), kept with the script."""
    return script.derived(_removals, lambda s: tuple(
        (c, tuple(words)) for c in s.commands if (words := removed_operands(c))))


def _may_remove(script: ShellScript) -> bool:
    return runs_remover(script)


def _mktemp_variables(script: ShellScript) -> frozenset[str]:
    """Variables the script sets from ``mktemp`` (``GNUPGHOME="$(mktemp -d)"``): a new
    directory, which holds no mount. Kept with the script: each group of calls and each
    question (removes, copies) would scan the text again."""
    if "mktemp" not in script.text:
        return frozenset()
    return script.derived(_mktemp_variables, lambda s: frozenset(m.group(1) for m in _MKTEMP.finditer(s.text)))


def _loop_values(script: ShellScript) -> Mapping[str, Sequence[str]]:
    """``for X in a "$B"; do``: the words (as written) each loop variable takes. Kept with
    the script (read only), like :func:`_mktemp_variables`."""
    if "for" not in script.text:
        return _NO_LOOPS
    return script.derived(_loop_values, _loop_values_of)


_NO_LOOPS: Mapping[str, Sequence[str]] = MappingProxyType({})


def _loop_values_of(script: ShellScript) -> Mapping[str, Sequence[str]]:
    out: dict[str, list[str]] = {}
    for m in _FOR.finditer(script.text):
        out.setdefault(m.group(1), []).extend(m.group(2).replace("\\\n", " ").split())
    return MappingProxyType({k: tuple(v) for k, v in out.items()})


def _operand_patterns(word: ShellWord, get: Callable[[str], object], fresh: frozenset[str],
                      loops: Mapping[str, Sequence[str]], cwd: str | None) -> list[str]:
    """``word`` as absolute path patterns (globs kept, :data:`ANY_PART` for what is not
    known): one per value of a ``for`` loop's variable; none for a new ``mktemp`` directory."""
    text = word.text
    if not word.static:
        whole = re.fullmatch(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", text)
        if whole is not None and whole.group(1) in loops:
            out = []
            for raw in loops[whole.group(1)]:
                value = raw.strip("\"'")
                static = "$" not in value and "`" not in value
                out += _operand_patterns(_Word(value, static), get, fresh, {}, cwd)
            return out
    pattern = _operand_pattern(word.text if word.static else text, word.static, get, fresh, cwd)
    return [] if pattern is None else [pattern]


class _Word:
    """A loop value read as a word (``text`` and ``static`` only)."""

    __slots__ = ("static", "text")

    def __init__(self, text: str, static: bool) -> None:
        self.text, self.static = text, static


def _operand_pattern(text: str, static: bool, get: Callable[[str], object], fresh: frozenset[str],
                     cwd: str | None) -> str | None:
    """A word's ``text`` as an absolute path pattern (globs kept, :data:`ANY_PART` for what
    is not known); None when it names a new ``mktemp`` directory."""
    if not static:
        out: list[str] = []
        i = 0
        while i < len(text):
            c = text[i]
            if c != "$" and c != "`":
                out.append(c)
                i += 1
                continue
            m = re.match(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))", text[i:])
            if m is None:
                return ANY_PART  # $(…), `…`, ${X:-…}: anything
            name = m.group(1) or m.group(2)
            if name in fresh:
                return None
            value = get(name)
            out.append(value if isinstance(value, str) else ANY_PART)
            i += m.end()
        text = "".join(out)
    if text == "~" or text.startswith("~/"):
        home = get("HOME")
        text = (home if isinstance(home, str) else ANY_PART) + text[1:]
    if not text.startswith(("/", ANY_PART)):
        text = posixpath.join(cwd if cwd is not None else ANY_PART, text)
    return posixpath.normpath(text) if text.startswith("/") else text


def arg_risks(scope: Scope, script: ShellScript, uses: Sequence[CacheTarget], calls: Sequence[PackageManagerCall],
              uid: int | None) -> list[str]:
    """Why the mounts ``uses`` (with ``uid``) for ``calls`` are only right for an ``ARG``'s
    default: ``USER ${UID}`` (the mount's ``uid`` and the home below it), or a directory
    from ``ARG PIP_CACHE_DIR=…`` or an ``ENV`` that expands an ARG. ``--build-arg`` can
    change them, and the mount would then not be the directory the tool uses, nor
    writable by its user."""
    out: list[str] = []
    if scope.user_args and uid is not None and any(not u.system for u in uses):
        out.append(f"the mount's `uid={uid}` follows `USER` from the default of {_args(scope.user_args)}, "
                   f"which `--build-arg` can change")
    own = script
    for u in uses:
        if u.how != "default" or u.system:
            continue
        for call in calls:
            if u.cache not in call.info.caches:
                continue
            get = call_env(scope.run_get, own, call.command)
            for name in _resolved_by(u.cache, get):
                found = scope.from_args(name)
                if found and get(name) == scope.run_get(name):
                    out.append(f"`{u.path}` follows the default of {_args(found)} (through `${name}`), "
                               f"which `--build-arg` can change")
    return list(dict.fromkeys(out))


def _args(names: frozenset[str]) -> str:
    return ", ".join(f"`ARG {n}`" for n in sorted(names))


def _resolved_by(cd: CacheDir, get: Callable[[str], object]) -> tuple[str, ...]:
    """The variables :meth:`CacheDir.resolve` reads for the directory it returns."""
    for name in cd.env:
        if get(name) is not None:
            return (name,)
    for name, template in cd.overrides:
        if get(name) is not None:
            return (name, *template_vars(template))
    return template_vars(cd.root_path or cd.path) + template_vars(cd.path)


def mount_owner(scope: Scope, calls: Sequence[PackageManagerCall]) -> tuple[int | None, int | None]:
    """The ``uid`` and ``gid`` a cache mount needs for ``calls`` to write to it as the user
    in ``scope`` (None: root's, the mount's default). Raises CacheBlocked (the reason) when
    BuildKit's numeric ids are not known, or a manager runs through ``sudo``."""
    if all(c.info.system for c in calls):
        return None, None
    for c in calls:
        if not c.info.system and any(w.text.rpartition("/")[2] == "sudo" for w in c.program):
            raise CacheBlocked(f"`{c.manager}` runs through `sudo`")
    u = scope.user
    if u.uid is None:
        raise CacheBlocked(u.reason or f"the uid of user `{u.spec}` is unknown (BuildKit needs a numeric `uid`)")
    # A gid only where USER names a numeric group: otherwise the mount's group (0) and
    # mode 0755 already let the uid write.
    group = u.spec.partition(":")[2]
    return u.uid or None, int(group) if group.isdigit() else None


def missing_parents(model: Model, run: Run, scope: Scope, uses: Sequence[CacheTarget], uid: int | None) -> list[str]:
    """Why mounts ``uses`` owned by ``uid`` (not root) could leave the user's files in a
    directory owned by root: BuildKit creates a missing directory above a mount target as
    root (only the target gets ``uid``; moby/buildkit#2682), so when the user's ``HOME``
    (for a target inside it; else the target's parent) does not exist yet, the ``RUN``
    runs with a ``HOME`` the user cannot write to, and one the ``RUN`` writes to stays so
    in the image. Known to exist: the home ``useradd -m``/``adduser`` created or the base
    image has, a directory a ``WORKDIR``, ``COPY``/``ADD`` or ``mkdir`` made (or wrote
    under) before, the image's top-level directories."""
    if not uid:
        return []
    home = scope.home
    out: list[str] = []
    for u in uses:
        if u.system:
            continue
        need = home if home is not None and inside(u.path, home) and u.path != home else posixpath.dirname(u.path)
        if not _exists(model, run, scope, need):
            who = scope.user.spec or str(uid)
            out.append(f"nothing before it is known to create `{need}`: BuildKit would create it owned by root "
                       f"for the mount on `{u.path}`, and user `{who}` could not write to it")
    return list(dict.fromkeys(out))


def _exists(model: Model, run: Run, scope: Scope, directory: str) -> bool:
    """``directory`` is known to exist when ``run`` starts (see :func:`missing_parents`)."""
    if directory in BASE_DIRS:
        return True
    user = scope.user
    if user.home_made and user.home == directory:
        return True
    if scope.workdir is not None and inside(scope.workdir, directory):
        return True
    stage = model.stage_of(run)
    if stage is not None:
        facts = model.stages[model.chain(stage.index)[0]].image_facts
        if facts is not None and inside(facts.workdir, directory):
            return True
    for x in model.before(run):
        if isinstance(x, Workdir) and x.value is not None:
            at = model.scope_at(x)
            path = at.expand(x.value.text)
            full = join_workdir(at.workdir, path) if path is not None else None
            if full is not None and inside(posixpath.normpath(full), directory):
                return True
    return model.wrote_under(run, directory)


def blocked(model: Model, run: Run, call: PackageManagerCall, scope: Scope,
            read: Callable[[str], bytes | None]) -> str | None:
    """Why no cache mount can serve ``call`` at all (the tool keeps its cache elsewhere:
    :func:`yarn_not_classic`, :func:`bundler_vendored`); None when nothing says so."""
    if call.manager is Manager.YARN:
        return yarn_not_classic(model, run, call, read)
    return bundler_vendored(model, run, call, scope)


def yarn_not_classic(model: Model, run: Run, call: PackageManagerCall,
                     read: Callable[[str], bytes | None]) -> str | None:
    """Why the ``yarn`` of ``call`` (in ``run``) may not be Yarn classic, the one whose cache
    directory the yarn row's default is (Yarn 2+ keeps its cache in the project's
    ``.yarn/cache`` or its global folder); None when it is Yarn classic (see
    :func:`dockmod.semantic.yarn.which_yarn`, over what ran before ``call``). ``read``: a
    file of the build context (None: absent or not known)."""
    stage = model.stage_of(run)
    if stage is None:
        return "the Yarn in use is not known"
    base = model.stages[model.chain(stage.index)[0]]
    found = which_yarn(base, (*model.before(run), run), read, until=call.command)
    return None if found.generation == "classic" else found.reason


def bundler_vendored(model: Model, run: Run, call: PackageManagerCall, scope: Scope) -> str | None:
    """Why the Bundler ``call`` (in ``run``) installs gems into a path of its own (see
    ``BUNDLER_VENDOR_ENV``), whose downloads the gem cache mount does not hold; None when
    nothing before it says so."""
    if call.manager is not Manager.BUNDLER:
        return None
    tail = "makes Bundler install gems (and keep their downloads) in a path of its own, not in the gem cache"
    opt = call.option(*BUNDLER_VENDOR_OPTIONS) or next(
        (o for o in call.options if o.name.split("=", 1)[0] in BUNDLER_VENDOR_OPTIONS), None)
    if opt is not None:
        return f"`{os.path.basename(call.program[-1].text)} {call.action} {opt.name.split('=', 1)[0]}` {tail}"
    own = shell_script(run)
    get = call_env(scope.run_get, own, call.command) if own is not None else scope.run_get
    for name in BUNDLER_VENDOR_ENV:
        value = get(name)
        if value is None or isinstance(value, str) and (
                not value or name == "BUNDLE_DEPLOYMENT" and value.strip().lower() in ("false", "0", "no")):
            continue
        if isinstance(value, str) or name in scope.env or (own is not None and name in own.text):
            return f"`{name}` {tail}"
    steps: list[SimpleCommand] = []
    for x in model.before(run):
        if isinstance(x, (Copy, Add)) and x.flag("from") is None and any(
                BUNDLER_CONFIG_DIR in posixpath.normpath(s).split("/") for s in x.sources):
            return f"the Dockerfile copies Bundler's `{BUNDLER_CONFIG_DIR}/config`, which may set `path` (it {tail})"
        if isinstance(x, Run) and _mentions(x, "config"):
            script = shell_script(x)
            steps.extend(script.commands if script is not None else ())
    if own is not None:
        steps.extend(c for c in own.commands if c.span[0] < call.command.span[0])
    for cmd in steps:
        if cmd.name.rpartition("/")[2] not in call.info.programs:
            continue
        words = [w.text for w in cmd.args if not w.text.startswith("-")]
        if words[:1] != ["config"]:
            continue
        rest = words[2:] if words[1:2] == ["set"] else words[1:]
        key = rest[0] if rest else ""
        value = rest[1].strip("'\"").lower() if len(rest) > 1 else ""
        if key in BUNDLER_VENDOR_SETTINGS and not (key == "deployment" and value in ("false", "0", "no")):
            return f"`bundle config {' '.join(words[1:3 if words[1:2] != ['set'] else 4])}` {tail}"
    return None


def config_file_risks(model: Model, run: Run, calls: Sequence[PackageManagerCall], scope: Scope,
                      read: Callable[[str], bytes | None]) -> list[str]:
    """Why the default cache directory of ``calls`` may not be where they keep their cache:
    a configuration file that can move it (``CACHE_CONFIGS``: ``pip.conf``'s ``cache-dir``,
    ``.npmrc``'s ``cache`` …) is written by a ``RUN`` (this one included) or copied into
    the image before the call, or a variable names one (``PIP_CONFIG_FILE``, not
    ``/dev/null``). A file copied from the build context that ``read`` shows without the
    setting does not count."""
    managers = {c.manager for c in calls}
    rows = [r for r in CACHE_CONFIGS if managers & set(r.managers)]
    if not rows:
        return []
    own = shell_script(run)
    out: list[str] = []
    for row in rows:
        for call in (c for c in calls if c.manager in row.managers):
            get = call_env(scope.run_get, own, call.command) if own is not None else scope.run_get
            for name in row.env:
                value = get(name)
                if value is not None and value != os.devnull:
                    out.append(f"`{name}` names a configuration file of `{call.manager}`, which may set "
                               f"`{row.setting}`: the cache may not be where the mount is")
            paths = set()
            for template in row.paths:
                found = expand_template(template, get)
                if found is not None:
                    paths.add(posixpath.normpath(found))

            bases = {posixpath.basename(p) for p in paths}

            def config(path: str) -> bool:
                return posixpath.basename(path) in row.names or path in paths

            # The writes of the RUNs before ``run``, as writes_before reads them (which
            # analyses no RUN that cannot write: most of them); ``run``'s own then.
            written: dict[int, str] = {}
            for w in model.writes_before(run):
                if isinstance(w.instruction, Run) and id(w.instruction) not in written and config(w.path):
                    written[id(w.instruction)] = w.path
            for x in (*model.before(run), run):
                if isinstance(x, Run):
                    hit = next((p for p in model.run(x).writes if config(p)), None) if x is run else written.get(id(x))
                    if hit is not None:
                        out.append(f"a `RUN` writes `{hit}`, a configuration file of `{call.manager}` that may set "
                                   f"`{row.setting}`: the cache may not be where the mount is")
                elif isinstance(x, (Copy, Add)) and (any(
                        n in w for w in (*x.sources, x.destination or "") for n in (*row.names, *bases))
                        or x.flag("from") is None and any(posixpath.normpath(w) in (".", "/") for w in x.sources)):
                    for src in _config_sources(model, x, config, row.names, read):
                        data = read(posixpath.normpath(src.lstrip("/"))) if x.flag("from") is None else None
                        if data is not None and row.setting.encode() not in data:
                            continue
                        out.append(f"`{x.name} {src}` puts a configuration file of `{call.manager}` in the image, "
                                   f"which may set `{row.setting}`: the cache may not be where the mount is")
                        break
    return list(dict.fromkeys(out))


def _config_sources(model: Model, x: Copy | Add, config: Callable[[str], bool], names: Sequence[str],
                    read: Callable[[str], bytes | None]) -> list[str]:
    """The sources of ``x`` that land as a configuration file (``config``: a path or name is
    one): every source when the destination is one, else those named like one; for a
    source ``.`` (the whole context), the project files of ``names`` the context holds."""
    scope = model.scope_at(x)
    dest = scope.expand(x.destination or "") or ""
    if dest and not dest.startswith("/") and scope.workdir is not None:
        dest = posixpath.join(scope.workdir, dest)
    if dest and not dest.endswith("/") and config(posixpath.normpath(dest) if dest.startswith("/") else
                                                  posixpath.basename(dest)):
        return list(x.sources)
    out = [src for src in x.sources if config(posixpath.basename(src.rstrip("/")))
           or dest.startswith("/") and config(posixpath.normpath(posixpath.join(dest, posixpath.basename(src))))]
    if x.flag("from") is None:
        out += [n for src in x.sources if posixpath.normpath(src) in (".", "/") for n in names
                if n.startswith(".") and read(n) is not None]
    return out


def etc_apt_risks(model: Model, stage_index: int, scope: Scope, calls: Sequence[PackageManagerCall]) -> list[str]:
    """Why changing ``/etc/apt`` in the stage (before an apt RUN in ``scope`` with ``calls``)
    could change what the build ships or reads."""
    out = []
    if stage_index in model.shipped:
        out.append("it changes `/etc/apt` in a stage that can be shipped")
    elif reader := next((r for src, r in copied_paths(model, stage_index)
                         if inside("/etc/apt", src) or inside(src, "/etc/apt") and src != "/"), None):
        out.append(f"{reader} reads `/etc/apt`")
    u = scope.user
    if u.uid is None and u.inherited and any(os.path.basename(w.text) == "sudo" for c in calls for w in c.program):
        # ``sudo apt-get`` in an image whose default user is not known: an inserted RUN may
        # run as that user, and there is no USER to restore after ``USER root``.
        out.append(f"the user of image `{model.stages[stage_index].image_text or '?'}` is not known")
    return out


class MountRisks:
    """Why a cache mount on a RUN could change what the image's other steps see, when the
    calls of ``managers`` get mounts (see :meth:`of_model`). Answers about other
    instructions and stages are kept, so a stage is looked through once whatever the
    number of RUNs and managers that ask, and once for a check and the fix pass that
    follows it on the same tree."""

    @staticmethod
    def of_model(model: Model, managers: frozenset[Manager]) -> MountRisks:
        """The one for ``model`` and ``managers`` (kept while the model is in use)."""
        per_model = _RISKS.get(model)
        if per_model is None:
            per_model = _RISKS[model] = {}
        hit = per_model.get(managers)
        if hit is None:
            # The model held weakly: the entry goes with the model (see :data:`_RISKS`).
            hit = per_model[managers] = MountRisks(weakref.proxy(model), managers)
        return hit

    def __init__(self, model: Model, managers: frozenset[Manager]) -> None:
        self.model = model
        self.handled: Handled = lambda c: c.manager in managers and c.kind is not None
        #: (use, managers, programs) → id of a later instruction → its reasons (the
        #: use as :meth:`_use_key` reads it).
        self._later: dict[tuple, dict[int, list[str]]] = {}
        self._copied: dict[int, list[str]] = {}
        self._toolbox: dict[int, bool] = {}
        #: (use, managers, programs) → id of an instruction → the reasons of every
        #: instruction after it (:meth:`_after`), filled for a stage's suffix at once.
        self._tails: dict[tuple, dict[int, tuple[str, ...]]] = {}
        #: (id of a RUN, manager) → :meth:`_will_mount`.
        self._mounting: dict[tuple[int, Manager | None], bool] = {}

    def of(self, run: Run, script: ShellScript, uses: Sequence[CacheTarget], calls: Sequence[PackageManagerCall],
           scope: Scope, edited: Run | None = None, decided: Decided | None = None) -> list[str]:
        """The reasons, for mounts ``uses`` serving ``calls`` on ``run`` (``script``: its
        script; ``edited``: the RUN as the fix leaves it, when the fix removes commands or
        words; ``decided``: the fixes of the RUNs before it, see :func:`filled_before`);
        empty when the mounts are safe."""
        model, home = self.model, scope.home
        stage = model.stage_of(run)
        assert stage is not None
        copied = self._copied.get(stage.index)
        if copied is None:
            copied = self._copied[stage.index] = copied_paths(model, stage.index)
        out: list[str] = []
        filled: list[str] = []
        toolbox: list[str] = []
        grouped: dict[str, list[str]] = {}
        for call in calls:
            reads = reads_stored(call, call_env(scope.run_get, script, call.command))
            if reads:
                out.append(f"`{reads[0]}` reads only what an earlier step stored")
            if reads_stored_index(call, calls):
                if self._index_stored_before(run, call):
                    out.append(f"`{call.manager} {call.action}` reads package lists an earlier `RUN` stored")
                else:
                    out.append(f"`{call.manager} {call.action}` reads the package lists the base image holds "
                               f"(no `{call.manager} {' or '.join(sorted(call.info.index_actions))}` before it), "
                               f"which the mount would hide")
        for u in uses:
            if u.how == "option":
                out.append(f"`{u.path}` is set on the command line")
            if u.how == "config":
                out.append(f"`{u.path}` is set by `config set`: the author chose it and may use it")
            if u.system and u.path == "/var/cache/apk":
                out.append("apk's use of `/var/cache/apk` depends on its version")
            stale = next((c for c in calls if u.cache.expiring_metadata and u.cache in c.info.caches
                          and not refreshes_metadata(c, shell_script(run) or script)), None)
            reasons = [] if stale is None else [
                f"`{stale.manager}` reuses the repository metadata in `{u.path}` {u.cache.expiring_metadata} "
                f"unless the `RUN` refreshes it ({' or '.join(f'`{o}`' for o in stale.info.metadata_refresh)}): "
                f"a cached copy can name packages the mirror has dropped"]
            if u.how == "default" and _may_name(run, u.path) and _names(script, u.path, home) and (
                    edited is None or _still_names(script, edited, u.path, home)):
                out.append(f"the `RUN` itself uses {_at(_named(script, u.path, home), u.path)}")
            if model.wrote_under(run, u.path, copies_from_stages=False):
                out.append(f"the mount hides files written to {_at(_written_under(model, run, u.path), u.path)} "
                           f"earlier")
            elif u.kind == "store" and filled_before(model, run, u, self.handled, decided):
                if not filled:
                    out.append("\0filled")  # said once, for every such directory (below)
                filled.append(u.path)
            if u.kind == "store" and self._default_command(stage.index):
                if not toolbox:
                    out.append("\0toolbox")
                toolbox.append(u.path)
            # A reason said of several directories is said once, naming them all (below).
            for r in reasons + self._after(run, u, calls):
                key = r.replace(f"`{u.path}`", "\0")
                if key not in grouped:
                    grouped[key] = []
                    out.append("\1" + key)
                grouped[key].append(u.path)
            for src, reader in copied:
                if inside(src, u.path) or inside(u.path, src) and src != "/":
                    out.append(f"{reader} reads {_at(src, u.path)}")
        out = [r[1:].replace("\0", _listed(grouped[r[1:]])) if r.startswith("\1") else r for r in out]
        if filled:
            out[out.index("\0filled")] = (f"an earlier `RUN` may have filled {_listed(filled)}, "
                                          f"which the mount{'s' if len(filled) > 1 else ''} would hide")
        if toolbox:
            out[out.index("\0toolbox")] = (f"the image can be shipped with its base image's `CMD`/`ENTRYPOINT`: a "
                                           f"command given to `docker run` may need {_listed(toolbox)}")
        return out

    def _index_stored_before(self, run: Run, call: PackageManagerCall) -> bool:
        """A RUN before ``run`` (in its stage chain) may refresh ``call``'s package index."""
        words = tuple(call.info.index_actions)
        return bool(words) and any(isinstance(x, Run) and _mentions(x, *words) for x in self.model.before(run))

    def shipped_index(self, run: Run, script: ShellScript, uses: Sequence[CacheTarget],
                      calls: Sequence[PackageManagerCall]) -> dict[str, str]:
        """Package index mounts of ``uses`` (apt's lists) that would leave a stage that can
        be shipped without its index, when the script does not remove it itself: a later
        install in a container or a child image (without ``update``) reads it. Path → reason."""
        stage = self.model.stage_of(run)
        if stage is None or stage.index not in self.model.shipped:
            return {}
        out: dict[str, str] = {}
        managers = list(dict.fromkeys(c.manager for c in calls))
        last = max(c.span[0] for c in calls)
        for u in uses:
            if u.kind == "index" and not any(empties_index(cmd, u.path, managers) for cmd in _last_after(script, last)):
                out[u.path] = (f"a stage that can be shipped would lose the package lists in `{u.path}` "
                               f"(a later `{calls[0].manager} install` without `update` fails)")
        return out

    def _default_command(self, stage_index: int) -> bool:
        """A stage that is ``stage_index`` or built on it can be shipped (with ``--target``:
        a stage that is the base of another counts too), and no stage of its ``FROM`` chain
        sets ``CMD`` or ``ENTRYPOINT``: it runs its base image's default (a shell, ``go``),
        so it may be run as a toolbox (``docker run img go test``)."""
        hit = self._toolbox.get(stage_index)
        if hit is None:
            model = self.model
            shipped = model.shipped
            hit = self._toolbox[stage_index] = any(
                t in shipped and not any(
                    isinstance(x, (Cmd, Entrypoint)) for i in model.chain(t) for x in model.stages[i].instructions)
                for t in (stage_index, *model.descendants(stage_index)))
        return hit

    def _after(self, run: Run, use: CacheTarget, calls: Sequence[PackageManagerCall]) -> list[str]:
        """Why instructions after ``run`` (the rest of the stage and the stages built on
        it) make ``use`` unsafe."""
        managers = frozenset(c.manager for c in calls)
        progs = frozenset(w.text.rpartition("/")[2] for c in calls for w in c.program)
        key = (*_use_key(use), managers, progs)
        tails = self._tails.get(key)
        if tails is None:
            tails = self._tails[key] = {}
        hit = tails.get(id(run))
        if hit is None:
            hit = self._fill_tails(run, use, key, tails)
        return list(hit)

    def _fill_tails(self, run: Run, use: CacheTarget, key: tuple, tails: dict[int, tuple[str, ...]],
                    ) -> tuple[str, ...]:
        """:meth:`_after`'s reasons for ``run``, read from the last instruction back, kept
        for ``run`` and for each later instruction of its stage (whose instructions after it
        are a suffix of ``run``'s): a stage's RUNs are looked through once per ``key``."""
        managers, progs = key[-2:]
        known = self._later.setdefault(key, {})
        later = self.model.after(run)
        stage = self.model.stage_of(run)
        own = stage.instructions if stage is not None else ()
        # later[:rest] is the rest of run's stage, the stages built on it follow.
        rest = len(own) - own.index(run) - 1 if run in own else 0
        acc: tuple[str, ...] = ()
        for i in range(len(later) - 1, -1, -1):
            ins = later[i]
            if i < rest:
                tails[id(ins)] = acc
            if not isinstance(ins, (Run, Cmd, Entrypoint)):
                continue  # :meth:`_after_one` gives no reason for any other instruction
            hit = known.get(id(ins))
            if hit is None:
                hit = known[id(ins)] = self._after_one(ins, use, managers, progs)
            if hit:
                acc = tuple(dict.fromkeys((*hit, *acc)))
        tails[id(run)] = acc
        return acc

    def _after_one(self, ins: Instruction, use: CacheTarget, managers: frozenset[Manager],
                   progs: frozenset[str]) -> list[str]:
        if use.how == "build" and isinstance(ins, (Run, Cmd, Entrypoint)) and ins.command is not None and any(
                use.path.rpartition("/")[2] in t
                for t in (ins.command.text, *(h.body for h in getattr(ins, "heredocs", ())))):
            # A build directory is named relative to the project: any mention may read it.
            return [f"a later `{ins.name}` may read `{use.path}`"]
        if isinstance(ins, (Cmd, Entrypoint)):
            text = ins.command.text if ins.command is not None else ""
            if use.kind == "store" and any(p in text.replace('"', " ").split() for p in progs):
                return [f"`{ins.name}` runs the tool that needs `{use.path}`"]
            return []
        if not isinstance(ins, Run):
            return []
        if use.kind == "index":
            # A later install without its own index refresh reads the index this RUN stores;
            # that RUN's own mount is unsafe too, so it may stay unmounted.
            if mounts_path(ins.flags, use.path) or not may_call_any(ins, _INDEX_READERS):
                return []
            script = shell_script(ins)
            if script is None:
                return []
            calls = pm_calls(script)
            return [f"a later `RUN` reads the package lists in `{use.path}`"] if any(
                reads_stored_index(c, calls) for c in calls) else []
        if use.kind == "cache" and not use.cache.read_offline and not _mentions(
                ins, "~", "HOME", "/" + use.path.split("/")[1]):
            # No absolute path at, above or below it can be named (``/`` itself is not counted).
            # Asked first: the answer is the same whether or not ``ins`` mounts it too (below).
            return []
        if mounts_path(ins.flags, use.path) or self._will_mount(ins, use):
            return []
        script = shell_script(ins)
        later = self.model.scope_at(ins)
        # ``~`` and ``$HOME`` as that RUN sees them (an ``ENV HOME`` or ``USER`` may have changed it).
        used = next((w for w in _paths(script, later.home) if inside(w, use.path) or inside(use.path, w)
                     and w != "/"), None)
        if used is not None:
            return [f"a later `RUN` uses {_at(used, use.path)}"]
        get = later.run_get
        if (use.kind == "store" or use.cache.read_offline) and any(
                c.manager in managers and offline(c, call_env(get, script, c.command))
               for c in (pm_calls(script) if script else [])):
            return [f"a later `RUN` reads `{use.path}` offline (it cannot be mounted safely)"]
        if use.kind == "store" and not file_commands_only(script, managers):
            return [f"a later `RUN` may need `{use.path}`"]
        return []

    def _will_mount(self, run: Run, use: CacheTarget) -> bool:
        """A later RUN that gets the same mount (same manager, handled), as a fix that can
        be applied with this one: not one held back because the call only reads what is
        stored (then this RUN's store must stay in the layer)."""
        key = (id(run), use.manager)
        hit = self._mounting.get(key)
        if hit is None:
            hit = self._mounting[key] = self._will_mount_now(run, use)
        return hit

    def _will_mount_now(self, run: Run, use: CacheTarget) -> bool:
        script = shell_script(run) if use.manager is not None and _mentions(
            run, *MANAGERS[use.manager].programs, *MANAGERS[use.manager].versioned,
            *MANAGERS[use.manager].python_modules) and may_run_any(run, frozenset((use.manager,))) else None
        if script is None or script.has_error:
            return False
        calls = [c for c in pm_calls(script) if c.manager is use.manager]
        if not any(self.handled(c) for c in calls):
            return False
        scope = self.model.scope_at(run)
        return not any(offline(c, call_env(scope.run_get, script, c.command)) for c in calls)


def _use_key(use: CacheTarget) -> tuple[object, ...]:
    """What :meth:`MountRisks._after_one` reads of ``use``: a key that hashes no row (a
    dataclass of many fields, hashed field by field)."""
    return (use.path, use.how, use.manager, use.cache.kind, use.cache.read_offline)


#: Each model's MountRisks by managers, kept while the model is in use: keyed weakly, and
#: each holds its model through a weak proxy, so no model outlives its file for them.
_RISKS: weakref.WeakKeyDictionary[Model, dict[frozenset[Manager], MountRisks]] = weakref.WeakKeyDictionary()


def _paths(script: ShellScript | None, home: str | None) -> tuple[str, ...]:
    """The paths of :func:`paths_named`, kept with the (shared) parsed script."""
    if script is None:
        return ()
    return script.derived((_paths, home), lambda s: tuple(p for p, _ in paths_named(s, home)))


def _may_name(run: Run, directory: str) -> bool:
    """Cheap pre-filter of :func:`_names` on ``run``'s script (or on the script of ``run``
    after edits, which holds none of the words it does not): a word names a path at or
    below ``directory`` only when the text holds ``/<name>`` for each name in ``directory``
    (normalising only drops names), or ``~`` or ``HOME`` (the path may start there)."""
    text = run_text(run)
    return "~" in text or "HOME" in text or all(f"/{name}" in text for name in directory.split("/") if name)


def _names(script: ShellScript, directory: str, home: str | None) -> bool:
    """An argument of ``script`` names ``directory`` or a path inside it (from :func:`_paths`)."""
    return any(inside(p, directory) for p in _paths(script, home))


def _still_names(script: ShellScript, edited: Run, directory: str, home: str | None) -> bool:
    """:func:`_names` for ``edited``, ``script``'s RUN after the fix's edits. The edits only
    drop words and commands (and add assignments that name no path), so every word of the
    edited script is one of ``script``'s, as written: when the edited text holds none of
    the words that name ``directory``, it names it no more (and is not parsed to tell)."""
    words = [raw for p, raw in paths_named(script, home) if inside(p, directory)]
    cmd = edited.command
    assert isinstance(cmd, ShellCommand)
    text = edited.heredocs[0].body if script.escape is None else cmd.text
    if not any(w in text for w in words):
        return False
    return _names(shell_script(edited) or script, directory, home)


def _last_after(script: ShellScript, offset: int) -> Iterator[SimpleCommand]:
    """The commands of ``script`` that start after ``offset``, the last one first (where
    an ``rm`` of the lists usually is), not looking at those before."""
    for cmd in reversed(script.commands):
        if cmd.span[0] <= offset:
            return
        yield cmd


def _at(path: str | None, directory: str) -> str:
    """``path`` as a reason names it: the mount's ``directory`` itself, or the exact path
    used inside it (or above it) with the directory it concerns."""
    if path is None or path == directory:
        return f"`{directory}`"
    return f"`{path}` (in `{directory}`)" if inside(path, directory) else f"`{path}` (which holds `{directory}`)"


def _named(script: ShellScript, directory: str, home: str | None) -> str | None:
    """The first path of ``script`` (see :func:`_paths`) at or inside ``directory``."""
    return next((p for p in _paths(script, home) if inside(p, directory)), None)


def _written_under(model: Model, run: Run, directory: str) -> str | None:
    """The first path written at or inside ``directory`` before ``run`` (no ``COPY --from``)."""
    return next((w.path for w in model.writes_before(run) if inside(w.path, directory) and not (
        isinstance(w.instruction, (Copy, Add)) and w.instruction.flag("from") is not None)), None)


def _listed(paths: Sequence[str]) -> str:
    return ", ".join(f"`{p}`" for p in paths)
