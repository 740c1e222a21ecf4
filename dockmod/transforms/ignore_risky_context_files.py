"""Report what a whole-context copy sends when the context holds files an image rarely wants.

## What it does
For each ``COPY . …``/``ADD . …`` from the build context, reads the context (the
Dockerfile's folder, or the ``context`` option, filtered by ``<Dockerfile>.dockerignore``
or ``.dockerignore``; see :mod:`dockmod.buildcontext`) and, when the copy would send risky
paths, reports the number of files and bytes it sends and those paths: ``.git/`` and other
version control folders, ``.env``/``.env.*`` (not the templates ``.env.example``,
``.env.sample``, ``.env.template``, ``.env.dist``), private keys and keystores (not a
``.pem`` whose every PEM block is a certificate or CRL: a CA bundle), ``.ssh``/``.aws``,
``node_modules``/``.venv``/``venv`` from the host, build outputs (``dist``, ``build``,
``target``, ``__pycache__``, ``.next``…). A key under a test folder (``testdata/``,
``_testdata/``, ``test/``, ``tests/``) or named like a Go test file (``github_test.pem``)
is most likely a test fixture: it is still named, last and with "test fixture?".

## Why
Everything the copy sends lands in the image and in the layer cache key: secrets leak
into the image, host-built dependencies shadow the ones installed in the image, and a
change to ``.git`` re-runs every step below the copy. An entry in ``.dockerignore`` fixes
all three.

## Example
With a context holding ``.git/`` and ``.env`` and no ``.dockerignore``::

    Dockerfile:3:1: DM203 `COPY . .` sends 41 files (118.2 kB) from the build context, among them `.env` (environment file, often secrets), `.git/` (version control history)

## Fix safety
Report only: what belongs in ``.dockerignore`` is the project's decision. Without a
context on disk (stdin) nothing is reported.

## Options
``context`` (string, default: the Dockerfile's folder): the build context folder,
relative to the Dockerfile's folder.
"""

from __future__ import annotations

from dockmod.buildcontext import ContextSummary
from dockmod.cst import Add, Copy, Dockerfile
from dockmod.semantic.copies import whole_context
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta
from dockmod.transforms._context import CONTEXT_OPTION, open_build_context

#: At most this many risky paths are named in one finding.
_SHOWN = 5
_SUMMARIES: dict[tuple[str, str | None], ContextSummary] = {}


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


class IgnoreRiskyContextFiles(Transform):
    meta = TransformMeta(
        code="DM203",
        name="ignore-risky-context-files",
        summary="`{copy}` sends {files} files ({size}) from the build context, among them {risky}",
        fix_title=None,
        safety=FixSafety.DISPLAY_ONLY,
        options=(
            CONTEXT_OPTION,
        ),
        examples=(Example(before="FROM alpine\nWORKDIR /app\nCOPY . .\n"),),
    )

    def transform(self, df: Dockerfile) -> Dockerfile:
        # whole_context's own first exit tested inline: no call for the other instructions.
        copies = [ins for ins in df.body if isinstance(ins, (Copy, Add)) and whole_context(ins)]
        if not copies:
            return df
        ctx, _ = open_build_context(self)
        if ctx is None:
            return df
        key = (ctx.root, ctx.ignore_file)
        summary = _SUMMARIES.get(key)
        if summary is None:
            # One walk per context and process: fix passes and sibling Dockerfiles share it.
            summary = _SUMMARIES[key] = ctx.summary()
            if len(_SUMMARIES) > 256:
                _SUMMARIES.pop(next(iter(_SUMMARIES)))
        if not summary.risky:
            return df
        shown = [f"`{r.path}` ({r.reason})" for r in summary.risky[:_SHOWN]]
        if len(summary.risky) > _SHOWN:
            shown.append(f"and {len(summary.risky) - _SHOWN} more")
        files = f"{summary.files:,}" + ("+" if summary.truncated else "")
        for c in copies:
            self.report(c, copy=" ".join([c.name, *c.paths]), files=files, size=_size(summary.bytes),
                        risky=", ".join(shown))
        return df
