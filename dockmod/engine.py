"""Apply transforms to one tree: report, fix to a fixpoint, gate by safety, raise ``# syntax``.

Findings are always taken from the *original* tree, so their positions are the ones a
reviewer sees in the file. Fixes are then applied transform by transform, in registry
order, pass after pass until nothing changes (at most ``MAX_PASSES``, as ruff caps its
fix loop). The findings that remain are read from the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dockmod.cst.module import Dockerfile
from dockmod.cst.positions import PositionProvider
from dockmod.cst.trivia import Directive
from dockmod.errors import TransformError
from dockmod.suppressions import is_skip_file, suppressed_codes
from dockmod.transforms import resolve_code
from dockmod.transforms._base import Context, Finding, Transform

MAX_PASSES = 10

# `# syntax=` values of Docker's own frontend: [docker.io/]docker/dockerfile:1[.N[.P]][-labs][@digest]
_FRONTEND_RE = re.compile(
    r"^(?P<name>(?:docker\.io/)?docker/dockerfile):(?P<major>\d+)(?:\.(?P<minor>\d+)(?:\.\d+)?)?"
    r"(?P<suffix>-labs)?(?P<digest>@sha256:[0-9a-f]{64})?$"
)


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


def _check(df: Dockerfile, transforms: list[type[Transform]], opts: EngineOptions,
           path: str | None) -> list[Finding]:
    positions = PositionProvider(df)
    suppressed = suppressed_codes(df, resolve_code)
    findings: list[Finding] = []
    for cls in transforms:
        ctx = Context(dockerfile=df, path=path, options=opts.options.get(cls.meta.name, {}),
                      resolver=opts.resolver, fix=False, unsafe_fixes=opts.unsafe_fixes,
                      target_syntax=opts.target_syntax, suppressed=suppressed, positions=positions)
        t = cls(ctx)
        t.transform(df)
        findings.extend(t.findings)
    findings.sort(key=lambda f: (f.line, f.column, f.code))
    return findings


def run(df: Dockerfile, transforms: list[type[Transform]], opts: EngineOptions,
        path: str | None = None) -> EngineResult:
    """Run ``transforms`` on ``df``. Raises :class:`TransformError` if fixes do not converge."""
    if is_skip_file(df):
        return EngineResult(df, df, [], [], skipped="`# dockmod: skip-file`")
    findings = _check(df, transforms, opts, path)
    if not opts.fix or not any(f.fixable for f in findings):
        return EngineResult(df, df, findings, findings)

    current = df
    applied = 0
    fixed: set[str] = set()
    need_syntax: tuple[int, int] | None = None
    passes = 0
    while True:
        passes += 1
        changed_codes = []
        for cls in transforms:
            suppressed = suppressed_codes(current, resolve_code)
            ctx = Context(dockerfile=current, path=path, options=opts.options.get(cls.meta.name, {}),
                          resolver=opts.resolver, fix=True, unsafe_fixes=opts.unsafe_fixes,
                          target_syntax=opts.target_syntax, suppressed=suppressed)
            t = cls(ctx)
            new = t.transform(current)
            if t.applied and new.code != current.code:
                current = new
                applied += t.applied
                changed_codes.append(cls.meta.code)
                fixed.add(cls.meta.code)
                if cls.meta.min_syntax and (need_syntax is None or cls.meta.min_syntax > need_syntax):
                    need_syntax = cls.meta.min_syntax
        if not changed_codes:
            break
        if passes >= MAX_PASSES:
            raise TransformError(
                f"fixes did not converge after {MAX_PASSES} passes: {', '.join(sorted(set(changed_codes)))}"
            )
    if need_syntax is not None:
        current = ensure_syntax(current, need_syntax)
    remaining = _check(current, transforms, opts, path) if current is not df else findings
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
    return int(m.group("major")), (int(m.group("minor")) if m.group("minor") else None)


def ensure_syntax(df: Dockerfile, need: tuple[int, int]) -> Dockerfile:
    """Add or raise ``# syntax=docker/dockerfile:1.N`` so the frontend supports ``need``.

    A floating ``:1`` already satisfies any 1.N. A custom frontend, or one pinned by digest,
    is left alone: raising it would change what the file asked for.
    """
    style = df.style
    for i, d in enumerate(df.directives):
        if d.name != "syntax":
            continue
        raw_value = d.directive_value
        m = _FRONTEND_RE.match(raw_value)
        if not m or m.group("digest"):
            return df
        major = int(m.group("major"))
        minor = m.group("minor")
        if major > need[0] or minor is None or (major, int(minor)) >= need:
            return df
        new_value = f"{m.group('name')}:{need[0]}.{need[1]}{m.group('suffix') or ''}"
        start = d.value.find(raw_value)
        new_line = d.value[:start] + new_value + d.value[start + len(raw_value):]
        directives = df.directives[:i] + (Directive(new_line),) + df.directives[i + 1:]
        return df.with_changes(directives=directives)
    line = Directive(f"# syntax=docker/dockerfile:{need[0]}.{need[1]}{style.newline}")
    return df.with_changes(directives=(line, *df.directives))
