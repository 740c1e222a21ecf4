"""Parse throughput and CLI cold start of dockmod, side by side with its peers.

    python benchmarks/parse.py DIR [--repeat N] [--cold-runs N] [--json]

Collects the Dockerfiles under DIR (``Dockerfile``, ``Dockerfile.*``, ``*.Dockerfile``,
``*.dockerfile``, ``Containerfile*``; BuildKit's ``testfiles/<case>/Dockerfile`` match the
first pattern). If DIR holds a ``MANIFEST.tsv`` with a ``local_path`` column, exactly the
files it lists are used instead (minus rows whose ``buildkit`` column says ``n/a``: those
are not Dockerfiles). All files are read into memory before any timing starts,
then each parser runs over the whole set, best of ``--repeat`` passes:

* ``dockmod.parse`` (the lossless CST);
* ``dockerfile_parse.DockerfileParser`` (``.structure``, fed through ``fileobj``);
* ``dockerfile.parse_string`` (Python bindings to BuildKit's Go parser).

Cold start runs ``python -c pass`` (baseline), ``python -m dockmod --version``,
``python -m dockmod parse FILE`` and, when installed next to ``sys.executable``, the
``dockmod`` console script, each as a fresh subprocess. A command that fails is reported
as ``n/a``, not as a time.

The numbers describe one machine at one moment; nothing here asserts a timing.
MB are 10**6 bytes of the files as stored.
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import io
import json
import os
import platform
import statistics
import subprocess
import tempfile
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

NAME_PATTERNS = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile*")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv"}


# --------------------------------------------------------------------------- collection


def collect(root: Path) -> list[Path]:
    manifest = root / "MANIFEST.tsv"
    if manifest.is_file():
        with manifest.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f, delimiter="\t")
            if reader.fieldnames and "local_path" in reader.fieldnames:
                # A `buildkit` column of "n/a" marks a row that is not a Dockerfile (the
                # `result` dumps and shell tables in buildkit-testfiles/MANIFEST.tsv).
                return [_manifest_path(root, row["local_path"]) for row in reader
                        if row.get("local_path") and row.get("buildkit") != "n/a"]
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            if any(fnmatch.fnmatchcase(name, p) for p in NAME_PATTERNS):
                path = Path(dirpath, name)
                if path.is_file():
                    found.append(path)
    return found


def _manifest_path(root: Path, local_path: str) -> Path:
    # Paths are relative to the manifest's folder, or (for a sub-corpus's own manifest,
    # e.g. corpus/buildkit-testfiles/) to one of its parents.
    for base in (root, *root.resolve().parents):
        if (base / local_path).is_file():
            return base / local_path
    raise SystemExit(f"{root / 'MANIFEST.tsv'}: listed file {local_path!r} not found")


# --------------------------------------------------------------------------- throughput


@dataclass
class Throughput:
    tool: str
    files: int
    bytes: int
    best_seconds: float | None
    all_seconds: list[float]
    errors: int
    crashes: int = 0  # exceptions other than the tool's documented parse error
    note: str = ""
    files_per_s: float | None = field(default=None)
    mb_per_s: float | None = field(default=None)

    def finish(self) -> "Throughput":
        if self.best_seconds:
            self.files_per_s = self.files / self.best_seconds
            self.mb_per_s = self.bytes / 1e6 / self.best_seconds
        return self


def _dockmod_parser() -> tuple[Callable[[bytes, str], object], type[BaseException]]:
    import dockmod

    parse = dockmod.parse
    return (lambda data, text: parse(text)), dockmod.ParseError


def _dockerfile_parse_parser() -> tuple[Callable[[bytes, str], object], type[BaseException]]:
    from dockerfile_parse import DockerfileParser

    def run(data: bytes, text: str) -> object:
        return DockerfileParser(fileobj=io.BytesIO(data)).structure

    return run, Exception


class _NotFed(Exception):
    """Input the tool cannot be given at all (counted as an error)."""


def _buildkit_parser() -> tuple[Callable[[bytes, str], object], type[BaseException]]:
    import dockerfile

    def run(data: bytes, text: str) -> object:
        # The Go bindings crash the interpreter (SIGSEGV) on a str holding lone
        # surrogates, i.e. on files that are not UTF-8; such files count as errors.
        if text is None:
            raise _NotFed("not valid UTF-8")
        return dockerfile.parse_string(text)

    return run, dockerfile.GoParseError


TOOLS: dict[str, Callable[[], tuple[Callable[[bytes, str], object], type[BaseException]]]] = {
    "dockmod.parse": _dockmod_parser,
    "dockerfile_parse.DockerfileParser": _dockerfile_parse_parser,
    "dockerfile.parse_string (BuildKit, Go)": _buildkit_parser,
}


def bench_tool(name: str, docs: list[tuple[bytes, str, str | None]], repeat: int) -> Throughput:
    total_bytes = sum(len(d[0]) for d in docs)
    try:
        run, parse_error = TOOLS[name]()
    except ImportError as e:
        return Throughput(name, len(docs), total_bytes, None, [], 0, note=f"not installed: {e}")
    is_buildkit = name.startswith("dockerfile.parse_string")
    times: list[float] = []
    errors = crashes = 0
    for rep in range(repeat):
        errs = crs = 0
        t0 = time.perf_counter()
        for data, text, strict_text in docs:
            try:
                run(data, strict_text if is_buildkit else text)
            except parse_error:
                errs += 1
            except _NotFed:
                errs += 1
            except Exception:
                errs += 1
                crs += 1
        times.append(time.perf_counter() - t0)
        errors, crashes = errs, crs
    note = ""
    if name == "dockerfile_parse.DockerfileParser":
        note = "env_replace=True, its default"
    return Throughput(name, len(docs), total_bytes, min(times), times, errors, crashes, note).finish()


# --------------------------------------------------------------------------- cold start


@dataclass
class ColdStart:
    command: str
    runs: int
    best_ms: float | None
    median_ms: float | None
    note: str = ""


# Cold starts measure dockmod as installed, with its bytecode cached as pip leaves it: an
# environment with PYTHONDONTWRITEBYTECODE would compile ~100 modules at every start. The
# bytecode goes to a cache folder of its own (not the source tree); one untimed run fills it.
COLD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
COLD_ENV["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "dockmod-bench-pycache")


def cold_start(label: str, argv: list[str], runs: int) -> ColdStart:
    times = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=120, env=COLD_ENV)
        except (OSError, subprocess.TimeoutExpired) as e:
            return ColdStart(label, 0, None, None, note=f"n/a ({e.__class__.__name__})")
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            why = err[-1] if err else ""
            return ColdStart(label, 0, None, None, note=f"n/a (exit {proc.returncode}: {why[:80]})")
        if i:  # the first run only fills the bytecode cache
            times.append(elapsed * 1000)
    return ColdStart(label, runs, min(times), statistics.median(times))


def cold_starts(sample: Path, runs: int) -> list[ColdStart]:
    py = sys.executable
    cases: list[tuple[str, list[str]]] = [
        ("python -c pass", [py, "-c", "pass"]),
        ("python -m dockmod --version", [py, "-m", "dockmod", "--version"]),
        ("python -m dockmod parse FILE", [py, "-m", "dockmod", "parse", str(sample)]),
    ]
    script = Path(py).parent / ("dockmod.exe" if os.name == "nt" else "dockmod")
    if script.exists():
        cases += [
            ("dockmod --version", [str(script), "--version"]),
            ("dockmod parse FILE", [str(script), "parse", str(sample)]),
        ]
    return [cold_start(label, argv, runs) for label, argv in cases]


# --------------------------------------------------------------------------- output


def _fmt(x: float | None, digits: int = 1) -> str:
    return "n/a" if x is None else f"{x:,.{digits}f}"


def markdown(results: list[Throughput], colds: list[ColdStart], meta: dict) -> str:
    out = [
        f"Parse throughput: {meta['files']} files, {meta['bytes'] / 1e6:.2f} MB from "
        f"`{meta['dir']}`, best of {meta['repeat']} passes "
        f"(Python {meta['python']}, {meta['machine']}).",
        "",
        "| tool | files | files/s | MB/s | errors |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        errors = str(r.errors) + (f" ({r.crashes} crashes)" if r.crashes else "")
        tool = f"`{r.tool}`" + (f" ({r.note})" if r.note else "")
        out.append(f"| {tool} | {r.files} | {_fmt(r.files_per_s, 0)} | {_fmt(r.mb_per_s, 2)} | {errors} |")
    out += [
        "",
        f"Cold start: best and median of {meta['cold_runs']} fresh processes; "
        f"FILE = `{meta['sample']}` ({meta['sample_bytes']} bytes).",
        "",
        "| command | best ms | median ms |",
        "|---|---:|---:|",
    ]
    for c in colds:
        if c.best_ms is None:
            out.append(f"| `{c.command}` | {c.note} | n/a |")
        else:
            out.append(f"| `{c.command}` | {_fmt(c.best_ms)} | {_fmt(c.median_ms)} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--repeat", type=int, default=3, help="passes per parser; the best counts (default 3)")
    ap.add_argument("--cold-runs", type=int, default=10, help="subprocess runs per cold-start command (default 10)")
    ap.add_argument("--no-cold", action="store_true", help="skip the cold-start measurements")
    ap.add_argument("--json", action="store_true", help="print machine-readable results instead of Markdown")
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.cold_runs < 1:
        ap.error("--repeat and --cold-runs must be at least 1")

    paths = collect(args.dir)
    if not paths:
        print(f"no Dockerfiles found under {args.dir}", file=sys.stderr)
        return 2
    docs: list[tuple[bytes, str, str | None]] = []
    for p in paths:
        data = p.read_bytes()
        try:
            strict: str | None = data.decode("utf-8")
        except UnicodeDecodeError:
            strict = None
        docs.append((data, data.decode("utf-8", "surrogateescape"), strict))

    results = [bench_tool(name, docs, args.repeat) for name in TOOLS]

    by_size = sorted(zip(paths, docs), key=lambda pd: len(pd[1][0]))
    sample, sample_doc = by_size[len(by_size) // 2]  # a median-sized file
    colds = [] if args.no_cold else cold_starts(sample.resolve(), args.cold_runs)

    meta = {
        "dir": str(args.dir),
        "files": len(docs),
        "bytes": sum(len(d[0]) for d in docs),
        "repeat": args.repeat,
        "cold_runs": args.cold_runs,
        "sample": str(sample),
        "sample_bytes": len(sample_doc[0]),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }
    if args.json:
        print(json.dumps({"meta": meta, "throughput": [asdict(r) for r in results],
                          "cold_start": [asdict(c) for c in colds]}, indent=2))
    else:
        print(markdown(results, colds, meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
