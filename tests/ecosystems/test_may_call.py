"""``ecosystems.may_call`` (through ``semantic.runs.may_call_any``) never rejects a RUN in which
the recogniser finds a call: on every corpus RUN, on each table's programs spelled every way
a script may spell them, and on generated scripts. And it does reject names inside words."""

from __future__ import annotations

import itertools
import string
from collections.abc import Iterator
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dockmod
from dockmod.cst.arguments import ShellCommand
from dockmod.cst.instructions import Run
from dockmod.ecosystems import MANAGERS, Manager, calls, may_call
from dockmod.errors import DockmodError
from dockmod.semantic.runs import ALL_MANAGERS, may_call_any
from dockmod.shell.parse import parse_heredoc_body, parse_shell
from tests.conftest import corpus_files, read


def _found(run: Run) -> set[Manager]:
    """Managers of every call the recogniser finds in the RUN's script and heredoc bodies."""
    scripts = []
    if isinstance(run.command, ShellCommand):
        scripts.append(parse_shell(run.command))
    scripts += [parse_heredoc_body(h) for h in run.heredocs]
    return {c.manager for s in scripts for c in calls(s)}


def _lets_through(run: Run) -> int:
    found = _found(run)
    for manager in found:
        assert may_call_any(run, frozenset({manager})), (manager, run.code)
    if found:
        assert may_call_any(run, ALL_MANAGERS), run.code
    return len(found)


def _runs(text: str) -> list[Run]:
    try:
        df = dockmod.parse(text)
    except DockmodError:
        return []
    return [ins for ins in df.body if isinstance(ins, Run)]


@cache
def _corpus_runs() -> list[Run]:
    return [run for path in corpus_files() for run in _runs(read(path))]


def test_every_corpus_call_passes() -> None:
    found = sum(_lets_through(run) for run in _corpus_runs())
    assert found > 2000


def test_it_rejects_corpus_runs_that_only_name_programs_inside_words() -> None:
    # Not a vacuous filter: RUNs whose text holds a manager's name, but never as a word.
    wide = 0
    for run in _corpus_runs():
        if isinstance(run.command, ShellCommand) and not run.heredocs and not _found(run) \
                and not may_call_any(run, ALL_MANAGERS):
            wide += any(n in run.command.raw for n in ("go", "pip", "apt", "gem", "npm"))
    assert wide > 50


@pytest.mark.parametrize("raw", [
    "curl -fsSL https://dl.google.com/golang/latest.tgz | tar -C /usr/local -xz",
    "ls /usr/local/go/bin", "curl -O https://dot.net/v1/dotnet-install.sh",
    "echo golang piper", "apt-key add k && pipx install x", "cp -r /src/gems /gems/",
])  # fmt: skip
def test_names_inside_other_words_are_no_call(raw: str) -> None:
    assert not calls(parse_shell(raw))
    assert not may_call(raw, frozenset(Manager))


def _spellings(name: str) -> list[str]:
    return [name, f"/usr/local/bin/{name}", f"'{name}'", f'"{name}"', f"{name[0]}'{name[1:]}'",
            f"\\{name}", f"$'{name}'", f'"/opt/x/"{name}', f"./{name}",
            # split by a continuation as BuildKit joins it: spaces after the escape char, and
            # the blank and comment lines it skips (pi\<sp><nl>p is pip)
            f"{name[0]}\\ \t\n{name[1:]}", f"{name[0]}\\\n# c\n\n{name[1:]}"]


def _tails() -> dict[Manager, list[str]]:
    """What follows the program in each command of test_managers.RECOGNITION, by manager."""
    from tests.ecosystems.test_managers import RECOGNITION

    out: dict[Manager, list[str]] = {}
    for command, manager, *_ in RECOGNITION:
        words = command.split(" ")
        skip = words.index("-m") + 2 if "-m" in words[:3] else 1
        out.setdefault(Manager(manager), []).append(" ".join(["", *words[skip:]]))
    return out


_TAILS = _tails()
# Every program, versioned stem and python module of the tables, spelled as the recogniser
# reads them, after each separator and wrapper, before each command tail of its manager.
_PROGRAMS = sorted({(m, p) for m, row in MANAGERS.items() for p in (*row.programs, *row.versioned)})
_MODULES = sorted({(m, p) for m, row in MANAGERS.items() for p in row.python_modules})


def program_runs(manager: Manager, program: str) -> Iterator[Run]:
    """RUNs (shell form and heredoc) calling ``program`` spelled every way, after each
    separator and wrapper, before each command tail of ``manager`` (shared with
    ``test_may_run``)."""
    tails = _TAILS.get(manager, [" install x"])
    for spelled in _spellings(program):
        for before in ("", "x && ", "a;", "(", "sudo -E ", "env A=1 ", "if ! ", "true |", "x \\\n  ",
                       "x&&\\\n# c\n"):
            for after in (*tails, *(f"{v}{t}" for t in tails[:2] for v in ("3", "3.12", " \\\n# c\n ",
                                                                             "\\\n#c\n ", "\\\n "))):
                raw = f"{before}{spelled}{after}"
                yield from _runs(f"FROM x\nRUN {raw}\n") + _runs(f"FROM x\nRUN <<EOF\n{raw}\nEOF\n")


def module_runs(manager: Manager, module: str) -> Iterator[Run]:
    """RUNs calling python module ``module`` spelled every way (shared with ``test_may_run``)."""
    for spelled in _spellings(module):
        for tail in _TAILS.get(manager, [" install x"]):
            yield from _runs(f"FROM x\nRUN python3.12 -m {spelled}{tail} && python -I -m {spelled}3{tail}\n")


def recovery_runs() -> Iterator[Run]:
    """One or two ASCII characters before or after a program's name: tree-sitter-bash
    recovers from a syntax error by starting a word after about any character (``;-cpanm``,
    ``[cpanm``), so each must pass where the name is recognised (shared with ``test_may_run``)."""
    chars = [c for c in string.printable if c not in "\x0b\x0c"]
    for combo in (*((c,) for c in chars), *itertools.product(string.punctuation, repeat=2)):
        p = "".join(combo)
        for raw in (f"{p}cpanm x", f"cpanm{p} x", f"a{p}cpanm x", f"x && {p}pip3 install y"):
            yield from _runs(f"FROM x\nRUN {raw}\n")


def generated_runs(parts: list[str], heredoc: bool) -> list[Run]:
    """The RUNs of a Hypothesis script made of ``parts`` (shared with ``test_may_run``)."""
    script = "".join(parts)
    return _runs(f"FROM x\nRUN <<EOF\n{script}\nEOF\n" if heredoc else f"FROM x\nRUN {script}\n")


@pytest.mark.parametrize(("manager", "program"), _PROGRAMS)
def test_every_program_of_the_tables_passes(manager: Manager, program: str) -> None:
    assert sum(map(_lets_through, program_runs(manager, program)))  # recognised in some spellings


@pytest.mark.parametrize(("manager", "module"), _MODULES)
def test_every_python_module_of_the_tables_passes(manager: Manager, module: str) -> None:
    assert sum(map(_lets_through, module_runs(manager, module)))


_NAMES = sorted({n for row in MANAGERS.values() for n in (*row.programs, *row.versioned, *row.python_modules)})
_PIECES = [" ", "  ", "\t", ";", "&&", "||", "|", "(", ")", "{ ", " }", "!", "`", "$(", "<", ">", "2>&1",
           "'", '"', "\\", "$", "=", "-", "/", "/usr/bin/", ".", "3", ".12", "x", "sudo ", "env A=1 ",
           "python3 -m ", "-m ", "\\\n", "\\\n# c\n", "\\\n#c\n", "\\ \n", "\n", "install", "#"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_NAMES), st.sampled_from(_PIECES)), min_size=1, max_size=10),
       st.booleans())
def test_generated_scripts_pass(parts: list[str], heredoc: bool) -> None:
    for run in generated_runs(parts, heredoc):
        _lets_through(run)


def test_words_that_error_recovery_starts_or_ends_pass() -> None:
    assert sum(map(_lets_through, recovery_runs())) > 500
