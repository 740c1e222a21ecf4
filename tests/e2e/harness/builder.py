"""Build, run and inspect images with buildah, and say what a build did.

A build's timing is a poor signal on vfs (every layer is a full copy), so results say
*which steps ran* and which came from the layer cache, parsed from buildah's output:

    [1/2] STEP 3/5: COPY requirements.txt .
    --> Using cache 5e0f…

Steps without a "Using cache" line ran. ``FROM`` steps have no layer of their own and
are reported with ``cached=None``.
"""

from __future__ import annotations

import json
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

from . import fs
from .registry import Registry
from .sandbox import CommandError, Completed, Sandbox

_STEP = re.compile(r"^(?:\[(?P<stage>\d+)/(?P<stages>\d+)\] )?STEP (?P<num>\d+)/(?P<total>\d+): (?P<text>.*)$")
_CACHE_HIT = re.compile(r"^--> Using cache (?P<id>[0-9a-f]+)")
_PIP_DOWNLOAD = re.compile(r"^Downloading (?P<what>\S+)")
_APT_GET = re.compile(r"^Get:\d+ \S+ \S+ (?P<what>\S+ \S+ \S+)")


@dataclass(frozen=True)
class Step:
    """One Dockerfile instruction as buildah executed it."""

    stage: int  # 1-based stage index; 1 for single-stage builds
    number: int  # 1-based step number within its stage
    instruction: str  # as buildah printed it, e.g. "COPY requirements.txt ."
    cached: bool | None  # True: layer cache hit; False: ran; None: FROM

    @property
    def keyword(self) -> str:
        return self.instruction.split(None, 1)[0].upper() if self.instruction else ""

    def __str__(self) -> str:
        state = {True: "cached", False: "ran", None: "-"}[self.cached]
        return f"[{self.stage}] {self.number}: {self.instruction} ({state})"


def parse_steps(log: str) -> tuple[Step, ...]:
    """The steps in a ``buildah bud`` log, with their cache status."""
    steps: list[Step] = []
    current: dict | None = None

    def flush() -> None:
        if current is not None:
            cached = None if current["text"].upper().startswith("FROM ") else current["hit"]
            steps.append(Step(current["stage"], current["num"], current["text"], cached))

    for line in log.splitlines():
        match = _STEP.match(line.strip())
        if match:
            flush()
            current = {
                "stage": int(match["stage"] or 1),
                "num": int(match["num"]),
                "text": match["text"].strip(),
                "hit": False,
            }
        elif current is not None and _CACHE_HIT.match(line.strip()):
            current["hit"] = True
    flush()
    return tuple(steps)


@dataclass(frozen=True)
class BuildResult:
    """What one ``buildah bud`` produced and how."""

    returncode: int
    #: Image id (config digest), or "" when the build failed.
    image_id: str
    tag: str | None
    steps: tuple[Step, ...]
    #: stdout and stderr of buildah, interleaved as printed.
    log: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def image(self) -> str:
        """What to hand to ``run``/``inspect``/``files``: the tag, else the id."""
        return self.tag or self.image_id

    @property
    def layer_steps(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.cached is not None)

    @property
    def cached(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.cached)

    @property
    def ran(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.cached is False)

    def step(self, text: str, stage: int | None = None) -> Step:
        """The first step whose instruction contains ``text`` (optionally in ``stage``)."""
        for step in self.steps:
            if text in step.instruction and (stage is None or step.stage == stage):
                return step
        raise KeyError(f"no step matching {text!r}; steps:\n" + "\n".join(map(str, self.steps)))

    def downloads(self) -> list[str]:
        """What RUN steps fetched from the network, as their tools logged it.

        Recognises pip (``Downloading six-1.16.0-py2.py3-none-any.whl``) and apt
        (``Get:3 http://deb.debian.org/debian bookworm/main amd64 gcc-12 …``). A
        package served from a cache mount shows up as pip's ``Using cached`` instead,
        which :meth:`lines` can find. npm and go print no per-package lines by default.
        """
        found = []
        for line in self.log.splitlines():
            line = line.strip()
            if match := _PIP_DOWNLOAD.match(line):
                found.append(match["what"].rsplit("/", 1)[-1])
            elif match := _APT_GET.match(line):
                found.append(match["what"])
        return found

    def lines(self, pattern: str) -> list[str]:
        """Log lines matching the regex ``pattern`` (``re.search``)."""
        regex = re.compile(pattern)
        return [line for line in self.log.splitlines() if regex.search(line)]

    def cache_pattern(self) -> str:
        """Compact cache map, one char per layer step: ``C`` cached, ``R`` ran (``CCR…``)."""
        return "".join("C" if s.cached else "R" for s in self.layer_steps)


@dataclass(frozen=True)
class RunResult:
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class ImageInfo:
    """The parts of ``buildah inspect`` tests look at."""

    image_id: str
    #: Digest of the manifest in local storage (uncompressed layers; differs from a push).
    digest: str
    #: The OCI image config's ``config`` (Env, Cmd, Entrypoint, WorkingDir, Labels, …).
    config: dict
    #: OCI history entries (``created_by``, ``empty_layer`` …).
    history: list[dict]
    #: Layer digests (diff ids, i.e. of the uncompressed tars), bottom first.
    layers: list[str]
    #: Sum of uncompressed layer sizes, in bytes.
    size: int
    raw: dict = field(repr=False, default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return dict(item.split("=", 1) for item in self.config.get("Env") or [])


@dataclass(frozen=True)
class Feature:
    """An engine feature a test may need, with a tiny Dockerfile that proves it works."""

    name: str
    description: str
    dockerfile: str
    #: Build twice (with --layers) and judge the second build: for cache-related bugs.
    twice: bool = False
    secret: bool = False


FEATURES = {
    f.name: f
    for f in (
        Feature("heredoc", "RUN <<EOF heredocs", "FROM busybox\nRUN <<EOF\ntest 1 = 1\nEOF\n"),
        Feature(
            "cache-mount",
            "RUN --mount=type=cache",
            "FROM busybox\nRUN --mount=type=cache,target=/c,id=probe touch /c/x && test -f /c/x\n",
        ),
        Feature(
            "secret-mount",
            "RUN --mount=type=secret",
            "FROM busybox\nRUN --mount=type=secret,id=probe test \"$(cat /run/secrets/probe)\" = s3cret\n",
            secret=True,
        ),
        Feature(
            "secret-env",
            "RUN --mount=type=secret,env=VAR",
            "FROM busybox\nRUN --mount=type=secret,id=probe,env=PROBE test \"$PROBE\" = s3cret\n",
            secret=True,
        ),
        Feature(
            "bind-from-cached-stage",
            "RUN --mount=type=bind,from=<stage> when that stage came from the layer cache "
            "(containers/buildah#4375: 1.28 mounts an empty directory)",
            "FROM busybox AS src\nRUN echo probe > /probe.txt\n"
            "FROM busybox\nARG NONCE\nRUN --mount=type=bind,from=src,target=/src echo $NONCE && cat /src/probe.txt\n",
            twice=True,
        ),
    )
}


class Capabilities:
    """What this buildah can do, found by building tiny probes (results are cached).

    Probing beats a version table: distributions backport fixes, and the probes are
    cheap (busybox, a second each).
    """

    def __init__(self, builder: "Builder", version: str):
        self._builder = builder
        self.version = version
        self._known: dict[str, bool] = {}

    def supports(self, feature: str) -> bool:
        if feature not in FEATURES:
            raise KeyError(f"unknown feature {feature!r}; known: {', '.join(FEATURES)}")
        if feature not in self._known:
            self._known[feature] = self._probe(FEATURES[feature])
        return self._known[feature]

    def _probe(self, feature: Feature) -> bool:
        with tempfile.TemporaryDirectory(dir=self._builder.sandbox.tmp) as context:
            secrets = {"probe": "s3cret"} if feature.secret else None
            first = self._builder.build(Path(context), feature.dockerfile, secrets=secrets,
                                        build_args={"NONCE": "1"}, check=False)  # fmt: skip
            if not first.ok or not feature.twice:
                return first.ok
            again = self._builder.build(Path(context), feature.dockerfile, build_args={"NONCE": "2"}, check=False)
            return again.ok

    @property
    def known(self) -> dict[str, bool]:
        """Features probed so far (no new probes)."""
        return dict(self._known)

    def summary(self) -> dict[str, bool]:
        """Every feature probed, e.g. for a report header."""
        return {name: self.supports(name) for name in FEATURES}

    def require(self, feature: str) -> None:
        """Skip the calling test with a plain message when ``feature`` is missing."""
        if not self.supports(feature):
            import pytest

            pytest.skip(f"buildah {self.version} lacks {FEATURES[feature].description}")


class Builder:
    """buildah in one sandbox, resolving ``docker.io`` names to the test registry."""

    def __init__(
        self,
        sandbox: Sandbox,
        registry: Registry | None,
        version: str,
        proxy_env: Mapping[str, str] | None = None,
    ):
        self.sandbox = sandbox
        self.registry = registry
        self.version = version
        #: The host's proxy variables. They reach RUN steps as build args, which
        #: buildah (like Docker) predefines for proxies and keeps out of the image.
        self.proxy_env = dict(proxy_env or {})
        self.capabilities = Capabilities(self, version)

    def supports(self, feature: str) -> bool:
        return self.capabilities.supports(feature)

    def require(self, feature: str) -> None:
        self.capabilities.require(feature)

    # -- build -----------------------------------------------------------------------------

    def build(
        self,
        context: Path,
        dockerfile: Path | str | None = None,
        *,
        target: str | None = None,
        build_args: Mapping[str, str] | None = None,
        secrets: Mapping[str, str | bytes | Path] | None = None,
        layers: bool = True,
        no_cache: bool = False,
        tag: str | None = None,
        timestamp: int | None = None,
        extra_args: tuple[str, ...] = (),
        check: bool = True,
    ) -> BuildResult:
        """``buildah bud`` in ``context``.

        ``dockerfile`` is a path when given as :class:`~pathlib.Path` and Dockerfile text
        when given as ``str``; the default is ``context/Dockerfile``. ``secrets`` maps an
        id to a file (Path) or to the secret's value. Raises :class:`CommandError` on
        failure unless ``check=False``.
        """
        context = Path(context)
        with tempfile.TemporaryDirectory(dir=self.sandbox.tmp) as scratch:
            scratch_dir = Path(scratch)
            if dockerfile is None:
                dockerfile_path = context / "Dockerfile"
            elif isinstance(dockerfile, Path):
                dockerfile_path = dockerfile
            else:
                dockerfile_path = scratch_dir / "Dockerfile"
                dockerfile_path.write_text(dockerfile)
            args = ["bud", "--isolation", "chroot", "--http-proxy=false", "--pull=false",
                    f"--layers={str(layers).lower()}", "--iidfile", str(scratch_dir / "iid"),
                    "-f", str(dockerfile_path)]  # fmt: skip
            if self.registry is not None:
                args += self.registry.transport_args()
            if target:
                args += ["--target", target]
            if no_cache:
                args.append("--no-cache")
            if tag:
                args += ["-t", tag]
            if timestamp is not None:
                args += ["--timestamp", str(timestamp)]
            for key, value in {**self.proxy_env, **(build_args or {})}.items():
                args += ["--build-arg", f"{key}={value}"]
            for index, (secret_id, value) in enumerate((secrets or {}).items()):
                if isinstance(value, Path):
                    src = value
                else:
                    src = scratch_dir / f"secret-{index}"
                    src.write_bytes(value.encode() if isinstance(value, str) else value)
                    src.chmod(0o600)
                args += ["--secret", f"id={secret_id},src={src}"]
            args += [*extra_args, str(context)]
            done = self.sandbox.buildah(*args, check=False, merge_output=True)
            iid_file = scratch_dir / "iid"
            image_id = iid_file.read_text().strip().removeprefix("sha256:") if iid_file.exists() else ""
        result = BuildResult(done.returncode, image_id if done.returncode == 0 else "", tag,
                             parse_steps(done.stdout), done.stdout)  # fmt: skip
        if check and not result.ok:
            raise CommandError(done.argv, done.returncode, done.stdout)
        return result

    # -- containers ---------------------------------------------------------------------

    @contextmanager
    def container(self, image: str) -> Iterator[str]:
        """A working container from ``image``, removed afterwards."""
        ctr = self.sandbox.buildah("from", "--pull=false", *self._transport(), image).stdout.strip().splitlines()[-1]
        try:
            yield ctr
        finally:
            self.sandbox.buildah("rm", ctr, check=False)

    @contextmanager
    def mounted(self, image: str) -> Iterator[Path]:
        """The root filesystem of ``image`` as a host directory (read it, don't write).

        With the vfs driver a "mount" is a plain directory, so the path stays usable
        after buildah's own mount namespace is gone.
        """
        with self.container(image) as ctr:
            path = Path(self.sandbox.buildah("mount", ctr).stdout.strip())
            try:
                yield path
            finally:
                self.sandbox.buildah("umount", ctr, check=False)

    def run(
        self,
        image: str,
        command: list[str] | str | None = None,
        *,
        env: Mapping[str, str] | None = None,
        workdir: str | None = None,
        user: str | None = None,
        check: bool = True,
    ) -> RunResult:
        """Run ``command`` (default: the image's ENTRYPOINT + CMD) in a container.

        A string command runs under ``/bin/sh -c``.
        """
        if command is None:
            config = self.inspect(image).config
            argv = list(config.get("Entrypoint") or []) + list(config.get("Cmd") or [])
        elif isinstance(command, str):
            argv = ["/bin/sh", "-c", command]
        else:
            argv = list(command)
        with self.container(image) as ctr:
            args = ["run", "--isolation", "chroot"]
            for key, value in {**self.proxy_env, **(env or {})}.items():
                args += ["--env", f"{key}={value}"]
            if workdir:
                args += ["--workingdir", workdir]
            if user:
                args += ["--user", user]
            done = self.sandbox.buildah(*args, ctr, "--", *argv, check=False)
        if check and done.returncode != 0:
            raise CommandError(["run", image, *argv], done.returncode, done.output)
        return RunResult(done.returncode, done.stdout, done.stderr)

    # -- inspection -----------------------------------------------------------------------

    def inspect(self, image: str) -> ImageInfo:
        raw = json.loads(self.sandbox.buildah("inspect", "--type", "image", image).stdout)
        oci = raw.get("OCIv1") or {}
        manifest = json.loads(raw.get("Manifest") or "{}")
        return ImageInfo(
            image_id=raw.get("FromImageID", ""),
            digest=raw.get("FromImageDigest", ""),
            config=oci.get("config") or {},
            history=oci.get("history") or [],
            layers=(oci.get("rootfs") or {}).get("diff_ids") or [],
            size=sum(layer.get("size", 0) for layer in manifest.get("layers", [])),
            raw=raw,
        )

    def files(self, image: str, under: str = "/") -> dict[str, fs.Entry]:
        """Every path below ``under`` in ``image``."""
        with self.mounted(image) as root:
            return fs.snapshot(root, under)

    def read_file(self, image: str, path: str) -> bytes:
        with self.mounted(image) as root:
            return (root / path.lstrip("/")).read_bytes()

    def diff(self, image_a: str, image_b: str, **options) -> fs.FsDiff:
        """Compare two images' filesystems; options as for :func:`fs.compare`."""
        with self.mounted(image_a) as root_a, self.mounted(image_b) as root_b:
            return fs.compare(root_a, root_b, **options)

    # -- registry -------------------------------------------------------------------------

    def _transport(self) -> list[str]:
        return self.registry.transport_args() if self.registry is not None else []

    def push(self, image: str, name: str, registry: Registry | None = None) -> str:
        """Push to ``registry`` (default: the builder's) as ``name``; returns the digest."""
        registry = registry or self.registry
        with tempfile.TemporaryDirectory(dir=self.sandbox.tmp) as scratch:
            digest_file = Path(scratch) / "digest"
            self.sandbox.buildah("push", "--quiet", *registry.transport_args(), "--digestfile", str(digest_file),
                                 image, f"docker://{registry.ref(name)}")  # fmt: skip
            return digest_file.read_text().strip()

    def pull(self, name: str) -> str:
        """Pull ``name`` (resolved through registries.conf) and return its image id."""
        return self.sandbox.buildah("pull", "--quiet", *self._transport(), name).stdout.strip().splitlines()[-1]

    def shell(self, *args: str, check: bool = True) -> Completed:
        """Escape hatch: any buildah subcommand in this builder's sandbox."""
        return self.sandbox.buildah(*args, check=check)

