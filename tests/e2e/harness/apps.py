"""The sample apps under ``tests/e2e/apps/``: small, real, and naively containerised.

Each app directory holds the sources, a naive ``Dockerfile`` of the kind dockmod's
codemods improve, and an ``app.toml`` with its self-test command and expected output,
so adding an app needs no code here.
"""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

APPS_DIR = Path(__file__).resolve().parent.parent / "apps"


@dataclass(frozen=True)
class App:
    name: str
    path: Path
    description: str
    #: Command run in the built image; prints exactly :attr:`expected` (one line).
    selftest: tuple[str, ...]
    expected: str

    @property
    def dockerfile(self) -> Path:
        return self.path / "Dockerfile"

    def copy(self, dest: Path) -> Path:
        """A writable copy of the app in ``dest/<name>`` (tests edit copies, never these)."""
        target = Path(dest) / self.name
        shutil.copytree(self.path, target, ignore=shutil.ignore_patterns("app.toml", "__pycache__", "node_modules"))
        return target


def load_apps(directory: Path = APPS_DIR) -> dict[str, App]:
    apps = {}
    for meta in sorted(directory.glob("*/app.toml")):
        data = tomllib.loads(meta.read_text())
        apps[meta.parent.name] = App(
            meta.parent.name, meta.parent, data["description"], tuple(data["selftest"]), data["expected"]
        )
    return apps
