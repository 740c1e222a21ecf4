"""Image references as the Docker tools read them (``distribution/reference``).

``python:3.11-slim`` and ``docker.io/library/python:3.11-slim`` name the same thing;
``parse`` gives both one :class:`Reference`, whose ``key`` is what a run resolves once.
The rules follow ``ParseNormalizedNamed`` in github.com/distribution/reference
(normalize.go): the first path component is a registry host when it holds a ``.`` or a
``:``, is ``localhost``, or has an upper-case letter; otherwise the name is on Docker Hub,
and a one-component Docker Hub name gets ``library/``. ``index.docker.io``,
``registry-1.docker.io`` and ``registry.docker.com`` are aliases of ``docker.io``
(:data:`DOCKER_HUB_ALIASES`), whose API is served at ``registry-1.docker.io``. IPv6 hosts are written in
brackets (``[::1]:5000/app``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCKER_HUB = "docker.io"
#: Hosts that name Docker Hub in a reference: ``index.docker.io`` (normalize.go's legacy
#: default domain), ``registry-1.docker.io`` (the distribution API host, which the docker CLI
#: talks to and which some Dockerfiles write out) and ``registry.docker.com`` (Docker's older
#: name for that service). The one table: :func:`split_domain` (pinning, lock keys) and
#: ``dockmod.ecosystems.images`` (base-image facts) both read it.
DOCKER_HUB_ALIASES: tuple[str, ...] = ("docker.io", "index.docker.io", "registry-1.docker.io", "registry.docker.com")
#: Where Docker Hub's distribution API answers (what the docker CLI talks to).
DOCKER_HUB_API = "registry-1.docker.io"
DEFAULT_TAG = "latest"

# distribution/reference regexp.go, transcribed.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_PATH_RE = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
_TAG_RE = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST_RE = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$")
_HOST_RE = re.compile(
    r"^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]+)?$"
)


class ReferenceError(ValueError):
    """The text is not a valid image reference; the message says which part and why."""


@dataclass(frozen=True, slots=True)
class Reference:
    """A normalised image reference."""

    #: Registry host as users write it (``docker.io``, ``ghcr.io``, ``localhost:5000``, ``[::1]:5000``).
    domain: str
    #: Repository path on that registry (``library/python``).
    path: str
    #: The tag as written, or None (which pulls ``latest``).
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        return f"{self.domain}/{self.path}"

    @property
    def tag_or_latest(self) -> str:
        return self.tag or DEFAULT_TAG

    @property
    def key(self) -> str:
        """``domain/path:tag``: one lookup per key and run; the lock file's key too."""
        return f"{self.name}:{self.tag_or_latest}"

    @property
    def api_host(self) -> str:
        """The host (and port) serving ``/v2/``."""
        return DOCKER_HUB_API if self.domain == DOCKER_HUB else self.domain

    @property
    def hostname(self) -> str:
        """The host without port or IPv6 brackets."""
        host = self.domain
        if host.startswith("["):
            return host[1:host.index("]")]
        return host.rsplit(":", 1)[0] if ":" in host else host

    @property
    def is_loopback(self) -> bool:
        """``localhost`` or a loopback address: the Docker tools allow plain HTTP there."""
        import ipaddress

        host = self.hostname
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def with_domain(self, domain: str) -> Reference:
        return Reference(domain, self.path, self.tag, self.digest)

    def __str__(self) -> str:
        out = self.name
        if self.tag:
            out += f":{self.tag}"
        if self.digest:
            out += f"@{self.digest}"
        return out


def split_domain(name: str) -> tuple[str, str]:
    """``(domain, remainder)`` as ``splitDockerDomain`` does (Hub names get ``library/``)."""
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first.lower() != first):
        domain, remainder = first, rest
    else:
        domain, remainder = DOCKER_HUB, name
    if domain.lower() in DOCKER_HUB_ALIASES:
        domain = DOCKER_HUB
    if domain == DOCKER_HUB and "/" not in remainder:
        remainder = f"library/{remainder}"
    return domain, remainder


def parse(text: str) -> Reference:
    """Parse and normalise ``text``. Raises :class:`ReferenceError`."""
    if not text or text != text.strip():
        raise ReferenceError(f"invalid reference {text!r}: empty or surrounded by spaces")
    rest, at, digest = text.partition("@")
    if at and not _DIGEST_RE.match(digest):
        raise ReferenceError(f"invalid digest {digest!r} in {text!r}")
    domain, remainder = split_domain(rest)
    path, tag = remainder, None
    colon = remainder.rfind(":")
    if colon > remainder.rfind("/"):
        path, tag = remainder[:colon], remainder[colon + 1:]
        if not _TAG_RE.match(tag):
            raise ReferenceError(f"invalid tag {tag!r} in {text!r}")
    if not _HOST_RE.match(domain):
        raise ReferenceError(f"invalid registry host {domain!r} in {text!r}")
    if domain.startswith("["):
        import ipaddress

        try:
            ipaddress.IPv6Address(domain[1:domain.index("]")])
        except ValueError:
            raise ReferenceError(f"invalid IPv6 registry host {domain!r} in {text!r}") from None
    if not _PATH_RE.match(path):
        why = "must be lower-case" if path.lower() != path else "has characters a repository cannot have"
        raise ReferenceError(f"invalid repository {path!r} in {text!r}: {why}")
    return Reference(domain, path, tag, digest or None)
