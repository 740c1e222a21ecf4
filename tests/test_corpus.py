"""The shared real-world corpus and BuildKit's own parser test files.

Skips with one line when ../shared/corpus is absent; fails instead under CI=true.
"""

from __future__ import annotations

import pytest

import dockmod
from dockmod import buildkit
from dockmod.io import decode, encode
from tests.conftest import corpus_files, corpus_root, read
from tests.oracle import KNOWN_DIFFERENCES, oracle_instructions

pytestmark = pytest.mark.corpus

# Corpus files whose oracle output shows a known difference (see tests/oracle.py).
ORACLE_EXCEPTIONS = {"buildkit-testfiles/testfiles/json/Dockerfile": "json-nul"}


def test_roundtrip_every_file() -> None:
    failures = []
    files = corpus_files()
    for path in files:
        text = read(path)
        if dockmod.parse(text).code != text:
            failures.append(str(path))
    assert not failures, f"{len(failures)} of {len(files)} files do not round-trip: {failures[:5]}"


def test_roundtrip_crlf_and_bom_variants() -> None:
    """The corpus has no CRLF or BOM files, so make them from every file."""
    for path in corpus_files():
        text = read(path)
        for variant in (text.replace("\n", "\r\n"), "\ufeff" + text, "\ufeff" + text.replace("\n", "\r\n")):
            assert dockmod.parse(variant).code == variant, path


def test_bytes_roundtrip() -> None:
    for path in corpus_files():
        data = path.read_bytes()
        assert encode(dockmod.parse(decode(data)).code) == data


def test_buildkit_equality() -> None:
    root = corpus_root()
    mismatches = []
    compared = 0
    for path in corpus_files():
        rel = str(path.relative_to(root))
        text = read(path)
        if rel in ORACLE_EXCEPTIONS:
            assert ORACLE_EXCEPTIONS[rel] in KNOWN_DIFFERENCES
            continue
        expected = oracle_instructions(text)
        if expected is None:
            pytest.skip("the `dockerfile` package (BuildKit's parser) is not installed")
        compared += 1
        if buildkit.instructions(dockmod.parse(text)) != expected:
            mismatches.append(rel)
    assert not mismatches, f"{len(mismatches)} of {compared} differ from BuildKit: {mismatches[:5]}"


def test_json_nul_difference_is_the_only_one_in_that_file() -> None:
    """The listed exception really is the \\u0000 case, not something hiding behind it."""
    path = corpus_root() / "buildkit-testfiles/testfiles/json/Dockerfile"
    text = read(path)
    expected = oracle_instructions(text)
    if expected is None:
        pytest.skip("the `dockerfile` package is not installed")
    got = buildkit.instructions(dockmod.parse(text))
    for g in got:
        g["value"] = [v.replace("\x00", "") for v in g["value"]]
    assert got == expected


def test_buildkit_result_dumps() -> None:
    cases = sorted((corpus_root() / "buildkit-testfiles" / "testfiles").iterdir())
    assert len(cases) >= 30
    for case in cases:
        expected = (case / "result").read_text(encoding="utf-8")
        assert buildkit.dump(dockmod.parse(read(case / "Dockerfile"))) == expected, case.name


def test_buildkit_negative_files_are_rejected_with_location() -> None:
    cases = sorted((corpus_root() / "buildkit-testfiles" / "testfiles-negative").iterdir())
    assert cases
    for case in cases:
        with pytest.raises(dockmod.ParseError) as info:
            dockmod.parse(read(case / "Dockerfile"), path=str(case))
        assert info.value.line >= 1 and info.value.column >= 1 and info.value.message
        assert "\n" not in info.value.message
