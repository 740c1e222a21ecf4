"""DM201 reorder-dependency-copy, proved by real builds of the naive sample apps.

For each app (Python with requirements.txt, Node with a lock file and a `.dockerignore`,
Go with go.mod): run the real CLI (``dockmod fix --apply --select DM201``, *without*
``--unsafe-fixes``) on a copy of its naive Dockerfile, with the app folder as the build
context (``context`` option in a ``dockmod.toml``). The context proves the Python and Go
fixes safe, so they are applied by default. The Node one is unsafe: ``npm install`` may
rewrite ``package-lock.json``, which the later ``COPY . .`` would then put back, so it
must not be applied without ``--unsafe-fixes``, and is then applied with it. Then build the original and the fixed file, check both print the
same self-test line, change a source file (not a manifest), build both again with the
layer cache, and read buildah's cache report: the fixed file reuses the dependency step
("Using cache"), the original runs it again.

The Go app's naive file only runs ``go build``; DM201 adds ``COPY go.mod go.sum* ./`` and
``RUN go mod download`` before the copy, as Docker's Go guide does.

Cost: four layered builds per app on vfs, about a minute per app on the reference
machine with warm base images.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]

#: app → (the dependency step as buildah prints it, the source file to touch, the
#: manifest copy dockmod must write, files to add to the context)
CASES = {
    "python-pure": ("RUN pip install -r requirements.txt", "app.py", "COPY requirements.txt ./", {}),
    "node": ("RUN npm install", "index.js",
             "COPY package.json package-lock.json* npm-shrinkwrap.json* .npmrc* ./",
             {".dockerignore": "node_modules\nnpm-debug.log\n"}),
    "go": ("RUN go mod download", "main.go", "COPY go.mod go.sum* ./", {}),
}
#: apps whose fix is unsafe (the lock file an install may rewrite)
UNSAFE = {"node"}


def _dockmod(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dockmod", *args, "--no-color"],
                          capture_output=True, text=True, cwd=REPO, timeout=120)


def _setup(app, tmp_path: Path, extra: dict[str, str]) -> tuple[Path, Path, Path]:  # type: ignore[no-untyped-def]
    context = app.copy(tmp_path / "ctx")
    for name, text in extra.items():
        (context / name).write_text(text)
    # Both Dockerfiles live outside the context, so `COPY . .` copies the same files for
    # both; dockmod is told where the context is.
    rel = context.relative_to(tmp_path).as_posix()
    (tmp_path / "dockmod.toml").write_text(f'[transform.reorder-dependency-copy]\ncontext = "{rel}"\n')
    original = tmp_path / "original.Dockerfile"
    fixed = tmp_path / "fixed.Dockerfile"
    original.write_bytes(app.dockerfile.read_bytes())
    fixed.write_bytes(app.dockerfile.read_bytes())
    return context, original, fixed


@pytest.mark.parametrize("name", list(CASES))
def test_fixed_dockerfile_builds_and_keeps_the_install_cached(builder, e2e_apps, tmp_path, name):
    install, source, manifest_copy, extra = CASES[name]
    app = e2e_apps[name]
    context, original, fixed = _setup(app, tmp_path, extra)

    done = _dockmod("fix", "--apply", "--select", "DM201", str(fixed))
    if name in UNSAFE:
        assert done.returncode == 1 and "unsafe" in done.stdout, done.stdout + done.stderr
        assert fixed.read_bytes() == original.read_bytes()
        done = _dockmod("fix", "--apply", "--unsafe-fixes", "--select", "DM201", str(fixed))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = fixed.read_text().splitlines()
    assert manifest_copy in lines
    assert lines.index(manifest_copy) < lines.index(install) < lines.index("COPY . .")

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

    original_dep = "RUN go build" if name == "go" else install
    assert again_original.step(original_dep).cached is False, again_original.log
    assert again_original.step("COPY . .").cached is False
    assert again_fixed.step(manifest_copy).cached is True, again_fixed.log
    assert again_fixed.step(install).cached is True, again_fixed.log
    assert again_fixed.step("COPY . .").cached is False
    assert builder.run(again_fixed.image).stdout.strip() == app.expected

    summary = ", ".join(f"{k}: {v:.1f}s" for k, v in timings.items())
    print(f"\n{name}: {summary}\n  original after edit: {again_original.cache_pattern()}"
          f"\n  fixed after edit:    {again_fixed.cache_pattern()}")


def test_unproven_context_holds_the_fix_back(e2e_apps, tmp_path):
    """A context that sends ``node_modules`` would lay it over the fresh install: unsafe,
    so the default run changes nothing and the finding says why (no build needed)."""
    context, original, fixed = _setup(e2e_apps["node"], tmp_path, {})
    (context / "node_modules" / "is-number").mkdir(parents=True)
    (context / "node_modules" / "is-number" / "index.js").write_text("module.exports = () => false;\n")
    done = _dockmod("fix", "--apply", "--select", "DM201", str(fixed))
    assert fixed.read_bytes() == original.read_bytes()
    check = _dockmod("check", "--select", "DM201", str(fixed))
    assert "the context sends `node_modules`" in check.stdout, check.stdout + done.stderr


# -- cargo: the dependency-only pre-build ------------------------------------------------
# crates.io is unreachable here, so the crate has no dependencies: the proof is about the
# mechanism (the placeholder's artefacts are removed, so the real build compiles the real
# sources; the pre-build step is a cache hit after a source edit), not the time saved.

_RUST_MAIN = 'fn main() {{\n    println!("rust ok: {}");\n}}\n'
_RUST_NAIVE = """FROM rust:1.63
WORKDIR /usr/src/app
COPY . .
RUN cargo build --release
CMD ["/usr/src/app/target/release/hello-rs"]
"""


@pytest.fixture(scope="module")
def rust_image(registry, base_images):  # type: ignore[no-untyped-def]
    """The ``rust:1.63`` look-alike (``harness.images.EXTRA_IMAGES``), pushed without a
    prune (``BaseImageSet.prepare`` with one spec would drop the other cached images)."""
    import harness
    from harness.images import EXTRA_IMAGES

    cache = harness.cache_dir()
    network = harness.discover_host_network()
    images = harness.BaseImageCache(cache, network, harness.RootfsCache(cache, network))
    sandbox = harness.new_sandbox(registry)
    try:
        return images.push(EXTRA_IMAGES[0], registry, sandbox)
    finally:
        sandbox.close()


def test_cargo_prebuild_builds_the_real_crate_and_stays_cached(builder, rust_image, tmp_path):
    context = tmp_path / "ctx"
    (context / "src").mkdir(parents=True)
    (context / "Cargo.toml").write_text('[package]\nname = "hello-rs"\nversion = "0.1.0"\nedition = "2021"\n\n'
                                        "[dependencies]\n")
    (context / "src" / "main.rs").write_text(_RUST_MAIN.format("v1"))
    (context / ".dockerignore").write_text("target\n")
    (tmp_path / "dockmod.toml").write_text('[transform.reorder-dependency-copy]\ncontext = "ctx"\n')
    original = tmp_path / "original.Dockerfile"
    fixed = tmp_path / "fixed.Dockerfile"
    original.write_text(_RUST_NAIVE)
    fixed.write_text(_RUST_NAIVE)

    # Unsafe (the context cannot prove the pre-build matches a clean build): opt in.
    done = _dockmod("fix", "--apply", "--unsafe-fixes", "--select", "DM201", str(fixed))
    assert done.returncode == 0, done.stdout + done.stderr
    prebuild = ("RUN mkdir -p src && echo 'fn main() {}' > src/main.rs && cargo build --release && "
                "rm -rf src target/release/.fingerprint/hello-rs-* target/release/deps/hello_rs-*")
    lines = fixed.read_text().splitlines()
    assert lines[2:5] == ["COPY Cargo.toml Cargo.lock* ./", prebuild, "COPY . ."], lines

    first_original = builder.build(context, original)
    first_fixed = builder.build(context, fixed)
    # The real crate, not the placeholder (which prints nothing): the fingerprints went.
    assert builder.run(first_original.image).stdout.strip() == "rust ok: v1"
    assert builder.run(first_fixed.image).stdout.strip() == "rust ok: v1"
    binary = "/usr/src/app/target/release/hello-rs"
    assert builder.read_file(first_fixed.image, binary) == builder.read_file(first_original.image, binary)

    # A source edit: the pre-build is reused, the crate is compiled again.
    (context / "src" / "main.rs").write_text(_RUST_MAIN.format("v2"))
    again_original = builder.build(context, original)
    again_fixed = builder.build(context, fixed)
    assert again_original.step("RUN cargo build --release").cached is False
    assert again_fixed.step(prebuild).cached is True, again_fixed.log
    assert again_fixed.step("COPY . .").cached is False
    assert again_fixed.step("RUN cargo build --release").cached is False
    assert builder.run(again_fixed.image).stdout.strip() == "rust ok: v2"
    assert builder.read_file(again_fixed.image, binary) == builder.read_file(again_original.image, binary)
    print(f"\nrust: original after edit: {again_original.cache_pattern()}, "
          f"fixed after edit: {again_fixed.cache_pattern()}")
