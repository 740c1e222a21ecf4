"""The batch step behind DM101: collect, resolve once, hand the answers to the transforms.

Registry look-ups never run inside a transform (style guide b.11). Before the runner
starts, :func:`attach` parses every file that has ``pin-base-image-digest`` selected,
collects the references it will ask about, resolves each unique ``(reference,
platform)`` once for the whole run (from ``dockmod.lock``, or concurrently from the
registries), and gives every job the same read-only :class:`Resolutions`.

The lock file is the source of truth when it has an entry: ``fix`` pins to the locked
digest without asking the registry; ``--refresh`` and ``dockmod lock`` ask the registry
and update the lock; ``--offline`` never asks and reports what the lock lacks;
``dockmod lock --check`` fails when a Dockerfile's digest and the lock disagree.

Which lock (:func:`lock_path`): ``--lock-file`` when given, for every file of the run;
else, in fleet mode, the file's repository's own ``dockmod.lock`` when it exists; else
``./dockmod.lock``. ``dockmod lock`` in fleet mode writes each repository's own lock.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockmod.registry.lock import DEFAULT_NAME, Lock, LockError
from dockmod.registry.model import Failed, Request, Resolutions, Result

NAME = "pin-base-image-digest"


@dataclass
class Outcome:
    """What the batch step did, for the CLI to print and tests to check."""

    resolutions: Resolutions = field(default_factory=Resolutions)
    results: list[Result] = field(default_factory=list)
    #: Lines for stderr.
    notes: list[str] = field(default_factory=list)
    #: HTTP requests sent, by kind (``manifest``, ``token``, ``ping``, ``tags``, ``total``).
    stats: Counter[str] = field(default_factory=Counter)
    #: References resolved from the lock without asking a registry.
    from_lock: int = 0
    failed: list[Failed] = field(default_factory=list)


def client_settings(option_sets: Iterable[dict[str, Any]]) -> Any:
    """One client configuration from the DM101 options of every file in the run."""
    from dockmod.registry.client import ClientSettings

    insecure: set[str] = set()
    mirrors: dict[str, str] = {}
    ca_bundle = None
    concurrency = None
    for opts in option_sets:
        insecure.update(opts.get("insecure-registries", []))
        for k, v in (opts.get("mirrors") or {}).items():
            mirrors.setdefault(k, v)
        ca_bundle = ca_bundle or opts.get("ca-bundle") or None
        if opts.get("concurrency"):
            concurrency = max(concurrency or 0, int(opts["concurrency"]))
    return ClientSettings(insecure_registries=frozenset(insecure), mirrors=mirrors, ca_bundle=ca_bundle,
                          concurrency=concurrency or 8)


def settings_problem(settings: Any) -> str | None:
    """A message when the settings cannot work at all (checked once, before any look-up)."""
    if settings.ca_bundle:
        import ssl

        try:
            ssl.create_default_context(cafile=settings.ca_bundle)
        except (OSError, ssl.SSLError) as e:
            return f"error: `ca-bundle` {settings.ca_bundle}: cannot be loaded ({e.strerror or type(e).__name__})" \
                if isinstance(e, OSError) else f"error: `ca-bundle` {settings.ca_bundle}: not a PEM CA bundle"
    return None


def resolve(requests: Iterable[Request], *, settings: Any = None, lock: Lock | None = None,
            offline: bool = False, use_lock: bool = True) -> Outcome:
    """Resolve each unique request once: from ``lock`` when allowed, else from the registry."""
    return resolve_groups({None: (requests, lock)}, settings=settings, offline=offline, use_lock=use_lock)[None]


def resolve_groups(groups: dict[Any, tuple[Iterable[Request], Lock | None]], *, settings: Any = None,
                   offline: bool = False, use_lock: bool = True) -> dict[Any, Outcome]:
    """:func:`resolve` for several lock files at once (fleet mode: a lock per repository).

    Each group's requests are answered from its own lock when allowed; what no lock answers
    is asked of the registries once for all groups together. One :class:`Outcome` per group;
    the registry's request counts (``stats``) are the run's, in every group's outcome.
    """
    from dockmod.registry.client import dedupe

    outs: dict[Any, Outcome] = {}
    pending: dict[Any, list[Request]] = {}
    for g, (requests, lock) in groups.items():
        out = outs[g] = Outcome()
        for r in dedupe(requests):
            entry = lock.get(r.key, r.platform) if lock is not None and (use_lock or offline) else None
            if entry is not None:
                out.results.append(lock.result(r))  # type: ignore[union-attr]
                out.from_lock += 1
            elif offline:
                out.results.append(lock.result(r) if lock is not None else Lock(Path(DEFAULT_NAME)).result(r))
            else:
                pending.setdefault(g, []).append(r)
    if pending:
        from dockmod.registry.client import RegistryClient

        client = RegistryClient(settings)
        asked = {(x.key, x.platform): x for x in client.resolve_all(r for rs in pending.values() for r in rs)}
        for g, rs in pending.items():
            outs[g].results.extend(asked[(r.key, r.platform)] for r in rs)
        for out in outs.values():
            out.stats = client.stats
    for out in outs.values():
        out.failed = [r for r in out.results if isinstance(r, Failed)]
        out.resolutions = Resolutions(out.results)
    return outs


def _job_text(job: Any) -> str | None:
    from dockmod.io import decode

    if job.stdin_text is not None:
        return job.stdin_text
    try:
        return decode(Path(job.path).read_bytes())
    except OSError:
        return None  # the runner reports it


def _options_for(job: Any, refresh: bool) -> dict[str, Any] | None:
    """DM101's options for ``job``, or None when the job does not run DM101."""
    from dockmod import config as config_mod
    from dockmod.errors import ConfigError
    from dockmod.runner import _merge_selection

    try:
        cfg = config_mod.for_file(Path(job.path) if job.stdin_text is None else Path.cwd() / "-",
                                  Path(job.config) if job.config else None)
        selected = _merge_selection(job, cfg)
    except ConfigError:
        return None  # the runner reports it
    if not any(t.meta.name == NAME for t in selected):
        return None
    opts = dict(cfg.transform.get(NAME, {}))
    if refresh:
        opts["refresh"] = True
    return opts


def lock_path(lock_file: str | None, repository: str | Path | None = None) -> Path:
    """The lock file a run reads: ``lock_file`` when given (for every repository); in fleet
    mode (``repository``: the root of the file's repository) that repository's own
    ``dockmod.lock`` when it exists; else ``./dockmod.lock``."""
    if lock_file:
        return Path(lock_file)
    if repository is not None:
        own = Path(repository) / DEFAULT_NAME
        if own.is_file():
            return own
    return Path(DEFAULT_NAME)


def _one_name_per_file() -> Any:
    """``path -> path``, giving every later spelling of a file the first one seen (a fleet
    run from inside a repository reaches its lock as ``REPO/dockmod.lock`` and as
    ``./dockmod.lock``: one lock, loaded and saved once)."""
    import os

    seen: dict[str, Path] = {}
    return lambda path: seen.setdefault(os.path.realpath(path), path)


def attach(jobs: list[Any], *, refresh: bool = False, offline: bool = False, lock_file: str | None = None,
           write_lock: bool = False, per_repository: bool = False) -> tuple[list[Any], Outcome]:
    """Give every job that runs DM101 the run's resolutions (and ``refresh``); see module doc.

    ``per_repository`` (fleet mode, where ``job.root`` is the root of the job's repository):
    each job reads the lock :func:`lock_path` names for its repository, and a repository's
    own lock is the one ``--refresh``/``fix --apply`` updates. Jobs sharing a lock share one
    :class:`Resolutions`; the registries are asked once for the whole run either way.
    """
    from dockmod._parse import parse
    from dockmod.errors import ParseError
    from dockmod.transforms.pin_base_image_digest import requests as site_requests

    wanted: dict[Path, list[Request]] = {}  # lock path -> the requests of its jobs
    option_sets = []
    pinning_jobs: dict[int, Path] = {}
    one_name = _one_name_per_file()
    for i, job in enumerate(jobs):
        opts = _options_for(job, refresh)
        if opts is None:
            continue
        path = one_name(lock_path(lock_file, job.root if per_repository and job.stdin_text is None else None))
        pinning_jobs[i] = path
        requests = wanted.setdefault(path, [])
        option_sets.append(opts)
        text = _job_text(job)
        if text is None:
            continue
        try:
            df = parse(text, path=job.display)
        except ParseError:
            continue  # the runner reports it
        requests.extend(site_requests(df, opts))
    if not pinning_jobs:
        return jobs, Outcome()
    locks: dict[Path, Lock | None] = {}
    try:
        for path in wanted:
            locks[path] = Lock.load(path) if (lock_file or path.exists() or offline) else None
    except LockError as e:
        out = Outcome()
        out.notes.append(f"error: {e}")
        return jobs, out
    settings = client_settings(option_sets)
    problem = settings_problem(settings)
    if problem:
        out = Outcome()
        out.notes.append(problem)
        return jobs, out
    outs = resolve_groups({path: (wanted[path], locks[path]) for path in wanted}, settings=settings,
                          offline=offline, use_lock=not refresh)
    out = Outcome(stats=next(iter(outs.values())).stats)
    for path, group in outs.items():
        out.results += group.results
        out.failed += group.failed
        out.from_lock += group.from_lock
        lock = locks[path]
        if write_lock and lock is not None and not offline:
            changes = lock.update(group.results)
            if changes:
                lock.save()
                out.notes.append(f"{path}: {len(changes)} entr{'y' if len(changes) == 1 else 'ies'} updated")
    out.resolutions = Resolutions(out.results) if len(outs) == 1 else Resolutions()
    new_jobs = list(jobs)
    for i, path in pinning_jobs.items():
        options = {NAME: {"refresh": True}} if refresh else jobs[i].options
        new_jobs[i] = dataclasses.replace(jobs[i], resolver=outs[path].resolutions, options=options)
    return new_jobs, out


# -- `dockmod lock` ------------------------------------------------------------------------

@dataclass
class Mismatch:
    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


def lock_files(files: list[tuple[str, str, dict[str, Any]]], *, lock_file: str | None = None,
               check: bool = False, lock_of: list[Path] | None = None) -> tuple[int, list[str], list[str], Outcome]:
    """``dockmod lock``: ``files`` are ``(display path, text, DM101 options)``.

    Without ``check``: resolve every tagged reference from its registry and write the lock
    (Dockerfiles untouched). With ``check``: compare the digests pinned in the files with
    the lock, asking no registry. Returns ``(exit code, stdout lines, stderr lines, outcome)``.

    ``lock_of`` (fleet mode): the lock file of each file (its repository's), parallel to
    ``files``; each lock records the references of its own files, each line names its lock,
    and the registries are asked once for all of them. A lock is created only for a
    repository whose files name an image.
    """
    from dockmod._parse import parse
    from dockmod.cst.positions import PositionProvider
    from dockmod.diagnostics import render_parse_error
    from dockmod.errors import ParseError
    from dockmod.secrets import mask_unparsed
    from dockmod.transforms.pin_base_image_digest import sites

    one_name = _one_name_per_file()
    paths = [one_name(p) for p in lock_of] if lock_of is not None else [lock_path(lock_file)] * len(files)
    locks: dict[Path, Lock] = {}
    try:
        for path in dict.fromkeys(paths) if lock_of is not None else [lock_path(lock_file)]:
            locks[path] = Lock.load(path)
    except LockError as e:
        return 2, [], [f"error: {e}"], Outcome()
    fleet = lock_of is not None
    out_lines: list[str] = []
    err_lines: list[str] = []
    wanted: dict[Path, list[Request]] = {path: [] for path in locks}
    mismatches: list[Mismatch] = []
    failed_parse = False
    unparsed: Counter[Path] = Counter()  # files that failed to parse, per lock
    option_sets = []
    for (display, text, opts), path in zip(files, paths):
        option_sets.append(opts)
        lock = locks[path]
        try:
            df = parse(text, path=display)
        except ParseError as e:
            err_lines.append(mask_unparsed(render_parse_error(e, display)))
            failed_parse = True
            unparsed[path] += 1
            continue
        positions = PositionProvider(df)
        for site in sites(df, opts.get("platform", "")):
            req = site.request(refresh=True)
            if req is None or site.ref is None:
                continue
            wanted[path].append(req)
            if check and site.ref.digest:
                leaf = site.node[1] if site.kind == "arg" else site.leaf
                span = positions.span(leaf) if leaf in positions else None
                entry = lock.get(req.key, req.platform)
                where = (display, span.start_line if span else 0, span.start_column if span else 0)
                name = str(path) if fleet else path.name
                if entry is None:
                    mismatches.append(Mismatch(*where, f"`{site.text}` is pinned but `{req.key}` is not in {name}"))
                elif entry.digest != site.ref.digest:
                    mismatches.append(Mismatch(*where, f"`{site.text}` is pinned to `{site.ref.digest}` but "
                                                       f"{name} has `{entry.digest}`"))
    if check:
        out_lines.extend(str(m) for m in mismatches)
        if mismatches:
            where = "their lock files" if fleet else str(next(iter(locks)))
            err_lines.append(f"{len(mismatches)} pinned reference(s) disagree with {where}")
        return (2 if failed_parse else 1 if mismatches else 0), out_lines, err_lines, Outcome()
    settings = client_settings(option_sets)
    problem = settings_problem(settings)
    if problem:
        return 2, [], [problem], Outcome()
    outs = resolve_groups({path: (wanted[path], lock) for path, lock in locks.items()}, settings=settings,
                          use_lock=False)
    total = Outcome(stats=next(iter(outs.values())).stats) if outs else Outcome()
    seen_failures: set[tuple[str, str | None]] = set()
    for path, outcome in outs.items():
        lock = locks[path]
        total.results += outcome.results
        total.failed += outcome.failed
        for f in outcome.failed:
            if (f.key, f.platform) not in seen_failures:  # one line per image, not per repository
                seen_failures.add((f.key, f.platform))
                err_lines.append(f"error: {f.describe()}")
        changes = lock.update(outcome.results)
        if changes or (not path.exists() and (wanted[path] or not fleet)):
            lock.save()
        out_lines.extend(f"{path}: {c}" if fleet else c for c in changes)
        counts = (f"{path}: {len(changes)} changed, {len(outcome.results) - len(outcome.failed) - len(changes)} "
                  f"unchanged, {len(outcome.failed) + unparsed[path]} failed")
        if not fleet:
            counts += f" ({outcome.stats.get('total', 0)} registry requests)"
        if not fleet or wanted[path] or path.exists():
            err_lines.append(counts)
    if fleet:
        err_lines.append(f"{total.stats.get('total', 0)} registry requests for {len(locks)} "
                         f"repositor{'y' if len(locks) == 1 else 'ies'}")
    return (2 if total.failed or failed_parse else 0), out_lines, err_lines, total
