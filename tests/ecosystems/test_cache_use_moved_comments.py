"""DM202's removals (``cache_use._remove_defeaters``) move the comment lines their cuts take
out of a RUN's continuations, for the transform to put above the ``RUN``: every comment
line is either still in the script or moved, in source order; heredoc bodies and lines
that tools read above an instruction keep the refusal."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockmod.ecosystems import Manager
from dockmod.ecosystems.cache_use import _remove_defeaters
from dockmod.shell.edits import comment_lines
from tests.ecosystems.strategies import joined_scripts

PIP = (Manager.PIP,)
APT = (Manager.APT_GET,)
TARGETS = ("/root/.cache/pip", "/var/cache/apt", "/var/lib/apt/lists", "/root/.npm")


def _remove(raw: str, managers: tuple[Manager, ...] = APT, escape: str = "\\") -> tuple:  # type: ignore[type-arg]
    return _remove_defeaters.__wrapped__(raw, escape, managers, (), TARGETS)


def test_the_readme_example_moves_its_comment_line() -> None:
    raw = ("apt-get update && apt-get install curl \\\n    # curl is for the health check\n"
           "    && rm -rf /var/lib/apt/lists/*")
    new, removed, error, _, moved = _remove(raw)
    assert error is None and removed == ("rm",)
    assert new == "apt-get update && apt-get install curl"
    assert moved == ("# curl is for the health check\n",)


def test_lines_taken_by_several_edits_come_back_in_source_order() -> None:
    # The defeater (``--no-cache-dir``, last on its line) is removed before the cleaner
    # above it: its comment line is taken first, and still comes second.
    raw = ("pip install x \\\n  # a\n  && pip cache purge \\\n  && pip install y \\\n  # b\n  --no-cache-dir \\\n"
           "  # a\n  && true")
    new, removed, error, _, moved = _remove(raw, PIP)
    assert error is None and removed == ("--no-cache-dir", "pip cache purge")
    assert moved == ("# a\n", "# b\n")
    assert new == "pip install x \\\n  && pip install y \\\n  # a\n  && true"


def test_a_heredoc_body_keeps_the_refusal() -> None:
    body = "npm ci && \\\n# keep the image small\nnpm cache clean --force\n"
    assert _remove(body, (Manager.NPM,), "\0")[2:] == (
        "removing `npm cache clean` would drop a comment line", True, ())


@pytest.mark.parametrize("line", ["# hadolint ignore=DL3059", "#dockmod: ignore=DM202",
                                  "# Hadolint global ignore=DL3008", "# dockmod : skip-file"])
def test_a_line_tools_read_above_an_instruction_is_not_moved(line: str) -> None:
    raw = f"npm ci && \\\n    {line}\n    npm cache clean --force"
    error = _remove(raw, (Manager.NPM,))[2]
    assert error == (f"removing `npm cache clean` would move `{line}` above the `RUN`, "
                     "where it would be read as a directive")


def test_a_line_that_only_mentions_a_tool_is_moved() -> None:
    raw = "npm ci && \\\n    # hadolint-free: see docs; dockmod rocks\n    npm cache clean --force"
    assert _remove(raw, (Manager.NPM,))[4] == ("# hadolint-free: see docs; dockmod rocks\n",)


_COMMANDS = ["apt-get update", "apt-get install -y curl", "apt-get clean", "rm -rf /var/lib/apt/lists/*",
             "rm -rf /tmp/a /var/lib/apt/lists/*", "pip install --no-cache-dir flask", "pip cache purge",
             "echo done", "npm ci", "npm cache clean --force"]
_JOINERS = [" && ", "; ", " \\\n    && ", " && \\\n    # note\n    ", " \\\n    # a\n    # b\n    && ",
            " \\\n\n    # c\n    && "]


def _scripts() -> st.SearchStrategy[str]:
    return joined_scripts(_COMMANDS, _JOINERS, max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_scripts())
def test_no_comment_line_is_lost(raw: str) -> None:
    """Every comment line is in the edited script or moved (as written, in order)."""
    for managers in (APT, PIP, (Manager.NPM,)):
        new, _, error, _, moved = _remove(raw, managers)
        if error is not None:
            assert new == raw and moved == ()
            continue
        assert Counter(comment_lines(raw)) == Counter(comment_lines(new)) + Counter(m.strip() for m in moved)
        assert all(m.startswith("#") and m.endswith("\n") and m.count("\n") == 1 for m in moved)
        # In source order: the moved lines are a subsequence of the script's comment lines.
        rest = iter(comment_lines(raw))
        assert all(any(m.strip() == c for c in rest) for m in moved)
