"""Report a ``RUN`` that writes a secret into a file that stays in the image's layer.

## What it does
Finds ``RUN`` instructions that write a credential into a file a tool reads it from and
do not remove that file before the ``RUN`` ends, so the credential is stored in the
layer (and in every image built on it):

* a redirection or ``tee`` into a credential file (``.npmrc``, ``.netrc``, ``pip.conf``,
  ``.pypirc``, ``.git-credentials``, ``.docker/config.json``, ``settings.xml`` …, see
  ``dockmod/ecosystems/secrets.py``) whose command names a secret variable or a
  credential written out;
* ``git config url.<url>.insteadOf`` where the URL carries a secret variable or a
  password (it is stored in ``.gitconfig``);
* ``npm config set …_authToken`` / ``_auth`` / ``_password`` (stored in ``.npmrc``).

A ``RUN`` that removes the file later in the same script (``rm .npmrc``,
``git config --unset``, ``npm config delete``) is not reported: the file never reaches
the layer. Secret variables are recognised by name with the rule DM301 uses.

## Why
Moving the token itself to a secret mount (DM301) does not help if the ``RUN`` then
writes it to ``~/.gitconfig``: the layer keeps the file.

## Example
``RUN git config --global url."https://${TOKEN}@github.com/".insteadOf "https://github.com/" && go mod download``
is reported. Either drop the file in the same ``RUN`` (``&& git config --global --unset-all
url.….insteadOf``), pass the setting for this command only (``git -c url.….insteadOf=… …``),
or mount a prepared file: ``RUN --mount=type=secret,id=gitconfig,target=/root/.gitconfig``,
built with ``--secret id=gitconfig,src=$HOME/.gitconfig``.

## Fix safety
Report only: the right repair depends on what the later steps of the build need from
the file, which dockmod cannot see.

## Options
None.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache

from dockmod.cst import Dockerfile, Onbuild, Run, ShellCommand
from dockmod.ecosystems import secrets as data
from dockmod.secrets import is_secret_name, looks_like_credential
from dockmod.semantic.runs import may_mention
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta

_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_REDIRECT_TARGET = re.compile(r"^[0-9]*>>?\s*(.+)$")
_NPM_AUTH = re.compile(r"(?:^|:)_(?:authToken|auth|password)$")
# The programs whose words are read below; any other command matters only by its redirects.
_READ = frozenset({"tee", "git", "npm", "pnpm", "yarn", "rm"})


# What a RUN that writes a credential file must mention: the file's name, or the setting
# (`url.….insteadOf`, an npm `_auth` key). RUNs that mention none are not parsed.
_NEEDLES = tuple(sorted({f.lower() for f, _, _ in data.CREDENTIAL_FILES} | {"insteadof", "_auth", "_password"}))


@lru_cache(maxsize=256)  # asked again for each redirect of a script
def _secret_in(text: str) -> bool:
    if any(is_secret_name(m.group(1)) for m in _VAR.finditer(text)):
        return True
    return any(looks_like_credential(w.strip("'\"")) for w in text.split())


class MountSecretFiles(Transform):
    meta = TransformMeta(
        code="DM302",
        name="mount-secret-files",
        summary="`RUN` writes a secret into `{path}` ({how}), which stays in the layer",
        fix_title=None,
        safety=FixSafety.DISPLAY_ONLY,
        reference="Docker docs: Build secrets",
        examples=(
            Example(before='FROM golang:1.23\nARG GIT_TOKEN\n'
                           'RUN git config --global url."https://${GIT_TOKEN}@github.com/".insteadOf '
                           '"https://github.com/" && go mod download\n'),
            Example(before='FROM node:22\nARG NPM_TOKEN\n'
                           'RUN echo "//r/:_authToken=$NPM_TOKEN" > .npmrc && npm ci && rm .npmrc\n'),
        ),
    )

    def transform(self, df: Dockerfile) -> Dockerfile:
        if df.escape != "\\":
            return df
        from dockmod.semantic.runs import content

        for top in df.body:
            ins = top.instruction if isinstance(top, Onbuild) and top.instruction is not None else top
            if not isinstance(ins, Run) or not isinstance(ins.command, ShellCommand) or not may_mention(ins, _NEEDLES):
                continue
            # The semantic model's parse of the RUN (an ONBUILD trigger is no instruction of
            # this file's stages: its text-level facts).
            scripts = content(ins).scripts if ins is not top else self.context.model.run(ins).scripts
            self._run(top, scripts, "".join(h.body for h in ins.heredocs))
        return df

    def _run(self, top, scripts, bodies: str) -> None:  # type: ignore[no-untyped-def]
        written: list[tuple[str, str]] = []  # (file, how)
        removed: set[str] = set()
        for script in scripts:
            # What reaches a redirect or tee may come through a pipe: the whole script.
            whole = script.text + "\n" + bodies  # a heredoc may be the data written
            for cmd in script.commands:
                name = posixpath.basename(cmd.name)
                if not cmd.redirects and name not in _READ:
                    continue
                words = cmd.words
                for r in cmd.redirects:
                    m = _REDIRECT_TARGET.match(r.strip())
                    if m and _credential_file(m.group(1)) and _secret_in(whole):
                        written.append((_base(m.group(1)), f"`{name}` redirected into it"))
                if name == "tee" and _secret_in(whole):
                    for w in words[1:]:
                        if not w.startswith("-") and _credential_file(w):
                            written.append((_base(w), "`tee`"))
                if name == "git" and "config" in words:
                    rest = words[words.index("config") + 1:]
                    if any(w.startswith("--unset") or w == "--remove-section" for w in rest):
                        removed.add(".gitconfig")
                    elif any(w.lower().endswith(".insteadof") or ".insteadof=" in w.lower() for w in rest) \
                            and _secret_in(" ".join(w.raw for w in cmd.argv)):
                        written.append((".gitconfig", "`git config url….insteadOf`"))
                if name in ("npm", "pnpm", "yarn") and "config" in words:
                    rest = words[words.index("config") + 1:]
                    if rest[:1] in (["delete"], ["rm"]):
                        removed.add(".npmrc")
                    elif rest[:1] == ["set"] and any(_NPM_AUTH.search(w.split("=", 1)[0]) for w in rest[1:]):
                        written.append((".npmrc", f"`{name} config set`"))
                if name == "rm":
                    for w in words[1:]:
                        if not w.startswith("-"):
                            removed.add(_base(w))
        for path, how in dict.fromkeys(written):
            if path not in removed:
                self.report(top, path=path, how=how)


def _base(path: str) -> str:
    return posixpath.basename(path.strip("'\"").rstrip("/"))


def _credential_file(path: str) -> bool:
    base = _base(path)
    if base == "config.json":
        return ".docker" in path
    if base == "credentials":
        return ".aws" in path
    return any(base == f for f, _, _ in data.CREDENTIAL_FILES)
