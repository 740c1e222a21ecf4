"""DM202's cleaner reads ``~`` and ``$HOME`` in ``rm`` operands as the ``HOME`` in effect
(``cache_use.cleaner(..., home=)``): only where the shell expands them."""

from __future__ import annotations

import pytest

from dockmod.cst.arguments import ShellCommand
from dockmod.ecosystems import Manager
from dockmod.ecosystems.cache_use import cleaner
from dockmod.shell.parse import parse_shell


def _in_pip(path: str) -> bool:
    return path == "/root/.cache/pip" or path.startswith("/root/.cache/pip/")


def _cleaner(text: str, home: str | None) -> str | None:
    cmd = parse_shell(ShellCommand(raw=text, escape="\\")).commands[0]
    return cleaner(cmd, (Manager.PIP,), _in_pip, home)


@pytest.mark.parametrize("text", ["rm -rf ~/.cache/pip", "rm -rf ~/.cache/pip/*", 'rm -rf "$HOME"/.cache/pip',
                                  "rm -rf ${HOME}/.cache/pip", 'rm -rf "${HOME}/.cache/pip/http"'])
def test_home_operands_inside_the_mount(text: str) -> None:
    assert _cleaner(text, "/root") == "rm"
    assert _cleaner(text, None) is None  # HOME not known: not read
    assert _cleaner(text, "/home/app") is None  # another HOME: outside the mount


@pytest.mark.parametrize("text", ['rm -rf "~/.cache/pip"', "rm -rf '$HOME/.cache/pip'", "rm -rf $HOME/$X",
                                  "rm -rf ~root/.cache/pip", "rm -rf $HOMEDIR/.cache/pip", "rm -rf ~/.cache"])
def test_not_home_in_the_mount(text: str) -> None:
    """A quoted ``~`` (a directory named ``~``), a quoted ``$HOME``, another expansion, ``~user``
    and ``$HOMEDIR`` are not read as ``HOME``; ``~/.cache`` holds the mount."""
    assert _cleaner(text, "/root") is None
