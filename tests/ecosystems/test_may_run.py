"""DM202's stricter pre-filter (``cache_use.may_run`` through ``semantic.caches.may_run_any``)
never rejects a RUN in which the recogniser finds a call: on every corpus RUN, on each
table's programs spelled every way a script may spell them, on error-recovered words and on
generated scripts (the inputs of test_may_call). And it still rejects names inside words."""

from __future__ import annotations

import itertools
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockmod.cst.arguments import ShellCommand
from dockmod.cst.instructions import Run
from dockmod.ecosystems import Manager
from dockmod.semantic.caches import may_run_any
from dockmod.semantic.runs import ALL_MANAGERS
from tests.ecosystems.test_may_call import _MODULES, _NAMES, _PIECES, _PROGRAMS, _TAILS, _corpus_runs, _found, \
    _runs, _spellings


def _lets_through(run: Run) -> int:
    found = _found(run)
    for manager in found:
        assert may_run_any(run, frozenset({manager})), (manager, run.code)
    if found:
        assert may_run_any(run, ALL_MANAGERS), run.code
    return len(found)


def test_every_corpus_call_passes() -> None:
    assert sum(_lets_through(run) for run in _corpus_runs()) > 2000


def test_it_rejects_corpus_runs_that_only_name_programs_inside_words() -> None:
    wide = sum(1 for run in _corpus_runs() if isinstance(run.command, ShellCommand) and not _found(run)
               and not may_run_any(run, ALL_MANAGERS)
               and any(n in run.command.raw for n in ("go", "pip", "apt", "gem", "npm")))
    assert wide > 50


@pytest.mark.parametrize("raw", [
    # BuildKit drops a comment line inside a continuation: the shell sees ``apk add …``.
    "apk\\\n#c\n  add --no-cache gcc", "pip3.12\\\n# pinned\n install flask", "pip \\\n# c\n    install flask",
    # A heredoc body is parsed as written: its backslash-newline ends the word ``pip``.
    "<<EOF\npip\\\ninstall flask\nEOF", "<<EOF\nset -e\ngo\\\nbuild ./...\nEOF",
])  # fmt: skip
def test_known_skipped_calls_pass(raw: str) -> None:
    runs = _runs(f"FROM x\nRUN {raw}\n")
    assert runs and sum(map(_lets_through, runs))


@pytest.mark.parametrize("raw", [
    "curl -fsSL https://dl.google.com/go/go1.22.4.linux-amd64.tar.gz -o go.tgz && tar -C /usr/local -xzf go.tgz",
    "ls /usr/local/go/bin", "curl -O https://dot.net/v1/dotnet-install.sh", "echo golang piper",
    "cp -r /src/gems /gems/", "<<EOF\ncurl -o go.tgz https://x/go1.22.tgz\nEOF",
])  # fmt: skip
def test_names_inside_other_words_are_rejected(raw: str) -> None:
    for run in _runs(f"FROM x\nRUN {raw}\n"):
        assert not _found(run) and not may_run_any(run, ALL_MANAGERS)


@pytest.mark.parametrize(("manager", "program"), _PROGRAMS)
def test_every_program_of_the_tables_passes(manager: Manager, program: str) -> None:
    seen = 0
    tails = _TAILS.get(manager, [" install x"])
    for spelled in _spellings(program):
        for before in ("", "x && ", "a;", "(", "sudo -E ", "env A=1 ", "if ! ", "true |", "x \\\n  ",
                       "x&&\\\n# c\n"):
            for after in (*tails, *(f"{v}{t}" for t in tails[:2] for v in ("3", "3.12", " \\\n# c\n ",
                                                                             "\\\n#c\n ", "\\\n "))):
                raw = f"{before}{spelled}{after}"
                for run in _runs(f"FROM x\nRUN {raw}\n") + _runs(f"FROM x\nRUN <<EOF\n{raw}\nEOF\n"):
                    seen += _lets_through(run)
    assert seen


@pytest.mark.parametrize(("manager", "module"), _MODULES)
def test_every_python_module_of_the_tables_passes(manager: Manager, module: str) -> None:
    seen = 0
    for spelled in _spellings(module):
        for tail in _TAILS.get(manager, [" install x"]):
            for run in _runs(f"FROM x\nRUN python3.12 -m {spelled}{tail} && python -I -m {spelled}3{tail}\n"):
                seen += _lets_through(run)
    assert seen


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_NAMES), st.sampled_from(_PIECES)), min_size=1, max_size=10),
       st.booleans())
def test_generated_scripts_pass(parts: list[str], heredoc: bool) -> None:
    script = "".join(parts)
    text = f"FROM x\nRUN <<EOF\n{script}\nEOF\n" if heredoc else f"FROM x\nRUN {script}\n"
    for run in _runs(text):
        _lets_through(run)


def test_words_that_error_recovery_starts_or_ends_pass() -> None:
    chars = [c for c in string.printable if c not in "\x0b\x0c"]
    seen = 0
    for combo in (*((c,) for c in chars), *itertools.product(string.punctuation, repeat=2)):
        p = "".join(combo)
        for raw in (f"{p}cpanm x", f"cpanm{p} x", f"a{p}cpanm x", f"x && {p}pip3 install y"):
            for run in _runs(f"FROM x\nRUN {raw}\n"):
                seen += _lets_through(run)
    assert seen > 500
