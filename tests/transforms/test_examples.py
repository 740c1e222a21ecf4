"""Every transform's metadata examples run as tests, so the docs cannot rot."""

from __future__ import annotations

import pytest

from dockmod.transforms import REGISTRY
from tests.transforms.harness import assert_invariants, run_transform

EXAMPLES = [(t, i, ex) for t in REGISTRY for i, ex in enumerate(t.meta.examples)]


@pytest.mark.parametrize("cls,i,example", EXAMPLES, ids=[f"{t.meta.code}-{i}" for t, i, _ in EXAMPLES])
def test_example(cls, i, example) -> None:  # type: ignore[no-untyped-def]
    # A transform that reads registry answers names the stub answers its examples assume.
    resolver = getattr(cls, "example_resolver", None)
    outcome = run_transform(example.before, cls, unsafe_fixes=example.unsafe_fixes, resolver=resolver)
    expected = example.before if example.after is None else example.after
    assert outcome.output == expected
    assert_invariants(example.before, outcome, cls, unsafe_fixes=example.unsafe_fixes, resolver=resolver)
