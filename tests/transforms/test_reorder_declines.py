"""DM201 gives no fix (report only, with the reason) where its fix would always fail."""

from __future__ import annotations

from pathlib import Path

from dockmod.transforms.reorder_dependency_copy import ReorderDependencyCopy
from tests.transforms.harness import run_transform

FIXTURES = Path(__file__).parent / "fixtures" / "reorder-dependency-copy"


def _reasons(text: str, **kw: object) -> list[str | None]:
    out = run_transform(text, ReorderDependencyCopy, unsafe_fixes=True, **kw)  # type: ignore[arg-type]
    assert out.output == text
    return [f.no_fix_reason for f in out.result.findings]


def test_manifest_generated_by_an_earlier_run() -> None:
    text = (FIXTURES / "generated_manifest_declined.before.Dockerfile").read_text()
    assert _reasons(text) == ["a `RUN` between them names `requirements.txt`, which the install reads: "
                              "it may generate it from the sources"]


def test_manifest_written_through_an_option() -> None:
    text = ("FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip-compile --output-file=requirements.txt\n"
            "RUN pip install -r requirements.txt\n")
    reasons = _reasons(text)
    assert len(reasons) == 1 and reasons[0] is not None and "names `requirements.txt`" in reasons[0]


def test_go_replace_folder_with_whole_context_copy() -> None:
    case = "go_replace_whole_context_declined"
    text = (FIXTURES / f"{case}.before.Dockerfile").read_text()
    assert _reasons(text, context_dir=FIXTURES / f"{case}.context") == [
        "`go.mod` replaces a module with the folder `./api`, which the install needs and the manifest "
        "copy would not bring"]
