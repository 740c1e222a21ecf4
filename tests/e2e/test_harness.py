"""The harness's own tests: each instrument is checked against an independent reading."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

import harness
from harness.env import discover_host_network
from harness.images import BASE_IMAGES, build_image

pytestmark = pytest.mark.e2e

SPECS = {spec.name: spec for spec in BASE_IMAGES}


def _skopeo_digest(builder, registry, name: str) -> tuple[str, bytes]:
    ref = f"docker://{registry.ref(name)}"
    args = registry.transport_args()
    inspected = json.loads(builder.sandbox.skopeo("inspect", *args, ref).stdout)
    raw = builder.sandbox.skopeo("inspect", "--raw", *args, ref).stdout.encode()
    return inspected["Digest"], raw


# -- digests ------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["python:3.11-slim", "busybox"])
def test_registry_digest_equals_skopeo_inspect(builder, registry, base_images, tag):
    digest, raw = _skopeo_digest(builder, registry, tag)
    assert registry.digest(tag) == digest == base_images.digest(tag)
    assert registry.manifest(tag)[2] == raw


def test_tls_registry_digest_equals_skopeo_inspect(builder, tls_registry, base_images):
    builder.sandbox.skopeo("copy", "--quiet", "--all", "--preserve-digests", "--src-tls-verify=false",
                           *tls_registry.transport_args(prefix="dest-"),
                           f"docker://{base_images.ref('python:3.11-slim')}",
                           f"docker://{tls_registry.ref('mirror/python:3.11-slim')}")  # fmt: skip
    digest, _ = _skopeo_digest(builder, tls_registry, "mirror/python:3.11-slim")
    assert tls_registry.digest("mirror/python:3.11-slim") == digest == base_images.digest("python:3.11-slim")


def test_tls_registry_rejects_anonymous_and_unknown_ca(builder, tls_registry):
    anonymous = builder.sandbox.skopeo(
        "inspect", "--cert-dir", str(tls_registry.tls.cert_dir), f"docker://{tls_registry.ref('busybox')}",
        check=False,
    )
    assert anonymous.returncode != 0 and "unauthorized" in anonymous.output.lower()
    untrusted = builder.sandbox.skopeo(
        "inspect", "--creds", tls_registry.creds, f"docker://{tls_registry.ref('busybox')}", check=False
    )
    assert untrusted.returncode != 0 and "certificate" in untrusted.output.lower()


def test_build_pulls_through_tls_registry_with_credentials(tls_registry, base_images, tmp_path):
    """docker.io names can resolve to the TLS registry too; creds and CA come from the fixture."""
    tls_builder = harness.new_builder(tls_registry)
    try:
        tls_builder.sandbox.skopeo("copy", "--quiet", "--src-tls-verify=false",
                                   *tls_registry.transport_args(prefix="dest-"),
                                   f"docker://{base_images.ref('busybox')}",
                                   f"docker://{tls_registry.ref('busybox')}")  # fmt: skip
        result = tls_builder.build(tmp_path, "FROM busybox\nRUN echo via-tls > /marker\n")
        assert tls_builder.read_file(result.image, "/marker") == b"via-tls\n"
    finally:
        tls_builder.sandbox.close()


def test_python_slim_is_a_multi_platform_index(registry, base_images):
    _, media_type, raw = registry.manifest("python:3.11-slim")
    index = json.loads(raw)
    platforms = {(m["platform"]["os"], m["platform"]["architecture"]) for m in index["manifests"]}
    assert media_type == "application/vnd.oci.image.index.v1+json"
    assert platforms == {("linux", "amd64"), ("linux", "arm64")}


# -- base images --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["busybox", "python-slim"])
def test_base_image_rebuilt_from_cache_has_same_digest(registry, base_images, name):
    """Two imports of the cached rootfs agree with each other and with the pushed image."""
    spec = SPECS[name]
    rootfs = base_images.cache.rootfs.get(spec.recipe)
    network = discover_host_network()
    pushed = []
    for attempt in range(2):
        builder = harness.new_builder(registry)
        try:
            image_id = build_image(builder.sandbox, spec, rootfs, network, builder.sandbox.tmp)
            pushed.append((image_id, builder.push(image_id, f"rebuild/{name}:{attempt}")))
        finally:
            builder.sandbox.close()
    assert pushed[0] == pushed[1]
    published = registry.manifest(spec.tags[0])
    if spec.arm64_stub:
        amd64 = [m for m in json.loads(published[2])["manifests"] if m["platform"]["architecture"] == "amd64"]
        assert pushed[0][1] == amd64[0]["digest"]
    else:
        assert pushed[0][1] == published[0]


@pytest.mark.parametrize(
    ("tag", "command", "key"),
    [
        ("python:3.11-slim", "python --version && pip --version", "python"),
        ("python:3.11", "python --version && gcc --version && git --version && pip --version", "gcc"),
        ("node:20-slim", "node --version && npm --version", "npm"),
        ("node:20", "node --version && npm --version && gcc --version", "node"),
        ("golang:1.22", "go version", "go"),
        ("busybox", "busybox | head -1", "busybox"),
    ],
)
def test_base_image_contains_recorded_versions(builder, base_images, tag, command, key):
    out = builder.run(tag, command).stdout
    assert base_images[tag].versions[key] in out
    label = builder.inspect(tag).config["Labels"]["org.dockmod.e2e.versions"]
    assert json.loads(label) == base_images[tag].versions


# -- cache and secret mounts ------------------------------------------------------------------

CACHE_MOUNT = """\
FROM busybox
ARG NONCE
RUN --mount=type=cache,target=/cache,id=e2e-cache-probe \\
    echo "run $NONCE" >> /cache/log && cp /cache/log /seen
"""


def test_cache_mount_keeps_files_between_builds(builder, tmp_path):
    first = builder.build(tmp_path, CACHE_MOUNT, build_args={"NONCE": "1"})
    second = builder.build(tmp_path, CACHE_MOUNT, build_args={"NONCE": "2"})
    assert second.step("RUN").cached is False
    assert builder.read_file(first.image, "/seen") == b"run 1\n"
    assert builder.read_file(second.image, "/seen") == b"run 1\nrun 2\n"
    assert "/cache/log" not in builder.files(second.image)


SECRET_VALUE = "e2e-s3cret-7f3a9c"
# The Dockerfile checks a hash, so the value itself appears only in the secret.
SECRET = f"""\
FROM busybox
RUN --mount=type=secret,id=token \\
    test "$(sha256sum < /run/secrets/token | cut -c1-64)" = "{hashlib.sha256(SECRET_VALUE.encode()).hexdigest()}" \\
    && echo readable > /secret-was-readable
"""


def test_secret_readable_in_run_and_absent_from_image(builder, tmp_path):
    result = builder.build(tmp_path, SECRET, secrets={"token": SECRET_VALUE})
    assert builder.read_file(result.image, "/secret-was-readable") == b"readable\n"
    assert not any(path.startswith("/run/secrets/") for path in builder.files(result.image))
    with builder.mounted(result.image) as root:
        leaked = [
            str(p) for p in root.rglob("*") if p.is_file() and not p.is_symlink() and SECRET_VALUE.encode() in p.read_bytes()
        ]
    assert leaked == []
    in_metadata = SECRET_VALUE in json.dumps(builder.inspect(result.image).raw)
    assert not in_metadata, "secret value found in image config/history"
    assert SECRET_VALUE not in result.log


def test_secret_from_file_and_missing_secret_fails(builder, tmp_path):
    secret_file = tmp_path / "token.txt"
    secret_file.write_text(SECRET_VALUE)
    assert builder.build(tmp_path, SECRET, secrets={"token": secret_file}).ok
    missing = builder.build(tmp_path, SECRET, no_cache=True, check=False)
    assert not missing.ok


# -- layer cache ---------------------------------------------------------------------------

LAYERED = """\
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN python -m compileall -q .
CMD ["python", "app.py"]
"""


def test_changed_source_invalidates_exactly_the_layers_after_its_copy(builder, e2e_apps, tmp_path):
    app = e2e_apps["python-pure"].copy(tmp_path)
    (app / "Dockerfile").write_text(LAYERED)
    first = builder.build(app)
    assert first.cache_pattern() == "RRRRRR"
    assert any(name.startswith("six-1.16.0") for name in first.downloads())
    again = builder.build(app)
    assert again.cache_pattern() == "CCCCCC"
    assert again.image_id == first.image_id
    assert again.downloads() == []

    (app / "app.py").write_text((app / "app.py").read_text().replace("ok:", "ok (edited):"))
    edited = builder.build(app)
    assert [str(s) for s in edited.layer_steps] == [
        "[1] 2: WORKDIR /app (cached)",
        "[1] 3: COPY requirements.txt . (cached)",
        "[1] 4: RUN pip install --no-cache-dir -r requirements.txt (cached)",
        "[1] 5: COPY . . (ran)",
        "[1] 6: RUN python -m compileall -q . (ran)",
        '[1] 7: CMD ["python", "app.py"] (ran)',
    ]
    assert builder.run(edited.image).stdout.strip() == "python-pure ok (edited): six 1.16.0, 6*7=42"


def test_naive_dockerfile_reinstalls_on_any_source_change(builder, e2e_apps, tmp_path):
    """The problem dockmod fixes, measured: COPY . . first means pip re-runs."""
    app = e2e_apps["python-pure"].copy(tmp_path)
    builder.build(app)
    (app / "app.py").write_text((app / "app.py").read_text() + "\n# touched\n")
    edited = builder.build(app)
    assert edited.step("RUN pip install").cached is False
    assert edited.step("WORKDIR").cached is True


# -- filesystem comparison -----------------------------------------------------------------

PYC = """\
FROM python:3.11-slim
ARG PLANT
ARG SOURCE_EPOCH
WORKDIR /app
COPY mod.py .
RUN touch -d "@$SOURCE_EPOCH" mod.py && python -m compileall -q mod.py && echo "$PLANT" > planted.txt
"""


def test_filesystem_comparison_reports_planted_difference_and_ignores_pyc_timestamps(builder, tmp_path):
    (tmp_path / "mod.py").write_text("VALUE = 42\n")
    a = builder.build(tmp_path, PYC, build_args={"PLANT": "a", "SOURCE_EPOCH": "1000000000"})
    b = builder.build(tmp_path, PYC, build_args={"PLANT": "b", "SOURCE_EPOCH": "1100000000"})
    pyc = "/app/__pycache__/mod.cpython-311.pyc"

    diff = builder.diff(a.image, b.image)
    assert diff.paths == {"/app/planted.txt"}, diff.summary()
    assert diff.changed["/app/planted.txt"] == ("content",)

    strict = builder.diff(a.image, b.image, ignore_pyc_timestamps=False)
    assert strict.paths == {"/app/planted.txt", pyc}, strict.summary()
    assert not builder.diff(a.image, a.image)


# -- capabilities and isolation --------------------------------------------------------------


def test_capabilities_are_probed_and_required_features_skip_plainly(builder):
    summary = builder.capabilities.summary()
    assert summary["cache-mount"] and summary["secret-mount"]
    missing = [name for name, ok in summary.items() if not ok]
    for name in missing:
        with pytest.raises(pytest.skip.Exception, match=f"buildah {builder.version} lacks"):
            builder.require(name)


def test_builds_leave_host_container_state_alone(builder, tmp_path):
    watched = [Path("/var/lib/containers"), Path("/run/containers"), Path("/etc/containers")]
    before = {p: sorted(os.listdir(p)) if p.is_dir() else None for p in watched}
    var_tmp = set(os.listdir("/var/tmp"))
    builder.build(tmp_path, "FROM busybox\nRUN --mount=type=cache,target=/c echo hi > /c/x\n")
    assert {p: sorted(os.listdir(p)) if p.is_dir() else None for p in watched} == before
    assert not {n for n in set(os.listdir("/var/tmp")) - var_tmp if "buildah" in n or "container" in n}
