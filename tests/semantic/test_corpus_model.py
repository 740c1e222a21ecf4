"""build_model and every query on it never raise on a real file."""

from __future__ import annotations

import pytest

import dockmod
from dockmod.cst.instructions import Run
from dockmod.errors import ParseError
from dockmod.semantic import build_model
from dockmod.semantic.dump import to_json
from tests.conftest import corpus_files, read

pytestmark = pytest.mark.corpus


def test_model_on_every_corpus_file() -> None:
    failures = []
    files = corpus_files()
    built = 0
    for path in files:
        try:
            df = dockmod.parse(read(path))
        except ParseError:
            continue
        try:
            m = build_model(df)
            for s in m.stages:
                assert s.index in m.needs(s.index)
                assert s.index not in m.descendants(s.index)
                assert all(e.reader != s.index or e.stage != s.index for e in m.copies_from(s.index))
                assert m.targets_needing(s.index) <= m.shipped
            assert bool(m.shipped) == bool(m.stages) and m.shipped <= set(range(len(m.stages)))
            assert not m.stages or len(m.stages) - 1 not in m.unreachable
            for ins in df.body:
                scope = m.scope_at(ins)
                assert scope.user.uid is not None or scope.user.reason
                assert scope.home is None or isinstance(scope.home, str)
                if isinstance(ins, Run):
                    m.run(ins)
            to_json(m, str(path))
            built += 1
        except Exception as e:  # noqa: BLE001 - the test reports every failing file
            failures.append(f"{path}: {type(e).__name__}: {e}")
    assert built > 1000
    assert not failures, failures[:5]
