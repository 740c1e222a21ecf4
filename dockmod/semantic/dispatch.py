"""What BuildKit's ``dockerfile2llb`` rejects after ``instructions.Parse`` and before it
builds anything (``toDispatchState``: ``buildDispatchStates``, ``buildStageDependencyGraph``
with ``toCommand``/``detectRunMount`` and ``validateCircularDependency``).

It reads the model, so it cannot live in :mod:`dockmod.lang` (the instruction layer's
checks); the runner's reject step calls :func:`first_rejection` after
:func:`dockmod._parse.reject_unknown`, for ``check``, ``fix`` and a fix's output.

Only a rejection that holds for every build is reported. A global ARG is overridable with
``--build-arg`` whatever its default, so its value is unknown here (BuildKit itself only
lints a bad default, ``InvalidDefaultArgInFrom``); so are the automatic ARGs
``defaultArgs`` adds. A variable that is no ARG expands to nothing for every build.
Applied to Docker's frontend only (no ``# syntax=`` or ``docker/dockerfile``).
"""

from __future__ import annotations

import re

from dockmod.cst.instructions import Copy, Instruction, Run
from dockmod.lang.instructions import Rejection
from dockmod.lang.words import UNKNOWN, LexError, UnknownValue, expand_word
from dockmod.semantic.model import Model

#: ``defaultArgs`` (dockerfile2llb/platform.go): set for FROM lines without an ARG.
_AUTOMATIC = frozenset({"BUILDOSVERSION", "TARGETOSVERSION", "TARGETSTAGE"})

_FROM_VARIABLE = ("variable expansion is not supported for --from, define a new stage with FROM "
                  "using ARG from global scope as a workaround")


def first_rejection(model: Model) -> tuple[Instruction, Rejection] | None:
    """The first instruction ``dockerfile2llb`` rejects for every build, with its error."""
    if not model.frontend.docker or not model.stages:
        return None
    return _stages(model) or _graph(model)


def _flag_index(ins: Instruction, name: str) -> int | None:
    flags = [f for f in ins.flags if not f.is_terminator]
    return next((i for i, f in enumerate(flags) if f.name == name), None)


def _stages(model: Model) -> tuple[Instruction, Rejection] | None:
    """``buildDispatchStates``: each FROM's base name and ``--platform``, with the global ARGs."""
    args = model.global_scope.args

    def lookup(name: str) -> object:
        return UNKNOWN if name in args or name in _AUTOMATIC else None

    for s in model.stages:
        frm = s.from_
        text = s.image_text
        if text is not None:
            try:
                value = expand_word(text, lookup, model.escape)
            except UnknownValue:
                value = None
            except LexError as e:
                return frm, Rejection(str(e), arg=0)
            if value == "":
                return frm, Rejection(f"base name ({text}) should not be blank", arg=0)
        platform = frm.platform
        if platform:
            try:
                p = expand_word(platform, lookup, model.escape)
            except UnknownValue:
                continue
            except LexError as e:
                return frm, Rejection(f"failed to process arguments for platform : {e}",
                                      flag=_flag_index(frm, "platform"))
            if p == "":
                return frm, Rejection(f"empty platform value from expression {platform}",
                                      flag=_flag_index(frm, "platform"))
            err = platform_error(p)
            if err is not None:
                return frm, Rejection(f"failed to parse platform {platform}: {err}",
                                      flag=_flag_index(frm, "platform"))
    return None


# containerd/platforms v1.0.0-rc.4 (BuildKit's go.mod), platforms.go Parse and database.go.
_OS_RE = re.compile(r"([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?")
_SPECIFIER_RE = re.compile(r"[A-Za-z0-9_.-]+")
_KNOWN_OS = frozenset("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd "
                      "openbsd plan9 solaris windows zos".split())
_KNOWN_ARCH = frozenset("386 amd64 amd64p32 arm armbe arm64 arm64be ppc64 ppc64le loong64 mips mipsle "
                        "mips64 mips64le mips64p32 mips64p32le ppc riscv riscv64 s390 s390x sparc "
                        "sparc64 wasm".split())
_ARCH_ALIASES = {"i386": "386", "x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64",
                 "armhf": "arm", "armel": "arm"}


def platform_error(spec: str) -> str | None:
    """``platforms.Parse``'s error for ``spec``, or None when it parses. (An OS version or
    feature with a bad ``%`` escape is not checked: accepted here.)"""
    invalid = "invalid argument"
    if "*" in spec:
        return f'"{spec}": wildcards not yet supported: {invalid}'
    parts = spec.split("/", 3)
    for i, part in enumerate(parts):
        if i == 0:
            if _OS_RE.fullmatch(part) is None:
                return (f'"{part}" is an invalid OS component of "{spec}": OSAndVersion specifier component '
                        f"must match \"^{_OS_RE.pattern}$\": {invalid}")
        elif _SPECIFIER_RE.fullmatch(part) is None:
            return (f'"{part}" is an invalid component of "{spec}": platform specifier component must '
                    f"match \"^{_SPECIFIER_RE.pattern}$\": {invalid}")
    if len(parts) == 1:
        m = _OS_RE.fullmatch(parts[0])
        assert m is not None
        os_name = m.group(1).lower()
        if os_name == "macos":
            os_name = "darwin"
        arch = parts[0].lower()
        if os_name in _KNOWN_OS or _ARCH_ALIASES.get(arch, arch) in _KNOWN_ARCH:
            return None
        return f'"{spec}": unknown operating system or architecture: {invalid}'
    if len(parts) > 3:
        return f'"{spec}": cannot parse platform specifier: {invalid}'
    return None


_ATOI = re.compile(r"[+-]?[0-9]+")


def _graph(model: Model) -> tuple[Instruction, Rejection] | None:
    """``buildStageDependencyGraph``: every COPY ``--from`` and RUN mount ``from`` of every
    stage, in order, then ``validateCircularDependency`` over the edges they make."""
    # statesByName: lower-cased names, a later stage of the same name replacing an earlier one.
    by_name = {s.name: s.index for s in model.stages if s.name is not None}
    count = len(model.stages)  # dss.states: each reference to no stage adds one
    deps: list[list[tuple[int, Instruction]]] = [[] for _ in model.stages]
    for s in model.stages:
        for ins in s.instructions[1:]:
            if not ins.flags:
                continue
            if isinstance(ins, Copy):
                f = ins.flag("from")
                ref = f.value if f is not None else None
                if not ref:
                    continue
                where = _flag_index(ins, "from")
                try:
                    if expand_word(ref, _unset, model.escape) != ref:
                        return ins, Rejection(_FROM_VARIABLE, flag=where)
                except LexError as e:
                    return ins, Rejection(str(e), flag=where)
                if _ATOI.fullmatch(ref) and abs(int(ref)) < 2**63:
                    index = int(ref)
                    if not 0 <= index < count:
                        return ins, Rejection(f"invalid stage index {index}", flag=where)
                    if index < len(model.stages):
                        deps[s.index].append((index, ins))
                elif ref.lower() in by_name:
                    deps[s.index].append((by_name[ref.lower()], ins))
                else:
                    count += 1
            elif isinstance(ins, Run):
                for f in ins.flags:
                    m = f.mount
                    if m is None:
                        continue
                    ref = (m.from_ or "scratch").lower()  # no from: detectRunMount's "scratch"
                    if ref in by_name:
                        deps[s.index].append((by_name[ref], ins))
                    else:
                        count += 1
    return _cycle(model, deps)


def _cycle(model: Model, deps: list[list[tuple[int, Instruction]]]) -> tuple[Instruction, Rejection] | None:
    """``validateCircularDependency``: the first stage (in order) a cycle is reachable from.
    Reported at the stage's instruction that leads into the cycle."""
    visited: set[int] = set()
    path: set[int] = set()

    def visit(i: int) -> Instruction | None:
        if i in visited:
            return None
        visited.add(i)
        path.add(i)
        for dep, ins in deps[i]:
            if dep in path or visit(dep) is not None:
                return ins
        path.discard(i)
        return None

    for s in model.stages:
        found = visit(s.index)
        if found is not None:
            name = s.from_.stage_name or f"stage-{s.index}"
            at = found if model.stage_of(found) is s else s.from_
            return at, Rejection(f"circular dependency detected on stage: {name}",
                                 flag=_flag_index(at, "from") if isinstance(at, Copy) else None)
    return None


def _unset(name: str) -> None:
    """``toCommand`` expands ``--from`` with no variables at all."""
    return None
