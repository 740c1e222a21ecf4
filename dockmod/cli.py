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
@click.option("--format", "fmt", type=click.Choice(["tree", "buildkit", "dump"]), default="tree",
              show_default=True,
              help="tree: the CST, readably; buildkit: one JSON object per file with BuildKit's "
                   "instruction fields; dump: BuildKit's own AST dump format.")
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
            if fmt == "buildkit":
                click.echo(json.dumps({"path": display, "error": {
                    "line": e.line, "column": e.column, "message": e.message}}, ensure_ascii=False))
            click.echo(render_parse_error(e, display), err=True)
            continue
        if fmt == "buildkit":
            click.echo(json.dumps({"path": display, "instructions": buildkit.instructions(df)},
                                  ensure_ascii=False))
        elif fmt == "dump":
            click.echo(buildkit.dump(df), nl=False)
        else:
            from dockmod.cst.printer import format_tree

            click.echo(format_tree(df), nl=False)
    sys.exit(2 if failed else 0)


def main() -> None:
    cli(prog_name="dockmod")
