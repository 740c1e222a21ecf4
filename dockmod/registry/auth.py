"""Registry credentials and challenges: docker's ``config.json``, credential helpers,
``WWW-Authenticate`` and ``Retry-After`` parsing. No network here.

Where credentials come from, in the docker CLI's order (docker/cli ``configfile``):
``credHelpers[host]`` (a ``docker-credential-<name>`` program), then an ``auths`` entry
that holds them (``auth`` = base64 ``user:password``, or ``username``/``password``, or
an ``identitytoken``), then the ``credsStore`` helper. The file is
``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``.

Secrets never reach a message: :class:`Credentials` hides them from ``repr``, and errors
name the *source* of the credentials (``config.json auths``, ``docker-credential-pass``),
never their value.
"""

from __future__ import annotations

import base64
import email.utils
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dockmod.registry.reference import DOCKER_HUB

#: The key the docker CLI stores Docker Hub credentials under.
DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/"
_HUB_ALIASES = (DOCKER_HUB_AUTH_KEY, "index.docker.io", "docker.io", "registry-1.docker.io",
                "https://index.docker.io/v1", "https://registry-1.docker.io")


@dataclass(frozen=True)
class Credentials:
    username: str = field(repr=False)
    secret: str = field(repr=False)
    #: Where they came from, for messages: ``config.json auths``, ``docker-credential-pass``.
    source: str = ""
    #: An OAuth2 refresh token (``identitytoken``) rather than a password.
    identity_token: bool = False

    def basic_header(self) -> str:
        raw = f"{self.username}:{self.secret}".encode()
        return "Basic " + base64.b64encode(raw).decode()


class CredentialError(Exception):
    """A credential source exists but cannot be read (bad file, helper failed)."""


def docker_config_path(env: dict[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("DOCKER_CONFIG")
    if base:
        return Path(base) / "config.json"
    return Path(env.get("HOME") or Path.home()) / ".docker" / "config.json"


def _host_of(key: str) -> str:
    """``https://host:5000/v1/`` → ``host:5000`` (docker CLI's ConvertToHostname)."""
    key = key.strip()
    for prefix in ("https://", "http://"):
        if key.startswith(prefix):
            key = key[len(prefix):]
            break
    return key.split("/", 1)[0]


def _keys_for(domain: str) -> tuple[str, ...]:
    return _HUB_ALIASES if domain == DOCKER_HUB else (domain,)


@dataclass
class DockerConfig:
    """The parts of a docker ``config.json`` that say where credentials are."""

    path: Path | None = None
    auths: dict[str, dict] = field(default_factory=dict)
    creds_store: str | None = None
    cred_helpers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> DockerConfig:
        path = path or docker_config_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise CredentialError(f"cannot read docker config {path}: {type(e).__name__}") from None
        if not isinstance(data, dict):
            raise CredentialError(f"docker config {path} is not a JSON object")
        return cls(path, auths=data.get("auths") or {}, creds_store=data.get("credsStore") or None,
                   cred_helpers=data.get("credHelpers") or {})

    def _helper_for(self, domain: str) -> str | None:
        for key in _keys_for(domain):
            for k, helper in self.cred_helpers.items():
                if _host_of(k) == _host_of(key):
                    return helper
        return None

    def _auth_entry(self, domain: str) -> dict | None:
        for key in _keys_for(domain):
            for k, entry in self.auths.items():
                if _host_of(k) == _host_of(key) and isinstance(entry, dict):
                    return entry
        return None

    def credentials(self, domain: str, runner: HelperRunner | None = None) -> Credentials | None:
        """Credentials for ``domain`` (as users write it: ``docker.io``, ``host:5000``), or None."""
        runner = runner or run_helper
        helper = self._helper_for(domain)
        server = DOCKER_HUB_AUTH_KEY if domain == DOCKER_HUB else domain
        if helper:
            return runner(helper, server)
        entry = self._auth_entry(domain)
        if entry:
            creds = _from_entry(entry)
            if creds is not None:
                return creds
        if self.creds_store:
            return runner(self.creds_store, server)
        return None


def _from_entry(entry: dict) -> Credentials | None:
    source = "config.json auths"
    if entry.get("identitytoken"):
        return Credentials(entry.get("username") or "<token>", entry["identitytoken"], source, identity_token=True)
    if entry.get("auth"):
        try:
            user, sep, password = base64.b64decode(entry["auth"]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            raise CredentialError("a config.json `auths` entry has an `auth` value that is not base64 "
                                  "of user:password") from None
        if not sep:
            raise CredentialError("a config.json `auths` entry has an `auth` value without `user:password`")
        return Credentials(user, password, source)
    if entry.get("username") and entry.get("password"):
        return Credentials(entry["username"], entry["password"], source)
    return None


HelperRunner = Callable[[str, str], "Credentials | None"]


def run_helper(helper: str, server: str, timeout: float = 20) -> Credentials | None:
    """``docker-credential-<helper> get`` with the server on stdin (the helper protocol)."""
    program = f"docker-credential-{helper}"
    exe = shutil.which(program)
    if exe is None:
        raise CredentialError(f"credential helper `{program}` is not on PATH")
    try:
        proc = subprocess.run([exe, "get"], input=server.encode(), capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CredentialError(f"credential helper `{program}` did not answer in {timeout:.0f}s") from None
    if proc.returncode != 0:
        out = proc.stdout.decode(errors="replace").strip()
        if "credentials not found" in out.lower():
            return None
        # The helper's output may echo secrets in odd setups: say only that it failed.
        raise CredentialError(f"credential helper `{program}` failed (exit {proc.returncode})")
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise CredentialError(f"credential helper `{program}` printed something that is not JSON") from None
    user, secret = data.get("Username") or "", data.get("Secret") or ""
    if not secret:
        return None
    return Credentials(user, secret, program, identity_token=user == "<token>")


# -- challenges ---------------------------------------------------------------------

_PARAM_RE = re.compile(r'\s*([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)')


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="https://auth",service="reg",scope="repository:a:pull"`` →
    ``("bearer", {"realm": …, "service": …, "scope": …})`` (RFC 7235 auth-params)."""
    header = header.strip()
    scheme, _, rest = header.partition(" ")
    params: dict[str, str] = {}
    pos = 0
    while pos < len(rest):
        m = _PARAM_RE.match(rest, pos)
        if not m or m.end() == pos:
            break
        value = m.group(2) if m.group(2) is not None else m.group(3)
        params[m.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
        pos = m.end()
    return scheme.lower(), params


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP-date; None if absent/invalid."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)
