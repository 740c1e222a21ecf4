"""The README's first command, `dockmod fix examples/`, shows DM201's reorder as a safe fix.

The bundled example's context (`examples/`: requirements.txt, .dockerignore, the app)
proves the three conditions, so the fix is applied without `--unsafe-fixes`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _dockmod(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dockmod", *args, "--no-color"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_readme_first_command_shows_the_reorder() -> None:
    done = _dockmod("fix", "examples/")
    assert done.returncode == 1, done.stderr
    added = [line[1:] for line in done.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert "COPY requirements.txt ./" in added
    install = next(line for line in added if "pip install -r requirements.txt" in line)
    assert added.index("COPY requirements.txt ./") < added.index(install) < added.index("COPY . .")


def test_the_reorder_is_safe_from_the_example_context() -> None:
    done = _dockmod("check", "--select", "DM201", "examples/Dockerfile")
    assert "DM201 [*] `pip install --no-cache-dir -r requirements.txt` runs after `ADD . .`" in done.stdout
    assert "unsafe" not in done.stdout
