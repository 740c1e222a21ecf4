"""Fixture pairs per transform, found on disk: ``fixtures/<name>/<case>.before.Dockerfile``.

``<case>.after.Dockerfile`` is the expected output (absent: no change expected);
``<case>.toml`` may set ``unsafe-fixes``, ``target-syntax``, ``syntax-directive`` and ``[options]``;
``<case>.snap`` is generated (``DOCKMOD_UPDATE_SNAPSHOTS=1``): what ``check`` reports
plus the ``fix`` diff, for reviewers.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dockmod.transforms import REGISTRY
from tests.conftest import UPDATE, read
from tests.transforms.harness import assert_invariants, run_transform

FIXTURES = Path(__file__).parent / "fixtures"
BY_NAME = {t.meta.name: t for t in REGISTRY}
# Known-failing cases, each with its reason (gdtoolkit's EXCEPTIONS); none today.
KNOWN_FAILING: dict[str, str] = {}


def _cases() -> list[Path]:
    return sorted(FIXTURES.glob("*/*.before.Dockerfile"))


@pytest.mark.parametrize("before", _cases(), ids=lambda p: f"{p.parent.name}/{p.name[:-len('.before.Dockerfile')]}")
def test_fixture(before: Path) -> None:
    name = before.parent.name
    case = before.name[: -len(".before.Dockerfile")]
    if f"{name}/{case}" in KNOWN_FAILING:
        pytest.xfail(KNOWN_FAILING[f"{name}/{case}"])
    cls = BY_NAME[name]
    cfg_path = before.with_name(f"{case}.toml")
    cfg = tomllib.loads(cfg_path.read_text()) if cfg_path.exists() else {}
    kw = {
        "unsafe_fixes": cfg.get("unsafe-fixes", False),
        "options": cfg.get("options", {}),
        "target_syntax": tuple(int(x) for x in cfg["target-syntax"].split(".")) if "target-syntax" in cfg else None,
        "syntax_directive": cfg.get("syntax-directive", "none"),
    }
    text = read(before)
    outcome = run_transform(text, cls, **kw)
    after_path = before.with_name(f"{case}.after.Dockerfile")
    expected = read(after_path) if after_path.exists() else text
    assert outcome.output == expected
    assert_invariants(text, outcome, cls, **kw)
    snap = before.with_name(f"{case}.snap")
    if UPDATE or not snap.exists():
        snap.write_bytes(outcome.snapshot.encode("utf-8", "surrogateescape"))
    assert outcome.snapshot == read(snap)
