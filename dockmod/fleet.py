"""Fleet mode: one run over many repositories, with per-repository patches, report and summary.

A *repository* is each root named on the command line (when there are several, or with
any fleet option) or listed in ``--repos FILE``. Every repository is searched on its own
(:func:`dockmod.discovery.discover`: its ``.gitignore`` files, and the nearest
``dockmod.toml``/``pyproject.toml`` of each Dockerfile, as for any run), then all the
files of all the repositories go to ONE runner pool, and the results are grouped back by
repository, in repository order (sorted by :attr:`Repo.key`), then file order.

* ``--repos FILE``: one path per line; blank lines and ``#`` comments are ignored; a
  relative path is relative to the file's folder. A path that is not a folder is an
  error line for that repository (exit 2 at the end); the run goes on.
* ``--shard K/N``: the repositories whose :func:`shard_of` is K (1 ≤ K ≤ N). The key is
  the repository's path *as written* (on the command line or in the repos file),
  normalised (``os.path.normpath``, ``/`` separators, no trailing ``/``): ``api``,
  ``./api/`` and ``org/../api`` are one key. Hashed with SHA-256, so the split is the
  same on every machine and Python version, as long as the paths are written the same
  way (a repos file of relative paths, or ``dockmod check *`` from the parent folder;
  an absolute ``~/src/org/*`` differs between home folders). The shard is chosen before
  any repository is looked at, so a CI job need not have the other shards' clones.
* ``--patch-dir DIR``: one ``git apply``-able patch per changed repository,
  ``DIR/<name>.patch`` (:func:`patch_name`), paths relative to the repository root with
  ``a/``/``b/`` prefixes. A repository whose diff had to mask a secret value gets no
  patch (it could not apply): the report says so, ``--apply`` writes the real files.
  A stale ``<name>.patch`` of an unchanged repository is removed, so the folder always
  describes this run.
* ``--list-repos``: print the keys of this run's (this shard's) repositories, one a line,
  and stop (:func:`listing`); nothing is searched, so a CI job learns what to clone.
* ``--report FILE``: JSON, schema ``dockmod/schemas/fleet-report.schema.json``.
* ``--summary FILE``: Markdown for a pull request body (:func:`summary`), a section per
  repository; with ``--patch-dir``, each patch also gets ``<name>.md``, the body of that
  repository's own pull request.

DM101's registry look-ups run once for the whole fleet (:func:`dockmod.pinning.attach`
over every job). The lock file of a repository's files (:func:`dockmod.pinning.lock_path`):
``--lock-file`` when given (for every repository), else the repository's own
``dockmod.lock`` when it has one, else ``./dockmod.lock`` of the current folder; ``fix
--apply`` updates the lock it read, and ``dockmod lock`` in fleet mode writes each
repository's own. A repository nested in another owns its files. The summary links each code to
``docs/transforms/<name>.md`` (:func:`dockmod.report.docs_url`, the page SARIF's
``helpUri`` names) and quotes the first paragraph of ``dockmod explain CODE``.

Secret values never reach these outputs: findings, fix titles and diffs come from the
runner already masked (:mod:`dockmod.secrets`), and a masked diff is never written as a
patch.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from dockmod.diagnostics import escape
from dockmod.results import FileResult, Outcome

SCHEMA = "fleet-report.schema.json"


class FleetError(Exception):
    """A problem with the fleet options themselves (a usage error: exit 2, nothing runs)."""


@dataclass(frozen=True)
class Repo:
    #: The path as written, normalised: the shard key and the repository's name in outputs.
    key: str
    #: Where it is, for this process (relative to the current folder, or absolute).
    path: str
    #: Why the repository cannot be searched (an error line), or None.
    error: str | None = None


def normalise(path: str) -> str:
    """A path as written, in one spelling: ``./api/`` → ``api``; ``\\`` is kept (a name byte)."""
    text = os.path.normpath(path) if path else "."
    return text.replace(os.sep, "/") if os.sep != "/" else text


def shard_of(key: str, n: int) -> int:
    """The shard (1..n) of a repository key: SHA-256 of its UTF-8 bytes, modulo n."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


def parse_shard(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not m:
        raise FleetError(f"--shard must be K/N (e.g. 1/4), got `{text}`")
    k, n = int(m.group(1)), int(m.group(2))
    if n < 1 or not 1 <= k <= n:
        raise FleetError(f"--shard {text}: K must be between 1 and N")
    return k, n


def read_repos_file(file: str) -> list[tuple[str, str]]:
    """``(key, path)`` per listed repository: key as written (normalised), path to open."""
    try:
        data = Path(file).read_bytes()
    except OSError as e:
        raise FleetError(f"--repos {file}: {os.strerror(e.errno) if e.errno else e}") from None
    base = os.path.dirname(file)
    out = []
    for raw in data.decode("utf-8", "surrogateescape").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = os.path.expanduser(line)
        out.append((normalise(line), normalise(os.path.join(base, line))))
    return out


def plan(paths: Iterable[str], repos_file: str | None, shard: str | None) -> list[Repo]:
    """The repositories of this run (this shard's), sorted by key, each checked to be a folder."""
    entries = [(normalise(p), p) for p in paths]
    if repos_file is not None:
        entries += read_repos_file(repos_file)
    if not entries:
        raise FleetError("no repositories: name them as PATHS or list them with --repos FILE")
    if shard is not None:
        k, n = parse_shard(shard)
        entries = [(key, p) for key, p in entries if shard_of(key, n) == k]
    repos: dict[str, Repo] = {}
    seen: set[str] = set()  # one repository written two ways (`api`, `/src/api`) runs once
    for key, p in sorted(entries):
        real = os.path.realpath(p)
        if key in repos or real in seen:
            continue
        seen.add(real)
        error = None
        if not os.path.isdir(p):
            reason = "is not a folder" if os.path.exists(p) else "not found"
            error = f"{p}: error: repository {reason}"
        repos[key] = Repo(key, p, error)
    return list(repos.values())


def listing(repos: list[Repo]) -> bytes:
    """``--list-repos``: each repository's key (as written, normalised), one a line, as bytes
    (a name that is not UTF-8 stays the name it is, for a script to clone or ``cd`` into).
    The list is the plan: a repository not there yet (not cloned) is listed too."""
    for r in repos:
        if "\n" in r.key or "\r" in r.key:
            raise FleetError(f"--list-repos: the repository name {r.key!r} holds a line break")
    return b"".join(os.fsencode(r.key) + b"\n" for r in repos)


@dataclass
class RepoResult:
    repo: Repo
    #: ``(path relative to the repository root, result)`` in file order.
    files: list[tuple[str, FileResult]] = field(default_factory=list)
    #: ``DIR/<name>.patch`` written for this repository, or None.
    patch: str | None = None
    #: Why no patch was written although files changed, or None.
    patch_withheld: str | None = None

    @property
    def changed(self) -> list[str]:
        return [rel for rel, r in self.files if r.outcome is Outcome.CHANGED]

    def tally(self) -> Any:
        """The repository's :class:`dockmod.report.Totals` (outcomes, findings, fixes by code)."""
        from dockmod.report import totals

        return totals(r for _, r in self.files)

    @property
    def errors(self) -> list[tuple[str | None, str]]:
        out: list[tuple[str | None, str]] = []
        if self.repo.error:
            out.append((None, self.repo.error))
        out += [(rel, r.error or "failed") for rel, r in self.files if r.outcome is Outcome.FAILED]
        return out


def discover(repos: list[Repo], exclude_for: Callable[[Path], bool] | None) -> tuple[list[Any], list[int]]:
    """Candidates of every repository in repository order, and the repository index of each.

    A repository inside another one (a submodule, a vendored checkout listed on its own)
    owns its files: the outer repository's patch and report leave them out. A file listed
    twice otherwise (the same repository named twice) belongs to the first. A repository
    that is not a folder gives one error candidate.
    """
    from dockmod.discovery import Candidate
    from dockmod.discovery import discover as discover_files

    roots = [os.path.abspath(r.path) for r in repos]
    ordered = sorted(roots)  # the roots below a root share its prefix: one contiguous run
    out: list[Any] = []
    owner: list[int] = []
    seen: set[str] = set()
    for i, repo in enumerate(repos):
        if repo.error:
            out.append(Candidate(Path(repo.path), Path(repo.path), error=repo.error))
            owner.append(i)
            continue
        prefix = roots[i].rstrip(os.sep) + os.sep
        below = itertools.islice(ordered, bisect.bisect_left(ordered, prefix), None)
        inner = tuple(r + os.sep for r in itertools.takewhile(lambda r: r.startswith(prefix), below))
        for c in discover_files([repo.path], exclude_for):
            real = os.path.abspath(c.path)
            if real in seen or (inner and real.startswith(inner)):
                continue
            seen.add(real)
            out.append(c)
            owner.append(i)
    return out, owner


def group(repos: list[Repo], results: list[FileResult], owner: list[int]) -> list[RepoResult]:
    grouped = [RepoResult(r) for r in repos]
    for result, i in zip(results, owner):
        repo = repos[i]
        if repo.error:
            continue
        rel = os.path.relpath(result.path, repo.path).replace(os.sep, "/")
        grouped[i].files.append((rel, result))
    return grouped


# -- patches ----------------------------------------------------------------------------------

#: Characters of a repository key written as ``%XX`` in its patch name: the escape itself,
#: the path separators, what Windows refuses in a name (patches are often downloaded
#: there as CI artifacts), and shell-awkward spaces and quotes.
_NAME_UNSAFE = frozenset('%/\\:*?"<>|\'')
#: A patch name's stem is at most this many bytes (file systems allow 255; ``.patch``,
#: ``.md`` and a temporary-file prefix must fit).
NAME_MAX = 200


def patch_name(key: str) -> str:
    """The patch file of a repository: ``<name>.patch``, where ``<name>`` is its key with
    :data:`_NAME_UNSAFE`, spaces, control characters, a leading ``.`` and bytes that are not
    UTF-8 percent-encoded (``org/api`` → ``org%2Fapi``, ``café`` stays ``café``).

    One key, one name, and ``urllib.parse.unquote`` gives the key back (``%`` is always
    encoded). A name longer than :data:`NAME_MAX` bytes is cut there and ends with ``~`` and
    16 hex digits of the key's SHA-256 instead, so it stays unique. Two keys that differ
    only in letter case get names that differ only in case (one file on macOS or Windows).
    """
    out = []
    for i, ch in enumerate(key):
        if i == 0 and ch == ".":  # not a hidden file, never `.` or `..`
            out.append("%2E")
        elif ch in _NAME_UNSAFE or not ch.isprintable() or ch.isspace() or "\ud800" <= ch <= "\udfff":
            out.append(quote(ch, safe="", errors="surrogateescape"))
        else:
            out.append(ch)
    stem = "".join(out)
    if len(stem.encode("utf-8")) > NAME_MAX:
        digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        cut = stem.encode("utf-8")[:NAME_MAX - 17].decode("utf-8", "ignore")
        stem = f"{cut}~{digest}"
    return stem + ".patch"


def repo_patch(rr: RepoResult) -> bytes | None:
    """The repository's changes as one patch with paths relative to its root, or None when
    a file's diff masks a secret (it would not apply) — ``rr.patch_withheld`` says so."""
    from dockmod.diff import retarget
    from dockmod.secrets import MASK_NOTE

    note = MASK_NOTE.encode()
    parts = []
    for rel, r in rr.files:
        if r.outcome is not Outcome.CHANGED or not r.diff:
            continue
        if r.diff.startswith(note):
            rr.patch_withheld = (f"{rel}: the change is next to a secret value, which a patch would "
                                 "have to show; run `dockmod fix --apply` in the repository instead")
            return None
        parts.append(retarget(r.diff, rel))
    return b"".join(parts) or None


def write_file(path: str | Path, data: bytes) -> None:
    """Write an output file (a patch, the report, the summary) whole or not at all."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.dockmod-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_patches(grouped: list[RepoResult], folder: str, summary_mode: str | None = None) -> None:
    """``folder/<name>.patch`` per changed repository; with ``summary_mode``, also
    ``<name>.md``, that repository's own pull-request body (:func:`summary`). The files
    of a repository with nothing to patch are removed."""
    os.makedirs(folder, exist_ok=True)
    for rr in grouped:
        if rr.repo.error:
            continue
        target = Path(folder) / patch_name(rr.repo.key)
        body = target.with_suffix(".md")
        data = repo_patch(rr)
        if data is None:
            target.unlink(missing_ok=True)
            body.unlink(missing_ok=True)
            continue
        write_file(target, data)
        rr.patch = str(target)
        if summary_mode is not None:
            write_file(body, summary([rr], summary_mode).encode("utf-8"))


# -- the JSON report --------------------------------------------------------------------------

def _held_back(r: FileResult) -> list[Any]:
    return [f for f in r.findings if f.held_back(r.unsafe_fixes)]


def _notes(rr: RepoResult, applied: bool) -> list[str]:
    """The secrets-migration build-flag notes, with paths relative to the repository."""
    from dataclasses import replace

    from dockmod.secrets import build_notes

    return build_notes([replace(r, path=rel) for rel, r in rr.files], applied=applied)


def _not_started(grouped: list[RepoResult]) -> int:
    from dockmod.runner import INTERRUPTED

    return sum(1 for rr in grouped for _, r in rr.files if r.error == INTERRUPTED)


def report(grouped: list[RepoResult], mode: str, shard: str | None, interrupted: bool = False) -> dict[str, Any]:
    """The ``--report`` document (``mode``: ``check``, ``diff`` or ``apply``)."""
    from dockmod import __version__
    from dockmod.report import safety_label

    repos = []
    for rr in grouped:
        t = rr.tally()
        findings = Counter(f.code for _, r in rr.files for f in r.findings)
        held = [{"path": rel, "code": f.code, "line": f.line, "title": f.fix_title or "",
                 "safety": safety_label(f.safety)} for rel, r in rr.files for f in _held_back(r)]
        repos.append({
            "name": rr.repo.key,
            "path": rr.repo.path,
            "files": {"total": len(rr.files), "changed": rr.changed, "unchanged": t.unchanged,
                      "skipped": t.skipped, "failed": t.failed},
            "findings_by_code": dict(sorted(findings.items())),
            "fixed_by_code": dict(sorted(t.fixed.items())),
            "unsafe_held_back": held,
            "errors": [{"path": rel, "message": msg} for rel, msg in rr.errors],
            "build_notes": _notes(rr, applied=mode == "apply"),
            "patch": rr.patch,
            "patch_withheld": rr.patch_withheld,
        })
    return {
        "version": __version__,
        "mode": mode,
        "shard": shard,
        "interrupted": interrupted,
        "totals": {
            "repositories": len(grouped),
            "changed": sum(1 for rr in grouped if rr.changed),
            "with_errors": sum(1 for rr in grouped if rr.errors),
            "files": sum(len(rr.files) for rr in grouped),
            "files_changed": sum(len(rr.changed) for rr in grouped),
            "not_started": _not_started(grouped),
        },
        "repositories": repos,
    }


def report_json(doc: dict[str, Any]) -> str:
    from dockmod.report import _utf8

    return _utf8(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


# -- the pull-request summary -----------------------------------------------------------------

def _explain(code: str) -> str:
    """:func:`_short`, then the first paragraph of what ``dockmod explain CODE`` prints."""
    from dockmod.explain import lead

    text = lead(code)
    return f"{_short(code)}: {text} (`dockmod explain {code}`)" if text is not None else _short(code)


def _short(code: str) -> str:
    """``code`` and its name, linked to its page (:func:`dockmod.report.docs_url`, the page
    SARIF's ``helpUri`` names): for a line that already said what it does."""
    from dockmod.explain import transform
    from dockmod.report import docs_url

    t = transform(code)
    return f"**{code}** [`{t.meta.name}`]({docs_url(t.meta.name)})" if t else f"**{code}**"


def _md(text: str) -> str:
    """A path or message as Markdown text: no markup, no line break, and bytes that are not
    UTF-8 (or control characters) as the visible escapes of the text output (``\\xe9``)."""
    return re.sub(r"([\\`*_{}\[\]<>#|!])", r"\\\1", escape(text.replace("\n", " ")))


def _code(text: str) -> str:
    """A path as a Markdown code span (as written, escapes as in :func:`_md`)."""
    text = escape(text.replace("\n", " "))
    fence = "`" * (max((len(m) for m in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _prose(text: str) -> str:
    """dockmod's own message (its `code` spans kept) as one line of Markdown, no HTML."""
    return escape(text.replace("\n", " ")).replace("<", "&lt;").replace(">", "&gt;")


#: GitHub refuses a pull-request body over 65,536 characters; a fleet summary longer than
#: this keeps the overview table only (each repository's own body is in --patch-dir).
SUMMARY_LIMIT = 60_000


def summary(grouped: list[RepoResult], mode: str, interrupted: bool = False) -> str:
    """Markdown for a pull request: per changed repository, what changed and why (per code,
    linked to its documentation), then what reviewers must check: new ``--secret`` build
    flags, unsafe fixes applied, pinned digests. One repository: no per-repository heading.
    Several: an overview table first; when the whole text would be too long for a pull
    request, only the table (the per-repository bodies are in ``--patch-dir``)."""
    from dockmod.report import _utf8

    changed = [rr for rr in grouped if rr.changed or rr.errors]
    verb = "changes" if mode == "apply" else "would change"
    out = ["# dockmod: Dockerfile fixes", ""]
    if interrupted:
        out += [f"> **Interrupted:** this run was stopped; {_not_started(grouped)} files were not "
                "processed. Run the same command again to finish.", ""]
    if not changed:
        out.append("No changes: every Dockerfile already follows the selected transforms.")
        return "\n".join(out) + "\n"
    many = len(grouped) > 1
    if not many:
        return _utf8("\n".join(out + _repo_summary(changed[0], mode, "##")).rstrip("\n") + "\n")
    n = sum(1 for rr in grouped if rr.changed)
    out += [f"dockmod {verb} {n} of {len(grouped)} repositories.", ""]
    out += ["| repository | files changed | fixes | to check |", "|---|---:|---|---|"]
    sections = []
    for rr in changed:
        body = _repo_summary(rr, mode, "###")
        checks = sum(1 for line in body if line.startswith("- [ ]"))
        codes = ", ".join(f"{c} ×{k}" for c, k in sorted(rr.tally().fixed.items())) or "—"
        out.append(f"| {_md(rr.repo.key)} | {len(rr.changed)} | {codes} | {checks or '—'} |")
        sections += [f"## {_md(rr.repo.key)}", ""] + body
    out.append("")
    full = "\n".join(out + sections)
    if len(full) > SUMMARY_LIMIT:
        out += [f"The details of {len(changed)} repositories would make this text too long for a pull "
                "request; each repository's own body is `<name>.md` in `--patch-dir`.", ""]
        full = "\n".join(out)
    return _utf8(full.rstrip("\n") + "\n")  # names are escaped; this is only a safety net


def _repo_summary(rr: RepoResult, mode: str, level: str) -> list[str]:
    from dockmod.transforms._base import FixSafety

    fixed = rr.tally().fixed
    per_code_files: dict[str, list[str]] = {}
    unsafe_files: dict[str, list[str]] = {}  # codes whose applied fixes were unsafe ones
    for rel, r in rr.files:
        for code, _ in r.fixed:
            per_code_files.setdefault(code, []).append(rel)
        # Safety is per fix (DM201 is safe where the context proves it): count this file's
        # unsafe fixable findings that are no longer there after the fix.
        unsafe = Counter(f.code for f in r.findings if f.fixable and f.safety is FixSafety.UNSAFE)
        unsafe.subtract(f.code for f in r.remaining if f.fixable and f.safety is FixSafety.UNSAFE)
        for code, n in unsafe.items():
            if n > 0 and code in dict(r.fixed):
                unsafe_files.setdefault(code, []).append(rel)
    out = [f"{level} What changed and why", ""]
    files = rr.changed
    out.append(f"{len(files)} Dockerfile{'' if len(files) == 1 else 's'} "
               f"{'changed' if mode == 'apply' else 'to change'}: "
               + ", ".join(_code(f) for f in files) + "." if files else "No Dockerfile changed.")
    out.append("")
    for code in sorted(fixed):
        out.append(f"- {_explain(code)} — {fixed[code]} fix{'' if fixed[code] == 1 else 'es'} in "
                   + ", ".join(_code(f) for f in per_code_files[code]))
    if fixed:
        out.append("")
    checks = []
    for note in _notes(rr, applied=mode == "apply"):
        checks.append(f"- [ ] New build flag: {_prose(note)}")
    for code in sorted(unsafe_files):
        checks.append(f"- [ ] Unsafe fix applied ({_short(code)}): it may change what the build does; "
                      f"review {', '.join(_code(f) for f in unsafe_files[code])}")
    if "DM101" in fixed:
        checks.append("- [ ] Pinned digests (DM101): the images are the ones the tags named today; "
                      "check the digests in the diff against your registry")
    for rel, msg in rr.errors:
        checks.append(f"- [ ] Error{f' in {_code(rel)}' if rel else ''}: {_md(msg.splitlines()[0])}")
    if rr.patch_withheld:
        checks.append(f"- [ ] No patch: {_prose(rr.patch_withheld)}")
    out += [f"{level} What reviewers must check", ""]
    out += checks or ["- Only safe fixes (they keep what the build does); nothing else to check."]
    out.append("")
    held = [(rel, f) for rel, r in rr.files for f in _held_back(r)]
    if held:  # for information: nothing in this change to review
        codes = Counter(f.code for _, f in held)
        out += ["Not applied here (unsafe fixes, which need `--unsafe-fixes`): "
                + ", ".join(f"{code} ×{n}" for code, n in sorted(codes.items())) + ".", ""]
    return out


def stderr_line(grouped: list[RepoResult], mode: str) -> str:
    """One line for the end of a fleet run."""
    n = len(grouped)
    if mode == "check":
        hit = sum(1 for rr in grouped if rr.tally().findings)
        what = f"{hit} with findings"
    else:
        hit = sum(1 for rr in grouped if rr.changed)
        what = f"{hit} {'changed' if mode == 'apply' else 'would be changed'}"
    errors = sum(1 for rr in grouped if rr.errors)
    return f"{n} {'repository' if n == 1 else 'repositories'}: {what}, {errors} with errors."
