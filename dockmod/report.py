"""Counting results, the summary line, the exit code, and the machine-readable formats.

This is the one place that decides the exit status:

* ``0``: nothing to report (or ``--exit-zero`` and no error);
* ``1``: findings (``check``), changes pending (``fix`` dry run), or findings left
  unfixed (``fix --apply``);
* ``2``: a file could not be read, parsed or configured, or an internal error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from dockmod import __version__
from dockmod.runner import FileResult
from dockmod.transforms._base import Finding, FixSafety


@dataclass
class Totals:
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    findings: int = 0
    remaining: int = 0
    fixable: int = 0
    hidden_unsafe: int = 0
    applied: int = 0


def totals(results: Iterable[FileResult]) -> Totals:
    t = Totals()
    for r in results:
        setattr(t, r.status, getattr(t, r.status) + 1)
        t.findings += len(r.findings)
        t.remaining += len(r.remaining)
        t.fixable += sum(1 for f in r.findings if _applicable(f, r.unsafe_fixes))
        t.hidden_unsafe += r.hidden_unsafe
        t.applied += r.applied
    return t


def _applicable(f: Finding, unsafe: bool) -> bool:
    return f.safety is FixSafety.SAFE or (f.safety is FixSafety.UNSAFE and unsafe)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(mode: str, t: Totals) -> str:
    """One line for stderr, in black's wording."""
    parts = []
    if mode == "check":
        head = f"Found {_plural(t.findings, 'finding')}"
        if t.fixable:
            head += f" ({t.fixable} fixable with `dockmod fix --apply`)"
        parts.append(head)
    else:
        verb = "changed" if mode == "apply" else "would be changed"
        parts.append(f"{_plural(t.changed, 'file')} {verb}")
        parts.append(f"{t.unchanged} unchanged")
    if t.skipped:
        parts.append(f"{t.skipped} skipped")
    if t.failed:
        parts.append(f"{t.failed} failed")
    line = ", ".join(parts)
    if t.hidden_unsafe:
        line += f" ({t.hidden_unsafe} more {'fix' if t.hidden_unsafe == 1 else 'fixes'} with --unsafe-fixes)"
    return line


def exit_code(mode: str, t: Totals, exit_zero: bool = False) -> int:
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
            "safety": f.safety.value if f.safety else None,
            "applicable": _applicable(f, unsafe),
            "reason": f.no_fix_reason,
        },
    }


def to_json(results: list[FileResult]) -> str:
    """The ``--format json`` document; its schema is ``dockmod/schemas/report.schema.json``."""
    doc = {
        "version": __version__,
        "findings": [finding_dict(r.path, f, r.unsafe_fixes) for r in results for f in r.findings],
        "errors": [{"path": r.path, "message": r.error} for r in results if r.status == "failed"],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def to_sarif(results: list[FileResult]) -> str:
    """A SARIF 2.1.0 log with one run."""
    from dockmod.transforms import REGISTRY

    rules = [{
        "id": t.meta.code,
        "name": t.meta.name,
        "shortDescription": {"text": t.meta.summary.replace("{", "").replace("}", "")},
        "helpUri": f"https://github.com/dockmod/dockmod/blob/main/docs/transforms/{t.meta.name}.md",
        "properties": {"fixSafety": t.meta.safety.value},
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
                    "artifactLocation": {"uri": r.path},
                    "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1),
                               "endLine": max(f.end_line, 1), "endColumn": max(f.end_column, 1)},
                }}],
            }
            if res["ruleIndex"] < 0:
                del res["ruleIndex"]
            sarif_results.append(res)
    notifications = [{"level": "error", "message": {"text": r.error or "failed"},
                      "locations": [{"physicalLocation": {"artifactLocation": {"uri": r.path}}}]}
                     for r in results if r.status == "failed"]
    run = {
        "tool": {"driver": {"name": "dockmod", "version": __version__,
                            "informationUri": "https://github.com/dockmod/dockmod", "rules": rules}},
        "results": sarif_results,
        "invocations": [{"executionSuccessful": not notifications,
                         "toolExecutionNotifications": notifications}],
    }
    return json.dumps({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }, indent=2, ensure_ascii=False)


def github_line(path: str, f: Finding) -> str:
    """A GitHub Actions workflow command, so findings show as annotations."""
    def esc(s: str) -> str:
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def esc_prop(s: str) -> str:
        return esc(s).replace(":", "%3A").replace(",", "%2C")

    return (f"::warning title={esc_prop(f.code + ' ' + f.name)},file={esc_prop(path)},"
            f"line={f.line},col={f.column},endLine={f.end_line},endColumn={f.end_column}::{esc(f.message)}")
