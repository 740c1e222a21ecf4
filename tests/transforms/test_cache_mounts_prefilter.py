"""DM202 reads no model and parses no RUN for a file whose RUNs name no manager's program
as a word of its own (``curl …/go/go1.22.tgz``, ``ls /usr/local/go``): nothing to mount."""

from __future__ import annotations

import pytest

import dockmod
from dockmod import engine
from dockmod.semantic import model as semantic_model
from dockmod.shell import parse as shell_parse
from dockmod.transforms import select


def _run_dm202(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int, list[str]]:
    built = []
    init = semantic_model.Model.__init__

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(1)
        init(self, *args, **kwargs)

    monkeypatch.setattr(semantic_model.Model, "__init__", counting)
    tree = dockmod.parse(text)
    before = shell_parse.stats().parses
    result = engine.run(tree, select(["DM202"]), engine.EngineOptions(), path="Dockerfile")
    return len(built), shell_parse.stats().parses - before, [f.code for f in result.findings]


def test_no_model_and_no_parse_without_a_call(monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("FROM debian:12\n"
            "RUN curl -fsSL https://dl.google.com/go/go1.22.4.linux-amd64.tar.gz -o go.tgz"
            " && tar -C /usr/local -xzf go.tgz && ls /usr/local/go/bin # 7f3a\n")
    assert _run_dm202(text, monkeypatch) == (0, 0, [])


def test_a_call_is_still_read(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "FROM python:3.12-slim\nRUN /usr/local/bin/pip3.12 install flask # 7f3b\n"
    built, parses, codes = _run_dm202(text, monkeypatch)
    assert built == 1 and parses >= 1 and codes == ["DM202"]


@pytest.mark.parametrize("run", [
    # BuildKit drops the comment line inside the continuation: the shell runs ``pip install``.
    "RUN pip\\\n#flask, the web framework\n    install flask # 7f3c\n",
    # A heredoc body's backslash-newline ends the word ``pip`` (tree-sitter-bash).
    "RUN <<EOF\npip\\\ninstall flask\nEOF\n",
])  # fmt: skip
def test_a_call_the_text_filter_used_to_miss_is_read(run: str, monkeypatch: pytest.MonkeyPatch) -> None:
    built, parses, codes = _run_dm202(f"FROM python:3.12-slim\n{run}", monkeypatch)
    assert built == 1 and parses >= 1 and codes == ["DM202"]
