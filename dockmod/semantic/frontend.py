"""Which frontend builds the file: the fact behind every ``min_syntax`` fix.

A ``# syntax=<image>`` directive makes BuildKit load that image as the Dockerfile frontend
(https://docs.docker.com/build/buildkit/frontend/: "BuildKit supports loading frontends
dynamically from container images", e.g. ``# syntax=example.com/user/repo:tag``). The
features dockmod's fixes add (``RUN --mount``, heredocs, ``COPY --link``/``--chmod``…) and
the versions they need (``TransformMeta.min_syntax``) are those of Docker's own frontend,
so a fix is proven only when Docker's frontend reads the file.

The rule: the frontend is Docker's when there is no directive (the builder's built-in
frontend), or when the directive's repository path is ``docker/dockerfile`` or
``docker/dockerfile-upstream`` (the release and the master-branch builds, see
https://hub.docker.com/r/docker/dockerfile-upstream), whatever the registry host in front
of it (``docker.io/``, ``mirror.gcr.io/``, a company mirror: a mirror keeps Docker Hub's
path), tag or digest. Any other image (``tonistiigi/dockerfile``, ``ghcr.io/org/frontend``,
``jacoblincool/dockerfile``…) is another frontend, whose ``RUN --mount`` or heredocs
dockmod cannot know.
"""

from __future__ import annotations

from dataclasses import dataclass

from dockmod.cst.module import Dockerfile

#: The repository paths of Docker's Dockerfile frontend.
DOCKER_FRONTENDS = ("docker/dockerfile", "docker/dockerfile-upstream")


@dataclass(frozen=True, slots=True)
class Frontend:
    """The frontend named by the file's ``# syntax=`` directive."""

    #: The directive's image reference as written, or None without a directive.
    reference: str | None
    #: Docker's ``docker/dockerfile`` frontend (or the builder's built-in one).
    docker: bool

    @property
    def unsafe_reason(self) -> str | None:
        """Why a fix proven for Docker's frontend is not proven here, or None."""
        if self.docker:
            return None
        return f"the file uses frontend `{self.reference}`; dockmod can only prove this for docker/dockerfile"


def repository_path(reference: str) -> str:
    """``reference`` without registry host, tag and digest, lower-cased
    (``mirror.gcr.io/docker/dockerfile:1.4@sha256:…`` → ``docker/dockerfile``).

    The first component is a host when it holds a ``.`` or ``:`` or is ``localhost``, as in
    ``splitDockerDomain`` (github.com/distribution/reference, normalize.go)."""
    name = reference.partition("@")[0]
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        name = rest
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name = name[:colon]
    return name.lower()


def frontend_of(df: Dockerfile) -> Frontend:
    """The :class:`Frontend` of ``df`` (cached per tree)."""
    return df.memo("frontend", _compute)


def _compute(df: Dockerfile) -> Frontend:
    value = df.directive("syntax")
    words = value.split() if value is not None else []
    if not words:
        return Frontend(None, True)
    ref = words[0]
    return Frontend(ref, repository_path(ref) in DOCKER_FRONTENDS)
