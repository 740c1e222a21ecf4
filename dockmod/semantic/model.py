"""The per-file model: stages and their graph, scopes, users and RUN facts.

``build_model(df)`` is cheap: it finds the stages, expands each ``FROM`` with the global
ARGs and collects the edges between stages. Scopes are computed per stage on first use,
RUN facts per RUN on first use (the shell parse itself is cached by content).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dockmod.cst.arguments import JsonArray
from dockmod.cst.instructions import (
    Add,
    Arg,
    Copy,
    Env,
    From,
    Instruction,
    Run,
    Shell,
    User,
    Volume,
    Workdir,
)
from dockmod.cst.module import Dockerfile
from dockmod.ecosystems.images import DEFAULT_PATH, ImageFacts, is_windows_image, lookup
from dockmod.lang.words import UNKNOWN, Unknown
from dockmod.semantic import runs as _runs
from dockmod.semantic.expand import expand, known_parts
from dockmod.semantic.frontend import Frontend, frontend_of
from dockmod.semantic.paths import inside
from dockmod.semantic.runs import RunContent, RunFacts
from dockmod.semantic.scope import (
    DEFAULT_SHELL,
    EMPTY,
    PLATFORM_ARGS,
    Layered,
    Scope,
    join_workdir,
)


@dataclass(frozen=True, slots=True)
class Edge:
    """A stage's dependency: its base (``from``), a ``COPY --from`` or a ``RUN --mount from=``."""

    kind: str  # "from" | "copy" | "mount"
    instruction: Instruction
    #: The stage it reads, when it names one.
    stage: int | None
    #: The image it reads, when it names an image.
    image: str | None
    #: The reference as written (``--from=`` value, FROM image text).
    ref: str = ""
    #: When the reference cannot be resolved (a variable): every stage it could name.
    candidates: tuple[int, ...] = ()

    @property
    def resolved(self) -> bool:
        return self.stage is not None or self.image is not None


@dataclass(frozen=True, slots=True)
class CopyEdge:
    """A ``COPY --from`` or ``RUN --mount=from=`` that reads a stage's files."""

    kind: str  # "copy" | "mount"
    instruction: Instruction
    #: The stage holding the instruction.
    reader: int
    #: The stage read, None when it is a variable (then see ``candidates``).
    stage: int | None
    #: Absolute source paths in the stage read (``/`` for a whole-stage mount); a source
    #: that cannot be expanded is kept as written.
    sources: tuple[str, ...]
    #: Destination (COPY) or mount target, as expanded, or None.
    destination: str | None
    candidates: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Write:
    """A path an instruction writes: a COPY/ADD destination or a RUN's write."""

    path: str
    instruction: Instruction


@dataclass(frozen=True, slots=True, eq=False)
class StageInfo:
    index: int
    #: Lower-cased stage name, or None.
    name: str | None
    from_: From
    instructions: tuple[Instruction, ...]
    #: "image" | "stage" | "scratch" | "unknown" (a variable that cannot be resolved).
    base_kind: str
    base_stage: int | None
    #: The FROM image text with the global ARGs expanded (None when unknown or a stage).
    image: str | None
    image_facts: ImageFacts | None
    #: The ``--platform`` value, expanded when it can be, else as written.
    platform: str | None
    edges: tuple[Edge, ...]
    #: For ``base_kind == "unknown"``: the earlier stages the variable could name.
    base_candidates: tuple[int, ...] = ()
    #: The FROM image text as written.
    image_text: str | None = None


@dataclass(eq=False)
class _StageScopes:
    """A stage's scopes, walked as far as asked (most questions are about its RUNs, and the
    instructions after the last one asked about are never walked)."""

    #: The scope before each instruction walked so far, by ``id``.
    at: dict[int, Scope]
    #: The walk: the position of the next instruction, and the scope before it.
    pos: int
    scope: Scope
    #: The scope at the end of the stage, once the walk got there.
    end: Scope | None = None


class Model:
    """The semantic model of one Dockerfile (immutable once built; lazily filled caches)."""

    def __init__(self, df: Dockerfile, *, targets: Sequence[str] | None = None,
                 build_args: Mapping[str, str] | None = None) -> None:
        self.dockerfile = df
        self.escape = df.escape
        self.build_args = dict(build_args) if build_args is not None else None
        self._targets_option = tuple(targets) if targets is not None else None
        self._stage_of: dict[int, StageInfo] = {}
        self._global_at: dict[int, Scope] = {}
        self._scopes: dict[int, _StageScopes] = {}
        self._runs: dict[int, RunFacts] = {}
        self._writes: dict[int, tuple[Write, ...]] = {}
        self._own_writes: dict[int, tuple[Write, ...]] = {}
        self._global = self._build_global(df)
        self.stages: tuple[StageInfo, ...] = tuple(self._build_stages(df))
        self._by_name: dict[str, int] = {}
        stage_of = self._stage_of
        for s in self.stages:
            if s.name is not None and s.name not in self._by_name:
                self._by_name[s.name] = s.index
            stage_of.update(dict.fromkeys(map(id, s.instructions), s))
        # The edges need every stage's name (and, for a variable reference, the scopes):
        # they are set once all stages are known, on the StageInfo not yet handed out.
        for s in self.stages:
            object.__setattr__(s, "edges", self._edges(s))
        self._needs: dict[int, frozenset[int]] = {}
        self._descendants: dict[int, tuple[int, ...]] | None = None
        self._shipped: frozenset[int] | None = None

    # -- global scope ----------------------------------------------------------------
    def _build_global(self, df: Dockerfile) -> Scope:
        scope = _global_start(self.escape)
        for ins in df.body:
            if isinstance(ins, From):
                break
            self._global_at[id(ins)] = scope
            if isinstance(ins, Arg):
                scope = scope._replace(args=scope.args.with_values(self._arg_values(ins, scope, None)))
        return scope

    def _arg_values(self, ins: Arg, scope: Scope, global_scope: Scope | None) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for kv in ins.pairs:
            key, has_value, raw = kv.text.partition("=")  # one parse of the word
            if self.build_args is not None and key in self.build_args and key not in PLATFORM_ARGS:
                values[key] = self.build_args[key]
            elif key in PLATFORM_ARGS and not (has_value and global_scope is None):
                values[key] = UNKNOWN
            elif has_value:
                v = expand(raw, scope.get, self.escape)
                values[key] = UNKNOWN if v is None else v
            elif global_scope is not None and key in global_scope.args:
                values[key] = global_scope.args[key]
            else:
                values[key] = None if self.build_args is not None else UNKNOWN
        # An ARG the build leaves unset is declared but empty for expansion.
        return {k: ("" if v is None else v) for k, v in values.items()}

    @property
    def frontend(self) -> Frontend:
        """The frontend the ``# syntax=`` directive names (:mod:`dockmod.semantic.frontend`)."""
        return frontend_of(self.dockerfile)

    @property
    def global_scope(self) -> Scope:
        """The scope of FROM lines: the global ARGs and the automatic platform ARGs."""
        return self._global

    # -- stages ----------------------------------------------------------------------
    def _build_stages(self, df: Dockerfile) -> Iterable[StageInfo]:
        # The tree's own grouping (memoised per tree, and most files' is read already).
        groups = [st.instructions for st in df.stages]
        names: dict[str, int] = {}
        for index, group in enumerate(groups):
            frm = group[0]
            assert isinstance(frm, From)
            name = frm.stage_name.lower() if frm.stage_name else None
            text = frm.image.text if frm.image is not None else None
            image: str | None = None
            kind = "unknown"
            base_stage: int | None = None
            candidates: tuple[int, ...] = ()
            facts = None
            if text is not None:
                value = expand(text, self._global.get, self.escape) if "$" in text or "'" in text or '"' in text \
                    else text
                if not value:  # unknown, or empty (which BuildKit rejects)
                    candidates = _may_name(text, self._global.get, self.escape, names)
                elif value.lower() == "scratch":
                    kind, image = "scratch", "scratch"
                elif value in names:
                    # dispatchStates: the image text must equal an earlier stage's
                    # lower-cased name.
                    kind, base_stage = "stage", names[value]
                else:
                    kind, image = "image", value
                    facts = lookup(value)
            platform = frm.platform
            if platform is not None and "$" in platform:
                platform = expand(platform, self._global.get, self.escape) or platform
            yield StageInfo(index=index, name=name, from_=frm, instructions=tuple(group),
                            base_kind=kind, base_stage=base_stage, image=image, image_facts=facts,
                            platform=platform, edges=(), base_candidates=candidates, image_text=text)
            if name is not None and name not in names:
                names[name] = index

    def _edges(self, s: StageInfo) -> tuple[Edge, ...]:
        edges: list[Edge] = []
        if s.base_kind == "stage":
            edges.append(Edge("from", s.from_, s.base_stage, None, s.image_text or ""))
        elif s.base_kind == "unknown":
            edges.append(Edge("from", s.from_, None, None, s.image_text or "", s.base_candidates))
        elif s.base_kind == "image":
            edges.append(Edge("from", s.from_, None, s.image, s.image_text or ""))
        for ins in s.instructions[1:]:
            if not ins.flags:
                continue
            if isinstance(ins, Copy):
                f = ins.flag("from")
                if f is not None and f.value is not None:
                    edges.append(self._ref_edge("copy", ins, f.value, s))
            elif isinstance(ins, Run):
                for f in ins.flags:
                    m = f.mount
                    if m is not None and m.from_ is not None:
                        edges.append(self._ref_edge("mount", ins, m.from_, s))
        return tuple(edges)

    def _ref_edge(self, kind: str, ins: Instruction, ref: str, s: StageInfo) -> Edge:
        value: str | None = ref
        if "$" in ref:
            # BuildKit expands the reference with the stage's ARGs and ENV at that point.
            value = self._scope_before(s.index, ins).expand(ref)
        if not value:  # unknown, or empty (which BuildKit rejects): any stage it may name
            pool = {**{str(i): i for i in range(len(self.stages))}, **self._by_name}
            scope = self._scope_before(s.index, ins)
            others = tuple(i for i in _may_name(ref, scope.get, self.escape, pool) if i != s.index)
            return Edge(kind, ins, None, None, ref, others)
        if value.isdigit():
            i = int(value)
            if i < len(self.stages) and i != s.index:
                return Edge(kind, ins, i, None, ref)
            return Edge(kind, ins, None, value, ref)
        i2 = self._by_name.get(value.lower())
        if i2 is not None and i2 != s.index:
            return Edge(kind, ins, i2, None, ref)
        return Edge(kind, ins, None, value, ref)

    def stage_of(self, ins: Instruction) -> StageInfo | None:
        """The stage holding the top-level instruction ``ins`` (None before the first FROM)."""
        return self._stage_of.get(id(ins))

    def stage_named(self, ref: str) -> StageInfo | None:
        """The stage a ``--target``/``--from`` reference names (name or index)."""
        if ref.isdigit():
            i = int(ref)
            return self.stages[i] if i < len(self.stages) else None
        i2 = self._by_name.get(ref.lower())
        return None if i2 is None else self.stages[i2]

    # -- graph -----------------------------------------------------------------------
    def _deps(self, i: int) -> set[int]:
        out: set[int] = set()
        for e in self.stages[i].edges:
            if e.stage is not None:
                out.add(e.stage)
            else:
                out.update(e.candidates)
        return out

    def needs(self, target_index: int) -> frozenset[int]:
        """Stages building ``target_index`` needs, transitively, itself included."""
        hit = self._needs.get(target_index)
        if hit is not None:
            return hit
        seen = {target_index}
        todo = [target_index]
        while todo:
            for d in self._deps(todo.pop()):
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        result = frozenset(seen)
        self._needs[target_index] = result
        return result

    def descendants(self, i: int) -> tuple[int, ...]:
        """Stages built ``FROM`` stage ``i``, transitively (also those a variable FROM may name it)."""
        if self._descendants is None:
            children: dict[int, list[int]] = {}
            for s in self.stages:
                parents = [s.base_stage] if s.base_stage is not None else list(s.base_candidates)
                for p in parents:
                    children.setdefault(p, []).append(s.index)
            out: dict[int, tuple[int, ...]] = {}
            for s in self.stages:
                seen: set[int] = set()
                todo = list(children.get(s.index, ()))
                while todo:
                    c = todo.pop()
                    if c not in seen:
                        seen.add(c)
                        todo.extend(children.get(c, ()))
                out[s.index] = tuple(sorted(seen))
            self._descendants = out
        return self._descendants.get(i, ())

    @property
    def unreachable(self) -> frozenset[int]:
        """Stages the default target (the last stage) does not need."""
        if not self.stages:
            return frozenset()
        return frozenset(range(len(self.stages))) - self.needs(len(self.stages) - 1)

    @property
    def shipped(self) -> frozenset[int]:
        """Stages a user can ship with ``--target`` (see the brief's definition)."""
        if self._shipped is None:
            self._shipped = self._compute_shipped()
        return self._shipped

    def _compute_shipped(self) -> frozenset[int]:
        n = len(self.stages)
        if n == 0:
            return frozenset()
        roots: set[int] = set()
        if self._targets_option is not None:
            for t in self._targets_option:
                s = self.stage_named(str(t))
                if s is not None:
                    roots.add(s.index)
        else:
            used: set[int] = set()
            for s in self.stages:
                for e in s.edges:
                    if e.stage is not None and e.stage != s.index:
                        used.add(e.stage)
            roots = {i for i in range(n) if i not in used}
            roots.add(n - 1)
            for s in self.stages:
                if s.base_kind == "unknown":
                    roots.add(s.index)
                    roots.update(s.base_candidates)
        shipped = set(roots)
        todo = list(roots)
        while todo:
            s = self.stages[todo.pop()]
            parents = [s.base_stage] if s.base_stage is not None else list(s.base_candidates)
            for p in parents:
                if p not in shipped:
                    shipped.add(p)
                    todo.append(p)
        return frozenset(shipped)

    def targets_needing(self, i: int) -> frozenset[int]:
        """Shipped targets whose build needs stage ``i``."""
        return frozenset(t for t in self.shipped if i in self.needs(t))

    def copies_from(self, i: int) -> tuple[CopyEdge, ...]:
        """``COPY --from``/``RUN --mount from=`` edges that read stage ``i`` or a descendant."""
        family = {i, *self.descendants(i)}
        out: list[CopyEdge] = []
        for s in self.stages:
            for e in s.edges:
                if e.kind == "from":
                    continue
                if e.stage in family or (e.stage is None and e.image is None and family & set(e.candidates)):
                    out.append(self._copy_edge(s, e))
        return tuple(out)

    def _copy_edge(self, s: StageInfo, e: Edge) -> CopyEdge:
        scope = self.scope_at(e.instruction)
        if e.kind == "copy":
            ins = e.instruction
            assert isinstance(ins, Copy)
            sources = []
            for src in ins.sources:
                v = scope.expand(src) if ins.json is None else src
                v = src if v is None else v
                sources.append(posixpath.normpath(posixpath.join("/", v)))
            dest = ins.destination
            dv = scope.expand(dest) if dest is not None and ins.json is None else dest
            if dv is not None and not dv.startswith("/") and scope.workdir is not None:
                dv = posixpath.join(scope.workdir, dv)
            return CopyEdge("copy", ins, s.index, e.stage, tuple(sources), dv, e.candidates)
        ins = e.instruction
        assert isinstance(ins, Run)
        for f in ins.flags:
            m = f.mount
            if m is not None and m.from_ == e.ref:
                src = m.source or "/"
                return CopyEdge("mount", ins, s.index, e.stage,
                                (posixpath.normpath(posixpath.join("/", src)),), m.target, e.candidates)
        return CopyEdge("mount", ins, s.index, e.stage, ("/",), None, e.candidates)

    # -- scopes ----------------------------------------------------------------------
    def scope_at(self, ins: Instruction) -> Scope:
        """The state in effect when ``ins`` runs, before its own effect."""
        g = self._global_at.get(id(ins))
        if g is not None:
            return g
        s = self._stage_of.get(id(ins))
        if s is None:
            raise KeyError("not a top-level instruction of this model's tree (in leave_X, pass "
                           "`original`, not `updated`)")
        if isinstance(ins, From):
            return self._global
        return self._scope_before(s.index, ins)

    def scope_after(self, stage_index: int) -> Scope:
        """The state at the end of stage ``stage_index``."""
        walk = self._stage_scopes(stage_index)
        return walk.end if walk.end is not None else self._walk(stage_index, walk, None)

    def _stage_scopes(self, index: int) -> _StageScopes:
        hit = self._scopes.get(index)
        if hit is None:
            hit = self._scopes[index] = _StageScopes({}, 1, self._initial(self.stages[index]))
        return hit

    def _scope_before(self, index: int, ins: Instruction) -> Scope:
        """The scope before ``ins``, an instruction of stage ``index`` after its FROM."""
        walk = self._stage_scopes(index)
        hit = walk.at.get(id(ins))
        return hit if hit is not None else self._walk(index, walk, ins)

    def _walk(self, index: int, walk: _StageScopes, until: Instruction | None) -> Scope:
        """Walk stage ``index`` on from where ``walk`` stopped, up to and including
        ``until`` (None: to the end); the scope before ``until``, or at the end. Each
        instruction is walked once, whatever the order of the questions."""
        instructions = self.stages[index].instructions
        at = walk.at
        effects = _EFFECTS
        scope = walk.scope
        k = walk.pos
        n = len(instructions)
        found = None
        while k < n:
            ins = instructions[k]
            k += 1
            at[id(ins)] = scope
            if ins is until:
                found = scope
            effect = effects.get(type(ins), _UNSEEN)
            if effect is _UNSEEN:
                effect = _effect_of(type(ins))
            if effect is not None:  # None: an instruction that changes no scope (COPY, CMD …)
                scope = effect(self, scope, ins)
            if found is not None:
                break
        walk.pos, walk.scope = k, scope
        if k == n:
            walk.end = scope
        if until is None:
            return scope
        if found is None:
            raise KeyError(id(until))  # not an instruction of the stage after its FROM
        return found

    def _initial(self, s: StageInfo) -> Scope:
        common: dict[str, Any] = {"args": EMPTY, "escape": self.escape, "stage": s.index}
        if s.base_kind == "stage" and s.base_stage is not None and s.base_stage < s.index:
            parent = self.scope_after(s.base_stage)
            return parent._replace(args=EMPTY, stage=s.index, is_global=False)
        if s.base_kind == "scratch":
            return Scope(env=Layered(None, {"PATH": DEFAULT_PATH}), env_complete=True, workdir="/",
                         shell=DEFAULT_SHELL, user_spec="", user_inherited=True,
                         user_table={"root": (0, 0, "/root")}, image_user_reason=None,
                         user_runs=(), **common)  # type: ignore[arg-type]
        facts = s.image_facts
        if facts is not None:
            return Scope(env=Layered(None, dict(facts.env)), env_complete=True, workdir=facts.workdir,
                         shell=DEFAULT_SHELL if facts.has_shell else (), user_spec=facts.user,
                         user_inherited=True, user_table=facts.users, image_user_reason=None,
                         user_runs=(), volumes=facts.volumes, **common)  # type: ignore[arg-type]
        image = s.image or s.image_text or ""
        windows = is_windows_image(image)
        reason = (f"base image `{image}` is not in dockmod's table: its USER is unknown"
                  if s.base_kind == "image" else f"the base `{image}` cannot be resolved")
        return Scope(env=EMPTY, env_complete=False, workdir=None,
                     shell=("cmd", "/S", "/C") if windows else DEFAULT_SHELL, user_spec=None,
                     user_inherited=True, user_table=None, image_user_reason=reason,
                     user_runs=(), **common)  # type: ignore[arg-type]

    def _after_env(self, scope: Scope, ins: Env) -> Scope:
        values: dict[str, Any] = {}
        raws: dict[str, str] = {}
        if ins.legacy is not None:
            raws[ins.legacy.key] = ins.legacy.value.strip()
            values[ins.legacy.key] = self._env_value(raws[ins.legacy.key], scope)
        for kv in ins.pairs:
            key, has_value, raw = kv.text.partition("=")  # one parse of the word
            if has_value:
                raws[key] = raw
                values[key] = self._env_value(raw, scope)
        if not values:
            return scope
        # Copied only when an entry changes (most ENVs name no ARG): a scope's map is never
        # changed once made, so an unchanged one is shared, as _replace shares it.
        deps = scope._arg_deps
        copied = False
        for key, raw in raws.items():
            found = _arg_refs(raw, scope)
            if found or key in deps:
                if not copied:
                    deps, copied = dict(deps), True
                if found:
                    deps[key] = found
                else:
                    del deps[key]
        return scope._replace(env=scope.env.with_values(values), arg_deps=deps)

    def _after_arg(self, scope: Scope, ins: Arg) -> Scope:
        values = self._arg_values(ins, scope, self._global)
        if not values:
            return scope
        overridable = {k: frozenset({k}) for k in values if k not in scope.env and k not in PLATFORM_ARGS
                       and (self.build_args is None or k not in self.build_args)}
        deps = {**scope._arg_deps, **overridable} if overridable else scope._arg_deps
        return scope._replace(args=scope.args.with_values(values), arg_deps=deps)

    def _after_user(self, scope: Scope, ins: User) -> Scope:
        if ins.value is None:
            return scope
        spec = scope.expand(ins.value.text)
        return scope._replace(user_spec=spec, user_inherited=False, user_args=_arg_refs(ins.value.text, scope),
                              image_user_reason=None if spec is not None else
                              f"USER `{ins.value.text}` depends on a value dockmod cannot know")

    def _after_workdir(self, scope: Scope, ins: Workdir) -> Scope:
        if ins.value is None:
            return scope
        path = scope.expand(ins.value.text)
        return scope._replace(workdir=None if path is None else join_workdir(scope.workdir, path))

    def _after_shell(self, scope: Scope, ins: Shell) -> Scope:
        if isinstance(ins.command, JsonArray):
            return scope._replace(shell=tuple(ins.command.values))
        return scope

    def _after_volume(self, scope: Scope, ins: Volume) -> Scope:
        paths = ins.json.values if ins.json is not None else [w.text for w in ins.arguments]
        new = []
        for p in paths:
            v = scope.expand(p) if ins.json is None else p
            new.append(posixpath.normpath(v) if v and v.startswith("/") else (v or p))
        return scope._replace(volumes=(*scope.volumes, *new)) if new else scope

    def _after_run(self, scope: Scope, ins: Run) -> Scope:
        if _runs.creates_users(ins):
            return scope._replace(user_runs=(*scope._user_runs, (ins, scope.posix_shell)))
        return scope

    def _env_value(self, raw: str, scope: Scope) -> str | Unknown:
        v = expand(raw, scope.get, self.escape)
        return UNKNOWN if v is None else v

    # -- order and writes ------------------------------------------------------------
    def chain(self, stage_index: int) -> tuple[int, ...]:
        """The stage and the stages it is built FROM, base first."""
        out = [stage_index]
        s = self.stages[stage_index]
        while s.base_stage is not None and s.base_stage < s.index and s.base_stage not in out:
            out.append(s.base_stage)
            s = self.stages[s.base_stage]
        return tuple(reversed(out))

    def before(self, ins: Instruction) -> tuple[Instruction, ...]:
        """Instructions that ran before ``ins`` in its image: the FROM-stage chain, then its stage."""
        s = self.stage_of(ins)
        if s is None:
            return ()
        out: list[Instruction] = []
        for i in self.chain(s.index)[:-1]:
            out.extend(self.stages[i].instructions[1:])
        for x in s.instructions[1:]:
            if x is ins:
                break
            out.append(x)
        return tuple(out)

    def after(self, ins: Instruction) -> tuple[Instruction, ...]:
        """Instructions that run after ``ins`` on top of its result: the rest of its stage,
        then every stage built FROM it (see :meth:`descendants`)."""
        s = self.stage_of(ins)
        if s is None:
            return ()
        rest = s.instructions
        out = list(rest[rest.index(ins) + 1:]) if ins in rest else []
        for d in self.descendants(s.index):
            out.extend(self.stages[d].instructions[1:])
        return tuple(out)

    def writes_before(self, ins: Instruction) -> tuple[Write, ...]:
        """Absolute paths written before ``ins`` in its image, as far as they are known.

        A COPY/ADD gives its destination (whether sources land *at* it or *under* it depends
        on what they are, so treat it as a directory that may hold them); a RUN its
        :attr:`RunFacts.writes`.
        """
        hit = self._writes.get(id(ins))
        if hit is not None:
            return hit
        out: list[Write] = []
        own = self._own_writes
        for x in self.before(ins):
            # Each instruction's own writes once, however many later instructions ask.
            w = own.get(id(x))
            if w is None:
                w = own[id(x)] = self._writes_of(x)
            if w:
                out.extend(w)
        self._writes[id(ins)] = result = tuple(out)
        return result

    def _writes_of(self, x: Instruction) -> tuple[Write, ...]:
        """What the instruction ``x`` itself writes (see :meth:`writes_before`)."""
        if isinstance(x, (Copy, Add)):
            dest = x.destination
            if not dest:
                return ()
            scope = self.scope_at(x)
            # BuildKit expands COPY/ADD words in JSON form too (unlike RUN/CMD).
            v = scope.expand(dest)
            if v is None:
                return ()
            if not v.startswith("/"):
                if scope.workdir is None:
                    return ()
                v = posixpath.join(scope.workdir, v)
            return (Write(posixpath.normpath(v), x),)
        if isinstance(x, Run) and _may_write(x):
            return tuple(Write(p, x) for p in self.run(x).writes)
        return ()

    def wrote_under(self, ins: Instruction, directory: str, *, copies_from_stages: bool = True) -> bool:
        """Some instruction before ``ins`` in its image (see :meth:`writes_before`) wrote
        at or under ``directory``. ``copies_from_stages=False`` leaves out ``COPY --from``."""
        return any(inside(w.path, directory) for w in self.writes_before(ins) if copies_from_stages
                   or not (isinstance(w.instruction, (Copy, Add)) and w.instruction.flag("from") is not None))

    def user_as_written(self, stage_index: int) -> str | None:
        """The last ``USER`` of the stage and the stages it is built FROM, as written
        (variables kept), or None."""
        index: int | None = stage_index
        while index is not None:
            for ins in reversed(self.stages[index].instructions):
                if isinstance(ins, User) and ins.value is not None:
                    return ins.value.text
            index = self.stages[index].base_stage
        return None

    # -- RUN facts -------------------------------------------------------------------
    def _content(self, run: Run) -> RunContent:
        scope = self.scope_at(run) if id(run) in self._stage_of else None
        posix = scope.posix_shell if scope is not None else True
        return _runs.content(run, posix)

    def run(self, run: Run) -> RunFacts:
        """What ``run`` does (its shell parsed once per distinct text)."""
        hit = self._runs.get(id(run))
        if hit is not None:
            return hit
        scope = self.scope_at(run)
        posix = scope.posix_shell
        facts = _runs.resolve(run, _runs.content(run, posix), scope, posix)
        self._runs[id(run)] = facts
        return facts

    def __repr__(self) -> str:
        return f"Model({len(self.stages)} stages)"


#: The scope FROM lines start from, per escape character (see :func:`_global_start`).
_GLOBAL_STARTS: dict[str, Scope] = {}


def _global_start(escape: str) -> Scope:
    """The global scope before any ARG: the automatic platform ARGs (``UNKNOWN``). One
    object per escape character, shared by every model: a Scope is never changed once
    made (its user, filled on first use, is the same for every holder)."""
    scope = _GLOBAL_STARTS.get(escape)
    if scope is None:
        platform = {n: UNKNOWN for n in PLATFORM_ARGS}
        scope = _GLOBAL_STARTS[escape] = Scope(
            args=Layered(None, platform), env=EMPTY, env_complete=True, workdir=None,
            shell=DEFAULT_SHELL, escape=escape, stage=None, user_spec="", user_inherited=True,
            user_table=None, image_user_reason=None, user_runs=(), is_global=True)
    return scope


#: The instruction kinds that change a scope, each with its effect (Model._after_*), in the
#: order an isinstance chain would test them.
_EFFECT_KINDS: tuple[tuple[type, Any], ...] = (
    (Env, Model._after_env), (Arg, Model._after_arg), (User, Model._after_user),
    (Workdir, Model._after_workdir), (Shell, Model._after_shell), (Volume, Model._after_volume),
    (Run, Model._after_run),
)
#: Each instruction class seen so far → its effect, None for a class that changes no scope.
#: Saves the isinstance chain per instruction of every stage walked; exact: filled by
#: :func:`_effect_of` with the first kind the class is a subclass of, as the chain would pick.
_EFFECTS: dict[type, Any] = {}
_UNSEEN = object()


def _effect_of(cls: type) -> Any:
    effect = next((f for kind, f in _EFFECT_KINDS if issubclass(cls, kind)), None)
    _EFFECTS[cls] = effect
    return effect


#: What a RUN's text holds when it may write a path (see :func:`_may_write`).
_WRITE_WORDS = (">", *sorted(_runs._WRITERS))


def _may_write(run: Run) -> bool:
    """Cheap pre-filter of :attr:`RunFacts.writes` (a RUN that fails it is not analysed
    for :meth:`Model.writes_before`): a write is a redirection, which holds a ``>``, or an
    operand of a command named in ``runs._WRITERS`` (``cp``, ``mkdir`` …), whose name is a
    word's text: :func:`may_mention` finds either in any case and however quoted."""
    return _runs.may_mention(run, _WRITE_WORDS)


_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def _arg_refs(raw: str, scope: Scope) -> frozenset[str]:
    """The ARGs (overridable at build time) that the variables ``raw`` expands come from."""
    if "$" not in raw:
        return frozenset()
    out: frozenset[str] = frozenset()
    for name in _REF.findall(raw):
        out |= scope.from_args(name)
    return out


def _may_name(word: str, lookup: Any, escape: str, names: Mapping[str, int]) -> tuple[int, ...]:
    """The stages (of ``names``: lower-cased reference → index) that ``word``, which expands
    to an unknown value, may name: its known parts must match (``base-${TARGETARCH}`` names
    ``base-amd64`` or ``base-arm64``, never ``tools``); an unknown variable may be anything,
    and so may a variable with a modifier (``runtime-${GPU:+gpu}${GPU:-cpu}`` names
    ``runtime-gpu`` or ``runtime-cpu``). Where the word uses quotes or escapes, or its braces
    do not pair, every stage may be named."""
    every = tuple(sorted(set(names.values())))
    parts = known_parts(word, lookup, escape)
    if parts is None or len(parts) == 1:  # one part, all known: BuildKit rejects it (empty), nothing to narrow
        return every
    pattern = re.compile(".*".join(re.escape(p.lower()) for p in parts), re.S)
    return tuple(sorted({i for n, i in names.items() if pattern.fullmatch(n)}))
