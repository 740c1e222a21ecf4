"""Golden cases, driven by the folder: a new case needs a directory, not code.

* ``cases/<case>/Dockerfile``: must round-trip; ``tree.txt`` is its CST dump and
  ``buildkit.txt`` BuildKit's dump format; when the ``dockerfile`` package (BuildKit's
  parser) is installed, dockmod's instruction view must equal it.
* ``negative/<case>/Dockerfile``: must be rejected; ``error.txt`` is the rendered error.

Regenerate goldens with ``DOCKMOD_UPDATE_SNAPSHOTS=1``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import dockmod
from dockmod import buildkit
from dockmod.cst.printer import format_tree
from dockmod.diagnostics import render_parse_error
from tests.conftest import UPDATE, read
from tests.oracle import KNOWN_DIFFERENCES, oracle_instructions

HERE = Path(__file__).parent
CASES = sorted(p for p in (HERE / "cases").iterdir() if p.is_dir())
NEGATIVE = sorted(p for p in (HERE / "negative").iterdir() if p.is_dir())
# Cases that show a known difference between the oracle package and current BuildKit.
ORACLE_SKIP = {
    "heredoc_space_before_word": "heredoc-space",
    "heredoc_onbuild": "onbuild-heredoc",
}


def _golden(path: Path, actual: str) -> None:
    if UPDATE or not path.exists():
        path.write_bytes(actual.encode("utf-8", "surrogateescape"))
    assert actual == read(path)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path) -> None:
    text = read(case / "Dockerfile")
    df = dockmod.parse(text)
    assert df.code == text
    _golden(case / "tree.txt", format_tree(df))
    _golden(case / "buildkit.txt", buildkit.dump(df))
    if case.name in ORACLE_SKIP and ORACLE_SKIP[case.name]:
        assert ORACLE_SKIP[case.name] in KNOWN_DIFFERENCES
        return
    expected = oracle_instructions(text)
    if expected is not None:
        assert buildkit.instructions(df) == expected


@pytest.mark.parametrize("case", NEGATIVE, ids=[c.name for c in NEGATIVE])
def test_negative(case: Path) -> None:
    text = read(case / "Dockerfile")
    with pytest.raises(dockmod.ParseError) as info:
        dockmod.parse(text, path="Dockerfile")
    _golden(case / "error.txt", render_parse_error(info.value) + "\n")
    if oracle_instructions(text, expect_error=True) is not None:
        pytest.fail("BuildKit's parser accepts this input")
