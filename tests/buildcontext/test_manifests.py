"""What the context's manifests say about a dependency-only step: a crate's layout for
the cargo pre-build, the project files `dotnet restore` reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockmod.buildcontext import open_context
from dockmod.buildcontext.manifests import Crate, dotnet_inputs, read_crate
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
