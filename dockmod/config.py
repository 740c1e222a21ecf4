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
    max-file-size = "4M"
    syntax-directive = "none"   # or "floating" / "minimum"

    [tool.dockmod.per-file-ignores]
    "legacy/*.Dockerfile" = ["DM401"]

    [tool.dockmod.transform.add-cache-mounts]
    package-managers = ["pip", "apt", "npm"]
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from dockmod.errors import ConfigError

KEYS = ("select", "extend-select", "ignore", "unsafe-fixes", "exclude", "per-file-ignores",
        "target-syntax", "max-file-size", "syntax-directive", "transform")
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
    #: Files larger than this many bytes are refused (None: ``dockmod.io.DEFAULT_MAX_FILE_SIZE``).
    max_file_size: int | None = None
    #: ``# syntax`` policy for files without a directive (engine.SyntaxPolicy values).
    syntax_directive: str | None = None
    #: Per-transform options keyed by transform name.
    transform: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def root(self) -> Path | None:
        return self.path.parent if self.path else None


def _suggest(key: str, valid: tuple[str, ...] | list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(valid), n=1)
    return f"; did you mean `{close[0]}`?" if close else ""


_SYNTAX_RE = re.compile(r"^1\.(0|[1-9][0-9]{0,3})$")


def parse_target_syntax(value: Any, path: Path | None = None) -> tuple[int, int]:
    """``"1.N"`` → ``(1, N)``: the only frontend versions ``docker/dockerfile`` has."""
    where = str(path) if path else None
    if not isinstance(value, str):
        raise ConfigError(f"`target-syntax` must be a string like \"1.7\", got {value!r}", path=where)
    text = value.strip()
    if not _SYNTAX_RE.match(text):
        raise ConfigError(f"`target-syntax` must look like \"1.7\" (docker/dockerfile:1.N), got {text!r}",
                          path=where)
    return 1, int(text.split(".")[1])


_SIZE_RE = re.compile(r"^\s*([0-9]+)\s*([kKmMgG]?)i?[bB]?\s*$")


def parse_size(value: Any, path: Path | None = None, key: str = "max-file-size") -> int:
    """A size in bytes: an integer, or a string with a K, M or G suffix (powers of 1024)."""
    where = str(path) if path else None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ConfigError(f"`{key}` must be a number of bytes or a string like \"4M\", got {value!r}",
                          path=where)
    if isinstance(value, int):
        n = value
    else:
        m = _SIZE_RE.match(value)
        if not m:
            raise ConfigError(f"`{key}` must be a number of bytes or a string like \"4M\", got {value!r}",
                              path=where)
        n = int(m.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]
    if n <= 0:
        raise ConfigError(f"`{key}` must be positive, got {value!r}", path=where)
    return n


def check_codes(items: list[str] | tuple[str, ...], key: str, path: Path | None = None) -> None:
    """Raise :class:`ConfigError` for a selector (code, prefix or name) that matches no transform."""
    from dockmod.transforms import REGISTRY, unknown_selectors

    bad = unknown_selectors(list(items))
    if not bad:
        return
    import difflib

    names = [t.meta.code for t in REGISTRY] + [t.meta.name for t in REGISTRY]
    parts = []
    for item in bad:
        close = []
        if item[:2].upper() == "DM":  # DM5O2, DM5l2: letters typed for digits
            digits = item[:2].upper() + item[2:].upper().replace("O", "0").replace("I", "1").replace("L", "1")
            if any(t.meta.code.startswith(digits) for t in REGISTRY):
                close = [digits]
        close = close or difflib.get_close_matches(item.upper() if item[:2].upper() == "DM" else item.lower(),
                                                   names, n=1, cutoff=0.6)
        parts.append(f"`{item}`" + (f" (did you mean `{close[0]}`?)" if close else ""))
    raise ConfigError(f"unknown code in `{key}`: {', '.join(parts)} (see `dockmod transforms`)",
                      path=str(path) if path else None)


def compile_patterns(patterns: tuple[str, ...], key: str, path: Path | None = None):  # type: ignore[no-untyped-def]
    """A gitignore-style spec of ``patterns``; a pattern that is not valid is a ConfigError."""
    import pathspec

    for p in patterns:
        try:
            pathspec.GitIgnoreSpec.from_lines([p])
        except Exception as e:  # pathspec raises several types
            raise ConfigError(f"invalid pattern {p!r} in `{key}`: {e}", path=str(path) if path else None) from None
    return pathspec.GitIgnoreSpec.from_lines(list(patterns))


def parse_syntax_directive(value: Any, path: Path | None = None) -> str:
    if not isinstance(value, str) or value not in SYNTAX_DIRECTIVE:
        raise ConfigError(f"`syntax-directive` must be one of {', '.join(map(repr, SYNTAX_DIRECTIVE))}, "
                          f"got {value!r}", path=str(path) if path else None)
    return value


def _str_list(table: dict[str, Any], key: str, path: Path, label: str | None = None) -> tuple[str, ...]:
    v = table[key]
    label = label or key
    if isinstance(v, str) or not isinstance(v, list):
        raise ConfigError(f"`{label}` must be a list of strings, got {type(v).__name__}", path=str(path))
    for i, x in enumerate(v):
        if not isinstance(x, str):
            raise ConfigError(f"`{label}` must be a list of strings; item {i + 1} is {x!r}", path=str(path))
    return tuple(v)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except OSError as e:
        raise ConfigError(f"cannot read configuration: {e.strerror or e}", path=str(path)) from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"cannot read configuration: not UTF-8 ({e.reason} at byte {e.start})",
                          path=str(path)) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"invalid TOML: {e}", path=str(path)) from None


def _dockmod_table(data: dict[str, Any], path: Path) -> dict[str, Any] | None:
    """``[tool.dockmod]`` of a pyproject.toml, None when absent; ConfigError when not a table."""
    tool = data.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise ConfigError(f"`tool` must be a table, got {type(tool).__name__}", path=str(path))
    table = tool.get("dockmod")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"`tool.dockmod` must be a table, got {type(table).__name__}", path=str(path))
    return table


def load(path: Path) -> Config:
    """Load and validate one configuration file."""
    data = _read_toml(path)
    # pyproject.toml holds [tool.dockmod]; dockmod.toml holds the keys at top level.
    table = (_dockmod_table(data, path) or {}) if path.name == "pyproject.toml" else data
    return from_table(table, path)


def from_table(table: dict[str, Any], path: Path) -> Config:
    for key in table:
        if key not in KEYS:
            raise ConfigError(f"unknown key `{key}`{_suggest(key, KEYS)}", path=str(path))
    kw: dict[str, Any] = {"path": path}
    for key in ("select", "extend-select", "ignore"):
        if key in table:
            kw[key.replace("-", "_")] = _str_list(table, key, path)
            check_codes(kw[key.replace("-", "_")], key, path)
    if "exclude" in table:
        kw["exclude"] = _str_list(table, "exclude", path)
        compile_patterns(kw["exclude"], "exclude", path)
    if "max-file-size" in table:
        kw["max_file_size"] = parse_size(table["max-file-size"], path)
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
        kw["per_file_ignores"] = tuple((k, _str_list(pfi, k, path, f"per-file-ignores.{k}")) for k in pfi)
        for k, codes in kw["per_file_ignores"]:
            check_codes(codes, f"per-file-ignores.{k}", path)
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
            _check_option(name, declared[key], value, path)
        out[name] = dict(opts)
    return out


def _check_option(transform: str, opt: Any, value: Any, path: Path) -> None:
    want = opt.type
    if not isinstance(value, want) or (want is not bool and isinstance(value, bool)):
        raise ConfigError(f"option `{opt.name}` of `{transform}` must be {want.__name__}, "
                          f"got {type(value).__name__}", path=str(path))
    if want is int and opt.minimum is not None and value < opt.minimum:
        raise ConfigError(f"option `{opt.name}` of `{transform}` must be at least {opt.minimum}, got {value}",
                          path=str(path))
    item = opt.item
    if item is None and want is list and isinstance(opt.default, (list, tuple)) and opt.default:
        item = type(opt.default[0])
    if item is None:
        return
    items = value.values() if want is dict else value if want is list else ()
    kinds = item if isinstance(item, tuple) else (item,)
    for i, x in enumerate(items):
        if not isinstance(x, kinds) or (bool not in kinds and isinstance(x, bool)):
            names = " or ".join(k.__name__ for k in kinds)
            where = f"item {i + 1}" if want is list else f"the value of `{list(value)[i]}`"
            raise ConfigError(f"option `{opt.name}` of `{transform}` must be a "
                              f"{'list' if want is list else 'table'} of {names}; {where} is {x!r}", path=str(path))


def _own_config(d: str) -> Path | None:
    """The configuration file of folder ``d`` itself (not its parents), or None."""
    candidate = os.path.join(d, "dockmod.toml")
    if os.path.isfile(candidate):
        return Path(candidate)
    candidate = os.path.join(d, "pyproject.toml")
    if os.path.isfile(candidate):
        path = Path(candidate)
        # A pyproject.toml that cannot be read or parsed is an error, not a silent
        # fallback to the defaults (it may hold the [tool.dockmod] that a CI gate needs).
        if _dockmod_table(_read_toml(path), path) is not None:
            return path
    return None


_MISS = object()


class _Finder:
    """:func:`find`, with its answers cached per folder (each folder is looked at once per
    run, whatever the number of files below it: a fleet of 10,000 folders costs 10,000
    looks, not one walk to ``/`` each). ``find.cache_clear()`` forgets them."""

    def __init__(self) -> None:
        self._found: dict[str, Path | None] = {}
        #: folder as given (absolute, not normalised) -> its resolved path (for :func:`for_file`).
        self._resolved: dict[str, str] = {}
        #: file as given, joined to the working folder -> the configuration file that applies.
        self._files: dict[str, Path | None] = {}

    def cache_clear(self) -> None:
        self._found.clear()
        self._resolved.clear()
        self._files.clear()

    def for_file(self, file: Path | str) -> Path | None:
        """The configuration file that applies to ``file`` (a run asks for each file
        several times: discovery's ``exclude``, pinning, the file's own job)."""
        key = os.path.join(os.getcwd(), file)
        hit = self._files.get(key, _MISS)
        if hit is _MISS:
            try:
                folder = self.resolved_folder(file)
            except (OSError, RuntimeError):  # a symlink loop: reported when the file is read
                folder = os.path.dirname(os.path.abspath(file))
            hit = self._files[key] = self.lookup(folder)
        return hit  # type: ignore[no-any-return]

    def __call__(self, start: Path) -> Path | None:
        """The nearest ``dockmod.toml`` or ``pyproject.toml`` with ``[tool.dockmod]`` at or above
        the folder ``start`` (relative to the current folder), found as :func:`for_file` finds
        it: through the resolved folder, so ``link/..`` is the link target's parent."""
        return self.lookup(self._resolve_dir(os.path.join(os.getcwd(), os.fspath(start))))

    def lookup(self, d: str) -> Path | None:
        """:meth:`__call__` for an absolute folder given as a str."""
        found_map = self._found
        chain: list[str] = []
        answer: Any = _MISS
        while True:
            answer = found_map.get(d, _MISS)
            if answer is not _MISS:
                break
            chain.append(d)
            answer = _own_config(d)
            if answer is not None:
                break
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
        # Every folder walked through answers what the walk found above it.
        for folder in chain:
            found_map[folder] = answer
        return answer

    def resolved_folder(self, file: Path | str) -> str:
        """``str(file.resolve().parent)``, with each folder resolved once: from its parent's
        resolved path and one ``lstat`` (a file or folder that is a symbolic link is
        resolved in full)."""
        f = os.fspath(file)
        if os.path.islink(f):
            return os.path.dirname(os.path.realpath(f))
        # Joined, not normalised: `link/..` must go through the link, as resolve() does.
        return self._resolve_dir(os.path.join(os.getcwd(), os.path.dirname(f) or "."))

    def _resolve_dir(self, d: str) -> str:
        hit = self._resolved.get(d)
        if hit is not None:
            return hit
        parent, name = os.path.split(d)
        if not name or name in (".", "..") or parent == d or os.path.islink(d):
            hit = os.path.realpath(d)
        else:
            hit = os.path.join(self._resolve_dir(parent), name)
        self._resolved[d] = hit
        return hit


find = _Finder()


@lru_cache(maxsize=4096)
def load_cached(path: Path) -> Config:
    return load(path)


def for_file(file: Path | str, explicit: Path | None = None) -> Config:
    """The configuration that applies to ``file``."""
    if explicit is not None:
        return load_cached(explicit.resolve())
    found = find.for_file(file)
    return load_cached(found) if found else Config()
