"""A seeded mutation fuzz over ``../shared/corpus`` (issue 11 item 8), cheap enough for CI.

10,000 mutants of corpus files (1 to 3 cheap byte-level mutations each: insert a token
that matters to the scanner or lexer, delete a span or a line, duplicate, swap or join
lines, truncate). For every mutant:

* ``parse`` raises nothing but ``ParseError``;
* when it parses, the round trip is exact;
* ``fix`` with the default transforms (safe fixes) never turns it into text that does not
  parse, and a second ``fix`` of its output changes nothing.

Every case is reproducible from its number (``DOCKMOD_FUZZ_SEED``, default 11); a failure
lists the case numbers, the mutations and the error. ``DOCKMOD_FUZZ_CASES`` changes the
count (CI runs the default).
"""

from __future__ import annotations

import os
import random
import traceback

import pytest

from tests.conftest import corpus_files, read

pytestmark = pytest.mark.corpus

CASES = int(os.environ.get("DOCKMOD_FUZZ_CASES", "10000"))
SEED = int(os.environ.get("DOCKMOD_FUZZ_SEED", "11"))
#: Base files: the corpus files up to this size (mutants of small files are cheap to fix).
MAX_BASE_BYTES = 500

TOKENS = ["\\", "\\\n", "\\ \n", "`", '"', "'", "$", "${", "}", "[", "]", "<<EOF\n", "<<-EOF\n", "EOF\n",
          "<<'EOF'\n", "\n", "\r\n", "\r", "\t", " ", "\u00a0", "\u0085", "\u2028", "#", "# escape=`\n",
          "# syntax=docker/dockerfile:1\n", "=", "\x00", "\udcff", "\ufeff", "--mount=type=cache,target=/x ",
          "--platform=$BUILDPLATFORM ", "FROM ", "RUN ", "ENV ", "ARG ", "COPY --from=0 ", "ONBUILD ",
          "MAINTAINER ", "&&", ";", "|", ":", ",", "AS ", "apt-get install -y x ",
          "pip install -r requirements.txt ", "npm ci ", '["a", ', "\\\n# c\n"]


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


def mutate(text: str, rng: random.Random) -> tuple[str, list[str]]:
    """``text`` with 1-3 random mutations, and what they were."""
    done = []
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(8)
        n = len(text)
        if op == 0:
            i, tok = rng.randint(0, n), rng.choice(TOKENS)
            text = text[:i] + tok + text[i:]
            done.append(f"insert {tok!r} at {i}")
        elif op == 1 and n:
            i = rng.randrange(n)
            j = min(n, i + rng.randint(1, 20))
            text = text[:i] + text[j:]
            done.append(f"delete {i}:{j}")
        elif op == 2 and n:
            i, tok = rng.randrange(n), rng.choice(TOKENS)
            text = text[:i] + tok + text[i + 1:]
            done.append(f"replace {i} with {tok!r}")
        elif op == 3:
            lines = _lines(text)
            k = rng.randrange(len(lines))
            lines.insert(k, lines[k])
            text = "".join(lines)
            done.append(f"duplicate line {k + 1}")
        elif op == 4:
            lines = _lines(text)
            k = rng.randrange(len(lines))
            del lines[k]
            text = "".join(lines)
            done.append(f"delete line {k + 1}")
        elif op == 5:
            lines = _lines(text)
            if len(lines) > 1:
                k = rng.randrange(len(lines) - 1)
                lines[k], lines[k + 1] = lines[k + 1], lines[k]
                text = "".join(lines)
                done.append(f"swap lines {k + 1},{k + 2}")
        elif op == 6 and "\n" in text:
            starts = [i for i, c in enumerate(text) if c == "\n"]
            i = rng.choice(starts)
            text = text[:i] + text[i + 1:]
            done.append(f"join line at {i}")
        elif op == 7 and n:
            i = rng.randrange(n)
            text = text[:i]
            done.append(f"truncate at {i}")
    return text, done


def check_case(text: str) -> str | None:
    """The first invariant ``text`` breaks, or None."""
    import dockmod
    from dockmod import engine
    from dockmod.errors import ParseError
    from dockmod.transforms import select

    try:
        df = dockmod.parse(text)
    except ParseError:
        return None
    except Exception:  # noqa: BLE001 - any other exception is the finding
        return "parse raised:\n" + traceback.format_exc(limit=-3)
    if df.code != text:
        return "round trip differs"
    transforms = select()
    try:
        out = engine.run(df, transforms, engine.EngineOptions(fix=True)).output.code
    except Exception:  # noqa: BLE001
        return "fix raised:\n" + traceback.format_exc(limit=-3)
    if out == text:
        return None
    try:
        again = dockmod.parse(out)
    except ParseError as e:
        return f"fix made it unparsable: {e}\n--- output:\n{out}"
    try:
        second = engine.run(again, transforms, engine.EngineOptions(fix=True)).output.code
    except Exception:  # noqa: BLE001
        return "second fix raised:\n" + traceback.format_exc(limit=-3)
    if second != out:
        return "second fix changed the output"
    return None


def test_mutation_fuzz_over_the_corpus() -> None:
    bases = [read(p) for p in corpus_files() if p.stat().st_size <= MAX_BASE_BYTES]
    assert len(bases) >= 400
    failures = []
    parsed = 0
    for case in range(CASES):
        rng = random.Random(SEED * 1_000_003 + case)
        base = rng.randrange(len(bases))
        text, how = mutate(bases[base], rng)
        problem = check_case(text)
        if problem is None:
            continue
        failures.append(f"case {case} (base {base}, {'; '.join(how)}): {problem}")
        if len(failures) >= 10:
            break
    del parsed
    assert not failures, "\n\n".join(failures)
