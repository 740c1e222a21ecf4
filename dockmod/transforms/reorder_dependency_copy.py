"""Copy dependency manifests and install them before copying the whole build context.

## What it does
Finds a stage that copies the whole context (``COPY . .``, ``COPY ./ /app``, ``ADD . …``)
and *then* installs dependencies from manifests (``pip install -r requirements.txt``,
``npm ci``, ``go mod download``, ``poetry install --no-root``, ``bundle install``…). The fix
inserts a ``COPY`` of exactly those manifests where the whole-context copy was, with the
same destination text and the same ``--chown``/``--chmod``/``--link`` flags, and moves
the whole-context copy down to just after the install step::

    COPY . .                                COPY requirements.txt ./
    RUN pip install -r requirements.txt  →  RUN pip install -r requirements.txt
                                            COPY . .

Manifests per install command (``*``: optional, copied through a glob so a missing file
is no error):

* pip / ``uv pip install``: the ``-r``/``-c`` files named on the command line (a file in
  a subdirectory is copied into the same subdirectory of the destination);
* ``uv sync --no-install-project``: ``pyproject.toml``, ``uv.lock`` (``*`` unless
  ``--locked``/``--frozen``), ``.python-version*``;
* ``poetry install --no-root``: ``pyproject.toml``, ``poetry.lock*``;
* ``pipenv install``/``sync``: ``Pipfile``, ``Pipfile.lock`` (``*`` for ``install``
  without ``--deploy``);
* ``npm ci``/``npm install``: ``package.json``, ``package-lock.json*``,
  ``npm-shrinkwrap.json*`` (``npm ci`` needs one of the two; which one is unknown),
  ``.npmrc*``;
* ``yarn``/``yarn install``: ``package.json``, ``yarn.lock`` (``*`` unless
  ``--frozen-lockfile``/``--immutable``), ``.yarnrc*`` (also matches ``.yarnrc.yml``), ``.npmrc*``;
* ``pnpm install``: ``package.json``, ``pnpm-lock.yaml`` (``*`` unless
  ``--frozen-lockfile``), ``pnpm-workspace.yaml*``, ``.npmrc*``; ``pnpm fetch``: the
  lock file and ``.npmrc*``;
* ``go mod download``: ``go.mod``, ``go.sum*`` (a module without dependencies has none),
  and ``go.work``/``go.work.sum`` when the context has them (a ``go.work`` with another
  folder in ``use``, or replacing a module with one, gives no fix; ``GOWORK=off`` where
  it runs leaves them out, and ``GOWORK`` naming another workspace file gives no fix);
* ``bundle install``: ``Gemfile`` (or ``--gemfile``), ``Gemfile.lock*``;
* ``composer install``: ``composer.json``, ``composer.lock*``;
* ``mvn dependency:go-offline`` (or ``dependency:resolve``): ``pom.xml`` (or ``-f``), and
  ``mvnw`` with ``.mvn/wrapper/maven-wrapper.properties`` for ``./mvnw``;
* ``bun install``: ``package.json``, ``bun.lock*``, ``bun.lockb*``;
* ``gradle dependencies`` (or ``./gradlew``): the build files the context has
  (``settings.gradle``, ``settings.gradle.kts``, ``build.gradle``, ``build.gradle.kts``:
  a project may lack any of them, so without a context there is no fix), and
  ``gradlew`` with its ``gradle/wrapper/`` folder for ``./gradlew``.

With them goes the project configuration the tool reads from its working directory
without the command naming it (the ``project_config`` of its ecosystem row), when the
build context has it (without a context, every such file, through a glob):
``poetry.toml*`` for Poetry (``virtualenvs.in-project``…); ``uv.toml*``, and
``pyproject.toml*`` when it has a ``[tool.uv]`` table, for uv (also ``uv pip install``);
``.pnpmfile.cjs*`` and ``.pnpmfile.mjs*`` for pnpm (or the file its ``pnpmfile`` setting
names in ``.npmrc``/``pnpm-workspace.yaml``, or ``--pnpmfile``); ``bunfig.toml*`` (or the
file ``-c``/``--config`` names) for bun; ``auth.json*`` for Composer (private
repositories' credentials); ``gradle.properties``, ``gradle/libs.versions.toml`` and a
``buildSrc/`` folder for Gradle; Maven's ``.mvn/`` folder, copied whole as its own ``COPY .mvn/ ./.mvn/`` (its
``maven.config`` may name other files there); mix's ``config/`` folder for ``mix deps.compile``
(the compile-time configuration, as Phoenix's generated Dockerfile copies it before compiling the
dependencies; ``mix deps.get`` alone does not read it), copied whole the same way. The patch files ``package.json`` lists
under ``pnpm.patchedDependencies`` (pnpm) or ``patchedDependencies`` (bun) are copied
too, each into its folder (``COPY patches/x.patch ./patches/``), and so are, for Yarn, the
files Yarn loads from the project before it installs: the release ``.yarnrc.yml``'s
``yarnPath`` (or Yarn classic's ``.yarnrc``'s ``yarn-path``) names
(``.yarn/releases/yarn-4.1.0.cjs``), its ``plugins`` files, and the
patch files of ``patch:`` dependencies (``#~/.yarn/patches/x.patch``); one that is not a
plain path in the copied folder, or that the context does not send, gives no fix.

A file named by a variable where the install runs (``ENV``, ``ARG``, ``X=… pip``, ``env
X=…``, ``export X=…`` before it: ``PIP_CONSTRAINT``, ``PIP_REQUIREMENT``,
``PIP_CONFIG_FILE``, ``UV_CONSTRAINT``, ``UV_OVERRIDE``, ``UV_CONFIG_FILE``,
``NPM_CONFIG_USERCONFIG``; the rows' ``file_env``) is a manifest too when it lies in the
install's folder; elsewhere it makes the reorder unsafe when the copy may bring it. A
local ``PIP_FIND_LINKS`` folder, or a value dockmod cannot know, gets no fix; an install
of named packages that reads such a file does not move above the copy.

Every inserted ``COPY`` names at least one file that must exist and ends its destination
with ``/``, so it works with BuildKit (which allows a wildcard source that matches
nothing: ``AllowEmptyWildcard`` in ``dockerfile2llb``), the classic builder (which
rejects a ``COPY`` only when *no* source matches) and buildah.

Why the whole-context copy moves down instead of the install moving up: an instruction
between the two (``WORKDIR``, ``USER``, ``ENV``, ``ARG``) changes the environment the
install runs in, but a ``COPY`` reads none of it, except that ``WORKDIR`` places a
relative destination and ``ENV``/``ARG`` expand variables in its own arguments. So the
install keeps its place and environment, and the copy crosses those instructions when
its destination is absolute (for ``WORKDIR``) and it has no variables (for ``ENV``/
``ARG``); otherwise the finding has no fix.

An install ``RUN`` that also runs other commands is split when the commands form one
``&&`` chain, with the dependency install and commands that need no sources
(``apt-get install …``, ``pip install --upgrade pip``, ``rm -rf /var/lib/apt/lists/*``)
before everything else: that head runs before the whole-context copy and the rest
(``pip install .``, ``npm run build``, ``go build``…) in a second ``RUN`` right after
it, with the same flags. ``pip install .``/``-e .`` is therefore left after the copy
and installs the project once its sources are there. The install's own cache cleaning
(its manager's cleaning commands: ``npm cache clean --force``, ``yarn cache clean``,
``pip cache purge``) goes with the install, and is kept in both ``RUN``s when it came
after the rest, so that neither layer keeps the cache.

Also handled, each with the same safety rules:

* a **project subfolder** copied whole (``ADD app/ .``, ``COPY ./src-ui /src/src-ui``)
  when the install runs in its destination: the manifests are copied from that folder;
* ``cd DIR && <install>`` where ``DIR`` is the copy's destination, and ``;`` lists (a
  split at a ``;`` is unsafe: a failing command before it would now stop the build);
* a **source or asset copy between the manifest copy and the install** (``COPY
  requirements.txt .`` / ``COPY src ./src`` / ``RUN pip install -r …``) moves below it; a
  copy of configuration the install reads (its rows' ``project_config``: ``COPY config
  config`` or ``COPY config/config.exs config/prod.exs config/`` before ``mix deps.compile``)
  is no such copy, and stays;
* a RUN of **named-package installs only** right after the whole-context copy
  (``pip install flask``, ``apt-get install …``, ``npm install -g …``, ``pnpm add -g``,
  ``yarn global add``; local paths and ``.tgz`` files excepted) moves above it;
* a **project install that also installs the dependencies** gets the deps-only step
  its tool's guide gives, before the copy, and stays after it: ``poetry install``
  (``--no-root``, Poetry FAQ), ``uv sync`` (``--no-install-project``, uv's Docker guide),
  ``go build`` (``go mod download``, Docker's Go guide);
* a **build with no dependency step**, which gets one before the copy:

  - ``cargo build``: a dependency-only pre-build, as cargo-chef does without the tool
    (``Cargo.toml``, ``Cargo.lock``; placeholder ``src/main.rs``/``src/lib.rs`` as the
    context has them; the same ``cargo build`` flags; then the placeholder and its
    artefacts are removed, ``target/<profile>/.fingerprint/<package>-*`` and
    ``target/<profile>/deps/[lib]<crate>-*``, so the real build compiles the crate).
    It needs the context (the package name, no workspace, build script, explicit
    targets or path dependencies) and is always unsafe: that the real build then
    matches a clean one is not proven;
  - a Maven build: ``mvn -B dependency:go-offline`` with the build's ``-f``/``-s``/
    ``-P``/``-D`` options, after ``pom.xml`` (and ``mvnw``, ``.mvn/…``); a POM with
    ``<modules>`` or ``-pl``/``-am`` is declined. go-offline does not fetch everything
    (plugins resolved later), but most of it;
  - ``dotnet publish``/``build``/``test``: ``dotnet restore`` (with the build's project
    operand and the options that change what is restored: ``-r``, ``--ucr``, ``--source``,
    MSBuild properties such as ``-p:PublishAot=true``, ``--self-contained`` as
    ``-p:SelfContained=true``…) after the project files, as Docker's .NET
    guide does; the files come from the context (the one project or solution in the
    folder, the solution's projects and their ``ProjectReference``s, ``nuget.config``,
    ``Directory.*.props``, ``global.json``). Without a context, only a project named on
    the command line gets a fix (unsafe: its references and the files in folders above
    it are not known), copied with the files that may lie beside it. ``dotnet restore``
    after the copy is moved the same way;
* ``pip install -r requirements.txt .`` is split into the ``-r`` step and ``pip install .``;
* exec-form RUNs are moved whole; heredoc RUNs are reported without a fix;
* ``COPY . $APP_HOME``: a destination the semantic model expands to the same absolute
  path at the copy and at the install;
* the other ecosystems of the ecosystems table (``mix deps.get``, ``bun install``,
  ``swift package resolve``, ``conda``/``micromamba`` environment files…): the install
  kind and manifests come from the table (lock files optional).

Working directories, the shell and variable values come from the semantic model
(``context.model.scope_at``); install kinds and manifests from :mod:`dockmod.ecosystems`.

Only the first install after each whole-context copy is handled per pass; the fix loop
then handles the next. Each stage is handled on its own.

## Why
A layer is rebuilt when anything it copies changes. Installing after ``COPY . .`` means
every source edit downloads and builds all dependencies again; copying the manifests
first lets the builder reuse the install layer until a manifest changes.

## Example
See above; ``npm install`` after ``COPY . .`` becomes ``COPY package.json
package-lock.json* npm-shrinkwrap.json* .npmrc* ./`` + ``RUN npm install`` + ``COPY . .``.

## Fix safety
The reorder keeps the final image when three conditions hold, and the fix is **safe**
(applied by ``fix --apply``) when the build context proves all three; otherwise it is
**unsafe** and the finding says which condition could not be shown:

1. the manifests are self-contained: no ``-r``/``-c`` to a file that is not copied (those
   the context has are followed and copied too), no ``-e``/local paths, no ``file:``/
   ``link:``/path dependencies or workspaces, no ``replace => ./dir`` in ``go.mod``, no
   ``gemspec``/``path:`` in a Gemfile, no Maven modules, no local ``find-links``/index in
   a copied ``uv.toml`` or ``[tool.uv]`` (see ``buildcontext/manifests.py``);
2. the install runs no script of the project: ``package.json`` has no install lifecycle
   script (or ``--ignore-scripts`` is given), ``composer.json`` no install/autoload hook
   (or ``--no-scripts``);
3. nothing the install writes in the working directory (``node_modules``, Yarn's
   ``.yarn/cache``, ``.yarn/install-state.gz`` and ``.yarn/unplugged`` (not the rest of
   ``.yarn``), ``.venv``, ``vendor``, pip ``--target``/``--prefix`` folders, ``.bundle``,
   cargo's ``target``, dotnet's ``obj``) is sent by
   the context, which the copy would lay over the fresh install: ``.dockerignore``
   excludes it, or the context has no such path. This includes the lock file of an
   install that may rewrite it (the ecosystem table's ``lock_writes``: ``npm install``,
   ``yarn install`` without ``--frozen-lockfile``/``--immutable``, ``pnpm install``
   without ``--frozen-lockfile``, ``bun install`` without ``--frozen-lockfile``, ``pipenv
   install`` without ``--deploy``, ``uv sync`` without ``--locked``/``--frozen``,
   ``composer update``): the copy would put the context's lock back over the rewritten
   one, so the context must not send it (``npm ci`` writes none).

The build context is the Dockerfile's folder unless the option ``context`` names
another (relative to the Dockerfile's folder), filtered by ``<Dockerfile>.dockerignore``
or ``.dockerignore`` (:mod:`dockmod.buildcontext`). Without a context on disk (stdin),
no condition can be proven; ``self-contained-manifests = true`` then stands for the first
one only. Without a context, a Maven install is also unsafe because whether there is a ``.mvn/``
is not known. These keep a fix unsafe whatever the context: the whole-context copy moves past
a ``RUN`` that may need the sources (one that runs none of the project's code, see below:
``chmod +x entrypoint.sh``, a build in another folder such as ``cd /tmp/libfoo && make``, a
script the build context does not send; or ``python -m tool`` without a context to show
that ``tool`` is not a module of the sources) or past another ``COPY``/``ADD``; a split at ``;``;
an optimised composer autoloader built before the sources are there; the cargo pre-build
(see above); ``dependency:go-offline`` added to a stage that can be shipped (``--target``
or the last stage): it leaves in ``~/.m2`` what it resolves beyond the build's needs, so
the shipped image changes (a builder stage whose output is copied out is not shipped).

Not reported: an install that reads only what a fetch of the same lock file stored
before the whole-context copy (``pnpm fetch`` … ``COPY . .`` … ``pnpm install --offline``
or ``--prefer-offline``, in the same folder: pnpm's Docker pattern, https://pnpm.io/cli/fetch):
a source edit re-runs only a step that downloads nothing.

No fix, only the finding (its message ends in "; no fix: " and the reason), when: a
copied manifest declares workspaces (``workspaces`` in ``package.json``, ``packages`` in
``pnpm-workspace.yaml``) and the context has a member's ``package.json``, which the
manifest copy would not bring (without such a member the fix stays unsafe); the
install runs in another directory than the one the context was copied to (``WORKDIR``,
``--prefix``, ``-C``…); it is not a command of the ``RUN``'s top-level ``&&``/``;``
list: conditional (in an ``if`` or ``case``, or joined by ``||``), in a loop, a subshell, a
``{ }`` group or a function, part of a pipeline (the message says which); it uses a
``--mount=type=bind``; its manifests are named through variables or lie outside the
context copy; a source-needing command comes before the install in the same ``RUN``, the
``RUN`` cannot be split without losing a comment, or a command the split would cut off is
not one of that top-level list (``pip install -r requirements.txt && for d in plugins/*; do
…; done``: the loop may need the sources, and a ``RUN`` is split only between top-level
commands; the message names the compound command or pipeline); a ``RUN`` between them runs the
project's own code, which the fix would run before the sources are copied, and whose output
(a generated manifest, a local wheel, a configuration file) may be what the install reads:
it installs, builds or runs the project (the ecosystem table's project steps:
``pip install .``, ``go build``, ``go generate``, ``cargo run``, ``gradle build``…), runs a script of it
(``npm run build``, ``yarn build``, ``pnpm test``, ``bun build``), runs a build tool in the
copied folder (``make``, ``rake``, ``just``, ``task``, ``ninja``: their rows in
``ecosystems/project_code.py``; ``(cd docs && make html)`` too), runs a file of that folder
(``./build.sh``, ``sh scripts/gen.sh``, ``bash ./configure``, ``python manage.py …``,
``python setup.py …``, ``node scripts/x.js``, ``php artisan …``; also through ``bundle
exec``, ``poetry run``, ``pipenv run``, ``uv run``; not when the build context shows it does
not send that file), or a module the build context has there (``python -m myproject.tool``
with ``myproject/__init__.py`` or ``myproject.py``); or it names a manifest (``python
gen.py > requirements.txt``: it may generate it from the sources); ``go.mod``
replaces a module with a local folder (``replace x => ./api``, also in a ``replace ( … )``
block; the context shows it), which ``go mod download`` needs and a manifest copy would
not bring (a copy of that folder *before* the install, next to ``COPY go.mod``, is a
manifest copy: it is not moved, and is no finding); the copy has flags other than
``--chown``/``--chmod``/``--link``, or its destination has variables or quotes and must
cross ``WORKDIR``/``ENV``/``ARG``; ``cargo fetch`` (Cargo needs a target source file to
read its manifest); a ``go build`` that reads only what is on disk (``GOFLAGS=-mod=vendor``
or ``GOPROXY=off`` where it runs, or a ``vendor/modules.txt`` in the context; without a
context that there is none is not shown, and the fix is unsafe), which an added ``go mod
download`` would make download; a ``cargo build`` or ``dotnet`` build (of no named project)
without a build context, or one
the context shows a placeholder or the copied project files cannot stand in for (a
workspace, a build script, ``[[bin]]`` targets, several project files, a reference
outside the copy); a multi-module Maven build; a ``.pnpmfile.cjs`` that loads other local
files (``require("./hooks")``, a computed ``require``, ``readFileSync``); a patched
dependency whose patch file is not a plain path in the copied folder or is not sent by
the context, or a ``patchedDependencies`` that is not a table of paths. ``pip install .``
alone is not reported: it needs its sources.

## Options
``context`` (string, default: the Dockerfile's folder): the build context folder,
relative to the Dockerfile's folder.
``self-contained-manifests`` (bool, default false): without a build context, take the
project's manifests as naming no other local files (condition 1 only).
"""

from __future__ import annotations

import fnmatch
import posixpath
import weakref
from collections.abc import Sequence
from typing import Any

from dockmod.buildcontext import BuildContext
from dockmod.buildcontext.manifests import patched_files, script_loads, toml_has_table
from dockmod.buildcontext.manifests import local_folders, npmrc_setting, yarnrc_setting
from dockmod.buildcontext.manifests import classic_yarnrc_files, protocol_files, workspace_globs, yarnrc_files
from dockmod.ecosystems._base import ConfigFile
from dockmod.cst import Add, Arg, Copy, Dockerfile, Env, Instruction, JsonArray, Run, Workdir
from dockmod.cst.module import Stage
from dockmod.ecosystems import PackageManagerCall
from dockmod.ecosystems.node import YARN_PATCH_PROTOCOL, YARNRC_CLASSIC_FILE_SETTINGS, YARNRC_FILE_SETTINGS
from dockmod.ecosystems.project_code import CodeKind
from dockmod.ecosystems.steps import (
    IMAGE_TOP_DIRS,
    INSTALL_DIRS,
    NAMED_ACTIONS,
    ContextInputs,
    ContextLookup,
    InstallNeeds,
    NoFix,
    command_text,
    env_files,
    is_dependency_step,
    mixed_pip,
    project_step,
)
from dockmod.lang.words import UNKNOWN
from dockmod.semantic.copies import (
    CARRIED_COPY_FLAGS,
    COPY_NEUTRAL,
    RUN_NEUTRAL,
    copy_landing,
    copy_text,
    folder_copy,
    plain_destination,
    plain_path,
    plain_variables,
    project_files,
    resolve_path,
    stage_workdirs,
    whole_context,
)
from dockmod.semantic.env import command_env
from dockmod.semantic.installs import (
    STEP_MANAGERS,
    builds_project,
    calls_by_span,
    code_runs,
    context_inputs,
    deps_step_before,
    fetched_before,
    install_cwd,
    manifests_in_copy,
    may_call_manager,
    names_manifest,
    run_needs_no_sources,
    scripts_of,
)
from dockmod.cst.arguments import ShellCommand
from dockmod.shell import ShellScript
from dockmod.transforms._base import Context, Example, FixSafety, Option, Transform, TransformMeta
from dockmod.transforms._context import CONTEXT_OPTION, open_build_context
from dockmod.semantic.proofs import replaced_folders, unproven
from dockmod.semantic.runs import may_call_any
from dockmod.semantic.paths import inside
from dockmod.transforms._reorder_edits import fix_final_newlines, manifest_copies, split_run


class ReorderDependencyCopy(Transform):
    meta = TransformMeta(
        code="DM201",
        name="reorder-dependency-copy",
        summary="`{install}` runs after `{copy}`, so any change to the sources re-runs it{why}",
        fix_title="Install before `{copy}`{first}",
        safety=FixSafety.UNSAFE,
        safety_varies="safe when the build context shows the manifests name no other local file",
        options=(
            CONTEXT_OPTION,
            Option("self-contained-manifests", bool, default=False,
                   help="Without a build context: manifests name no other local files (no "
                        "`-r base.txt`, `-e .`, `file:` dependencies…)"),
        ),
        examples=(
            Example(
                before="FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n",
                after="FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\n"
                      "RUN pip install -r requirements.txt\nCOPY . .\n",
                unsafe_fixes=True,
            ),
            Example(
                before="FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go mod download && go build -o /app .\n",
                after="FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum* ./\nRUN go mod download\n"
                      "COPY . .\nRUN go build -o /app .\n",
                unsafe_fixes=True,
            ),
            Example(before="FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\nCOPY . .\n"),
        ),
    )

    # -- whole file ------------------------------------------------------------------
    @classmethod
    def idle_on(cls, kinds: frozenset[type]) -> bool:
        # Every finding is about a RUN after a COPY/ADD (see _stage's first exit).
        return Run not in kinds or (Copy not in kinds and Add not in kinds)

    def transform(self, df: Dockerfile) -> Dockerfile:
        self._load_context()
        self._reasons: list[str] = []
        # Each RUN's first step (_first_step), asked once: several copies above may look for it.
        self._steps: dict[int, Any] = {}
        replacements: dict[int, list[Instruction]] = {}
        for stage in df.stages:
            self._stage(df, stage, replacements)
        if not replacements:
            return df
        body: list[Instruction] = []
        for ins in df.body:
            body.extend(replacements.get(id(ins), [ins]))
        body = fix_final_newlines(body, df.style.newline)
        return df.with_changes(body=tuple(body))

    def _stage(self, df: Dockerfile, stage: Stage, out: dict[int, list[Instruction]]) -> None:
        ins = stage.instructions
        # Cheap exits first (most stages): nothing is copied from the context, or no RUN
        # follows a copy. Asked of the instructions' classes (list scans in C; the CST's
        # instruction classes have no subclasses). The working directories are computed
        # only when needed.
        kinds = list(map(type, ins))
        n_copies = kinds.count(Copy) + kinds.count(Add)
        if not n_copies or Run not in kinds:
            return
        first_copy = kinds.index(Copy) if Copy in kinds else len(kinds)
        if Add in kinds:
            first_copy = min(first_copy, kinds.index(Add))
        last_run = len(kinds) - 1 - kinds[::-1].index(Run)
        if last_run < first_copy:
            return
        # The model and the stage's scopes only for a copy that some RUN below may install
        # after (read from the RUNs' text, before any parse).
        workdirs = _LazyWorkdirs(self.context, stage)
        for i in range(first_copy, last_run):  # a copy below the last RUN has none to move
            c = ins[i]
            if not isinstance(c, (Copy, Add)):
                continue  # folder_copy's own first exit, without the call
            src = folder_copy(c)
            if src is None or not _may_install_after(ins, i, src == "."):
                continue
            # A subfolder copy feeds an install only if it copies a folder: asked first, as
            # most are file copies (`COPY requirements.txt .`), whose install is not needed.
            dest_dir = None
            if src != "." and (dest_dir := self._copied_folder(c, src, workdirs, i, df.escape)) is None:
                continue
            if not self.context.model.scope_at(c).posix_shell:
                continue
            found = self._install_after(ins, i)
            if found is None:
                if src == ".":
                    self._named_install(df, ins, i, workdirs[i], out)
                continue
            j, run, script, install, opaque = found
            if fetched_before(self.context.model, ins, i, script, workdirs[j], workdirs):
                continue  # `pnpm fetch` … `pnpm install --offline`: the install downloads nothing
            if self._suppressed(c) or self._suppressed(run):
                continue
            install.src = src
            if src != "." and install_cwd(script, workdirs[j]) != dest_dir:
                continue  # the install does not run in the copied folder
            msg = {"install": install.text, "copy": copy_text(c)}
            if opaque is not None:
                self.report(run, no_fix_reason=opaque, manifests="the manifests", why=f"; no fix: {opaque}",
                            first="", **msg)
                continue
            try:
                plan = self._plan(df, stage, i, j, run, script, install, workdirs)
            except NoFix as e:
                self.report(run, no_fix_reason=str(e), manifests=_manifest_list(install), why=f"; no fix: {e}",
                            first=f", copying {_manifest_list(install)} first", **msg)
                continue
            (copies, rest), safety = plan
            why = f" (unsafe: {'; '.join(dict.fromkeys(self._reasons))})" if self._reasons else ""
            first = f", copying {_manifest_list(install)} first"
            if self.propose(run, True, updated=False, safety=safety, why=why, first=first,
                            manifests=_manifest_list(install), **msg):
                out[id(c)] = copies
                out[id(run)] = rest
        if n_copies < 2:
            return  # a source copy between the manifest copy and the install makes two
        between = [j for j in _below_two_copies(ins, first_copy)
                   if id(ins[j]) not in out and may_call_any(ins[j], STEP_MANAGERS)]
        if not between:
            return  # no dependency step below two copies: no model, no parse
        if not self.context.model.scope_at(ins[-1]).posix_shell:
            return
        for j in between:
            self._copy_between(df, ins, j, workdirs, out)

    def _copy_between(self, df: Dockerfile, ins: list[Instruction], j: int, workdirs: Sequence[str],
                      out: dict[int, list[Instruction]]) -> None:
        """A source or asset copy between the manifest copy and the install moves below it.

        ``COPY requirements.txt .`` / ``COPY src ./src`` / ``RUN pip install -r
        requirements.txt``: the install reads only its manifests, so ``COPY src`` goes
        right after it. Only COPY/ADD and instructions that change nothing a COPY reads
        may stand between; the install RUN must not need splitting.
        """
        run = ins[j]
        assert isinstance(run, Run)
        for script, opaque in scripts_of(self.context.model, run):
            if opaque is not None or script.has_error:
                return
            calls = calls_by_span(script)
            deps = [c for c in script.commands if c.span in calls and is_dependency_step(calls[c.span])]
            if deps:
                break
        else:
            return
        install = InstallNeeds(text=command_text(deps[0]), env_set=self._env_set(run), env_at=self._env_at(run, script))
        cwd = workdirs[j]
        try:
            head, tail = split_run(run, script, install, cwd, cwd, self.context.dockerfile, whole_only=True)
            if tail or not cwd.startswith("/"):
                return
            manifests_in_copy(install, install.cwd, install.cwd or cwd)
        except NoFix:
            return
        cwd = install.cwd or cwd
        manifests = {posixpath.join(cwd, m): m for m in install.manifests}
        ctx_paths: dict[str, str] = {}
        sources: list[tuple[int, Any]] = []
        for k in range(j - 1, -1, -1):
            x = ins[k]
            if isinstance(x, (Copy, Add)):
                if x.heredocs or x.flag("from") is not None or whole_context(x) or id(x) in out:
                    return
                landing = copy_landing(x, workdirs[k], df.escape, self._ctx)
                if landing is None:
                    return
                if _brings_config(landing, install, cwd):
                    continue  # the install's configuration (`gradle/libs.versions.toml`): a manifest copy
                brought = {m: src for m in manifests for (path, src, tree) in landing
                           if m == path or (tree and m.startswith(path.rstrip("/") + "/"))}
                if brought:
                    for m, src in brought.items():
                        if src is not None:
                            ctx_paths[manifests[m]] = src if m in {p for p, _, _ in landing} else posixpath.join(
                                src, posixpath.relpath(m, next(p for p, s_, _ in landing if s_ == src)))
                    continue
                if project_files(landing, cwd):
                    sources.append((k, landing))
                continue
            if x.name in COPY_NEUTRAL - {"SHELL", "ONBUILD"} or isinstance(x, (Workdir, Env, Arg)):
                continue
            break
        if not sources or not ctx_paths:
            return
        # A folder go.mod replaces a module with is an input of the install: a copy that
        # brings it is a manifest copy, not one to move.
        folders = [posixpath.join(cwd, f) for _, _, f in replaced_folders(install, self._ctx, ctx_paths=ctx_paths)]
        candidate = next((k for k, landing in sources if not any(
            p == f or p.startswith(f.rstrip("/") + "/") or (tree and f.startswith(p.rstrip("/") + "/"))
            for f in folders for p, _, tree in landing)), None)
        if candidate is None:
            return
        c = ins[candidate]
        assert isinstance(c, (Copy, Add))
        between = ins[candidate + 1:j]
        dest = plain_destination(c, df.escape)
        if dest is None or any(f.name not in CARRIED_COPY_FLAGS for f in c.flags):
            return
        if any(isinstance(y, Workdir) for y in between) and not dest.startswith("/"):
            return
        if any(isinstance(y, (Env, Arg)) for y in between) and "$" in c.code:
            return
        if self._suppressed(c) or self._suppressed(run):
            return
        install.src = "."
        reasons = self._unproven(install, cwd, ctx_paths=ctx_paths, moved=c, moved_cwd=workdirs[candidate])
        why = f" (unsafe: {'; '.join(dict.fromkeys(reasons))})" if reasons else ""
        safety = FixSafety.UNSAFE if reasons else FixSafety.SAFE
        if self.propose(run, True, updated=False, safety=safety, why=why,
                        first=f", moving `{copy_text(c)}` below it", install=install.text,
                        copy=copy_text(c), manifests=_manifest_list(install)):
            out[id(c)] = []
            out[id(run)] = [run, c.with_changes(leading_lines=())] if not c.leading_lines else [run, c]

    def _named_install(self, df: Dockerfile, ins: list[Instruction], i: int, cwd: str,
                       out: dict[int, list[Instruction]]) -> None:
        """A RUN right after the whole-context copy that installs named packages only.

        ``pip install flask gunicorn``, ``apt-get install …``, ``npm install -g …`` read
        nothing the copy brings, so the RUN moves above the copy, where a source edit no
        longer re-runs it. Only instructions that do not change a RUN's environment may
        stand between (LABEL, EXPOSE, CMD…); the next such RUN moves in the next pass.
        """
        c = ins[i]
        assert isinstance(c, (Copy, Add))
        dest = plain_destination(c, df.escape)
        dest_dir = resolve_path(cwd, dest) if dest is not None else None
        for j in range(i + 1, len(ins)):
            x = ins[j]
            if isinstance(x, Run):
                break
            if x.name not in RUN_NEUTRAL:
                return
        else:
            return
        run = ins[j]
        assert isinstance(run, Run)
        if run.heredocs or isinstance(run.command, JsonArray) or run.command is None:
            return
        if any(f.mount is not None and f.mount.type == "bind" and f.mount.from_ is None for f in run.flags):
            return
        if not may_call_manager(run):
            return  # names no package manager: no install, no parse
        facts = self.context.model.run(run)
        if not facts.scripts:
            return
        script = facts.scripts[0]
        calls = calls_by_span(script)
        installs = [call for call in calls.values() if call.action in NAMED_ACTIONS]
        if script.has_error or not installs or not run_needs_no_sources(facts, dest_dir):
            return
        try:
            env = self._env_at(run)
            if any(env_files(call, env(call.command)) for call in calls.values()):
                return  # `PIP_CONSTRAINT=c.txt pip install flask`: reads a file the copy may bring
        except NoFix:
            return
        if self._suppressed(c) or self._suppressed(run):
            return
        reasons = []
        if dest_dir is None or not dest_dir.startswith("/"):
            reasons.append("the copy's destination is not known")
        elif dest_dir == "/" or any(dest_dir == d or d.startswith(dest_dir + "/") or dest_dir.startswith(d + "/")
                                    for d in INSTALL_DIRS):
            reasons.append(f"the copy's destination `{dest_dir}` may hold what the install writes")
        why = f" (unsafe: {'; '.join(dict.fromkeys(reasons))})" if reasons else ""
        safety = FixSafety.UNSAFE if reasons else FixSafety.SAFE
        # Each keeps the comment lines above it.
        moved, copy = run, c
        if self.propose(run, True, updated=False, safety=safety, why=why, first="",
                        install=command_text(installs[0].command), copy=copy_text(c), manifests="no manifest"):
            out[id(c)] = [moved]
            out[id(run)] = [copy]

    # -- finding the install ---------------------------------------------------------
    def _install_after(self, ins: list[Instruction], i: int):  # type: ignore[no-untyped-def]
        """The first dependency install after ``ins[i]``: (index, run, script, install, why-no-fix).

        Exec-form and heredoc RUNs are recognised too, and reported without a fix.
        """
        model = self.context.model
        for j in range(i + 1, len(ins)):
            x = ins[j]
            if not isinstance(x, Run):
                if whole_context(x):
                    return None
                continue
            if not may_call_any(x, STEP_MANAGERS):
                continue  # names no manager a step can call: no step to find, no parse
            step = self._steps.get(id(x), self._steps)
            if step is self._steps:
                step = self._steps[id(x)] = _first_step(scripts_of(model, x))
            if step is None:
                continue
            script, opaque, cmd, manager, project = step
            if project and deps_step_before(model, ins, i, manager):
                return None  # already deps-first; the project install needs the sources
            return j, x, script, InstallNeeds(text=command_text(cmd), env_set=self._env_set(x),
                                              env_at=self._env_at(x, script), manager=manager), opaque
        return None

    def _hands_on(self, c: Copy | Add, run: Run, install: InstallNeeds) -> str | None:
        """Why what the added step leaves behind reaches an image a user can ship (its stage
        is shipped, or a ``COPY --from``/``--mount=from`` reads where it lies, above it, or a
        path that cannot be known), or None."""
        model = self.context.model
        info = model.stage_of(c)
        if info is None or info.index in model.shipped:
            return install.unsafe_if_shipped
        copied = [src for e in model.copies_from(info.index) for src in e.sources]
        if not copied or install.leaves_in_home is None:
            return None
        home = model.scope_at(run).home
        left = posixpath.join(home, install.leaves_in_home) if home is not None else None
        if any(left is None or not src.startswith("/") or inside(src, left) or inside(left, src) for src in copied):
            return (f"the added step leaves files in `~/{install.leaves_in_home}` and a `COPY --from` of this "
                    "stage may read them")
        return None

    def _env_set(self, run: Run):  # type: ignore[no-untyped-def]
        """Whether a variable is set (known or not) in ``run``'s scope."""
        scope = self.context.model.scope_at(run)
        return lambda name: scope.get(name) is not None

    def _env_at(self, run: Run, script: ShellScript | None = None):  # type: ignore[no-untyped-def]
        """The environment a command of ``run`` runs with (the model's ``env_at``), where
        what a base image dockmod does not know may set is taken as unset: an image cannot
        hold a file of this project for a variable to name. ``script``: one of the RUN's
        scripts (from :func:`scripts_of`), where the command is looked for first."""
        model = self.context.model
        scope = model.scope_at(run)

        def base(name: str) -> object:
            v = scope.run_get(name)
            return None if v is UNKNOWN and name not in scope.env and name not in scope.args else v

        shell_form = isinstance(run.command, ShellCommand)

        def env(cmd):  # type: ignore[no-untyped-def]
            # The RUN's facts only when a command is not in ``script`` (most installs found
            # are never fixed, and a fix asks about the script it found). An exec-form
            # RUN's script is not one of its facts' scripts: it is looked for there.
            if script is not None and shell_form and any(c is cmd for c in script.commands):
                return command_env(base, script, cmd)
            return command_env(base, next((s for s in model.run(run).scripts
                                           if any(c is cmd for c in s.commands)), None), cmd)

        return env

    def _copied_folder(self, c: Copy | Add, src: str, workdirs: Sequence[str], i: int,
                       escape: str) -> str | None:
        """Where the copy ``ins[i]`` of one context folder ``src`` (not the root) lands;
        None when it may copy a file (which could not be the install's working directory).

        The context, when at hand, tells whether ``src`` is a folder.
        """
        dest = plain_destination(c, escape)
        if dest is None:
            return None
        ctx = self._ctx
        if ctx is not None:
            return resolve_path(workdirs[i], dest) if ctx.is_dir(src) else None
        # Without the context: `app/` names a folder; so does a source copied to a path
        # (not into a folder) that did not exist before (no earlier WORKDIR there) and
        # that the install then uses as its working directory. `COPY package.json /app`
        # after `WORKDIR /app` copies a file into the folder.
        copy_cwd = workdirs[i]
        dest_dir = resolve_path(copy_cwd, dest)
        raw = c.sources[0]
        if raw.endswith("/"):
            return dest_dir
        if dest.endswith("/") or posixpath.normpath(dest) in (".", "..") or "." in posixpath.basename(src):
            return None
        if copy_cwd == dest_dir or copy_cwd.startswith(dest_dir.rstrip("/") + "/"):
            return None
        return dest_dir

    # -- planning --------------------------------------------------------------------
    def _plan(self, df: Dockerfile, stage: Stage, i: int, j: int, run: Run,
              script: ShellScript, install: InstallNeeds,
              workdirs: Sequence[str]) -> tuple[tuple[list[Instruction], list[Instruction]], FixSafety]:
        ins = stage.instructions
        c = ins[i]
        assert isinstance(c, (Copy, Add))
        escape = df.escape
        dest = plain_destination(c, escape)
        dest_dir = resolve_path(workdirs[i], dest) if dest is not None else None
        expanded = False
        if dest is None and c.destination is not None and "$" in c.destination:
            # `COPY . $APP_HOME`: the model expands it; the manifest copy keeps the text,
            # which means the same where it is inserted (the copy's own position).
            model = self.context.model
            value = model.scope_at(c).expand(c.destination)
            if value is not None and value.startswith("/") and plain_path(value) and \
                    model.scope_at(run).expand(c.destination) == value and plain_variables(c.destination):
                dest, dest_dir, expanded = c.destination, posixpath.normpath(value), True
        if any(f.name not in CARRIED_COPY_FLAGS for f in c.flags):
            bad = next(f.text for f in c.flags if f.name not in CARRIED_COPY_FLAGS)
            raise NoFix(f"`{bad}` on the copy is not carried to a manifest copy")
        if any("\n" in f.raw for f in c.flags):
            raise NoFix("a flag of the copy spans lines")
        if dest is None:
            raise NoFix("the copy's destination has variables or quotes")
        # What the copy crosses on its way down.
        has_vars = any("$" in f.raw for f in c.flags) or (expanded and any(
            self.context.model.scope_at(x).expand(c.destination or "") != dest_dir  # type: ignore[attr-defined]
            for x in ins[i + 1:j + 1]))
        runs_sources: NoFix | None = None
        for k in range(i + 1, j):
            x = ins[k]
            if isinstance(x, Workdir) and not dest.startswith("/"):
                raise NoFix("a `WORKDIR` between them changes where the relative destination lands")
            if isinstance(x, (Env, Arg)) and has_vars:
                raise NoFix(f"`{x.name}` between them may change the copy's variables")
            if isinstance(x, Run):
                if (built := builds_project(self.context.model.run(x))) is not None:
                    raise NoFix(f"a `RUN` between them runs `{built}`, which builds the project from the "
                                "sources, and the copy cannot move below it")
                if (script_run := _project_script(scripts_of(self.context.model, x))) is not None:
                    raise NoFix(f"a `RUN` between them runs `{script_run}`, which reads the sources, and the "
                                "copy cannot move below it")
                try:
                    unsafe = self._runs_sources(x, workdirs[k], dest_dir, install.src)
                except NoFix as e:
                    # Raised below the manifest check: a RUN that names a manifest says more.
                    runs_sources = runs_sources or e
                    continue
                if not run_needs_no_sources(self.context.model.run(x), dest_dir):
                    install.unsafe.append(unsafe or "a `RUN` between them may need the sources")
            elif isinstance(x, (Copy, Add)):
                install.unsafe.append(f"`{x.name}` between them may overlap the sources")
            elif not isinstance(x, (Workdir, Env, Arg)) and x.name not in COPY_NEUTRAL:
                raise NoFix(f"`{x.name}` between them")
        for f in run.flags:
            m = f.mount
            if m is not None and m.type == "bind" and m.from_ is None:
                raise NoFix("the install mounts the build context")
        install.lookup = self._lookup(install, dest_dir)
        head, tail = split_run(run, script, install, dest_dir, workdirs[j], self.context.dockerfile)
        manifests_in_copy(install, dest_dir, install.cwd or workdirs[j])
        self._config_inputs(install)
        for x in ins[i + 1:j]:
            if isinstance(x, Run) and (named := names_manifest(self.context.model.run(x), install.manifests,
                                                                 dest_dir)) is not None:
                raise NoFix(f"a `RUN` between them names `{named}`, which the install reads: it may "
                            "generate it from the sources")
        if runs_sources is not None:
            raise runs_sources
        reasons = self._unproven(install, dest_dir)
        for name, target, _ in replaced_folders(install, self._ctx):
            raise NoFix(f"`{name}` replaces a module with the folder `{target}`, which the install needs "
                        "and the manifest copy would not bring")
        if install.unsafe_if_shipped and (reason := self._hands_on(c, run, install)):
            reasons.append(reason)
        copies = manifest_copies(df, stage, i, c, dest, dest_dir, install, workdirs)
        self._reasons = reasons
        safety = FixSafety.UNSAFE if reasons else FixSafety.SAFE
        return (copies, [head, c, *tail]), safety

    def _runs_sources(self, x: Run, cwd: str, dest_dir: str | None, src: str) -> str | None:
        """NoFix when the RUN ``x`` (between the whole-context copy and the install, run in
        ``cwd``) runs code of the copied sources (:func:`code_runs`): a build tool in the
        copied folder (``make``, ``rake``, ``just``, ``task``…), a script or program there
        (``./build.sh``, ``python manage.py``, ``php artisan``), a module a context file is
        (``python -m myproject.tool``). The fix would run it before the sources are copied,
        and what it writes (a manifest, a wheel, a configuration file) may be what the
        install reads. A script the build context shows it does not send is not the
        project's: the RUN stays as any other. Returns why the fix is unsafe (a module that
        no build context shows is not the project's), else None."""
        if dest_dir is None:
            return None
        unsafe = None
        for found in code_runs(scripts_of(self.context.model, x), cwd):
            inside = [p for p in found.paths if _in_copy(p, dest_dir)]
            if not inside:
                continue
            kind = found.run.kind
            ctx = self._ctx if kind is not CodeKind.BUILD else None  # opened when first asked for
            if kind is CodeKind.BUILD:
                raise NoFix(f"a `RUN` between them runs `{found.text}`, a build from the sources "
                            f"(`{found.run.shown}`), and the copy cannot move below it")
            if kind is CodeKind.MODULE:
                if ctx is None:
                    unsafe = unsafe or (f"a `RUN` between them runs `{found.text}`, and no build context shows "
                                        f"that `{found.run.shown}` is not a module of the sources")
                    continue
                if not any(ctx.may_send(posixpath.join(_context_path(p, dest_dir, src), f))
                           for p in inside for f in found.run.names):
                    continue
                raise NoFix(f"a `RUN` between them runs `{found.text}`, which runs the module "
                            f"`{found.run.shown}` from the sources, and the copy cannot move below it")
            if ctx is not None and not any(ctx.may_send(_context_path(p, dest_dir, src)) for p in inside):
                continue
            what = "" if kind is CodeKind.PROGRAM else f", which runs `{found.run.path}`"
            raise NoFix(f"a `RUN` between them runs `{found.text}`{what} from the sources, and the copy "
                        "cannot move below it")
        return unsafe

    def _config_inputs(self, install: InstallNeeds) -> None:
        """Add to the manifests the project configuration the install reads unnamed (its
        rows' ``project_config``: ``poetry.toml``, ``uv.toml``, ``.mvn/``…) and the patch
        files ``package.json`` lists (``patch_table``), as the context has them.

        A file the context has joins the manifest copy, optional (``poetry.toml*``); without
        a context every file does (a missing one is no error). A folder the context sends
        is copied whole; without a context that it is absent is not shown (unsafe). NoFix
        when the files cannot be listed: a patch file that is not a plain path in the
        copied folder, or that the context does not send; a script configuration that
        loads other local files.
        """
        ctx = self._ctx

        def in_ctx(path: str) -> str:
            return path if install.src == "." else posixpath.join(install.src, path)

        for cf in install.config:
            path = cf.path.rstrip("/")
            if path in install.manifests or path in install.folders:
                continue
            if cf.manifest:
                # A build file the project may lack: copied only as the context shows it.
                if ctx is None:
                    if cf.unknown == "skip":
                        continue
                    raise NoFix(f"which of the build files (`{path}`…) the project has only the build context "
                                "shows, and it is not at hand")
                if ctx.has_file(in_ctx(path)):
                    if (data := ctx.read(in_ctx(path))) is not None and (folders := local_folders(path, data)):
                        raise NoFix(f"`{path}` uses the folder `{folders[0]}`, which the manifest copy would not "
                                    "bring")
                    install.need(path)
                continue
            if cf.path.endswith("/"):
                if ctx is None:
                    install.unsafe.append(f"no build context shows whether there is a `{cf.path}`, which the "
                                          "install reads and the manifest copy would not bring")
                elif ctx.is_dir(in_ctx(path)) and ctx.sends(in_ctx(path)):
                    install.folders.append(path)
                continue
            if ctx is not None and cf.settings and (named := _named_by_setting(ctx, cf, in_ctx)) is not None:
                # `pnpmfile=hooks/pnpm.cjs` in `.npmrc`: that file is read instead.
                if named in install.manifests:
                    continue
                if not ctx.has_file(in_ctx(named)):
                    raise NoFix(f"the `{cf.settings[0][1]}` setting names `{named}`, which the context does not send")
                path = named
            if ctx is not None:
                data = ctx.read(in_ctx(path))
                if data is None and not ctx.has_file(in_ctx(path)):
                    continue
                if cf.table is not None and data is not None and not toml_has_table(data, cf.table):
                    continue
                if cf.script and data is None:
                    raise NoFix(f"`{path}` is too large to read, so the local files it may load are not known")
                if cf.script and (loads := script_loads(data or b"")) is not None:
                    raise NoFix(f"`{path}` {loads}, which the manifest copy would not bring")
            install.need(path, optional=True)
            install.config_paths.add(path)
        wanted = [cf.path for cf in install.config if cf.manifest and cf.unknown == "decline"]
        if ctx is not None and wanted and not any(p in install.manifests for p in wanted):
            raise NoFix(f"the context has none of the build files {', '.join(f'`{p}`' for p in wanted)}")
        for path in install.no_download_if:
            if ctx is None:
                install.unsafe.append(f"no build context shows whether there is a `{path}`, with which the build "
                                      "reads the vendored modules and the added step downloads them")
            elif ctx.has_file(in_ctx(path)):
                raise NoFix(f"the context has `{path}`: the build reads the vendored modules, and an added "
                            f"`{install.extra_command}` would download them")
        if ctx is not None:
            self._workspaces(install, ctx, in_ctx)
        if ctx is not None and install.yarn_files:
            self._yarn_inputs(install, ctx, in_ctx)
        if ctx is None or not install.patch_tables or "package.json" not in install.manifests:
            return
        data = ctx.read(in_ctx("package.json"))
        if data is None:
            return
        for table in install.patch_tables:
            found = patched_files(data, table)
            if isinstance(found, str):
                raise NoFix(found)
            for dep, written in found:
                path = posixpath.normpath(written)
                if not plain_path(written) or written.startswith("/") or path.startswith("../") or path == "..":
                    raise NoFix(f"`package.json` patches `{dep}` with `{written}`, which is not a plain path in "
                                "the copied folder")
                if not ctx.has_file(in_ctx(path)):
                    raise NoFix(f"`package.json` patches `{dep}` with `{written}`, which the context does not send")
                install.need(path)
                install.config_paths.add(path)

    @staticmethod
    def _workspaces(install: InstallNeeds, ctx: BuildContext, in_ctx: Any) -> None:
        """NoFix when a copied manifest declares workspaces (``workspaces`` in package.json,
        ``packages`` in pnpm-workspace.yaml) and the context has a member's ``package.json``:
        the install before the sources would set up the root alone (pnpm's Docker example
        copies each member's manifest, https://pnpm.io/cli/fetch), so the reorder cannot work.
        Without a member in the context the finding stays unsafe (the manifests are not shown
        to be self-contained)."""
        for name in ("package.json", "pnpm-workspace.yaml"):
            if name not in install.manifests or (data := ctx.read(in_ctx(name))) is None:
                continue
            globs = workspace_globs(name, data)
            if globs and (member := _workspace_member(ctx, posixpath.normpath(in_ctx(".")), globs)) is not None:
                raise NoFix(f"`{name}` declares workspaces, whose manifests (`{member}`…) the manifest copy "
                            "would not bring")

    @staticmethod
    def _yarn_inputs(install: InstallNeeds, ctx: BuildContext, in_ctx: Any) -> None:
        """The files Yarn loads from the project to install: the release ``yarnPath`` names and
        the plugins' files (in ``.yarnrc.yml``), and the files ``patch:`` dependencies of
        ``package.json`` apply (:mod:`dockmod.ecosystems.node`). Each is copied into its folder
        (``COPY .yarn/releases/yarn-4.1.0.cjs ./.yarn/releases/``). NoFix when one is not a plain
        path in the copied folder, or the context does not send it."""
        found: list[tuple[str, str, str]] = []  # (file, what it does, path as written)
        if (rc := ctx.read(in_ctx(".yarnrc.yml"))) is not None:
            named = yarnrc_files(rc, YARNRC_FILE_SETTINGS)
            if isinstance(named, str):
                raise NoFix(named)
            found += [(".yarnrc.yml", f"sets `{key}` to", value) for key, value in named]
        if (rc := ctx.read(in_ctx(".yarnrc"))) is not None:
            named = classic_yarnrc_files(rc, YARNRC_CLASSIC_FILE_SETTINGS)
            if isinstance(named, str):
                raise NoFix(named)
            found += [(".yarnrc", f"sets `{key}` to", value) for key, value in named]
        if "package.json" in install.manifests and (data := ctx.read(in_ctx("package.json"))) is not None:
            patches = protocol_files(data, YARN_PATCH_PROTOCOL)
            if isinstance(patches, str):
                raise NoFix(patches)
            found += [("package.json", f"patches `{dep}` with", path) for dep, path in patches]
        for name, what, written in found:
            path = written[2:] if written.startswith("~/") else written
            norm = posixpath.normpath(path)
            if not plain_path(path) or path.startswith("/") or norm in (".", "..") or norm.startswith("../"):
                raise NoFix(f"`{name}` {what} `{written}`, which is not a plain path in the copied folder")
            if not ctx.has_file(in_ctx(norm)):
                raise NoFix(f"`{name}` {what} `{written}`, which the context does not send")
            install.need(norm)
            install.config_paths.add(norm)

    def _unproven(self, install: InstallNeeds, dest_dir: str | None, **kw: Any) -> list[str]:
        return unproven(install, dest_dir, self._ctx, ctx_error=self._ctx_error,
                        self_contained=bool(self.option("self-contained-manifests")),
                        escape=self.context.dockerfile.escape, **kw)

    def _lookup(self, install: InstallNeeds, dest_dir: str | None) -> ContextLookup:
        """Asks the context what a call of the install reads, in the copied folder.

        The closure holds the transform and the install weakly: ``install.lookup`` is this
        closure, and a cycle would keep each file's tree alive until a garbage collection."""
        owner, needs = weakref.ref(self), weakref.ref(install)

        def lookup(call: PackageManagerCall) -> ContextInputs | str | None:
            this, inst = owner(), needs()
            if this is None or inst is None or this._ctx is None:
                return None
            cwd = inst.cwd or dest_dir
            if dest_dir is None or cwd is None or not (cwd == dest_dir or cwd.startswith(dest_dir.rstrip("/") + "/")):
                return "the install runs outside the copied folder"
            folder = posixpath.normpath(posixpath.join(inst.src, posixpath.relpath(cwd, dest_dir)))
            return context_inputs(this._ctx, call, folder)
        return lookup

    # -- proving it safe ---------------------------------------------------------------
    def _load_context(self) -> None:
        # Opened when first asked for: most files never need their build context.
        self._opened: tuple[BuildContext | None, str | None] | None = None

    def _open(self) -> tuple[BuildContext | None, str | None]:
        if self._opened is None:
            self._opened = open_build_context(self)
        return self._opened

    @property
    def _ctx(self) -> BuildContext | None:
        return self._open()[0]

    @property
    def _ctx_error(self) -> str | None:
        return self._open()[1]


class _LazyWorkdirs(Sequence[str]):
    """The stage's working directories (:func:`~dockmod.semantic.copies.stage_workdirs`), computed
    on first use, with the model: most stages never need them."""

    def __init__(self, context: Context, stage: Stage) -> None:
        self._context, self._stage = context, stage
        self._list: list[str] | None = None

    def _get(self) -> list[str]:
        if self._list is None:
            self._list = stage_workdirs(self._context.model, self._stage)
        return self._list

    def __getitem__(self, k):  # type: ignore[no-untyped-def, override]
        return self._get()[k]

    def __len__(self) -> int:
        return len(self._stage.instructions)


def _may_install_after(ins: list[Instruction], i: int, named: bool) -> bool:
    """Whether :meth:`ReorderDependencyCopy._install_after` may find an install after the
    copy ``ins[i]`` (False: it finds none), or, with ``named`` (a whole-context copy),
    :meth:`ReorderDependencyCopy._named_install` a RUN to move: read from the instructions'
    text only, as their own cheap exits do."""
    for x in ins[i + 1:]:
        if isinstance(x, Run):
            if may_call_any(x, STEP_MANAGERS):
                return True
        elif whole_context(x):
            break
    if named:
        for x in ins[i + 1:]:
            if isinstance(x, Run):
                return may_call_manager(x)
            if x.name not in RUN_NEUTRAL:
                return False
    return False


_CROSSED = COPY_NEUTRAL - {"SHELL", "ONBUILD"}

#: Actions of the Node tools that run a script of the project (package.json ``scripts``)
#: or build it: https://docs.npmjs.com/cli/v10/commands/npm-run-script (aliases ``rum``,
#: ``urn``), npm-test (``tst``, ``t``), npm-start, npm-restart, npm-stop;
#: https://pnpm.io/cli/run, /cli/test, /cli/start; https://bun.sh/docs/cli/run, /cli/test,
#: /bundler (``bun build``). Yarn and pnpm also run a script named in place of an action
#: that is none of theirs (``yarn build``): see ``_TOOL_ACTIONS``. Not ``npx``/``exec``: a
#: package's binary may need no sources (``npx playwright install``).
_SCRIPT_ACTIONS = {
    "npm": frozenset({"run", "run-script", "rum", "urn", "test", "tst", "t", "start", "restart", "stop"}),
    "pnpm": frozenset({"run", "run-script", "test", "t", "tst", "start"}),
    "bun": frozenset({"run", "test", "build"}),
}
#: The actions of Yarn (classic, https://classic.yarnpkg.com/en/docs/cli/, and Berry,
#: https://yarnpkg.com/cli) and pnpm (https://pnpm.io/cli/) that are not scripts; any
#: other first operand names a script of package.json (``yarn build``, ``pnpm lint``).
_TOOL_ACTIONS = {
    "yarn": frozenset("""access add audit autoclean bin cache check config constraints create dedupe dlx
        explain generate-lock-entry global help import info init install licenses link list login logout
        npm outdated owner pack patch patch-commit plugin policies publish rebuild remove search set stage
        tag team unlink unplug up upgrade upgrade-interactive version versions why workspace
        workspaces exec""".split()),
    "pnpm": frozenset("""add install i update up upgrade remove rm uninstall un link ln unlink import
        rebuild rb prune fetch install-test it dedupe patch patch-commit patch-remove audit list ls ll la
        outdated why licenses dlx create publish pack recursive m multi server store root bin setup init
        deploy doctor config c get set env cache self-update approve-builds ignored-builds catalog
        help exec""".split()),
}
_TOOL_ACTIONS["yarnpkg"] = _TOOL_ACTIONS["yarn"]


def _project_script(scripts: list[tuple[ShellScript, str | None]]) -> str | None:
    """The first command of a RUN's scripts that runs a script of the project or builds it
    (``npm run build``, ``yarn build``, ``bun build``: ``_SCRIPT_ACTIONS``), as written;
    None when there is none. Such a RUN reads the sources: the whole-context copy must
    stay above it."""
    for script, _ in scripts:
        for cmd in script.commands:
            name = posixpath.basename(cmd.name)
            if name not in _SCRIPT_ACTIONS and name not in _TOOL_ACTIONS:
                continue
            action = next((w.text for w in cmd.args if not w.text.startswith("-")), None)
            if action is None:
                continue
            if action in _SCRIPT_ACTIONS.get(name, ()) or (
                    name in _TOOL_ACTIONS and action not in _TOOL_ACTIONS[name]):
                return command_text(cmd)
    return None


def _first_step(scripts: list[tuple[ShellScript, str | None]]) -> tuple[Any, ...] | None:
    """The first dependency step of a RUN's scripts (:func:`scripts_of`), else its first
    project step: (script, why-no-fix, command, manager, is-a-project-step); None without one.
    A pure function of the RUN, so :meth:`ReorderDependencyCopy._install_after` keeps it."""
    for script, opaque in scripts:
        if script.has_error:
            continue
        calls = calls_by_span(script)
        deps = [c for c in script.commands if c.span in calls and (
            is_dependency_step(calls[c.span]) or mixed_pip(calls[c.span]))]
        if deps:
            return script, opaque, deps[0], calls[deps[0].span].manager, False
        projects = [c for c in script.commands if c.span in calls and project_step(calls[c.span])]
        if projects:
            return script, opaque, projects[0], calls[projects[0].span].manager, True
    return None


def _in_copy(path: str, dest_dir: str) -> bool:
    """``path`` (in the image) is one the whole-context copy to ``dest_dir`` may bring. A
    copy to the root brings the project's files next to the image's own folders: a path
    under one of those (``/usr/bin/…``) is taken as the image's."""
    if dest_dir == "/":
        return path.startswith("/") and path.split("/")[1] not in IMAGE_TOP_DIRS
    return inside(path, dest_dir)


def _context_path(path: str, dest_dir: str, src: str) -> str:
    """The build context path a copy of context folder ``src`` to ``dest_dir`` lands at ``path``."""
    rel = path[len(dest_dir.rstrip("/")) + 1:] if path != dest_dir else "."
    return posixpath.normpath(posixpath.join(src, rel))


def _below_two_copies(ins: list[Instruction], start: int) -> list[int]:
    """The RUNs with at least two COPY/ADDs right above them, past instructions a COPY may
    cross: a source copy between a manifest copy and the install needs two. One pass from
    ``start`` (the first COPY/ADD): the count goes on past what a COPY may cross and
    restarts at anything else (a RUN too)."""
    out: list[int] = []
    n = 0
    for j in range(start, len(ins)):
        x = ins[j]
        if isinstance(x, (Copy, Add)):
            n += 1
        elif isinstance(x, Run):
            if n >= 2:
                out.append(j)
            n = 0
        elif not (isinstance(x, (Workdir, Env, Arg)) or x.name in _CROSSED):
            n = 0
    return out


def _named_by_setting(ctx: BuildContext, cf: ConfigFile, in_ctx: Any) -> str | None:
    """The file a setting in the context names in place of ``cf`` (its ``settings``),
    relative to the install's folder; None when none does. NoFix when the value is not a
    plain path in the folder, or two settings name different files."""
    found: dict[str, str] = {}
    for name, key in cf.settings:
        data = ctx.read(in_ctx(name))
        if data is None:
            continue
        value = yarnrc_setting(data, key) if name.endswith((".yaml", ".yml")) else npmrc_setting(data, key)
        if not value:
            continue
        path = posixpath.normpath(value)
        if not plain_path(value) or value.startswith(("/", "~")) or path == ".." or path.startswith("../"):
            raise NoFix(f"`{name}` sets `{key}` to `{value}`, which is not a plain path in the copied folder")
        found[name] = path
    if len(set(found.values())) > 1:
        raise NoFix(f"the `{cf.settings[0][1]}` settings name different files ({', '.join(found.values())})")
    return next(iter(found.values()), None)


def _workspace_member(ctx: BuildContext, folder: str, globs: list[str], limit: int = 20000) -> str | None:
    """The ``package.json`` of a workspace member the context sends (relative to ``folder``,
    the copied folder) for the folder ``globs`` (``packages/*``, ``apps/**``; ``!`` excludes;
    ``node_modules`` is never a member); None when there is none. At most ``limit`` entries
    are looked at."""
    def matches(parts: list[str], pat: list[str]) -> bool:
        if not pat:
            return not parts
        if pat[0] == "**":
            return any(matches(parts[k:], pat[1:]) for k in range(len(parts) + 1))
        return bool(parts) and fnmatch.fnmatchcase(parts[0], pat[0]) and matches(parts[1:], pat[1:])

    def clean(g: str) -> list[str]:
        return [p for p in posixpath.normpath(g.removeprefix("./")).split("/") if p not in ("", ".")]

    nots = [clean(g[1:]) for g in globs if g.startswith("!")]
    seen = 0
    for glob in globs:
        pat = clean(glob)
        if glob.startswith("!") or not pat or ".." in pat:
            continue
        k = next((n for n, p in enumerate(pat) if any(ch in p for ch in "*?[{")), len(pat))
        start = posixpath.normpath(posixpath.join(folder, *pat[:k])) if k else folder
        if k == len(pat):
            found = [start] if ctx.has_file(posixpath.join(start, "package.json")) else []
        else:
            found = []
            for child, _ in ctx.walk(start):
                seen += 1
                if seen > limit:
                    return None
                if posixpath.basename(child) == "package.json" and "node_modules" not in child.split("/"):
                    found.append(posixpath.dirname(child))
        for member in sorted(found):
            rel = clean(posixpath.relpath(member, folder))
            if rel and matches(rel, pat) and not any(matches(rel, n) for n in nots):
                return posixpath.join(*rel, "package.json")
    return None


def _brings_config(landing: Any, install: InstallNeeds, cwd: str) -> bool:
    """A copy lands a configuration file or folder the install reads unnamed (its rows'
    ``project_config``, the wrapper's folder) in its folder ``cwd``, or files into such a
    folder (``COPY config/config.exs config/prod.exs config/`` for mix's ``config/``)."""
    wanted = [posixpath.join(cwd, p) for p in (*(cf.path.rstrip("/") for cf in install.config), *install.folders)]
    return any(w == path or (tree and w.startswith(path.rstrip("/") + "/")) or path.startswith(w + "/")
               for w in wanted for path, _, tree in landing)


def _manifest_list(install: InstallNeeds) -> str:
    return ", ".join([*(f"`{p}`" for p in install.manifests), *(f"`{f}/`" for f in install.folders)]) \
        or "the manifests"
