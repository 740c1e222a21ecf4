""".NET: the dotnet CLI and nuget.exe."""

from __future__ import annotations

import re

from dockmod.ecosystems._base import CacheDir, Ecosystem, InstallKind, Manager, ManagerInfo, PackageManagerCall
from dockmod.ecosystems._rows import names, same
from dockmod.shell.commands import CommandSpec, Option

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


#: MSBuild's command-line switches, long and short names in lower case (MSBuild reads them
#: in any case, after `-` or `/`): https://learn.microsoft.com/visualstudio/msbuild/msbuild-command-line-reference
MSBUILD_SWITCHES = names(
    "binarylogger bl check consoleloggerparameters clp detailedsummary ds distributedfilelogger dfl"
    " distributedlogger dl featureavailability fa filelogger fl fileloggerparameters flp"
    " getitem getproperty getresultoutputfile gettargetresult graphbuild graph help h"
    " ignoreprojectextensions ignore inputresultscaches irc interactive isolateprojects isolate"
    " logger l lowpriority low maxcpucount m noautoresponse noautorsp noconsolelogger noconlog"
    " nodereuse nr nologo outputresultscache orc preprocess pp profileevaluation property p"
    " question q reportfileaccesses restore r restoreproperty rp target t targets ts"
    " terminallogger tl terminalloggerparameters tlp toolsversion tv validate val version ver"
    " verbosity v warnaserror err warnasmessage nowarn warnnotaserror noerr"
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
            # The dotnet CLI passes MSBuild's switches on, and they may start with `/`:
            # https://learn.microsoft.com/visualstudio/msbuild/msbuild-command-line-reference;
            # `--sc`/`--ucr` take an optional `true|false`:
            # https://learn.microsoft.com/dotnet/core/tools/dotnet-publish#synopsis
            slash_switches=MSBUILD_SWITCHES,
            bool_values=names("--sc --self-contained --ucr --use-current-runtime"),
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
#: ``-property:…``, ``/p:…``): carried too, as properties decide what is restored (Native AOT's
#: ILCompiler, ReadyToRun's runtime packs: https://learn.microsoft.com/en-us/dotnet/core/deploying/native-aot/,
#: https://learn.microsoft.com/en-us/dotnet/core/deploying/ready-to-run).
RESTORE_PROPERTY_PREFIXES = ("--property:", "-property:", "-p:", "/p:", "/property:")
#: MSBuild's ``-restoreProperty:`` (``-rp:``, ``/rp:``) sets properties for the restore alone:
#: carried as written, not read as the build's properties.
RESTORE_ONLY_PREFIXES = ("--restoreproperty:", "-restoreproperty:", "-rp:", "/restoreproperty:", "/rp:")
#: `dotnet publish`/`build` options that `dotnet restore` lacks but that set a property
#: the restore reads: ``--self-contained [true|false]`` sets ``SelfContained``, whose runtime
#: packs the restore fetches (https://learn.microsoft.com/en-us/dotnet/core/tools/dotnet-publish#options):
#: the property and its value when the option has none.
RESTORE_AS_PROPERTY = {"--self-contained": ("SelfContained", "true"), "--sc": ("SelfContained", "true"),
                       "--no-self-contained": ("SelfContained", "false"),
                       # `-c`/`--configuration` sets `Configuration`, which a project's
                       # conditions on package references may read: the restore sees the
                       # same configuration as the build (https://learn.microsoft.com/dotnet/core/tools/dotnet-build#options)
                       "-c": ("Configuration", ""), "--configuration": ("Configuration", "")}
#: Options that give the runtime identifier (RID), and the property that does:
#: https://learn.microsoft.com/en-us/dotnet/core/tools/dotnet-publish#options
RID_OPTIONS = frozenset({"-r", "--runtime", "-a", "--arch", "--os", "--ucr", "--use-current-runtime"})
RID_PROPERTIES = frozenset({"runtimeidentifier"})
#: Properties (lower case) for which `dotnet publish`, and only it, adds the current RID when
#: none is given (SDK 7.0.200 on): a `dotnet restore` with them and no RID restores for no
#: RID, and the publish restores again ("you'll need to specify an RID using dotnet restore
#: -r"): https://learn.microsoft.com/en-us/dotnet/core/compatibility/sdk/7.0/automatic-rid-publish-only
PUBLISH_RID_PROPERTIES = frozenset({"publishaot", "publishreadytorun", "publishsinglefile", "publishselfcontained"})


def restore_carries(option: str) -> bool:
    """An option of a build that the added ``dotnet restore`` repeats."""
    # MSBuild's switch names are case-insensitive (`/P:`, `-Property:`).
    return option in RESTORE_CARRIED or option.lower().startswith(RESTORE_PROPERTY_PREFIXES + RESTORE_ONLY_PREFIXES)


def _properties(option: Option) -> list[tuple[str, str]]:
    """The MSBuild properties an option sets, as (name, value): ``-p A=1;B=2``,
    ``-p:A=1``, ``--property:A=1``, ``/p:A=1`` (pairs split by ``;`` or ``,``)."""
    if len(option.words) == 2 and option.name in ("-p", "--property"):
        text = option.words[1].text
    elif option.words[0].text.lower().startswith(RESTORE_PROPERTY_PREFIXES):
        text = option.words[0].text.split(":", 1)[1]
    else:
        return []
    pairs = (p.partition("=") for p in re.split(r"[;,]", text))
    return [(name.strip(), value.strip()) for name, _, value in pairs]


def _value_raw(option: Option) -> str | None:
    """The option's value as written (quotes and expansions kept, so that the shell reads the
    carried word as it read the build's), or None when it cannot be cut out of one quoted word."""
    if len(option.words) == 2:
        return option.words[1].raw
    prefix = f"{option.name}="
    raw = option.words[0].raw
    return raw[len(prefix):] if raw.startswith(prefix) else None


def restore_options(call: PackageManagerCall, in_project: tuple[str, ...] = ()) -> list[str] | str:
    """The options of a build (``call``) that the ``dotnet restore`` added before it
    repeats, as written, so that it restores what the build reads; or why none can.
    ``in_project``: the :data:`PUBLISH_RID_PROPERTIES` its MSBuild files set to true."""
    out: list[str] = []
    props: list[tuple[str, str]] = []
    rid = False
    for o in call.options:
        if o.name in ("--ucr", "--use-current-runtime") and o.value is not None:
            if o.value.lower() == "true":  # `--ucr true`: the switch
                out.append(o.name)
                rid = True
        elif restore_carries(o.name):
            out.extend(w.raw for w in o.words)
            rid = rid or o.name in RID_OPTIONS
            props += _properties(o)
        elif o.name in RESTORE_AS_PROPERTY:
            name, default = RESTORE_AS_PROPERTY[o.name]
            value = _value_raw(o) if o.value is not None else default
            if value:
                out.append(f"-p:{name}={value}")
    # MSBuild property names are case-insensitive:
    # https://learn.microsoft.com/visualstudio/msbuild/msbuild-properties
    rid = rid or any(name.lower() in RID_PROPERTIES and value for name, value in props)
    auto = [name for name, value in props if name.lower() in PUBLISH_RID_PROPERTIES and value.lower() == "true"]
    auto += in_project
    if call.action == "publish" and auto and not rid:
        return (f"`dotnet publish` picks the runtime identifier for `{auto[0]}` (none is given), which "
                "`dotnet restore` does not: the publish would restore again")
    return out
