"""Shared fixtures: the shared corpus (skips in a user's clone, fails under CI=true)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("DOCKMOD_CORPUS", ROOT.parent / "shared" / "corpus"))
UPDATE = os.environ.get("DOCKMOD_UPDATE_SNAPSHOTS") == "1"


def corpus_root() -> Path:
    """The corpus folder; skip with one line when absent, fail under CI=true."""
    if not (CORPUS / "MANIFEST.tsv").is_file():
        msg = f"shared corpus not found at {CORPUS} (set DOCKMOD_CORPUS to run the corpus tests)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return CORPUS


def corpus_files() -> list[Path]:
    """Every real-world file of the manifest plus BuildKit's positive parser test files."""
    root = corpus_root()
    with (root / "MANIFEST.tsv").open(encoding="utf-8") as f:
        files = [root / r["local_path"] for r in csv.DictReader(f, delimiter="\t")]
    bk = root / "buildkit-testfiles"
    files += sorted((bk / "testfiles").glob("*/Dockerfile"))
    files.append(bk / "testfile-line" / "Dockerfile")
    return files


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "surrogateescape")
