"""Split a single-stage build into a ``builder`` and a ``runtime`` stage.

## What it does
Finds a single-stage Dockerfile that installs or compiles with a language toolchain and
rewrites it into the pattern Docker's guidance teaches: a **builder** stage on the original
base holds the compilers and build-only packages and produces artifacts; a **runtime**
stage on a smaller base copies only those artifacts, by stage name::

    FROM python:3.11                       FROM python:3.11 AS builder
    RUN apt-get install -y gcc libpq5      RUN python -m venv /opt/venv
    COPY . /app                            ENV PATH="/opt/venv/bin:$PATH"
    RUN pip install -r /app/req.txt   →    RUN apt-get install -y gcc libpq5
    CMD ["python", "/app/main.py"]         COPY . /app
                                           RUN pip install -r /app/req.txt

                                           FROM python:3.11-slim AS runtime
                                           ENV PATH="/opt/venv/bin:$PATH"
                                           RUN apt-get install -y libpq5
                                           COPY . /app
                                           COPY --from=builder /opt/venv /opt/venv
                                           CMD ["python", "/app/main.py"]

One strategy per ecosystem, chosen from what the file does:

* **Python** (pip, poetry, pipenv, uv): pip, poetry and pipenv install into a virtualenv
  at ``/opt/venv`` which the runtime copies (why a virtualenv and not wheels, and why
  ``VIRTUAL_ENV`` rather than ``poetry export``: :mod:`dockmod.transforms._split.python`);
  ``uv sync`` (and an in-project poetry) keeps its project environment where the tool puts
  it (``$UV_PROJECT_ENVIRONMENT`` or ``<WORKDIR>/.venv``) and the runtime copies that, as
  uv's Docker guide does.
  Build-only system packages (``build-essential``, ``gcc``, ``*-dev``, ``git`` …: the
  tables in :mod:`dockmod.ecosystems.system`) stay in the builder only; the runtime keeps
  the others. A ``-dev`` package whose runtime library the runtime may need
  (``libpq-dev`` → ``libpq5``) is named in the finding, not added.
* **Go**: the builder compiles (``CGO_ENABLED=0`` unless the file shows cgo); the runtime
  holds only the binaries (:mod:`dockmod.transforms._split.go`): ``go build -o``, ``go
  build`` without ``-o`` and ``go install`` (named after the import path; ``.`` and
  ``./...`` from go.mod and the main packages of the build context).
* **Node** (npm, Yarn classic and berry, pnpm): the builder installs, builds and prunes
  devDependencies with the package manager's own command; the runtime copies the directory
  the steps ran in (:mod:`dockmod.transforms._split.node`).

The runtime base is the original's slim or runtime counterpart from
:mod:`dockmod.ecosystems.images` (``python:3.11`` → ``python:3.11-slim``, ``golang:1.22``
→ ``gcr.io/distroless/static-debian12``), or the ``runtime-images`` option, which is the
only way for a base that is not an official image (``myorg/python-base:3.11``): unmapped,
the file is reported with the option to set. The builder's
``FROM`` stays as written, tag, digest and ``--platform`` included; a pinned builder's
runtime is named without a digest (the finding says to pin it: DM101 can).

The runtime keeps every instruction that shapes it, in order and with its comments:
``ENV``, ``WORKDIR``, ``USER``, ``EXPOSE``, ``VOLUME``, ``LABEL``, ``HEALTHCHECK``,
``STOPSIGNAL``, ``CMD``, ``ENTRYPOINT`` and the ``ARG``s; the builder drops those that only
shape the shipped image, and ``USER`` (installs run as root into the artifact directory).
Stages are named ``builder`` and ``runtime``; an original stage name stays on the runtime
(``--target`` keeps working), and ``builder`` becomes ``builder-1`` … when taken. RUN flags
(cache mounts, secrets) and the dependency-first order carry over, since every instruction
is copied as written. No heredocs are written.

Files that are already multi-stage are not split. Their final stage is reported when it
installs build-only packages or copies a whole stage (``COPY --from=build / /``), with the
concrete suggestion (report only). Windows images, ``# escape=``\\` files and files with
``ONBUILD`` are left alone.

## Why
A single-stage image ships its compilers, headers, SDKs and caches: hundreds of megabytes
and a larger attack surface, none of which the application uses at run time.

## Example
``FROM golang:1.22`` + ``RUN go build -o /usr/local/bin/app .`` becomes a builder with
``ENV CGO_ENABLED=0`` and a ``gcr.io/distroless/static-debian12`` runtime with
``COPY --from=builder /usr/local/bin/app /usr/local/bin/app``.

## Fix safety
Unsafe: it changes what the image contains. Packages compiled from source against a library
of the full image need that library in the runtime; a program may read files the runtime no
longer has. Where a strategy cannot show what the runtime needs (another command in a pip
``RUN``, a ``COPY`` of non-Go files for a Go runtime without a shell, a tool of the full image
used after the install, Yarn Plug'n'Play, a ``CMD`` that runs pnpm, a ``go build`` whose
module path the build context does not show) it reports why and changes nothing. The
output keeps the file's line endings and its final newline (or lack of one).

Off by default: select it (``--select DM401``). It runs last among the transforms, so
the layer-cache fixes (DM201, DM202) shape the instructions it then distributes.

## Options
``runtime-images`` (table, default empty): base image → runtime image, overriding the table,
e.g. ``{"golang:1.22" = "gcr.io/distroless/static-debian12:nonroot"}``. Keys match the
``FROM`` text, the text without its digest, the normalised reference, or the repository
alone: ``{"myorg/python-base" = "myorg/python-runtime"}`` maps ``myorg/python-base:3.11``
to ``myorg/python-runtime:3.11`` (a value with its own tag or digest is used as is). In
dockmod.toml: ``[transform.split-builder-runtime]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockmod.cst import Copy, Dockerfile, From, Run
from dockmod.ecosystems.images import is_windows_image
from dockmod.transforms._base import Example, FixSafety, Option, Transform, TransformMeta

if TYPE_CHECKING:
    from dockmod.semantic import Model, StageInfo
    from dockmod.transforms._split.common import Decline, Plan

class SplitBuilderRuntime(Transform):
    meta = TransformMeta(
        code="DM401",
        name="split-builder-runtime",
        summary="{message}",
        fix_title="Split into a `{builder}` stage and a `{runtime}` stage on `{image}`",
        safety=FixSafety.UNSAFE,
        reference="https://docs.docker.com/build/building/multi-stage/",
        # A restructuring, not a lint fix: on only when selected (``--select DM401``).
        default_enabled=False,
        options=(Option("runtime-images", dict, {}, "base image → runtime image, overriding the table", item=str),),
        examples=(
            Example(
                before=("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\n"
                        'CMD ["app"]\n'),
                after=("FROM golang:1.22 AS builder\nENV CGO_ENABLED=0\nWORKDIR /src\nCOPY . .\n"
                       "RUN go build -o /usr/local/bin/app .\n\n"
                       "FROM gcr.io/distroless/static-debian12 AS runtime\nWORKDIR /src\n"
                       'COPY --from=builder /usr/local/bin/app /usr/local/bin/app\nCMD ["app"]\n'),
                unsafe_fixes=True),
            Example(before=("FROM python:3.11-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n")),
            Example(before="FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n"),
        ),
    )

    def transform(self, df: Dockerfile) -> Dockerfile:
        model = self.context.model
        if not model.stages or df.escape != "\\":
            return df
        if len(model.stages) > 1:
            self._report_multistage(df, model)
            return df
        stage = model.stages[0]
        if stage.base_kind != "image" or is_windows_image(stage.image or ""):
            return df
        result = self._plan(df, model, stage)
        if result is None:
            return df
        from dockmod.transforms._split.common import Decline

        if isinstance(result, Decline):
            what = (f"single-stage {result.ecosystem} build not split into builder and runtime "
                    f"stages: {result.reason}")
            at = result.at or stage.from_
            self.report(at, no_fix_reason=result.reason, message=what, builder="builder",
                        runtime="runtime", image="?")
            return df
        new_text = self._render(df, stage, result)
        from dockmod._parse import parse

        new = parse(new_text)
        builder, runtime = self._names(stage)
        message = f"single-stage {result.ecosystem} build ships its build toolchain"
        if result.notes:
            message += " (" + "; ".join(result.notes) + ")"
        return self.propose(stage.from_, new, updated=df, message=message, builder=builder,
                            runtime=runtime, image=result.runtime_image)

    # -- planning --------------------------------------------------------------------
    def _names(self, stage: StageInfo) -> tuple[str, str]:
        runtime = stage.name or "runtime"
        builder = "builder"
        n = 1
        while builder == runtime:
            builder = f"builder-{n}"
            n += 1
        return builder, runtime

    def _plan(self, df: Dockerfile, model: Model, stage: StageInfo) -> Plan | Decline | None:
        from dockmod.transforms._split import go, node, python
        from dockmod.transforms._split.common import Ctx

        images = self.option("runtime-images") or {}
        ctx = Ctx(df, model, stage, dict(images), self._names(stage)[0], self._build_context())
        for strategy in (python.plan, go.plan, node.plan):
            result = strategy(ctx)
            if result is not None:
                return result
        return None

    def _build_context(self) -> object | None:
        """The Dockerfile's build context (read for package.json, go.mod …), or None."""
        from dockmod.buildcontext import ContextError, open_context

        try:
            return open_context(self.context.path)
        except ContextError:
            return None

    def _render(self, df: Dockerfile, stage: StageInfo, plan: Plan) -> str:
        from dockmod.transforms._split.common import Ctx, from_line, text

        builder, runtime = self._names(stage)
        ctx = Ctx(df, self.context.model, stage, {}, builder)
        nl = ctx.nl
        head = "".join(d.code for d in df.directives)
        for ins in df.body:
            if isinstance(ins, From):
                break
            head += text(ins, nl)
        from_ = stage.from_
        written = from_.image.text if from_.image else ""
        above = "".join(line.code for line in from_.leading_lines)
        out = [head, above, from_line(ctx, written, builder), *plan.builder, nl,
               from_line(ctx, plan.runtime_image, runtime), *plan.runtime]
        body = "".join(out)
        if not body.endswith("\n"):
            body += nl
        footer = "".join(f.code for f in df.footer)
        if not footer and not df.code.endswith("\n"):
            # No final newline in the original: none in the output either (the last
            # line's ending was added by ``text`` to keep the stages apart).
            body = body[: -len(nl)] if body.endswith(nl) else body.rstrip("\r\n")
        return df.bom + body + footer

    # -- already multi-stage ---------------------------------------------------------
    def _report_multistage(self, df: Dockerfile, model: Model) -> None:
        from dockmod.transforms._split.common import system_run

        last = model.stages[-1]
        for ins in last.instructions[1:]:
            if isinstance(ins, Run):
                s = system_run(model.run(ins))
                if s is not None and not isinstance(s, str) and s.build:
                    pkgs = ", ".join(f"`{w.text}`" for _c, w in s.build)
                    self.report(ins, message=(
                        f"the final stage installs build-only packages {pkgs}: install them in the "
                        "stage that compiles and COPY --from=<that stage> only what it produces"),
                        builder="builder", runtime="runtime", image="?")
            elif isinstance(ins, Copy) and ins.flag("from") is not None:
                if any(s.rstrip("/.") == "" for s in ins.sources):
                    src = ins.flag("from").text.split("=", 1)[-1]  # type: ignore[union-attr]
                    self.report(ins, message=(
                        f"the final stage copies the whole stage `{src}`: "
                        + _artifact_hint(model, src)),
                        builder="builder", runtime="runtime", image="?")


def _artifact_hint(model: Model, name: str) -> str:
    """What to copy instead of a whole stage, from what that stage builds."""
    stage = next((st for st in model.stages if st.name == name.lower() or str(st.index) == name), None)
    paths: list[str] = []
    python = False
    if stage is not None:
        for ins in stage.instructions:
            if not isinstance(ins, Run):
                continue
            for call in model.run(ins).calls:
                if call.manager.value == "go" and call.action == "build":
                    opt = call.option("-o")
                    if opt is not None and opt.value and opt.value.startswith("/"):
                        paths.append(opt.value)
                python = python or call.info.ecosystem == "python"
    if paths:
        return "copy only the binaries it builds: " + ", ".join(
            f"`COPY --from={name} {p} {p}`" for p in paths)
    if python:
        return (f"install into a virtualenv there (`python -m venv /opt/venv`) and "
                f"`COPY --from={name} /opt/venv /opt/venv`")
    return "copy only the directories its build produces"
