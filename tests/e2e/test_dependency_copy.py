"""DM201 reorder-dependency-copy, proved by real builds of the naive sample apps.

For each app: run the real CLI (``dockmod fix --apply --unsafe-fixes --select DM201``) on
a copy of its naive Dockerfile, build the original and the fixed file, and check that
both build and print the same self-test line. Then change a source file (not a
manifest), build both again with the layer cache, and read buildah's cache report: the
fixed file reuses the dependency install ("Using cache"), the original runs it again.

``--unsafe-fixes`` is needed: dockmod cannot read the context, so it cannot rule out
that ``requirements.txt`` includes other local files, and ``npm install`` without
``--ignore-scripts`` may run the package's lifecycle scripts (see the transform's
"Fix safety"). The apps here have neither.

Cost: four layered builds per app on vfs, 45-55 s per app on the reference machine
(about 2 min for the module with warm base images). The Go app's naive Dockerfile only
runs ``go build``, which needs the sources, so DM201 leaves it alone (checked without a
build).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]

#: app → (the install step as buildah prints it, the source file to touch, the manifest
#: copy dockmod must write)
CASES = {
    "python-pure": ("RUN pip install -r requirements.txt", "app.py", "COPY requirements.txt ./"),
    "node": ("RUN npm install", "index.js",
             "COPY package.json package-lock.json* npm-shrinkwrap.json* .npmrc* ./"),
}


def _dockmod_fix(dockerfile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dockmod", "fix", "--apply", "--unsafe-fixes", "--select", "DM201",
         "--no-color", str(dockerfile)],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )


@pytest.mark.parametrize("name", list(CASES))
def test_fixed_dockerfile_builds_and_keeps_the_install_cached(builder, e2e_apps, tmp_path, name):
    install, source, manifest_copy = CASES[name]
    app = e2e_apps[name]
    context = app.copy(tmp_path / "ctx")
    # Both Dockerfiles live outside the context, so `COPY . .` copies the same files for both.
    original = tmp_path / "original.Dockerfile"
    fixed = tmp_path / "fixed.Dockerfile"
    original.write_bytes(app.dockerfile.read_bytes())
    fixed.write_bytes(app.dockerfile.read_bytes())

    done = _dockmod_fix(fixed)
    assert done.returncode == 0, done.stdout + done.stderr
    text = fixed.read_text()
    lines = text.splitlines()
    assert manifest_copy in lines
    assert lines.index(manifest_copy) < lines.index(install) < lines.index("COPY . .")
    # Without --unsafe-fixes the same run changes nothing (and says a fix was held back).
    held = subprocess.run([sys.executable, "-m", "dockmod", "fix", "--select", "DM201", str(original)],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert held.stdout == "", held.stdout

    timings: dict[str, float] = {}

    def build(label: str, dockerfile: Path):  # type: ignore[no-untyped-def]
        start = time.monotonic()
        result = builder.build(context, dockerfile)
        timings[label] = time.monotonic() - start
        return result

    first_original = build("original, cold", original)
    first_fixed = build("fixed, cold", fixed)
    assert builder.run(first_original.image).stdout.strip() == app.expected
    assert builder.run(first_fixed.image).stdout.strip() == app.expected
    assert first_fixed.step(manifest_copy).cached is False

    # A source edit that is not a manifest.
    path = context / source
    comment = "# touched by dockmod e2e\n" if source.endswith(".py") else "// touched by dockmod e2e\n"
    path.write_text(path.read_text() + comment)

    again_original = build("original, after source edit", original)
    again_fixed = build("fixed, after source edit", fixed)

    assert again_original.step(install).cached is False, again_original.log
    assert again_original.step("COPY . .").cached is False
    assert again_fixed.step(manifest_copy).cached is True, again_fixed.log
    assert again_fixed.step(install).cached is True, again_fixed.log
    assert again_fixed.step("COPY . .").cached is False
    assert builder.run(again_fixed.image).stdout.strip() == app.expected

    summary = ", ".join(f"{k}: {v:.1f}s" for k, v in timings.items())
    print(f"\n{name}: {summary}\n  original after edit: {again_original.cache_pattern()}"
          f"\n  fixed after edit:    {again_fixed.cache_pattern()}")


def test_go_build_is_left_alone(e2e_apps, tmp_path):
    """``go build`` needs the sources; with no ``go mod download`` there is nothing to move."""
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_bytes(e2e_apps["go"].dockerfile.read_bytes())
    done = _dockmod_fix(dockerfile)
    assert done.returncode == 0 and done.stdout == ""
    assert dockerfile.read_bytes() == e2e_apps["go"].dockerfile.read_bytes()
