"""DM201 skips the RUNs that name no manager of ``STEP_MANAGERS`` without parsing them: that
holds only while a system package manager's call is never a dependency or project step."""

from __future__ import annotations

import pytest

from dockmod.ecosystems import MANAGERS, InstallKind, calls
from dockmod.ecosystems.steps import is_dependency_step, mixed_pip, project_step
from dockmod.semantic.installs import STEP_MANAGERS
from dockmod.shell import parse_shell

_OTHERS = sorted((m for m in MANAGERS if m not in STEP_MANAGERS), key=lambda m: m.value)
_ACTIONS = ("install", "add", "update", "upgrade", "restore", "sync", "build", "download", "source",
            "fix", "refresh", "in", "ci", "fetch", "")
# With no operand, the default rule would call an install a dependency install.
_OPERANDS = ("", " curl", " -y curl", " ./local.deb", " -r requirements.txt", " .")


def test_step_managers_leave_out_only_system_rows() -> None:
    assert _OTHERS and all(MANAGERS[m].system for m in _OTHERS)
    assert all(not MANAGERS[m].system for m in STEP_MANAGERS)


@pytest.mark.parametrize("manager", _OTHERS, ids=lambda m: m.value)
def test_system_calls_are_never_steps(manager) -> None:  # type: ignore[no-untyped-def]
    row = MANAGERS[manager]
    seen = 0
    for program in row.programs:
        for action in sorted({*_ACTIONS, *row.install_actions}):
            for operands in _OPERANDS:
                for call in calls(parse_shell(f"{program} {action}{operands}".strip())):
                    seen += 1
                    assert call.kind not in (InstallKind.DEPENDENCIES, InstallKind.PROJECT), call
                    assert not (is_dependency_step(call) or mixed_pip(call) or project_step(call)), call
    assert seen
