"""Which Yarn runs in an image: classic (1.x) or berry (2+), and the version named.

What puts a Yarn in place is the table in :mod:`dockmod.ecosystems.node` (``YARN_SWITCHES``,
``YARN_CLASSIC_PACKAGES``, ``YARN_BERRY_PACKAGES``, ``YARN_BERRY_FILES``); this module reads
those rows against the instructions a transform names, once, for DM202 (only Yarn classic
uses the classic cache directory) and DM401 (which prune the builder runs).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dockmod.buildcontext.manifests import package_manager
from dockmod.cst import Add, Copy, Instruction, Run, ShellCommand
from dockmod.ecosystems import MANAGERS, Manager
from dockmod.ecosystems.node import (
    YARN_BERRY_FILES,
    YARN_BERRY_PACKAGES,
    YARN_CLASSIC_PACKAGES,
    YARN_SWITCHES,
    yarn_generation,
)
from dockmod.semantic.model import StageInfo
from dockmod.semantic.runs import run_text, shell_script
from dockmod.shell.parse import SimpleCommand

#: The managers whose global installs (their ``global_options``) may name a Yarn version.
_GLOBAL_INSTALLERS = {p: MANAGERS[m] for m in (Manager.NPM, Manager.PNPM) for p in MANAGERS[m].programs}
#: What Yarn 2+ is, for the reasons.
_BERRY = "Yarn 2+ (berry), which does not use Yarn classic's cache directory"


@dataclass(frozen=True, slots=True)
class Yarn:
    """Which Yarn the instructions read put in place."""

    #: ``classic``, ``berry`` or ``unknown``: the image's, unless a RUN step installs a
    #: Yarn (the last one wins); a copied ``.yarnrc.yml`` or ``.yarn/`` makes it berry
    #: whatever the steps (Yarn classic follows its ``yarnPath``); a ``.yarnrc.yml`` the Dockerfile sends from the build context, or
    #: package.json's ``packageManager`` naming Yarn 2+, makes it berry; after a corepack
    #: step, one naming Yarn 1 makes it classic.
    generation: str
    #: Why it is not classic ("" when it is).
    reason: str
    #: The last Yarn version or dist-tag the Dockerfile names, as written (``4``,
    #: ``stable``, ``$YARN_VERSION``); None: none is named.
    version: str | None
    #: A ``corepack`` command runs: its ``yarn`` is the one package.json's
    #: ``packageManager`` names, unless the Dockerfile names a version.
    corepack: bool
    #: The Yarn version of package.json's ``packageManager`` in the build context
    #: (``yarn@4.1.0+sha…`` → ``4.1.0``), read when ``corepack`` is true; None: none or not known.
    package_manager: str | None


@dataclass(frozen=True, slots=True)
class _Step:
    #: ``classic``, ``berry``, None: package.json's ``packageManager`` decides; and why.
    generation: str | None
    reason: str


def which_yarn(image: StageInfo | None, instructions: Sequence[Instruction],
               read: Callable[[str], bytes | None], *, until: SimpleCommand | None = None,
               programs: frozenset[str] | None = None, ignore: frozenset[tuple[str, ...]] = frozenset()) -> Yarn:
    """The Yarn in place after ``instructions`` (COPY/ADD and RUN; with ``until``, the last
    RUN's commands before that one only; with ``programs``, the commands of those programs
    only; the ``YARN_SWITCHES`` of ``ignore`` are not read) on the image ``image``'s FROM names (an official ``node`` image ships Yarn
    classic: ``NODE_IMAGE_YARN``; another's is unknown). ``read``: a file of the build
    context (None: absent or not known)."""
    facts = image.image_facts if image is not None else None
    generation: str | None = "classic" if facts is not None and facts.family == "node" else "unknown"
    text = image.image_text if image is not None else None
    why = f"the Yarn of image `{text or '?'}` is of unknown version (it may be {_BERRY})"
    #: Files of the build context at its root that a COPY/ADD sends (``.`` all).
    sent: set[str] = set()
    version: str | None = None
    corepack = picks = False
    steps: list[SimpleCommand] = []
    #: Why a copied ``.yarnrc.yml``/``.yarn/`` makes it berry: whatever Yarn a RUN installs,
    #: before or after the copy (Yarn classic 1.22 runs the release ``yarnPath`` names).
    copied = ""
    last = instructions[-1] if instructions else None
    for x in instructions:
        if isinstance(x, (Copy, Add)) and x.flag("from") is None:
            for src in x.sources:
                sent.add(posixpath.normpath(src.lstrip("/")) if src.strip("/") else ".")
                name = posixpath.basename(posixpath.normpath(src))
                if name in YARN_BERRY_FILES or any(f"{f}/" in src for f in YARN_BERRY_FILES):
                    copied = f"the Dockerfile copies `{src}` (a project of {_BERRY})"
        elif isinstance(x, Run) and isinstance(x.command, ShellCommand) and any(
                w in run_text(x) for w in ("yarn", "corepack")):
            script = shell_script(x)
            steps.extend(c for c in (script.commands if script is not None else ())
                         if (x is not last or until is None or c.span[0] < until.span[0])
                         and (programs is None or os.path.basename(c.name) in programs))
    for cmd in steps:
        version = _named(cmd, version, ignore)
        corepack = corepack or (os.path.basename(cmd.name) == "corepack"
                                and any(not w.text.startswith("-") for w in cmd.args))
        step = _step(cmd, ignore)
        if step is not None:
            generation, why = step.generation, step.reason
            picks = picks or os.path.basename(cmd.name) == "corepack"
    if copied and generation != "berry":
        generation, why = "berry", copied
    project = None
    if corepack or sent & {".", "package.json"}:
        raw = read("package.json")
        found = package_manager(raw) if raw is not None else None
        project = found[1] if found is not None and found[0] == "yarn" else None
    if generation != "berry" and sent & {".", ".yarnrc.yml"} and read(".yarnrc.yml") is not None:
        generation, why = "berry", f"the build context has `.yarnrc.yml` (a project of {_BERRY})"
    if generation != "berry" and sent & {".", "package.json"} and project is not None:
        if yarn_generation(project) == "berry":
            generation, why = "berry", f"package.json's `packageManager` is `yarn@{project}` ({_BERRY})"
        elif picks:
            generation = "classic"
    if generation is None:
        generation = "unknown"
    return Yarn(generation, "" if generation == "classic" else why, version, corepack,
                project if corepack else None)


def _named(cmd: SimpleCommand, version: str | None, ignore: frozenset[tuple[str, ...]]) -> str | None:
    """The Yarn version ``cmd`` names, as written (``corepack prepare yarn@4``, ``yarn set
    version 4``, ``npm install -g yarn@4``), else ``version``."""
    name = os.path.basename(cmd.name)
    words = [w.text for w in cmd.args if not w.text.startswith("-")]
    for prefix, where in YARN_SWITCHES:
        if prefix in ignore or name != prefix[0] or tuple(words[:len(prefix) - 1]) != prefix[1:]:
            continue
        rest = words[len(prefix) - 1:]
        if where == "next":
            return rest[0] if rest else version
        # A ``yarn@<v>`` operand (``corepack enable`` names none, but one is read as one).
        return next((w.split("@", 1)[1] for w in reversed(rest) if w.startswith("yarn@")), version)
    row = _GLOBAL_INSTALLERS.get(name)
    if row is not None and any(w.text in row.global_options for w in cmd.args):
        for w in words:
            pkg, at, v = w.partition("@")
            if pkg in YARN_CLASSIC_PACKAGES and at:
                version = v
    return version


def _step(cmd: SimpleCommand, ignore: frozenset[tuple[str, ...]]) -> _Step | None:
    """Which Yarn ``cmd`` puts in place; None: it installs no Yarn. A version named through
    a variable is not known (``yarn set version $V``: berry, it may be)."""
    name = os.path.basename(cmd.name)
    words = [w.text if w.static else "$" for w in cmd.args]
    operands = [w for w in words if not w.startswith("-")]
    shown = " ".join([name, *operands[:3]])
    pick = _Step(None, f"`{shown}` lets package.json's `packageManager` pick the Yarn (it may be {_BERRY})")
    for prefix, where in YARN_SWITCHES:
        if prefix in ignore or name != prefix[0] or tuple(operands[:len(prefix) - 1]) != prefix[1:]:
            continue
        rest = operands[len(prefix) - 1:]
        if where == "operand":
            named = [w for w in rest if w.startswith("yarn@")]
            if not named and any(not w.static and w.text.startswith(("yarn", "$")) for w in cmd.args):
                # ``corepack prepare yarn@$V``: a version not known here
                return _Step("berry", f"`{shown}` names a Yarn version dockmod cannot know (it may be {_BERRY})")
            if not named:
                if rest and not any(w.startswith("yarn") for w in rest):
                    return None  # ``corepack prepare pnpm@9``
                return pick
            version = named[-1].split("@", 1)[1]
        elif where == "next":
            version = rest[0] if rest else ""
        else:
            if rest and "yarn" not in rest:
                return None  # ``corepack enable pnpm``
            return pick
        if version and "$" not in version and yarn_generation(version) == "classic":
            return _Step("classic", "")
        return _Step("berry", f"`{shown}` installs {_BERRY}")
    row = _GLOBAL_INSTALLERS.get(name)
    if row is not None and any(w.text in row.global_options for w in cmd.args) or (
            row is not None and _location_global(cmd)):
        for w in operands:
            pkg, _, version = w[1:].partition("@") if w.startswith("@") else w.partition("@")
            pkg = "@" + pkg if w.startswith("@") else pkg
            if pkg in YARN_BERRY_PACKAGES:
                return _Step("berry", f"`{name} install -g {w}` installs {_BERRY}")
            if pkg in YARN_CLASSIC_PACKAGES:
                if not version or version == "latest" or yarn_generation(version) == "classic":
                    return _Step("classic", "")
                return _Step("berry", f"`{name} install -g {w}` installs {_BERRY}")
    if name in ("apt-get", "apt", "apk") and any(w in ("install", "add") for w in operands):
        if any(w.split("=", 1)[0] in YARN_CLASSIC_PACKAGES for w in operands):
            return _Step("classic", "")
    return None


def _location_global(cmd: SimpleCommand) -> bool:
    """``--location global`` (npm's other spelling of ``--location=global``, a
    ``global_options`` row)."""
    texts = [w.text for w in cmd.args]
    return any(a == "--location" and b == "global" for a, b in zip(texts, texts[1:]))
