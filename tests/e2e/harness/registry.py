"""A throwaway OCI registry: Debian's ``docker-registry`` (CNCF distribution) on 127.0.0.1.

Two flavours: plain HTTP, and HTTPS with a CA made on the spot plus htpasswd basic
auth, for tests that must see credentials and certificates used the way a private
registry needs them.
"""

from __future__ import annotations

import base64
import ctypes
import ctypes.util
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .env import make_work_dir

#: What we accept when asking for a manifest: indexes first, so a multi-platform tag
#: reports the digest of its index, which is what ``FROM image@sha256:…`` pins.
MANIFEST_ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies, however it dies.

    pytest's finalizers stop the registry normally; this covers a run killed by a
    timeout, which would otherwise leave the registry running.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bcrypt_hash(password: str) -> str:
    """A bcrypt hash for htpasswd, the only scheme distribution's htpasswd accepts.

    Tries, in order: the ``bcrypt`` module, libcrypt through ctypes (glibc's libxcrypt
    on Debian supports ``$2b$``), then ``htpasswd`` from apache2-utils.
    """
    try:
        import bcrypt  # type: ignore[import-not-found]

        return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=5)).decode()
    except ImportError:
        pass
    name = ctypes.util.find_library("crypt")
    if name:
        lib = ctypes.CDLL(name)
        if hasattr(lib, "crypt_gensalt"):
            lib.crypt_gensalt.restype = ctypes.c_char_p
            lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
            lib.crypt.restype = ctypes.c_char_p
            lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
            salt = lib.crypt_gensalt(b"$2b$", 5, os.urandom(16), 16)
            hashed = lib.crypt(password.encode(), salt) if salt else None
            if hashed and hashed.startswith(b"$2b$"):
                return hashed.decode()
    if shutil.which("htpasswd"):
        out = subprocess.run(
            ["htpasswd", "-nbB", "-C", "5", "user", password], capture_output=True, text=True, check=True
        ).stdout
        return out.strip().split(":", 1)[1]
    raise RuntimeError(
        "no bcrypt implementation: install python `bcrypt`, or apache2-utils (htpasswd), "
        "or a libcrypt with $2b$ support"
    )


@dataclass(frozen=True)
class TlsMaterial:
    """A CA and a server certificate for 127.0.0.1, made with the ``openssl`` CLI."""

    ca_cert: Path
    server_cert: Path
    server_key: Path
    #: A directory in containers/image's ``--cert-dir`` layout (``ca.crt``).
    cert_dir: Path

    @classmethod
    def create(cls, directory: Path) -> "TlsMaterial":
        directory.mkdir(parents=True, exist_ok=True)
        ca_key, ca_cert = directory / "ca.key", directory / "ca.pem"
        key, csr, cert = directory / "server.key", directory / "server.csr", directory / "server.pem"
        ext = directory / "server.ext"
        ext.write_text(
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"
        )

        def openssl(*args: str) -> None:
            subprocess.run(["openssl", *args], check=True, capture_output=True)

        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                "/CN=dockmod e2e CA", "-keyout", str(ca_key), "-out", str(ca_cert))  # fmt: skip
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                "-keyout", str(key), "-out", str(csr))  # fmt: skip
        openssl("x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key),
                "-CAcreateserial", "-days", "2", "-extfile", str(ext), "-out", str(cert))  # fmt: skip
        cert_dir = directory / "certs.d"
        cert_dir.mkdir(exist_ok=True)
        shutil.copy(ca_cert, cert_dir / "ca.crt")
        return cls(ca_cert, cert, key, cert_dir)


class Registry:
    """A running ``docker-registry`` with storage in a temp dir; ``stop()`` removes both."""

    def __init__(self, *, tls: bool = False, username: str = "dockmod", password: str | None = None):
        self.workdir = make_work_dir("registry-")
        self.tls = TlsMaterial.create(self.workdir / "tls") if tls else None
        self.username = username if tls else None
        self.password = (password or secrets.token_hex(12)) if tls else None
        self.port = 0
        self._proc: subprocess.Popen | None = None
        self._log = self.workdir / "registry.log"

    # -- lifecycle -------------------------------------------------------------------

    def start(self, attempts: int = 3) -> "Registry":
        for _ in range(attempts):
            self.port = free_port()
            config = self.workdir / "config.yml"
            config.write_text(json.dumps(self._config(), indent=2))  # YAML is a superset of JSON
            # distribution reads every REGISTRY_* variable as a config override.
            env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
            with open(self._log, "ab") as log:
                self._proc = subprocess.Popen(
                    ["docker-registry", "serve", str(config)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    preexec_fn=_die_with_parent,
                )
            if self._wait_ready():
                return self
            self.stop(remove=False)
        raise RuntimeError(f"docker-registry did not start; log:\n{self._log.read_text(errors='replace')[-3000:]}")

    def _config(self) -> dict:
        http: dict = {"addr": f"127.0.0.1:{self.port}", "secret": secrets.token_hex(16)}
        config: dict = {
            "version": 0.1,
            "log": {"level": "warn", "accesslog": {"disabled": True}},
            "storage": {
                "filesystem": {"rootdirectory": str(self.workdir / "data")},
                "delete": {"enabled": True},
            },
            "http": http,
        }
        if self.tls:
            http["tls"] = {"certificate": str(self.tls.server_cert), "key": str(self.tls.server_key)}
            htpasswd = self.workdir / "htpasswd"
            htpasswd.write_text(f"{self.username}:{bcrypt_hash(self.password)}\n")
            config["auth"] = {"htpasswd": {"realm": "dockmod-e2e", "path": str(htpasswd)}}
        return config

    def _wait_ready(self, timeout: float = 20) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                return False
            try:
                self._request("GET", "/v2/")
                return True
            except urllib.error.HTTPError as err:
                if err.code == 401 and self.tls:
                    return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    def stop(self, remove: bool = True) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        if remove:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "Registry":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``, the registry part of image references."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}"

    def ref(self, name: str) -> str:
        """``python:3.11-slim`` → ``127.0.0.1:PORT/library/python:3.11-slim`` (``:latest`` if untagged)."""
        path = name.split("@", 1)[0]
        if "/" not in path:
            name = f"library/{name}"
        if "@" not in name and ":" not in name.rsplit("/", 1)[-1]:
            name += ":latest"
        return f"{self.host}/{name}"

    @property
    def creds(self) -> str | None:
        """``user:password`` for ``--creds``, or None for the open registry."""
        return f"{self.username}:{self.password}" if self.tls else None

    def transport_args(self, *, prefix: str = "") -> list[str]:
        """skopeo/buildah flags to reach this registry (``prefix`` = ``src-``/``dest-``)."""
        if not self.tls:
            return [f"--{prefix}tls-verify=false"]
        return [f"--{prefix}cert-dir", str(self.tls.cert_dir), f"--{prefix}creds", self.creds]

    # -- registry API ------------------------------------------------------------------

    def _request(self, method: str, path: str, headers: dict[str, str] | None = None):
        request = urllib.request.Request(self.url + path, method=method, headers=headers or {})
        if self.tls:
            token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
            context = ssl.create_default_context(cafile=str(self.tls.ca_cert))
        else:
            context = None
        # An opener without proxy handlers: the registry is always local.
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
        )
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()

    def _split(self, name: str) -> tuple[str, str]:
        ref = self.ref(name).removeprefix(self.host + "/")
        if "@" in ref:
            repo, reference = ref.split("@", 1)
        else:
            repo, _, reference = ref.rpartition(":")
        return repo, reference

    def manifest(self, name: str) -> tuple[str, str, bytes]:
        """(digest, media type, raw bytes) of the manifest or index ``name`` points at.

        The digest is the sha256 of the bytes served, checked against the registry's
        ``Docker-Content-Digest`` header.
        """
        repo, reference = self._split(name)
        _, headers, body = self._request("GET", f"/v2/{repo}/manifests/{reference}", {"Accept": MANIFEST_ACCEPT})
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        served = {k.lower(): v for k, v in headers.items()}
        if served.get("docker-content-digest", digest) != digest:
            raise RuntimeError(f"registry digest {served['docker-content-digest']} != sha256 of body {digest}")
        return digest, served.get("content-type", ""), body

    def digest(self, name: str) -> str:
        """The digest ``FROM name@…`` would pin (the index digest for multi-platform tags)."""
        return self.manifest(name)[0]

    def tags(self, repo: str) -> list[str]:
        repo = self._split(repo + ":x")[0]
        return json.loads(self._request("GET", f"/v2/{repo}/tags/list")[2]).get("tags") or []

    def catalog(self) -> list[str]:
        return json.loads(self._request("GET", "/v2/_catalog")[2]).get("repositories") or []
