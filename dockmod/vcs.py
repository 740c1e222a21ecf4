"""Git, through the ``git`` command line only (never a library, never a shell).

Two uses, both optional and both per repository (a run may span several):

* ``dockmod fix --apply --git-branch NAME --git-commit MSG``: before anything is written,
  :meth:`GitRun.prepare` checks each repository (a git identity is configured, the tree is
  clean unless ``--allow-dirty``, and switches to ``NAME`` when that branch already
  exists); after the run, :meth:`GitRun.commit` commits exactly the files dockmod wrote, on
  ``NAME`` (created from the current ``HEAD`` only when there is something to commit),
  also when the run is interrupted (writes are atomic, so each written file is whole).
  A re-run finishes what an earlier run left uncommitted (interrupted while committing, a
  commit refused by a hook): a file it processed and left unchanged that differs from
  ``HEAD`` is committed when dockmod's fix of the ``HEAD`` version is exactly the file
  (:meth:`RunHooks.finish`); otherwise a re-run that writes nothing makes no commit.
  Nothing is ever pushed.
* ``dockmod check --diff-only-changed-lines REF``: :func:`changed_lines` reads
  ``git diff -U0 REF`` (renames followed, so a renamed file keeps its old findings hidden),
  and untracked files count as changed throughout.

Every failure is a :class:`VcsError` carrying one line for the user.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

#: ``changed_lines`` value for a file whose every line counts as changed (untracked, binary).
ALL: frozenset[int] = frozenset({-1})


class VcsError(Exception):
    """A git problem, as one line for the user."""

    @property
    def message(self) -> str:
        return str(self.args[0])


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_LITERAL_PATHSPECS"] = "1"  # a file named `*` or `:(glob)x` is that file
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.pop("GIT_DIR", None)  # a hook's environment must not point every repository at one
    env.pop("GIT_WORK_TREE", None)
    env.pop("GIT_INDEX_FILE", None)
    return env


def git(cwd: Path | str, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run ``git -C cwd args...``; with ``check``, a non-zero exit is a :class:`VcsError`."""
    try:
        proc = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, env=_env(),
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise VcsError("error: git is not installed (needed for --git-branch and "
                       "--diff-only-changed-lines)") from None
    except OSError as e:
        raise VcsError(f"{cwd}: error: cannot run git: {e.strerror or e}") from None
    if check and proc.returncode != 0:
        raise VcsError(f"{cwd}: error: git {_command(args)} failed: {_first_line(proc.stderr)}")
    return proc


def _command(args: tuple[str, ...]) -> str:
    """The git command ``args`` run (``commit`` for ``-c k=v commit ...``)."""
    i = 0
    while i < len(args) and args[i] == "-c":
        i += 2
    return args[i] if i < len(args) else "(no command)"


def _first_line(stderr: bytes) -> str:
    for line in stderr.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line and not line.startswith("hint:"):
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return "no message"


def _dir_of(path: Path) -> Path:
    return path if path.is_dir() else path.parent if str(path.parent) else Path(".")


def toplevel(path: Path | str) -> Path | None:
    """The root of the work tree holding ``path`` (a file or folder), or None outside one."""
    d = _dir_of(Path(path))
    proc = git(d, "rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0:
        return None
    return Path(os.fsdecode(proc.stdout.rstrip(b"\n")))


def repo_path(root: Path, path: Path | str) -> str:
    """``path`` relative to the work tree ``root`` (posix), as git names it.

    The folder is resolved (git reports the real top-level) but not the file itself, so a
    symbolic link stays the link.
    """
    p = Path(path)
    real = Path(os.path.realpath(_dir_of(p))) / (p.name if not p.is_dir() else "")
    return real.relative_to(Path(os.path.realpath(root))).as_posix()


def dirty_paths(root: Path) -> list[str]:
    """What ``git status`` lists: modified, staged, deleted and untracked (not ignored) paths."""
    out = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=normal").stdout
    entries = [os.fsdecode(e) for e in out.split(b"\0") if e]
    paths, skip = [], False
    for e in entries:
        if skip:  # the second name of a rename or copy entry
            skip = False
            continue
        paths.append(e[3:])
        skip = e[0] in "RC"
    return paths


def check_clean(root: Path) -> None:
    dirty = dirty_paths(root)
    if dirty:
        n = len(dirty)
        raise VcsError(f"{root}: error: the work tree has uncommitted changes ({n} "
                       f"{'path' if n == 1 else 'paths'}, e.g. {dirty[0]}); commit or stash them, "
                       "or pass --allow-dirty")


def check_identity(root: Path) -> None:
    """Fail unless git has an explicit name and e-mail (config or ``GIT_*`` variables).

    Git would otherwise guess one from the host name; a bulk change must carry the
    author's real identity, so dockmod never guesses and has no option to set one.
    """
    for who in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        if git(root, "-c", "user.useConfigOnly=true", "var", who, check=False).returncode != 0:
            raise VcsError(f"{root}: error: no git identity configured; set one with "
                           "`git config --global user.email you@example.com` and "
                           "`git config --global user.name 'Your Name'` (or GIT_AUTHOR_NAME/EMAIL "
                           "and GIT_COMMITTER_NAME/EMAIL)")


def check_branch_name(name: str) -> str | None:
    """Why ``name`` is not a valid branch name, or None."""
    if name.startswith("-") or git(".", "check-ref-format", "--branch", name, check=False).returncode:
        return f"--git-branch: `{name}` is not a valid branch name"
    return None


def _current_branch(root: Path) -> str | None:
    proc = git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    return os.fsdecode(proc.stdout.strip()) if proc.returncode == 0 else None


def _branch_exists(root: Path, name: str) -> bool:
    return git(root, "rev-parse", "--verify", "--quiet", f"refs/heads/{name}", check=False).returncode == 0


def _has_commits(root: Path) -> bool:
    return git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode == 0


@dataclass
class GitRun:
    """The ``--git-branch``/``--git-commit`` flow over the repositories of one run."""

    branch: str
    message: str
    allow_dirty: bool = False
    #: Repositories that passed :meth:`prepare`.
    ready: set[Path] = field(default_factory=set)

    def prepare(self, root: Path) -> bool:
        """Before any write: identity, clean tree, and the branch if it already exists.

        Returns True when it switched branches (the files to process may then differ).
        """
        check_identity(root)
        if not self.allow_dirty:
            check_clean(root)
        switched = False
        if _branch_exists(root, self.branch) and _current_branch(root) != self.branch:
            proc = git(root, "switch", "--quiet", self.branch, check=False)
            if proc.returncode != 0:
                raise VcsError(f"{root}: error: cannot switch to branch {self.branch}: "
                               f"{_first_line(proc.stderr)}")
            switched = True
        self.ready.add(root)
        return switched

    def differs_from_head(self, root: Path, paths: Iterable[str]) -> list[str]:
        """Those of ``paths`` (tracked in ``HEAD``) whose work-tree content differs from it."""
        paths = sorted(set(paths))
        if not paths or not _has_commits(root):
            return []
        out = git(root, "diff", "--name-only", "-z", "--no-renames", "--diff-filter=M", "HEAD",
                  "--", *paths).stdout
        return [os.fsdecode(p) for p in out.split(b"\0") if p]

    def head_bytes(self, root: Path, path: str) -> bytes | None:
        """``path`` as ``HEAD`` holds it, as checked out (smudge/eol filters applied)."""
        proc = git(root, "cat-file", "--filters", f"HEAD:{path}", check=False)
        return proc.stdout if proc.returncode == 0 else None

    def commit(self, root: Path, written: Iterable[str]) -> str | None:
        """Commit exactly ``written`` (paths relative to ``root``) on the branch.

        Returns the new commit's short id, or None when there was nothing to commit (no file
        written, or the files already match the branch).
        """
        paths = sorted(set(written))
        if not paths:
            return None
        ignored = {os.fsdecode(p) for p in git(root, "ls-files", "-z", "--others", "--ignored",
                                               "--exclude-standard", "--", *paths).stdout.split(b"\0") if p}
        paths = [p for p in paths if p not in ignored]
        if not paths:
            return None
        if _current_branch(root) != self.branch:
            if _has_commits(root):
                git(root, "switch", "--quiet", "-c", self.branch)  # keeps the written files
            else:
                git(root, "symbolic-ref", "HEAD", f"refs/heads/{self.branch}")
        git(root, "add", "--", *paths)
        if git(root, "diff", "--cached", "--quiet", "--", *paths, check=False).returncode == 0:
            return None
        try:
            git(root, "-c", "user.useConfigOnly=true", "commit", "--quiet", "--only",
                "-m", self.message, "--", *paths)
        except VcsError as e:  # e.g. a pre-commit hook said no
            raise VcsError(f"{e.message} (the fixed files are on branch {self.branch}, not committed; "
                           "once the cause is fixed, re-run with --allow-dirty to commit them)") from None
        return os.fsdecode(git(root, "rev-parse", "--short", "HEAD").stdout.strip())


# -- changed lines -----------------------------------------------------------------------------


def verify_ref(root: Path, ref: str) -> str:
    """The commit id ``ref`` names in ``root`` (a :class:`VcsError` when it names none)."""
    if ref.startswith("-"):
        raise VcsError(f"--diff-only-changed-lines: `{ref}` is not a git revision")
    proc = git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}",
               check=False)
    if proc.returncode != 0:
        raise VcsError(f"{root}: error: --diff-only-changed-lines: unknown revision `{ref}`")
    return os.fsdecode(proc.stdout.strip())


def _unquote(name: bytes) -> bytes:
    """A path as git prints it in diff headers: C-quoted when it has special bytes."""
    if not name.startswith(b'"'):
        return name
    body, out, i = name[1:-1], bytearray(), 0
    simple = {ord("n"): 10, ord("t"): 9, ord('"'): 34, ord("\\"): 92, ord("a"): 7, ord("b"): 8,
              ord("f"): 12, ord("r"): 13, ord("v"): 11}
    while i < len(body):
        c = body[i]
        if c == 92 and i + 1 < len(body):
            nxt = body[i + 1]
            if 48 <= nxt <= 55:
                out.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
            out.append(simple.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def parse_diff(diff: bytes) -> dict[str, frozenset[int]]:
    """``git diff -U0`` output → new-side path → the line numbers added or changed there."""
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in diff.split(b"\n"):
        if line.startswith(b"+++ "):
            name = line[4:]
            if name.endswith(b"\t"):  # git appends a tab to names holding a space
                name = name[:-1]
            if name == b"/dev/null":
                current = None
                continue
            name = _unquote(name)
            current = out.setdefault(os.fsdecode(name[2:]), set())  # strip "b/"
        elif line.startswith(b"@@ ") and current is not None:
            new = line.split(b" ")[2]  # +start[,count]
            start, _, count = new[1:].partition(b",")
            n = int(count) if count else 1
            current.update(range(int(start), int(start) + n))
        elif line.startswith(b"Binary files ") and current is not None:
            current.add(-1)
    return {k: (ALL if -1 in v else frozenset(v)) for k, v in out.items()}


def changed_lines(root: Path, ref: str) -> dict[str, frozenset[int]]:
    """Repository path → lines added or changed since ``ref`` (working tree vs ``ref``).

    Untracked (not ignored) files map to :data:`ALL`. Paths missing from the result have
    no changed line.
    """
    commit = verify_ref(root, ref)
    diff = git(root, "-c", "core.quotePath=true", "diff", "-U0", "--no-color", "--no-ext-diff",
               "--no-textconv", "--text", "-M", "--src-prefix=a/", "--dst-prefix=b/",
               commit, "--").stdout
    result = parse_diff(diff)
    for p in git(root, "ls-files", "-z", "--others", "--exclude-standard").stdout.split(b"\0"):
        if p:
            result[os.fsdecode(p)] = ALL
    return result


def on_changed_line(lines: frozenset[int], start: int, end: int) -> bool:
    if lines is ALL:
        return True
    return any(n in lines for n in range(start, max(start, end) + 1))


# -- the CLI's hooks -----------------------------------------------------------------------------


@dataclass
class RunHooks:
    """What ``dockmod check``/``fix`` call around a run, per repository of its files.

    :meth:`prepare` (after discovery, before anything is written) prepares each
    repository once (the caller discovers again when it switched a branch); :meth:`before`
    marks the files of a repository that failed (dirty, no identity, unknown REF) as errors, so that repository is skipped with one error line while the others proceed;
    :meth:`filter` keeps the findings on changed lines; :meth:`finish` commits.
    """

    git_run: GitRun | None = None
    ref: str | None = None
    #: Files outside the run's repositories that it may write (the lock file), as they were.
    watch: dict[Path, bytes | None] = field(default_factory=dict)
    _roots: dict[Path, Path | None] = field(default_factory=dict)
    _failed: dict[Path, str] = field(default_factory=dict)
    _lines: dict[Path, dict[str, frozenset[int]]] = field(default_factory=dict)
    #: Displayed path → (repository, path in it).
    _where: dict[str, tuple[Path, str]] = field(default_factory=dict)

    def watch_file(self, path: Path) -> None:
        try:
            self.watch[path] = path.read_bytes()
        except OSError:
            self.watch[path] = None

    def _root(self, path: Path) -> Path | None:
        """The work tree of ``path``: one ``git rev-parse`` per repository, not per folder.

        The folders up to the nearest one holding ``.git`` share its answer (git itself
        looks for ``.git`` the same way, so a nested repository or submodule is its own).
        """
        d = Path(os.path.realpath(_dir_of(path)))
        walked = []
        probe = d
        while probe not in self._roots:
            walked.append(probe)
            if os.path.lexists(probe / ".git"):
                self._roots[probe] = toplevel(probe)
                break
            if probe.parent == probe:  # no .git up to / : git finds no repository either
                self._roots[probe] = None
                break
            probe = probe.parent
        for w in walked:
            self._roots[w] = self._roots[probe]
        return self._roots[d]

    def _prepare(self, root: Path) -> bool:
        if root in self._failed or root in self._lines or (self.git_run and root in self.git_run.ready):
            return False
        switched = False
        try:
            if self.git_run is not None:
                switched = self.git_run.prepare(root)
            if self.ref is not None:
                self._lines[root] = changed_lines(root, self.ref)
        except VcsError as e:
            self._failed[root] = e.message
        return switched

    def prepare(self, candidates: list) -> bool:  # type: ignore[type-arg]
        """Prepare the repositories of ``candidates`` (before any write).

        Returns True when a repository was switched to an existing branch: the caller must
        then discover the files again, as that branch may hold others.
        """
        switched = False
        for c in candidates:
            if not (c.error or c.skip):
                root = self._root(c.path)
                if root is not None:
                    switched = self._prepare(root) or switched
        return switched

    def before(self, candidates: list) -> list:  # type: ignore[type-arg]
        """The same candidates, one for one (fleet mode keeps a parallel list of owners)."""
        from dataclasses import replace

        out = []
        for c in candidates:
            if c.error or c.skip:
                out.append(c)
                continue
            root = self._root(c.path)
            if root is None:
                what = "--git-branch" if self.git_run else "--diff-only-changed-lines"
                out.append(replace(c, error=f"{c.path}: error: not in a git repository (needed by {what})"))
                continue
            self._prepare(root)
            if root in self._failed:
                out.append(replace(c, error=self._failed[root]))
                continue
            if not os.path.lexists(c.path):  # not on the branch just switched to
                out.append(replace(c, skip=f"not on branch {self.git_run.branch if self.git_run else ''}"))
                continue
            try:
                rel = repo_path(root, c.path)
            except ValueError:
                out.append(replace(c, error=f"{c.path}: error: not inside {root} as git sees it"))
                continue
            self._where[str(c.path)] = (root, rel)
            if self.ref is not None and not self._lines[root].get(rel):
                out.append(replace(c, skip=f"no line changed since {self.ref}"))
                continue
            out.append(c)
        return out

    def filter(self, results: list) -> list:  # type: ignore[type-arg]
        """Keep only findings on lines changed since the REF (``--diff-only-changed-lines``)."""
        if self.ref is None:
            return results
        from dataclasses import replace

        out = []
        for r in results:
            where = self._where.get(r.path)
            if where is None or not r.findings:
                out.append(r)
                continue
            lines = self._lines[where[0]].get(where[1], frozenset())
            keep = tuple(f for f in r.findings if on_changed_line(lines, f.line, f.end_line))
            left = tuple(f for f in r.remaining if on_changed_line(lines, f.line, f.end_line))
            out.append(replace(r, findings=keep, remaining=left))
        return out

    def finish(self, results: list, say, verbose: bool = False,  # type: ignore[no-untyped-def,type-arg]
               jobs: list | None = None) -> bool:  # type: ignore[type-arg]
        """Commit each prepared repository's written files; say one line per commit.

        Called after an interrupted run too (the files written are whole). With ``jobs``
        (the run's jobs), also commits what an earlier run left uncommitted: see
        :meth:`_unfinished`. Returns True when a commit failed (the run then exits 2).
        """
        if self.git_run is None:
            return False
        written: dict[Path, list[str]] = {root: [] for root in self.git_run.ready}
        for r in results:
            if not r.written or r.path not in self._where:
                continue
            real = Path(os.path.realpath(r.path))  # a symbolic link's target is what was written
            root = self._root(real)
            if root in written:
                written[root].append(repo_path(root, real))  # type: ignore[index]
            else:
                say(f"{r.path}: note: not committed: written through a link into {root or 'no repository'}")
        for path, old in self.watch.items():
            try:
                new = path.read_bytes()
            except OSError:
                new = None
            root = self._root(path) if new is not None and new != old else None
            if root is not None and root in written:
                written[root].append(repo_path(root, path))
        try:
            return self._commit_all(written, results, jobs or [], say, verbose)
        except KeyboardInterrupt:  # a second Ctrl-C: a re-run with --allow-dirty finishes the job
            say("error: interrupted while committing; re-run with --allow-dirty to commit the files "
                "left uncommitted")
            return True

    def _commit_all(self, written: dict[Path, list[str]], results: list, jobs: list,  # type: ignore[no-untyped-def,type-arg]
                    say, verbose: bool) -> bool:
        assert self.git_run is not None
        failed = False
        for root, rels in self._unfinished(results, jobs, say).items():
            if isinstance(rels, str):  # a git error
                say(rels)
                failed = True
            else:
                written[root].extend(rels)
        for root in sorted(written):
            try:
                sha = self.git_run.commit(root, written[root])
            except VcsError as e:
                say(e.message)
                failed = True
                continue
            if sha is not None:
                n = len(set(written[root]))
                say(f"{root}: committed {sha} on branch {self.git_run.branch} "
                    f"({n} {'file' if n == 1 else 'files'})")
            elif verbose:
                say(f"{root}: nothing to commit on branch {self.git_run.branch}")
        return failed

    def _unfinished(self, results: list, jobs: list, say) -> dict[Path, list[str] | str]:  # type: ignore[no-untyped-def,type-arg]
        """Per repository: the files an earlier run fixed but left uncommitted (or a git error).

        A file qualifies only when all of these hold: this run processed it and had nothing
        to change (``UNCHANGED``: it is already dockmod's output), it is tracked and differs
        from ``HEAD``, and dockmod's fix of the ``HEAD`` version, with this run's options
        and configuration, is byte for byte the file. So the difference from ``HEAD`` is
        exactly dockmod's fix: someone's own edits are never committed (that file gets a
        note), and a file dockmod did not process is never looked at. Symbolic links are
        left alone.
        """
        from dockmod.results import Outcome

        assert self.git_run is not None
        by_display = {j.display: j for j in jobs if j.stdin_text is None}
        candidates: dict[Path, dict[str, str]] = {}  # root -> path in it -> displayed path
        for r in results:
            if r.outcome is not Outcome.UNCHANGED or r.path not in by_display or r.path not in self._where:
                continue
            root, rel = self._where[r.path]
            if root in self.git_run.ready and not os.path.islink(r.path):
                candidates.setdefault(root, {})[rel] = r.path
        out: dict[Path, list[str] | str] = {}
        for root, files in candidates.items():
            try:
                differ = self.git_run.differs_from_head(root, files)
            except VcsError as e:
                out[root] = e.message
                continue
            for rel in differ:
                display = files[rel]
                if _fixes_to(by_display[display], self.git_run.head_bytes(root, rel), Path(display)):
                    out.setdefault(root, []).append(rel)  # type: ignore[union-attr]
                else:
                    say(f"{display}: note: not committed: it differs from HEAD by more than dockmod's fixes")
        return out


def _fixes_to(job, head: bytes | None, path: Path) -> bool:  # type: ignore[no-untyped-def]
    """Whether fixing ``head`` as ``job`` would (same path, options, configuration) gives ``path``'s bytes."""
    if head is None:
        return False
    from dataclasses import replace

    from dockmod import runner
    from dockmod.io import decode, encode
    from dockmod.results import Outcome

    try:
        now = path.read_bytes()
    except OSError:
        return False
    r = runner.process(replace(job, stdin_text=decode(head), fix=True, apply=False))
    return r.outcome is Outcome.CHANGED and r.output is not None and encode(r.output) == now
