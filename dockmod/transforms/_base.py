"""The transform API: metadata as data, one ``propose()`` call for every edit.

A transform is a :class:`~dockmod.cst.Transformer` with a frozen :class:`TransformMeta`.
``check`` and ``fix`` run the *same* code: ``propose(original, replacement)`` records a
:class:`Finding` and returns the replacement only when the run may apply a fix of that
safety; ``report(original)`` records a finding without a fix. Side effects (registry
look-ups) come in through ``context.resolver``; options through ``context.options``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from dockmod.cst._base import Node, splice
from dockmod.cst.instructions import Instruction
from dockmod.cst.visitors import Transformer

if TYPE_CHECKING:
    from dockmod.cst.module import Dockerfile, Style
    from dockmod.semantic import Model


class FixSafety(enum.Enum):
    """How far a fix may be trusted (ruff's model)."""

    #: Keeps build behaviour; applied by ``fix --apply``.
    SAFE = "safe"
    #: May change build behaviour (or drop a comment); needs ``--unsafe-fixes``.
    UNSAFE = "unsafe"
    #: Shown as a suggestion, never applied.
    DISPLAY_ONLY = "display-only"

    def applies(self, unsafe_fixes: bool) -> bool:
        """Whether a fix of this safety is applied in a run with ``unsafe_fixes``.

        The one place that decides it: the engine, the report and the runner all ask here.
        """
        if self is FixSafety.SAFE:
            return True
        return self is FixSafety.UNSAFE and unsafe_fixes


@dataclass(frozen=True, slots=True)
class Option:
    """A typed, documented per-transform option (``[tool.dockmod.transform.<name>]``)."""

    name: str
    type: type
    default: Any
    help: str
    #: The type of a list's items or a table's values, where the default cannot show it.
    item: type | tuple[type, ...] | None = None
    #: The least value an ``int`` option takes.
    minimum: int | None = None


@dataclass(frozen=True, slots=True)
class Example:
    """A minimal before/after pair: documentation and a test. ``after=None``: no change."""

    before: str
    after: str | None = None
    unsafe_fixes: bool = False


@dataclass(frozen=True, slots=True)
class TransformMeta:
    #: Stable code, e.g. ``DM502``.
    code: str
    #: kebab-case imperative name, e.g. ``use-key-value-format``.
    name: str
    #: Message template describing what was found; ``{field}`` placeholders.
    summary: str
    #: Template describing the edit, or None for report-only transforms.
    fix_title: str | None
    safety: FixSafety
    options: tuple[Option, ...] = ()
    examples: tuple[Example, ...] = ()
    #: Minimum ``docker/dockerfile`` frontend version the fix's output needs, e.g. (1, 4).
    min_syntax: tuple[int, int] | None = None
    #: Off unless selected explicitly (``--select`` / ``select``).
    default_enabled: bool = True
    #: The rule this fixes, e.g. BuildKit's check name or a hadolint code.
    reference: str = ""
    #: When a finding's fix is less (or more) safe than ``safety``, in a few words, for
    #: the transforms list and ``explain`` ("unsafe when a source may be a tar archive").
    safety_varies: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a transform found, located in the tree it was found in."""

    code: str
    name: str
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    #: What the fix would do; None when there is no fix.
    fix_title: str | None = None
    #: The fix's safety; None when there is no fix.
    safety: FixSafety | None = None
    #: Why no fix is offered although the transform has one (e.g. target-syntax cap).
    no_fix_reason: str | None = None
    #: Why the fix is unsafe, when this finding's fix is less safe than the transform's.
    unsafe_reason: str | None = None

    @property
    def fixable(self) -> bool:
        return self.safety in (FixSafety.SAFE, FixSafety.UNSAFE)

    def held_back(self, unsafe_fixes: bool) -> bool:
        """Whether it has a fix that a run with ``unsafe_fixes`` does not apply (``[-]``: an
        unsafe fix without ``--unsafe-fixes``). The one test: marks, totals, runner, fleet."""
        return self.fixable and not self.safety.applies(unsafe_fixes)  # type: ignore[union-attr]


@dataclass
class Context:
    """What a transform may know about its run. Built by the engine, per file."""

    dockerfile: Dockerfile
    path: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    resolver: Any = None
    #: Apply fixes (``fix``), or only report them (``check``).
    fix: bool = False
    unsafe_fixes: bool = False
    #: Highest frontend version fixes may need, or None for no cap.
    target_syntax: tuple[int, int] | None = None
    #: Where ``target_syntax`` comes from, as the "no fix" reason names it (``{version}``: 1.N).
    target_syntax_source: str = "target-syntax {version}"
    #: Codes suppressed per top-level instruction (by identity), from suppression comments.
    suppressed: Mapping[int, frozenset[str]] = field(default_factory=dict)
    positions: Any = None
    #: Fixes the engine dropped because their output did not parse: proposal key -> reason.
    rejected: dict[tuple[str, str, str], str] = field(default_factory=dict)
    #: When set, apply only the proposal with this index (the engine isolates a bad fix).
    only: int | None = None
    #: Record each applicable proposal's key in ``Transform.proposal_keys``.
    track_keys: bool = False
    _model: Any = field(default=None, init=False, repr=False, compare=False)
    #: Build contexts opened for this file, by ``context`` option (see
    #: ``open_build_context``): shared with the contexts :meth:`derive` makes, so the
    #: transforms that read the build context open it once per file.
    _build_contexts: dict[str | None, Any] = field(default_factory=dict, init=False, repr=False,
                                                   compare=False)

    def derive(self, options: dict[str, Any]) -> Context:
        """A copy of this context with ``options`` (one transform's), and no model yet (a
        ``targets`` option narrows it). Cheaper than building one per transform. The
        opened build contexts stay shared."""
        new = object.__new__(Context)
        d = new.__dict__
        d.update(self.__dict__)
        d["options"] = options
        d["_model"] = None
        return new

    @property
    def style(self) -> Style:
        return self.dockerfile.style

    @property
    def model(self) -> Model:
        """The semantic model of ``dockerfile``, shared by every transform of a pass.

        Built on first use and cached per tree object (``semantic.model_for``), so a fix
        pass that produced a new tree gets a new model and the others reuse theirs. A
        ``targets`` option (stage names or indexes) narrows ``model.shipped``.
        """
        model = self._model
        if model is None:  # asked many times per transform: one look-up in the cache
            from dockmod.semantic import model_for

            targets = self.options.get("targets")
            model = self._model = model_for(self.dockerfile, tuple(targets) if targets else None)
        return model


_MISSING = object()
# (line, column, end_line, end_column) of a finding with no position.
_NOWHERE = (0, 0, 0, 0)


class Later:
    """A replacement that :meth:`Transform.propose` builds only when its run reads it (to
    apply the fix, or for the proposal's key): ``propose(original, Later(build))``. A check
    records the finding and builds nothing; what ``build()`` returns is what would have
    been passed (it reads only immutable nodes)."""

    __slots__ = ("build",)

    def __init__(self, build: Callable[[], Any]) -> None:
        self.build = build


def _built(replacement: Any) -> Any:
    return replacement.build() if type(replacement) is Later else replacement

# How Transform.walk treats an instruction class (else: the name of its only handler).
_SKIP = "skip"
_FULL = "full"


class Transform(Transformer):
    """Base of every transform. Subclasses set ``meta`` and override ``leave_X`` or ``transform``."""

    meta: ClassVar[TransformMeta]
    #: on_visit/on_leave below only track the current instruction: subtrees without a
    #: handler can be skipped.
    _generic_hooks = True

    # The counters and the walk's state start as these class attributes (immutable values,
    # shadowed on first assignment): one transform is made per tree, most record nothing.
    applied = 0
    _current: Instruction | None = None
    #: (original, updated) of the ``leave_X`` call in progress, so that ``propose``
    #: keeps ``updated`` (children's edits included) when it does not apply a fix.
    _leaving: tuple[Node, Any] | None = None
    _proposals = 0

    def __init__(self, context: Context) -> None:
        self.context = context
        self.findings: list[Finding] = []
        #: Keys of the applicable proposals, in order (only with ``context.track_keys``).
        self.proposal_keys: list[tuple[str, str, str]] = []

    # -- running ---------------------------------------------------------------------
    def transform(self, df: Dockerfile) -> Dockerfile:
        """Rewrite the whole tree. Override for whole-file restructuring."""
        return self.walk(df)

    def walk(self, df: Dockerfile) -> Dockerfile:
        """``df.visit(self)``, with the same calls in the same order, without the generic
        walk's cost for each instruction.

        A per-class table says, for each instruction class, whether the walk skips it,
        calls only its ``leave_X`` (it has no ``visit_X`` and holds no node the class
        handles: most instructions of most transforms), only its ``visit_X`` (no ``leave_X``
        and no node below handled), or visits it in full. A class
        that handles the root, its directives or footer, or that sees every node, is
        walked in full.
        """
        plan = type(self)._plan()
        if plan is None:
            return df.visit(self)
        body = df.body
        new: list[Any] | None = None
        for i, ins in enumerate(body):
            how = plan.get(type(ins))
            if how is None:
                how = plan[type(ins)] = type(self)._how(type(ins))
            if how is _SKIP:
                nx: Any = ins
            elif how is _FULL:
                nx = ins.visit(self)
            elif how[0] == "v":  # only visit_X, nothing below entered: visit() minus its dispatch
                if self._current is None:
                    self._current = ins
                getattr(self, how)(ins)  # (its answer only says whether to enter: nothing to)
                if ins is self._current:
                    self._current = None
                nx = ins
            else:  # only leave_X: what on_visit, on_leave and visit() do for it
                if self._current is None:
                    self._current = ins
                outer = self._leaving
                self._leaving = (ins, ins)
                try:
                    nx = getattr(self, how)(ins, ins)
                finally:
                    self._leaving = outer
                if ins is self._current:
                    self._current = None
            if nx is not ins or new is not None:
                new = splice(new, body, i, nx)
        return df.with_changes(body=tuple(new)) if new is not None else df

    @classmethod
    def idle_on(cls, kinds: frozenset[type]) -> bool:
        """Whether :meth:`transform` would do nothing on a tree whose top-level instructions
        are all of the classes ``kinds``: it only walks (no ``transform`` of its own), and
        the walk skips each of them, calling no handler. The engine then runs it not at all."""
        if cls.transform is not Transform.transform:
            return False
        plan = cls._plan()
        if plan is None:
            return False
        for k in kinds:
            how = plan.get(k)
            if how is None:
                how = plan[k] = cls._how(k)
            if how is not _SKIP:
                return False
        return True

    @classmethod
    def _plan(cls) -> dict[type, str] | None:
        """The per-class dispatch table of :meth:`walk`, or None to walk in full."""
        plan = cls.__dict__.get("_walk_plan", False)
        if plan is False:
            from dockmod.cst.module import Dockerfile

            simple = (not cls._walks_all_nodes and cls.fields_to_enter(Dockerfile) in ((), ("body",))
                      and cls.handler(Dockerfile, "visit_") is None and cls.handler(Dockerfile, "leave_") is None)
            plan = {} if simple else None
            cls._walk_plan = plan
        return plan  # type: ignore[no-any-return]

    @classmethod
    def _how(cls, ins_cls: type) -> str:
        if not cls.enters(ins_cls):
            return _SKIP
        leave = cls.handler(ins_cls, "leave_")
        visit = cls.handler(ins_cls, "visit_")
        if cls.fields_to_enter(ins_cls) or (leave is None) == (visit is None):
            return _FULL
        # One handler and no field to enter: walk() calls it directly (a ``visit_`` or
        # ``leave_`` name; DM512's visit_From/visit_Shell, most transforms' leave_X).
        return leave or visit  # type: ignore[return-value]

    def on_visit(self, node: Node) -> bool:
        if isinstance(node, Instruction) and self._current is None:
            self._current = node
        return super().on_visit(node)

    def on_leave(self, original: Node, updated: Node) -> Any:
        outer = self._leaving
        self._leaving = (original, updated)
        try:
            result = super().on_leave(original, updated)
        finally:
            self._leaving = outer
        if original is self._current:
            self._current = None
        return result

    def option(self, name: str) -> Any:
        defaults = type(self).__dict__.get("_option_defaults")
        if defaults is None:  # once per class: its options' defaults by name
            defaults = {}
            for opt in self.meta.options:
                defaults.setdefault(opt.name, opt.default)
            type(self)._option_defaults = defaults
        default = defaults.get(name, _MISSING)
        if default is _MISSING:
            raise KeyError(name)
        return self.context.options.get(name, default)

    # -- recording -------------------------------------------------------------------
    def _anchor(self, node: Node, at: Instruction | None) -> Instruction | None:
        if at is not None:
            return at
        if isinstance(node, Instruction) and self._current is None:
            return node
        return self._current or (node if isinstance(node, Instruction) else None)

    def _suppressed(self, anchor: Instruction | None) -> bool:
        if anchor is None:
            return False
        codes = self.context.suppressed.get(id(anchor))
        return bool(codes) and (self.meta.code in codes or "ALL" in codes)

    def _record(self, node: Any, fix_title: str | None, safety: FixSafety | None,
                no_fix_reason: str | None, msg: dict[str, Any], within: Instruction | None = None,
                unsafe_reason: str | None = None) -> None:
        # ``within``: the top-level instruction the finding belongs to, so that positions
        # print only it to find a node inside it.
        pos = self.context.positions
        span = None
        if pos is None:
            pass
        elif isinstance(node, tuple):  # (leaf node, start, end): offsets into the leaf's text
            leaf, start, end = node
            span = pos.locate_sub(leaf, start, end, within)
        else:
            span = pos.locate(node, within)
        # The span's fields read once, and the finding built from positional arguments (in
        # Finding's field order): one per finding, thousands per corpus check.
        where = (span.start_line, span.start_column, span.end_line, span.end_column) if span else _NOWHERE
        meta = self.meta
        self.findings.append(Finding(meta.code, meta.name, meta.summary.format(**msg), *where,
                                     fix_title, safety, no_fix_reason, unsafe_reason))

    def report(self, original: Node, *, at: Instruction | None = None, loc: Any = None,
               no_fix_reason: str | None = None, **msg: Any) -> None:
        """Record a finding without a fix, located at ``loc`` (default: ``original``).

        ``loc`` is a node, or ``(leaf, start, end)`` for offsets into a leaf's text (e.g.
        one command inside a RUN's shell text).

        ``no_fix_reason`` says why this finding has no fix although the transform has one
        (e.g. "the command uses shell syntax"); it is shown as the help line's note.
        """
        anchor = self._anchor(original, at)
        if self.context.suppressed and self._suppressed(anchor):  # (empty: nothing suppressed)
            return
        title = None
        if no_fix_reason and self.meta.fix_title:
            try:
                title = self.meta.fix_title.format(**msg)
            except (KeyError, IndexError):
                title = None
        self._record(loc or original, title, None, no_fix_reason, msg, anchor)

    def propose(self, original: Node, replacement: Any, *, updated: Any = None,
                safety: FixSafety | None = None, at: Instruction | None = None,
                loc: Any = None, **msg: Any) -> Any:
        """Record a finding with a fix; return ``replacement`` if this run applies it.

        Otherwise return ``updated``. As in LibCST, that is the node with its children's
        edits: inside ``leave_X(original, updated)`` it defaults to that call's ``updated``,
        elsewhere to ``original``. ``safety`` overrides the transform's default for this
        one finding; ``loc`` is the node to point at (default: ``original``).
        ``replacement`` may be a :class:`Later`: built only if the run applies the fix or
        needs the proposal's key.
        """
        where = loc or original
        if updated is not None:
            keep = updated
        elif self._leaving is not None and self._leaving[0] is original:
            keep = self._leaving[1]
        else:
            keep = original
        anchor = self._anchor(original, at)
        ctx = self.context
        # An empty suppression map (most files: a plain dict) suppresses nothing.
        if ctx.suppressed and self._suppressed(anchor):
            return keep
        meta = self.meta
        safety = safety or meta.safety
        unsafe_reason = None
        if safety is FixSafety.SAFE and meta.min_syntax:  # proven for docker/dockerfile only
            unsafe_reason = ctx.model.frontend.unsafe_reason
            safety = FixSafety.UNSAFE if unsafe_reason else safety
        # (No fix needs a newer frontend than a transform without ``min_syntax``.)
        reason = self._syntax_blocker() if meta.min_syntax else None
        title = meta.fix_title.format(**msg) if meta.fix_title else None
        if reason is None and ctx.rejected:
            replacement = _built(replacement)
            reason = ctx.rejected.get(self._key(original, replacement))
        if reason is not None:
            self._record(where, title, None, reason, msg, anchor)
            return keep
        self._record(where, title, safety, None, msg, anchor, unsafe_reason)
        if not safety.applies(ctx.unsafe_fixes):
            return keep
        index = self._proposals
        self._proposals += 1
        if ctx.track_keys:
            replacement = _built(replacement)
            self.proposal_keys.append(self._key(original, replacement))
        if ctx.fix and (ctx.only is None or ctx.only == index):
            self.applied += 1
            return _built(replacement)
        return keep

    def _key(self, original: Node, replacement: Any) -> tuple[str, str, str]:
        """Identifies one proposal across runs on equal text: code, original, replacement."""
        return (self.meta.code, original.code, _text(replacement))

    def _syntax_blocker(self) -> str | None:
        need = self.meta.min_syntax
        cap = self.context.target_syntax
        if need and cap and need > cap:
            source = self.context.target_syntax_source.format(version=f"{cap[0]}.{cap[1]}")
            return f"the fix needs docker/dockerfile:{need[0]}.{need[1]}, above {source}"
        return None


def _text(value: Any) -> str:
    if isinstance(value, Node):
        return value.code
    if isinstance(value, tuple):
        return "".join(_text(v) for v in value)
    return repr(value)
