"""What the real-build harness needs from the host, and what it copies from it.

Two questions are answered here and nowhere else:

* can the e2e tests run on this machine at all (root, tools on PATH), and
* how does this host reach the package indexes (Debian mirror, apt proxy, CA bundle,
  proxy variables, pip/npm index settings), so the base images can be made to reach
  them the same way from inside a ``RUN``.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

#: Host tools the harness shells out to, with the Debian package that ships each.
REQUIRED_TOOLS = {
    "buildah": "buildah",
    "skopeo": "skopeo",
    "docker-registry": "docker-registry",
    "debootstrap": "debootstrap",
    "unshare": "util-linux",
    "openssl": "openssl",
    "tar": "tar",
}

HOW_TO_RUN = "run as root: `./scripts/test -m e2e` (installs buildah, skopeo, docker-registry, debootstrap)"

REPO_ROOT = Path(__file__).resolve().parents[3]

_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy")


def in_ci() -> bool:
    """``CI=true`` (any truthy spelling) means e2e tests must run, never skip."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing_prerequisites() -> list[str]:
    """Human-readable reasons the harness cannot start here; empty when it can."""
    problems = []
    if os.geteuid() != 0:
        problems.append("not running as root")
    absent = [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]
    if absent:
        packages = sorted({REQUIRED_TOOLS[t] for t in absent})
        problems.append(f"missing {', '.join(absent)} (apt: {' '.join(packages)})")
    return problems


def cache_dir() -> Path:
    """Where rootfs tarballs and finished base images persist between runs.

    ``DOCKMOD_E2E_CACHE`` overrides the default ``<repo>/.e2e-cache`` (gitignored).
    """
    configured = os.environ.get("DOCKMOD_E2E_CACHE")
    path = Path(configured).expanduser() if configured else REPO_ROOT / ".e2e-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


#: Below this much free RAM-backed space, sandboxes go to disk instead.
_SHM_MIN_FREE = 12 << 30


def work_root() -> Path:
    """Where sandboxes (storage roots) and registry data live during a run.

    buildah's vfs driver copies the whole filesystem for every layer, and deleting
    those copies from a disk-backed /tmp costs as much as making them (several
    seconds per 100 MB here). A tmpfs makes both nearly free, so ``/dev/shm`` is used
    when it has room; ``DOCKMOD_E2E_TMPDIR`` overrides the choice.
    """
    configured = os.environ.get("DOCKMOD_E2E_TMPDIR")
    if configured:
        path = Path(configured)
    else:
        shm = Path("/dev/shm")
        try:
            roomy = shm.is_dir() and shutil.disk_usage(shm).free >= _SHM_MIN_FREE and os.access(shm, os.W_OK)
        except OSError:
            roomy = False
        path = shm if roomy else Path(tempfile.gettempdir())
    path.mkdir(parents=True, exist_ok=True)
    return path


_OWNER = ".dockmod-e2e-owner"


def make_work_dir(prefix: str) -> Path:
    """A new ``dockmod-e2e-<prefix>…`` dir under :func:`work_root`, tagged with our pid.

    The tag lets :func:`sweep_stale_work_dirs` remove what a killed run left behind
    (a timeout's SIGTERM skips pytest's finalizers).
    """
    path = Path(tempfile.mkdtemp(prefix=f"dockmod-e2e-{prefix}", dir=work_root()))
    (path / _OWNER).write_text(str(os.getpid()))
    return path


def sweep_stale_work_dirs() -> list[Path]:
    """Delete work dirs whose owning process is gone; returns what was removed."""
    removed = []
    for path in work_root().glob("dockmod-e2e-*"):
        try:
            pid = int((path / _OWNER).read_text())
        except (OSError, ValueError):
            continue
        if not Path(f"/proc/{pid}").exists():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def tool_version(argv: list[str]) -> str:
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    match = re.search(r"\d+\.\d+(\.\d+)?", out)
    return match.group(0) if match else out.strip()


@dataclass(frozen=True)
class HostNetwork:
    """How this host reaches Debian, PyPI and npm, in a form images can copy.

    Only settings that point at network indexes are kept: host-local wheel
    directories or ``file://`` indexes would not exist inside an image.
    """

    #: Debian archive and security mirror, as in the host's apt sources.
    debian_mirror: str = "http://deb.debian.org/debian"
    security_mirror: str = "http://deb.debian.org/debian-security"
    #: ``Acquire::http(s)::Proxy`` from apt's config, if any.
    apt_proxies: dict[str, str] = field(default_factory=dict)
    #: Proxy variables of this process, passed into images and to debootstrap.
    proxy_env: dict[str, str] = field(default_factory=dict)
    #: The host's CA bundle and extra local CAs (name -> PEM bytes).
    ca_bundle: bytes = b""
    local_cas: dict[str, bytes] = field(default_factory=dict)
    #: pip index settings that are http(s) URLs.
    pip_index_url: str | None = None
    pip_extra_index_urls: tuple[str, ...] = ()
    #: npm registry, if the host overrides it.
    npm_registry: str | None = None

    def fingerprint(self) -> str:
        """Changes whenever anything copied into images changes, to key caches."""
        data = {
            "debian": [self.debian_mirror, self.security_mirror],
            "apt_proxies": self.apt_proxies,
            "proxy_env": self.proxy_env,
            "ca": hashlib.sha256(self.ca_bundle).hexdigest(),
            "local_cas": {k: hashlib.sha256(v).hexdigest() for k, v in sorted(self.local_cas.items())},
            "pip": [self.pip_index_url, list(self.pip_extra_index_urls)],
            "npm": self.npm_registry,
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def apt_conf(self) -> str:
        """apt config for images: the host's proxies plus its date-check leniency.

        The Debian mirror behind this host can serve Release files dated ahead of the
        clock (a pinned snapshot), which apt rejects unless date checks are off, as
        they are in the host's own apt config.
        """
        lines = ['Acquire::Check-Valid-Until "false";', 'Acquire::Check-Date "false";']
        for scheme, url in sorted(self.apt_proxies.items()):
            lines.append(f'Acquire::{scheme}::Proxy "{url}";')
        return "\n".join(lines) + "\n"

    def pip_conf(self) -> str:
        lines = ["[global]", "cert = /etc/ssl/certs/ca-certificates.crt"]
        if self.pip_index_url:
            lines.append(f"index-url = {self.pip_index_url}")
        if self.pip_extra_index_urls:
            lines.append("extra-index-url = " + " ".join(self.pip_extra_index_urls))
        return "\n".join(lines) + "\n"

    def npmrc(self) -> str:
        lines = ["cafile=/etc/ssl/certs/ca-certificates.crt"]
        if self.npm_registry:
            lines.append(f"registry={self.npm_registry}")
        return "\n".join(lines) + "\n"

    def debian_sources(self, suite: str) -> str:
        """deb822 sources as in the official ``debian:<suite>`` images, on our mirrors."""
        return (
            f"Types: deb\nURIs: {self.debian_mirror}\nSuites: {suite} {suite}-updates\n"
            "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
            f"Types: deb\nURIs: {self.security_mirror}\nSuites: {suite}-security\n"
            "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
        )


def _apt_sources_uris() -> list[str]:
    uris = []
    for path in [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]:
        if not path.is_file() or path.suffix not in {"", ".list", ".sources"}:
            continue
        for line in path.read_text(errors="replace").splitlines():
            line = line.strip()
            if line.startswith("URIs:"):
                uris.extend(line.split()[1:])
            elif line.startswith("deb "):
                parts = [p for p in line.split() if not p.startswith("[")]
                if len(parts) > 1:
                    uris.append(parts[1])
    return uris


def _apt_proxies() -> dict[str, str]:
    try:
        dump = subprocess.run(["apt-config", "dump"], capture_output=True, text=True).stdout
    except FileNotFoundError:
        return {}
    proxies = {}
    for scheme in ("http", "https"):
        match = re.search(rf'^Acquire::{scheme}::Proxy "([^"]+)";', dump, re.MULTILINE | re.IGNORECASE)
        if match and match.group(1).upper() not in {"DIRECT", "FALSE"}:
            proxies[scheme] = match.group(1)
    return proxies


def _pip_settings() -> tuple[str | None, tuple[str, ...]]:
    """pip's index settings from its config files and environment, http(s) only."""
    parser = configparser.ConfigParser()
    parser.read(
        [
            "/etc/pip.conf",
            "/etc/xdg/pip/pip.conf",
            os.path.expanduser("~/.pip/pip.conf"),
            os.path.expanduser("~/.config/pip/pip.conf"),
        ]
    )
    index = os.environ.get("PIP_INDEX_URL") or parser.get("global", "index-url", fallback=None)
    extra = os.environ.get("PIP_EXTRA_INDEX_URL") or parser.get("global", "extra-index-url", fallback="")

    def web(url: str | None) -> bool:
        return bool(url) and url.startswith(("http://", "https://"))

    return (index if web(index) else None), tuple(u for u in extra.split() if web(u))


def _npm_registry() -> str | None:
    for path in (Path("/etc/npmrc"), Path.home() / ".npmrc"):
        if path.is_file():
            match = re.search(r"^\s*registry\s*=\s*(\S+)", path.read_text(errors="replace"), re.MULTILINE)
            if match:
                return match.group(1)
    return os.environ.get("NPM_CONFIG_REGISTRY") or os.environ.get("npm_config_registry")


def discover_host_network() -> HostNetwork:
    uris = _apt_sources_uris()
    debian = next((u for u in uris if u.rstrip("/").endswith("/debian")), "http://deb.debian.org/debian")
    security = next(
        (u for u in uris if u.rstrip("/").endswith("/debian-security")),
        debian.rstrip("/").removesuffix("/debian") + "/debian-security",
    )
    bundle_path = Path("/etc/ssl/certs/ca-certificates.crt")
    local_dir = Path("/usr/local/share/ca-certificates")
    local = {}
    if local_dir.is_dir():
        for cert in sorted(local_dir.rglob("*.crt")):
            local[str(cert.relative_to(local_dir))] = cert.read_bytes()
    index, extra = _pip_settings()
    return HostNetwork(
        debian_mirror=debian.rstrip("/"),
        security_mirror=security.rstrip("/"),
        apt_proxies=_apt_proxies(),
        proxy_env={k: v for k, v in os.environ.items() if k in _PROXY_VARS},
        ca_bundle=bundle_path.read_bytes() if bundle_path.is_file() else b"",
        local_cas=local,
        pip_index_url=index,
        pip_extra_index_urls=extra,
        npm_registry=_npm_registry(),
    )
