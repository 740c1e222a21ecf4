"""DM401 over the real-world corpus: every split re-parses with BuildKit's parser, is
multi-stage, and a second run changes nothing. Skips with one line when ../shared/corpus
is absent (fails under CI=true)."""

from __future__ import annotations

import pytest

import dockmod
from dockmod import engine
from dockmod.transforms.split_builder_runtime import SplitBuilderRuntime
from tests.conftest import corpus_files, corpus_root, read
from tests.oracle import oracle_instructions

pytestmark = pytest.mark.corpus

OPTIONS = engine.EngineOptions(fix=True, unsafe_fixes=True)


def test_every_split_reparses_and_is_idempotent() -> None:
    root = corpus_root()
    failures: list[str] = []
    split = 0
    for path in corpus_files():
        rel = str(path.relative_to(root))
        text = read(path)
        try:
            df = dockmod.parse(text)
        except dockmod.ParseError:
            continue  # the parser's own corpus tests cover files BuildKit rejects
        try:
            out = engine.run(df, [SplitBuilderRuntime], OPTIONS, path=rel).output.code
            if out == text:
                continue
            split += 1
            tree = dockmod.parse(out)
            assert tree.code == out, "output does not round-trip"
            assert len(tree.stages) == 2, "a split file has two stages"
            oracle_instructions(out)  # raises if BuildKit's parser rejects the output
            again = engine.run(tree, [SplitBuilderRuntime], OPTIONS, path=rel).output.code
            assert again == out, "a second run changed the output"
        except Exception as e:  # noqa: BLE001 - collect every file's failure, then report
            failures.append(f"{rel}: {type(e).__name__}: {e}")
    assert not failures, f"{len(failures)} files failed:\n" + "\n".join(failures[:20])
    assert split > 0, "no corpus file was split: the test checked nothing"
