"""Use ``COPY`` instead of ``ADD`` for local files and folders.

## What it does
Finds ``ADD`` instructions that copy local files (hadolint ``DL3020``) and writes them
as ``COPY``, keeping the keyword's case and the flags (``--chown``, ``--chmod``,
``--link``, ``--exclude`` mean the same for both). ``ADD`` from a URL or a Git
repository (``http://``, ``https://``, any ``scheme://``, ``git@…``, ``user@host:path``,
``….git``), with a heredoc, or whose every source is an archive (``ADD app.tar.gz
/opt/``, presumably there to be unpacked) is not reported; nor is ``ADD`` with a flag
``COPY`` lacks (``--checksum``, ``--keep-git-dir``, ``--unpack``, or one dockmod does not
know). A source with variables is read with the ``ARG``/``ENV`` values in effect
(``ARG REPO=https://github.com/org/app.git`` then ``ADD ${REPO}#${REF} /src``: a Git
repository, not reported). When a value is not known (``ARG SRC`` without a default) and
the source may then be a URL or a Git repository, the finding has no fix: ``COPY``
cannot fetch either, so the build would fail.

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
* Reported without a fix when a source with a variable whose value is not known may be
  a URL or a Git repository (the unknown part is where ``scheme://`` or ``user@host:``
  would be: ``ADD $SRC /x``, ``ADD ${BASE}/tool /x``; not ``ADD ./$SRC /x``).
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

import re

from dockmod.cst import Add, Copy
from dockmod.lang.words import UNKNOWN, LexError, process_word
from dockmod.semantic.expand import Lookup, known_parts, variables
from dockmod.transforms._base import Example, FixSafety, Transform, TransformMeta
from dockmod.transforms._context import CONTEXT_OPTION, open_build_context

# ADD flags that mean the same on COPY.
_COPY_FLAGS = frozenset({"chown", "chmod", "link", "exclude"})
_ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
                     ".gz", ".bz2", ".xz")


# BuildKit fetches an ADD source as a Git repository or a URL when it starts with
# ``scheme://`` (http, https, git, ssh) or is SCP-like, ``user@host:path``
# (frontend/dockerfile/dockerfile2llb/convert_copy.go: dfgitutil.ParseGitRef, which reads
# util/gitutil ParseURL and util/sshutil's gitSSHRegex, then isHTTPSource). Any other
# ``scheme://`` and a name ending in ``.git`` are not reported either: wider, never a fix
# that fetches nothing.
_SCP_LIKE = re.compile(r"[A-Za-z0-9_-]+@[A-Za-z0-9.-]+:")
# Text that an unknown value may still turn into the start of one of those forms: letters
# (a scheme or a user name, then ``://`` or ``@host:``), ``scheme:``, ``scheme:/``, or
# ``user@host``.
_REMOTE_START = re.compile(r"[A-Za-z0-9_-]*(?:@[A-Za-z0-9.-]*)?|[A-Za-z0-9]+:/{0,2}")


def _is_remote(src: str) -> bool:
    return ("://" in src or src.startswith("git@") or _SCP_LIKE.match(src) is not None
            or src.rstrip("/").endswith(".git") or ".git#" in src)


def _may_be_remote(parts: list[str] | None) -> bool:
    """A source whose value is known only in ``parts`` (:func:`known_parts`: the known text
    between unknown values; None: nothing known) may be a URL or a Git repository."""
    if parts is None:
        return True
    return _is_remote("".join(parts)) or _REMOTE_START.fullmatch(parts[0]) is not None


def _is_archive(src: str) -> bool:
    return src.lower().endswith(_ARCHIVE_SUFFIXES)


def _not_known(word: str, lookup: Lookup, escape: str) -> str:
    """Why ``word``'s value is not known, for a message: the variables it expands whose
    value is not known (an ARG without a default, an ENV of an unknown base image)."""
    names = [f"`{n}`" for n in sorted(variables(word, escape) or ()) if lookup(n) is UNKNOWN]
    if not names:
        return "its value is not known"
    if len(names) == 1:
        return f"the value of {names[0]} is not known"
    return f"the values of {', '.join(names[:-1])} and {names[-1]} are not known"


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
            plain = list(sources) if updated.json is not None else [process_word(s, escape) for s in sources]
        except LexError:
            return updated
        may_fetch = ""
        if any("$" in s for s in sources):
            # BuildKit expands the sources of both forms (instructions.SourcesAndDest.Expand).
            scope = self.context.model.scope_at(original)
            for i, written in enumerate(sources):
                if "$" not in written:
                    continue
                value = scope.expand(written)
                if value is not None:
                    plain[i] = value
                elif not may_fetch and _may_be_remote(known_parts(written, scope.get, escape)):
                    may_fetch = f"; no fix: `{written}` may be a URL or a Git repository " \
                                f"({_not_known(written, scope.get, escape)}), which `COPY` cannot fetch"
        if any(_is_remote(s) for s in plain):
            return updated
        if may_fetch:
            self.report(original, note=may_fetch)
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
