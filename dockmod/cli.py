"""The ``dockmod`` command line. Exit codes: 0 nothing to do, 1 findings, 2 error."""

from __future__ import annotations

import json
import sys

import click

from dockmod import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="dockmod", message="%(prog)s %(version)s")
def cli() -> None:
    """Lossless Dockerfile codemods.

    \b
    Exit codes:
      0  nothing to report
      1  findings, or changes pending
      2  usage, parse or internal error
    """


@cli.command("parse")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.option("--format", "fmt", type=click.Choice(["tree", "buildkit", "dump", "model", "model-json"]),
              default="tree", show_default=True,
              help="tree: the CST, readably; buildkit: one JSON object per file with BuildKit's "
                   "instruction fields; dump: BuildKit's own AST dump format; model: the stage "
                   "graph and, per instruction, user, workdir, env, args and package-manager "
                   "calls; model-json: the same, one JSON object per file "
                   "(dockmod/schemas/model.schema.json).")
def parse_cmd(paths: tuple[str, ...], fmt: str, debug: bool) -> None:
    """Parse Dockerfiles and print what dockmod understood."""
    from dockmod import buildkit
    from dockmod._parse import parse
    from dockmod.diagnostics import escape, render_parse_error
    from dockmod.errors import ParseError
    from dockmod.io import decode, read_bytes
    from dockmod.io import utf8_safe as _utf8
    from dockmod.secrets import mask_printed as _masked
    from dockmod.secrets import mask_unparsed

    failed = False
    for path in paths:
        display = "<stdin>" if path == "-" else path
        try:
            data = sys.stdin.buffer.read() if path == "-" else read_bytes(path)
        except OSError as e:
            _line(f"{escape(display)}: error: {e.strerror or e}", err=True)
            failed = True
            continue
        try:
            df = parse(decode(data), path=display)
        except ParseError as e:
            failed = True
            if fmt in ("buildkit", "model-json"):
                _line(_utf8(json.dumps({"path": display, "error": {
                    "line": e.line, "column": e.column, "message": mask_unparsed(e.message)}}, ensure_ascii=False)))
            _line(mask_unparsed(render_parse_error(e, display)), err=True)
            continue
        if fmt in ("model", "model-json"):
            from dockmod.semantic.dump import render

            text = render(df, display, as_json=fmt == "model-json")
            if fmt == "model":  # control characters in values or names shown escaped
                text = "\n".join(escape(line) for line in text.split("\n"))
            _out(_masked(df, _utf8(text) if fmt == "model-json" else text, json_text=fmt == "model-json")
                 .encode("utf-8", "surrogateescape"))
        elif fmt == "buildkit":
            _line(_masked(df, _utf8(json.dumps({"path": display, "instructions": buildkit.instructions(df)},
                                               ensure_ascii=False)), json_text=True))
        elif fmt == "dump":
            _out(_masked(df, buildkit.dump(df)).encode("utf-8", "surrogateescape"))  # the file's own bytes
        else:
            from dockmod.cst.printer import format_tree

            _out(_masked(df, format_tree(df)).encode("utf-8", "surrogateescape"))
    sys.exit(2 if failed else 0)


def _out(data: str | bytes, err: bool = False) -> None:
    """Write to stdout/stderr without ever failing on encoding.

    Bytes (diffs, fixed text) go to the binary stream unchanged. Text is encoded for the
    stream with ``backslashreplace``, so a strict or ASCII stdout cannot crash the run.
    Never ``click.echo``: it strips ANSI sequences from piped output, which corrupts diffs.
    """
    stream = sys.stderr if err else sys.stdout
    enc = getattr(stream, "encoding", None) or "utf-8"
    if isinstance(data, str):
        data = data.encode(enc, "backslashreplace")
    stream.flush()
    buf = getattr(stream, "buffer", None)
    if buf is None:
        stream.write(data.decode(enc, "replace"))
    else:
        buf.write(data)
    stream.flush()
    if buf is not None:
        buf.flush()


def _line(text: str, err: bool = False) -> None:
    _out(text + "\n", err)


def _stack(decorators, f):  # type: ignore[no-untyped-def]
    """``f`` with ``decorators`` applied as if written above it, first on top."""
    for d in reversed(decorators):
        f = d(f)
    return f


def _shared_options(mode: str):  # type: ignore[no-untyped-def]
    """Options shared by ``check`` and ``fix`` (ruff's names)."""
    from dockmod.discovery import NAMES_HELP

    unsafe_help = (
        "Count fixes that may change build behaviour as fixable ([*]) in this report; "
        "nothing is written (apply them with `dockmod fix --apply --unsafe-fixes`)."
        if mode == "check" else "Also apply fixes that may change build behaviour.")

    def wrap(f):  # type: ignore[no-untyped-def]
        decorators = [
            click.argument("paths", nargs=-1, type=click.Path(allow_dash=True)),
            click.option("--select", "select", multiple=True, metavar="CODES",
                         help="Only these transforms: codes, prefixes (DM5) or names; comma-separated or repeated."),
            click.option("--extend-select", multiple=True, metavar="CODES",
                         help="Add to the selection (also turns on transforms that are off by default)."),
            click.option("--ignore", multiple=True, metavar="CODES", help="Leave these transforms out."),
            click.option("--unsafe-fixes/--no-unsafe-fixes", default=None, help=unsafe_help),
            click.option("--target-syntax", metavar="1.N",
                         help="Highest docker/dockerfile frontend a fix may require."),
            click.option("--syntax-directive", type=click.Choice(["none", "floating", "minimum"]), default=None,
                         help="When a fix needs a newer frontend and the file has no `# syntax` line: add "
                              "none (default), `docker/dockerfile:1` (floating) or the lowest 1.N (minimum)."),
            click.option("--config", type=click.Path(dir_okay=False, exists=True),
                         help="Use this pyproject.toml or dockmod.toml for every file."),
            click.option("--stdin-filename", metavar="PATH",
                         help="The name of the file read from - (for configuration, per-file-ignores "
                              "and messages)."),
            click.option("--format", "fmt", type=click.Choice(["text", "full", "json", "sarif", "github"]),
                         default="text", show_default=True, help="How findings are printed."),
            click.option("--statistics", is_flag=True, help="Print the number of findings per code."),
            click.option("--exit-zero", is_flag=True,
                         help="Exit 0 even when there are findings (2 still means error)."),
            click.option("--max-file-size", metavar="SIZE",
                         help="Refuse files larger than this (bytes, or with K/M/G; default 4M)."),
            click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                         help="Worker processes (default: the core count; at most one per file "
                              "and 4 per core)."),
            click.option("-q", "--quiet", is_flag=True, help="No summary."),
            click.option("-v", "--verbose", is_flag=True,
                         help="Also list files without findings, unchanged and skipped files."),
            click.option("--color/--no-color", default=None,
                         help="Colour diffs (default: when stdout is a terminal and NO_COLOR is unset)."),
            click.option("--debug", is_flag=True, help="Show tracebacks of internal errors."),
        ]
        f = _stack(decorators, f)
        f.__doc__ = (f.__doc__ or "").replace("{NAMES}", NAMES_HELP)
        return f

    return wrap


def _split(values: tuple[str, ...]) -> list[str]:
    return [x.strip() for v in values for x in v.split(",") if x.strip()]


def _refuse_empty(paths: tuple[str, ...] | list[str], options: dict[str, tuple[str, ...]] | None = None) -> None:
    """An empty path or code list is a usage error, as git's empty pathspec is: ``dockmod fix
    --apply "$DIR"`` with an unset variable must not fix the current folder."""
    if any(p == "" for p in paths):
        raise click.UsageError("an empty path ('') names nothing; use `.` for the current folder")
    for flag, values in (options or {}).items():
        if any(not v.replace(",", "").strip() for v in values):
            raise click.UsageError(f"{flag} '' names no code")


def _want_progress(stream, env) -> bool:  # type: ignore[no-untyped-def]
    """A progress display only on a terminal, and never in CI logs."""
    if env.get("CI") or env.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Progress:
    """A transient progress bar on stderr, shown once a run has taken a few seconds:
    files done of all, how many changed (or have findings, for ``check``) and failed, the rate."""

    DELAY = 2.0

    def __init__(self, total: int, enabled: bool, console: object = None, changed: str = "changed") -> None:
        import time

        self.total = total
        self.enabled = enabled and total > 1
        self.start = time.monotonic()
        self.done = 0
        self.changed = 0
        self.failed = 0
        self.console = console
        self.label = changed
        self.bar = None
        self.task = None

    def advance(self, result: object) -> None:
        import time

        from dockmod.results import Outcome

        self.done += 1
        outcome = getattr(result, "outcome", None)
        if outcome is Outcome.CHANGED or (outcome is Outcome.UNCHANGED and getattr(result, "findings", ())):
            self.changed += 1
        elif outcome is Outcome.FAILED:
            self.failed += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if self.bar is None:
            if now - self.start < self.DELAY:
                return
            from rich.console import Console  # lazy: only long runs on a terminal pay for it
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress("dockmod", BarColumn(), MofNCompleteColumn(),
                                TextColumn(f"{{task.fields[changed]}} {self.label}, {{task.fields[failed]}} failed, "
                                           "{task.fields[rate]:.0f} files/s"),
                                TimeRemainingColumn(), console=self.console or Console(stderr=True),
                                transient=True)
            self.bar.start()
            self.task = self.bar.add_task("files", total=self.total, changed=0, failed=0, rate=0.0)
        rate = self.done / max(now - self.start, 1e-6)
        self.bar.update(self.task, completed=self.done, changed=self.changed, failed=self.failed, rate=rate)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


_ANSI = {"bold": b"\x1b[1m", "green": b"\x1b[32m", "red": b"\x1b[31m", "cyan": b"\x1b[36m",
         "reset": b"\x1b[0m"}


def _color_diff(diff: bytes, color: bool) -> bytes:
    """Colour a diff's lines with ANSI sequences (not git-applicable; for reading)."""
    if not color:
        return diff
    out = []
    for line in diff.splitlines(keepends=True):
        body = line.rstrip(b"\n")
        nl = line[len(body):]
        if line.startswith((b"+++", b"---")):
            style = "bold"
        elif line.startswith(b"+"):
            style = "green"
        elif line.startswith(b"-"):
            style = "red"
        elif line.startswith(b"@@"):
            style = "cyan"
        else:
            out.append(line)
            continue
        out.append(_ANSI[style] + body + _ANSI["reset"] + nl)
    return b"".join(out)


def _run(mode: str, paths: tuple[str, ...], select: tuple[str, ...], extend_select: tuple[str, ...],
         ignore: tuple[str, ...], unsafe_fixes: bool | None, target_syntax: str | None,
         syntax_directive: str | None, config: str | None,
         stdin_filename: str | None, fmt: str, statistics: bool, exit_zero: bool, max_file_size: str | None,
         jobs: int | None, quiet: bool, verbose: bool, color: bool | None, debug: bool,
         force: bool = False, refresh: bool = False, offline: bool = False,
         lock_file: str | None = None, repos: str | None = None, shard: str | None = None,
         patch_dir: str | None = None, report_file: str | None = None,
         summary_file: str | None = None, git_branch: str | None = None, git_commit: str | None = None,
         allow_dirty: bool = False, diff_only_changed_lines: str | None = None, list_repos: bool = False) -> None:
    import os
    from pathlib import Path

    from dockmod import report, runner
    from dockmod.config import check_codes, parse_size, parse_target_syntax
    from dockmod.diagnostics import escape, render_finding, render_finding_full
    from dockmod.discovery import discover, excluder
    from dockmod.errors import ConfigError
    from dockmod.io import decode
    from dockmod.results import FileResult, Outcome

    from dockmod import config as config_mod

    config_mod.find.cache_clear()  # a run sees the files as they are now (matters in-process)
    config_mod.load_cached.cache_clear()
    _refuse_empty(paths, {"--select": select, "--extend-select": extend_select, "--ignore": ignore})
    sel, ext, ign = _split(select), _split(extend_select), _split(ignore)
    try:
        check_codes(sel, "--select")
        check_codes(ext, "--extend-select")
        check_codes(ign, "--ignore")
        target = parse_target_syntax(target_syntax) if target_syntax else None
        max_size = parse_size(max_file_size, key="--max-file-size") if max_file_size else None
    except ConfigError as e:
        raise click.UsageError(e.message) from None
    fleet_repos = _fleet_plan(paths, repos, shard, patch_dir, report_file, summary_file, list_repos)
    if list_repos:
        _list_repos(fleet_repos, report_file or patch_dir or summary_file or git_branch
                    or diff_only_changed_lines)
    if not paths and fleet_repos is None:
        paths = (".",)
    stdin = "-" in paths
    if stdin and mode in ("stdout", "apply") and len(paths) > 1:
        raise click.UsageError("`-` (standard input) cannot be mixed with other paths here: the fixed "
                               "text goes to standard output; run the files separately")
    if stdin_filename and not stdin:
        raise click.UsageError("--stdin-filename needs `-` among the paths")
    hooks = _vcs_hooks(mode, stdin, git_branch, git_commit, allow_dirty, diff_only_changed_lines, lock_file,
                       fleet_repos)

    excluded = excluder(config)  # the configuration's `exclude`, looked up once per folder

    fix = mode != "check"
    apply = mode == "apply"
    common = dict(fix=fix, apply=apply, select=tuple(sel) if sel else None, extend_select=tuple(ext),
                  ignore=tuple(ign), unsafe_fixes=unsafe_fixes, target_syntax=target, config=config,
                  force=force, max_file_size=max_size, syntax_directive=syntax_directive,
                  source_lines=fmt == "full")

    def find():  # type: ignore[no-untyped-def]
        if fleet_repos is not None:
            from dockmod import fleet  # only fleet runs pay for its imports

            return fleet.discover(fleet_repos, excluded)
        return discover([p for p in paths if p != "-"], excluded), None

    candidates, owner = find()
    if hooks is not None:  # before any write: dirty trees, the branch, REF
        if hooks.prepare(candidates):  # switched to an existing branch: its files may differ
            candidates, owner = find()
        candidates = hooks.before(candidates)  # one for one: `owner` stays aligned
    # Each slot is a job (by index) or a result known without running (an error, a skip).
    slots: list[int | FileResult] = []
    jobs_list: list[runner.Job] = []
    if stdin:
        text = decode(sys.stdin.buffer.read())
        name = stdin_filename or "-"
        slots.append(len(jobs_list))
        jobs_list.append(runner.Job(path=name, display=name, root=".", stdin_text=text, **common))  # type: ignore[arg-type]
    for c in candidates:
        if c.error:
            slots.append(FileResult(str(c.path), Outcome.FAILED, error=c.error))
        elif c.skip:
            slots.append(FileResult(str(c.path), Outcome.SKIPPED, error=c.skip))
        else:
            slots.append(len(jobs_list))
            jobs_list.append(runner.Job(path=str(c.path), display=str(c.path), root=str(c.root),
                                        **common))  # type: ignore[arg-type]

    jobs_list = _attach_pinning(jobs_list, refresh=refresh, offline=offline, lock_file=lock_file,
                                write_lock=mode == "apply", per_repository=fleet_repos is not None)
    progress = _Progress(len(jobs_list), not quiet and fmt in ("text", "full")
                         and _want_progress(sys.stderr, os.environ),
                         changed="with findings" if mode == "check" else "changed")
    try:
        ran = runner.run(jobs_list, jobs, on_result=progress.advance)
    finally:
        progress.stop()
    results = [ran.results[s] if isinstance(s, int) else s for s in slots]
    if hooks is not None:
        results = hooks.filter(results)
    t = report.totals(results)
    if color is None:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")

    if fmt == "json":
        _line(report.to_json(results))
    elif fmt == "sarif":
        _line(report.to_sarif(results))
    else:
        shown_errors: set[str] = set()
        # A repository that is missing fails as a whole: its annotation names no file.
        repo_errors = {str(Path(x.path)) for x in fleet_repos or () if x.error}
        for r in results:
            if r.outcome is Outcome.FAILED:
                if r.error not in shown_errors:  # one broken config fails many files alike
                    shown_errors.add(r.error or "")
                    _line(r.error or f"{escape(r.path)}: error", err=True)
                    if fmt == "github":
                        _line(report.github_error(r.error or f"{escape(r.path)}: error",
                                                  None if r.path in repo_errors else r.path))
                if debug and r.debug:
                    _out(r.debug, err=True)
                continue
            if r.outcome is Outcome.SKIPPED:
                if verbose or r.error == runner.INTERRUPTED:
                    if r.error != runner.INTERRUPTED:
                        _line(f"{escape(r.path)}: skipped: {escape(r.error or '')}", err=True)
                continue
            if r.output is not None and mode == "stdout":
                _out(r.output.encode("utf-8", "surrogateescape"))  # bytes: CRLF, undecodable bytes kept
                continue
            if mode == "check" or fmt != "text":
                for f in r.findings:
                    if fmt == "github":
                        _line(report.github_line(r.path, f))
                    elif fmt == "full":
                        _line(render_finding_full(r.path, f, r.source_lines.get(f.line, ""),
                                                  unsafe_fixes=r.unsafe_fixes))
                    else:
                        _line(render_finding(r.path, f, unsafe_fixes=r.unsafe_fixes))
            elif mode == "apply":
                if r.written:
                    codes = ", ".join(f"{code} ({n})" for code, n in r.fixed)
                    _line(f"Fixed {escape(r.path)}: {codes}")
                for f in r.remaining:
                    _line(render_finding(r.path, f, unsafe_fixes=r.unsafe_fixes))
            if mode == "diff" and r.diff:
                _out(_color_diff(r.diff, color))
                from dockmod.secrets import MASK_NOTE  # (loaded by the runner already)

                if r.diff.startswith(MASK_NOTE.encode()):
                    _line(f"{escape(r.path)}: the diff masks secret values as ****, so the patch does not apply; "
                          "`dockmod fix --apply` writes the fix", err=True)
            if verbose:
                if mode == "check" and not r.findings:
                    _line(f"{escape(r.path)}: no findings", err=True)
                elif mode != "check" and r.outcome is Outcome.UNCHANGED:
                    left = f" ({len(r.remaining)} findings with no fix to apply)" if r.remaining else ""
                    _line(f"{escape(r.path)}: unchanged{left}", err=True)
    if statistics:
        _out(report.statistics(results), err=fmt in ("json", "sarif") or mode == "diff")
    if mode != "check":
        from dockmod.secrets import build_notes  # issue 13: what the build must now pass

        for note in build_notes(results, applied=mode != "diff"):
            _line(note, err=True)
    report_mode = {"check": "check", "diff": "diff"}.get(mode, "apply")  # stdout counts as apply
    if fleet_repos is not None:
        _fleet_finish(report_mode, fleet_repos, results, owner, quiet=quiet, shard=shard, patch_dir=patch_dir,
                      report_file=report_file, summary_file=summary_file, interrupted=ran.interrupted)
    if not quiet:
        _line(report.summary(report_mode, t, unsafe_flag=bool(unsafe_fixes)), err=True)
    if ran.interrupted:
        not_started = sum(1 for r in results if r.error == runner.INTERRUPTED)
        written = [r.path for r in results if r.written]
        what = f"{len(written)} {'file' if len(written) == 1 else 'files'} written" if apply else "stopped"
        _line(f"Interrupted: {what}, {not_started} not started.", err=True)
    code = report.exit_code("apply" if mode in ("apply", "stdout") else mode, t, exit_zero, ran.interrupted)
    if hooks is not None and hooks.finish(results, lambda s: _line(s, err=True), verbose, jobs=jobs_list):
        code = 2
    sys.exit(code)


def _git_options(mode: str):  # type: ignore[no-untyped-def]
    """Git integration (dockmod.vcs): a branch and a commit per repository, changed lines only."""
    def wrap(f):  # type: ignore[no-untyped-def]
        decorators = [
            click.option("--diff-only-changed-lines", metavar="REF", default=None, hidden=mode == "fix",
                         help="Only report findings on lines added or changed since the git revision "
                              "REF (`git diff REF`; untracked files count as changed), to adopt "
                              "dockmod gradually. Files with no changed line are skipped."),
        ]
        if mode == "fix":
            decorators += [
                click.option("--git-branch", metavar="NAME", default=None,
                             help="With --apply and --git-commit: commit the files written, in each "
                                  "repository, on branch NAME (switched to if it exists, else created "
                                  "from HEAD when there is something to commit). Never pushes."),
                click.option("--git-commit", metavar="MESSAGE", default=None,
                             help="The commit message for --git-branch (needs a git identity: "
                                  "`git config user.email`)."),
                click.option("--allow-dirty", is_flag=True,
                             help="With --git-branch: run in repositories with uncommitted changes "
                                  "(else they are skipped with an error)."),
            ]
        return _stack(decorators, f)

    return wrap


def _vcs_hooks(mode, stdin, git_branch, git_commit, allow_dirty, ref, lock_file, fleet_repos=None):  # type: ignore[no-untyped-def]
    """The run's git hooks (dockmod.vcs.RunHooks), or None; usage errors for bad combinations."""
    if git_branch is None and git_commit is None and not allow_dirty and ref is None:
        return None
    from pathlib import Path

    from dockmod import vcs

    if ref is not None and mode != "check":
        raise click.UsageError("--diff-only-changed-lines is for `dockmod check`: fixes are chosen per "
                               "transform, not per line, so `fix` cannot limit them to changed lines")
    if ref is not None and stdin:
        raise click.UsageError("--diff-only-changed-lines needs files, not standard input")
    if (git_branch is None) != (git_commit is None):
        raise click.UsageError("--git-branch and --git-commit go together")
    if allow_dirty and git_branch is None:
        raise click.UsageError("--allow-dirty only applies with --git-branch")
    if git_branch is not None:
        if mode != "apply":
            raise click.UsageError("--git-branch and --git-commit only apply with --apply")
        if not git_commit or not git_commit.strip():
            raise click.UsageError("--git-commit: the message is empty")
    try:
        vcs.git(".", "--version")
    except vcs.VcsError as e:  # git not installed
        _line(e.message, err=True)
        sys.exit(2)
    bad = vcs.check_branch_name(git_branch) if git_branch is not None else None
    if bad:
        raise click.UsageError(bad)
    hooks = vcs.RunHooks(vcs.GitRun(git_branch, git_commit, allow_dirty) if git_branch else None, ref)
    if git_branch is not None:
        from dockmod.pinning import lock_path

        hooks.watch_file(lock_path(lock_file).absolute())
        for repo in fleet_repos or ():  # fleet mode: each repository's own lock, when it has one
            hooks.watch_file(lock_path(lock_file, repo.path).absolute())
    return hooks


def _pinning_options(f):  # type: ignore[no-untyped-def]
    """DM101's run-wide flags: registry look-ups happen once, before the transforms."""
    decorators = [
        click.option("--refresh", is_flag=True,
                     help="DM101: also update pinned digests whose tag moved (asks the registry)."),
        click.option("--offline", is_flag=True, help="DM101: resolve digests from the lock file only."),
        click.option("--lock-file", type=click.Path(dir_okay=False), default=None,
                     help="DM101: the lock file (default: ./dockmod.lock when it exists; in fleet "
                          "mode, a repository's own dockmod.lock first)."),
    ]
    return _stack(decorators, f)


def _attach_pinning(jobs_list, **kw):  # type: ignore[no-untyped-def]
    """Resolve DM101's image references for the whole run (dockmod.pinning), print its notes."""
    from dockmod.pinning import attach

    jobs_list, outcome = attach(jobs_list, **kw)
    for note in outcome.notes:
        click.echo(note, err=True)
    if any(n.startswith("error:") for n in outcome.notes):
        sys.exit(2)
    return jobs_list


def _fleet_options(mode: str):  # type: ignore[no-untyped-def]
    """Fleet mode (dockmod.fleet): many repositories in one run, results per repository."""
    def wrap(f):  # type: ignore[no-untyped-def]
        decorators = [
            click.option("--repos", type=click.Path(dir_okay=False), default=None, metavar="FILE",
                         help="Repositories to process, one path per line (# comments; relative to "
                              "FILE's folder), besides PATHS. Each PATH is then a repository too."),
            click.option("--shard", metavar="K/N", default=None,
                         help="Only the K-th of N stable parts of the repositories (by a hash of "
                              "each path as written), for CI matrices."),
            click.option("--report", "report_file", type=click.Path(dir_okay=False), default=None,
                         metavar="FILE", help="Write a JSON report per repository "
                                              "(dockmod/schemas/fleet-report.schema.json)."),
            click.option("--list-repos", is_flag=True,
                         help="Print the repositories of this run (this shard's), one per line, "
                              "and stop: nothing is searched (for a CI job to clone them)."),
        ]
        if mode == "fix":
            decorators += [
                click.option("--patch-dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
                             help="Write one `git apply`-able patch per changed repository."),
                click.option("--summary", "summary_file", type=click.Path(dir_okay=False), default=None,
                             metavar="FILE", help="Write a Markdown pull-request body: what changed "
                                                  "and why, and what reviewers must check (with "
                                                  "--patch-dir, also one per repository)."),
            ]
        return _stack(decorators, f)

    return wrap


def _fleet_plan(paths, repos, shard, patch_dir, report_file, summary_file,  # type: ignore[no-untyped-def]
                list_repos=False):
    """The repositories of a fleet run, or None for an ordinary run. Fleet mode: --repos or
    any fleet option, or several PATHS with folders among them and no file (each is then a
    repository)."""
    import os

    several_roots = (len(paths) > 1 and any(os.path.isdir(p) for p in paths)
                     and not any(p == "-" or os.path.isfile(p) for p in paths))
    if not (repos or shard or patch_dir or report_file or summary_file or list_repos or several_roots):
        return None
    if "-" in paths:
        raise click.UsageError("`-` (standard input) cannot be used with --repos, --shard, --patch-dir, "
                               "--report, --summary or --list-repos")
    from dockmod import fleet

    try:
        return fleet.plan(paths or (() if repos else (".",)), repos, shard)
    except fleet.FleetError as e:
        raise click.UsageError(str(e)) from None


def _list_repos(repos, other_output) -> None:  # type: ignore[no-untyped-def]
    """``--list-repos``: the plan's repositories on stdout, then exit 0 (nothing runs)."""
    from dockmod import fleet

    if other_output:
        raise click.UsageError("--list-repos only lists the repositories: it cannot be used with "
                               "--report, --patch-dir, --summary, --git-branch or --diff-only-changed-lines")
    try:
        _out(fleet.listing(repos))
    except fleet.FleetError as e:
        raise click.UsageError(str(e)) from None
    sys.exit(0)


def _fleet_finish(report_mode, repos, results, owner, *, quiet, shard, patch_dir, report_file,  # type: ignore[no-untyped-def]
                  summary_file, interrupted=False) -> None:
    """Group a fleet run's results by repository and write its patches, report and summary."""
    from dockmod import fleet
    from dockmod.diagnostics import escape

    grouped = fleet.group(repos, results, owner)
    try:
        if patch_dir:
            fleet.write_patches(grouped, patch_dir, report_mode if summary_file else None)
            for rr in grouped:
                if rr.patch_withheld:  # said on stderr too, not only in the report and summary
                    _line(f"{escape(rr.repo.key)}: no patch written: {escape(rr.patch_withheld)}", err=True)
        if report_file:
            doc = fleet.report_json(fleet.report(grouped, report_mode, shard, interrupted))
            fleet.write_file(report_file, doc.encode("utf-8"))
        if summary_file:
            fleet.write_file(summary_file, fleet.summary(grouped, report_mode, interrupted).encode("utf-8"))
    except OSError as e:
        _line(f"{e.filename or ''}: error: {e.strerror or e}", err=True)
        sys.exit(2)
    if not quiet:
        _line(fleet.stderr_line(grouped, report_mode), err=True)


@cli.command("lock")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--check", "check_only", is_flag=True,
              help="Ask no registry; exit 1 when a digest pinned in a Dockerfile disagrees with the lock.")
@click.option("--lock-file", type=click.Path(dir_okay=False), default=None,
              help="The lock file (default: ./dockmod.lock; in fleet mode, each repository's own).")
@click.option("--config", type=click.Path(dir_okay=False, exists=True),
              help="Use this pyproject.toml or dockmod.toml for every file.")
@click.option("--repos", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Fleet mode: repositories, one path per line, as for `dockmod fix --repos`.")
@click.option("--shard", metavar="K/N", default=None, help="Fleet mode: only the K-th of N parts.")
def lock_cmd(paths: tuple[str, ...], check_only: bool, lock_file: str | None, config: str | None,
             repos: str | None, shard: str | None) -> None:
    """Resolve every image the Dockerfiles name and record the digests in dockmod.lock.

    Dockerfiles are not changed. With --check (for CI), compare the digests pinned in the
    Dockerfiles with the lock instead, and exit 1 when they disagree.

    Several folders, or --repos FILE, are a fleet: each repository gets its own
    REPO/dockmod.lock (--check reads the lock `dockmod check` would: REPO/dockmod.lock,
    else ./dockmod.lock); --lock-file names one lock for all of them.
    """
    from pathlib import Path

    from dockmod.config import for_file
    from dockmod.discovery import discover
    from dockmod.errors import ConfigError
    from dockmod.io import decode
    from dockmod.pinning import NAME, lock_files, lock_path

    _refuse_empty(paths)
    fleet_repos = _fleet_plan(paths, repos, shard, None, None, None)
    if fleet_repos is not None:
        from dockmod import fleet

        candidates, owner = fleet.discover(fleet_repos, None)
    else:
        candidates, owner = discover(list(paths) or ["."]), None
    files = []
    lock_of: list[Path] | None = [] if fleet_repos is not None and lock_file is None else None
    failed = False
    try:
        for i, c in enumerate(candidates):
            if c.error:  # a missing repository
                click.echo(c.error, err=True)
                failed = True
                continue
            if c.skip:
                continue
            cfg = for_file(c.path, Path(config) if config else None)
            files.append((str(c.path), decode(c.path.read_bytes()), dict(cfg.transform.get(NAME, {}))))
            if lock_of is not None:
                root = fleet_repos[owner[i]].path  # type: ignore[index]
                lock_of.append(lock_path(None, root) if check_only else Path(root) / "dockmod.lock")
    except (ConfigError, OSError) as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    code, out, err, _ = lock_files(files, lock_file=lock_file, check=check_only, lock_of=lock_of)
    for line in out:
        click.echo(line)
    for line in err:
        click.echo(line, err=True)
    sys.exit(2 if failed else code)


@cli.command("check")
@_shared_options("check")
@_pinning_options
@_fleet_options("check")
@_git_options("check")
def check_cmd(**kw) -> None:  # type: ignore[no-untyped-def]
    """Report what the transforms would change. Exit 1 when there are findings.

    PATHS are files or folders (searched for {NAMES}), or - for standard input. Default:
    the current folder.

    \b
    In the text output:
      [*]  this run can fix it with `dockmod fix --apply`
      [-]  fixable with `dockmod fix --apply --unsafe-fixes` (may change the build)
           no mark: report only, no fix to apply
    """
    _run("check", **kw)


@cli.command("fix")
@_shared_options("fix")
@_pinning_options
@_fleet_options("fix")
@_git_options("fix")
@click.option("--apply", "apply_", is_flag=True, help="Write the fixes to the files.")
@click.option("--diff", "as_diff", is_flag=True, help="Print unified diffs (the default without --apply).")
@click.option("--force", is_flag=True,
              help="With --apply, also replace read-only files, files with several hard links "
                   "(only this name gets the new text) and files whose owner cannot be kept.")
def fix_cmd(apply_: bool, as_diff: bool, force: bool, **kw) -> None:  # type: ignore[no-untyped-def]
    """Fix Dockerfiles: a dry run printing unified diffs, or --apply to write them.

    PATHS are files or folders (searched for {NAMES}), or - for standard input.

    Diffs carry a/ and b/ headers, so `dockmod fix > fix.patch && git apply fix.patch` works.
    With - as PATH, the fixed text is written to standard output (or a diff with --diff).
    --apply lists each file written with the codes fixed, then the findings left.
    Exit 1 when changes are pending (dry run) or findings remain unfixed (--apply).

    Several folders, or --repos FILE, are a fleet: each is a repository with its own
    configuration, all files run in one pool, and --patch-dir, --report and --summary
    give the results per repository (a missing repository is an error line; the rest run).
    """
    if apply_ and as_diff:
        raise click.UsageError("--apply and --diff are mutually exclusive")
    if force and not apply_:
        raise click.UsageError("--force only applies with --apply")
    if "-" in kw["paths"] and not as_diff:
        _run("stdout", **kw)
    _run("apply" if apply_ else "diff", force=force, **kw)


@cli.command("transforms")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def transforms_cmd(fmt: str) -> None:
    """List the transforms: code, name, fix safety, default state and summary."""
    from dockmod.report import safety_label
    from dockmod.transforms import REGISTRY

    if fmt == "json":
        click.echo(json.dumps([{
            "code": t.meta.code, "name": t.meta.name, "safety": safety_label(t.meta.safety),
            "default": t.meta.default_enabled, "summary": t.meta.summary,
            "min_syntax": ".".join(map(str, t.meta.min_syntax)) if t.meta.min_syntax else None,
            "reference": t.meta.reference, "safety_varies": t.meta.safety_varies or None,
        } for t in REGISTRY], indent=2))
        return
    for t in REGISTRY:
        state = "" if t.meta.default_enabled else "  (off by default)"
        label = safety_label(t.meta.safety).replace("-", " ")
        varies = f"  ({t.meta.safety_varies})" if t.meta.safety_varies else ""
        click.echo(f"{t.meta.code}  {t.meta.name:<36} {label:<13}{state}{varies}".rstrip())


@cli.command("explain")
@click.argument("code")
def explain_cmd(code: str) -> None:
    """Print a transform's documentation and examples (by code or name)."""
    from dockmod.explain import explain, suggestion

    text = explain(code)
    if text is None:
        click.echo(f"error: unknown transform `{code}`{suggestion(code)}", err=True)
        sys.exit(2)
    click.echo(text, nl=False)


def main() -> None:
    """The console entry point: no traceback ever reaches a user without ``--debug``.

    An internal error is one line on stderr and exit 2; Ctrl-C outside a run exits 130.
    """
    import os

    debug = "--debug" in sys.argv[1:]
    try:
        code = cli.main(prog_name="dockmod", standalone_mode=False)
    except click.exceptions.Exit as e:
        code = e.exit_code
    except click.ClickException as e:
        e.show()
        code = e.exit_code
    except (KeyboardInterrupt, click.Abort):
        _line("Interrupted.", err=True)
        code = 130
    except BrokenPipeError:
        # The reader went away (`dockmod check | head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 1
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    except Exception as e:  # a dockmod bug
        import traceback

        if debug:
            _out(traceback.format_exc(), err=True)
        _line(f"dockmod: internal error: {type(e).__name__}: {e}"
              + ("" if debug else " (run with --debug for the traceback)"), err=True)
        code = 2
    sys.exit(code if isinstance(code, int) else 0)
