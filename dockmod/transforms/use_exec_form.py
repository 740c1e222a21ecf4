"""Write shell-form ``CMD`` and ``ENTRYPOINT`` in exec (JSON) form.

## What it does
Finds ``CMD`` and ``ENTRYPOINT`` in shell form (BuildKit check ``JSONArgsRecommended``)
and, when the command is plain words, writes it as a JSON array:
``CMD gunicorn app:app`` becomes ``CMD ["gunicorn", "app:app"]``. A leading ``exec`` is
dropped (``CMD exec java -jar app.jar`` becomes ``CMD ["java", "-jar", "app.jar"]``):
the shell would have replaced itself with the program anyway.

## Why
Shell form runs ``/bin/sh -c "<command>"``, so the shell is PID 1 and the program never
sees ``SIGTERM`` from ``docker stop``: it is killed after the grace period instead of
shutting down cleanly.

## Example
``ENTRYPOINT my-program start`` becomes ``ENTRYPOINT ["my-program", "start"]``.

## Fix safety
A fix is offered only when the command is plain words: no quotes, variables, escapes,
globs, redirections, pipes, lists, subshells, comments or line continuations, and the
first word is not a shell builtin or keyword. Anything else needs a shell, and is
reported without a fix.

* ``ENTRYPOINT``: unsafe. An exec-form ``ENTRYPOINT`` receives ``CMD`` as arguments,
  including a ``CMD`` inherited from the base image, where a shell-form one ignores it.
* ``CMD``: unsafe, because an ``ENTRYPOINT`` set in the stage or inherited from the base
  image receives different arguments (``/bin/sh -c …`` before, the words after). Safe
  only when the stage (following ``FROM <stage>`` back to its root) starts ``FROM scratch``
  and sets no ``ENTRYPOINT``: then nothing else sees the arguments, and the shell form
  could not even start (``scratch`` has no ``/bin/sh``).

Not reported: stages that set or inherit a ``SHELL`` (BuildKit does not warn there either:
the shell is then a deliberate choice), files whose escape character is a backtick
(Windows images, where ``cmd /S /C`` parses the command line differently), ``ONBUILD``
triggers (they run in a child build whose stages are unknown here), and
``HEALTHCHECK CMD``.

## Options
None.
"""

from __future__ import annotations

import json

from dockmod.cst import Cmd, Dockerfile, Entrypoint, JsonArray, Shell, ShellCommand, Stage
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta

# Characters that give a shell command meaning beyond "split on whitespace", plus
# whitespace that is not a plain space or tab (a newline means a continuation).
_SHELL_META = frozenset("$\\`\"'|&;<>()*?[]~#{}\n\r\v\f")
# Words a shell runs itself; ``exec`` is handled separately (dropped).
_SHELL_WORDS = frozenset({
    "!", ".", ":", "[", "alias", "bg", "break", "case", "cd", "command", "continue", "eval",
    "exit", "export", "fg", "for", "function", "getopts", "hash", "if", "jobs", "local",
    "read", "readonly", "return", "select", "set", "shift", "source", "test", "times",
    "trap", "type", "ulimit", "umask", "unalias", "unset", "until", "wait", "while",
})


def _plain_words(command: ShellCommand) -> list[str] | None:
    """The command's words when a shell would only split it on blanks, else None."""
    if "\n" in command.raw:
        return None
    text = command.text
    if any(ch in _SHELL_META for ch in text):
        return None
    words = text.split()
    if words and words[0] == "exec":
        words = words[1:]
    # ``FOO=bar prog`` sets a variable for ``prog``: exec form would run a file `FOO=bar`.
    if not words or words[0] in _SHELL_WORDS or "=" in words[0]:
        return None
    return words


class UseExecForm(Transform):
    meta = TransformMeta(
        code="DM501",
        name="use-exec-form",
        summary="`{keyword}` in shell form: the program does not receive OS signals",
        fix_title="Write `{keyword} {json}`",
        safety=FixSafety.UNSAFE,
        safety_varies="safe for a `CMD` in a `scratch` image without `ENTRYPOINT`",
        reference="BuildKit check JSONArgsRecommended",
        examples=(
            Example(before="FROM scratch\nCOPY app /\nCMD /app serve\n",
                    after='FROM scratch\nCOPY app /\nCMD ["/app", "serve"]\n'),
            Example(before="FROM alpine\nENTRYPOINT my-program start\n",
                    after='FROM alpine\nENTRYPOINT ["my-program", "start"]\n', unsafe_fixes=True),
            Example(before='FROM alpine\nCMD echo "$HOME"\n'),
        ),
    )

    def transform(self, df: Dockerfile) -> Dockerfile:
        if df.escape != "\\":
            return df
        # Only a top-level shell-form CMD or ENTRYPOINT is ever reported (ONBUILD is not
        # entered): without one, the walk finds nothing and the stage chains are not needed.
        if not any(isinstance(i, (Cmd, Entrypoint)) and isinstance(i.command, ShellCommand) for i in df.body):
            return df
        stages = df.stages
        self._safe_cmd: set[int] = set()
        self._skip: set[int] = set()
        for stage in stages:
            chain = _chain(df, stage, stages)
            if any(isinstance(i, Shell) for s in chain for i in s.instructions):
                self._skip.update(id(i) for i in stage.instructions)
            elif chain[-1].from_.image is not None and chain[-1].from_.image.is_scratch and not any(
                    isinstance(i, Entrypoint) for s in chain for i in s.instructions):
                self._safe_cmd.update(id(i) for i in stage.instructions if isinstance(i, Cmd))
        return self.walk(df)

    def visit_Onbuild(self, node: object) -> bool:
        return False

    def _fix(self, original: Cmd | Entrypoint, updated: Cmd | Entrypoint) -> Cmd | Entrypoint:
        command = updated.command
        if not isinstance(command, ShellCommand) or id(original) in self._skip:
            return updated
        keyword = original.keyword
        words = _plain_words(command)
        if words is None:
            self.report(original, keyword=keyword.upper())
            return updated
        raw = "[" + ", ".join(json.dumps(w, ensure_ascii=False) for w in words) + "]"
        safety = FixSafety.SAFE if id(original) in self._safe_cmd else FixSafety.UNSAFE
        return self.propose(original, updated.with_changes(command=JsonArray(raw, command.escape)),
                            updated=updated, safety=safety, keyword=keyword.upper(), json=raw)

    def leave_Cmd(self, original: Cmd, updated: Cmd) -> Cmd:
        return self._fix(original, updated)

    def leave_Entrypoint(self, original: Entrypoint, updated: Entrypoint) -> Entrypoint:
        return self._fix(original, updated)


def _chain(df: Dockerfile, stage: Stage, stages: list[Stage]) -> list[Stage]:
    """``stage`` and the stages it builds on, ending with the one built from an image."""
    chain = [stage]
    while (base := df.base_stage(chain[-1], stages)) is not None and base not in chain:
        chain.append(base)
    return chain
