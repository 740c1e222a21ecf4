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
@click.option("--format", "fmt", type=click.Choice(["tree", "buildkit", "dump", "model", "model-json"]),
              default="tree", show_default=True,
              help="tree: the CST, readably; buildkit: one JSON object per file with BuildKit's "
                   "instruction fields; dump: BuildKit's own AST dump format; model: the stage "
                   "graph and, per instruction, user, workdir, env, args and package-manager "
                   "calls; model-json: the same, one JSON object per file "
                   "(dockmod/schemas/model.schema.json).")
def parse_cmd(paths: tuple[str, ...], fmt: str) -> None:
    """Parse Dockerfiles and print what dockmod understood."""
    from dockmod import buildkit
    from dockmod._parse import parse
    from dockmod.diagnostics import render_parse_error
    from dockmod.errors import ParseError
    from dockmod.io import decode

    failed = False
    for path in paths:
        display = "<stdin>" if path == "-" else path
        try:
            data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
        except OSError as e:
            click.echo(f"{display}: error: {e.strerror or e}", err=True)
            failed = True
            continue
        try:
            df = parse(decode(data), path=display)
        except ParseError as e:
            failed = True
            if fmt in ("buildkit", "model-json"):
                click.echo(json.dumps({"path": display, "error": {
                    "line": e.line, "column": e.column, "message": e.message}}, ensure_ascii=False))
            click.echo(render_parse_error(e, display), err=True)
            continue
        if fmt in ("model", "model-json"):
            from dockmod.semantic import build_model
            from dockmod.semantic.dump import to_json, to_text

            model = build_model(df)
            if fmt == "model":
                click.echo(to_text(model, display), nl=False)
            else:
                click.echo(json.dumps(to_json(model, display), ensure_ascii=False))
        elif fmt == "buildkit":
            click.echo(json.dumps({"path": display, "instructions": buildkit.instructions(df)},
                                  ensure_ascii=False))
        elif fmt == "dump":
            click.echo(buildkit.dump(df), nl=False)
        else:
            from dockmod.cst.printer import format_tree

            click.echo(format_tree(df), nl=False)
    sys.exit(2 if failed else 0)


def _shared_options(f):  # type: ignore[no-untyped-def]
    """Options shared by ``check`` and ``fix`` (ruff's names)."""
    decorators = [
        click.argument("paths", nargs=-1, type=click.Path(allow_dash=True)),
        click.option("--select", "select", multiple=True, metavar="CODES",
                     help="Only these transforms: codes, prefixes (DM5) or names; comma-separated or repeated."),
        click.option("--extend-select", multiple=True, metavar="CODES",
                     help="Add to the selection (also turns on transforms that are off by default)."),
        click.option("--ignore", multiple=True, metavar="CODES", help="Leave these transforms out."),
        click.option("--unsafe-fixes/--no-unsafe-fixes", default=None,
                     help="Also apply fixes that may change build behaviour."),
        click.option("--target-syntax", metavar="1.N",
                     help="Highest docker/dockerfile frontend a fix may require."),
        click.option("--syntax-directive", type=click.Choice(["none", "floating", "minimum"]), default=None,
                     help="When a fix needs a newer frontend and the file has no `# syntax` line: add none "
                          "(default), `docker/dockerfile:1` (floating) or the lowest 1.N (minimum)."),
        click.option("--config", type=click.Path(dir_okay=False, exists=True),
                     help="Use this pyproject.toml or dockmod.toml for every file."),
        click.option("--format", "fmt", type=click.Choice(["text", "full", "json", "sarif", "github"]),
                     default="text", show_default=True, help="How findings are printed."),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (2 still means error)."),
        click.option("-j", "--jobs", type=int, default=None, help="Worker processes (default: the core count)."),
        click.option("-q", "--quiet", is_flag=True, help="No summary line."),
        click.option("-v", "--verbose", is_flag=True, help="Also list unchanged and skipped files."),
        click.option("--color/--no-color", default=None, help="Colour the output (default: when a terminal)."),
    ]
    for d in reversed(decorators):
        f = d(f)
    return f


def _split(values: tuple[str, ...]) -> list[str]:
    return [x.strip() for v in values for x in v.split(",") if x.strip()]


def _run(mode: str, paths: tuple[str, ...], select: tuple[str, ...], extend_select: tuple[str, ...],
         ignore: tuple[str, ...], unsafe_fixes: bool | None, target_syntax: str | None,
         syntax_directive: str | None, config: str | None, fmt: str, exit_zero: bool, jobs: int | None, quiet: bool, verbose: bool, color: bool | None) -> None:
    from pathlib import Path

    from dockmod import report, runner
    from dockmod.config import for_file, parse_target_syntax
    from dockmod.diagnostics import render_finding, render_finding_full
    from dockmod.discovery import discover
    from dockmod.errors import ConfigError
    from dockmod.io import decode
    from dockmod.transforms import unknown_selectors

    sel, ext, ign = _split(select), _split(extend_select), _split(ignore)
    bad = unknown_selectors(sel + ext + ign)
    if bad:
        raise click.UsageError(f"unknown transform selector(s): {', '.join(bad)} (see `dockmod transforms`)")
    try:
        target = parse_target_syntax(target_syntax) if target_syntax else None
    except ConfigError as e:
        raise click.UsageError(e.message) from None
    if not paths:
        paths = (".",)

    specs: dict[Path, object] = {}

    def excluded(p: Path) -> bool:
        cfg = for_file(p, Path(config) if config else None)
        if not cfg.exclude or cfg.root is None:
            return False
        spec = specs.get(cfg.root)
        if spec is None:
            import pathspec

            spec = specs[cfg.root] = pathspec.GitIgnoreSpec.from_lines(cfg.exclude)
        try:
            rel = p.resolve().relative_to(cfg.root.resolve()).as_posix()
        except ValueError:
            return False
        return spec.match_file(rel)  # type: ignore[attr-defined]

    fix = mode != "check"
    apply = mode == "apply"
    common = dict(fix=fix, apply=apply, select=tuple(sel) if sel else None, extend_select=tuple(ext),
                  ignore=tuple(ign), unsafe_fixes=unsafe_fixes, target_syntax=target, config=config,
                  syntax_directive=syntax_directive)
    jobs_list: list[runner.Job] = []
    stdin = "-" in paths
    try:
        candidates = discover([p for p in paths if p != "-"], excluded)
    except ConfigError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    if stdin:
        text = decode(sys.stdin.buffer.read())
        jobs_list.append(runner.Job(path="-", display="-", root=".", stdin_text=text, **common))  # type: ignore[arg-type]
    for c in candidates:
        if not c.path.exists():
            click.echo(f"{c.path}: error: no such file or directory", err=True)
            sys.exit(2)
        jobs_list.append(runner.Job(path=str(c.path), display=str(c.path), root=str(c.root), **common))  # type: ignore[arg-type]

    results = runner.run(jobs_list, jobs)
    t = report.totals(results)

    if fmt == "json":
        click.echo(report.to_json(results))
    elif fmt == "sarif":
        click.echo(report.to_sarif(results))
    else:
        for r in results:
            if r.status == "failed":
                click.echo(r.error, err=True)
                continue
            if r.status == "skipped" and verbose:
                click.echo(f"{r.path}: skipped: {r.error}", err=True)
            if stdin and r.path == "-" and fix:
                if mode == "apply" or mode == "stdout":
                    from dockmod.io import encode

                    # Bytes, not text: keep CRLF and undecodable bytes exactly.
                    stream = sys.stdout.buffer
                    stream.write(encode(r.output or ""))
                    stream.flush()
                    continue
            if mode == "check" or fmt != "text" or verbose:
                for f in r.findings:
                    if fmt == "github":
                        click.echo(report.github_line(r.path, f))
                    elif fmt == "full":
                        click.echo(render_finding_full(r.path, f, r.source_lines.get(f.line, ""),
                                                       unsafe_fixes=r.unsafe_fixes))
                    else:
                        click.echo(render_finding(r.path, f, unsafe_fixes=r.unsafe_fixes))
            if mode == "diff" and r.diff:
                click.echo(_color_diff(r.diff, color), nl=False)
            if verbose and r.status == "unchanged":
                click.echo(f"{r.path}: unchanged", err=True)
    if not quiet:
        click.echo(report.summary({"check": "check", "diff": "diff"}.get(mode, "apply"), t), err=True)
    sys.exit(report.exit_code("apply" if mode in ("apply", "stdout") else mode, t, exit_zero))


def _color_diff(diff: str, color: bool | None) -> str:
    if color is None:
        color = sys.stdout.isatty()
    if not color:
        return diff
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            out.append(click.style(line, bold=True))
        elif line.startswith("+"):
            out.append(click.style(line, fg="green"))
        elif line.startswith("-"):
            out.append(click.style(line, fg="red"))
        elif line.startswith("@@"):
            out.append(click.style(line, fg="cyan"))
        else:
            out.append(line)
    return "".join(out)


@cli.command("check")
@_shared_options
def check_cmd(**kw) -> None:  # type: ignore[no-untyped-def]
    """Report what the transforms would change. Exit 1 when there are findings.

    PATHS are files or folders (searched for Dockerfile, Dockerfile.*, *.Dockerfile,
    *.dockerfile, Containerfile*), or - for standard input. Default: the current folder.
    """
    _run("check", **kw)


@cli.command("fix")
@_shared_options
@click.option("--apply", "apply_", is_flag=True, help="Write the fixes to the files.")
@click.option("--diff", "as_diff", is_flag=True, help="Print unified diffs (the default without --apply).")
def fix_cmd(apply_: bool, as_diff: bool, **kw) -> None:  # type: ignore[no-untyped-def]
    """Fix Dockerfiles: a dry run printing unified diffs, or --apply to write them.

    Diffs carry a/ and b/ headers, so `dockmod fix > fix.patch && git apply fix.patch` works.
    With - as PATH, the fixed text is written to standard output (or a diff with --diff).
    Exit 1 when changes are pending (dry run) or findings remain unfixed (--apply).
    """
    if apply_ and as_diff:
        raise click.UsageError("--apply and --diff are mutually exclusive")
    if "-" in kw["paths"] and not as_diff:
        _run("stdout", **kw)
    _run("apply" if apply_ else "diff", **kw)


@cli.command("transforms")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def transforms_cmd(fmt: str) -> None:
    """List the transforms: code, name, fix safety, default state and summary."""
    from dockmod.transforms import REGISTRY

    if fmt == "json":
        click.echo(json.dumps([{
            "code": t.meta.code, "name": t.meta.name, "safety": t.meta.safety.value,
            "default": t.meta.default_enabled, "summary": t.meta.summary,
            "min_syntax": ".".join(map(str, t.meta.min_syntax)) if t.meta.min_syntax else None,
            "reference": t.meta.reference,
        } for t in REGISTRY], indent=2))
        return
    for t in REGISTRY:
        state = "" if t.meta.default_enabled else "  (off by default)"
        click.echo(f"{t.meta.code}  {t.meta.name:<36} {t.meta.safety.value:<13}{state}")


@cli.command("explain")
@click.argument("code")
def explain_cmd(code: str) -> None:
    """Print a transform's documentation and examples (by code or name)."""
    import importlib

    from dockmod.transforms import REGISTRY, resolve_code

    resolved = resolve_code(code)
    if resolved is None:
        import difflib

        names = [t.meta.code for t in REGISTRY] + [t.meta.name for t in REGISTRY]
        close = difflib.get_close_matches(code, names, n=1)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        click.echo(f"error: unknown transform `{code}`{hint}", err=True)
        sys.exit(2)
    t = next(x for x in REGISTRY if x.meta.code == resolved)
    doc = importlib.import_module(t.__module__).__doc__ or ""
    m = t.meta
    click.echo(f"# {m.code} {m.name}\n")
    click.echo(f"Fix safety: {m.safety.value}" + ("" if m.default_enabled else " (off by default)"))
    if m.min_syntax:
        click.echo(f"Needs: docker/dockerfile:{m.min_syntax[0]}.{m.min_syntax[1]}")
    if m.reference:
        click.echo(f"Reference: {m.reference}")
    click.echo("")
    click.echo(doc.strip())
    for i, ex in enumerate(m.examples, 1):
        click.echo(f"\n## Example {i}\n")
        from dockmod.diff import unified_diff

        after = ex.before if ex.after is None else ex.after
        d = unified_diff(ex.before, after, "Dockerfile")
        click.echo(d if d else ex.before.rstrip("\n") + "\n(no change)\n", nl=False)


def main() -> None:
    cli(prog_name="dockmod")
