"""Bulk runs: one job per file, in a process pool, results in a stable order.

Each file's result is a frozen, picklable :class:`~dockmod.results.FileResult`. One
file's failure never stops the run: it becomes ``Outcome.FAILED`` and the run exits 2 at
the end. The parser is built before the pool forks, so workers inherit it.

Stopping:

* Workers die with their parent: each asks the kernel for ``SIGKILL`` when its parent
  dies (``prctl(PR_SET_PDEATHSIG)``), and checks ``os.getppid()`` before each file in
  case the parent died before that request. A killed worker leaves at most a nameless
  ``O_TMPFILE`` (see :mod:`dockmod.io`), which the kernel frees.
* Ctrl-C (``SIGINT``) is caught by the parent only (workers ignore it): it sets a shared
  flag that every worker reads before it starts a file, and no new file is handed out.
  Files already being processed finish (each write is atomic), the rest come back as
  ``Outcome.SKIPPED`` with :data:`INTERRUPTED`, and :func:`run` reports the interrupt.
"""

from __future__ import annotations

import os
import signal
import traceback
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dockmod.results import FileResult, Outcome

if TYPE_CHECKING:
    from dockmod.transforms._base import Finding

#: The ``error`` of files not started because the run was interrupted.
INTERRUPTED = "not started: interrupted"

#: At most this many workers per core: more only costs memory.
WORKERS_PER_CORE = 4

#: The collector's first threshold during a run (CPython's default is 700). A file's
#: check allocates tens of thousands of objects; none of them is in a reference cycle
#: (tests/test_engine.py checks it), so reference counting frees them and a collection
#: finds nothing, but at 700 it still ran ~900 times over 2,000 files (~10% of
#: ``check -j 1``). At 10,000 it runs ~100 times, and peak memory stays the same.
GC_THRESHOLD = 10_000


@dataclass(frozen=True)
class Job:
    #: The file to read; for standard input, the name given by ``--stdin-filename`` (or "-").
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
    #: Replace read-only, hard-linked or foreign-owned files anyway.
    force: bool = False
    #: ``--max-file-size`` (bytes); None: the configuration's, else the default.
    max_file_size: int | None = None
    #: ``--syntax-directive`` (none/floating/minimum); None: from config, else "none".
    syntax_directive: str | None = None
    #: Registry answers for DM101, filled once per run by ``dockmod.pinning.attach``.
    resolver: Any = None
    #: Per-transform option overrides from the command line (e.g. DM101 ``refresh``).
    options: dict[str, dict[str, Any]] | None = None
    #: Fill ``FileResult.source_lines`` (the lines findings are on). Only ``--format full``
    #: prints them: the CLI asks for them then, and no other run splits, masks and sends them.
    source_lines: bool = True


def _merge_selection(job: Job, cfg: Any) -> list[Any]:
    sel = job.select if job.select is not None else cfg.select
    ext = (*cfg.extend_select, *job.extend_select)
    ign = [*cfg.ignore, *job.ignore]
    if cfg.root is not None:
        rel = _relative(Path(job.path), cfg.root)
        for pattern, codes in cfg.per_file_ignores:
            if fnmatch(rel, pattern) or fnmatch(Path(job.path).name, pattern):
                ign.extend(codes)
    return list(_select(tuple(sel) if sel is not None else None, tuple(ign), ext))


@lru_cache(maxsize=256)
def _select(sel: tuple[str, ...] | None, ign: tuple[str, ...], ext: tuple[str, ...]) -> tuple[Any, ...]:
    """:func:`dockmod.transforms.select`, once per run for each selection (most files of a
    run share one)."""
    from dockmod.transforms import select

    return tuple(select(list(sel) if sel is not None else None, list(ign), list(ext)))


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return path.as_posix()


def _os_error(display: str, e: OSError, verb: str = "") -> str:
    from dockmod.io import FileTooLarge, NotRegularFile, WriteRefused

    if isinstance(e, (NotRegularFile, FileTooLarge, WriteRefused)):
        reason = e.strerror
    else:
        reason = os.strerror(e.errno) if e.errno else str(e)
    return f"{display}: error: {verb}{reason}"


_swept: set[str] = set()


def process(job: Job) -> FileResult:
    """Check or fix one file. Never raises (an internal error is a FAILED result)."""
    steps = _guarded(job)
    result = next(steps)
    return result if isinstance(result, FileResult) else next(steps)  # type: ignore[return-value]


#: A batch (:func:`process_batch`) holds at most this many files, and at most this much
#: text (its trees take ~25 bytes per byte of text, see ``benchmarks/memory.py``).
BATCH_FILES = 256
BATCH_TEXT = 512 * 1024


def process_batch(jobs: list[Job], stopped: Callable[[], bool] = lambda: False) -> Iterator[FileResult]:
    """:func:`process` of each of ``jobs``, in order, in two phases: a batch of files is
    read and parsed, then each is checked or fixed. Lark's working set (its tables and
    stacks, the scanner's) and the engine's (the model, the transforms, the shell parses)
    then stay in the CPU's caches for a batch instead of evicting each other at every
    file: a parse right after a file's check runs ~20% slower than one right after
    another parse (see the README's Speed section). The results are :func:`process`'s.
    ``stopped`` is asked before each file's step; once it is true, no step starts and the
    files left (parsed or not: nothing was written) get no result."""
    i = 0
    while i < len(jobs):
        batch: list[tuple[Iterator[FileResult | int], FileResult | int]] = []
        size = 0
        while i < len(jobs) and len(batch) < BATCH_FILES and size < BATCH_TEXT:
            if stopped():
                break
            steps = _guarded(jobs[i])
            first = next(steps)  # the result, or the size of the text read and parsed
            batch.append((steps, first))
            size += first if isinstance(first, int) else 0
            i += 1
        for steps, first in batch:
            if not isinstance(first, FileResult):
                if stopped():
                    return
                first = next(steps)  # type: ignore[assignment]
            yield first  # type: ignore[misc]
        if i < len(jobs) and stopped():
            return


def _guarded(job: Job) -> Iterator[FileResult | int]:
    """:func:`_steps` that never raises: an internal error is a FAILED result. Yields the
    text's length once the file is parsed (unless it is done by then), then the result."""
    try:
        result = yield from _steps(job)
    except Exception as e:  # a bug must not stop the run or write anything
        result = FileResult(job.display, Outcome.FAILED,
                            error=f"{job.display}: internal error: {type(e).__name__}: {e} "
                                  "(run with --debug for the traceback)",
                            debug=traceback.format_exc())
    yield result


def _steps(job: Job) -> Generator[int, None, FileResult]:
    """One file's work, paused between its parse and its check (it yields the text's length)."""
    from dockmod import config as config_mod
    from dockmod import engine
    from dockmod._parse import parse, reject_dispatch, reject_unknown
    from dockmod.cst.module import remember_source
    from dockmod.diagnostics import render_parse_error
    from dockmod.errors import ConfigError, ParseError, TransformError
    from dockmod.io import DEFAULT_MAX_FILE_SIZE, decode, encode, read_bytes, sweep_stale, write_atomic

    # A str: a Path is built only where its methods are needed (a link, a write), not per file.
    path = job.path
    stdin = job.stdin_text is not None
    try:
        cfg = config_mod.for_file(path if not stdin or job.path != "-" else Path.cwd() / "-",
                                  Path(job.config) if job.config else None)
    except ConfigError as e:
        from dockmod.diagnostics import render_config_error

        return FileResult(job.display, Outcome.FAILED, error=render_config_error(e))
    unsafe = job.unsafe_fixes if job.unsafe_fixes is not None else cfg.unsafe_fixes
    target = job.target_syntax or cfg.target_syntax
    max_size = job.max_file_size or cfg.max_file_size or DEFAULT_MAX_FILE_SIZE

    write_path: str | Path = path
    #: A symbolic link to a file outside the tree being processed: checked, never written.
    outside: Path | None = None
    if not stdin:
        if job.apply:
            folder = str(Path(path).parent)
            if folder not in _swept:
                _swept.add(folder)
                sweep_stale(folder)
        try:
            if os.path.islink(path):  # as Path.is_symlink: False on any OSError or ValueError
                write_path = Path(path).resolve(strict=True)
                root = Path(job.root)
                if job.apply and root != write_path and root not in write_path.parents:
                    outside = write_path
            data = read_bytes(path, max_size)
        except RuntimeError:  # Path.resolve on a symlink loop (Python < 3.13)
            return FileResult(job.display, Outcome.FAILED,
                              error=f"{job.display}: error: {os.strerror(40)}")
        except OSError as e:
            return FileResult(job.display, Outcome.FAILED, error=_os_error(job.display, e))
        text = decode(data)
    else:
        text = job.stdin_text or ""
        if len(encode(text)) > max_size:
            return FileResult(job.display, Outcome.FAILED,
                              error=f"{job.display}: error: input is over max-file-size ({max_size} bytes)")

    try:
        df = parse(text, path=job.display)
        reject_unknown(df, job.display)
        reject_dispatch(df, job.display)
    except ParseError as e:
        from dockmod.secrets import mask_unparsed

        return FileResult(job.display, Outcome.FAILED, error=mask_unparsed(render_parse_error(e, job.display)))
    yield len(text)  # parsed: :func:`process_batch` may parse other files before the check
    # The tree's text, as dockmod.parse records it for the last tree parsed: positions and
    # pragmas then read it instead of printing the tree again.
    remember_source(df, text)

    try:
        transforms = _merge_selection(job, cfg)
        policy = engine.SyntaxPolicy(job.syntax_directive or cfg.syntax_directive or "none")
        options = cfg.transform
        if job.options:
            options = {**options, **{k: {**options.get(k, {}), **v} for k, v in job.options.items()}}
        opts = engine.EngineOptions(fix=job.fix, unsafe_fixes=unsafe, target_syntax=target,
                                    options=options, syntax_directive=policy, resolver=job.resolver)
        result = engine.run(df, transforms, opts, path=job.display)
    except TransformError as e:
        return FileResult(job.display, Outcome.FAILED, error=f"{job.display}: error: {e}")

    if result.skipped:
        return FileResult(job.display, Outcome.SKIPPED, error=result.skipped)

    # An unchanged tree prints its input byte for byte (the round trip): no need to print it.
    out = text if result.output is df else result.output.code
    if out != text:
        # Never write a broken file: the output must parse again and pass what
        # `docker build` checks before building (reject_unknown).
        try:
            fixed_tree = parse(out, path=job.display)
            reject_unknown(fixed_tree, job.display)
            reject_dispatch(fixed_tree, job.display)
        except ParseError as e:
            return FileResult(job.display, Outcome.FAILED,
                              error=f"{job.display}: internal error: a fix produced unparsable output: {e}")
    hidden = sum(1 for f in result.findings if f.held_back(unsafe))
    lines = {}
    if job.source_lines and result.findings:
        text_lines = text.split("\n")
        for f in result.findings:
            if 1 <= f.line <= len(text_lines):
                lines[f.line] = text_lines[f.line - 1].rstrip("\r")
    changed = out != text
    # The diff as text (undecodable bytes as surrogates), then its exact bytes for output.
    diff_text = ""
    if changed:
        from dockmod.diff import unified_diff  # difflib: only a changed file needs it

        diff_text = unified_diff(text, out, job.display)
    diff_text, lines, findings, remaining = _mask(df, text, out, job.display, diff_text, lines, result.findings,
                                                  result.remaining, options)
    diff = diff_text.encode("utf-8", "surrogateescape")
    fixed: dict[str, int] = {}
    if changed:
        left: dict[str, int] = {}
        for f in result.remaining:
            left[f.code] = left.get(f.code, 0) + 1
        before: dict[str, int] = {}
        for f in result.findings:
            before[f.code] = before.get(f.code, 0) + 1
        for code, n in before.items():
            if n > left.get(code, 0):
                fixed[code] = n - left.get(code, 0)
    written = False
    if changed and job.apply and outside is not None:
        from dockmod.diagnostics import escape

        return FileResult(job.display, Outcome.FAILED, tuple(findings), tuple(findings),
                          error=f"{escape(job.display)}: error: not written: a symbolic link to a file outside "
                                f"the tree being processed ({escape(str(outside))}); fix that file itself",
                          unsafe_fixes=unsafe, source_lines=lines)
    if changed and job.apply and not stdin:
        try:
            write_atomic(write_path, encode(out), force=job.force)
            written = True
        except OSError as e:
            return FileResult(job.display, Outcome.FAILED, tuple(findings), tuple(findings),
                              error=_os_error(job.display, e, "not written: "),
                              unsafe_fixes=unsafe, source_lines=lines)
    return FileResult(
        job.display, Outcome.CHANGED if changed else Outcome.UNCHANGED,
        tuple(findings), tuple(remaining), diff,
        output=out if stdin else None, unsafe_fixes=unsafe,
        hidden_unsafe=hidden, applied=result.applied, fixed=tuple(sorted(fixed.items())),
        written=written, source_lines=lines,
    )


def _secret_words(options: Mapping[str, Mapping[str, Any]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ``allow`` and ``deny`` words of DM301's options: masking judges a key as DM301
    does, so a key the user's ``deny`` makes secret has its value masked too."""
    from dockmod.transforms.move_secrets_to_mounts import MoveSecretsToMounts

    own = options.get(MoveSecretsToMounts.meta.name) or {}
    return tuple(map(str, own.get("allow") or ())), tuple(map(str, own.get("deny") or ()))


def _mask(df: Any, text: str, out: str, display: str, diff: str, lines: dict[int, str], findings: list[Finding],
          remaining: list[Finding], options: Mapping[str, Mapping[str, Any]] | None = None,
          ) -> tuple[str, dict[int, str], list[Finding], list[Finding]]:
    """Secret values (ARG/ENV defaults, pasted tokens) masked in everything shown (issue 13):
    the diff, the quoted source lines, and every finding's message and fix title.

    ``text`` is the source of ``df`` (``df.code``), ``out`` the fixed text and ``diff`` the
    diff between them (at ``display``); ``options``: the transforms' options, whose DM301
    ``allow`` and ``deny`` words judge keys (:func:`_secret_words`). A file with no diff and
    no findings shows nothing of its text, so its secrets are not looked for.

    The diff must stay a patch that applies: it is made again without the lines that hold
    a secret as context, wherever ``git apply`` can do without them
    (:func:`dockmod.diff.unified_diff`'s ``hide``). Only a secret that the patch cannot
    leave out (on a line the fix changes, or directly after one) is masked, and then the
    diff starts with :data:`~dockmod.secrets.MASK_NOTE`: it no longer applies, which the
    CLI says.
    """
    if not diff and not lines and not findings and not remaining:
        return diff, lines, findings, remaining
    from dockmod.secrets import MASK_NOTE, mask_findings, mask_secrets, secret_values

    values = secret_values(df, *_secret_words(options or {}), text=text)
    if not values:
        return diff, lines, findings, remaining
    masked = _mask_hunks(diff, values)
    if masked != diff:
        from dockmod.diff import unified_diff

        diff = unified_diff(text, out, display, hide=lambda line: mask_secrets(line, values) != line)
        masked = _mask_hunks(diff, values)
        if masked != diff:
            masked = MASK_NOTE + masked
    return (masked, {n: mask_secrets(line, values) for n, line in lines.items()},
            mask_findings(findings, values), mask_findings(remaining, values))


def _mask_hunks(diff: str, values: Any) -> str:
    """``diff`` with secret values masked in its hunks; its ``---``/``+++`` lines name the
    file, whose path is printed unmasked everywhere else (cpuguy83-nagios's ``nagios``)."""
    from dockmod.secrets import mask_secrets

    if not diff:
        return diff
    old, new, hunks = diff.split("\n", 2)
    return f"{old}\n{new}\n{mask_secrets(hunks, values)}"


# -- the pool ---------------------------------------------------------------------------------

_stop: Any = None
_parent: int | None = None


@contextmanager
def _collector_tuned() -> Iterator[None]:
    """The garbage collector set for a bulk run (:data:`GC_THRESHOLD`); restored after.

    What is alive at the start (imported modules, the parser, the configuration) is
    frozen, so that the collections of the run never walk it.
    """
    import gc

    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(old[0], GC_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def _die_with_parent(stop: Any, parent: int) -> None:
    """Worker initializer: SIGKILL when the parent dies; Ctrl-C is the parent's to handle.
    Also sets the collector as :func:`_collector_tuned` does (the parent froze what the
    worker inherits)."""
    import gc

    gc.set_threshold(max(gc.get_threshold()[0], GC_THRESHOLD), *gc.get_threshold()[1:])
    global _stop, _parent
    _stop, _parent = stop, parent
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the getppid check below still applies
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _stopped() -> bool:
    """In a worker, before each step of a file: exit if the parent died; true after Ctrl-C."""
    if _parent is not None and os.getppid() != _parent:
        os._exit(1)
    return _stop is not None and _stop.is_set()


def _worker_chunk(chunk: list[Job]) -> list[FileResult]:
    """Several jobs in one round trip to the worker (one pickle each way, not one per
    file), processed as :func:`process_batch` does; after Ctrl-C the files left are
    SKIPPED."""
    out = list(process_batch(chunk, _stopped))
    return out + [FileResult(job.display, Outcome.SKIPPED, error=INTERRUPTED) for job in chunk[len(out):]]


#: Files per round trip to a worker: enough to cut the pool's per-task cost (pickling,
#: queue wake-ups in the parent), few enough that the progress display keeps moving and
#: that the workers finish together (a chunk is ~0.1 s of work).
CHUNK_MAX = 16


def _chunk_size(files: int, workers: int) -> int:
    # At least ~8 chunks per worker, so that one slow chunk does not leave the others idle.
    return max(1, min(CHUNK_MAX, files // (workers * 8)))


def workers_for(requested: int | None, files: int) -> int:
    """Worker count: the request (default: the cores), at most one per file and 4 per core."""
    cores = os.cpu_count() or 1
    n = requested if requested is not None else cores
    return max(1, min(n, files, WORKERS_PER_CORE * cores))


@dataclass(frozen=True)
class RunResult:
    results: list[FileResult]
    interrupted: bool


def run(jobs: list[Job], workers: int | None = None,
        on_result: Callable[[FileResult], None] | None = None) -> RunResult:
    """Process ``jobs`` (in parallel when there are several) and return results in job order.

    ``on_result`` is called in the parent as each file finishes (for a progress display).
    A Ctrl-C stops the run as the module docstring says; the files not started are
    returned as ``SKIPPED`` and ``interrupted`` is set.
    """
    n = workers_for(workers, len(jobs))
    interrupted = False

    def on_sigint(signum: int, frame: Any) -> None:
        nonlocal interrupted
        interrupted = True
        if stop is not None:
            stop.set()

    stop: Any = None
    results: list[FileResult | None] = [None] * len(jobs)
    import threading

    main_thread = threading.current_thread() is threading.main_thread()
    if n > 1:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        stop = ctx.Event()
    old = signal.signal(signal.SIGINT, on_sigint) if main_thread else None
    try:
        if n <= 1:
            with _collector_tuned():
                for i, result in enumerate(process_batch(jobs, lambda: interrupted)):
                    results[i] = result
                    if on_result:
                        on_result(result)
        else:
            _run_pool(jobs, n, stop, results, on_result, lambda: interrupted)
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, old)
    out = [r if r is not None else FileResult(j.display, Outcome.SKIPPED, error=INTERRUPTED)
           for j, r in zip(jobs, results)]
    return RunResult(out, interrupted or any(r.error == INTERRUPTED for r in out))


def _run_pool(jobs: list[Job], n: int, stop: Any, results: list[FileResult | None],
              on_result: Callable[[FileResult], None] | None, is_interrupted: Callable[[], bool]) -> None:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from dockmod.cst.build import get_parser

    get_parser("\\")
    get_parser("`")
    import dockmod.transforms  # noqa: F401  (import before fork, like the parser)

    import gc

    # Everything alive now (the parser tables, the transforms, the configuration) is shared
    # with the forked workers: moved out of the collector's reach, a collection in a worker
    # neither walks it nor writes to its pages (which would copy them, as CPython's docs
    # for gc.freeze advise before a fork).
    gc.collect()
    gc.freeze()
    size = _chunk_size(len(jobs), n)
    in_flight_max = n * 4
    pending: dict[Any, tuple[int, int]] = {}
    next_job = 0
    try:
        with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_die_with_parent, initargs=(stop, os.getpid())) as pool:
            try:
                while next_job < len(jobs) or pending:
                    while not is_interrupted() and next_job < len(jobs) and len(pending) < in_flight_max:
                        end = min(len(jobs), next_job + size)
                        pending[pool.submit(_worker_chunk, jobs[next_job:end])] = (next_job, end)
                        next_job = end
                    if not pending:
                        break
                    done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                    for fut in done:
                        start, end = pending.pop(fut)
                        try:
                            chunk: list[FileResult] = fut.result()
                        except Exception as e:  # a worker died (e.g. killed): its files failed
                            chunk = [FileResult(jobs[i].display, Outcome.FAILED,
                                                error=f"{jobs[i].display}: internal error: worker "
                                                      f"process failed: {type(e).__name__}")
                                     for i in range(start, end)]
                        for i, r in zip(range(start, end), chunk):
                            results[i] = r
                            if on_result:
                                on_result(r)
                    if is_interrupted():
                        for fut in list(pending):
                            if fut.cancel():
                                pending.pop(fut)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    finally:
        gc.unfreeze()
