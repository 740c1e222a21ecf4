"""Counting results, the summary, the exit code, and the machine-readable formats.

This is the one place that decides the exit status:

* ``0``: nothing to report (or ``--exit-zero`` and no error);
* ``1``: findings (``check``), changes pending (``fix`` dry run), or findings left
  unfixed (``fix --apply``);
* ``2``: a file could not be read, parsed, configured or written, or an internal error;
* ``130``: interrupted (Ctrl-C).

JSON and SARIF are always valid UTF-8: a byte of a file name or of a file that is not
UTF-8 (kept by dockmod as a lone surrogate, see ``dockmod.io``) is written as U+FFFD in
JSON strings, and percent-encoded (losslessly) in SARIF ``artifactLocation.uri``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from dockmod import __version__
from dockmod.io import utf8_safe
from dockmod.results import FileResult, Outcome
from dockmod.transforms._base import Finding, FixSafety

EXIT_INTERRUPTED = 130


def safety_label(safety: FixSafety | None) -> str:
    """The one user-facing name of a fix safety: ``safe``, ``unsafe`` or ``report-only``."""
    if safety is None or safety is FixSafety.DISPLAY_ONLY:
        return "report-only"
    return safety.value


@dataclass
class Totals:
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    findings: int = 0
    remaining: int = 0
    #: Findings this run's settings can fix (``[*]``).
    fixable: int = 0
    #: Findings with a fix that needs ``--unsafe-fixes`` (``[-]``).
    hidden_unsafe: int = 0
    #: Findings with no fix to apply (report only, or capped by target-syntax).
    report_only: int = 0
    applied: int = 0
    written: int = 0
    #: Findings fixed, by code.
    fixed: dict[str, int] = field(default_factory=dict)

    @property
    def fixed_total(self) -> int:
        return sum(self.fixed.values())


def totals(results: Iterable[FileResult]) -> Totals:
    t = Totals()
    for r in results:
        name = r.outcome.value
        setattr(t, name, getattr(t, name) + 1)
        t.findings += len(r.findings)
        t.remaining += len(r.remaining)
        for f in r.findings:
            if f.safety is not None and f.safety.applies(r.unsafe_fixes):
                t.fixable += 1
            elif f.held_back(r.unsafe_fixes):
                t.hidden_unsafe += 1
            else:
                t.report_only += 1
        t.applied += r.applied
        t.written += r.written
        for code, n in r.fixed:
            t.fixed[code] = t.fixed.get(code, 0) + n
    return t


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(mode: str, t: Totals, *, unsafe_flag: bool = False) -> str:
    """The summary for stderr.

    ``mode`` is ``check``, ``diff`` (a dry run) or ``apply``. ``unsafe_flag``: whether
    ``--unsafe-fixes`` was given, so the command shown is the one that applies the ``[*]``
    fixes.
    """
    lines = []
    if mode == "check":
        lines.append(f"Found {_plural(t.findings, 'finding')}.")
        cmd = "dockmod fix --apply" + (" --unsafe-fixes" if unsafe_flag else "")
        if t.fixable:
            lines.append(f"[*] {t.fixable} fixable with `{cmd}`.")
        if t.hidden_unsafe:
            lines.append(f"[-] {t.hidden_unsafe} fixable with `dockmod fix --apply --unsafe-fixes` "
                         "(may change what the build does).")
        if t.report_only:
            lines.append(f"{t.report_only} report only (no fix to apply).")
        tail = []
    else:
        if mode == "apply":
            lines.append(f"Found {_plural(t.findings, 'finding')} "
                         f"({t.fixed_total} fixed, {t.remaining} remaining).")
        verb = "changed" if mode == "apply" else "would be changed"
        tail = [f"{_plural(t.changed, 'file')} {verb}", f"{t.unchanged} unchanged"]
    if t.skipped:
        tail.append(f"{t.skipped} skipped")
    if t.failed:
        tail.append(f"{t.failed} failed")
    if tail:
        line = ", ".join(tail)
        if mode != "check" and t.hidden_unsafe:
            line += (f" ({t.hidden_unsafe} more {'fix' if t.hidden_unsafe == 1 else 'fixes'} "
                     "with --unsafe-fixes)")
        lines.append(line)
    return "\n".join(lines)


def statistics(results: Iterable[FileResult]) -> str:
    """``--statistics``: one line per code, ``count  code  [*] name``, most frequent first."""
    from dockmod.diagnostics import fix_mark

    counts: dict[str, list] = {}
    for r in results:
        for f in r.findings:
            row = counts.setdefault(f.code, [0, f.name, ""])
            row[0] += 1
            mark = fix_mark(f, r.unsafe_fixes)
            if mark == "[*] " or (mark and not row[2]):
                row[2] = mark
    rows = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))
    width = max((len(str(v[0])) for _, v in rows), default=1)
    return "".join(f"{n:>{width}}  {code}  {mark or '    '}{name}\n" for code, (n, name, mark) in rows)


def exit_code(mode: str, t: Totals, exit_zero: bool = False, interrupted: bool = False) -> int:
    if interrupted:
        return EXIT_INTERRUPTED
    if t.failed:
        return 2
    if exit_zero:
        return 0
    if mode == "check":
        return 1 if t.findings else 0
    if mode == "diff":
        return 1 if t.changed else 0
    return 1 if t.remaining else 0


# -- machine-readable formats ----------------------------------------------------------------

_utf8 = utf8_safe  # lone surrogates → U+FFFD (dockmod.io)


def finding_dict(path: str, f: Finding, unsafe: bool) -> dict:
    return {
        "path": path,
        "code": f.code,
        "name": f.name,
        "message": f.message,
        "location": {"line": f.line, "column": f.column},
        "end_location": {"line": f.end_line, "column": f.end_column},
        "fix": None if f.fix_title is None else {
            "title": f.fix_title,
            "safety": safety_label(f.safety) if f.safety else None,
            "applicable": (f.safety is not None and f.safety.applies(unsafe)),
            "reason": f.no_fix_reason or f.unsafe_reason,
        },
    }


def to_json(results: list[FileResult]) -> str:
    """The ``--format json`` document; its schema is ``dockmod/schemas/report.schema.json``."""
    doc = {
        "version": __version__,
        "findings": [finding_dict(r.path, f, r.unsafe_fixes) for r in results for f in r.findings],
        "errors": [{"path": r.path, "message": r.error} for r in results if r.outcome is Outcome.FAILED],
    }
    return _utf8(json.dumps(doc, indent=2, ensure_ascii=False))


def artifact_uri(path: str) -> str:
    """A path as a SARIF ``artifactLocation.uri``: a percent-encoded URI reference.

    The path's bytes (``os.fsencode``) are encoded, so a name that is not UTF-8 stays exact.
    """
    data = os.fsencode(path)
    if data.startswith(b"/"):
        return "file://" + quote(data, safe="/")
    return quote(data, safe="/")


def docs_url(name: str) -> str:
    """A transform's documentation page (SARIF ``helpUri``, fleet summaries' links)."""
    from dockmod._project import blob_url

    return blob_url(f"docs/transforms/{name}.md")


def to_sarif(results: list[FileResult]) -> str:
    """A SARIF 2.1.0 log with one run."""
    from dockmod._project import REPOSITORY_URL
    from dockmod.transforms import REGISTRY

    rules = [{
        "id": t.meta.code,
        "name": t.meta.name,
        "shortDescription": {"text": t.meta.summary.replace("{", "").replace("}", "")},
        "helpUri": docs_url(t.meta.name),
        "properties": {"fixSafety": safety_label(t.meta.safety)},
    } for t in REGISTRY]
    index = {t.meta.code: i for i, t in enumerate(REGISTRY)}
    sarif_results = []
    for r in results:
        for f in r.findings:
            res = {
                "ruleId": f.code,
                "ruleIndex": index.get(f.code, -1),
                "level": "warning",
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(r.path)},
                    "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1),
                               "endLine": max(f.end_line, 1), "endColumn": max(f.end_column, 1)},
                }}],
            }
            if res["ruleIndex"] < 0:
                del res["ruleIndex"]
            sarif_results.append(res)
    notifications = [{"level": "error", "message": {"text": r.error or "failed"},
                      "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(r.path)}}}]}
                     for r in results if r.outcome is Outcome.FAILED]
    run = {
        "tool": {"driver": {"name": "dockmod", "version": __version__,
                            "informationUri": REPOSITORY_URL, "rules": rules}},
        "results": sarif_results,
        "invocations": [{"executionSuccessful": not notifications,
                         "toolExecutionNotifications": notifications}],
    }
    return _utf8(json.dumps({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }, indent=2, ensure_ascii=False))


def _gh_esc(s: str) -> str:
    """A workflow-command message: CR and LF percent-encoded first (the runner decodes them),
    other controls made visible."""
    from dockmod.diagnostics import escape

    return escape(s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _gh_prop(s: str) -> str:
    return _gh_esc(s).replace(":", "%3A").replace(",", "%2C")


def github_line(path: str, f: Finding) -> str:
    """A GitHub Actions workflow command, so findings show as annotations.

    Property values and the message are escaped as the runner expects (``%``, CR, LF, and
    ``:``/``,`` in properties), so a name or message cannot end the command early.
    """
    return (f"::warning title={_gh_prop(f.code + ' ' + f.name)},file={_gh_prop(path)},"
            f"line={f.line},col={f.column},endLine={f.end_line},endColumn={f.end_column}::{_gh_esc(f.message)}")


def github_error(message: str, path: str | None) -> str:
    """An ``::error`` workflow command for a file that failed (``path``; its line and column
    when the message starts with ``path:line:col:``), or for a run-level error such as a
    missing repository (``path`` None: no file to attach it to)."""
    from dockmod.diagnostics import escape

    props = "title=dockmod error"
    if path is not None:
        props += f",file={_gh_prop(path)}"
        m = re.match(re.escape(escape(path)) + r":(\d+):(\d+): ", message)
        if m:
            props += f",line={m.group(1)},col={m.group(2)}"
    return f"::error {props}::{_gh_esc(message)}"
