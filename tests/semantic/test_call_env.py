"""``caches.call_env``: the ``activate`` of a virtual environment the script created is
read as what it sets; any other command that may set any variable keeps it unknown."""

from __future__ import annotations

import pytest

from dockmod.cst.arguments import ShellCommand
from dockmod.lang.words import UNKNOWN
from dockmod.semantic.caches import call_env
from dockmod.shell.parse import parse_shell

BASE = {"HOME": "/root", "PATH": "/usr/bin"}.get


def _env(text: str):  # type: ignore[no-untyped-def]
    script = parse_shell(ShellCommand(raw=text, escape="\\"))
    return call_env(BASE, script, script.commands[-1])


@pytest.mark.parametrize("text", [
    "python3 -m venv /venv && . /venv/bin/activate && pip install x",
    "virtualenv -p python3 /opt/v && source /opt/v/bin/activate && pip install x",
    "uv venv /venv && . /venv/bin/activate && uv pip install x",
    "cd /srv && python -m venv .venv && . /srv/.venv/bin/activate && pip install x",
    "python -m venv .venv && . ./.venv/bin/activate && pip install x",
])
def test_known_activate(text: str) -> None:
    get = _env(text)
    assert get("HOME") == "/root" and get("PIP_CACHE_DIR") is None
    assert get("PATH") is UNKNOWN and get("VIRTUAL_ENV") is UNKNOWN  # what activate sets


@pytest.mark.parametrize("text", [
    ". /venv/bin/activate && pip install x",  # made elsewhere
    "python -m venv /venv && . /other/bin/activate && pip install x",
    "python -m venv /venv && sed -i s/x/y/ /venv/bin/activate && . /venv/bin/activate && pip install x",
    "python -m venv /venv && . /venv/bin/activate && export $EXTRA && pip install x",
    "python -m venv /venv && . /venv/bin/activate && eval \"$X\" && pip install x",
    "python -m venv .venv && cd /tmp && . .venv/bin/activate && pip install x",
    "python -m venv /venv && . /venv/bin/activate && export HOME=$X && pip install x",
])
def test_unknown_after_source(text: str) -> None:
    assert _env(text)("HOME") is UNKNOWN
