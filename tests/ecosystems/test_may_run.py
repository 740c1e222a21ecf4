"""DM202's stricter pre-filter (``cache_use.may_run`` through ``semantic.caches.may_run_any``)
never rejects a RUN in which the recogniser finds a call: on every corpus RUN, on each
table's programs spelled every way a script may spell them, on error-recovered words and on
generated scripts (the inputs of test_may_call). And it still rejects names inside words, and
paths that are arguments (``ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet``).

It is read in scripts that tree-sitter-bash parses without error (DM202 reads no other:
where it recovers from an error, it may take any word for a command's name), so the calls
counted here are those of such scripts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockmod.cst.arguments import ShellCommand
from dockmod.cst.instructions import Run
from dockmod.ecosystems import Manager, calls
from dockmod.semantic.caches import may_run_any
from dockmod.semantic.runs import ALL_MANAGERS
from dockmod.shell.parse import parse_heredoc_body, parse_shell
from tests.ecosystems.test_may_call import _MODULES, _NAMES, _PIECES, _PROGRAMS, _corpus_runs, _runs, \
    generated_runs, module_runs, program_runs, recovery_runs


def _found(run: Run) -> set[Manager]:
    """Managers of every call the recogniser finds in the RUN's script and heredoc bodies
    that parse without error."""
    scripts = []
    if isinstance(run.command, ShellCommand):
        scripts.append(parse_shell(run.command))
    scripts += [parse_heredoc_body(h) for h in run.heredocs]
    return {c.manager for s in scripts if not s.has_error for c in calls(s)}


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


@pytest.mark.parametrize("raw", [
    "ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet", "mkdir /d && ln -s /usr/share/dotnet/dotnet /d/dotnet",
    "tar -xf x-$V.tgz --directory /usr/share/dotnet && rm x", "sed 's/\\r$//' f; cp /x/pip3 /y/pip3",
])  # fmt: skip
def test_paths_that_are_arguments_are_rejected(raw: str) -> None:
    for run in _runs(f"FROM x\nRUN {raw}\n"):
        assert not _found(run) and not may_run_any(run, ALL_MANAGERS)


@pytest.mark.parametrize("raw", [
    "/usr/share/dotnet/dotnet restore", "x; /x/dotnet restore", "sudo -u root /x/dotnet restore",
    "env -S x -s /x/pip install y", "nice -n 5 /x/pip install y", "2>&1 /x/pip install y",
    "x && >| f /x/pip install y", "x; <& 0 /x/pip install y", "if x; then /x/pip install y; fi",
    "A=1 /x/pip install y", "x; A=1 B=2 /x/pip install y", "<<EOF\nx; y\n/x/pip install y\nEOF",
    "sudo 'x; y /x/pip' install z", "env -S \\; -s /x/pip install z", "<<EOF\nenv -S x\\\n-s /x/pip install y\nEOF",
])  # fmt: skip
def test_paths_that_are_programs_pass(raw: str) -> None:
    runs = _runs(f"FROM x\nRUN {raw}\n")
    assert runs and sum(map(_lets_through, runs))


# Pieces around a path to a program: commands, wrappers and their options, keywords,
# redirections, quotes, escapes and expansions that decide whether it is run.
_PATH_PIECES = ["ln -s ", "cp ", "/usr/share/dotnet/", "/x/", "sudo ", "-u ", "root ", "env ", "-S ", "-s ",
                "A=1 ", "nice ", "-n ", "5 ", "then ", "do ", "if ", "; ", " && ", "|", "&", "2>&1 ", ">| ",
                "<& ", "\\", "\\\n", "\n", "'", '"', "$X ", "${X} ", "$(", ")", "`", "# ", " ", "\t",
                "install y", "restore", "3", ".12", "'3'", ";"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_NAMES), st.sampled_from(_PATH_PIECES)), min_size=1, max_size=10),
       st.booleans())
def test_generated_paths_pass(parts: list[str], heredoc: bool) -> None:
    for run in generated_runs(parts, heredoc):
        _lets_through(run)


@pytest.mark.parametrize(("manager", "program"), _PROGRAMS)
def test_every_program_of_the_tables_passes(manager: Manager, program: str) -> None:
    assert sum(map(_lets_through, program_runs(manager, program)))


@pytest.mark.parametrize(("manager", "module"), _MODULES)
def test_every_python_module_of_the_tables_passes(manager: Manager, module: str) -> None:
    assert sum(map(_lets_through, module_runs(manager, module)))


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_NAMES), st.sampled_from(_PIECES)), min_size=1, max_size=10),
       st.booleans())
def test_generated_scripts_pass(parts: list[str], heredoc: bool) -> None:
    for run in generated_runs(parts, heredoc):
        _lets_through(run)


def test_words_that_error_recovery_starts_or_ends_pass() -> None:
    assert sum(map(_lets_through, recovery_runs())) > 300
