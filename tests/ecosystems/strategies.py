"""Hypothesis strategies shared by the cache-use tests."""

from __future__ import annotations

from hypothesis import strategies as st


def joined_scripts(commands: list[str], joiners: list[str], max_size: int) -> st.SearchStrategy[str]:
    """Shell scripts of 1 to ``max_size`` of ``commands``, each joined to the one before by
    one of ``joiners`` (operators, continuations, comment lines)."""

    @st.composite
    def scripts(draw: st.DrawFn) -> str:
        parts = draw(st.lists(st.sampled_from(commands), min_size=1, max_size=max_size))
        out = parts[0]
        for p in parts[1:]:
            out += draw(st.sampled_from(joiners)) + p
        return out

    return scripts()
