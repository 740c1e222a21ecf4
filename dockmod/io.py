"""Reading and writing Dockerfiles as bytes, with no silent re-encoding.

Text is decoded as UTF-8 with ``surrogateescape``: bytes that are not UTF-8 become lone
surrogates and are encoded back to the very same bytes. A BOM stays in the text (the
parser keeps it on the tree), and line endings are never translated.

Reads take regular files only (a FIFO, a device or ``/dev/zero`` behind a link is refused
before anything is read), up to a size cap.

Writes replace the file atomically: the new bytes go to an anonymous ``O_TMPFILE`` in the
same folder (a file with no name cannot be left behind by ``kill -9``), which is given the
old file's mode, owner and group, then linked as ``.<name>.dockmod-<pid>-<random>`` and
renamed over the file. Only a kill in the instant between that link and the rename can
leave the named temporary file; :func:`sweep_stale` removes those whose process is gone,
and ``fix --apply`` calls it for every folder it visits. Where ``O_TMPFILE`` is not
supported, a named temporary file is used from the start (same sweep).

A write is refused (:class:`WriteRefused`) unless ``force`` when it would not be the same
file afterwards: a read-only file, a file with several hard links (a rename would split
them: the other names would keep the old text), or a file whose owner or group this
process cannot give to the new file.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import time
from pathlib import Path

#: The default ``max-file-size``: a Dockerfile is a few kB; 50 MB takes about 1 GB to parse.
DEFAULT_MAX_FILE_SIZE = 4 * 1024 * 1024

_TEMP_RE = re.compile(r"^\..+\.dockmod-(?P<pid>\d+)-[0-9a-f]+$")
# Temporary files of dockmod 0.1 (mkstemp names, no pid): swept once they are this old.
_OLD_TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.dockmod$")
_OLD_TEMP_AGE = 600.0


class NotRegularFile(OSError):
    """The path names a FIFO, a device, a socket or a folder."""


class FileTooLarge(OSError):
    """The file is larger than the configured ``max-file-size``."""


class WriteRefused(OSError):
    """Writing would change more than the file's text (see the module docstring)."""


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def read_bytes(path: str | os.PathLike[str], max_size: int | None = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """The bytes of a regular file of at most ``max_size`` bytes.

    Opened non-blocking, so a FIFO cannot hang the run, and checked with ``fstat`` on the
    open descriptor, so what is checked is what is read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file", str(path))
        if max_size is not None and st.st_size > max_size:
            raise FileTooLarge(errno.EFBIG, f"file is {st.st_size} bytes, over max-file-size "
                                            f"({max_size} bytes)", str(path))
        chunks = []
        left = (max_size if max_size is not None else 1 << 62) + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if max_size is not None and len(data) > max_size:  # it grew while being read
            raise FileTooLarge(errno.EFBIG, f"file is over max-file-size ({max_size} bytes)", str(path))
        return data
    finally:
        os.close(fd)


def read_text(path: str | os.PathLike[str], max_size: int | None = DEFAULT_MAX_FILE_SIZE) -> str:
    return decode(read_bytes(path, max_size))


def check_writable(path: str | os.PathLike[str], force: bool = False) -> os.stat_result:
    """The file's ``stat``, or :class:`WriteRefused` if writing would change more than its text."""
    st = os.stat(path)
    if force:
        return st
    if not stat.S_ISREG(st.st_mode):
        raise WriteRefused(errno.EINVAL, "not a regular file", str(path))
    if st.st_mode & 0o222 == 0:
        raise WriteRefused(errno.EACCES, "file is read-only (use --force to replace it)", str(path))
    if not os.access(path, os.W_OK):
        raise WriteRefused(errno.EACCES, "file is not writable by you (use --force to replace it)", str(path))
    if st.st_nlink > 1:
        raise WriteRefused(errno.EMLINK, f"file has {st.st_nlink} hard links; replacing it would "
                                         "split them (use --force to replace this name only)", str(path))
    return st


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.dockmod-{os.getpid()}-{secrets.token_hex(4)}")


def _keep_owner(fd: int, st: os.stat_result, path: Path, force: bool) -> None:
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) == (st.st_uid, st.st_gid):
        return
    try:
        os.fchown(fd, st.st_uid, st.st_gid)
        return
    except PermissionError:
        pass
    if force:
        return
    raise WriteRefused(errno.EPERM, f"cannot keep the file's owner {st.st_uid}:{st.st_gid} "
                                    "(use --force to write it as your own)", str(path))


def write_atomic(path: str | os.PathLike[str], data: bytes, *, force: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically, keeping mode, owner and group.

    Raises :class:`WriteRefused` (see :func:`check_writable`) unless ``force``.
    """
    path = Path(path)
    st = check_writable(path, force)
    mode = stat.S_IMODE(st.st_mode)
    folder = str(path.parent)
    fd = None
    tmp: Path | None = None
    try:
        try:
            fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o600)
        except (AttributeError, OSError) as e:
            if isinstance(e, OSError) and e.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                raise
            tmp = _temp_name(path)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
        _keep_owner(fd, st, path, force)
        os.fchmod(fd, mode)  # after fchown, which may clear setuid/setgid bits
        if tmp is None:
            tmp = _temp_name(path)
            # A dir fd makes os.link use linkat(); AT_SYMLINK_FOLLOW (follow_symlinks) on
            # /proc/self/fd/N links the open anonymous file itself.
            dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                os.link(f"/proc/self/fd/{fd}", tmp.name, dst_dir_fd=dfd, follow_symlinks=True)
            finally:
                os.close(dfd)
        os.replace(tmp, path)
        tmp = None
    finally:
        if fd is not None:
            os.close(fd)
        if tmp is not None:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass


def write_text_atomic(path: str | os.PathLike[str], text: str, *, force: bool = False) -> None:
    write_atomic(path, encode(text), force=force)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(folder: str | os.PathLike[str]) -> list[str]:
    """Remove temporary files that a killed dockmod left in ``folder``; return their names."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        name = entry.name
        if not name.startswith("."):
            continue
        m = _TEMP_RE.match(name)
        if m:
            if _alive(int(m.group("pid"))):
                continue
        elif _OLD_TEMP_RE.match(name):
            try:
                if now - entry.stat(follow_symlinks=False).st_mtime < _OLD_TEMP_AGE:
                    continue
            except OSError:
                continue
        else:
            continue
        try:
            os.unlink(entry.path)
            removed.append(name)
        except OSError:
            pass
    return removed


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def utf8_safe(doc: str) -> str:
    """Replace lone surrogates (undecodable bytes) by U+FFFD, so the text encodes as UTF-8."""
    return _SURROGATE_RE.sub("\ufffd", doc)
