"""Add ``-y`` and ``--no-install-recommends`` to ``apt-get install``.

## What it does
Finds ``apt-get install`` (and ``apt install``) in shell-form RUNs without ``-y`` (hadolint
DL3014) or without ``--no-install-recommends`` (hadolint DL3015), and adds the missing
flag right after ``install``. The rest of the RUN keeps its layout byte for byte.

## Why
A build has no terminal to answer apt's prompt: without ``-y`` an install that needs
confirmation aborts. Recommended packages make images larger and are rarely needed.

## Example
``RUN apt-get install curl`` becomes ``RUN apt-get install -y --no-install-recommends curl``
(the second flag with ``--unsafe-fixes``).

## Fix safety
* ``-y``: safe. A build that succeeds today never reaches the prompt (or already assumes
  yes through configuration), and with ``-y`` it still installs the same packages.
* ``--no-install-recommends``: unsafe. It changes which packages are installed; software
  that relied on a recommended package can break at build or run time.

RUNs in files with a backtick escape or a non-POSIX ``SHELL`` are left alone, and so are
heredoc bodies.

## Options
None.
"""

from __future__ import annotations

from dockmod.cst import Dockerfile, Run, Shell, ShellCommand
from dockmod.ecosystems import Manager
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta

_APT = frozenset({Manager.APT_GET, Manager.APT})


class AddAptInstallFlags(Transform):
    meta = TransformMeta(
        code="DM512",
        name="add-apt-install-flags",
        summary="`{program} install` without `{flag}`",
        fix_title="Add `{flag}`",
        safety=FixSafety.SAFE,
        reference="hadolint DL3014, DL3015",
        examples=(
            Example(before="FROM debian\nRUN apt-get update && apt-get install --no-install-recommends curl\n",
                    after="FROM debian\nRUN apt-get update && apt-get install --no-install-recommends -y curl\n"),
            Example(before="FROM debian\nRUN apt-get install -y curl\n",
                    after="FROM debian\nRUN apt-get install -y --no-install-recommends curl\n",
                    unsafe_fixes=True),
            Example(before="FROM debian\nRUN apt-get install -qy --no-install-recommends curl\n"),
        ),
    )

    def transform(self, df: Dockerfile) -> Dockerfile:
        if df.escape != "\\":
            return df
        self._posix = True
        return df.visit(self)

    def visit_From(self, node: object) -> bool:
        self._posix = True
        return False

    def visit_Shell(self, node: Shell) -> bool:
        values = node.command.values if node.command is not None and node.is_exec_form else []
        self._posix = bool(values) and values[0].rsplit("/", 1)[-1] in ("sh", "bash", "dash", "ash", "zsh")
        return False

    def leave_Run(self, original: Run, updated: Run) -> Run:
        if not self._posix or not isinstance(updated.command, ShellCommand):
            return updated
        from dockmod.ecosystems import calls as pm_calls
        from dockmod.ecosystems import may_call
        from dockmod.shell import insert_words_after, parse_shell

        if not may_call(updated.command.raw, _APT):
            return updated  # names no apt program: no parse

        for flag, safety in (("-y", FixSafety.SAFE), ("--no-install-recommends", FixSafety.UNSAFE)):
            command = updated.command
            assert isinstance(command, ShellCommand)
            script = parse_shell(command)
            for call in pm_calls(script):
                if call.manager.value not in ("apt-get", "apt") or call.action != "install":
                    continue
                present = call.assume_yes if flag == "-y" else call.has_option(flag)
                if present or not call.action_words:
                    continue
                program = " ".join(w.text for w in call.program) or call.manager.value
                # After the options that directly follow `install`, before the packages.
                argv = call.command.argv
                i = argv.index(call.action_words[-1])
                while i + 1 < len(argv) and argv[i + 1].text.startswith("-"):
                    i += 1
                new = insert_words_after(command, argv[i], [flag])
                msg = {"program": program, "flag": flag}
                loc = (original.command, *call.command.span) if original.command is command else None
                if new is None:
                    self.report(original, loc=loc, no_fix_reason="the command could not be edited safely", **msg)
                    continue
                replaced = self.propose(original, updated.with_changes(command=new), updated=updated,
                                        safety=safety, loc=loc, **msg)
                if replaced is not updated:
                    updated = replaced
                    break  # spans changed: look again with the new text
        return updated
