"""Use ``COPY`` instead of ``ADD`` for local files and folders.

## What it does
Finds ``ADD`` instructions that copy local files (hadolint ``DL3020``) and writes them
as ``COPY``, keeping the keyword's case and the flags (``--chown``, ``--chmod``,
``--link``, ``--exclude`` mean the same for both). ``ADD`` from a URL or a Git
repository (``http://``, ``https://``, any ``scheme://``, ``git@…``, ``….git``), with a
heredoc, or whose every source is an archive (``ADD app.tar.gz /opt/``, presumably there
to be unpacked) is not reported; nor is ``ADD`` with a flag ``COPY`` lacks
(``--checksum``, ``--keep-git-dir``, ``--unpack``, or one dockmod does not know).

## Why
``ADD`` does more than copy: it downloads URLs and unpacks local tar archives. ``COPY``
says that the files land as they are, which is what the reader then assumes.

## Example
``ADD src/ /app/src/`` becomes ``COPY src/ /app/src/``; ``ADD requirements.txt /app/``
too, safely when the build context shows the file is not an archive.

## Fix safety
``ADD`` unpacks a local source that is a tar archive (plain or compressed with gzip,
bzip2, xz or zstd); ``COPY`` copies it as is. So:

* Safe when every source is proven not to be an archive: the context folder ``.``, a
  path ending in ``/`` (a folder: files inside a copied folder are never unpacked, by
  either instruction), or a path the build context (the option ``context``, else the
  Dockerfile's folder, when it is at hand) shows to be a folder or a file whose header
  is not an archive. BuildKit
  detects archives by their content, not their name, so a name alone proves nothing.
* Unsafe otherwise: a source with a wildcard or a variable, which might match an
  archive, or a file that the build context is not at hand to show.
* Not reported: ``ADD`` whose every source has an archive extension (``.tar``,
  ``.tar.gz``, ``.tgz``, ``.tar.bz2``, ``.tbz2``, ``.tar.xz``, ``.txz``, ``.tar.zst``,
  ``.gz``, ``.bz2``, ``.xz``), presumably there to be unpacked.
* Reported without a fix when some but not all sources have an archive extension: the
  archive may be meant to be unpacked, so splitting the instruction is the author's call.

## Options
``context`` (string, default: the Dockerfile's folder): the build context folder,
relative to the Dockerfile's folder (``docker build -f docker/Dockerfile .``: ``..``), as
for DM201 and DM203.
"""

from __future__ import annotations

from dockmod.cst import Add, Copy
from dockmod.lang.words import LexError, process_word
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta
from dockmod.transforms._context import CONTEXT_OPTION, open_build_context

# ADD flags that mean the same on COPY.
_COPY_FLAGS = frozenset({"chown", "chmod", "link", "exclude"})
_ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
                     ".gz", ".bz2", ".xz")


def _is_remote(src: str) -> bool:
    return "://" in src or src.startswith("git@") or src.rstrip("/").endswith(".git") or ".git#" in src


def _is_archive(src: str) -> bool:
    return src.lower().endswith(_ARCHIVE_SUFFIXES)


class UseCopyInsteadOfAdd(Transform):
    meta = TransformMeta(
        code="DM511",
        name="use-copy-instead-of-add",
        summary="Use `COPY` instead of `ADD` for files and folders{note}",
        fix_title="Replace `{keyword}` with `{fixed}`",
        safety=FixSafety.SAFE,
        safety_varies="unsafe when a source may be a tar archive",
        reference="hadolint DL3020",
        options=(CONTEXT_OPTION,),
        examples=(
            Example(before="FROM alpine\nADD src/ /app/src/\n",
                    after="FROM alpine\nCOPY src/ /app/src/\n"),
            Example(before="FROM alpine\nADD https://example.com/tool.tgz /opt/\n"),
            Example(before="FROM alpine\nADD app.tar.gz /opt/\n"),
        ),
    )

    def leave_Add(self, original: Add, updated: Add) -> Add | Copy:
        if updated.heredocs or any(f.name not in _COPY_FLAGS for f in updated.flags):
            return updated
        sources = updated.sources
        if not sources:
            return updated
        escape = self.context.dockerfile.escape
        try:
            # Word form keeps quotes and escapes; the JSON form's strings are already plain.
            plain = sources if updated.json is not None else [process_word(s, escape) for s in sources]
        except LexError:
            return updated
        if any(_is_remote(s) for s in plain):
            return updated
        archives = [s for s in plain if _is_archive(s)]
        if len(archives) == len(plain):
            return updated
        if archives:
            self.report(original, note=f"; no fix: `ADD` unpacks `{archives[0]}`, `COPY` would not")
            return updated
        note = self._risk(sources, plain)
        keyword = original.keyword
        if keyword.islower() or keyword.isupper():
            fixed = "copy" if keyword.islower() else "COPY"
        else:
            fixed = self.context.style.keyword("COPY")
        copy = Copy(**{name: getattr(updated, name) for name in Copy._field_names if name != "keyword"},
                    keyword=fixed)
        return self.propose(original, copy, updated=updated,
                            safety=FixSafety.UNSAFE if note else FixSafety.SAFE,
                            keyword=keyword, fixed=fixed, note=note)

    def _risk(self, sources: list[str], plain: list[str]) -> str:
        """Why the fix is unsafe, as the finding's note, or "" when it is safe: a source
        that may be a local tar archive (``ADD`` unpacks one, ``COPY`` does not)."""
        for written in sources:
            if any(ch in written for ch in "*?[$"):
                return f"; unsafe: `{written}` may match a tar archive, which `ADD` unpacks and `COPY` does not"
        for src in plain:
            if not self._plain(src):
                where = "" if self._ctx is not None else "with no build context to read, "
                return f"; unsafe: {where}`{src}` may be a tar archive, which `ADD` unpacks and `COPY` does not"
        return ""

    def _plain(self, src: str) -> bool:
        """``src`` is proven to be copied as it is by ``ADD`` (not unpacked)."""
        if src in (".", "./") or src.endswith("/"):
            return True
        if not hasattr(self, "_ctx"):
            self._ctx = open_build_context(self)[0]
        return self._ctx is not None and self._ctx.may_unpack(src.lstrip("/") or ".") is False
