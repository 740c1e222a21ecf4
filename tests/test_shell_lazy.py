"""Commands are built lazily: the same values whatever is read first, and only what is read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dockmod.cli import cli
from dockmod.cst import Heredoc
from dockmod.ecosystems import calls, unquoted
from dockmod.shell import parse
from dockmod.shell.parse import SimpleCommand, parse_shell

SCRIPTS = [
    "DEBIAN_FRONTEND=noninteractive X='1 2' apt-get install -y curl > /dev/null 2>&1",
    "a && b > f; ! c 2>/dev/null | d || e &",
    "{ a; b; } > log && (cd /x && make) && export A=1 B; unset C",
    "echo 'x=1' && FOO=bar && sudo -u app env PIP_X=1 pip install -r r.txt && cat <<< word",
    "if [ -f x ]; then y=1 z; fi; for i in 1 2; do echo $i >> out; done",
    'p="$HOME/x" && "$p"/run --opt=v `cmd` $(inner x) && tee -a /etc/x < in',
    "local a=b; declare -x c=d; readonly e; typeset f=1",
    "café=1 echo é > /tmp/é && x",
    "# only a comment",
]


ATTRS = ("name", "argv", "assignments", "redirects", "span", "statement_span", "operator",
         "previous_operator", "nested", "_statement", "_previous_end", "_next", "args", "words")


def _read(text: str, order: list[str]) -> list[dict[str, object]]:
    parse.clear_cache()  # a fresh parse: nothing built yet
    return [{a: getattr(c, a) for a in order} for c in parse_shell(text).commands]


@pytest.mark.parametrize("text", SCRIPTS)
def test_values_do_not_depend_on_what_is_read_first(text: str) -> None:
    first = _read(text, list(ATTRS))
    assert first == _read(text, list(reversed(ATTRS)))
    # The short cuts: the name, or the assignments, alone first.
    assert first == _read(text, ["assignments", *ATTRS])
    assert first == _read(text, ["redirects", *ATTRS])
    assert first == _read(text, ["operator", *ATTRS])


def test_assignments_and_redirects_found_lazily() -> None:
    parse.clear_cache()
    (cmd,) = parse_shell(SCRIPTS[0]).commands
    assert [w.text for w in cmd.assignments] == ["DEBIAN_FRONTEND=noninteractive", "X=1 2"]
    assert cmd.redirects == ("> /dev/null", "2>&1")
    a, b, *_ = parse_shell("a && b > f; c").commands
    assert (a.redirects, b.redirects) == ((), ("> f",))  # bash binds it to ``b``


def test_reading_names_builds_no_words_and_recognising_builds_only_calls() -> None:
    parse.clear_cache()
    script = parse_shell("echo start && apt-get install -y curl && rm -rf /var/lib/apt/lists/*")
    assert [c.name for c in script.commands] == ["echo", "apt-get", "rm"]
    assert all(c._words is None and c._links is None for c in script.commands)
    (call,) = calls(script)
    assert call.command is script.commands[1]
    built = [c._words is not None for c in script.commands]
    assert built == [False, True, False]
    assert all(c._links is None for c in script.commands)


def test_commands_are_immutable_values() -> None:
    parse.clear_cache()
    a = parse_shell("apt-get install -y curl && echo done").commands
    parse.clear_cache()
    b = parse_shell("apt-get install -y curl && echo done").commands
    assert a is not b and a == b and hash(a) == hash(b)
    assert a[0] != a[1]
    with pytest.raises(AttributeError):
        a[0].name = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        a[0].span = (0, 0)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del a[0].nested
    assert repr(a[1]).startswith("SimpleCommand(name='echo', argv=(ShellWord(raw='echo'")


_QUOTING = re.compile(r"\\\r?\n|[\\'\"]")


@pytest.mark.parametrize("text", [
    "", "plain", "a\\\nb", "a\\\r\nb", "\\\\\nx", "\\\\\r\n\nx", "\\\\\n\r\nx", "x\\", "\\",
    "'a'\"b\"\\c", "pip \\\n  install 'x' \\\n  \"y\"", "\\\r\\\n", "\\\n\\\n\\\n",
])
def test_unquoted_removes_what_its_definition_removes(text: str) -> None:
    # The definition: every backslash, with a newline (``\n`` or ``\r\n``) right after it,
    # and every quote.
    assert unquoted(text) == _QUOTING.sub("", text)


def test_check_parses_no_run_that_no_transform_reads(tmp_path: Path) -> None:
    """RUNs that name no package manager or credential file are not parsed by ``check``
    (the transforms' text pre-filters); one that names one is."""
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine:3.20\nRUN echo hi > /tmp/x && make build\nRUN ./configure\n"
                    "COPY . /src\nRUN cp -r /src /app\n")
    parse.clear_cache()
    with parse.trace() as log:
        result = CliRunner().invoke(cli, ["check", "-j", "1", "--exit-zero", str(path)])
    assert result.exit_code == 0, result.output
    assert log == []
    path.write_text("FROM debian:12\nRUN echo hi > /tmp/x && apt-get install -y curl\n")
    with parse.trace() as log:
        result = CliRunner().invoke(cli, ["check", "-j", "1", "--exit-zero", str(path)])
    assert result.exit_code == 0, result.output
    assert log[0] == ("echo hi > /tmp/x && apt-get install -y curl", "\\")  # then the fixes' texts


_PIECES = ["a", "b x", "! c", "d > f", "e 2>&1", "(f; g)", "{ h; i; }", "j | k", "l |& m",
           "if n; then o; fi", "while p; do q; done", "r=$(s && t)", "export U=1", "v &", "w <<EOF"]
_JOINS = [" && ", " || ", "; ", " | ", " & ", "\n", " &&\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_JOINS)), min_size=1, max_size=7),
       st.booleans())
def test_operators_in_one_walk_are_each_commands_operator(parts: list[tuple[str, str]], heredoc_body: bool) -> None:
    # A heredoc body joins its commands by newlines too (NEWLINE); a RUN's text by operators.
    text = "".join(p + j for p, j in parts).rstrip(" &|;\n")
    parse.clear_cache()  # a fresh parse: no command has found its operator yet
    if heredoc_body:
        script = parse.parse_heredoc_body(Heredoc(body=text + "\n", terminator="EOF\n"))
    else:
        script = parse_shell(text)
    got = parse.operators(script)
    assert got == tuple(c.operator for c in script.commands)


@pytest.mark.parametrize("text", [s for s in SCRIPTS if not parse_shell(s).has_error])
def test_operators_of_the_lazy_scripts(text: str) -> None:
    script = parse_shell(text)
    assert parse.operators(script) == tuple(c.operator for c in script.commands)
    assert parse.operators(script) is parse.operators(script)  # memoised with the script
