"""DM301 move-secrets-to-mounts, proven with real builds (buildah 1.28, file style).

For a secret passed the old way (an ``ARG`` filled with ``--build-arg``, or an ``ENV``
with the value written in the Dockerfile):

* before the fix, the value can be read back from the image's history or config;
* the real CLI (``dockmod fix --apply --unsafe-fixes``) rewrites the file;
* after the fix, built with ``--secret id=api_token,src=…``, the ``RUN`` still gets the
  value (it writes the value's sha256, which the test recomputes), and the value is in
  none of: the config, the history, the image's filesystem, the layer tarballs (read back
  from an uncompressed OCI layout, so deleted files and whiteouts are searched too).

buildah 1.28 rejects ``env=`` on secret mounts, which is why file style is the default.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

SECRET = "Zx9Kq2Lm8Np4Rt6Vw1Yb3Cd5-e2e"
HASH = hashlib.sha256(SECRET.encode()).hexdigest()
RUN = "RUN printf '%s' \"$API_TOKEN\" | sha256sum | cut -d' ' -f1 > /token.sha\n"
CASES = {
    "arg": "FROM busybox\nARG API_TOKEN\n" + RUN,
    "env": f"FROM busybox\nENV API_TOKEN={SECRET}\n" + RUN,
}


def _fix(dockerfile: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "dockmod", "fix", "--apply", "--unsafe-fixes",
                           "--select", "DM301", str(dockerfile)], capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    assert SECRET not in done.stdout + done.stderr
    return dockerfile.read_text()


def _metadata(builder, image: str) -> str:
    info = builder.inspect(image)
    return json.dumps({"config": info.config, "history": info.history})


def _in_filesystem(builder, image: str) -> list[str]:
    hits = []
    with builder.mounted(image) as root:
        for p in root.rglob("*"):
            if p.is_file() and not p.is_symlink() and p.stat().st_size < 50_000_000:
                if SECRET.encode() in p.read_bytes():
                    hits.append(str(p.relative_to(root)))
    return hits


def _in_layers(builder, image: str, dest: Path) -> list[str]:
    builder.shell("push", "--disable-compression", image, f"oci:{dest}")
    hits = []
    blobs = list((dest / "blobs").rglob("*"))
    assert blobs, "the OCI layout has no blobs"
    for blob in blobs:
        if not blob.is_file():
            continue
        data = blob.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        if SECRET.encode() in data:
            hits.append(blob.name)
    return hits


@pytest.mark.parametrize("kind", sorted(CASES))
def test_secret_leaves_no_trace_after_the_fix(builder, tmp_path, kind):
    builder.require("secret-mount")
    context = tmp_path / "ctx"
    context.mkdir()
    dockerfile = context / "Dockerfile"
    dockerfile.write_text(CASES[kind])

    before = builder.build(context, build_args={"API_TOKEN": SECRET} if kind == "arg" else None, layers=False)
    assert builder.read_file(before.image, "/token.sha").decode().strip() == HASH
    assert SECRET in _metadata(builder, before.image), "the old way should leak the value"

    fixed = _fix(dockerfile)
    assert "--mount=type=secret,id=api_token" in fixed and SECRET not in fixed

    after = builder.build(context, secrets={"api_token": SECRET}, layers=False)
    assert builder.read_file(after.image, "/token.sha").decode().strip() == HASH
    assert SECRET not in _metadata(builder, after.image)
    assert _in_filesystem(builder, after.image) == []
    assert _in_layers(builder, after.image, tmp_path / "oci") == []
    assert SECRET not in after.log
