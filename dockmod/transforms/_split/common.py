"""What the strategies share: plans, declines, and reading RUNs and packages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dockmod.cst import Instruction
from dockmod.ecosystems.system import (
    CLEANUP_PATHS,
    GROUP_OPTIONS,
    REMOVING_ACTIONS,
    build_package,
    group_option,
)

if TYPE_CHECKING:
    from dockmod.cst import Dockerfile
    from dockmod.ecosystems import PackageManagerCall
    from dockmod.semantic import Model, RunFacts, StageInfo
    from dockmod.shell import SimpleCommand

#: Instructions that only shape the image a user runs: never needed in a builder.
RUNTIME_ONLY = frozenset({"EXPOSE", "CMD", "ENTRYPOINT", "HEALTHCHECK", "STOPSIGNAL", "VOLUME",
                          "LABEL", "MAINTAINER"})


@dataclass
class Plan:
    """A split: the text of each stage's instructions after its ``FROM`` line."""

    ecosystem: str
    runtime_image: str
    builder: list[str]
    runtime: list[str]
    #: Things the user must check, appended to the finding (implied runtime libraries …).
    notes: list[str] = field(default_factory=list)


@dataclass
class Decline:
    """The strategy recognised the file but cannot prove what its runtime needs."""

    ecosystem: str
    reason: str
    #: Where to point (default: the stage's FROM).
    at: Instruction | None = None


@dataclass
class Ctx:
    """One split attempt: the file, its model, the stage, the options, the output style."""

    df: Dockerfile
    model: Model
    stage: StageInfo
    runtime_images: dict[str, str]
    builder_name: str
    #: The build context (:class:`dockmod.buildcontext.BuildContext`), when on disk.
    build_context: object | None = None

    def read(self, rel: str) -> bytes | None:
        """A file at ``rel`` in the build context, when the stage copies it from there (a
        ``COPY`` of ``rel`` itself, its folder, or ``.``) and the context sends it."""
        from dockmod.cst import Copy

        if self.build_context is None:
            return None
        top = rel.split("/", 1)[0]
        copied = any(isinstance(i, Copy) and i.flag("from") is None and any(
            s.rstrip("/") in (".", "", rel, top) for s in i.sources) for i in self.stage.instructions)
        return self.build_context.read(rel) if copied else None  # type: ignore[attr-defined]

    def text(self, ins: Instruction) -> str:
        return text(ins, self.nl)

    def env(self, run: Instruction, command: SimpleCommand, name: str) -> object:
        """``$name`` in the environment ``command`` (one of ``run``'s) runs with (None:
        unset; ``UNKNOWN``: not known): :func:`dockmod.semantic.env_at`."""
        from dockmod.semantic import env_at

        return env_at(self.model, run, command)(name)  # type: ignore[arg-type]

    def kw(self, name: str) -> str:
        return self.df.style.keyword(name)

    @property
    def nl(self) -> str:
        return self.df.style.newline


def text(ins: Instruction, nl: str) -> str:
    """The instruction as written, with the comment lines above it, ending in a newline
    (``nl``, the file's own, when it has none: the last line of a file without a final
    newline)."""
    code = ins.code
    return code if code.endswith("\n") else code + nl


def comments(ins: Instruction) -> str:
    """Only the comment lines above ``ins`` (blank lines dropped)."""
    return "".join(line.code for line in ins.leading_lines if line.code.strip())


def package_name(word: str) -> str:
    """``libpq-dev=15.*`` → ``libpq-dev``; ``gcc~=12`` → ``gcc`` (apt/apk version pins)."""
    for i, c in enumerate(word):
        if c in "=<>~":
            return word[:i]
    return word


@dataclass
class SystemRun:
    """A RUN made only of system package-manager calls (and cleaning their lists)."""

    run: Instruction
    facts: RunFacts
    #: (call, package word) of build-only packages, in order.
    build: list[tuple[PackageManagerCall, object]]
    #: Runtime libraries the build-only packages imply: (dev package, library or None if unknown).
    implied: list[tuple[str, str | None]]
    runtime_packages: list[str]
    #: ``apk add --virtual NAME`` names of build-only groups.
    virtuals: list[str] = field(default_factory=list)


def system_run(facts: RunFacts, allowed: frozenset[int] = frozenset()) -> SystemRun | str | None:
    """The RUN as a :class:`SystemRun`; a reason string if it installs build-only packages in
    a way that cannot be split; None if it is not (only) a system-package RUN.

    ``allowed``: ids of commands (e.g. pip installs) that may stand between the calls."""
    if not facts.posix or not facts.commands or facts.run.heredocs:
        return None
    by_command = {id(c.command): c for c in facts.calls}
    build: list[tuple[PackageManagerCall, object]] = []
    implied: list[tuple[str, str | None]] = []
    runtime: list[str] = []
    virtuals: list[str] = []
    others = False
    installs_build = False
    for cmd in facts.commands:
        if id(cmd) in allowed:
            continue
        call = by_command.get(id(cmd))
        if call is None or call.info.ecosystem != "system":
            if cmd.name == "rm" and all(a.text.startswith("-") or a.text.startswith(CLEANUP_PATHS)
                                        for a in cmd.args):
                continue
            others = True
            continue
        if call.action in REMOVING_ACTIONS:
            continue  # judged by reduce_run: only build-only packages may be removed
        if call.kind is None or call.kind.name != "PACKAGES":
            continue
        table = call.info.build_packages or {}
        virtual = group_option(call)
        if virtual:
            virtuals.append(virtual)
        transient = virtual is not None and virtual in _deleted_groups(facts.calls)
        for w in call.operands:
            if not w.static:
                if table:
                    return f"the package list of `{cmd.name}` uses a variable (`{w.raw}`)"
                continue
            name = package_name(w.text)
            is_build, lib, known = build_package(table, name)
            if transient and not is_build:  # installed and deleted in this RUN: never in the image
                installs_build = True
                build.append((call, w))
                continue
            if is_build:
                installs_build = True
                build.append((call, w))
                if lib is not None or not known:
                    implied.append((name, lib))
            else:
                runtime.append(name)
        if cmd.nested:
            others = True
    if others:
        if installs_build:
            return "a RUN installs build-only packages together with other commands; split it first"
        return None
    return SystemRun(facts.run, facts, build, implied, runtime, virtuals)


def implied_note(implied: list[tuple[str, str | None]]) -> str | None:
    if not implied:
        return None
    parts = [f"{dev} → {lib}" if lib else f"{dev} → unknown" for dev, lib in implied]
    return ("build-only packages moved to the builder may imply runtime libraries, not added: "
            + ", ".join(parts))


def runtime_image(ctx: Ctx, default: str | None) -> str | None:
    """The runtime base: the ``runtime-images`` option first, then ``default``.

    Option keys match the ``FROM`` text, the text without its digest, the normalised
    reference (``python:3.11``), or the repository alone (``myorg/python-base``): a
    repository's value without a tag of its own gets the builder's tag
    (``{"myorg/python-base" = "myorg/python-runtime"}``: ``myorg/python-base:3.11`` →
    ``myorg/python-runtime:3.11``)."""
    from dockmod.ecosystems.images import repository_and_tag

    from_ = ctx.stage.from_
    written = from_.image.text if from_.image else ""
    facts = ctx.stage.image_facts
    for key in (written, written.split("@", 1)[0], facts.reference if facts else None):
        if key and key in ctx.runtime_images:
            return ctx.runtime_images[key]
    parts = repository_and_tag(written)
    if parts is not None:
        repo, tag = parts
        bare = written.split("@", 1)[0]
        if ":" in bare.rsplit("/", 1)[-1]:
            bare = bare.rsplit(":", 1)[0]
        for key in (bare, repo):
            value = ctx.runtime_images.get(key)
            if value is not None:
                last = value.rsplit("/", 1)[-1]
                return value if (":" in last or "@" in last) else f"{value}:{tag}"
    return default


def unmapped(ctx: Ctx, ecosystem: str, what: str) -> Decline:
    """The decline for a base image with no known runtime counterpart: names the option."""
    from dockmod.ecosystems.images import repository_and_tag

    written = ctx.stage.from_.image.text if ctx.stage.from_.image else ""
    parts = repository_and_tag(written)
    repo = parts[0] if parts else written
    return Decline(ecosystem, (
        f"`{written}` is not {what}, so its runtime counterpart is unknown; map it with the "
        f"`runtime-images` option (dockmod.toml: [transform.split-builder-runtime] "
        f'runtime-images = {{"{repo}" = "<runtime image>"}})'))


def from_line(ctx: Ctx, image: str, name: str) -> str:
    """A ``FROM`` line with the original's flags (``--platform``)."""
    flags = "".join(f.raw + " " for f in ctx.stage.from_.flags)
    return f"{ctx.kw('FROM')} {flags}{image} {ctx.kw('AS')} {name}{ctx.nl}"


def _deleted_groups(calls: object) -> frozenset[str]:
    """Names a removal deletes in these calls, for managers with groups (``apk del``): a
    ``--virtual`` group added and deleted in one RUN leaves nothing in the image."""
    return frozenset(w.text for c in calls  # type: ignore[attr-defined]
                     if c.manager in GROUP_OPTIONS and c.action in REMOVING_ACTIONS
                     for w in c.operands if w.static)


def _removable(call: PackageManagerCall, build_names: set[str], virtuals: set[str]) -> bool:
    """A removal call that only removes what the runtime never installs."""
    return call.action in REMOVING_ACTIONS and all(
        w.static and (package_name(w.text) in build_names or w.text in virtuals)
        for w in call.operands)


def reduce_run(ins: Instruction, nl: str,
               drop: Callable[[SimpleCommand, PackageManagerCall | None], bool],
               stage_build: frozenset[str] = frozenset(),
               stage_virtuals: frozenset[str] = frozenset()) -> str | None:
    """The RUN's text for the runtime: without the commands ``drop`` names, without
    build-only packages, and without removals of build-only packages (of this RUN, or
    ``stage_build``/``stage_virtuals`` installed by earlier ones); "" when nothing but
    index updates and cleaning is left. None when the edit cannot be made exactly."""
    from dockmod.cst import Run, ShellCommand
    from dockmod.ecosystems import calls as pm_calls
    from dockmod.shell import parse_shell, remove_command, remove_words

    assert isinstance(ins, Run)
    command = ins.command
    if not isinstance(command, ShellCommand):
        return None
    for _ in range(200):
        script = parse_shell(command)
        if script.has_error:
            return None
        by_cmd = {id(c.command): c for c in pm_calls(script)}
        build_names: set[str] = set(stage_build)
        virtuals: set[str] = set(stage_virtuals)
        deleted = _deleted_groups(by_cmd.values())
        for call in by_cmd.values():
            table = call.info.build_packages or {}
            if call.info.ecosystem == "system" and call.kind is not None and call.kind.name == "PACKAGES":
                names = [package_name(w.text) for w in call.operands if w.static]
                virtual = group_option(call)
                transient = virtual is not None and virtual in deleted
                builds = names if transient else [n for n in names if build_package(table, n)[0]]
                build_names.update(builds)
                if virtual:
                    if len(builds) != len(names):
                        return None  # a virtual package that holds runtime packages too
                    virtuals.add(virtual)
        target = None
        words = []
        for cmd in script.commands:
            call = by_cmd.get(id(cmd))
            if drop(cmd, call):
                target = cmd
                break
            if call is None or call.info.ecosystem != "system":
                continue
            if _removable(call, build_names, virtuals):
                target = cmd
                break
            if call.kind is not None and call.kind.name == "PACKAGES" and call.action not in REMOVING_ACTIONS:
                ops = [w for w in call.operands if w.static]
                builds = [w for w in ops if package_name(w.text) in build_names]
                if builds and len(builds) == len(call.operands):
                    target = cmd
                    break
                words.extend(builds)
        if target is not None:
            if len(script.commands) == 1:
                return ""
            new = remove_command(command, target)
            if new is None:
                return None
            command = new
            continue
        if words:
            new = remove_words(command, words)
            if new is None:
                return None
            command = new
            continue
        break
    else:
        return None
    # Left: index updates and cleaning only → nothing to keep.
    script = parse_shell(command)
    by_cmd = {id(c.command): c for c in pm_calls(script)}
    useful = False
    for cmd in script.commands:
        call = by_cmd.get(id(cmd))
        if call is not None and call.info.ecosystem == "system":
            if call.kind is not None and call.kind.name == "PACKAGES":
                useful = True
        elif cmd.name != "rm":
            useful = True
    if not useful:
        return ""
    return text(ins.with_changes(command=command), nl)
