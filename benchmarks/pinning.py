"""DM101's batch step at scale: 200 unique image references used across 1,000 Dockerfiles.

    python benchmarks/pinning.py [--files 1000] [--refs 200] [--delay 0.02] [--json]

A local OCI-distribution server on 127.0.0.1 (tests/registry/fake_registry.py) serves
``--refs`` tags in 20 repositories behind bearer-token auth and answers each request after
``--delay`` seconds, standing in for a registry's latency. ``dockmod check --select DM101``
runs over the files as a user would (a subprocess, the real CLI), and the server counts
what it was asked: manifest requests must equal the unique references, tokens the
repositories, and the most requests in flight at once shows the look-ups ran concurrently.
A second run with ``concurrency = 1`` gives the serial time for comparison.

Nothing here asserts a timing; the numbers describe one machine at one moment. No request
leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.registry.fake_registry import FakeRegistry  # noqa: E402


def make_tree(root: Path, host: str, refs: list[str], files: int, seed: int = 7) -> int:
    """``files`` Dockerfiles using every ref at least once; returns the number of FROM lines."""
    rng = random.Random(seed)
    uses = 0
    for i in range(files):
        chosen = [refs[i % len(refs)]] + rng.sample(refs, rng.randint(0, 3))
        lines = [f"FROM {host}/{r} AS s{j}\nRUN true\n" for j, r in enumerate(chosen)]
        d = root / f"repo{i // 50:03d}" / f"svc{i:04d}"
        d.mkdir(parents=True)
        (d / "Dockerfile").write_text("".join(lines))
        uses += len(chosen)
    return uses


def run(root: Path, concurrency: int) -> tuple[float, subprocess.CompletedProcess[str]]:
    (root / "dockmod.toml").write_text(
        f'extend-select = ["DM101"]\n[transform.pin-base-image-digest]\nconcurrency = {concurrency}\n')
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DOCKER_CONFIG": str(root / ".no-docker")}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "dockmod", "check", "-q", "--select", "DM101", "."],
                          cwd=root, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--refs", type=int, default=200)
    ap.add_argument("--delay", type=float, default=0.02)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    repos = 20
    out = {}
    for concurrency in (8, 1):
        with FakeRegistry(bearer=True, delay=args.delay) as reg, tempfile.TemporaryDirectory() as tmp:
            refs = [f"team/app{r}:{t}" for r in range(repos) for t in range(args.refs // repos)]
            for ref in refs:
                repo, tag = ref.split(":")
                reg.push(repo, tag)
            uses = make_tree(Path(tmp), reg.host, refs, args.files)
            seconds, proc = run(Path(tmp), concurrency)
            served = dict(sorted(reg.requests.items()))
            in_flight = reg.max_in_flight
            # The batch step alone, in-process: the same 200 look-ups, timed without parsing.
            from dockmod.pinning import resolve
            from dockmod.registry.client import ClientSettings
            from dockmod.registry.model import Request

            reg.requests.clear()
            start = time.perf_counter()
            outcome = resolve([Request(f"{reg.host}/{r}") for r in refs * 5],
                              settings=ClientSettings(concurrency=concurrency))
            batch_seconds = time.perf_counter() - start
            assert not outcome.failed, outcome.failed[:1]
            findings = proc.stdout.count(" DM101 ")
            out[f"concurrency={concurrency}"] = {
                "files": args.files, "references_used": uses, "unique_references": len(refs),
                "findings": findings, "exit_code": proc.returncode,
                "requests": served, "max_in_flight": in_flight,
                "seconds": round(seconds, 2), "server_delay_s": args.delay,
                "batch_only_seconds": round(batch_seconds, 2),
                "batch_only_requests": dict(sorted(reg.requests.items())),
            }
            if proc.returncode not in (0, 1) or findings != uses:
                print(proc.stderr[-2000:], file=sys.stderr)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for name, r in out.items():
        print(f"{name}: {r['files']} files, {r['references_used']} references, {r['unique_references']} unique; "
              f"{r['findings']} findings; requests {r['requests']}; max in flight {r['max_in_flight']}; "
              f"{r['seconds']} s wall for the whole check (server delay {r['server_delay_s']} s/request); "
              f"batch step alone (1,000 requests for 200 refs): {r['batch_only_seconds']} s, "
              f"server saw {r['batch_only_requests']}")


if __name__ == "__main__":
    main()
