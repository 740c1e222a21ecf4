"""DM401 split-builder-runtime, proven with real builds (buildah 1.28 on vfs).

For each sample app the naive Dockerfile (python-pure's with the full ``python:3.11`` base,
since on its own slim base there is nothing to split and DM401 declines) is split by the
transform, then both are built and compared:

* both build, and the app's self-test prints the same line;
* the runtime image has no compiler (``gcc``, and no ``go`` for Go) while the original has;
* the runtime image is smaller (sizes printed);
* Python: ``pip freeze`` in the runtime equals the original's; Node: ``npm ls --omit=dev``
  (the production dependency tree) equals the original's;
* ``--target builder`` and ``--target runtime`` both build (the split image is the
  ``--target runtime`` build: the runtime is the last stage).

python-uv (``uv sync``, a C extension) also compares the packages of the copied project
environment; node-pnpm (a build script that needs a devDependency) shows the devDependency
in the original and pruned from the runtime, and the production dependency in both.

Go's runtime is the look-alike ``busybox`` through the ``runtime-images`` option: the
table's default (``gcr.io/distroless/static-debian12``) is not in the local registry, and
the option is the documented way to choose another runtime. python-pure and node start
from the full ``python:3.11``/``node:20`` look-alikes (their own Dockerfiles use the slim
images, where DM401 declines: nothing to gain).
"""

from __future__ import annotations

import pytest

import dockmod
from dockmod import engine
from dockmod.transforms.split_builder_runtime import SplitBuilderRuntime

pytestmark = pytest.mark.e2e


def _split(text: str, options: dict | None = None) -> engine.EngineResult:
    opts = engine.EngineOptions(fix=True, unsafe_fixes=True,
                                options={SplitBuilderRuntime.meta.name: options or {}})
    return engine.run(dockmod.parse(text), [SplitBuilderRuntime], opts)


def _has(builder, image: str, program: str) -> bool:
    files = builder.files(image, "/usr")
    return any(p.rsplit("/", 1)[-1] == program for p in files if "/bin/" in p)


def _compare(builder, app, work, split_text: str, *, python: bool, compilers: tuple[str, ...],
             build_args: dict[str, str] | None = None, envs: tuple[str, ...] = ()):
    """``envs``: project environments (uv's ``.venv``) whose packages must match too."""
    original = builder.build(work, layers=False, build_args=build_args)
    # The runtime is the last stage: building it with --target is the split build itself.
    split = builder.build(work, split_text, target="runtime", layers=False, build_args=build_args)
    out_a = builder.run(original.image, list(app.selftest)).stdout.strip()
    out_b = builder.run(split.image, list(app.selftest)).stdout.strip()
    assert out_a == app.expected
    assert out_b == out_a
    for program in compilers:
        assert _has(builder, original.image, program), f"the original lacks {program}: the test proves nothing"
        assert not _has(builder, split.image, program), f"{program} is in the runtime image"
    size_a, size_b = builder.inspect(original.image).size, builder.inspect(split.image).size
    print(f"\n{app.path.name}: original {size_a / 1e6:.1f} MB, runtime {size_b / 1e6:.1f} MB")
    assert size_b < size_a
    if python:
        freeze_a = builder.run(original.image, ["pip", "freeze"]).stdout.split()
        freeze_b = builder.run(split.image, ["pip", "freeze"]).stdout.split()
        assert freeze_b == freeze_a
        for env in envs:
            # The project environment has no pip of its own: list it with the system pip.
            cmd = ["/usr/bin/python3", "-m", "pip", "freeze", "--path", f"{env}/lib/python3.11/site-packages"]
            env_a = builder.run(original.image, cmd).stdout.split()
            env_b = builder.run(split.image, cmd).stdout.split()
            assert env_a, f"{env} lists no packages: the comparison proves nothing"
            assert env_b == env_a
    if app.path.name == "node":
        tree_a = builder.run(original.image, ["npm", "ls", "--omit=dev", "--all"]).stdout
        tree_b = builder.run(split.image, ["npm", "ls", "--omit=dev", "--all"]).stdout
        assert tree_b == tree_a
    assert builder.build(work, split_text, target="builder", layers=False, build_args=build_args).ok
    return original.image, split.image


def _split_app(e2e_apps, tmp_path, name: str, *expected: str, base: tuple[str, str] | None = None,
               options: dict | None = None):
    """A writable copy of app ``name`` (its FROM changed by ``base``: (old, new)) and DM401's
    output for its Dockerfile, which must contain each of ``expected``."""
    app = e2e_apps[name]
    work = app.copy(tmp_path)
    text = (work / "Dockerfile").read_text()
    if base is not None:
        text = text.replace(f"FROM {base[0]}", f"FROM {base[1]}")
        (work / "Dockerfile").write_text(text)
    out = _split(text, options).output.code
    for line in expected:
        assert line in out, f"{line!r} not in the split:\n{out}"
    return app, work, out


def test_python_cext(builder, e2e_apps, tmp_path):
    app, work, out = _split_app(e2e_apps, tmp_path, "python-cext", "COPY --from=builder /opt/venv /opt/venv",
                                "FROM python:3.11-slim AS runtime")
    _compare(builder, app, work, out, python=True, compilers=("gcc",))


def test_python_pure_on_full_base(builder, e2e_apps, tmp_path):
    app, work, out = _split_app(e2e_apps, tmp_path, "python-pure", "FROM python:3.11-slim AS runtime",
                                base=("python:3.11-slim", "python:3.11"))
    _compare(builder, app, work, out, python=True, compilers=("gcc",))


def test_go(builder, e2e_apps, tmp_path):
    app, work, out = _split_app(e2e_apps, tmp_path, "go", "ENV CGO_ENABLED=0", "FROM busybox AS runtime",
                                options={"runtime-images": {"golang:1.22": "busybox"}})
    _compare(builder, app, work, out, python=False, compilers=("go",))


def test_node_on_full_base(builder, e2e_apps, tmp_path):
    app, work, out = _split_app(e2e_apps, tmp_path, "node", "RUN npm prune --omit=dev", "FROM node:20-slim AS runtime",
                                base=("node:20-slim", "node:20"))
    _compare(builder, app, work, out, python=False, compilers=("gcc",))


def test_python_uv(builder, e2e_apps, tmp_path):
    """uv sync: a C extension compiled in the builder, the project environment copied."""
    app, work, out = _split_app(e2e_apps, tmp_path, "python-uv", "COPY --from=builder /app/.venv /app/.venv",
                                "FROM python:3.11-slim AS runtime", "ENV UV_PYTHON_DOWNLOADS=0")
    _compare(builder, app, work, out, python=True, compilers=("gcc",), build_args={"UV_NATIVE_TLS": "1"},
             envs=("/app/.venv",))


def test_node_pnpm(builder, e2e_apps, tmp_path):
    """pnpm: the build script needs a devDependency; the runtime gets the pruned app folder."""
    app, work, out = _split_app(e2e_apps, tmp_path, "node-pnpm", "RUN pnpm prune --prod",
                                "FROM node:20-slim AS runtime", "COPY --from=builder /app /app")
    original, runtime = _compare(builder, app, work, out, python=False, compilers=("gcc",))
    probe = "node -e \"require.resolve('{}')\" && echo present || echo absent"
    assert builder.run(original, probe.format("kind-of")).stdout.strip() == "present"
    assert builder.run(runtime, probe.format("kind-of")).stdout.strip() == "absent", "devDependencies shipped"
    version = "node -p \"require('is-number/package.json').version\""
    assert builder.run(runtime, version).stdout == builder.run(original, version).stdout
