"""DM301 move-secrets-to-mounts, proven with real builds (buildah 1.28, file style).

For a secret passed the old way (an ``ARG`` filled with ``--build-arg``, or an ``ENV``
with the value written in the Dockerfile):

* before the fix, the value can be read back from the image's history or config;
* the real CLI (``dockmod fix --apply --unsafe-fixes``) rewrites the file;
* after the fix, built with ``--secret id=api_token,src=…``, the ``RUN`` still gets the
  value (it writes the value's sha256, which the test recomputes), also as a non-root
  user (``mode=0444``) and as a ``.netrc`` written and removed by the ``RUN``, which the
  fix turns into a secret file mounted at its path; and the value is in
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
NETRC = f"machine repo.example.com login ci password {SECRET}\n"
CASES = {
    "arg": "FROM busybox\nARG API_TOKEN\n" + RUN,
    "env": f"FROM busybox\nENV API_TOKEN={SECRET}\n" + RUN,
    # a non-root user: the mount needs mode=0444 (a secret is 0400 root:root by default)
    "arg-non-root": "FROM busybox\nUSER 65534\nARG API_TOKEN\n" + RUN.replace("/token.sha", "/tmp/token.sha"),
    # the write-then-remove pattern becomes a secret file mounted at its path
    "netrc": ("FROM busybox\nARG API_TOKEN\n"
              "RUN echo \"machine repo.example.com login ci password ${API_TOKEN}\" > /root/.netrc && "
              "sha256sum /root/.netrc | cut -d' ' -f1 > /token.sha && rm -f /root/.netrc\n"),
}
# What each case's RUN hashes, the file it writes the hash to, and the secrets the fixed
# build is given.
EXPECT = {
    "arg": (HASH, "/token.sha", {"api_token": SECRET}),
    "env": (HASH, "/token.sha", {"api_token": SECRET}),
    "arg-non-root": (HASH, "/tmp/token.sha", {"api_token": SECRET}),
    "netrc": (hashlib.sha256(NETRC.encode()).hexdigest(), "/token.sha", {"netrc": NETRC}),
}
FIXED = {
    "arg": "--mount=type=secret,id=api_token ",
    "env": "--mount=type=secret,id=api_token ",
    "arg-non-root": "--mount=type=secret,id=api_token,mode=0444 ",
    "netrc": "RUN --mount=type=secret,id=netrc,target=/root/.netrc sha256sum /root/.netrc",
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

    digest, proof, secrets = EXPECT[kind]
    before = builder.build(context, build_args={"API_TOKEN": SECRET} if kind != "env" else None, layers=False)
    assert builder.read_file(before.image, proof).decode().strip() == digest
    assert SECRET in _metadata(builder, before.image), "the old way should leak the value"

    fixed = _fix(dockerfile)
    assert FIXED[kind] in fixed and SECRET not in fixed

    after = builder.build(context, secrets=secrets, layers=False)
    assert builder.read_file(after.image, proof).decode().strip() == digest
    assert SECRET not in _metadata(builder, after.image)
    assert _in_filesystem(builder, after.image) == []
    assert _in_layers(builder, after.image, tmp_path / "oci") == []
    assert SECRET not in after.log
