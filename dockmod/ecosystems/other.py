"""The other ecosystems dependency installs are recognised in: Elixir, Dart/Flutter, Swift,
Crystal, Julia, Perl, Haskell, R, Nim, Gleam, OCaml, Erlang, and C/C++ (Conan, vcpkg).

Recognition, install kind and manifests for each; caches only where their documentation
states them (Swift, Crystal, Haskell's cabal, Nim and Gleam have none here).
"""

from __future__ import annotations

from dockmod.ecosystems._base import (
    CacheDir, ConfigFile, Ecosystem, InstallKind, Manager, ManagerInfo, PackageManagerCall,
)
from dockmod.ecosystems._rows import names, same
from dockmod.shell.commands import CommandSpec, Option
from dockmod.shell.parse import ShellWord

_D, _P, _K, _I = InstallKind.DEPENDENCIES, InstallKind.PROJECT, InstallKind.PACKAGES, InstallKind.INDEX


def _by_action(table: dict[str, InstallKind]):  # type: ignore[no-untyped-def]
    def kind(call: PackageManagerCall) -> InstallKind | None:
        return table.get(call.action)

    return kind


def _code(options: tuple[Option, ...]) -> str:
    return " ".join(o.value or "" for o in options if o.name in ("-e", "--eval", "-E", "--print"))


def _julia_action(action: str, options: tuple[Option, ...], operands: tuple[ShellWord, ...]) -> str | None:
    # https://pkgdocs.julialang.org/v1/api/#Pkg.instantiate
    code = _code(options)
    if "Pkg.instantiate" in code or "instantiate" in code and "Pkg" in code:
        return "instantiate"
    if "Pkg.add" in code:
        return "add"
    return None


def _r_action(action: str, options: tuple[Option, ...], operands: tuple[ShellWord, ...]) -> str | None:
    code = _code(options)
    # https://rstudio.github.io/renv/reference/restore.html
    if "renv::restore" in code:
        return "renv restore"
    # https://remotes.r-lib.org/reference/install_deps.html
    if "install_deps" in code:
        return "install_deps"
    # https://stat.ethz.ch/R-manual/R-devel/library/utils/html/install.packages.html
    if "install.packages" in code or "install_github" in code or "install_version" in code:
        return "install.packages"
    return None


def _cpanm_action(action: str, options: tuple[Option, ...], operands: tuple[ShellWord, ...]) -> str | None:
    # https://metacpan.org/dist/App-cpanminus/view/bin/cpanm (--installdeps)
    return "installdeps" if any(o.name == "--installdeps" for o in options) else "install"


def _cpanm_kind(call: PackageManagerCall) -> InstallKind | None:
    if call.action == "installdeps":
        return _D
    if any(w.text in (".", "./") for w in call.operands):
        return _P
    return _K if call.operands else None


def _only_deps(call: PackageManagerCall) -> InstallKind | None:
    """cabal/stack: ``--only-dependencies`` builds only the dependencies."""
    if call.action == "update":
        return _I
    if call.action == "setup":
        return _K
    if call.has_option("--only-dependencies", "--dependencies-only"):
        return _D
    if call.action == "install" and call.operands:
        return _K
    return _P if call.action in ("build", "install") else None


def _nimble_kind(call: PackageManagerCall) -> InstallKind | None:
    # https://github.com/nim-lang/nimble#nimble-install (-d/--depsOnly)
    if call.action != "install":
        return _P if call.action == "build" else None
    if call.has_option("-d", "--depsOnly"):
        return _D
    return _K if call.operands else _P


def _opam_kind(call: PackageManagerCall) -> InstallKind | None:
    # https://opam.ocaml.org/doc/man/opam-install.html (--deps-only)
    if call.action == "update":
        return _I
    if call.action != "install":
        return None
    if call.has_option("--deps-only"):
        return _D
    if any(w.text.startswith((".", "/")) for w in call.operands):
        return _P
    return _K


def _vcpkg_kind(call: PackageManagerCall) -> InstallKind | None:
    # https://learn.microsoft.com/en-us/vcpkg/commands/install (manifest mode without operands)
    if call.action != "install":
        return None
    return _K if call.operands else _D


def _tasks(table: dict[str, InstallKind], default: InstallKind | None):  # type: ignore[no-untyped-def]
    """For tools whose first operand is a task (mix, rebar3): the kind of the tasks run."""

    def kind(call: PackageManagerCall) -> InstallKind | None:
        tasks = [call.action, *(w.text for w in call.operands)] if call.action else []
        kinds = {table.get(t, default) for t in tasks if t and t not in ("as", "prod", "do")}
        kinds.discard(None)
        if not kinds:
            return None
        return _P if _P in kinds else kinds.pop()

    return kind


_XDG_CACHE = "{XDG_CACHE_HOME:-{HOME}/.cache}"

MANAGERS = (
    # https://hexdocs.pm/mix/Mix.Tasks.Deps.Get.html ; hex cache: https://hexdocs.pm/hex/Mix.Tasks.Hex.Config.html (HEX_HOME)
    ManagerInfo(
        manager=Manager.MIX,
        programs=("mix",),
        ecosystem="elixir",
        source="https://hexdocs.pm/mix/Mix.Tasks.Deps.Get.html",
        spec=CommandSpec(None, names("--only")),
        install_actions=frozenset({"deps.get", "deps.compile", "compile", "release"}),
        action_manifests={"": ("mix.exs", "mix.lock")},
        caches=(CacheDir("{HOME}/.hex/packages", overrides=(("HEX_HOME", "{HEX_HOME}/packages"),),
                         source="https://hexdocs.pm/hex/Mix.Tasks.Hex.Config.html"),),
        # The compile-time configuration: "config/config.exs is always loaded automatically by
        # the Mix CLI when it boots" and is compile-time configuration
        # (https://hexdocs.pm/mix/Mix.Tasks.Loadconfig.html); it imports the others
        # (`import_config "#{config_env()}.exs"`). Compiling the dependencies reads it, fetching
        # them does not: Phoenix's generated Dockerfile runs `mix deps.get` after copying
        # `mix.exs mix.lock` only, then copies `config/config.exs config/${MIX_ENV}.exs` "before we
        # compile dependencies to ensure any relevant config change will trigger the dependencies
        # to be re-compiled", then runs `mix deps.compile` (phoenixframework/phoenix,
        # priv/templates/phx.gen.release/Dockerfile.eex). The whole folder is taken: which files
        # `config.exs` imports only it says.
        project_config=(ConfigFile("config/", "https://hexdocs.pm/mix/Mix.Tasks.Loadconfig.html",
                                   actions=frozenset({"deps.compile", "compile", "release"})),),
        kind_rule=_tasks({"deps.get": _D, "deps.compile": _D, "local.hex": _K, "local.rebar": _K,
                          "compile": _P, "release": _P, "phx.digest": _P, "assets.deploy": _P}, None),
    ),
    # https://dart.dev/tools/pub/cmd/pub-get ; cache: https://dart.dev/tools/pub/environment-variables (PUB_CACHE)
    ManagerInfo(
        manager=Manager.PUB,
        programs=("dart", "flutter"),
        ecosystem="dart",
        source="https://dart.dev/tools/pub/cmd/pub-get",
        spec=CommandSpec({"pub get": "pub get", "pub upgrade": "pub upgrade", "pub downgrade": "pub downgrade",
                          "pub global activate": "pub global activate"}, names("-C --directory")),
        install_actions=frozenset({"pub get", "pub upgrade", "pub downgrade", "pub global activate"}),
        action_manifests={"pub get": ("pubspec.yaml", "pubspec.lock"), "pub upgrade": ("pubspec.yaml",),
                          "pub downgrade": ("pubspec.yaml",)},
        caches=(CacheDir("{HOME}/.pub-cache", env=("PUB_CACHE",), kind="store",
                         source="https://dart.dev/tools/pub/environment-variables"),),
        offline_options=("--offline",),
        kind_rule=_by_action({"pub get": _D, "pub upgrade": _D, "pub downgrade": _D, "pub global activate": _K}),
    ),
    # https://www.swift.org/documentation/package-manager/ (swift package resolve)
    ManagerInfo(
        manager=Manager.SWIFT,
        programs=("swift",),
        ecosystem="swift",
        source="https://www.swift.org/documentation/package-manager/",
        spec=CommandSpec({"package resolve": "package resolve", "build": "build"},
                         names("-c --configuration --package-path --scratch-path -Xswiftc -Xcc -Xlinker")),
        install_actions=frozenset({"package resolve", "build"}),
        action_manifests={"package resolve": ("Package.swift", "Package.resolved"),
                          "build": ("Package.swift", "Package.resolved")},
        kind_rule=_by_action({"package resolve": _D, "build": _P}),
    ),
    # https://crystal-lang.org/reference/man/shards/
    ManagerInfo(
        manager=Manager.SHARDS,
        programs=("shards",),
        ecosystem="crystal",
        source="https://crystal-lang.org/reference/man/shards/",
        spec=CommandSpec(same("install update build"), names("--release")),
        install_actions=frozenset({"install", "update", "build"}),
        action_manifests={"install": ("shard.yml", "shard.lock"), "update": ("shard.yml",),
                          "build": ("shard.yml", "shard.lock")},
        kind_rule=_by_action({"install": _D, "update": _D, "build": _P}),
    ),
    # https://pkgdocs.julialang.org/v1/api/ ; depot: https://docs.julialang.org/en/v1/manual/environment-variables/#JULIA_DEPOT_PATH
    ManagerInfo(
        manager=Manager.JULIA,
        programs=("julia",),
        ecosystem="julia",
        source="https://pkgdocs.julialang.org/v1/api/",
        spec=CommandSpec(None, names("-e --eval -E --print -L --load -t --threads -p --procs"),
                         subcommands=False),
        install_actions=frozenset({"instantiate", "add"}),
        action_manifests={"instantiate": ("Project.toml", "Manifest.toml")},
        caches=(CacheDir("{HOME}/.julia", env=("JULIA_DEPOT_PATH",), kind="store",
                         source="https://docs.julialang.org/en/v1/manual/environment-variables/#JULIA_DEPOT_PATH"),),
        action_rule=_julia_action,
        kind_rule=_by_action({"instantiate": _D, "add": _K}),
    ),
    # https://metacpan.org/dist/App-cpanminus/view/bin/cpanm (PERL_CPANM_HOME, default ~/.cpanm)
    ManagerInfo(
        manager=Manager.CPANM,
        programs=("cpanm", "cpanm.pl"),
        ecosystem="perl",
        source="https://metacpan.org/dist/App-cpanminus/view/bin/cpanm",
        spec=CommandSpec(None, names("-l --local-lib -L --local-lib-contained --mirror --cpanfile"),
                         names("--cpanfile"), subcommands=False),
        install_actions=frozenset({"install", "installdeps"}),
        action_manifests={"installdeps": ("cpanfile", "cpanfile.snapshot", "Makefile.PL", "Build.PL", "META.json")},
        caches=(CacheDir("{HOME}/.cpanm", env=("PERL_CPANM_HOME",),
                         source="https://metacpan.org/dist/App-cpanminus/view/bin/cpanm"),),
        action_rule=_cpanm_action,
        kind_rule=_cpanm_kind,
    ),
    # https://cabal.readthedocs.io/en/stable/cabal-commands.html
    ManagerInfo(
        manager=Manager.CABAL,
        programs=("cabal",),
        ecosystem="haskell",
        source="https://cabal.readthedocs.io/en/stable/cabal-commands.html",
        spec=CommandSpec({"update": "update", "build": "build", "v2-build": "build", "install": "install",
                          "v2-install": "install"}, names("--project-file -j --jobs --installdir --install-method")),
        install_actions=frozenset({"update", "build", "install"}),
        action_manifests={"build": ("*.cabal", "cabal.project", "cabal.project.freeze"),
                          "install": ("*.cabal", "cabal.project", "cabal.project.freeze")},
        kind_rule=_only_deps,
    ),
    # https://docs.haskellstack.org/en/stable/commands/build_command/ ; STACK_ROOT:
    # https://docs.haskellstack.org/en/stable/topics/stack_root/
    ManagerInfo(
        manager=Manager.STACK,
        programs=("stack",),
        ecosystem="haskell",
        source="https://docs.haskellstack.org/en/stable/commands/build_command/",
        spec=CommandSpec(same("build install setup update"), names("--stack-yaml --resolver -j --jobs --local-bin-path")),
        install_actions=frozenset({"build", "install", "setup", "update"}),
        action_manifests={"build": ("stack.yaml", "stack.yaml.lock", "package.yaml", "*.cabal")},
        caches=(CacheDir("{HOME}/.stack", env=("STACK_ROOT",), kind="store",
                         source="https://docs.haskellstack.org/en/stable/topics/stack_root/"),),
        kind_rule=_only_deps,
    ),
    # https://stat.ethz.ch/R-manual/R-devel/library/utils/html/Rscript.html ; renv: https://rstudio.github.io/renv/
    ManagerInfo(
        manager=Manager.RSCRIPT,
        programs=("Rscript", "R"),
        ecosystem="r",
        source="https://stat.ethz.ch/R-manual/R-devel/library/utils/html/Rscript.html",
        spec=CommandSpec(None, names("-e"), subcommands=False),
        install_actions=frozenset({"renv restore", "install_deps", "install.packages"}),
        action_manifests={"renv restore": ("renv.lock",), "install_deps": ("DESCRIPTION",)},
        # https://rstudio.github.io/renv/reference/paths.html (RENV_PATHS_CACHE; ~/.cache/R/renv on Linux)
        caches=(CacheDir(f"{_XDG_CACHE}/R/renv", env=("RENV_PATHS_CACHE",),
                         source="https://rstudio.github.io/renv/reference/paths.html"),),
        action_rule=_r_action,
        kind_rule=_by_action({"renv restore": _D, "install_deps": _D, "install.packages": _K}),
    ),
    # https://github.com/nim-lang/nimble#nimble-usage
    ManagerInfo(
        manager=Manager.NIMBLE,
        programs=("nimble",),
        ecosystem="nim",
        source="https://github.com/nim-lang/nimble#nimble-usage",
        spec=CommandSpec(same("install build"), names("--nimbleDir")),
        install_actions=frozenset({"install", "build"}),
        action_manifests={"install": ("*.nimble", "nimble.lock"), "build": ("*.nimble", "nimble.lock")},
        kind_rule=_nimble_kind,
    ),
    # https://gleam.run/writing-gleam/command-line-reference/
    ManagerInfo(
        manager=Manager.GLEAM,
        programs=("gleam",),
        ecosystem="gleam",
        source="https://gleam.run/writing-gleam/command-line-reference/",
        spec=CommandSpec({"deps download": "deps download", "build": "build", "export": "export"},
                         names("--target -t")),
        install_actions=frozenset({"deps download", "build", "export"}),
        action_manifests={"deps download": ("gleam.toml", "manifest.toml"), "build": ("gleam.toml", "manifest.toml")},
        kind_rule=_by_action({"deps download": _D, "build": _P, "export": _P}),
    ),
    # https://opam.ocaml.org/doc/man/opam-install.html ; OPAMROOT: https://opam.ocaml.org/doc/man/opam.html
    ManagerInfo(
        manager=Manager.OPAM,
        programs=("opam",),
        ecosystem="ocaml",
        source="https://opam.ocaml.org/doc/man/opam-install.html",
        spec=CommandSpec(same("install update"), names("--switch --root -j --jobs")),
        install_actions=frozenset({"install", "update"}),
        action_manifests={"install": ("*.opam", "opam")},
        caches=(CacheDir("{HOME}/.opam/download-cache", overrides=(("OPAMROOT", "{OPAMROOT}/download-cache"),),
                         source="https://opam.ocaml.org/doc/man/opam.html"),),
        kind_rule=_opam_kind,
    ),
    # https://rebar3.org/docs/commands/ ; cache: https://rebar3.org/docs/configuration/configuration/#hex-repos-and-indexes
    # (~/.cache/rebar3, REBAR_CACHE_DIR)
    ManagerInfo(
        manager=Manager.REBAR3,
        programs=("rebar3",),
        ecosystem="erlang",
        source="https://rebar3.org/docs/commands/",
        spec=CommandSpec(None),
        install_actions=frozenset({"*"}),
        action_manifests={"": ("rebar.config", "rebar.lock")},
        caches=(CacheDir(f"{_XDG_CACHE}/rebar3", env=("REBAR_CACHE_DIR",),
                         source="https://rebar3.org/docs/configuration/configuration/"),),
        kind_rule=_tasks({"get-deps": _D, "compile": _P, "release": _P, "tar": _P, "escriptize": _P}, None),
    ),
    # https://docs.conan.io/2/reference/commands/install.html ; CONAN_HOME: https://docs.conan.io/2/reference/environment.html
    ManagerInfo(
        manager=Manager.CONAN,
        programs=("conan",),
        ecosystem="cpp",
        source="https://docs.conan.io/2/reference/commands/install.html",
        spec=CommandSpec(same("install create build"),
                         names("-pr --profile -of --output-folder -s --settings -o --options -b --build -r --remote")),
        install_actions=frozenset({"install", "create", "build"}),
        action_manifests={"install": ("conanfile.txt", "conanfile.py", "conan.lock")},
        caches=(CacheDir("{HOME}/.conan2/p", overrides=(("CONAN_HOME", "{CONAN_HOME}/p"),), kind="store",
                         source="https://docs.conan.io/2/reference/environment.html"),),
        kind_rule=_by_action({"install": _D, "create": _P, "build": _P}),
    ),
    # https://learn.microsoft.com/en-us/vcpkg/commands/install ; binary cache:
    # https://learn.microsoft.com/en-us/vcpkg/users/binarycaching#default-binary-cache
    ManagerInfo(
        manager=Manager.VCPKG,
        programs=("vcpkg",),
        ecosystem="cpp",
        source="https://learn.microsoft.com/en-us/vcpkg/commands/install",
        spec=CommandSpec(same("install"), names("--triplet --x-install-root --overlay-ports")),
        install_actions=frozenset({"install"}),
        action_manifests={"install": ("vcpkg.json", "vcpkg-configuration.json")},
        caches=(CacheDir(f"{_XDG_CACHE}/vcpkg/archives", env=("VCPKG_DEFAULT_BINARY_CACHE",),
                         source="https://learn.microsoft.com/en-us/vcpkg/users/binarycaching#default-binary-cache"),),
        kind_rule=_vcpkg_kind,
    ),
)

ECOSYSTEMS = (
    # https://hexdocs.pm/mix/Mix.Project.html
    Ecosystem("elixir", "Elixir", (Manager.MIX,), ("mix.exs", "mix.lock"), "https://hexdocs.pm/mix/Mix.Project.html"),
    # https://dart.dev/tools/pub/pubspec
    Ecosystem("dart", "Dart/Flutter", (Manager.PUB,), ("pubspec.yaml", "pubspec.lock"), "https://dart.dev/tools/pub/pubspec"),
    # https://www.swift.org/documentation/package-manager/
    Ecosystem("swift", "Swift", (Manager.SWIFT,), ("Package.swift", "Package.resolved"),
              "https://www.swift.org/documentation/package-manager/"),
    # https://crystal-lang.org/reference/man/shards/
    Ecosystem("crystal", "Crystal", (Manager.SHARDS,), ("shard.yml", "shard.lock"),
              "https://crystal-lang.org/reference/man/shards/"),
    # https://pkgdocs.julialang.org/v1/toml-files/
    Ecosystem("julia", "Julia", (Manager.JULIA,), ("Project.toml", "Manifest.toml"),
              "https://pkgdocs.julialang.org/v1/toml-files/"),
    # https://metacpan.org/pod/cpanfile
    Ecosystem("perl", "Perl", (Manager.CPANM,), ("cpanfile", "cpanfile.snapshot", "Makefile.PL", "Build.PL"),
              "https://metacpan.org/pod/cpanfile"),
    # https://cabal.readthedocs.io/en/stable/cabal-project-description-file.html
    Ecosystem("haskell", "Haskell", (Manager.CABAL, Manager.STACK),
              ("*.cabal", "cabal.project", "cabal.project.freeze", "stack.yaml", "stack.yaml.lock", "package.yaml"),
              "https://cabal.readthedocs.io/en/stable/cabal-project-description-file.html"),
    # https://rstudio.github.io/renv/articles/lockfile.html
    Ecosystem("r", "R", (Manager.RSCRIPT,), ("renv.lock", "DESCRIPTION"),
              "https://rstudio.github.io/renv/articles/lockfile.html"),
    # https://github.com/nim-lang/nimble#creating-packages
    Ecosystem("nim", "Nim", (Manager.NIMBLE,), ("*.nimble", "nimble.lock"),
              "https://github.com/nim-lang/nimble#creating-packages"),
    # https://gleam.run/writing-gleam/gleam-toml/
    Ecosystem("gleam", "Gleam", (Manager.GLEAM,), ("gleam.toml", "manifest.toml"), "https://gleam.run/writing-gleam/gleam-toml/"),
    # https://opam.ocaml.org/doc/Manual.html#Package-definitions
    Ecosystem("ocaml", "OCaml", (Manager.OPAM,), ("*.opam", "opam", "dune-project"),
              "https://opam.ocaml.org/doc/Manual.html#Package-definitions"),
    # https://rebar3.org/docs/configuration/configuration/
    Ecosystem("erlang", "Erlang", (Manager.REBAR3,), ("rebar.config", "rebar.lock"),
              "https://rebar3.org/docs/configuration/configuration/"),
    # https://docs.conan.io/2/reference/conanfile_txt.html ; https://learn.microsoft.com/en-us/vcpkg/reference/vcpkg-json
    Ecosystem("cpp", "C/C++", (Manager.CONAN, Manager.VCPKG),
              ("conanfile.txt", "conanfile.py", "conan.lock", "vcpkg.json", "vcpkg-configuration.json"),
              "https://docs.conan.io/2/reference/conanfile_txt.html"),
)
