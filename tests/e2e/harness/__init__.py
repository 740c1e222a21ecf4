"""Real-build test harness: a local registry, look-alike base images, buildah builds.

``conftest.py`` turns this into pytest fixtures; the pieces also work without pytest::

    with Registry() as registry:
        images = BaseImageSet.prepare(registry)
        builder = new_builder(registry)
        result = builder.build(app_dir)
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from .apps import App, load_apps
from .builder import BuildResult, Builder, Capabilities, ImageInfo, RunResult, Step, parse_steps
from .env import (
    HOW_TO_RUN,
    cache_dir,
    discover_host_network,
    in_ci,
    make_work_dir,
    missing_prerequisites,
    sweep_stale_work_dirs,
    tool_version,
)
from .fs import Entry, FsDiff, compare, snapshot
from .images import BASE_IMAGES, BaseImage, BaseImageCache, BaseImageSpec, build_image
from .registry import Registry
from .rootfs import RootfsCache
from .sandbox import CommandError, Sandbox, registries_conf

__all__ = [
    "App", "BASE_IMAGES", "BaseImage", "BaseImageSet", "BaseImageSpec", "BuildResult", "Builder",
    "Capabilities", "CommandError", "Entry", "FsDiff", "HOW_TO_RUN", "ImageInfo", "Registry",
    "RunResult", "Sandbox", "Step", "build_image", "compare", "in_ci", "load_apps",
    "missing_prerequisites", "new_builder", "new_sandbox", "parse_steps", "snapshot", "sweep_stale_work_dirs",
]  # fmt: skip


def new_sandbox(registry: Registry | None) -> Sandbox:
    """A fresh sandbox (own storage root) whose ``docker.io`` is ``registry``."""
    root = make_work_dir("")
    conf = registries_conf(registry.host if registry else None, insecure=not (registry and registry.tls))
    auths = {registry.host: (registry.username, registry.password)} if registry and registry.tls else None
    return Sandbox(root, conf, auths)


def new_builder(registry: Registry | None) -> Builder:
    """A builder with a fresh storage root; call ``builder.sandbox.close()`` when done."""
    return Builder(
        new_sandbox(registry),
        registry,
        tool_version(["buildah", "--version"]),
        proxy_env=discover_host_network().proxy_env,
    )


@dataclass
class BaseImageSet:
    """The look-alike base images, pushed to one registry, by tag."""

    registry: Registry
    images: dict[str, BaseImage]
    cache: BaseImageCache
    #: Seconds spent preparing (building or copying) everything.
    seconds: float = 0.0
    buildah_version: str = ""
    notes: list[str] = field(default_factory=list)

    @classmethod
    def prepare(cls, registry: Registry, specs: tuple[BaseImageSpec, ...] = BASE_IMAGES) -> "BaseImageSet":
        start = time.monotonic()
        network = discover_host_network()
        cache = cache_dir()
        image_cache = BaseImageCache(cache, network, RootfsCache(cache, network))
        sandbox = new_sandbox(registry)
        try:
            images = {}
            for spec in specs:
                image = image_cache.push(spec, registry, sandbox)
                for tag in spec.tags:
                    images[tag] = image
        finally:
            sandbox.close()
        image_cache.prune(keep={image.spec.name for image in images.values()})
        result = cls(registry, images, image_cache, time.monotonic() - start, image_cache.buildah_version)
        (cache / "versions.json").write_text(json.dumps(result.versions, indent=2, sort_keys=True) + "\n")
        return result

    def __getitem__(self, tag: str) -> BaseImage:
        return self.images[tag]

    def __contains__(self, tag: str) -> bool:
        return tag in self.images

    def __iter__(self):
        return iter(self.images)

    def ref(self, tag: str) -> str:
        """The registry reference, e.g. ``127.0.0.1:PORT/library/python:3.11-slim``."""
        return self.registry.ref(tag)

    def digest(self, tag: str) -> str:
        return self.images[tag].digest

    @property
    def versions(self) -> dict[str, dict[str, str]]:
        """What each tag really contains, e.g. ``{"node:20-slim": {"node": "18.20.4", …}}``."""
        return {tag: image.versions for tag, image in self.images.items()}

    def describe(self) -> str:
        lines = [f"buildah {self.buildah_version}; base images ready in {self.seconds:.1f}s"]
        for tag, image in self.images.items():
            real = ", ".join(f"{k} {v}" for k, v in sorted(image.versions.items()))
            lines.append(f"  {tag:<22} {image.digest[:19]}  ({real})")
        return "\n".join(lines)
