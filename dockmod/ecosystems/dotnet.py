""".NET: the dotnet CLI and nuget.exe."""

from __future__ import annotations

from dockmod.ecosystems._base import CacheDir, Ecosystem, InstallKind, Manager, ManagerInfo, PackageManagerCall
from dockmod.ecosystems._rows import names, same
from dockmod.shell.commands import CommandSpec

_MSBUILD = ("*.csproj", "*.fsproj", "*.vbproj", "*.sln", "*.slnx", "packages.lock.json", "NuGet.Config",
            "nuget.config", "Directory.Packages.props", "Directory.Build.props", "global.json")

# https://learn.microsoft.com/en-us/nuget/consume-packages/managing-the-global-packages-and-cache-folders
# (global-packages: NUGET_PACKAGES, default ~/.nuget/packages; http-cache: NUGET_HTTP_CACHE_PATH,
# default ~/.local/share/NuGet/http-cache on Linux). Docker's .NET guide mounts
# /root/.nuget/packages: https://docs.docker.com/guides/dotnet/develop/
_NUGET = (
    CacheDir(
        "{HOME}/.nuget/packages",
        env=("NUGET_PACKAGES",),
        kind="store",
        options=("--packages",),
        source="https://learn.microsoft.com/en-us/nuget/consume-packages/managing-the-global-packages-and-cache-folders",
    ),
    CacheDir(
        "{HOME}/.local/share/NuGet/http-cache",
        env=("NUGET_HTTP_CACHE_PATH",),
        source="https://learn.microsoft.com/en-us/nuget/consume-packages/managing-the-global-packages-and-cache-folders",
    ),
)


def _dotnet_kind(call: PackageManagerCall) -> InstallKind | None:
    a = call.action
    if a == "restore":
        return InstallKind.DEPENDENCIES
    if a in ("tool install", "add package", "workload install"):
        return InstallKind.PACKAGES
    if a in ("build", "publish", "test", "run", "pack"):
        return InstallKind.PROJECT
    return None


MANAGERS = (
    # https://learn.microsoft.com/en-us/dotnet/core/tools/dotnet-restore
    ManagerInfo(
        manager=Manager.DOTNET,
        programs=("dotnet",),
        ecosystem="dotnet",
        source="https://learn.microsoft.com/en-us/dotnet/core/tools/dotnet-restore",
        spec=CommandSpec(
            {**same("restore build publish test run pack"), "tool install": "tool install",
             "add package": "add package", "workload install": "workload install"},
            names(
                "-c --configuration -r --runtime -o --output -f --framework -s --source --packages"
                " -v --verbosity -a --arch --os --configfile --version-suffix --property -p"
            ),
            names("--configfile"),
        ),
        install_actions=frozenset({"restore", "build", "publish", "test", "run", "pack", "tool install",
                                   "add package", "workload install"}),
        action_manifests={a: _MSBUILD for a in ("restore", "build", "publish", "test", "run", "pack")},
        caches=_NUGET,
        # https://learn.microsoft.com/en-us/dotnet/core/tools/dotnet-nuget-locals
        cleaners=(("dotnet", "nuget", "locals", "all", "--clear"),),
        # --no-restore: build from the packages an earlier restore put in place
        # (https://learn.microsoft.com/en-us/dotnet/core/tools/dotnet-publish#options)
        offline_options=("--no-restore",),
        kind_rule=_dotnet_kind,
    ),
    # https://learn.microsoft.com/en-us/nuget/reference/cli-reference/cli-ref-restore
    ManagerInfo(
        manager=Manager.NUGET,
        programs=("nuget", "nuget.exe"),
        ecosystem="dotnet",
        source="https://learn.microsoft.com/en-us/nuget/reference/cli-reference/cli-ref-restore",
        spec=CommandSpec(
            same("restore install"),
            names("-PackagesDirectory -OutputDirectory -Source -ConfigFile -SolutionDirectory -Verbosity -Version"),
            names("-ConfigFile"),
            attached_values=False,
        ),
        install_actions=frozenset({"restore", "install"}),
        action_manifests={"restore": ("packages.config", "*.sln", "*.csproj", "NuGet.Config", "nuget.config")},
        caches=_NUGET,
        kind_rule=lambda call: InstallKind.DEPENDENCIES if call.action == "restore" else (
            InstallKind.PACKAGES if call.action == "install" else None),
    ),
)

ECOSYSTEMS = (
    # https://learn.microsoft.com/en-us/nuget/consume-packages/package-references-in-project-files
    Ecosystem("dotnet", ".NET", (Manager.DOTNET, Manager.NUGET), _MSBUILD,
              "https://learn.microsoft.com/en-us/nuget/consume-packages/package-references-in-project-files"),
)


# -- the restore step of a .NET build ---------------------------------------------------
# Docker's .NET guide: `COPY *.csproj .` + `RUN dotnet restore` before `COPY . .`, then
# `dotnet publish` (https://docs.docker.com/guides/dotnet/containerize/).
#: Project and solution files `dotnet restore` looks for in its folder when given none;
#: more than one is an error (MSB1011):
#: https://learn.microsoft.com/en-us/dotnet/core/tools/dotnet-restore#arguments
PROJECT_SUFFIXES = (".csproj", ".fsproj", ".vbproj")
SOLUTION_SUFFIXES = (".sln", ".slnx")
#: Files MSBuild and NuGet read beside the projects, in the project's folder or a folder
#: above it: https://learn.microsoft.com/en-us/visualstudio/msbuild/customize-by-directory,
#: https://learn.microsoft.com/en-us/nuget/consume-packages/configuring-nuget-behavior,
#: https://learn.microsoft.com/en-us/dotnet/core/tools/global-json,
#: https://learn.microsoft.com/en-us/nuget/consume-packages/central-package-management
RESTORE_INPUTS = ("Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props",
                  "NuGet.Config", "nuget.config", "NuGet.config", "global.json", "packages.lock.json")
#: `dotnet build`/`publish` options that `dotnet restore` takes too and that change what
#: it restores: https://learn.microsoft.com/en-us/dotnet/core/tools/dotnet-restore#options
RESTORE_CARRIED = frozenset({"-r", "--runtime", "-a", "--arch", "--os", "-s", "--source", "--packages",
                             "--configfile", "--disable-parallel", "--no-cache", "--force", "--locked-mode",
                             "--use-lock-file", "-v", "--verbosity", "-p", "--property",
                             # the current runtime as the RID (restores its runtime packs), .NET 6+
                             "--ucr", "--use-current-runtime",
                             "--no-http-cache", "--ignore-failed-sources", "--lock-file-path", "--force-evaluate"})
#: MSBuild properties written with the name attached (``--property:PublishAot=true``,
#: ``-property:…``): carried too, as properties decide what is restored (Native AOT's
#: ILCompiler, ReadyToRun's runtime packs: https://learn.microsoft.com/en-us/dotnet/core/deploying/native-aot/,
#: https://learn.microsoft.com/en-us/dotnet/core/deploying/ready-to-run).
RESTORE_PROPERTY_PREFIXES = ("--property:", "-property:", "-p:")
#: `dotnet publish`/`build` options that `dotnet restore` lacks but that set a property
#: the restore reads: ``--self-contained`` sets ``SelfContained``, whose runtime packs the
#: restore fetches (https://learn.microsoft.com/en-us/dotnet/core/tools/dotnet-publish#options).
RESTORE_AS_PROPERTY = {"--self-contained": "-p:SelfContained=true", "--sc": "-p:SelfContained=true",
                       "--no-self-contained": "-p:SelfContained=false"}


def restore_carries(option: str) -> bool:
    """An option of a build that the added ``dotnet restore`` repeats."""
    return option in RESTORE_CARRIED or option.startswith(RESTORE_PROPERTY_PREFIXES)
