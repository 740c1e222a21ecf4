"""Finding Dockerfiles under the paths a user names.

A named file is always taken (and reported if it cannot be read). Folders are searched
recursively for the names BuildKit users give their Dockerfiles (:func:`is_dockerfile_name`):

* ``Dockerfile`` and ``Containerfile``;
* with a suffix after ``.``, ``-`` or ``_``: ``Dockerfile.dev``, ``Dockerfile-alpine``,
  ``Dockerfile_arm``, ``Containerfile-hardlinks``;
* with a prefix before ``.``: ``api.Dockerfile``, ``api.dockerfile``, ``api.Containerfile``;

case-insensitively, except names ending like documentation, scripts, templates, source
code, data files or binaries (``Dockerfile.md``, ``Dockerfile-build.sh``, ``Dockerfile.j2``,
``dockerfile_test.go``, ``dockerfile.lark``…: :data:`_TEXT_SUFFIXES`). The search skips what
``.gitignore`` files ignore, ``.git`` itself, and the configuration's ``exclude`` patterns
(gitignore syntax, relative to the config's folder). A ``.gitignore`` line that is not a
valid pattern matches nothing, as in git.

Only regular files are taken from a search: a FIFO, a socket or a link to a device is
skipped with a note (shown with ``-v``). A link that is dangling or loops, and a folder
that cannot be read, are errors for that entry; the search goes on.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Name endings that mark something other than a Dockerfile, skipped by a folder search (a
#: file named on the command line is always taken): documentation, scripts and templates,
#: source code (``dockerfile_test.go``, ``dockerfile.lark``: a parser's own sources), data
#: and configuration formats, archives and binaries, editor and patch leftovers.
#: ``.pre-commit-hooks.yaml`` repeats the list in its ``files`` rule (a test keeps them equal).
_TEXT_SUFFIXES = (
    ".md", ".txt", ".sh", ".py", ".yml", ".yaml", ".json", ".orig", ".rej", ".bak", ".swp", ".j2",
    ".tmpl", ".template", ".dockerignore", ".ps1", ".bat", ".lock", ".toml", ".cfg", ".ini", ".env",
    ".patch", ".diff", ".log", ".html",
    # documentation and markup
    ".rst", ".adoc", ".asciidoc", ".org", ".tex", ".htm", ".xml", ".css", ".scss", ".svg", ".csv",
    # templates
    ".erb", ".tpl", ".jinja", ".jinja2", ".mustache", ".hbs", ".gotmpl",
    # source code
    ".go", ".rs", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".rb", ".java", ".kt", ".kts",
    ".scala", ".groovy", ".gradle", ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".fs", ".swift",
    ".php", ".pl", ".pm", ".lua", ".dart", ".ex", ".exs", ".erl", ".hs", ".clj", ".lark", ".vim",
    ".el", ".sql", ".proto", ".jsonnet", ".libsonnet", ".hcl", ".tf", ".nix", ".bash", ".zsh",
    ".fish", ".psm1", ".cmd", ".properties",
    # archives, binaries, images
    ".gz", ".tgz", ".bz2", ".xz", ".zst", ".zip", ".tar", ".jar", ".war", ".png", ".jpg", ".jpeg",
    ".gif", ".ico", ".pdf", ".pyc", ".so", ".o", ".a", ".exe", ".dll", ".class", ".wasm", ".swo",
)

_NAME_RE = re.compile(r"^(?:(?:dockerfile|containerfile)(?:[._-].+)?|.+\.(?:dockerfile|containerfile))$",
                      re.IGNORECASE | re.DOTALL)

#: What --help says about folder search (kept next to the rule it describes).
NAMES_HELP = ("Dockerfile, Containerfile, Dockerfile.*, Dockerfile-*, Dockerfile_* (and the same for "
              "Containerfile), *.Dockerfile, *.dockerfile, *.Containerfile")


def is_dockerfile_name(name: str) -> bool:
    if not _NAME_RE.match(name):
        return False
    low = name.lower()
    if low in ("dockerfile", "containerfile") or low.endswith((".dockerfile", ".containerfile")):
        return True
    return not low.endswith(_TEXT_SUFFIXES)


@dataclass(frozen=True)
class Candidate:
    path: Path
    #: The root the user named (a symlink may only write inside it).
    root: Path
    #: Why the file is skipped (shown with -v), or None.
    skip: str | None = None
    #: Why this entry cannot be processed (an error line, exit 2), or None.
    error: str | None = None
    #: (device, inode) of the file a found name reaches, to take each file once.
    identity: tuple[int, int] | None = None


def _valid_lines(lines: list[str]) -> list[str]:
    """The lines of a .gitignore that are valid patterns (git ignores the others)."""
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines(lines)
        return lines
    except Exception:  # pathspec raises several types for patterns git treats as no-match
        pass
    keep = []
    for line in lines:
        try:
            pathspec.GitIgnoreSpec.from_lines([line])
        except Exception:
            continue
        keep.append(line)
    return keep


def _gitignore_spec(directory: Path):  # type: ignore[no-untyped-def]
    gi = directory / ".gitignore"
    try:
        if not gi.is_file():
            return None
        lines = gi.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    except OSError:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(_valid_lines(lines))


def _strerror(e: OSError) -> str:
    return os.strerror(e.errno) if e.errno else str(e)


def discover(paths: list[str], exclude_for: Callable[[Path], bool] | None = None) -> list[Candidate]:
    """Candidates in a stable order (sorted by path), without duplicates.

    ``exclude_for(path) -> bool`` answers whether config excludes a file found in a folder.
    """
    out: dict[Path, Candidate] = {}
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            root = p.resolve()
            for c in _walk(p, root, exclude_for):
                out.setdefault(c.path, c)
        else:
            out.setdefault(p, Candidate(p, p.parent.resolve()))
    found = [out[k] for k in sorted(out, key=lambda q: str(q))]
    # One file reached by two names found in a search (a symbolic or hard link beside its
    # target): processed once, under the name that is not a symbolic link (else the first),
    # so that two workers never write it and counts do not depend on timing.
    names: dict[tuple[int, int], list[int]] = {}
    for i, c in enumerate(found):
        if c.identity is not None:
            names.setdefault(c.identity, []).append(i)
    for same in names.values():
        if len(same) < 2:
            continue
        keep = next((i for i in same if not os.path.islink(found[i].path)), same[0])
        for i in same:
            if i != keep:
                found[i] = Candidate(found[i].path, found[i].root, skip=f"the same file as {found[keep].path}")
    return found


def _walk(top: Path, root: Path, exclude_for: Callable[[Path], bool] | None) -> list[Candidate]:
    found: list[Candidate] = []
    specs: list[tuple[Path, object]] = []

    def on_error(e: OSError) -> None:
        where = Path(e.filename) if e.filename else top
        found.append(Candidate(where, root, error=f"{where}: error: cannot read folder: {_strerror(e)}"))

    for dirpath, dirnames, filenames in os.walk(top, onerror=on_error):
        d = Path(dirpath)
        # os.walk lists a .gitignore (file, or link to one) among the files: no stat per folder.
        spec = _gitignore_spec(d) if ".gitignore" in filenames else None
        specs = [(base, s) for base, s in specs if base == d or base in d.parents]
        if spec is not None:
            specs.append((d, spec))

        def ignored(path: Path, is_dir: bool) -> bool:
            for base, s in specs:
                rel = path.relative_to(base).as_posix() + ("/" if is_dir else "")
                if s.match_file(rel):  # type: ignore[attr-defined]
                    return True
            return False

        # Without a .gitignore in force, nothing is ignored: no path to build per entry.
        dirnames[:] = sorted(x for x in dirnames if x != ".git" and not (specs and ignored(d / x, True)))
        for name in sorted(filenames):
            if not is_dockerfile_name(name):
                continue
            path = d / name
            if (specs and ignored(path, False)) or (exclude_for is not None and exclude_for(path)):
                continue
            found.append(_classify(path, root))
    return found


def _classify(path: Path, root: Path) -> Candidate:
    """A found name: a regular file to process, something to skip, or an error."""
    try:
        st = os.stat(path)
    except OSError as e:
        if e.errno == errno.ENOENT and os.path.islink(path):
            return Candidate(path, root, error=f"{path}: error: dangling symbolic link "
                                               f"(to {os.readlink(path)})")
        return Candidate(path, root, error=f"{path}: error: {_strerror(e)}")
    if stat.S_ISREG(st.st_mode):
        return Candidate(path, root, identity=(st.st_dev, st.st_ino))
    kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
            else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file")
    return Candidate(path, root, skip=f"{kind}, not a regular file")


_MISS: Any = object()


def excluder(config: str | None) -> Callable[[Path], bool]:
    """``exclude_for`` for :func:`dockmod.discovery.discover`: whether the configuration that
    applies to a found file (``--config``, else the nearest one) excludes it (``exclude``:
    gitignore patterns relative to the configuration's folder).

    The configuration, its compiled patterns and the folder's path relative to it are
    worked out once per folder, not per file: a fleet of 10,000 files has far fewer
    folders, and each look-up resolves paths (several system calls). A symbolic link is
    looked up on its own (its target's folder decides its configuration). A configuration
    that cannot be read excludes nothing here; the file's own run reports it.
    """
    from dockmod.config import compile_patterns, for_file
    from dockmod.errors import ConfigError

    explicit = Path(config) if config else None
    specs: dict[Path, Any] = {}
    #: folder as a str (``os.path.dirname`` of the file's path: one key per folder, as
    #: ``Path.parent`` would give, without building and hashing a Path per file).
    folders: dict[str, tuple[Any, str] | None] = {}

    def lookup(p: Path) -> tuple[Any, str] | None:
        """(compiled patterns, path of p's folder relative to the config's folder + "/")."""
        try:
            cfg = for_file(p, explicit)
        except ConfigError:
            return None
        if not cfg.exclude or cfg.root is None:
            return None
        spec = specs.get(cfg.root)
        if spec is None:
            spec = specs[cfg.root] = compile_patterns(cfg.exclude, "exclude", cfg.path)
        try:
            rel = p.resolve().parent.relative_to(cfg.root.resolve()).as_posix()
        except (ValueError, OSError, RuntimeError):
            return None
        return spec, "" if rel == "." else rel + "/"

    def excluded(p: Path) -> bool:
        if os.path.islink(p):
            entry = lookup(p)
            name = p.resolve().name if entry else ""
        else:
            folder, name = os.path.split(os.fspath(p))
            entry = folders.get(folder, _MISS)
            if entry is _MISS:
                entry = folders[folder] = lookup(p)
        return entry is not None and bool(entry[0].match_file(entry[1] + name))

    return excluded
