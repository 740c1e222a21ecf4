"""What a dependency manifest read from the build context says about a reorder.

Used by DM201 (``reorder_dependency_copy``) to prove, from the files themselves, the
conditions under which installing before the whole-context copy keeps the image:

* the manifest is self-contained: it names no other local file or folder
  (``-r``/``-c`` includes are followed and returned so they can be copied too; ``-e``,
  ``file:``/``link:``/path dependencies, workspaces, ``replace => ./dir``, ``gemspec``
  cannot be);
* the install runs no project lifecycle script (``package.json`` install hooks,
  ``composer.json`` install/autoload hooks).

Each reader returns the *reasons* a condition cannot be shown; an empty list proves it.
Sources for the formats: pip's requirements file format
(https://pip.pypa.io/en/stable/reference/requirements-file-format/), npm's package.json
(https://docs.npmjs.com/cli/v10/configuring-npm/package-json#dependencies) and
lifecycle scripts (https://docs.npmjs.com/cli/v10/using-npm/scripts#life-cycle-operation-order),
Poetry's path dependencies (https://python-poetry.org/docs/dependency-specification/#path-dependencies),
uv's sources (https://docs.astral.sh/uv/concepts/projects/dependencies/#path),
Go's ``replace`` directive (https://go.dev/ref/mod#go-mod-file-replace), Bundler's
Gemfile (https://bundler.io/man/gemfile.5.html), Composer's path repositories and
scripts (https://getcomposer.org/doc/05-repositories.md#path,
https://getcomposer.org/doc/articles/scripts.md), Maven's POM
(https://maven.apache.org/pom.html#aggregation-or-multi-module).
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

#: ``package.json`` scripts that ``npm install``/``ci`` (and yarn, pnpm) run for the
#: project itself.
NPM_INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare",
                       "postprepare")
#: composer.json script events an install fires.
COMPOSER_INSTALL_SCRIPTS = ("pre-install-cmd", "post-install-cmd", "pre-autoload-dump", "post-autoload-dump",
                            "post-root-package-install", "pre-dependencies-solving", "post-dependencies-solving",
                            "pre-package-install", "post-package-install")
_LOCAL_SPEC = ("file:", "link:", "portal:", "workspace:", "./", "../", "/", "~/")


@dataclass
class Reading:
    """What reading the manifests of one install found."""

    #: Why a manifest may name files that are not copied with it.
    not_self_contained: list[str] = field(default_factory=list)
    #: Why the install may run the project's own scripts.
    scripts: list[str] = field(default_factory=list)
    #: Further files (context-relative) the manifests include and that must be copied too.
    includes: list[str] = field(default_factory=list)
    #: Folders an install reads as inputs, as ``(manifest, folder as written)``: a go.mod
    #: ``replace`` with a local target (relative to the manifest's folder).
    folders: list[tuple[str, str]] = field(default_factory=list)


Reader = Callable[[bytes], bytes | None]
#: Why a file the reader does not give is missing (``BuildContext.missing``).
Missing = Callable[[str], str]


def _not_sent(path: str) -> str:
    return f"the context does not send `{path}`"


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


# pip's requirements file format (https://pip.pypa.io/en/stable/reference/requirements-file-format/,
# and pip's ``req_file.break_args_options``): a line is a requirement (the words before the
# first one starting with ``-``) followed by options, or options alone; several options may
# share a line (``--no-index --find-links wheels``, ``--pre -r base.txt``).
# The options that take a value, and of those the ones that name a place packages come from.
_PIP_VALUE_OPTIONS = frozenset({
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-f", "--find-links", "-i",
    "--index-url", "--extra-index-url", "--trusted-host", "--use-feature", "--only-binary", "--no-binary",
    "--hash", "--config-settings", "--global-option", "--install-option"})
_PIP_SHORT = ("-r", "-c", "-e", "-f", "-i")
# Archives pip installs from a path (pip's ``is_archive_file``: wheels and sdists).
_ARCHIVE = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar.lz", ".tlz", ".tar")


def _pip_options(text: str) -> list[tuple[str, str | None]] | None:
    """The options of a requirements line as (option, value); None when the line cannot
    be split as pip splits it (an unbalanced quote)."""
    try:
        words = shlex.split(text)
    except ValueError:
        return None
    out: list[tuple[str, str | None]] = []
    i = 0
    while i < len(words):
        w = words[i]
        i += 1
        if w.startswith("--") and "=" in w:
            key, _, value = w.partition("=")
            out.append((key, value))
        elif w in _PIP_VALUE_OPTIONS:
            out.append((w, words[i] if i < len(words) else None))
            i += 1
        elif w.startswith(_PIP_SHORT) and not w.startswith("--") and len(w) > 2:
            out.append((w[:2], w[2:].lstrip("=")))  # ``-rbase.txt``
        else:
            out.append((w, None))
    return out


def _local_requirement(spec: str) -> bool:
    """A requirement pip installs from a local path (pip's ``parse_req_from_line``): not a
    URL (``https://…/x.whl``, ``git+https://…``; a ``file:`` URL is local) nor
    ``name @ URL``, and either a word that looks like a path to pip (``_looks_like_path``:
    it holds ``/`` or starts with ``.``) or an archive file name (``pkg-1.0.whl``, from
    the current folder)."""
    spec = re.split(r"\s;|;\s", spec, maxsplit=1)[0].strip()  # environment markers
    if "file:" in spec:
        return True
    if "://" in spec:
        return False  # a URL, or ``name @ URL``
    return "/" in spec or spec.startswith((".", "~")) or spec.lower().endswith(_ARCHIVE)


def read_requirements(name: str, data: bytes, read: Reader, out: Reading, seen: set[str],
                      missing: Missing = _not_sent) -> None:
    """A pip requirements/constraints file, following ``-r``/``-c`` into the context;
    ``missing`` says why an included file is not there."""
    seen.add(name)
    base = posixpath.dirname(name)
    text = re.sub(r"\\\r?\n", "", _text(data))
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        words = line.split(" ")
        first = next((i for i, w in enumerate(words) if w.startswith("-")), len(words))
        spec = " ".join(words[:first]).strip()
        if spec and _local_requirement(spec):
            out.not_self_contained.append(f"`{name}` installs `{spec.split()[0]}` from a local path")
        options = _pip_options(" ".join(words[first:]))
        if options is None:
            out.not_self_contained.append(f"`{name}` has a line pip would split differently: `{line}`")
            continue
        for option, value in options:
            _pip_option(name, base, option, value, read, out, seen, missing)


def _pip_option(name: str, base: str, option: str, value: str | None, read: Reader, out: Reading,
                seen: set[str], missing: Missing) -> None:
    """What one option of a requirements line needs from the context (see
    :func:`read_requirements`)."""
    if value is None:
        return  # a flag (``--pre``, ``--no-index``), or an option missing its value
    if option in ("-r", "--requirement", "-c", "--constraint"):
        inc = posixpath.normpath(posixpath.join(base, value))
        if "://" in value or inc.startswith("../") or inc.startswith("/"):
            out.not_self_contained.append(f"`{name}` includes `{value}`, outside the copied folder")
            return
        if inc in seen:
            return
        inc_data = read(inc)
        if inc_data is None:
            out.not_self_contained.append(f"`{name}` includes `{value}`, and {missing(inc)}")
            return
        out.includes.append(inc)
        read_requirements(inc, inc_data, read, out, seen, missing)
    elif option in ("-e", "--editable"):
        if not re.match(r"^[a-z+]+://|^(git|hg|svn|bzr)\+", value):
            out.not_self_contained.append(f"`{name}` installs `{value}` from the sources (`-e`)")
    elif option in ("-f", "--find-links", "-i", "--index-url", "--extra-index-url"):
        if "://" not in value or value.startswith("file:"):
            out.not_self_contained.append(f"`{name}` reads packages from `{value}`")


def read_package_json(name: str, data: bytes, out: Reading) -> None:
    try:
        doc = json.loads(_text(data))
    except ValueError:
        out.not_self_contained.append(f"`{name}` is not valid JSON")
        return
    if not isinstance(doc, dict):
        out.not_self_contained.append(f"`{name}` is not a JSON object")
        return
    if doc.get("workspaces"):
        out.not_self_contained.append(f"`{name}` declares workspaces, whose manifests are not copied")
    pnpm = doc.get("pnpm")
    tables = [(key, doc.get(key)) for key in ("dependencies", "devDependencies", "optionalDependencies",
                                              "peerDependencies", "overrides", "resolutions")]
    # pnpm's own overrides (https://pnpm.io/package_json#pnpmoverrides), nested: ``"foo":
    # "file:./vendor/foo"``, or ``"bar>foo": "link:../foo"``.
    tables.append(("pnpm.overrides", pnpm.get("overrides") if isinstance(pnpm, dict) else None))
    for _key, deps in tables:
        if not isinstance(deps, dict):
            continue
        for dep, spec in _specs(deps):
            if spec.startswith(_LOCAL_SPEC):
                out.not_self_contained.append(f"`{name}` depends on `{dep}` from `{spec}`")
    _install_scripts(name, doc, NPM_INSTALL_SCRIPTS, "--ignore-scripts", out)


def _specs(deps: dict) -> Iterator[tuple[str, str]]:
    """(package, version spec) of a dependency table; npm's ``overrides`` nest a table
    under a package (``"foo": {".": "1.0", "bar": "file:./bar"}``)."""
    for dep, spec in deps.items():
        if isinstance(spec, str):
            yield dep, spec
        elif isinstance(spec, dict):
            yield from _specs(spec)


def _install_scripts(name: str, doc: dict, known: Iterable[str], flag: str, out: Reading) -> None:
    """Record the install hooks a manifest's ``scripts`` table defines (npm, composer)."""
    scripts = doc.get("scripts")
    if isinstance(scripts, dict):
        hooks = [s for s in known if s in scripts]
        if hooks:
            out.scripts.append(f"`{name}` has install scripts ({', '.join(f'`{h}`' for h in hooks)}) "
                               f"and the install has no `{flag}`")


def read_lockfile(name: str, data: bytes, out: Reading) -> None:
    """npm, yarn and pnpm lock files record local dependencies as ``file:``/``link:``."""
    text = _text(data)
    if re.search(r"""["'\s@(]?(file|link):""", text):
        out.not_self_contained.append(f"`{name}` locks a local (`file:`/`link:`) dependency")


def read_pyproject(name: str, data: bytes, out: Reading) -> None:
    try:
        doc = tomllib.loads(_text(data))
    except tomllib.TOMLDecodeError:
        out.not_self_contained.append(f"`{name}` is not valid TOML")
        return
    tool = doc.get("tool", {}) if isinstance(doc.get("tool"), dict) else {}
    poetry = tool.get("poetry", {}) if isinstance(tool.get("poetry"), dict) else {}
    tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    groups = poetry.get("group", {})
    if isinstance(groups, dict):
        tables += [g.get("dependencies") for g in groups.values() if isinstance(g, dict)]
    for table in tables:
        if not isinstance(table, dict):
            continue
        for dep, spec in table.items():
            specs = spec if isinstance(spec, list) else [spec]
            if any(isinstance(s, dict) and "path" in s for s in specs):
                out.not_self_contained.append(f"`{name}` has a path dependency `{dep}`")
    uv = tool.get("uv", {}) if isinstance(tool.get("uv"), dict) else {}
    _uv_locations(name, uv, out)
    if "workspace" in uv:
        out.not_self_contained.append(f"`{name}` declares a uv workspace, whose members are not copied")
    sources = uv.get("sources", {})
    if isinstance(sources, dict):
        for dep, spec in sources.items():
            specs = spec if isinstance(spec, list) else [spec]
            if any(isinstance(s, dict) and ("path" in s or s.get("workspace")) for s in specs):
                out.not_self_contained.append(f"`{name}` takes `{dep}` from a local path")
    project = doc.get("project", {}) if isinstance(doc.get("project"), dict) else {}
    reqs = list(project.get("dependencies", []) or [])
    for extra in (project.get("optional-dependencies") or {}).values():
        reqs += list(extra or [])
    for group in (doc.get("dependency-groups") or {}).values():
        reqs += [g for g in group or [] if isinstance(g, str)]
    for req in reqs:
        if isinstance(req, str) and "file:" in req:
            out.not_self_contained.append(f"`{name}` depends on `{req}`")


def read_pipfile(name: str, data: bytes, out: Reading) -> None:
    try:
        doc = tomllib.loads(_text(data))
    except tomllib.TOMLDecodeError:
        out.not_self_contained.append(f"`{name}` is not valid TOML")
        return
    for section in ("packages", "dev-packages"):
        for dep, spec in (doc.get(section) or {}).items():
            if isinstance(spec, dict) and "path" in spec:
                out.not_self_contained.append(f"`{name}` has a path dependency `{dep}`")


def read_go_mod(name: str, data: bytes, out: Reading) -> None:
    for target in go_local_replacements(data):
        out.folders.append((name, target))


def read_gemfile(name: str, data: bytes, out: Reading) -> None:
    # A Gemfile is Ruby: only the documented ways of naming local files are looked for.
    for m in re.finditer(r"^\s*(gemspec|path\b|eval_gemfile|require_relative|load\b|instance_eval)|"
                         r"\bpath:\s*|:path\s*=>", _text(data), re.MULTILINE):
        word = (m.group(1) or m.group(0)).strip()
        out.not_self_contained.append(f"`{name}` uses `{word}`, which reads local files")
        return


def read_composer_json(name: str, data: bytes, out: Reading) -> None:
    try:
        doc = json.loads(_text(data))
    except ValueError:
        out.not_self_contained.append(f"`{name}` is not valid JSON")
        return
    if not isinstance(doc, dict):
        return
    repos = doc.get("repositories")
    repos = repos.values() if isinstance(repos, dict) else (repos or [])
    if any(isinstance(r, dict) and r.get("type") == "path" for r in repos):
        out.not_self_contained.append(f"`{name}` has a `path` repository")
    _install_scripts(name, doc, COMPOSER_INSTALL_SCRIPTS, "--no-scripts", out)


def read_pom(name: str, data: bytes, out: Reading) -> None:
    """A Maven POM (https://maven.apache.org/pom.html): modules, a parent named by path and
    ``systemPath`` dependencies name files the POM alone does not bring. Read as XML (see
    :func:`xml_texts`: no DTD, so no entities); a POM that is not read is not known to be
    self-contained."""
    try:
        elements = xml_texts(data)
    except XmlRefused as e:
        out.not_self_contained.append(f"`{name}` {e}")
        return
    # Local names: the POM namespace may be the default one or have a prefix.
    found = {(tag.rsplit(":", 1)[-1], bool(text.strip())) for tag, text in elements}
    # https://maven.apache.org/pom.html#aggregation
    if ("module", True) in found:
        out.not_self_contained.append(f"`{name}` has modules, whose POMs are not copied")
    # https://maven.apache.org/pom.html#inheritance (an explicit relativePath)
    if ("relativePath", True) in found:
        out.not_self_contained.append(f"`{name}` names a parent POM by path")
    # https://maven.apache.org/guides/introduction/introduction-to-dependency-mechanism.html#system-dependencies
    if ("systemPath", True) in found or ("systemPath", False) in found:
        out.not_self_contained.append(f"`{name}` has a `systemPath` dependency")


def read_manifests(names: dict[str, bool], read: Reader, *, requirement_files: frozenset[str],
                   inert: frozenset[str] = frozenset(), missing: Missing = _not_sent) -> tuple[Reading, list[str]]:
    """Read the install's manifests (context-relative path → optional) through ``read``.

    Returns what was found and the required manifests the context does not send.
    ``requirement_files`` are the pip ``-r``/``-c`` files among ``names``; ``inert`` the
    configuration and patch files among them, which name no dependency: only their
    package locations are read (:func:`read_tool_config`).
    """
    out = Reading()
    absent = []
    seen: set[str] = set()
    for path, optional in names.items():
        data = read(path)
        if data is None:
            if not optional:
                absent.append(path)
            continue
        base = posixpath.basename(path)
        if path in inert:
            read_tool_config(path, data, out)
            continue
        if path in requirement_files:
            if path not in seen:
                read_requirements(path, data, read, out, seen, missing)
        elif base == "package.json":
            read_package_json(path, data, out)
        elif base in ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"):
            read_lockfile(path, data, out)
        elif base == "pyproject.toml":
            read_pyproject(path, data, out)
        elif base == "Pipfile":
            read_pipfile(path, data, out)
        elif base == "go.mod":
            read_go_mod(path, data, out)
        elif base.endswith("Gemfile") or base == "gems.rb":
            read_gemfile(path, data, out)
        elif base == "composer.json":
            read_composer_json(path, data, out)
        elif base == "Cargo.toml":
            read_cargo_toml(path, data, out)
        elif base.endswith(_MSBUILD_SUFFIXES):
            read_msbuild(path, data, out)
        elif base.endswith(".xml") or base == "pom.xml":
            read_pom(path, data, out)
        elif base == "go.work":
            pass  # its folders (use, replace) decline the reorder: local_folders
        elif base == "pnpm-workspace.yaml":
            # Its top-level ``packages`` key lists the workspace's folders; pnpm 10 also keeps
            # settings there (``overrides``, ``patchedDependencies`` …), which may name local
            # files (https://pnpm.io/pnpm-workspace_yaml): either way it is not read here.
            if re.search(rb"(?m)^packages\s*:", data):
                out.not_self_contained.append(f"`{path}` declares workspaces, whose manifests are not copied")
            else:
                out.not_self_contained.append(
                    f"dockmod does not read `{path}`'s settings to show they name no other local files")
        elif base not in _INERT:
            out.not_self_contained.append(f"dockmod does not read `{path}` to show it names no other local files")
    return out, absent


# uv settings naming where packages come from (https://docs.astral.sh/uv/reference/settings/):
# top level and under `pip`; `index` is a list of tables with a `url`.
_UV_LOCATIONS = ("find-links", "index-url", "extra-index-url")


def read_tool_config(name: str, data: bytes, out: Reading) -> None:
    """A configuration file copied with the manifests: uv's settings (``uv.toml``, the
    ``[tool.uv]`` table of ``pyproject.toml``) may read packages from a local folder, which
    the manifest copy would not bring. Other configuration files name no local input."""
    base = posixpath.basename(name)
    if base not in ("uv.toml", "pyproject.toml"):
        return
    try:
        doc = tomllib.loads(_text(data))
    except tomllib.TOMLDecodeError:
        out.not_self_contained.append(f"`{name}` is not valid TOML")
        return
    if base == "pyproject.toml":
        tool = doc.get("tool")
        doc = tool.get("uv") if isinstance(tool, dict) else None
    _uv_locations(name, doc, out)


def _uv_locations(name: str, doc: object, out: Reading) -> None:
    """uv settings (a ``uv.toml`` document or a ``[tool.uv]`` table) that read packages
    from a local folder."""
    if not isinstance(doc, dict):
        return
    tables = [doc, doc.get("pip")]
    locations: list[object] = []
    for table in tables:
        if not isinstance(table, dict):
            continue
        for key in _UV_LOCATIONS:
            value = table.get(key)
            locations += value if isinstance(value, list) else [value]
        for index in table.get("index") or []:
            if isinstance(index, dict):
                locations.append(index.get("url"))
    for loc in locations:
        if isinstance(loc, str) and ("://" not in loc or loc.startswith("file:")):
            out.not_self_contained.append(f"`{name}` reads packages from `{loc}`")


def toml_has_table(data: bytes, dotted: str) -> bool:
    """The TOML document has the table ``dotted`` (``tool.uv``); True when it is not valid
    TOML (the tool may still read it)."""
    try:
        doc: object = tomllib.loads(_text(data))
    except tomllib.TOMLDecodeError:
        return True
    for key in dotted.split("."):
        if not isinstance(doc, dict) or key not in doc:
            return False
        doc = doc[key]
    return True


def patched_files(data: bytes, table: tuple[str, ...]) -> list[tuple[str, str]] | str:
    """The patch files the ``table`` of a ``package.json`` names, as (package, path as
    written) (pnpm: https://pnpm.io/package_json#pnpmpatcheddependencies; bun:
    https://bun.sh/docs/install/patch); why they cannot be listed, as a string."""
    where = ".".join(table)
    try:
        doc: object = json.loads(_text(data))
    except ValueError:
        return "`package.json` is not valid JSON, so its patched dependencies cannot be read"
    for key in table:
        if not isinstance(doc, dict):
            return f"`{where}` in `package.json` cannot be read"
        doc = doc.get(key)
        if doc is None:
            return []
    if not isinstance(doc, dict):
        return f"`{where}` in `package.json` is not a table of patch files"
    out = []
    for dep, path in doc.items():
        if not isinstance(path, str) or not path:
            return f"`{where}` in `package.json` gives `{dep}` no patch file path"
        out.append((dep, path))
    return out


# `require("./x")`, `require('../x')`, `import … from "./x"`, `import("./x")`: a module
# loaded by a path relative to the file (https://nodejs.org/api/modules.html#file-modules).
_LOCAL_LOAD = re.compile(r"""\b(?:require|import)\s*\(\s*(['"`])(\.{0,2}/[^'"`]*)\1|"""
                         r"""\bfrom\s*(['"])(\.{0,2}/[^'"]*)\3""")
# A load whose argument is not a string literal, or a file read, may reach any local file.
_COMPUTED_LOAD = re.compile(r"""\b(?:require|import)\s*\(\s*(?!['"`][^'"`$]*['"`]\s*\))|"""
                            r"""\b(?:readFileSync|readFile|readdirSync|existsSync)\s*\(""")


def script_loads(data: bytes) -> str | None:
    """What a JavaScript configuration file (``.pnpmfile.cjs``) loads from local files,
    as a message; None when it loads only packages by name (``require("fs")``)."""
    text = _text(data)
    m = _LOCAL_LOAD.search(text)
    if m:
        return f"loads `{m.group(2) or m.group(4)}`"
    m = _COMPUTED_LOAD.search(text)
    if m:
        return f"calls `{m.group(0).rstrip('( ').strip()}` on a path dockmod does not follow"
    return None


# Files that name no other local file (lock files record what the manifests resolved to;
# the npm/yarn ones are read above for `file:` entries; settings files name registries).
_INERT = frozenset({
    "poetry.lock", "uv.lock", "Pipfile.lock", "go.sum", "go.work.sum", "Gemfile.lock", "gems.locked",
    "composer.lock", "Cargo.lock", "mix.lock", "Package.resolved", "bun.lock", "bun.lockb", "pubspec.lock", ".npmrc",
    ".yarnrc", ".yarnrc.yml", ".python-version", "packages.lock.json", "global.json",
    "NuGet.Config", "nuget.config", "NuGet.config", "rust-toolchain", "rust-toolchain.toml", "mvnw",
    "maven-wrapper.properties", "maven.config", "jvm.config",
})


# -- Cargo (https://doc.rust-lang.org/cargo/reference/manifest.html) --------------------
#: Tables of explicit targets, whose files a placeholder build would not have:
#: https://doc.rust-lang.org/cargo/reference/cargo-targets.html#configuring-a-target
_CARGO_TARGETS = ("bin", "example", "test", "bench")


@dataclass
class Crate:
    """What the dependency-only pre-build needs to know about one crate."""

    package: str
    #: ``src/lib.rs`` / ``src/main.rs`` exist (the placeholders to create).
    lib: bool
    bin: bool
    #: Further files the pre-build reads and the context sends (context-relative).
    files: list[str] = field(default_factory=list)


def _cargo_doc(data: bytes) -> dict | None:
    try:
        return tomllib.loads(_text(data))
    except tomllib.TOMLDecodeError:
        return None


def _cargo_path_deps(doc: dict) -> list[str]:
    tables = [doc]
    targets = doc.get("target")
    if isinstance(targets, dict):
        tables += [t for t in targets.values() if isinstance(t, dict)]
    out = []
    for t in tables:
        for section in ("dependencies", "dev-dependencies", "build-dependencies"):
            deps = t.get(section)
            if isinstance(deps, dict):
                out += [d for d, spec in deps.items() if isinstance(spec, dict) and "path" in spec]
    patches = doc.get("patch")
    if isinstance(patches, dict):
        for reg in patches.values():
            if isinstance(reg, dict):
                out += [d for d, spec in reg.items() if isinstance(spec, dict) and "path" in spec]
    return out


def read_cargo_toml(name: str, data: bytes, out: Reading) -> None:
    doc = _cargo_doc(data)
    if doc is None:
        out.not_self_contained.append(f"`{name}` is not valid TOML")
        return
    if "workspace" in doc:
        out.not_self_contained.append(f"`{name}` declares a workspace, whose members are not copied")
    for dep in _cargo_path_deps(doc):
        out.not_self_contained.append(f"`{name}` has a path dependency `{dep}`")


def read_crate(folder: str, read: Reader, has_file: Callable[[str], bool], missing: Missing = _not_sent) -> Crate | str:
    """The crate in context folder ``folder``, or why a placeholder pre-build cannot
    stand in for it (a workspace, a build script, explicit targets, path dependencies)."""
    def at(rel: str) -> str:
        return rel if folder == "." else posixpath.join(folder, rel)

    data = read(at("Cargo.toml"))
    if data is None:
        return missing(at("Cargo.toml"))
    doc = _cargo_doc(data)
    if doc is None:
        return "`Cargo.toml` is not valid TOML"
    package = doc.get("package")
    if "workspace" in doc or not isinstance(package, dict):
        return "`Cargo.toml` is a workspace, whose members' manifests a pre-build would need"
    if "workspace" in package:
        return "the crate is a member of a workspace"
    name = package.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        return "`Cargo.toml` names no plain package"
    if "build" in package or has_file(at("build.rs")):
        return "the crate has a build script, which may read the sources"
    for table in _CARGO_TARGETS:
        if table in doc:
            return f"`Cargo.toml` declares `[[{table}]]` targets, which a placeholder does not have"
    if isinstance(doc.get("lib"), dict) and ({"path", "name"} & set(doc["lib"])):
        return "`Cargo.toml` names the library's file or crate"
    deps = _cargo_path_deps(doc)
    if deps:
        return f"`Cargo.toml` has a path dependency `{deps[0]}`, which is not copied"
    lib, bin = has_file(at("src/lib.rs")), has_file(at("src/main.rs"))
    if not (lib or bin):
        return "the context has neither `src/main.rs` nor `src/lib.rs`"
    files = []
    for extra in ("rust-toolchain.toml", "rust-toolchain", *CARGO_CONFIG_FILES):
        text = read(at(extra))
        if text is None:
            continue
        if extra in CARGO_CONFIG_FILES:
            moved = cargo_config_moves_output(text)
            if moved is None:
                return f"`{extra}` is not valid TOML"
            if moved:
                return f"`{extra}` moves the build output or sets the target (`build.{moved}`)"
        files.append(extra)
    return Crate(name, lib, bin, files)


#: Cargo's configuration files in a project folder (``config`` is the older name of the
#: same TOML file): https://doc.rust-lang.org/cargo/reference/config.html#hierarchical-structure
CARGO_CONFIG_FILES = (".cargo/config.toml", ".cargo/config")
#: ``[build]`` keys that move or split ``target/``: ``target-dir``
#: (https://doc.rust-lang.org/cargo/reference/config.html#buildtarget-dir), ``target`` (the
#: triple adds a folder: https://doc.rust-lang.org/cargo/reference/config.html#buildtarget)
#: and ``build-dir`` (https://doc.rust-lang.org/cargo/reference/config.html#buildbuild-dir).
CARGO_BUILD_OUTPUT_KEYS = ("target-dir", "target", "build-dir")


def cargo_config_moves_output(data: bytes) -> str | None:
    """The first :data:`CARGO_BUILD_OUTPUT_KEYS` key a ``.cargo/config.toml`` sets in
    ``[build]`` (``[build] target-dir = …`` or a dotted ``build.target-dir = …``), ``""``
    when it sets none, None when the file is not valid TOML."""
    doc = _cargo_doc(data)
    if doc is None:
        return None
    build = doc.get("build")
    if not isinstance(build, dict):
        return ""
    return next((k for k in CARGO_BUILD_OUTPUT_KEYS if k in build), "")


# -- MSBuild / NuGet (dotnet restore) -----------------------------------------------------
_MSBUILD_SUFFIXES = (".csproj", ".fsproj", ".vbproj", ".props", ".targets", ".sln", ".slnx")


class XmlRefused(ValueError):
    """An XML file dockmod does not read: malformed, or with a DTD."""


def _xml_parser(refuse_message: str = "has a DTD, which dockmod does not read") -> object:
    """An expat parser that refuses any DTD (``<!DOCTYPE``), entity declaration or external
    entity: that rules out entity expansion ("billion laughs") and external entities
    (XXE), as defusedxml's ``forbid_dtd`` does."""
    from xml.parsers import expat

    def refuse(*_args: object) -> None:
        raise XmlRefused(refuse_message)

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    return parser


def _parse_xml(parser: object, data: bytes) -> None:
    from xml.parsers import expat

    try:
        parser.Parse(data, True)  # type: ignore[attr-defined]
    except expat.ExpatError as e:
        raise XmlRefused(f"is not well-formed XML ({expat.errors.messages.get(e.code, e)})") from None


def xml_elements(data: bytes) -> list[tuple[str, dict[str, str]]]:
    """Every element of an XML document as (tag, attributes), in document order; tags as
    written, without namespace processing (MSBuild's ``xmlns`` changes no name).

    Read with expat, refusing any DTD (:func:`_xml_parser`): MSBuild and solution files
    need none. Raises :class:`XmlRefused`."""
    found: list[tuple[str, dict[str, str]]] = []
    parser = _xml_parser()
    parser.StartElementHandler = lambda tag, attrs: found.append((tag, attrs))  # type: ignore[attr-defined]
    _parse_xml(parser, data)
    return found


def xml_texts(data: bytes) -> list[tuple[str, str]]:
    """Every element of an XML document as (tag, its own text), in document order: tags
    as written (``pom:modules`` keeps its prefix), text with CDATA sections read and
    comments left out. Refuses any DTD, like :func:`xml_elements`; raises
    :class:`XmlRefused`."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[str, list[str]]] = []
    parser = _xml_parser()

    def start(tag: str, _attrs: object) -> None:
        stack.append((tag, []))

    def end(_tag: str) -> None:
        tag, parts = stack.pop()
        found.append((tag, "".join(parts)))

    def chars(text: str) -> None:
        if stack:
            stack[-1][1].append(text)

    parser.StartElementHandler = start  # type: ignore[attr-defined]
    parser.EndElementHandler = end  # type: ignore[attr-defined]
    parser.CharacterDataHandler = chars  # type: ignore[attr-defined]
    _parse_xml(parser, data)
    return found


def read_msbuild(name: str, data: bytes, out: Reading) -> None:
    """A project or solution file: local imports that are not copied make it not
    self-contained (project references are followed by :func:`dotnet_inputs`)."""
    if name.endswith(".sln"):
        return  # not XML; it imports nothing
    try:
        elements = xml_elements(data)
    except XmlRefused as e:
        out.not_self_contained.append(f"`{name}` {e}")
        return
    for tag, attrs in elements:
        target = attrs.get("Project")
        # https://learn.microsoft.com/visualstudio/msbuild/import-element-msbuild
        if tag == "Import" and target and "$(" not in target and not target.startswith("Sdk"):
            out.not_self_contained.append(f"`{name}` imports `{target}`")


def msbuild_true_properties(data: bytes, names: frozenset[str]) -> list[str]:
    """The properties among ``names`` (lower case; MSBuild's are case-insensitive) that an
    MSBuild file sets to ``true`` (``<PublishAot>true</PublishAot>``), under any condition:
    https://learn.microsoft.com/visualstudio/msbuild/msbuild-properties. None in a file
    that cannot be read (its reading declines or marks the reorder already)."""
    try:
        texts = xml_texts(data)
    except XmlRefused:
        return []
    return [tag for tag, text in texts if tag.lower() in names and text.strip().lower() == "true"]


#: The project lines of a .sln file (a text format, not XML):
#: ``Project("{type}") = "Name", "path\\App.csproj", "{guid}"``
#: (https://learn.microsoft.com/visualstudio/extensibility/internals/solution-dot-sln-file).
_SLN_PROJECT = re.compile(r'^Project\("[^"]*"\)\s*=\s*"[^"]*",\s*"([^"]+\.\w+proj)"', re.MULTILINE)
#: Elements that name another project, by file kind: a .slnx solution's ``<Project Path>``
#: (https://learn.microsoft.com/visualstudio/ide/reference/solution-file-slnx) and a
#: project's ``<ProjectReference Include>``
#: (https://learn.microsoft.com/visualstudio/msbuild/common-msbuild-project-items#projectreference).
_REFERENCE_ELEMENTS = {".slnx": ("Project", "Path"), "": ("ProjectReference", "Include")}


def _references(path: str, data: bytes) -> list[str] | str:
    """Project files a solution lists or a project references (relative to ``path``), or
    why the file cannot be read."""
    if path.endswith(".sln"):
        found = _SLN_PROJECT.findall(_text(data))
    else:
        tag, attr = _REFERENCE_ELEMENTS[".slnx" if path.endswith(".slnx") else ""]
        try:
            found = [a[attr] for t, a in xml_elements(data) if t == tag and a.get(attr)]
        except XmlRefused as e:
            return f"`{path}` {e}"
    base = posixpath.dirname(path)
    return [posixpath.normpath(posixpath.join(base, f.replace("\\", "/"))) for f in found]


def dotnet_inputs(folder: str, start: str | None, entries: list[str], read: Reader,
                  has_file: Callable[[str], bool], *, projects: tuple[str, ...],
                  solutions: tuple[str, ...], beside: tuple[str, ...],
                  missing: Missing = _not_sent) -> list[str] | str:
    """The files ``dotnet restore`` reads in context folder ``folder`` (paths relative to
    it), or why they cannot be listed.

    ``start``: the project or solution named on the command line, else the one project or
    solution file among ``entries`` (the folder's files). Solutions and project references
    are followed; ``beside`` files are taken from each project's folder and the folders
    above it, up to ``folder``, when the context sends them.
    """
    def at(rel: str) -> str:
        return rel if folder == "." else posixpath.join(folder, rel)

    if start is None:
        found = [e for e in entries if e.endswith(projects + solutions)]
        if len(found) != 1:
            return (f"the folder has {len(found)} project or solution files" if found else
                    "the context has no project or solution file in the install's folder")
        start = found[0]
    out: list[str] = []
    todo = [posixpath.normpath(start)]
    while todo:
        path = todo.pop(0)
        if path in out:
            continue
        if path.startswith("../") or path == ".." or path.startswith("/"):
            return f"`{path}` lies outside the copied folder"
        data = read(at(path))
        if data is None:
            return missing(at(path))
        out.append(path)
        refs = _references(path, data)
        if isinstance(refs, str):
            return refs
        todo.extend(refs)
    dirs = {"."}
    for path in out:
        d = posixpath.dirname(path)
        while d:
            dirs.add(d)
            d = posixpath.dirname(d)
    for d in sorted(dirs):
        for name in beside:
            rel = name if d == "." else f"{d}/{name}"
            if rel not in out and has_file(at(rel)):
                out.append(rel)
    return out



# -- Go (https://go.dev/ref/mod#go-mod-file) ------------------------------------------------


def _go_tokens(line: str) -> list[str]:
    """The tokens of one go.mod line: comments (``//``) dropped, interpreted (``"…"``) and
    raw (`` `…` ``) strings unquoted (https://go.dev/ref/mod#go-mod-file-lexical)."""
    out: list[str] = []
    i = 0
    while i < len(line):
        c = line[i]
        if c.isspace():
            i += 1
        elif line.startswith("//", i):
            break
        elif c in "\"`":
            end = line.find(c, i + 1)
            if end < 0:
                return out + [line[i + 1:]]
            body = line[i + 1:end]
            out.append(body.encode("latin-1", "backslashreplace").decode("unicode_escape", "replace")
                       if c == '"' and "\\" in body else body)
            i = end + 1
        elif c in "()":
            out.append(c)
            i += 1
        else:
            j = i
            while j < len(line) and not line[j].isspace() and line[j] not in "()\"`" and not line.startswith("//", j):
                j += 1
            out.append(line[i:j])
            i = j
    return out


def _go_directive(data: bytes, verb: str) -> Iterator[list[str]]:
    """The arguments of each ``verb`` directive of a go.mod, written on its line
    (``replace x => ./api``) or in a block (``replace ( … )``, one per line)."""
    block = False
    for line in _text(data).splitlines():
        tokens = _go_tokens(line)
        if block:
            if tokens[:1] == [")"]:
                block = False
            elif tokens:
                yield tokens
        elif tokens[:1] == [verb]:
            if tokens[1:2] == ["("]:
                block = True
            else:
                yield tokens[1:]


def go_module_path(data: bytes) -> str | None:
    """The ``module`` directive's path (``module example.com/app``, quoted, or in a
    ``module ( … )`` block), or None when go.mod has none."""
    first = next(_go_directive(data, "module"), None)
    return first[0] if first else None


def go_local_replacements(data: bytes) -> list[str]:
    """The local folders go.mod's ``replace`` directives name (``replace x => ./api``, also
    in ``replace ( … )`` blocks), as written: a target that is a path, not a module
    (https://go.dev/ref/mod#go-mod-file-replace: it starts with ``./``, ``../`` or ``/``)."""
    out: list[str] = []
    for tokens in _go_directive(data, "replace"):
        if "=>" not in tokens:
            if not any("=>" in t for t in tokens):
                continue
            tokens = " ".join(tokens).replace("=>", " => ").split()
        rest = tokens[tokens.index("=>") + 1:]
        if rest and (rest[0] in (".", "..") or rest[0].startswith(("./", "../", "/"))):
            out.append(rest[0])
    return out


def local_folders(name: str, data: bytes) -> list[str]:
    """The local folders a build file read with the manifests makes the install read, as
    written: a ``go.work``'s ``use`` directives other than ``.`` and its local ``replace``
    targets (https://go.dev/ref/mod#go-work-file-use, #go-work-file-replace). Empty for
    other files."""
    if posixpath.basename(name) != "go.work":
        return []
    uses = [t[0] for t in _go_directive(data, "use") if t and posixpath.normpath(t[0]) != "."]
    return uses + go_local_replacements(data)


def go_package_clause(data: bytes) -> str | None:
    """The package a Go source file declares (``package main``), or None when a build
    constraint ``//go:build ignore`` excludes it (https://pkg.go.dev/cmd/go#hdr-Build_constraints:
    constraints come before the package clause, after blank lines and other comments) or
    it has no package clause. Block comments before the clause are skipped."""
    text = _text(data)
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            line = text[i:end if end >= 0 else len(text)]
            if re.match(r"//go:build\s+ignore\b", line):
                return None
            i = len(text) if end < 0 else end + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                return None
            i = end + 2
        else:
            m = re.compile(r"package\s+([A-Za-z_]\w*)").match(text, i)
            return m.group(1) if m else None
    return None


# -- Node (https://docs.npmjs.com/cli/v10/configuring-npm/package-json) -------------------


def package_manager(data: bytes) -> tuple[str, str] | None:
    """package.json's ``packageManager`` as (name, version): ``yarn@4.1.0+sha224.…`` →
    (``yarn``, ``4.1.0``), the form corepack reads (https://nodejs.org/api/corepack.html,
    https://github.com/nodejs/corepack#when-authoring-packages). None when absent or not
    ``name@version``."""
    try:
        doc = json.loads(_text(data))
    except ValueError:
        return None
    value = doc.get("packageManager") if isinstance(doc, dict) else None
    if not isinstance(value, str):
        return None
    name, at, version = value.partition("@")
    return (name, version.split("+", 1)[0]) if name and at else None


def yarnrc_setting(data: bytes, key: str) -> str | None:
    """A top-level scalar of ``.yarnrc.yml`` (https://yarnpkg.com/configuration/yarnrc),
    e.g. ``nodeLinker``, unquoted; None when absent.

    Limits: a plain YAML reader for the ``key: value`` lines Yarn writes (``yarn config
    set``); a value written as a block, a flow collection or an anchor is not read (None).
    """
    for line in _text(data).splitlines():
        if not line.startswith(key):
            continue
        rest = line[len(key):].lstrip(" \t")
        if not rest.startswith(":"):
            continue
        return _yaml_scalar(rest[1:])
    return None


def _yaml_scalar(value: str) -> str | None:
    """A plain or quoted YAML scalar as Yarn writes one, comments removed; None when it is
    something else (a flow collection, an anchor, a block)."""
    value = value.strip()
    if value[:1] in ("'", '"'):
        end = value.find(value[0], 1)
        return value[1:end] if end > 0 else None
    value = re.sub(r"\s+#.*$", "", value)
    if not value or value[0] in "[{&*|>!":
        return None
    return value


def yarnrc_files(data: bytes, settings: tuple[str, ...]) -> list[tuple[str, str]] | str:
    """The files ``.yarnrc.yml`` names in ``settings`` (:data:`dockmod.ecosystems.node.YARNRC_FILE_SETTINGS`):
    ``yarnPath``'s value and the ``path`` of each ``plugins`` entry, as (setting, path as
    written); why they cannot be listed, as a string.

    Limits: the block layout ``yarn set version`` and ``yarn plugin import`` write (``key:
    value``, and ``- path: …`` items below ``plugins:``); a flow collection or an anchor is not
    read (a string). Environment variables in values (``${X}``) are not expanded (a string).
    """
    out: list[tuple[str, str]] = []
    lines = _text(data).splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        key, colon, rest = line.partition(":")
        if not colon or key != key.strip() or key not in settings:
            continue
        if key != "plugins":
            value = _yaml_scalar(rest)
            if value is None:
                return f"`.yarnrc.yml` sets `{key}` in a form dockmod does not read"
            out.append((key, value))
            continue
        if rest.strip() and not rest.strip().startswith("#"):
            return "`.yarnrc.yml` lists `plugins` in a form dockmod does not read"
        # The items: indented lines, or `-` lines at the key's own indentation.
        while i < len(lines) and (not lines[i].strip() or lines[i][:1] in (" ", "\t", "-")
                                  or lines[i].lstrip().startswith("#")):
            item = lines[i].strip()
            i += 1
            if not item or item.startswith("#"):
                continue
            m = re.match(r"(-\s+)?path\s*:(.*)$", item)
            if m is not None:
                value = _yaml_scalar(m.group(2))
                if value is None:
                    return "`.yarnrc.yml` names a plugin's `path` in a form dockmod does not read"
                out.append(("plugins", value))
            elif item.startswith("-") and ":" not in item:
                value = _yaml_scalar(item[1:])
                if value is None:
                    return "`.yarnrc.yml` lists `plugins` in a form dockmod does not read"
                out.append(("plugins", value))
            elif item.startswith("- ") and not re.match(r"-\s+[A-Za-z]+\s*:", item):
                return "`.yarnrc.yml` lists `plugins` in a form dockmod does not read"
    for key, value in out:
        if "${" in value:
            return f"`.yarnrc.yml` sets `{key}` through a variable (`{value}`)"
    return out


def classic_yarnrc_files(data: bytes, settings: tuple[str, ...]) -> list[tuple[str, str]] | str:
    """The files Yarn classic's ``.yarnrc`` names in ``settings`` (``yarn-path "./bin/yarn"``:
    a key, white space, a value, quoted or not; https://classic.yarnpkg.com/en/docs/yarnrc),
    as (setting, path); why they cannot be listed, as a string. ``false`` names none."""
    out = []
    for line in _text(data).splitlines():
        key, _, value = line.strip().partition(" ")
        if key not in settings:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if not value or "$" in value:
            return f"`.yarnrc` sets `{key}` in a form dockmod does not read"
        if value != "false":
            out.append((key, value))
    return out


def protocol_files(data: bytes, protocol: str) -> list[tuple[str, str]] | str:
    """The files the dependencies of a ``package.json`` (its dependency tables and
    ``resolutions``) patch with ``protocol`` (Yarn's ``patch:``, :data:`dockmod.ecosystems.node.YARN_PATCH_PROTOCOL`),
    as (package, path as written: ``~/`` for the project's root); built-in patches
    (``builtin<…>``) are left out. Why they cannot be listed, as a string."""
    try:
        doc = json.loads(_text(data))
    except ValueError:
        return "`package.json` is not valid JSON, so its patched dependencies cannot be read"
    if not isinstance(doc, dict):
        return "`package.json` is not a JSON object"
    out = []
    for key in ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies", "resolutions"):
        deps = doc.get(key)
        if not isinstance(deps, dict):
            continue
        for dep, spec in _specs(deps):
            if not spec.startswith(protocol):
                continue
            _, hash_, paths = spec.partition("#")
            if not hash_:
                return f"`package.json` patches `{dep}` with `{spec}`, which names no patch file"
            for path in paths.split("::", 1)[0].split("&"):
                path = path.removeprefix("optional!")
                if path.startswith("builtin<"):
                    continue
                out.append((dep, path))
    return out


def workspace_globs(name: str, data: bytes) -> list[str] | None:
    """The folder globs a workspace declaration lists: ``workspaces`` in a ``package.json``
    (npm: https://docs.npmjs.com/cli/v10/using-npm/workspaces; Yarn classic's ``{"packages":
    […]}`` form: https://classic.yarnpkg.com/lang/en/docs/workspaces/), ``packages`` in a
    ``pnpm-workspace.yaml`` (https://pnpm.io/pnpm-workspace_yaml; ``!`` excludes). None when
    the file declares none, or lists them in a form not read here."""
    if posixpath.basename(name) == "package.json":
        try:
            doc = json.loads(_text(data))
        except ValueError:
            return None
        ws = doc.get("workspaces") if isinstance(doc, dict) else None
        if isinstance(ws, dict):
            ws = ws.get("packages")
        if isinstance(ws, list) and all(isinstance(g, str) for g in ws):
            return list(ws)
        return None
    lines = _text(data).splitlines()
    for n, line in enumerate(lines):
        key, colon, rest = line.partition(":")
        if key != "packages" or not colon:
            continue
        if rest.strip() and not rest.strip().startswith("#"):
            return None
        out = []
        for item in lines[n + 1:]:
            text = item.strip()
            if not text or text.startswith("#"):
                continue
            if not item[:1] in (" ", "\t", "-"):
                break
            if not text.startswith("-"):
                return None
            value = _yaml_scalar(text[1:])
            if value is None:
                return None
            out.append(value)
        return out
    return None


def npmrc_setting(data: bytes, key: str) -> str | None:
    """A setting of an ``.npmrc`` (INI: ``key=value``, ``;``/``#`` comments:
    https://docs.npmjs.com/cli/v10/configuring-npm/npmrc), unquoted; None when absent."""
    found = None
    for line in _text(data).splitlines():
        line = line.strip()
        if not line or line[0] in ";#[":
            continue
        name, eq, value = line.partition("=")
        if eq and name.strip() == key:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            found = value  # the last one wins
    return found
