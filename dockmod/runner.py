"""Bulk runs: one job per file, in a process pool, results in a stable order.

Each file's result is a frozen, picklable :class:`FileResult`. One file's failure never
stops the run: it becomes ``status="failed"`` and the run exits 2 at the end. The parser
is built before the pool forks, so workers inherit it instead of rebuilding it.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from dockmod.transforms._base import Finding, FixSafety


@dataclass(frozen=True)
class Job:
    path: str
    #: The path to show and to put in diff headers.
    display: str
    root: str
    fix: bool
    apply: bool
    select: tuple[str, ...] | None
    extend_select: tuple[str, ...]
    ignore: tuple[str, ...]
    unsafe_fixes: bool | None
    target_syntax: tuple[int, int] | None
    config: str | None
    stdin_text: str | None = None
    #: ``--syntax-directive`` (none/floating/minimum); None: from config, else "none".
    syntax_directive: str | None = None


@dataclass(frozen=True)
class FileResult:
    path: str
    #: changed | unchanged | skipped | failed
    status: str
    findings: tuple[Finding, ...] = ()
    remaining: tuple[Finding, ...] = ()
    diff: str = ""
    output: str | None = None
    error: str | None = None
    unsafe_fixes: bool = False
    #: Findings whose fix needs --unsafe-fixes and was not applied.
    hidden_unsafe: int = 0
    applied: int = 0
    source_lines: dict[int, str] = field(default_factory=dict)


def _merge_selection(job: Job, cfg: Any) -> list[Any]:
    from dockmod.transforms import select

    sel = job.select if job.select is not None else cfg.select
    sel_list = list(sel) if sel is not None else None
    ext = list(cfg.extend_select) + list(job.extend_select)
    ign = list(cfg.ignore) + list(job.ignore)
    if cfg.root is not None:
        rel = _relative(Path(job.path), cfg.root)
        for pattern, codes in cfg.per_file_ignores:
            if fnmatch(rel, pattern) or fnmatch(Path(job.path).name, pattern):
                ign.extend(codes)
    return select(sel_list, ign, ext)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def process(job: Job) -> FileResult:
    """Check or fix one file. Never raises."""
    from dockmod import config as config_mod
    from dockmod import engine
    from dockmod._parse import parse
    from dockmod.diagnostics import render_parse_error
    from dockmod.diff import unified_diff
    from dockmod.errors import ConfigError, ParseError, TransformError
    from dockmod.io import decode, write_text_atomic

    path = Path(job.path)
    try:
        cfg = config_mod.for_file(path if job.stdin_text is None else Path.cwd() / "-",
                                  Path(job.config) if job.config else None)
    except ConfigError as e:
        return FileResult(job.display, "failed", error=str(e))
    unsafe = job.unsafe_fixes if job.unsafe_fixes is not None else cfg.unsafe_fixes
    target = job.target_syntax or cfg.target_syntax

    if job.stdin_text is None:
        if path.is_symlink():
            target_path = path.resolve()
            root = Path(job.root)
            if job.apply and root != target_path and root not in target_path.parents:
                return FileResult(job.display, "skipped",
                                  error="symlink to a file outside the tree being processed")
        try:
            text = decode(path.read_bytes())
        except OSError as e:
            return FileResult(job.display, "failed", error=f"{job.display}: error: {e.strerror or e}")
    else:
        text = job.stdin_text

    try:
        df = parse(text, path=job.display)
    except ParseError as e:
        return FileResult(job.display, "failed", error=render_parse_error(e, job.display))

    try:
        transforms = _merge_selection(job, cfg)
        policy = engine.SyntaxPolicy(job.syntax_directive or cfg.syntax_directive or "none")
        opts = engine.EngineOptions(fix=job.fix, unsafe_fixes=unsafe, target_syntax=target,
                                    options=cfg.transform, syntax_directive=policy)
        result = engine.run(df, transforms, opts, path=job.display)
    except TransformError as e:
        return FileResult(job.display, "failed", error=f"{job.display}: error: {e}")
    except Exception:  # a transform bug must not stop the run or write anything
        return FileResult(job.display, "failed",
                          error=f"{job.display}: internal error\n{traceback.format_exc()}")

    if result.skipped:
        return FileResult(job.display, "skipped", error=result.skipped)

    out = result.output.code
    if out != text:
        # Never write a broken file: the output must parse again.
        try:
            parse(out, path=job.display)
        except ParseError as e:
            return FileResult(job.display, "failed",
                              error=f"{job.display}: internal error: a fix produced unparsable output: {e}")
    hidden = sum(1 for f in result.findings if f.safety is FixSafety.UNSAFE and not unsafe)
    lines = {}
    text_lines = text.split("\n")
    for f in result.findings:
        if 1 <= f.line <= len(text_lines):
            lines[f.line] = text_lines[f.line - 1].rstrip("\r")
    status = "changed" if out != text else "unchanged"
    diff = unified_diff(text, out, job.display) if status == "changed" else ""
    if status == "changed" and job.apply and job.stdin_text is None:
        try:
            write_text_atomic(path.resolve() if path.is_symlink() else path, out)
        except OSError as e:
            return FileResult(job.display, "failed", error=f"{job.display}: error: cannot write: {e}")
    return FileResult(
        job.display, status, tuple(result.findings), tuple(result.remaining), diff,
        output=out if job.stdin_text is not None else None, unsafe_fixes=unsafe,
        hidden_unsafe=hidden, applied=result.applied, source_lines=lines,
    )


def run(jobs: list[Job], workers: int | None = None) -> list[FileResult]:
    """Process ``jobs`` (in parallel when there are several) and return results in job order."""
    if workers is None:
        workers = os.cpu_count() or 1
    if workers <= 1 or len(jobs) <= 1:
        return [process(j) for j in jobs]
    from concurrent.futures import ProcessPoolExecutor

    from dockmod.cst.build import get_parser

    get_parser("\\")
    get_parser("`")
    import dockmod.transforms  # noqa: F401  (import before fork, like the parser)

    chunk = max(1, len(jobs) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(process, jobs, chunksize=chunk))
