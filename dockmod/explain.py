"""A transform's documentation, as ``dockmod explain`` prints it and as ``docs/transforms/``
holds it (one text, two renderings; ``scripts/gen_docs.py`` writes the pages and a test
keeps them in step with the code).

Layer: above transforms and report (it reads the registry and the safety labels), below cli.
"""

from __future__ import annotations

import importlib
from typing import Any


def transform(code: str) -> Any:
    """The transform class named by ``code`` (a code or a name), or None."""
    from dockmod.transforms import REGISTRY, resolve_code

    resolved = resolve_code(code)
    if resolved is None:
        return None
    return next(x for x in REGISTRY if x.meta.code == resolved)


def _doc(t: Any) -> str:
    return (importlib.import_module(t.__module__).__doc__ or "").strip()


def lead(code: str) -> str | None:
    """The first paragraph of what ``dockmod explain CODE`` says (its *What it does*), as one
    line of Markdown (double backticks made single), or None for an unknown code."""
    t = transform(code)
    if t is None:
        return None
    return " ".join(_doc(t).split("\n\n")[0].split()).replace("``", "`")


def suggestion(code: str) -> str:
    """``; did you mean `X`?`` for an unknown code or name, or ""."""
    import difflib

    from dockmod.transforms import REGISTRY

    names = [t.meta.code for t in REGISTRY] + [t.meta.name for t in REGISTRY]
    close = difflib.get_close_matches(code, names, n=1)
    return f"; did you mean `{close[0]}`?" if close else ""


def explain(code: str, markdown: bool = False) -> str | None:
    """The documentation of the transform named by ``code`` (a code or a name), or None.

    ``markdown`` fences the examples' diffs for a documentation page; the terminal text
    is the same words with the diffs bare.
    """
    from dockmod.diff import unified_diff
    from dockmod.report import safety_label

    t = transform(code)
    if t is None:
        return None
    m = t.meta
    doc = _doc(t)
    state = "" if m.default_enabled else " (off by default)"
    out = [f"# {m.code} {m.name}", ""]
    varies = f" ({m.safety_varies})" if m.safety_varies else ""
    facts = [f"Fix safety: {safety_label(m.safety).replace('-', ' ')}{varies}{state}"]
    if m.min_syntax:
        facts.append(f"Needs: docker/dockerfile:{m.min_syntax[0]}.{m.min_syntax[1]}")
    if m.reference:
        facts.append(f"Reference: {m.reference}")
    if markdown:  # one fact a line in Markdown too (a trailing backslash is a hard break)
        facts = [f + "\\" for f in facts[:-1]] + facts[-1:]
    out += facts + ["", doc]
    for i, ex in enumerate(m.examples, 1):
        after = ex.before if ex.after is None else ex.after
        d = unified_diff(ex.before, after, "Dockerfile")
        body = d if d else ex.before.rstrip("\n") + "\n(no change)\n"
        out += ["", f"## Example {i}", ""]
        if markdown:
            out += ["```diff" if d else "```dockerfile", body.rstrip("\n"), "```"]
        else:
            out.append(body.rstrip("\n"))
    return "\n".join(out) + "\n"


def index_page() -> str:
    """``docs/transforms/README.md``: the README's transform table, each name linked."""
    from dockmod.transforms._table import table

    return ("# Transforms\n\nGenerated from the code by `scripts/gen_docs.py` (each page is the "
            "text `dockmod explain CODE` prints).\n\n" + table(link="{name}.md"))


def pages() -> dict[str, str]:
    """File name (under ``docs/transforms/``) → content, for every transform and the index."""
    from dockmod.transforms import REGISTRY

    out = {f"{t.meta.name}.md": explain(t.meta.code, markdown=True) or "" for t in REGISTRY}
    out["README.md"] = index_page()
    return out
