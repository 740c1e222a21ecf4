"""DM101 over the real-world corpus with a registry that knows every image.

Each reference gets a digest derived from its key, so every site that can be pinned is:
the run must not raise, the output must round-trip and be accepted by BuildKit's parser, a
second run must change nothing, and every pinned reference must still parse as one.
"""

from __future__ import annotations

import hashlib

import pytest

import dockmod
from dockmod import engine
from dockmod.registry.model import Resolved
from dockmod.registry.reference import parse as parse_ref
from dockmod.transforms.pin_base_image_digest import PinBaseImageDigest, sites
from tests.conftest import corpus_files, corpus_root, read
from tests.oracle import oracle_instructions

pytestmark = pytest.mark.corpus


class EveryImage(dict):
    """Answers any ``(key, platform)`` with a digest made from the key."""

    def get(self, item, default=None):  # type: ignore[no-untyped-def]
        key, platform = item
        return Resolved(key, "sha256:" + hashlib.sha256(f"{key} {platform}".encode()).hexdigest(), platform)


def test_pin_every_corpus_file() -> None:
    root = corpus_root()
    opts = engine.EngineOptions(fix=True, unsafe_fixes=True, resolver=EveryImage())
    failures: list[str] = []
    pinned = 0
    for path in corpus_files():
        rel = str(path.relative_to(root))
        text = read(path)
        try:
            out = engine.run(dockmod.parse(text), [PinBaseImageDigest], opts, path=rel).output.code
            df = dockmod.parse(out)
            assert df.code == out, "output does not round-trip"
            oracle_instructions(out)
            again = engine.run(df, [PinBaseImageDigest], opts, path=rel).output.code
            assert again == out, "a second run changed the output"
            for site in sites(df):
                if site.ref is not None and site.ref.digest:
                    parse_ref(site.text)
                    pinned += 1
        except Exception as e:  # noqa: BLE001 - collect every file's failure, then report
            failures.append(f"{rel}: {type(e).__name__}: {e}")
    assert not failures, f"{len(failures)} files failed:\n" + "\n".join(failures[:20])
    assert pinned > 0
