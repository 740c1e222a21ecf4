"""Look-alike base images: what ``FROM python:3.11-slim`` & co. resolve to in e2e tests.

Each look-alike is one layer made from a cached rootfs tarball (``rootfs.py``) plus a
few files copied from this host so that ``RUN`` steps reach the package indexes the
way the host does (CA bundle, apt/pip/npm settings). It keeps the tag Dockerfiles use,
even where the content differs (``node:20-slim`` carries bookworm's Node.js 18), and
records the real versions in a label and in :attr:`BaseImage.versions`.

Building goes: ``buildah from scratch`` → ``add`` tarball → ``add`` host files →
``config`` → ``commit --timestamp 0``, so the same tarball always gives the same image
digest. The result is also kept as an OCI layout in the cache, so a warm run only
copies blobs into the fresh registry with skopeo.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .env import HostNetwork, make_work_dir, tool_version
from .registry import Registry
from .rootfs import Rootfs, RootfsCache, RootfsRecipe, _locked
from .sandbox import Sandbox

#: Bump to rebuild every cached image after changing how images are assembled.
IMAGE_FORMAT = 2

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

_PYTHON_LINKS = """
ln -sf /usr/bin/python3 /usr/local/bin/python
ln -sf /usr/bin/pip3 /usr/local/bin/pip
ln -sf /usr/bin/pip3 /usr/local/bin/pip3
ln -sf /usr/bin/python3-config /usr/local/bin/python-config 2>/dev/null || true
"""

PYTHON_SLIM = RootfsRecipe(
    "python-slim",
    packages=("ca-certificates", "python3", "python3-pip", "python3-venv"),
    script=_PYTHON_LINKS,
    probes=("debian", "python", "pip"),
)
PYTHON_FULL = RootfsRecipe(
    "python-full",
    packages=("ca-certificates", "python3", "python3-pip", "python3-venv", "python3-dev", "build-essential", "git"),
    script=_PYTHON_LINKS,
    probes=("debian", "python", "pip", "gcc", "git"),
)
NODE_SLIM = RootfsRecipe(
    "node-slim",
    packages=("ca-certificates", "nodejs"),
    with_npm=True,
    probes=("debian", "node", "npm"),
)
NODE_FULL = RootfsRecipe(
    "node-full",
    packages=("ca-certificates", "nodejs", "build-essential", "python3", "git"),
    with_npm=True,
    probes=("debian", "node", "npm", "gcc", "git", "python"),
)
GOLANG = RootfsRecipe(
    "golang",
    packages=("ca-certificates",),
    backport_packages=("golang-1.22-go",),
    script="ln -s /usr/lib/go-1.22 /usr/local/go\nmkdir -p /go/src /go/bin\nchmod -R 1777 /go\n",
    probes=("debian", "go"),
)
BUSYBOX = RootfsRecipe("busybox", packages=("busybox-static",), busybox_only=True, probes=("busybox",))

_PYTHON_ENV = (
    ("PATH", DEFAULT_PATH),
    ("LANG", "C.UTF-8"),
    ("PYTHON_VERSION", "{python}"),
    # Debian's pip refuses to install into the system interpreter (PEP 668); the
    # official images have their own /usr/local Python where it just works.
    ("PIP_BREAK_SYSTEM_PACKAGES", "1"),
)
_NODE_ENV = (
    ("PATH", DEFAULT_PATH),
    ("NODE_VERSION", "{node}"),
    # As on this host: Node only trusts its built-in CAs unless told otherwise.
    ("NODE_EXTRA_CA_CERTS", "/etc/ssl/certs/ca-certificates.crt"),
)


@dataclass(frozen=True)
class BaseImageSpec:
    """One look-alike: the tags it is pushed as and how its config is set."""

    name: str
    tags: tuple[str, ...]
    recipe: RootfsRecipe
    env: tuple[tuple[str, str], ...] = (("PATH", DEFAULT_PATH),)
    cmd: tuple[str, ...] = ("bash",)
    workdir: str | None = None
    #: Push as an OCI index of this image (linux/amd64) plus a tiny linux/arm64 stub.
    arm64_stub: bool = False


BASE_IMAGES = (
    BaseImageSpec("python-slim", ("python:3.11-slim",), PYTHON_SLIM, _PYTHON_ENV, ("python3",), arm64_stub=True),
    BaseImageSpec("python", ("python:3.11", "python:3.11-bookworm"), PYTHON_FULL, _PYTHON_ENV, ("python3",)),
    BaseImageSpec("node-slim", ("node:20-slim",), NODE_SLIM, _NODE_ENV, ("node",)),
    BaseImageSpec("node", ("node:20",), NODE_FULL, _NODE_ENV, ("node",)),
    BaseImageSpec(
        "golang",
        ("golang:1.22",),
        GOLANG,
        (
            ("PATH", "/go/bin:/usr/local/go/bin:" + DEFAULT_PATH),
            ("GOLANG_VERSION", "{go}"),
            ("GOPATH", "/go"),
            # As in the official image: never download another toolchain.
            ("GOTOOLCHAIN", "local"),
            # The Go module proxy is unreachable from these machines (and off-limits):
            # fail at once on a module download instead of hanging on the network.
            ("GOPROXY", "off"),
            ("GOSUMDB", "off"),
        ),
        ("bash",),
        workdir="/go",
    ),
    BaseImageSpec("busybox", ("busybox",), BUSYBOX, cmd=("sh",)),
)

#: Look-alikes that only some tests use: not in ``BASE_IMAGES`` (so a session does not
#: build them, and ``prune`` may drop them); a test pushes them itself with
#: ``BaseImageCache.push`` (never ``BaseImageSet.prepare``, which prunes the others).
RUST = RootfsRecipe(
    "rust",
    # Debian's toolchain; a C compiler and libc headers link the binaries.
    packages=("ca-certificates", "cargo", "rustc", "gcc", "libc6-dev"),
    probes=("debian", "rust"),
)
EXTRA_IMAGES = (
    BaseImageSpec(
        "rust",
        ("rust:1.63",),
        RUST,
        (
            ("PATH", "/usr/local/cargo/bin:" + DEFAULT_PATH),
            ("CARGO_HOME", "/usr/local/cargo"),
            # crates.io is unreachable from these machines: fail at once on a download.
            ("CARGO_NET_OFFLINE", "true"),
        ),
        ("bash",),
    ),
)


@dataclass(frozen=True)
class BaseImage:
    """A look-alike as pushed to the test registry."""

    spec: BaseImageSpec
    #: Full references in the local registry, one per tag.
    refs: tuple[str, ...]
    #: Digest of what the tags point at (the index digest for multi-platform images).
    digest: str
    #: Real versions inside, e.g. ``{"python": "3.11.2", "debian": "12.12"}``.
    versions: dict[str, str] = field(default_factory=dict)
    platforms: tuple[str, ...] = ("linux/amd64",)


def _host_files(network: HostNetwork, directory: Path) -> Path:
    """The files copied over each rootfs so RUN reaches the indexes like this host."""
    root = directory / "host-files"
    (root / "etc/ssl/certs").mkdir(parents=True)
    (root / "etc/apt/apt.conf.d").mkdir(parents=True)
    (root / "etc/apt/sources.list.d").mkdir(parents=True)
    if network.ca_bundle:
        (root / "etc/ssl/certs/ca-certificates.crt").write_bytes(network.ca_bundle)
    for name, pem in network.local_cas.items():
        target = root / "usr/local/share/ca-certificates" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pem)
    (root / "etc/apt/apt.conf.d/99dockmod-host-network").write_text(network.apt_conf())
    (root / "etc/apt/sources.list.d/debian.sources").write_text(network.debian_sources("bookworm"))
    (root / "etc/pip.conf").write_text(network.pip_conf())
    (root / "etc/npmrc").write_text(network.npmrc())
    return root


def build_image(sandbox: Sandbox, spec: BaseImageSpec, rootfs: Rootfs, network: HostNetwork, work: Path) -> str:
    """Import ``rootfs`` as a one-layer image in ``sandbox``; returns the image id.

    ``--timestamp 0`` fixes the created time and every file time in the layer, so two
    imports of the same tarball give the same image id and digest.
    """
    files = _host_files(network, work / spec.name)
    ctr = sandbox.buildah("from", "--pull=never", "scratch").stdout.strip()
    try:
        sandbox.buildah("add", "--quiet", ctr, str(rootfs.tarball), "/")
        sandbox.buildah("add", "--quiet", ctr, str(files), "/")
        config = ["--os", "linux", "--arch", "amd64", "--cmd", json.dumps(list(spec.cmd)),
                  "--label", "org.dockmod.e2e.versions=" + json.dumps(rootfs.versions, sort_keys=True),
                  "--label", "org.dockmod.e2e.lookalike=" + ",".join(spec.tags)]  # fmt: skip
        for key, value in spec.env:
            config += ["--env", f"{key}={value.format(**rootfs.versions)}"]
        if spec.workdir:
            config += ["--workingdir", spec.workdir]
        sandbox.buildah("config", *config, ctr)
        iid = work / f"{spec.name}.iid"
        sandbox.buildah("commit", "--quiet", "--timestamp", "0", "--format", "oci", "--iidfile", str(iid), ctr)
        return iid.read_text().strip()
    finally:
        sandbox.buildah("rm", ctr, check=False)


def build_arm64_stub(sandbox: Sandbox, spec: BaseImageSpec, work: Path) -> str:
    """A tiny linux/arm64 image standing in for the real one in multi-platform tags."""
    stub = work / f"{spec.name}-arm64" / "STUB"
    stub.parent.mkdir(parents=True)
    stub.write_text(f"dockmod e2e: linux/arm64 placeholder for {', '.join(spec.tags)}; not runnable\n")
    ctr = sandbox.buildah("from", "--pull=never", "scratch").stdout.strip()
    try:
        sandbox.buildah("add", "--quiet", ctr, str(stub), "/STUB")
        sandbox.buildah("config", "--os", "linux", "--arch", "arm64", "--variant", "v8",
                        "--cmd", '["/STUB"]', ctr)  # fmt: skip
        iid = work / f"{spec.name}-arm64.iid"
        sandbox.buildah("commit", "--quiet", "--timestamp", "0", "--format", "oci", "--iidfile", str(iid), ctr)
        return iid.read_text().strip()
    finally:
        sandbox.buildah("rm", ctr, check=False)


class BaseImageCache:
    """Look-alike images as OCI layouts under ``<cache>/images``, pushed on demand."""

    def __init__(self, cache: Path, network: HostNetwork, rootfs: RootfsCache):
        self.dir = cache / "images"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.network = network
        self.rootfs = rootfs
        self.buildah_version = tool_version(["buildah", "--version"])

    def key(self, spec: BaseImageSpec, rootfs: Rootfs) -> str:
        data = [IMAGE_FORMAT, spec.name, spec.tags, spec.env, spec.cmd, spec.workdir, spec.arm64_stub,
                rootfs.tarball.name, rootfs.versions, self.network.fingerprint(), self.buildah_version]  # fmt: skip
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    def layout(self, spec: BaseImageSpec) -> tuple[Path, Rootfs]:
        """The OCI layout for ``spec`` (built now if absent), with its rootfs."""
        path, rootfs = self.layout_path(spec)
        with _locked(self.dir / ".lock"):
            if not (path / "index.json").is_file():
                self._build(spec, rootfs, path)
        return path, rootfs

    def prune(self, keep: set[str]) -> None:
        """Delete cached layouts and tarballs that no current spec would use.

        Every recipe or harness change makes new cache keys; without this the cache
        grows by a gigabyte or so per change.
        """
        with _locked(self.dir / ".lock"):
            wanted_layouts, wanted_tarballs = set(), set()
            for spec in BASE_IMAGES:
                if spec.name in keep:
                    layout, rootfs = self.layout_path(spec)
                    wanted_layouts.add(layout.name)
                    wanted_tarballs.add(rootfs.tarball.stem)
            for path in self.dir.iterdir():
                if path.is_dir() and path.name not in wanted_layouts:
                    shutil.rmtree(path, ignore_errors=True)
        self.rootfs.prune(wanted_tarballs)

    def layout_path(self, spec: BaseImageSpec) -> tuple[Path, Rootfs]:
        rootfs = self.rootfs.get(spec.recipe)
        return self.dir / f"{spec.name}-{self.key(spec, rootfs)}", rootfs

    def _build(self, spec: BaseImageSpec, rootfs: Rootfs, path: Path) -> None:
        work = make_work_dir(f"build-{spec.name}-")
        sandbox = Sandbox(work / "sandbox", "")
        partial = path.with_name(path.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        try:
            image = build_image(sandbox, spec, rootfs, self.network, work)
            if spec.arm64_stub:
                stub = build_arm64_stub(sandbox, spec, work)
                sandbox.buildah("manifest", "create", "dockmod-e2e-list")
                sandbox.buildah("manifest", "add", "dockmod-e2e-list", image)
                sandbox.buildah("manifest", "add", "dockmod-e2e-list", stub)
                sandbox.buildah("manifest", "push", "--quiet", "--all", "--format", "oci",
                                "dockmod-e2e-list", f"oci:{partial}:image")  # fmt: skip
            else:
                sandbox.buildah("push", "--quiet", "--format", "oci", image, f"oci:{partial}:image")
            partial.rename(path)
        finally:
            sandbox.close()
            shutil.rmtree(work, ignore_errors=True)

    def push(self, spec: BaseImageSpec, registry: Registry, sandbox: Sandbox) -> BaseImage:
        """Copy the cached layout to ``registry`` under every tag of ``spec``."""
        layout, rootfs = self.layout(spec)
        refs = []
        for tag in spec.tags:
            ref = registry.ref(tag)
            sandbox.skopeo("copy", "--quiet", "--all", "--preserve-digests", *registry.transport_args(prefix="dest-"),
                           f"oci:{layout}:image", f"docker://{ref}")  # fmt: skip
            refs.append(ref)
        platforms = ("linux/amd64", "linux/arm64/v8") if spec.arm64_stub else ("linux/amd64",)
        return BaseImage(spec, tuple(refs), registry.digest(spec.tags[0]), dict(rootfs.versions), platforms)
