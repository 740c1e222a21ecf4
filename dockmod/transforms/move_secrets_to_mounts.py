"""Move secrets out of ``ARG`` and ``ENV`` into ``RUN --mount=type=secret``.

## What it does
Finds ``ARG`` and ``ENV`` keys that hold a secret: by name, with BuildKit's
SecretsUsedInArgOrEnv rule (``apikey``, ``auth``, ``credential(s)``, ``key``,
``password``, ``pword``, ``passwd``, ``secret``, ``token`` as the whole key or one of its
``_``-separated words, unless ``public``, ``file`` or ``version`` is one too) plus
dockmod's additions (``pass``, ``passphrase``; allowed: ``url``, ``path``, ``dir``,
``gpg``, … see ``dockmod/ecosystems/secrets.py``); and by value, for a default that looks
like a credential (a known token prefix such as ``ghp_``, ``glpat-``, ``AKIA``, ``npm_``,
``xoxb-``, ``sk_live_``, ``AIza``; a URL with a password; a high-entropy string, guarded
against checksums and fingerprints). ``ARG TOKEN_URL`` or ``ENV PASSWORD_FILE=/run/secrets/db``
are left alone.

For each secret key the fix:

* removes every declaration of it (``ARG``, ``ENV``, and ``ENV KEY=$KEY`` copies of the
  ``ARG``), keeping the comments above them;
* gives each ``RUN`` in the key's scope that reads the variable (``$KEY`` in its shell
  text, as the semantic model's ``RunFacts.reads`` says, or a program known to read it
  from the environment, such as ``aws`` for ``AWS_SECRET_ACCESS_KEY``)
  a secret mount, ``--mount=type=secret,id=<key in lower case>``, and sets the variable
  from the mounted file inside that ``RUN`` only:
  ``export KEY="$(cat /run/secrets/key)"; …`` (for a ``RUN <<EOF`` script, as the first
  line of the script). This "file style" works with every BuildKit since
  ``docker/dockerfile:1.2``, buildah, podman and kaniko. Unless the model knows the
  ``RUN``'s user is root, the mount gets ``mode=0444`` (a secret is ``0400 root:root`` by
  default, which another user could not read);
* rewrites a ``RUN`` that only writes the variable into a credential file and removes it
  again (``echo "…${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc``; also ``.netrc``,
  ``pip.conf``, ``.pypirc``, ``.yarnrc.yml``) to mount that file as a secret at its path
  (``--mount=type=secret,id=npmrc,target=/app/.npmrc npm ci``), when the path is known
  (absolute, under a known ``WORKDIR``, or under a known ``HOME``); the build then passes the
  file (``--secret id=npmrc,src=.npmrc``), and the finding says what it must hold;
* says what the build invocation must now pass: ``docker build --secret
  id=npm_token,env=NPM_TOKEN``, compose's ``secrets:`` entry, the ``secrets:`` input of
  ``docker/build-push-action``.

Left with a finding and no fix: a key that is also expanded outside a ``RUN``'s shell
text (``FROM``, ``COPY``, ``LABEL``, another ``ENV``, a ``RUN`` flag …), where a secret
mount cannot replace it; an ``ENV`` that ``CMD``/``ENTRYPOINT``/``HEALTHCHECK`` reads at
run time; a key no ``RUN`` visibly reads; a ``RUN`` in exec form, or a heredoc script
run by another interpreter (``#!/usr/bin/env python3``); files with ``# escape=```.

## Why
An ``ARG`` value is recorded in the image's history and an ``ENV`` value in its config:
anyone who can pull the image can read them. A secret mount exists only while its
``RUN`` runs and is never written to a layer or to the image's metadata.

## Example
``ARG NPM_TOKEN`` / ``RUN npm ci`` with ``$NPM_TOKEN`` in the ``RUN`` becomes
``RUN --mount=type=secret,id=npm_token export NPM_TOKEN="$(cat /run/secrets/npm_token)"; npm ci``,
built with ``docker build --secret id=npm_token,env=NPM_TOKEN .``.

## Fix safety
Unsafe. Removing an ``ARG`` changes the build command (``--build-arg`` must become
``--secret``), and removing an ``ENV`` changes the final image (the variable is no longer
set when a container runs). A program that reads the variable from the environment
without naming it (a script, ``make``) gets it only when dockmod knows that program
(``dockmod/ecosystems/secrets.py``); other ``RUN``\\ s do not get the mount.

## Options
``allow``: extra words that make a key not secret (e.g. ``["salt"]``).
``deny``: extra words that make a key secret (e.g. ``["dsn"]``); ``allow`` wins.
``style``: ``"file"`` (default) or ``"env"``: ``--mount=type=secret,id=<id>,env=<KEY>``
and no ``export`` line. It needs ``docker/dockerfile:1.10`` (buildah 1.28 and 1.39 reject
it), so it is used only when ``target-syntax`` is unset or at least 1.10; a pinned
``# syntax`` is raised by the engine.
"""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass, field

from dockmod.cst import (
    Arg,
    Cmd,
    Dockerfile,
    Entrypoint,
    Env,
    Flag,
    Healthcheck,
    Instruction,
    KeyValue,
    Onbuild,
    Run,
    Shell,
    ShellCommand,
)
from dockmod.ecosystems import secrets as data
from dockmod.lang.words import logical_text
from dockmod.secrets import credential_in, is_secret_name
from dockmod.semantic.expand import variables
from dockmod.transforms._base import Example, FixSafety, Option, Transform, TransformMeta

# `RUN --mount=type=secret,env=` arrived in docker/dockerfile 1.10 (its release notes).
_ENV_STYLE_SYNTAX = (1, 10)
_POSIX_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"})
_EXPORTS = re.compile(r'(?:export [A-Za-z_][A-Za-z0-9_]*="\$\(cat /run/secrets/[^)"]*\)"; )*')
_BODY_EXPORTS = re.compile(r'(?:export [A-Za-z_][A-Za-z0-9_]*="\$\(cat /run/secrets/[^)"]*\)"\r?\n)*')
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NPMRC_VARIABLE = "\x00npmrc"  # stands for "the variables a .npmrc names"


@dataclass
class _Decl:
    """One declaration of a secret key: the top-level instruction and the pair."""

    top: Instruction
    ins: Arg | Env
    pair: KeyValue | None  # None: the legacy ``ENV KEY value`` form
    stage: int  # -1: a global ARG
    onbuild: bool
    copy_of_arg: bool = False  # ``ENV KEY=$KEY``


@dataclass
class _Place:
    """Who runs a RUN and where, from the semantic model's scope at that RUN.

    ``uid`` None: unknown (a base image dockmod's table does not know, a named user it
    cannot resolve, an ``ONBUILD`` trigger that runs in some child build).
    """

    uid: int | None = None
    workdir: str | None = None
    home: str | None = None

    @property
    def root(self) -> bool:
        return self.uid == 0


@dataclass
class _Secret:
    key: str
    decls: list[_Decl] = field(default_factory=list)
    reason: str = ""
    blockers: list[str] = field(default_factory=list)
    runs: list[tuple[Instruction, Run]] = field(default_factory=list)  # (top, run)
    runtime: bool = False  # an ENV the final image's containers would lose
    #: Files a RUN wrote the secret into, now mounted as secrets: (id, file name, content).
    files: list[tuple[str, str, str]] = field(default_factory=list)
    #: RUNs that still read the variable itself.
    exported: int = 0

    @property
    def id(self) -> str:
        return self.key.lower()


def invocation(secret: _Secret) -> str:
    """What the build must now pass, for docker, compose and build-push-action."""
    key, id_ = secret.key, secret.id
    docker, compose, action = [], [], []
    if secret.exported or not secret.files:
        docker.append(f"--secret id={id_},env={key}")
        compose.append(f"{id_}: {{environment: {key}}}")
        action.append(f"secrets: {id_}=${{{{ secrets.{key} }}}}")
    for fid, name, content in dict.fromkeys(secret.files):
        docker.append(f"--secret id={fid},src={name}")
        compose.append(f"{fid}: {{file: ./{name}}}")
        action.append(f"secret-files: {fid}=./{name}")
    ids = ", ".join(dict.fromkeys([*([id_] if secret.exported or not secret.files else []),
                                   *(f[0] for f in secret.files)]))
    out = (f"build with `docker build {' '.join(docker)}`; compose: `secrets: [{ids}]` under `build:` "
           f"and top-level `secrets: {{{', '.join(compose)}}}`; docker/build-push-action: "
           f"{', '.join(f'`{a}`' for a in action)}")
    for fid, name, content in dict.fromkeys(secret.files):
        out += f"; `{name}` holds what the RUN wrote: {content}"
    return out


class MoveSecretsToMounts(Transform):
    meta = TransformMeta(
        code="DM301",
        name="move-secrets-to-mounts",
        summary="{subject}{detail}",
        fix_title="Read `{key}` from a secret mount in {runs}; {invocation}",
        safety=FixSafety.UNSAFE,
        min_syntax=(1, 2),
        reference="BuildKit check SecretsUsedInArgOrEnv, hadolint DL3064",
        options=(
            Option("allow", list, default=[], help="Extra words that make an ARG/ENV key not secret", item=str),
            Option("deny", list, default=[], help="Extra words that make an ARG/ENV key secret", item=str),
            Option("style", str, default="file",
                   help="`file`: set the variable from /run/secrets/<id> inside the RUN (any BuildKit, "
                        "buildah, podman, kaniko); `env`: `--mount=type=secret,id=<id>,env=<KEY>` "
                        "(docker/dockerfile 1.10+), used only when target-syntax allows it"),
        ),
        examples=(
            Example(before="FROM node:22\nARG NPM_TOKEN\nRUN echo \"//r/:_authToken=$NPM_TOKEN\" > .npmrc && npm ci\n",
                    after="FROM node:22\n"
                          "RUN --mount=type=secret,id=npm_token export NPM_TOKEN=\"$(cat /run/secrets/npm_token)\"; "
                          "echo \"//r/:_authToken=$NPM_TOKEN\" > .npmrc && npm ci\n",
                    unsafe_fixes=True),
            Example(before="FROM alpine\nARG TOKEN_URL=https://example.com/token\nRUN wget \"$TOKEN_URL\"\n"),
        ),
    )

    # -- whole file ------------------------------------------------------------------------
    def transform(self, df: Dockerfile) -> Dockerfile:
        self._df = df
        self._places: dict[int, _Place] = {}
        allow = tuple(str(a) for a in self.option("allow"))
        deny = tuple(str(d) for d in self.option("deny"))
        secrets = self._collect(df, allow, deny)
        if not secrets:
            return df
        self._scope(df, secrets)
        replaced: dict[int, Instruction | None] = {}
        for secret in secrets.values():
            self._decide(secret, replaced)
        if not replaced:
            return df
        return self._rebuild(df, replaced)

    # -- detection -------------------------------------------------------------------------
    def _collect(self, df: Dockerfile, allow: tuple[str, ...], deny: tuple[str, ...]) -> dict[str, _Secret]:
        secrets: dict[str, _Secret] = {}
        stage = -1
        for top in df.body:
            ins: Instruction = top
            onbuild = False
            if isinstance(top, Onbuild) and top.instruction is not None:
                ins, onbuild = top.instruction, True
            if ins.name == "FROM" and not onbuild:
                stage += 1
                continue
            if not isinstance(ins, (Arg, Env)):
                continue
            pairs: list[tuple[str, str | None, KeyValue | None]] = []
            for kv in ins.pairs:
                key, eq, value = kv.text.partition("=")  # one parse of the word
                pairs.append((key, value if eq else None, kv))
            legacy = getattr(ins, "legacy", None)
            if legacy is not None:
                pairs.append((legacy.key, legacy.value, None))
            for key, value, kv in pairs:
                reason = _why(key, value, allow, deny)
                if reason is None:
                    continue
                s = secrets.setdefault(key, _Secret(key))
                s.reason = s.reason or reason
                copy = isinstance(ins, Env) and value is not None and _only_var(value, key)
                s.decls.append(_Decl(top, ins, kv, stage, onbuild, copy))
        # Keys whose only "declarations" are plain ENV copies of a non-secret ARG are not
        # secrets by themselves (the value check found nothing to flag).
        return {k: s for k, s in secrets.items() if s.decls}

    # -- where the key is used -------------------------------------------------------------
    def _scope(self, df: Dockerfile, secrets: dict[str, _Secret]) -> None:
        """Fill each secret's RUNs and blockers, walking stages in order.

        ``visible[key]`` is where the key comes from at this point of a stage:
        "arg" (declared by ARG in this stage), "env" (ENV here or in a base stage).
        """
        stages = df.stages
        ends: dict[int, dict[str, str]] = {}
        global_keys = {k for k, s in secrets.items() if any(d.stage == -1 for d in s.decls)}
        # FROM lines expand global ARGs.
        for st in stages:
            self._uses_outside(st.from_, secrets, {k: "arg" for k in secrets if k in global_keys},
                               what="`FROM`")
        for st in stages:
            base = df.base_stage(st, stages)
            visible = {k: v for k, v in (ends.get(base.index, {}) if base else {}).items() if v == "env"}
            onbuild_visible: dict[str, str] = {}
            for top in st.instructions[1:]:
                ins = top
                onbuild = isinstance(top, Onbuild) and top.instruction is not None
                if onbuild:
                    assert isinstance(top, Onbuild) and top.instruction is not None
                    ins = top.instruction
                where = onbuild_visible if onbuild else visible
                if isinstance(ins, Run):
                    self._run(top, ins, secrets, where, st.index, onbuild)
                elif isinstance(ins, (Cmd, Entrypoint, Healthcheck)):
                    self._runtime_use(ins, secrets, where)
                elif isinstance(ins, (Arg, Env)):
                    self._declaration(ins, secrets, where)
                elif not isinstance(ins, Shell):
                    self._uses_outside(ins, secrets, where, what=f"`{ins.name}`")
            ends[st.index] = visible

    def _declaration(self, ins: Arg | Env, secrets: dict[str, _Secret], visible: dict[str, str]) -> None:
        pairs = [(kv.key, kv.value) for kv in ins.pairs]
        legacy = getattr(ins, "legacy", None)
        if legacy is not None:
            pairs.append((legacy.key, legacy.value))
        for key, value in pairs:
            if value is not None:
                for name in secrets:
                    if name == key and _only_var(value, key):
                        continue
                    if name in visible and _expands(value, name):
                        secrets[name].blockers.append(f"`{ins.name} {key}` copies its value")
            if key in secrets:
                visible[key] = "arg" if isinstance(ins, Arg) else "env"
            elif key in visible:
                del visible[key]  # redeclared as a non-secret: a new value

    def _uses_outside(self, ins: Instruction, secrets: dict[str, _Secret], visible: dict[str, str],
                      what: str) -> None:
        text = _body_text(ins)
        for name in visible:
            if name in secrets and _expands(text, name):
                secrets[name].blockers.append(f"{what} expands it")

    def _runtime_use(self, ins: Instruction, secrets: dict[str, _Secret], visible: dict[str, str]) -> None:
        text = _body_text(ins)
        for name, how in visible.items():
            if name in secrets and how == "env" and name in _shell_reads(text):
                secrets[name].blockers.append(f"`{ins.name}` reads it when a container runs")

    def _run(self, top: Instruction, run: Run, secrets: dict[str, _Secret], visible: dict[str, str],
             stage: int, onbuild: bool) -> None:
        for flag in run.flags:
            for name in visible:
                if name in secrets and _expands(flag.text, name):
                    secrets[name].blockers.append(f"a `RUN` flag expands it ({flag.text.split('=', 1)[0]})")
        reads = self._reads(run, onbuild)
        for name in visible:
            if name in secrets and (name in reads or _NPMRC_VARIABLE in reads and data.NPMRC_VARIABLE.search(name)):
                secrets[name].runs.append((top, run))

    def _reads(self, run: Run, onbuild: bool) -> frozenset[str]:
        """Variables the RUN reads: written ``$X``, or read by a program known to read it.

        From the semantic model: ``RunFacts.reads`` and the programs of its commands. An
        ``ONBUILD`` trigger is no instruction of this file's stages, so its text-level facts
        are read (``runs.content``) and its user and directory are unknown. An exec-form
        ``RUN`` has no shell facts; its words are searched for ``$X`` so that a secret it
        names is reported rather than silently dropped.
        """
        from dockmod.semantic.runs import content

        if onbuild:
            facts = content(run)
            commands, reads_ = facts.commands, facts.reads
            self._places[id(run)] = _Place()
        else:
            model = self.context.model
            rf = model.run(run)
            commands, reads_ = rf.commands, rf.reads
            scope = model.scope_at(run)
            self._places[id(run)] = _Place(scope.user.uid, scope.workdir, scope.home)
        reads = set(reads_)
        if run.is_exec_form and run.command is not None:
            reads |= _shell_reads(run.command.text)
        programs = {posixpath.basename(c.name) for c in commands}
        for var, progs, _ in data.IMPLICIT_READERS:
            if programs & set(progs):
                reads.add(var)
        if programs & set(data.NPMRC_READERS):
            reads.add(_NPMRC_VARIABLE)
        return frozenset(reads)

    # -- the fix ---------------------------------------------------------------------------
    def _decide(self, secret: _Secret, replaced: dict[int, Instruction | None]) -> None:
        first = secret.decls[0]
        kind = "ARG" if isinstance(first.ins, Arg) else "ENV"
        where = "the image's build history" if kind == "ARG" else "the image's config"
        subject = f"Secret `{secret.key}` in `{kind}` ({secret.reason})"
        msg = {"subject": subject, "key": secret.key, "invocation": invocation(secret)}
        reason = self._blocked(secret)
        if reason is not None:
            self.report(first.top, detail=f": its value is kept in {where}; no fix: {reason}",
                        runs="each RUN", no_fix_reason=reason, **msg)
            return
        new_runs: dict[int, Instruction] = {}
        for top, run in secret.runs:
            current = replaced.get(id(top), top)
            assert current is not None
            inner = current.instruction if isinstance(current, Onbuild) else current
            assert isinstance(inner, Run)
            fixed = _mount(inner, secret, self._places.get(id(run), _Place()), self._env_style())
            if fixed is None:
                self.report(first.top, detail=f": its value is kept in {where}; no fix: a `RUN` "
                            "that reads it is not a POSIX shell script",
                            runs="each RUN", no_fix_reason="a RUN that reads it is not a shell script", **msg)
                return
            new_runs[id(top)] = current.with_changes(instruction=fixed) if isinstance(current, Onbuild) else fixed
        msg["invocation"] = invocation(secret)
        lines = sorted({n for top, _ in secret.runs if (n := self._line(top)) is not None})
        runs = "the `RUN` on line " if len(lines) == 1 else "the `RUN`s on lines "
        runs += ", ".join(str(n) for n in lines)
        detail = f": its value is kept in {where}"
        if any(d.stage >= 0 and isinstance(d.ins, Env) and not d.onbuild and self._ships(d.stage)
               for d in secret.decls):
            detail += "; the fix also removes it from the environment of containers run from the image"
        applied = True
        for decl in secret.decls:
            out = self.propose(decl.top, True, updated=False, detail=detail, runs=runs, **msg)
            applied = applied and out is True
        for top, _ in secret.runs:
            out = self.propose(top, True, updated=False, subject=f"`RUN` reads secret `{secret.key}`",
                               detail=f" from `{kind}`", key=secret.key, runs="this RUN",
                               invocation=msg["invocation"])
            applied = applied and out is True
        if not applied:
            return
        replaced.update(new_runs)
        for decl in secret.decls:
            current = replaced.get(id(decl.top), decl.top)
            if current is None:
                continue
            replaced[id(decl.top)] = _without(current, decl)

    def _blocked(self, secret: _Secret) -> str | None:
        if self._df.escape != "\\":
            return "the file uses `# escape=`` (a Windows shell)"
        if secret.blockers:
            return "; ".join(dict.fromkeys(secret.blockers)) + ", which a secret mount cannot replace"
        if not secret.runs:
            if any(isinstance(d.ins, Env) for d in secret.decls):
                return "no `RUN` reads it, so it is meant for containers: give it to the container at run time instead"
            return "no `RUN` reads it visibly; a `RUN` whose program reads it needs the secret mount"
        for _, run in secret.runs:
            if run.is_exec_form:
                return "a `RUN` in exec form reads it"
        return None

    def _ships(self, stage: int) -> bool:
        """An image a user can build (``--target``) has this stage's ENV in its config."""
        model = self.context.model
        return any(i in model.shipped for i in (stage, *model.descendants(stage)))

    def _env_style(self) -> bool:
        """``style = "env"`` and a target syntax (if one is set) of at least 1.10."""
        if str(self.option("style")).lower() != "env":
            return False
        cap = self.context.target_syntax
        return cap is None or cap >= _ENV_STYLE_SYNTAX

    def _line(self, node: Instruction) -> int | None:
        pos = self.context.positions
        if pos is not None and node in pos:
            return int(pos.span(node).start_line)
        return None  # fix passes have no positions; their messages are never shown

    def _rebuild(self, df: Dockerfile, replaced: dict[int, Instruction | None]) -> Dockerfile:
        body: list[Instruction] = []
        carried: tuple = ()
        for ins in df.body:
            new = replaced.get(id(ins), ins)
            if new is None:
                # Removed: its comment lines go to the next instruction.
                carried = carried + ins.leading_lines
                continue
            if carried:
                new = new.with_changes(leading_lines=carried + new.leading_lines)
                carried = ()
            body.append(new)
        footer = carried + df.footer if carried else df.footer
        return df.with_changes(body=tuple(body), footer=footer)


# -- helpers ---------------------------------------------------------------------------------


def _only_var(value: str, key: str) -> bool:
    """``$KEY`` or ``${KEY}`` (quoted or not): a copy of the variable, nothing more."""
    v = value
    if len(v) >= 2 and v[0] == v[-1] == '"':
        v = v[1:-1]
    return v in (f"${key}", f"${{{key}}}")


def _expands(text: str, name: str) -> bool:
    """BuildKit's word processing of ``text`` substitutes ``name`` (semantic model's lexer)."""
    if name not in text or "$" not in text:
        return False
    names = variables(text)
    if names is None:  # the lexer rejects the text: say yes if it names the variable at all
        return bool(re.search(rf"\$\{{?{re.escape(name)}(?![A-Za-z0-9_])", text))
    return name in names


def _body_text(ins: Instruction) -> str:
    """The instruction's text after the keyword, continuations removed."""
    code = ins.with_changes(leading_lines=(), heredocs=()).code
    text = logical_text(code, "\\")
    parts = text.split(None, 1)
    return parts[1] if len(parts) > 1 else ""


def _shell_reads(text: str) -> set[str]:
    """Names in ``$X``/``${X…}`` outside single quotes (a lexical reading of sh)."""
    out: set[str] = set()
    i, n = 0, len(text)
    quote = ""
    while i < n:
        ch = text[i]
        if ch == "\\" and quote != "'":
            i += 2
            continue
        if quote == "'":
            if ch == "'":
                quote = ""
        elif ch == "'" and quote != '"':
            quote = "'"
        elif ch == '"':
            quote = "" if quote == '"' else '"'
        elif ch == "$" and i + 1 < n:
            j = i + 1
            if text[j] == "{":
                j += 1
            m = _NAME_RE.match(text, j)
            if m:
                out.add(m.group(0))
        i += 1
    return out


def _secret_prefix(secret: _Secret) -> str:
    return f'export {secret.key}="$(cat /run/secrets/{secret.id})"'


def _has_secret_mount(run: Run, id_: str) -> bool:
    for f in run.flags:
        spec = f.mount
        if spec is not None and spec.type == "secret" and (spec.id or "") == id_:
            return True
    return False


def _mount(run: Run, secret: _Secret, place: _Place, env_style: bool = False) -> Run | None:
    """``run`` with the secret mounted and the variable set from it; None if impossible.

    A RUN whose only use of the variable is to write it into a credential file that it
    removes again (``echo "…$NPM_TOKEN" > .npmrc && npm ci && rm .npmrc``) gets that file
    as a secret mount at its path instead, and loses the write and the removal.
    """
    cmd = run.command
    if not isinstance(cmd, ShellCommand):
        return None
    options = "" if place.root else ",mode=0444"  # a secret mount is 0400 root:root by default
    as_file = _file_mount(run, secret, place)
    if as_file is not None:
        new_cmd, fid, target, content = as_file
        secret.files.append((fid, posixpath.basename(target), content))
        flag_text = f"--mount=type=secret,id={fid},target={target}{options}"
        return _add_flag(run.with_changes(command=new_cmd), flag_text, fid)
    secret.exported += 1
    if env_style:
        return _add_flag(run, f"--mount=type=secret,id={secret.id},env={secret.key}", secret.id)
    prefix = _secret_prefix(secret)
    heredocs = run.heredocs
    words = cmd.text.split()
    if heredocs and words and all(w.startswith("<<") for w in words):
        # ``RUN <<EOF``: the body is the script; the line goes first (after a shell ``#!``).
        if len(heredocs) != 1:
            return None
        body = heredocs[0].body
        newline = "\r\n" if body.endswith("\r\n") else "\n"
        if body.startswith("#!"):
            first, _, rest = body.partition("\n")
            interp = first[2:].split()
            name = posixpath.basename(interp[0]) if interp else ""
            if name == "env" and len(interp) > 1:
                name = interp[1]
            if name not in _POSIX_SHELLS:
                return None
            new_body = f"{first}\n{prefix}{newline}{rest}"
        else:
            at = _BODY_EXPORTS.match(body).end()  # type: ignore[union-attr]
            new_body = f"{body[:at]}{prefix}{newline}{body[at:]}"
        heredocs = (heredocs[0].with_changes(body=new_body), *heredocs[1:])
        new_cmd = cmd
    else:
        # After the exports an earlier secret put there, so they read in mount order.
        at = _EXPORTS.match(cmd.raw).end()  # type: ignore[union-attr]
        new_cmd = cmd.with_changes(raw=f"{cmd.raw[:at]}{prefix}; {cmd.raw[at:]}")
    return _add_flag(run.with_changes(command=new_cmd, heredocs=heredocs),
                     f"--mount=type=secret,id={secret.id}{options}", secret.id)


def _add_flag(run: Run, text: str, id_: str) -> Run:
    if _has_secret_mount(run, id_):
        return run
    flags = tuple(run.flags)
    escape = run.command.escape if run.command is not None else "\\"
    flag = Flag(raw=text, whitespace_after=" ", escape=escape)
    if flags:
        last = flags[-1]
        flags = (*flags[:-1], last.with_changes(whitespace_after=" "),
                 flag.with_changes(whitespace_after=last.whitespace_after))
        return run.with_changes(flags=flags)
    ws = run.whitespace_after_keyword
    flag = flag.with_changes(whitespace_after=ws if ws.strip(" \t") else " ")
    return run.with_changes(flags=(flag,), whitespace_after_keyword=" ")


def _file_mount(run: Run, secret: _Secret, place: _Place) -> tuple[ShellCommand, str, str, str] | None:
    """The ``echo … > FILE && … && rm FILE`` rewrite: (command, id, target, content)."""
    from dockmod.shell import parse_shell, remove_command

    cmd = run.command
    if run.heredocs or not isinstance(cmd, ShellCommand):
        return None
    script = parse_shell(cmd)
    if script.has_error:
        return None
    for i, c in enumerate(script.commands):
        if c.nested or posixpath.basename(c.name) not in ("echo", "printf") or len(c.redirects) != 1:
            continue
        m = re.fullmatch(r">\s*(\S+)", c.redirects[0].strip())
        if not m:
            continue
        path = m.group(1).strip("'\"")
        name = posixpath.basename(path)
        if name not in data.MOUNTABLE_FILES or secret.key not in _shell_reads(" ".join(w.raw for w in c.args)):
            continue
        rm = next((r for r in script.commands[i + 1:] if not r.nested and posixpath.basename(r.name) == "rm"
                   and [w for w in r.words[1:] if not w.startswith("-")] == [path]), None)
        if rm is None:
            continue
        target = _absolute(path, place)
        if target is None:
            continue
        first = remove_command(cmd, c)
        if first is None:
            continue
        again = parse_shell(first)
        rm2 = next((r for r in again.commands if r.span[0] >= 0 and posixpath.basename(r.name) == "rm"
                    and [w for w in r.words[1:] if not w.startswith("-")] == [path]), None)
        second = remove_command(first, rm2) if rm2 is not None else None
        if second is None or secret.key in _shell_reads(second.text):
            continue
        fid = name.lstrip(".").replace(".", "_")
        content = " ".join(w.raw for w in c.args)
        return second, fid, target, f"`{c.name} {content}`"
    return None


def _absolute(path: str, place: _Place) -> str | None:
    if path.startswith("/"):
        return posixpath.normpath(path)
    if path.startswith(("~/", "$HOME/", "${HOME}/")):
        return posixpath.join(place.home, path.split("/", 1)[1]) if place.home else None
    if "$" in path or place.workdir is None:
        return None
    return posixpath.normpath(posixpath.join(place.workdir, path))


def _without(ins: Instruction, decl: _Decl) -> Instruction | None:
    """``ins`` without ``decl``'s pair; None when nothing would be left."""
    inner = ins.instruction if isinstance(ins, Onbuild) else ins
    assert isinstance(inner, (Arg, Env))
    if decl.pair is None:
        return None
    key = decl.pair.key
    pairs = [kv for kv in inner.pairs if kv.key != key]
    if not pairs:
        return None
    if inner.pairs[-1].key == key:
        # The last pair goes: the new last one keeps no trailing space.
        pairs[-1] = pairs[-1].with_changes(whitespace_after=inner.pairs[-1].whitespace_after)
    new = inner.with_changes(pairs=tuple(pairs))
    return ins.with_changes(instruction=new) if isinstance(ins, Onbuild) else new


@functools.lru_cache(maxsize=4096)  # the same ARG/ENV pairs recur across the files of a run
def _why(key: str, value: str | None, allow: tuple[str, ...], deny: tuple[str, ...]) -> str | None:
    """Why ``key`` (``=value``) holds a secret, or None (a function of its arguments only)."""
    if value is not None:
        v = value
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
            v = v[1:-1]
        if v.lower() in data.FLAG_VALUES and value != "":
            # ``ANSIBLE_HOST_KEY_CHECKING=False``: a switch, not a secret.
            return None
        kind = credential_in(key, v)
        if kind is not None:
            return f"its value looks like a {kind}"
    if is_secret_name(key, allow, deny):
        return "its name says it holds a secret"
    return None

