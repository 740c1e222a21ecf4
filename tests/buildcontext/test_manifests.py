"""What the context's manifests say about a dependency-only step: a crate's layout for
the cargo pre-build, the project files `dotnet restore` reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockmod.buildcontext import open_context
from dockmod.buildcontext.manifests import (
    Crate,
    Reading,
    XmlRefused,
    cargo_config_moves_output,
    dotnet_inputs,
    go_local_replacements,
    go_module_path,
    go_package_clause,
    package_manager,
    read_crate,
    read_manifests,
    read_msbuild,
    read_package_json,
    read_pom,
    read_requirements,
    xml_elements,
    yarnrc_setting,
)
from dockmod.ecosystems import dotnet


def _ctx(root: Path, files: dict[str, str]):  # type: ignore[no-untyped-def]
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    (root / "Dockerfile").write_text("FROM x\n")
    ctx = open_context(root / "Dockerfile")
    assert ctx is not None
    return ctx


_PKG = '[package]\nname = "my-app"\nversion = "0.1.0"\n'


def test_crate_layout_is_read_from_cargo_toml_and_src(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {"app/Cargo.toml": _PKG, "app/src/lib.rs": "", "app/src/main.rs": "fn main(){}",
                          "app/rust-toolchain.toml": "[toolchain]\n"})
    assert read_crate("app", ctx.read, ctx.has_file) == Crate("my-app", True, True, ["rust-toolchain.toml"])


@pytest.mark.parametrize(("files", "reason"), [
    ({"Cargo.toml": '[workspace]\nmembers = ["a"]\n'}, "workspace"),
    ({"Cargo.toml": _PKG + 'workspace = ".."\n'}, "member of a workspace"),
    ({"Cargo.toml": _PKG, "build.rs": "fn main(){}", "src/main.rs": ""}, "build script"),
    ({"Cargo.toml": _PKG + '\n[[bin]]\nname = "x"\n', "src/main.rs": ""}, "[[bin]]"),
    ({"Cargo.toml": _PKG + '\n[dependencies]\nlocal = { path = "../local" }\n', "src/main.rs": ""},
     "path dependency `local`"),
    ({"Cargo.toml": _PKG}, "neither `src/main.rs` nor `src/lib.rs`"),
    ({"Cargo.toml": _PKG, "src/main.rs": "", ".cargo/config.toml": '[build]\ntarget-dir = "out"\n'},
     "moves the build output"),
    ({}, "does not send `Cargo.toml`"),
])
def test_crates_a_placeholder_cannot_stand_in_for(tmp_path: Path, files: dict[str, str], reason: str) -> None:
    ctx = _ctx(tmp_path, files)
    found = read_crate(".", ctx.read, ctx.has_file)
    assert isinstance(found, str) and reason in found


def _inputs(ctx, folder: str = ".", start: str | None = None):  # type: ignore[no-untyped-def]
    return dotnet_inputs(folder, start, ctx.entries(folder), ctx.read, ctx.has_file,
                         projects=dotnet.PROJECT_SUFFIXES, solutions=dotnet.SOLUTION_SUFFIXES,
                         beside=dotnet.RESTORE_INPUTS)


def test_dotnet_solution_and_project_references_are_followed(tmp_path: Path) -> None:
    sln = ('Project("{X}") = "Api", "src\\Api\\Api.csproj", "{A}"\nEndProject\n')
    ctx = _ctx(tmp_path, {
        "App.sln": sln,
        "src/Api/Api.csproj": '<Project><ItemGroup><ProjectReference Include="..\\Lib\\Lib.fsproj" />'
                              "</ItemGroup></Project>",
        "src/Lib/Lib.fsproj": "<Project/>", "src/Lib/packages.lock.json": "{}",
        "Directory.Build.props": "<Project/>", "nuget.config": "<configuration/>", "README.md": "",
    })
    assert _inputs(ctx) == ["App.sln", "src/Api/Api.csproj", "src/Lib/Lib.fsproj", "Directory.Build.props",
                            "nuget.config", "src/Lib/packages.lock.json"]
    # A project named on the command line: the solution is not read.
    assert _inputs(ctx, start="src/Api/Api.csproj")[:2] == ["src/Api/Api.csproj", "src/Lib/Lib.fsproj"]


@pytest.mark.parametrize(("files", "reason"), [
    ({"A.csproj": "<Project/>", "B.csproj": "<Project/>"}, "2 project or solution files"),
    ({"Program.cs": ""}, "no project or solution file"),
    ({"A.csproj": '<Project><ProjectReference Include="../../Shared/S.csproj"/></Project>'}, "outside"),
    ({"A.csproj": '<Project><ProjectReference Include="Lib/Lib.csproj"/></Project>'},
     "does not send `Lib/Lib.csproj`"),
])
def test_dotnet_inputs_that_cannot_be_listed(tmp_path: Path, files: dict[str, str], reason: str) -> None:
    found = _inputs(_ctx(tmp_path, files))
    assert isinstance(found, str) and reason in found, found


def test_entries_lists_the_files_sent_directly_in_a_folder(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {"a/x.csproj": "", "a/y.log": "", "a/sub/z.csproj": "", ".dockerignore": "*/*.log\n"})
    assert ctx.entries("a") == ["x.csproj"]


@pytest.mark.parametrize(("text", "moved"), [
    ('[build]\ntarget-dir = "out"\n', "target-dir"),
    ('build.target-dir = "out"\n', "target-dir"),  # a dotted key: the same table
    ('[build]\ntarget = "x86_64-unknown-linux-musl"\n', "target"),
    ('[build]\nbuild-dir = "b"\n', "build-dir"),
    ('[build]\njobs = 4\n[target.x86_64-unknown-linux-gnu]\nlinker = "clang"\n', ""),
    ('[alias]\ntarget = "build --release"\n', ""),  # not the [build] table
    ('[env]\nCARGO_TARGET_DIR = "out"\n', ""),  # [env] is for the processes cargo runs
    ("[build\n", None),
])
def test_cargo_config_is_read_as_toml(text: str, moved: str | None) -> None:
    assert cargo_config_moves_output(text.encode()) == moved


def test_an_invalid_cargo_config_declines_the_prebuild(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {"Cargo.toml": _PKG, "src/main.rs": "", ".cargo/config": "[build\n"})
    assert read_crate(".", ctx.read, ctx.has_file) == "`.cargo/config` is not valid TOML"
    ctx = _ctx(tmp_path / "b", {"Cargo.toml": _PKG, "src/main.rs": "", ".cargo/config.toml": "[net]\nretry = 3\n"})
    assert read_crate(".", ctx.read, ctx.has_file) == Crate("my-app", False, True, [".cargo/config.toml"])


_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
           b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n<Project>&lol2;</Project>')


@pytest.mark.parametrize(("data", "reason"), [
    (_LAUGHS, "DTD"),
    (b'<!DOCTYPE Project SYSTEM "file:///etc/passwd"><Project/>', "DTD"),
    (b"<Project>&undefined;</Project>", "not well-formed"),
    (b"<Project><Import Project='a.props'></Project>", "not well-formed"),
])
def test_msbuild_xml_with_a_dtd_or_malformed_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(XmlRefused, match=reason):
        xml_elements(data)
    out = Reading()
    read_msbuild("App.csproj", data, out)
    assert len(out.not_self_contained) == 1 and reason in out.not_self_contained[0]


def test_msbuild_imports_are_read_from_the_xml() -> None:
    data = ("\ufeff<Project xmlns='http://schemas.microsoft.com/developer/msbuild/2003'>"
            "<Import Condition=\"Exists('local.props')\" Project=\"local.props\" />"
            '<Import Project="$(MSBuildSdksPath)/x.props"/><Import Project="Sdk.props" Sdk="Microsoft.NET.Sdk"/>'
            "<!-- <Import Project='commented.props'/> --></Project>").encode("utf-8")
    out = Reading()
    read_msbuild("App.csproj", data, out)
    assert out.not_self_contained == ["`App.csproj` imports `local.props`"]


def test_dotnet_references_in_malformed_xml_are_a_reason(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {"A.csproj": "<Project><ProjectReference Include='B/B.csproj'></Project>"})
    found = _inputs(ctx)
    assert isinstance(found, str) and "`A.csproj` is not well-formed XML" in found
    ctx = _ctx(tmp_path / "slnx", {"App.slnx": '<Solution><Project Path="src/A.csproj" /></Solution>',
                                   "src/A.csproj": "<Project/>"})
    assert _inputs(ctx) == ["App.slnx", "src/A.csproj"]


@pytest.mark.parametrize(("text", "path"), [
    ("module example.com/app\n\ngo 1.22\n", "example.com/app"),
    ('// the app\nmodule "example.com/quoted" // trailing\n', "example.com/quoted"),
    ("module `example.com/raw`\n", "example.com/raw"),
    ("module (\n\texample.com/block\n)\n", "example.com/block"),
    ("go 1.22\nrequire x v1.0.0\n", None),
    ("// module example.com/commented\n", None),
])
def test_go_mod_module_path(text: str, path: str | None) -> None:
    assert go_module_path(text.encode()) == path


@pytest.mark.parametrize(("text", "folders"), [
    ("module m\nreplace example.com/api => ./api\n", ["./api"]),
    ("replace example.com/api v1.0.0 => ../shared/api // local\n", ["../shared/api"]),
    ("replace (\n\tx => ./x\n\ty v1 => example.com/fork v1.2.0\n\tz => \"./z z\"\n)\nrequire w v1\n",
     ["./x", "./z z"]),
    ("replace a=>./a\n", ["./a"]),
    ("replace x => example.com/fork v1.0.0\n// replace y => ./y\n", []),
    ("require (\n\tx v1 // => ./not-a-replace\n)\n", []),
])
def test_go_mod_local_replacements(text: str, folders: list[str]) -> None:
    assert go_local_replacements(text.encode()) == folders


@pytest.mark.parametrize(("text", "package"), [
    ("package main\n\nfunc main() {}\n", "main"),
    ("// Copyright\n/* package lib */\n\npackage main\n", "main"),
    ("//go:build linux\n\npackage main\n", "main"),
    ("//go:build ignore\n\npackage main\n", None),
    ("package tools // import \"x\"\n", "tools"),
    ("/* unterminated", None),
])
def test_go_package_clause(text: str, package: str | None) -> None:
    assert go_package_clause(text.encode()) == package


@pytest.mark.parametrize(("text", "found"), [
    ('{"packageManager": "yarn@4.1.0+sha224.abc"}', ("yarn", "4.1.0")),
    ('{"packageManager": "pnpm@9.0.0"}', ("pnpm", "9.0.0")),
    ('{"packageManager": "yarn"}', None),
    ('{"name": "x"}', None),
    ("[1]", None),
    ("{not json", None),
])
def test_package_json_package_manager(text: str, found: tuple[str, str] | None) -> None:
    assert package_manager(text.encode()) == found


@pytest.mark.parametrize(("text", "value"), [
    ("nodeLinker: node-modules\n", "node-modules"),
    ('yarnPath: .yarn/releases/yarn-4.5.1.cjs\nnodeLinker: "node-modules"\n', "node-modules"),
    ("nodeLinker: 'pnp' # the default\n", "pnp"),
    ("nodeLinker : pnpm\n", "pnpm"),
    ("nodeLinkerX: node-modules\n", None),
    ("  nodeLinker: node-modules\n", None),  # nested under another key
    ("enableGlobalCache: false\n", None),
])
def test_yarnrc_top_level_setting(text: str, value: str | None) -> None:
    assert yarnrc_setting(text.encode(), "nodeLinker") == value


def _pom(data: str | bytes) -> list[str]:
    out = Reading()
    read_pom("pom.xml", data.encode() if isinstance(data, str) else data, out)
    return out.not_self_contained


_POM_NS = '<?xml version="1.0" encoding="UTF-8"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">{}</project>'


@pytest.mark.parametrize(("body", "found"), [
    ("<modelVersion>4.0.0</modelVersion>", []),
    ("<modules><module>core</module></modules>", ["modules"]),
    ("<modules/>", []),  # names no module
    ("<parent><artifactId>p</artifactId><relativePath>../parent</relativePath></parent>", ["parent POM"]),
    ("<parent><relativePath/></parent>", []),  # empty: the parent comes from a repository
    ("<dependencies><dependency><systemPath>${basedir}/lib/x.jar</systemPath></dependency></dependencies>",
     ["systemPath"]),
    # a comment is not an element
    ("<!-- <modules><module>core</module></modules> <relativePath>../p</relativePath> -->", []),
    # CDATA is text
    ("<parent><relativePath><![CDATA[../parent/pom.xml]]></relativePath></parent>", ["parent POM"]),
])
def test_pom_is_read_as_xml(body: str, found: list[str]) -> None:
    got = _pom(_POM_NS.format(body))
    assert len(got) == len(found) and all(f in g for f, g in zip(found, got, strict=True))


def test_pom_with_a_namespace_prefix() -> None:
    data = ('<m:project xmlns:m="http://maven.apache.org/POM/4.0.0">'
            "<m:modules><m:module>api</m:module></m:modules></m:project>")
    assert len(_pom(data)) == 1 and "modules" in _pom(data)[0]


@pytest.mark.parametrize(("data", "reason"), [
    (_LAUGHS.replace(b"Project", b"project"), "DTD"),
    (b'<?xml version="1.0"?><!DOCTYPE project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
     b"<project><modules><module>&xxe;</module></modules></project>", "DTD"),
    (b"<project><modules><module>a</modules></project>", "not well-formed"),
    (b"\xff\xfe not xml", "not well-formed"),
    (b"", "not well-formed"),
])
def test_hostile_or_malformed_pom_is_unknown_not_a_crash(data: bytes, reason: str) -> None:
    got = _pom(data)
    assert len(got) == 1 and reason in got[0]


# -- configuration read unnamed (DM201's project_config / patch_table) -----------------

def test_toml_has_table() -> None:
    from dockmod.buildcontext.manifests import toml_has_table

    assert toml_has_table(b"[tool.uv.pip]\nindex-url = 'x'\n", "tool.uv")
    assert toml_has_table(b"[tool.uv]\n", "tool.uv")
    assert not toml_has_table(b"[tool.poetry]\nname = 'a'\n", "tool.uv")
    assert not toml_has_table(b"tool = 1\n", "tool.uv")
    assert toml_has_table(b"[tool.uv\n", "tool.uv")  # not TOML: the tool may still read it


def test_patched_files() -> None:
    from dockmod.buildcontext.manifests import patched_files

    pnpm = ("pnpm", "patchedDependencies")
    data = b'{"pnpm": {"patchedDependencies": {"a@1.0.0": "patches/a.patch"}}, "patchedDependencies": {"b": "b.patch"}}'
    assert patched_files(data, pnpm) == [("a@1.0.0", "patches/a.patch")]
    assert patched_files(data, ("patchedDependencies",)) == [("b", "b.patch")]
    assert patched_files(b'{"name": "x"}', pnpm) == []
    assert patched_files(b'{"pnpm": 1}', pnpm) == "`pnpm.patchedDependencies` in `package.json` cannot be read"
    assert patched_files(b'{"pnpm": {"patchedDependencies": {"a": 2}}}', pnpm) == \
        "`pnpm.patchedDependencies` in `package.json` gives `a` no patch file path"
    assert isinstance(patched_files(b"{", pnpm), str)


@pytest.mark.parametrize(("code", "expected"), [
    (b"module.exports = { hooks: { readPackage(p) { return p } } }", None),
    (b"const fs = require('fs'); module.exports = {}", None),
    (b"const h = require('./hooks/h.js')", "loads `./hooks/h.js`"),
    (b"import h from \"../shared/h.mjs\"", "loads `../shared/h.mjs`"),
    (b"const h = await import('./h.mjs')", "loads `./h.mjs`"),
    (b"require(path.join(__dirname, 'h'))", "calls `require` on a path dockmod does not follow"),
    (b"JSON.parse(fs.readFileSync('pins.json'))", "calls `readFileSync` on a path dockmod does not follow"),
])
def test_script_loads(code: bytes, expected: str | None) -> None:
    from dockmod.buildcontext.manifests import script_loads

    assert script_loads(code) == expected


def test_configuration_files_are_not_read_as_manifests() -> None:
    from dockmod.buildcontext.manifests import read_manifests

    files = {"pyproject.toml": b"[tool.uv.sources]\nlib = { path = '../lib' }\n", "uv.toml": b"x = 1\n"}
    found, missing = read_manifests({"pyproject.toml": True, "uv.toml": True}, files.get,
                                    requirement_files=frozenset(), inert=frozenset({"pyproject.toml", "uv.toml"}))
    assert found.not_self_contained == [] and missing == []
    found, _ = read_manifests({"pyproject.toml": True, "uv.toml": True}, files.get, requirement_files=frozenset())
    assert len(found.not_self_contained) == 2


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("uv.toml", 'index-url = "https://pypi.internal/simple"\n', []),
    ("uv.toml", 'find-links = ["./wheels"]\n', ["`uv.toml` reads packages from `./wheels`"]),
    ("uv.toml", '[pip]\nextra-index-url = ["file:///src/dist"]\n',
     ["`uv.toml` reads packages from `file:///src/dist`"]),
    ("uv.toml", '[[index]]\nname = "local"\nurl = "vendor/index"\n', ["`uv.toml` reads packages from `vendor/index`"]),
    ("pyproject.toml", '[tool.uv]\nfind-links = ["dist"]\n', ["`pyproject.toml` reads packages from `dist`"]),
    ("pyproject.toml", '[tool.poetry]\nfind-links = ["dist"]\n', []),
    ("poetry.toml", '[virtualenvs]\nin-project = true\n', []),
])
def test_tool_config_local_package_locations(name: str, text: str, expected: list[str]) -> None:
    from dockmod.buildcontext.manifests import Reading, read_tool_config

    out = Reading()
    read_tool_config(name, text.encode(), out)
    assert out.not_self_contained == expected


def test_pyproject_manifest_uv_local_package_location() -> None:
    """``uv sync`` reads pyproject.toml as its manifest: its ``[tool.uv]`` settings count too."""
    from dockmod.buildcontext.manifests import Reading, read_pyproject

    out = Reading()
    read_pyproject("pyproject.toml", b'[project]\nname = "a"\n[tool.uv]\nfind-links = ["./dist"]\n', out)
    assert out.not_self_contained == ["`pyproject.toml` reads packages from `./dist`"]


def _requirements(text: str, files: dict[str, str] | None = None) -> Reading:
    files = files or {}
    out = Reading()
    read_requirements("requirements.txt", text.encode(), lambda p: files[p].encode() if p in files else None,
                      out, set())
    return out


@pytest.mark.parametrize(("text", "reason"), [
    # pip reads a word holding "/" (or starting with ".") as a path, an archive name as a
    # file in the current folder: each needs the sources (pip's parse_req_from_line).
    ("wheels/internal_lib-1.0-py3-none-any.whl\n", "installs `wheels/internal_lib-1.0-py3-none-any.whl` from a local path"),
    ("libs/mylib\n", "installs `libs/mylib` from a local path"),
    ("./libs/shared\n", "installs `./libs/shared` from a local path"),
    ("internal-1.0.tar.gz\n", "installs `internal-1.0.tar.gz` from a local path"),
    ("pkg @ file:///wheels/pkg.whl\n", "installs `pkg` from a local path"),
    # Every option of a line is read, not only the first.
    ("--no-index --find-links wheels\nflask\n", "reads packages from `wheels`"),
    ("--pre --find-links=./dist\n", "reads packages from `./dist`"),
    ("--pre -e .\n", "installs `.` from the sources (`-e`)"),
    ("--pre -r missing.txt\n", "includes `missing.txt`, and the context does not send `missing.txt`"),
    ("-rmissing.txt\n", "includes `missing.txt`, and the context does not send `missing.txt`"),
    ('--hash "sha256:ab\n', "has a line pip would split differently"),
])
def test_requirements_name_local_files(text: str, reason: str) -> None:
    found = _requirements(text).not_self_contained
    assert len(found) == 1 and reason in found[0], found


@pytest.mark.parametrize("text", [
    "flask==3.0.0 --hash=sha256:abc --hash sha256:def\n",
    "requests[security]>=2.0; python_version >= '3.8'\n",
    "pkg @ https://example.com/pkg-1.0-py3-none-any.whl\n",
    "https://example.com/pkg-1.0.tar.gz\n",
    "git+https://github.com/org/repo@v1#egg=repo\n",
    "-e git+https://github.com/org/repo#egg=repo\n",
    "--index-url https://pypi.example.com/simple --pre\n",
    "--only-binary :all: --no-binary foo\n",
])
def test_requirements_that_name_no_local_file(text: str) -> None:
    assert _requirements(text).not_self_contained == []


def test_an_include_after_another_option_is_followed() -> None:
    out = _requirements("--pre -r requirements/base.txt\n", {"requirements/base.txt": "flask\n"})
    assert out.not_self_contained == [] and out.includes == ["requirements/base.txt"]


@pytest.mark.parametrize(("doc", "reason"), [
    ('{"pnpm": {"overrides": {"foo": "file:./vendor/foo"}}}', "depends on `foo` from `file:./vendor/foo`"),
    ('{"pnpm": {"overrides": {"bar>foo": "link:../foo"}}}', "depends on `bar>foo` from `link:../foo`"),
    ('{"overrides": {"foo": {".": "1.0.0", "bar": "file:./bar"}}}', "depends on `bar` from `file:./bar`"),
])
def test_package_json_local_overrides(doc: str, reason: str) -> None:
    out = Reading()
    read_package_json("package.json", doc.encode(), out)
    assert len(out.not_self_contained) == 1 and reason in out.not_self_contained[0]


@pytest.mark.parametrize(("text", "reason"), [
    ("packages:\n  - 'packages/*'\n", "declares workspaces"),
    ("onlyBuiltDependencies:\n  - esbuild\n", "does not read `pnpm-workspace.yaml`'s settings"),
])
def test_pnpm_workspace_yaml_reason(text: str, reason: str) -> None:
    found, _ = read_manifests({"pnpm-workspace.yaml": False}, lambda p: text.encode(), requirement_files=frozenset())
    assert len(found.not_self_contained) == 1 and reason in found.not_self_contained[0]
