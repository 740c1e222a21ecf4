"""The README's first command, `dockmod fix examples/`: DM202 fixes the apt `RUN` whose
`rm -rf /var/lib/apt/lists/*` has a comment line above it, and that line moves above the
`RUN` (it used to be "no fix: removing `rm` would drop a comment line")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_apt_run_is_fixed_and_its_comment_line_moves_above_it() -> None:
    done = subprocess.run([sys.executable, "-m", "dockmod", "fix", "examples/", "--no-color"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    hunk = [line for line in done.stdout.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    start = hunk.index("-RUN apt-get update && apt-get install curl \\")
    assert hunk[start:start + 7] == [
        "-RUN apt-get update && apt-get install curl \\",
        "-    # curl is for the health check",
        "-    && rm -rf /var/lib/apt/lists/*",
        "+# curl is for the health check",
        "+RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\",
        "+    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \\",
        "+    apt-get update && apt-get install -y curl",
    ]
    assert "drop a comment line" not in done.stdout + done.stderr
