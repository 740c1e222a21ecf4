"""Peak memory against file size: why ``max-file-size`` defaults to 4 MB.

Each size is measured in a fresh process (peak RSS, ``ru_maxrss``), parsing a Dockerfile
built from real corpus text repeated to that size, so the numbers include only dockmod's
own growth. Run: ``python benchmarks/memory.py [CORPUS]`` (default ``../shared/corpus``).

    size MB   peak RSS MB   RSS over baseline / file size
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES_MB = (0.25, 0.5, 1, 2, 4)

PROBE = """
import resource, sys
import dockmod
from dockmod.io import read_text
text = read_text(sys.argv[1], max_size=None) if len(sys.argv) > 1 else "FROM alpine\\n"
dockmod.parse(text)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _sample(corpus: Path) -> str:
    parts = []
    for p in sorted((corpus / "real").rglob("Dockerfile"))[:200]:
        text = p.read_bytes().decode("utf-8", "surrogateescape")
        try:
            import dockmod

            dockmod.parse(text)
        except Exception:  # noqa: BLE001 - only files that parse make the sample
            continue
        parts.append(text if text.endswith("\n") else text + "\n")
    return "".join(parts)


def peak_kb(path: str | None) -> int:
    args = [sys.executable, "-c", PROBE] + ([path] if path else [])
    out = subprocess.run(args, capture_output=True, text=True, check=True, env={"PYTHONPATH": str(ROOT)})
    return int(out.stdout.strip())


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus"
    sample = _sample(corpus)
    base = peak_kb(None)
    print(f"baseline (import + parse of one line): {base / 1024:.0f} MB")
    print("| file size | peak RSS | growth per byte of file |")
    print("|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as d:
        for mb in SIZES_MB:
            size = int(mb * 1024 * 1024)
            text = (sample * (size // len(sample) + 1))[:size]
            text = text[: text.rfind("\n") + 1]
            # Cut on an instruction boundary: drop a trailing partial instruction/heredoc.
            f = Path(d) / "Dockerfile"
            f.write_bytes(text.encode("utf-8", "surrogateescape"))
            try:
                kb = peak_kb(str(f))
            except subprocess.CalledProcessError:
                print(f"| {mb} MB | (does not parse) | |")
                continue
            print(f"| {mb} MB | {kb / 1024:.0f} MB | {(kb - base) * 1024 / len(text):.0f}× |")


if __name__ == "__main__":
    main()
