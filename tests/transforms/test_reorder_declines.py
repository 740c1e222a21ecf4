"""DM201 gives no fix (report only, with the reason) where its fix would always fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockmod.transforms.reorder_dependency_copy import ReorderDependencyCopy
from tests.transforms.harness import run_transform

FIXTURES = Path(__file__).parent / "fixtures" / "reorder-dependency-copy"


def _reasons(text: str, **kw: object) -> list[str | None]:
    out = run_transform(text, ReorderDependencyCopy, unsafe_fixes=True, **kw)  # type: ignore[arg-type]
    assert out.output == text
    return [f.no_fix_reason for f in out.result.findings]


def test_manifest_generated_by_an_earlier_run() -> None:
    text = (FIXTURES / "generated_manifest_declined.before.Dockerfile").read_text()
    assert _reasons(text) == ["a `RUN` between them names `requirements.txt`, which the install reads: "
                              "it may generate it from the sources"]


def test_manifest_written_through_an_option() -> None:
    text = ("FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip-compile --output-file=requirements.txt\n"
            "RUN pip install -r requirements.txt\n")
    reasons = _reasons(text)
    assert len(reasons) == 1 and reasons[0] is not None and "names `requirements.txt`" in reasons[0]


def test_go_replace_folder_with_whole_context_copy() -> None:
    case = "go_replace_whole_context_declined"
    text = (FIXTURES / f"{case}.before.Dockerfile").read_text()
    assert _reasons(text, context_dir=FIXTURES / f"{case}.context") == [
        "`go.mod` replaces a module with the folder `./api`, which the install needs and the manifest "
        "copy would not bring"]


def test_pnpmfile_that_loads_a_local_file() -> None:
    case = "config_pnpmfile_requires_declined"
    text = (FIXTURES / f"{case}.before.Dockerfile").read_text()
    assert _reasons(text, context_dir=FIXTURES / f"{case}.context") == [
        "`.pnpmfile.cjs` loads `./hooks/read-package.js`, which the manifest copy would not bring"]


def test_patch_file_the_context_does_not_send() -> None:
    case = "config_patch_missing_declined"
    text = (FIXTURES / f"{case}.before.Dockerfile").read_text()
    assert _reasons(text, context_dir=FIXTURES / f"{case}.context") == [
        "`package.json` patches `left-pad@1.3.0` with `patches/left-pad@1.3.0.patch`, which the context "
        "does not send"]


_PNPM = "FROM node:22\nRUN corepack enable\nWORKDIR /app\nCOPY . .\nRUN pnpm install --frozen-lockfile\n"


def _pnpm_context(tmp_path: Path, package_json: str) -> Path:
    (tmp_path / "package.json").write_text(package_json)
    (tmp_path / "pnpm-lock.yaml").write_text("lockfileVersion: '9.0'\n")
    (tmp_path / ".dockerignore").write_text("node_modules\n")
    return tmp_path


def test_patch_file_outside_the_copied_folder(tmp_path: Path) -> None:
    ctx = _pnpm_context(tmp_path, '{"pnpm": {"patchedDependencies": {"a@1.0.0": "../shared/a.patch"}}}')
    assert _reasons(_PNPM, context_dir=ctx) == [
        "`package.json` patches `a@1.0.0` with `../shared/a.patch`, which is not a plain path in the copied folder"]


def test_patched_dependencies_that_are_not_a_table(tmp_path: Path) -> None:
    ctx = _pnpm_context(tmp_path, '{"pnpm": {"patchedDependencies": ["a.patch"]}}')
    assert _reasons(_PNPM, context_dir=ctx) == [
        "`pnpm.patchedDependencies` in `package.json` is not a table of patch files"]


def test_pnpm_does_not_read_buns_patch_table(tmp_path: Path) -> None:
    """Only the manager's own table counts: pnpm reads `pnpm.patchedDependencies`, bun the
    top-level `patchedDependencies`."""
    ctx = _pnpm_context(tmp_path, '{"patchedDependencies": {"a@1.0.0": "patches/a.patch"}}')
    out = run_transform(_PNPM, ReorderDependencyCopy, context_dir=ctx)
    assert "COPY package.json pnpm-workspace.yaml* pnpm-lock.yaml .npmrc* ./\n" in out.output
    assert "patches" not in out.output


def test_gradle_without_a_context() -> None:
    # build.gradle or build.gradle.kts: which one the copy must name only the context shows.
    text = (FIXTURES / "gradle_no_context_declined.before.Dockerfile").read_text()
    assert _reasons(text) == ["which of the build files (`settings.gradle`…) the project has only the build "
                              "context shows, and it is not at hand"]


def test_pnpmfile_setting_outside_the_folder(tmp_path: Path) -> None:
    ctx = _pnpm_context(tmp_path, '{"name":"x","version":"1.0.0"}')
    (ctx / "pnpm-workspace.yaml").write_text("pnpmfile: ../hooks/pnpmfile.cjs\n")
    assert _reasons(_PNPM, context_dir=ctx) == [
        "`pnpm-workspace.yaml` sets `pnpmfile` to `../hooks/pnpmfile.cjs`, which is not a plain path in the "
        "copied folder"]


def test_pnpmfile_setting_names_a_file_that_loads_others(tmp_path: Path) -> None:
    ctx = _pnpm_context(tmp_path, '{"name":"x","version":"1.0.0"}')
    (ctx / ".npmrc").write_text("pnpmfile = hooks.cjs\n")
    (ctx / "hooks.cjs").write_text('module.exports = require("./more-hooks")\n')
    assert _reasons(_PNPM, context_dir=ctx) == [
        "`hooks.cjs` loads `./more-hooks`, which the manifest copy would not bring"]


def test_go_work_using_another_folder() -> None:
    case = "go_work_use_declined"
    text = (FIXTURES / f"{case}.before.Dockerfile").read_text()
    assert _reasons(text, context_dir=FIXTURES / f"{case}.context") == [
        "`go.work` uses the folder `./lib`, which the manifest copy would not bring"]


def test_go_workspace_file_named_by_gowork() -> None:
    # GOWORK names the workspace file read in place of `go.work` (https://go.dev/ref/mod#workspaces):
    # copying `go.work` would not bring it; a value not known may name one too.
    ctx = FIXTURES / "go_work_copied.context"
    named = "FROM golang:1.22\nWORKDIR /src\nENV GOWORK=/src/ci.work\nCOPY . .\nRUN go mod download\n"
    assert _reasons(named, context_dir=ctx) == [
        "`GOWORK=/src/ci.work` names the file read in place of `go.work`, which dockmod does not copy"]
    unknown = "FROM golang:1.22\nARG GOWORK\nWORKDIR /src\nCOPY . .\nRUN go mod download\n"
    assert _reasons(unknown, context_dir=ctx) == [
        "`$GOWORK` may name a file read in place of `go.work`, and its value is not known"]


def test_go_build_reading_only_what_is_on_disk() -> None:
    # GOFLAGS=-mod=vendor / GOPROXY=off: an added `go mod download` would need the network.
    text = (FIXTURES / "go_env_offline_no_download.before.Dockerfile").read_text()
    assert _reasons(text) == [
        "`GOFLAGS=-mod=vendor`: the build reads only what is on disk, and an added `go mod download` would need "
        "the network",
        "`GOPROXY=off`: the build reads only what is on disk, and an added `go mod download` would need the "
        "network"]


def test_go_build_with_a_vendor_folder() -> None:
    case = "go_vendor_no_download"
    text = (FIXTURES / f"{case}.before.Dockerfile").read_text()
    assert _reasons(text, context_dir=FIXTURES / f"{case}.context") == [
        "the context has `vendor/modules.txt`: the build reads the vendored modules, and an added `go mod "
        "download` would download them"]


def test_gradle_context_without_build_files(tmp_path: Path) -> None:
    # A context with none of the build files: a reorder would copy nothing.
    (tmp_path / "Main.java").write_text("class Main {}\n")
    text = (FIXTURES / "gradle_no_context_declined.before.Dockerfile").read_text()
    assert _reasons(text, context_dir=tmp_path) == [
        "the context has none of the build files `settings.gradle`, `settings.gradle.kts`, `build.gradle`, "
        "`build.gradle.kts`"]


def test_dotnet_publish_that_picks_its_runtime_identifier() -> None:
    # `dotnet publish` (only it) adds the current RID for PublishAot/PublishReadyToRun… when
    # none is given; a `dotnet restore` with the same options restores for none:
    # https://learn.microsoft.com/en-us/dotnet/core/compatibility/sdk/7.0/automatic-rid-publish-only
    ctx = FIXTURES / "dotnet_restore_carries_runtime.context"
    text = ("FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\n"
            "RUN dotnet publish -c Release -p:PublishAot=true -o /app\n"
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\n"
            "RUN dotnet publish -c Release /p:PublishReadyToRun=true -o /app\n"
            # MSBuild reads switch names in any case (`/P:`, `-Property:`)
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\n"
            "RUN dotnet publish -c Release /P:PublishSingleFile=true /v:m -o /app\n"
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\n"
            "RUN dotnet publish -c Release -Property:PublishAot=true -o /app\n")
    assert _reasons(text, context_dir=ctx) == [
        f"`dotnet publish` picks the runtime identifier for `{p}` (none is given), which `dotnet restore` does "
        "not: the publish would restore again" for p in ("PublishAot", "PublishReadyToRun", "PublishSingleFile",
                                                        "PublishAot")]


_BETWEEN = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN {}\nRUN pip install -r requirements.txt\n"


@pytest.mark.parametrize(("command", "reason"), [
    ("make", "a `RUN` between them runs `make`, a build from the sources (`Makefile`), and the copy cannot "
             "move below it"),
    ("php artisan migrate --force", "a `RUN` between them runs `php artisan migrate --force`, which runs "
                                    "`artisan` from the sources, and the copy cannot move below it"),
    ("cd scripts && ./gen.sh", "a `RUN` between them runs `./gen.sh` from the sources, and the copy cannot "
                               "move below it"),
    ("gradle build -x test", "a `RUN` between them runs `gradle build -x test`, which builds the project from "
                             "the sources, and the copy cannot move below it"),
])
def test_run_between_runs_the_projects_code(command: str, reason: str) -> None:
    """The fix would run it before the sources are copied; what it writes may be what the
    install reads."""
    assert _reasons(_BETWEEN.format(command)) == [reason]


def test_a_script_the_context_does_not_send_is_not_the_projects(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    out = run_transform(_BETWEEN.format("tools/bin/gen --check"), ReorderDependencyCopy, unsafe_fixes=True,
                        context_dir=tmp_path)
    assert [f.no_fix_reason for f in out.result.findings] == [None]
    assert "a `RUN` between them may need the sources" in out.result.findings[0].message
