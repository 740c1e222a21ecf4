"""Apply transforms to one tree: report, fix to a fixpoint, gate by safety, mind ``# syntax``.

Findings are always taken from the *original* tree, so their positions are the ones a
reviewer sees in the file. Fixes are then applied transform by transform, in registry
order, pass after pass until nothing changes (at most ``MAX_PASSES``, as ruff caps its
fix loop). The findings that remain are read from the result.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from dockmod.cst.instructions import Add, Copy, Healthcheck, Instruction, Onbuild, Run
from dockmod.cst.module import Dockerfile
from dockmod.cst.positions import Layout, LazyPositions
from dockmod.cst.trivia import Directive
from dockmod.errors import TransformError
from dockmod.suppressions import is_skip_file, suppressed_codes
from dockmod.transforms import resolve_code
from dockmod.transforms._base import Context, Finding, Transform

MAX_PASSES = 10


class SyntaxPolicy(enum.Enum):
    """What to do about ``# syntax=`` when a fix needs a newer frontend than the file declares.

    Whatever the policy, a directive is never lowered, never set below what the whole
    output uses, and a pinned ``docker/dockerfile:1.N`` is raised only as far as the
    output needs. The policy decides for files *without* a directive.
    """

    #: Add none (default). The frontend built into current BuildKit has mounts and
    #: heredocs; pinning one would pull it from Docker Hub on every build and, pinned
    #: below 1.8, turn off ``docker build --check``.
    NONE = "none"
    #: Add ``# syntax=docker/dockerfile:1`` (latest 1.x, pulled at build time).
    FLOATING = "floating"
    #: Add ``# syntax=docker/dockerfile:1.N``, the lowest version the output needs.
    MINIMUM = "minimum"


@dataclass(frozen=True, slots=True)
class FrontendFeature:
    """A Dockerfile feature and the ``docker/dockerfile`` version that first ships it."""

    name: str
    #: First version in the stable channel (``docker/dockerfile:1.N``).
    stable: tuple[int, int]
    #: First version in the labs channel (``docker/dockerfile:1.N-labs``).
    labs: tuple[int, int]


_NOTES = "https://docs.docker.com/build/dockerfile/release-notes/"
# Feature -> first frontend version. Sources: the Dockerfile release notes (_NOTES, section
# per version) and the moby/buildkit release tags. Where the labs channel had a feature
# earlier but no labs version is cited here, labs = stable (never too low, at worst high).
#
# | feature                          | stable | labs | source                                  |
# |----------------------------------|--------|------|-----------------------------------------|
# | RUN --mount (cache/secret/ssh/…) | 1.2    | 1.2  | moby/buildkit tag dockerfile/1.2.0      |
# | RUN --network                    | 1.3    | 1.3  | _NOTES 1.3.0 (labs since 1.2.1-labs)    |
# | heredocs (RUN/COPY <<EOF)        | 1.4    | 1.3  | _NOTES 1.4.0, 1.3.0 (labs)              |
# | COPY --link / ADD --link         | 1.4    | 1.4  | _NOTES 1.4.0                            |
# | ADD <git URL>, ADD --keep-git-dir| 1.6    | 1.5  | _NOTES 1.6.0 ("graduated"), 1.5.0       |
# | ADD --checksum                   | 1.6    | 1.5  | _NOTES 1.6.0, 1.5.0 (labs)              |
# | HEALTHCHECK --start-interval     | 1.6    | 1.6  | _NOTES 1.6.0                            |
# | RUN --mount=type=secret,env=     | 1.10   | 1.10 | _NOTES 1.10.0                           |
# | ADD --unpack                     | 1.17   | 1.17 | _NOTES 1.17.0                           |
# | COPY/ADD --exclude               | 1.19   | 1.7  | _NOTES 1.19.0, 1.7.0 (labs)             |
# | COPY --parents                   | 1.20   | 1.7  | moby/buildkit tag dockerfile/1.20.0,    |
# |                                  |        |      | _NOTES 1.7.0 (labs)                     |
# | RUN --security                   | 1.20   | 1.20 | moby/buildkit tag dockerfile/1.20.0     |
#
# Not detected (a file using them gets no floor from them): the `${VAR#pattern}` family of
# substitutions (1.7), `# check=` (1.8, ignored by older frontends), COPY --chmod.
MOUNT = FrontendFeature("`RUN --mount`", (1, 2), (1, 2))
NETWORK = FrontendFeature("`RUN --network`", (1, 3), (1, 3))
HEREDOC = FrontendFeature("heredocs", (1, 4), (1, 3))
LINK = FrontendFeature("`--link`", (1, 4), (1, 4))
ADD_GIT = FrontendFeature("`ADD` from a Git URL", (1, 6), (1, 5))
CHECKSUM = FrontendFeature("`ADD --checksum`", (1, 6), (1, 5))
START_INTERVAL = FrontendFeature("`HEALTHCHECK --start-interval`", (1, 6), (1, 6))
SECRET_ENV = FrontendFeature("`RUN --mount=type=secret,env=`", (1, 10), (1, 10))
UNPACK = FrontendFeature("`ADD --unpack`", (1, 17), (1, 17))
EXCLUDE = FrontendFeature("`--exclude`", (1, 19), (1, 7))
PARENTS = FrontendFeature("`COPY --parents`", (1, 20), (1, 7))
SECURITY = FrontendFeature("`RUN --security`", (1, 20), (1, 20))

_COPY_FLAGS = {"link": LINK, "exclude": EXCLUDE, "parents": PARENTS, "checksum": CHECKSUM,
               "keep-git-dir": ADD_GIT, "unpack": UNPACK}
_RUN_FLAGS = {"network": NETWORK, "security": SECURITY}
# BuildKit's ADD treats these as Git sources (dockerfile2llb: gitutil.ParseGitRef).
_GIT_SOURCE_RE = re.compile(r"^(?:git@|git://|(?:https?|ssh)://\S+\.git(?:[#?].*)?$)")

# `# syntax=` values of Docker's own frontend:
# [docker.io/]docker/dockerfile[:1[.N[.P]][-labs] | :latest | :labs][@digest]
_FRONTEND_RE = re.compile(
    r"^(?P<name>(?:docker\.io/)?docker/dockerfile)"
    r"(?::(?:(?P<major>\d+)(?:\.(?P<minor>\d+)(?:\.\d+)?)?(?P<suffix>-labs)?|(?P<tag>latest|labs)))?"
    r"(?P<digest>@sha256:[0-9a-f]{64})?$"
)


def features_used(df: Dockerfile) -> list[FrontendFeature]:
    """The versioned frontend features the file uses, one entry per use."""
    out: list[FrontendFeature] = []

    def visit(ins: Instruction) -> None:
        if ins.heredocs:
            out.append(HEREDOC)
        for flag in ins.flags:
            name = flag.name.lower()
            if isinstance(ins, Run):
                if name == "mount":
                    out.append(MOUNT)
                    spec = flag.mount
                    if spec is not None and spec.type == "secret" and spec.get("env") is not None:
                        out.append(SECRET_ENV)
                elif name in _RUN_FLAGS:
                    out.append(_RUN_FLAGS[name])
            elif isinstance(ins, (Copy, Add)) and name in _COPY_FLAGS:
                out.append(_COPY_FLAGS[name])
            elif isinstance(ins, Healthcheck) and name == "start-interval":
                out.append(START_INTERVAL)
        if isinstance(ins, Add) and any(_GIT_SOURCE_RE.match(s) for s in ins.sources):
            out.append(ADD_GIT)
        if isinstance(ins, Onbuild) and ins.instruction is not None:
            visit(ins.instruction)

    for ins in df.body:
        visit(ins)
    return out


def frontend_needed(df: Dockerfile, labs: bool = False) -> tuple[int, int] | None:
    """The lowest ``docker/dockerfile`` version (stable or labs channel) the file needs."""
    versions = [f.labs if labs else f.stable for f in features_used(df)]
    return max(versions) if versions else None


@dataclass
class EngineResult:
    original: Dockerfile
    output: Dockerfile
    #: Findings on the original tree.
    findings: list[Finding]
    #: Findings still present in the output (equal to ``findings`` without fixes).
    remaining: list[Finding]
    applied: int = 0
    passes: int = 0
    skipped: str | None = None
    fixed_codes: set[str] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return self.output is not self.original and self.output.code != self.original.code


@dataclass
class EngineOptions:
    fix: bool = False
    unsafe_fixes: bool = False
    target_syntax: tuple[int, int] | None = None
    #: Per-transform options keyed by transform name.
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    resolver: Any = None
    syntax_directive: SyntaxPolicy = SyntaxPolicy.NONE


_Rejected = dict[tuple[str, str, str], str]


class _LazySuppressions(Mapping[int, frozenset[str]]):
    """The tree's suppression map, read from its comments on first use (once per tree)."""

    __slots__ = ("_df", "_read")

    def __init__(self, df: Dockerfile) -> None:
        self._df = df
        self._read: dict[int, frozenset[str]] | None = None

    def _map(self) -> dict[int, frozenset[str]]:
        read = self._read
        if read is None:  # asked at every finding: the memo looked up once (the tree is immutable)
            read = self._read = self._df.memo(
                "suppressions", lambda d: suppressed_codes(d, resolve_code) if _has_pragmas(d) else {})
        return read

    def __getitem__(self, key: int) -> frozenset[str]:
        return self._map()[key]

    def get(self, key: int, default: Any = None) -> Any:
        return self._map().get(key, default)

    def __iter__(self) -> Iterator[int]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._map())


def _has_pragmas(df: Dockerfile) -> bool:
    """Whether the file's text holds ``dockmod`` at all (a suppression or skip-file comment
    must): one search of the text (the parsed text, else the one positions and DM506
    share), instead of reading every comment line of the tree."""
    return "dockmod" in Layout.text_of(df)


def _suppressions(df: Dockerfile) -> Mapping[int, frozenset[str]]:
    text = df.source()
    if text is not None and "dockmod" not in text:
        return {}  # what the lazy map reads for a file without pragmas, known without a layout
    return _LazySuppressions(df)


def _context(df: Dockerfile, cls: type[Transform], opts: EngineOptions, path: str | None, *,
             fix: bool, rejected: _Rejected, positions: Any = None,
             shared: tuple[Any, str, Mapping[int, frozenset[str]]] | None = None) -> Context:
    # ``shared``: what is the same for every transform on ``df`` (see :func:`_shared`).
    target, source, suppressed = shared or _shared(df, opts)
    return Context(dockerfile=df, path=path, options=opts.options.get(cls.meta.name, {}),
                   resolver=opts.resolver, fix=fix, unsafe_fixes=opts.unsafe_fixes,
                   target_syntax=target, target_syntax_source=source, suppressed=suppressed,
                   positions=positions, rejected=rejected)


def _shared(df: Dockerfile, opts: EngineOptions) -> tuple[Any, str, Mapping[int, frozenset[str]]]:
    """The target syntax, its source and the suppressions: one per tree, for every transform."""
    target, source = opts.target_syntax, "target-syntax {version}"
    frozen = df.memo("frozen_syntax", frozen_syntax)
    if frozen is not None and (target is None or frozen < target):
        target, source = frozen
    return target, source, _suppressions(df)


# (transforms, instruction classes of a tree's body) -> the transforms not idle on them.
# Files share few sets of instruction classes: each is decided once per run.
_ACTIVE: dict[tuple[tuple[type[Transform], ...], frozenset[type]], tuple[type[Transform], ...]] = {}
_ACTIVE_SIZE = 4096


def _active(transforms: list[type[Transform]], kinds: frozenset[type]) -> tuple[type[Transform], ...]:
    """The transforms of ``transforms`` that may find something on a tree whose top-level
    instructions are of the classes ``kinds`` (the others' walks would call no handler)."""
    key = (tuple(transforms), kinds)
    hit = _ACTIVE.get(key)
    if hit is None:
        if len(_ACTIVE) >= _ACTIVE_SIZE:
            _ACTIVE.clear()
        hit = _ACTIVE[key] = tuple(cls for cls in transforms if not cls.idle_on(kinds))
    return hit


def _check(df: Dockerfile, transforms: list[type[Transform]], opts: EngineOptions,
           path: str | None, rejected: _Rejected | None = None) -> list[Finding]:
    # One position map and one suppression map per tree, shared by every transform, and
    # built only when a transform records a finding. One context, shared by the transforms
    # without options (nothing changes a context once built; their models are the same
    # ``model_for(df, None)``), copied for a transform with options of its own.
    target, source, suppressed = _shared(df, opts)
    base = Context(dockerfile=df, path=path, resolver=opts.resolver, fix=False,
                   unsafe_fixes=opts.unsafe_fixes, target_syntax=target, target_syntax_source=source,
                   suppressed=suppressed, positions=LazyPositions(df),
                   rejected={} if rejected is None else rejected)
    options = opts.options
    findings: list[Finding] = []
    for cls in _active(transforms, frozenset(map(type, df.body))):
        own = options.get(cls.meta.name)
        t = cls(base if own is None else base.derive(own))
        t.transform(df)
        findings.extend(t.findings)
    findings.sort(key=lambda f: (f.line, f.column, f.code))
    return findings


def _parse_error(text: str) -> str | None:
    from dockmod._parse import parse
    from dockmod.errors import ParseError

    try:
        parse(text)
    except ParseError as e:
        return e.message
    return None


def _fix_step(current: Dockerfile, cls: type[Transform], opts: EngineOptions, path: str | None,
              rejected: _Rejected, guard: bool) -> tuple[Dockerfile, int]:
    """Apply one transform's fixes to ``current``.

    With ``guard``, drop each fix whose output does not parse: such a fix is a transform
    bug, but it must not sink the file's other fixes. The step is retried one proposal at
    a time, the ones that break the file are recorded in ``rejected`` (reported as
    findings without a fix), and the rest are applied.
    """
    t = cls(_context(current, cls, opts, path, fix=True, rejected=rejected))
    new = t.transform(current)
    if not t.applied or new.code == current.code:
        return current, 0
    if not guard:
        return new, t.applied
    error = _parse_error(new.code)
    if error is None:
        return new, t.applied
    probe = cls(_context(current, cls, opts, path, fix=False, rejected=rejected))
    probe.context.track_keys = True
    probe.transform(current)
    for index, key in enumerate(probe.proposal_keys):
        ctx = _context(current, cls, opts, path, fix=True, rejected=rejected)
        ctx.only = index
        one = cls(ctx).transform(current)
        reason = _parse_error(one.code) if one.code != current.code else None
        if reason is not None:
            rejected[key] = f"the fix was dropped: its output does not parse ({reason})"
    t = cls(_context(current, cls, opts, path, fix=True, rejected=rejected))
    new = t.transform(current)
    if t.applied and new.code != current.code and (reason := _parse_error(new.code)) is not None:
        # Each fix parses alone but not together: drop them all.
        for key in probe.proposal_keys:
            rejected.setdefault(key, f"the fix was dropped: its output does not parse ({reason})")
        return current, 0
    return (new, t.applied) if new.code != current.code else (current, 0)


def _fix_pass(current: Dockerfile, transforms: list[type[Transform]], opts: EngineOptions,
              path: str | None, rejected: _Rejected, guard: bool) -> tuple[Dockerfile, list[type[Transform]], int]:
    changed: list[type[Transform]] = []
    applied = 0
    for cls in transforms:
        new, count = _fix_step(current, cls, opts, path, rejected, guard)
        if new is not current:
            current = new
            applied += count
            changed.append(cls)
    return current, changed, applied


def run(df: Dockerfile, transforms: list[type[Transform]], opts: EngineOptions,
        path: str | None = None) -> EngineResult:
    """Run ``transforms`` on ``df``. Raises :class:`TransformError` if fixes do not converge."""
    if _has_pragmas(df) and is_skip_file(df):
        return EngineResult(df, df, [], [], skipped="`# dockmod: skip-file`")
    findings = _check(df, transforms, opts, path)
    if not opts.fix or not any(f.fixable for f in findings):
        return EngineResult(df, df, findings, findings)

    current = df
    applied = 0
    fixed: set[str] = set()
    rejected: _Rejected = {}
    need_syntax: tuple[int, int] | None = None
    passes = 0
    while True:
        passes += 1
        # Optimistic: one parse checks the whole pass. Only when it fails is the pass
        # redone with a check after each transform, to find and drop the bad fixes.
        new, changed, count = _fix_pass(current, transforms, opts, path, rejected, guard=False)
        if changed and _parse_error(new.code) is not None:
            new, changed, count = _fix_pass(current, transforms, opts, path, rejected, guard=True)
        current = new
        applied += count
        for cls in changed:
            fixed.add(cls.meta.code)
            if cls.meta.min_syntax and (need_syntax is None or cls.meta.min_syntax > need_syntax):
                need_syntax = cls.meta.min_syntax
        if not changed:
            break
        if passes >= MAX_PASSES:
            raise TransformError(
                f"fixes did not converge after {MAX_PASSES} passes: "
                f"{', '.join(sorted({c.meta.code for c in changed}))}"
            )
    if need_syntax is not None:
        current = ensure_syntax(current, need_syntax, opts.syntax_directive)
    if rejected:
        findings = _check(df, transforms, opts, path, rejected)
    remaining = _check(current, transforms, opts, path, rejected) if current is not df else findings
    return EngineResult(df, current, findings, remaining, applied=applied, passes=passes,
                        fixed_codes=fixed)


def declared_syntax(df: Dockerfile) -> tuple[int, int | None] | None:
    """``(major, minor)`` of a ``docker/dockerfile`` syntax directive (minor None = floating)."""
    value = df.directive("syntax")
    if value is None:
        return None
    m = _FRONTEND_RE.match(value.split()[0] if value.split() else value)
    if not m:
        return None
    if m.group("major") is None:
        return 1, None
    return int(m.group("major")), (int(m.group("minor")) if m.group("minor") else None)


# The tag of any frontend image reference: `[registry/]path:1.N[.P][-labs]`.
_TAG_VERSION_RE = re.compile(r":(?P<major>\d+)\.(?P<minor>\d+)(?:\.\d+)?(?:-labs)?(?:@sha256:[0-9a-f]{64})?$")


def frozen_syntax(df: Dockerfile) -> tuple[tuple[int, int], str] | None:
    """The frontend version a ``# syntax`` directive pins where :func:`ensure_syntax` will not
    raise it, and how to name it: Docker's frontend pinned by digest
    (``docker/dockerfile:1.0@sha256:…``), or a versioned tag of another image (a mirror such as
    ``mirror.gcr.io/docker/dockerfile:1.0``, ``docker/dockerfile-upstream:1.0``). A fix that
    needs more is then reported without a fix, as under ``--target-syntax``: the build would
    otherwise fail on the older frontend. A floating ``:1`` (with or without a digest), a
    frontend with no version in its tag, and another frontend than Docker's (whose version
    numbers are not Docker's; :mod:`dockmod.semantic.frontend` makes its fixes unsafe) are
    not capped."""
    value = df.directive("syntax")
    if value is None or not value.split():
        return None
    ref = value.split()[0]
    m = _FRONTEND_RE.match(ref)
    if m is not None and not (m.group("digest") and m.group("minor") is not None):
        return None  # Docker's own frontend, raised as needed (or floating)
    from dockmod.semantic.frontend import frontend_of

    if not frontend_of(df).docker:
        return None  # another frontend: its versions are not Docker's; its fixes are unsafe
    v = _TAG_VERSION_RE.search(ref)
    if v is None:
        return None
    shown = ref.replace("{", "{{").replace("}", "}}")  # formatted once more with the version
    return (int(v.group("major")), int(v.group("minor"))), f"`# syntax={shown}`, which dockmod does not raise"


def ensure_syntax(df: Dockerfile, need: tuple[int, int],
                  policy: SyntaxPolicy = SyntaxPolicy.NONE) -> Dockerfile:
    """Make the ``# syntax`` directive admit fixes that need frontend ``need``.

    A pinned ``docker/dockerfile:1.N[-labs]`` below what the whole output needs (``need``
    and every versioned feature the file uses, read on the channel it names) is raised to
    exactly that, never lowered. A floating ``:1``, ``:latest``, a custom frontend, or one
    pinned by digest is left alone: raising it would change what the file asked for.
    Without a directive, ``policy`` decides (see :class:`SyntaxPolicy`).
    """
    for i, d in enumerate(df.directives):
        if d.name != "syntax":
            continue
        raw_value = d.directive_value
        m = _FRONTEND_RE.match(raw_value)
        if not m or m.group("digest") or m.group("major") is None or m.group("minor") is None:
            return df
        major, minor = int(m.group("major")), int(m.group("minor"))
        labs = bool(m.group("suffix"))
        used = frontend_needed(df, labs=labs)
        want = max(need, used) if used else need
        if major > want[0] or (major, minor) >= want:
            return df
        new_value = f"{m.group('name')}:{want[0]}.{want[1]}{m.group('suffix') or ''}"
        start = d.value.find(raw_value)
        new_line = d.value[:start] + new_value + d.value[start + len(raw_value):]
        directives = df.directives[:i] + (Directive(new_line),) + df.directives[i + 1:]
        return df.with_changes(directives=directives)
    if policy is SyntaxPolicy.NONE:
        return df
    if policy is SyntaxPolicy.FLOATING:
        value = "docker/dockerfile:1"
    else:
        used = frontend_needed(df)
        want = max(need, used) if used else need
        value = f"docker/dockerfile:{want[0]}.{want[1]}"
    line = Directive(f"# syntax={value}{df.style.newline}")
    return df.with_changes(directives=(line, *df.directives))
