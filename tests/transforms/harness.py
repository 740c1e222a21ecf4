"""Run one transform on a text and check the invariants every fix must keep.

1. round trip of the input; 2. expected output; 3. idempotence (a second run changes
nothing); 4. the output re-parses to an equal tree, and BuildKit's parser accepts it;
5. locality: instructions without a finding are byte-identical, and comments survive.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import dockmod
from dockmod import engine
from dockmod.diagnostics import render_finding
from dockmod.diff import unified_diff
from dockmod.transforms import Transform


@dataclass
class Outcome:
    output: str
    result: engine.EngineResult
    snapshot: str


def run_transform(text: str, cls: type[Transform], *, unsafe_fixes: bool = False,
                  options: dict[str, Any] | None = None, target_syntax: tuple[int, int] | None = None,
                  resolver: Any = None, path: str = "Dockerfile",
                  syntax_directive: str = "none") -> Outcome:
    df = dockmod.parse(text)
    assert df.code == text, "input does not round-trip"
    opts = engine.EngineOptions(fix=True, unsafe_fixes=unsafe_fixes, target_syntax=target_syntax,
                                options={cls.meta.name: options or {}}, resolver=resolver,
                                syntax_directive=engine.SyntaxPolicy(syntax_directive))
    result = engine.run(df, [cls], opts, path=path)
    out = result.output.code
    snap = "\n".join(render_finding(path, f, unsafe_fixes=unsafe_fixes) for f in result.findings)
    snap = (snap + "\n" if snap else "") + "---\n" + unified_diff(text, out, path)
    return Outcome(out, result, snap)


def assert_invariants(text: str, outcome: Outcome, cls: type[Transform], **kw: Any) -> None:
    out = outcome.output
    # idempotence
    again = run_transform(out, cls, **kw)
    assert again.output == out, "a second run changed the output"
    # re-parse
    reparsed = dockmod.parse(out)
    assert reparsed.code == out
    assert reparsed.deep_equals(outcome.result.output), "the output tree differs from its re-parse"
    from tests.oracle import oracle_instructions

    oracle_instructions(out)  # raises if BuildKit's parser rejects the output
    # comments survive
    # The engine may raise a `# syntax=` directive; every other comment line must survive.
    def comments(t: str) -> Counter[str]:
        return Counter(x for x in (line.strip() for line in t.splitlines())
                       if x.startswith("#") and not x.replace(" ", "").startswith("#syntax="))

    before, after = comments(text), comments(out)
    lost = before - after
    assert not lost, f"comments lost: {list(lost)}"
    # locality: instructions with no finding are untouched
    found_lines = {f.line for f in outcome.result.findings}
    df = dockmod.parse(text)
    from dockmod.cst.positions import PositionProvider

    pos = PositionProvider(df)
    for ins in df.body:
        span = pos.span(ins)
        if not any(span.start_line <= ln <= span.end_line for ln in found_lines):
            code = ins.with_changes(leading_lines=()).code
            assert code in out, f"untouched instruction changed: {code!r}"
