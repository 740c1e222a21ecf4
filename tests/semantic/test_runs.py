"""RunFacts: commands, calls, variables, cd, writes, users, and parsing once per text."""

from __future__ import annotations

import dockmod
from dockmod.cst.instructions import Run
from dockmod.semantic import build_model
from dockmod.semantic import runs as runs_mod


def facts(text: str, which: int = -1):  # type: ignore[no-untyped-def]
    df = dockmod.parse(text)
    m = build_model(df)
    run = [i for i in df.body if isinstance(i, Run)][which]
    return m.run(run)


def test_calls_reads_assigns_and_writes() -> None:
    f = facts(
        "FROM python:3.12\nWORKDIR /app\n"
        "RUN export PIP_X=1 && A=2 pip install -r req.txt \"$EXTRA\" ${OTHER:-x} '$NOT' "
        "> log.txt && echo hi | tee /etc/motd && cp a /opt/b && mkdir -p ~/cache && cd /srv && touch t\n"
    )
    assert [(str(c.manager), c.action) for c in f.calls] == [("pip", "install")]
    assert {"EXTRA", "OTHER"} <= f.reads and "NOT" not in f.reads
    assert {"PIP_X", "A"} <= f.assigns
    assert f.cds == ("/srv",)
    assert f.writes == ("/app/log.txt", "/etc/motd", "/opt/b", "/root/cache", "/srv/t")
    assert f.posix and f.exec_form is None


def test_statement_assignment_and_unknown_relative_write() -> None:
    f = facts("FROM mycorp/x\nRUN D=/x; cd \"$D\" && touch rel && echo > /abs\n")
    assert "D" in f.assigns
    assert f.writes == ("/abs",)  # the directory after `cd "$D"` is not known statically


def test_heredoc_script_and_data_bodies() -> None:
    script = facts("FROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n")
    assert [c.action for c in script.calls] == ["update", "install"]
    data = facts("FROM debian\nRUN cat <<EOF > /etc/app.conf\napt-get install nothing\nEOF\n")
    assert data.calls == () and data.writes == ("/etc/app.conf",)


def test_exec_form_and_non_posix_shell() -> None:
    f = facts('FROM debian\nRUN ["apt-get", "install", "-y", "x"]\n')
    assert f.exec_form == ("apt-get", "install", "-y", "x") and not f.posix and f.calls == ()
    p = facts('FROM debian\nSHELL ["pwsh", "-c"]\nRUN pip install x\n')
    assert not p.posix and p.calls == ()


def test_users_created() -> None:
    f = facts("FROM debian\nRUN groupadd -g 10 g && useradd -u 10 -g g -m u\n")
    assert [u.name for u in f.users_created] == ["u"]
    assert [g.gid for g in f.groups_created] == [10]


def test_equal_run_texts_share_one_parse(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls = []
    real = runs_mod.parse_shell

    def counting(cmd, *a, **kw):  # type: ignore[no-untyped-def]
        calls.append(cmd.raw)
        return real(cmd, *a, **kw)

    monkeypatch.setattr(runs_mod, "parse_shell", counting)
    runs_mod._CACHE.clear()
    text = "FROM debian AS a\nRUN apt-get update unique-7f3\nFROM debian AS b\nRUN apt-get update unique-7f3\n"
    df = dockmod.parse(text)
    m = build_model(df)
    for r in [i for i in df.body if isinstance(i, Run)]:
        m.run(r)
    df2 = dockmod.parse(text)  # another file, another tree: same text, still one parse
    build_model(df2).run(next(i for i in df2.body if isinstance(i, Run)))
    assert calls.count("apt-get update unique-7f3") == 1


def test_option_values_are_not_paths() -> None:
    f = facts("FROM debian\nWORKDIR /w\nRUN mkdir -m 755 /a && install -d -m 0700 -o 1 b && "
              "install -m 755 tool /usr/local/bin/tool && touch -d 2020-01-01 c && cp -t /dst x y\n")
    assert f.writes == ("/a", "/w/b", "/usr/local/bin/tool", "/w/c", "/dst")


def test_variables_read_skips_special_parameters_and_quotes() -> None:
    from dockmod.semantic.runs import variables_read

    text = "echo $$VAR ${A:-$B} \"$C\" '$D' \\$E ${#F} $1 $?G"
    assert variables_read(text) == {"A", "B", "C", "F"}
