"""The build context on disk: which files a ``COPY``/``ADD`` from it can see.

The context folder is the Dockerfile's folder unless configured otherwise. BuildKit
filters it with ``<Dockerfile>.dockerignore`` next to the Dockerfile when that file
exists, otherwise with ``.dockerignore`` at the context root
(https://docs.docker.com/build/concepts/context/#filename-and-location); patterns follow
:mod:`dockmod.buildcontext.patterns`.

Only what is needed is read: single paths are checked with ``lstat``, a folder is walked
only when asked what it sends. Nothing is cached across calls of :func:`open_context`
except by the caller.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from dockmod.buildcontext.patterns import PatternError, PatternMatcher, clean, read_ignore_file

# Headers BuildKit's archive detection recognises: gzip, bzip2, xz, zstd.
_ARCHIVE_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd")
#: Manifests and ignore files larger than this are not read (treated as unknown).
MAX_READ = 4 * 1024 * 1024
#: A summary stops counting after this many entries and says so.
MAX_WALK = 200_000


class ContextError(Exception):
    """The context cannot be used: its ignore file does not parse, or it is unreadable."""


@dataclass(frozen=True, slots=True)
class Risky:
    """A path a whole-context copy sends that rarely belongs in an image."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class ContextSummary:
    """What a whole-context copy (``COPY . .``) sends."""

    files: int
    bytes: int
    risky: tuple[Risky, ...]
    #: The walk stopped at :data:`MAX_WALK` entries: the counts are lower bounds.
    truncated: bool = False


# Names a whole-context copy should rarely send, with the reason shown to users.
_RISKY_DIRS = {
    ".git": "version control history",
    ".hg": "version control history",
    ".svn": "version control history",
    ".ssh": "SSH keys",
    ".aws": "cloud credentials",
    "node_modules": "installed dependencies from the host",
    ".venv": "a virtualenv from the host",
    "venv": "a virtualenv from the host",
    "__pycache__": "build output",
    ".pytest_cache": "build output",
    ".mypy_cache": "build output",
    ".tox": "build output",
    "dist": "build output",
    "build": "build output",
    "target": "build output",
    ".next": "build output",
}
_KEY_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".jks", ".keystore")
_KEY_NAMES = ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519")


# The conventional templates committed in place of a real ``.env`` (dotenv's docs and
# twelve-factor projects ship ``.env.example``): they hold no values.
_ENV_TEMPLATES = (".env.example", ".env.sample", ".env.template", ".env.dist")
# PEM labels of public material (RFC 7468 §5, §6 and OpenSSL's TRUSTED CERTIFICATE): a
# ``.pem`` holding only these is a certificate (bundle), not a key.
_PEM_PUBLIC = frozenset({b"CERTIFICATE", b"TRUSTED CERTIFICATE", b"X509 CRL"})
_PEM_BEGIN = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----")


def _risky_file(name: str, read: Callable[[], bytes | None] = lambda: None) -> str | None:
    """Why sending the file ``name`` is risky, or None (``read``: its bytes, None when
    they cannot be read; asked only for a ``.pem``)."""
    if name == ".env" or (name.startswith(".env.") and name not in _ENV_TEMPLATES):
        return "environment file, often secrets"
    if name.endswith(_KEY_SUFFIXES) or name.startswith(_KEY_NAMES):
        if name.endswith(".pem") and _only_certificates(read()):
            return None
        return _KEY_REASON
    return None


_KEY_REASON = "private key or keystore"
_FIXTURE_NOTE = ", test fixture?"


# Where projects keep keys made for their tests (Go's ``testdata``, which ``go help
# packages`` says the go tool ignores, and ``_testdata``; ``tests``/``test`` folders;
# Go's ``*_test`` file names). Such a key is still sent, but it is most likely a fixture:
# it is named after the others, and said so.
_TEST_DIRS = frozenset({"testdata", "_testdata", "test", "tests"})
_TEST_STEM_SUFFIXES = ("_test", "-test", ".test")


def _test_fixture(rel: str) -> bool:
    """``rel`` (a path in the context) looks like a file made for tests."""
    *folders, name = rel.split("/")
    return any(f in _TEST_DIRS for f in folders) or name.rpartition(".")[0].endswith(_TEST_STEM_SUFFIXES)


def _only_certificates(data: bytes | None) -> bool:
    """``data`` is PEM text whose every block is public (certificates, CRLs)."""
    labels = set(_PEM_BEGIN.findall(data)) if data else set()
    return bool(labels) and labels <= _PEM_PUBLIC


def _gitignore_spec(folder: str) -> tuple[str, object] | None:
    """``(folder, spec)`` for ``folder/.gitignore``, or None when it is absent or unreadable, or
    holds a pattern git would ignore. ``pathspec`` (~50 ms to import) is imported only once a
    ``.gitignore`` was read: most contexts, and every corpus one, have none."""
    try:
        with open(os.path.join(folder, ".gitignore"), "rb") as f:
            lines = f.read(MAX_READ).decode("utf-8", "surrogateescape").splitlines()
        import pathspec

        return folder, pathspec.GitIgnoreSpec.from_lines(lines)
    except (OSError, ValueError, TypeError):
        return None


@dataclass
class BuildContext:
    """A context folder and the ignore rules that filter it."""

    #: Absolute path of the context folder.
    root: str
    #: The ignore file in effect (absolute path), or None.
    ignore_file: str | None
    matcher: PatternMatcher
    _sends: dict[str, bool] = field(default_factory=dict, repr=False)
    _gitignores: list[tuple[str, object]] | None = field(default=None, repr=False)

    # -- single paths ----------------------------------------------------------------
    def _abs(self, rel: str) -> str | None:
        rel = clean(rel)
        if rel.startswith("/") or rel == ".." or rel.startswith("../"):
            return None
        return self.root if rel == "." else os.path.join(self.root, *rel.split("/"))

    def excluded(self, rel: str) -> bool:
        """The ignore file excludes ``rel`` (or a folder above it)."""
        return self.matcher.matches(clean(rel))

    def _lstat(self, rel: str) -> os.stat_result | None:
        path = self._abs(rel)
        if path is None:
            return None
        try:
            return os.lstat(path)
        except OSError:
            return None

    def is_dir(self, rel: str) -> bool:
        """``rel`` is a folder in the context (not a symlink) and not excluded itself."""
        st = self._lstat(rel)
        return st is not None and stat.S_ISDIR(st.st_mode) and not self.excluded(rel)

    def has_file(self, rel: str) -> bool:
        """``rel`` is a regular file the context sends (not a symlink, not excluded)."""
        st = self._lstat(rel)
        return st is not None and stat.S_ISREG(st.st_mode) and not self.excluded(rel)

    def read(self, rel: str) -> bytes | None:
        """The bytes of a file the context sends; None if absent, excluded, or too large."""
        st = self._lstat(rel)
        if st is None or not stat.S_ISREG(st.st_mode) or st.st_size > MAX_READ or self.excluded(rel):
            return None
        path = self._abs(rel)
        assert path is not None
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError:
            return None

    def missing(self, rel: str) -> str:
        """Why :meth:`read` gives nothing for ``rel``, as a reason for a finding: the ignore
        file excludes it, it is too large to read, or the context folder has no such file,
        most often because the build sends another folder (``docker build -f
        docker/Dockerfile .``) than the Dockerfile's, which the ``context`` option names."""
        if self._lstat(rel) is not None and self.excluded(rel):
            return f"`{os.path.basename(self.ignore_file or '.dockerignore')}` excludes `{rel}`"
        if self.has_file(rel):
            return f"`{rel}` is too large to read"
        return (f"the build context has no `{rel}`: if the build sends another folder, such as the "
                "repository root for a Dockerfile in `docker/`, name it with the `context` option")

    def may_unpack(self, rel: str) -> bool | None:
        """Whether ``ADD`` would unpack ``rel``: None when the context cannot tell.

        BuildKit decides by content, not by name: a local file whose header is gzip, bzip2,
        xz or zstd, or a tar header (``ustar`` at offset 257), is tried as an archive
        (moby/buildkit ``solver/llbsolver/file``, ``archive.DetectCompression``). A folder
        is copied as it is; the files inside it are never unpacked.
        """
        if self.is_dir(rel):
            return False
        st = self._lstat(rel)
        if st is None or not stat.S_ISREG(st.st_mode) or self.excluded(rel):
            return None
        path = self._abs(rel)
        assert path is not None
        try:
            with open(path, "rb") as f:
                head = f.read(512)
        except OSError:
            return None
        return head.startswith(_ARCHIVE_MAGIC) or head[257:262] == b"ustar"

    def sends(self, rel: str) -> bool:
        """The context sends ``rel`` itself or anything below it."""
        rel = clean(rel)
        if rel in self._sends:
            return self._sends[rel]
        st = self._lstat(rel)
        if st is None:
            result = False
        elif not self.excluded(rel):
            result = True
        elif stat.S_ISDIR(st.st_mode) and self.matcher.exclusions:
            # An excluded folder may still send what a `!` line re-includes.
            result = any(True for _ in self.walk(rel))
        else:
            result = False
        self._sends[rel] = result
        return result

    def host_generated(self, rel: str) -> bool:
        """``rel`` is absent here but a ``.gitignore`` lists it, and the ignore file does not
        exclude it: a path a build or an install creates on a developer's machine
        (``node_modules``, ``.venv``, ``target``), so this checkout's lack of it proves nothing
        about what another machine's context sends.

        The ``.gitignore`` files read are the context's own and those of the folders above
        it up to the repository root (the first with ``.git``).
        """
        rel = clean(rel)
        if self._lstat(rel) is not None or self.excluded(rel) or self._abs(rel) is None:
            return False
        path = self._abs(rel)
        assert path is not None
        for base, spec in self._gitignore_specs(os.path.dirname(path)):
            sub = os.path.relpath(path, base).replace(os.sep, "/")
            if not sub.startswith("../") and (spec.match_file(sub) or spec.match_file(sub + "/")):  # type: ignore[attr-defined]
                return True
        return False

    def may_send(self, rel: str) -> bool:
        """:meth:`sends`, or :meth:`host_generated`: what a safety proof must assume."""
        return self.sends(rel) or self.host_generated(rel)

    def _gitignore_specs(self, folder: str) -> list[tuple[str, object]]:
        if self._gitignores is None:
            dirs, d = [], self.root
            for _ in range(32):
                dirs.append(d)
                if os.path.exists(os.path.join(d, ".git")) or os.path.dirname(d) == d:
                    break
                d = os.path.dirname(d)
            else:  # no repository above: the context's own .gitignore files only
                dirs = [self.root]
            self._gitignores = [x for x in map(_gitignore_spec, reversed(dirs)) if x is not None]
        # Nested .gitignore files inside the context, on the way down to ``folder``.
        out = list(self._gitignores)
        if folder != self.root and folder.startswith(self.root + os.sep):
            d = self.root
            for part in os.path.relpath(folder, self.root).split(os.sep):
                d = os.path.join(d, part)
                spec = _gitignore_spec(d)
                if spec is not None:
                    out.append(spec)
        return out

    def entries(self, rel: str = ".") -> list[str]:
        """Names of the files the context sends directly in folder ``rel``, sorted."""
        path = self._abs(rel)
        if path is None:
            return []
        try:
            names = sorted(e.name for e in os.scandir(path) if e.is_file(follow_symlinks=False))
        except OSError:
            return []
        return [n for n in names if not self.excluded(n if clean(rel) == "." else f"{clean(rel)}/{n}")]

    # -- walking ---------------------------------------------------------------------
    def walk(self, under: str = ".") -> Iterator[tuple[str, os.stat_result]]:
        """Entries the context sends below ``under`` (``lstat`` results), depth first.

        Like BuildKit's walker, an excluded folder is skipped whole unless some pattern
        re-includes (``!``), in which case its entries are checked one by one.
        """
        start = self._abs(under)
        if start is None:
            return
        stack = [(clean(under), start)]
        while stack:
            rel, path = stack.pop()
            try:
                entries = sorted(os.scandir(path), key=lambda e: e.name)
            except OSError:
                continue
            for e in entries:
                child = e.name if rel == "." else f"{rel}/{e.name}"
                try:
                    st = e.stat(follow_symlinks=False)
                except OSError:
                    continue
                is_dir = stat.S_ISDIR(st.st_mode)
                if self.excluded(child):
                    if is_dir and self.matcher.exclusions:
                        stack.append((child, e.path))
                    continue
                yield child, st
                if is_dir:
                    stack.append((child, e.path))

    def summary(self, limit: int = MAX_WALK) -> ContextSummary:
        """Files, bytes and risky paths a whole-context copy sends."""
        files = size = seen = 0
        risky: list[Risky] = []
        flagged: list[str] = []
        truncated = False
        for rel, st in self.walk():
            seen += 1
            if seen > limit:
                truncated = True
                break
            if stat.S_ISDIR(st.st_mode):
                name = posixpath.basename(rel)
                if name in _RISKY_DIRS and not any(rel.startswith(f + "/") for f in flagged):
                    flagged.append(rel)
                    risky.append(Risky(rel + "/", _RISKY_DIRS[name]))
                continue
            files += 1
            size += st.st_size
            reason = _risky_file(posixpath.basename(rel), lambda: self.read(rel))
            if reason and not any(rel.startswith(f + "/") for f in flagged):
                if reason == _KEY_REASON and _test_fixture(rel):
                    reason += _FIXTURE_NOTE
                risky.append(Risky(rel, reason))
        # Likely test fixtures last: a finding names only the first few paths.
        risky.sort(key=lambda r: (r.reason.endswith(_FIXTURE_NOTE), r.path))
        return ContextSummary(files, size, tuple(risky), truncated)


def open_context(dockerfile: str | os.PathLike[str] | None, context: str | None = None) -> BuildContext | None:
    """The build context of ``dockerfile``: its folder, or ``context`` relative to it.

    None when there is no Dockerfile path to start from (stdin) and no absolute
    ``context``, or the folder does not exist. The Dockerfile itself need not exist. Raises :class:`ContextError`
    when the ignore file cannot be read or has a bad pattern (BuildKit would fail too).
    """
    df_path = os.fspath(dockerfile) if dockerfile is not None else None
    base = None
    if df_path not in (None, "", "-"):
        assert df_path is not None
        df_path = os.path.abspath(df_path)
        base = os.path.dirname(df_path)
        if not os.path.isdir(base):
            df_path = base = None
    else:
        df_path = None
    if context is not None:
        if not os.path.isabs(context) and base is None:
            return None
        root = os.path.abspath(os.path.join(base or "", context))
        if not os.path.isdir(root):
            return None
    elif base is not None:
        root = base  # a folder (asked above)
    else:
        return None
    candidates = []
    if df_path is not None:
        candidates.append(df_path + ".dockerignore")
    candidates.append(os.path.join(root, ".dockerignore"))
    ignore = next((c for c in candidates if os.path.isfile(c)), None)
    patterns: list[str] = []
    if ignore is not None:
        try:
            with open(ignore, "rb") as f:
                patterns = read_ignore_file(f.read(MAX_READ + 1))
        except OSError as e:
            raise ContextError(f"cannot read `{ignore}`: {e.strerror}") from e
    try:
        matcher = PatternMatcher(patterns)
    except PatternError as e:
        raise ContextError(f"`{os.path.basename(ignore or '')}`: {e}") from e
    return BuildContext(root, ignore, matcher)
