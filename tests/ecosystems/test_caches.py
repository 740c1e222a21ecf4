"""Cache directories: where each manager keeps them, and what moves them."""

from __future__ import annotations

import pytest

from dockmod.ecosystems import MANAGERS, CacheDir, Manager, cache_settings, expand_template
from dockmod.shell import parse_shell

UNKNOWN = object()


def _resolve(manager: Manager, env: dict[str, object], index: int = 0, root: bool = False) -> str | None:
    return MANAGERS[manager].caches[index].resolve(env.get, root=root)


ROOT = {"HOME": "/root"}

# (manager, cache index, environment, root, expected directory)
CASES = [
    (Manager.PIP, 0, ROOT, True, "/root/.cache/pip"),
    (Manager.PIP, 0, {"HOME": "/home/app", "XDG_CACHE_HOME": "/xdg"}, False, "/xdg/pip"),
    (Manager.PIP, 0, {"HOME": "/root", "PIP_CACHE_DIR": "/pipcache/"}, True, "/pipcache"),
    (Manager.PIP, 0, {"HOME": "/root", "PIP_CACHE_DIR": ""}, True, "/root/.cache/pip"),
    (Manager.PIP, 0, {"HOME": "/root", "PIP_CACHE_DIR": UNKNOWN}, True, None),
    (Manager.PIP, 0, {"HOME": "/root", "PIP_CACHE_DIR": "relative"}, True, None),
    (Manager.PIP, 0, {}, True, None),  # HOME unknown
    (Manager.UV, 0, {"HOME": "/home/ray"}, False, "/home/ray/.cache/uv"),
    (Manager.UV, 0, {"HOME": "/root", "UV_CACHE_DIR": "/uv"}, True, "/uv"),
    (Manager.POETRY, 0, ROOT, True, "/root/.cache/pypoetry/cache"),
    (Manager.POETRY, 1, {"HOME": "/root", "POETRY_CACHE_DIR": "/opt/poetry"}, True, "/opt/poetry/artifacts"),
    (Manager.NPM, 0, {"HOME": "/home/node"}, False, "/home/node/.npm"),
    (Manager.NPM, 0, {"HOME": "/root", "npm_config_cache": "/npm"}, True, "/npm"),
    (Manager.YARN, 0, ROOT, True, "/usr/local/share/.cache/yarn"),
    (Manager.YARN, 0, {"HOME": "/home/node"}, False, "/home/node/.cache/yarn"),
    (Manager.YARN, 0, {"HOME": "/root", "YARN_CACHE_FOLDER": "/yc"}, True, "/yc"),
    (Manager.YARN, 1, ROOT, True, "/root/.yarn/berry/cache"),
    (Manager.PNPM, 0, ROOT, True, "/root/.local/share/pnpm/store"),
    (Manager.PNPM, 0, {"HOME": "/root", "PNPM_HOME": "/pnpm"}, True, "/pnpm/store"),
    (Manager.PNPM, 0, {"HOME": "/root", "XDG_DATA_HOME": "/data"}, True, "/data/pnpm/store"),
    (Manager.BUN, 0, ROOT, True, "/root/.bun/install/cache"),
    (Manager.GO, 0, {"HOME": "/root", "GOPATH": "/go"}, True, "/go/pkg/mod"),
    (Manager.GO, 0, {"HOME": "/root", "GOPATH": "/go", "GOMODCACHE": "/mods"}, True, "/mods"),
    (Manager.GO, 0, ROOT, True, "/root/go/pkg/mod"),
    (Manager.GO, 0, {"HOME": "/root", "GOPATH": "/a:/b"}, True, None),  # a list: not guessed
    (Manager.GO, 1, ROOT, True, "/root/.cache/go-build"),
    (Manager.GO, 1, {"HOME": "/root", "GOCACHE": "/gc"}, True, "/gc"),
    (Manager.CARGO, 0, {"HOME": "/root", "CARGO_HOME": "/usr/local/cargo"}, True, "/usr/local/cargo/registry"),
    (Manager.CARGO, 1, ROOT, True, "/root/.cargo/git/db"),
    (Manager.BUNDLER, 0, {"HOME": "/root", "GEM_HOME": "/usr/local/bundle"}, True, "/usr/local/bundle/cache"),
    (Manager.BUNDLER, 0, ROOT, True, None),  # GEM_HOME unset: unknown
    (Manager.COMPOSER, 0, ROOT, True, "/root/.composer/cache"),
    (Manager.COMPOSER, 0, {"HOME": "/root", "COMPOSER_HOME": "/tmp"}, True, "/tmp/cache"),
    (Manager.COMPOSER, 0, {"HOME": "/root", "COMPOSER_HOME": "/tmp", "COMPOSER_CACHE_DIR": "/cc"}, True, "/cc"),
    (Manager.MAVEN, 0, ROOT, True, "/root/.m2/repository"),
    (Manager.GRADLE, 0, {"HOME": "/root", "GRADLE_USER_HOME": "/gradle"}, True, "/gradle/caches"),
    (Manager.DOTNET, 0, ROOT, True, "/root/.nuget/packages"),
    (Manager.DOTNET, 0, {"HOME": "/root", "NUGET_PACKAGES": "/nuget"}, True, "/nuget"),
    (Manager.CONDA, 0, {"HOME": "/root", "CONDA_DIR": "/opt/conda"}, True, "/opt/conda/pkgs"),
    (Manager.CONDA, 0, ROOT, True, None),
    (Manager.APT_GET, 0, {}, True, "/var/cache/apt"),
    (Manager.APT_GET, 1, {}, True, "/var/lib/apt/lists"),
    (Manager.APK, 0, {}, True, "/var/cache/apk"),
    (Manager.DNF, 0, {}, True, "/var/cache/dnf"),
    (Manager.DNF, 1, {}, True, "/var/cache/libdnf5"),
    (Manager.YUM, 0, {}, True, "/var/cache/dnf"),
    (Manager.YUM, 1, {}, True, "/var/cache/yum"),
    (Manager.MICRODNF, 0, {}, True, "/var/cache/yum"),
    (Manager.ZYPPER, 0, {}, True, "/var/cache/zypp"),
]


@pytest.mark.parametrize(("manager", "index", "env", "root", "expected"), CASES,
                         ids=[f"{c[0].value}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_resolve(manager: Manager, index: int, env: dict[str, object], root: bool, expected: str | None) -> None:
    assert _resolve(manager, env, index, root) == expected


def test_kinds_and_locks() -> None:
    """Stores are read as data by later steps; system caches are locked and root's."""
    assert MANAGERS[Manager.GO].caches[0].kind == "store" and MANAGERS[Manager.GO].caches[1].kind == "cache"
    assert all(c.kind == "store" for c in MANAGERS[Manager.CARGO].caches)
    m2 = MANAGERS[Manager.MAVEN].caches[0]
    assert m2.kind == "store" and m2.locked
    for manager in (Manager.APT_GET, Manager.APT, Manager.APK, Manager.DNF, Manager.YUM, Manager.MICRODNF, Manager.ZYPPER):
        assert MANAGERS[manager].system
        assert all(c.locked and c.system for c in MANAGERS[manager].caches), manager
    assert not any(c.system for c in MANAGERS[Manager.PIP].caches)


def test_variables_that_move_a_cache() -> None:
    assert MANAGERS[Manager.PIP].caches[0].variables == ("PIP_CACHE_DIR", "XDG_CACHE_HOME", "HOME")
    assert set(MANAGERS[Manager.GO].caches[0].variables) == {"GOMODCACHE", "GOPATH", "HOME"}
    assert ("pnpm", "config", "set", "store-dir") in MANAGERS[Manager.PNPM].caches[0].config
    assert ("npm", "config", "set", "cache") in MANAGERS[Manager.NPM].caches[0].config
    assert ("yarn", "config", "set", "cache-folder") in MANAGERS[Manager.YARN].caches[0].config


def test_templates() -> None:
    env = {"A": "/a", "E": ""}.get
    assert expand_template("{A}/x", env) == "/a/x"
    assert expand_template("{B:-{A}/d}/x", env) == "/a/d/x"
    assert expand_template("{E:-/e}", env) == "/e"
    assert expand_template("{B}/x", env) is None
    assert expand_template("rel/{A}", env) is None
    with pytest.raises(ValueError):
        expand_template("{A", env)
    assert CacheDir("/x/../y").resolve(env) == "/y"


SETTINGS = [
    ("pnpm config set store-dir /pnpm-store && pnpm install", Manager.PNPM, "/pnpm-store", True),
    ("pnpm config set --global store-dir /s", Manager.PNPM, "/s", True),
    ("npm config set cache=/npm-cache", Manager.NPM, "/npm-cache", True),
    ("yarn config set cache-folder \"$HOME/yc\"", Manager.YARN, "$HOME/yc", False),
    ("pip config set global.cache-dir /pc", Manager.PIP, "/pc", True),
    ("sudo composer config -g cache-dir /cc", Manager.COMPOSER, "/cc", True),
]


@pytest.mark.parametrize(("raw", "manager", "value", "static"), SETTINGS, ids=[s[0][:30] for s in SETTINGS])
def test_cache_settings(raw: str, manager: Manager, value: str, static: bool) -> None:
    (setting,) = cache_settings(parse_shell(raw))
    assert (setting.manager, setting.value, setting.static) == (manager, value, static)
    assert setting.cache in MANAGERS[manager].caches


def test_not_cache_settings() -> None:
    for raw in ("npm config set registry https://r", "pnpm config get store-dir", "yarn config set cache-folder"):
        assert cache_settings(parse_shell(raw)) == []


def test_variants_name_which_tool_version_a_cache_belongs_to() -> None:
    by_variant = {c.variant: c.path for m in (Manager.DNF, Manager.YUM) for c in MANAGERS[m].caches}
    assert by_variant == {"dnf4": "/var/cache/dnf", "dnf5": "/var/cache/libdnf5", "yum3": "/var/cache/yum"}
    assert [c.variant for c in MANAGERS[Manager.YARN].caches] == ["classic", "berry"]
    assert MANAGERS[Manager.UV].mount_env == (("UV_LINK_MODE", "copy"),)
