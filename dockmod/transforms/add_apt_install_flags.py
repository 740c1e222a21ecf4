"""Add ``-y`` and ``--no-install-recommends`` to ``apt-get install``.

## What it does
Finds ``apt-get install`` (and ``apt install``) in shell-form RUNs without ``-y`` (hadolint
DL3014) or without ``--no-install-recommends`` (hadolint DL3015), and adds the missing
flag after ``install`` and the options that directly follow it (with the value of an
option such as ``-o``), never after ``--``. Every call of a RUN is fixed in one edit. The
rest of the RUN keeps its layout byte for byte. A simulation (``-s``, ``--simulate``,
``--dry-run``, ``--just-print``, ``--no-act``, ``--recon``: the apt row) installs nothing
and is left alone.

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

from typing import Any

from dockmod.cst import Dockerfile, Run, Shell, ShellCommand
from dockmod.ecosystems import calls as pm_calls
from dockmod.semantic.runs import may_mention
from dockmod.shell import edits, parse_shell  # edits.insert_words: looked up per call (tests patch it)
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta


class AddAptInstallFlags(Transform):
    meta = TransformMeta(
        code="DM512",
        name="add-apt-install-flags",
        summary="`{program} install` without `{flag}`{note}",
        fix_title="Add `{flag}`",
        safety=FixSafety.SAFE,
        safety_varies="unsafe for `--no-install-recommends`",
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
        return self.walk(df)

    def visit_From(self, node: object) -> bool:
        self._posix = True
        return False

    def visit_Shell(self, node: Shell) -> bool:
        values = node.command.values if node.command is not None and node.is_exec_form else []
        self._posix = bool(values) and values[0].rsplit("/", 1)[-1] in ("sh", "bash", "dash", "ash", "zsh")
        return False

    def leave_Run(self, original: Run, updated: Run) -> Run:
        if not self._posix or not isinstance(updated.command, ShellCommand) \
                or not may_mention(updated, ("apt",), heredocs=False):
            return updated
        command = updated.command
        script = parse_shell(command)
        # Every missing flag of every call, found on the text as it is, then fixed with one
        # edit (so a RUN with many calls is fixed in one pass, and parsed twice at most).
        wanted: list[tuple[str, FixSafety, Any, Any, dict[str, str]]] = []
        installs = [call for call in pm_calls(script)
                    if call.manager.value in ("apt-get", "apt") and call.action == "install"]
        for flag, safety in _FLAGS:
            for call in installs:
                present = call.assume_yes if flag == "-y" else call.has_option(flag)
                if present or not call.action_words:
                    continue
                program = " ".join(w.text for w in call.program) or call.manager.value
                loc = (original.command, *call.command.span) if original.command is command else None
                wanted.append((flag, safety, _anchor(call), loc, {"program": program, "flag": flag,
                                                                   "note": _NOTES[flag]}))
        if not wanted:
            return updated
        edited = edits.insert_words(command, [(anchor, [flag]) for flag, _, anchor, _, _ in wanted
                                              if anchor is not None])
        applied: list[tuple[Any, list[str]]] = []
        for flag, safety, anchor, loc, msg in wanted:
            # Each proposal is this one insertion on the text as it was: its key does not
            # depend on which other proposals this run applies. When the edit of all of them
            # fails to verify (rare), each is verified alone.
            if anchor is None:
                one = None
            elif edited is not None:
                one = _insert_one(command, anchor, flag)
            else:
                one = edits.insert_words(command, [(anchor, [flag])])
            if one is None:
                self.report(original, loc=loc, no_fix_reason="the command could not be edited safely", **msg)
                continue
            if self.propose(original, updated.with_changes(command=one), updated=updated,
                            safety=safety, loc=loc, **msg) is not updated:
                applied.append((anchor, [flag]))
        if not applied:
            return updated
        if edited is None or len(applied) != len(wanted):
            edited = edits.insert_words(command, applied)
            if edited is None:
                return updated
        return updated.with_changes(command=edited)


_FLAGS = (("-y", FixSafety.SAFE), ("--no-install-recommends", FixSafety.UNSAFE))
#: Why a flag's fix is unsafe, said in the finding (as DM201's and DM202's notes do).
_NOTES = {"-y": "", "--no-install-recommends": "; unsafe: the packages apt recommends are no longer installed, "
                                               "and the image may need one"}


def _anchor(call: Any) -> Any:
    """The word to insert a flag after: the last option that directly follows ``install``
    (with its value: the apt row's options that take one, ``-o Dpkg::Options::=…``), never
    past ``--`` (after it every word is a package); None when the action word is not an
    argument of the command."""
    valued = call.info.spec.takes_value
    argv = call.command.argv
    try:
        i = argv.index(call.action_words[-1])
    except ValueError:
        return None
    while i + 1 < len(argv):
        text = argv[i + 1].text
        if text == "--" or not text.startswith("-"):
            break
        i += 1
        if text in valued and i + 1 < len(argv):
            i += 1
    return argv[i]


def _insert_one(command: ShellCommand, anchor: Any, flag: str) -> ShellCommand:
    """``command`` with `` flag`` after ``anchor`` (unverified: the edit of all insertions,
    a superset of this one, was verified)."""
    e = anchor.span[1]
    return command.with_changes(raw=command.raw[:e] + " " + flag + command.raw[e:])
