"""Root filesystems for the look-alike base images, made with debootstrap and cached.

One ``debootstrap --variant=minbase bookworm`` tree is the base of every variant; each
variant unpacks it, ``apt-get install``s its packages in a chroot and is saved as a
tarball named after a hash of its recipe. A warm run finds the tarballs and never
calls debootstrap or apt.

Sizes matter more than usual: buildah's vfs driver copies the whole filesystem for
every layer of every build, so recipes use ``--no-install-recommends``, drop docs,
man pages, locales and apt lists, as the official ``-slim`` images do.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .env import HostNetwork, make_work_dir

#: Bump to rebuild every cached tarball after changing how trees are made.
ROOTFS_FORMAT = 3

SUITE = "bookworm"

#: npm is not taken from Debian: bookworm's ``npm`` drags in ~300 node-* packages,
#: while the registry's tarball is 2.5 MB with its dependencies bundled. 10.8.x is the
#: newest line that still supports bookworm's Node.js 18.
NPM_VERSION = "10.8.2"
NPM_INTEGRITY = "sha512-x/AIjFIKRllrhcb48dqUNAAZl0ig9+qMuN91RpZo3Cb2+zuibfh+KISl6+kVVyktDz230JKc208UkQwwMqyB+w=="

_DPKG_EXCLUDES = """\
# As in the official debian:*-slim images.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
"""

#: apt settings of the official Debian images (debuerreotype). docker-clean matters to
#: dockmod: BuildKit's documented apt cache-mount recipe starts by deleting it.
_DOCKER_APT_CONF = {
    "docker-clean": (
        'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb'
        ' /var/cache/apt/*.bin || true"; };\n'
        'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb'
        ' /var/cache/apt/*.bin || true"; };\n'
        'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n'
    ),
    "docker-gzip-indexes": 'Acquire::GzipIndexes "true";\n',
    "docker-no-languages": 'Acquire::Languages "none";\n',
    "docker-autoremove-suggests": 'Apt::AutoRemove::SuggestsImportant "false";\n',
}

#: Shell run in the finished chroot to record what a look-alike really contains.
VERSION_PROBES = {
    "debian": "cat /etc/debian_version",
    "python": "python3 -c 'import platform; print(platform.python_version())'",
    "pip": "pip --version | cut -d' ' -f2",
    "gcc": "gcc -dumpfullversion",
    "git": "git --version | cut -d' ' -f3",
    "node": "node --version | tr -d v",
    "npm": "npm --version",
    "go": "/usr/local/go/bin/go version | cut -d' ' -f3 | tr -d go",
    "busybox": "busybox | head -1 | cut -d' ' -f2 | tr -d v",
    "rust": "rustc --version | cut -d' ' -f2",
}


@dataclass(frozen=True)
class RootfsRecipe:
    """What goes into one variant tree on top of the minbase tree."""

    name: str
    packages: tuple[str, ...] = ()
    #: Installed with ``-t bookworm-backports`` (Go 1.22 is only there).
    backport_packages: tuple[str, ...] = ()
    #: Shell run in the chroot after the install (symlinks, the way official images lay out PATH).
    script: str = ""
    with_npm: bool = False
    #: Keep only ``/bin/busybox`` and its applet links, like the official busybox image.
    busybox_only: bool = False
    probes: tuple[str, ...] = ("debian",)

    def key(self, mirror: str) -> str:
        probes = [VERSION_PROBES[name] for name in self.probes]
        data = json.dumps([ROOTFS_FORMAT, SUITE, mirror, asdict(self), probes, NPM_VERSION], sort_keys=True)
        return hashlib.sha256(data.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Rootfs:
    """A cached variant tree: the tarball and the versions found inside it."""

    recipe: RootfsRecipe
    tarball: Path
    versions: dict[str, str] = field(default_factory=dict)


@contextmanager
def _locked(path: Path):
    """Serialise cache writers (e.g. two pytest runs) on one lock file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _work_dir(prefix: str):
    path = make_work_dir(prefix)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _prune(tree: Path, patterns: tuple[str, ...]) -> None:
    for pattern in patterns:
        for path in tree.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def _run(argv: list[str], *, env: dict[str, str] | None = None, log: Path | None = None) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    if log is not None:
        with open(log, "a") as handle:
            handle.write(f"$ {' '.join(argv)[:400]}\n{proc.stdout}{proc.stderr}\n")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)[:300]} exited {proc.returncode}:\n{(proc.stdout + proc.stderr)[-3000:]}")
    return proc.stdout


# Runs as `sh -c CHROOT sh TREE DEBS SCRIPT` inside `unshare -m`: /proc and the shared
# .deb cache are mounted only in this namespace, so nothing stays mounted on the host
# even if the script fails half-way.
_CHROOT = r"""
set -e
tree=$1; debs=$2; script=$3
mount -t proc proc "$tree/proc"
mkdir -p "$tree/var/cache/apt/archives/partial"
mount --bind "$debs" "$tree/var/cache/apt/archives"
exec chroot "$tree" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive /bin/sh -ec "$script"
"""


class RootfsCache:
    """Builds variant trees on demand and keeps them under ``<cache>/rootfs``."""

    def __init__(self, cache: Path, network: HostNetwork):
        self.dir = cache / "rootfs"
        self.debs = cache / "debs"
        self.network = network
        self.dir.mkdir(parents=True, exist_ok=True)
        self.debs.mkdir(parents=True, exist_ok=True)
        self.log = self.dir / "build.log"

    @property
    def _net_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()}
        env.update(self.network.proxy_env)
        if "http" in self.network.apt_proxies:
            env.setdefault("http_proxy", self.network.apt_proxies["http"])
        return env

    def chroot(self, tree: Path, script: str) -> str:
        """Run ``script`` as root inside ``tree`` with /proc and the .deb cache mounted."""
        return _run(["unshare", "-m", "--propagation", "private", "sh", "-c", _CHROOT, "sh",
                     str(tree), str(self.debs), script], env=self._net_env, log=self.log)  # fmt: skip

    def get(self, recipe: RootfsRecipe) -> Rootfs:
        key = recipe.key(self.network.debian_mirror)
        tarball = self.dir / f"{recipe.name}-{key}.tar"
        meta = tarball.with_suffix(".json")
        with _locked(self.dir / ".lock"):
            if not (tarball.is_file() and meta.is_file()):
                self._build(recipe, tarball, meta)
        return Rootfs(recipe, tarball, json.loads(meta.read_text()))

    def prune(self, keep_stems: set[str]) -> None:
        """Delete variant tarballs not in ``keep_stems``; the minbase tree stays."""
        with _locked(self.dir / ".lock"):
            for path in self.dir.iterdir():
                if path.suffix in {".tar", ".json"} and not path.name.startswith("minbase-"):
                    if path.stem not in keep_stems:
                        path.unlink()
                elif path.is_dir():  # work dirs of an interrupted build
                    shutil.rmtree(path, ignore_errors=True)

    # -- building ---------------------------------------------------------------------

    def _minbase(self) -> Path:
        """The debootstrap tree every variant starts from (apt lists kept, for installs)."""
        key = hashlib.sha256(json.dumps([ROOTFS_FORMAT, SUITE, self.network.debian_mirror]).encode()).hexdigest()
        tarball = self.dir / f"minbase-{SUITE}-{key[:16]}.tar"
        if tarball.is_file():
            return tarball
        with _work_dir("minbase-") as work:
            tree = work / "tree"
            _run(["debootstrap", "--variant=minbase", f"--cache-dir={self.debs}", SUITE, str(tree),
                  self.network.debian_mirror], env=self._net_env, log=self.log)  # fmt: skip
            (tree / "etc/dpkg/dpkg.cfg.d/docker-slim").write_text(_DPKG_EXCLUDES)
            (tree / "etc/apt/apt.conf.d/99dockmod-host-network").write_text(self.network.apt_conf())
            (tree / "etc/apt/sources.list").unlink(missing_ok=True)
            (tree / "etc/apt/sources.list.d/debian.sources").write_text(self.network.debian_sources(SUITE))
            (tree / "etc/apt/sources.list.d/backports.sources").write_text(
                f"Types: deb\nURIs: {self.network.debian_mirror}\nSuites: {SUITE}-backports\n"
                "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
            )
            self.chroot(tree, "apt-get update -qq && apt-get -y -qq upgrade >/dev/null")
            _prune(tree, ("var/cache/apt/archives/*.deb", "usr/share/man/*", "usr/share/locale/*",
                          "usr/share/info/*", "etc/hostname"))  # fmt: skip
            for doc in (tree / "usr/share/doc").glob("*/*"):
                if doc.name != "copyright":
                    _prune(tree, (str(doc.relative_to(tree)),))
            self._tar(tree, tarball)
        return tarball

    def _build(self, recipe: RootfsRecipe, tarball: Path, meta: Path) -> None:
        base = self._minbase()
        with _work_dir(f"{recipe.name}-") as work:
            tree = work / "tree"
            tree.mkdir()
            _run(["tar", "-xpf", str(base), "-C", str(tree), "--numeric-owner"])
            install = ""
            if recipe.packages:
                install += "apt-get install -y -qq --no-install-recommends " + " ".join(recipe.packages) + " >/dev/null\n"
            if recipe.backport_packages:
                install += (f"apt-get install -y -qq --no-install-recommends -t {SUITE}-backports "
                            + " ".join(recipe.backport_packages) + " >/dev/null\n")  # fmt: skip
            if install:
                self.chroot(tree, install)
            if recipe.with_npm:
                self._install_npm(tree)
            if recipe.script:
                self.chroot(tree, recipe.script)
            versions = self._probe(tree, recipe.probes)
            if recipe.busybox_only:
                tree = self._busybox_tree(tree, work / "busybox")
            else:
                self._finalise(tree, keep_backports=bool(recipe.backport_packages))
            partial = tarball.with_suffix(".tar.partial")
            self._tar(tree, partial)
            meta.write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n")
            partial.rename(tarball)

    def _probe(self, tree: Path, probes: tuple[str, ...]) -> dict[str, str]:
        versions = {}
        for name in probes:
            # dash has no pipefail: an absent tool shows up as empty output, not a status.
            versions[name] = self.chroot(tree, VERSION_PROBES[name]).strip()
            if not versions[name]:
                raise RuntimeError(f"version probe {name!r} printed nothing: {VERSION_PROBES[name]}")
        return versions

    def _install_npm(self, tree: Path) -> None:
        """npm from the npm registry tarball, checked against its published integrity."""
        url = f"https://registry.npmjs.org/npm/-/npm-{NPM_VERSION}.tgz"
        cached = self.debs.parent / f"npm-{NPM_VERSION}.tgz"
        if not cached.is_file():
            with urllib.request.urlopen(url, timeout=120) as response:
                data = response.read()
            cached.write_bytes(data)
        data = cached.read_bytes()
        algo, expected = NPM_INTEGRITY.split("-", 1)
        if base64.b64encode(hashlib.new(algo, data).digest()).decode() != expected:
            cached.unlink()
            raise RuntimeError(f"npm {NPM_VERSION} tarball does not match its registry integrity")
        target = tree / "usr/local/lib/node_modules/npm"
        target.mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive.getmembers():
                member.name = member.name.split("/", 1)[1] if "/" in member.name else ""
                if not member.name:
                    continue
                member.uid = member.gid = 0
                member.uname = member.gname = "root"
                archive.extract(member, target, filter="data")
        bin_dir = tree / "usr/local/bin"
        bin_dir.mkdir(parents=True, exist_ok=True)
        (bin_dir / "npm").symlink_to("../lib/node_modules/npm/bin/npm-cli.js")
        (bin_dir / "npx").symlink_to("../lib/node_modules/npm/bin/npx-cli.js")

    def _finalise(self, tree: Path, *, keep_backports: bool) -> None:
        for name, text in _DOCKER_APT_CONF.items():
            (tree / "etc/apt/apt.conf.d" / name).write_text(text)
        if not keep_backports:
            (tree / "etc/apt/sources.list.d/backports.sources").unlink(missing_ok=True)
        _prune(tree, ("var/lib/apt/lists/*", "var/cache/apt/*.bin", "var/cache/apt/archives/*.deb",
                      "var/log/apt/*", "var/log/dpkg.log", "var/log/alternatives.log",
                      "var/cache/debconf/*-old", "var/lib/dpkg/*-old", "root/.cache", "root/.npm",
                      "etc/resolv.conf", "etc/hostname", "tmp/*"))  # fmt: skip
        (tree / "var/lib/apt/lists/partial").mkdir(parents=True, exist_ok=True)
        for cache in tree.glob("usr/lib/python3*/**/__pycache__"):
            shutil.rmtree(cache, ignore_errors=True)

    def _busybox_tree(self, full: Path, out: Path) -> Path:
        applets = self.chroot(full, "busybox --list").split()
        for directory in ("bin", "etc", "root", "tmp", "var", "proc", "sys", "dev", "home", "usr"):
            (out / directory).mkdir(parents=True)
        (out / "tmp").chmod(0o1777)
        (out / "root").chmod(0o700)
        shutil.copy2(full / "bin/busybox", out / "bin/busybox")
        for applet in applets:
            if applet != "busybox" and not (out / "bin" / applet).exists():
                (out / "bin" / applet).symlink_to("busybox")
        (out / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n")
        (out / "etc/group").write_text("root:x:0:\nnogroup:x:65534:\n")
        return out

    @staticmethod
    def _tar(tree: Path, out: Path) -> None:
        # /dev, /proc and /sys stay as empty directories: the engine provides them.
        _run(["tar", "--numeric-owner", "--sort=name", "-C", str(tree), "--exclude=./dev/*",
              "--exclude=./proc/*", "--exclude=./sys/*", "-cf", str(out), "."])  # fmt: skip
