"""The build context is opened once per file, however many transforms read it."""

from __future__ import annotations

from pathlib import Path

import pytest

import dockmod
from dockmod import buildcontext, engine
from dockmod.transforms import _context, by_code

# Each of the four transforms that read the build context opens it on this file: DM201 to
# prove the dependency copy, DM202 to look for an `.npmrc` that `COPY . .` would send, DM203 for `COPY . .`, DM511
# to prove `ADD notes.txt` is not unpacked.
DOCKERFILE = """\
FROM python:3.12
WORKDIR /app
ADD notes.txt /app/
COPY . .
RUN pip install -r requirements.txt
RUN npm ci
"""
CODES = ("DM201", "DM202", "DM203", "DM511")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, object]]:
    calls: list[tuple[object, object]] = []
    real = buildcontext.open_context

    def counting(dockerfile: object, context: object = None) -> object:
        calls.append((dockerfile, context))
        return real(dockerfile, context)  # type: ignore[arg-type]

    monkeypatch.setattr(buildcontext, "open_context", counting)
    return calls


def _check(tmp_path: Path, options: dict[str, dict[str, object]] | None = None) -> list[str]:
    (tmp_path / "notes.txt").write_text("notes\n")
    (tmp_path / "requirements.txt").write_text("requests\n")
    path = tmp_path / "Dockerfile"
    path.write_text(DOCKERFILE)
    transforms = [by_code()[code] for code in CODES]
    result = engine.run(dockmod.parse(DOCKERFILE), transforms,
                        engine.EngineOptions(options=options or {}), path=str(path))
    return [f.code for f in result.findings]


def test_one_open_per_file(tmp_path: Path, opened: list[tuple[object, object]], monkeypatch: pytest.MonkeyPatch) -> None:
    # Each transform asks for the build context (else the count below proves nothing).
    asked: list[str] = []
    real = _context.open_build_context

    def spy(transform):  # type: ignore[no-untyped-def]
        asked.append(transform.meta.code)
        return real(transform)

    for module in {by_code()[c].__module__ for c in CODES}:
        monkeypatch.setattr(f"{module}.open_build_context", spy)
    _check(tmp_path)
    assert sorted(set(asked)) == sorted(CODES)
    assert len(opened) == 1


def test_own_context_option_opens_its_own(tmp_path: Path, opened: list[tuple[object, object]]) -> None:
    (tmp_path / "sub").mkdir()
    _check(tmp_path, {"ignore-risky-context-files": {"context": "sub"}})
    path = str(tmp_path / "Dockerfile")
    assert len(opened) == 2 and set(opened) == {(path, None), (path, "sub")}
