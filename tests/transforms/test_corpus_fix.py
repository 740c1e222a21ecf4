"""Every transform, fixes and unsafe fixes on, over the real-world corpus.

For each file: the run does not raise, the output re-parses to the same text, BuildKit's
parser accepts it, and a second run changes nothing. Skips with one line when
../shared/corpus is absent (fails under CI=true).
"""

from __future__ import annotations

import pytest

import dockmod
from dockmod import engine
from dockmod.transforms import REGISTRY
from tests.conftest import corpus_files, corpus_root, read
from tests.oracle import oracle_instructions

pytestmark = pytest.mark.corpus

OPTIONS = engine.EngineOptions(fix=True, unsafe_fixes=True)


def test_fix_every_corpus_file() -> None:
    root = corpus_root()
    transforms = list(REGISTRY)
    failures: list[str] = []
    for path in corpus_files():
        rel = str(path.relative_to(root))
        text = read(path)
        try:
            out = engine.run(dockmod.parse(text), transforms, OPTIONS, path=rel).output.code
            assert dockmod.parse(out).code == out, "output does not round-trip"
            oracle_instructions(out)  # raises if BuildKit's parser rejects the output
            again = engine.run(dockmod.parse(out), transforms, OPTIONS, path=rel).output.code
            assert again == out, "a second run changed the output"
        except Exception as e:  # noqa: BLE001 - collect every file's failure, then report
            failures.append(f"{rel}: {type(e).__name__}: {e}")
    assert not failures, f"{len(failures)} files failed:\n" + "\n".join(failures[:20])
