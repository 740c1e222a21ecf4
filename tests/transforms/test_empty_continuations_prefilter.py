"""DM506 reads no layout for a file whose text shows no blank line inside an instruction: the
text pre-filter must never reject a file in which the full search finds one."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import dockmod
from dockmod.errors import ParseError
from dockmod.transforms.remove_empty_continuations import _blank_inside, _may_have_blank_inside
from tests.conftest import corpus_files, read

# Lines that make continuations (either escape char, trailing spaces, CRs), comment and
# blank lines inside and between them, and heredocs.
_LINES = ("FROM alpine", "RUN a \\", "RUN a \\  ", "RUN a \\\r", "  b \\", "\\", "  c", "", " ", "\t \r",
          "\u3000", "# c", "  # c \\", "RUN <<EOF", "EOF", "x", "RUN a `", "  b `", "ENV A=1 \\",
          "# escape=`", "RUN a \\\\", "COPY <<-X /f", "\tX", "RUN a \\\n\nb")


def _agree(text: str) -> None:
    try:
        df = dockmod.parse(text)
    except ParseError:
        assume(False)
        return
    if not _may_have_blank_inside(text):
        assert not _blank_inside(df), text


def test_the_filter_passes_what_the_search_finds() -> None:
    text = "FROM alpine\nRUN a \\\n  # c\n\n  b\n"
    assert _may_have_blank_inside(text) and _blank_inside(dockmod.parse(text)) == {1}
    assert not _may_have_blank_inside("FROM alpine\n\nRUN a \\\n  b\n\n# c \\\nRUN c\n")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.lists(st.sampled_from(_LINES), min_size=1, max_size=10), st.sampled_from(("\n", "\r\n")),
       st.booleans(), st.booleans())
def test_never_rejects_a_generated_file(lines: list[str], newline: str, last: bool, backtick: bool) -> None:
    head = "# escape=`\nFROM alpine\n" if backtick else "FROM alpine\n"
    _agree(head + newline.join(lines) + (newline if last else ""))


@pytest.mark.parametrize("chunk", range(4))
def test_never_rejects_a_corpus_file(chunk: int) -> None:
    for path in corpus_files()[chunk::4]:
        text = read(path)
        try:
            df = dockmod.parse(text)
        except ParseError:
            continue
        if not _may_have_blank_inside(text):
            assert not _blank_inside(df), path
