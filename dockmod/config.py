"""Configuration: ``[tool.dockmod]`` in ``pyproject.toml``, or ``dockmod.toml``.

The nearest configuration file above each Dockerfile applies (``dockmod.toml`` wins over
``pyproject.toml`` in the same folder); ``--config`` names one file for the whole run.
Keys are kebab-case, as in ruff and black. Unknown keys are errors that name the file and
suggest the nearest valid key.

.. code-block:: toml

    [tool.dockmod]
    select = ["DM1", "DM2"]
    ignore = ["DM202"]
    unsafe-fixes = false
    exclude = ["vendor/**"]
    target-syntax = "1.7"
    syntax-directive = "none"   # or "floating" / "minimum"

    [tool.dockmod.per-file-ignores]
    "legacy/*.Dockerfile" = ["DM401"]

    [tool.dockmod.transform.add-cache-mounts]
    package-managers = ["pip", "apt", "npm"]
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from dockmod.errors import ConfigError

KEYS = ("select", "extend-select", "ignore", "unsafe-fixes", "exclude", "per-file-ignores",
        "target-syntax", "syntax-directive", "transform")
SYNTAX_DIRECTIVE = ("none", "floating", "minimum")


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool = False
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    target_syntax: tuple[int, int] | None = None
    #: ``# syntax`` policy for files without a directive (engine.SyntaxPolicy values).
    syntax_directive: str | None = None
    #: Per-transform options keyed by transform name.
    transform: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def root(self) -> Path | None:
        return self.path.parent if self.path else None


def _suggest(key: str, valid: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(key, list(valid), n=1)
    return f"; did you mean `{close[0]}`?" if close else ""


def parse_target_syntax(value: Any, path: Path | None = None) -> tuple[int, int]:
    text = str(value).strip()
    parts = text.split(".")
    try:
        if len(parts) != 2:
            raise ValueError
        return int(parts[0]), int(parts[1])
    except ValueError:
        raise ConfigError(f"`target-syntax` must look like \"1.7\", got {text!r}", path=str(path) if path else None) from None


def parse_syntax_directive(value: Any, path: Path | None = None) -> str:
    if not isinstance(value, str) or value not in SYNTAX_DIRECTIVE:
        raise ConfigError(f"`syntax-directive` must be one of {', '.join(map(repr, SYNTAX_DIRECTIVE))}, "
                          f"got {value!r}", path=str(path) if path else None)
    return value


def _str_list(table: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    v = table[key]
    if isinstance(v, str) or not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ConfigError(f"`{key}` must be a list of strings", path=str(path))
    return tuple(v)


def load(path: Path) -> Config:
    """Load and validate one configuration file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read configuration: {e}", path=str(path)) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"invalid TOML: {e}", path=str(path)) from None
    # pyproject.toml holds [tool.dockmod]; dockmod.toml holds the keys at top level.
    table = data.get("tool", {}).get("dockmod", {}) if path.name == "pyproject.toml" else data
    return from_table(table, path)


def from_table(table: dict[str, Any], path: Path) -> Config:
    for key in table:
        if key not in KEYS:
            raise ConfigError(f"unknown key `{key}`{_suggest(key, KEYS)}", path=str(path))
    kw: dict[str, Any] = {"path": path}
    if "select" in table:
        kw["select"] = _str_list(table, "select", path)
    if "extend-select" in table:
        kw["extend_select"] = _str_list(table, "extend-select", path)
    if "ignore" in table:
        kw["ignore"] = _str_list(table, "ignore", path)
    if "exclude" in table:
        kw["exclude"] = _str_list(table, "exclude", path)
    if "unsafe-fixes" in table:
        if not isinstance(table["unsafe-fixes"], bool):
            raise ConfigError("`unsafe-fixes` must be true or false", path=str(path))
        kw["unsafe_fixes"] = table["unsafe-fixes"]
    if "target-syntax" in table:
        kw["target_syntax"] = parse_target_syntax(table["target-syntax"], path)
    if "syntax-directive" in table:
        kw["syntax_directive"] = parse_syntax_directive(table["syntax-directive"], path)
    if "per-file-ignores" in table:
        pfi = table["per-file-ignores"]
        if not isinstance(pfi, dict):
            raise ConfigError("`per-file-ignores` must be a table of pattern = [codes]", path=str(path))
        kw["per_file_ignores"] = tuple((k, _str_list(pfi, k, path)) for k in pfi)
    if "transform" in table:
        kw["transform"] = _transform_options(table["transform"], path)
    return Config(**kw)


def _transform_options(table: Any, path: Path) -> dict[str, dict[str, Any]]:
    from dockmod.transforms import REGISTRY

    if not isinstance(table, dict):
        raise ConfigError("`transform` must be a table of transform names", path=str(path))
    by_name = {t.meta.name: t for t in REGISTRY}
    out: dict[str, dict[str, Any]] = {}
    for name, opts in table.items():
        if name not in by_name:
            raise ConfigError(f"unknown transform `{name}` in [transform]{_suggest(name, list(by_name))}",
                              path=str(path))
        declared = {o.name: o for o in by_name[name].meta.options}
        if not isinstance(opts, dict):
            raise ConfigError(f"[transform.{name}] must be a table", path=str(path))
        for key, value in opts.items():
            if key not in declared:
                valid = list(declared) or ["(this transform has no options)"]
                raise ConfigError(f"unknown option `{key}` for `{name}`{_suggest(key, valid)}",
                                  path=str(path))
            want = declared[key].type
            if not isinstance(value, want) or (want is int and isinstance(value, bool)):
                raise ConfigError(f"option `{key}` of `{name}` must be {want.__name__}", path=str(path))
        out[name] = dict(opts)
    return out


@lru_cache(maxsize=1024)
def find(start: Path) -> Path | None:
    """The nearest ``dockmod.toml`` or ``pyproject.toml`` with ``[tool.dockmod]`` at or above ``start``."""
    for d in (start, *start.parents):
        candidate = d / "dockmod.toml"
        if candidate.is_file():
            return candidate
        candidate = d / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if "dockmod" in data.get("tool", {}):
                return candidate
    return None


@lru_cache(maxsize=256)
def load_cached(path: Path) -> Config:
    return load(path)


def for_file(file: Path, explicit: Path | None = None) -> Config:
    """The configuration that applies to ``file``."""
    if explicit is not None:
        return load_cached(explicit.resolve())
    found = find(file.resolve().parent)
    return load_cached(found) if found else Config()
