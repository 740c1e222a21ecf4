"""dockmod.ecosystems: recognition, install kinds, manifests and the rows themselves."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from dockmod.ecosystems import ECOSYSTEMS, MANAGERS, InstallKind, Manager, calls
from dockmod.shell import parse_shell

D, P, K, I = InstallKind.DEPENDENCIES, InstallKind.PROJECT, InstallKind.PACKAGES, InstallKind.INDEX

# (command, manager, action, install kind, manifests(call))
RECOGNITION = [
    # python
    ("pip install -r requirements.txt", "pip", "install", D, ("requirements.txt",)),
    ("pip3 install flask gunicorn", "pip", "install", K, ()),
    ("pip install .", "pip", "install", P, ("pyproject.toml", "setup.py", "setup.cfg")),
    ("pip install -r requirements.txt .", "pip", "install", P, ("requirements.txt", "pyproject.toml", "setup.py", "setup.cfg")),
    ("python3.12 -m pip install -e ./lib", "pip", "install", P, ("lib/pyproject.toml", "lib/setup.py", "lib/setup.cfg")),
    ("pip install /wheels/app-1.0-py3-none-any.whl", "pip", "install", K, ()),
    ("pip uninstall -y x", "pip", "uninstall", None, ()),
    ("uv sync --frozen", "uv", "sync", P, ("pyproject.toml", "uv.lock")),
    ("uv sync --frozen --no-install-project", "uv", "sync", D, ("pyproject.toml", "uv.lock")),
    ("uv pip install --system -r requirements.txt", "uv", "pip install", D, ("requirements.txt",)),
    ("uv pip sync requirements.lock", "uv", "pip sync", D, ("requirements.lock",)),
    ("poetry install --no-root --only main", "poetry", "install", D, ("pyproject.toml", "poetry.lock")),
    ("poetry install", "poetry", "install", P, ("pyproject.toml", "poetry.lock")),
    ("pipenv install --deploy --system", "pipenv", "install", D, ("Pipfile", "Pipfile.lock")),
    ("pipenv sync", "pipenv", "sync", D, ("Pipfile", "Pipfile.lock")),
    # conda
    ("conda env create -f environment.yml", "conda", "env create", D, ("environment.yml",)),
    ("conda env create", "conda", "env create", D, ("environment.yml", "environment.yaml")),
    ("mamba install -y -c conda-forge numpy", "mamba", "install", K, ()),
    ("micromamba install -y -n base -f /tmp/env.yaml", "micromamba", "install", D, ("/tmp/env.yaml",)),
    # node
    ("npm ci --omit=dev", "npm", "ci", D, ("package.json", "package-lock.json")),
    ("npm install", "npm", "install", D, ("package.json", "package-lock.json")),
    ("npm install -g pnpm@9", "npm", "install", K, ("package.json", "package-lock.json")),
    ("yarn install --frozen-lockfile", "yarn", "install", D, ("package.json", "yarn.lock")),
    ("yarn", "yarn", "install", D, ("package.json", "yarn.lock")),
    ("yarn global add serve", "yarn", "global add", K, ()),
    ("yarn workspaces focus --production", "yarn", "workspaces focus", D, ()),
    ("pnpm install --frozen-lockfile", "pnpm", "install", D, ("package.json", "pnpm-lock.yaml")),
    ("pnpm fetch --prod", "pnpm", "fetch", D, ("pnpm-lock.yaml",)),
    ("bun install --frozen-lockfile", "bun", "install", D, ("package.json", "bun.lock", "bun.lockb")),
    # go, rust
    ("go mod download", "go", "mod download", D, ("go.mod", "go.sum")),
    ("CGO_ENABLED=0 go build -o /app ./cmd/app", "go", "build", P, ("go.mod", "go.sum")),
    ("go install github.com/x/y@v1.2.3", "go", "install", K, ()),
    ("cargo fetch", "cargo", "fetch", D, ("Cargo.toml", "Cargo.lock")),
    ("cargo build --release --locked", "cargo", "build", P, ("Cargo.toml", "Cargo.lock")),
    ("cargo install cargo-chef", "cargo", "install", K, ()),
    ("cargo install --path .", "cargo", "install", P, ()),
    # ruby, php
    ("bundle install --jobs 4", "bundler", "install", D, ("Gemfile", "Gemfile.lock")),
    ("bundle", "bundler", "install", D, ("Gemfile", "Gemfile.lock")),
    ("yarn --frozen-lockfile", "yarn", "install", D, ("package.json", "yarn.lock")),
    ("bundle config set without dev && bundle install", "bundler", "install", D, ("Gemfile", "Gemfile.lock")),
    ("gem install bundler -v 2.5.0", "gem", "install", K, ()),
    ("composer install --no-dev --no-scripts", "composer", "install", D, ("composer.json", "composer.lock")),
    ("composer global require laravel/installer", "composer", "global require", K, ()),
    # jvm
    ("mvn -B dependency:go-offline", "maven", "dependency:go-offline", D, ("pom.xml",)),
    ("./mvnw -B package -DskipTests", "maven", "package", P, ("pom.xml",)),
    ("gradle dependencies --no-daemon", "gradle", "dependencies", D, None),
    ("./gradlew bootJar", "gradle", "bootJar", P, None),
    ("sbt update", "sbt", "update", D, ("build.sbt", "project/build.properties", "project/plugins.sbt")),
    ("sbt clean assembly", "sbt", "clean", P, ("build.sbt", "project/build.properties", "project/plugins.sbt")),
    ("lein deps", "lein", "deps", D, ("project.clj",)),
    ("clojure -P", "clojure", "prepare", D, ("deps.edn",)),
    ("clj -A:build -P", "clojure", "prepare", D, ("deps.edn",)),
    # dotnet
    ("dotnet restore", "dotnet", "restore", D, None),
    ("dotnet publish -c Release -o /app --no-restore", "dotnet", "publish", P, None),
    ("dotnet tool install --global dotnet-ef", "dotnet", "tool install", K, ()),
    ("nuget restore App.sln", "nuget", "restore", D, None),
    # system
    ("apt-get update", "apt-get", "update", I, ()),
    ("apt-get install -y --no-install-recommends curl", "apt-get", "install", K, ()),
    ("apt-get clean", "apt-get", "clean", None, ()),
    ("apk add --no-cache gcc musl-dev", "apk", "add", K, ()),
    ("dnf install -y git", "dnf", "install", K, ()),
    ("yum -y install httpd", "yum", "install", K, ()),
    ("microdnf install -y tar", "microdnf", "install", K, ()),
    ("zypper --non-interactive in curl", "zypper", "install", K, ()),
    ("zypper ref", "zypper", "refresh", I, ()),
    # the other ecosystems
    ("mix deps.get --only prod", "mix", "deps.get", D, ("mix.exs", "mix.lock")),
    ("mix release", "mix", "release", P, ("mix.exs", "mix.lock")),
    ("dart pub get", "pub", "pub get", D, ("pubspec.yaml", "pubspec.lock")),
    ("flutter pub get", "pub", "pub get", D, ("pubspec.yaml", "pubspec.lock")),
    ("swift package resolve", "swift", "package resolve", D, ("Package.swift", "Package.resolved")),
    ("swift build -c release", "swift", "build", P, ("Package.swift", "Package.resolved")),
    ("shards install --production", "shards", "install", D, ("shard.yml", "shard.lock")),
    ("julia --project=. -e 'using Pkg; Pkg.instantiate()'", "julia", "instantiate", D, ("Project.toml", "Manifest.toml")),
    ("cpanm --notest --installdeps .", "cpanm", "installdeps", D, None),
    ("cpanm Plack", "cpanm", "install", K, ()),
    ("cabal update", "cabal", "update", I, ()),
    ("cabal build --only-dependencies", "cabal", "build", D, None),
    ("stack build --only-dependencies", "stack", "build", D, None),
    ("stack setup", "stack", "setup", K, ()),
    ("Rscript -e \"renv::restore()\"", "rscript", "renv restore", D, ("renv.lock",)),
    ("R -e \"install.packages('jsonlite')\"", "rscript", "install.packages", K, ()),
    ("nimble install -d -y", "nimble", "install", D, None),
    ("gleam deps download", "gleam", "deps download", D, ("gleam.toml", "manifest.toml")),
    ("opam install . --deps-only", "opam", "install", D, None),
    ("opam install dune", "opam", "install", K, None),
    ("rebar3 get-deps", "rebar3", "get-deps", D, ("rebar.config", "rebar.lock")),
    ("rebar3 as prod release", "rebar3", "as", P, ("rebar.config", "rebar.lock")),
    ("conan install . --build=missing", "conan", "install", D, ("conanfile.txt", "conanfile.py", "conan.lock")),
    ("vcpkg install", "vcpkg", "install", D, ("vcpkg.json", "vcpkg-configuration.json")),
    ("vcpkg install zlib", "vcpkg", "install", K, ("vcpkg.json", "vcpkg-configuration.json")),
]


@pytest.mark.parametrize(("raw", "manager", "action", "kind", "manifests"), RECOGNITION, ids=[r[0][:45] for r in RECOGNITION])
def test_recognition(raw: str, manager: str, action: str, kind: InstallKind | None, manifests: tuple[str, ...] | None) -> None:
    found = calls(parse_shell(raw))
    assert found, raw
    call = found[-1]
    assert (call.manager.value, call.action) == (manager, action)
    info = MANAGERS[call.manager]
    assert info.install_kind(call) is kind
    assert call.kind is kind
    assert info.project_install(call) == (kind is InstallKind.PROJECT)
    if manifests is not None:
        assert info.manifests(call) == manifests


# Commands that are no package-manager call, though they name a manager's program.
NOT_CALLS = [
    "npm run build",
    "go version",
    "cargo --version",
    "yarn build",
    "julia -e 'println(1)'",
    "Rscript app.R",
    "clojure -M -m app.main",
    "python3 setup.py install",
    "dart compile exe bin/main.dart",
    "swift --version",
    # Only asking the tool about itself; the bare `yarn`/`bundle` is an install.
    "yarn --version",
    "yarn -v",
    "yarn --help",
    "yarn -h",
    "yarn help",
    "yarnpkg --version",
    "bundle --version",
    "bundle -v",
    "bundle --help",
    "bundler --version",
]


@pytest.mark.parametrize("raw", NOT_CALLS)
def test_not_a_call(raw: str) -> None:
    assert calls(parse_shell(raw)) == []


def test_wrappers_and_python_module() -> None:
    (a, b, c) = calls(parse_shell("sudo -E apt-get install -y x && env A=1 nice -n 5 pip install y && python -m poetry install"))
    assert (a.manager, b.manager, c.manager) == (Manager.APT_GET, Manager.PIP, Manager.POETRY)
    assert [w.text for w in c.program] == ["python", "-m", "poetry"]


def test_offline() -> None:
    cases = {
        "cargo build --offline": True,
        "cargo build --frozen": True,
        "cargo build --locked": False,
        "mvn -o package": True,
        "mvn --offline package": True,
        "npm ci --offline": True,
        "go build -mod=vendor ./...": True,
        "go build -mod vendor ./...": True,
        "go build ./...": False,
        "go build --mod=vendor ./...": True,  # the flag package takes one or two dashes
        "dotnet publish --no-restore": True,
    }
    for raw, expected in cases.items():
        (call,) = calls(parse_shell(raw))
        assert MANAGERS[call.manager].offline(call) is expected, raw
    assert ("GOPROXY", "off") in MANAGERS[Manager.GO].offline_env
    assert ("GOFLAGS", "-mod=vendor") in MANAGERS[Manager.GO].offline_env


def test_cache_defeating_spellings() -> None:
    pip, uv, apk, poetry = (MANAGERS[m] for m in (Manager.PIP, Manager.UV, Manager.APK, Manager.POETRY))
    assert {"--no-cache-dir", "--no-cache"} <= set(pip.defeating_options)
    assert "PIP_NO_CACHE_DIR" in pip.defeating_env
    assert {"--no-cache", "-n", "--no-cache-dir"} <= set(uv.defeating_options)
    assert "UV_NO_CACHE" in uv.defeating_env
    assert "--no-cache" in apk.defeating_options and "--no-cache" in poetry.defeating_options
    (call,) = calls(parse_shell("pip install --no-cache -r r.txt"))
    assert [o.name for o in pip.defeats_cache(call)] == ["--no-cache"]
    (call,) = calls(parse_shell("uv pip install --no-cache-dir x"))
    assert [o.name for o in uv.defeats_cache(call)] == ["--no-cache-dir"]
    # `--no-c` is ambiguous for pip (--no-color, --no-clean, --no-compile): not a spelling.
    assert "--no-c" not in pip.defeating_options and "--no-color" not in pip.defeating_options


def test_cleaners() -> None:
    want = {
        Manager.APT_GET: ("apt-get", "clean"),
        Manager.NPM: ("npm", "cache", "clean"),
        Manager.PIP: ("pip", "cache", "purge"),
        Manager.COMPOSER: ("composer", "clear-cache"),
        Manager.UV: ("uv", "cache", "clean"),
        Manager.YARN: ("yarn", "cache", "clean"),
        Manager.APK: ("apk", "cache", "clean"),
    }
    for manager, words in want.items():
        assert words in MANAGERS[manager].cleaners


def test_build_packages_imply_runtime_libraries() -> None:
    apt = MANAGERS[Manager.APT_GET].build_packages
    assert apt["libpq-dev"] == "libpq5" and apt["libffi-dev"] == "libffi8" and apt["libssl-dev"] == "libssl3"
    assert apt["libxml2-dev"] == "libxml2" and apt["libjpeg-dev"] == "libjpeg62-turbo"
    assert apt["zlib1g-dev"] == "zlib1g" and apt["default-libmysqlclient-dev"] == "libmariadb3"
    assert apt["build-essential"] is None and apt["gcc"] is None and apt["git"] is None
    assert MANAGERS[Manager.APK].build_packages["postgresql-dev"] == "libpq"
    assert MANAGERS[Manager.DNF].build_packages["libpq-devel"] == "libpq"
    # Every -dev/-devel package listed implies a runtime library or is a header-only tool.
    for manager in (Manager.APT_GET, Manager.APK, Manager.DNF, Manager.ZYPPER):
        for name, runtime in MANAGERS[manager].build_packages.items():
            assert runtime is None or not runtime.endswith(("-dev", "-devel")), (manager, name)


# --- the rows themselves ----------------------------------------------------------------------

_URL = re.compile(r"^https://[\w.-]+\.[a-z]{2,}/\S*$")


def test_every_row_cites_a_source() -> None:
    for info in MANAGERS.values():
        assert _URL.match(info.source), info.manager
        for cache in info.caches:
            assert _URL.match(cache.source), (info.manager, cache.path)
    for eco in ECOSYSTEMS.values():
        assert _URL.match(eco.source), eco.name


def test_every_manager_has_a_row_and_an_ecosystem() -> None:
    assert set(MANAGERS) == set(Manager)
    for info in MANAGERS.values():
        assert info.manager in ECOSYSTEMS[info.ecosystem].managers
        assert info.programs
        for action in info.action_manifests:
            assert action == "" or info.spec.actions is None or action in info.spec.actions.values() \
                or info.action_rule is not None, (info.manager, action)


def test_the_twenty_four_ecosystems() -> None:
    """Issue 12: dependency installs in these ecosystems are recognised."""
    wanted = ("node python go rust ruby php java dotnet elixir conda dart swift crystal julia clojure"
              " perl haskell scala r nim gleam ocaml erlang cpp").split()
    assert len(wanted) == 24
    for name in wanted:
        eco = ECOSYSTEMS[name]
        assert eco.managers and eco.manifests, name
    recognised = {MANAGERS[c.manager].ecosystem for r in RECOGNITION for c in calls(parse_shell(r[0]))}
    assert set(wanted) <= recognised


def test_no_program_claimed_twice() -> None:
    seen: dict[str, Manager] = {}
    for info in MANAGERS.values():
        for p in info.programs:
            assert p not in seen, (p, seen.get(p), info.manager)
            seen[p] = info.manager


def test_import_is_light() -> None:
    code = "import sys, dockmod.ecosystems; assert 'tree_sitter' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_installs() -> None:
    """Which calls download (and so may want a cache): not `--version` of a goal-less tool."""
    cases = {
        "mvn --version": False,
        "./gradlew --help": False,
        "mvn -B package": True,
        "pip install x": True,
        "pip uninstall -y x": False,
        "apt-get clean": False,
        "apt-get install -y x": True,
        "go build ./...": True,
    }
    for raw, expected in cases.items():
        (call,) = calls(parse_shell(raw))
        assert MANAGERS[call.manager].installs(call) is expected, raw


@pytest.mark.parametrize(("raw", "is_global"), [
    ("npm install -g pnpm@9", True),
    ("npm install --global pnpm", True),
    ("npm i --location=global pnpm", True),  # https://docs.npmjs.com/cli/v10/using-npm/config#location
    ("npm install --location global pnpm", True),
    ("npm install --location=user left-pad", False),
    ("npm install left-pad", False),
    ("pnpm add -g serve", True),
    ("bun add --global serve", True),
    ("pip install -g x", False),  # not pip's option: the row has none
])
def test_global_installs(raw: str, is_global: bool) -> None:
    from dockmod.ecosystems.steps import global_node_install

    (call,) = calls(parse_shell(raw))
    assert call.info.global_install(call) is is_global
    if call.manager in (Manager.NPM, Manager.PNPM):
        assert global_node_install(call) is is_global
    # `npm install --location global pnpm` keeps `global` as the option's value, not a package.
    assert "global" not in [w.text for w in call.operands]


def test_a_global_install_of_the_project_is_not_a_dependency_step() -> None:
    from dockmod.ecosystems.steps import is_dependency_step

    for raw in ("npm install --location=global", "npm install -g", "npm install --location global"):
        (call,) = calls(parse_shell(raw))
        assert call.kind is D and not is_dependency_step(call), raw
    (call,) = calls(parse_shell("npm install"))
    assert is_dependency_step(call)


def test_a_global_install_without_a_package_installs_the_project() -> None:
    """``npm install -g`` alone installs the working directory's package: not a global
    install of named packages, which needs no sources (https://docs.npmjs.com/cli/v10/commands/npm-install)."""
    from dockmod.ecosystems.steps import global_node_install

    for raw in ("npm install -g", "npm install --location=global", "pnpm add -g"):
        (call,) = calls(parse_shell(raw))
        assert call.info.global_install(call) and not global_node_install(call), raw


def _hadolint_codes(tmp_path, run: str) -> set[str]:  # type: ignore[no-untyped-def]
    import json
    import shutil
    from pathlib import Path

    exe = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    (tmp_path / "Dockerfile").write_text(f"FROM fedora:41\nRUN {run}\n")
    out = subprocess.run([exe, "--format", "json", "--no-fail", str(tmp_path / "Dockerfile")],
                         capture_output=True, text=True, check=True).stdout
    return {r["code"] for r in json.loads(out)}


def test_linted_cleaners_are_the_ones_hadolint_wants(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each row's ``linted_cleaners`` names a rule that hadolint (the dev dependency) raises
    for an install of that program without the clean, and not with it; a program that
    hadolint does not check (``dnf5``) has no row."""
    rows = [(prefix, rule.split()[-1]) for info in MANAGERS.values() for prefix, rule in info.linted_cleaners]
    assert {p[0] for p, _ in rows} == {"dnf", "yum", "microdnf"}
    for prefix, code in rows:
        install = f"{prefix[0]} install -y gcc-12.2.1"
        assert code in _hadolint_codes(tmp_path, install), prefix
        assert code not in _hadolint_codes(tmp_path, f"{install} && {' '.join(prefix)} all"), prefix
    assert not {"DL3040", "DL3032"} & _hadolint_codes(tmp_path, "dnf5 install -y gcc-12.2.1")


def test_a_linted_cleaner_keeps_the_cache_mount_out() -> None:
    from dockmod.ecosystems.cache_use import linted_cleaner

    for raw, expected in (("microdnf install -y gcc && microdnf clean all", "`microdnf clean`"),
                          ("dnf install -y gcc && dnf clean all", "`dnf clean`"),
                          ("dnf5 install -y gcc && dnf5 clean all", None)):
        script = parse_shell(raw)
        found = linted_cleaner(script, calls(script))
        assert (found is None) if expected is None else (found is not None and expected in found), raw


@pytest.mark.parametrize("raw, options, operands", [
    # MSBuild switches after `/`, in any case, with or without a value: options
    ("dotnet publish /P:UseAppHost=false /v:m /BL /m:2 /nologo", ["/P:UseAppHost", "/v:m", "/BL", "/m:2", "/nologo"], []),
    # a path is an operand, even when its first part starts like a switch (`/bl…`, `/m…`)
    ("dotnet publish /src/App.csproj /blob/x.csproj /m", ["/m"], ["/src/App.csproj", "/blob/x.csproj"]),
])
def test_msbuild_slash_switches(raw: str, options: list[str], operands: list[str]) -> None:
    # https://learn.microsoft.com/visualstudio/msbuild/msbuild-command-line-reference
    (call,) = calls(parse_shell(raw))
    assert [o.name for o in call.options] == options
    assert [w.text for w in call.operands] == operands
