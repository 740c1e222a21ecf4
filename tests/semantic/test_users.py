"""useradd/adduser/groupadd parsing and USER resolution."""

from __future__ import annotations

import pytest

import dockmod
from dockmod.semantic import build_model
from dockmod.semantic.users import (
    CreatedGroup,
    CreatedUser,
    parse_user_command,
    resolve_user,
)
from dockmod.shell import parse_shell


def created(text: str):  # type: ignore[no-untyped-def]
    (cmd,) = [c for c in parse_shell(text).commands]
    return parse_user_command(cmd)


@pytest.mark.parametrize(("text", "expected"), [
    ("useradd -u 1001 -g 1001 -m app", CreatedUser("app", 1001, 1001, "/home/app", False, home_created=True)),
    ("useradd -ms /bin/bash -u 7 app", CreatedUser("app", 7, None, "/home/app", False, home_created=True)),
    ("useradd -M -u 7 app", CreatedUser("app", 7, None, "/home/app", False, home_created=False)),
    ("useradd --uid=10 --home-dir /srv app", CreatedUser("app", 10, None, "/srv", False)),
    ("useradd -r -s /bin/false svc", CreatedUser("svc", None, None, "/home/svc", True)),
    ("useradd -u 5 -g app app", CreatedUser("app", 5, None, "/home/app", False, group="app")),
    ("adduser -D -u 1000 -G www -h /app web", CreatedUser("web", 1000, None, "/app", False, group="www",
                                                         home_created=True)),
    ("adduser -D -H -u 1000 web", CreatedUser("web", 1000, None, "/home/web", False, home_created=False)),
    ("adduser --system app", CreatedUser("app", None, None, "/nonexistent", True, home_created=False)),
    ("adduser --system --uid 999 --home /var/lib/x x", CreatedUser("x", 999, None, "/var/lib/x", True,
                                                                    home_created=True)),
    ("groupadd -g 2000 grp", CreatedGroup("grp", 2000)),
    ("addgroup -g 82 -S www-data", CreatedGroup("www-data", 82)),
])
def test_parse_user_command(text: str, expected: object) -> None:
    assert created(text) == expected


def test_variable_uid_is_unknown() -> None:
    u = created("useradd -u $UID app")
    assert isinstance(u, CreatedUser) and u.uid is None


def test_resolve_numeric_and_group_specs() -> None:
    made = [CreatedUser("app", 1001, 1001, "/home/app", False), CreatedGroup("grp", 3000)]
    assert resolve_user("1001", made, None).name == "app"
    u = resolve_user("app:grp", made, None)
    assert (u.uid, u.gid) == (1001, 3000)
    assert resolve_user("4242:4343", [], None).gid == 4343
    nobody = resolve_user("nobody", [], {"root": (0, 0, "/root"), "nobody": (65534, 65534, "/nonexistent")})
    assert nobody.uid == 65534
    unknown = resolve_user("ghost", [], {"root": (0, 0, "/root")})
    assert unknown.uid is None and unknown.reason


def test_user_created_in_a_parent_stage_and_heredoc() -> None:
    df = dockmod.parse(
        "FROM debian:bookworm AS base\nRUN <<EOF\nset -e\nuseradd -u 4000 -m worker\nEOF\n"
        "FROM base\nUSER worker:worker\nRUN id\n"
    )
    m = build_model(df)
    u = m.scope_at(df.body[-1]).user
    assert (u.name, u.uid, u.home) == ("worker", 4000, "/home/worker")


def test_user_from_a_variable_is_unknown() -> None:
    df = dockmod.parse("FROM debian\nARG U\nUSER $U\nRUN id\n")
    u = build_model(df).scope_at(df.body[-1]).user
    assert u.uid is None and "cannot know" in (u.reason or "")


def test_distroless_nonroot() -> None:
    df = dockmod.parse("FROM gcr.io/distroless/static-debian12:nonroot\nCOPY a /a\n")
    s = build_model(df).scope_at(df.body[-1])
    assert (s.user.uid, s.home, s.workdir) == (65532, "/home/nonroot", "/home/nonroot")


def test_usermod_changes_the_uid_of_an_account() -> None:
    table = {"root": (0, 0, "/root"), "node": (1000, 1000, "/home/node")}
    made = [created("usermod -u 1001 -g 1001 node")]
    node = resolve_user("node", made, table)
    assert (node.uid, node.home, node.home_made) == (1001, "/home/node", True)
    assert resolve_user("1000", made, table).uid == 1000 and resolve_user("1000", made, table).name is None
    assert resolve_user("1001", made, table).name == "node"
    assert resolve_user("node", [created("usermod -u $UID node")], table).uid is None
    own = [created("useradd -m -u 1000 app"), created("usermod -d /srv/app app")]
    app = resolve_user("app", own, None)
    assert (app.uid, app.home, app.home_made) == (1000, "/srv/app", False)
    assert created("groupmod -g 1001 node") == CreatedGroup("node", 1001)
    assert created("usermod -aG docker node") is None


def test_uid_from_a_variable_is_told_from_a_uid_the_system_picks() -> None:
    # ``-u "${APP_UID}"`` names a uid dockmod cannot know; without ``-u`` the system picks
    # one: the two reasons differ (the first is fixed by a literal, the second by ``-u``).
    text = "FROM debian:bookworm\nARG APP_UID=1000\nRUN useradd {opt}-m app\nUSER app\nRUN id\n"
    df = dockmod.parse(text.format(opt='-u "${APP_UID}" '))
    given = build_model(df).scope_at(df.body[-1]).user
    assert given.uid is None and given.home == "/home/app"
    assert given.reason == "user `app` is created with a uid dockmod cannot know (not a literal number)"
    df = dockmod.parse(text.format(opt=""))
    picked = build_model(df).scope_at(df.body[-1]).user
    assert picked.uid is None and picked.reason == "useradd gives user `app` no fixed uid"
